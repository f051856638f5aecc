"""Retry sleeps: skipped in offline and strict tests, kept in passthrough; the delay recorded.

botocore sleeps between attempts for the delay its retry handler returned (``needs-retry``),
even when the plugin answers every attempt: a test that throttles every attempt of the legacy
retry mode waits minutes. The sleep is wrapped once per process (``aws.compat``): while a test
captures, the delay is noted on the next attempt's ``CapturedRequest.backoff`` and the sleep is
skipped when the test's recorder says so. Outside a capturing test the wrapper sleeps as botocore
would. aiobotocore's sleep is wrapped by its integration through :func:`register_patcher`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pytest_botowire.capture.handlers import note_retry_delay

_patchers: list[Callable[[], None]] = []


def register_patcher(patch: Callable[[], None]) -> None:
    """Run ``patch`` (idempotent) whenever a test starts skipping sleeps (integrations)."""
    if patch not in _patchers:
        _patchers.append(patch)


def _wrap_sleep(real_sleep: Callable[[float], Any]) -> Callable[[float], None]:
    def sleep(seconds: float) -> None:
        if not note_retry_delay(seconds):
            real_sleep(seconds)

    sleep.__wrapped__ = real_sleep  # type: ignore[attr-defined]
    return sleep


def install() -> None:
    """Wrap botocore's (and registered integrations') retry sleep. Idempotent."""
    from pytest_botowire.aws.compat import wrap_botocore_retry_sleep

    wrap_botocore_retry_sleep(_wrap_sleep)
    for patch in _patchers:
        patch()


def skips_sleep(mode: str | None, marker: bool | None, run: str) -> bool:
    """Whether a test skips retry sleeps: the marker, else the run option, else the mode."""
    if marker is not None:
        return not marker
    if run == "on":
        return False
    if run == "off":
        return True
    return mode in ("offline", "strict")
