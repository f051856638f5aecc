"""Where requests go: offline, passthrough and strict; fake credentials; the marker's keys."""

from __future__ import annotations

import os

import pytest
from botocore_features import REQUEST_CONTENT_TYPES, protocol, server_answer
from local_server import RecordingServer

pytest_plugins = ["pytester"]

# SQS speaks the query protocol in botocore 1.34.40 and AWS JSON 1.0 in later releases.
SQS_PROTOCOL = protocol("sqs", "ListQueues")
LIST_QUEUES_BODY = {"json": b"{}", "query": b"Action=ListQueues&Version=2012-11-05"}[SQS_PROTOCOL]


def sqs_server() -> RecordingServer:
    """A local server answering ListQueues in the protocol this botocore uses for SQS."""
    return RecordingServer(**server_answer("sqs", "ListQueues"))


def sqs_test(url: str, marker: str = "", body: str = "") -> str:
    return f"""
import boto3, pytest

{marker}
def test_it(botowire):
    client = boto3.client("sqs", endpoint_url={url!r}, region_name="us-east-1",
                          aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="not-a-real-secret")
    client.list_queues()
    assert len(botowire) == 1
{body}
"""


def test_offline_is_the_default_and_nothing_reaches_the_network(pytester: pytest.Pytester) -> None:
    with sqs_server() as server:
        pytester.makepyfile(
            sqs_test(
                server.url,
                body="    assert botowire[0].answered_by == 'botowire'\n    assert botowire.mode == 'offline'",
            )
        )
        pytester.runpytest().assert_outcomes(passed=1)
    assert server.received == []


def test_passthrough_sends_what_was_captured(pytester: pytest.Pytester) -> None:
    with sqs_server() as server:
        pytester.makepyfile(
            sqs_test(
                server.url,
                marker="@pytest.mark.botowire(mode='passthrough')",
                body="    assert botowire[0].answered_by == 'network'\n"
                "    pytest.sent = botowire[0].body, dict(botowire[0].headers)",
            )
        )
        pytester.runpytest().assert_outcomes(passed=1)
    (received,) = server.received
    body, headers = pytest.sent  # type: ignore[attr-defined]
    assert received.body == body == LIST_QUEUES_BODY
    content_type = REQUEST_CONTENT_TYPES[SQS_PROTOCOL]
    assert received.headers["Content-Type"] == headers["Content-Type"] == content_type
    if SQS_PROTOCOL == "json":  # the query protocol names the operation in the body instead
        assert received.headers["X-Amz-Target"] == headers["X-Amz-Target"] == "AmazonSQS.ListQueues"
    assert received.headers["Authorization"] == headers["Authorization"]


@pytest.mark.parametrize("how", ["ini", "option"])
def test_the_mode_comes_from_the_ini_file_or_the_command_line(
    pytester: pytest.Pytester, how: str
) -> None:
    with sqs_server() as server:
        pytester.makepyfile(sqs_test(server.url, body="    assert botowire.mode == 'passthrough'"))
        if how == "ini":
            pytester.makeini("[pytest]\nbotowire_mode = passthrough\n")
            result = pytester.runpytest()
        else:
            result = pytester.runpytest("--botowire-mode=passthrough")
        result.assert_outcomes(passed=1)
    assert len(server.received) == 1


def test_the_marker_beats_the_ini_file(pytester: pytest.Pytester) -> None:
    with sqs_server() as server:
        pytester.makeini("[pytest]\nbotowire_mode = passthrough\n")
        pytester.makepyfile(sqs_test(server.url, marker="@pytest.mark.botowire(mode='offline')"))
        pytester.runpytest().assert_outcomes(passed=1)
    assert server.received == []


def test_a_bad_mode_is_a_usage_error(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nbotowire_mode = online\n")
    pytester.makepyfile("def test_it(): pass")
    result = pytester.runpytest()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        [
            "ERROR: botowire_mode = 'online' is not a mode; choose one of offline, passthrough, strict"
        ]
    )
    result = pytester.runpytest("--botowire-mode=online", "-p", "no:cacheprovider")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--botowire-mode: invalid choice: 'online'*"])


def test_strict_fails_the_test_naming_the_unanswered_request(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
import boto3, pytest

@pytest.mark.botowire(mode="strict")
def test_it(botowire):
    boto3.client("sqs", region_name="us-east-1").list_queues()
"""
    )
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "botowire strict mode: 1 request answered by nothing",
            f"  - sqs.ListQueues (attempt 1), {len(LIST_QUEUES_BODY)} bytes on the wire, no Content-Encoding",
            "  Hint: answer them with botowire.respond(...) or moto, or use @pytest.mark.botowire(mode='offline'); "
            "see https://github.com/pytest-botowire/pytest-botowire#where-requests-go-modes",
            "  The test then raised ClientError: An error occurred (BotowireUnansweredRequest) when calling the ListQueues operation: *",
        ]
    )


def test_strict_fails_even_when_the_code_swallows_the_error(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
import boto3, pytest

@pytest.mark.botowire(mode="strict")
def test_it(botowire):
    try:
        boto3.client("sqs", region_name="us-east-1").list_queues()
    except Exception:
        pass
"""
    )
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["botowire strict mode: 1 request answered by nothing"])


def test_offline_tests_get_fake_credentials_and_a_region_and_lose_them_after(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in (
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_DEFAULT_REGION",
        "AWS_REGION",
        "AWS_PROFILE",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(pytester.path / "no-credentials"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(pytester.path / "no-config"))
    pytester.makepyfile(
        """
import os, boto3

def test_it(botowire):
    assert os.environ["AWS_DEFAULT_REGION"] == "us-east-1"
    boto3.client("sqs").list_queues()        # signs with the fake credentials
    assert "Credential=AKIDBOTOWIREFAKE0000/" in botowire[0].headers["Authorization"]

def test_after():
    assert "AWS_ACCESS_KEY_ID" not in os.environ
    assert "AWS_DEFAULT_REGION" not in os.environ
"""
    )
    pytester.runpytest().assert_outcomes(passed=2)
    assert "AWS_ACCESS_KEY_ID" not in os.environ


def test_configured_credentials_are_left_alone(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDMINE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "mine")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    pytester.makepyfile(
        """
import os, boto3

def test_it(botowire):
    assert os.environ["AWS_ACCESS_KEY_ID"] == "AKIDMINE"
    assert os.environ["AWS_DEFAULT_REGION"] == "eu-west-1"
    boto3.client("sqs").list_queues()
    assert botowire[0].url.startswith("https://sqs.eu-west-1.")
"""
    )
    pytester.runpytest().assert_outcomes(passed=1)


def test_markers_merge_and_the_closest_wins(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
import pytest

pytestmark = pytest.mark.botowire(mode="strict", check_encoding=False)

@pytest.mark.botowire(mode="passthrough")
class TestIt:
    @pytest.mark.botowire(mode="offline")
    def test_closest(self, botowire, request):
        from pytest_botowire.features.options import marker_options
        options = marker_options(request.node)
        assert (options.mode, options.check_encoding) == ("offline", False)
        assert botowire.mode == "offline"

    def test_class(self, botowire):
        assert botowire.mode == "passthrough"

def test_module(botowire):
    assert botowire.mode == "strict"
"""
    )
    pytester.runpytest().assert_outcomes(passed=3)


@pytest.mark.parametrize(
    ("marker", "message"),
    [
        (
            "botowire(modes='offline')",
            "@pytest.mark.botowire got an unknown key 'modes' (did you mean 'mode'?); valid keys: mode, gzip, max_payload, aws_limits, require_headers, check_encoding, assert_all_responses_used, body_cap, retry_sleep",
        ),
        (
            "botowire('offline')",
            "@pytest.mark.botowire takes keyword arguments only, got ('offline',); the signature is botowire(*, mode=None, *",
        ),
        (
            "botowire(mode='online')",
            "@pytest.mark.botowire(mode='online') is not a mode; choose one of 'offline', 'passthrough', 'strict'",
        ),
        (
            "botowire(check_encoding='no')",
            "@pytest.mark.botowire(check_encoding=...) must be True or False, not 'no'",
        ),
        (
            "botowire(body_cap='8MB')",
            "@pytest.mark.botowire(body_cap=...) must be a whole number of bytes, not '8MB'",
        ),
    ],
)
def test_a_bad_marker_fails_the_test_with_a_clear_message(
    pytester: pytest.Pytester, marker: str, message: str
) -> None:
    pytester.makepyfile(
        f"""
import pytest

@pytest.mark.{marker}
def test_it(botowire):
    pass
"""
    )
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines([message])


def test_the_marker_is_registered_with_its_signature(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--markers")
    result.stdout.fnmatch_lines(
        ["@pytest.mark.botowire(*, mode=None, gzip=None, max_payload=None, *"]
    )


def test_body_cap_keeps_sizes_exact(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
import boto3, pytest

@pytest.mark.botowire(body_cap=100)
def test_marker(botowire):
    boto3.client("sqs", region_name="us-east-1").send_message(QueueUrl="https://q", MessageBody="x" * 500)
    request = botowire[0]
    assert request.body is None and request.size > 500 and request.note == "over the capture cap"
    request.assert_payload_under(10_000)
    request.assert_gzipped()

def test_option(botowire):
    boto3.client("sqs", region_name="us-east-1").send_message(QueueUrl="https://q", MessageBody="x" * 500)
    assert botowire[0].body is None
"""
    )
    result = pytester.runpytest("--botowire-body-cap=1_00")
    result.assert_outcomes(failed=1, passed=1)
    result.stdout.fnmatch_lines(
        [
            "E*- sqs.SendMessage (attempt 1), * bytes on the wire, no Content-Encoding: cannot check: the body was not kept (over the capture cap)"
        ]
    )


def test_a_bad_body_cap_is_a_usage_error(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_it(): pass")
    result = pytester.runpytest("--botowire-body-cap=8MB")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        ["ERROR: --botowire-body-cap / botowire_body_cap takes a whole number of bytes, got '8MB'"]
    )
