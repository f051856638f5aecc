"""What the installed botocore puts on the wire, for tests that run on the lowest and newest botocore.

Expectations that genuinely depend on the botocore version (CloudWatch's wire protocol, S3
aws-chunked uploads, members newer than the lowest supported botocore) are computed here from
the installed botocore, so each test states the right expectation for the version it runs on.
"""

from __future__ import annotations

import functools
from typing import Any

import botocore
import botocore.retries.standard
import botocore.session
from botocore.config import Config

from pytest_botowire.aws.serialize import resolve_protocol, serialize_response

BOTOCORE_VERSION: tuple[int, ...] = tuple(int(part) for part in botocore.__version__.split(".")[:3])


@functools.cache
def _session() -> Any:
    return botocore.session.get_session()


def operation_model(service: str, operation: str) -> Any:
    """botocore's ``OperationModel`` for ``service.operation``."""
    return _session().get_service_model(service).operation_model(operation)


def protocol(service: str, operation: str = "") -> str:
    """The wire protocol this botocore uses for *service* (as :func:`resolve_protocol`)."""
    model = _session().get_service_model(service)
    return resolve_protocol(model.operation_model(operation or model.operation_names[0]))


#: CloudWatch moved from the query protocol to AWS JSON 1.0 in botocore 1.42.7.
CLOUDWATCH_PROTOCOL = protocol("cloudwatch", "PutMetricData")
#: The Content-Type botocore sends for each request protocol used by these tests.
REQUEST_CONTENT_TYPES = {
    "json": "application/x-amz-json-1.0",
    "query": "application/x-www-form-urlencoded; charset=utf-8",
}
CLOUDWATCH_CONTENT_TYPE = REQUEST_CONTENT_TYPES[CLOUDWATCH_PROTOCOL]


def _has_checksum_calculation_option() -> bool:
    try:
        Config(request_checksum_calculation="when_required")
    except TypeError:
        return False
    return True


#: botocore 1.36 made flexible checksums the default: S3 uploads go out as aws-chunked bodies
#: with a trailing checksum. Older botocore has no ``request_checksum_calculation`` option and
#: sends an upload as a plain body.
HAS_AWS_CHUNKED = _has_checksum_calculation_option()

#: ``EntityMetricData`` (PutMetricData) is newer than botocore 1.34.40.
HAS_ENTITY_METRIC_DATA = (
    "EntityMetricData" in operation_model("cloudwatch", "PutMetricData").input_shape.members
)


#: Newer botocore seeds ``max=`` into the first attempt's ``amz-sdk-request`` header
#: (``retries.standard.MaxAttemptsSeeder``); older botocore sends ``attempt=1`` alone and
#: adds ``max=`` from the first retry on.
FIRST_ATTEMPT_NAMES_MAX = hasattr(botocore.retries.standard, "MaxAttemptsSeeder")


def checksum_config(**kwargs: Any) -> dict[str, Any]:
    """Config keyword arguments that send S3 checksums only when an operation requires them.

    That is what botocore did before 1.36 without being asked; newer botocore needs
    ``request_checksum_calculation="when_required"``.
    """
    if HAS_AWS_CHUNKED:
        kwargs["request_checksum_calculation"] = "when_required"
    return kwargs


def server_answer(service: str, operation: str) -> dict[str, Any]:
    """``RecordingServer`` keyword arguments for a success response in this botocore's protocol.

    The server sets Content-Length itself.
    """
    wire = serialize_response(operation_model(service, operation))
    headers = {k: v for k, v in wire.headers.items() if k.lower() != "content-length"}
    return {"status": wire.status, "body": wire.body, "headers": headers}


def wire_bytes(body: Any) -> bytes:
    """The bytes of a prepared request's body, as they go on the wire.

    botocore leaves an uncompressed query-protocol body (CloudWatch before botocore 1.42.7,
    SQS before JSON, SNS, STS) as the form-encoded ``str`` until it is sent; it is ASCII.
    """
    if isinstance(body, str):
        return body.encode("ascii")
    assert isinstance(body, (bytes, bytearray)), type(body)
    return bytes(body)
