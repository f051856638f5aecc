"""moto: keep moto's ``before-send`` responder off a request that ``botowire.respond`` answered.

botocore calls every ``before-send`` handler even after one answered, so moto would act on the
request as well: a message answered by botowire would still land in moto's queue. moto is never
imported here: the patch is applied to ``moto.core.botocore_stubber.BotocoreStubber`` the first
time botowire answers a request while moto is loaded.
"""

from __future__ import annotations

from pytest_botowire.aws.compat import wrap_moto_responder
from pytest_botowire.capture import handlers


def _keep_moto_out() -> None:
    wrap_moto_responder(handlers.answered_by_botowire)


def install() -> None:
    """Patch moto's responder, lazily, whenever botowire answers first. Idempotent."""
    if _keep_moto_out not in handlers.FIRST_ANSWER_OBSERVERS:
        handlers.FIRST_ANSWER_OBSERVERS.append(_keep_moto_out)
