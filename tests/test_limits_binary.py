"""Limits that do not cry wolf: AWS's KB/MB read as AWS's own agents and SDKs read them.

A logging library sending one CloudWatch Logs event at the maximum AWS accepts (1,048,550
message bytes + 26 = 1,048,576, the batch limit AWS states in bytes) passes with
``--botowire-aws-limits``; one byte more fails.
"""

from __future__ import annotations

import json
import re
from importlib import resources

import pytest

TEST = """
import boto3


def send(size):
    logs = boto3.client("logs", region_name="us-east-1")
    logs.put_log_events(
        logGroupName="app",
        logStreamName="web",
        logEvents=[{"timestamp": 1_700_000_000_000, "message": "x" * size}],
    )


def test_at_the_limit(botowire):
    send(1_048_550)


def test_one_byte_over(botowire):
    send(1_048_551)
"""


def test_a_log_event_at_the_maximum_passes_and_one_byte_more_fails(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(TEST)
    result = pytester.runpytest("-p", "no:cacheprovider", "--botowire-aws-limits")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(
        [
            "*test_one_byte_over*",
            "*logs.put_log_events.batch_size*1048577*1048576*",
        ]
    )
    assert "test_at_the_limit FAILED" not in result.stdout.str()
    result.stdout.no_fnmatch_line("*event_size*1048576 bytes, over the limit of 1000000*")


def test_every_kb_mb_row_names_its_byte_count_or_says_none_was_found() -> None:
    """A row whose limit AWS gives in KB/MB records a second source, or says it kept the
    stricter reading because no AWS source fixes the byte count."""
    text = (
        resources.files("pytest_botowire.features.limits")
        .joinpath("aws_limits.json")
        .read_text("utf-8")
    )
    rows = json.loads(text)["rules"]
    unsettled = []
    for row in rows:
        if row["unit"] != "bytes":
            continue
        note = row.get("note", "")
        if row.get("byte_count_source"):
            continue
        if "states the byte count" in note or "No second AWS source" in note:
            continue
        if re.search(r"\([\d,]+ bytes\)", row["description"]):  # AWS's page gives the count
            continue
        if any(word in row["description"] for word in (" KB", " MB", " GB")):
            unsettled.append(row["id"])
    assert unsettled == []
    by_id = {row["id"]: row for row in rows}
    assert by_id["logs.put_log_events.event_size"]["limit"] == 1_048_576
    assert by_id["lambda.invoke.sync_payload"]["limit"] == 6_291_456
    assert by_id["s3.put_object.size"]["limit"] == 5_368_709_120
    # AWS's own CloudWatch agent reads PutMetricData's 1 MB as 1,000,000 bytes
    assert by_id["cloudwatch.put_metric_data.size"]["limit"] == 1_000_000
