"""Bad input: capture never raises into the code under test and never changes what is sent.

Each request is still recorded with what could be known, and the assertion that needs what
could not be known says so. What is sent is checked on the other side: a ``before-send``
responder registered after capture reads the body the way the HTTP layer would, or a moto
server on 127.0.0.1 reads it off the socket.
"""

from __future__ import annotations

import gzip
import io
import os
import re
from typing import Any

import boto3
import pytest
from botocore import UNSIGNED
from botocore.awsrequest import AWSResponse
from botocore.exceptions import ClientError

TABLE = "bad-input"


def put(dynamodb: Any, value: str) -> None:
    dynamodb.put_item(TableName=TABLE, Item={"id": {"S": value}})


class _Raw:
    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **_: Any) -> Any:
        yield self._body


class Receiver:
    """A ``before-send`` responder (after capture) that reads the body as urllib3 would send it."""

    def __init__(self, answer: bytes = b"{}") -> None:
        self.bodies: list[bytes] = []
        self.answer = answer

    def __call__(self, request: Any, **_: Any) -> AWSResponse:
        body = request.body
        if body is None:
            data = b""
        elif isinstance(body, (bytes, bytearray)):
            data = bytes(body)
        elif isinstance(body, str):
            data = body.encode("latin-1")
        else:
            data = body.read()
        self.bodies.append(data)
        return AWSResponse(request.url, 200, {}, _Raw(self.answer))


def client(service: str, receiver: Receiver, body_at_sign: Any = None, **kwargs: Any) -> Any:
    """A client answered by ``receiver``; ``body_at_sign(body) -> (body, content_encoding)``."""
    made = boto3.client(
        service,
        region_name="us-east-1",
        aws_access_key_id="AKIDBAD",
        aws_secret_access_key="bad-secret",
        **kwargs,
    )
    made.meta.events.register("before-send", receiver)
    if body_at_sign is not None:

        def rewrite(request: Any, **_: Any) -> None:
            data, encoding = body_at_sign(request.body)
            request.data = data
            if encoding:
                request.headers["Content-Encoding"] = encoding

        made.meta.events.register("before-sign", rewrite)
    return made


def failure(call: Any) -> str:
    with pytest.raises(AssertionError) as info:
        call()
    return str(info.value)


# ---------------------------------------------------------------- bodies that lie


@pytest.mark.botowire(check_encoding=False)
def test_a_gzip_header_over_bytes_that_are_not_gzip(botowire: Any) -> None:
    receiver = Receiver()
    put(client("dynamodb", receiver, lambda body: (body, "gzip")), "plain")

    (request,) = botowire
    assert receiver.bodies == [request.body]
    assert request.body.startswith(b'{"TableName"')
    assert request.encodings == ("gzip",)
    assert request.size == len(request.body)
    assert request.params == {"TableName": TABLE, "Item": {"id": {"S": "plain"}}}
    assert request.content is None
    assert request.content_error == "body is not valid gzip data (Not a gzipped file (b'{\"'))"
    assert request.decoded_size is None
    with pytest.raises(
        ValueError, match=re.escape("dynamodb.PutItem: no decoded body: body is not valid gzip")
    ):
        _ = request.payload
    size = request.size
    assert failure(request.assert_gzipped) == (
        "assert_gzipped: 1 of 1 request (dynamodb.PutItem) is not gzip-compressed exactly once\n"
        f"  - dynamodb.PutItem (attempt 1), {size} bytes on the wire, Content-Encoding: gzip: "
        "Content-Encoding: gzip but the body is not gzip data\n"
        "  Hint: gzip with enable_gzip() or the botowire_gzip fixture, which never gzip twice; "
        "see https://github.com/pytest-botowire/pytest-botowire#gzip"
    )
    request.assert_payload_under(size)  # the size on the wire is known
    assert failure(lambda: request.assert_payload_under(10_000, decoded=True)) == (
        "assert_payload_under: 1 of 1 request (dynamodb.PutItem) is over 10,000 bytes decoded\n"
        f"  - dynamodb.PutItem (attempt 1), {size} bytes on the wire, Content-Encoding: gzip: "
        "size unknown (body is not valid gzip data (Not a gzipped file (b'{\"')))"
    )


@pytest.mark.botowire(check_encoding=False)
def test_truncated_gzip(botowire: Any) -> None:
    receiver = Receiver()
    put(
        client("dynamodb", receiver, lambda body: (gzip.compress(body, mtime=0)[:-6], "gzip")),
        "cut",
    )

    (request,) = botowire
    assert receiver.bodies == [request.body]
    assert request.body[:2] == b"\x1f\x8b"
    assert request.content is None
    assert request.content_error == (
        "body is not valid gzip data "
        "(Compressed file ended before the end-of-stream marker was reached)"
    )
    assert failure(request.assert_gzipped).splitlines()[1] == (
        f"  - dynamodb.PutItem (attempt 1), {request.size} bytes on the wire, "
        "Content-Encoding: gzip: Content-Encoding: gzip but the gzip data is corrupt or truncated "
        "(Compressed file ended before the end-of-stream marker was reached)"
    )


CONTRADICTIONS = """
import gzip
import boto3
import pytest
from botocore.awsrequest import AWSResponse


class Raw:
    def stream(self, **_):
        yield b"{}"


def respond(request, **_):
    return AWSResponse(request.url, 200, {}, Raw())


@pytest.mark.parametrize("lie", ["not-gzip", "truncated"])
def test_it(botowire, lie):
    dynamodb = boto3.client("dynamodb", region_name="us-east-1", aws_access_key_id="AKIDBAD",
                            aws_secret_access_key="bad-secret")

    def rewrite(request, **_):
        body = request.body
        request.data = body if lie == "not-gzip" else gzip.compress(body, mtime=0)[:-6]
        request.headers["Content-Encoding"] = "gzip"

    dynamodb.meta.events.register("before-sign", rewrite)
    dynamodb.meta.events.register("before-send", respond)
    dynamodb.put_item(TableName="t-1", Item={"id": {"S": "x"}})
"""


def test_a_body_that_contradicts_its_headers_fails_the_test(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(CONTRADICTIONS)
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(failed=2)
    result.stdout.fnmatch_lines(
        [
            "*_ test_it[[]not-gzip[]] _*",
            "botowire: 1 request sent a body that contradicts its own headers",
            "  - dynamodb.PutItem (attempt 1), * bytes on the wire, Content-Encoding: gzip: "
            "Content-Encoding: gzip but the body is not gzip data",
            "  Hint: opt out with @pytest.mark.botowire(check_encoding=False) if this is intended; "
            "see https://github.com/pytest-botowire/pytest-botowire#the-trap",
            "*_ test_it[[]truncated[]] _*",
            "botowire: 1 request sent a body that contradicts its own headers",
            "  - dynamodb.PutItem (attempt 1), * bytes on the wire, Content-Encoding: gzip: "
            "Content-Encoding: gzip but the body does not decompress (body is not valid gzip data "
            "(Compressed file ended before the end-of-stream marker was reached))",
        ]
    )


# ---------------------------------------------------------------- over the capture cap


@pytest.mark.botowire(body_cap=100)
def test_a_body_over_the_cap_keeps_its_exact_size(botowire: Any) -> None:
    receiver = Receiver()
    dynamodb = client("dynamodb", receiver)
    put(dynamodb, "x" * 500)
    put(dynamodb, "small")

    big, small = botowire
    assert big.body is None
    assert big.size == len(receiver.bodies[0]) > 500
    assert big.note == "over the capture cap"
    assert big.decoded_size == big.size  # no content encoding: decoded is the same bytes
    assert big.params["Item"] == {"id": {"S": "x" * 500}}
    assert small.body == receiver.bodies[1]
    assert small.note is None
    with pytest.raises(
        ValueError,
        match=re.escape(
            "dynamodb.PutItem: no decoded body: the body was not kept (over the capture cap)"
        ),
    ):
        _ = big.payload
    assert failure(big.assert_gzipped).splitlines()[1] == (
        f"  - dynamodb.PutItem (attempt 1), {big.size} bytes on the wire, no Content-Encoding: "
        "cannot check: the body was not kept (over the capture cap)"
    )
    big.assert_payload_under(big.size)
    assert failure(lambda: big.assert_payload_under(500)).splitlines()[1] == (
        f"  - dynamodb.PutItem (attempt 1), {big.size} bytes on the wire, no Content-Encoding: "
        f"{big.size} > 500 bytes (over by {big.size - 500})"
    )


@pytest.mark.botowire(body_cap=100, check_encoding=False)
def test_a_gzipped_body_over_the_cap_has_an_unknown_decoded_size(botowire: Any) -> None:
    receiver = Receiver()
    payload = os.urandom(300)  # does not compress below the cap
    put(
        client("dynamodb", receiver, lambda body: (gzip.compress(body + payload, mtime=0), "gzip")),
        "z",
    )
    (request,) = botowire
    assert request.size == len(receiver.bodies[0])
    assert request.decoded_size is None
    assert failure(lambda: request.assert_payload_under(1, decoded=True)).splitlines()[1] == (
        f"  - dynamodb.PutItem (attempt 1), {request.size} bytes on the wire, "
        "Content-Encoding: gzip: size unknown (the body was not kept (over the capture cap))"
    )


CAP_FROM_OPTION = """
import boto3


def test_it(botowire):
    dynamodb = boto3.client("dynamodb", region_name="us-east-1")
    dynamodb.put_item(TableName="t-1", Item={"id": {"S": "y" * 200}})
    dynamodb.put_item(TableName="t-1", Item={"id": {"S": "y"}})
    big, small = botowire
    assert big.body is None and big.size > 200 and big.note == "over the capture cap"
    assert small.body is not None and small.size == len(small.body) <= 100
    big.assert_gzipped()
"""


@pytest.mark.parametrize("where", ["option", "ini"])
def test_the_cap_comes_from_the_command_line_or_ini(pytester: pytest.Pytester, where: str) -> None:
    pytester.makepyfile(CAP_FROM_OPTION)
    if where == "ini":
        pytester.makeini("[pytest]\nbotowire_body_cap = 100\n")
        result = pytester.runpytest("-p", "no:cacheprovider")
    else:
        result = pytester.runpytest("-p", "no:cacheprovider", "--botowire-body-cap=100")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "E   *AssertionError: assert_gzipped: 1 of 1 request (dynamodb.PutItem) is not "
            "gzip-compressed exactly once",
            "E     *- dynamodb.PutItem (attempt 1), * bytes on the wire, no Content-Encoding: "
            "cannot check: the body was not kept (over the capture cap)",
        ]
    )


@pytest.mark.botowire(mode="passthrough", body_cap=1024)
def test_a_file_over_the_cap_is_sent_whole_and_left_in_place(
    botowire: Any, moto_server: Any, tmp_path: Any
) -> None:
    data = os.urandom(300_000)
    path = tmp_path / "big.bin"
    path.write_bytes(data)
    s3 = moto_server.client("s3")
    s3.create_bucket(Bucket="bad-input")
    positions: list[int] = []
    s3.meta.events.register(
        "before-send.s3.PutObject", lambda request, **_: positions.append(request.body.tell())
    )
    with path.open("rb") as file:
        file.seek(1000)
        s3.put_object(Bucket="bad-input", Key="big", Body=file)
    put = botowire.select("s3.PutObject")[0]
    assert put.body is None
    assert put.size == len(data) - 1000
    assert put.note == "over the capture cap"
    assert positions == [1000]  # the sender found the file where the caller left it
    assert moto_server.received[-1].body == data[1000:]


# ---------------------------------------------------------------- bytes that are not text


def test_non_utf8_bytes(botowire: Any) -> None:
    receiver = Receiver()
    xml = Receiver(b"<PublishResponse><PublishResult/></PublishResponse>")
    junk = b"\xff\xfe\x80\x00 not text \xc3\x28"
    dynamodb = client("dynamodb", receiver, lambda body: (junk, None))
    sns = client("sns", xml, lambda body: (b"Action=Publish&Message=" + junk, None))
    s3 = client("s3", Receiver(b""))
    put(dynamodb, "x")
    sns.publish(TopicArn="arn:aws:sns:us-east-1:123456789012:t", Message="x")
    s3.put_object(Bucket="bad-input", Key="k", Body=junk)

    json_request, query_request, blob_request = botowire
    assert receiver.bodies[0] == junk
    assert xml.bodies == [b"Action=Publish&Message=" + junk]
    assert json_request.body == junk
    assert query_request.body == b"Action=Publish&Message=" + junk
    assert blob_request.content == junk
    assert blob_request.payload == junk  # S3 PutObject's body is the object: bytes
    with pytest.raises(ValueError, match="Expecting value"):  # json.JSONDecodeError
        _ = json_request.payload
    with pytest.raises(ValueError, match=r"^sns\.Publish: the body is not valid query \("):
        _ = query_request.payload
    for request in botowire:
        assert request.name in repr(request)
        assert request.describe().startswith(request.name)
    json_request.assert_params(Item={"id": {"S": "x"}})
    botowire.assert_payload_under(1000)


# ---------------------------------------------------------------- streams that cannot go back


class Unseekable(io.RawIOBase):
    """Like a response stream: readable, ``tell()`` works, ``seek()`` does not."""

    def __init__(self, data: bytes) -> None:
        self._data = data
        self._position = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        n = min(len(buffer), len(self._data) - self._position, 1000)
        buffer[:n] = self._data[self._position : self._position + n]
        self._position += n
        return n

    def tell(self) -> int:
        return self._position


class ReadOnly:
    """Nothing but ``read``."""

    def __init__(self, data: bytes) -> None:
        self._stream = io.BytesIO(data)

    def read(self, size: int = -1) -> bytes:
        return self._stream.read(size)


@pytest.mark.botowire(mode="passthrough")
def test_an_unseekable_stream_under_aws_chunked_is_sent_whole(
    botowire: Any, moto_tls_server: Any
) -> None:
    data = bytes(range(256)) * 300
    s3 = moto_tls_server.client("s3")
    s3.create_bucket(Bucket="bad-input")
    stream = Unseekable(data)
    s3.put_object(Bucket="bad-input", Key="stream", Body=stream, ChecksumAlgorithm="CRC32")

    assert s3.get_object(Bucket="bad-input", Key="stream")["Body"].read() == data
    put = botowire.select("s3.PutObject")[0]
    assert put.encodings == ("aws-chunked",)
    assert put.body is None
    assert put.size is None
    assert (
        put.note == "aws-chunked over a Unseekable stream that cannot be read without consuming it"
    )
    assert failure(lambda: put.assert_payload_under(1)).splitlines()[1] == (
        "  - s3.PutObject (attempt 1), body size unknown, Content-Encoding: aws-chunked: "
        "size unknown (aws-chunked over a Unseekable stream that cannot be read without "
        "consuming it)"
    )
    assert (
        failure(put.assert_gzipped)
        .splitlines()[1]
        .endswith(
            "cannot check: the body was not kept (aws-chunked over a Unseekable stream that cannot "
            "be read without consuming it)"
        )
    )


@pytest.mark.botowire(mode="passthrough")
@pytest.mark.parametrize("kind", [Unseekable, ReadOnly])
def test_an_unseekable_stream_is_sent_whole(botowire: Any, moto_server: Any, kind: type) -> None:
    # Unsigned, so botocore does not need to read the body for a payload hash first.
    data = b'{"event": "unseekable"}' * 40
    lam = moto_server.client("lambda", signature_version=UNSIGNED)
    with pytest.raises(ClientError):  # moto has no such function; what matters is the body
        lam.invoke(FunctionName="nowhere", Payload=kind(data))
    (request,) = botowire
    assert moto_server.received[-1].body == data
    assert request.headers["Transfer-Encoding"] == "chunked"
    assert request.size is None
    assert request.note == f"a {kind.__name__} body that cannot be read without consuming it"
    assert failure(lambda: request.assert_payload_under(10)).splitlines()[1] == (
        "  - lambda.Invoke (attempt 1), body size unknown, no Content-Encoding: size unknown "
        f"(a {kind.__name__} body that cannot be read without consuming it)"
    )


@pytest.mark.botowire(mode="passthrough")
def test_a_pipe_fails_in_botocore_not_in_capture(botowire: Any, moto_tls_server: Any) -> None:
    s3 = moto_tls_server.client("s3")
    s3.create_bucket(Bucket="bad-input")
    read_end, write_end = os.pipe()
    os.write(write_end, b"through a pipe")
    os.close(write_end)
    with open(read_end, "rb") as pipe, pytest.raises(OSError, match="Illegal seek") as info:
        s3.put_object(Bucket="bad-input", Key="pipe", Body=pipe, ChecksumAlgorithm="CRC32")
    frames = [str(entry.path) for entry in info.traceback]
    assert not [f for f in frames if "pytest_botowire" in f]
    assert [r.name for r in botowire] == ["s3.CreateBucket"]  # botocore never got to send it


# ---------------------------------------------------------------- streams not at their start


@pytest.mark.botowire(mode="passthrough")
@pytest.mark.parametrize("tls", [False, True], ids=["http", "https-aws-chunked"])
def test_a_stream_not_at_position_zero(
    botowire: Any, moto_server: Any, moto_tls_server: Any, tls: bool
) -> None:
    server = moto_tls_server if tls else moto_server
    data = os.urandom(70_000)
    stream = io.BytesIO(data)
    stream.seek(12_345)
    s3 = server.client("s3")
    s3.create_bucket(Bucket="bad-input")
    positions: list[int] = []

    def position_at_send(request: Any, **_: Any) -> None:
        body = request.body
        positions.append((body._raw if tls else body).tell())

    s3.meta.events.register("before-send.s3.PutObject", position_at_send)
    s3.put_object(Bucket="bad-input", Key="offset", Body=stream, ChecksumAlgorithm="CRC32")
    put = botowire.select("s3.PutObject")[0]
    assert positions == [12_345]
    assert put.content == data[12_345:]
    assert put.decoded_size == len(data) - 12_345
    assert server.received[-1].body == put.body
    assert s3.get_object(Bucket="bad-input", Key="offset")["Body"].read() == data[12_345:]


def test_capture_errors_never_reach_the_code_under_test(botowire: Any) -> None:
    """A body object that breaks every way of reading it: the call still goes through."""

    class Hostile:
        def read(self, *_: Any) -> bytes:
            raise RuntimeError("read")

        def seek(self, *_: Any) -> None:
            raise RuntimeError("seek")

        def tell(self) -> int:
            raise RuntimeError("tell")

        def seekable(self) -> bool:
            raise RuntimeError("seekable")

    receiver = Receiver()
    hostile = Hostile()

    def swap(request: Any, **_: Any) -> None:
        request.body = hostile

    def answer(request: Any, **_: Any) -> AWSResponse:
        receiver.bodies.append(b"hostile" if request.body is hostile else b"?")
        return AWSResponse(request.url, 200, {}, _Raw(b"{}"))

    dynamodb = boto3.client(
        "dynamodb", region_name="us-east-1", aws_access_key_id="A", aws_secret_access_key="B"
    )
    dynamodb.meta.events.register("before-send.dynamodb.PutItem", swap)  # runs before capture
    dynamodb.meta.events.register("before-send", answer)
    put(dynamodb, "x")
    assert receiver.bodies == [b"hostile"]
    (request,) = botowire
    assert request.size == int(request.headers["Content-Length"])
    assert request.body is None
    assert request.note == "a Hostile body that cannot be read without consuming it"
