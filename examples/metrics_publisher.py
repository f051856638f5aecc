"""The code under test: a service that publishes custom metrics to CloudWatch in batches.

It is the scenario pytest-botowire comes from. One ``PutMetricData`` call per data point got
throttled under load, so metrics are batched (at most 1000 per call, AWS's limit), the body is
gzipped (``PutMetricData`` accepts gzip) and a batch that AWS refuses as too large is split in
two and sent again (the "optimistic" strategy).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import boto3
from botocore.exceptions import ClientError

from pytest_botowire import enable_gzip

MAX_METRICS_PER_CALL = 1000

# Created when the module is imported, as production code often does; pytest-botowire still
# captures its requests.
cloudwatch = boto3.client("cloudwatch", region_name="us-east-1")
# Gzip every PutMetricData body, at any size, without ever gzipping twice (botocore itself
# already gzips bodies of 10240 bytes or more).
enable_gzip(cloudwatch, "cloudwatch.PutMetricData")


def make_metrics(count: int, *, service: str = "checkout") -> list[dict[str, Any]]:
    """``count`` data points, as a Kinesis consumer might have read them."""
    return [
        {
            "MetricName": f"latency-{i % 50}",
            "Dimensions": [
                {"Name": "Service", "Value": service},
                {"Name": "Shard", "Value": str(i % 8)},
            ],
            "Value": float(i % 997),
            "Unit": "Milliseconds",
        }
        for i in range(count)
    ]


def batches(items: Sequence[dict[str, Any]], size: int) -> Iterable[Sequence[dict[str, Any]]]:
    """``items`` in consecutive slices of at most ``size``."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def publish_metrics(metrics: Sequence[dict[str, Any]], *, namespace: str = "Shop") -> int:
    """Publish ``metrics``; return the number of ``PutMetricData`` calls that succeeded."""
    calls = 0
    for batch in batches(metrics, MAX_METRICS_PER_CALL):
        calls += _put(batch, namespace)
    return calls


def _put(batch: Sequence[dict[str, Any]], namespace: str) -> int:
    try:
        cloudwatch.put_metric_data(Namespace=namespace, MetricData=list(batch))
        return 1
    except ClientError as error:
        status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        if status != 413 or len(batch) == 1:
            raise
    half = len(batch) // 2
    return _put(batch[:half], namespace) + _put(batch[half:], namespace)
