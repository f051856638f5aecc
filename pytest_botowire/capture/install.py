"""Installing the capture handlers on every botocore session of the process.

The handlers are added to ``botocore.handlers.BUILTIN_HANDLERS``, the list every new botocore
session registers, so every client is covered wherever and whenever it is created: at import
time of the code under test, in another thread, through ``boto3.Session`` or a plain botocore
session. botocore is not imported for this: when it is not loaded yet, an import hook adds the
handlers the moment ``botocore.handlers`` is first imported. Emitters that already exist when
the plugin starts are found once and given the same handlers.

Nothing of the capture machinery is loaded at pytest start-up: ``capture.handlers`` (and the
request model, credentials, service tables it uses) is imported when botocore is, or when a
test first captures. A run that never imports botocore loads this module and no other.
"""

from __future__ import annotations

import sys
import threading
import types
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from importlib.machinery import ModuleSpec

    from pytest_botowire.capture.recorder import Recorder

_HANDLERS_MODULE = "pytest_botowire.capture.handlers"


def _handlers() -> Any:
    """``capture.handlers``, imported on first need."""
    module = sys.modules.get(_HANDLERS_MODULE)
    if module is None:
        from pytest_botowire.capture import handlers as module
    return module


# -- installation -----------------------------------------------------------------------
_installed = False


_install_lock = threading.Lock()


def _register_builtins(handlers_module: Any) -> None:
    builtin = handlers_module.BUILTIN_HANDLERS
    marks = {"first": handlers_module.REGISTER_FIRST, "last": handlers_module.REGISTER_LAST}
    present = {id(spec[1]) for spec in builtin}
    for event, handler, where in _handlers().HANDLERS:
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
    handlers = _handlers()
    for event, handler, where in handlers.HANDLERS:
        unique = f"{handlers.UNIQUE}-{event}-{handler.__name__}"
        try:
            if where == "first":
                emitter.register_first(event, handler, unique_id=unique)
            else:
                emitter.register_last(event, handler, unique_id=unique)
        except Exception:
            pass


def _install_chooser(endpoint_module: Any) -> None:
    """Record and answer at the end of ``before-send`` in this endpoint module (see
    ``aws.compat.ANSWER_CHOOSER_MODULES``). Idempotent."""
    from pytest_botowire.aws.compat import ANSWER_CHOOSER_NAME

    original = getattr(endpoint_module, ANSWER_CHOOSER_NAME, None)
    if original is None or hasattr(original, "botowire_original"):
        return
    setattr(endpoint_module, ANSWER_CHOOSER_NAME, _handlers()._make_chooser(original))


def _patch_loaded(module_name: str, module: Any) -> None:
    if module_name == "botocore.handlers":
        _register_builtins(module)
    else:
        _install_chooser(module)


# The import machinery only needs these methods; not deriving from importlib.abc keeps that
# module (and what it imports) out of pytest's start-up.
class _HandlersLoader:
    def __init__(self, wrapped: Any, name: str) -> None:
        self._wrapped = wrapped
        self._name = name

    def create_module(self, spec: ModuleSpec) -> types.ModuleType | None:
        create: Any = getattr(self._wrapped, "create_module", None)
        return None if create is None else create(spec)

    def exec_module(self, module: types.ModuleType) -> None:
        self._wrapped.exec_module(module)
        _patch_loaded(self._name, module)


class _ImportHook:
    """Adds the handlers when ``botocore.handlers`` is first imported, and the answer chooser
    to the endpoint modules (botocore's, aiobotocore's) when they are."""

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: types.ModuleType | None = None
    ) -> ModuleSpec | None:
        if fullname not in _WATCHED:
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(fullname, path, target)
            if spec is not None:
                if spec.loader is not None and hasattr(spec.loader, "exec_module"):
                    spec.loader = _HandlersLoader(spec.loader, fullname)  # type: ignore[assignment]
                return spec
        return None


_hook = _ImportHook()
#: the modules still to patch when they are first imported
_WATCHED: set[str] = set()
#: botocore's handler list, and the endpoint modules whose answer chooser is replaced (the
#: same as ``aws.compat.ANSWER_CHOOSER_MODULES``, written out so start-up loads no other
#: module; ``tests/test_compat.py`` checks they agree)
WATCHED_MODULES = ("botocore.handlers", "botocore.endpoint", "aiobotocore.endpoint")


def install() -> None:
    """Make every botocore session of the process carry the capture handlers. Idempotent."""
    global _installed
    with _install_lock:
        if _installed:
            return
        _installed = True
        _WATCHED.update(WATCHED_MODULES)
        for name in list(_WATCHED):
            module = sys.modules.get(name)
            if module is not None:
                _WATCHED.discard(name)
                _patch_loaded(name, module)
        if "botocore.handlers" in sys.modules:
            _register_on_existing_emitters()
        if _WATCHED:
            sys.meta_path.insert(0, _hook)


def activate(recorder: Recorder) -> None:
    """Make ``recorder`` the one that captures.

    The threads alive now are noted: a thread started while ``recorder`` captures belongs to
    its test, and keeps sending into that test's late recorder once the test ended (see
    ``deactivate``), never into another test.
    """
    install()
    if recorder.threads_before is None:
        recorder.threads_before = set(threading.enumerate())
    _handlers()._ACTIVE = recorder


def pause(recorder: Recorder) -> None:
    """Stop capturing for a while (a fixture of a wider scope is set up or torn down)."""
    handlers = _handlers()
    if handlers._ACTIVE is recorder:
        handlers._ACTIVE = None


def resume(recorder: Recorder) -> None:
    """Capture again after ``pause``; threads started meanwhile are not the test's."""
    if recorder.threads_before is not None:
        recorder.threads_before.update(threading.enumerate())
    _handlers()._ACTIVE = recorder


def deactivate(recorder: Recorder) -> None:
    """Stop capturing into ``recorder`` (no-op when another one is active)."""
    handlers = _handlers()
    if handlers._ACTIVE is recorder:
        handlers._ACTIVE = None
    # A call cut short by a BaseException (no after-call, no after-call-error) leaves its
    # record, and with it the last captured request, in this thread's context: drop it.
    handlers._CALL.set(None)
    recorder.restore()
    _adopt_threads(recorder)


#: the late recorders of ended tests whose threads are still alive, for reporting
LATE: list[Recorder] = []


def _adopt_threads(recorder: Recorder) -> None:
    """Route the requests of threads ``recorder``'s test started, still alive, to its late
    recorder: never into a later test, answered offline when the test ran offline or strict.

    Workers of a ``concurrent.futures`` pool are left out: they serve whichever test submits.
    """
    from pytest_botowire.aws.compat import is_pool_worker
    from pytest_botowire.capture.recorder import Recorder

    handlers = _handlers()
    before, recorder.threads_before = recorder.threads_before, None
    if before is None:
        return
    current = threading.current_thread()
    started = [
        thread
        for thread in threading.enumerate()
        if thread not in before and thread is not current and not is_pool_worker(thread)
    ]
    if not started:
        return
    offline = recorder.mode in ("offline", "strict")
    late = Recorder(
        mode="offline" if offline else recorder.mode,
        body_cap=0,
        total_cap=0,
        test_id=recorder.test_id,
    )
    late.last_responder = recorder.last_responder
    late.fake_credentials = recorder.fake_credentials
    for thread in started:
        handlers._OWNED[thread] = late
    LATE.append(late)


def take_late() -> list[tuple[str | None, str | None, list[str]]]:
    """``(test id, mode, request names)`` per ended test whose threads sent requests since the
    last call; forgets the late recorders whose threads are all gone."""
    out: list[tuple[str | None, str | None, list[str]]] = []
    handlers = _handlers()
    for thread in list(handlers._OWNED):
        if not thread.is_alive():
            handlers._OWNED.pop(thread, None)
    owned = set(handlers._OWNED.values())
    for late in list(LATE):
        with late._lock:
            names = [request.name for request in late.requests]
            late.requests.clear()
            late.kept_bytes = 0
        if names:
            out.append((late.test_id, late.mode, names))
        if late not in owned:
            LATE.remove(late)
            late.restore()
    return out


def active() -> Recorder | None:
    """The recorder that captures now, if any."""
    handlers = sys.modules.get(_HANDLERS_MODULE)  # not loaded: nothing ever captured
    return None if handlers is None else handlers._ACTIVE
