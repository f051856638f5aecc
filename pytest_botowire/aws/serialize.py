"""Build HTTP responses exactly as AWS services put them on the wire.

Given a botocore ``OperationModel`` this module can

* check that a dict shaped like a client method's return value fits the
  operation's output shape (:func:`validate_output`),
* make up a deterministic placeholder for that return value
  (:func:`synthesize_output`),
* serialize such a dict into the status, headers and body the service would
  send for the protocol botocore actually uses for it
  (:func:`serialize_response`), or into the service's error document
  (:func:`serialize_error`),
* wrap the result in a ``botocore.awsrequest.AWSResponse`` that can be handed
  back from a ``before-send`` event handler (:func:`to_aws_response`).

Nothing here depends on pytest.
"""

from __future__ import annotations

import base64
import binascii
import calendar
import datetime as _dt
import functools
import hashlib
import io
import json
import re
import struct
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from email.utils import formatdate
from typing import Any
from xml.etree import ElementTree as ET

from botocore.awsrequest import AWSResponse, HeadersDict
from botocore.compat import HTTPHeaders

from pytest_botowire.aws.healthy import has_credentials, is_batch_operation, make_healthy
from pytest_botowire.aws.hints import did_you_mean

__all__ = [
    "FIXED_TIMESTAMP",
    "REQUEST_ID",
    "WireResponse",
    "resolve_protocol",
    "serialize_error",
    "serialize_response",
    "synthesize_output",
    "to_aws_response",
    "validate_output",
]

#: Request id put in every response (deterministic on purpose).
REQUEST_ID = "b0e1f2a3-0000-4000-8000-000000000000"
#: S3's second request id (``x-amz-id-2``).
HOST_ID = "Ym90b3dpcmUtaG9zdC1pZC0wMDAwMDAwMDAwMDAwMDAw"
#: The timestamp used for every synthesized timestamp member.
FIXED_TIMESTAMP = _dt.datetime(2024, 1, 1, tzinfo=_dt.timezone.utc)

_ACCOUNT = "123456789012"
_REGION = "us-east-1"
_EMPTY_MD5 = hashlib.md5(b"").hexdigest()
_S3_NAMESPACE = "http://s3.amazonaws.com/doc/2006-03-01/"
_XSI_NAMESPACE = "http://www.w3.org/2001/XMLSchema-instance"
_REST_LOCATIONS = ("header", "headers", "statusCode")

# Root element names S3 uses for its XML response documents, where they differ
# from "<OperationName>Result".
_S3_ROOT_NAMES = {
    "ListObjects": "ListBucketResult",
    "ListObjectsV2": "ListBucketResult",
    "ListBuckets": "ListAllMyBucketsResult",
    "ListDirectoryBuckets": "ListAllMyDirectoryBucketsResult",
    "CreateMultipartUpload": "InitiateMultipartUploadResult",
    "ListObjectVersions": "ListVersionsResult",
    "ListParts": "ListPartsResult",
    "ListMultipartUploads": "ListMultipartUploadsResult",
    "DeleteObjects": "DeleteResult",
    "GetBucketAcl": "AccessControlPolicy",
    "GetObjectAcl": "AccessControlPolicy",
    "GetBucketTagging": "Tagging",
    "GetObjectTagging": "Tagging",
    "GetBucketVersioning": "VersioningConfiguration",
    "GetBucketLifecycleConfiguration": "LifecycleConfiguration",
    "GetBucketCors": "CORSConfiguration",
    "GetBucketWebsite": "WebsiteConfiguration",
    "GetBucketLogging": "BucketLoggingStatus",
    "GetBucketNotificationConfiguration": "NotificationConfiguration",
    "GetBucketRequestPayment": "RequestPaymentConfiguration",
    "GetBucketAccelerateConfiguration": "AccelerateConfiguration",
}

# Output members that common flows read although the model does not mark them
# required: synthesize_output() always fills them in.
_COMMON_MEMBERS: dict[tuple[str, str], tuple[str, ...]] = {
    ("s3", "CreateMultipartUpload"): ("Bucket", "Key", "UploadId"),
    ("s3", "UploadPart"): ("ETag",),
    ("s3", "UploadPartCopy"): ("CopyPartResult",),
    ("s3", "PutObject"): ("ETag",),
    ("s3", "CopyObject"): ("CopyObjectResult",),
    ("s3", "CompleteMultipartUpload"): ("Location", "Bucket", "Key", "ETag"),
    ("s3", "GetObject"): ("ContentLength", "ETag", "ContentType"),
    ("s3", "HeadObject"): ("ContentLength", "ETag", "ContentType"),
    ("s3", "ListObjectsV2"): ("Name", "KeyCount", "IsTruncated", "MaxKeys"),
    ("s3", "ListObjects"): ("Name", "IsTruncated", "MaxKeys"),
    ("s3", "ListBuckets"): ("Buckets",),
    ("s3", "CreateBucket"): ("Location",),
    ("sqs", "SendMessage"): ("MessageId", "MD5OfMessageBody"),
    ("sqs", "ReceiveMessage"): ("Messages",),
    ("sqs", "CreateQueue"): ("QueueUrl",),
    ("sqs", "GetQueueUrl"): ("QueueUrl",),
    ("sqs", "GetQueueAttributes"): ("Attributes",),
    ("sns", "Publish"): ("MessageId",),
    ("sns", "CreateTopic"): ("TopicArn",),
    ("sns", "Subscribe"): ("SubscriptionArn",),
    ("sts", "GetCallerIdentity"): ("UserId", "Account", "Arn"),
    ("dynamodb", "Query"): ("Items", "Count", "ScannedCount"),
    ("dynamodb", "Scan"): ("Items", "Count", "ScannedCount"),
    ("dynamodb", "BatchGetItem"): ("Responses",),
    ("cloudwatch", "GetMetricData"): ("MetricDataResults",),
    ("ec2", "DescribeInstances"): ("Reservations",),
    ("lambda", "Invoke"): ("StatusCode", "ExecutedVersion"),
    ("kinesis", "PutRecords"): ("FailedRecordCount",),
    ("firehose", "PutRecordBatch"): ("FailedPutCount",),
    ("secretsmanager", "GetSecretValue"): ("ARN", "Name", "VersionId", "SecretString"),
    ("logs", "PutLogEvents"): ("nextSequenceToken",),
}


@dataclass(frozen=True)
class WireResponse:
    """An HTTP response as the AWS service would send it."""

    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""


# --------------------------------------------------------------------------
# protocol resolution
# --------------------------------------------------------------------------


def resolve_protocol(operation_model: Any) -> str:
    """Return the wire protocol botocore uses for *operation_model*'s service.

    botocore >= 1.37 models may list several protocols (``metadata['protocols']``);
    the client uses ``ServiceModel.resolved_protocol``, the first protocol of
    ``botocore.utils.PRIORITY_ORDERED_SUPPORTED_PROTOCOLS`` (json, rest-json,
    rest-xml, smithy-rpc-v2-cbor, query, ec2) that the service lists.  Older
    botocore only knows ``metadata['protocol']``.
    """
    from pytest_botowire.aws.models import resolved_protocol

    return resolved_protocol(operation_model.service_model)


# --------------------------------------------------------------------------
# validation
# --------------------------------------------------------------------------


def _type_name(value: Any) -> str:
    """Name of *value*'s type, for error messages."""
    return type(value).__name__


def _join(path: str, name: str) -> str:
    """Extend a dotted member path."""
    return f"{path}.{name}" if path else name


def _suggest(key: str, valid: list[str]) -> str:
    """A "did you mean" hint for a mistyped key, or ""."""
    hint = did_you_mean(key, valid, n=1)
    return f"; {hint}" if hint else ""


def _is_streaming_payload(parent: Any, member_name: str) -> bool:
    """Whether *member_name* is the raw (blob/string) HTTP payload of *parent*."""
    payload = parent.serialization.get("payload")
    if payload != member_name:
        return False
    member = parent.members[member_name]
    return member.type_name in ("blob", "string") and (
        bool(member.serialization.get("streaming")) or member.type_name == "blob"
    )


def validate_output(operation_model: Any, data: Mapping[str, Any]) -> None:
    """Check that *data* fits the output shape of *operation_model*.

    *data* is shaped like the client method's return value (what
    ``Stubber.add_response`` takes).  ``ResponseMetadata`` is ignored and
    ``None`` values count as absent.  Raises ``ValueError`` for unknown keys
    (naming the closest valid key) and ``TypeError`` for values of the wrong
    type, both naming the path of the offending value, e.g.
    ``Messages[0].Body: expected str, got int``.  Required members are not
    enforced: real responses always carry them, but tests often leave them out.
    """
    where = f"{operation_model.name} output"
    if not isinstance(data, Mapping):
        raise TypeError(f"{where}: expected a dict, got {_type_name(data)}")
    shape = operation_model.output_shape
    if shape is None:
        extra = [k for k in data if k != "ResponseMetadata" and data[k] is not None]
        if extra:
            raise ValueError(
                f"unknown key {extra[0]!r} in {where}; "
                f"{operation_model.name} returns no data besides ResponseMetadata"
            )
        return
    _validate_structure(shape, data, "", where, top=True)


def _validate_structure(
    shape: Any, value: Any, path: str, where: str, *, top: bool = False
) -> None:
    """Validate a structure value, rejecting unknown keys."""
    if not isinstance(value, Mapping):
        raise TypeError(f"{path or where}: expected dict, got {_type_name(value)} (in {where})")
    if shape.is_document_type:
        return
    members = shape.members
    valid = list(members)
    set_members = 0
    for key, item in value.items():
        if top and key == "ResponseMetadata":
            continue
        if key not in members:
            context = where if not path else f"{path} ({shape.name}) in {where}"
            raise ValueError(
                f"unknown key {key!r} in {context}; valid keys: {', '.join(valid)}"
                f"{_suggest(str(key), valid)}"
            )
        if item is None:
            continue
        set_members += 1
        member = members[key]
        member_path = _join(path, key)
        if member.serialization.get("eventstream"):
            _validate_event_stream(member, item, member_path, where)
        elif _is_streaming_payload(shape, key) and member.type_name == "blob":
            if not isinstance(item, (bytes, bytearray, memoryview, str)) and not hasattr(
                item, "read"
            ):
                raise TypeError(
                    f"{member_path}: expected bytes (or a file-like object), "
                    f"got {_type_name(item)} (in {where})"
                )
        else:
            _validate_value(member, item, member_path, where)
    if shape.is_tagged_union and set_members != 1:
        raise ValueError(
            f"{path or where}: {shape.name} is a union; set exactly one of "
            f"{', '.join(valid)} (in {where})"
        )


def _validate_event_stream(shape: Any, value: Any, path: str, where: str) -> None:
    """Validate an event stream given as a list of one-key event dicts."""
    if isinstance(value, (str, bytes, Mapping)) or not hasattr(value, "__iter__"):
        raise TypeError(
            f"{path}: expected a list of events like [{{'EventName': {{...}}}}], "
            f"got {_type_name(value)} (in {where})"
        )
    events = list(shape.members)
    for index, event in enumerate(value):
        event_path = f"{path}[{index}]"
        if not isinstance(event, Mapping) or len(event) != 1:
            raise TypeError(
                f"{event_path}: expected a dict with exactly one of "
                f"{', '.join(events)} (in {where})"
            )
        ((name, body),) = event.items()
        if name not in shape.members:
            raise ValueError(
                f"unknown event {name!r} at {event_path} in {where}; valid events: "
                f"{', '.join(events)}{_suggest(str(name), events)}"
            )
        _validate_structure(shape.members[name], body, _join(event_path, name), where)


def _validate_value(shape: Any, value: Any, path: str, where: str) -> None:
    """Validate one value against its shape, recursing into containers."""
    kind = shape.type_name

    def fail(expected: str) -> None:
        """Raise the TypeError for an unexpected type."""
        raise TypeError(f"{path}: expected {expected}, got {_type_name(value)} (in {where})")

    if kind == "structure":
        _validate_structure(shape, value, path, where)
    elif kind == "list":
        if not isinstance(value, (list, tuple)):
            fail("list")
        for index, item in enumerate(value):
            if item is not None:
                _validate_value(shape.member, item, f"{path}[{index}]", where)
    elif kind == "map":
        if not isinstance(value, Mapping):
            fail("dict")
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError(f"{path}: map keys must be str, got {_type_name(key)} (in {where})")
            if item is not None:
                _validate_value(shape.value, item, f"{path}[{key!r}]", where)
    elif kind in ("string", "character"):
        if shape.serialization.get("jsonvalue"):
            return
        if not isinstance(value, str):
            fail("str")
    elif kind in ("integer", "long"):
        if isinstance(value, bool) or not isinstance(value, int):
            fail("int")
    elif kind in ("float", "double"):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            fail("float")
    elif kind == "boolean":
        if not isinstance(value, bool):
            fail("bool")
    elif kind == "blob":
        if not isinstance(value, (bytes, bytearray, memoryview)):
            fail("bytes")
    elif kind == "timestamp" and not isinstance(value, _dt.datetime):
        fail("datetime")


# --------------------------------------------------------------------------
# synthesis
# --------------------------------------------------------------------------


def _kebab(name: str) -> str:
    """CamelCase to kebab-case."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "-", name).lower() or "value"


def _fit(text: str, shape: Any) -> str:
    """Trim or pad *text* to the shape's length limits."""
    maximum = shape.metadata.get("max")
    minimum = shape.metadata.get("min")
    if isinstance(maximum, int) and len(text) > maximum:
        text = text[:maximum]
    if isinstance(minimum, int) and len(text) < minimum:
        text = text + "x" * (minimum - len(text))
    return text


def _plausible_string(name: str, shape: Any, service: str) -> str:
    """A deterministic, realistic-looking string for member *name*."""
    enum = shape.enum
    if enum:
        return str(enum[0])
    lname = name.lower()
    if lname == "etag" or lname.endswith("etag"):
        text = f'"{_EMPTY_MD5}"'
    elif lname.startswith("md5of"):
        text = _EMPTY_MD5
    elif lname.endswith("arn"):
        text = f"arn:aws:{service}:{_REGION}:{_ACCOUNT}:{_kebab(name[:-3] or name)}/botowire"
    elif lname in ("account", "accountid", "owneraccountid", "owner"):
        text = _ACCOUNT
    elif lname == "queueurl":
        text = f"https://sqs.{_REGION}.amazonaws.com/{_ACCOUNT}/botowire"
    elif lname in ("region", "awsregion"):
        text = _REGION
    elif lname == "location" and service == "s3":
        text = "https://botowire.s3.amazonaws.com/botowire"
    elif lname in ("messageid", "requestid", "versionid", "executionid"):
        text = "0f0e0d0c-0b0a-4009-8807-060504030201"
    elif lname == "userid":
        text = "AIDACKCEVSQ6C2EXAMPLE"
    elif lname.endswith("id"):
        text = f"{_kebab(name[:-2] or name)}-0123456789abcdef"
    else:
        text = f"botowire-{_kebab(name)}"
    return _fit(text, shape)


def _clamp(value: float, shape: Any) -> float:
    """Clamp a number to the shape's min/max."""
    minimum = shape.metadata.get("min")
    maximum = shape.metadata.get("max")
    if isinstance(minimum, (int, float)) and value < minimum:
        value = minimum
    if isinstance(maximum, (int, float)) and value > maximum:
        value = maximum
    return value


def _synth(shape: Any, name: str, service: str, stack: tuple[str, ...]) -> Any:
    """Placeholder value for *shape*; None when it cannot be built (recursion)."""
    kind = shape.type_name
    if kind == "structure":
        if shape.name in stack:
            return None
        built = _synth_structure(shape, service, (*stack, shape.name))
        if shape.is_tagged_union and not built:
            return None  # a union needs exactly one member; none is buildable here
        return built
    if kind == "list":
        count = int(shape.metadata.get("min", 0) or 0)
        if count == 0:
            return []
        item = _synth(shape.member, name, service, stack)
        return [] if item is None else [item for _ in range(count)]
    if kind == "map":
        count = int(shape.metadata.get("min", 0) or 0)
        result: dict[str, Any] = {}
        for index in range(count):
            key = _fit(f"key{index}", shape.key)
            if shape.key.enum:
                key = str(shape.key.enum[index % len(shape.key.enum)])
            value = _synth(shape.value, name, service, stack)
            if value is not None:
                result[key] = value
        return result
    if kind in ("string", "character"):
        if shape.serialization.get("jsonvalue"):
            return {}
        return _plausible_string(name, shape, service)
    if kind in ("integer", "long"):
        if shape.serialization.get("location") == "statusCode":
            return 200
        return int(_clamp(0, shape))
    if kind in ("float", "double"):
        return float(_clamp(0.0, shape))
    if kind == "boolean":
        return False
    if kind == "blob":
        return b"\0" * int(shape.metadata.get("min", 0) or 0)
    if kind == "timestamp":
        return FIXED_TIMESTAMP
    return None


def _synth_structure(shape: Any, service: str, stack: tuple[str, ...]) -> dict[str, Any]:
    """Placeholder structure holding the required members (one member for unions)."""
    if shape.is_document_type:
        return {}
    members = shape.members
    result: dict[str, Any] = {}
    if shape.is_tagged_union:
        ordered = sorted(members, key=lambda m: members[m].type_name in ("structure", "list"))
        for member_name in ordered:
            value = _synth(members[member_name], member_name, service, stack)
            if value is not None:
                return {member_name: value}
        return result
    for member_name in shape.required_members:
        if member_name not in members:
            continue
        value = _synth(members[member_name], member_name, service, stack)
        if value is not None:
            result[member_name] = value
    return result


def _synth_any(shape: Any, service: str) -> Any:
    """Placeholder value for *shape* (the healthy-service rules build entries with it)."""
    return _synth(shape, str(shape.name), service, ())


def _md5_hex(value: Any) -> str | None:
    """Hex MD5 of a str/bytes value, or None for anything else."""
    if isinstance(value, str):
        value = value.encode("utf-8")
    if isinstance(value, (bytes, bytearray)):
        return hashlib.md5(bytes(value)).hexdigest()
    return None


def synthesize_output(
    operation_model: Any, params: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """Return a deterministic placeholder return value for *operation_model*.

    Every required member of the output shape is present (recursively) with a
    plausible value of the right type: strings honour enums (first value) and
    length limits, numbers their minimum, lists and maps are empty unless the
    model demands a minimum length, timestamps are :data:`FIXED_TIMESTAMP`.
    Members botocore always returns (event streams, rest payloads, status code
    and header-map members) and members common flows read (S3 ``UploadId``,
    ``ETag``, SQS ``MessageId``...) are filled in too.

    *params*, the request parameters if known, makes some values consistent
    with the request: SQS ``MD5OfMessageBody`` is the MD5 of ``MessageBody``,
    S3 ``ETag`` the MD5 of ``Body``, S3 ``Bucket``/``Key`` are echoed, batch
    calls report every entry as successful.

    The answer is the one a healthy service gives (``healthy.make_healthy``): nothing failed
    or unprocessed, no continuation token, credentials valid for hours.
    """
    shape = operation_model.output_shape
    if shape is None:
        return {}
    service = str(operation_model.service_model.service_name)
    op_name = str(operation_model.name)
    stack = (shape.name,)
    result = _synth_structure(shape, service, stack)
    members = shape.members
    protocol = resolve_protocol(operation_model)
    wanted = list(_COMMON_MEMBERS.get((service, op_name), ()))
    for member_name, member in members.items():
        location = member.serialization.get("location")
        if member.serialization.get("eventstream"):
            result[member_name] = []
        elif protocol in ("rest-json", "rest-xml") and (
            location in ("statusCode", "headers")
            or shape.serialization.get("payload") == member_name
        ):
            wanted.append(member_name)
    for member_name in wanted:
        if member_name in members and member_name not in result:
            member = members[member_name]
            if member.serialization.get("location") == "headers":
                result[member_name] = {}
                continue
            if member.serialization.get("location") == "statusCode":
                result[member_name] = int(operation_model.http.get("responseCode", 200))
                continue
            value = _synth(member, member_name, service, stack)
            if isinstance(value, str) and (member.type_name == "blob"):
                value = value.encode()
            if value is not None:
                result[member_name] = value
    if params:
        _apply_params(service, op_name, params, result, members)
    make_healthy(operation_model, params, result, _synth_any, _plausible_string)
    if protocol in ("rest-json", "rest-xml"):
        _echo_generated_headers(operation_model, result, protocol)
    return result


# Headers serialize_response() always sends; modeled header members bound to
# them are filled in with the value that will be on the wire.
_GENERATED_HEADERS = frozenset(
    ("content-type", "content-length", "x-amzn-requestid", "x-amz-request-id", "x-amz-id-2")
)


def _echo_generated_headers(operation_model: Any, result: dict[str, Any], protocol: str) -> None:
    """Fill header members bound to headers the serializer always sends."""
    shape = operation_model.output_shape
    bound: dict[str, str] = {}
    catch_all: list[str] = []
    for member_name, member in shape.members.items():
        location = member.serialization.get("location")
        if location == "header" and member_name not in result:
            header = str(member.serialization.get("name", member_name)).lower()
            if header in _GENERATED_HEADERS:
                bound[header] = member_name
        elif location == "headers" and not member.serialization.get("name"):
            catch_all.append(member_name)
    if not bound and not catch_all:
        return
    wire = serialize_response(operation_model, result, protocol=protocol)
    lowered = {k.lower(): v for k, v in wire.headers.items()}
    for header, member_name in bound.items():
        if header in lowered:
            member = shape.members[member_name]
            text = lowered[header]
            result[member_name] = int(text) if member.type_name in ("integer", "long") else text
    for member_name in catch_all:
        result[member_name] = dict(wire.headers)


#: Services whose placeholder answers echo the request (see ``_apply_params``).
_PARAM_SERVICES = frozenset(("sqs", "sns", "s3", "kinesis", "firehose"))


@functools.cache
def depends_on_params(service: str, operation: str) -> bool:
    """Whether :func:`synthesize_output` uses the request parameters (or the time).

    When it does not, the same placeholder answer fits every request and can be reused.
    """
    if service in _PARAM_SERVICES:
        return True
    from pytest_botowire.aws.models import service_model

    try:
        operation_model = service_model(service).operation_model(operation)
    except Exception:
        return True
    return is_batch_operation(operation_model) or has_credentials(operation_model)


def _apply_params(
    service: str,
    op_name: str,
    params: Mapping[str, Any],
    result: dict[str, Any],
    members: Mapping[str, Any],
) -> None:
    """Make placeholder values agree with the request parameters."""
    if service == "sqs" and op_name == "SendMessage":
        digest = _md5_hex(params.get("MessageBody"))
        if digest:
            result["MD5OfMessageBody"] = digest
    elif service == "sqs" and op_name == "SendMessageBatch":
        result["Successful"] = [
            {
                "Id": entry.get("Id", str(index)),
                "MessageId": f"0f0e0d0c-0b0a-4009-8807-{index:012d}",
                "MD5OfMessageBody": _md5_hex(entry.get("MessageBody", "")) or _EMPTY_MD5,
            }
            for index, entry in enumerate(params.get("Entries", []))
        ]
        result["Failed"] = []
    elif service in ("sqs", "sns") and op_name in (
        "DeleteMessageBatch",
        "ChangeMessageVisibilityBatch",
        "PublishBatch",
    ):
        entries = params.get("Entries") or params.get("PublishBatchRequestEntries") or []
        successful: list[dict[str, Any]] = []
        for index, entry in enumerate(entries):
            item: dict[str, Any] = {"Id": entry.get("Id", str(index))}
            if op_name == "PublishBatch":
                item["MessageId"] = f"0f0e0d0c-0b0a-4009-8807-{index:012d}"
            successful.append(item)
        result["Successful"] = successful
        result["Failed"] = []
    elif service == "s3" and op_name in ("PutObject", "UploadPart"):
        digest = _md5_hex(params.get("Body", b""))
        if digest:
            result["ETag"] = f'"{digest}"'
    elif service == "kinesis" and op_name == "PutRecords":
        result["Records"] = [
            {"SequenceNumber": f"{49000000000000000000 + index}", "ShardId": "shardId-000000000000"}
            for index, _ in enumerate(params.get("Records", []))
        ]
        result["FailedRecordCount"] = 0
    elif service == "firehose" and op_name == "PutRecordBatch":
        result["RequestResponses"] = [
            {"RecordId": f"record-{index:08d}"} for index, _ in enumerate(params.get("Records", []))
        ]
        result["FailedPutCount"] = 0
    if service == "s3":
        for key in ("Bucket", "Key"):
            if key in members and key in result and isinstance(params.get(key), str):
                result[key] = params[key]


# --------------------------------------------------------------------------
# scalar conversion
# --------------------------------------------------------------------------


def _aware(value: _dt.datetime) -> _dt.datetime:
    """Treat naive datetimes as UTC; convert aware ones to UTC."""
    if value.tzinfo is None:
        return value.replace(tzinfo=_dt.timezone.utc)
    return value.astimezone(_dt.timezone.utc)


def _epoch(value: _dt.datetime) -> int | float:
    """Seconds since the epoch: int when whole, float otherwise."""
    value = _aware(value)
    seconds = calendar.timegm(value.timetuple())
    if value.microsecond:
        return (seconds * 10**6 + value.microsecond) / 10**6
    return seconds


def _timestamp(value: _dt.datetime, fmt: str) -> str | int | float:
    """Format a datetime as iso8601, unixtimestamp or rfc822."""
    fmt = fmt.lower()
    value = _aware(value)
    if fmt == "unixtimestamp":
        return _epoch(value)
    if fmt == "rfc822":
        return formatdate(calendar.timegm(value.timetuple()), usegmt=True)
    if value.microsecond:
        return value.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def _as_bytes(value: Any) -> bytes:
    """bytes from str, bytes-like or file-like values."""
    if isinstance(value, str):
        return value.encode("utf-8")
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value)
    if hasattr(value, "read"):
        return _as_bytes(value.read())
    raise TypeError(f"expected bytes, got {_type_name(value)}")


def _b64(value: Any) -> str:
    """Base64 text of a blob value."""
    return base64.b64encode(_as_bytes(value)).decode("ascii")


def _scalar_text(shape: Any, value: Any, default_ts: str) -> str:
    """Render a scalar as text for XML bodies and HTTP headers."""
    kind = shape.type_name
    if kind == "boolean":
        return "true" if value else "false"
    if kind == "blob":
        return _b64(value)
    if kind == "timestamp":
        return str(_timestamp(value, shape.serialization.get("timestampFormat", default_ts)))
    if kind in ("float", "double"):
        number = float(value)
        if number != number:
            return "NaN"
        if number in (float("inf"), float("-inf")):
            return "Infinity" if number > 0 else "-Infinity"
        return repr(number)
    if kind in ("string", "character") and shape.serialization.get("jsonvalue"):
        return _b64(json.dumps(value, separators=(",", ":")))
    return str(value)


def _clean(data: Mapping[str, Any]) -> dict[str, Any]:
    """Drop None values and ResponseMetadata."""
    return {k: v for k, v in data.items() if v is not None and k != "ResponseMetadata"}


# --------------------------------------------------------------------------
# JSON
# --------------------------------------------------------------------------


def _wire_value(shape: Any, value: Any, scalar: Callable[[Any, Any], Any]) -> Any:
    """A value in its JSON or CBOR wire form: the one walker over structures, lists and maps.

    Structure members go by their wire name (``None`` values, unknown keys and event streams
    left out); ``scalar(shape, value)`` converts each leaf the codec's way.
    """
    kind = shape.type_name
    if kind == "structure":
        if shape.is_document_type:
            return value
        out: dict[str, Any] = {}
        for key, item in value.items():
            if item is None or key not in shape.members:
                continue
            member = shape.members[key]
            if member.serialization.get("eventstream"):
                continue
            out[member.serialization.get("name", key)] = _wire_value(member, item, scalar)
        return out
    if kind == "list":
        return [None if item is None else _wire_value(shape.member, item, scalar) for item in value]
    if kind == "map":
        return {
            k: (None if v is None else _wire_value(shape.value, v, scalar))
            for k, v in value.items()
        }
    return scalar(shape, value)


def _json_scalar(shape: Any, value: Any) -> Any:
    """A leaf in JSON: blobs as base64, timestamps as the shape says (epoch seconds)."""
    kind = shape.type_name
    if kind == "blob":
        return _b64(value)
    if kind == "timestamp":
        return _timestamp(value, shape.serialization.get("timestampFormat", "unixtimestamp"))
    if kind in ("float", "double"):
        return float(value)
    return value


def _json_value(shape: Any, value: Any) -> Any:
    """Convert a value to its JSON wire form."""
    return _wire_value(shape, value, _json_scalar)


def _json_body(shape: Any, data: Mapping[str, Any], skip_located: bool) -> dict[str, Any]:
    """JSON body members of a structure (optionally without HTTP-bound ones)."""
    body: dict[str, Any] = {}
    for key, value in data.items():
        if value is None or key not in shape.members:
            continue
        member = shape.members[key]
        if member.serialization.get("eventstream"):
            continue
        if skip_located and member.serialization.get("location") in _REST_LOCATIONS:
            continue
        body[member.serialization.get("name", key)] = _json_value(member, value)
    return body


def _dumps(obj: Any) -> bytes:
    """Compact JSON bytes."""
    return json.dumps(obj, separators=(",", ":")).encode("utf-8")


# --------------------------------------------------------------------------
# CBOR
# --------------------------------------------------------------------------


class _CborTag:
    """A CBOR tagged value (only tag 1, epoch timestamps, is used)."""

    def __init__(self, tag: int, value: Any) -> None:
        """Create the instance."""
        self.tag = tag
        self.value = value


def _cbor_scalar(shape: Any, value: Any) -> Any:
    """A leaf in CBOR: blobs as bytes, timestamps as tag 1 (epoch seconds)."""
    kind = shape.type_name
    if kind == "blob":
        return _as_bytes(value)
    if kind == "timestamp":
        return _CborTag(1, _epoch(value))
    if kind in ("float", "double"):
        return float(value)
    return value


def _cbor_value(shape: Any, value: Any) -> Any:
    """Convert a value to its CBOR wire form (timestamps as tag 1)."""
    return _wire_value(shape, value, _cbor_scalar)


def _cbor_head(major: int, length: int) -> bytes:
    """CBOR initial byte(s) for *major* type and *length*/value."""
    if length < 24:
        return bytes([major << 5 | length])
    for info, size in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if length < 1 << (8 * size):
            return bytes([major << 5 | info]) + length.to_bytes(size, "big")
    raise ValueError("CBOR length out of range")


def _cbor_encode_builtin(value: Any) -> bytes:
    """Minimal CBOR encoder (definite lengths, doubles) for when cbor2 is absent."""
    if value is None:
        return b"\xf6"
    if value is True:
        return b"\xf5"
    if value is False:
        return b"\xf4"
    if isinstance(value, int):
        return _cbor_head(0, value) if value >= 0 else _cbor_head(1, -1 - value)
    if isinstance(value, float):
        return b"\xfb" + struct.pack(">d", value)
    if isinstance(value, str):
        raw = value.encode("utf-8")
        return _cbor_head(3, len(raw)) + raw
    if isinstance(value, (bytes, bytearray)):
        return _cbor_head(2, len(value)) + bytes(value)
    if isinstance(value, _CborTag):
        return _cbor_head(6, value.tag) + _cbor_encode_builtin(value.value)
    if isinstance(value, (list, tuple)):
        return _cbor_head(4, len(value)) + b"".join(_cbor_encode_builtin(v) for v in value)
    if isinstance(value, Mapping):
        parts = [_cbor_encode_builtin(k) + _cbor_encode_builtin(v) for k, v in value.items()]
        return _cbor_head(5, len(parts)) + b"".join(parts)
    raise TypeError(f"cannot encode {_type_name(value)} as CBOR")


def _to_cbor2(value: Any, tag_cls: Any) -> Any:
    """Replace _CborTag with cbor2.CBORTag, recursively."""
    if isinstance(value, _CborTag):
        return tag_cls(value.tag, value.value)
    if isinstance(value, Mapping):
        return {k: _to_cbor2(v, tag_cls) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_to_cbor2(v, tag_cls) for v in value]
    return value


def _cbor_encode(value: Any) -> bytes:
    """Encode with cbor2 when it is installed, else with a small built-in encoder."""
    try:
        import cbor2
    except ImportError:  # pragma: no cover - cbor2 is a test dependency
        return _cbor_encode_builtin(value)
    return bytes(cbor2.dumps(_to_cbor2(value, cbor2.CBORTag)))


# --------------------------------------------------------------------------
# XML
# --------------------------------------------------------------------------


def _xml_key(member: Any, member_name: str) -> str:
    """The element name botocore's XML parser looks for (see ``_member_key_name``)."""
    if member.type_name == "list" and member.serialization.get("flattened"):
        list_name = member.member.serialization.get("name")
        if list_name is not None:
            return str(list_name)
    return str(member.serialization.get("name", member_name))


def _xml_add(parent: ET.Element, tag: str, shape: Any, value: Any) -> None:
    """Append *value* under *parent* as element(s) named *tag*."""
    kind = shape.type_name
    if kind == "list":
        item_shape = shape.member
        if shape.serialization.get("flattened"):
            for item in value:
                if item is not None:
                    _xml_add(parent, tag, item_shape, item)
            return
        node = ET.SubElement(parent, tag)
        item_tag = str(item_shape.serialization.get("name", "member"))
        for item in value:
            if item is not None:
                _xml_add(node, item_tag, item_shape, item)
        return
    if kind == "map":
        key_tag = str(shape.key.serialization.get("name") or "key")
        value_tag = str(shape.value.serialization.get("name") or "value")
        flattened = bool(shape.serialization.get("flattened"))
        holder = None if flattened else ET.SubElement(parent, tag)
        for key, item in value.items():
            if item is None:
                continue
            entry = ET.SubElement(parent, tag) if holder is None else ET.SubElement(holder, "entry")
            _xml_add(entry, key_tag, shape.key, key)
            _xml_add(entry, value_tag, shape.value, item)
        return
    node = ET.SubElement(parent, tag)
    if kind == "structure":
        _xml_fill(node, shape, value, top=False)
    else:
        node.text = _scalar_text(shape, value, "iso8601")


def _xml_fill(node: ET.Element, shape: Any, data: Mapping[str, Any], *, top: bool) -> None:
    """Add the members of structure *data* as children/attributes of *node*."""
    for key, value in data.items():
        if value is None or key not in shape.members:
            continue
        member = shape.members[key]
        if top and member.serialization.get("location") in _REST_LOCATIONS:
            continue
        if member.serialization.get("eventstream"):
            continue
        if member.serialization.get("xmlAttribute"):
            attr = str(member.serialization.get("name", key))
            namespace = member.serialization.get("xmlNamespace") or {}
            if ":" in attr:
                prefix = attr.split(":", 1)[0]
                uri = namespace.get("uri") if isinstance(namespace, Mapping) else None
                if prefix == "xsi" and not uri:
                    uri = _XSI_NAMESPACE
                node.set(f"xmlns:{prefix}", str(uri or f"urn:botowire:{prefix}"))
            node.set(attr, _scalar_text(member, value, "iso8601"))
            continue
        _xml_add(node, _xml_key(member, key), member, value)


def _xml_bytes(root: ET.Element) -> bytes:
    """Serialize an element tree with an XML declaration."""
    text = ET.tostring(root, encoding="unicode")
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + text.encode("utf-8")


def _service_namespace(operation_model: Any, protocol: str) -> str:
    """The XML namespace of a query/ec2/rest-xml service."""
    metadata = operation_model.service_model.metadata
    namespace = metadata.get("xmlNamespace")
    if isinstance(namespace, str) and namespace:
        return namespace
    if operation_model.service_model.service_name == "s3":
        return _S3_NAMESPACE
    prefix = metadata.get("endpointPrefix", "service")
    version = metadata.get("apiVersion", "")
    return f"https://{prefix}.amazonaws.com/doc/{version}/"


# --------------------------------------------------------------------------
# event streams (application/vnd.amazon.eventstream)
# --------------------------------------------------------------------------


def _es_header(name: str, value: Any) -> bytes:
    """Encode one event-stream header (bool, long, timestamp, bytes or string)."""
    raw_name = name.encode("utf-8")
    out = bytes([len(raw_name)]) + raw_name
    if isinstance(value, bool):
        return out + (b"\x00" if value else b"\x01")
    if isinstance(value, int):
        return out + b"\x05" + struct.pack(">q", value)
    if isinstance(value, _dt.datetime):
        return out + b"\x08" + struct.pack(">q", round(_epoch(value) * 1000))
    if isinstance(value, (bytes, bytearray)):
        return out + b"\x06" + struct.pack(">H", len(value)) + bytes(value)
    raw = str(value).encode("utf-8")
    return out + b"\x07" + struct.pack(">H", len(raw)) + raw


def _es_message(headers: list[tuple[str, Any]], payload: bytes) -> bytes:
    """Encode one event-stream message with prelude and CRCs."""
    header_bytes = b"".join(_es_header(k, v) for k, v in headers)
    total = 12 + len(header_bytes) + len(payload) + 4
    prelude = struct.pack(">II", total, len(header_bytes))
    prelude += struct.pack(">I", binascii.crc32(prelude) & 0xFFFFFFFF)
    message = prelude + header_bytes + payload
    return message + struct.pack(">I", binascii.crc32(message) & 0xFFFFFFFF)


def _encode_struct(family: str, shape: Any, data: Mapping[str, Any], root: str) -> bytes:
    """Encode a structure for an event payload in the protocol's body format."""
    if family == "json":
        return _dumps(_json_value(shape, data))
    if family == "cbor":
        return _cbor_encode(_cbor_value(shape, data))
    node = ET.Element(root)
    _xml_fill(node, shape, data, top=False)
    return ET.tostring(node)


def _event_stream_body(
    family: str,
    content_type: str,
    stream_shape: Any,
    events: Any,
    initial: Mapping[str, Any] | None = None,
) -> bytes:
    """Encode an event stream (optionally led by an initial-response event)."""
    chunks: list[bytes] = []
    if initial is not None:
        chunks.append(
            _es_message(
                [
                    (":message-type", "event"),
                    (":event-type", "initial-response"),
                    (":content-type", content_type),
                ],
                _initial_payload(family, initial),
            )
        )
    for event in events:
        ((name, body),) = event.items()
        event_shape = stream_shape.members[name]
        body = _clean(body)
        if event_shape.metadata.get("exception"):
            headers: list[tuple[str, Any]] = [
                (":message-type", "exception"),
                (":exception-type", name),
                (":content-type", content_type),
            ]
        else:
            headers = [(":message-type", "event"), (":event-type", name)]
        payload: bytes | None = None
        rest: dict[str, Any] = {}
        payload_type = content_type
        for key, value in body.items():
            member = event_shape.members[key]
            if member.serialization.get("eventheader"):
                headers.append((key, value))
            elif member.serialization.get("eventpayload"):
                if member.type_name == "blob":
                    payload, payload_type = _as_bytes(value), "application/octet-stream"
                elif member.type_name == "string":
                    payload, payload_type = str(value).encode("utf-8"), "text/plain"
                else:
                    payload = _encode_struct(
                        family, member, value, str(member.serialization.get("name", key))
                    )
            else:
                rest[key] = value
        if payload is None:
            payload = (
                _encode_struct(family, event_shape, rest, name) if rest or family != "xml" else b""
            )
        if not event_shape.metadata.get("exception"):
            headers.append((":content-type", payload_type))
        chunks.append(_es_message(headers, payload))
    return b"".join(chunks)


def _initial_payload(family: str, data: Mapping[str, Any]) -> bytes:
    """Encode the ``initial-response`` event payload (already shaped for the wire)."""
    if family == "cbor":
        return _cbor_encode(dict(data))
    return _dumps(dict(data))


# --------------------------------------------------------------------------
# serialize_response
# --------------------------------------------------------------------------


def _override(out: HeadersDict, headers: Mapping[str, str]) -> None:
    """Put the caller's headers over the serialized ones, with the caller's spelling."""
    for name, value in headers.items():
        out.pop(name, None)
        out[name] = value


def _request_id_headers(out: HeadersDict, operation_model: Any, protocol: str) -> None:
    """Add the request-id header(s) the service sends."""
    if protocol == "rest-xml" and operation_model.service_model.service_name == "s3":
        out["x-amz-request-id"] = REQUEST_ID
        out["x-amz-id-2"] = HOST_ID
    else:
        out["x-amzn-RequestId"] = REQUEST_ID


def _rest_headers(out: HeadersDict, shape: Any, data: Mapping[str, Any]) -> int | None:
    """Put header/status-code members on the response; return the modeled status."""
    status: int | None = None
    for key, value in data.items():
        if value is None or key not in shape.members:
            continue
        member = shape.members[key]
        location = member.serialization.get("location")
        if location == "statusCode":
            status = int(value)
        elif location == "header":
            header = str(member.serialization.get("name", key))
            if member.type_name == "list":
                text = ",".join(_scalar_text(member.member, v, "rfc822") for v in value)
            else:
                text = _scalar_text(member, value, "rfc822")
            out[header] = text
        elif location == "headers":
            prefix = str(member.serialization.get("name", ""))
            for sub_key, sub_value in value.items():
                out[f"{prefix}{sub_key}"] = str(sub_value)
    return status


def _json_content_type(operation_model: Any) -> str:
    """The x-amz-json content type for the service's jsonVersion."""
    version = operation_model.service_model.metadata.get("jsonVersion") or "1.0"
    return f"application/x-amz-json-{version}"


def serialize_response(
    operation_model: Any,
    data: Mapping[str, Any] | None = None,
    *,
    status: int | None = None,
    headers: Mapping[str, str] | None = None,
    protocol: str | None = None,
) -> WireResponse:
    """Serialize *data* into the HTTP response the service would send.

    *data* is shaped like the client method's return value; ``None`` means
    :func:`synthesize_output`.  It is checked with :func:`validate_output`
    first.  The wire protocol is the one botocore resolves for the service
    (:func:`resolve_protocol`) unless *protocol* overrides it.  *status*
    overrides the HTTP status (default: the modeled ``statusCode`` member or
    the operation's ``responseCode``, else 200) and *headers* are merged in
    last, replacing generated headers case-insensitively.
    """
    protocol = protocol or resolve_protocol(operation_model)
    if data is None:
        data = synthesize_output(operation_model)
    else:
        validate_output(operation_model, data)
    data = _clean(data)
    shape = operation_model.output_shape
    out = HeadersDict()
    _request_id_headers(out, operation_model, protocol)
    code = int(operation_model.http.get("responseCode", 200))
    body = b""
    if protocol in ("json", "smithy-rpc-v2-cbor"):
        family = "json" if protocol == "json" else "cbor"
        content_type = (
            _json_content_type(operation_model) if family == "json" else "application/cbor"
        )
        if family == "cbor":
            out["smithy-protocol"] = "rpc-v2-cbor"
        stream_name = shape.event_stream_name if shape is not None else None
        if shape is not None and stream_name:
            initial_shape_data = {k: v for k, v in data.items() if k != stream_name}
            wire_initial = (
                _json_body(shape, initial_shape_data, skip_located=False)
                if family == "json"
                else _cbor_value(shape, initial_shape_data)
            )
            body = _event_stream_body(
                family,
                content_type,
                shape.members[stream_name],
                data.get(stream_name, []),
                wire_initial,
            )
            content_type = "application/vnd.amazon.eventstream"
        elif shape is not None:
            body = (
                _dumps(_json_body(shape, data, skip_located=False))
                if family == "json"
                else _cbor_encode(_cbor_value(shape, data))
            )
        else:
            body = b"{}" if family == "json" else _cbor_encode({})
        out["Content-Type"] = content_type
    elif protocol in ("rest-json", "rest-xml"):
        family = "json" if protocol == "rest-json" else "xml"
        content_type = "application/json" if family == "json" else "application/xml"
        if shape is not None:
            modeled_status = _rest_headers(out, shape, data)
            if modeled_status is not None:
                code = modeled_status
            body, content_type = _rest_body(operation_model, shape, data, family, content_type)
        if body or family == "json" or shape is not None:
            out.setdefault("Content-Type", content_type)
    elif protocol in ("query", "ec2"):
        body = _query_body(operation_model, shape, data, protocol)
        out["Content-Type"] = "text/xml;charset=UTF-8"
    else:
        raise ValueError(f"unsupported protocol {protocol!r}")
    if operation_model.http.get("method") == "HEAD":
        body = b""
    _set_content_length(out, operation_model, body)
    if headers:
        _override(out, headers)
    return WireResponse(
        status=code if status is None else status, headers=dict(out.items()), body=body
    )


def _set_content_length(out: HeadersDict, operation_model: Any, body: bytes) -> None:
    """Set Content-Length, rejecting a modeled ContentLength that lies."""
    declared = out.get("Content-Length")
    if operation_model.http.get("method") == "HEAD" and declared is not None:
        return
    if declared is not None and int(declared) != len(body):
        raise ValueError(
            f"{operation_model.name} output: ContentLength={declared} but the body has "
            f"{len(body)} bytes; leave ContentLength out or make it match"
        )
    out["Content-Length"] = str(len(body))


def _rest_body(
    operation_model: Any, shape: Any, data: Mapping[str, Any], family: str, content_type: str
) -> tuple[bytes, str]:
    """Body and content type of a rest-json/rest-xml response."""
    payload_name = shape.serialization.get("payload")
    if payload_name:
        member = shape.members[payload_name]
        value = data.get(payload_name)
        if member.serialization.get("eventstream"):
            body = _event_stream_body(family, content_type, member, value or [])
            return body, "application/vnd.amazon.eventstream"
        if member.type_name in ("blob", "string"):
            if value is None:
                return b"", content_type
            raw = _as_bytes(value)
            if member.type_name == "blob":
                return raw, "application/octet-stream"
            return raw, "text/plain" if family == "xml" else content_type
        if value is None:
            return b"", content_type
        if family == "json":
            return _dumps(_json_value(member, value)), content_type
        root = ET.Element(str(member.serialization.get("name", member.name)))
        _set_xmlns(root, member, operation_model)
        _xml_fill(root, member, value, top=False)
        return _xml_bytes(root), content_type
    if family == "json":
        return _dumps(_json_body(shape, data, skip_located=True)), content_type
    if operation_model.service_model.service_name == "s3" and operation_model.name == (
        "GetBucketLocation"
    ):
        # botocore parses this one by hand (handlers.parse_get_bucket_location).
        root = ET.Element("LocationConstraint", {"xmlns": _S3_NAMESPACE})
        root.text = data.get("LocationConstraint") or None
        return _xml_bytes(root), content_type
    body_members = [
        k
        for k in data
        if k in shape.members
        and shape.members[k].serialization.get("location") not in _REST_LOCATIONS
    ]
    if not body_members:
        return b"", content_type
    name = shape.serialization.get("name")
    if operation_model.service_model.service_name == "s3":
        name = name or _S3_ROOT_NAMES.get(operation_model.name)
    root = ET.Element(str(name or f"{operation_model.name}Result"))
    _set_xmlns(root, shape, operation_model)
    _xml_fill(root, shape, data, top=True)
    return _xml_bytes(root), content_type


def _set_xmlns(root: ET.Element, shape: Any, operation_model: Any) -> None:
    """Set the default namespace of a rest-xml document root."""
    namespace = shape.serialization.get("xmlNamespace")
    uri = namespace.get("uri") if isinstance(namespace, Mapping) else namespace
    if not uri and operation_model.service_model.service_name == "s3":
        uri = _S3_NAMESPACE
    if uri:
        root.set("xmlns", str(uri))


def _query_body(operation_model: Any, shape: Any, data: Mapping[str, Any], protocol: str) -> bytes:
    """The query/ec2 XML response document."""
    root = ET.Element(f"{operation_model.name}Response")
    root.set("xmlns", _service_namespace(operation_model, protocol))
    if protocol == "ec2":
        ET.SubElement(root, "requestId").text = REQUEST_ID
        if shape is not None:
            _xml_fill(root, shape, data, top=False)
        return _xml_bytes(root)
    if shape is not None:
        wrapper = shape.serialization.get("resultWrapper")
        holder = ET.SubElement(root, str(wrapper)) if wrapper else root
        _xml_fill(holder, shape, data, top=False)
    metadata = ET.SubElement(root, "ResponseMetadata")
    ET.SubElement(metadata, "RequestId").text = REQUEST_ID
    return _xml_bytes(root)


# --------------------------------------------------------------------------
# serialize_error
# --------------------------------------------------------------------------


def _find_error_shape(operation_model: Any, code: str) -> Any:
    """The modeled error named *code* (shape name or error code), or None."""
    candidates = list(operation_model.error_shapes) + list(
        operation_model.service_model.error_shapes
    )
    for shape in candidates:
        if shape.name == code:
            return shape
    for shape in candidates:
        if shape.error_code == code:
            return shape
    return None


def serialize_error(
    operation_model: Any,
    code: str,
    message: str = "",
    *,
    status: int | None = None,
    headers: Mapping[str, str] | None = None,
    protocol: str | None = None,
) -> WireResponse:
    """Serialize a service error response for *operation_model*.

    *code* may be a modeled error's shape name or its (query) error code, or
    any other string.  The document follows the protocol: JSON/CBOR
    ``{"__type": ..., "message": ...}`` (plus ``x-amzn-ErrorType``, and for
    ``awsQueryCompatible`` services ``x-amzn-query-error: <code>;<Sender|Receiver>``),
    query ``<ErrorResponse>``, EC2 ``<Response><Errors>``, S3 ``<Error>`` and
    other rest-xml ``<ErrorResponse>``.  botocore then raises
    ``client.exceptions.<Shape>`` for modeled errors (``ClientError`` otherwise);
    the reported error code is the modeled error code, which equals the shape
    name except for query-compatible services with an explicit code.
    *status* defaults to the error's modeled ``httpStatusCode``, else 400.
    As on the real wire, responses to HEAD requests carry no body, so botocore
    reports the HTTP status (e.g. ``"404"``) as the error code.
    """
    protocol = protocol or resolve_protocol(operation_model)
    service_model = operation_model.service_model
    error_shape = _find_error_shape(operation_model, code)
    error_meta: Mapping[str, Any] = {}
    if error_shape is not None:
        error_meta = error_shape.metadata.get("error") or {}
    if status is None:
        status = int(error_meta.get("httpStatusCode", 400))
    wire_code = str(error_shape.error_code) if error_shape is not None else code
    sender = "Sender" if error_meta.get("senderFault", status < 500) else "Receiver"
    out = HeadersDict()
    _request_id_headers(out, operation_model, protocol)
    body: bytes
    if protocol in ("json", "rest-json", "smithy-rpc-v2-cbor"):
        type_name = wire_code
        if service_model.metadata.get("awsQueryCompatible") is not None:
            type_name = str(error_shape.name) if error_shape is not None else code
            out["x-amzn-query-error"] = f"{wire_code};{sender}"
        document = {"__type": type_name, "message": message}
        if protocol == "smithy-rpc-v2-cbor":
            out["smithy-protocol"] = "rpc-v2-cbor"
            out["Content-Type"] = "application/cbor"
            body = _cbor_encode(document)
        else:
            out["x-amzn-ErrorType"] = type_name
            out["Content-Type"] = (
                "application/json"
                if protocol == "rest-json"
                else _json_content_type(operation_model)
            )
            body = _dumps(document)
    elif protocol == "ec2":
        root = ET.Element("Response")
        error = ET.SubElement(ET.SubElement(root, "Errors"), "Error")
        ET.SubElement(error, "Code").text = wire_code
        ET.SubElement(error, "Message").text = message
        ET.SubElement(root, "RequestID").text = REQUEST_ID
        body = _xml_bytes(root)
        out["Content-Type"] = "text/xml;charset=UTF-8"
    elif protocol == "rest-xml" and service_model.service_name == "s3":
        root = ET.Element("Error")
        ET.SubElement(root, "Code").text = wire_code
        ET.SubElement(root, "Message").text = message
        ET.SubElement(root, "RequestId").text = REQUEST_ID
        ET.SubElement(root, "HostId").text = HOST_ID
        body = _xml_bytes(root)
        out["Content-Type"] = "application/xml"
    elif protocol in ("query", "rest-xml"):
        root = ET.Element("ErrorResponse")
        root.set("xmlns", _service_namespace(operation_model, protocol))
        error = ET.SubElement(root, "Error")
        ET.SubElement(error, "Type").text = sender
        ET.SubElement(error, "Code").text = wire_code
        ET.SubElement(error, "Message").text = message
        ET.SubElement(root, "RequestId").text = REQUEST_ID
        body = _xml_bytes(root)
        out["Content-Type"] = "text/xml" if protocol == "query" else "application/xml"
    else:
        raise ValueError(f"unsupported protocol {protocol!r}")
    if operation_model.http.get("method") == "HEAD":
        body = b""
    out["Content-Length"] = str(len(body))
    if headers:
        _override(out, headers)
    return WireResponse(status=status, headers=dict(out.items()), body=body)


# --------------------------------------------------------------------------
# AWSResponse
# --------------------------------------------------------------------------


class RawResponse(io.BytesIO):
    """A stand-in for urllib3's response: ``read()``, ``stream()`` and ``close()``."""

    def stream(self, amt: int | None = 65536, **kwargs: Any) -> Iterator[bytes]:
        """Yield the remaining body in chunks of *amt* bytes, like urllib3."""
        size = amt or 65536
        chunk = self.read(size)
        while chunk:
            yield chunk
            chunk = self.read(size)


def to_aws_response(url: str, resp: WireResponse) -> AWSResponse:
    """Wrap *resp* in the ``AWSResponse`` a ``before-send`` handler returns."""
    return AWSResponse(
        url, resp.status, HTTPHeaders.from_dict(resp.headers), RawResponse(resp.body)
    )
