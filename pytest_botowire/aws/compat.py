"""Every private name of botocore (and aiobotocore) the package relies on, in one place.

botocore offers no public hook for these; each entry says what it reaches and why, so a botocore
upgrade that moves one breaks here, visibly, rather than somewhere deep in a feature.
"""

from __future__ import annotations

import inspect
import sys
import types
from collections.abc import Callable
from typing import Any

# -- waiters ----------------------------------------------------------------------------------
# botocore's ``Waiter.wait`` calls the client method with nothing that names the waiter; the
# offline answer finds the waiter on the stack (``self`` of ``Waiter.wait``) to shape the answer
# its success acceptor expects. The code objects are compared, so the walk costs a few pointer
# comparisons per frame.
_WAIT_CODES: dict[Any, None] = {}


def _wait_codes() -> dict[Any, None]:
    if "botocore.waiter" in sys.modules and not _WAIT_CODES:
        from botocore.waiter import Waiter

        _WAIT_CODES[inspect.unwrap(Waiter.wait).__code__] = None
    aio = sys.modules.get("aiobotocore.waiter")
    if aio is not None:
        waiter_cls = getattr(aio, "AIOWaiter", None)
        wait = getattr(waiter_cls, "wait", None)
        if wait is not None:
            code = inspect.unwrap(wait).__code__
            if code not in _WAIT_CODES:
                _WAIT_CODES[code] = None
    return _WAIT_CODES


def current_waiter() -> Any:
    """The botocore ``Waiter`` whose ``wait()`` is running on this thread's stack, or None."""
    codes = _wait_codes()
    if not codes:
        return None
    frame: types.FrameType | None = sys._getframe(1)
    while frame is not None:
        if frame.f_code in codes:
            return frame.f_locals.get("self")
        frame = frame.f_back
    # aiobotocore: a coroutine's caller chain is on the stack while it runs, so the walk above
    # finds AIOWaiter.wait too.
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
    endpoint.time = _TimeProxy(current, make_sleep(current.sleep))  # type: ignore[attr-defined]
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
