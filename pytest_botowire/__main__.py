"""``python -m pytest_botowire``: merge, summarise and compare JSON reports outside pytest.

* ``merge -o OUT.json IN.json...``: fold the reports of CI shards into the report one run
  would have written;
* ``summary REPORT.json [--markdown]``: print the terminal summary (or its Markdown form);
* ``compare OLD.json NEW.json [--fail EXPR]...``: print the comparison; exit 1 when a budget
  fails.

Exit statuses: 0 done, 1 a budget failed (``compare``) or the output could not be written,
2 a usage error or a report that cannot be read (one line on stderr, never a traceback).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

PROG = "python -m pytest_botowire"


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        # argparse's convention: usage on stderr, then one line, status 2
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: error: {message}\n")


def _parser() -> argparse.ArgumentParser:
    from pytest_botowire._version import __version__
    from pytest_botowire.features.limits.compare import BUDGET_FORMS

    parser = _Parser(
        prog=PROG,
        description="Merge, summarise and compare pytest-botowire JSON reports "
        "(written by pytest --botowire-report=PATH).",
    )
    parser.add_argument("--version", action="version", version=f"pytest-botowire {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    commands.required = True
    merge = commands.add_parser(
        "merge",
        help="merge the reports of CI shards into one",
        description="Merge the reports of CI shards (each with its own xdist workers) into the "
        "report one run of the whole suite would have written.",
    )
    merge.add_argument("-o", "--output", required=True, metavar="OUT.json", help="where to write")
    merge.add_argument("reports", nargs="+", metavar="IN.json", help="the shards' reports")
    summary = commands.add_parser(
        "summary",
        help="print the terminal summary of a report",
        description="Print the botowire terminal summary from a report.",
    )
    summary.add_argument("report", metavar="REPORT.json")
    summary.add_argument("--markdown", action="store_true", help="print the Markdown form instead")
    compare = commands.add_parser(
        "compare",
        help="compare a report with a baseline; exit 1 when a budget fails",
        description="Compare each operation's largest body and request count in NEW with OLD.",
    )
    compare.add_argument("baseline", metavar="OLD.json")
    compare.add_argument("report", metavar="NEW.json")
    compare.add_argument(
        "--fail",
        action="append",
        default=[],
        metavar="EXPR",
        help="a budget, repeatable: " + BUDGET_FORMS.replace("%", "%%"),
    )
    return parser


def _fail(message: str, status: int = 2) -> NoReturn:
    sys.stderr.write(f"{PROG}: error: {message}\n")
    raise SystemExit(status)


def _read(path: str) -> dict[str, Any]:
    from pytest_botowire.features.limits.compare import ReportError, read_report

    try:
        return read_report(path)
    except ReportError as exc:
        _fail(str(exc))


def _with_comparison(report: dict[str, Any], where: str) -> Any:
    """The report's numbers, with its comparison (if any) rebuilt from what it recorded."""
    from pytest_botowire.features.limits.compare import (
        Comparison,
        ReportError,
        baseline_of_comparison,
        parse_budgets,
    )
    from pytest_botowire.features.limits.merge import collector_of

    try:
        collector = collector_of(report, where)
    except ReportError as exc:
        _fail(str(exc))
    data = report.get("comparison")
    if data is not None:
        try:
            baseline, budgets = baseline_of_comparison(data, where)
            parsed = parse_budgets(budgets, f"{where} budgets")
        except (ReportError, ValueError) as exc:
            _fail(str(exc))
        collector.comparison = Comparison.of(baseline, collector, parsed)
    return collector


def _merge(args: argparse.Namespace) -> int:
    from pytest_botowire.features.limits.compare import ReportError
    from pytest_botowire.features.limits.merge import merge_reports

    reports = [(path, _read(path)) for path in args.reports]
    try:
        collector = merge_reports(reports)
    except ReportError as exc:
        _fail(str(exc))
    out = Path(args.output)
    try:
        collector.write_report(out)
    except OSError as exc:
        _fail(f"could not write {out}: {exc.strerror or exc}", status=1)
    return 0


def _summary(args: argparse.Namespace) -> int:
    from pytest_botowire.features.limits.markdown import markdown_summary
    from pytest_botowire.features.limits.report import summary_lines

    collector = _with_comparison(_read(args.report), args.report)
    if args.markdown:
        sys.stdout.write(markdown_summary(collector))
    else:
        sys.stdout.write("\n".join(summary_lines(collector, None)) + "\n")
    return 0


def _compare(args: argparse.Namespace) -> int:
    from pytest_botowire.features.limits.compare import (
        Baseline,
        Comparison,
        ReportError,
        parse_budgets,
    )
    from pytest_botowire.features.limits.merge import collector_of

    try:
        budgets = parse_budgets(args.fail, "--fail")
    except ValueError as exc:
        _fail(str(exc))
    baseline = Baseline.from_report(_read(args.baseline), args.baseline)
    try:
        collector = collector_of(_read(args.report), args.report)
    except ReportError as exc:
        _fail(str(exc))
    comparison = Comparison.of(baseline, collector, budgets)
    sys.stdout.write("\n".join(comparison.lines(consequence="exit status 1")) + "\n")
    return 0 if comparison.passed else 1


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; return the exit status."""
    args = _parser().parse_args(argv)
    command = {"merge": _merge, "summary": _summary, "compare": _compare}[args.command]
    try:
        return command(args)
    except BrokenPipeError:  # `... | head`
        return 0


if __name__ == "__main__":
    sys.exit(main())
