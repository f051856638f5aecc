"""Content encodings: gzip, deflate and aws-chunked framing."""

from __future__ import annotations

import gzip
import io
import zlib
from collections.abc import Mapping

_GZIP_MAGIC = b"\x1f\x8b"


def parse_encodings(headers: Mapping[str, str]) -> tuple[str, ...]:
    """The ``Content-Encoding`` tokens in order, lower-cased (``("aws-chunked", "gzip")``)."""
    value = headers.get("Content-Encoding")
    if not value:
        return ()
    return tuple(token.strip().lower() for token in value.split(",") if token.strip())


def is_gzip(data: bytes | None) -> bool:
    """Whether ``data`` starts with the gzip magic bytes."""
    return data is not None and data[:2] == _GZIP_MAGIC


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
