"""moto: ``mock_aws`` in every form and order, and a ``ThreadedMotoServer`` in passthrough mode.

With ``mock_aws`` every request must be captured exactly once and answered by moto (never by
the plugin's offline answers). Against a real moto server on 127.0.0.1 what the server read
off the socket must equal what was captured, byte for byte.
"""

from __future__ import annotations

import hashlib
import io
import os
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from boto3.s3.transfer import TransferConfig
from moto import mock_aws

from pytest_botowire.capture import install as _capture

MiB = 1024 * 1024
BUCKET = "botowire-bucket"
# Named, so that botocore older than 1.36 (no default flexible checksums) does the same.
CRC32 = {"ChecksumAlgorithm": "CRC32"}


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """moto's recommended fake environment (set before any client is created)."""
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)


@pytest.fixture
def moto(aws_env: None) -> Iterator[None]:
    with mock_aws():
        yield


def exercise() -> list[str]:
    """Calls answered by moto with state: a wrong or missing answer breaks a later call."""
    sqs = boto3.client("sqs", region_name="us-east-1")
    url = sqs.create_queue(QueueName="botowire-queue")["QueueUrl"]
    for n in range(3):
        sqs.send_message(QueueUrl=url, MessageBody=f"message {n}")
    received = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    assert sorted(m["Body"] for m in received) == ["message 0", "message 1", "message 2"]
    s3 = boto3.client("s3", region_name="us-east-1")
    s3.create_bucket(Bucket=BUCKET)
    s3.put_object(Bucket=BUCKET, Key="k", Body=b"payload")
    assert s3.get_object(Bucket=BUCKET, Key="k")["Body"].read() == b"payload"
    return [
        "sqs.CreateQueue",
        "sqs.SendMessage",
        "sqs.SendMessage",
        "sqs.SendMessage",
        "sqs.ReceiveMessage",
        "s3.CreateBucket",
        "s3.PutObject",
        "s3.GetObject",
    ]


def check_captured_once_and_answered_by_moto(botowire: Any, expected: list[str]) -> None:
    assert [r.name for r in botowire] == expected
    assert [r.answered_by for r in botowire] == ["moto"] * len(expected)
    assert [r.status for r in botowire] == [200] * len(expected)
    invocations = [r.headers["amz-sdk-invocation-id"] for r in botowire]
    assert len(set(invocations)) == len(expected), "a request was captured twice"
    bodies = [r.payload["MessageBody"] for r in botowire.select("sqs.SendMessage")]
    assert bodies == ["message 0", "message 1", "message 2"]
    assert botowire.select("s3.PutObject")[0].content == b"payload"


MODES = [
    pytest.param(m, marks=pytest.mark.botowire(mode=m), id=m)
    for m in ("offline", "passthrough", "strict")
]


@pytest.mark.parametrize("mode", MODES)
@mock_aws
def test_decorator(botowire: Any, aws_env: None, mode: str) -> None:
    assert botowire.mode == mode
    check_captured_once_and_answered_by_moto(botowire, exercise())


@pytest.mark.parametrize("mode", MODES)
def test_context_manager(botowire: Any, aws_env: None, mode: str) -> None:
    with mock_aws():
        expected = exercise()
    check_captured_once_and_answered_by_moto(botowire, expected)


@pytest.mark.parametrize("mode", MODES)
def test_fixture_set_up_before_botowire(moto: None, botowire: Any, mode: str) -> None:
    check_captured_once_and_answered_by_moto(botowire, exercise())


@pytest.mark.parametrize("mode", MODES)
def test_fixture_set_up_after_botowire(botowire: Any, moto: None, mode: str) -> None:
    check_captured_once_and_answered_by_moto(botowire, exercise())


@mock_aws
class TestClassDecorator:
    def test_one(self, botowire: Any, aws_env: None) -> None:
        check_captured_once_and_answered_by_moto(botowire, exercise())

    def test_two_starts_fresh(self, botowire: Any, aws_env: None) -> None:
        assert len(botowire) == 0
        check_captured_once_and_answered_by_moto(botowire, exercise())


def respond_beats_moto(botowire: Any) -> None:
    sqs = boto3.client("sqs", region_name="us-east-1")
    url = sqs.create_queue(QueueName="precedence")["QueueUrl"]
    botowire.respond("sqs.SendMessage", {"MessageId": "from-botowire"}, times=1)
    assert sqs.send_message(QueueUrl=url, MessageBody="first")["MessageId"] == "from-botowire"
    assert sqs.send_message(QueueUrl=url, MessageBody="second")["MessageId"] != "from-botowire"
    # moto never saw the answered message: only the second one is in its queue.
    messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    assert [m["Body"] for m in messages] == ["second"]
    assert [(r.name, r.answered_by) for r in botowire] == [
        ("sqs.CreateQueue", "moto"),
        ("sqs.SendMessage", "botowire"),
        ("sqs.SendMessage", "moto"),
        ("sqs.ReceiveMessage", "moto"),
    ]


@mock_aws
def test_respond_takes_precedence_over_mock_aws_decorator(botowire: Any, aws_env: None) -> None:
    respond_beats_moto(botowire)


def test_respond_takes_precedence_over_moto_set_up_first(moto: None, botowire: Any) -> None:
    respond_beats_moto(botowire)


def test_respond_takes_precedence_over_moto_set_up_after(botowire: Any, moto: None) -> None:
    respond_beats_moto(botowire)


def test_a_client_created_before_mock_aws_and_botowire(aws_env: None, request: Any) -> None:
    client = boto3.client("sqs", region_name="us-east-1")
    botowire = request.getfixturevalue("botowire")
    with mock_aws():
        url = client.create_queue(QueueName="early")["QueueUrl"]
        client.send_message(QueueUrl=url, MessageBody="hi")
    assert [(r.name, r.answered_by) for r in botowire] == [
        ("sqs.CreateQueue", "moto"),
        ("sqs.SendMessage", "moto"),
    ]


MODULE_LEVEL_CLIENT = """
import boto3
import pytest
from moto import mock_aws

# Created when the module is imported (collection), before any test or fixture runs.
SQS = boto3.client("sqs", region_name="us-east-1")


@mock_aws
def test_moto_answers(botowire):
    url = SQS.create_queue(QueueName="q")["QueueUrl"]
    SQS.send_message(QueueUrl=url, MessageBody="from a module-level client")
    assert [(r.name, r.answered_by) for r in botowire] == [
        ("sqs.CreateQueue", "moto"),
        ("sqs.SendMessage", "moto"),
    ]
    assert botowire[1].payload["MessageBody"] == "from a module-level client"


def test_offline_answers(botowire):
    SQS.list_queues()
    assert [(r.name, r.answered_by) for r in botowire] == [("sqs.ListQueues", "botowire")]


@pytest.mark.botowire(mode="strict")
@mock_aws
def test_strict_is_satisfied_by_moto(botowire):
    SQS.list_queues()
    assert [(r.name, r.answered_by) for r in botowire] == [("sqs.ListQueues", "moto")]
"""


@pytest.mark.parametrize("where", ["in-process", "subprocess"])
def test_module_level_clients_are_captured(
    pytester: pytest.Pytester, aws_env: None, where: str
) -> None:
    # In a subprocess botocore is first imported by the test module itself, after the plugin
    # started: the handlers reach it through the import hook.
    pytester.makepyfile(test_module_client=MODULE_LEVEL_CLIENT)
    run = pytester.runpytest_subprocess if where == "subprocess" else pytester.runpytest
    result = run("-p", "no:cacheprovider")
    result.assert_outcomes(passed=3)


# ---------------------------------------------------------------- ThreadedMotoServer


def assert_received_as_captured(server: Any, botowire: Any) -> None:
    """Every request moto's server read is, in order, exactly a captured one."""
    assert len(server.received) == len(botowire)
    for got, captured in zip(server.received, botowire, strict=True):
        assert captured.answered_by == "network"
        assert got.method == captured.method
        assert got.body == captured.body, captured.name
        assert len(got.body) == captured.size
        for name in ("Content-Encoding", "Content-Type", "X-Amz-Target", "Authorization"):
            assert got.headers.get(name.lower()) == captured.headers.get(name), name


pytestmark_passthrough = pytest.mark.botowire(mode="passthrough")


@pytestmark_passthrough
def test_server_json_protocol(botowire: Any, moto_server: Any) -> None:
    dynamodb = moto_server.client("dynamodb")
    dynamodb.create_table(
        TableName="table-t",
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    dynamodb.put_item(TableName="table-t", Item={"id": {"S": "é ü 😀"}, "n": {"N": "1"}})
    item = dynamodb.get_item(TableName="table-t", Key={"id": {"S": "é ü 😀"}})["Item"]
    assert item["n"] == {"N": "1"}
    assert {r.protocol for r in botowire} == {"json"}
    assert botowire[1].payload["Item"]["id"] == {"S": "é ü 😀"}
    assert_received_as_captured(moto_server, botowire)


@pytestmark_passthrough
def test_server_query_protocol(botowire: Any, moto_server: Any) -> None:
    sns = moto_server.client("sns")
    sts = moto_server.client("sts")
    arn = sns.create_topic(Name="topic")["TopicArn"]
    sns.publish(TopicArn=arn, Message="a & b = c?", Subject="x y")
    sts.get_caller_identity()
    assert [r.protocol for r in botowire] == ["query"] * 3
    assert botowire[1].payload["Message"] == "a & b = c?"
    assert_received_as_captured(moto_server, botowire)


@pytestmark_passthrough
def test_server_rest_xml_protocol(botowire: Any, moto_server: Any) -> None:
    s3 = moto_server.client("s3")
    s3.create_bucket(Bucket=BUCKET)
    s3.put_bucket_tagging(Bucket=BUCKET, Tagging={"TagSet": [{"Key": "k", "Value": "v"}]})
    s3.put_object(Bucket=BUCKET, Key="plain", Body=b"\x00\x01binary\xff")
    assert s3.get_object(Bucket=BUCKET, Key="plain")["Body"].read() == b"\x00\x01binary\xff"
    assert botowire[1].payload.tag.endswith("Tagging")
    assert_received_as_captured(moto_server, botowire)


@pytestmark_passthrough
def test_server_s3_streaming_upload_over_http(
    botowire: Any, moto_server: Any, tmp_path: Any
) -> None:
    # Over plain HTTP botocore puts the checksum in a header and streams the file as it is.
    data = os.urandom(3 * MiB + 17)
    path = tmp_path / "upload.bin"
    path.write_bytes(data)
    s3 = moto_server.client("s3")
    s3.create_bucket(Bucket=BUCKET)
    with path.open("rb") as file:
        file.seek(17)
        s3.put_object(Bucket=BUCKET, Key="file", Body=file, ChecksumAlgorithm="CRC32")
        assert file.tell() > 17  # botocore sent it: capture did not leave it where it was
    put = botowire.select("s3.PutObject")[0]
    assert put.encodings == ()
    assert "x-amz-checksum-crc32" in put.headers  # a header checksum, no aws-chunked over http
    assert put.headers["Content-Length"] == str(3 * MiB)
    assert put.size == 3 * MiB
    assert put.body == data[17:]
    assert_received_as_captured(moto_server, botowire)
    assert s3.get_object(Bucket=BUCKET, Key="file")["Body"].read() == data[17:]


@pytestmark_passthrough
def test_server_s3_aws_chunked_upload_over_https(botowire: Any, moto_tls_server: Any) -> None:
    data = os.urandom(2 * MiB + 5)
    body = io.BytesIO(b"skip" + data)
    body.seek(4)
    s3 = moto_tls_server.client("s3")
    s3.create_bucket(Bucket=BUCKET)
    s3.put_object(Bucket=BUCKET, Key="chunked", Body=body, ChecksumAlgorithm="CRC32")
    put = botowire.select("s3.PutObject")[0]
    assert put.encodings == ("aws-chunked",)
    assert put.headers["X-Amz-Content-SHA256"] == "STREAMING-UNSIGNED-PAYLOAD-TRAILER"
    assert put.decoded_size == len(data)
    assert put.content == data
    assert_received_as_captured(moto_tls_server, botowire)
    got = s3.get_object(Bucket=BUCKET, Key="chunked", ChecksumMode="ENABLED")
    assert got["Body"].read() == data


@pytestmark_passthrough
@pytest.mark.parametrize("tls", [False, True], ids=["http", "https-aws-chunked"])
def test_server_20_mib_multipart_upload_of_a_file_object(
    botowire: Any, moto_server: Any, moto_tls_server: Any, tls: bool
) -> None:
    server = moto_tls_server if tls else moto_server
    s3 = server.client("s3")
    s3.create_bucket(Bucket=BUCKET)
    data = os.urandom(20 * MiB)
    file = io.BytesIO(data)
    progress: list[int] = []
    config = TransferConfig(
        multipart_threshold=5 * MiB,
        multipart_chunksize=5 * MiB,
        max_concurrency=4,
        use_threads=True,
    )
    s3.upload_fileobj(file, BUCKET, "big", Config=config, Callback=progress.append, ExtraArgs=CRC32)

    # The file object is left where s3transfer leaves it without the plugin: read to its end.
    assert file.tell() == len(data)
    assert sum(progress) == len(data)
    assert min(progress) > 0
    parts = botowire.select("s3.UploadPart")
    parts.assert_called(times=4)
    assert sum(p.decoded_size for p in parts) == 20 * MiB
    by_number = {int(p.url.split("partNumber=")[1].split("&")[0]): p for p in parts}
    assert b"".join(by_number[n].content for n in sorted(by_number)) == data
    if tls:
        parts.assert_header("Content-Encoding", "aws-chunked")
    else:
        assert all(p.size == 5 * MiB for p in parts)
    # What the server read equals what was captured, request by request (threads reorder).
    received = sorted(hashlib.sha256(r.body).hexdigest() for r in server.received)
    assert received == sorted(hashlib.sha256(r.body or b"").hexdigest() for r in botowire)
    assert s3.get_object(Bucket=BUCKET, Key="big")["Body"].read() == data


def test_no_capture_outside_a_test_that_asks_for_it(moto_server: Any) -> None:
    assert _capture.active() is None
    moto_server.client("sts").get_caller_identity()
    assert len(moto_server.received) == 1
