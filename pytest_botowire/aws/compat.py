"""Every use of another package's private names, in one place.

botocore, s3transfer, responses, moto and aiobotocore offer no public way to do a few things
the plugin needs (read the credentials a client's signer holds, see the stream under an
aws-chunked body, tell which emitter is running, ...). Each such use is one function or
constant here, with a comment saying what it is and what breaks if it changes; each has a test
in ``tests/test_compat.py`` that fails when the private name goes or stops behaving as assumed
(run at the lowest and the newest botocore, and in the aiobotocore environment).

Nothing here imports a foreign package at module level: the functions look at objects they are
given, or at modules already in ``sys.modules``, so importing this module stays free.
"""

from __future__ import annotations

import contextvars
import functools
import inspect
import sys
import threading
import types
from collections.abc import Callable
from types import CodeType, FrameType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from botocore.credentials import Credentials, ReadOnlyCredentials
    from botocore.signers import RequestSigner

# --------------------------------------------------------------------------- botocore


def host_from_url(url: str) -> str:
    """The ``Host`` header value botocore's SigV4 signer computes for ``url``.

    ``botocore.auth._host_from_url`` drops the default port of the scheme. If it goes, SigV4
    verification of a request whose ``host`` header was signed but not sent fails to rebuild
    the canonical request (test: ``test_host_from_url_drops_default_ports``).
    """
    import botocore.auth

    private: Callable[[str], str] = getattr(botocore.auth, "_host_from_url")  # noqa: B009
    return str(private(url))


def signer_credentials(signer: RequestSigner | None) -> Credentials | None:
    """The credentials a ``RequestSigner`` signs with (``None`` when the client has none).

    ``RequestSigner._credentials``: botocore has no public getter. If it goes, the signature
    check (``botowire.assert_signed``) no longer knows the keys used; capture names the
    missing credentials instead of failing (test: ``test_request_signer_keeps_credentials``).
    """
    return getattr(signer, "_credentials", None)


def signer_lacks_credentials(signer: Any) -> bool:
    """Whether a ``RequestSigner`` was created without credentials (``_credentials is None``).

    Same private attribute as :func:`signer_credentials`; a signer without the attribute
    counts as having credentials, so nothing is lent to it.
    """
    return getattr(signer, "_credentials", True) is None


def set_signer_credentials(signer: RequestSigner, credentials: Credentials | None) -> None:
    """Give a ``RequestSigner`` credentials (offline tests lend fake ones, then put ``None``).

    ``RequestSigner._credentials`` is what ``RequestSigner.get_auth_instance`` reads each time
    it signs. If it goes, a client created without credentials fails to sign in offline mode
    (``NoCredentialsError``) (test: ``test_request_signer_keeps_credentials``).
    """
    setattr(signer, "_credentials", credentials)  # noqa: B010 (private: stubs do not name it)


class ChunkedParts:
    """What ``AwsChunkedWrapper`` frames: the stream under it and its framing settings."""

    __slots__ = ("checksum_cls", "checksum_name", "chunk_size", "raw")

    def __init__(self, raw: Any, chunk_size: int, checksum_cls: Any, checksum_name: str) -> None:
        self.raw = raw
        self.chunk_size = chunk_size
        self.checksum_cls = checksum_cls
        self.checksum_name = checksum_name


#: class names of botocore's ``AwsChunkedWrapper`` and aiobotocore's subclass of it
_CHUNKED_WRAPPERS = frozenset({"AwsChunkedWrapper", "AioAwsChunkedWrapper"})


def is_aws_chunked(body: Any) -> bool:
    """Whether ``body`` is botocore's ``AwsChunkedWrapper`` (or aiobotocore's subclass)."""
    return type(body).__name__ in _CHUNKED_WRAPPERS


def aws_chunked_parts(body: Any) -> ChunkedParts:
    """The stream and framing of an ``AwsChunkedWrapper`` body (``AttributeError`` if gone).

    ``botocore.httpchecksum.AwsChunkedWrapper._raw``, ``._chunk_size``, ``._checksum_cls`` and
    ``._checksum_name``: reading the wrapper itself moves it, so capture reads the stream under
    it and rebuilds the framing. If they go, aws-chunked bodies (S3 uploads with flexible
    checksums) are captured as "could not be read" with their declared size only (test:
    ``test_aws_chunked_wrapper_parts_rebuild_its_bytes``).
    """
    return ChunkedParts(
        body._raw, int(body._chunk_size), body._checksum_cls, str(body._checksum_name)
    )


def replace_aws_chunked_stream(body: Any, stream: Any) -> None:
    """Make an ``AwsChunkedWrapper`` frame ``stream`` instead of the stream it was given.

    ``AwsChunkedWrapper._raw`` again (see :func:`aws_chunked_parts`): the wrapper makes its
    chunks and trailing checksum from it as it is read, and ``seek(0)`` rewinds it. The gzip
    policy puts the gzipped payload there, so the framing and checksum describe the gzip bytes.
    If it goes, the gzip policy leaves such bodies alone with a warning (test:
    ``test_aws_chunked_wrapper_frames_a_replaced_stream``).
    """
    if not hasattr(body, "_raw"):
        raise AttributeError(f"{type(body).__name__} has no _raw stream")
    setattr(body, "_raw", stream)  # noqa: B010 (private)


def header_dict_fast(headers: Any) -> dict[Any, Any] | None:
    """The dict inside botocore's ``HeadersDict``, or ``None`` for other headers objects.

    ``botocore.awsrequest.HeadersDict._dict`` maps a ``_HeaderKey`` (``str()`` is the name as
    set) to the value; reading it is 3x faster than ``items()``, which builds a key object per
    lookup. If it goes, ``None`` makes the caller use ``items()`` (slower, same result) (test:
    ``test_headers_dict_keeps_its_dict``).
    """
    raw = getattr(headers, "_dict", None)
    return raw if isinstance(raw, dict) else None


def header_names_fast(raw: dict[Any, Any]) -> list[str]:
    """The names of ``header_dict_fast``'s keys, as set: each ``_HeaderKey._key``.

    Reading the attribute is twice as fast as ``str(key)``, which calls ``__str__`` in Python
    for every header of every captured request. If it goes, ``str()`` is used (slower, same
    result) (test: ``test_headers_dict_keeps_its_dict``).
    """
    try:
        return [key._key for key in raw]
    except AttributeError:
        return [str(key) for key in raw]


def header_lines_fast(raw: dict[Any, Any], text: Callable[[Any], str]) -> str | None:
    """``"Name: value\r\n"`` for every entry of ``header_dict_fast``, in one pass, or ``None``.

    The capture path's form of the headers: names read as in :func:`header_names_fast`, values
    that are ``bytes`` decoded as ISO-8859-1, other values through ``text``. ``None`` when the
    keys are not botocore's ``_HeaderKey`` (the caller then uses ``header_names_fast``).
    """
    try:
        return "".join(
            [
                f"{key._key}: {value.decode('latin-1')}\r\n"  # the signers set bytes values
                if value.__class__ is bytes
                else f"{key._key}: {value}\r\n"
                if value.__class__ is str
                else f"{key._key}: {text(value)}\r\n"
                for key, value in raw.items()
            ]
        )
    except AttributeError:
        return None


def progress_callbacks_enabled(stream: Any) -> bool:
    """Whether an s3transfer ``ReadFileChunk`` reports progress as it is read.

    ``s3transfer.utils.ReadFileChunk._callbacks_enabled`` (public: ``disable_callback()`` and
    ``enable_callback()`` change it, nothing reads it). Capture turns the callbacks off while it
    reads an upload part, so a part is not reported as transferred before it is sent. If it
    goes, progress is reported twice for aws-chunked uploads (test:
    ``test_read_file_chunk_callbacks_flag``).
    """
    return getattr(stream, "_callbacks_enabled", None) is True and hasattr(
        stream, "disable_callback"
    )


def emitter_codes() -> tuple[CodeType, CodeType] | None:
    """The code objects of aiobotocore's and botocore's ``_emit``, once both are imported.

    ``AioHierarchicalEmitter._emit`` and ``HierarchicalEmitter._emit`` are the frames that call
    every handler; which one is running tells an aiobotocore request from a botocore one. If
    they go (renamed), ``None`` makes every request count as botocore's: aiobotocore clients
    answered by botowire get a botocore response they cannot await (test:
    ``test_emitters_emit_through_emit`` in both environments).
    """
    aio_hooks = sys.modules.get("aiobotocore.hooks")
    sync_hooks = sys.modules.get("botocore.hooks")
    if aio_hooks is None or sync_hooks is None:
        return None
    try:
        return (
            aio_hooks.AioHierarchicalEmitter._emit.__code__,
            sync_hooks.HierarchicalEmitter._emit.__code__,
        )
    except AttributeError:
        return None


#: the name of the emitter method whose frame calls the handlers (see :func:`emitter_codes`)
EMIT_NAME = "_emit"


def caller_frame(depth: int = 1) -> FrameType:
    """The frame ``depth`` levels above the caller (CPython's ``sys._getframe``).

    Documented but underscored; every CPython has it. Used to find the running emitter
    (test: ``test_caller_frame``).
    """
    return sys._getframe(depth + 1)


def frozen_of_refreshable(credentials: Any) -> ReadOnlyCredentials | None:
    """The frozen set a refreshable credentials object kept from its last refresh, if any.

    ``RefreshableCredentials._frozen_credentials`` (aiobotocore's subclass too): its
    ``get_frozen_credentials`` is a coroutine there, which a ``before-sign`` handler cannot
    await. If it goes, the keys are read from the ``access_key``/``secret_key``/``token``
    attributes instead, which aiobotocore refreshes only when awaited (test:
    ``test_refreshable_credentials_keep_frozen_set``).
    """
    from botocore.credentials import ReadOnlyCredentials

    frozen = getattr(credentials, "_frozen_credentials", None)
    return frozen if isinstance(frozen, ReadOnlyCredentials) else None


# --------------------------------------------------------------------------- responses


def responses_default_send() -> Any:
    """What ``responses`` sends a request it lets through with when nothing else is patched.

    ``responses._real_send`` is ``HTTPAdapter.send`` as it was when ``responses`` was
    imported. Comparing a mock's own sender with it tells whether another mock (moto's) was
    started before ours. If it goes, requests sent with the ``requests`` library are assumed to
    go to the network (test: ``test_responses_private_names``).
    """
    import responses

    return getattr(responses, "_real_send")  # noqa: B009


def requests_mock_send(mock: Any) -> Any:
    """The adapter send a ``responses.RequestsMock`` passes unanswered requests to.

    ``RequestsMock._real_send`` (set from ``real_adapter_send``, responses >= 0.24). If it
    goes, requests the plugin lets through cannot be sent (test:
    ``test_responses_private_names``).
    """
    return mock._real_send


def requests_mock_patch_target(mock: Any) -> Any:
    """What a started ``responses.RequestsMock`` put in place of ``HTTPAdapter.send``, or ``None``.

    ``RequestsMock._patcher`` is the ``unittest.mock`` patcher of ``HTTPAdapter.send`` while the
    mock is started (``None`` otherwise); its ``new`` is the replacement. If it goes, a mock
    started after ours is not noticed and a request may be answered twice (test:
    ``test_responses_private_names``).
    """
    patcher = getattr(mock, "_patcher", None)
    return getattr(patcher, "new", None) if patcher is not None else None


def moto_requests_mock_active() -> bool:
    """Whether moto's own ``responses`` mock (``moto.core.models.responses_mock``) is started.

    Same private ``RequestsMock._patcher`` as :func:`requests_mock_patch_target`, on moto's
    module-level mock, read without importing moto. If it goes, requests answered by moto are
    reported as answered by "other" (test: ``test_moto_responses_mock_patcher``).
    """
    models = sys.modules.get("moto.core.models")
    mock = getattr(models, "responses_mock", None) if models is not None else None
    return getattr(mock, "_patcher", None) is not None


def requests_mock(answers: Callable[[Any], bool], real_adapter_send: Any) -> Any:
    """A ``responses.RequestsMock`` that answers only the requests ``answers(request)`` accepts.

    Every other request goes to ``real_adapter_send`` untouched. This overrides
    ``RequestsMock._on_request(adapter, request, *, retries=None, **kwargs)``, the method
    ``responses`` routes each request through; if its name or signature changes, requests sent
    with the ``requests`` library are no longer answered by ``botowire.respond`` (test:
    ``test_responses_private_names``). ``RequestsMock(real_adapter_send=...)`` is public from
    responses 0.24; older ones get the private ``_real_send`` set instead.
    """
    import responses

    class _Mock(responses.RequestsMock):
        def _on_request(
            self, adapter: Any, request: Any, *, retries: Any = None, **kwargs: Any
        ) -> Any:
            if not answers(request):
                return requests_mock_send(self)(adapter, request, **kwargs)
            return super()._on_request(adapter, request, retries=retries, **kwargs)

    try:
        return _Mock(assert_all_requests_are_fired=False, real_adapter_send=real_adapter_send)
    except TypeError:  # responses < 0.24 has no real_adapter_send
        mock = _Mock(assert_all_requests_are_fired=False)
        mock._real_send = real_adapter_send
        return mock


# --------------------------------------------------------------------------- moto

#: set on the wrapper :func:`wrap_moto_responder` installs, so it is installed once
_WRAPPED = "_botowire"


def wrap_moto_responder(skip: Callable[[], bool]) -> bool:
    """Make moto's ``before-send`` responder return ``None`` whenever ``skip()`` is true.

    moto registers ``moto.core.botocore_stubber.BotocoreStubber`` instances on botocore's
    ``before-send`` and answers through ``BotocoreStubber.__call__(self, event_name, request,
    **kwargs)`` (an internal module of moto). The method is wrapped on the class, only when moto
    is already imported; returns whether moto's responder is wrapped now. If the module, the
    class or the call signature changes, a request botowire answered also reaches moto (a
    message lands in moto's queue as well) (test: ``test_moto_stubber_call_signature``).
    """
    module = sys.modules.get("moto.core.botocore_stubber")
    stubber: Any = getattr(module, "BotocoreStubber", None)
    if stubber is None:
        return False
    if getattr(stubber.__call__, _WRAPPED, False):
        return True
    original = stubber.__call__

    def __call__(self: Any, event_name: str, request: Any, **kwargs: Any) -> Any:
        if skip():
            return None
        return original(self, event_name, request, **kwargs)

    setattr(__call__, _WRAPPED, True)
    __call__.__wrapped__ = original  # type: ignore[attr-defined]
    stubber.__call__ = __call__
    return True


# --------------------------------------------------------------------------- offline answers and retries
# -- waiters ----------------------------------------------------------------------------------
# botocore's ``Waiter.wait`` calls the client method with nothing that names the waiter; the
# offline answer needs the waiter to shape the answer its success acceptor expects.
# ``botocore.waiter.Waiter.wait`` (public) is wrapped, the first time an offline answer is
# built, to note the running waiter in a context variable (per thread and per asyncio task);
# every waiter class botocore makes calls ``Waiter.wait(self, ...)`` through the class, so
# waiters created before the wrapping are covered too. aiobotocore's ``AIOWaiter.wait`` gets
# the same. A ``wait()`` already running when its class is wrapped is found on the stack once.
_RUNNING_WAITER: contextvars.ContextVar[Any] = contextvars.ContextVar(
    "botowire_waiter", default=None
)
#: modules whose waiter class was wrapped: module name -> the class
_WAITS_WRAPPED: dict[str, Any] = {}
_WAITER_CLASSES = (("botocore.waiter", "Waiter"), ("aiobotocore.waiter", "AIOWaiter"))


def _wrap_wait(waiter_cls: Any) -> None:
    original = waiter_cls.wait
    if inspect.iscoroutinefunction(original):

        async def wait_async(self: Any, **kwargs: Any) -> Any:
            token = _RUNNING_WAITER.set(self)
            try:
                return await original(self, **kwargs)
            finally:
                _RUNNING_WAITER.reset(token)

        wrapper: Any = functools.wraps(original)(wait_async)
    else:

        def wait(self: Any, **kwargs: Any) -> Any:
            token = _RUNNING_WAITER.set(self)
            try:
                return original(self, **kwargs)
            finally:
                _RUNNING_WAITER.reset(token)

        wrapper = functools.wraps(original)(wait)
    waiter_cls.wait = wrapper


def current_waiter() -> Any:
    """The botocore (or aiobotocore) ``Waiter`` whose ``wait()`` runs in this thread or task."""
    walk = False
    if len(_WAITS_WRAPPED) < len(_WAITER_CLASSES):
        for module_name, class_name in _WAITER_CLASSES:
            module = sys.modules.get(module_name)
            if module is None or module_name in _WAITS_WRAPPED:
                continue
            waiter_cls = getattr(module, class_name, None)
            if waiter_cls is None or not callable(getattr(waiter_cls, "wait", None)):
                continue
            _wrap_wait(waiter_cls)
            _WAITS_WRAPPED[module_name] = waiter_cls
            walk = True
    running = _RUNNING_WAITER.get()
    if running is None and walk:
        return _waiter_on_stack()
    return running


def _waiter_on_stack() -> Any:
    """A ``wait()`` that started before its class was wrapped: found by its frame, once."""
    codes = {inspect.unwrap(cls.wait).__code__ for cls in _WAITS_WRAPPED.values()}
    frame: FrameType | None = sys._getframe(2)
    while frame is not None:
        if frame.f_code in codes:
            return frame.f_locals.get("self")
        frame = frame.f_back
    return None


# -- retry sleeps -----------------------------------------------------------------------------
# botocore sleeps between attempts in ``botocore.endpoint`` with ``time.sleep(delay)`` (the
# delay is what the ``needs-retry`` handlers returned); aiobotocore in
# ``AioEndpoint._sleep(delay)``. The retries feature wraps both.


class _TimeProxy(types.ModuleType):
    """Stands in for the ``time`` module inside ``botocore.endpoint``: only ``sleep`` differs."""

    def __init__(self, real: types.ModuleType, sleep: Callable[[float], None]) -> None:
        super().__init__("time")
        self._real = real
        self.sleep = sleep

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)


def wrap_botocore_retry_sleep(make_sleep: Callable[[Callable[[float], None]], Any]) -> bool:
    """Replace the ``time.sleep`` botocore's endpoint sleeps with by ``make_sleep(real_sleep)``.

    Idempotent; returns False when ``botocore.endpoint`` has no ``time`` global to wrap.
    """
    import botocore.endpoint as endpoint

    current = getattr(endpoint, "time", None)
    if isinstance(current, _TimeProxy):
        return True
    if not isinstance(current, types.ModuleType):
        return False
    # setattr: the stubs do not declare the module's ``time`` (mypy clean with and without them)
    setattr(endpoint, "time", _TimeProxy(current, make_sleep(current.sleep)))  # noqa: B010
    return True


def aiobotocore_endpoint_classes() -> list[type]:
    """aiobotocore's endpoint classes that define ``_sleep`` (the retry sleep)."""
    module = sys.modules.get("aiobotocore.endpoint")
    if module is None:
        return []
    return [
        cls
        for cls in vars(module).values()
        if isinstance(cls, type) and "_sleep" in vars(cls) and cls.__module__ == module.__name__
    ]


# -- credential providers that bypass the event system -------------------------------------------
# botocore's container and instance-metadata credential providers fetch over
# ``botocore.httpsession.URLLib3Session.send`` directly, with no client and no events.


def urllib3_session_class() -> Any:
    """botocore's ``URLLib3Session`` (whose ``send`` the metadata fetchers use)."""
    from botocore.httpsession import URLLib3Session

    return URLLib3Session


# --------------------------------------------------------------------------- botocore endpoint

#: The modules whose ``first_non_none_response`` global picks the answer to ``before-send``.
#: botocore's ``Endpoint._do_get_response`` (and aiobotocore's ``AioEndpoint``) emit
#: ``before-send``, then call the module-level name ``first_non_none_response(responses)``
#: (imported from ``botocore.hooks``) on the list of ``(handler, response)`` pairs. That call is
#: the one point where every ``before-send`` handler has run, whatever event name, section
#: (``register_first``/``register``/``register_last``) or time of registration it used; the
#: capture handlers replace the name in these modules to record the request there and to
#: choose the answer (``capture.handlers.choose_answer``). The same name is also called for
#: ``needs-retry`` in the same modules: the replacement passes such calls through. If botocore
#: stops calling it, every request fails its test naming the change (``_on_needs_retry``)
#: (test: ``test_the_endpoint_chooses_the_before_send_answer_through_first_non_none_response``).
ANSWER_CHOOSER_MODULES = ("botocore.endpoint", "aiobotocore.endpoint")
ANSWER_CHOOSER_NAME = "first_non_none_response"


# --------------------------------------------------------------------------- CPython threading


def thread_target(thread: threading.Thread) -> Any:
    """The callable a thread runs (``Thread._target``, private in every CPython 3.x).

    Used to tell a worker of a ``concurrent.futures`` thread pool (target
    ``concurrent.futures.thread._worker``) from a thread started for one job: pool workers serve
    whichever test submits work, so they are never attributed to the test that started them.
    ``None`` once the thread finished (CPython drops the reference) or when unknown. If it goes,
    pool workers started during a test are treated as that test's threads (test:
    ``test_a_pool_worker_is_told_from_a_thread_started_for_one_job``).
    """
    return getattr(thread, "_target", None)


def is_pool_worker(thread: threading.Thread) -> bool:
    """Whether ``thread`` is a worker of a ``concurrent.futures`` thread pool."""
    target = thread_target(thread)
    return getattr(target, "__module__", None) == "concurrent.futures.thread"
