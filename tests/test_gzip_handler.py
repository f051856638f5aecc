"""gzip_request_body / enable_gzip against real botocore clients, offline (answered at before-send)."""

from __future__ import annotations

import datetime
import functools
import gzip
import io
import warnings
from typing import Any

import boto3
import botocore.session
import pytest
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore_features import (
    BOTOCORE_VERSION,
    CLOUDWATCH_CONTENT_TYPE,
    CLOUDWATCH_PROTOCOL,
    wire_bytes,
)

from pytest_botowire.aws.patterns import parse_pattern
from pytest_botowire.aws.serialize import serialize_response, to_aws_response
from pytest_botowire.aws.sigv4 import verify_sigv4
from pytest_botowire.features.gzip import (
    BOTOCORE_LEVEL,
    DEFAULT_LEVEL,
    BotowireGzipWarning,
    GzipPolicy,
    enable_gzip,
    gzip_request_body,
    note_request_compression,
)

CREDS = {"aws_access_key_id": "AKIDEXAMPLE", "aws_secret_access_key": "not-a-real-secret"}
MAGIC = b"\x1f\x8b"


def _answer(client: Any, sent: list[Any]) -> Any:
    """Answer every request offline, in the wire protocol this botocore uses for the service."""

    def send(request: Any, event_name: str, **kwargs: Any) -> Any:
        sent.append(request)
        operation = client.meta.service_model.operation_model(event_name.rsplit(".", 1)[-1])
        return to_aws_response(request.url, serialize_response(operation))

    return send


def make_client(
    service: str = "cloudwatch", config: Config | None = None, session: Any = None
) -> tuple[Any, list[Any]]:
    session = session or botocore.session.get_session()
    client = session.create_client(service, region_name="us-east-1", config=config, **CREDS)
    sent: list[Any] = []
    client.meta.events.register("before-send", _answer(client, sent))
    return client, sent


def metrics(n: int) -> list[dict[str, Any]]:
    ts = datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc)
    return [
        {
            "MetricName": f"metric-{i}",
            "Dimensions": [{"Name": "Host", "Value": f"host-{i % 7}"}],
            "Timestamp": ts,
            "Value": float(i),
            "Unit": "Count",
        }
        for i in range(n)
    ]


def wire(prepared: Any) -> bytes:
    """The bytes a prepared request sends (a query body is still a ``str`` at before-send)."""
    return wire_bytes(prepared.body)


@functools.lru_cache(maxsize=1)
def _raw_client() -> tuple[Any, list[Any]]:
    return make_client(config=Config(disable_request_compression=True))


@functools.cache
def raw_body(n: int) -> bytes:
    """The uncompressed serialization of ``metrics(n)`` (botocore compression off)."""
    client, sent = _raw_client()
    client.put_metric_data(Namespace="Test", MetricData=metrics(n))
    return wire(sent[-1])


def content_encoding(prepared: Any) -> list[str]:
    value = prepared.headers.get("Content-Encoding")
    if value is None:
        return []
    text = value.decode() if isinstance(value, bytes) else value
    return [t.strip() for t in text.split(",")]


@functools.lru_cache(maxsize=1)
def threshold_counts() -> tuple[int, int]:
    """Metric counts whose uncompressed body is just under and just over 10240 bytes."""
    low, high = 1, 2
    while len(raw_body(high)) < 10240:
        low, high = high, high * 2
    while high - low > 1:
        mid = (low + high) // 2
        if len(raw_body(mid)) < 10240:
            low = mid
        else:
            high = mid
    return low, high


def test_cloudwatch_protocol_for_this_botocore() -> None:
    # CloudWatch moved from the query protocol to AWS JSON 1.0 in botocore 1.42.7
    expected = "json" if BOTOCORE_VERSION >= (1, 42, 7) else "query"
    assert expected == CLOUDWATCH_PROTOCOL
    client, sent = make_client()
    client.put_metric_data(Namespace="Test", MetricData=metrics(1))
    assert sent[-1].headers["Content-Type"] == CLOUDWATCH_CONTENT_TYPE.encode()


def test_threshold_counts_bracket_native_compression() -> None:
    under, over = threshold_counts()
    assert len(raw_body(under)) < 10240 <= len(raw_body(over))


def test_naive_recipe_double_gzips_200_metrics() -> None:
    client, sent = make_client()

    def naive(request: Any, **kwargs: Any) -> None:
        request.data = gzip.compress(request.body)
        request.headers.add_header("Content-Encoding", "gzip")

    client.meta.events.register("before-sign.cloudwatch.PutMetricData", naive)
    client.put_metric_data(Namespace="Test", MetricData=metrics(200))
    once = gzip.decompress(wire(sent[-1]))
    assert once[:2] == MAGIC  # still gzip after one layer: double-compressed
    assert gzip.decompress(once) == raw_body(200)
    assert content_encoding(sent[-1]) == ["gzip"]  # ...under one Content-Encoding: gzip


CONFIGS = {
    "native-default": None,
    "native-disabled": Config(disable_request_compression=True),
    "native-min-1": Config(request_min_compression_size_bytes=1),
}


@pytest.mark.parametrize("config_name", list(CONFIGS))
@pytest.mark.parametrize("which", ["one", "under", "over", "thousand"])
def test_handler_gives_exactly_one_gzip_layer(config_name: str, which: str) -> None:
    under, over = threshold_counts()
    n = {"one": 1, "under": under, "over": over, "thousand": 1000}[which]
    client, sent = make_client(config=CONFIGS[config_name])
    client.meta.events.register("before-sign.cloudwatch.PutMetricData", gzip_request_body)
    client.put_metric_data(Namespace="Test", MetricData=metrics(n))
    prepared = sent[-1]
    once = gzip.decompress(prepared.body)
    assert once[:2] != MAGIC
    assert once == raw_body(n)
    assert content_encoding(prepared).count("gzip") == 1
    assert int(prepared.headers["Content-Length"]) == len(prepared.body)
    creds = client._request_signer._credentials
    assert (
        verify_sigv4(prepared.method, prepared.url, prepared.headers, prepared.body, creds) is None
    )


def test_handler_output_is_reproducible() -> None:
    bodies = []
    for _ in range(2):
        client, sent = make_client(config=Config(disable_request_compression=True))
        client.meta.events.register("before-sign.cloudwatch.PutMetricData", gzip_request_body)
        client.put_metric_data(Namespace="Test", MetricData=metrics(50))
        bodies.append(wire(sent[-1]))
    assert bodies[0] == bodies[1]
    assert bodies[0][4:8] == b"\0\0\0\0"  # gzip MTIME field


def _request(data: Any, headers: dict[str, str] | None = None) -> AWSRequest:
    return AWSRequest(
        method="POST",
        url="https://monitoring.us-east-1.amazonaws.com/",
        data=data,
        headers=headers or {},
    )


@pytest.mark.parametrize(
    "data", [b"hello world" * 10, bytearray(b"hello world" * 10), "héllo wörld" * 10]
)
def test_handler_body_types(data: Any) -> None:
    request = _request(data, {"Content-Length": "999"})
    gzip_request_body(request, signing_name="monitoring", region_name="us-east-1")
    assert isinstance(request.data, bytes)
    expected = data.encode("utf-8") if isinstance(data, str) else bytes(data)
    assert gzip.decompress(request.data) == expected
    assert request.headers.get_all("Content-Encoding") == ["gzip"]
    assert request.headers.get_all("Content-Length") == [str(len(request.data))]


def test_handler_dict_body_is_form_encoded_like_botocore() -> None:
    request = _request({"Action": "ListMetrics", "Version": "2010-08-01"})
    gzip_request_body(request)
    assert gzip.decompress(request.data) == b"Action=ListMetrics&Version=2010-08-01"


def test_handler_stream_reads_from_current_position_and_restores_it() -> None:
    stream = io.BytesIO(b"HEADER" + b"payload " * 100)
    stream.seek(6)
    request = _request(stream)
    gzip_request_body(request)
    assert stream.tell() == 6  # the caller's stream is put back where it was
    body = request.data
    assert isinstance(body, io.BytesIO)
    assert body.tell() == 0
    prepared = request.prepare()
    assert int(prepared.headers["Content-Length"]) == len(body.getvalue())
    assert gzip.decompress(prepared.body.read()) == b"payload " * 100
    prepared.reset_stream()  # what a retry does
    assert gzip.decompress(prepared.body.read()) == b"payload " * 100


def test_handler_non_seekable_stream() -> None:
    class OneShot:
        def __init__(self) -> None:
            self._data = io.BytesIO(b"abc" * 50)

        def read(self, size: int = -1) -> bytes:
            return self._data.read(size)

    request = _request(OneShot())
    gzip_request_body(request)
    assert gzip.decompress(request.data.getvalue()) == b"abc" * 50


@pytest.mark.parametrize(
    ("headers", "data"),
    [
        ({"Content-Encoding": "gzip"}, b"plain but declared"),
        ({"Content-Encoding": "identity, x-gzip"}, b"plain"),
        ({}, gzip.compress(b"already", mtime=0)),
        ({}, b""),
        ({}, None),
    ],
)
def test_handler_leaves_gzip_and_empty_bodies_alone(headers: dict[str, str], data: Any) -> None:
    request = _request(data, headers)
    gzip_request_body(request)
    assert request.data == data
    assert request.headers.get_all("Content-Encoding") == (
        [headers["Content-Encoding"]] if headers else None
    )


def test_handler_gzipped_stream_is_left_alone() -> None:
    stream = io.BytesIO(gzip.compress(b"x" * 100))
    request = _request(stream)
    gzip_request_body(request)
    assert request.data is stream
    assert stream.tell() == 0


def test_handler_appends_to_existing_encoding_in_one_header() -> None:
    request = _request(b"data" * 20, {"Content-Encoding": "br"})
    request.headers.add_header("Content-Encoding", "identity")
    gzip_request_body(request)
    assert request.headers.get_all("Content-Encoding") == ["br,identity,gzip"]


def test_handler_min_size_and_level() -> None:
    request = _request(b"x" * 99)
    gzip_request_body(request, min_size=100)
    assert request.data == b"x" * 99
    gzip_request_body(request, min_size=99, compresslevel=0)
    assert request.data[:2] == MAGIC
    assert len(request.data) > 99  # level 0: stored, not compressed


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"compresslevel": 10}, ValueError),
        ({"compresslevel": -1}, ValueError),
        ({"compresslevel": 6.0}, TypeError),
        ({"compresslevel": True}, TypeError),
        ({"min_size": -1}, ValueError),
    ],
)
def test_handler_rejects_bad_arguments(kwargs: dict[str, Any], error: type[Exception]) -> None:
    with pytest.raises(error):
        gzip_request_body(_request(b"x"), **kwargs)


def test_handler_via_partial_is_accepted_by_botocore() -> None:
    client, sent = make_client(config=Config(disable_request_compression=True))
    handler = functools.partial(gzip_request_body, compresslevel=1)
    client.meta.events.register("before-sign.cloudwatch.PutMetricData", handler)
    client.put_metric_data(Namespace="Test", MetricData=metrics(100))
    assert gzip.decompress(wire(sent[-1])) == raw_body(100)


def test_default_level_choice() -> None:
    assert DEFAULT_LEVEL == 6
    assert BOTOCORE_LEVEL == 9


# --------------------------------------------------------------------------- enable_gzip


def test_enable_gzip_client_default_is_modeled_operations() -> None:
    client, sent = make_client(config=Config(disable_request_compression=True))
    with enable_gzip(client) as handle:
        assert handle.events == ("before-sign.cloudwatch.PutMetricData",)
        client.put_metric_data(Namespace="Test", MetricData=metrics(1))
        assert gzip.decompress(wire(sent[-1])) == raw_body(1)
        client.list_metrics()
        assert wire(sent[-1])[:2] != MAGIC
    assert not handle.active
    client.put_metric_data(Namespace="Test", MetricData=metrics(1))
    assert wire(sent[-1]) == raw_body(1)


def test_enable_gzip_client_without_modeled_operations_registers_nothing() -> None:
    client, _ = make_client("sqs")
    handle = enable_gzip(client)
    assert handle.events == ()
    handle.disable()


@pytest.mark.parametrize("factory", ["botocore", "boto3"])
def test_enable_gzip_session_default_is_lazy_and_modeled(factory: str) -> None:
    if factory == "boto3":
        target: Any = boto3.Session(region_name="us-east-1", **CREDS)
        core = target._session
    else:
        target = core = botocore.session.get_session()
    handle = enable_gzip(target)
    assert handle.events == ("before-sign",)
    client, sent = make_client(config=Config(disable_request_compression=True), session=core)
    client.put_metric_data(Namespace="Test", MetricData=metrics(2))
    assert gzip.decompress(wire(sent[-1])) == raw_body(2)
    client.list_metrics()
    assert wire(sent[-1])[:2] != MAGIC
    handle.disable()  # reaches clients already made from the session too
    client.put_metric_data(Namespace="Test", MetricData=metrics(2))
    assert wire(sent[-1]) == raw_body(2)


@pytest.mark.parametrize(
    "pattern",
    [
        "cloudwatch.PutMetricData",
        "cloudwatch.put_metric_data",
        "cloudwatch.Put*",
        ["cloudwatch.PutMetricData", "cloudwatch.PutMetricData"],
    ],
)
def test_enable_gzip_patterns_without_warning(pattern: Any) -> None:
    client, sent = make_client(config=Config(disable_request_compression=True))
    with warnings.catch_warnings():
        warnings.simplefilter("error", BotowireGzipWarning)
        if pattern == "cloudwatch.Put*":
            with pytest.warns(BotowireGzipWarning, match=r"covers \d+ operation"):
                handle = enable_gzip(client, pattern)
        else:
            handle = enable_gzip(client, pattern)
    client.put_metric_data(Namespace="Test", MetricData=metrics(3))
    assert gzip.decompress(wire(sent[-1])) == raw_body(3)
    handle.disable()


def test_enable_gzip_warns_for_unmodeled_operation() -> None:
    client, sent = make_client("logs")
    with pytest.warns(BotowireGzipWarning, match="may reject"):
        handle = enable_gzip(client, "cloudwatch-logs.PutLogEvents", min_size=10)
    assert handle.events == ("before-sign.cloudwatch-logs.PutLogEvents",)
    client.put_log_events(
        logGroupName="g", logStreamName="s", logEvents=[{"timestamp": 1, "message": "m" * 50}]
    )
    assert wire(sent[-1])[:2] == MAGIC
    assert content_encoding(sent[-1]) == ["gzip"]
    handle.disable()


@pytest.mark.parametrize("pattern", ["cloudwatch.*", "cloudwatch", "*"])
def test_enable_gzip_wildcards_warn(pattern: str) -> None:
    client, sent = make_client()
    with pytest.warns(BotowireGzipWarning):
        handle = enable_gzip(client, pattern)
    client.list_metrics()
    assert wire(sent[-1])[:2] == MAGIC
    handle.disable()


def test_enable_gzip_star_on_session_warns() -> None:
    with pytest.warns(BotowireGzipWarning, match="every service"):
        handle = enable_gzip(botocore.session.get_session(), "*")
    assert handle.events == ("before-sign",)
    handle.disable()


@pytest.mark.parametrize(
    ("pattern", "hint"),
    [
        ("cloudwach.PutMetricData", "cloudwatch"),
        ("cloudwatch.PutMetricDat", "PutMetricData"),
        ("cloudwatch.put_metric_dat", "put_metric_data"),
    ],
)
def test_enable_gzip_unknown_names(pattern: str, hint: str) -> None:
    with pytest.raises(ValueError, match=hint):
        enable_gzip(botocore.session.get_session(), pattern)


def test_enable_gzip_pattern_for_another_service_than_the_client() -> None:
    client, _ = make_client()
    with pytest.raises(ValueError, match="'cloudwatch' client"):
        enable_gzip(client, "logs.PutLogEvents")


@pytest.mark.parametrize(
    ("target", "kwargs", "error"),
    [
        (object(), {}, TypeError),
        (None, {"min_size": -1}, ValueError),
        (None, {"level": 10}, ValueError),
        (None, {"level": "9"}, TypeError),
        (None, {"pattern": []}, ValueError),
        (None, {"pattern": [1]}, TypeError),
    ],
)
def test_enable_gzip_bad_arguments(
    target: Any, kwargs: dict[str, Any], error: type[Exception]
) -> None:
    if target is None:
        target, _ = make_client()
    with pytest.raises(error):
        enable_gzip(target, **kwargs)


def test_enable_gzip_twice_registers_once_and_refcounts() -> None:
    client, sent = make_client(config=Config(disable_request_compression=True))
    calls: list[int] = []
    client.meta.events.register(
        "before-sign.cloudwatch.PutMetricData", lambda **kw: calls.append(1)
    )
    first = enable_gzip(client)
    second = enable_gzip(client)
    client.put_metric_data(Namespace="Test", MetricData=metrics(1))
    assert gzip.decompress(wire(sent[-1])) == raw_body(1)
    first.disable()
    first.disable()  # idempotent
    client.put_metric_data(Namespace="Test", MetricData=metrics(1))
    assert wire(sent[-1])[:2] == MAGIC  # second still holds it
    second.disable()
    client.put_metric_data(Namespace="Test", MetricData=metrics(1))
    assert wire(sent[-1]) == raw_body(1)


def test_enable_gzip_min_size_and_level() -> None:
    under, over = threshold_counts()
    client, sent = make_client(config=Config(disable_request_compression=True))
    with enable_gzip(client, min_size=10240, level=1):
        client.put_metric_data(Namespace="Test", MetricData=metrics(under))
        assert wire(sent[-1]) == raw_body(under)
        client.put_metric_data(Namespace="Test", MetricData=metrics(over))
        assert wire(sent[-1]) == gzip.compress(raw_body(over), compresslevel=1, mtime=0)


def test_gzip_policy_for_global_handler() -> None:
    policy = GzipPolicy(patterns=(parse_pattern("logs.PutLogEvents"),), min_size=0, level=1)
    assert policy.matches("cloudwatch", "PutMetricData", modeled=True) == (0, 1)
    assert policy.matches("cloudwatch", "ListMetrics", modeled=False) is None
    assert policy.matches("cloudwatch-logs", "PutLogEvents", modeled=False) == (0, 1)
    client, sent = make_client(config=Config(disable_request_compression=True))
    client.meta.events.register("before-call", note_request_compression)
    client.meta.events.register("before-sign", policy.before_sign)
    client.put_metric_data(Namespace="Test", MetricData=metrics(1))
    assert gzip.decompress(wire(sent[-1])) == raw_body(1)
    client.list_metrics()
    assert wire(sent[-1])[:2] != MAGIC
    with pytest.raises(ValueError, match="0 to 9"):
        GzipPolicy(level=12)
