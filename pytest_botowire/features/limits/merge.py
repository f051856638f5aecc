"""Reports of CI shards merged into the report one run of the whole suite would have written."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pytest_botowire.features.limits.compare import (
    Comparison,
    ReportError,
    baseline_of_comparison,
    parse_budget,
)
from pytest_botowire.features.limits.report import Collector


def _fold(collector: Collector, report: Mapping[str, Any], where: str) -> None:
    try:
        collector.merge_report(report)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        # read_report checked every key this reads; a report edited by hand may still differ
        raise ReportError(f"{where}: not a report this botowire reads ({exc!r})") from None


def collector_of(report: Mapping[str, Any], where: str) -> Collector:
    """A ``Collector`` holding a checked report's numbers (for the summary and merges)."""
    collector = Collector(keep_rows=True)
    _fold(collector, report, where)
    return collector


def merge_reports(reports: Sequence[tuple[str, Mapping[str, Any]]]) -> Collector:
    """Fold checked reports of CI shards, in order, into one ``Collector``.

    Raises ``ReportError`` when they cannot come from one run: written by different
    versions, or compared with different baselines or budgets.
    """
    if not reports:
        raise ReportError("no report to merge")
    first_name, first = reports[0]
    version = first.get("botowire_version")
    for name, report in reports[1:]:
        if report.get("botowire_version") != version:
            raise ReportError(
                f"{name} was written by botowire {report.get('botowire_version')}, {first_name} "
                f"by {version}: merge reports of one version"
            )
    collector = Collector(keep_rows=True)
    for name, report in reports:
        _fold(collector, report, name)
    compared = [(name, report.get("comparison")) for name, report in reports]
    with_comparison = [(name, data) for name, data in compared if data is not None]
    if with_comparison:
        if len(with_comparison) != len(reports):
            missing = next(name for name, data in compared if data is None)
            raise ReportError(
                f"{missing} has no comparison and {with_comparison[0][0]} has one: merge "
                "reports of shards run with the same --botowire-compare"
            )
        name, data = with_comparison[0]
        baseline, budgets = baseline_of_comparison(data, name)
        for other_name, other in with_comparison[1:]:
            other_baseline, other_budgets = baseline_of_comparison(other, other_name)
            if other_baseline != baseline or other_budgets != budgets:
                raise ReportError(
                    f"{other_name} was compared with another baseline or budgets than {name}: "
                    "merge reports of shards run with the same --botowire-compare"
                )
        parsed = [parse_budget(text, f"{name} budgets") for text in budgets]
        collector.comparison = Comparison.of(baseline, collector, parsed)
    return collector
