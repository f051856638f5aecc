"""Every private name of botocore, aiobotocore or the standard library the plugin relies on.

Each entry says what it is, why the plugin needs it, and the versions it was checked against
(botocore 1.34.40 to 1.44.x, aiobotocore 3.x). ``tests/test_compat.py`` checks each one against
the installed versions, so a rename fails there, by name, instead of silently losing capture.
"""

from __future__ import annotations

import threading
from typing import Any

#: The modules whose ``first_non_none_response`` global picks the answer to ``before-send``.
#: botocore's ``Endpoint._do_get_response`` (and aiobotocore's ``AioEndpoint``) emit
#: ``before-send``, then call the module-level name ``first_non_none_response(responses)``
#: (imported from ``botocore.hooks``) on the list of ``(handler, response)`` pairs. That call is
#: the one point where every ``before-send`` handler has run, whatever event name, section
#: (``register_first``/``register``/``register_last``) or time of registration it used; the
#: capture handlers replace the name in these modules to record the request there and to
#: choose the answer (``capture.handlers.choose_answer``). The same name is also called for
#: ``needs-retry`` in the same modules: the replacement passes such calls through.
ANSWER_CHOOSER_MODULES = ("botocore.endpoint", "aiobotocore.endpoint")
ANSWER_CHOOSER_NAME = "first_non_none_response"


def thread_target(thread: threading.Thread) -> Any:
    """The callable a thread runs (``Thread._target``, private in every CPython 3.x).

    Used to tell a worker of a ``concurrent.futures`` thread pool (target
    ``concurrent.futures.thread._worker``) from a thread started for one job: pool workers serve
    whichever test submits work, so they are never attributed to the test that started them.
    ``None`` once the thread finished (CPython drops the reference) or when unknown.
    """
    return getattr(thread, "_target", None)


def is_pool_worker(thread: threading.Thread) -> bool:
    """Whether ``thread`` is a worker of a ``concurrent.futures`` thread pool."""
    target = thread_target(thread)
    return getattr(target, "__module__", None) == "concurrent.futures.thread"
