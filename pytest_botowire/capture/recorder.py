"""Capture at botocore's ``before-send`` event, for every client of the process.

The handlers are added to ``botocore.handlers.BUILTIN_HANDLERS``, the list every new botocore
session registers, so every client is covered wherever and whenever it is created: at import
time of the code under test, in another thread, through ``boto3.Session`` or a plain botocore
session. botocore is not imported for this: when it is not loaded yet, an import hook adds the
handlers the moment ``botocore.handlers`` is first imported. Emitters that already exist when
the plugin starts are found once and given the same handlers.

When no test is capturing, each handler returns after one global read (``_ACTIVE is None``).

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
import os
import sys
import threading
import types
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from importlib.machinery import ModuleSpec

    from pytest_botowire.model.request import CapturedRequest


DEFAULT_BODY_CAP = 8 * 1024 * 1024
DEFAULT_TOTAL_CAP = 256 * 1024 * 1024

MODES = ("offline", "passthrough", "strict")

_ACTIVE: Recorder | None = None
_UNIQUE = "pytest-botowire"


class _Call:
    """What is known of one API call while its attempts are sent."""

    __slots__ = (
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
        self, service: str, service_id: str, operation: str, params: Any, protocol: str, model: Any
    ) -> None:
        self.service = service
        self.service_id = service_id
        self.operation = operation
        self.params = params
        self.protocol = protocol
        self.model = model
        self.sent = 0
        self.last: CapturedRequest | None = None
        self.response: Any = None
        self.signer: Any = None
        self.region: str | None = None
        self.signing_name: str | None = None


_CALL: contextvars.ContextVar[_Call | None] = contextvars.ContextVar("botowire_call", default=None)


def resolved_protocol(service_model: Any) -> str:
    """The protocol botocore uses for a service (newer botocore picks one of several)."""
    protocol = getattr(service_model, "resolved_protocol", None)
    if isinstance(protocol, str):
        return protocol
    return str(service_model.metadata.get("protocol", ""))


class Answer:
    """A response the plugin chose to give at ``before-send``."""

    __slots__ = ("kind", "response")

    def __init__(self, response: Any, kind: str) -> None:
        self.response = response
        self.kind = kind


class Recorder:
    """Everything one test captures. Exactly one recorder is active at a time per process."""

    def __init__(
        self,
        *,
        mode: str | None = "offline",
        body_cap: int = DEFAULT_BODY_CAP,
        total_cap: int = DEFAULT_TOTAL_CAP,
        test_id: str | None = None,
    ) -> None:
        #: ``None`` is passive capture: requests are answered as if the plugin were absent
        self.mode = mode
        self.body_cap = body_cap
        self.total_cap = total_cap
        self.test_id = test_id
        self.requests: list[CapturedRequest] = []
        self.stubbed_calls: list[str] = []
        self.unanswered: list[CapturedRequest] = []
        self.errors: list[str] = []
        self.kept_bytes = 0
        self._lock = threading.Lock()
        #: first-chance responder (``botowire.respond``): ``(captured, request) -> response``
        self.first_responder: Callable[[CapturedRequest, Any], Any] | None = None
        #: last-chance responder (offline answers): ``(captured, request, strict) -> response``
        self.last_responder: Callable[[CapturedRequest, Any, bool], Any] | None = None
        #: lend fake credentials to clients that have none (offline tests), restored after
        self.fake_credentials = False
        self._lent: list[Any] = []
        #: ``_stubs.Responses`` registered with ``botowire.respond`` (fixture tests only)
        self.responses: Any = None
        #: a ``_gzip.GzipPolicy`` while ``botowire_gzip`` or ``mark.botowire(gzip=...)`` is on
        self.gzip_policy: Any = None

    # -- capture ------------------------------------------------------------------------
    def capture(self, request: Any, event_name: str) -> CapturedRequest:
        """Record one prepared request; never raises for a request botocore could send."""
        make_request, _, snapshot_headers = _request_model()
        call = _CALL.get()
        _, _, rest = event_name.partition(".")
        service_id, _, operation = rest.partition(".")
        if call is None or call.operation != operation or call.service_id != service_id:
            call = _orphan_call(service_id, operation)
        headers = snapshot_headers(request.headers)
        snapshot = self.snapshot(request.body, headers)
        call.sent += 1
        attempt = _attempt(headers.get("amz-sdk-request"), call.sent)
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
            test_id=self.test_id,
            region=call.region,
            signing_name=call.signing_name,
            credentials=call.signer,
        )
        self.add(captured)
        call.last = captured
        call.response = None
        return captured

    def snapshot(self, body: Any, headers: Any) -> Any:
        """The body's snapshot within the body cap and what is left of the test's budget."""
        with self._lock:
            cap = max(0, min(self.body_cap, self.total_cap - self.kept_bytes))
        snapshot = _request_model()[1](body, headers, cap)
        if snapshot.data is not None:
            with self._lock:
                # the decoded copy kept of an aws-chunked body is held too
                self.kept_bytes += len(snapshot.data) + len(snapshot.decoded or b"")
        elif snapshot.note == "over the capture cap" and cap < self.body_cap:
            snapshot.note = "over the capture budget of the test"
        return snapshot

    def add(self, captured: CapturedRequest) -> None:
        """Append a captured request, numbering it in sending order."""
        with self._lock:
            captured.index = len(self.requests)
            self.requests.append(captured)

    def restore(self) -> None:
        """Take back the fake credentials lent to clients created without any."""
        with self._lock:
            lent, self._lent = self._lent, []
        for signer in lent:
            with contextlib.suppress(Exception):
                signer._credentials = None

    def reset(self) -> None:
        """Forget everything captured so far (``botowire.clear()``)."""
        with self._lock:
            self.requests.clear()
            self.stubbed_calls.clear()
            self.unanswered.clear()
            self.kept_bytes = 0


_MODEL: tuple[Any, Any, Any] | None = None


def _request_model() -> tuple[Any, Any, Any]:
    """The request model, imported on the first capture rather than at pytest start-up."""
    global _MODEL
    if _MODEL is None:
        from pytest_botowire.model.request import CapturedRequest, snapshot_body, snapshot_headers

        _MODEL = (CapturedRequest, snapshot_body, snapshot_headers)
    return _MODEL


def _attempt(header: str | None, fallback: int) -> int:
    if header:
        for part in header.split(";"):
            key, _, value = part.strip().partition("=")
            if key == "attempt" and value.isdigit():
                return int(value)
    return fallback


def _orphan_call(service_id: str, operation: str) -> _Call:
    """A call record for a request whose parameters were not seen (not from a client call)."""
    from pytest_botowire.aws.patterns import client_name_for

    try:
        service = client_name_for(service_id) or service_id
    except Exception:
        service = service_id
    protocol = ""
    try:
        from pytest_botowire.aws.patterns import service_model

        protocol = resolved_protocol(service_model(service))
    except Exception:
        pass
    call = _Call(service, service_id, operation, None, protocol, None)
    _CALL.set(call)
    return call


# -- the handlers -------------------------------------------------------------------------
def _on_client_params(params: Any = None, model: Any = None, **_: Any) -> None:
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


#: ``(recorder, request, call, signature_version)`` callables run at ``before-sign`` while a
#: test captures (``_requests_capture`` notes endpoint hosts and the URLs clients pre-sign)
SIGN_OBSERVERS: list[Callable[[Recorder, Any, _Call | None, Any], None]] = []


def _on_before_sign(
    request: Any = None,
    request_signer: Any = None,
    signing_name: Any = None,
    region_name: Any = None,
    signature_version: Any = None,
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
            _lend_credentials(recorder, request_signer)
        try:
            context = getattr(request, "context", None) or {}
            credentials = context.get("signing", {}).get("request_credentials") or getattr(
                request_signer, "_credentials", None
            )
            call.signer = _frozen_credentials(credentials) if credentials is not None else None
        except Exception:
            call.signer = None
    return None


_ASYNC_CREDENTIALS: dict[type, bool] = {}


def _frozen_credentials(credentials: Any) -> Any:
    """Frozen credentials; aiobotocore's ``get_frozen_credentials`` is a coroutine function."""
    kind = type(credentials)
    is_async = _ASYNC_CREDENTIALS.get(kind)
    if is_async is None:  # once per credentials class: inspect is slow on the hot path
        import inspect

        is_async = _ASYNC_CREDENTIALS[kind] = inspect.iscoroutinefunction(
            credentials.get_frozen_credentials
        )
    if is_async:
        from pytest_botowire.integrations.aiobotocore import frozen_credentials

        return frozen_credentials(credentials)
    return credentials.get_frozen_credentials()


def _lend_credentials(recorder: Recorder, signer: Any) -> None:
    """Give a client that has no credentials (created at import time, say) fake ones.

    Only for offline tests, only for the test's duration: ``Recorder.restore`` puts ``None``
    back, so the client is as it was afterwards.
    """
    if getattr(signer, "_credentials", True) is not None:
        return
    from pytest_botowire.integrations.aiobotocore import fake_credentials_for

    signer._credentials = fake_credentials_for(
        signer, FAKE_ENV["AWS_ACCESS_KEY_ID"], FAKE_ENV["AWS_SECRET_ACCESS_KEY"]
    )
    with recorder._lock:
        recorder._lent.append(signer)


def _on_before_send_first(request: Any = None, event_name: str = "", **_: Any) -> Any:
    recorder = _ACTIVE
    if recorder is None or request is None:
        return None
    try:
        captured = recorder.capture(request, event_name)
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
        _keep_moto_out()
    return response


def _keep_moto_out() -> None:
    """Make moto's ``before-send`` responder skip a request ``botowire.respond`` answered.

    botocore calls every ``before-send`` handler even after one answered, so moto would act on
    the request as well: a message answered by botowire would still land in moto's queue.
    """
    module = sys.modules.get("moto.core.botocore_stubber")
    stubber: Any = getattr(module, "BotocoreStubber", None)
    if stubber is None or getattr(stubber.__call__, "_botowire", False):
        return
    original = stubber.__call__

    def __call__(self: Any, event_name: str, request: Any, **kwargs: Any) -> Any:
        call = _CALL.get()
        answer = call.response if call is not None else None
        if _ACTIVE is not None and isinstance(answer, Answer) and answer.kind == "botowire":
            return None
        return original(self, event_name, request, **kwargs)

    __call__._botowire = True  # type: ignore[attr-defined]
    stubber.__call__ = __call__


def _on_before_send_last(request: Any = None, **_: Any) -> Any:
    recorder = _ACTIVE
    if recorder is None or recorder.mode not in ("offline", "strict"):
        return None
    responder = recorder.last_responder
    call = _CALL.get()
    if responder is None or call is None or call.last is None:
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


def _on_needs_retry(response: Any = None, **_: Any) -> None:
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


def _on_before_call_gzip(model: Any = None, context: Any = None, **_: Any) -> None:
    recorder = _ACTIVE
    if recorder is None or recorder.gzip_policy is None:
        return None
    from pytest_botowire.features.gzip import note_request_compression

    note_request_compression(model=model, context=context)
    return None


def _on_before_sign_gzip(request: Any = None, event_name: str = "", **_: Any) -> None:
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


def _classify(http: Any) -> str:
    raw = getattr(http, "raw", None)
    module = type(raw).__module__ if raw is not None else ""
    if module.startswith("moto"):
        return "moto"
    if module.startswith(("urllib3", "aiohttp", "botocore.httpsession")):
        return "network"
    if module.startswith("pytest_botowire"):
        return "botowire"
    return "other"


_HANDLERS: Sequence[tuple[str, Callable[..., Any], str]] = (
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


# -- installation -----------------------------------------------------------------------
_installed = False
_install_lock = threading.Lock()


def _register_builtins(handlers_module: Any) -> None:
    builtin = handlers_module.BUILTIN_HANDLERS
    marks = {"first": handlers_module.REGISTER_FIRST, "last": handlers_module.REGISTER_LAST}
    present = {id(spec[1]) for spec in builtin}
    for event, handler, where in _HANDLERS:
        if id(handler) not in present:
            builtin.append((event, handler, marks[where]))


def _register_on_existing_emitters() -> None:
    """Give already-created sessions and clients the handlers (botocore loaded before us)."""
    import gc

    from botocore.hooks import HierarchicalEmitter

    for obj in gc.get_objects():
        if isinstance(obj, HierarchicalEmitter):
            register_on(obj)


def register_on(emitter: Any) -> None:
    """Register the capture handlers on one event emitter (idempotent)."""
    for event, handler, where in _HANDLERS:
        unique = f"{_UNIQUE}-{event}-{handler.__name__}"
        try:
            if where == "first":
                emitter.register_first(event, handler, unique_id=unique)
            else:
                emitter.register_last(event, handler, unique_id=unique)
        except Exception:
            pass


# The import machinery only needs these methods; not deriving from importlib.abc keeps that
# module (and what it imports) out of pytest's start-up.
class _HandlersLoader:
    def __init__(self, wrapped: Any) -> None:
        self._wrapped = wrapped

    def create_module(self, spec: ModuleSpec) -> types.ModuleType | None:
        create: Any = getattr(self._wrapped, "create_module", None)
        return None if create is None else create(spec)

    def exec_module(self, module: types.ModuleType) -> None:
        self._wrapped.exec_module(module)
        _register_builtins(module)


class _ImportHook:
    """Adds the handlers when ``botocore.handlers`` is first imported."""

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: types.ModuleType | None = None
    ) -> ModuleSpec | None:
        if fullname != "botocore.handlers":
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(fullname, path, target)
            if spec is not None:
                if spec.loader is not None and hasattr(spec.loader, "exec_module"):
                    spec.loader = _HandlersLoader(spec.loader)  # type: ignore[assignment]
                return spec
        return None


_hook = _ImportHook()


def install() -> None:
    """Make every botocore session of the process carry the capture handlers. Idempotent."""
    global _installed
    with _install_lock:
        if _installed:
            return
        _installed = True
        handlers_module = sys.modules.get("botocore.handlers")
        if handlers_module is not None:
            _register_builtins(handlers_module)
            _register_on_existing_emitters()
        else:
            sys.meta_path.insert(0, _hook)


def activate(recorder: Recorder) -> None:
    """Make ``recorder`` the one that captures."""
    global _ACTIVE
    install()
    _ACTIVE = recorder


def deactivate(recorder: Recorder) -> None:
    """Stop capturing into ``recorder`` (no-op when another one is active)."""
    global _ACTIVE
    if _ACTIVE is recorder:
        _ACTIVE = None
    # A call cut short by a BaseException (no after-call, no after-call-error) leaves its
    # record, and with it the last captured request, in this thread's context: drop it.
    _CALL.set(None)
    recorder.restore()


def active() -> Recorder | None:
    """The recorder that captures now, if any."""
    return _ACTIVE


# -- fake credentials for offline tests ------------------------------------------------
_CREDENTIAL_ENV = (
    "AWS_ACCESS_KEY_ID",
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
)
FAKE_ENV = {
    "AWS_ACCESS_KEY_ID": "AKIDBOTOWIREFAKE0000",
    "AWS_SECRET_ACCESS_KEY": "botowire-fake-secret-key-0000000000000000",
}


def _aws_file(env: str, default: str) -> bool:
    path = os.environ.get(env) or os.path.expanduser(default)
    return os.path.isfile(path)


def offline_environment() -> dict[str, str]:
    """The variables an offline test gets: fake credentials and a region, where none is set."""
    added: dict[str, str] = {}
    configured_files = _aws_file("AWS_SHARED_CREDENTIALS_FILE", "~/.aws/credentials") or _aws_file(
        "AWS_CONFIG_FILE", "~/.aws/config"
    )
    if not configured_files and not any(os.environ.get(name) for name in _CREDENTIAL_ENV):
        added.update(FAKE_ENV)
    if (
        not os.environ.get("AWS_DEFAULT_REGION")
        and not os.environ.get("AWS_REGION")
        and not configured_files
    ):
        added["AWS_DEFAULT_REGION"] = "us-east-1"
    return added
