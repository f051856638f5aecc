"""Content encodings: gzip, deflate and aws-chunked framing.

Decoding streams: a gzip body is decompressed a piece at a time, its decoded size counted as
it goes, and only as many decoded bytes are kept as the caller allows. A decompression that
runs away (past :data:`MAX_DECODED_SIZE` bytes, or more than :data:`MAX_RATIO` decoded bytes
per byte sent) stops there instead of filling the memory of the test run.
"""

from __future__ import annotations

import io
import zlib
from collections.abc import Iterable, Iterator
from typing import Any, Final, NamedTuple

#: the first two bytes of every gzip stream
GZIP_MAGIC: Final[bytes] = b"\x1f\x8b"
#: the ``Content-Encoding`` tokens that mean gzip (lower case)
GZIP_TOKENS: Final[frozenset[str]] = frozenset({"gzip", "x-gzip"})

#: Decoding stops once more than this many decoded bytes came out (1 GiB): counting takes
#: about a second per GiB, and no AWS request limit but S3's 5 GB object is that large.
MAX_DECODED_SIZE: Final[int] = 1 << 30

#: Decoding stops once more than this many decoded bytes came out per byte on the wire.
#: One deflate pass cannot exceed 1032:1, so only a body compressed again and again (a zip
#: bomb) goes past it; no real payload does.
MAX_RATIO: Final[int] = 1100

#: Encoding tokens that do nothing.
IDENTITY: Final[frozenset[str]] = frozenset({"", "identity"})

#: How many decoded bytes each decompression step may produce at once.
_STEP = 256 * 1024
#: How many decoded bytes ``Decoded.head`` keeps.
_HEAD = 16


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


def unchunk(data: bytes) -> bytes:
    """Remove aws-chunked framing (and its trailer) from ``data``.

    Raises ``ValueError`` when ``data`` is not aws-chunked framing.
    """
    out = io.BytesIO()
    view = memoryview(data)
    pos = 0
    try:
        while True:
            end = data.find(b"\r\n", pos)
            if end < 0:
                raise ValueError("a chunk size line does not end in CRLF")
            header = bytes(view[pos:end]).split(b";", 1)[0]
            try:
                length = int(header, 16)
            except ValueError:
                raise ValueError(f"{header[:20]!r} is not a chunk size") from None
            if length < 0:
                raise ValueError(f"negative chunk size {header!r}")
            pos = end + 2
            if length == 0:
                break
            if pos + length + 2 > len(data) or data[pos + length : pos + length + 2] != b"\r\n":
                raise ValueError("a chunk is shorter than its declared size")
            out.write(view[pos : pos + length])
            pos += length + 2
    except ValueError as exc:
        raise ValueError(f"body is not valid aws-chunked data ({exc})") from None
    return out.getvalue()


class DecodeStopped(Exception):
    """Decoding ran away and was stopped (see :data:`MAX_DECODED_SIZE`, :data:`MAX_RATIO`)."""


class Decoded:
    """The outcome of decoding a body: its decoded size and at most ``keep`` decoded bytes."""

    __slots__ = ("cause", "data", "error", "head", "size", "stopped")

    def __init__(
        self,
        data: bytes | None,
        size: int | None,
        head: bytes,
        *,
        error: str | None = None,
        stopped: str | None = None,
        cause: str | None = None,
    ) -> None:
        #: the decoded bytes, when no more than ``keep`` of them
        self.data = data
        #: how many bytes decoding gave; ``None`` when it failed or was stopped
        self.size = size
        #: the first decoded bytes (to tell gzip data from other data without keeping it all)
        self.head = head
        #: why the body is not valid data for its encodings
        self.error = error
        #: why decoding was stopped before the end
        self.stopped = stopped
        #: the decoder's own words for ``error``
        self.cause = cause if cause is not None else error


def _pieces(data: bytes) -> Iterator[bytes]:
    view = memoryview(data)
    for start in range(0, len(data), _STEP):
        yield bytes(view[start : start + _STEP])


def _inflate(pieces: Iterable[bytes], token: str) -> Iterator[bytes]:
    """Decompress gzip (every member) or deflate data a bounded piece at a time."""
    gzipped = token in ("gzip", "x-gzip")
    wbits = 16 + zlib.MAX_WBITS if gzipped else zlib.MAX_WBITS
    decompressor = zlib.decompressobj(wbits)
    started = False
    for piece in pieces:
        buffer = piece
        while buffer:
            if decompressor.eof:
                if not gzipped:
                    raise ValueError("data after the end of the deflate stream")
                if not buffer.startswith(GZIP_MAGIC[: len(buffer)]):
                    raise ValueError("data after the end of the gzip stream")
                decompressor = zlib.decompressobj(wbits)  # the next gzip member
            if gzipped and not started and not buffer.startswith(GZIP_MAGIC):
                raise ValueError(f"Not a gzipped file ({buffer[:2]!r})")  # as gzip says it
            out = decompressor.decompress(buffer, _STEP)
            started = True
            if out:
                yield out
            if decompressor.unconsumed_tail:
                buffer = decompressor.unconsumed_tail
            elif decompressor.eof:
                buffer = decompressor.unused_data
            else:
                buffer = b""
    if not started:
        raise ValueError("empty body")
    while not decompressor.eof:  # output still pending once every input byte went in
        out = decompressor.decompress(b"", _STEP)
        if not out:
            raise ValueError("Compressed file ended before the end-of-stream marker was reached")
        yield out


def _undo(pieces: Iterable[bytes], token: str) -> Iterable[bytes]:
    if token in ("gzip", "x-gzip", "deflate"):
        return _inflate(pieces, token)
    if token == "aws-chunked":
        return [unchunk(b"".join(pieces))]
    raise ValueError(f"unsupported content encoding {token!r}")


def decode_stream(
    data: bytes,
    tokens: Iterable[str],
    *,
    keep: int,
    max_size: int = MAX_DECODED_SIZE,
    max_ratio: int = MAX_RATIO,
) -> Decoded:
    """Undo ``tokens`` in the order given, streaming: count every decoded byte, keep ``keep``.

    Never holds more than ``keep`` decoded bytes (plus one step of each decompressor).
    Decoding stops, with ``Decoded.stopped`` saying why, past ``max_size`` decoded bytes or
    past ``max_ratio`` decoded bytes per byte of ``data``.
    """
    bound = min(max_size, max_ratio * max(len(data), 1))
    pieces: Iterable[bytes] = _pieces(data)
    applied = [token for token in tokens if token not in IDENTITY]
    kept: list[bytes] | None = []
    kept_size = 0
    total = 0
    head = b""
    try:
        for token in applied:
            pieces = _undo(pieces, token)
        for piece in pieces:
            total += len(piece)
            if len(head) < _HEAD:
                head += piece[: _HEAD - len(head)]
            if kept is not None:
                if kept_size + len(piece) <= keep:
                    kept.append(piece)
                    kept_size += len(piece)
                else:
                    kept = None
            if total > bound:
                raise DecodeStopped(
                    f"decompression stopped after {total:,} decoded bytes from {len(data):,}: "
                    + (
                        f"past the bound of {max_size:,} bytes"
                        if bound == max_size
                        else f"a ratio over {max_ratio}:1, which no real payload has"
                    )
                )
    except DecodeStopped as exc:
        return Decoded(None, None, head, stopped=str(exc))
    except (zlib.error, ValueError, EOFError) as exc:
        token = next((t for t in applied if t not in ("aws-chunked",)), applied[0])
        if isinstance(exc, ValueError) and str(exc).startswith(("unsupported", "body is not")):
            return Decoded(None, None, head, error=str(exc))
        return Decoded(
            None, None, head, error=f"body is not valid {token} data ({exc})", cause=str(exc)
        )
    return Decoded(None if kept is None else b"".join(kept), total, head)


def decode_body(data: bytes, encodings: tuple[str, ...]) -> bytes:
    """Undo content encodings, aws-chunked framing first, then the others last applied first.

    aws-chunked is a transfer framing around the whole payload wherever it stands in the
    header (botocore appends it, AWS's documentation puts it first). Holds the whole result:
    use :func:`decode_stream` for bodies of unknown size. Raises ``ValueError`` when the body
    does not fit its encodings.
    """
    unbounded = 1 << 62
    decoded = decode_stream(
        data, transfer_order(encodings), keep=unbounded, max_size=unbounded, max_ratio=unbounded
    )
    if decoded.error is not None:
        raise ValueError(decoded.error)
    assert decoded.data is not None
    return decoded.data


def transfer_order(encodings: Iterable[str]) -> list[str]:
    """The order to undo ``encodings`` in: aws-chunked framing first, then last applied first."""
    tokens = [t for t in encodings if t not in IDENTITY]
    chunked = [t for t in tokens if t == "aws-chunked"]
    return chunked[:1] + [t for t in reversed(tokens) if t != "aws-chunked"]
