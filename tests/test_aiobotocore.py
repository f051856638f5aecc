"""aiobotocore clients under the ``botowire`` fixture: captured, answered, asserted.

aiobotocore pins its botocore (3.10 needs botocore 1.43.x), so these tests run in their own
environment, never in the main one (which skips this module with the reason below):

    python3.11 -m venv /work/.venv-aio
    /work/.venv-aio/bin/pip install -e . aiobotocore pytest pytest-asyncio cbor2 'moto[server]'
    /work/.venv-aio/bin/python -m pytest tests/test_aiobotocore.py -p no:cacheprovider \
        -o asyncio_default_fixture_loop_scope=function
"""

from __future__ import annotations

import asyncio
import gzip
import io
import os
import re
from collections.abc import AsyncIterator
from typing import Any

import pytest

pytest.importorskip("aiobotocore", reason="runs in the aiobotocore environment (.ci/run)")
pytest.importorskip("pytest_asyncio", reason="runs in the aiobotocore environment (.ci/run)")

import boto3
import pytest_asyncio
from aiobotocore.awsrequest import AioAWSResponse
from aiobotocore.config import AioConfig
from aiobotocore.session import get_session
from botocore.exceptions import ClientError

QUEUE = "https://sqs.us-east-1.amazonaws.com/123456789012/jobs"
# pytester runs in a temporary directory, without this project's ini settings
_INNER_ARGS = ("-p", "no:cacheprovider", "-o", "asyncio_default_fixture_loop_scope=function")


def _client(service: str, **kwargs: Any) -> Any:
    kwargs.setdefault("region_name", "us-east-1")
    return get_session().create_client(service, **kwargs)


def _metrics(count: int) -> list[dict[str, Any]]:
    return [
        {
            "MetricName": f"latency-{i}",
            "Dimensions": [{"Name": "shard", "Value": f"shard-{i % 7}"}],
            "Value": float(i),
            "Unit": "Milliseconds",
        }
        for i in range(count)
    ]


# ------------------------------------------------------------------ capture and offline answers


@pytest.mark.asyncio
async def test_an_aiobotocore_call_is_captured_and_answered_offline(botowire: Any) -> None:
    async with _client("sqs") as sqs:
        sent = await sqs.send_message(QueueUrl=QUEUE, MessageBody="hello")

    assert sent["MessageId"]  # a placeholder of the right type, parsed by aiobotocore
    assert sent["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert len(botowire) == 1
    request = botowire[0]
    assert request.name == "sqs.SendMessage"
    assert request.params == {"QueueUrl": QUEUE, "MessageBody": "hello"}
    assert request.payload["MessageBody"] == "hello"
    assert (request.status, request.answered_by) == (200, "botowire")
    botowire.select("sqs.send_message").assert_called(times=1)
    botowire.assert_header("User-Agent", re.compile(r"aiobotocore/"))
    botowire.assert_params(QueueUrl=QUEUE)


@pytest.mark.asyncio
async def test_an_aiobotocore_waiter_is_done_on_its_first_poll_offline(botowire: Any) -> None:
    """AIOWaiter.wait is noted in a context variable per task, as botocore's Waiter.wait is."""
    async with _client("dynamodb") as dynamodb:
        waiters = [dynamodb.get_waiter("table_exists"), dynamodb.get_waiter("table_not_exists")]
        await asyncio.gather(
            waiters[0].wait(TableName="jobs", WaiterConfig={"Delay": 1, "MaxAttempts": 2}),
            waiters[1].wait(TableName="gone", WaiterConfig={"Delay": 1, "MaxAttempts": 2}),
        )
    calls = botowire.select("dynamodb.DescribeTable")
    assert len(calls) == 2  # one poll each: the exists poll got a table, the other a 404
    statuses = sorted((request.params["TableName"], request.status) for request in calls)
    assert statuses == [("gone", 400), ("jobs", 200)]


@pytest.mark.asyncio
async def test_sync_and_async_clients_in_one_test_each_get_their_own_response_type(
    botowire: Any,
) -> None:
    seen: list[str] = []

    def note(response: Any = None, **_: Any) -> None:
        if response is not None:
            seen.append(type(response[0]).__name__)

    sync_sqs = boto3.client("sqs", region_name="us-east-1")
    sync_sqs.meta.events.register("needs-retry.sqs.SendMessage", note)
    async with _client("sqs") as aio_sqs:
        aio_sqs.meta.events.register("needs-retry.sqs.SendMessage", note)
        await aio_sqs.send_message(QueueUrl=QUEUE, MessageBody="async")
        sync_sqs.send_message(QueueUrl=QUEUE, MessageBody="sync")
        await aio_sqs.send_message(QueueUrl=QUEUE, MessageBody="async again")

    assert seen == ["AioAWSResponse", "AWSResponse", "AioAWSResponse"]
    assert [r.params["MessageBody"] for r in botowire] == ["async", "sync", "async again"]


@pytest.mark.asyncio
async def test_s3_upload_is_captured_byte_exact_and_download_reads_a_stubbed_body(
    botowire: Any,
) -> None:
    botowire.respond("s3.GetObject", {"Body": b"stored bytes", "ContentType": "text/plain"})
    async with _client("s3") as s3:
        await s3.put_object(Bucket="bucket", Key="a.txt", Body=b"hello world")
        await s3.put_object(Bucket="bucket", Key="b.txt", Body=io.BytesIO(b"from a file"))
        got = await s3.get_object(Bucket="bucket", Key="a.txt")
        async with got["Body"] as body:
            data = await body.read()

    assert data == b"stored bytes"
    assert got["ContentType"] == "text/plain"
    puts = botowire.select("s3.PutObject")
    puts.assert_called(times=2)
    # aiobotocore frames uploads as aws-chunked with a trailing checksum, like botocore
    assert [p.encodings for p in puts] == [("aws-chunked",), ("aws-chunked",)]
    assert [p.content for p in puts] == [b"hello world", b"from a file"]
    first = puts[0].body
    assert first is not None
    assert first.startswith(b"b\r\nhello world\r\n0\r\nx-amz-checksum-crc32:")
    assert puts[0].size == len(first)
    puts.assert_signed()


def test_strict_mode_answers_an_aiobotocore_request_with_an_error(pytester: Any) -> None:
    pytester.makepyfile(
        """
        import pytest
        from aiobotocore.session import get_session

        @pytest.mark.asyncio
        @pytest.mark.botowire(mode="strict")
        async def test_unanswered(botowire):
            async with get_session().create_client("sqs", region_name="us-east-1") as sqs:
                await sqs.send_message(QueueUrl="https://sqs.us-east-1.amazonaws.com/1/q", MessageBody="x")
        """
    )
    result = pytester.runpytest(*_INNER_ARGS)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "botowire strict mode: 1 request answered by nothing",
            "  - sqs.SendMessage (attempt 1), 75 bytes on the wire, no Content-Encoding",
            "*The test then raised ClientError: *(BotowireUnansweredRequest)*",
        ]
    )


def test_a_failing_assertion_reads_the_same_for_aiobotocore(pytester: Any) -> None:
    pytester.makepyfile(
        """
        import pytest
        from aiobotocore.session import get_session

        @pytest.mark.asyncio
        async def test_small_batch(botowire):
            async with get_session().create_client("cloudwatch", region_name="us-east-1") as cw:
                await cw.put_metric_data(Namespace="n", MetricData=[{"MetricName": "m", "Value": 1.0}])
            botowire.select("cloudwatch.PutMetricData").assert_gzipped()

        @pytest.mark.asyncio
        async def test_nothing_sent(botowire):
            botowire.select("sqs.SendMessage").assert_called()
        """
    )
    result = pytester.runpytest(*_INNER_ARGS)
    result.assert_outcomes(failed=2)
    result.stdout.fnmatch_lines(
        [
            "E*assert_gzipped: 1 of 1 request (matching 'cloudwatch.PutMetricData') is not "
            "gzip-compressed exactly once",
            "E*- cloudwatch.PutMetricData (attempt 1), 69 bytes on the wire, no Content-Encoding: "
            "Content-Encoding does not name gzip and the body is not gzip",
            "E*assert_called: no request matched 'sqs.SendMessage'*",
        ]
    )


# ------------------------------------------------------------------ botowire.respond


@pytest.mark.asyncio
async def test_respond_data_is_parsed_by_aiobotocore(botowire: Any) -> None:
    botowire.respond(
        "sqs.ReceiveMessage",
        {"Messages": [{"MessageId": "m-1", "ReceiptHandle": "r-1", "Body": "payload"}]},
    )
    botowire.respond("dynamodb.GetItem", {"Item": {"pk": {"S": "user#1"}, "n": {"N": "7"}}})
    async with _client("sqs") as sqs, _client("dynamodb") as ddb:
        received = await sqs.receive_message(QueueUrl=QUEUE, MaxNumberOfMessages=1)
        item = await ddb.get_item(TableName="users", Key={"pk": {"S": "user#1"}})

    assert received["Messages"] == [{"MessageId": "m-1", "ReceiptHandle": "r-1", "Body": "payload"}]
    assert item["Item"] == {"pk": {"S": "user#1"}, "n": {"N": "7"}}
    botowire.select("dynamodb.GetItem").assert_params(Key={"pk": {"S": "user#1"}})


@pytest.mark.asyncio
async def test_throttled_twice_then_successful_retries_like_aws(botowire: Any) -> None:
    botowire.respond("sqs.SendMessage", error="ThrottlingException", times=2)
    config = AioConfig(retries={"mode": "standard", "max_attempts": 3})
    async with _client("sqs", config=config) as sqs:
        sent = await sqs.send_message(QueueUrl=QUEUE, MessageBody="retry me")

    assert sent["ResponseMetadata"]["RetryAttempts"] == 2
    sends = botowire.select("sqs.SendMessage")
    assert [(r.attempt, r.status) for r in sends] == [(1, 400), (2, 400), (3, 200)]
    assert [r.headers["amz-sdk-request"].split(";")[0] for r in sends] == [
        "attempt=1",
        "attempt=2",
        "attempt=3",
    ]
    sends.assert_params(MessageBody="retry me")


@pytest.mark.asyncio
async def test_an_error_response_raises_the_modeled_exception(botowire: Any) -> None:
    botowire.respond("sqs.SendMessage", error="QueueDoesNotExist", message="no such queue")
    async with _client("sqs", config=AioConfig(retries={"max_attempts": 1})) as sqs:
        with pytest.raises(ClientError) as raised:
            await sqs.send_message(QueueUrl=QUEUE, MessageBody="x")
        assert isinstance(raised.value, sqs.exceptions.QueueDoesNotExist)
    assert raised.value.response["Error"]["Message"] == "no such queue"
    assert botowire[0].status == 400


# ------------------------------------------------------------------ assertions on PutMetricData


@pytest.mark.asyncio
async def test_put_metric_data_is_gzipped_and_under_the_limit(botowire: Any) -> None:
    async with _client("cloudwatch") as cloudwatch:
        await cloudwatch.put_metric_data(Namespace="app", MetricData=_metrics(300))

    puts = botowire.select("cloudwatch.PutMetricData")
    puts.assert_called(times=1)
    puts.assert_gzipped()  # botocore's native compression, run by aiobotocore too
    puts.assert_payload_under(1_000_000)
    puts.assert_payload_under(1_000_000, decoded=True)
    request = puts[0]
    assert request.body is not None
    assert gzip.decompress(request.body) == request.content
    assert request.size is not None
    assert request.decoded_size is not None
    assert request.size < request.decoded_size
    puts.assert_params(Namespace="app")


@pytest.mark.asyncio
async def test_assertions_fail_on_aiobotocore_requests_with_the_usual_messages(
    botowire: Any,
) -> None:
    config = AioConfig(disable_request_compression=True)
    async with _client("cloudwatch", config=config) as cloudwatch:
        await cloudwatch.put_metric_data(Namespace="app", MetricData=_metrics(300))

    puts = botowire.select("cloudwatch.PutMetricData")
    with pytest.raises(AssertionError, match=r"does not name gzip"):
        puts.assert_gzipped()
    size = puts[0].size
    assert size is not None
    assert size > 10_240
    with pytest.raises(AssertionError, match=r"PutMetricData"):
        puts.assert_payload_under(size - 1)
    puts.assert_payload_under(size)  # limits are inclusive
    with pytest.raises(AssertionError, match=r"no request matched 'sqs\.\*'"):
        botowire.select("sqs.*").assert_called()


# ------------------------------------------------------------------ concurrency


@pytest.mark.asyncio
async def test_concurrent_tasks_are_each_captured_once_with_their_own_parameters(
    botowire: Any,
) -> None:
    order: list[str] = []

    async def interleave(request: Any = None, **_: Any) -> None:
        # an async handler between provide-client-params and before-send: every task is
        # suspended here, so all the calls are in flight at once
        order.append("sign")
        await asyncio.sleep(0)

    def sent(**_: Any) -> None:
        order.append("send")

    tasks = 24
    async with _client("sqs") as sqs, _client("sqs") as other:
        for client in (sqs, other):
            client.meta.events.register("before-sign.sqs.SendMessage", interleave)
            client.meta.events.register_last("before-send.sqs.SendMessage", sent)

        async def send(i: int) -> str:
            client = sqs if i % 2 else other
            reply = await client.send_message(
                QueueUrl=f"{QUEUE}-{i}", MessageBody=f"body-{i}", DelaySeconds=i % 5
            )
            return str(reply["MessageId"])

        ids = await asyncio.gather(*(send(i) for i in range(tasks)))

    assert len(ids) == tasks
    # the calls really overlapped: several were signed before the first was sent
    assert order.index("send") > 1
    captured = list(botowire)
    assert len(captured) == tasks
    bodies = sorted(r.payload["MessageBody"] for r in captured)
    assert bodies == sorted(f"body-{i}" for i in range(tasks))
    for request in captured:
        i = int(request.payload["MessageBody"].split("-")[1])
        assert request.params == {
            "QueueUrl": f"{QUEUE}-{i}",
            "MessageBody": f"body-{i}",
            "DelaySeconds": i % 5,
        }
        assert request.payload["QueueUrl"] == f"{QUEUE}-{i}"
        assert request.attempt == 1


# ------------------------------------------------------------------ credentials


@pytest.mark.asyncio
async def test_assert_signed_checks_aiobotocore_signatures(botowire: Any) -> None:
    async with _client(
        "sqs", aws_access_key_id="AKIDAIOEXAMPLE", aws_secret_access_key="aio-secret"
    ) as sqs:
        await sqs.send_message(QueueUrl=QUEUE, MessageBody="signed")
    request = botowire[0]
    assert request.credentials is not None
    assert request.credentials.access_key == "AKIDAIOEXAMPLE"
    botowire.assert_signed()


@pytest_asyncio.fixture
async def client_without_credentials(no_aws_credentials: None) -> AsyncIterator[Any]:
    async with _client("sqs") as sqs:
        yield sqs


@pytest.mark.asyncio
async def test_a_client_created_without_credentials_gets_fake_ones_offline(
    client_without_credentials: Any, botowire: Any
) -> None:
    sqs = client_without_credentials
    assert sqs._request_signer._credentials is None
    await sqs.send_message(QueueUrl=QUEUE, MessageBody="no credentials")
    assert "Credential=AKIDBOTOWIREFAKE0000/" in botowire[0].headers["Authorization"]
    botowire.assert_signed()


# ------------------------------------------------------------------ passthrough to a real server


@pytest.fixture
def _moto_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")


@pytest.mark.asyncio
@pytest.mark.botowire(mode="passthrough")
@pytest.mark.usefixtures("_moto_env")
async def test_passthrough_to_moto_server_captures_what_it_received(
    botowire: Any, moto_server: Any
) -> None:
    common = {"endpoint_url": moto_server.url, "config": AioConfig(retries={"max_attempts": 1})}
    async with _client("sqs", **common) as sqs, _client("s3", **common) as s3:
        queue = await sqs.create_queue(QueueName="jobs")
        await asyncio.gather(
            *(sqs.send_message(QueueUrl=queue["QueueUrl"], MessageBody=f"m{i}") for i in range(5))
        )
        await s3.create_bucket(Bucket="bucket")
        await s3.put_object(Bucket="bucket", Key="k", Body=b"x" * 5000)
        got = await s3.get_object(Bucket="bucket", Key="k")
        async with got["Body"] as body:
            assert await body.read() == b"x" * 5000

    captured = list(botowire)
    assert [r.answered_by for r in captured] == ["network"] * len(captured)
    assert len(captured) == len(moto_server.received) == 9
    # concurrent sends may arrive in another order than they were captured
    assert sorted((r.method, r.body) for r in captured) == sorted(
        (r.method, r.body) for r in moto_server.received
    )
    botowire.select("sqs.SendMessage").assert_called(times=5)


@pytest.mark.asyncio
@pytest.mark.botowire(mode="passthrough")
@pytest.mark.usefixtures("_moto_env")
async def test_passthrough_aws_chunked_upload_over_https_matches_byte_for_byte(
    botowire: Any, moto_tls_server: Any
) -> None:
    data = os.urandom(200_000)
    async with _client(
        "s3",
        endpoint_url=moto_tls_server.url,
        verify=moto_tls_server.cert[0],
        config=AioConfig(s3={"addressing_style": "path"}, retries={"max_attempts": 1}),
    ) as s3:
        await s3.create_bucket(Bucket="bucket")
        moto_tls_server.clear()
        await s3.put_object(Bucket="bucket", Key="blob", Body=io.BytesIO(data))
        got = await s3.get_object(Bucket="bucket", Key="blob")
        async with got["Body"] as body:
            assert await body.read() == data

    put = botowire.select("s3.PutObject")[0]
    assert put.encodings == ("aws-chunked",)
    received = moto_tls_server.received[0]
    assert received.method == "PUT"
    assert put.body == received.body
    assert put.content == data


# ------------------------------------------------------------------ the response stand-in


@pytest.mark.asyncio
async def test_the_async_raw_response_reads_like_aiohttp() -> None:
    from pytest_botowire.aws.serialize import WireResponse
    from pytest_botowire.integrations.aiobotocore import AsyncRawResponse, aio_response

    response = aio_response("https://x", WireResponse(200, {"a": "b"}, b"0123456789"))
    assert isinstance(response, AioAWSResponse)
    assert await response.content == b"0123456789"
    raw = AsyncRawResponse("https://x", 200, {}, b"abcdef")
    assert await raw.content.read(4) == b"abcd"
    assert not raw.content.at_eof()
    assert await raw.content.readexactly(2) == b"ef"
    assert raw.content.at_eof()
    assert await raw.content.read() == b""
    with pytest.raises(EOFError):
        await raw.content.readexactly(1)
    chunks = [c async for c in AsyncRawResponse("u", 200, {}, b"abcde").content.iter_chunked(2)]
    assert chunks == [b"ab", b"cd", b"e"]


class _AsyncReader:
    """An upload body whose ``read`` is a coroutine function (aiobotocore accepts these)."""

    def __init__(self, data: bytes) -> None:
        self._stream = io.BytesIO(data)

    async def read(self, n: int = -1) -> bytes:
        return self._stream.read(n)

    def seek(self, *args: int) -> int:
        return self._stream.seek(*args)

    def tell(self) -> int:
        return self._stream.tell()


@pytest.mark.asyncio
@pytest.mark.botowire(mode="passthrough")
@pytest.mark.usefixtures("_moto_env")
async def test_an_async_upload_body_is_never_read_by_capture_and_arrives_whole(
    botowire: Any, moto_tls_server: Any
) -> None:
    data = b"async bytes " * 1000
    body = _AsyncReader(data)
    async with _client(
        "s3",
        endpoint_url=moto_tls_server.url,
        verify=moto_tls_server.cert[0],
        config=AioConfig(s3={"addressing_style": "path"}, retries={"max_attempts": 1}),
    ) as s3:
        await s3.create_bucket(Bucket="bucket")
        await s3.put_object(Bucket="bucket", Key="async", Body=body, ContentLength=len(data))
        got = await s3.get_object(Bucket="bucket", Key="async")
        async with got["Body"] as stream:
            assert await stream.read() == data

    put = botowire.select("s3.PutObject")[0]
    assert put.body is None  # reading it would have meant awaiting the caller's stream
    assert put.note is not None
    assert "asynchronous _AsyncReader stream" in put.note
    assert put.decoded_size == len(data)  # from X-Amz-Decoded-Content-Length


@pytest.mark.asyncio
async def test_throttled_every_attempt_costs_no_wall_time_and_records_backoff(
    botowire: Any,
) -> None:
    import time

    botowire.respond("sqs.SendMessage", error="ThrottlingException", times=11)
    config = AioConfig(retries={"mode": "legacy", "max_attempts": 10})
    start = time.monotonic()
    async with _client("sqs", config=config) as sqs:
        with pytest.raises(ClientError, match="ThrottlingException"):
            await sqs.send_message(QueueUrl=QUEUE, MessageBody="x")
    elapsed = time.monotonic() - start
    sent = botowire.select("sqs.SendMessage")
    assert [r.attempt for r in sent] == list(range(1, 12))
    assert sent[0].backoff is None
    for request in sent[1:]:
        assert request.backoff is not None
        assert 0 <= request.backoff <= 2 ** (request.attempt - 2)
    assert sum(r.backoff for r in sent[1:]) > 5  # what aiobotocore would have slept
    assert elapsed < 2.0, elapsed
