"""The summary as Markdown, for a pull request page (GitHub job summary, GitLab reports).

Breaches and failed budgets come first, then one row per operation with its headroom and the
binding rule linked to the AWS page it comes from, then the comparison with a baseline.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from pytest_botowire.features.limits.report import (
    Collector,
    LimitStat,
    summary_lines,
)
from pytest_botowire.features.limits.report import _headroom_cell as headroom_cell
from pytest_botowire.model.messages import LIMITS_DOCS, amount, plural


def _cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def _table(header: Sequence[str], rows: Sequence[Sequence[str]], right: set[int]) -> list[str]:
    lines = ["| " + " | ".join(_cell(h) for h in header) + " |"]
    lines.append("|" + "|".join("---:" if i in right else "---" for i in range(len(header))) + "|")
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return lines


def _rule_cell(limit: LimitStat | None) -> str:
    if limit is None:
        return "-"
    rule = f"`{limit.rule}`"
    if limit.source.startswith(("https://", "http://")):
        url, _, rest = limit.source.partition(" ")
        rule = f"[{limit.rule}]({url})" + (f" {rest}" if rest else "")
    elif limit.source:
        rule += f" ({limit.source})"
    return rule


def _bytes(value: int | None) -> str:
    return "unknown" if value is None else f"{value:,}"


def _limit(limit: LimitStat | None) -> str:
    return "-" if limit is None else amount(limit.limit, limit.unit)


def markdown_summary(collector: Collector) -> str:
    """The Markdown text of the summary (ends with a newline)."""
    ops = collector.summary_rows()
    lines = ["## botowire", "", summary_lines(collector, None)[0], ""]
    breached = [stats for stats in ops if stats.breaches]
    comparison = collector.comparison
    if breached:
        lines.append(f"**{plural(sum(s.breaches for s in breached), 'request')} over a limit**")
        lines.append("")
        lines += _table(
            ("operation", "over limit", "limit", "measured", "rule"),
            [
                (
                    f"**{stats.name}**",
                    str(stats.breaches),
                    _limit(stats.binding),
                    headroom_cell(stats.binding),
                    _rule_cell(stats.binding),
                )
                for stats in breached
            ],
            right={1},
        )
        lines.append("")
    if comparison is not None and comparison.failures:
        lines.append(
            f"**{plural(len(comparison.failures), 'budget')} failed** against the baseline "
            f"`{comparison.baseline.path}`"
        )
        lines.append("")
        lines += _table(
            ("operation", "budget", "baseline", "now", "change"),
            [
                (
                    f"**{failure.operation}**",
                    f"`{failure.budget}`",
                    f"{failure.before:,}",
                    f"{failure.now:,}",
                    failure.change_text(),
                )
                for failure in comparison.failures
            ],
            right={2, 3},
        )
        lines.append("")
    if collector.unreported:
        lines.append(
            f"{plural(collector.unreported, 'request')} over a limit failed no test (sent in "
            "teardown or by a test that did not finish): the run fails"
        )
        lines.append("")
    if ops:
        rows = []
        for stats in ops:
            limit = stats.binding
            gzipped = round(100 * stats.gzipped / stats.requests) if stats.requests else 0
            rows.append(
                (
                    f"**{stats.name}**" if stats.breaches else stats.name,
                    str(stats.requests),
                    str(stats.breaches),
                    _bytes(stats.largest_size),
                    _bytes(stats.largest_decoded_size),
                    f"{gzipped}%",
                    _limit(limit),
                    headroom_cell(limit),
                    _rule_cell(limit),
                )
            )
        lines += _table(
            (
                "operation",
                "requests",
                "over limit",
                "largest on wire",
                "largest decoded",
                "gzipped",
                "limit",
                "headroom",
                "rule",
            ),
            rows,
            right={1, 2, 3, 4, 5, 7},
        )
        lines.append("")
    if comparison is not None:
        lines.append(
            f"Compared with the baseline `{comparison.baseline.path}` "
            f"(botowire {comparison.baseline.version})"
        )
        lines.append("")
        if comparison.common:
            lines += _table(
                (
                    "operation",
                    "baseline on wire",
                    "change",
                    "baseline decoded",
                    "change",
                    "requests before",
                    "now",
                ),
                comparison.rows(),
                right={1, 2, 3, 4, 5, 6},
            )
            lines.append("")
        if comparison.new:
            lines.append("New operations: " + ", ".join(f"`{n}`" for n in comparison.new))
            lines.append("")
        if comparison.gone:
            lines.append("Gone operations: " + ", ".join(f"`{n}`" for n in comparison.gone))
            lines.append("")
        if comparison.budgets and comparison.passed:
            lines.append("Budgets held: " + ", ".join(f"`{b}`" for b in comparison.budgets))
            lines.append("")
    lines.append(f"[What the limits are and where they come from]({LIMITS_DOCS})")
    return "\n".join(lines) + "\n"


def write_markdown(collector: Collector, path: Path) -> None:
    """Write ``markdown_summary`` to ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(markdown_summary(collector), encoding="utf-8")
