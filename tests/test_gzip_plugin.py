"""gzip in a pytest run: the botowire_gzip fixture, the marker, assert_signed, encoding checks."""

from __future__ import annotations

import gzip

import boto3
import pytest
from botocore.config import Config
from botocore_features import CLOUDWATCH_PROTOCOL, operation_model, server_answer
from local_server import RecordingServer

from pytest_botowire import gzip_request_body
from pytest_botowire.aws.sigv4 import verify_sigv4

pytest_plugins = ["pytester"]

# How an uncompressed PutMetricData(Namespace="<namespace>", ...) body starts, per protocol.
BODY_START = {
    "json": b'{"Namespace": "%s"',
    "query": b"Action=PutMetricData&Version=2010-08-01&Namespace=%s&",
}[CLOUDWATCH_PROTOCOL]

PRELUDE = """
import gzip, warnings
import boto3, pytest
from botocore.config import Config
from pytest_botowire import gzip_request_body, BotowireGzipWarning

def metrics(n):
    return [{"MetricName": f"metric-{i}", "Value": float(i), "Unit": "Count"} for i in range(n)]

def cloudwatch(**config):
    return boto3.client("cloudwatch", region_name="us-east-1", config=Config(**config),
                        aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="not-a-real-secret")
"""


def make(pytester: pytest.Pytester, body: str) -> None:
    pytester.makepyfile(test_it=PRELUDE + body)


def test_botowire_gzip_gzips_modeled_operations_of_every_client_at_any_size(
    pytester: pytest.Pytester,
) -> None:
    make(
        pytester,
        """
BEFORE = cloudwatch()   # created before the test: still covered

def test_it(botowire, botowire_gzip):
    BEFORE.put_metric_data(Namespace="app", MetricData=metrics(1))
    cloudwatch().put_metric_data(Namespace="app", MetricData=metrics(300))
    boto3.client("sqs", region_name="us-east-1").list_queues()
    botowire.select("cloudwatch.PutMetricData").assert_gzipped()
    botowire.select("cloudwatch.PutMetricData").assert_signed()
    botowire.select("sqs").assert_no_header("Content-Encoding")

def test_without(botowire):
    BEFORE.put_metric_data(Namespace="app", MetricData=metrics(1))
    botowire.assert_no_header("Content-Encoding")
""",
    )
    pytester.runpytest().assert_outcomes(passed=2)


def test_botowire_gzip_enable_widens_narrows_and_disables(pytester: pytest.Pytester) -> None:
    make(
        pytester,
        """
def test_widen(botowire, botowire_gzip):
    with pytest.warns(BotowireGzipWarning, match="sqs.SendMessage, whose model does not declare gzip request compression; AWS may reject"):
        botowire_gzip.enable("sqs.send_message")
    sqs = boto3.client("sqs", region_name="us-east-1")
    sqs.send_message(QueueUrl="https://q", MessageBody="hello")
    cloudwatch().put_metric_data(Namespace="app", MetricData=metrics(1))
    botowire.select("sqs.SendMessage").assert_gzipped()
    botowire.select("cloudwatch").assert_no_header("Content-Encoding")

def test_narrow_by_size(botowire, botowire_gzip):
    botowire_gzip.enable(min_size=1000)
    client = cloudwatch()
    client.put_metric_data(Namespace="app", MetricData=metrics(1))
    client.put_metric_data(Namespace="app", MetricData=metrics(30))
    assert [r.encodings for r in botowire] == [(), ("gzip",)]

def test_disable(botowire, botowire_gzip):
    botowire_gzip.disable()
    cloudwatch().put_metric_data(Namespace="app", MetricData=metrics(1))
    botowire.assert_no_header("Content-Encoding")
""",
    )
    pytester.runpytest("-W", "error::pytest_botowire.BotowireGzipWarning").assert_outcomes(passed=3)


def test_the_marker_gzip_option(pytester: pytest.Pytester) -> None:
    make(
        pytester,
        """
@pytest.mark.botowire(gzip=True)
def test_true(botowire):
    cloudwatch().put_metric_data(Namespace="app", MetricData=metrics(1))
    botowire.assert_gzipped()

@pytest.mark.botowire(gzip=["cloudwatch.PutMetricData", "logs.PutLogEvents"])
def test_patterns(botowire):
    cloudwatch().put_metric_data(Namespace="app", MetricData=metrics(1))
    boto3.client("logs", region_name="us-east-1").put_log_events(
        logGroupName="g", logStreamName="s", logEvents=[{"timestamp": 1, "message": "m"}])
    botowire.assert_gzipped()

@pytest.mark.botowire(gzip="cloudwatch.PutMetricData")
def test_without_the_fixture():
    # the gzip policy is on even when the test does not ask for botowire
    from pytest_botowire.capture.install import active
    assert active().gzip_policy is not None

@pytest.mark.botowire(gzip="cloudwatch.PutMetrics")
def test_bad(botowire):
    pass
""",
    )
    result = pytester.runpytest("-W", "ignore::pytest_botowire.BotowireGzipWarning")
    result.assert_outcomes(passed=3, failed=1)
    result.stdout.fnmatch_lines(
        [
            "*unknown operation 'PutMetrics' of service 'cloudwatch' in pattern 'cloudwatch.PutMetrics'; did you mean 'PutMetricData'*"
        ]
    )


def test_a_handler_that_changes_the_body_at_before_send_fails_assert_signed(
    pytester: pytest.Pytester,
) -> None:
    make(
        pytester,
        """
def late_gzip(request, **kwargs):
    request.body = gzip.compress(request.body, mtime=0)   # after signing: too late
    request.headers["Content-Encoding"] = "gzip"
    request.headers["Content-Length"] = str(len(request.body))

def test_it(botowire):
    client = cloudwatch()
    client.meta.events.register_first("before-send.cloudwatch.PutMetricData", late_gzip)
    client.put_metric_data(Namespace="app", MetricData=metrics(3))
    botowire.assert_gzipped()
    botowire.assert_signed()
""",
    )
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "E*AssertionError: assert_signed: 1 of 1 request (all captured requests) is not validly signed",
            "E*- cloudwatch.PutMetricData (attempt 1), * Content-Encoding: gzip: *",
            "E*Hint: a handler that changes a request after botocore signed it breaks its signature; change bodies at before-sign (as gzip_request_body does); "
            "see https://github.com/pytest-botowire/pytest-botowire#when-a-handler-changes-the-body",
        ]
    )


def test_the_naive_recipe_is_flagged_at_the_end_of_every_test(pytester: pytest.Pytester) -> None:
    make(
        pytester,
        """
def naive(request, **kwargs):
    request.data = gzip.compress(request.body)
    request.headers["Content-Encoding"] = "gzip"

def test_flagged(botowire):
    client = cloudwatch()
    client.meta.events.register("before-sign.cloudwatch.PutMetricData", naive)
    client.put_metric_data(Namespace="app", MetricData=metrics(200))

@pytest.mark.botowire(check_encoding=False)
def test_opted_out(botowire):
    client = cloudwatch()
    client.meta.events.register("before-sign.cloudwatch.PutMetricData", naive)
    client.put_metric_data(Namespace="app", MetricData=metrics(200))

def test_fixed(botowire):
    client = cloudwatch()
    client.meta.events.register("before-sign.cloudwatch.PutMetricData", gzip_request_body)
    client.put_metric_data(Namespace="app", MetricData=metrics(200))
    botowire.assert_gzipped()
    botowire.assert_signed()
""",
    )
    result = pytester.runpytest()
    result.assert_outcomes(failed=1, passed=2)
    result.stdout.fnmatch_lines(
        [
            "*_ test_flagged _*",
            "botowire: 1 request sent a body that contradicts its own headers",
            "  - cloudwatch.PutMetricData (attempt 1), * bytes on the wire, * decoded, Content-Encoding: gzip: compressed twice: the body decompresses to gzip data again",
            "  Hint: opt out with @pytest.mark.botowire(check_encoding=False) if this is intended; "
            "see https://github.com/pytest-botowire/pytest-botowire#the-trap",
        ]
    )


@pytest.mark.parametrize("native", ["default", "disabled", "threshold-1"])
def test_end_to_end_over_a_socket_one_gzip_layer_and_a_valid_signature(
    pytester: pytest.Pytester, native: str
) -> None:
    """A real server on 127.0.0.1 receives, decompresses once and verifies the signature."""
    config = {
        "default": "",
        "disabled": "disable_request_compression=True",
        "threshold-1": "request_min_compression_size_bytes=1",
    }[native]
    with RecordingServer(**server_answer("cloudwatch", "PutMetricData")) as server:
        make(
            pytester,
            f"""
@pytest.mark.botowire(mode="passthrough")
@pytest.mark.parametrize("count", [1, 81, 82, 200, 1000])
def test_it(botowire, count):
    client = boto3.client("cloudwatch", region_name="us-east-1", endpoint_url={server.url!r},
                          config=Config({config}), aws_access_key_id="AKIDEXAMPLE",
                          aws_secret_access_key="not-a-real-secret")
    client.meta.events.register("before-sign.cloudwatch.PutMetricData", gzip_request_body)
    client.put_metric_data(Namespace="app", MetricData=metrics(count))
    botowire.assert_gzipped()
    botowire.assert_signed()
    pytest.captured.append(botowire[0].body)
""",
        )
        pytest.captured = []  # type: ignore[attr-defined]
        pytester.runpytest().assert_outcomes(passed=5)
    assert len(server.received) == 5
    for received, captured in zip(server.received, pytest.captured, strict=True):  # type: ignore[attr-defined]
        assert received.body == captured
        assert received.headers["Content-Encoding"] == "gzip"
        inner = gzip.decompress(received.body)
        assert inner[:2] != b"\x1f\x8b"
        assert inner.startswith(BODY_START % b"app")
        problem = verify_sigv4(
            received.method,
            server.url + received.path,
            received.headers,
            received.body,
            _credentials(),
        )
        assert problem is None


def _credentials() -> object:
    from botocore.credentials import Credentials

    return Credentials("AKIDEXAMPLE", "not-a-real-secret")


def test_gzip_request_body_is_importable_from_the_package() -> None:
    client = boto3.client(
        "cloudwatch",
        region_name="us-east-1",
        aws_access_key_id="AKIDEXAMPLE",
        aws_secret_access_key="not-a-real-secret",
        config=Config(disable_request_compression=True),
    )
    seen: list[bytes] = []
    client.meta.events.register("before-sign.cloudwatch.PutMetricData", gzip_request_body)

    def answer(request: object, **_: object) -> object:
        from pytest_botowire.aws.serialize import serialize_response, to_aws_response

        seen.append(request.body)  # type: ignore[attr-defined]
        wire = serialize_response(operation_model("cloudwatch", "PutMetricData"))
        return to_aws_response(request.url, wire)  # type: ignore[attr-defined]

    client.meta.events.register("before-send.cloudwatch.PutMetricData", answer)
    client.put_metric_data(Namespace="a", MetricData=[{"MetricName": "m", "Value": 1.0}])
    client.put_metric_data(Namespace="a", MetricData=[{"MetricName": "m", "Value": 1.0}])
    assert seen[0] == seen[1]  # reproducible: mtime 0
    assert gzip.decompress(seen[0]).startswith(BODY_START % b"a")
