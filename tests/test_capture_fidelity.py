"""The captured request is the sent request, whatever the caller's own ``before-send`` handlers do.

A user's handler may change a request at ``before-send`` (gzip its body, add a header) under any
event name and with any registration call; botowire records the request after every handler
ran, and proves it against what a real socket server (and moto's server) received, byte for
byte. Answers: ``botowire.respond`` first, any other ``before-send`` responder next, the offline
answer last.
"""

from __future__ import annotations

import gzip
import json
from typing import Any

import boto3
import pytest
from botocore.awsrequest import AWSResponse
from local_server import RecordingServer

pytest_plugins = ["pytester"]

#: every way to register a handler that runs for ``before-send`` of DynamoDB ListTables
REGISTRATIONS = [
    ("register", "before-send"),
    ("register_first", "before-send"),
    ("register_last", "before-send"),
    ("register", "before-send.dynamodb"),
    ("register_last", "before-send.dynamodb"),
    ("register_first", "before-send.dynamodb.ListTables"),
    ("register", "before-send.*.ListTables"),
]

LIST_TABLES = {"Content-Type": "application/x-amz-json-1.0"}


def dynamodb(url: str | None = None) -> Any:
    return boto3.client(
        "dynamodb",
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id="AKIDEXAMPLE",
        aws_secret_access_key="not-a-real-secret",
    )


def gzip_body(request: Any, **_: Any) -> None:
    """What a user does to compress a request: replace the body, say so in the headers."""
    body = request.body.encode() if isinstance(request.body, str) else request.body
    request.body = gzip.compress(body, mtime=0)
    request.headers["Content-Encoding"] = "gzip"
    request.headers["Content-Length"] = str(len(request.body))


def register(client: Any, how: str, event: str, handler: Any) -> None:
    getattr(client.meta.events, how)(event, handler)


@pytest.mark.parametrize(("how", "event"), REGISTRATIONS)
@pytest.mark.botowire(mode="passthrough")
def test_a_body_gzipped_by_a_users_handler_is_captured_as_sent(
    botowire: Any, how: str, event: str
) -> None:
    with RecordingServer(body=b'{"TableNames": []}', headers=LIST_TABLES) as server:
        client = dynamodb(server.url)
        register(client, how, event, gzip_body)
        client.list_tables(Limit=5)
    (received,) = server.received
    (captured,) = botowire
    assert received.body == captured.body
    assert gzip.decompress(captured.body) == b'{"Limit": 5}'
    for name, value in captured.headers.items():
        assert received.headers[name] == value, name
    assert captured.encodings == ("gzip",)
    assert captured.content == b'{"Limit": 5}'
    botowire.assert_gzipped()
    # signed over the plain body, sent gzipped: the signature no longer covers what was sent
    with pytest.raises(AssertionError):
        botowire.assert_signed()


def reformat_json(request: Any, **_: Any) -> None:
    """A handler that rewrites the body into equivalent JSON and adds a header."""
    request.body = json.dumps(json.loads(request.body), indent=2).encode()
    request.headers["Content-Length"] = str(len(request.body))
    request.headers["X-Handler"] = "reformatted"


@pytest.mark.parametrize(("how", "event"), REGISTRATIONS[:3])
@pytest.mark.botowire(mode="passthrough")
def test_what_moto_server_received_is_what_was_captured(
    botowire: Any, moto_server: Any, how: str, event: str
) -> None:
    client = moto_server.client("dynamodb")
    register(client, how, event, reformat_json)
    client.list_tables(Limit=3)
    (received,) = [r for r in moto_server.received if "ListTables" in r.headers["x-amz-target"]]
    (captured,) = botowire.select("dynamodb.ListTables")
    assert captured.body == received.body == json.dumps({"Limit": 3}, indent=2).encode()
    for name, value in captured.headers.items():
        assert received.headers[name.lower()] == value, name
    assert captured.headers["X-Handler"] == "reformatted"
    assert captured.answered_by == "network"
    assert captured.status == 200


def answer_from_user(request: Any, **_: Any) -> AWSResponse:
    return AWSResponse(request.url, 200, LIST_TABLES, _Raw(b'{"TableNames": ["from-user"]}'))


class _Raw:
    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **_: Any) -> Any:
        yield self._body


@pytest.mark.parametrize(("how", "event"), REGISTRATIONS)
def test_a_users_responder_wins_over_the_offline_answer(
    botowire: Any, how: str, event: str
) -> None:
    client = dynamodb()
    register(client, how, event, answer_from_user)
    assert client.list_tables()["TableNames"] == ["from-user"]
    assert botowire[0].answered_by == "other"


@pytest.mark.parametrize(("how", "event"), REGISTRATIONS)
def test_respond_wins_over_a_users_responder(botowire: Any, how: str, event: str) -> None:
    client = dynamodb()
    register(client, how, event, answer_from_user)
    botowire.respond("dynamodb.ListTables", {"TableNames": ["from-respond"]})
    assert client.list_tables()["TableNames"] == ["from-respond"]
    assert botowire[0].answered_by == "botowire"


def test_a_users_responder_after_a_gzip_handler_sees_and_answers_the_final_request(
    botowire: Any,
) -> None:
    seen: list[bytes] = []

    def responder(request: Any, **_: Any) -> AWSResponse:
        seen.append(request.body)
        return answer_from_user(request)

    client = dynamodb()
    client.meta.events.register_last("before-send", gzip_body)
    client.meta.events.register_last("before-send", responder)
    assert client.list_tables()["TableNames"] == ["from-user"]
    assert seen == [botowire[0].body]
    assert botowire[0].encodings == ("gzip",)


def test_clear_forgets_requests_but_not_a_strict_mode_failure(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import boto3, pytest
        from botocore.exceptions import ClientError

        @pytest.mark.botowire(mode="strict")
        def test_it(botowire):
            client = boto3.client("dynamodb", region_name="us-east-1",
                                  aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="x")
            with pytest.raises(ClientError):
                client.list_tables()
            botowire.clear()
            assert len(botowire) == 0
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        ["*botowire strict mode: 1 request answered by nothing*", "*dynamodb.ListTables*"]
    )
