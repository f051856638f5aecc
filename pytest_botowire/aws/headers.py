"""HTTP headers as they went on the wire: one class for the request model and SigV4 checks."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from pytest_botowire.aws.compat import header_items_fast
from pytest_botowire.aws.redact import redact_headers


def header_text(value: object) -> str:
    """A header name or value as ``str``: ``bytes`` as ISO-8859-1, as ``http.client`` sends them."""
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).decode("latin-1")
    return str(value)


class Headers(Mapping[str, str]):
    """Case-insensitive, read-only request headers with ``str`` values, in sending order.

    A header sent more than once reads as its values joined with ``", "``; ``items()``
    yields every header as it was sent.
    """

    __slots__ = ("_index", "_items")

    def __init__(self, items: list[tuple[str, str]]) -> None:
        self._items = items
        index: dict[str, str] = {}
        for name, value in items:
            key = name.lower()
            index[key] = f"{index[key]}, {value}" if key in index else value
        self._index = index

    @classmethod
    def of(cls, headers: Mapping[str, Any] | Iterable[tuple[Any, Any]] | Any) -> Headers:
        """Copy any headers object (botocore's, ``email.message.Message``, a mapping, pairs).

        Every header is kept as sent, repeats included; ``bytes`` become ``str``
        (:func:`header_text`). The original is not changed.
        """
        if isinstance(headers, Headers):
            return headers
        fast = header_items_fast(headers)  # botocore's HeadersDict, read 3x faster
        if fast is not None:
            return cls([(name, header_text(value)) for name, value in fast])
        items = headers.items() if hasattr(headers, "items") else headers
        return cls([(header_text(name), header_text(value)) for name, value in items])

    def __getitem__(self, name: str) -> str:
        return self._index[name.lower()]

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.lower() in self._index

    def __iter__(self) -> Iterator[str]:
        seen: set[str] = set()
        for name, _ in self._items:
            if name.lower() not in seen:
                seen.add(name.lower())
                yield name

    def __len__(self) -> int:
        return len(self._index)

    def get_all(self, name: str) -> list[str]:
        """Every value of header ``name``, one per time it was sent (``[]`` if never)."""
        lowered = name.lower()
        return [value for key, value in self._items if key.lower() == lowered]

    def raw_items(self) -> list[tuple[str, str]]:
        """Every header as sent, duplicates included."""
        return list(self._items)

    def __repr__(self) -> str:
        return f"Headers({redact_headers(self._items)!r})"
