"""The one pattern matcher (``aws/patterns.py``): strict patterns, lenient rule patterns,
matching by client name or by botocore's hyphenized service id, and specificity."""

from __future__ import annotations

import pytest

from pytest_botowire.aws.hints import closest, did_you_mean
from pytest_botowire.aws.patterns import lenient_pattern, parse_pattern


def test_a_pattern_matches_by_client_name_and_by_service_id() -> None:
    pattern = parse_pattern("cloudwatch-logs.Put*")
    assert pattern.service == "logs"
    assert pattern.matches("logs", "PutLogEvents")
    assert not pattern.matches("logs", "GetLogEvents")
    assert pattern.matches_service_id("cloudwatch-logs", "PutLogEvents")
    assert not pattern.matches_service_id("logs", "PutLogEvents")  # "logs" is not a service id
    assert not pattern.matches_service_id("cloudwatch", "PutLogEvents")
    assert parse_pattern("*.PutLogEvents").matches_service_id("anything", "PutLogEvents")


def test_lenient_patterns_resolve_service_ids_and_keep_unknown_names() -> None:
    assert lenient_pattern("sfn.StartExecution").service == "stepfunctions"
    assert lenient_pattern("eventbridge.*").matches("events", "PutEvents")
    unknown = lenient_pattern("myapi.*")
    assert unknown.service == "myapi"
    assert unknown.matches("myapi", "POST")
    assert not unknown.matches("sqs", "POST")
    assert lenient_pattern("*").matches("sqs", "SendMessage")


def test_a_service_glob_matches_client_names_and_service_ids() -> None:
    by_id = lenient_pattern("cloudwatch-l*.Put*")
    assert by_id.matches("logs", "PutLogEvents")
    assert by_id.matches_service_id("cloudwatch-logs", "PutLogEvents")
    assert not by_id.matches("cloudwatch", "PutMetricData")
    by_name = lenient_pattern("sq?.*")
    assert by_name.matches("sqs", "SendMessage")
    assert by_name.matches_service_id("sqs", "SendMessage")
    assert not by_name.matches("sns", "Publish")
    assert not lenient_pattern("x*.*").matches("execute-api", "GET")  # no model: no id


@pytest.mark.parametrize(
    ("text", "specificity"),
    [
        ("sqs.SendMessage", 3),
        ("sqs.*", 2),
        ("sqs", 2),
        ("*.SendMessage", 1),
        ("*", 0),
        ("s*.SendMessage", 1),
        ("sqs.Send*", 2),
    ],
)
def test_specificity(text: str, specificity: int) -> None:
    assert lenient_pattern(text).specificity == specificity


def test_did_you_mean() -> None:
    assert closest("SendMesage", ["SendMessage", "ReceiveMessage"]) == ["SendMessage"]
    assert closest("body", ["Body", "Key"], n=1) == ["Body"]  # other case
    assert closest("logs", ["cloudwatch-logs", "sqs"]) == ["cloudwatch-logs"]  # a part
    assert did_you_mean("zzz", ["sqs"]) == ""
    assert did_you_mean("PutLogEvent", ["PutLogEvents", "GetLogEvents", "Put"]) == (
        "did you mean 'PutLogEvents' or 'GetLogEvents'?"
    )
