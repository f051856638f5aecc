"""Answers given at ``before-send`` when a test runs offline.

botocore parses these responses with its real parsers, so the client returns what it would
return for a successful call: required members and the members common flows read are filled
with placeholder values of the right type, and the answer is the one a healthy service gives
(``aws.healthy``): nothing failed, no continuation token, credentials valid for hours, and a
waiter's poll answered so that its success acceptor matches at once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pytest_botowire.capture.answers import build_response

if TYPE_CHECKING:
    from pytest_botowire.model.request import CapturedRequest

STRICT_CODE = "BotowireUnansweredRequest"

_ANSWERS: dict[tuple[str, str], Any] = {}


def offline_answer(captured: CapturedRequest, request: Any, strict: bool) -> Any:
    """A successful placeholder response, or in ``strict`` mode an error naming the request."""
    from pytest_botowire.aws.compat import current_waiter
    from pytest_botowire.aws.models import service_model
    from pytest_botowire.aws.serialize import (
        depends_on_params,
        serialize_error,
        serialize_response,
        synthesize_output,
    )

    key = (captured.service, captured.operation)
    waiter = None if strict else current_waiter()
    if strict:
        operation_model = service_model(captured.service).operation_model(captured.operation)
        wire = serialize_error(
            operation_model,
            STRICT_CODE,
            f"pytest-botowire strict mode: nothing answered {captured.name}; "
            "register a response with botowire.respond() or use mode='offline'",
            status=400,
        )
    elif waiter is None and key in _ANSWERS:
        wire = _ANSWERS[key]
    else:
        operation_model = service_model(captured.service).operation_model(captured.operation)
        output = synthesize_output(operation_model, captured.params)
        if waiter is not None:
            wire = _waiter_answer(operation_model, waiter, output)
        else:
            wire = serialize_response(operation_model, output)
            # The same answer fits every request of an operation whose placeholder does not
            # echo the request: serialize it once (WireResponse is immutable).
            if not depends_on_params(*key):
                _ANSWERS[key] = wire
    return build_response(str(request.url), wire)


def _waiter_answer(operation_model: Any, waiter: Any, output: dict[str, Any]) -> Any:
    """The answer that makes ``waiter``'s success acceptor match on this poll."""
    from pytest_botowire.aws.healthy import waiter_plan
    from pytest_botowire.aws.serialize import _synth_any, serialize_error, serialize_response

    kind, plan = waiter_plan(operation_model, waiter, output, _synth_any)
    if kind == "data":
        return serialize_response(operation_model, plan)
    if kind == "error":
        code, status = plan
        return serialize_error(
            operation_model,
            code,
            f"pytest-botowire offline answer for waiter {getattr(waiter, 'name', '')}",
            status=status,
        )
    return serialize_response(operation_model, output)
