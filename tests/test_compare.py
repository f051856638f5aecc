"""Payload budgets in CI: a baseline report, budgets on growth, the Markdown summary, shards.

Every run is a real pytest run (pytester) of an inline suite whose sizes and request counts
come from environment variables, so one suite is run twice: as the baseline, then grown.
The command line (``python -m pytest_botowire``) runs in a subprocess, as CI runs it.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

pytest_plugins = ["pytester"]

SUITE = """
import os
import boto3
from pytest_botowire.aws.serialize import serialize_response, to_aws_response

KEYS = dict(region_name="us-east-1", aws_access_key_id="AKIDEXAMPLE",
            aws_secret_access_key="not-a-real-secret")

def answered(name):
    c = boto3.client(name, **KEYS)

    def answer(request, event_name, **_):
        operation = c.meta.service_model.operation_model(event_name.rsplit(".", 1)[-1])
        return to_aws_response(request.url, serialize_response(operation, {}))

    c.meta.events.register("before-send", answer)
    return c

def test_invoke():
    # Lambda Invoke sends the payload as the whole body: its size is the body's size
    for _ in range(int(os.environ.get("BW_CALLS", "1"))):
        answered("lambda").invoke(FunctionName="f", Payload=b"x" * int(os.environ["BW_SIZE"]))

def test_other():
    if os.environ.get("BW_OTHER") == "sns":
        answered("sns").publish(TopicArn="arn:aws:sns:us-east-1:123456789012:t", Message="m")
    else:
        answered("sqs").list_queues()
"""

BASE_ENV = {"BW_SIZE": "1000", "BW_CALLS": "5", "BW_OTHER": "sqs"}


def run(
    pytester: pytest.Pytester,
    monkeypatch: pytest.MonkeyPatch,
    *args: str,
    subprocess: bool = False,
    **env: str,
) -> pytest.RunResult:
    for name, value in {**BASE_ENV, **env}.items():
        monkeypatch.setenv(name, value)
    runner = pytester.runpytest_subprocess if subprocess else pytester.runpytest
    return runner("-p", "no:cacheprovider", *args)


def baseline(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> Path:
    pytester.makepyfile(test_suite=SUITE)
    result = run(pytester, monkeypatch, "--botowire-report=base.json")
    result.assert_outcomes(passed=2)
    return pytester.path / "base.json"


def cli(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    return pytester.run(sys.executable, "-m", "pytest_botowire", *args)


def load(path: Path) -> Any:
    return json.loads(path.read_text("utf-8"))


# --------------------------------------------------------------------------- compare


def test_the_summary_compares_each_operation_with_the_baseline(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    base = baseline(pytester, monkeypatch)
    result = run(
        pytester, monkeypatch, "--botowire-compare=base.json", BW_SIZE="1100", BW_CALLS="6",
        BW_OTHER="sns",
    )  # fmt: skip
    result.assert_outcomes(passed=2)
    assert result.ret == 0
    result.stdout.fnmatch_lines(
        [
            f"compared with baseline {base} (botowire *)",
            "operation      baseline on wire         change  baseline decoded         change"
            "  requests before  now",
            "lambda.Invoke             1,000  +100 (+10.0%)             1,000  +100 (+10.0%)"
            "                5    6",
            "new (1 operation not in the baseline): sns.Publish",
            "gone (1 operation of the baseline not sent): sqs.ListQueues",
        ],
        consecutive=True,
    )
    result.stdout.no_fnmatch_line("*budget*")


def test_a_smaller_body_shows_a_negative_change(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    baseline(pytester, monkeypatch)
    result = run(
        pytester, monkeypatch, "--botowire-compare=base.json", "--botowire-compare-fail=size:0%",
        BW_SIZE="750",
    )  # fmt: skip
    assert result.ret == 0
    result.stdout.fnmatch_lines(
        [
            "lambda.Invoke *1,000  -250 (-25.0%) *1,000  -250 (-25.0%) *5    5",
            "1 budget held: size:0%",
        ]
    )


@pytest.mark.parametrize(
    ("budget", "env", "failure"),
    [
        ("size:10%", {"BW_SIZE": "1100"}, None),
        ("size:10%", {"BW_SIZE": "1101"},
         "lambda.Invoke: largest body on the wire grew by 101 bytes (+10.1%), 1,000 -> 1,101, "
         "over the budget size:10%"),
        ("size:+100", {"BW_SIZE": "1100"}, None),
        ("size:+100", {"BW_SIZE": "1101"},
         "lambda.Invoke: largest body on the wire grew by 101 bytes (+10.1%), 1,000 -> 1,101, "
         "over the budget size:+100"),
        ("decoded:10%", {"BW_SIZE": "1101"},
         "lambda.Invoke: largest decoded body grew by 101 bytes (+10.1%), 1,000 -> 1,101, "
         "over the budget decoded:10%"),
        ("decoded:+4096", {"BW_SIZE": "5096"}, None),
        ("requests:20%", {"BW_CALLS": "6"}, None),
        ("requests:20%", {"BW_CALLS": "7"},
         "lambda.Invoke: requests grew by 2 requests (+40.0%), 5 -> 7, over the budget "
         "requests:20%"),
        ("requests:+1", {"BW_CALLS": "6"}, None),
        ("requests:+1", {"BW_CALLS": "7"},
         "lambda.Invoke: requests grew by 2 requests (+40.0%), 5 -> 7, over the budget "
         "requests:+1"),
    ],
)  # fmt: skip
def test_a_budget_fails_the_run_only_past_it(
    pytester: pytest.Pytester,
    monkeypatch: pytest.MonkeyPatch,
    budget: str,
    env: dict[str, str],
    failure: str | None,
) -> None:
    base = baseline(pytester, monkeypatch)
    result = run(
        pytester, monkeypatch, "--botowire-compare=base.json", f"--botowire-compare-fail={budget}",
        "--botowire-report=new.json", **env,
    )  # fmt: skip
    result.assert_outcomes(passed=2)  # the tests passed; the run fails on the budget
    comparison = load(pytester.path / "new.json")["comparison"]
    assert comparison["budgets"] == [budget]
    if failure is None:
        assert result.ret == 0
        result.stdout.fnmatch_lines([f"1 budget held: {budget}"])
        assert comparison["passed"] is True
        assert comparison["failures"] == []
    else:
        assert result.ret == pytest.ExitCode.TESTS_FAILED
        result.stdout.fnmatch_lines(
            ["1 budget failed: the run fails", f"  - {failure} (baseline {base})"],
            consecutive=True,
        )
        assert comparison["passed"] is False
        (entry,) = comparison["failures"]
        assert entry["operation"] == "lambda.Invoke"
        assert entry["budget"] == budget


def test_budgets_are_repeatable_and_each_failure_is_listed(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    baseline(pytester, monkeypatch)
    result = run(
        pytester, monkeypatch, "--botowire-compare=base.json", "--botowire-compare-fail=size:5%",
        "--botowire-compare-fail=requests:+0", "--botowire-compare-fail=decoded:50%",
        BW_SIZE="1200", BW_CALLS="6",
    )  # fmt: skip
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(
        [
            "2 budgets failed: the run fails",
            "  - lambda.Invoke: largest body on the wire grew by 200 bytes (+20.0%)*size:5%*",
            "  - lambda.Invoke: requests grew by 1 request (+20.0%), 5 -> 6, over the budget "
            "requests:+0*",
        ],
        consecutive=True,
    )


def test_growth_from_an_empty_body_fails_a_percentage_budget(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytester.makepyfile(test_suite=SUITE)
    run(pytester, monkeypatch, "--botowire-report=base.json", BW_SIZE="0")
    result = run(
        pytester, monkeypatch, "--botowire-compare=base.json", "--botowire-compare-fail=size:1000%",
        BW_SIZE="1",
    )  # fmt: skip
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(["*largest body on the wire grew by 1 byte (from 0), 0 -> 1*"])


def test_the_ini_forms_read_paths_next_to_the_ini_file(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytester.makepyfile(test_suite=SUITE)
    (pytester.path / "ci").mkdir()
    run(pytester, monkeypatch, "--botowire-report=ci/base.json")
    pytester.makeini(
        "[pytest]\nbotowire_compare = ci/base.json\n"
        "botowire_compare_fail =\n    size:10%\n    requests:+0\n"
        "botowire_report_md = ci/summary.md\n"
    )
    sub = pytester.path / "sub"
    sub.mkdir()
    monkeypatch.chdir(sub)  # relative to the ini file, not to where pytest runs
    result = run(pytester, monkeypatch, str(pytester.path), BW_SIZE="1200")
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(
        [
            f"compared with baseline {pytester.path / 'ci' / 'base.json'} *",
            "*over the budget size:10%*",
        ]
    )
    assert "| **lambda.Invoke** | `size:10%` |" in (pytester.path / "ci/summary.md").read_text()


def test_the_report_records_the_comparison(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    base = baseline(pytester, monkeypatch)
    run(
        pytester, monkeypatch, "--botowire-compare=base.json", "--botowire-report=new.json",
        BW_SIZE="1100", BW_OTHER="sns",
    )  # fmt: skip
    report = load(pytester.path / "new.json")
    assert report["schema"] == 1
    comparison = report["comparison"]
    assert comparison["baseline"] == str(base)
    assert comparison["budgets"] == []
    assert comparison["passed"] is True
    by_name = {entry["name"]: entry for entry in comparison["operations"]}
    assert by_name["sns.Publish"]["status"] == "new"
    assert by_name["sns.Publish"]["before"] is None
    assert by_name["sqs.ListQueues"]["status"] == "gone"
    assert by_name["sqs.ListQueues"]["now"] is None
    invoke = by_name["lambda.Invoke"]
    assert invoke["status"] == "common"
    assert invoke["before"] == {"requests": 5, "largest_size": 1000, "largest_decoded_size": 1000}
    assert invoke["now"] == {"requests": 5, "largest_size": 1100, "largest_decoded_size": 1100}
    assert invoke["change"] == {
        "size": 100, "size_percent": 10.0, "decoded": 100, "decoded_percent": 10.0,
        "requests": 0, "requests_percent": 0.0,
    }  # fmt: skip


def test_compare_under_xdist_counts_every_worker(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytester.makepyfile(test_suite=SUITE, test_more=SUITE)
    run(pytester, monkeypatch, "-n", "2", "--botowire-report=base.json", subprocess=True)
    result = run(
        pytester, monkeypatch, "-n", "2", "--botowire-compare=base.json",
        "--botowire-compare-fail=requests:+4", "--botowire-report-md=summary.md",
        subprocess=True, BW_CALLS="8",
    )  # fmt: skip
    result.assert_outcomes(passed=4)
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(
        [
            "lambda.Invoke *1,000 *0 *1,000 *0 *10   16",
            "*lambda.Invoke: requests grew by 6 requests (+60.0%), 10 -> 16, over the budget "
            "requests:+4*",
        ]
    )
    markdown = (pytester.path / "summary.md").read_text("utf-8")
    assert "| **lambda.Invoke** | `requests:+4` | 10 | 16 | 6 requests (+60.0%) |" in markdown


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--botowire-compare=base.json", "--botowire-compare-fail=size:10"],
         "ERROR: --botowire-compare-fail: 'size:10' is not a budget; use size:PERCENT%, "
         "decoded:PERCENT%, requests:PERCENT% (growth over the baseline, e.g. size:10%) or "
         "size:+BYTES, decoded:+BYTES, requests:+COUNT (e.g. size:+4096)"),
        (["--botowire-compare=base.json", "--botowire-compare-fail=time:10%"],
         "ERROR: --botowire-compare-fail: 'time:10%' is not a budget; use *"),
        (["--botowire-compare=base.json", "--botowire-compare-fail=size:+1.5"],
         "ERROR: --botowire-compare-fail: 'size:+1.5' is not a budget; use *"),
        (["--botowire-compare-fail=size:10%"],
         "ERROR: --botowire-compare-fail needs a baseline: give --botowire-compare=PATH (or ini "
         "botowire_compare), a report written by --botowire-report"),
        (["--botowire-compare=missing.json"],
         "ERROR: --botowire-compare: */missing.json: no such file"),
        (["--botowire-compare=."],
         "ERROR: --botowire-compare='.' is a directory; give a report written by "
         "--botowire-report"),
        (["--botowire-compare=newer.json"],
         "ERROR: --botowire-compare: */newer.json: report schema 2 is newer than this botowire "
         "(*) reads (schema 1); written by botowire 9.0.0"),
        (["--botowire-compare=text.json"],
         "ERROR: --botowire-compare: */text.json: not JSON (Expecting value at line 1 column 1)"),
        (["--botowire-compare=list.json"],
         "ERROR: --botowire-compare: */list.json: not a botowire report (no \"schema\" key)"),
        (["--botowire-compare=typed.json"],
         "ERROR: --botowire-compare: */typed.json: \"operations\"[[]0].\"largest_size\" is not a "
         "whole number or null"),
        (["--botowire-report-md=."],
         "ERROR: --botowire-report-md='.' is a directory; give a file name"),
    ],
)  # fmt: skip
def test_bad_input_is_a_usage_error_naming_the_option(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, args: list[str], message: str
) -> None:
    base = baseline(pytester, monkeypatch)
    report = load(base)
    (pytester.path / "newer.json").write_text(
        json.dumps({**report, "schema": 2, "botowire_version": "9.0.0"})
    )
    (pytester.path / "text.json").write_text("not json")
    (pytester.path / "list.json").write_text("[]")
    report["operations"][0]["largest_size"] = "big"
    (pytester.path / "typed.json").write_text(json.dumps(report))
    result = run(pytester, monkeypatch, *args)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([message])
    assert "Traceback" not in result.stderr.str()


def test_a_report_written_before_the_limits_key_is_still_read(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    base = baseline(pytester, monkeypatch)
    report = load(base)
    for operation in report["operations"]:
        del operation["limits"]
    base.write_text(json.dumps(report))
    result = run(pytester, monkeypatch, "--botowire-compare=base.json", BW_SIZE="1001")
    assert result.ret == 0
    result.stdout.fnmatch_lines(["lambda.Invoke *1,000 *+1 (+0.1%)*"])


# --------------------------------------------------------------------------- Markdown


def test_the_markdown_summary_puts_breaches_and_failed_budgets_first(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    base = baseline(pytester, monkeypatch)
    result = run(
        pytester, monkeypatch, "--botowire-aws-limits", "--botowire-max-payload=lambda.Invoke=1100",
        "--botowire-compare=base.json", "--botowire-compare-fail=size:5%",
        "--botowire-report-md=out/summary.md", BW_SIZE="1200",
    )  # fmt: skip
    result.assert_outcomes(passed=1, failed=1)
    text = (pytester.path / "out" / "summary.md").read_text("utf-8")
    lines = text.splitlines()
    assert lines[:3] == [
        "## botowire",
        "",
        "6 requests to 2 operations captured in 2 tests; 5 requests over a limit",
    ]
    breach = "| **lambda.Invoke** | 5 | 1,100 bytes | OVER by 100 bytes | "
    budget = "| **lambda.Invoke** | `size:5%` | 1,000 | 1,200 | 200 bytes (+20.0%) |"
    table = (
        "| **lambda.Invoke** | 5 | 5 | 1,200 | 1,200 | 0% | 1,100 bytes | OVER by 100 bytes | "
        "`user.lambda.Invoke.body_bytes` (--botowire-max-payload lambda.Invoke=1100) |"
    )
    positions = [next(i for i, line in enumerate(lines) if line.startswith(x)) for x in
                 (breach, budget, table)]  # fmt: skip
    assert positions == sorted(positions)
    # a rule from the AWS table links to its AWS page
    assert "[sqs.list_queues" not in text  # ListQueues has no limit: no link
    assert f"Compared with the baseline `{base}` (botowire " in text
    assert "Gone operations" not in text
    assert text.endswith(
        "[What the limits are and where they come from]"
        "(https://github.com/pytest-botowire/pytest-botowire#payload-limits-in-ci)\n"
    )


def test_the_markdown_summary_links_each_aws_rule_to_its_source(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytester.makepyfile(test_suite=SUITE)
    result = run(pytester, monkeypatch, "--botowire-aws-limits", "--botowire-report-md=s.md")
    result.assert_outcomes(passed=2)
    text = (pytester.path / "s.md").read_text("utf-8")
    assert (
        "| lambda.Invoke | 5 | 0 | 1,000 | 1,000 | 0% | 6,291,456 bytes | 99.9% | "
        "[lambda.invoke.sync_payload](https://docs.aws.amazon.com/lambda/latest/dg/"
        "gettingstarted-limits.html) (Lambda quotas) |"
    ) in text
    assert "|---|---:|---:|---:|---:|---:|---|---:|---|" in text


def test_an_unwritable_markdown_path_fails_the_run_and_says_why(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytester.makepyfile(test_suite=SUITE)
    (pytester.path / "file").write_text("")
    result = run(pytester, monkeypatch, "--botowire-report-md=file/summary.md")
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(["botowire: could not write the Markdown summary to */summary.md*"])


# --------------------------------------------------------------------------- command line


def test_merging_two_shards_gives_the_report_of_one_run(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytester.makepyfile(test_a=SUITE, test_b=SUITE)
    common = ["--botowire-aws-limits", "--botowire-max-payload=lambda.Invoke=1050"]
    run(pytester, monkeypatch, *common, "--botowire-report=one.json", BW_SIZE="1100")
    run(pytester, monkeypatch, *common, "test_a.py", "--botowire-report=a.json", BW_SIZE="1100")
    run(pytester, monkeypatch, *common, "test_b.py", "--botowire-report=b.json", BW_SIZE="1100")
    result = cli(pytester, "merge", "-o", "merged.json", "a.json", "b.json")
    assert result.ret == 0, result.stderr.str()
    assert (pytester.path / "merged.json").read_text() == (pytester.path / "one.json").read_text()
    assert load(pytester.path / "merged.json")["totals"]["breaches"] == 10


def test_merging_shards_run_under_xdist_with_a_comparison(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytester.makepyfile(test_a=SUITE, test_b=SUITE)
    run(pytester, monkeypatch, "test_a.py", "--botowire-report=base.json")
    common = ["-n", "2", "--botowire-aws-limits", "--botowire-compare=base.json",
              "--botowire-compare-fail=requests:50%"]  # fmt: skip
    for name, args in (("one", ()), ("a", ("test_a.py",)), ("b", ("test_b.py",))):
        run(pytester, monkeypatch, *common, *args, f"--botowire-report={name}.json",
            subprocess=True, BW_SIZE="1100")  # fmt: skip
    result = cli(pytester, "merge", "-o", "merged.json", "a.json", "b.json")
    assert result.ret == 0, result.stderr.str()
    one, merged = load(pytester.path / "one.json"), load(pytester.path / "merged.json")
    # workers finish in any order: requests are grouped by worker, the rest is exact
    for report in (one, merged):
        report["requests"].sort(key=lambda r: (r["test"], r["operation"]))
        report["summary"]["rows"].sort(key=lambda r: (r["stats"]["operation"], r["rules"]))
    assert merged == one
    # each shard alone stayed within requests:50% of the baseline (5 -> 5); the suite as a
    # whole doubled: the merged comparison fails where one run fails
    for shard in ("a", "b"):
        assert load(pytester.path / f"{shard}.json")["comparison"]["passed"] is True
    assert one["comparison"]["passed"] is False
    assert merged["comparison"]["passed"] is False
    assert [f["operation"] for f in merged["comparison"]["failures"]] == [
        "lambda.Invoke", "sqs.ListQueues"
    ]  # fmt: skip


def test_merge_refuses_reports_that_cannot_come_from_one_run(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    base = baseline(pytester, monkeypatch)
    report = load(base)
    (pytester.path / "old.json").write_text(json.dumps({**report, "botowire_version": "0.0.9"}))
    run(pytester, monkeypatch, "--botowire-compare=base.json", "--botowire-report=cmp.json")
    result = cli(pytester, "merge", "-o", "out.json", "base.json", "old.json")
    assert result.ret == 2
    assert result.stderr.lines == [
        "python -m pytest_botowire: error: old.json was written by botowire 0.0.9, base.json by "
        f"{report['botowire_version']}: merge reports of one version"
    ]
    result = cli(pytester, "merge", "-o", "out.json", "cmp.json", "base.json")
    assert result.ret == 2
    assert result.stderr.lines == [
        "python -m pytest_botowire: error: base.json has no comparison and cmp.json has one: "
        "merge reports of shards run with the same --botowire-compare"
    ]
    assert not (pytester.path / "out.json").exists()


def test_summary_prints_the_terminal_summary_of_a_report(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    baseline(pytester, monkeypatch)
    run_result = run(
        pytester, monkeypatch, "--botowire-aws-limits", "--botowire-compare=base.json",
        "--botowire-compare-fail=size:1%", "--botowire-report=new.json",
        "--botowire-report-md=new.md", BW_SIZE="1100",
    )  # fmt: skip
    terminal = run_result.stdout.lines
    start = next(
        i for i, line in enumerate(terminal) if line.startswith("=") and "botowire" in line
    )
    end = next(i for i in range(start + 1, len(terminal)) if terminal[i].startswith("="))
    section = [line for line in terminal[start + 1 : end] if not line.startswith("report:")]
    result = cli(pytester, "summary", "new.json")
    assert result.ret == 0
    assert result.stdout.lines == section
    markdown = cli(pytester, "summary", "new.json", "--markdown")
    assert markdown.ret == 0
    assert markdown.stdout.str() + "\n" == (pytester.path / "new.md").read_text("utf-8")


def test_summary_of_a_report_keeps_rows_split_by_rules_and_unreported_breaches(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytester.makepyfile(
        test_suite=SUITE,
        test_marked=SUITE.replace("def test_invoke():", "@pytest.mark.botowire(max_payload=900)\n"
                                  "def test_invoke():").replace("import os", "import os, pytest"),
        conftest="""
import boto3, pytest
from pytest_botowire.aws.serialize import serialize_response, to_aws_response

@pytest.fixture
def sends_at_teardown():
    yield
    c = boto3.client("lambda", region_name="us-east-1", aws_access_key_id="A",
                     aws_secret_access_key="s")
    op = c.meta.service_model.operation_model("Invoke")
    c.meta.events.register("before-send", lambda request, **_: to_aws_response(
        request.url, serialize_response(op, {})))
    c.invoke(FunctionName="f", Payload=b"x" * 2000)
""",
        test_teardown="def test_it(sends_at_teardown):\n    pass\n",
    )  # fmt: skip
    result = run(
        pytester, monkeypatch, "--botowire-max-payload=lambda.Invoke=1500",
        "--botowire-report=out.json", BW_CALLS="1",
    )  # fmt: skip
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    terminal = result.stdout.lines
    start = next(
        i for i, line in enumerate(terminal) if line.startswith("=") and "botowire" in line
    )
    end = next(i for i in range(start + 1, len(terminal)) if terminal[i].startswith("="))
    section = [line for line in terminal[start + 1 : end] if not line.startswith("report:")]
    assert sum(line.startswith("lambda.Invoke") for line in section) == 2  # two rows
    assert any("test_teardown.py::test_it sent lambda.Invoke" in line for line in section)
    summary = cli(pytester, "summary", "out.json")
    assert summary.ret == 0, summary.stderr.str()
    assert summary.stdout.lines == section


def test_compare_prints_the_comparison_and_exits_1_on_a_failed_budget(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    baseline(pytester, monkeypatch)
    run(pytester, monkeypatch, "--botowire-report=new.json", BW_SIZE="1100", BW_OTHER="sns")
    held = cli(pytester, "compare", "base.json", "new.json", "--fail", "size:10%")
    assert held.ret == 0
    assert held.stdout.lines == [
        "compared with baseline base.json (botowire 0.1.0)",
        "operation      baseline on wire         change  baseline decoded         change"
        "  requests before  now",
        "lambda.Invoke             1,000  +100 (+10.0%)             1,000  +100 (+10.0%)"
        "                5    5",
        "new (1 operation not in the baseline): sns.Publish",
        "gone (1 operation of the baseline not sent): sqs.ListQueues",
        "1 budget held: size:10%",
    ]
    failed = cli(pytester, "compare", "base.json", "new.json", "--fail", "size:5%", "--fail",
                 "decoded:+99")  # fmt: skip
    assert failed.ret == 1
    failed.stdout.fnmatch_lines(
        [
            "2 budgets failed: exit status 1",
            "  - lambda.Invoke: largest body on the wire grew by 100 bytes (+10.0%), 1,000 -> "
            "1,100, over the budget size:5% (baseline base.json)",
            "  - lambda.Invoke: largest decoded body grew by 100 bytes (+10.0%), 1,000 -> 1,100, "
            "over the budget decoded:+99 (baseline base.json)",
        ]
    )


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (["compare", "base.json", "text.json"],
         "python -m pytest_botowire: error: text.json: not JSON (Expecting value at line 1 "
         "column 1)"),
        (["compare", "base.json", "newer.json"],
         "python -m pytest_botowire: error: newer.json: report schema 2 is newer than this "
         "botowire (*) reads (schema 1); written by botowire 9.0.0"),
        (["summary", "missing.json"], "python -m pytest_botowire: error: missing.json: no such file"),
        (["summary", "."], "python -m pytest_botowire: error: .: is a directory, not a report"),
        (["merge", "-o", "out.json", "base.json", "list.json"],
         'python -m pytest_botowire: error: list.json: not a botowire report (no "schema" key)'),
        (["compare", "base.json", "base.json", "--fail", "size"],
         "python -m pytest_botowire: error: --fail: 'size' is not a budget; use *"),
        (["compare", "base.json"],
         "python -m pytest_botowire compare: error: the following arguments are required: NEW.json"),
        (["merge", "base.json"],
         "python -m pytest_botowire merge: error: the following arguments are required: -o/--output"),
        ([], "python -m pytest_botowire: error: the following arguments are required: COMMAND"),
        (["frobnicate"], "python -m pytest_botowire: error: argument COMMAND: invalid choice: *"),
    ],
)  # fmt: skip
def test_the_command_line_gives_one_line_errors_and_exit_status_2(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, args: list[str], error: str
) -> None:
    base = baseline(pytester, monkeypatch)
    (pytester.path / "newer.json").write_text(
        json.dumps({**load(base), "schema": 2, "botowire_version": "9.0.0"})
    )
    (pytester.path / "text.json").write_text("not json")
    (pytester.path / "list.json").write_text("[]")
    result = cli(pytester, *args)
    assert result.ret == 2
    errors = [line for line in result.stderr.lines if not line.startswith(("usage:", " "))]
    assert len(errors) == 1, result.stderr.str()
    result.stderr.fnmatch_lines([error])
    assert "Traceback" not in result.stderr.str()
    assert not (pytester.path / "out.json").exists()


def test_the_command_line_has_help_for_each_command(pytester: pytest.Pytester) -> None:
    result = cli(pytester, "--help")
    assert result.ret == 0
    result.stdout.fnmatch_lines(
        [
            "usage: python -m pytest_botowire [-h] [--version] COMMAND ...",
            "*merge *merge the reports of CI shards into one",
            "*summary *print the terminal summary of a report",
            "*compare *compare a report with a baseline; exit 1 when a budget fails",
        ]
    )
    for command, usage in (
        ("merge", "usage: python -m pytest_botowire merge [-h] -o OUT.json IN.json [IN.json ...]"),
        ("summary", "usage: python -m pytest_botowire summary [-h] [--markdown] REPORT.json"),
        (
            "compare",
            "usage: python -m pytest_botowire compare [-h] [--fail EXPR] OLD.json NEW.json",
        ),
    ):
        result = cli(pytester, command, "--help")
        assert result.ret == 0
        result.stdout.fnmatch_lines([usage])


def test_an_unwritable_merge_output_exits_1(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    baseline(pytester, monkeypatch)
    (pytester.path / "file").write_text("")
    result = cli(pytester, "merge", "-o", "file/out.json", "base.json")
    assert result.ret == 1
    result.stderr.fnmatch_lines(
        ["python -m pytest_botowire: error: could not write file/out.json: *"]
    )


def test_none_of_it_is_loaded_when_not_asked_for(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_modules="""
import sys

def test_it(botowire):
    loaded = {name for name in sys.modules if name.startswith("pytest_botowire")}
    for name in ("features.limits.compare", "features.limits.merge",
                 "features.limits.markdown", "model.shape", "__main__"):
        assert f"pytest_botowire.{name}" not in loaded
"""
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)


def test_the_schema_written_is_one_read_back() -> None:
    from pytest_botowire.features.limits.compare import READABLE_SCHEMAS
    from pytest_botowire.features.limits.report import REPORT_SCHEMA

    assert REPORT_SCHEMA in READABLE_SCHEMAS
