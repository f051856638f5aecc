"""Run-wide settings and per-test state: what the plugin keeps in pytest's stashes.

The plugin module fills these; features read them (the limits a test is checked against, the
recorder of a test, its marker options) without importing the plugin.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import pytest

from pytest_botowire.capture import DEFAULT_BODY_CAP, MODES
from pytest_botowire.features.options import MarkerOptions, marker_options, read_retry_sleep

if TYPE_CHECKING:
    from pytest_botowire.capture.recorder import Recorder  # noqa: F401 (named in a string)
    from pytest_botowire.features.limits.suite import SuiteLimits

RECORDER_KEY = pytest.StashKey["Recorder"]()
OPTIONS_KEY = pytest.StashKey[MarkerOptions]()
OPTIONS_ERROR_KEY = pytest.StashKey[BaseException]()
ENV_KEY = pytest.StashKey[dict[str, str | None]]()
SESSION_KEY = pytest.StashKey["RunSettings"]()


class RunSettings:
    """Run-wide settings read once from the command line and ini file."""

    def __init__(self, config: pytest.Config) -> None:
        self.mode = _read_mode(config)
        self.body_cap = _read_int(
            config, "botowire_body_cap", "--botowire-body-cap", DEFAULT_BODY_CAP
        )
        #: ``--botowire-retry-sleep``: auto, on or off
        self.retry_sleep = read_retry_sleep(config)
        #: capture every test, even those that never ask for the fixture
        self.capture_all = False
        #: called once the run needs its summary/report (set by the plugin)
        self.on_reporting: Callable[[], object] = lambda: None
        self._config = config
        self._limits: SuiteLimits | None = None

    @property
    def limits(self) -> SuiteLimits:
        """The run's limits and report (--botowire-max-payload, --botowire-aws-limits, ...).

        Built on first use, so a run that asks for none of them never loads that machinery.
        """
        if self._limits is None:
            from pytest_botowire.features.limits.suite import SuiteLimits

            self._limits = SuiteLimits(self._config, on_active=self._capture_everything)
        return self._limits

    def _capture_everything(self) -> None:
        self.capture_all = True


_LIMIT_OPTIONS = (
    "botowire_max_payload",
    "botowire_aws_limits",
    "botowire_report",
    "botowire_limits",
    "botowire_report_md",
    "botowire_compare",
    "botowire_compare_fail",
)


def limits_requested(config: pytest.Config) -> bool:
    """Whether any run-wide limit option or the report is asked for (cheap: no imports)."""
    for name in _LIMIT_OPTIONS:
        if config.getoption(name, None) not in (None, "", [], False):
            return True
        try:
            if config.getini(name) not in (None, "", [], False):
                return True
        except (ValueError, pytest.UsageError):
            return True  # an invalid value: SuiteLimits reports it, naming the option
    return False


def _read_mode(config: pytest.Config) -> str:
    value = config.getoption("botowire_mode") or config.getini("botowire_mode") or "offline"
    value = str(value).strip()
    if value not in MODES:
        raise pytest.UsageError(
            f"botowire_mode = {value!r} is not a mode; choose one of {', '.join(MODES)}"
        )
    return value


def _read_int(config: pytest.Config, ini: str, flag: str, default: int) -> int:
    raw = config.getoption(ini) or config.getini(ini)
    if raw in (None, ""):
        return default
    text = str(raw).strip().replace("_", "")
    if not text.isdigit():
        raise pytest.UsageError(f"{flag} / {ini} takes a whole number of bytes, got {raw!r}")
    return int(text)


def options(item: pytest.Item) -> MarkerOptions:
    """The test's merged ``botowire`` marker options (a bad marker is kept for the test body)."""
    if OPTIONS_KEY not in item.stash:
        try:
            item.stash[OPTIONS_KEY] = marker_options(item)
        except (TypeError, ValueError) as exc:
            item.stash[OPTIONS_ERROR_KEY] = exc
            item.stash[OPTIONS_KEY] = MarkerOptions()
    return item.stash[OPTIONS_KEY]
