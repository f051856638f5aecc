"""Tests for pytest_botowire.aws.serialize: AWS wire responses botocore parses back."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import io
import json
import time
from typing import Any

import boto3
import botocore.session
import pytest
from botocore.config import Config
from botocore.endpoint import convert_to_response_dict
from botocore.exceptions import ClientError
from botocore.parsers import PROTOCOL_PARSERS, create_parser

from pytest_botowire.aws import serialize as _responses
from pytest_botowire.aws.serialize import (
    FIXED_TIMESTAMP,
    REQUEST_ID,
    WireResponse,
    resolve_protocol,
    serialize_error,
    serialize_response,
    synthesize_output,
    to_aws_response,
    validate_output,
)

# "service.Operation" -> why it cannot round-trip.  Keep this tiny.
SKIPS: dict[str, str] = {}
# Only for the every-member round trip.
RICH_SKIPS: dict[str, str] = {
    "s3.GetBucketNotification": (
        "deprecated model: members Event and Events (flattened) both map to <Event> elements,"
        " so no XML document can carry both"
    ),
}

_SESSION = botocore.session.get_session()
SERVICES = sorted(_SESSION.get_available_services())
ROUND_TRIP_STATS: dict[str, tuple[int, int]] = {}


@functools.cache
def _service_model(name: str) -> Any:
    return _SESSION.get_service_model(name)


# ---------------------------------------------------------------- helpers


def _normalise(value: Any) -> Any:
    """Make parsed and synthesized values comparable."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.timezone.utc)
        return round(value.timestamp(), 3)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value)
    if hasattr(value, "read") and callable(value.read):
        return bytes(value.read())
    if type(value).__name__ == "EventStream":
        return [_normalise(event) for event in value]
    if isinstance(value, dict):
        # None: e.g. GetBucketLocation's LocationConstraint for us-east-1 (an empty element)
        return {
            k: _normalise(v) for k, v in value.items() if k != "ResponseMetadata" and v is not None
        }
    if isinstance(value, (list, tuple)):
        return [_normalise(v) for v in value]
    return value


def _drop_unrepresentable(shape: Any, value: Any, protocol: str) -> Any:
    """XML cannot represent an empty flattened list/map: it is simply absent."""
    if shape is None or protocol not in ("query", "ec2", "rest-xml"):
        return value
    if shape.type_name == "structure" and isinstance(value, dict) and not shape.is_document_type:
        out = {}
        for key, item in value.items():
            member = shape.members.get(key)
            if (
                member is not None
                and member.type_name in ("list", "map")
                and member.serialization.get("flattened")
                and item in ([], {})
            ):
                continue
            out[key] = _drop_unrepresentable(member, item, protocol)
        return out
    if shape.type_name == "list" and isinstance(value, list):
        return [_drop_unrepresentable(shape.member, v, protocol) for v in value]
    if shape.type_name == "map" and isinstance(value, dict):
        return {k: _drop_unrepresentable(shape.value, v, protocol) for k, v in value.items()}
    return value


def _parse(operation_model: Any, resp: WireResponse, protocol: str | None = None) -> Any:
    protocol = protocol or resolve_protocol(operation_model)
    http = to_aws_response("https://example.amazonaws.com/", resp)
    response_dict = convert_to_response_dict(http, operation_model)
    parsed = create_parser(protocol).parse(response_dict, operation_model.output_shape)
    if (
        operation_model.service_model.service_name == "s3"
        and operation_model.name == "GetBucketLocation"
    ):
        from botocore.handlers import parse_get_bucket_location

        parse_get_bucket_location(parsed, http)
    return parsed


def _round_trip_failures(
    service: str, protocol: str | None = None, *, rich: bool = False
) -> tuple[int, list[str]]:
    model = _service_model(service)
    failures: list[str] = []
    done = 0
    for op_name in model.operation_names:
        key = f"{service}.{op_name}"
        if key in SKIPS or (rich and key in RICH_SKIPS):
            continue
        op = model.operation_model(op_name)
        try:
            expected = _rich_output(op) if rich else synthesize_output(op)
            validate_output(op, expected)
            resp = serialize_response(op, expected, protocol=protocol)
            parsed = _parse(op, resp, protocol)
        except Exception as exc:  # report every failure, not just the first
            failures.append(f"{key}: {type(exc).__name__}: {exc}")
            continue
        want = _normalise(_drop_unrepresentable(op.output_shape, expected, protocol or ""))
        if protocol is None:
            want = _normalise(
                _drop_unrepresentable(op.output_shape, expected, resolve_protocol(op))
            )
        got = _normalise(parsed)
        if got != want:
            failures.append(f"{key}: expected {want!r}\n      got {got!r}")
            continue
        done += 1
    return done, failures


_RICH_TS = dt.datetime(2024, 2, 3, 4, 5, 6, tzinfo=dt.timezone.utc)


def _rich(shape: Any, name: str, depth: int, stack: tuple[str, ...]) -> Any:
    """A value for *every* member (bounded depth), to exercise all serializer paths."""
    kind = shape.type_name
    if kind == "structure":
        if shape.name in stack or depth > 4:
            return None
        if shape.is_document_type:
            return {"doc": [1, "two", None]}
        out: dict[str, Any] = {}
        for member_name, member in shape.members.items():
            if member.serialization.get("eventstream"):
                out[member_name] = []
                continue
            if member.serialization.get("location") == "headers" and not member.serialization.get(
                "name"
            ):
                continue  # catch-all header map: filled in by synthesize_output
            if member.serialization.get("name", "").lower() == "content-length":
                continue  # must match the body; synthesize_output computes it
            value = _rich(member, member_name, depth + 1, (*stack, shape.name))
            if value is not None:
                out[member_name] = value
                if shape.is_tagged_union:
                    break
        if shape.is_tagged_union and not out:
            return None
        return out
    if kind == "list":
        item = _rich(shape.member, name, depth + 1, stack)
        if item is None:
            return []
        if shape.serialization.get("location") == "header":
            return [item]  # list headers are comma-joined; keep one item
        return [item, item]
    if kind == "map":
        value = _rich(shape.value, name, depth + 1, stack)
        if value is None:
            return {}
        keys = list(shape.key.enum or ["k1", "k2"])[:2]
        return {k: value for k in keys}
    if kind in ("string", "character"):
        if shape.serialization.get("jsonvalue"):
            return {"j": [1, 2]}
        if shape.enum:
            return shape.enum[-1]
        if shape.serialization.get("location") == "header":
            return f"v-{name}"
        return f"{name} <&>'\" é"
    if kind in ("integer", "long"):
        return 200 if shape.serialization.get("location") == "statusCode" else 7
    if kind in ("float", "double"):
        return 2.5
    if kind == "boolean":
        return True
    if kind == "blob":
        return b"\x00\xffblob"
    if kind == "timestamp":
        return _RICH_TS
    return None


def _rich_output(op: Any) -> dict[str, Any]:
    shape = op.output_shape
    if shape is None:
        return {}
    data = _rich(shape, op.name, 0, ()) or {}
    base = synthesize_output(op)
    for key, value in base.items():
        if shape.members[key].serialization.get("name", "").lower() != "content-length":
            data.setdefault(key, value)
    if resolve_protocol(op) in ("rest-json", "rest-xml"):
        _responses._echo_generated_headers(op, data, resolve_protocol(op))
    return data


# ---------------------------------------------------------------- round trip


@pytest.mark.parametrize("service", SERVICES)
def test_round_trip_every_operation(service: str) -> None:
    done, failures = _round_trip_failures(service)
    ROUND_TRIP_STATS[service] = (done, done + len(failures))
    assert not failures, "\n".join(failures[:20])


@pytest.mark.parametrize("service", SERVICES)
def test_round_trip_every_member(service: str) -> None:
    """Every member of every output shape set (not just the required ones)."""
    _, failures = _round_trip_failures(service, rich=True)
    assert not failures, "\n".join(failures[:20])


CBOR_SERVICES = sorted(
    name
    for name in SERVICES
    if "smithy-rpc-v2-cbor" in (_service_model(name).metadata.get("protocols") or [])
)


# Older botocore (1.34.40) has no smithy-rpc-v2-cbor parser and no model lists the protocol.
HAS_CBOR_PARSER = "smithy-rpc-v2-cbor" in PROTOCOL_PARSERS


@pytest.mark.parametrize(
    "service",
    CBOR_SERVICES
    if HAS_CBOR_PARSER
    else [
        pytest.param(
            None,
            marks=pytest.mark.skip(reason="this botocore has no smithy-rpc-v2-cbor protocol"),
        )
    ],
)
def test_round_trip_cbor_protocol(service: str) -> None:
    """No service resolves to CBOR yet; force the protocol for those that list it."""
    _, failures = _round_trip_failures(service, protocol="smithy-rpc-v2-cbor")
    _, rich_failures = _round_trip_failures(service, protocol="smithy-rpc-v2-cbor", rich=True)
    failures += rich_failures
    assert not failures, "\n".join(failures[:20])


def test_cbor_builtin_encoder_matches_cbor2() -> None:
    cbor2 = pytest.importorskip("cbor2")
    value = {
        "a": [1, -1, 24, -25, 2**40, 1.5, True, False, None],
        "b": b"\x00\x01" * 20,
        "t": _responses._CborTag(1, 1704067200),
        "s": "x" * 300,
    }
    builtin = _responses._cbor_encode_builtin(value)
    assert cbor2.loads(builtin) == cbor2.loads(_responses._cbor_encode(value))


def test_round_trip_report() -> None:
    """Print the round-trip figure (runs after the parametrized tests)."""
    if not ROUND_TRIP_STATS:
        pytest.skip("round-trip tests did not run in this session")
    ok = sum(d for d, _ in ROUND_TRIP_STATS.values())
    total = sum(t for _, t in ROUND_TRIP_STATS.values())
    print(f"\nround trip: {ok} of {total} operations across {len(ROUND_TRIP_STATS)} services")


def test_round_trip_real_data_shapes() -> None:
    """Values beyond the placeholders: micro-second timestamps, blobs, nested lists, maps."""
    cases: list[tuple[str, str, dict[str, Any]]] = [
        (
            "sqs",
            "ReceiveMessage",
            {
                "Messages": [
                    {
                        "MessageId": "m1",
                        "Body": "héllo <&>",
                        "Attributes": {"SentTimestamp": "1"},
                        "MessageAttributes": {
                            "a": {"DataType": "Binary", "BinaryValue": b"\x00\xff"}
                        },
                    }
                ]
            },
        ),
        (
            "s3",
            "ListObjectsV2",
            {
                "Name": "b",
                "KeyCount": 2,
                "IsTruncated": False,
                "Contents": [
                    {
                        "Key": "a b&c",
                        "Size": 3,
                        "LastModified": dt.datetime(2024, 5, 6, 7, 8, 9, 123000, dt.timezone.utc),
                        "ETag": '"x"',
                        "StorageClass": "STANDARD",
                    },
                    {"Key": "k2", "Size": 0},
                ],
                "CommonPrefixes": [{"Prefix": "p/"}],
            },
        ),
        (
            "s3",
            "GetObjectAcl",
            {
                "Owner": {"ID": "o"},
                "Grants": [
                    {
                        "Grantee": {"Type": "CanonicalUser", "ID": "abc"},
                        "Permission": "FULL_CONTROL",
                    }
                ],
            },
        ),
        (
            "ec2",
            "DescribeInstances",
            {
                "Reservations": [
                    {
                        "ReservationId": "r-1",
                        "Instances": [
                            {
                                "InstanceId": "i-1",
                                "State": {"Code": 16, "Name": "running"},
                                "LaunchTime": FIXED_TIMESTAMP,
                                "Tags": [{"Key": "k", "Value": "v"}],
                            }
                        ],
                    }
                ]
            },
        ),
        (
            "sqs",
            "GetQueueAttributes",
            {"Attributes": {"VisibilityTimeout": "30", "Policy": "{}"}},
        ),
        (
            "sns",
            "GetTopicAttributes",
            {"Attributes": {"TopicArn": "arn:aws:sns:us-east-1:1:t", "Owner": "1"}},
        ),
        (
            "cloudwatch",
            "GetMetricData",
            {
                "MetricDataResults": [
                    {
                        "Id": "m1",
                        "Timestamps": [FIXED_TIMESTAMP],
                        "Values": [1.5, 2.0],
                        "StatusCode": "Complete",
                    }
                ]
            },
        ),
        (
            "lambda",
            "Invoke",
            {"StatusCode": 200, "Payload": b'{"ok": true}', "ExecutedVersion": "$LATEST"},
        ),
        (
            "s3",
            "HeadObject",
            {"ContentLength": 1234, "Metadata": {"owner": "me"}, "ETag": '"e"'},
        ),
        (
            "s3",
            "SelectObjectContent",
            {
                "Payload": [
                    {"Records": {"Payload": b"a,b\n"}},
                    {"Stats": {"Details": {"BytesScanned": 1, "BytesProcessed": 2}}},
                    {"End": {}},
                ]
            },
        ),
        (
            "kinesis",
            "SubscribeToShard",
            {
                "EventStream": [
                    {
                        "SubscribeToShardEvent": {
                            "Records": [
                                {
                                    "SequenceNumber": "1",
                                    "Data": b"\x01\x02",
                                    "PartitionKey": "p",
                                    "ApproximateArrivalTimestamp": FIXED_TIMESTAMP,
                                }
                            ],
                            "ContinuationSequenceNumber": "2",
                            "MillisBehindLatest": 0,
                        }
                    }
                ]
            },
        ),
    ]
    for service, op_name, data in cases:
        op = _service_model(service).operation_model(op_name)
        parsed = _normalise(_parse(op, serialize_response(op, data)))
        want = _normalise(data)
        for key, value in want.items():
            assert parsed.get(key) == value, (service, op_name, key, parsed)


# ---------------------------------------------------------------- validate_output


def _op(service: str, name: str) -> Any:
    return _service_model(service).operation_model(name)


def test_validate_unknown_key_suggests() -> None:
    with pytest.raises(ValueError, match="unknown key 'QueueUrl' in ListQueues output") as info:
        validate_output(_op("sqs", "ListQueues"), {"QueueUrl": []})
    assert "valid keys: QueueUrls, NextToken" in str(info.value)
    assert "did you mean 'QueueUrls'" in str(info.value)


def test_validate_unknown_nested_key() -> None:
    with pytest.raises(ValueError, match=r"unknown key 'Bdy' in Messages\[0\]") as info:
        validate_output(_op("sqs", "ReceiveMessage"), {"Messages": [{"Bdy": "x"}]})
    assert "did you mean 'Body'" in str(info.value)


def test_validate_wrong_type_nested_path() -> None:
    with pytest.raises(TypeError, match=r"Messages\[0\]\.Body: expected str, got int"):
        validate_output(_op("sqs", "ReceiveMessage"), {"Messages": [{"Body": 5}]})
    with pytest.raises(TypeError, match=r"Item\['pk'\]\.N: expected str, got int"):
        validate_output(_op("dynamodb", "GetItem"), {"Item": {"pk": {"N": 1}}})
    with pytest.raises(TypeError, match="ContentLength: expected int, got bool"):
        validate_output(_op("s3", "HeadObject"), {"ContentLength": True})
    with pytest.raises(TypeError, match="LastModified: expected datetime, got str"):
        validate_output(_op("s3", "HeadObject"), {"LastModified": "2024-01-01"})


def test_validate_ok_cases() -> None:
    validate_output(_op("sqs", "ListQueues"), {"QueueUrls": ["u"], "ResponseMetadata": {}})
    validate_output(
        _op("s3", "GetObject"), {"Body": b"abc", "LastModified": FIXED_TIMESTAMP, "ETag": None}
    )
    validate_output(_op("s3", "GetObject"), {"Body": io.BytesIO(b"abc")})
    validate_output(_op("cloudwatch", "GetMetricData"), {"MetricDataResults": [{"Values": [1]}]})
    validate_output(_op("kinesis", "GetRecords"), {"Records": [{"Data": bytearray(b"x")}]})
    validate_output(_op("sqs", "DeleteMessage"), {"ResponseMetadata": {}})
    with pytest.raises(ValueError, match="returns no data"):
        validate_output(_op("sqs", "DeleteMessage"), {"Foo": 1})


def test_serialize_validates() -> None:
    with pytest.raises(TypeError, match="MessageId: expected str"):
        serialize_response(_op("sqs", "SendMessage"), {"MessageId": 1})


def test_content_length_mismatch_rejected() -> None:
    with pytest.raises(ValueError, match="ContentLength=5"):
        serialize_response(_op("s3", "GetObject"), {"Body": b"abc", "ContentLength": 5})


def test_synthesize_is_deterministic_and_uses_params() -> None:
    op = _op("sqs", "SendMessage")
    assert synthesize_output(op) == synthesize_output(op)
    out = synthesize_output(op, {"MessageBody": "hello"})
    assert out["MD5OfMessageBody"] == hashlib.md5(b"hello").hexdigest()
    assert synthesize_output(_op("sqs", "ReceiveMessage")) == {"Messages": []}
    assert synthesize_output(_op("dynamodb", "GetItem")) == {}
    assert "UploadId" in synthesize_output(_op("s3", "CreateMultipartUpload"))
    batch = synthesize_output(
        _op("sqs", "SendMessageBatch"), {"Entries": [{"Id": "a", "MessageBody": "x"}]}
    )
    assert batch["Successful"][0]["Id"] == "a"


# ---------------------------------------------------------------- real clients


class _FakeAWS:
    """A before-send handler answering from a queue of WireResponses (or callables)."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.queue: list[Any] = []
        self.requests: list[Any] = []
        client.meta.events.register("before-send", self)

    def __call__(self, request: Any, **kwargs: Any) -> Any:
        self.requests.append(request)
        item = self.queue.pop(0)
        return to_aws_response(request.url, item)

    def reply(self, op_name: str, data: dict[str, Any] | None = None, **kw: Any) -> None:
        op = self.client.meta.service_model.operation_model(op_name)
        self.queue.append(serialize_response(op, data, **kw))

    def error(self, op_name: str, code: str, message: str = "boom", **kw: Any) -> None:
        op = self.client.meta.service_model.operation_model(op_name)
        self.queue.append(serialize_error(op, code, message, **kw))


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
    # no back-off sleeps while retrying
    monkeypatch.setattr(
        "botocore.retries.standard.ExponentialBackoff.delay_amount", lambda self, ctx: 0
    )
    session = boto3.session.Session(region_name="us-east-1")

    def make(service: str, **config: Any) -> _FakeAWS:
        client = session.client(service, config=Config(**config) if config else None)
        return _FakeAWS(client)

    return make


def test_e2e_sqs(aws: Any) -> None:
    fake = aws("sqs")
    op = fake.client.meta.service_model.operation_model("SendMessage")
    fake.queue.append(serialize_response(op, synthesize_output(op, {"MessageBody": "hi"})))
    out = fake.client.send_message(
        QueueUrl="https://sqs.us-east-1.amazonaws.com/1/q", MessageBody="hi"
    )
    assert out["MD5OfMessageBody"] == hashlib.md5(b"hi").hexdigest()
    assert out["ResponseMetadata"]["RequestId"] == REQUEST_ID
    fake.reply(
        "ReceiveMessage", {"Messages": [{"MessageId": "m", "Body": "b", "ReceiptHandle": "r"}]}
    )
    out = fake.client.receive_message(QueueUrl="https://sqs.us-east-1.amazonaws.com/1/q")
    assert out["Messages"] == [{"MessageId": "m", "Body": "b", "ReceiptHandle": "r"}]
    fake.reply("ReceiveMessage")
    empty = fake.client.receive_message(QueueUrl="https://q")
    if resolve_protocol(op) == "query":
        # SQS's query protocol (botocore 1.34.40; JSON later) flattens Messages: an empty list
        # is no element at all, so botocore returns no Messages key, as with the real SQS
        assert "Messages" not in empty
    else:
        assert empty["Messages"] == []


def test_e2e_dynamodb_get_item(aws: Any) -> None:
    fake = aws("dynamodb")
    fake.reply("GetItem", {"Item": {"pk": {"S": "a"}, "n": {"N": "1"}, "b": {"B": b"\x00"}}})
    out = fake.client.get_item(TableName="table", Key={"pk": {"S": "a"}})
    assert out["Item"] == {"pk": {"S": "a"}, "n": {"N": "1"}, "b": {"B": b"\x00"}}
    fake.reply("GetItem")
    assert "Item" not in fake.client.get_item(TableName="table", Key={"pk": {"S": "a"}})


def test_e2e_s3(aws: Any) -> None:
    fake = aws("s3")
    fake.reply("CreateMultipartUpload", {"Bucket": "b", "Key": "k", "UploadId": "up-1"})
    assert fake.client.create_multipart_upload(Bucket="b", Key="k")["UploadId"] == "up-1"
    fake.reply("UploadPart", {"ETag": '"etag-1"'})
    out = fake.client.upload_part(Bucket="b", Key="k", UploadId="up-1", PartNumber=1, Body=b"x")
    assert out["ETag"] == '"etag-1"'
    fake.reply("GetObject", {"Body": b"hello world", "ContentType": "text/plain"})
    out = fake.client.get_object(Bucket="b", Key="k")
    assert out["Body"].read() == b"hello world"
    assert out["ContentLength"] == 11
    assert out["ContentType"] == "text/plain"
    fake.reply(
        "ListObjectsV2",
        {
            "Name": "b",
            "KeyCount": 1,
            "IsTruncated": False,
            "Contents": [{"Key": "k", "Size": 11, "LastModified": FIXED_TIMESTAMP}],
        },
    )
    out = fake.client.list_objects_v2(Bucket="b")
    assert out["Contents"][0]["Key"] == "k"
    assert out["Contents"][0]["LastModified"] == FIXED_TIMESTAMP
    fake.reply("GetBucketLocation", {"LocationConstraint": "eu-west-1"})
    assert fake.client.get_bucket_location(Bucket="b")["LocationConstraint"] == "eu-west-1"


def test_e2e_cloudwatch(aws: Any) -> None:
    fake = aws("cloudwatch")
    fake.reply("PutMetricData")
    fake.client.put_metric_data(Namespace="n", MetricData=[{"MetricName": "m", "Value": 1.0}])
    fake.reply(
        "GetMetricData",
        {"MetricDataResults": [{"Id": "q", "Timestamps": [FIXED_TIMESTAMP], "Values": [3.0]}]},
    )
    out = fake.client.get_metric_data(
        MetricDataQueries=[{"Id": "q", "Expression": "1"}],
        StartTime=FIXED_TIMESTAMP,
        EndTime=FIXED_TIMESTAMP,
    )
    assert out["MetricDataResults"][0]["Values"] == [3.0]
    assert out["MetricDataResults"][0]["Timestamps"] == [FIXED_TIMESTAMP]


def test_e2e_ec2_sts_lambda_kinesis(aws: Any) -> None:
    ec2 = aws("ec2")
    ec2.reply(
        "DescribeInstances",
        {"Reservations": [{"Instances": [{"InstanceId": "i-1", "State": {"Name": "running"}}]}]},
    )
    out = ec2.client.describe_instances()
    assert out["Reservations"][0]["Instances"][0]["InstanceId"] == "i-1"
    assert out["ResponseMetadata"]["RequestId"] == REQUEST_ID

    sts = aws("sts")
    sts.reply("GetCallerIdentity")
    out = sts.client.get_caller_identity()
    assert out["Account"] == "123456789012"
    assert out["ResponseMetadata"]["RequestId"] == REQUEST_ID

    lam = aws("lambda")
    lam.reply("Invoke", {"StatusCode": 200, "Payload": json.dumps({"ok": 1}).encode()})
    out = lam.client.invoke(FunctionName="f", Payload=b"{}")
    assert out["StatusCode"] == 200
    assert json.loads(out["Payload"].read()) == {"ok": 1}

    kinesis = aws("kinesis")
    kinesis.reply("DescribeStream")
    out = kinesis.client.describe_stream(StreamName="s")
    assert out["StreamDescription"]["StreamStatus"] == "CREATING"


def test_e2e_cloudwatch_throttling_is_retried(aws: Any) -> None:
    fake = aws("cloudwatch", retries={"mode": "standard", "max_attempts": 3})
    fake.error("PutMetricData", "ThrottlingException", "Rate exceeded")
    fake.error("PutMetricData", "Throttling", "Rate exceeded")
    fake.reply("PutMetricData")
    out = fake.client.put_metric_data(Namespace="n", MetricData=[{"MetricName": "m", "Value": 1}])
    assert out["ResponseMetadata"]["RetryAttempts"] == 2
    assert len(fake.requests) == 3


def test_e2e_cloudwatch_throttling_exhausts_retries(aws: Any) -> None:
    # retries["max_attempts"] counts retries, not attempts: 1 -> two requests in all
    fake = aws("cloudwatch", retries={"mode": "standard", "max_attempts": 1})
    fake.error("PutMetricData", "ThrottlingException")
    fake.error("PutMetricData", "ThrottlingException")
    with pytest.raises(ClientError) as info:
        fake.client.put_metric_data(Namespace="n", MetricData=[{"MetricName": "m", "Value": 1}])
    assert info.value.response["Error"]["Code"] == "ThrottlingException"
    assert info.value.response["ResponseMetadata"]["RetryAttempts"] == 1


def test_e2e_modeled_errors(aws: Any) -> None:
    sqs = aws("sqs")
    sqs.error("ReceiveMessage", "QueueDoesNotExist", "no queue")
    with pytest.raises(sqs.client.exceptions.QueueDoesNotExist) as sqs_info:
        sqs.client.receive_message(QueueUrl="https://q")
    assert sqs_info.value.response["Error"]["Message"] == "no queue"

    ddb = aws("dynamodb")
    ddb.error("PutItem", "ConditionalCheckFailedException", "nope")
    with pytest.raises(ddb.client.exceptions.ConditionalCheckFailedException) as ddb_info:
        ddb.client.put_item(TableName="table", Item={"pk": {"S": "a"}})
    assert ddb_info.value.response["Error"]["Code"] == "ConditionalCheckFailedException"

    s3 = aws("s3")
    s3.error("GetObject", "NoSuchKey", "The specified key does not exist.")
    with pytest.raises(s3.client.exceptions.NoSuchKey) as s3_info:
        s3.client.get_object(Bucket="b", Key="k")
    assert s3_info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    assert s3_info.value.response["Error"]["Code"] == "NoSuchKey"

    cw = aws("cloudwatch")
    cw.error("GetDashboard", "ResourceNotFound", "no dashboard")
    with pytest.raises(ClientError) as cw_info:
        cw.client.get_dashboard(DashboardName="d")
    assert cw_info.value.response["Error"]["Code"] == "ResourceNotFound"
    assert type(cw_info.value).__name__ in ("ResourceNotFound", "DashboardNotFoundError")

    sts = aws("sts")
    sts.error("AssumeRole", "ExpiredTokenException", "expired")
    with pytest.raises(sts.client.exceptions.ExpiredTokenException):
        sts.client.assume_role(RoleArn="arn:aws:iam::123456789012:role/r", RoleSessionName="sess")

    ec2 = aws("ec2")
    ec2.error("DescribeInstances", "InvalidInstanceID.NotFound", "missing")
    with pytest.raises(ClientError) as ec2_info:
        ec2.client.describe_instances(InstanceIds=["i-1"])
    assert ec2_info.value.response["Error"]["Code"] == "InvalidInstanceID.NotFound"


def test_e2e_unmodeled_error_and_head(aws: Any) -> None:
    s3 = aws("s3", retries={"mode": "standard", "max_attempts": 1})
    s3.error("HeadObject", "NoSuchKey")
    with pytest.raises(ClientError) as info:
        s3.client.head_object(Bucket="b", Key="k")
    # a HEAD response has no body: botocore reports the status, like real S3
    assert info.value.response["Error"]["Code"] == "404"
    kin = aws("kinesis", retries={"mode": "standard", "max_attempts": 1})
    kin.error("DescribeStream", "SomethingOdd", "odd")
    with pytest.raises(ClientError) as info2:
        kin.client.describe_stream(StreamName="s")
    assert type(info2.value) is ClientError
    assert info2.value.response["Error"]["Code"] == "SomethingOdd"


def test_round_trip_runtime_budget() -> None:
    """A whole-catalogue pass over one big service stays fast."""
    start = time.perf_counter()
    done, failures = _round_trip_failures("ec2")
    assert not failures
    assert time.perf_counter() - start < 20, done
