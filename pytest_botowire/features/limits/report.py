"""The terminal summary, the JSON report, and their pytest-xdist plumbing.

``collect(item, recorder)`` is called when a test's recorder stops: it folds the test's
requests into the run's ``Collector``, which keeps a few numbers per operation (and, only when
a report is asked for, a few numbers per request), never a body or a header. Under
pytest-xdist each worker ships its ``Collector`` to the controller in
``config.workeroutput["botowire"]`` and the controller merges them in
``pytest_testnodedown``; the summary and the report come from the controller alone.
"""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Callable, Generator, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from pytest_botowire.features.limits.rules import Check
from pytest_botowire.model.messages import LIMITS_DOCS, amount, bullet_lines, plural

if TYPE_CHECKING:
    from pytest_botowire.capture.recorder import Recorder
    from pytest_botowire.features.limits.compare import Comparison
    from pytest_botowire.features.limits.suite import SuiteLimits

#: the version of the JSON report's layout (``"schema"``); bumped on incompatible changes
#: (``compare.READABLE_SCHEMAS`` lists the ones read back)
REPORT_SCHEMA = 1
COLLECTOR_KEY = pytest.StashKey["Collector"]()
_WORKER_KEY = "botowire"


# --------------------------------------------------------------------------- aggregation


def _ratio(value: int, limit: int) -> float:
    if limit == 0:
        return 0.0 if value == 0 else math.inf
    return value / limit


def headroom_percent(value: int, limit: int) -> float | None:
    """How far under ``limit`` a ``value`` stays, in percent of the limit, rounded down.

    Negative when over the limit; ``None`` for a zero limit.
    """
    if limit == 0:
        return None
    return math.floor((limit - value) * 1000 / limit) / 10


@dataclasses.dataclass(slots=True)
class LimitStat:
    """The largest value one rule measured for an operation."""

    rule: str
    measure: str
    limit: int
    unit: str
    source: str
    value: int | None = None

    def fold(self, value: int | None) -> None:
        """Keep the larger of the two values."""
        if value is not None and (self.value is None or value > self.value):
            self.value = value

    def to_json(self) -> dict[str, Any]:
        """``{"rule", "measure", "value", "limit", "unit"}`` (the report's limit object)."""
        return {
            "rule": self.rule,
            "measure": self.measure,
            "value": self.value,
            "limit": self.limit,
            "unit": self.unit,
        }

    @property
    def breached(self) -> bool:
        """Measured over the limit."""
        return self.value is not None and self.value > self.limit


def binding(stats: Iterable[LimitStat]) -> LimitStat | None:
    """The limit with the least headroom (measured ones first), or ``None`` when none."""
    best: LimitStat | None = None
    best_ratio = -1.0
    for stat in stats:
        ratio = -0.5 if stat.value is None else _ratio(stat.value, stat.limit)
        if best is None or ratio > best_ratio:
            best, best_ratio = stat, ratio
    return best


def _stat_of(check: Check) -> LimitStat:
    rule = check.rule
    return LimitStat(rule.id, rule.measure, rule.limit, rule.unit, rule.source, check.value)


@dataclasses.dataclass
class OperationStats:
    """What the summary says about one ``service.Operation``."""

    service: str
    operation: str
    requests: int = 0
    largest_size: int | None = None
    largest_decoded_size: int | None = None
    gzipped: int = 0
    breaches: int = 0
    limits: dict[tuple[str, int], LimitStat] = dataclasses.field(default_factory=dict)

    @property
    def name(self) -> str:
        """``"service.Operation"``."""
        return f"{self.service}.{self.operation}"

    def add(self, size: int | None, decoded: int | None, gzipped: bool, breached: bool) -> None:
        """Count one request."""
        self.requests += 1
        self.largest_size = _larger(self.largest_size, size)
        self.largest_decoded_size = _larger(self.largest_decoded_size, decoded)
        self.gzipped += gzipped
        self.breaches += breached

    def fold(self, stat: LimitStat) -> None:
        """Keep the largest value measured for a rule."""
        key = (stat.rule, stat.limit)
        mine = self.limits.get(key)
        if mine is None:
            self.limits[key] = dataclasses.replace(stat)
        else:
            mine.fold(stat.value)

    def merge(self, other: OperationStats) -> None:
        """Fold in another worker's numbers for the same operation."""
        self.requests += other.requests
        self.largest_size = _larger(self.largest_size, other.largest_size)
        self.largest_decoded_size = _larger(self.largest_decoded_size, other.largest_decoded_size)
        self.gzipped += other.gzipped
        self.breaches += other.breaches
        for stat in other.limits.values():
            self.fold(stat)

    @property
    def binding(self) -> LimitStat | None:
        """The applicable limit with the least headroom."""
        return binding(self.limits.values())

    def to_json(self) -> dict[str, Any]:
        """The report's entry for this operation."""
        limit = self.binding
        return {
            "name": self.name,
            "service": self.service,
            "operation": self.operation,
            "requests": self.requests,
            "largest_size": self.largest_size,
            "largest_decoded_size": self.largest_decoded_size,
            "gzipped": self.gzipped,
            "gzipped_share": round(self.gzipped / self.requests, 4) if self.requests else 0.0,
            "breaches": self.breaches,
            "limit": None if limit is None else limit.to_json(),
            "source": None if limit is None else limit.source,
            "headroom_percent": (
                None
                if limit is None or limit.value is None
                else headroom_percent(limit.value, limit.limit)
            ),
            "limits": [
                {**stat.to_json(), "source": stat.source}
                for stat in sorted(self.limits.values(), key=lambda s: (s.rule, s.limit))
            ],
        }

    @classmethod
    def from_report(cls, entry: Mapping[str, Any]) -> OperationStats:
        """An operation entry of a report read back (every rule when the report has them)."""
        stats = cls(
            entry["service"],
            entry["operation"],
            requests=entry["requests"],
            largest_size=entry.get("largest_size"),
            largest_decoded_size=entry.get("largest_decoded_size"),
            gzipped=entry["gzipped"],
            breaches=entry["breaches"],
        )
        limits = entry.get("limits")
        if limits is None:  # a report written before "limits": only the binding rule
            binding_rule = entry.get("limit")
            limits = [] if binding_rule is None else [{**binding_rule, "source": entry["source"]}]
        for data in limits:
            stats.fold(
                LimitStat(
                    data["rule"],
                    data["measure"],
                    data["limit"],
                    data["unit"],
                    str(data.get("source") or ""),
                    data.get("value"),
                )
            )
        return stats

    def to_wire(self) -> dict[str, Any]:
        """Plain data for ``workeroutput`` (every rule kept, not only the binding one)."""
        data = dataclasses.asdict(self)
        data["limits"] = [dataclasses.asdict(stat) for stat in self.limits.values()]
        return data

    @classmethod
    def from_wire(cls, data: dict[str, Any]) -> OperationStats:
        """The inverse of ``to_wire``."""
        fields = dict(data)
        limits = [LimitStat(**stat) for stat in fields.pop("limits")]
        stats = cls(**fields)
        for stat in limits:
            stats.fold(stat)
        return stats


def _larger(a: int | None, b: int | None) -> int | None:
    if a is None:
        return b
    if b is None:
        return a
    return max(a, b)


class RequestRow:
    """The few numbers the report keeps about one request (never a body or a header)."""

    __slots__ = (
        "attempt",
        "breaches",
        "decoded_size",
        "encodings",
        "limit",
        "operation",
        "service",
        "size",
        "test",
    )

    def __init__(
        self,
        test: str,
        service: str,
        operation: str,
        attempt: int,
        size: int | None,
        decoded_size: int | None,
        encodings: tuple[str, ...],
        limit: LimitStat | None,
        breaches: tuple[str, ...],
    ) -> None:
        self.test = test
        self.service = service
        self.operation = operation
        self.attempt = attempt
        self.size = size
        self.decoded_size = decoded_size
        self.encodings = encodings
        self.limit = limit
        self.breaches = breaches

    def to_json(self) -> dict[str, Any]:
        """The report's entry for this request."""
        return {
            "test": self.test,
            "service": self.service,
            "operation": self.operation,
            "attempt": self.attempt,
            "size": self.size,
            "decoded_size": self.decoded_size,
            "encodings": list(self.encodings),
            "limit": None if self.limit is None else self.limit.to_json(),
            "source": None if self.limit is None else self.limit.source,
            "passed": not self.breaches,
            "breaches": list(self.breaches),
        }


class Collector:
    """The run's captured requests, reduced to the summary's and the report's numbers."""

    def __init__(self, keep_rows: bool) -> None:
        #: keep one ``RequestRow`` per request (only for the JSON report)
        self.keep_rows = keep_rows
        self.operations: dict[str, OperationStats] = {}
        self.rows: list[RequestRow | dict[str, Any]] = []
        self.requests = 0
        self.tests = 0
        #: breaches no test failure reported (sent in teardown, or by a skipped test)
        self.unreported = 0
        #: the first of them, named with the test that sent them, for the summary
        self.unreported_items: list[str] = []
        #: the summary's rows: one per operation and set of limits its requests were checked
        #: against (keyed ``(operation name, ((rule id, limit), ...))``)
        self.by_rules: dict[tuple[str, tuple[tuple[str, int], ...]], OperationStats] = {}
        #: the run beside a baseline (``--botowire-compare``), once computed
        self.comparison: Comparison | None = None

    def __bool__(self) -> bool:
        return self.requests > 0

    def add(self, test_id: str, request: Any, checks: Sequence[Check], reported: bool) -> None:
        """Fold one captured request and its limit checks in."""
        service, operation = request.service, request.operation
        name = f"{service}.{operation}"
        stats = self.operations.get(name)
        if stats is None:
            stats = self.operations[name] = OperationStats(service, operation)
        breaches = tuple(check.rule.id for check in checks if check.breached)
        encodings = tuple(request.encodings)
        size = request.size
        try:
            decoded = request.decoded_size
        except Exception:
            decoded = None
        # From what the bytes are: S3 stores Content-Encoding as metadata over any bytes.
        try:
            gzipped = request.gzipped
        except Exception:
            gzipped = None
        if gzipped is None:
            gzipped = "gzip" in encodings or "x-gzip" in encodings
        stats.add(size, decoded, gzipped, bool(breaches))
        limit_stats = [_stat_of(check) for check in checks]
        for stat in limit_stats:
            stats.fold(stat)
        rules = tuple(sorted((stat.rule, stat.limit) for stat in limit_stats))
        row = self.by_rules.get((name, rules))
        if row is None:
            row = self.by_rules[name, rules] = OperationStats(service, operation)
        row.add(size, decoded, gzipped, bool(breaches))
        for stat in limit_stats:
            row.fold(stat)
        self.requests += 1
        if breaches and not reported:
            self.unreported += 1
            if len(self.unreported_items) < _MAX_UNREPORTED:
                over = "; ".join(_short(check) for check in checks if check.breached)
                sent = f"{name} (attempt {request.attempt}), {_bytes(size)} bytes on the wire"
                self.unreported_items.append(f"{test_id} sent {sent}: {over}")
        if self.keep_rows:
            self.rows.append(
                RequestRow(
                    test_id,
                    service,
                    operation,
                    int(request.attempt),
                    size,
                    decoded,
                    encodings,
                    binding(limit_stats),
                    breaches,
                )
            )

    # -- xdist ------------------------------------------------------------------------
    def to_wire(self) -> dict[str, Any]:
        """Plain data a worker sends to the controller."""
        return {
            "requests": self.requests,
            "tests": self.tests,
            "unreported": self.unreported,
            "unreported_items": self.unreported_items,
            "operations": [stats.to_wire() for stats in self.operations.values()],
            "by_rules": self._by_rules_wire(),
            "rows": [row.to_json() if isinstance(row, RequestRow) else row for row in self.rows],
        }

    def _by_rules_wire(self) -> list[dict[str, Any]]:
        return [
            {"rules": [list(pair) for pair in rules], "stats": stats.to_wire()}
            for (_, rules), stats in self.by_rules.items()
        ]

    def merge(self, data: dict[str, Any]) -> None:
        """Fold in what one worker sent."""
        self.requests += int(data.get("requests", 0))
        self.tests += int(data.get("tests", 0))
        self.unreported += int(data.get("unreported", 0))
        room = _MAX_UNREPORTED - len(self.unreported_items)
        self.unreported_items.extend(list(data.get("unreported_items", ()))[: max(room, 0)])
        for entry in data.get("by_rules", ()):
            stats = OperationStats.from_wire(entry["stats"])
            key = (stats.name, tuple((str(rule), int(limit)) for rule, limit in entry["rules"]))
            mine = self.by_rules.get(key)
            if mine is None:
                self.by_rules[key] = stats
            else:
                mine.merge(stats)
        for entry in data.get("operations", ()):
            stats = OperationStats.from_wire(entry)
            mine = self.operations.get(stats.name)
            if mine is None:
                self.operations[stats.name] = stats
            else:
                mine.merge(stats)
        if self.keep_rows:
            self.rows.extend(data.get("rows", ()))

    def merge_report(self, report: Mapping[str, Any]) -> None:
        """Fold in a JSON report read back (checked by ``compare.read_report``)."""
        totals = report["totals"]
        self.requests += int(totals.get("requests", 0))
        self.tests += int(totals.get("tests", 0))
        self.unreported += int(totals.get("unreported_breaches", 0))
        operations = [OperationStats.from_report(entry) for entry in report["operations"]]
        for stats in operations:
            mine = self.operations.get(stats.name)
            if mine is None:
                self.operations[stats.name] = OperationStats.from_wire(stats.to_wire())
            else:
                mine.merge(stats)
        summary = report.get("summary")
        if summary is not None:
            self.merge({"by_rules": summary["rows"], "unreported_items": summary["unreported"]})
        else:  # a report written before "summary": one row per operation
            for stats in operations:
                rules = tuple(sorted(stats.limits))
                mine = self.by_rules.get((stats.name, rules))
                if mine is None:
                    self.by_rules[stats.name, rules] = stats
                else:
                    mine.merge(stats)
        if self.keep_rows:
            self.rows.extend(report["requests"])

    # -- output -----------------------------------------------------------------------
    def ordered(self) -> list[OperationStats]:
        """Operations with breaches first, then by least headroom, then by name."""
        return sorted(self.operations.values(), key=_order)

    def summary_rows(self) -> list[OperationStats]:
        """The summary's rows: one per operation and limit, each limit true of all its requests.

        Requests checked against different rules (a test with a ``max_payload`` marker, an
        operation whose rules depend on its parameters, like Lambda's ``Event`` invocations)
        are counted apart, so a row never shows one request's size against a limit that did
        not apply to it. Sets of rules that end up bound by the same limit share a row. Rows
        of one operation stay together; breaches come first, then the least headroom.
        """
        merged: dict[tuple[str, str, int], OperationStats] = {}
        for (name, _), stats in self.by_rules.items():
            limit = stats.binding
            key = (name, "", 0) if limit is None else (name, limit.rule, limit.limit)
            row = merged.get(key)
            if row is None:
                merged[key] = OperationStats.from_wire(stats.to_wire())
            else:
                row.merge(stats)
        rows = sorted(merged.values(), key=_order)
        first: dict[str, int] = {}
        for index, row in enumerate(rows):
            first.setdefault(row.name, index)
        return sorted(rows, key=lambda row: first[row.name])

    def report(self) -> dict[str, Any]:
        """The JSON report (see the README's "JSON report" section for the schema)."""
        from pytest_botowire._version import __version__

        return {
            "schema": REPORT_SCHEMA,
            "botowire_version": __version__,
            "totals": {
                "tests": self.tests,
                "requests": self.requests,
                "breaches": sum(stats.breaches for stats in self.operations.values()),
                "unreported_breaches": self.unreported,
            },
            "summary": {
                "rows": self._by_rules_wire(),
                "unreported": list(self.unreported_items),
            },
            "requests": [
                row.to_json() if isinstance(row, RequestRow) else row for row in self.rows
            ],
            "operations": [stats.to_json() for stats in self.ordered()],
            **({} if self.comparison is None else {"comparison": self.comparison.to_json()}),
        }

    def write_report(self, path: Path) -> None:
        """Write the JSON report, one request per line."""
        data = self.report()
        requests = data.pop("requests")
        operations = data.pop("operations")
        comparison = data.pop("comparison", None)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", encoding="utf-8") as out:
            out.write("{\n")
            for key, value in data.items():
                out.write(f"  {json.dumps(key)}: {json.dumps(value)},\n")
            for key, entries, last in (
                ("requests", requests, False),
                ("operations", operations, comparison is None),
            ):
                out.write(f'  "{key}": [')
                for index, entry in enumerate(entries):
                    out.write(",\n    " if index else "\n    ")
                    out.write(json.dumps(entry))
                out.write("\n  ]" if entries else "]")
                out.write("\n" if last else ",\n")
            if comparison is not None:
                out.write(f'  "comparison": {json.dumps(comparison)}\n')
            out.write("}\n")


_MAX_UNREPORTED = 10


def _order(stats: OperationStats) -> tuple[int, float, str]:
    """Breaches first, then the least headroom, then the name."""
    limit = stats.binding
    ratio = 0.0 if limit is None or limit.value is None else limit.value / max(1, limit.limit)
    return (0 if stats.breaches else 1, -ratio, stats.name)


def _short(check: Check) -> str:
    """``[rule] 12 entries, over the limit of 10``: a breach without its description."""
    rule = check.rule
    value = "not measurable" if check.value is None else plural(check.value, rule.unit)
    return f"[{rule.id}] {value}, over the limit of {rule.limit}"


def collect(item: pytest.Item, recorder: Recorder) -> None:
    """Fold a test's captured requests into the run's summary (when its recorder stops)."""
    collector = item.config.stash.get(COLLECTOR_KEY, None)
    if collector is None:
        return
    from pytest_botowire.features.checks import CHECKED_KEY, item_limits

    checked = item.stash.get(CHECKED_KEY, None)
    if CHECKED_KEY in item.stash:
        del item.stash[CHECKED_KEY]
    requests = list(recorder.requests)
    if not requests:
        return
    limits = None
    collector.tests += 1
    for request in requests:
        checks = None if checked is None else checked.get(id(request))
        reported = checks is not None
        if checks is None:
            if limits is None:
                limits = item_limits(item)
            checks = limits.check(request)
        collector.add(item.nodeid, request, checks, reported)


# --------------------------------------------------------------------------- the summary


_UNKNOWN = "unknown"


def _bytes(value: int | None) -> str:
    return _UNKNOWN if value is None else f"{value:,}"


def _limit_cell(limit: LimitStat | None) -> str:
    if limit is None:
        return "-"
    return f"{amount(limit.limit, limit.unit)} ({limit.rule})"


def _headroom_cell(limit: LimitStat | None) -> str:
    if limit is None:
        return "-"
    if limit.value is None:
        return "not measured"
    if limit.breached:
        return f"OVER by {amount(limit.value - limit.limit, limit.unit)}"
    percent = headroom_percent(limit.value, limit.limit)
    return "-" if percent is None else f"{percent:.1f}%"


def summary_lines(collector: Collector, report_path: Path | None) -> list[str]:
    """The lines of the terminal summary's "botowire" section (without its title)."""
    ops = collector.operations
    breaches = sum(stats.breaches for stats in ops.values())
    headline = (
        f"{plural(collector.requests, 'request')} to {plural(len(ops), 'operation')} "
        f"captured in {plural(collector.tests, 'test')}"
    )
    if breaches:
        headline += f"; {plural(breaches, 'request')} over a limit"
    lines = [headline]
    header = ("operation", "requests", "over limit", "largest on wire", "largest decoded",
              "gzipped", "limit", "headroom")  # fmt: skip
    rows = [header]
    for stats in collector.summary_rows():
        limit = stats.binding
        gzipped = round(100 * stats.gzipped / stats.requests) if stats.requests else 0
        rows.append(
            (
                stats.name,
                str(stats.requests),
                str(stats.breaches),
                _bytes(stats.largest_size),
                _bytes(stats.largest_decoded_size),
                f"{gzipped}%",
                _limit_cell(limit),
                _headroom_cell(limit),
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    right = {1, 2, 3, 4, 5}
    for row in rows:
        cells = [
            cell.rjust(widths[i]) if i in right else cell.ljust(widths[i])
            for i, cell in enumerate(row)
        ]
        lines.append("  ".join(cells).rstrip())
    if any(_UNKNOWN in (row[3], row[4]) for row in rows):
        lines.append(
            f"{_UNKNOWN}: no request of the row had a body size that could be measured (on the "
            "wire: the body was not seen; decoded: its Content-Encoding could not be removed); "
            "CapturedRequest.note and content_error say why"
        )
    if collector.unreported:
        lines.append(
            f"{plural(collector.unreported, 'request')} over a limit failed no test (sent in "
            "teardown or by a test that did not finish): the run fails"
        )
        lines.extend(bullet_lines(collector.unreported_items, collector.unreported))
    if collector.comparison is not None:
        lines += collector.comparison.lines()
    if report_path is not None:
        lines.append(f"report: {report_path}")
    lines.append(
        f"Hint: botowire.limit_for(request) tells which limit applies and why; see {LIMITS_DOCS}"
    )
    return lines


def _is_worker(config: pytest.Config) -> bool:
    return hasattr(config, "workerinput")


class ReportingPlugin:
    """The hooks behind the summary, the report and the xdist merge (one per run)."""

    def __init__(self, config: pytest.Config, limits: SuiteLimits) -> None:
        self.config = config
        self.limits = limits
        self.collector = Collector(keep_rows=limits.report_path is not None)
        #: why the report could not be written, for the summary
        self.report_error: str | None = None
        #: more outputs written at the end of the run: (what, path, writer), added by the
        #: plugin (the Markdown summary)
        self.writers: list[tuple[str, Path, Callable[[Collector, Path], None]]] = []
        config.stash[COLLECTOR_KEY] = self.collector

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(
        self, item: pytest.Item, call: pytest.CallInfo[None]
    ) -> Generator[None, pytest.TestReport, pytest.TestReport]:
        """A test body that raised skipped the end-of-test checks: add its breaches to the report.

        The code under test often fails because AWS (or moto) rejected an oversized request;
        the failure then also names the limit, in a "botowire limits" section.
        """
        report = yield
        if call.when == "call" and report.failed:
            from pytest_botowire.features.checks import CHECKED_KEY, limit_problem
            from pytest_botowire.features.settings import RECORDER_KEY
            from pytest_botowire.features.settings import options as _options

            recorder = item.stash.get(RECORDER_KEY, None)
            if recorder is not None and CHECKED_KEY not in item.stash:
                message = limit_problem(item, list(recorder.requests), _options(item))
                if message:
                    report.sections.append(("botowire limits", message))
        return report

    @pytest.hookimpl(optionalhook=True)
    def pytest_testnodedown(self, node: Any, error: object) -> None:
        """On the xdist controller: merge what a worker captured."""
        data = getattr(node, "workeroutput", {}).get(_WORKER_KEY)
        if data:
            self.collector.merge(data)

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        """Ship the numbers (worker) or write the report and fail on unreported breaches."""
        config = session.config
        if _is_worker(config):
            workeroutput: dict[str, Any] = config.workeroutput  # type: ignore[attr-defined]
            workeroutput[_WORKER_KEY] = self.collector.to_wire()
            return
        limits = self.limits
        if limits.baseline is not None:
            from pytest_botowire.features.limits.compare import Comparison

            self.collector.comparison = Comparison.of(
                limits.baseline, self.collector, limits.budgets
            )
        path = limits.report_path
        if path is not None:
            try:
                self.collector.write_report(path)
            except OSError as exc:
                self.report_error = f"botowire: could not write the report to {path}: {exc}"
        for what, out, write in self.writers:
            try:
                write(self.collector, out)
            except OSError as exc:
                self.report_error = f"botowire: could not write the {what} to {out}: {exc}"
        comparison = self.collector.comparison
        failed = (
            self.collector.unreported
            or self.report_error
            or (comparison is not None and not comparison.passed)
        )
        if failed and session.exitstatus == pytest.ExitCode.OK:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        """The "botowire" section: one row per operation, breaches first."""
        if _is_worker(self.config):
            return
        if self.collector or self.collector.comparison is not None:
            terminalreporter.write_sep("=", "botowire")
            for line in summary_lines(self.collector, self.limits.report_path):
                terminalreporter.write_line(line)
        if self.report_error:
            terminalreporter.write_line(self.report_error, red=True)
