"""What one test captures: the ``Recorder``, and the modes it runs in."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

from pytest_botowire.aws.compat import set_signer_credentials
from pytest_botowire.capture import DEFAULT_BODY_CAP, MODES

if TYPE_CHECKING:
    from botocore.awsrequest import AWSPreparedRequest, AWSResponse
    from botocore.signers import RequestSigner

    from pytest_botowire.model.request import CapturedRequest


__all__ = ("DEFAULT_BODY_CAP", "DEFAULT_TOTAL_CAP", "MODES", "Recorder", "RequestPolicy")

DEFAULT_TOTAL_CAP = 256 * 1024 * 1024


class RequestPolicy(Protocol):
    """What a feature that changes requests (the gzip policy) offers the capture handlers."""

    def before_call(self, model: Any, context: Any) -> None:
        """Called with the operation model and the request context, before ``before_sign``."""

    def before_sign(self, request: Any, event_name: str = "") -> None:
        """Called at ``before-sign``, after the caller's own handlers."""


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
        #: the plugin's own failures on this test's requests, one line each (name: what: why)
        self.errors: list[str] = []
        #: how many of ``errors`` were reported already (at the end of the test body)
        self.reported_errors = 0
        self.kept_bytes = 0
        self._lock = threading.Lock()
        #: first-chance responder (``botowire.respond``): ``(call, request) -> response``, where
        #: ``call`` has ``service``, ``operation``, ``name``, ``params`` and ``model``; it is
        #: asked before the request is recorded and its answer wins over every other
        self.first_responder: Callable[[Any, AWSPreparedRequest], AWSResponse | None] | None = None
        #: last-chance responder (offline answers): ``(captured, request, strict) -> response``
        self.last_responder: (
            Callable[[CapturedRequest, AWSPreparedRequest, bool], AWSResponse] | None
        ) = None
        #: lend fake credentials to clients that have none (offline tests), restored after
        self.fake_credentials = False
        self._lent: list[RequestSigner] = []
        #: ``features.respond.Responses`` registered with ``botowire.respond`` (fixture tests only)
        self.responses: Any = None
        #: the threads alive when capture started (``capture.install.activate``)
        self.threads_before: set[threading.Thread] | None = None
        #: a ``features.gzip.GzipPolicy`` while ``botowire_gzip`` or ``mark.botowire(gzip=...)`` is on
        self.gzip_policy: RequestPolicy | None = None
        #: skip botocore's sleeps between retry attempts (offline and strict by default)
        self.skip_retry_sleep = False
        #: what the last captured request shares with the next ones (``model.request._Origin``)
        #: and its URL: consecutive requests that share them hold one copy
        self.origin: Any = None
        self.last_url: str | None = None

    def keep(self, size: int) -> bool:
        """Count ``size`` bytes of a body against the caps; False when it does not fit."""
        with self._lock:
            if size > self.body_cap or size > self.total_cap - self.kept_bytes:
                return False
            self.kept_bytes += size
            return True

    def snapshot(self, body: Any, headers: Any) -> Any:
        """The body's snapshot within the body cap and what is left of the test's budget."""
        with self._lock:
            cap = max(0, min(self.body_cap, self.total_cap - self.kept_bytes))
        snapshot = _request_model().snapshot_body(body, headers, cap)
        if snapshot.data is not None:
            with self._lock:
                # the decoded copy kept of an aws-chunked body is held too
                self.kept_bytes += len(snapshot.data) + len(snapshot.decoded or b"")
        elif snapshot.note == "over the capture cap" and cap < self.body_cap:
            snapshot.note = "over the capture budget of the test"
        return snapshot

    def error(self, name: str, what: str, exc: BaseException) -> str:
        """Note a failure of the plugin on request ``name``; returns the line noted.

        Every line is reported: the test fails with it (``features.checks``), or, for a test
        captured passively, a ``BotowireWarning`` says what was skipped.
        """
        line = f"{name}: {what}: {type(exc).__name__}: {exc}"
        with self._lock:
            self.errors.append(line)
        return line

    def add(self, captured: CapturedRequest) -> None:
        """Append a captured request, numbering it in sending order."""
        with self._lock:
            captured.index = len(self.requests)
            self.requests.append(captured)

    def replace(self, old: CapturedRequest, new: CapturedRequest) -> None:
        """Put ``new`` in the place of ``old`` (the same request, changed after capture)."""
        released = old._kept_bytes()
        with self._lock:
            self.kept_bytes -= released
            index = old.index
            if index is not None and index < len(self.requests) and self.requests[index] is old:
                new.index = index
                self.requests[index] = new

    def lend(self, signer: RequestSigner) -> None:
        """Remember a signer given fake credentials, so ``restore`` can take them back."""
        with self._lock:
            self._lent.append(signer)

    def restore(self) -> None:
        """Take back the fake credentials lent to clients created without any."""
        with self._lock:
            lent, self._lent = self._lent, []
        for signer in lent:
            with contextlib.suppress(Exception):
                set_signer_credentials(signer, None)

    def reset(self) -> None:
        """Forget the requests captured so far (``botowire.clear()``).

        Failures already found stay: requests nothing answered in strict mode
        (``unanswered``) and the plugin's own failures (``errors``) still fail the test.
        """
        with self._lock:
            self.requests.clear()
            self.stubbed_calls.clear()
            self.kept_bytes = 0


_MODEL: Any = None


def _request_model() -> Any:
    """``pytest_botowire.model.request``, imported on the first capture rather than at start."""
    global _MODEL
    if _MODEL is None:
        from pytest_botowire.model import request

        _MODEL = request
    return _MODEL
