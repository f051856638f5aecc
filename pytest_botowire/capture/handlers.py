"""The botocore event handlers that capture each request, and the call record they share.

They are installed on every botocore session by ``capture.install``. When no test is capturing, each handler returns after one global read (``_ACTIVE is None``).

Events used, per API call and attempt:

* ``provide-client-params`` (first): remembers the caller's parameters for this call, in a
  ``ContextVar`` so threads and asyncio tasks each see their own call;
* ``before-sign``: remembers the signer, for ``assert_signed``;
* ``before-send`` (first): records the prepared request and answers it when the test
  registered a response for it with ``botowire.respond``; botocore calls every ``before-send``
  handler, so capture sees requests that moto or another responder answers too;
* ``before-send`` (last): in ``offline`` and ``strict`` modes, answers what nothing else did;
* ``needs-retry`` (first): notes the response status and who answered;
* ``after-call``/``after-call-error``: counts calls that never reached ``before-send`` (answered
  by botocore's ``Stubber`` at ``before-call``).
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from pytest_botowire.aws.compat import signer_credentials
from pytest_botowire.aws.models import resolved_protocol
from pytest_botowire.capture.answers import Answer
from pytest_botowire.capture.credentials import frozen_credentials, lend_credentials
from pytest_botowire.capture.recorder import Recorder, _request_model

if TYPE_CHECKING:
    from botocore.awsrequest import AWSPreparedRequest, AWSRequest, AWSResponse
    from botocore.credentials import ReadOnlyCredentials
    from botocore.model import OperationModel
    from botocore.signers import RequestSigner

    from pytest_botowire.model.request import CapturedRequest


_ACTIVE: Recorder | None = None


UNIQUE = "pytest-botowire"


class _Call:
    """What is known of one API call while its attempts are sent."""

    __slots__ = (
        "backoff",
        "last",
        "model",
        "operation",
        "params",
        "protocol",
        "region",
        "response",
        "sent",
        "service",
        "service_id",
        "signer",
        "signing_name",
    )

    def __init__(
        self,
        service: str,
        service_id: str,
        operation: str,
        params: dict[str, Any] | None,
        protocol: str,
        model: OperationModel | None,
    ) -> None:
        self.service = service
        self.service_id = service_id
        self.operation = operation
        self.params = params
        self.protocol = protocol
        self.model = model
        self.sent = 0
        #: the delay botocore slept (or would have) before the next attempt
        self.backoff: float | None = None
        self.last: CapturedRequest | None = None
        self.response: Answer | None = None
        self.signer: ReadOnlyCredentials | None = None
        self.region: str | None = None
        self.signing_name: str | None = None


_CALL: contextvars.ContextVar[_Call | None] = contextvars.ContextVar("botowire_call", default=None)


def capture_request(
    recorder: Recorder, request: AWSPreparedRequest, event_name: str
) -> CapturedRequest:
    """Record one prepared request; never raises for a request botocore could send."""
    make_request, _, snapshot_headers = _request_model()
    call = _CALL.get()
    _, _, rest = event_name.partition(".")
    service_id, _, operation = rest.partition(".")
    if call is None or call.operation != operation or call.service_id != service_id:
        call = _orphan_call(service_id, operation)
    headers = snapshot_headers(request.headers)
    snapshot = recorder.snapshot(request.body, headers)
    call.sent += 1
    attempt = _attempt(request.headers.get("amz-sdk-request"), call.sent)  # not via the index
    captured: CapturedRequest = make_request(
        service=call.service,
        service_id=call.service_id,
        operation=call.operation,
        method=str(request.method),
        url=str(request.url),
        headers=headers,
        snapshot=snapshot,
        params=call.params,
        attempt=attempt,
        protocol=call.protocol,
        test_id=recorder.test_id,
        region=call.region,
        signing_name=call.signing_name,
        credentials=call.signer,
        backoff=call.backoff,
    )
    call.backoff = None
    recorder.add(captured)
    call.last = captured
    call.response = None
    return captured


def in_client_call() -> bool:
    """Whether a botocore client call is in progress in this thread or task."""
    return _CALL.get() is not None


def note_retry_delay(seconds: float) -> bool:
    """Note the delay botocore chose before the next attempt; True when the sleep is skipped.

    Called by the retries feature from botocore's (and aiobotocore's) retry sleep.
    """
    recorder = _ACTIVE
    if recorder is None:
        return False
    call = _CALL.get()
    if call is not None:
        call.backoff = float(seconds)
    return recorder.skip_retry_sleep


def _attempt(header: str | bytes | None, fallback: int) -> int:
    if isinstance(header, bytes):
        header = header.decode("latin-1")
    if header:
        for part in header.split(";"):
            key, _, value = part.strip().partition("=")
            if key == "attempt" and value.isdigit():
                return int(value)
    return fallback


def _orphan_call(service_id: str, operation: str) -> _Call:
    """A call record for a request whose parameters were not seen (not from a client call)."""
    from pytest_botowire.aws.models import client_name_for

    try:
        service = client_name_for(service_id) or service_id
    except Exception:
        service = service_id
    protocol = ""
    try:
        from pytest_botowire.aws.models import service_model

        protocol = resolved_protocol(service_model(service))
    except Exception:
        pass
    call = _Call(service, service_id, operation, None, protocol, None)
    _CALL.set(call)
    return call


# -- the handlers -------------------------------------------------------------------------
def _on_client_params(
    params: dict[str, Any] | None = None, model: OperationModel | None = None, **_: Any
) -> None:
    if _ACTIVE is None or model is None:
        return None
    try:
        service_model = model.service_model
        call = _Call(
            service_model.service_name,
            service_model.service_id.hyphenize(),
            model.name,
            dict(params) if params else {},
            resolved_protocol(service_model),
            model,
        )
        _CALL.set(call)
    except Exception:
        pass
    return None


#: called after ``botowire.respond`` answered a request at ``before-send`` (integrations use it
#: to keep another responder, such as moto's, from acting on the same request)
FIRST_ANSWER_OBSERVERS: list[Callable[[], None]] = []


def answered_by_botowire() -> bool:
    """Whether the call being sent now was answered by ``botowire.respond`` (while capturing)."""
    call = _CALL.get()
    answer = call.response if call is not None else None
    return _ACTIVE is not None and isinstance(answer, Answer) and answer.kind == "botowire"


#: ``(recorder, request, call, signature_version)`` callables run at ``before-sign`` while a
#: test captures (``_requests_capture`` notes endpoint hosts and the URLs clients pre-sign)
SIGN_OBSERVERS: list[Callable[[Recorder, Any, _Call | None, Any], None]] = []


def _on_before_sign(
    request: AWSRequest | None = None,
    request_signer: RequestSigner | None = None,
    signing_name: str | None = None,
    region_name: str | None = None,
    signature_version: str | None = None,
    **_: Any,
) -> None:
    recorder = _ACTIVE
    if recorder is None:
        return None
    call = _CALL.get()
    for observer in SIGN_OBSERVERS:
        with contextlib.suppress(Exception):
            observer(recorder, request, call, signature_version)
    if call is not None:
        call.signing_name = signing_name
        call.region = region_name
        # The credentials botocore's signer is about to use (get_auth_instance makes the
        # same choice), frozen now so a later refresh cannot make assert_signed disagree.
        if recorder.fake_credentials and request_signer is not None:
            lend_credentials(recorder, request_signer)
        try:
            context = getattr(request, "context", None) or {}
            credentials = context.get("signing", {}).get(
                "request_credentials"
            ) or signer_credentials(request_signer)
            call.signer = frozen_credentials(credentials) if credentials is not None else None
        except Exception:
            call.signer = None
    return None


def _on_before_send_first(
    request: AWSPreparedRequest | None = None, event_name: str = "", **_: Any
) -> AWSResponse | None:
    recorder = _ACTIVE
    if recorder is None or request is None:
        return None
    try:
        captured = capture_request(recorder, request, event_name)
    except Exception as exc:  # capture must never break the code under test
        recorder.errors.append(f"{event_name}: capture failed: {exc!r}")
        return None
    responder = recorder.first_responder
    if responder is None:
        return None
    try:
        response = responder(captured, request)
    except Exception as exc:
        recorder.errors.append(f"{captured.name}: answering failed: {exc!r}")
        return None
    if response is not None:
        call = _CALL.get()
        if call is not None:
            call.response = Answer(response, "botowire")
        for observer in FIRST_ANSWER_OBSERVERS:
            observer()
    return response


def _on_before_send_last(request: AWSPreparedRequest | None = None, **_: Any) -> AWSResponse | None:
    recorder = _ACTIVE
    if recorder is None or recorder.mode not in ("offline", "strict"):
        return None
    responder = recorder.last_responder
    call = _CALL.get()
    if responder is None or call is None or call.last is None or request is None:
        return None
    if call.response is not None:  # already answered by botowire.respond
        return None
    strict = recorder.mode == "strict"
    try:
        response = responder(call.last, request, strict)
    except Exception as exc:
        recorder.errors.append(f"{call.last.name}: offline answer failed: {exc!r}")
        return None
    call.response = Answer(response, "unanswered" if strict else "offline")
    return response


def _on_needs_retry(response: tuple[AWSResponse, dict[str, Any]] | None = None, **_: Any) -> None:
    recorder = _ACTIVE
    if recorder is None:
        return None
    call = _CALL.get()
    if call is None or call.last is None:
        return None
    captured = call.last
    try:
        if response is not None and captured.status is None:
            http = response[0]
            captured.status = int(http.status_code)
            answer = call.response
            if answer is not None and http is answer.response:
                captured.answered_by = "botowire"
                if answer.kind == "unanswered":
                    recorder.unanswered.append(captured)
            else:
                captured.answered_by = _classify(http)
    except Exception:
        pass
    return None


def _on_before_call_gzip(
    model: OperationModel | None = None, context: dict[str, Any] | None = None, **_: Any
) -> None:
    recorder = _ACTIVE
    if recorder is None or recorder.gzip_policy is None:
        return None
    recorder.gzip_policy.before_call(model, context)
    return None


def _on_before_sign_gzip(request: AWSRequest | None = None, event_name: str = "", **_: Any) -> None:
    recorder = _ACTIVE
    if recorder is None or recorder.gzip_policy is None or request is None:
        return None
    try:
        recorder.gzip_policy.before_sign(request, event_name=event_name)
    except Exception as exc:  # never break the call; the body goes out as it was
        recorder.errors.append(f"{event_name}: gzip failed: {exc!r}")
    return None


def _on_after_call(**_: Any) -> None:
    recorder = _ACTIVE
    if recorder is None:
        return None
    call = _CALL.get()
    if call is not None and call.sent == 0 and call.params is not None:
        recorder.stubbed_calls.append(f"{call.service}.{call.operation}")
    _CALL.set(None)
    return None


def _classify(http: AWSResponse) -> str:
    raw = getattr(http, "raw", None)
    module = type(raw).__module__ if raw is not None else ""
    if module.startswith("moto"):
        return "moto"
    if module.startswith(("urllib3", "aiohttp", "botocore.httpsession")):
        return "network"
    if module.startswith("pytest_botowire"):
        return "botowire"
    return "other"


HANDLERS: Sequence[tuple[str, Callable[..., Any], str]] = (
    ("provide-client-params", _on_client_params, "first"),
    ("before-call", _on_before_call_gzip, "last"),
    # Gzip runs after the caller's own before-sign handlers, so a body they gzipped already
    # is seen as gzip and left alone; the signer captured below then covers the final body.
    ("before-sign", _on_before_sign_gzip, "last"),
    ("before-sign", _on_before_sign, "last"),
    ("before-send", _on_before_send_first, "first"),
    ("before-send", _on_before_send_last, "last"),
    ("needs-retry", _on_needs_retry, "first"),
    ("after-call", _on_after_call, "last"),
    ("after-call-error", _on_after_call, "last"),
)
