"""moto: keep moto's ``before-send`` responder off a request that ``botowire.respond`` answered.

botocore calls every ``before-send`` handler even after one answered, so moto would act on the
request as well: a message answered by botowire would still land in moto's queue. moto is never
imported here: the patch is applied to ``moto.core.botocore_stubber.BotocoreStubber`` the first
time botowire answers a request while moto is loaded.
"""

from __future__ import annotations

import sys
from typing import Any

from pytest_botowire.capture import handlers


def _keep_moto_out() -> None:
    module = sys.modules.get("moto.core.botocore_stubber")
    stubber: Any = getattr(module, "BotocoreStubber", None)
    if stubber is None or getattr(stubber.__call__, "_botowire", False):
        return
    original = stubber.__call__

    def __call__(self: Any, event_name: str, request: Any, **kwargs: Any) -> Any:
        if handlers.answered_by_botowire():
            return None
        return original(self, event_name, request, **kwargs)

    __call__._botowire = True  # type: ignore[attr-defined]
    stubber.__call__ = __call__


def install() -> None:
    """Patch moto's responder, lazily, whenever botowire answers first. Idempotent."""
    if _keep_moto_out not in handlers.FIRST_ANSWER_OBSERVERS:
        handlers.FIRST_ANSWER_OBSERVERS.append(_keep_moto_out)
