"""Reports read back: a baseline to compare with, and budgets on growth.

``read_report(path)`` reads a JSON report written by ``--botowire-report`` (any schema this
version knows) and raises ``ReportError`` with a one-line reason for anything else.
``Comparison`` sets the run's operations beside a baseline's; ``Budget`` (``size:10%``,
``decoded:+4096``, ``requests:20%``) fails an operation that grows past it. This module reads
no run state itself (``report`` and ``merge`` build on it), so the run's reporting can use it.
"""

from __future__ import annotations

import dataclasses
import json
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pytest_botowire.model.messages import plural

if TYPE_CHECKING:
    from pytest_botowire.features.limits.report import Collector

#: report schemas this version reads (``report.REPORT_SCHEMA`` among them: a test checks it)
READABLE_SCHEMAS = (1,)

#: the accepted budget forms, for messages
BUDGET_FORMS = (
    "size:PERCENT%, decoded:PERCENT%, requests:PERCENT% (growth over the baseline, e.g. "
    "size:10%) or size:+BYTES, decoded:+BYTES, requests:+COUNT (e.g. size:+4096)"
)
_BUDGET = re.compile(r"^(size|decoded|requests):(?:\+?(\d+(?:\.\d+)?)%|\+(\d+))$")
#: what each budget measure compares, for messages
MEASURE_WORDS = {
    "size": "largest body on the wire",
    "decoded": "largest decoded body",
    "requests": "requests",
}


def signed_bytes(value: int) -> str:
    """``"+1,024"``, ``"-12"``, ``"0"``."""
    return f"{value:+,}" if value else "0"


def align(rows: Sequence[Sequence[str]], right: set[int]) -> list[str]:
    """Rows of cells as lines of aligned columns (``right``: the right-aligned columns)."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return [
        "  ".join(
            cell.rjust(widths[i]) if i in right else cell.ljust(widths[i])
            for i, cell in enumerate(row)
        ).rstrip()
        for row in rows
    ]


class ReportError(ValueError):
    """A file is not a report this version can read (the message is one line)."""


# --------------------------------------------------------------------------- reading


def _int_or_none(value: Any) -> bool:
    return value is None or (isinstance(value, int) and not isinstance(value, bool))


def _check_report(data: Any, where: str) -> dict[str, Any]:
    from pytest_botowire._version import __version__

    if not isinstance(data, dict) or "schema" not in data:
        raise ReportError(f'{where}: not a botowire report (no "schema" key)')
    schema = data["schema"]
    if isinstance(schema, bool) or not isinstance(schema, int):
        raise ReportError(f"{where}: unknown report schema {schema!r}")
    if schema not in READABLE_SCHEMAS:
        newer = schema > max(READABLE_SCHEMAS)
        raise ReportError(
            f"{where}: report schema {schema} "
            + (
                f"is newer than this botowire ({__version__}) reads"
                if newer
                else "is not one this botowire reads"
            )
            + f" (schema {', '.join(map(str, READABLE_SCHEMAS))})"
            + (
                f"; written by botowire {data['botowire_version']}"
                if "botowire_version" in data
                else ""
            )
        )
    totals = data.get("totals")
    if not isinstance(totals, dict):
        raise ReportError(f'{where}: not a botowire report ("totals" is not an object)')
    for key in ("tests", "requests", "breaches", "unreported_breaches"):
        if not isinstance(totals.get(key, 0), int):
            raise ReportError(f'{where}: "totals.{key}" is not a whole number')
    for key in ("requests", "operations"):
        if not isinstance(data.get(key), list):
            raise ReportError(f'{where}: not a botowire report ("{key}" is not a list)')
    for index, entry in enumerate(data["operations"]):
        here = f'{where}: "operations"[{index}]'
        if not isinstance(entry, dict):
            raise ReportError(f"{here} is not an object")
        for key in ("service", "operation"):
            if not isinstance(entry.get(key), str):
                raise ReportError(f'{here}."{key}" is not a string')
        for key in ("requests", "gzipped", "breaches"):
            value = entry.get(key)
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise ReportError(f'{here}."{key}" is not a whole number')
        for key in ("largest_size", "largest_decoded_size"):
            if not _int_or_none(entry.get(key)):
                raise ReportError(f'{here}."{key}" is not a whole number or null')
        limits = entry.get("limits", [])
        if not isinstance(limits, list) or not all(_is_limit(limit) for limit in limits):
            raise ReportError(f'{here}."limits" is not a list of limit objects')
        if entry.get("limit") is not None and not _is_limit(entry["limit"]):
            raise ReportError(f'{here}."limit" is not a limit object')
    for index, entry in enumerate(data["requests"]):
        if not isinstance(entry, dict):
            raise ReportError(f'{where}: "requests"[{index}] is not an object')
    summary = data.get("summary")
    if summary is not None and not _is_summary(summary):
        raise ReportError(f'{where}: "summary" is not one botowire wrote')
    comparison = data.get("comparison")
    if comparison is not None and not isinstance(comparison, dict):
        raise ReportError(f'{where}: "comparison" is not an object')
    return data


_STATS_KEYS = {"service", "operation", "requests", "largest_size", "largest_decoded_size",
               "gzipped", "breaches", "limits"}  # fmt: skip


def _is_summary(summary: Any) -> bool:
    """``{"rows": [{"rules": [[rule, limit]...], "stats": {...}}...], "unreported": [str...]}``."""
    if not isinstance(summary, dict):
        return False
    rows, unreported = summary.get("rows"), summary.get("unreported")
    if not isinstance(rows, list) or not isinstance(unreported, list):
        return False
    for row in rows:
        if not isinstance(row, dict) or not isinstance(row.get("rules"), list):
            return False
        stats = row.get("stats")
        if not isinstance(stats, dict) or set(stats) != _STATS_KEYS:
            return False
        if not all(_is_limit(limit) and isinstance(limit.get("source"), str)
                   for limit in stats["limits"]):  # fmt: skip
            return False
        if not all(isinstance(stats[key], int) for key in ("requests", "gzipped", "breaches")):
            return False
        if not all(isinstance(pair, list) and len(pair) == 2 for pair in row["rules"]):
            return False
    return all(isinstance(item, str) for item in unreported)


def _is_limit(value: Any) -> bool:
    return (
        isinstance(value, dict)
        and isinstance(value.get("rule"), str)
        and isinstance(value.get("measure"), str)
        and isinstance(value.get("limit"), int)
        and isinstance(value.get("unit"), str)
        and _int_or_none(value.get("value"))
    )


def read_report(path: Path | str) -> dict[str, Any]:
    """The report at ``path``, checked; ``ReportError`` (one line) for anything else."""
    where = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ReportError(f"{where}: no such file") from None
    except IsADirectoryError:
        raise ReportError(f"{where}: is a directory, not a report") from None
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
        raise ReportError(f"{where}: cannot be read ({reason})") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ReportError(
            f"{where}: not JSON ({exc.msg} at line {exc.lineno} column {exc.colno})"
        ) from None
    return _check_report(data, where)


# --------------------------------------------------------------------------- budgets


@dataclasses.dataclass(frozen=True)
class Budget:
    """How far one operation may grow over the baseline: ``size:10%``, ``requests:+2``."""

    #: ``"size"``, ``"decoded"`` or ``"requests"``
    measure: str
    #: the allowed growth: a percentage of the baseline, or an absolute amount
    amount: float
    percent: bool
    text: str

    def exceeded(self, before: int, now: int) -> bool:
        """Whether growing from ``before`` to ``now`` is over this budget."""
        growth = now - before
        if growth <= 0:
            return False
        if not self.percent:
            return growth > self.amount
        if before == 0:
            return True  # any growth from nothing is infinitely many percent
        return growth * 100 / before > self.amount

    def __str__(self) -> str:
        return self.text


def parse_budget(text: str, origin: str) -> Budget:
    """A ``Budget`` from ``size:10%``, ``decoded:+4096``...; ``ValueError`` naming ``origin``."""
    match = _BUDGET.match(str(text).strip().replace(" ", ""))
    if match is None:
        raise ValueError(f"{origin}: {text!r} is not a budget; use {BUDGET_FORMS}")
    measure, percent, absolute = match.groups()
    if percent is not None:
        return Budget(measure, float(percent), True, f"{measure}:{percent}%")
    return Budget(measure, float(absolute), False, f"{measure}:+{absolute}")


def parse_budgets(values: Iterable[str], origin: str) -> tuple[Budget, ...]:
    """Every non-empty value of a repeatable option or a line list, parsed."""
    return tuple(parse_budget(value, origin) for value in values if str(value).strip())


# --------------------------------------------------------------------------- comparison


@dataclasses.dataclass(frozen=True)
class Side:
    """One operation's numbers in one report."""

    requests: int
    largest_size: int | None
    largest_decoded_size: int | None

    def value(self, measure: str) -> int | None:
        """The number a budget measure compares."""
        if measure == "size":
            return self.largest_size
        if measure == "decoded":
            return self.largest_decoded_size
        return self.requests

    def to_json(self) -> dict[str, Any]:
        """``{"requests", "largest_size", "largest_decoded_size"}``."""
        return dataclasses.asdict(self)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Side:
        """The inverse of ``to_json`` (also reads a report's operation entry)."""
        return cls(
            int(data["requests"]), data.get("largest_size"), data.get("largest_decoded_size")
        )


@dataclasses.dataclass(frozen=True)
class Baseline:
    """The per-operation numbers of a report the run is compared with."""

    path: str
    version: str
    operations: dict[str, Side]

    @classmethod
    def from_report(cls, report: Mapping[str, Any], path: str) -> Baseline:
        """The numbers of a checked report."""
        operations = {
            f"{entry['service']}.{entry['operation']}": Side.from_json(entry)
            for entry in report["operations"]
        }
        return cls(path, str(report.get("botowire_version", "?")), operations)


def percent_change(before: int | None, now: int | None) -> float | None:
    """Growth in percent of ``before``, rounded to 0.1; ``None`` when it has no meaning."""
    if before is None or now is None:
        return None
    if before == 0:
        return 0.0 if now == 0 else math.inf
    return round((now - before) * 100 / before, 1)


def _difference(before: int | None, now: int | None) -> int | None:
    return None if before is None or now is None else now - before


@dataclasses.dataclass(frozen=True)
class Failure:
    """An operation that grew past a budget."""

    operation: str
    budget: Budget
    before: int
    now: int

    @property
    def change(self) -> int:
        """How much it grew."""
        return self.now - self.before

    def change_text(self) -> str:
        """``"1,200 bytes (+21.1%)"``."""
        unit = "request" if self.budget.measure == "requests" else "byte"
        units = unit if self.change == 1 else unit + "s"
        percent = _percent_text(percent_change(self.before, self.now))
        return f"{self.change:,} {units} ({percent})"

    def describe(self, baseline: str) -> str:
        """One line: which operation, by how much, against which budget and baseline."""
        return (
            f"{self.operation}: {MEASURE_WORDS[self.budget.measure]} grew by "
            f"{self.change_text()}, {self.before:,} -> {self.now:,}, over the budget "
            f"{self.budget} (baseline {baseline})"
        )

    def to_json(self) -> dict[str, Any]:
        """The report's entry for a failed budget."""
        return {
            "operation": self.operation,
            "budget": str(self.budget),
            "measure": self.budget.measure,
            "before": self.before,
            "now": self.now,
            "change": self.change,
            "change_percent": _json_percent(percent_change(self.before, self.now)),
        }


def _json_percent(value: float | None) -> float | str | None:
    # JSON has no infinity; growth from zero is written as the string "inf"
    if value is not None and math.isinf(value):
        return "inf"
    return value


def _percent_text(value: float | None) -> str:
    if value is None:
        return "unknown"
    if math.isinf(value):
        return "from 0"
    return f"{value:+.1f}%"


class Comparison:
    """The run's operations beside a baseline's, and the budgets that failed."""

    def __init__(
        self, baseline: Baseline, now: Mapping[str, Side], budgets: Sequence[Budget] = ()
    ) -> None:
        self.baseline = baseline
        self.budgets = tuple(budgets)
        self.now = dict(now)
        names = sorted(baseline.operations.keys() & self.now.keys())
        #: operations in both, by name
        self.common = names
        #: operations this run sent and the baseline did not
        self.new = sorted(self.now.keys() - baseline.operations.keys())
        #: operations of the baseline this run did not send
        self.gone = sorted(baseline.operations.keys() - self.now.keys())
        self.failures: list[Failure] = []
        for name in names:
            before, after = baseline.operations[name], self.now[name]
            for budget in self.budgets:
                old, new = before.value(budget.measure), after.value(budget.measure)
                if old is not None and new is not None and budget.exceeded(old, new):
                    self.failures.append(Failure(name, budget, old, new))

    @classmethod
    def of(
        cls, baseline: Baseline, collector: Collector, budgets: Sequence[Budget] = ()
    ) -> Comparison:
        """Compare a run's (or a merged report's) collector with a baseline."""
        now = {
            name: Side(stats.requests, stats.largest_size, stats.largest_decoded_size)
            for name, stats in collector.operations.items()
        }
        return cls(baseline, now, budgets)

    @property
    def passed(self) -> bool:
        """No budget failed."""
        return not self.failures

    def rows(self) -> list[tuple[str, str, str, str, str, str, str]]:
        """One row per operation in both reports, by name (without the header)."""
        rows = []
        for name in self.common:
            before, now = self.baseline.operations[name], self.now[name]
            rows.append(
                (
                    name,
                    _bytes(before.largest_size),
                    _change(before.largest_size, now.largest_size),
                    _bytes(before.largest_decoded_size),
                    _change(before.largest_decoded_size, now.largest_decoded_size),
                    str(before.requests),
                    str(now.requests),
                )
            )
        return rows

    def lines(self, consequence: str = "the run fails") -> list[str]:
        """The comparison's lines in the terminal summary (``consequence``: of a failure)."""
        lines = [f"compared with baseline {self.baseline.path} (botowire {self.baseline.version})"]
        if self.common:
            header = ("operation", "baseline on wire", "change", "baseline decoded", "change",
                      "requests before", "now")  # fmt: skip
            lines += align([header, *self.rows()], right={1, 2, 3, 4, 5, 6})
        if self.new:
            lines.append(
                f"new ({plural(len(self.new), 'operation')} not in the baseline): "
                + ", ".join(self.new)
            )
        if self.gone:
            lines.append(
                f"gone ({plural(len(self.gone), 'operation')} of the baseline not sent): "
                + ", ".join(self.gone)
            )
        if self.failures:
            lines.append(f"{plural(len(self.failures), 'budget')} failed: {consequence}")
            lines += [f"  - {f.describe(self.baseline.path)}" for f in self.failures]
        elif self.budgets:
            lines.append(
                f"{plural(len(self.budgets), 'budget')} held: "
                + ", ".join(str(b) for b in self.budgets)
            )
        return lines

    def to_json(self) -> dict[str, Any]:
        """The report's ``comparison`` object (see the README's schema table)."""
        operations = []
        for name in sorted({*self.baseline.operations, *self.now}):
            before = self.baseline.operations.get(name)
            now = self.now.get(name)
            status = "new" if before is None else "gone" if now is None else "common"
            entry: dict[str, Any] = {
                "name": name,
                "status": status,
                "before": None if before is None else before.to_json(),
                "now": None if now is None else now.to_json(),
            }
            if before is not None and now is not None:
                entry["change"] = {
                    "size": _difference(before.largest_size, now.largest_size),
                    "size_percent": _json_percent(
                        percent_change(before.largest_size, now.largest_size)
                    ),
                    "decoded": _difference(before.largest_decoded_size, now.largest_decoded_size),
                    "decoded_percent": _json_percent(
                        percent_change(before.largest_decoded_size, now.largest_decoded_size)
                    ),
                    "requests": now.requests - before.requests,
                    "requests_percent": _json_percent(
                        percent_change(before.requests, now.requests)
                    ),
                }
            operations.append(entry)
        return {
            "baseline": self.baseline.path,
            "baseline_version": self.baseline.version,
            "budgets": [str(b) for b in self.budgets],
            "passed": self.passed,
            "failures": [failure.to_json() for failure in self.failures],
            "operations": operations,
        }


def baseline_of_comparison(data: Mapping[str, Any], where: str) -> tuple[Baseline, list[str]]:
    """The baseline and budgets a report's ``comparison`` object was made with."""
    try:
        operations = {
            str(entry["name"]): Side.from_json(entry["before"])
            for entry in data["operations"]
            if entry.get("before") is not None
        }
        budgets = [str(b) for b in data["budgets"]]
        baseline = Baseline(str(data["baseline"]), str(data["baseline_version"]), operations)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ReportError(f'{where}: "comparison" is not one botowire wrote ({exc!r})') from None
    return baseline, budgets


def _bytes(value: int | None) -> str:
    return "unknown" if value is None else f"{value:,}"


def _change(before: int | None, now: int | None) -> str:
    difference = _difference(before, now)
    if difference is None:
        return "unknown"
    if difference == 0:
        return "0"
    return f"{signed_bytes(difference)} ({_percent_text(percent_change(before, now))})"
