"""The botocore event handlers that capture each request, and the call records they share.

They are installed on every botocore session by ``capture.install``. When no test is capturing
(and no thread of a finished test is still sending), each handler returns after two global reads.

Events used, per API call and attempt:

* ``provide-client-params`` (first): pushes a record of this call (its parameters) on a stack
  kept in a ``ContextVar``, so threads and asyncio tasks each see their own calls, and a call
  made while another is in flight (a credential refresh, S3 Express ``CreateSession``) gets its
  own record and gives the outer one back when it ends (``after-call``/``after-call-error``);
* ``before-sign`` (last): applies the test's gzip policy, then remembers the signer, for
  ``assert_signed``;
* ``before-send`` (first): notes the request as pending and, when the test registered a
  response for it with ``botowire.respond``, takes that response (so moto keeps out);
* after every ``before-send`` handler ran: ``choose_answer`` replaces botocore's
  ``first_non_none_response`` in its endpoint module (see ``aws.compat``); it records the
  request as it goes out, after every other handler changed it, whatever event name or
  registration call they used, and picks the answer: ``botowire.respond`` first, then the
  first answer of any other ``before-send`` handler (moto, a user's responder) in botocore's
  order, then in ``offline``/``strict`` mode the offline answer; else the request is sent;
* ``needs-retry`` (first): notes the response status and who answered;
* ``after-call``/``after-call-error``: counts calls that never reached ``before-send`` (answered
  by botocore's ``Stubber`` at ``before-call``) and pops the call record.
"""

from __future__ import annotations

import contextvars
import threading
import weakref
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from pytest_botowire.aws.compat import header_dict_fast, signer_credentials
from pytest_botowire.aws.models import resolved_protocol
from pytest_botowire.capture.answers import Answer, consume_body, failure_answer
from pytest_botowire.capture.credentials import frozen_credentials, lend_credentials
from pytest_botowire.capture.recorder import Recorder, _request_model

if TYPE_CHECKING:
    from botocore.awsrequest import AWSPreparedRequest, AWSRequest, AWSResponse
    from botocore.credentials import ReadOnlyCredentials
    from botocore.model import OperationModel
    from botocore.signers import RequestSigner

    from pytest_botowire.model.request import CapturedRequest


_ACTIVE: Recorder | None = None

#: threads started during a test that has ended -> the recorder their requests go to (one per
#: such test, see ``capture.install.deactivate``); empty in the common case
_OWNED: weakref.WeakKeyDictionary[threading.Thread, Recorder] = weakref.WeakKeyDictionary()


def _current() -> Recorder | None:
    """The recorder for a request of this thread: its finished test's, else the active one."""
    if not _OWNED:
        return _ACTIVE
    late = _OWNED.get(threading.current_thread())
    return _ACTIVE if late is None else late


UNIQUE = "pytest-botowire"

#: deeper than this, the call stack of a thread is assumed stale (calls that raised before
#: botocore emitted ``after-call``) and a new call starts a fresh stack
_MAX_DEPTH = 32


class _Call:
    """What is known of one API call while its attempts are sent."""

    __slots__ = (
        "backoff",
        "depth",
        "last",
        "model",
        "operation",
        "params",
        "parent",
        "pending",
        "protocol",
        "recorder",
        "region",
        "response",
        "seen_body",
        "seen_headers",
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
        #: the prepared request between ``before-send`` and ``choose_answer``
        self.pending: Any = None
        #: the recorder that took the pending request
        self.recorder: Recorder | None = None
        #: the body object and a copy of the headers as captured at ``before-send``
        self.seen_body: Any = None
        self.seen_headers: Any = None
        #: the call in flight when this one started (a credential refresh inside a call)
        self.parent: _Call | None = None
        self.depth = 0

    @property
    def name(self) -> str:
        """``"service.Operation"``, as patterns name it."""
        return f"{self.service}.{self.operation}"

    def push(self) -> None:
        """Make this the current call of the thread or task, above the one in flight."""
        parent = _CALL.get()
        if parent is not None and parent.depth < _MAX_DEPTH:
            self.parent = parent
            self.depth = parent.depth + 1
        _CALL.set(self)


_CALL: contextvars.ContextVar[_Call | None] = contextvars.ContextVar("botowire_call", default=None)


def capture_request(
    recorder: Recorder, request: AWSPreparedRequest, call: _Call
) -> CapturedRequest:
    """Record one prepared request; never raises for a request botocore sends."""
    call.sent += 1
    captured = _build(recorder, request, call, call.sent)
    call.backoff = None
    recorder.add(captured)
    call.last = captured
    return captured


def _build(
    recorder: Recorder, request: AWSPreparedRequest, call: _Call, sent: int
) -> CapturedRequest:
    model = _request_model()
    headers = request.headers
    raw = header_dict_fast(headers)
    block: Any
    if raw is not None:  # botocore's HeadersDict: straight into the compact wire form
        block, sdk_request = model.wire_block(raw)
        snapshot_headers = None
    else:
        block = snapshot_headers = model.snapshot_headers(headers)
        sdk_request = block.get("amz-sdk-request")
    body: Any = request.body
    kind = body.__class__
    kept: Any = None
    if kind is bytes or kind is str:  # the usual body: kept as the bytes themselves
        data = body if kind is bytes else model.str_body_bytes(body)
        if recorder.keep(len(data)):
            kept = data
    if kept is None:
        if snapshot_headers is None:
            snapshot_headers = model.Headers._from_block(block)
        kept = recorder.snapshot(body, snapshot_headers)
    url = str(request.url)
    last_url = recorder.last_url
    if url == last_url:
        url = last_url  # one string for the many requests sent to the same URL
    else:
        recorder.last_url = url
    values = (
        call.service,
        call.service_id,
        call.operation,
        call.protocol,
        call.region,
        call.signing_name,
        call.signer,
        recorder.test_id,
        recorder.body_cap,
    )
    origin = recorder.origin
    if origin != values:  # a tuple: equal to the values it was made from
        origin = recorder.origin = model.Origin(*values)
    return model.CapturedRequest._captured(  # type: ignore[no-any-return]
        origin,
        str(request.method),
        url,
        block,
        kept,
        call.params,
        _attempt(sdk_request, sent),
        call.backoff,
    )


def _header_state(headers: Any) -> Any:
    """A cheap copy of botocore's headers, to tell whether a later handler changed them."""
    raw = header_dict_fast(headers)
    return dict(raw) if raw is not None else list(headers.items())


def _changed(request: AWSPreparedRequest, call: _Call) -> bool:
    """Whether a ``before-send`` handler after the capture replaced the body or the headers."""
    if request.body is not call.seen_body:
        return True
    raw = header_dict_fast(request.headers)
    if raw is not None:
        return bool(raw != call.seen_headers)
    return bool(list(request.headers.items()) != call.seen_headers)


def in_client_call() -> bool:
    """Whether a botocore client call is in progress in this thread or task."""
    return _CALL.get() is not None


def note_retry_delay(seconds: float) -> bool:
    """Note the delay botocore chose before the next attempt; True when the sleep is skipped.

    Called by the retries feature from botocore's (and aiobotocore's) retry sleep.
    """
    recorder = _ACTIVE if not _OWNED else _current()
    if recorder is None:
        return False
    call = _CALL.get()
    if call is not None:
        call.backoff = float(seconds)
    return recorder.skip_retry_sleep


def _attempt(header: str | bytes | None, fallback: int) -> int:
    if header is None:
        return fallback
    if isinstance(header, bytes):
        header = header.decode("latin-1")
    if header.startswith("attempt="):  # botocore's own form: "attempt=1; max=3"
        value = header[8:].partition(";")[0]
        if value.isdigit():
            return int(value)
    if header:
        for part in header.split(";"):
            key, _, value = part.strip().partition("=")
            if key == "attempt" and value.isdigit():
                return int(value)
    return fallback


def _call_for(event_name: str) -> _Call:
    """The record of the call sending ``before-send.SERVICE_ID.OPERATION`` now."""
    call = _CALL.get()
    _, _, rest = event_name.partition(".")
    service_id, _, operation = rest.partition(".")
    if call is None or call.operation != operation or call.service_id != service_id:
        call = _orphan_call(service_id, operation)
    return call


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
    call.push()
    return call


# -- the handlers -------------------------------------------------------------------------
def _on_client_params(
    params: dict[str, Any] | None = None, model: OperationModel | None = None, **_: Any
) -> None:
    if (_ACTIVE if not _OWNED else _current()) is None or model is None:
        return None
    try:
        service_model = model.service_model
        name = service_model.service_name
        known = _SERVICES.get(name)
        if known is None or known[0]() is not service_model:
            # once per service model: every captured request shares the two strings
            known = (
                weakref.ref(service_model),
                service_model.service_id.hyphenize(),
                resolved_protocol(service_model),
            )
            _SERVICES[name] = known
        _Call(name, known[1], model.name, dict(params) if params else {}, known[2], model).push()
    except Exception:
        pass
    return None


#: client name -> (the service model last seen, its hyphenized service id, its protocol)
_SERVICES: dict[str, tuple[weakref.ref[Any], str, str]] = {}


#: called after ``botowire.respond`` answered a request at ``before-send`` (integrations use it
#: to keep another responder, such as moto's, from acting on the same request)
FIRST_ANSWER_OBSERVERS: list[Callable[[], None]] = []


def answered_by_botowire() -> bool:
    """Whether the call being sent now was answered by ``botowire.respond`` (while capturing)."""
    call = _CALL.get()
    if call is None or call.pending is None:  # not between before-send and its answer
        return False
    answer = call.response
    return isinstance(answer, Answer) and answer.kind == "botowire"


#: ``(recorder, request, call, signature_version)`` callables run at ``before-sign`` while a
#: test captures (``_requests_capture`` notes endpoint hosts and the URLs clients pre-sign)
SIGN_OBSERVERS: list[Callable[[Recorder, Any, _Call | None, Any], None]] = []


def _on_before_sign(
    request: AWSRequest | None = None,
    request_signer: RequestSigner | None = None,
    signing_name: str | None = None,
    region_name: str | None = None,
    signature_version: str | None = None,
    event_name: str = "",
    **_: Any,
) -> None:
    recorder = _ACTIVE if not _OWNED else _current()
    if recorder is None:
        return None
    call = _CALL.get()
    if recorder.gzip_policy is not None and request is not None:
        _gzip(recorder, recorder.gzip_policy, request, call, event_name)
    for observer in SIGN_OBSERVERS:
        try:
            observer(recorder, request, call, signature_version)
        except Exception as exc:
            recorder.error(call.name if call else "before-sign", "noting the signer", exc)
    if call is not None:
        call.signing_name = signing_name
        call.region = region_name
        # The credentials botocore's signer is about to use (get_auth_instance makes the
        # same choice), frozen now so a later refresh cannot make assert_signed disagree.
        # Freezing may refresh them: an API call of its own (assume-role), with its own record.
        if recorder.fake_credentials and request_signer is not None:
            lend_credentials(recorder, request_signer)
        try:
            context = getattr(request, "context", None) or {}
            credentials = context.get("signing", {}).get(
                "request_credentials"
            ) or signer_credentials(request_signer)
            call.signer = frozen_credentials(credentials) if credentials is not None else None
        except Exception:
            call.signer = None  # assert_signed says the credentials are unknown
    return None


def _on_before_send_first(
    request: AWSPreparedRequest | None = None, event_name: str = "", **_: Any
) -> AWSResponse | None:
    recorder = _ACTIVE if not _OWNED else _current()
    if recorder is None or request is None:
        return None
    call = _call_for(event_name)
    call.response = None
    try:
        # Recorded here, before any responder (moto) reads a streaming body, and checked
        # again once every handler ran (``choose_answer``): a handler after this one that
        # replaced the body or changed a header gets the request recorded again.
        capture_request(recorder, request, call)
        call.seen_body = request.body
        call.seen_headers = _header_state(request.headers)
    except Exception as exc:  # capture must never break the code under test
        recorder.error(call.name, "capture failed", exc)
        call.last = None
    call.pending = request
    call.recorder = recorder
    responder = recorder.first_responder
    if responder is None:
        return None
    try:
        response = responder(call, request)
    except Exception as exc:
        # a registered answer that cannot be given: the test fails naming it, and the code
        # under test gets an error rather than another (offline) answer
        message = recorder.error(call.name, "botowire.respond could not answer", exc)
        response = failure_answer(call.model, str(request.url), message)
    if response is not None:
        call.response = Answer(response, "botowire")
        for observer in FIRST_ANSWER_OBSERVERS:
            observer()
    return response


def _make_chooser(original: Callable[..., Any]) -> Callable[..., Any]:
    """botocore's ``first_non_none_response``, choosing and recording at ``before-send``."""

    def first_non_none_response(responses: Any, default: Any = None) -> Any:
        call = _CALL.get()
        if call is None or call.pending is None:  # needs-retry, or nothing capturing
            return original(responses, default)
        return choose_answer(call, responses, original, default)

    first_non_none_response.botowire_original = original  # type: ignore[attr-defined]
    return first_non_none_response


def choose_answer(
    call: _Call, responses: Any, original: Callable[..., Any], default: Any = None
) -> Any:
    """Record the pending request, after every ``before-send`` handler ran, and answer it.

    The answer is, in this order: the test's ``botowire.respond``; the first answer of any
    other ``before-send`` handler, in botocore's order (moto, a user's responder); in
    ``offline``/``strict`` mode the offline answer; else ``None`` (botocore sends it).
    """
    request, recorder = call.pending, call.recorder
    call.pending = None
    assert recorder is not None
    captured = call.last
    if captured is not None:
        try:
            if _changed(request, call):
                fresh = _build(recorder, request, call, call.sent)
                fresh.backoff = captured.backoff
                recorder.replace(captured, fresh)
                call.last = captured = fresh
        except Exception as exc:  # capture must never break the code under test
            recorder.error(call.name, "capture failed", exc)
    call.seen_body = call.seen_headers = None
    if call.response is not None:
        consume_body(request)  # as a send would: progress callbacks see every byte
        return call.response.response
    answer = original(responses, default)
    if answer is not None or recorder.mode not in ("offline", "strict"):
        return answer
    responder = recorder.last_responder
    if responder is None:
        return None
    strict = recorder.mode == "strict"
    kind = "unanswered" if strict else "offline"
    if captured is None:
        response = failure_answer(call.model, str(request.url), "capture failed")
    else:
        try:
            response = responder(captured, request, strict)
        except Exception as exc:
            message = recorder.error(call.name, "the offline answer failed", exc)
            response = failure_answer(call.model, str(request.url), message)
            kind = "failed"
    call.response = Answer(response, kind)
    return response


def _on_needs_retry(
    response: tuple[AWSResponse, dict[str, Any]] | None = None,
    caught_exception: BaseException | None = None,
    **_: Any,
) -> None:
    recorder = _ACTIVE if not _OWNED else _current()
    if recorder is None:
        return None
    call = _CALL.get()
    if call is None:
        return None
    if call.pending is not None and caught_exception is None:
        # sent without choose_answer (and not cut short by a handler that raised): this
        # botocore no longer calls it, the answers were botocore's own choice
        recorder.error(
            call.name,
            "the answer was chosen without pytest-botowire",
            RuntimeError(
                "botocore's endpoint no longer calls first_non_none_response after before-send; "
                "offline answers and re-capture after later handlers are off"
            ),
        )
    call.pending = call.seen_body = call.seen_headers = None
    captured = call.last
    if captured is None:
        return None
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
    except Exception as exc:
        recorder.error(call.name, "noting the response", exc)
    call.response = None
    return None


def _gzip(
    recorder: Recorder, policy: Any, request: AWSRequest, call: _Call | None, event_name: str
) -> None:
    """The test's gzip policy, at ``before-sign`` after the caller's own handlers: a body they
    gzipped already is seen as gzip and left alone, and the signer then covers the final body.

    The policy learns whether the operation's model declares gzip from the call's record (one
    handler fewer per request than a ``before-call`` handler of its own).
    """
    try:
        _, _, rest = event_name.partition(".")
        service_id, _, operation = rest.partition(".")
        if call is not None and call.operation == operation and call.service_id == service_id:
            policy.before_call(call.model, getattr(request, "context", None))
        policy.before_sign(request, event_name=event_name)
    except Exception as exc:  # never break the call; the body goes out as it was
        name = ".".join(event_name.split(".")[1:3]) or event_name
        recorder.error(name, "gzip failed, the body was sent as it was", exc)


def _on_after_call(**_: Any) -> None:
    call = _CALL.get()
    if call is None:
        return None
    recorder = call.recorder or (_ACTIVE if not _OWNED else _current())
    if recorder is not None and call.sent == 0 and call.params is not None:
        recorder.stubbed_calls.append(f"{call.service}.{call.operation}")
    _CALL.set(call.parent)  # the call in flight before this one, if any
    return None


def _classify(http: AWSResponse) -> str:
    kind = type(getattr(http, "raw", None))
    known = _CLASSIFIED.get(kind)
    if known is not None:
        return known
    module = kind.__module__ if kind is not type(None) else ""
    if module.startswith("moto"):
        known = "moto"
    elif module.startswith(("urllib3", "aiohttp", "botocore.httpsession")):
        known = "network"
    elif module.startswith("pytest_botowire"):
        known = "botowire"
    else:
        known = "other"
    _CLASSIFIED[kind] = known
    return known


#: the type of a response's raw stream -> who answered (one lookup per response, not three
#: string comparisons)
_CLASSIFIED: dict[type, str] = {}


HANDLERS: Sequence[tuple[str, Callable[..., Any], str]] = (
    ("provide-client-params", _on_client_params, "first"),
    # Registered last, after the caller's own before-sign handlers: the test's gzip policy
    # first (a body they gzipped is left alone), then the signer is noted.
    ("before-sign", _on_before_sign, "last"),
    ("before-send", _on_before_send_first, "first"),
    ("needs-retry", _on_needs_retry, "first"),
    ("after-call", _on_after_call, "last"),
    ("after-call-error", _on_after_call, "last"),
)
