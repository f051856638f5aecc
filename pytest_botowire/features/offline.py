"""Answers given at ``before-send`` when a test runs offline.

botocore parses these responses with its real parsers, so the client returns what it would
return for a successful call: required members and the members common flows read are filled
with placeholder values of the right type, and the answer is the one a healthy service gives
(``aws.healthy``): nothing failed, no continuation token, credentials valid for hours, and a
waiter's poll answered so that its success acceptor matches at once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pytest_botowire.aws.compat import current_waiter
from pytest_botowire.aws.models import service_model
from pytest_botowire.aws.serialize import depends_on_params, serialize_response, synthesize_output
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
    key = (captured.service, captured.operation)
    waiter = None if strict else current_waiter()
    # the common case first: a cached answer for an operation whose answer does not echo
    # the request, handed out with no model lookup
    wire = None if strict or waiter is not None else _ANSWERS.get(key)
    if wire is None:
        operation_model = service_model(captured.service).operation_model(captured.operation)
        if strict:
            wire = strict_wire(operation_model, captured.name)
        elif waiter is not None:
            output = synthesize_output(operation_model, captured.params)
            wire = _waiter_answer(operation_model, waiter, output)
        else:
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


# -- credential providers that fetch over HTTP without a client ------------------------------
# botocore's container provider (AWS_CONTAINER_CREDENTIALS_FULL_URI / _RELATIVE_URI) and
# instance-metadata provider (IMDS) fetch credentials with botocore's HTTP session directly: no
# client, no events, so no before-send to answer them. Offline and strict tests answer them
# here with credentials that expire hours after the test, instead of reaching the network.
_METADATA_HOSTS = frozenset(
    ("169.254.169.254", "[fd00:ec2::254]", "169.254.170.2", "169.254.170.23")
)
_ROLE = "botowire-offline-role"
_patched = False


def _is_metadata_request(url: str) -> bool:
    import os
    from urllib.parse import urlsplit

    full_uri = os.environ.get("AWS_CONTAINER_CREDENTIALS_FULL_URI")
    if full_uri and url.split("?")[0] == full_uri.split("?")[0]:
        return True
    parts = urlsplit(url)
    host = parts.netloc.rpartition("@")[2]
    host = host.rsplit(":", 1)[0] if not host.startswith("[") else host.split("]")[0] + "]"
    return host in _METADATA_HOSTS


def metadata_answer(url: str, method: str) -> Any:
    """The ``WireResponse`` a container or instance-metadata endpoint gives for ``url``."""
    import datetime as dt
    import json
    from urllib.parse import urlsplit

    from pytest_botowire.aws.healthy import (
        CREDENTIALS_LIFETIME,
        FAKE_ACCESS_KEY,
        FAKE_SECRET_KEY,
        FAKE_SESSION_TOKEN,
    )
    from pytest_botowire.aws.serialize import WireResponse

    now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    expires = (now + CREDENTIALS_LIFETIME).strftime("%Y-%m-%dT%H:%M:%SZ")
    credentials = {
        "AccessKeyId": FAKE_ACCESS_KEY,
        "SecretAccessKey": FAKE_SECRET_KEY,
        "Token": FAKE_SESSION_TOKEN,
        "Expiration": expires,
    }
    path = urlsplit(url).path
    text: str
    if path.startswith("/latest/api/token") and method == "PUT":
        text = "botowire-offline-imds-token"
    elif path.rstrip("/") == "/latest/meta-data/iam/security-credentials":
        text = _ROLE
    elif path.startswith("/latest/meta-data/iam/security-credentials/"):
        text = json.dumps(
            {
                "Code": "Success",
                "LastUpdated": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "Type": "AWS-HMAC",
                **credentials,
            }
        )
    elif path.startswith("/latest/meta-data/placement/availability-zone"):
        text = "us-east-1a"
    elif path.startswith("/latest/"):
        return WireResponse(status=404, headers={"Content-Length": "0"}, body=b"")
    else:  # the container credentials endpoint
        text = json.dumps({**credentials, "RoleArn": f"arn:aws:iam::123456789012:role/{_ROLE}"})
    body = text.encode()
    return WireResponse(status=200, headers={"Content-Length": str(len(body))}, body=body)


def install_metadata_answers() -> None:
    """Answer container/IMDS credential fetches while an offline or strict test captures."""
    global _patched
    if _patched:
        return
    from pytest_botowire.aws.compat import urllib3_session_class
    from pytest_botowire.aws.serialize import to_aws_response
    from pytest_botowire.capture.install import active

    session_class = urllib3_session_class()
    real_send = session_class.send

    def send(self: Any, request: Any) -> Any:
        recorder = active()
        if recorder is not None and recorder.mode in ("offline", "strict"):
            url = str(getattr(request, "url", ""))
            if _is_metadata_request(url):
                return to_aws_response(url, metadata_answer(url, str(request.method)))
        return real_send(self, request)

    send.__wrapped__ = real_send  # type: ignore[attr-defined]
    session_class.send = send
    _patched = True


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
