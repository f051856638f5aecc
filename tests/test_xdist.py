"""The plugin's features under pytest-xdist (``-n 2``), in one inline suite."""

from __future__ import annotations

import pytest

pytest_plugins = ["pytester"]
pytest.importorskip("xdist", reason="pytest-xdist is a test dependency")

SUITE = """
import re
import boto3, pytest
from pytest_botowire import gzip_request_body

def metrics(n):
    return [{"MetricName": f"m{i}", "Value": float(i)} for i in range(n)]

def test_offline_capture(botowire):
    boto3.client("sqs").send_message(QueueUrl="https://q", MessageBody="hello")
    botowire.select("sqs.SendMessage").assert_called(times=1)
    assert botowire[0].answered_by == "botowire"

def test_respond_and_retries(botowire, monkeypatch):
    monkeypatch.setattr("botocore.retries.standard.ExponentialBackoff.delay_amount", lambda self, c: 0)
    from botocore.config import Config
    client = boto3.client("cloudwatch", config=Config(retries={"mode": "standard", "total_max_attempts": 3}))
    botowire.respond("cloudwatch.PutMetricData", error="Throttling", times=2)
    client.put_metric_data(Namespace="n", MetricData=metrics(2))
    assert [r.attempt for r in botowire] == [1, 2, 3]

def test_gzip_fixture(botowire, botowire_gzip):
    boto3.client("cloudwatch").put_metric_data(Namespace="n", MetricData=metrics(1))
    botowire.assert_gzipped()
    botowire.assert_signed()

@pytest.mark.botowire(max_payload=10)
def test_marker_breach(botowire):
    boto3.client("sqs").send_message(QueueUrl="https://q", MessageBody="x" * 50)

@pytest.mark.botowire(mode="strict")
def test_strict(botowire):
    boto3.client("sqs").list_queues()

def test_assertion_message(botowire):
    boto3.client("cloudwatch").put_metric_data(Namespace="n", MetricData=metrics(1))
    botowire.assert_header("X-Trace-Id", re.compile(".+"))
"""


def test_every_feature_works_under_two_workers(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_suite=SUITE)
    result = pytester.runpytest_subprocess("-n", "2", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=3, failed=3)
    result.stdout.fnmatch_lines(["*botowire limits: 1 of 1 request is over a limit*"])
    result.stdout.fnmatch_lines(["*botowire strict mode: 1 request answered by nothing*"])
    result.stdout.fnmatch_lines(
        [
            "*assert_header: 1 of 1 request (all captured requests) is missing header X-Trace-Id matching '.+'*"
        ]
    )
    # the summary on the controller counts every worker's requests once: 1 + 3 + 1 + 1 + 1 + 1
    result.stdout.fnmatch_lines(
        ["8 requests to 3 operations captured in 6 tests; 1 request over a limit"]
    )
