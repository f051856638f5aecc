"""Content encodings: gzip, deflate and aws-chunked framing."""

from __future__ import annotations

import gzip
import io
import zlib
from typing import Any, Final, NamedTuple

#: the first two bytes of every gzip stream
GZIP_MAGIC: Final[bytes] = b"\x1f\x8b"
#: the ``Content-Encoding`` tokens that mean gzip (lower case)
GZIP_TOKENS: Final[frozenset[str]] = frozenset({"gzip", "x-gzip"})


def encoding_tokens(headers: Any) -> list[str]:
    """The ``Content-Encoding`` tokens in order, as written, of every such header.

    ``headers`` is any mapping; one with ``get_all`` (botocore's ``HTTPHeaders``, an
    ``email.message.Message``) may hold the header more than once.
    """
    get_all = getattr(headers, "get_all", None)
    if get_all is not None:
        values = list(get_all("Content-Encoding") or [])
    else:
        value = headers.get("Content-Encoding")
        values = [] if value is None else [value]
    return [token.strip() for value in values for token in str(value).split(",") if token.strip()]


def parse_encodings(headers: Any) -> tuple[str, ...]:
    """The ``Content-Encoding`` tokens in order, lower-cased (``("aws-chunked", "gzip")``)."""
    return tuple(token.lower() for token in encoding_tokens(headers))


#: how much of a stream is read at a time
_READ_CHUNK = 1024 * 1024


class StreamRead(NamedTuple):
    """What :func:`read_stream` read: the bytes kept, the size, where the stream started."""

    #: the bytes from the start position to the end; ``None`` when more than ``cap``
    data: bytes | None
    size: int
    #: the position the stream was at and is back at; ``None`` for a stream without one
    start: int | None


def read_stream(stream: Any, cap: int | None = None, *, must_rewind: bool = True) -> StreamRead:
    """Read a file-like body from its current position to the end and put it back there.

    ``str`` chunks count as UTF-8. At most ``cap`` bytes are kept (``None``: all). With
    ``must_rewind``, a stream whose position cannot be read or set raises before anything is
    read; without it, such a stream is read to its end and left there (``start`` is ``None``).
    """
    start: int | None = None
    try:
        start = int(stream.tell())
        stream.seek(start)  # a stream that cannot go back fails here, before anything is read
    except (AttributeError, OSError, ValueError):
        if must_rewind:
            raise
        start = None
    kept: list[bytes] = []
    total = 0
    overflow = False
    try:
        while True:
            chunk = stream.read(_READ_CHUNK)
            if not chunk:
                break
            chunk = chunk.encode("utf-8") if isinstance(chunk, str) else bytes(chunk)
            total += len(chunk)
            if not overflow:
                if cap is None or total <= cap:
                    kept.append(chunk)
                else:
                    overflow = True
                    kept = []
    finally:
        if start is not None:
            stream.seek(start)
    return StreamRead(None if overflow else b"".join(kept), total, start)


def is_gzip(data: bytes | None) -> bool:
    """Whether ``data`` starts with the gzip magic bytes."""
    return data is not None and data[:2] == GZIP_MAGIC


def _gunzip(data: bytes) -> bytes:
    return gzip.decompress(data)


def unchunk(data: bytes) -> bytes:
    """Remove aws-chunked framing (and its trailer) from ``data``."""
    out = io.BytesIO()
    view = memoryview(data)
    pos = 0
    while pos < len(view):
        end = data.index(b"\r\n", pos)
        header = bytes(view[pos:end]).split(b";", 1)[0]
        length = int(header, 16)
        pos = end + 2
        if length == 0:
            break
        out.write(view[pos : pos + length])
        pos += length + 2
    return out.getvalue()


def decode_body(data: bytes, encodings: tuple[str, ...]) -> bytes:
    """Undo content encodings, last applied first. Raises ``ValueError`` when they do not fit."""
    for token in reversed(encodings):
        if token in ("identity", ""):
            continue
        try:
            if token in ("gzip", "x-gzip"):
                data = _gunzip(data)
            elif token == "deflate":
                data = zlib.decompress(data)
            elif token == "aws-chunked":
                data = unchunk(data)
            else:
                raise ValueError(f"unsupported content encoding {token!r}")
        except (OSError, EOFError, zlib.error, ValueError) as exc:
            if isinstance(exc, ValueError) and "unsupported" in str(exc):
                raise
            raise ValueError(f"body is not valid {token} data ({exc})") from exc
    return data
