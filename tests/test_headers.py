"""aws/headers.py: the one header class, read from every kind of headers object."""

from __future__ import annotations

from botocore.awsrequest import HeadersDict
from botocore.compat import HTTPHeaders

from pytest_botowire.aws.headers import Headers, header_text
from pytest_botowire.model.request import Headers as PublicHeaders


def test_the_public_name_is_the_one_class() -> None:
    assert PublicHeaders is Headers


def test_headers_of_every_kind_keep_repeats_and_order() -> None:
    message = HTTPHeaders()
    message["X-Amz-Date"] = "20240101T000000Z"
    message["x-amz-meta-a"] = "1"
    message["X-Amz-Meta-A"] = "2"
    headers = Headers.of(message)
    assert headers.raw_items() == [
        ("X-Amz-Date", "20240101T000000Z"),
        ("x-amz-meta-a", "1"),
        ("X-Amz-Meta-A", "2"),
    ]
    assert headers.get_all("X-AMZ-META-A") == ["1", "2"]
    assert headers["x-amz-meta-a"] == "1, 2"
    assert headers.get_all("missing") == []
    assert Headers.of(headers) is headers

    botocore_headers = HeadersDict()
    botocore_headers["Content-MD5"] = b"abc=="
    assert Headers.of(botocore_headers).raw_items() == [("Content-MD5", "abc==")]
    assert Headers.of([(b"X-Bytes", b"\xe9")]).raw_items() == [("X-Bytes", "\xe9")]
    assert Headers.of({"A": 1})["a"] == "1"


def test_header_text_is_latin_1_as_on_the_wire() -> None:
    assert header_text(b"caf\xe9") == "café"
    assert header_text("x") == "x"
    assert header_text(bytearray(b"y")) == "y"
