"""Retries cost no wall time offline, and the back-off botocore chose is visible.

A test that throttles every attempt used to wait for botocore's real back-off (seconds in
standard mode, minutes in legacy mode). Offline and strict tests skip the sleeps; passthrough
keeps them; the marker key ``retry_sleep`` and ``--botowire-retry-sleep`` turn it either way.
Each attempt's ``CapturedRequest.backoff`` holds the delay botocore chose before it.
"""

from __future__ import annotations

import pytest

THROTTLED = """
import time

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

QUEUE = "https://sqs.us-east-1.amazonaws.com/123456789012/q"


def throttle_every_attempt(botowire, retries, attempts, monkeypatch=None):
    if monkeypatch is not None:  # passthrough lends no credentials
        monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
        monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "secret")
    botowire.respond("sqs.SendMessage", error="ThrottlingException", times=attempts)
    sqs = boto3.client("sqs", region_name="us-east-1", config=Config(retries=retries))
    start = time.monotonic()
    with pytest.raises(ClientError, match="ThrottlingException"):
        sqs.send_message(QueueUrl=QUEUE, MessageBody="x")
    elapsed = time.monotonic() - start
    sent = botowire.select("sqs.SendMessage")
    assert [r.attempt for r in sent] == list(range(1, attempts + 1))
    assert sent[0].backoff is None
    # botocore's policy in both modes: random() * 2 ** (attempt - 2) before attempt N >= 2
    # (standard caps it at 20 s)
    cap = 20 if retries["mode"] == "standard" else float("inf")
    for request in sent[1:]:
        assert 0 <= request.backoff <= min(2 ** (request.attempt - 2), cap), request.backoff
    # jittered, not a constant: not all the same value
    if attempts > 3:
        assert len({r.backoff for r in sent[1:]}) > 1
    return elapsed, sent
"""


def test_standard_and_legacy_throttling_costs_no_wall_time(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        THROTTLED
        + """
def test_standard(botowire):
    elapsed, sent = throttle_every_attempt(botowire, {"mode": "standard"}, 3)
    assert elapsed < 1.0, elapsed


def test_legacy(botowire):
    elapsed, sent = throttle_every_attempt(
        botowire, {"mode": "legacy", "max_attempts": 10}, 11
    )
    # botocore would have slept this long
    assert sum(r.backoff for r in sent[1:]) > 5
    assert elapsed < 1.0, elapsed


@pytest.mark.botowire(mode="strict")
def test_strict_mode_skips_too(botowire):
    elapsed, sent = throttle_every_attempt(botowire, {"mode": "standard", "total_max_attempts": 5}, 5)
    assert elapsed < 1.0, elapsed
"""
    )
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=3)


def test_sleeps_are_kept_in_passthrough_and_when_asked(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        THROTTLED
        + """
def waited(sent):
    return sum(r.backoff for r in sent[1:])


@pytest.mark.botowire(mode="passthrough")
def test_passthrough(botowire, monkeypatch):
    elapsed, sent = throttle_every_attempt(botowire, {"mode": "standard"}, 3, monkeypatch)
    assert elapsed >= waited(sent) * 0.9


@pytest.mark.botowire(retry_sleep=True)
def test_marker_on(botowire):
    elapsed, sent = throttle_every_attempt(botowire, {"mode": "standard"}, 3)
    assert elapsed >= waited(sent) * 0.9


@pytest.mark.botowire(mode="passthrough", retry_sleep=False)
def test_marker_off_in_passthrough(botowire, monkeypatch):
    elapsed, sent = throttle_every_attempt(
        botowire, {"mode": "legacy", "max_attempts": 6}, 7, monkeypatch
    )
    assert waited(sent) > 1
    assert elapsed < 1.0
"""
    )
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=3)


def test_the_option_turns_sleeping_on_offline(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        THROTTLED
        + """
def test_on(botowire):
    elapsed, sent = throttle_every_attempt(botowire, {"mode": "standard"}, 3)
    assert elapsed >= sum(r.backoff for r in sent[1:]) * 0.9
"""
    )
    pytester.runpytest("-p", "no:cacheprovider", "--botowire-retry-sleep=on").assert_outcomes(
        passed=1
    )
    pytester.makeini("[pytest]\nbotowire_retry_sleep = on\n")
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)


def test_the_option_turns_sleeping_off_in_passthrough(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        THROTTLED
        + """
@pytest.mark.botowire(mode="passthrough")
def test_off(botowire, monkeypatch):
    elapsed, sent = throttle_every_attempt(
        botowire, {"mode": "legacy", "max_attempts": 6}, 7, monkeypatch
    )
    assert elapsed < 1.0
"""
    )
    pytester.runpytest("-p", "no:cacheprovider", "--botowire-retry-sleep=off").assert_outcomes(
        passed=1
    )


def test_bad_retry_sleep_values_are_refused(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
import pytest

@pytest.mark.botowire(retry_sleep="yes")
def test_it(botowire):
    pass
"""
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    assert result.ret != 0
    result.stdout.fnmatch_lines(["*botowire(retry_sleep=...) must be True or False, not 'yes'*"])
    result = pytester.runpytest("-p", "no:cacheprovider", "-o", "botowire_retry_sleep=sometimes")
    assert result.ret != 0
    result.stderr.fnmatch_lines(
        ["*botowire_retry_sleep = 'sometimes' is not one of auto, on, off*"]
    )


def test_no_capturing_test_sleeps_as_botocore_does() -> None:
    """The wrapper outside a test: botocore's own sleep, the delay not noted anywhere."""
    import time

    import botocore.endpoint

    from pytest_botowire.features import retries

    retries.install()
    start = time.monotonic()
    botocore.endpoint.time.sleep(0.2)
    assert time.monotonic() - start >= 0.19
