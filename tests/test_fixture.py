"""The ``botowire`` fixture in a pytest run: capture, selection, assertions and their messages."""

from __future__ import annotations

import pytest
from botocore_features import CLOUDWATCH_CONTENT_TYPE, CLOUDWATCH_PROTOCOL

pytest_plugins = ["pytester"]

# A responder every inline test file can use: answers CloudWatch at before-send so the
# tests do not depend on the offline answers (tested on their own below).
PRELUDE = """
import io, re, gzip
import boto3, botocore.session, pytest
from botocore.config import Config

def metrics(n):
    return [{"MetricName": f"metric-{i}", "Value": float(i), "Unit": "Count"} for i in range(n)]

def cloudwatch(**config):
    return boto3.client("cloudwatch", region_name="us-east-1", config=Config(**config),
                        aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="not-a-real-secret")
"""
# CloudWatch's wire protocol depends on the botocore version (query, then JSON from 1.42.7).
CLOUDWATCH_WIRE = (
    f"\nCLOUDWATCH_PROTOCOL = {CLOUDWATCH_PROTOCOL!r}\n"
    f"CLOUDWATCH_CONTENT_TYPE = {CLOUDWATCH_CONTENT_TYPE!r}\n"
)


def make(pytester: pytest.Pytester, body: str) -> None:
    pytester.makepyfile(test_it=PRELUDE + body)


def test_captures_a_put_metric_data_with_its_wire_shape(pytester: pytest.Pytester) -> None:
    make(
        pytester,
        """
def test_it(botowire):
    cloudwatch().put_metric_data(Namespace="app", MetricData=metrics(400))
    (request,) = botowire
    assert len(botowire) == 1 and botowire[0] is request and list(botowire) == [request]
    assert (request.service, request.service_id, request.operation) == ("cloudwatch", "cloudwatch", "PutMetricData")
    assert request.method == "POST"
    assert request.url == "https://monitoring.us-east-1.amazonaws.com/"
    assert request.encodings == ("gzip",)
    assert request.headers["content-encoding"] == "gzip"
    assert request.size == len(request.body) == int(request.headers["Content-Length"])
    assert gzip.decompress(request.body) == request.content
    assert request.decoded_size == len(request.content) > 10240
    assert request.params["Namespace"] == "app" and len(request.params["MetricData"]) == 400
    assert request.attempt == 1
    assert request.protocol == CLOUDWATCH_PROTOCOL
    assert request.headers["Content-Type"] == CLOUDWATCH_CONTENT_TYPE
    assert request.payload["Namespace"] == "app"
    assert request.answered_by == "botowire" and request.status == 200
    botowire.assert_gzipped()
    botowire.assert_header("User-Agent", re.compile("Boto3/"))
"""
        + CLOUDWATCH_WIRE,
    )
    pytester.runpytest().assert_outcomes(passed=1)


def test_patterns_accept_client_names_service_ids_and_method_names(
    pytester: pytest.Pytester,
) -> None:
    make(
        pytester,
        """
def test_it(botowire):
    logs = boto3.client("logs")
    logs.put_log_events(logGroupName="g", logStreamName="s", logEvents=[{"timestamp": 1, "message": "m"}])
    cloudwatch().put_metric_data(Namespace="app", MetricData=metrics(1))
    for pattern in ["logs.PutLogEvents", "cloudwatch-logs.PutLogEvents", "logs.put_log_events",
                    "logs.*", "logs", "cloudwatch-logs", "logs.Put*", ["sqs", "logs"]]:
        assert [r.operation for r in botowire.select(pattern)] == ["PutLogEvents"], pattern
    assert len(botowire.select("*")) == 2
    assert len(botowire.select("*.PutMetricData")) == 1
    assert len(botowire.select("cloudwatch").select("cloudwatch.PutMetricData")) == 1
    assert len(botowire.select("cloudwatch").select("logs")) == 0
""",
    )
    pytester.runpytest().assert_outcomes(passed=1)


def test_a_selection_is_live(pytester: pytest.Pytester) -> None:
    make(
        pytester,
        """
def test_it(botowire):
    puts = botowire.select("cloudwatch.PutMetricData")
    assert len(puts) == 0
    cloudwatch().put_metric_data(Namespace="app", MetricData=metrics(1))
    assert len(puts) == 1
""",
    )
    pytester.runpytest().assert_outcomes(passed=1)


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        (
            "cloudwatchlogs.PutLogEvents",
            "ValueError: unknown service 'cloudwatchlogs' in pattern 'cloudwatchlogs.PutLogEvents'; "
            "did you mean 'cloudwatch-logs' or 'cloudwatch' *",
        ),
        (
            "logs.PutLogEvent",
            "ValueError: unknown operation 'PutLogEvent' of service 'logs' in pattern "
            "'logs.PutLogEvent'; did you mean 'PutLogEvents'*",
        ),
        ("logs.", "ValueError: pattern 'logs.' has no operation after the dot; use 'logs.*'"),
        ("", "ValueError: a pattern must not be empty; use '*' to match every request"),
        ("logs.Nope*", "ValueError: pattern 'logs.Nope*' matches no operation of 'logs'"),
    ],
)
def test_a_bad_pattern_is_a_value_error_at_the_call(
    pytester: pytest.Pytester, pattern: str, message: str
) -> None:
    make(
        pytester,
        f"""
def test_it(botowire):
    botowire.select({pattern!r})
""",
    )
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["E**" + message, "test_it.py:*: ValueError"])


def test_a_pattern_of_the_wrong_type_is_a_type_error(pytester: pytest.Pytester) -> None:
    make(pytester, "def test_it(botowire):\n    botowire.select(42)\n")
    result = pytester.runpytest()
    result.stdout.fnmatch_lines(
        [
            "E*TypeError: select() takes a pattern (a str like 'sqs.SendMessage', 'sqs.*' or '*') "
            "or a list of them, not int (42)"
        ]
    )


def test_assert_gzipped_names_each_way_a_body_can_be_wrong(pytester: pytest.Pytester) -> None:
    make(
        pytester,
        """
def naive_gzip(request, **kwargs):
    request.data = gzip.compress(request.body)
    request.headers.add_header("Content-Encoding", "gzip")

def header_only(request, **kwargs):
    request.headers.add_header("Content-Encoding", "gzip")

def bytes_only(request, **kwargs):
    request.data = gzip.compress(request.body)

@pytest.mark.botowire(check_encoding=False)
@pytest.mark.parametrize("handler", [None, naive_gzip, header_only, bytes_only])
def test_it(botowire, handler):
    client = cloudwatch()
    if handler:
        client.meta.events.register("before-sign.cloudwatch.PutMetricData", handler)
    client.put_metric_data(Namespace="app", MetricData=metrics(200 if handler is naive_gzip else 2))
    botowire.select("cloudwatch.PutMetricData").assert_gzipped()
""",
    )
    result = pytester.runpytest()
    result.assert_outcomes(failed=4)
    result.stdout.fnmatch_lines(
        [
            "E*AssertionError: assert_gzipped: 1 of 1 request (matching 'cloudwatch.PutMetricData') is not gzip-compressed exactly once",
            "E*- cloudwatch.PutMetricData (attempt 1), * bytes on the wire, no Content-Encoding: Content-Encoding does not name gzip and the body is not gzip",
            "E*Hint: gzip with enable_gzip() or the botowire_gzip fixture, which never gzip twice; see https://github.com/pytest-botowire/pytest-botowire#gzip",
            "*",
            "E*- cloudwatch.PutMetricData (attempt 1), * bytes on the wire, * decoded, Content-Encoding: gzip: compressed twice: the body decompresses to gzip data again",
            "*",
            "E*- cloudwatch.PutMetricData (attempt 1), * bytes on the wire, Content-Encoding: gzip: Content-Encoding: gzip but the body is not gzip data",
            "*",
            "E*- cloudwatch.PutMetricData (attempt 1), * bytes on the wire, no Content-Encoding: the body is gzip data but Content-Encoding does not name gzip",
        ]
    )


def test_assert_gzipped_catches_the_double_gzip_under_one_header(pytester: pytest.Pytester) -> None:
    make(
        pytester,
        """
def naive_gzip(request, **kwargs):
    request.data = gzip.compress(request.body)
    request.headers["Content-Encoding"] = "gzip"   # replaces botocore's header: one token

@pytest.mark.botowire(check_encoding=False)
def test_it(botowire):
    client = cloudwatch()
    client.meta.events.register("before-sign.cloudwatch.PutMetricData", naive_gzip)
    client.put_metric_data(Namespace="app", MetricData=metrics(200))
    botowire.assert_gzipped()
""",
    )
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "E*AssertionError: assert_gzipped: 1 of 1 request (all captured requests) is not gzip-compressed exactly once",
            "E*- cloudwatch.PutMetricData (attempt 1), * bytes on the wire, * decoded, Content-Encoding: gzip: compressed twice: the body decompresses to gzip data again",
        ]
    )


def test_assert_payload_under_is_inclusive_and_reports_the_excess(
    pytester: pytest.Pytester,
) -> None:
    make(
        pytester,
        """
def test_it(botowire):
    cloudwatch().put_metric_data(Namespace="app", MetricData=metrics(2))
    request = botowire[0]
    botowire.assert_payload_under(request.size)
    request.assert_payload_under(request.size)
    botowire.assert_payload_under(request.decoded_size, decoded=True)
    botowire.select("cloudwatch").assert_payload_under(request.size - 1)
""",
    )
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            '>       botowire.select("cloudwatch").assert_payload_under(request.size - 1)',
            "E*AssertionError: assert_payload_under: 1 of 1 request (matching 'cloudwatch') is over * bytes on the wire",
            "E*- cloudwatch.PutMetricData (attempt 1), * bytes on the wire, no Content-Encoding: * > * bytes (over by 1)",
        ]
    )


def test_decoded_sizes_compare_after_removing_gzip(pytester: pytest.Pytester) -> None:
    # botocore gzips from 10240 bytes on; 400 metrics compress to a few KB in every protocol
    make(
        pytester,
        """
def test_it(botowire):
    cloudwatch().put_metric_data(Namespace="app", MetricData=metrics(400))
    request = botowire[0]
    assert request.encodings == ("gzip",)
    assert request.size < 10000 < request.decoded_size
    botowire.assert_payload_under(10000)
    botowire.assert_payload_under(10000, decoded=True)
""",
    )
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            ">       botowire.assert_payload_under(10000, decoded=True)",
            "E*AssertionError: assert_payload_under: 1 of 1 request (all captured requests) is over 10,000 bytes decoded",
        ]
    )


@pytest.mark.parametrize(
    ("call", "error"),
    [
        (
            "botowire.assert_payload_under('40kb')",
            "TypeError: limit must be a whole number of bytes (an int like 40_000), not '40kb'",
        ),
        ("botowire.assert_payload_under(-1)", "ValueError: limit must not be negative, got -1"),
        (
            "botowire.assert_payload_under(1.5)",
            "TypeError: limit must be a whole number of bytes (an int like 40_000), not 1.5",
        ),
        (
            "botowire.assert_payload_under(True)",
            "TypeError: limit must be a whole number of bytes (an int like 40_000), not True",
        ),
        (
            "botowire.assert_payload_under(10, decoded='yes')",
            "TypeError: decoded must be True or False, not 'yes'",
        ),
        (
            "botowire.assert_called(times=0)",
            "ValueError: times must be at least 1, got 0; use assert_not_called() to check for none",
        ),
        ("botowire.assert_called(times='2')", "TypeError: times must be an int, not '2'"),
        (
            "botowire.assert_header(b'User-Agent')",
            "TypeError: a header name must be a non-empty str, not b'User-Agent'",
        ),
        (
            "botowire.assert_header('User-Agent', 5)",
            "TypeError: value must be a str, a compiled regex (re.compile(...)) or None, not int",
        ),
        (
            "botowire.assert_params()",
            "TypeError: assert_params() needs at least one expected parameter",
        ),
    ],
)
def test_bad_arguments_fail_at_the_call(pytester: pytest.Pytester, call: str, error: str) -> None:
    make(
        pytester,
        f"""
def test_it(botowire):
    cloudwatch().put_metric_data(Namespace="app", MetricData=metrics(1))
    {call}
""",
    )
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines([f"E**{error}"])


def test_assertions_fail_on_an_empty_selection_and_list_what_was_captured(
    pytester: pytest.Pytester,
) -> None:
    make(
        pytester,
        """
@pytest.mark.parametrize("assertion", ["assert_called()", "assert_gzipped()", "assert_payload_under(1)",
    "assert_header('x')", "assert_no_header('x')", "assert_params(A=1)", "assert_signed()"])
def test_it(botowire, assertion):
    cloudwatch().put_metric_data(Namespace="app", MetricData=metrics(1))
    eval("botowire.select('sqs.SendMessage')." + assertion)

def test_not_called_passes_on_empty(botowire):
    cloudwatch().put_metric_data(Namespace="app", MetricData=metrics(1))
    botowire.select("sqs").assert_not_called()

def test_nothing_captured(botowire):
    botowire.assert_called()
""",
    )
    result = pytester.runpytest()
    result.assert_outcomes(failed=8, passed=1)
    result.stdout.fnmatch_lines(
        [
            "E*AssertionError: assert_called: no request matched 'sqs.SendMessage'",
            "E*captured in this test (1):",
            "E*- cloudwatch.PutMetricData (attempt 1), * bytes on the wire, no Content-Encoding",
        ]
    )
    for name in (
        "assert_gzipped",
        "assert_payload_under",
        "assert_header",
        "assert_no_header",
        "assert_params",
        "assert_signed",
    ):
        result.stdout.fnmatch_lines(
            [f"E*AssertionError: {name}: no request matched 'sqs.SendMessage'"]
        )
    result.stdout.fnmatch_lines(
        [
            "E*AssertionError: assert_called: no request was captured",
            "E*nothing was captured in this test",
        ]
    )


def test_assert_called_and_not_called_count(pytester: pytest.Pytester) -> None:
    make(
        pytester,
        """
def test_it(botowire):
    client = cloudwatch()
    for _ in range(3):
        client.put_metric_data(Namespace="app", MetricData=metrics(1))
    botowire.assert_called()
    botowire.assert_called(times=3)
    botowire.select("logs").assert_not_called()
    botowire.assert_called(times=2)

def test_not_called(botowire):
    cloudwatch().put_metric_data(Namespace="app", MetricData=metrics(1))
    botowire.assert_not_called()
""",
    )
    result = pytester.runpytest()
    result.assert_outcomes(failed=2)
    result.stdout.fnmatch_lines(
        [
            "E*AssertionError: assert_called: expected 2 requests (all captured requests), got 3",
            "E*- cloudwatch.PutMetricData (attempt 1), * bytes on the wire, no Content-Encoding",
            "E*- cloudwatch.PutMetricData (attempt 1), * bytes on the wire, no Content-Encoding",
            "E*- cloudwatch.PutMetricData (attempt 1), * bytes on the wire, no Content-Encoding",
        ]
    )
    result.stdout.fnmatch_lines(
        ["E*AssertionError: assert_not_called: expected no request (all captured requests), got 1"]
    )


def test_assert_header_str_regex_and_no_header(pytester: pytest.Pytester) -> None:
    make(
        pytester,
        """
def add_trace(request, **kwargs):
    request.headers["X-Trace-Id"] = "abc-123"

def test_it(botowire):
    client = cloudwatch()
    client.meta.events.register("before-sign.cloudwatch.*", add_trace)
    client.put_metric_data(Namespace="app", MetricData=metrics(1))
    botowire.assert_header("x-trace-id")
    botowire.assert_header("X-TRACE-ID", "abc-123")
    botowire.assert_header("X-Trace-Id", re.compile(r"^abc-\\d+$"))
    botowire.assert_no_header("X-Other")
    botowire[0].assert_header("X-Trace-Id", "abc-124")

def test_regex(botowire):
    cloudwatch().put_metric_data(Namespace="app", MetricData=metrics(1))
    botowire.assert_header("User-Agent", re.compile("^NotBoto"))

def test_missing(botowire):
    cloudwatch().put_metric_data(Namespace="app", MetricData=metrics(1))
    botowire.assert_header("X-Trace-Id")

def test_present(botowire):
    cloudwatch().put_metric_data(Namespace="app", MetricData=metrics(1))
    botowire.assert_no_header("Content-Type")
""",
    )
    result = pytester.runpytest()
    result.assert_outcomes(failed=4)
    result.stdout.fnmatch_lines(
        [
            "E*AssertionError: assert_header: 1 of 1 request (cloudwatch.PutMetricData) is missing header X-Trace-Id: 'abc-124'",
            "E*- cloudwatch.PutMetricData (attempt 1), * no Content-Encoding: X-Trace-Id: 'abc-123' != 'abc-124'",
        ]
    )
    result.stdout.fnmatch_lines(
        [
            "E*- cloudwatch.PutMetricData (attempt 1), *: User-Agent: 'Boto3/*' does not match '^NotBoto'"
        ]
    )
    result.stdout.fnmatch_lines(
        ["E*- cloudwatch.PutMetricData (attempt 1), *: no X-Trace-Id header"]
    )
    result.stdout.fnmatch_lines(
        [
            "E*AssertionError: assert_no_header: 1 of 1 request (all captured requests) is carrying header Content-Type",
            f"E*- cloudwatch.PutMetricData (attempt 1), *: Content-Type: {CLOUDWATCH_CONTENT_TYPE!r}",
        ]
    )


def test_assert_params_is_a_deep_subset(pytester: pytest.Pytester) -> None:
    make(
        pytester,
        """
def test_it(botowire):
    cloudwatch().put_metric_data(Namespace="app", MetricData=metrics(2))
    botowire.assert_params(Namespace="app")
    botowire.assert_params(MetricData=[{"MetricName": "metric-0"}, {"MetricName": "metric-1", "Value": 1.0}])
    botowire.assert_params(Namespace=re.compile("^a"))
    botowire.assert_params(MetricData=[{"MetricName": "metric-0"}, {"MetricName": "metric-1", "Value": 2.0}])
""",
    )
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "E*AssertionError: assert_params: 1 of 1 request (all captured requests) is not sent with the expected parameters",
            "E*- cloudwatch.PutMetricData (attempt 1), *: MetricData[[]1].Value: 1.0 != 2.0",
        ]
    )


def test_failures_point_at_the_users_line(pytester: pytest.Pytester) -> None:
    make(
        pytester,
        """
def test_it(botowire):
    cloudwatch().put_metric_data(Namespace="app", MetricData=metrics(1))
    botowire.assert_gzipped()
""",
    )
    result = pytester.runpytest()
    result.stdout.fnmatch_lines(
        [">       botowire.assert_gzipped()", "test_it.py:14: AssertionError"]
    )
    result.stdout.no_fnmatch_line("*_assertions.py*")


def test_credentials_never_appear_in_messages_or_reprs(pytester: pytest.Pytester) -> None:
    make(
        pytester,
        """
def test_it(botowire):
    client = boto3.client("sqs", region_name="us-east-1", aws_access_key_id="AKIDEXAMPLE",
                          aws_secret_access_key="SECRET" * 3, aws_session_token="TOKEN" * 3)
    client.list_queues()
    request = botowire[0]
    print(repr(request), repr(request.headers), repr(botowire))
    botowire.assert_header("Authorization", "AWS4-HMAC-SHA256 nope")
""",
    )
    result = pytester.runpytest("-s")
    result.assert_outcomes(failed=1)
    output = result.stdout.str() + result.stderr.str()
    assert "TOKENTOKENTOKEN" not in output
    assert "SECRETSECRETSECRET" not in output
    assert "Signature=<redacted>" in output
    assert "'X-Amz-Security-Token': '<redacted>'" in output
    import re

    assert re.search(r"Signature=[0-9a-f]{64}", output) is None


def test_retries_are_captured_one_request_per_attempt(pytester: pytest.Pytester) -> None:
    make(
        pytester,
        """
from botocore.awsrequest import AWSResponse

class Raw(io.BytesIO):
    def stream(self, **kwargs):
        yield self.getvalue()

def test_it(botowire):
    client = cloudwatch(retries={"mode": "standard", "max_attempts": 3})
    calls = []
    def flaky(request, **kwargs):
        calls.append(1)
        if len(calls) < 3:
            return AWSResponse(request.url, 503, {}, Raw(b""))
        return None   # the offline answer takes over
    client.meta.events.register("before-send.cloudwatch.PutMetricData", flaky)
    client.put_metric_data(Namespace="app", MetricData=metrics(1))
    assert [r.attempt for r in botowire] == [1, 2, 3]
    assert [r.status for r in botowire] == [503, 503, 200]
    assert [r.answered_by for r in botowire] == ["other", "other", "botowire"]
    sent = [r.headers["amz-sdk-request"] for r in botowire]
    assert [re.search(r"attempt=(\\d+)", h).group(1) for h in sent] == ["1", "2", "3"], sent
    assert botowire[0].body == botowire[2].body
""",
    )
    pytester.runpytest().assert_outcomes(passed=1)


def test_capture_is_scoped_to_the_test(pytester: pytest.Pytester) -> None:
    make(
        pytester,
        """
CLIENT = cloudwatch()

def test_one(botowire):
    CLIENT.put_metric_data(Namespace="app", MetricData=metrics(1))
    assert len(botowire) == 1

def test_between():
    from pytest_botowire.capture import install as _capture
    assert _capture.active() is None

def test_two(botowire):
    assert len(botowire) == 0
    CLIENT.put_metric_data(Namespace="app", MetricData=metrics(1))
    assert len(botowire) == 1 and botowire[0].test_id.endswith("test_two")

def test_clear(botowire):
    CLIENT.put_metric_data(Namespace="app", MetricData=metrics(1))
    botowire.clear()
    assert len(botowire) == 0
""",
    )
    pytester.runpytest().assert_outcomes(passed=4)
