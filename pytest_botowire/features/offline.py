"""Answers given at ``before-send`` when a test runs offline.

botocore parses these responses with its real parsers, so the client returns what it would
return for a successful call: required members and the members common flows read are filled
with placeholder values of the right type.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pytest_botowire.capture.answers import build_response, consume_body
from pytest_botowire.model.messages import unanswered

if TYPE_CHECKING:
    from botocore.awsrequest import AWSPreparedRequest, AWSResponse

    from pytest_botowire.model.request import CapturedRequest

STRICT_CODE = "BotowireUnansweredRequest"

_ANSWERS: dict[tuple[str, str], Any] = {}


def offline_answer(
    captured: CapturedRequest, request: AWSPreparedRequest, strict: bool
) -> AWSResponse:
    """A successful placeholder response, or in ``strict`` mode an error naming the request."""
    from pytest_botowire.aws.models import service_model
    from pytest_botowire.aws.serialize import (
        depends_on_params,
        serialize_error,
        serialize_response,
        synthesize_output,
    )

    key = (captured.service, captured.operation)
    if strict:
        operation_model = service_model(captured.service).operation_model(captured.operation)
        wire = serialize_error(
            operation_model,
            STRICT_CODE,
            unanswered(captured.name),
            status=400,
        )
    elif key in _ANSWERS:
        wire = _ANSWERS[key]
    else:
        operation_model = service_model(captured.service).operation_model(captured.operation)
        wire = serialize_response(
            operation_model, synthesize_output(operation_model, captured.params)
        )
        # The same answer fits every request of an operation whose placeholder does not
        # echo the request: serialize it once (WireResponse is immutable).
        if not depends_on_params(*key):
            _ANSWERS[key] = wire
    response = build_response(str(request.url), wire)
    consume_body(request)  # as a send would: progress callbacks see every byte
    return response
