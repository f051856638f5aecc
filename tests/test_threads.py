"""Threads: every request of every thread captured exactly once, with its own operation and body.

16 threads send 500 requests each through shared and per-thread clients. Each request carries
a unique id in its parameters, so a request lost, captured twice, or given another call's
parameters, operation or body shows up by name.
"""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import boto3
import pytest
from botocore.awsrequest import AWSResponse

THREADS = 16
PER_THREAD = 500
TABLE = "botowire-threads"


class _Raw:
    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **_: Any) -> Any:
        yield self._body


def cheap_responder(request: Any, **_: Any) -> AWSResponse:
    """Answers every DynamoDB request at ``before-send`` with an empty JSON document."""
    return AWSResponse(
        request.url, 200, {"Content-Type": "application/x-amz-json-1.0"}, _Raw(b"{}")
    )


def session() -> Any:
    return boto3.Session(
        aws_access_key_id="AKIDTHREADS", aws_secret_access_key="threads", region_name="us-east-1"
    )


def client(sess: Any) -> Any:
    dynamodb = sess.client("dynamodb")
    dynamodb.meta.events.register("before-send", cheap_responder)  # after capture
    return dynamodb


def send(dynamodb: Any, ident: str, n: int) -> str:
    """One request whose operation depends on ``n``; returns the operation name."""
    key = {"id": {"S": ident}}
    if n % 3 == 0:
        dynamodb.put_item(TableName=TABLE, Item={**key, "n": {"N": str(n)}})
        return "PutItem"
    if n % 3 == 1:
        dynamodb.delete_item(TableName=TABLE, Key=key)
        return "DeleteItem"
    dynamodb.get_item(TableName=TABLE, Key=key, ConsistentRead=True)
    return "GetItem"


def ident_of(params: Any) -> str:
    return str((params.get("Item") or params.get("Key"))["id"]["S"])


@pytest.mark.botowire(mode="passthrough")
def test_16_threads_500_requests_each_none_lost_none_twice(botowire: Any) -> None:
    sess = session()
    shared = client(sess)
    start = threading.Barrier(THREADS)
    sent: dict[str, str] = {}
    lock = threading.Lock()

    def worker(t: int) -> None:
        # Even threads share one client, odd threads each have their own.
        dynamodb = shared if t % 2 == 0 else client(sess)
        mine: dict[str, str] = {}
        start.wait(timeout=60)
        for n in range(PER_THREAD):
            ident = f"t{t:02d}-n{n:03d}"
            mine[ident] = send(dynamodb, ident, n)
        with lock:
            sent.update(mine)

    threads = [threading.Thread(target=worker, args=(t,)) for t in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not any(thread.is_alive() for thread in threads)
    assert len(sent) == THREADS * PER_THREAD

    captured = list(botowire)
    assert len(captured) == THREADS * PER_THREAD
    idents = [ident_of(r.params) for r in captured]
    duplicates = [i for i, count in Counter(idents).items() if count > 1]
    assert duplicates == []
    assert set(idents) == set(sent)
    for request in captured:
        ident = ident_of(request.params)
        assert request.operation == sent[ident], ident
        assert request.headers["X-Amz-Target"] == f"DynamoDB_20120810.{sent[ident]}", ident
        assert ident_of(request.payload) == ident
        assert (request.attempt, request.answered_by, request.status) == (1, "other", 200)
    # Each thread's requests were captured in the order it sent them.
    for t in range(THREADS):
        own = [i for i in idents if i.startswith(f"t{t:02d}-")]
        assert own == sorted(own)
    assert [r.index for r in captured] == list(range(len(captured)))
    assert len({r.headers["amz-sdk-invocation-id"] for r in captured}) == len(captured)


def test_thread_pool_in_offline_mode(botowire: Any) -> None:
    """Offline answers from many threads at once: each request gets its own answer."""
    sqs = session().client("sqs")

    def call(n: int) -> tuple[int, str]:
        url = sqs.get_queue_url(QueueName=f"queue-{n}")["QueueUrl"]
        sqs.send_message(QueueUrl=url, MessageBody=f"body-{n}")
        return n, url

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(call, range(200)))
    assert len(results) == 200
    assert len(botowire) == 400
    assert {r.answered_by for r in botowire} == {"botowire"}
    names = [r.payload.get("QueueName") for r in botowire.select("sqs.GetQueueUrl")]
    assert sorted(names) == sorted(f"queue-{n}" for n in range(200))
    bodies = [r.payload["MessageBody"] for r in botowire.select("sqs.SendMessage")]
    assert sorted(bodies) == sorted(f"body-{n}" for n in range(200))
    for request in botowire.select("sqs.SendMessage"):
        assert request.params["MessageBody"] == request.payload["MessageBody"]
