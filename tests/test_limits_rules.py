"""Tests for the AWS limit rules (pytest_botowire.features.limits.rules and aws_limits.json)."""

from __future__ import annotations

import datetime
import gzip
import io
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import botocore.session
import pytest
from botocore.config import Config
from botocore_features import HAS_ENTITY_METRIC_DATA

from pytest_botowire.aws.serialize import serialize_response, to_aws_response
from pytest_botowire.features.limits.rules import (
    MEASURES,
    SIZERS,
    Check,
    Rule,
    RuleSet,
    builtin_rules,
    parse_rule_line,
    payload_rule,
    size_of,
)

JSON_TEXT = (
    resources.files("pytest_botowire.features.limits")
    .joinpath("aws_limits.json")
    .read_text("utf-8")
)
JSON_DATA = json.loads(JSON_TEXT)
RULES = {rule.id: rule for rule in builtin_rules()}
RULE_IDS = [entry["id"] for entry in JSON_DATA["rules"]]


@dataclass
class Req:
    """A minimal RequestLike."""

    service: str
    operation: str
    params: Mapping[str, Any] | None = field(default_factory=dict)
    size: int | None = None
    decoded_size: int | None = None


def req_for(rule: Rule, **kw: Any) -> Req:
    service, _, operation = rule.pattern.partition(".")
    return Req(service, operation, **kw)


# ----------------------------------------------------------------- generic builders


def when_params(rule: Rule) -> dict[str, Any]:
    """Parameters that satisfy the rule's condition."""
    params: dict[str, Any] = {}
    for name, allowed in (rule.when or {}).items():
        options = allowed if isinstance(allowed, list) else [allowed]
        if None not in options:
            params[name] = options[0]
    return params


def place(path: str, leaf: Any) -> dict[str, Any]:
    """Parameters in which ``path`` resolves to exactly ``leaf``."""
    if path == "$":
        assert isinstance(leaf, dict)
        return dict(leaf)

    def build(segments: list[str]) -> Any:
        if not segments:
            return leaf
        seg, rest = segments[0], segments[1:]
        inner = build(rest)
        if seg == "*":
            return {"table": inner}
        if seg.endswith("[]"):
            return {seg[:-2]: [inner]}
        return {seg: inner}

    built = build(path.split("."))
    assert isinstance(built, dict)
    return built


def sized_value(sizer: str, n: int) -> Any:
    """A value the sizer measures as exactly ``n`` bytes."""
    attrs = {"attr": {"DataType": "String", "StringValue": "v"}}  # 4 + 6 + 1 = 11 bytes
    if sizer == "utf8":
        return "a" * n
    if sizer == "sqs_message":
        return {"Id": "1", "MessageBody": "a" * (n - 11), "MessageAttributes": attrs}
    if sizer == "sns_message":
        return {"Id": "1", "Message": "a" * (n - 11), "MessageAttributes": attrs}
    if sizer == "eventbridge_entry":
        return {
            "Time": datetime.datetime(2026, 11, 1),  # 14
            "Source": "src",  # 3
            "DetailType": "dt",  # 2
            "Resources": ["r"],  # 1
            "Detail": "d" * (n - 20),
            "EventBusName": "not-counted",
        }
    if sizer == "kinesis_record":
        return {"Data": b"x" * (n - 2), "PartitionKey": "pk", "StreamName": "s"}
    if sizer == "log_event":
        return {"timestamp": 0, "message": "m" * (n - 26)}
    if sizer == "dynamodb_item":
        return {"pk": {"S": "x" * (n - 2)}}
    raise AssertionError(sizer)


def request_with_value(rule: Rule, n: int) -> Req:
    """A request on which the rule measures exactly ``n``."""
    params = when_params(rule)
    if rule.measure == "body_bytes":
        return req_for(rule, params=params, size=n)
    if rule.measure == "decoded_body_bytes":
        return req_for(rule, params=params, decoded_size=n)
    path = rule.paths[0]
    if rule.measure in ("entries", "max_list_per_item"):
        leaf: Any = [{} for _ in range(n)]
    else:
        leaf = sized_value(rule.sizer, n)
    params.update(place(path, leaf))
    return req_for(rule, params=params)


# ----------------------------------------------------------------- every builtin rule


@pytest.mark.parametrize("rule_id", RULE_IDS)
def test_at_limit_passes(rule_id: str) -> None:
    rule = RULES[rule_id]
    request = request_with_value(rule, rule.limit)
    assert rule.matches(request)
    assert rule.measure_value(request) == rule.limit
    checks = [c for c in RuleSet(builtin_rules()).check(request) if c.rule.id == rule_id]
    assert len(checks) == 1
    assert checks[0].passed is True
    assert not checks[0].breached


@pytest.mark.parametrize("rule_id", RULE_IDS)
def test_one_over_limit_fails(rule_id: str) -> None:
    rule = RULES[rule_id]
    request = request_with_value(rule, rule.limit + 1)
    assert rule.measure_value(request) == rule.limit + 1
    breaches = {b.rule.id: b for b in RuleSet(builtin_rules()).breaches(request)}
    # One item over a total limit may also be over a per-item limit of equal size.
    assert rule_id in breaches
    assert all(RULES[other].limit <= rule.limit for other in breaches)
    message = breaches[rule_id].message()
    assert rule_id in message
    assert f"{rule.limit + 1} {rule.unit}, over the limit of {rule.limit}" in message
    assert rule.source in message


@pytest.mark.parametrize("rule_id", RULE_IDS)
def test_unknown_params_or_size_is_not_measurable(rule_id: str) -> None:
    rule = RULES[rule_id]
    request = req_for(rule, params=None, size=None, decoded_size=None)
    assert rule.matches(request)
    check = Check(rule, rule.measure_value(request))
    assert check.value is None
    assert check.passed is None
    assert not check.breached


@pytest.mark.parametrize(
    "rule_id",
    [r for r in RULE_IDS if RULES[r].measure in ("entries", "max_list_per_item", "param_bytes")],
)
def test_every_path_counts(rule_id: str) -> None:
    """Each path of a multi-path rule is measured (one over on any path fails)."""
    rule = RULES[rule_id]
    for path in rule.paths:
        if rule.measure == "param_bytes":
            leaf: Any = sized_value(rule.sizer, rule.limit + 1)
        else:
            leaf = [{} for _ in range(rule.limit + 1)]
        request = req_for(rule, params={**when_params(rule), **place(path, leaf)})
        assert rule.measure_value(request) == rule.limit + 1, path


# ----------------------------------------------------------------- the JSON itself

REQUIRED = {"id", "pattern", "measure", "limit", "unit", "description", "source", "checked"}
OPTIONAL = {"when", "note", "path", "paths", "sizer", "group", "byte_count_source"}
SIZER_KEYS = {
    "sqs_message": {"MessageBody", "MessageAttributes"},
    "sns_message": {"Message", "MessageAttributes"},
    "eventbridge_entry": {"Time", "Source", "DetailType", "Detail", "Resources"},
    "kinesis_record": {"Data", "PartitionKey"},
    "log_event": {"message"},
}


@pytest.fixture(scope="module")
def session() -> Any:
    return botocore.session.get_session()


def test_json_header() -> None:
    assert JSON_DATA["schema"] == 1
    assert JSON_DATA["checked"] == "2026-11"
    assert JSON_TEXT.endswith("\n")


def test_json_ids_unique() -> None:
    assert len(RULE_IDS) == len(set(RULE_IDS))
    assert len(builtin_rules()) == len(RULE_IDS)


@pytest.mark.parametrize("entry", JSON_DATA["rules"], ids=RULE_IDS)
def test_json_rule_fields(entry: dict[str, Any]) -> None:
    assert set(entry) >= REQUIRED, REQUIRED - set(entry)
    assert set(entry) <= REQUIRED | OPTIONAL, set(entry) - REQUIRED - OPTIONAL
    assert entry["measure"] in MEASURES
    assert entry.get("sizer", "utf8") in SIZERS
    assert isinstance(entry["limit"], int)
    assert entry["limit"] > 0
    assert entry["checked"] == "2026-11"
    assert entry["source"].startswith("https://docs.aws.amazon.com/")
    assert entry["description"].endswith(".")
    assert entry["unit"] in {
        "bytes",
        "entries",
        "metrics",
        "values",
        "dimensions",
        "events",
        "records",
        "requests",
        "actions",
        "parts",
    }
    service = entry["pattern"].partition(".")[0]
    assert entry["id"].startswith(service + ".")
    if entry["measure"] in ("body_bytes", "decoded_body_bytes"):
        assert "paths" not in entry
        assert entry["unit"] == "bytes"
    else:
        assert entry["paths"]
    if "when" in entry:
        assert isinstance(entry["when"], dict)
        assert entry["when"]


def _walk(shape: Any, path: str) -> Any:
    if path == "$":
        return shape
    for raw in path.split("."):
        step_list = raw.endswith("[]")
        key = raw[:-2] if step_list else raw
        if key == "*":
            assert shape.type_name == "map", path
            shape = shape.value
        else:
            assert shape.type_name == "structure", path
            assert key in shape.members, f"{key} not in {sorted(shape.members)}"
            shape = shape.members[key]
        if step_list:
            assert shape.type_name == "list", path
            shape = shape.member
    return shape


@pytest.mark.parametrize("rule_id", RULE_IDS)
def test_json_pattern_and_paths_exist_in_botocore(rule_id: str, session: Any) -> None:
    rule = RULES[rule_id]
    service, _, operation = rule.pattern.partition(".")
    assert service in session.get_available_services()
    model = session.get_service_model(service)
    assert operation in model.operation_names
    input_shape = model.operation_model(operation).input_shape
    for path in rule.paths:
        if path.startswith("EntityMetricData[]") and not HAS_ENTITY_METRIC_DATA:
            # newer than this botocore (PutMetricData has no such member): nothing to count
            assert rule.pattern == "cloudwatch.PutMetricData"
            assert "EntityMetricData" not in input_shape.members
            continue
        shape = _walk(input_shape, path)
        if rule.measure in ("entries", "max_list_per_item"):
            assert shape.type_name in ("list", "map"), path
        elif rule.sizer in SIZER_KEYS:
            assert shape.type_name == "structure"
            assert SIZER_KEYS[rule.sizer] <= set(shape.members), path
        elif rule.sizer == "dynamodb_item":
            assert shape.type_name == "map"
        else:
            assert shape.type_name in ("string", "blob"), path
    for name, allowed in (rule.when or {}).items():
        member = input_shape.members[name]
        options = allowed if isinstance(allowed, list) else [allowed]
        for option in options:
            assert option is None or option in member.enum


# ----------------------------------------------------------------- parse_rule_line

EXPECTED = (
    "expected 'PATTERN MEASURE<=LIMIT [source]' with MEASURE one of "
    "body_bytes, decoded_body_bytes and LIMIT a plain integer number of bytes "
    "(underscores allowed, no units), e.g. 'sqs.SendMessage body_bytes<=262144'"
)


def test_parse_rule_line_with_source() -> None:
    rule = parse_rule_line("sqs.SendMessage body_bytes<=262144 https://example.com/limits")
    assert rule.pattern == "sqs.SendMessage"
    assert rule.measure == "body_bytes"
    assert rule.limit == 262144
    assert rule.source == "https://example.com/limits"
    assert rule.id == "user.sqs.SendMessage.body_bytes"
    assert rule.group == "user:body_bytes"


def test_parse_rule_line_underscores_spaces_and_default_source() -> None:
    rule = parse_rule_line("  myapi.* decoded_body_bytes <= 1_000  ")
    assert (rule.pattern, rule.measure, rule.limit) == ("myapi.*", "decoded_body_bytes", 1000)
    assert rule.source == "ini botowire_limits"


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("sqs.SendMessage", f"invalid botowire limit line 'sqs.SendMessage': {EXPECTED}"),
        ("", f"invalid botowire limit line '': {EXPECTED}"),
        (
            "sqs.SendMessage body_bytes<=256KB",
            "invalid botowire limit line 'sqs.SendMessage body_bytes<=256KB': "
            f"limit '256KB' is not a plain integer; {EXPECTED}",
        ),
        (
            "sqs.SendMessage body_bytes<=1MiB",
            "invalid botowire limit line 'sqs.SendMessage body_bytes<=1MiB': "
            f"limit '1MiB' is not a plain integer; {EXPECTED}",
        ),
        (
            "sqs.SendMessage body_bytes<=-5",
            "invalid botowire limit line 'sqs.SendMessage body_bytes<=-5': "
            f"limit '-5' is not a plain integer; {EXPECTED}",
        ),
        (
            "sqs.SendMessage body_bytes<=1__0",
            "invalid botowire limit line 'sqs.SendMessage body_bytes<=1__0': "
            f"limit '1__0' is not a plain integer; {EXPECTED}",
        ),
        (
            "sqs.SendMessage entries<=10",
            "invalid botowire limit line 'sqs.SendMessage entries<=10': "
            f"unknown measure 'entries'; {EXPECTED}",
        ),
        (
            "sqs.SendMessage body_bytes=10",
            f"invalid botowire limit line 'sqs.SendMessage body_bytes=10': {EXPECTED}",
        ),
    ],
)
def test_parse_rule_line_errors(line: str, message: str) -> None:
    with pytest.raises(ValueError, match="invalid botowire limit line") as excinfo:
        parse_rule_line(line)
    assert str(excinfo.value) == message


def test_rule_validation() -> None:
    with pytest.raises(ValueError, match="unknown measure 'weight'"):
        Rule(id="x", pattern="*", measure="weight", limit=1)
    with pytest.raises(ValueError, match="measure 'entries' needs paths"):
        Rule(id="x", pattern="*", measure="entries", limit=1)
    with pytest.raises(ValueError, match="unknown sizer 'nope'"):
        Rule(id="x", pattern="*", measure="param_bytes", limit=1, paths=("a",), sizer="nope")
    with pytest.raises(ValueError, match="non-negative integer"):
        Rule(id="x", pattern="*", measure="body_bytes", limit=-1)


# ----------------------------------------------------------------- specificity, overrides


def test_most_specific_payload_rule_wins() -> None:
    rules = RuleSet(
        [
            payload_rule("*", 1_000_000, "--botowire-max-payload"),
            payload_rule("cloudwatch.PutMetricData", 40_000, "marker max_payload"),
            payload_rule("cloudwatch.*", 500_000, "--botowire-max-payload"),
        ]
    )
    pmd = Req("cloudwatch", "PutMetricData", size=40_001)
    assert [r.limit for r in rules.rules_for(pmd)] == [40_000]
    assert [c.breached for c in rules.check(pmd)] == [True]
    other = Req("cloudwatch", "GetMetricData", size=40_001)
    assert [r.limit for r in rules.rules_for(other)] == [500_000]
    sqs = Req("sqs", "SendMessage", size=40_001)
    assert [r.limit for r in rules.rules_for(sqs)] == [1_000_000]
    explained = rules.explain(pmd)
    assert "a more specific rule in group 'user:body_bytes' wins" in explained
    assert "measured 40001 -> BREACHED" in explained


def test_specificity_ties_go_to_the_later_rule_and_same_pattern_overrides() -> None:
    rules = RuleSet([payload_rule("sqs.*", 10, "a"), payload_rule("sqs.*", 20, "b")])
    assert len(rules) == 1
    assert rules.rules_for(Req("sqs", "SendMessage"))[0].limit == 20


def test_builtin_rules_all_apply() -> None:
    request = Req("cloudwatch", "PutMetricData", params={"MetricData": []}, decoded_size=10)
    ids = [r.id for r in RuleSet(builtin_rules()).rules_for(request)]
    assert ids == [
        "cloudwatch.put_metric_data.size",
        "cloudwatch.put_metric_data.metrics",
        "cloudwatch.put_metric_data.values_per_metric",
        "cloudwatch.put_metric_data.dimensions",
    ]


def test_user_rule_without_when_overrides_both_lambda_rules() -> None:
    rules = RuleSet([*builtin_rules(), parse_rule_line("lambda.Invoke body_bytes<=6291456")])
    sync = Req("lambda", "Invoke", params={}, size=6_291_456)
    assert [(c.rule.id, c.passed) for c in rules.check(sync)] == [
        ("user.lambda.Invoke.body_bytes", True)
    ]
    event = Req("lambda", "Invoke", params={"InvocationType": "Event"}, size=6_291_456)
    assert [c.rule.id for c in rules.check(event)] == ["user.lambda.Invoke.body_bytes"]


def test_override_by_id_keeps_position_of_new_rule() -> None:
    base = RULES["sqs.send_message.size"]
    raised = Rule(**{**base.__dict__, "limit": 2_000_000})
    rules = RuleSet([*builtin_rules(), raised])
    assert len(rules) == len(builtin_rules())
    found = [r for r in rules if r.id == base.id]
    assert found == [raised]


def test_rule_with_when_replaces_only_the_same_condition() -> None:
    event = RULES["lambda.invoke.async_payload"]
    stricter = Rule(**{**event.__dict__, "id": "mine", "limit": 100})
    rules = RuleSet([*builtin_rules(), stricter])
    ids = {r.id for r in rules if r.pattern == "lambda.Invoke"}
    assert ids == {"lambda.invoke.sync_payload", "mine"}


def test_hyphenized_service_id_matches() -> None:
    rules = RuleSet(
        [
            parse_rule_line("cloudwatch-logs.PutLogEvents body_bytes<=5"),
            parse_rule_line("eventbridge.* body_bytes<=6"),
            parse_rule_line("sfn.StartExecution body_bytes<=7"),
        ]
    )
    assert [r.limit for r in rules.rules_for(Req("logs", "PutLogEvents"))] == [5]
    assert [r.limit for r in rules.rules_for(Req("events", "PutEvents"))] == [6]
    assert [r.limit for r in rules.rules_for(Req("stepfunctions", "StartExecution"))] == [7]
    assert rules.rules_for(Req("logs", "GetLogEvents")) == []


# ----------------------------------------------------------------- when


def test_when_selects_lambda_rule() -> None:
    rules = RuleSet(builtin_rules())

    def ids(params: Mapping[str, Any] | None) -> list[str]:
        return [r.id for r in rules.rules_for(Req("lambda", "Invoke", params=params, size=1))]

    assert ids({}) == ["lambda.invoke.sync_payload"]
    assert ids({"InvocationType": "RequestResponse"}) == ["lambda.invoke.sync_payload"]
    assert ids({"InvocationType": "Event"}) == ["lambda.invoke.async_payload"]
    assert ids({"InvocationType": "DryRun"}) == []
    # Unknown parameters: both may apply, neither can be measured.
    assert ids(None) == ["lambda.invoke.sync_payload", "lambda.invoke.async_payload"]
    checks = rules.check(Req("lambda", "Invoke", params=None, size=2_000_000))
    assert [(c.value, c.passed) for c in checks] == [(None, None), (None, None)]
    assert "needs the parameters" in rules.explain(Req("lambda", "Invoke", params=None, size=1))


def test_async_payload_over_one_mb_fails_but_sync_passes() -> None:
    rules = RuleSet(builtin_rules())
    event = Req("lambda", "Invoke", params={"InvocationType": "Event"}, size=1_000_001)
    assert [c.rule.id for c in rules.breaches(event)] == ["lambda.invoke.async_payload"]
    sync = Req("lambda", "Invoke", params={}, size=1_000_001)
    assert rules.breaches(sync) == []
    explained = rules.explain(event)
    assert "lambda.invoke.sync_payload" in explained
    assert "condition {'InvocationType': ['RequestResponse', None]} does not hold" in explained


# ----------------------------------------------------------------- measures in detail


def test_params_none_is_not_a_pass() -> None:
    rule = RULES["sqs.send_message.size"]
    check = RuleSet([rule]).check(Req("sqs", "SendMessage", params=None))[0]
    assert check.value is None
    assert check.passed is None
    assert "not measurable" in check.message()
    assert "(parameters unknown)" in RuleSet([rule]).explain(Req("sqs", "SendMessage", params=None))


def test_unsizeable_value_is_not_measurable() -> None:
    rule = RULES["kinesis.put_record.size"]
    request = Req("kinesis", "PutRecord", params={"Data": io.BytesIO(b"x"), "PartitionKey": "p"})
    assert rule.measure_value(request) is None


def test_missing_lists_count_as_zero() -> None:
    rule = RULES["cloudwatch.put_metric_data.metrics"]
    assert rule.measure_value(Req("cloudwatch", "PutMetricData", params={})) == 0


def test_put_metric_data_metrics_sum_both_lists() -> None:
    rule = RULES["cloudwatch.put_metric_data.metrics"]
    params = {
        "MetricData": [{}] * 400,
        "EntityMetricData": [{"MetricData": [{}] * 300}, {"MetricData": [{}] * 301}],
    }
    assert rule.measure_value(Req("cloudwatch", "PutMetricData", params=params)) == 1001


def test_values_per_metric_is_the_longest_list() -> None:
    rule = RULES["cloudwatch.put_metric_data.values_per_metric"]
    params = {"MetricData": [{"Values": [1.0] * 150, "Counts": [1.0] * 150}, {"Values": [1.0]}]}
    assert rule.measure_value(Req("cloudwatch", "PutMetricData", params=params)) == 150


def test_utf8_counts_bytes_not_characters() -> None:
    rule = RULES["stepfunctions.start_execution.input"]
    params = {"stateMachineArn": "arn", "input": "é" * 131_072}  # 262,144 bytes
    assert rule.measure_value(Req("stepfunctions", "StartExecution", params=params)) == 262_144
    params = {"input": "é" * 131_072 + "a"}
    assert rule.measure_value(Req("stepfunctions", "StartExecution", params=params)) == 262_145


def test_sqs_message_size_counts_attributes_not_system_attributes() -> None:
    params = {
        "QueueUrl": "https://sqs/q",
        "MessageBody": "héllo",  # 6
        "MessageAttributes": {
            "a": {"DataType": "String", "StringValue": "xy"},  # 1 + 6 + 2
            "bin": {"DataType": "Binary", "BinaryValue": b"\x00\x01\x02"},  # 3 + 6 + 3
        },
        "MessageSystemAttributes": {
            "AWSTraceHeader": {"DataType": "String", "StringValue": "Root=1-abc"}
        },
    }
    assert size_of("sqs_message", params) == 6 + 9 + 12


def test_sns_publish_batch_total() -> None:
    rule = RULES["sns.publish_batch.total_size"]
    entries = [{"Id": str(i), "Message": "m" * 100_000} for i in range(3)]
    params = {"TopicArn": "arn", "PublishBatchRequestEntries": entries}
    assert rule.measure_value(Req("sns", "PublishBatch", params=params)) == 300_000


def test_eventbridge_entry_formula() -> None:
    entry = {
        "Source": "my.app",  # 6
        "DetailType": "Thing happened",  # 14
        "Detail": json.dumps({"k": "ü"}),  # {"k": "\u00fc"} ascii-escaped -> 15
        "Resources": ["arn:a", "arn:b"],  # 10
        "EventBusName": "default",  # not counted
    }
    assert size_of("eventbridge_entry", entry) == 6 + 14 + len(json.dumps({"k": "ü"})) + 10
    with_time = size_of("eventbridge_entry", {**entry, "Time": 0})
    assert with_time == 6 + 14 + len(json.dumps({"k": "ü"})) + 10 + 14


def test_log_events_batch_size() -> None:
    rule = RULES["logs.put_log_events.batch_size"]
    events = [{"timestamp": i, "message": "ä" * 10} for i in range(3)]
    params = {"logGroupName": "g", "logStreamName": "s", "logEvents": events}
    assert rule.measure_value(Req("logs", "PutLogEvents", params=params)) == 3 * (20 + 26)


def test_kinesis_put_records_total_includes_partition_keys() -> None:
    rule = RULES["kinesis.put_records.total_size"]
    records = [{"Data": b"x" * 10, "PartitionKey": "key"}, {"Data": "ab", "PartitionKey": "k"}]
    params = {"StreamName": "s", "Records": records}
    assert rule.measure_value(Req("kinesis", "PutRecords", params=params)) == 13 + 3


def test_dynamodb_batch_write_counts_over_tables() -> None:
    rule = RULES["dynamodb.batch_write_item.requests"]
    params = {
        "RequestItems": {
            "a": [{"PutRequest": {"Item": {"pk": {"S": "1"}}}}] * 20,
            "b": [{"DeleteRequest": {"Key": {"pk": {"S": "1"}}}}] * 6,
        }
    }
    assert rule.measure_value(Req("dynamodb", "BatchWriteItem", params=params)) == 26


@pytest.mark.parametrize(
    ("item", "size"),
    [
        ({"name": {"S": "héllo"}}, 4 + 6),
        ({"n": {"N": "123"}}, 1 + 3),  # 3 significant digits -> 2 + 1
        ({"n": {"N": "-0.00012300"}}, 1 + 3),  # leading/trailing zeros trimmed: "123"
        ({"n": {"N": "1234"}}, 1 + 3),
        ({"n": {"N": "12345"}}, 1 + 4),
        ({"n": {"N": "0"}}, 1 + 1),
        ({"b": {"B": b"\x00" * 7}}, 1 + 7),
        ({"flag": {"BOOL": True}}, 4 + 1),
        ({"nil": {"NULL": True}}, 3 + 1),
        ({"l": {"L": [{"S": "ab"}, {"N": "1"}]}}, 1 + 3 + (1 + 2) + (1 + 2)),
        ({"m": {"M": {"k": {"S": "v"}}}}, 1 + 3 + (1 + 1 + 1)),
        ({"m": {"M": {}}}, 1 + 3),
        ({"ss": {"SS": ["a", "bc"]}}, 2 + 3),
        ({"ns": {"NS": ["1", "22"]}}, 2 + 2 + 2),
        ({"bs": {"BS": [b"a"]}}, 2 + 1),
        # Python-native values, as passed to a boto3 Table resource.
        ({"name": "héllo", "n": 123, "flag": False, "nil": None}, 10 + 4 + 5 + 4),
        ({"l": ["ab", 1], "m": {"k": "v"}, "s": {"x", "yz"}}, 10 + 7 + 4),
    ],
)
def test_dynamodb_item_size_estimate(item: dict[str, Any], size: int) -> None:
    assert size_of("dynamodb_item", item) == size


def test_size_of_unknown_sizer() -> None:
    with pytest.raises(ValueError, match="unknown sizer 'nope'"):
        size_of("nope", "x")


def test_explain_no_rules() -> None:
    assert RuleSet(builtin_rules()).explain(Req("s3", "ListBuckets")) == (
        "s3.ListBuckets: no limit rules match"
    )


def test_explain_lists_notes() -> None:
    text = RuleSet(builtin_rules()).explain(
        Req("cloudwatch", "PutMetricData", params={}, decoded_size=1_000_001)
    )
    assert text.startswith("cloudwatch.PutMetricData:\n")
    assert "cloudwatch.put_metric_data.size" in text
    assert "measured 1000001 -> BREACHED" in text
    assert "note: AWS does not say whether the 1 MB" in text


# ----------------------------------------------------------------- real botocore clients


@dataclass
class Captured:
    service: str
    operation: str
    params: Mapping[str, Any] | None = None
    size: int | None = None
    decoded_size: int | None = None


def capture(
    service: str,
    operation: str,
    method: str,
    config: Config | None = None,
    **kwargs: Any,
) -> Captured:
    """Call a real botocore client; record params and the body it would send."""
    session = botocore.session.get_session()
    client = session.create_client(
        service,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=config,
    )
    seen = Captured(service, operation)

    def on_params(params: Mapping[str, Any], **_: Any) -> None:
        seen.params = dict(params)

    def on_send(request: Any, **_: Any) -> Any:
        body = request.body or b""
        if not isinstance(body, bytes):
            body = body.read() if hasattr(body, "read") else body.encode()
        seen.size = len(body)
        decoded = body
        encoding = request.headers.get("Content-Encoding", b"")
        if isinstance(encoding, bytes):
            encoding = encoding.decode()
        if "gzip" in encoding:
            decoded = gzip.decompress(body)
        seen.decoded_size = len(decoded)
        # a success in the wire protocol this botocore uses for the service
        operation_model = client.meta.service_model.operation_model(operation)
        return to_aws_response(request.url, serialize_response(operation_model))

    client.meta.events.register(f"provide-client-params.{service}.{operation}", on_params)
    client.meta.events.register("before-send", on_send)
    getattr(client, method)(**kwargs)
    return seen


def test_real_sqs_send_message_params() -> None:
    body = "x" * (1_048_576 - 9 - 11)
    attrs = {"attr": {"DataType": "String", "StringValue": "v"}}
    seen = capture(
        "sqs",
        "SendMessage",
        "send_message",
        QueueUrl="https://sqs.us-east-1.amazonaws.com/123456789012/q",
        MessageBody=body + "ü" * 4 + "a",  # 8 + 1 bytes
        MessageAttributes=attrs,
    )
    assert seen.params is not None
    assert seen.size is not None
    assert seen.size > 1_048_576  # the serialized body carries more than the message
    checks = RuleSet(builtin_rules()).check(seen)
    assert [(c.rule.id, c.value, c.passed) for c in checks] == [
        ("sqs.send_message.size", 1_048_576, True)
    ]


def test_real_kinesis_put_record_measures_bytes_before_base64() -> None:
    data = b"\xff" * 1_048_570
    seen = capture(
        "kinesis",
        "PutRecord",
        "put_record",
        StreamName="s",
        Data=data,
        PartitionKey="key-01",
    )
    rule = RULES["kinesis.put_record.size"]
    assert rule.measure_value(seen) == 1_048_576
    assert seen.size is not None
    assert seen.size > 1_048_576 * 4 // 3  # base64 on the wire
    assert RuleSet(builtin_rules()).breaches(seen) == []


def test_real_lambda_invoke_body_is_the_payload() -> None:
    payload = b"{" + b" " * 999_998 + b"}"
    seen = capture(
        "lambda",
        "Invoke",
        "invoke",
        FunctionName="f",
        InvocationType="Event",
        Payload=payload,
    )
    assert seen.size == 1_000_000
    checks = RuleSet(builtin_rules()).check(seen)
    assert [(c.rule.id, c.passed) for c in checks] == [("lambda.invoke.async_payload", True)]
    seen2 = capture(
        "lambda",
        "Invoke",
        "invoke",
        FunctionName="f",
        InvocationType="Event",
        Payload=payload + b" ",
    )
    assert [c.rule.id for c in RuleSet(builtin_rules()).breaches(seen2)] == [
        "lambda.invoke.async_payload"
    ]


def test_real_put_metric_data_is_gzipped_and_counted() -> None:
    metrics = [
        {"MetricName": f"m{i}", "Value": float(i), "Dimensions": [{"Name": "d", "Value": "v"}]}
        for i in range(1001)
    ]
    seen = capture(
        "cloudwatch",
        "PutMetricData",
        "put_metric_data",
        Namespace="ns",
        MetricData=metrics,
    )
    assert seen.size is not None
    assert seen.decoded_size is not None
    assert seen.decoded_size > seen.size  # botocore gzipped the body (>= 10240 bytes)
    breaches = RuleSet(builtin_rules()).breaches(seen)
    assert [(b.rule.id, b.value) for b in breaches] == [
        ("cloudwatch.put_metric_data.metrics", 1001)
    ]


def test_real_put_events_entry_size() -> None:
    entry = {"Source": "app", "DetailType": "t", "Detail": json.dumps({"a": "b" * 1000})}
    seen = capture("events", "PutEvents", "put_events", Entries=[entry] * 10)
    rule = RULES["events.put_events.total_size"]
    assert rule.measure_value(seen) == 10 * (3 + 1 + len(entry["Detail"]))
    assert RuleSet(builtin_rules()).breaches(seen) == []


def test_real_dynamodb_put_item_estimate() -> None:
    item = {"pk": {"S": "k"}, "blob": {"B": b"z" * 399_990}}
    seen = capture("dynamodb", "PutItem", "put_item", TableName="table", Item=item)
    rule = RULES["dynamodb.put_item.item_size"]
    assert rule.measure_value(seen) == 2 + 1 + 4 + 399_990
    assert [b.rule.id for b in RuleSet(builtin_rules()).breaches(seen)] == []


def test_rules_are_hashable() -> None:
    assert len(set(builtin_rules())) == len(builtin_rules())
