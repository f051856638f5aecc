"""What the publisher really sends to CloudWatch, checked with pytest-botowire.

Run with ``pytest examples``: everything is offline, no AWS account needed.
"""

from __future__ import annotations

import re

import pytest
from metrics_publisher import make_metrics, publish_metrics


def test_metrics_are_batched_gzipped_and_fit(botowire):
    publish_metrics(make_metrics(3000))

    puts = botowire.select("cloudwatch.PutMetricData")
    puts.assert_called(times=3)
    puts.assert_gzipped()  # exactly once, though botocore gzips big bodies itself
    puts.assert_payload_under(1_000_000)  # AWS: 1 MB per PutMetricData request
    puts.assert_signed()  # gzip happened before signing, so AWS accepts the signature
    botowire.assert_header("User-Agent", re.compile("Boto3/"))


@pytest.mark.botowire(aws_limits=True)
def test_every_request_is_within_the_aws_limits(botowire):
    publish_metrics(make_metrics(2500))
    assert len(botowire) == 3


def test_a_batch_refused_as_too_large_is_split(botowire):
    botowire.respond("cloudwatch.PutMetricData", error="RequestEntityTooLarge", status=413, times=1)

    assert publish_metrics(make_metrics(1000)) == 2

    sizes = [len(r.params["MetricData"]) for r in botowire.select("cloudwatch.PutMetricData")]
    assert sizes == [1000, 500, 500]


def test_throttling_is_retried(botowire):
    botowire.respond("cloudwatch.PutMetricData", error="Throttling", status=400, times=2)

    publish_metrics(make_metrics(10))

    assert [r.attempt for r in botowire] == [1, 2, 3]
