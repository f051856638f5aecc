"""HTTP headers as they went on the wire: one class for the request model and SigV4 checks."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from pytest_botowire.aws.compat import header_dict_fast, header_lines_fast, header_names_fast
from pytest_botowire.aws.redact import redact_headers


def header_text(value: object) -> str:
    """A header name or value as ``str``: ``bytes`` as ISO-8859-1, as ``http.client`` sends them."""
    if isinstance(value, str):
        return value
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).decode("latin-1")
    return str(value)


class Headers(Mapping[str, str]):
    """Case-insensitive, read-only request headers with ``str`` values, in sending order.

    A header sent more than once reads as its values joined with ``", "``; ``items()``
    yields every header as it was sent.

    Held compactly: every captured request has one, so the headers are kept as one string
    (``"Name: value\r\n"`` per header, as on the wire) and parsed into a lookup table only
    when first read. A test of 100,000 requests then holds one small object per request
    instead of a tuple per header and a dict (see benchmarks/README.md).
    """

    __slots__ = ("_block", "_index")

    def __init__(self, items: Iterable[tuple[Any, Any]]) -> None:
        pairs = [(header_text(name), header_text(value)) for name, value in items]
        self._block: str | tuple[tuple[str, str], ...] = _block_of(pairs)
        self._index: dict[str, str] | None = None

    @classmethod
    def _from_pairs(cls, pairs: list[tuple[str, str]]) -> Headers:
        """``Headers`` over pairs that are ``str`` already (the capture path)."""
        headers = cls.__new__(cls)
        headers._block = _block_of(pairs)
        headers._index = None
        return headers

    @classmethod
    def _from_block(cls, block: str | tuple[tuple[str, str], ...]) -> Headers:
        """``Headers`` over a compact block made by :func:`wire_block`."""
        headers = cls.__new__(cls)
        headers._block = block
        headers._index = None
        return headers

    @classmethod
    def _from_header_dict(cls, raw: dict[Any, Any]) -> Headers:
        """The capture path: botocore's header dict straight into the wire form, one pass."""
        return cls._from_block(wire_block(raw)[0])

    @classmethod
    def of(cls, headers: Mapping[str, Any] | Iterable[tuple[Any, Any]] | Any) -> Headers:
        """Copy any headers object (botocore's, ``email.message.Message``, a mapping, pairs).

        Every header is kept as sent, repeats included; ``bytes`` become ``str``
        (:func:`header_text`). The original is not changed.
        """
        fast = header_dict_fast(headers)  # botocore's HeadersDict, read 3x faster
        if fast is not None:  # the capture path: first, and no ABC isinstance check before it
            return cls._from_header_dict(fast)
        if isinstance(headers, Headers):
            return headers
        items = headers.items() if hasattr(headers, "items") else headers
        return cls._from_pairs([(header_text(k), header_text(v)) for k, v in items])

    def _pairs(self) -> list[tuple[str, str]]:
        block = self._block
        if isinstance(block, tuple):
            return list(block)
        if not block:
            return []
        return [
            (name, value)
            for name, _, value in (line.partition(": ") for line in block[:-2].split("\r\n"))
        ]

    def _lookup(self) -> dict[str, str]:
        index = self._index
        if index is None:
            index = {}
            for name, value in self._pairs():
                key = name.lower()
                index[key] = f"{index[key]}, {value}" if key in index else value
            self._index = index
        return index

    def __getitem__(self, name: str) -> str:
        return self._lookup()[name.lower()]

    def get(self, name: str, default: Any = None) -> Any:
        """The header's value (duplicates joined with ``", "``), or ``default``."""
        if not isinstance(name, str):
            return default
        return self._lookup().get(name.lower(), default)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.lower() in self._lookup()

    def __iter__(self) -> Iterator[str]:
        seen: set[str] = set()
        for name, _ in self._pairs():
            if name.lower() not in seen:
                seen.add(name.lower())
                yield name

    def __len__(self) -> int:
        return len(self._lookup())

    def get_all(self, name: str) -> list[str]:
        """Every value of header ``name``, one per time it was sent (``[]`` if never)."""
        lowered = name.lower()
        return [value for key, value in self._pairs() if key.lower() == lowered]

    def raw_items(self) -> list[tuple[str, str]]:
        """Every header as sent, duplicates included."""
        return self._pairs()

    def __repr__(self) -> str:
        return f"Headers({redact_headers(self._pairs())!r})"


def _block_of(pairs: list[tuple[str, str]]) -> str | tuple[tuple[str, str], ...]:
    """One string for the usual headers; a tuple where a name or value would not round-trip."""
    for name, value in pairs:
        if ":" in name or "\r" in name or "\n" in name or "\r" in value or "\n" in value:
            return tuple(pairs)
    return "".join([f"{name}: {value}\r\n" for name, value in pairs])


def wire_block(raw: dict[Any, Any]) -> tuple[str | tuple[tuple[str, str], ...], str | None]:
    """botocore's header dict (``header_dict_fast``) in ``Headers``' compact form, in one pass,
    and the value of ``amz-sdk-request`` (the attempt number botocore sent), when present.

    The form is one string, ``"Name: value\r\n"`` per header as on the wire; a tuple of pairs
    where a name or value would not read back from it (``": "`` in a name, a CR LF).
    """
    block = header_lines_fast(raw, header_text)
    count = len(raw)
    # one ": " and one CR LF per header: it reads back exactly (a lone CR or LF in a value does)
    if block is not None and block.count("\r\n") == count and block.count(": ") == count:
        at = block.find(_SDK_REQUEST_LINE)
        if at == 0 or (at > 0 and block[at - 1] == "\n"):
            return block, block[at + len(_SDK_REQUEST_LINE) : block.index("\r", at)]
        if at < 0 and _SDK_REQUEST not in block.lower():
            return block, None
    # a name or value that would not read back (kept as pairs), a value with ": " in it, or
    # amz-sdk-request in another letter case than botocore's
    pairs = list(zip(header_names_fast(raw), map(header_text, raw.values()), strict=True))
    sdk_request = None
    for name, text in pairs:
        if name.lower() == _SDK_REQUEST:
            sdk_request = text
    return _block_of(pairs), sdk_request


_SDK_REQUEST = "amz-sdk-request"
_SDK_REQUEST_LINE = "amz-sdk-request: "
