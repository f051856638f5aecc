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
    from botocore.awsrequest import AWSResponse

    from pytest_botowire.model.request import CapturedRequest

STRICT_CODE = "BotowireUnansweredRequest"

_ANSWERS: dict[tuple[str, str], Any] = {}


def offline_answer(captured: CapturedRequest, request: Any, strict: bool) -> AWSResponse:
    """A successful placeholder response, or in ``strict`` mode an error naming the request."""
    from pytest_botowire.aws.models import service_model
    from pytest_botowire.aws.serialize import (
        depends_on_params,
        serialize_response,
        synthesize_output,
    )

    key = (captured.service, captured.operation)
    if strict:
        operation_model = service_model(captured.service).operation_model(captured.operation)
        wire = strict_wire(operation_model, captured.name)
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


def strict_wire(operation_model: Any, name: str, via: str = "") -> Any:
    """The strict-mode error for a request nothing answered, for every path that answers
    (botocore at ``before-send``, the ``requests`` integration, ``via="requests"``):
    ``BotowireUnansweredRequest``, status 400, in the operation's protocol (plain text when
    the operation is unknown)."""
    from pytest_botowire.aws.serialize import WireResponse, serialize_error

    message = unanswered(name, via)
    if operation_model is not None:
        return serialize_error(operation_model, STRICT_CODE, message, status=400)
    return WireResponse(400, {"Content-Type": "text/plain"}, message.encode("utf-8"))
