"""aws/codec.py: the one stream reader and the one Content-Encoding parser."""

from __future__ import annotations

import io

import pytest
from botocore.compat import HTTPHeaders

from pytest_botowire.aws.codec import encoding_tokens, parse_encodings, read_stream


def test_read_stream_reads_from_the_position_and_puts_it_back() -> None:
    stream = io.BytesIO(b"0123456789")
    stream.seek(4)
    assert read_stream(stream) == (b"456789", 6, 4)
    assert stream.tell() == 4
    over = read_stream(stream, cap=5)
    assert over.data is None  # more than the cap: size only
    assert over.size == 6
    assert stream.tell() == 4


class _Unseekable(io.RawIOBase):
    def __init__(self, data: bytes) -> None:
        self._data = io.BytesIO(data)

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        return self._data.read(size)

    def tell(self) -> int:
        raise OSError("not seekable")


def test_read_stream_of_a_stream_that_cannot_go_back() -> None:
    with pytest.raises(OSError, match="not seekable"):
        read_stream(_Unseekable(b"abc"))  # nothing read before it fails
    assert read_stream(_Unseekable(b"abc"), must_rewind=False) == (b"abc", 3, None)
    text = io.StringIO("é")
    assert read_stream(text).data == "é".encode()


def test_content_encoding_tokens_of_every_header() -> None:
    headers = HTTPHeaders()
    headers["Content-Encoding"] = "AWS-Chunked"
    headers["Content-Encoding"] = " gzip ,"
    assert encoding_tokens(headers) == ["AWS-Chunked", "gzip"]  # as written, for re-sending
    assert parse_encodings(headers) == ("aws-chunked", "gzip")
    assert parse_encodings({"Content-Encoding": "gzip"}) == ("gzip",)
    assert parse_encodings({}) == ()
