"""The run's limit settings: options, ini keys and the ``pytest_botowire_limits`` hook.

``SuiteLimits`` reads ``--botowire-max-payload``, ``--botowire-aws-limits``,
``--botowire-report``, ``--botowire-report-md``, ``--botowire-compare``,
``--botowire-compare-fail`` and their ini keys, ini ``botowire_limits``, plus the
``pytest_botowire_limits`` hook. Any of them makes the run capture every test passively.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from pytest_botowire.aws.patterns import normalize_pattern
from pytest_botowire.features.limits.rules import Rule, parse_rule_line, payload_rule

if TYPE_CHECKING:
    from pytest_botowire.features.limits.compare import Baseline, Budget

_BYTES = re.compile(r"^\d+(?:_\d+)*$")


def parse_max_payload(values: Sequence[str], origin: str) -> tuple[Rule, ...]:
    """Rules from ``--botowire-max-payload`` values: ``BYTES`` or ``PATTERN=BYTES``.

    Raises ``pytest.UsageError`` naming ``origin`` and the bad value.
    """
    rules: list[Rule] = []
    for raw in values:
        text = str(raw).strip()
        if not text:
            continue
        pattern, _, number = text.rpartition("=")
        pattern = pattern.strip() or "*"
        number = number.strip()
        if not _BYTES.match(number):
            raise pytest.UsageError(
                f"{origin}: {raw!r} is not BYTES or PATTERN=BYTES; BYTES is a whole number of "
                "bytes (underscores allowed, no units), e.g. 1048576 or sqs.SendMessage=262144"
            )
        try:
            normalized = normalize_pattern(pattern)
        except (TypeError, ValueError) as exc:
            raise pytest.UsageError(f"{origin}: {raw!r}: {exc}") from None
        rules.append(payload_rule(normalized, int(number), f"{origin} {text}"))
    return tuple(rules)


def _user_rule(rule: Rule, origin: str) -> Rule:
    """Validate a user rule's pattern and put it in the engine's form."""
    try:
        normalized = normalize_pattern(rule.pattern)
    except (TypeError, ValueError) as exc:
        raise pytest.UsageError(f"{origin}: rule {rule.id!r}: {exc}") from None
    if normalized == rule.pattern:
        return rule
    changes: dict[str, Any] = {"pattern": normalized}
    if rule.id == f"user.{rule.pattern}.{rule.measure}":
        changes["id"] = f"user.{normalized}.{rule.measure}"
    return dataclasses.replace(rule, **changes)


def parse_limit_lines(lines: Iterable[str], origin: str) -> tuple[Rule, ...]:
    """Rules from ``botowire_limits`` lines (``PATTERN MEASURE<=LIMIT [source]``)."""
    rules: list[Rule] = []
    for line in lines:
        if not str(line).strip() or str(line).lstrip().startswith("#"):
            continue
        try:
            rule = parse_rule_line(str(line))
        except ValueError as exc:
            raise pytest.UsageError(f"{origin}: {exc}") from None
        rules.append(_user_rule(rule, origin))
    return tuple(rules)


def _hook_rules(result: Any) -> tuple[Rule, ...]:
    origin = "pytest_botowire_limits"
    if result is None:
        return ()
    if isinstance(result, (Rule, str)) or not isinstance(result, Iterable):
        raise pytest.UsageError(
            f"{origin} must return a list of pytest_botowire.Rule or rule lines, not {result!r}"
        )
    rules: list[Rule] = []
    for entry in result:
        if isinstance(entry, Rule):
            rules.append(_user_rule(entry, origin))
        elif isinstance(entry, str):
            for rule in parse_limit_lines([entry], origin):
                if rule.source == "ini botowire_limits":  # the line named no source
                    rule = dataclasses.replace(rule, source=f"{origin} hook")
                rules.append(rule)
        else:
            raise pytest.UsageError(
                f"{origin} returned {entry!r}; expected a pytest_botowire.Rule or a line "
                "'PATTERN MEASURE<=LIMIT [source]'"
            )
    return tuple(rules)


def _option_or_ini(config: pytest.Config, dest: str) -> tuple[Any, str]:
    """The command-line value when given, else the ini value, with where it came from."""
    value = config.getoption(dest, None)
    if value not in (None, "", []):
        return value, "--" + dest.replace("_", "-")
    try:
        return config.getini(dest), f"ini {dest}"
    except (ValueError, pytest.UsageError) as exc:  # an invalid bool
        raise pytest.UsageError(f"ini {dest}: {exc}") from None


class SuiteLimits:
    """The run's limit settings: what every test of the run is checked against.

    ``active`` is true when any option asks for checks or a report; then every test is
    captured passively (``on_active`` is called, also when a late ``conftest.py`` adds rules).
    """

    def __init__(self, config: pytest.Config, on_active: Callable[[], None]) -> None:
        self._on_active = on_active
        values, origin = _option_or_ini(config, "botowire_max_payload")
        if isinstance(values, str):
            values = [values]
        #: ``--botowire-max-payload`` / ini ``botowire_max_payload`` rules
        self.max_payload: tuple[Rule, ...] = parse_max_payload(list(values or ()), origin)
        #: the option or ini key they came from, for messages
        self.max_payload_origin = origin
        aws, aws_origin = _option_or_ini(config, "botowire_aws_limits")
        #: whether the built-in AWS limits table applies to every test
        self.aws_limits = bool(aws)
        #: what turned the table on, for messages
        self.aws_origin = aws_origin
        #: ini ``botowire_limits`` rules, then ``pytest_botowire_limits`` hook rules
        self.user_rules: tuple[Rule, ...] = parse_limit_lines(
            config.getini("botowire_limits") or (), "ini botowire_limits"
        )
        #: where the JSON report goes, or ``None``
        self.report_path = _report_path(config, "botowire_report")
        #: where the Markdown summary goes, or ``None``
        self.report_md_path = _report_path(config, "botowire_report_md")
        #: the report the run is compared with (``--botowire-compare``), or ``None``
        self.baseline: Baseline | None = None
        #: how far an operation may grow over the baseline (``--botowire-compare-fail``)
        self.budgets: tuple[Budget, ...] = ()
        self._read_comparison(config)
        #: ``ItemLimits`` shared by tests that ask for the same rules (see ``item_limits``)
        self.shared_limits: dict[Any, Any] = {}
        if self.active:
            on_active()
        # The plugin calls the pytest_botowire_limits hook (historic, from pytest_configure)
        # and hands each result to _add_hook_result.

    def _read_comparison(self, config: pytest.Config) -> None:
        budgets, budgets_origin = _option_or_ini(config, "botowire_compare_fail")
        if isinstance(budgets, str):
            budgets = [budgets]
        budgets = [b for b in budgets or () if str(b).strip()]
        path = _report_path(config, "botowire_compare", must_exist=True)
        if path is None:
            if budgets:
                raise pytest.UsageError(
                    f"{budgets_origin} needs a baseline: give --botowire-compare=PATH "
                    "(or ini botowire_compare), a report written by --botowire-report"
                )
            return
        from pytest_botowire.features.limits.compare import (
            Baseline,
            ReportError,
            parse_budgets,
            read_report,
        )

        try:
            self.budgets = parse_budgets(budgets, budgets_origin)
        except ValueError as exc:
            raise pytest.UsageError(str(exc)) from None
        _, origin = _option_or_ini(config, "botowire_compare")
        try:
            report = read_report(path)
        except ReportError as exc:
            raise pytest.UsageError(f"{origin}: {exc}") from None
        self.baseline = Baseline.from_report(report, str(path))

    def _add_hook_result(self, result: Any) -> None:
        rules = _hook_rules(result)
        if rules:
            self.user_rules = (*self.user_rules, *rules)
            self._on_active()

    @property
    def active(self) -> bool:
        """Whether any run-wide check or the report is asked for."""
        return bool(
            self.max_payload
            or self.aws_limits
            or self.user_rules
            or self.report_path is not None
            or self.report_md_path is not None
            or self.baseline is not None
        )


def _report_path(config: pytest.Config, dest: str, must_exist: bool = False) -> Path | None:
    """A path option: relative to the invocation directory, or to the ini file for the ini key."""
    option = "--" + dest.replace("_", "-")
    value = config.getoption(dest, None)
    if value:
        base, origin = config.invocation_params.dir, option
    else:
        value = config.getini(dest)
        base = config.inipath.parent if config.inipath else config.rootpath
        origin = f"ini {dest}"
    text = str(value or "").strip()
    if not text:
        return None
    path = (base / text).resolve()
    if path.is_dir():
        what = "a report written by --botowire-report" if must_exist else "a file name"
        raise pytest.UsageError(f"{origin}={text!r} is a directory; give {what}")
    return path
