"""The request model on its own: headers, bodies, streams, encodings and protocol views."""

from __future__ import annotations

import gzip
import io
import json
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.httpchecksum import AwsChunkedWrapper, Crc32Checksum

from pytest_botowire.aws.codec import decode_body, parse_encodings, unchunk
from pytest_botowire.aws.headers import Headers
from pytest_botowire.aws.serialize import WireResponse, to_aws_response
from pytest_botowire.capture.install import activate, deactivate
from pytest_botowire.capture.recorder import Recorder
from pytest_botowire.model.request import CapturedRequest, snapshot_body


def test_headers_are_case_insensitive_str_and_keep_duplicates() -> None:
    headers = Headers(
        [("Content-Encoding", "aws-chunked"), ("X-A", "1"), ("content-encoding", "gzip")]
    )
    assert headers["CONTENT-ENCODING"] == "aws-chunked, gzip"
    assert "x-a" in headers
    assert "X-B" not in headers
    assert 5 not in headers
    assert list(headers) == ["Content-Encoding", "X-A"]
    assert len(headers) == 2
    assert headers.raw_items()[2] == ("content-encoding", "gzip")
    assert parse_encodings(headers) == ("aws-chunked", "gzip")


@pytest.mark.parametrize(
    "items",
    [
        [],
        [("X-A", "1"), ("x-a", "2"), ("Content-Type", "application/json")],
        [("X-Empty", ""), ("X-Spaces", "  padded  "), ("X-Colon", "a: b: c")],
        # not representable as "Name: value" lines: kept as pairs, read the same way
        [("X-Odd:Name", "v"), ("X-B", "1")],
        [("X-CR", "line\r\nInjected: yes"), ("X-B", "1")],
    ],
)
def test_headers_held_compactly_read_back_exactly(items: list[tuple[str, str]]) -> None:
    headers = Headers(items)
    assert headers.raw_items() == items
    first_seen: dict[str, str] = {}
    for name, _ in items:
        first_seen.setdefault(name.lower(), name)
    assert list(headers) == list(first_seen.values())
    for name, _ in items:
        joined = ", ".join(v for n, v in items if n.lower() == name.lower())
        assert headers[name.upper()] == joined
        assert headers.get(name.lower()) == joined
    assert headers.get("X-Missing") is None
    assert headers.get(b"X-A") is None  # type: ignore[arg-type]
    assert len(headers) == len({n.lower() for n, _ in items})


def test_captured_headers_take_one_string_until_read() -> None:
    """A captured request holds its headers as one string, not a tuple per header."""
    (captured,) = _list_queues_captured(1)
    assert isinstance(captured.headers._block, str)
    assert captured.headers._index is None  # nothing on the capture path read it
    assert captured.attempt == 1
    assert captured.headers["amz-sdk-request"].startswith("attempt=1")
    assert captured.encodings == ()


def test_requests_of_one_client_share_their_strings_and_credentials() -> None:
    """What every request of a test has alike is held once, not once per request."""
    first, second = _list_queues_captured(2)
    assert first.service_id == second.service_id == "sqs"
    assert first.service_id is second.service_id
    assert first.protocol is second.protocol
    assert first.credentials is not None
    assert first.credentials is second.credentials
    assert first.credentials.access_key == "AKID"


@pytest.mark.parametrize(
    ("items", "sdk_request", "form"),
    [
        ([("X-A", b"1"), ("amz-sdk-request", b"attempt=2; max=3")], "attempt=2; max=3", str),
        ([("X-A", "1")], None, str),
        # a lone CR or LF reads back from the string; only a CR LF cannot
        ([("X-LF", "a\nb"), ("X-CR", "c\rd")], None, str),
        ([("X-CRLF", "a\r\nInjected: yes")], None, tuple),
        # ": " in a value: checked name by name, still one string
        ([("X-Colon", "a: b"), ("amz-sdk-request", "attempt=1")], "attempt=1", str),
        ([("X-Odd: Name", "v")], None, tuple),
        # another letter case than botocore's, a value that is neither str nor bytes
        ([("Amz-Sdk-Request", "attempt=3"), ("X-Int", 5)], "attempt=3", str),
    ],
)
def test_wire_block_reads_back_botocore_headers_exactly(
    items: list[tuple[str, Any]], sdk_request: str | None, form: type
) -> None:
    """The capture path's one pass over botocore's ``HeadersDict`` (issue 13)."""
    from botocore.awsrequest import HeadersDict

    from pytest_botowire.aws.compat import header_dict_fast
    from pytest_botowire.aws.headers import header_text, wire_block

    raw = HeadersDict()
    for name, value in items:
        raw[name] = value
    fast = header_dict_fast(raw)
    assert fast is not None
    block, sdk = wire_block(fast)
    assert isinstance(block, form)
    assert sdk == sdk_request
    expected = [(name, header_text(value)) for name, value in items]
    assert Headers._from_block(block).raw_items() == expected
    assert Headers.of(raw).raw_items() == expected


def test_a_captured_request_holds_its_body_bytes_and_shares_its_origin() -> None:
    """What a test of many requests holds per request: the body's bytes themselves (no snapshot
    object), the headers as one string, and one origin and URL for requests that share them."""
    first, second = _list_queues_captured(2)
    assert isinstance(first._body, bytes)
    assert first.body is first._body
    assert first.size == len(first._body)
    assert isinstance(first._headers, str)  # no Headers object until read
    assert first._origin is second._origin
    assert first.url is second.url
    assert first._derived is None
    assert first.headers is first.headers  # made once, then kept
    assert first.headers.raw_items()[0][0] in ("X-Amz-Target", "Content-Type")


def _list_queues_captured(times: int) -> list[CapturedRequest]:
    """``times`` ListQueues calls of one real client, captured and answered locally."""
    recorder = Recorder(mode="passthrough")
    client = boto3.client("sqs", region_name="us-east-1", aws_access_key_id="AKID",
                          aws_secret_access_key="s")  # fmt: skip
    client.meta.events.register("before-send", lambda **_: _ok_response())
    activate(recorder)
    try:
        for _ in range(times):
            client.list_queues()
    finally:
        deactivate(recorder)
    return list(recorder.requests)


def _ok_response() -> Any:
    """An empty ListQueues answer in the protocol of the installed botocore (query or JSON)."""
    from pytest_botowire.aws.models import service_model
    from pytest_botowire.aws.serialize import serialize_response

    model = service_model("sqs").operation_model("ListQueues")
    return to_aws_response("https://sqs.us-east-1.amazonaws.com/", serialize_response(model, {}))


def test_header_repr_redacts_secrets() -> None:
    headers = Headers(
        [
            (
                "Authorization",
                "AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1/sqs/aws4_request, SignedHeaders=host, Signature="
                + "ab" * 32,
            ),
            ("X-Amz-Security-Token", "TOKEN" * 10),
        ]
    )
    text = repr(headers)
    assert "ab" * 32 not in text
    assert "TOKEN" not in text
    assert "Signature=<redacted>" in text
    assert "'X-Amz-Security-Token': '<redacted>'" in text


@pytest.mark.parametrize(
    ("body", "expected"),
    [(None, b""), (b"abc", b"abc"), (bytearray(b"abc"), b"abc"), ("a=1&b=2", b"a=1&b=2")],
)
def test_plain_bodies_are_kept_as_bytes(body: Any, expected: bytes) -> None:
    snapshot = snapshot_body(body, Headers([]), cap=1024)
    assert (snapshot.data, snapshot.size) == (expected, len(expected))


def test_a_stream_is_read_from_its_position_and_put_back() -> None:
    stream = io.BytesIO(b"0123456789")
    stream.seek(3)
    snapshot = snapshot_body(stream, Headers([]), cap=1024)
    assert (snapshot.data, snapshot.size) == (b"3456789", 7)
    assert stream.tell() == 3


def test_a_stream_over_the_cap_keeps_its_exact_size_but_not_its_bytes() -> None:
    stream = io.BytesIO(b"x" * 5000)
    snapshot = snapshot_body(stream, Headers([]), cap=100)
    assert (snapshot.data, snapshot.size, snapshot.note) == (None, 5000, "over the capture cap")
    assert stream.tell() == 0


class _OneWay(io.RawIOBase):
    """A reader that cannot seek, like a pipe."""

    def __init__(self) -> None:
        self.consumed = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    def readinto(self, buffer: Any) -> int:
        self.consumed += 1
        return 0


def test_a_stream_that_cannot_seek_is_never_read() -> None:
    stream = _OneWay()
    snapshot = snapshot_body(stream, Headers([("Content-Length", "42")]), cap=1024)
    assert stream.consumed == 0
    assert (snapshot.data, snapshot.size) == (None, 42)
    assert snapshot.note == "a _OneWay body that cannot be read without consuming it"


@pytest.mark.parametrize("position", [0, 7])
@pytest.mark.parametrize("size", [0, 10, 3 * 1024 * 1024 + 5])
def test_aws_chunked_bodies_are_rebuilt_byte_for_byte(position: int, size: int) -> None:
    raw = io.BytesIO(b"p" * position + bytes(range(256)) * (size // 256) + b"t" * (size % 256))
    raw.seek(position)
    wrapper = AwsChunkedWrapper(
        raw, checksum_cls=Crc32Checksum, checksum_name="x-amz-checksum-crc32"
    )
    snapshot = snapshot_body(wrapper, Headers([]), cap=16 * 1024 * 1024)
    assert raw.tell() == position
    sent = wrapper.read()  # what botocore's HTTP layer will send
    assert snapshot.data == sent
    assert snapshot.size == len(sent)
    assert snapshot.decoded == raw.getvalue()[position:] == unchunk(sent)
    assert snapshot.decoded_size == size


def test_decode_body_undoes_encodings_last_first() -> None:
    inner = gzip.compress(b"hello", mtime=0)
    chunked = b"%x\r\n%s\r\n0\r\n\r\n" % (len(inner), inner)
    assert decode_body(chunked, ("gzip", "aws-chunked")) == b"hello"
    with pytest.raises(ValueError, match="body is not valid gzip data"):
        decode_body(b"not gzip", ("gzip",))
    with pytest.raises(ValueError, match="unsupported content encoding 'br'"):
        decode_body(b"x", ("br",))


def _request(protocol: str, body: bytes, encodings: str = "") -> CapturedRequest:
    items = [("Content-Encoding", encodings)] if encodings else []
    return CapturedRequest(
        service="sqs",
        service_id="sqs",
        operation="SendMessage",
        method="POST",
        url="https://example.com/?X-Amz-Signature=" + "ab" * 32,
        headers=Headers(items),
        snapshot=snapshot_body(body, Headers(items), cap=1 << 20),
        protocol=protocol,
    )


def test_protocol_views_of_the_decoded_body() -> None:
    assert _request("json", gzip.compress(b'{"A": 1}'), "gzip").payload == {"A": 1}
    assert _request("rest-json", b"").payload == {}
    assert _request("query", b"Action=X&A.1=a&A.1=b").payload == {"Action": "X", "A.1": ["a", "b"]}
    assert _request("rest-xml", b"<Root><K>v</K></Root>").payload.find("K").text == "v"
    assert _request("rest-xml", b"").payload is None
    cbor2 = pytest.importorskip("cbor2", reason="cbor2 is a test dependency")
    assert _request("smithy-rpc-v2-cbor", cbor2.dumps({"A": [1, 2]})).payload == {"A": [1, 2]}
    with pytest.raises(ValueError, match="body is not valid gzip data"):
        _ = _request("json", b"{}", "gzip").payload
    with pytest.raises(json.JSONDecodeError):
        _ = _request("json", b"{not json").payload


def test_repr_is_short_and_redacted() -> None:
    text = repr(_request("json", b"{}"))
    assert text == (
        "<CapturedRequest sqs.SendMessage attempt=1 POST "
        "https://example.com/?X-Amz-Signature=<redacted> size=2 encodings=->"
    )


def test_each_attempt_of_a_real_client_is_captured_with_its_params() -> None:
    """Without pytest in the way: the recorder and the handlers on a real client."""
    client = boto3.client(
        "dynamodb",
        region_name="us-east-1",
        aws_access_key_id="AKIDEXAMPLE",
        aws_secret_access_key="not-a-real-secret",
        config=Config(retries={"mode": "standard", "max_attempts": 2}),
    )
    statuses = iter([500, 200, 200])

    def answer(request: Any, **_: Any) -> Any:
        return to_aws_response(
            request.url,
            WireResponse(next(statuses), {"Content-Type": "application/x-amz-json-1.0"}, b"{}"),
        )

    client.meta.events.register("before-send.dynamodb.GetItem", answer)
    recorder = Recorder(mode="passthrough")
    activate(recorder)
    try:
        client.get_item(TableName="table", Key={"k": {"S": "v"}})
    finally:
        deactivate(recorder)
    assert [(r.operation, r.attempt, r.status) for r in recorder.requests] == [
        ("GetItem", 1, 500),
        ("GetItem", 2, 200),
    ]
    params = {"TableName": "table", "Key": {"k": {"S": "v"}}}
    assert all(r.params == params for r in recorder.requests)
    assert recorder.requests[0].payload == params
    # After deactivation nothing is captured.
    client.get_item(**params)
    assert len(recorder.requests) == 2
