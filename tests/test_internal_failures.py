"""Nothing the plugin does goes unseen: bad ``respond`` input fails at the call, an answer that
cannot be given fails the test naming the request (the code under test gets an error, never
another answer), and both answering paths build a registered answer the same way."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
import requests

pytest_plugins = ["pytester"]


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"error": "AccessDenied", "message": 403}, TypeError),
        ({"error": 403}, TypeError),
        ({"error": "AccessDenied", "status": 200}, ValueError),
        ({"error": "AccessDenied", "status": 1000}, ValueError),
        ({"headers": {"x-amz-id-2": 1}}, TypeError),
        ({"headers": [("a", "b")]}, TypeError),
        ({"times": 0}, ValueError),
        ({"times": "2"}, TypeError),
        ({"message": "no error"}, ValueError),
    ],
)
def test_respond_checks_every_argument_at_the_call(
    botowire: Any, kwargs: dict[str, Any], error: type[Exception]
) -> None:
    with pytest.raises(error):
        botowire.respond("s3.GetObject", **kwargs)
    assert len(botowire._recorder.responses) == 0  # nothing half-registered


FAILING_ANSWER = """
import io, boto3, pytest
from botocore.exceptions import ClientError

class Broken(io.RawIOBase):
    def readable(self):
        return True
    def read(self, n=-1):
        raise OSError("the disk went away")
    readinto = None

def test_it(botowire):
    botowire.respond("s3.GetObject", {"Body": Broken()})
    s3 = boto3.client("s3", region_name="us-east-1")
    CALL
"""


def test_an_answer_that_cannot_be_given_fails_the_test_naming_the_request(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        FAILING_ANSWER.replace(
            "CALL",
            "with pytest.raises(ClientError, match='BotowireInternalError'):\n"
            "        s3.get_object(Bucket='b', Key='k')",
        )
    )
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*botowire: 1 failure of pytest-botowire itself on this test's requests*",
            "*- s3.GetObject: botowire.respond could not answer: OSError: the disk went away",
        ]
    )


def test_the_code_under_test_gets_an_error_not_the_offline_answer(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(FAILING_ANSWER.replace("CALL", "s3.get_object(Bucket='b', Key='k')"))
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*- s3.GetObject: botowire.respond could not answer: OSError: the disk went away",
            "*The test then raised ClientError: *BotowireInternalError*",
        ]
    )


def test_a_modeled_error_has_its_modeled_status_through_botocore_and_requests(
    botowire: Any,
) -> None:
    botowire.respond("s3.GetObject", error="NoSuchKey", message="gone")
    s3 = boto3.client("s3", region_name="us-east-1")
    with pytest.raises(s3.exceptions.NoSuchKey):
        s3.get_object(Bucket="b", Key="k")
    url = s3.generate_presigned_url("get_object", Params={"Bucket": "b", "Key": "k"})
    reply = requests.get(url, timeout=5)
    assert reply.status_code == 404
    assert b"<Code>NoSuchKey</Code>" in reply.content
    assert [r.status for r in botowire] == [404, 404]


def test_strict_answers_are_the_same_through_botocore_and_requests(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        """
        import boto3, pytest, requests
        from botocore.exceptions import ClientError

        @pytest.mark.botowire(mode="strict")
        def test_it(botowire):
            s3 = boto3.client("s3", region_name="us-east-1")
            with pytest.raises(ClientError) as raised:
                s3.get_object(Bucket="b", Key="k")
            url = s3.generate_presigned_url("get_object", Params={"Bucket": "b", "Key": "k"})
            reply = requests.get(url, timeout=5)
            assert reply.status_code == 400 == raised.value.response["ResponseMetadata"]["HTTPStatusCode"]
            assert raised.value.response["Error"]["Message"].encode() in reply.content
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*botowire strict mode: 2 requests answered by nothing*"])


def test_a_requests_call_whose_capture_fails_gets_an_error_never_the_network(
    pytester: pytest.Pytester,
) -> None:
    """Offline means offline, also when capturing a ``requests`` call fails."""
    pytester.makepyfile(
        """
import requests
from pytest_botowire.integrations import requests as integration


def test_it(botowire, monkeypatch):
    def broken(self, request):
        raise OSError("the disk went away")

    monkeypatch.setattr(integration._Capture, "_record", broken)
    response = requests.post("https://abc123.execute-api.us-east-1.amazonaws.com/prod/x", json={})
    assert response.status_code == 400
    assert "pytest-botowire could not answer this request" in response.text
"""
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*botowire: 1 failure of pytest-botowire itself on this test's requests*",
            "*- requests POST https://abc123.execute-api.us-east-1.amazonaws.com/prod/x: "
            "capture failed: OSError: the disk went away",
        ]
    )
    # the code under test got the error answer: it did not raise (no connection attempted)
    assert "then raised" not in result.stdout.str()
    assert "ConnectionError" not in result.stdout.str()
