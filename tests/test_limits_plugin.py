"""Payload limits as CI checks: markers, options, the summary, the JSON report, xdist.

The engine (every rule at and over its limit) is tested in ``test_limits_rules.py``; here each
way of asking for a limit is driven through a real pytest run with real botocore clients.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore import xform_name
from botocore_features import wire_bytes

from pytest_botowire.aws.serialize import serialize_response, to_aws_response
from pytest_botowire.features.limits.report import Collector, headroom_percent
from pytest_botowire.features.limits.rules import Check, payload_rule

pytest_plugins = ["pytester"]

# Clients for the inline test files. ``answered(name)`` answers at before-send itself, so a
# test that never asks for the fixture (captured passively) still gets a response, exactly
# as it would without the plugin; ``client(name)`` is for tests that use the fixture
# (offline mode answers).
PRELUDE = """
import json, re
import boto3, pytest
from pytest_botowire.aws.serialize import serialize_response, to_aws_response

KEYS = dict(region_name="us-east-1", aws_access_key_id="AKIDEXAMPLE",
            aws_secret_access_key="not-a-real-secret")

def client(name):
    return boto3.client(name, **KEYS)

def answered(name):
    c = boto3.client(name, **KEYS)

    def answer(request, event_name, **_):
        # an empty success response in the wire protocol this botocore uses for the service
        # (XML for query-protocol SQS on older botocore, JSON on newer)
        operation = c.meta.service_model.operation_model(event_name.rsplit(".", 1)[-1])
        wire = serialize_response(operation, {}, headers={"x-amzn-RequestId": "from-the-test"})
        return to_aws_response(request.url, wire)

    c.meta.events.register("before-send", answer)
    return c

def invoke(c, size, **kw):
    return c.invoke(FunctionName="f", Payload=b"x" * size, **kw)

def records(n):
    return [{"Data": b"d", "PartitionKey": "k"} for _ in range(n)]
"""

KEYS = {
    "region_name": "us-east-1",
    "aws_access_key_id": "AKIDEXAMPLE",
    "aws_secret_access_key": "not-a-real-secret",
}
DOCS = "https://github.com/pytest-botowire/pytest-botowire#payload-limits-in-ci"


def sent_size(service: str, operation: str, **params: Any) -> int:
    """Bytes the installed botocore puts on the wire for one call, measured by sending it.

    SQS sends a form-encoded query body on older botocore and JSON on newer, so sizes that
    involve it depend on the botocore version.
    """
    client = boto3.client(service, **KEYS)
    model = client.meta.service_model.operation_model(operation)
    sizes: list[int] = []

    def answer(request: Any, **_: Any) -> Any:
        sizes.append(len(wire_bytes(request.body)))
        return to_aws_response(request.url, serialize_response(model, {}))

    client.meta.events.register(f"before-send.{service}.{operation}", answer)
    getattr(client, xform_name(operation))(**params)
    (size,) = sizes
    return size


def make(pytester: pytest.Pytester, body: str, **files: str) -> None:
    pytester.makepyfile(test_it=PRELUDE + body, **{k: PRELUDE + v for k, v in files.items()})


def run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    return pytester.runpytest("-p", "no:cacheprovider", *args)


# --------------------------------------------------------------------------- markers


def test_max_payload_marker_passes_at_the_limit_and_fails_one_byte_over(
    pytester: pytest.Pytester,
) -> None:
    make(
        pytester,
        """
@pytest.mark.botowire(max_payload=100)
def test_at(botowire):
    invoke(client("lambda"), 100)
    assert botowire[0].size == 100

@pytest.mark.botowire(max_payload=100)
def test_over(botowire):
    invoke(client("lambda"), 101)
""",
    )
    result = run(pytester)
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(
        [
            "*_ test_over _*",
            "botowire limits: 1 of 1 request is over a limit",
            "  - lambda.Invoke (attempt 1), 101 bytes on the wire, no Content-Encoding: "
            "[marker.*.body_bytes] 101 bytes, over the limit of 100: Request body of * at most "
            "100 bytes. (source: @pytest.mark.botowire(max_payload=100))",
            "  Limits: max payload from @pytest.mark.botowire(max_payload=...)",
            f"  Hint: botowire.limit_for(request) explains them; see {DOCS}",
        ]
    )
    assert result.ret == pytest.ExitCode.TESTS_FAILED


def test_max_payload_marker_by_pattern_most_specific_wins_and_closest_marker_wins(
    pytester: pytest.Pytester,
) -> None:
    make(
        pytester,
        """
pytestmark = pytest.mark.botowire(max_payload=1)

@pytest.mark.botowire(max_payload={"lambda.invoke": 50, "*": 5_000})
def test_dict(botowire):
    invoke(client("lambda"), 50)
    client("sqs").list_queues(QueueNamePrefix="q" * 20)
    invoke(client("lambda"), 51)

def test_module_marker(botowire):
    client("sqs").list_queues()
""",
    )
    result = run(pytester)
    result.assert_outcomes(failed=2)
    list_queues = sent_size("sqs", "ListQueues")
    result.stdout.fnmatch_lines(
        [
            "*_ test_dict _*",
            "botowire limits: 1 of 3 requests is over a limit",
            "  - lambda.Invoke (attempt 1), 51 bytes on the wire, no Content-Encoding: "
            "[marker.lambda.Invoke.body_bytes] 51 bytes, over the limit of 50: Request body of "
            "lambda.Invoke at most 50 bytes. (source: @pytest.mark.botowire(max_payload="
            "{'lambda.invoke': 50}))",
            "*_ test_module_marker _*",
            "botowire limits: 1 of 1 request is over a limit",
            f"  - sqs.ListQueues (attempt 1), {list_queues} bytes on the wire, "
            f"*[[]marker.*.body_bytes[]] {list_queues} bytes, over the limit of 1:*",
        ]
    )


def test_aws_limits_marker_checks_the_table_at_and_over_the_limit(
    pytester: pytest.Pytester,
) -> None:
    make(
        pytester,
        """
MIB = 1024 * 1024

@pytest.mark.botowire(aws_limits=True)
@pytest.mark.parametrize("extra", [0, 1])
def test_sqs(botowire, extra):
    client("sqs").send_message(QueueUrl="https://sqs.us-east-1.amazonaws.com/1/q",
                               MessageBody="m" * (MIB + extra))

@pytest.mark.botowire(aws_limits=True)
@pytest.mark.parametrize("n", [500, 501])
def test_kinesis(botowire, n):
    client("kinesis").put_records(StreamName="s", Records=records(n))

@pytest.mark.botowire(aws_limits=True)
@pytest.mark.parametrize("size", [1_000_000, 1_000_001])
def test_lambda_event(botowire, size):
    invoke(client("lambda"), size, InvocationType="Event")
""",
    )
    result = run(pytester, "-rf")
    result.assert_outcomes(passed=3, failed=3)
    result.stdout.fnmatch_lines(
        [
            "*_ test_sqs[[]1[]] _*",
            "botowire limits: 1 of 1 request is over a limit",
            "  - sqs.SendMessage (attempt 1), * bytes on the wire, no Content-Encoding: "
            "[[]sqs.send_message.size[]] 1048577 bytes, over the limit of 1048576: An SQS message "
            "may be at most 1 MiB*(source: https://docs.aws.amazon.com/AWSSimpleQueueService/"
            "latest/APIReference/API_SendMessage.html, checked 2026-11)*",
            "  Limits: the built-in AWS limits table, turned on by "
            "@pytest.mark.botowire(aws_limits=True)",
            "*_ test_kinesis[[]501[]] _*",
            "*[[]kinesis.put_records.records[]] 501 records, over the limit of 500*",
            "*_ test_lambda_event[[]1000001[]] _*",
            "*[[]lambda.invoke.async_payload[]] 1000001 bytes, over the limit of 1000000*",
        ]
    )
    assert "test_sqs[0]" not in result.stdout.str().split("short test summary")[1]


def test_require_headers_marker_with_names_values_and_patterns(pytester: pytest.Pytester) -> None:
    # Kinesis speaks AWS JSON (with X-Amz-Target) on every supported botocore; SQS used the
    # query protocol, which has no X-Amz-Target, before botocore moved it to JSON.
    make(
        pytester,
        """
@pytest.mark.botowire(require_headers=["User-Agent", "X-Amz-Target"])
def test_names_present(botowire):
    client("kinesis").list_streams()

@pytest.mark.botowire(require_headers={"content-type": re.compile("json"),
                                       "X-Amz-Target": "Kinesis_20131202.ListStreams"})
def test_values_match(botowire):
    client("kinesis").list_streams()

@pytest.mark.botowire(require_headers={"x-trace-id": re.compile(".+"),
                                       "X-Amz-Target": "Kinesis_20131202.PutRecord"})
def test_missing(botowire):
    client("kinesis").list_streams()
""",
    )
    result = run(pytester)
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines(
        [
            "*_ test_missing _*",
            "botowire require_headers: 1 of 1 request is missing a required header",
            "  - kinesis.ListStreams (attempt 1), 2 bytes on the wire, no Content-Encoding: "
            "no x-trace-id header; X-Amz-Target: 'Kinesis_20131202.ListStreams' != "
            "'Kinesis_20131202.PutRecord'",
            "  Hint: @pytest.mark.botowire(require_headers=...) asks every request of the test "
            "for x-trace-id, X-Amz-Target; see https://github.com/pytest-botowire/"
            "pytest-botowire#markers",
        ]
    )


@pytest.mark.parametrize(
    ("marker", "message"),
    [
        ("max_payload='big'", "*max_payload=...) must be a whole number of bytes, not 'big'"),
        ("max_payload=-1", "*max_payload=...) must not be negative, got -1"),
        ("max_payload={'sqs.SendMesage': 10}", "*unknown operation 'SendMesage'*SendMessage*"),
        ("aws_limits='yes'", "*aws_limits=...) must be True or False, not 'yes'"),
        ("require_headers='x-trace-id'", "*require_headers=...) takes a list of header names*"),
        ("require_headers={'x': 1}", "*require_headers[[]'x'[]] must be a str or re.compile(...)*"),
        ("max_paylod=10", "*unknown key 'max_paylod' (did you mean 'max_payload'?)*"),
    ],
)
def test_a_bad_marker_value_fails_the_test_with_a_clear_message(
    pytester: pytest.Pytester, marker: str, message: str
) -> None:
    make(pytester, f"@pytest.mark.botowire({marker})\ndef test_it(botowire):\n    pass\n")
    result = run(pytester)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines([message])
    assert "Traceback" not in result.stdout.str()


def test_the_marker_replaces_or_removes_the_runs_limits(pytester: pytest.Pytester) -> None:
    make(
        pytester,
        """
@pytest.mark.botowire(max_payload=None, aws_limits=False)
def test_exempt(botowire):
    invoke(client("lambda"), 2_000_000, InvocationType="Event")

@pytest.mark.botowire(max_payload=200)
def test_raised(botowire):
    invoke(client("lambda"), 150)

def test_run_wide():
    invoke(answered("lambda"), 150)
""",
    )
    result = run(pytester, "--botowire-max-payload=100", "--botowire-aws-limits")
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines(
        [
            "*_ test_run_wide _*",
            "*[[]user.*.body_bytes[]] 150 bytes, over the limit of 100*"
            "(source: --botowire-max-payload 100)",
            "  Limits: the built-in AWS limits table, turned on by --botowire-aws-limits; "
            "max payload from --botowire-max-payload",
        ]
    )


# --------------------------------------------------------------------------- options


@pytest.mark.parametrize("how", ["option", "ini"])
def test_max_payload_option_captures_tests_without_the_fixture(
    pytester: pytest.Pytester, how: str
) -> None:
    make(
        pytester,
        """
def test_at():
    response = invoke(answered("lambda"), 100)
    # answered by the test's own handler, exactly as without the plugin
    assert response["ResponseMetadata"]["RequestId"] == "from-the-test"

def test_over():
    invoke(answered("lambda"), 101)

def test_other_operation():
    answered("sqs").list_queues(QueueNamePrefix="q" * 200)
""",
    )
    if how == "ini":
        pytester.makeini("[pytest]\nbotowire_max_payload =\n    lambda.Invoke=100\n")
        result = run(pytester)
        source = "ini botowire_max_payload lambda.Invoke=100"
    else:
        result = run(pytester, "--botowire-max-payload", "lambda.invoke=100")
        source = "--botowire-max-payload lambda.invoke=100"
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines(
        [
            "*_ test_over _*",
            "  - lambda.Invoke (attempt 1), 101 bytes on the wire, no Content-Encoding: "
            f"[[]user.lambda.Invoke.body_bytes[]] 101 bytes, over the limit of 100: *(source: {source})",
        ]
    )
    assert result.ret == pytest.ExitCode.TESTS_FAILED


def test_max_payload_option_is_repeatable_and_the_most_specific_pattern_wins(
    pytester: pytest.Pytester,
) -> None:
    make(
        pytester,
        """
def test_lambda_may_send_more():
    invoke(answered("lambda"), 300)

def test_others_may_not():
    answered("sqs").list_queues(QueueNamePrefix="q" * 300)
""",
    )
    result = run(pytester, "--botowire-max-payload=100", "--botowire-max-payload=lambda.Invoke=300")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*_ test_others_may_not _*", "*[[]user.*.body_bytes[]]*"])


@pytest.mark.parametrize("how", ["option", "ini"])
def test_aws_limits_option_fails_the_test_that_sent_the_request(
    pytester: pytest.Pytester, how: str
) -> None:
    make(
        pytester,
        """
def test_at():
    answered("kinesis").put_records(StreamName="s", Records=records(500))

def test_over():
    answered("kinesis").put_records(StreamName="s", Records=records(501))
""",
    )
    if how == "ini":
        pytester.makeini("[pytest]\nbotowire_aws_limits = true\n")
        result = run(pytester)
    else:
        result = run(pytester, "--botowire-aws-limits")
    result.assert_outcomes(passed=1, failed=1)
    origin = "ini botowire_aws_limits" if how == "ini" else "--botowire-aws-limits"
    result.stdout.fnmatch_lines(
        [
            "*_ test_over _*",
            "*[[]kinesis.put_records.records[]] 501 records, over the limit of 500: *",
            f"  Limits: the built-in AWS limits table, turned on by {origin}",
        ]
    )


def test_ini_limits_add_rows_and_a_conftest_hook_overrides_a_builtin_row(
    pytester: pytest.Pytester,
) -> None:
    pytester.makeini(
        "[pytest]\nbotowire_aws_limits = true\n"
        "botowire_limits =\n    cloudwatch-logs.put_log_events body_bytes<=200 our log budget\n"
    )
    pytester.makeconftest(
        """
from pytest_botowire import Rule

def pytest_botowire_limits(config):
    return [
        Rule(id="kinesis.put_records.records", pattern="kinesis.PutRecords", measure="entries",
             limit=3, unit="records", paths=("Records",), source="conftest: our shard budget"),
        "lambda.Invoke body_bytes<=10",
    ]
"""
    )
    make(
        pytester,
        """
def test_logs():
    answered("logs").put_log_events(logGroupName="g", logStreamName="s",
                                    logEvents=[{"timestamp": 1, "message": "m" * 200}])

def test_kinesis():
    answered("kinesis").put_records(StreamName="s", Records=records(4))

def test_lambda():
    invoke(answered("lambda"), 11)

def test_within():
    answered("kinesis").put_records(StreamName="s", Records=records(3))
    invoke(answered("lambda"), 10)
""",
    )
    result = run(pytester)
    result.assert_outcomes(passed=1, failed=3)
    result.stdout.fnmatch_lines(
        [
            "*_ test_logs _*",
            "*[[]user.logs.PutLogEvents.body_bytes[]] * bytes, over the limit of 200*"
            "(source: our log budget)",
            "  Limits: the built-in AWS limits table, turned on by ini botowire_aws_limits; "
            "3 user rules from ini botowire_limits and the pytest_botowire_limits hook",
            "*_ test_kinesis _*",
            "*[[]kinesis.put_records.records[]] 4 records, over the limit of 3 "
            "(source: conftest: our shard budget)",
            "*_ test_lambda _*",
            "*[[]user.lambda.Invoke.body_bytes[]] 11 bytes, over the limit of 10*"
            "(source: pytest_botowire_limits hook)",
        ]
    )


BAD_OPTIONS = [
    (
        ["--botowire-max-payload=lots"],
        "",
        "ERROR: --botowire-max-payload: 'lots' is not BYTES or PATTERN=BYTES; BYTES is a whole "
        "number of bytes (underscores allowed, no units), e.g. 1048576 or sqs.SendMessage=262144",
    ),
    (
        ["--botowire-max-payload=sqs.SendMesage=10"],
        "",
        "ERROR: --botowire-max-payload: 'sqs.SendMesage=10': unknown operation 'SendMesage' of "
        "service 'sqs' in pattern 'sqs.SendMesage'; did you mean 'SendMessage'*",
    ),
    (
        [],
        "botowire_max_payload = 1MB",
        "ERROR: ini botowire_max_payload: '1MB' is not BYTES or PATTERN=BYTES*",
    ),
    (
        [],
        "botowire_limits = sqs.SendMessage entries<=10",
        "ERROR: ini botowire_limits: invalid botowire limit line 'sqs.SendMessage entries<=10': "
        "unknown measure 'entries'*",
    ),
    (
        [],
        "botowire_limits = sqs.SendMessage body_bytes<=1MiB",
        "ERROR: ini botowire_limits: *limit '1MiB' is not a plain integer*",
    ),
    (
        [],
        "botowire_limits = sqss.SendMessage body_bytes<=10",
        "ERROR: ini botowire_limits: rule 'user.sqss.SendMessage.body_bytes': unknown service "
        "'sqss'*",
    ),
    ([], "botowire_aws_limits = maybe", "ERROR: *botowire_aws_limits*maybe*"),
    (["--botowire-report=."], "", "ERROR: --botowire-report='.' is a directory; give a file name"),
]


@pytest.mark.parametrize(("args", "ini", "message"), BAD_OPTIONS)
def test_a_bad_option_value_is_a_usage_error_not_a_traceback(
    pytester: pytest.Pytester, args: list[str], ini: str, message: str
) -> None:
    if ini:
        pytester.makeini(f"[pytest]\n{ini}\n")
    pytester.makepyfile("def test_it(): pass")
    result = run(pytester, *args)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([message])
    assert "Traceback" not in result.stderr.str() + result.stdout.str()


def test_a_bad_rule_from_the_hook_is_a_usage_error(pytester: pytest.Pytester) -> None:
    pytester.makeconftest("def pytest_botowire_limits(config):\n    return [{'limit': 1}]\n")
    pytester.makepyfile("def test_it(): pass")
    result = run(pytester)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        [
            "ERROR: pytest_botowire_limits returned {'limit': 1}; expected a pytest_botowire.Rule "
            "or a line 'PATTERN MEASURE<=LIMIT [source]'"
        ]
    )


# --------------------------------------------------------------------------- limit_for


def test_limit_for_tells_which_rules_apply_and_why(pytester: pytest.Pytester) -> None:
    make(
        pytester,
        """
@pytest.mark.botowire(aws_limits=True, max_payload={"lambda.Invoke": 300})
def test_it(botowire):
    invoke(client("lambda"), 200, InvocationType="Event")
    explained = botowire.limit_for(botowire[0])
    assert [c.rule.id for c in explained.checks] == [
        "lambda.invoke.async_payload", "marker.lambda.Invoke.body_bytes"]
    assert [c.value for c in explained.checks] == [200, 200]
    assert explained.breaches == ()
    print(explained)
    by_name = botowire.limit_for("lambda.invoke")
    assert [c.value for c in by_name.checks] == [None, None, None]
    with pytest.raises(ValueError, match="needs one operation"):
        botowire.limit_for("lambda.*")
""",
    )
    result = run(pytester, "-s")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(
        [
            "*limits for lambda.Invoke in test_it.py::test_it:",
            "  the built-in AWS limits table, turned on by @pytest.mark.botowire(aws_limits=True)",
            "  max payload from @pytest.mark.botowire(max_payload=...)",
            "lambda.Invoke:",
            "  - lambda.invoke.sync_payload: lambda.Invoke body_bytes<=6291456 bytes "
            "when={'InvocationType': [[]'RequestResponse', None]} (*): skipped: condition "
            "{'InvocationType': [[]'RequestResponse', None]} does not hold",
            "  - lambda.invoke.async_payload: lambda.Invoke body_bytes<=1000000 bytes "
            "when={'InvocationType': 'Event'} (*): applies, measured 200 -> ok",
            "*",
            "  - marker.lambda.Invoke.body_bytes: lambda.Invoke body_bytes<=300 bytes "
            "(@pytest.mark.botowire(max_payload={'lambda.Invoke': 300})): applies, measured 200 -> ok",
        ]
    )


# --------------------------------------------------------------------------- summary


SUMMARY_TESTS = """
def test_one():
    invoke(answered("lambda"), 1_200)
    invoke(answered("lambda"), 900)

def test_two():
    answered("kinesis").put_records(StreamName="s", Records=records(10))

def test_three():
    invoke(answered("lambda"), 1_000, InvocationType="Event")
    invoke(answered("lambda"), 1_001, InvocationType="Event")

def test_nothing_sent():
    pass
"""


def test_the_summary_lists_operations_with_breaches_first(pytester: pytest.Pytester) -> None:
    make(pytester, SUMMARY_TESTS)
    result = run(pytester, "--botowire-max-payload=lambda.Invoke=1000")
    result.assert_outcomes(passed=2, failed=2)
    result.stdout.fnmatch_lines(
        [
            "*= botowire =*",
            "5 requests to 2 operations captured in 3 tests; 2 requests over a limit",
            "operation           requests  over limit  largest on wire  largest decoded  gzipped  "
            "limit                                        headroom",
            "lambda.Invoke              4           2            1,200            1,200       0%  "
            "1,000 bytes (user.lambda.Invoke.body_bytes)  OVER by 200 bytes",
            "kinesis.PutRecords         1           0              422              422       0%  "
            "-                                            -",
            f"Hint: botowire.limit_for(request) tells which limit applies and why; see {DOCS}",
            "*= short test summary info =*",
        ],
        consecutive=True,
    )


def test_the_summary_shows_headroom_and_the_share_of_gzipped_requests(
    pytester: pytest.Pytester,
) -> None:
    make(
        pytester,
        """
def metrics(n):
    return [{"MetricName": f"m{i}", "Value": 1.0} for i in range(n)]

@pytest.mark.botowire(aws_limits=True)
def test_it(botowire):
    cloudwatch = client("cloudwatch")
    cloudwatch.put_metric_data(Namespace="n", MetricData=metrics(750))  # gzipped natively
    cloudwatch.put_metric_data(Namespace="n", MetricData=metrics(1))
    cloudwatch.put_metric_data(Namespace="n", MetricData=metrics(1))
""",
    )
    result = run(pytester)
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(
        [
            "3 requests to 1 operation captured in 1 test",
            "operation *",
            "cloudwatch.PutMetricData         3           0  *      33%  "
            "1,000 metrics (cloudwatch.put_metric_data.metrics)  25.0%",
        ]
    )


def test_headroom_is_rounded_down_and_negative_over_the_limit() -> None:
    assert headroom_percent(0, 1000) == 100.0
    assert headroom_percent(999, 1000) == 0.1
    assert headroom_percent(9999, 10000) == 0.0  # 0.01% left is not shown as 0.1%
    assert headroom_percent(1000, 1000) == 0.0
    assert headroom_percent(1001, 1000) == -0.1
    assert headroom_percent(5, 0) is None


def test_nothing_is_printed_when_nothing_was_captured(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_it(botowire):\n    pass\n\ndef test_plain():\n    pass\n")
    result = run(pytester, "--botowire-aws-limits")
    result.assert_outcomes(passed=2)
    assert "= botowire =" not in result.stdout.str()
    result.stdout.fnmatch_lines(["*= 2 passed in *"])


def test_a_breach_outside_a_test_body_fails_the_run(pytester: pytest.Pytester) -> None:
    make(
        pytester,
        """
@pytest.fixture
def sends_at_teardown():
    yield
    invoke(answered("lambda"), 11)

def test_it(sends_at_teardown):
    invoke(answered("lambda"), 10)
""",
    )
    result = run(pytester, "--botowire-max-payload=10")
    result.assert_outcomes(passed=1)
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(
        [
            "1 request over a limit failed no test (sent in teardown or by a test that did not "
            "finish): the run fails"
        ]
    )


def test_a_test_that_raised_also_names_the_limit_it_broke(pytester: pytest.Pytester) -> None:
    make(
        pytester,
        """
def test_it():
    invoke(answered("lambda"), 11)
    raise RuntimeError("AWS said: request too large")
""",
    )
    result = run(pytester, "--botowire-max-payload=10")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "E   *RuntimeError: AWS said: request too large",
            "*- botowire limits -*",
            "botowire limits: 1 of 1 request is over a limit",
        ]
    )
    assert "failed no test" not in result.stdout.str()


# --------------------------------------------------------------------------- report

LIMIT_SCHEMA = {"rule": str, "measure": str, "value": (int, type(None)), "limit": int, "unit": str}
REQUEST_SCHEMA = {
    "test": str,
    "service": str,
    "operation": str,
    "attempt": int,
    "size": (int, type(None)),
    "decoded_size": (int, type(None)),
    "encodings": list,
    "limit": (dict, type(None)),
    "source": (str, type(None)),
    "passed": bool,
    "breaches": list,
}
OPERATION_SCHEMA = {
    "name": str,
    "service": str,
    "operation": str,
    "requests": int,
    "largest_size": (int, type(None)),
    "largest_decoded_size": (int, type(None)),
    "gzipped": int,
    "gzipped_share": (int, float),
    "breaches": int,
    "limit": (dict, type(None)),
    "source": (str, type(None)),
    "headroom_percent": (int, float, type(None)),
    "limits": list,
}
REPORT_SCHEMA = {
    "schema": int,
    "botowire_version": str,
    "totals": dict,
    "summary": dict,
    "requests": list,
    "operations": list,
}
TOTALS_SCHEMA = {"tests": int, "requests": int, "breaches": int, "unreported_breaches": int}


def check_schema(data: Any, schema: dict[str, Any], where: str) -> None:
    assert isinstance(data, dict), where
    assert set(data) == set(schema), f"{where}: keys {sorted(data)} != {sorted(schema)}"
    for key, kind in schema.items():
        assert isinstance(data[key], kind), f"{where}.{key}: {data[key]!r} is not {kind}"
        assert not (kind is int and isinstance(data[key], bool)), f"{where}.{key}"


def validate_report(report: dict[str, Any]) -> None:
    check_schema(report, REPORT_SCHEMA, "report")
    assert report["schema"] == 1
    check_schema(report["totals"], TOTALS_SCHEMA, "totals")
    for i, request in enumerate(report["requests"]):
        check_schema(request, REQUEST_SCHEMA, f"requests[{i}]")
        assert all(isinstance(e, str) for e in request["encodings"])
        assert all(isinstance(b, str) for b in request["breaches"])
        assert request["passed"] is (not request["breaches"])
        if request["limit"] is not None:
            check_schema(request["limit"], LIMIT_SCHEMA, f"requests[{i}].limit")
    for i, operation in enumerate(report["operations"]):
        check_schema(operation, OPERATION_SCHEMA, f"operations[{i}]")
        assert operation["name"] == f"{operation['service']}.{operation['operation']}"
        if operation["limit"] is not None:
            check_schema(operation["limit"], LIMIT_SCHEMA, f"operations[{i}].limit")
            assert {**operation["limit"], "source": operation["source"]} in operation["limits"]
        for j, limit in enumerate(operation["limits"]):
            check_schema(limit, {**LIMIT_SCHEMA, "source": str}, f"operations[{i}].limits[{j}]")


def test_the_json_report_follows_its_schema(pytester: pytest.Pytester) -> None:
    make(pytester, SUMMARY_TESTS)
    result = run(
        pytester, "--botowire-max-payload=lambda.Invoke=1000", "--botowire-report=out.json"
    )
    result.assert_outcomes(passed=2, failed=2)
    report = json.loads((pytester.path / "out.json").read_text("utf-8"))
    validate_report(report)
    assert report["totals"] == {"tests": 3, "requests": 5, "breaches": 2, "unreported_breaches": 0}
    first = report["requests"][0]
    assert first == {
        "test": "test_it.py::test_one",
        "service": "lambda",
        "operation": "Invoke",
        "attempt": 1,
        "size": 1200,
        "decoded_size": 1200,
        "encodings": [],
        "limit": {
            "rule": "user.lambda.Invoke.body_bytes",
            "measure": "body_bytes",
            "value": 1200,
            "limit": 1000,
            "unit": "bytes",
        },
        "source": "--botowire-max-payload lambda.Invoke=1000",
        "passed": False,
        "breaches": ["user.lambda.Invoke.body_bytes"],
    }
    assert [r["passed"] for r in report["requests"]] == [False, True, True, True, False]
    assert [o["name"] for o in report["operations"]] == ["lambda.Invoke", "kinesis.PutRecords"]
    assert report["operations"][0]["headroom_percent"] == -20.0
    assert report["operations"][1]["limit"] is None
    result.stdout.fnmatch_lines([f"report: {pytester.path / 'out.json'}"])


def test_the_report_alone_captures_every_test(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nbotowire_report = reports/botowire.json\n")
    make(pytester, "def test_it():\n    answered('sqs').list_queues()\n")
    run(pytester).assert_outcomes(passed=1)
    report = json.loads((pytester.path / "reports" / "botowire.json").read_text("utf-8"))
    validate_report(report)
    assert [(r["operation"], r["limit"], r["passed"]) for r in report["requests"]] == [
        ("ListQueues", None, True)
    ]


# --------------------------------------------------------------------------- xdist


def test_under_xdist_every_workers_requests_count_exactly_once(pytester: pytest.Pytester) -> None:
    tests = "\n".join(
        f"def test_{i}():\n    invoke(answered('lambda'), {100 + i})\n    "
        "answered('sqs').list_queues()\n"
        for i in range(6)
    )
    make(pytester, tests, test_more=tests)
    result = pytester.runpytest_subprocess(
        "-p", "no:cacheprovider", "-n", "2", "--botowire-max-payload=lambda.Invoke=104",
        "--botowire-report=out.json",
    )  # fmt: skip
    result.assert_outcomes(passed=10, failed=2)
    list_queues = sent_size("sqs", "ListQueues")
    result.stdout.fnmatch_lines(
        [
            "24 requests to 2 operations captured in 12 tests; 2 requests over a limit",
            "*",
            "lambda.Invoke *12           2              105              105       0%  "
            "104 bytes (user.lambda.Invoke.body_bytes)  OVER by 1 byte",
            f"sqs.ListQueues *12           0{list_queues:>17,}{list_queues:>17,}       0%  -*",
        ]
    )
    report = json.loads((pytester.path / "out.json").read_text("utf-8"))
    validate_report(report)
    assert report["totals"]["requests"] == len(report["requests"]) == 24
    keys = {(r["test"], r["operation"]) for r in report["requests"]}
    assert len(keys) == 24
    assert sorted({t for t, _ in keys}) == sorted(
        f"{module}.py::test_{i}" for module in ("test_it", "test_more") for i in range(6)
    )


# --------------------------------------------------------------------------- collector


class _Request:
    service = "lambda"
    operation = "Invoke"
    attempt = 1
    size = 10
    decoded_size = 10
    encodings = ("gzip",)
    params = None


def test_the_collector_keeps_no_reference_to_a_request() -> None:
    request = _Request()
    rule = payload_rule("*", 5, "test")
    for keep_rows in (False, True):
        collector = Collector(keep_rows=keep_rows)
        before = sys.getrefcount(request)
        for _ in range(3):
            collector.add("t::x", request, [Check(rule, 10)], reported=True)
        assert sys.getrefcount(request) == before
        assert len(collector.rows) == (3 if keep_rows else 0)
        (stats,) = collector.operations.values()
        assert (stats.requests, stats.gzipped, stats.breaches) == (3, 3, 3)


def test_merging_worker_output_adds_counts_and_keeps_the_largest(tmp_path: Path) -> None:
    rule = payload_rule("*", 50, "test")
    one, two, merged = Collector(True), Collector(True), Collector(True)
    small, large = _Request(), _Request()
    large.size = large.decoded_size = 60
    one.add("a::t", small, [Check(rule, 10)], reported=True)
    two.add("b::t", large, [Check(rule, 60)], reported=False)
    merged.merge(one.to_wire())
    merged.merge(two.to_wire())
    report = merged.report()
    validate_report(report)
    assert report["totals"] == {"tests": 0, "requests": 2, "breaches": 1, "unreported_breaches": 1}
    (operation,) = report["operations"]
    assert operation["largest_size"] == 60
    assert operation["limit"]["value"] == 60
    merged.write_report(tmp_path / "r.json")
    assert json.loads((tmp_path / "r.json").read_text("utf-8")) == report


def test_a_report_that_cannot_be_written_fails_the_run_with_a_message(
    pytester: pytest.Pytester,
) -> None:
    (pytester.path / "blocker").write_text("a file, not a directory")
    pytester.makepyfile("def test_it():\n    pass\n")
    result = run(pytester, "--botowire-report=blocker/out.json")
    result.assert_outcomes(passed=1)
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(
        [f"botowire: could not write the report to {pytester.path / 'blocker' / 'out.json'}: *"]
    )
