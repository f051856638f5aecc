"""Streaming bodies: sizes exact, bytes equal to what is sent, streams left where they were.

A ``before-send`` responder registered after capture plays the HTTP layer: it notes where the
stream is when sending starts, then reads the body exactly as urllib3 would (for aws-chunked,
the ``AwsChunkedWrapper`` itself, framing and trailer included).
"""

from __future__ import annotations

import io
import os
from typing import Any

import boto3
import pytest
from boto3.s3.transfer import TransferConfig
from botocore.awsrequest import AWSResponse

MiB = 1024 * 1024
BUCKET = "botowire-streams"
# Uploads name their checksum algorithm, so that botocore older than 1.36 (no flexible
# checksums by default) sends them aws-chunked over https as well.


class _Raw:
    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **_: Any) -> Any:
        yield self._body


def _answer_for(request: Any) -> bytes:
    if request.method == "POST" and request.url.endswith("?uploads"):
        return b"<InitiateMultipartUploadResult><UploadId>u1</UploadId></InitiateMultipartUploadResult>"
    if request.method == "POST":
        return b"<CompleteMultipartUploadResult><ETag>e</ETag></CompleteMultipartUploadResult>"
    return b""


class Sender:
    """Answers S3 uploads at ``before-send`` after reading them; can fail the first attempts."""

    def __init__(self, failures: int = 0) -> None:
        self.sent: list[bytes] = []
        self.positions: list[int] = []
        self.failures = failures

    def __call__(self, request: Any, **_: Any) -> AWSResponse:
        body = request.body
        if hasattr(body, "read"):
            stream = getattr(body, "_raw", body)
            self.positions.append(stream.tell())
            self.sent.append(body.read())
        else:
            self.sent.append(bytes(body or b""))
        status = 500 if len(self.sent) <= self.failures else 200
        return AWSResponse(request.url, status, {"ETag": '"etag"'}, _Raw(_answer_for(request)))


def s3_client(sender: Sender, endpoint: str = "https://s3.us-east-1.amazonaws.com") -> Any:
    client = boto3.client(
        "s3",
        region_name="us-east-1",
        endpoint_url=endpoint,
        aws_access_key_id="AKIDSTREAMS",
        aws_secret_access_key="streams-secret",
    )
    # On the generic event, so it runs after capture: a handler registered for a more
    # specific event ("before-send.s3") would run before it, whatever its priority.
    client.meta.events.register("before-send", sender)
    return client


ENDPOINTS = [
    pytest.param("https://s3.us-east-1.amazonaws.com", id="https-aws-chunked"),
    pytest.param("http://s3.us-east-1.amazonaws.com", id="http-plain"),
]


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize("start", [0, 1, 4321])
def test_a_file_on_disk(botowire: Any, tmp_path: Any, endpoint: str, start: int) -> None:
    data = os.urandom(2 * MiB + 333)  # several aws-chunked chunks of 1 MiB
    path = tmp_path / "body.bin"
    path.write_bytes(data)
    sender = Sender()
    s3 = s3_client(sender, endpoint)
    with path.open("rb") as file:
        file.seek(start)
        s3.put_object(Bucket=BUCKET, Key="file", Body=file, ChecksumAlgorithm="CRC32")
    (put,) = botowire
    assert sender.positions == [start]
    assert put.body == sender.sent[0]
    assert put.size == len(sender.sent[0])
    assert put.content == data[start:]
    assert put.decoded_size == len(data) - start
    if endpoint.startswith("https"):
        assert put.encodings == ("aws-chunked",)
        assert put.headers["X-Amz-Decoded-Content-Length"] == str(len(data) - start)
        assert put.size > put.decoded_size  # framing and trailer are part of the wire size
    else:
        assert put.encodings == ()
        assert put.headers["Content-Length"] == str(len(data) - start)


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_bytesio_at_a_non_zero_position(botowire: Any, endpoint: str) -> None:
    data = b"0123456789" * 1000
    body = io.BytesIO(data)
    body.seek(777)
    sender = Sender()
    s3_client(sender, endpoint).put_object(
        Bucket=BUCKET, Key="bytesio", Body=body, ChecksumAlgorithm="CRC32"
    )
    (put,) = botowire
    assert sender.positions == [777]
    assert put.body == sender.sent[0]
    assert put.content == data[777:]
    assert put.decoded_size == len(data) - 777
    assert body.tell() == len(data)  # read once, by the sender


def test_aws_chunked_trailer_checksum_matches_what_is_sent(botowire: Any) -> None:
    sender = Sender()
    s3_client(sender).put_object(
        Bucket=BUCKET, Key="sha", Body=io.BytesIO(b"checksum me" * 5000), ChecksumAlgorithm="SHA256"
    )
    (put,) = botowire
    assert put.headers["X-Amz-Trailer"] == "x-amz-checksum-sha256"
    assert put.body == sender.sent[0]
    assert put.body.endswith(b"\r\n\r\n")
    assert b"x-amz-checksum-sha256:" in put.body[-80:]


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_each_retry_of_a_stream_sends_and_captures_the_same_bytes(
    botowire: Any, endpoint: str
) -> None:
    data = os.urandom(300_000)
    sender = Sender(failures=2)
    s3_client(sender, endpoint).put_object(
        Bucket=BUCKET, Key="retried", Body=io.BytesIO(data), ChecksumAlgorithm="CRC32"
    )
    assert [r.attempt for r in botowire] == [1, 2, 3]
    assert [r.status for r in botowire] == [500, 500, 200]
    assert sender.positions == [0, 0, 0]
    assert [r.body for r in botowire] == sender.sent
    assert len(set(sender.sent)) == 1
    for request in botowire:
        assert request.content == data
        assert request.size == len(sender.sent[0])


@pytest.mark.botowire(check_encoding=False)
@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_a_retry_rewinds_a_stream_to_zero_and_capture_shows_it(
    botowire: Any, endpoint: str
) -> None:
    """botocore's ``reset_stream`` seeks to 0, not to where the stream started: a retry of a
    body not at position 0 sends more bytes than the first attempt. Capture records each
    attempt as sent, so the contradiction with the headers is visible."""
    data = os.urandom(100_000)
    body = io.BytesIO(data)
    body.seek(10)
    sender = Sender(failures=1)
    s3_client(sender, endpoint).put_object(
        Bucket=BUCKET, Key="rewound", Body=body, ChecksumAlgorithm="CRC32"
    )
    first, second = botowire
    assert sender.positions == [10, 0]
    assert [first.body, second.body] == sender.sent
    assert first.content == data[10:]
    assert second.content == data
    if endpoint.startswith("https"):
        # Declared once for the first attempt: the retry contradicts its own header.
        assert first.headers["X-Amz-Decoded-Content-Length"] == str(len(data) - 10)
        assert second.headers["X-Amz-Decoded-Content-Length"] == str(len(data) - 10)
        assert second.decoded_size == len(data)
    else:
        # The request is prepared again: a consistent, longer upload than the caller asked for.
        assert first.headers["Content-Length"] == str(len(data) - 10)
        assert second.headers["Content-Length"] == str(len(data))


@pytest.mark.botowire(body_cap=1000)
def test_a_stream_over_the_cap_has_an_exact_size(botowire: Any) -> None:
    body = io.BytesIO(os.urandom(3 * MiB + 1))
    body.seek(1)
    sender = Sender()
    s3_client(sender).put_object(Bucket=BUCKET, Key="big", Body=body, ChecksumAlgorithm="CRC32")
    (put,) = botowire
    assert put.body is None
    assert put.note == "over the capture cap"
    assert put.size == len(sender.sent[0])
    assert put.decoded_size == 3 * MiB
    assert sender.positions == [1]


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize("size", [3 * MiB, 12 * MiB], ids=["put_object", "multipart"])
def test_progress_callbacks_report_bytes_when_sent_not_when_captured(
    botowire: Any, endpoint: str, size: int
) -> None:
    """s3transfer's ``ReadFileChunk`` reports progress as it is read: capture must not count."""
    progress: list[int] = []
    at_send: list[int] = []
    sender = Sender()

    def note_progress(event_name: str, **_: Any) -> None:
        if event_name.endswith((".PutObject", ".UploadPart")):
            at_send.append(sum(progress))

    s3 = s3_client(sender, endpoint)
    s3.meta.events.unregister("before-send", sender)
    s3.meta.events.register("before-send", note_progress)  # after capture, before sending
    s3.meta.events.register("before-send", sender)
    config = TransferConfig(
        multipart_threshold=8 * MiB, multipart_chunksize=5 * MiB, use_threads=False
    )
    s3.upload_fileobj(
        io.BytesIO(os.urandom(size)),
        BUCKET,
        "progress",
        Config=config,
        Callback=progress.append,
        ExtraArgs={"ChecksumAlgorithm": "CRC32"},
    )

    uploads = botowire.select(["s3.PutObject", "s3.UploadPart"])
    assert sum(r.decoded_size for r in uploads) == size
    # Sent one after the other: when a body starts to go out, only the earlier ones counted.
    expected = [sum(r.decoded_size for r in uploads[:i]) for i in range(len(uploads))]
    assert at_send == expected
    assert sum(progress) == size
    assert min(progress) > 0
