"""An API call made while another is in flight keeps the outer call's record intact.

A credential refresh that calls STS (assume-role, web identity, S3 Express ``CreateSession``)
runs inside the outer call, often from botowire's own ``before-sign`` handler, which freezes the
credentials the signer is about to use. The outer request keeps its parameters and credentials,
and limit rules measured from the parameters still measure it.
"""

from __future__ import annotations

import datetime
from typing import Any

import boto3
import botocore.session
import pytest
from botocore.credentials import RefreshableCredentials

pytest_plugins = ["pytester"]


def refreshing_session(refreshes: list[str]) -> Any:
    """A boto3 session whose expired credentials refresh through an STS call (as assume-role does)."""
    sts = boto3.client(
        "sts", region_name="us-east-1", aws_access_key_id="AKIDSOURCE", aws_secret_access_key="x"
    )

    def refresh() -> dict[str, str]:
        refreshes.append(sts.get_caller_identity()["Account"])
        expiry = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=1)
        return {
            "access_key": "AKIDREFRESHED",
            "secret_key": "refreshed-secret",
            "token": "refreshed-token",
            "expiry_time": expiry.isoformat(),
        }

    expired = (
        datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(hours=1)
    ).isoformat()
    credentials = RefreshableCredentials.create_from_metadata(
        metadata={
            "access_key": "AKIDOLD",
            "secret_key": "old",
            "token": "old-token",
            "expiry_time": expired,
        },
        refresh_using=refresh,
        method="assume-role",
    )
    core = botocore.session.get_session()
    core._credentials = credentials  # what an assume-role profile resolves to
    return boto3.Session(botocore_session=core, region_name="us-east-1")


def test_a_refresh_inside_a_call_keeps_the_outer_record(botowire: Any) -> None:
    refreshes: list[str] = []
    sqs = refreshing_session(refreshes).client("sqs")
    sqs.send_message(QueueUrl="https://sqs.us-east-1.amazonaws.com/1/q", MessageBody="hello")
    assert len(refreshes) == 1
    assert [r.name for r in botowire] == ["sts.GetCallerIdentity", "sqs.SendMessage"]
    outer = botowire.select("sqs.SendMessage")[0]
    assert outer.params == {
        "QueueUrl": "https://sqs.us-east-1.amazonaws.com/1/q",
        "MessageBody": "hello",
    }
    assert outer.credentials is not None
    assert outer.credentials.access_key == "AKIDREFRESHED"
    outer.assert_signed()
    botowire.select("sqs.SendMessage").assert_params(MessageBody="hello")


def test_a_2_mb_message_sent_during_a_refresh_is_over_the_limit(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest
        from test_nested_calls import refreshing_session

        @pytest.mark.botowire(aws_limits=True)
        def test_big(botowire):
            sqs = refreshing_session([]).client("sqs")
            sqs.send_message(QueueUrl="https://sqs.us-east-1.amazonaws.com/1/q",
                             MessageBody="x" * 2_000_000)
        """
    )
    pytester.syspathinsert(str(__import__("pathlib").Path(__file__).parent))
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*botowire limits: 1 of 2 requests is over a limit*"])


def test_a_limit_rule_that_cannot_measure_a_request_says_so(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import boto3, pytest
        from pytest_botowire.capture.handlers import _on_client_params

        @pytest.mark.botowire(aws_limits=True)
        def test_blind(botowire):
            sqs = boto3.client("sqs", region_name="us-east-1")
            # a client whose call parameters the plugin never sees (as for a request that is
            # not made through a client call)
            sqs.meta.events.unregister("provide-client-params", _on_client_params)
            sqs.send_message(QueueUrl="https://sqs.us-east-1.amazonaws.com/1/q", MessageBody="x")
            assert botowire[0].params is None
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*botowire limits: 1 of 1 request could not be measured against a limit: the "
            "parameters of the call are unknown",
            "*- sqs.SendMessage (attempt 1)*: not checked: *",
        ]
    )
