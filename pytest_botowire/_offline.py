"""Answers given at ``before-send`` when a test runs offline.

botocore parses these responses with its real parsers, so the client returns what it would
return for a successful call: required members and the members common flows read are filled
with placeholder values of the right type.
"""

from __future__ import annotations

from typing import Any

from pytest_botowire._request import CapturedRequest

_STRICT_CODE = "BotowireUnansweredRequest"


def _aws_response(url: str, status: int, headers: dict[str, str], body: bytes) -> Any:
    from pytest_botowire._responses import WireResponse, to_aws_response

    return to_aws_response(url, WireResponse(status=status, headers=headers, body=body))


def offline_answer(captured: CapturedRequest, request: Any, strict: bool) -> Any:
    """A successful placeholder response, or in ``strict`` mode an error naming the request."""
    from pytest_botowire._patterns import service_model
    from pytest_botowire._responses import (
        serialize_error,
        serialize_response,
        synthesize_output,
        to_aws_response,
    )

    operation_model = service_model(captured.service).operation_model(captured.operation)
    if strict:
        wire = serialize_error(
            operation_model,
            _STRICT_CODE,
            f"pytest-botowire strict mode: nothing answered {captured.name}; "
            "register a response with botowire.respond() or use mode='offline'",
            status=400,
        )
    else:
        wire = serialize_response(operation_model, synthesize_output(operation_model))
    return to_aws_response(str(request.url), wire)
