"""The messages users read: one shape, right plurals, clear errors at the call, true claims.

Each test drives a real pytest run (pytester) or a real botocore client and checks the exact
text a user reads.
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path
from typing import Any

import boto3
import pytest

from pytest_botowire import BotowireGzipWarning, enable_gzip
from pytest_botowire.model.messages import agree, amount, failure, noun, plural
from pytest_botowire.wire import Selection

pytest_plugins = ["pytester"]

PRELUDE = """
import gzip, re
import boto3, pytest

KEYS = dict(region_name="us-east-1", aws_access_key_id="AKIDEXAMPLE",
            aws_secret_access_key="not-a-real-secret")

def client(name):
    return boto3.client(name, **KEYS)

def invoke(size, **kw):
    return client("lambda").invoke(FunctionName="f", Payload=b"x" * size, **kw)

def batch(n):
    client("sqs").send_message_batch(
        QueueUrl="https://sqs.us-east-1.amazonaws.com/123456789012/q",
        Entries=[{"Id": str(i), "MessageBody": "m"} for i in range(n)],
    )
"""
README = "https://github.com/pytest-botowire/pytest-botowire#"
LIMITS_HINT = (
    "Hint: botowire.limit_for(request) tells which limit applies and why; "
    f"see {README}payload-limits-in-ci"
)


def make(pytester: pytest.Pytester, body: str) -> None:
    pytester.makepyfile(test_it=PRELUDE + body)


def run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    return pytester.runpytest("-p", "no:cacheprovider", *args)


# --------------------------------------------------------------------------- the shape


def test_plurals_agree_with_their_count_for_every_unit_of_the_limits_table() -> None:
    assert [plural(1, "request"), plural(2, "request"), plural(0, "request")] == [
        "1 request",
        "2 requests",
        "0 requests",
    ]
    # the limits table names its units in the plural
    assert [noun(1, u) for u in ("entries", "bytes", "metrics", "records", "actions")] == [
        "entry",
        "byte",
        "metric",
        "record",
        "action",
    ]
    assert [noun(2, u) for u in ("entry", "entries", "bytes", "item")] == [
        "entries",
        "entries",
        "bytes",
        "items",
    ]
    assert amount(1_002, "bytes") == "1,002 bytes"
    assert amount(1, "entries") == "1 entry"
    assert (agree(1, "is", "are"), agree(3, "is", "are")) == ("is", "are")


def test_a_failure_is_a_headline_bullets_notes_and_a_hint_with_its_link() -> None:
    text = failure(
        "botowire: 12 things went wrong",
        [f"thing {i}" for i in range(12)],
        notes=["Limits: the table"],
        advice="fix them",
        docs=f"{README}markers",
    )
    assert text.splitlines() == [
        "botowire: 12 things went wrong",
        *(f"  - thing {i}" for i in range(10)),
        "  - ... and 2 more",
        "  Limits: the table",
        f"  Hint: fix them; see {README}markers",
    ]


# --------------------------------------------------------------------------- plurals


def test_the_summary_says_over_by_1_entry(pytester: pytest.Pytester) -> None:
    make(
        pytester,
        """
@pytest.mark.botowire(aws_limits=True, assert_all_responses_used=False)
def test_it(botowire):
    batch(11)
""",
    )
    result = run(pytester)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "  - sqs.SendMessageBatch (attempt 1), * bytes on the wire, no Content-Encoding: "
            "[[]sqs.send_message_batch.entries[]] 11 entries, over the limit of 10: *",
            "*= botowire =*",
            "1 request to 1 operation captured in 1 test; 1 request over a limit",
            "operation * limit * headroom",
            "sqs.SendMessageBatch * 1 * 1 * 0%  10 entries (sqs.send_message_batch.entries)  "
            "OVER by 1 entry",
        ]
    )
    result.stdout.no_fnmatch_line("*entrie *")


def test_reprs_and_messages_agree_with_one_request(botowire: Any) -> None:
    sqs = boto3.client(
        "sqs", region_name="us-east-1", aws_access_key_id="A", aws_secret_access_key="s"
    )
    sqs.send_message_batch(
        QueueUrl="https://sqs.us-east-1.amazonaws.com/123456789012/q",
        Entries=[{"Id": "1", "MessageBody": "m"}],
    )
    assert repr(botowire) == "<Wire all captured requests: 1 request>"
    assert repr(botowire.limit_for("sqs.SendMessageBatch")).endswith(": 0 rules apply>")
    with pytest.raises(AssertionError) as caught:
        botowire.assert_params(Entries=[{"Id": "1"}, {"Id": "2"}])
    bullet = str(caught.value).splitlines()[1]
    assert bullet.endswith(
        ": Entries: expected a list of 2 items, got 1 item (a list matches element by element, "
        "so its length must be the same)"
    )


def test_a_limit_explanation_with_one_rule_says_it_applies(pytester: pytest.Pytester) -> None:
    make(
        pytester,
        """
@pytest.mark.botowire(max_payload=100)
def test_it(botowire):
    assert repr(botowire.limit_for("lambda.Invoke")) == "<LimitExplanation lambda.Invoke: 1 rule applies>"
""",
    )
    run(pytester).assert_outcomes(passed=1)


# --------------------------------------------------------------------------- the summary


def test_the_summary_shows_each_request_against_a_limit_that_applied_to_it(
    pytester: pytest.Pytester,
) -> None:
    # One test sends 1.45 MB under the AWS table alone; another sends 90 kB under a
    # 100,000-byte marker. Each row's limit applied to every request the row counts.
    make(
        pytester,
        """
def test_large(botowire):
    invoke(1_450_000)

@pytest.mark.botowire(max_payload=100_000)
def test_small(botowire):
    invoke(90_000)
""",
    )
    result = run(pytester, "--botowire-aws-limits")
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(
        [
            "*= botowire =*",
            "2 requests to 1 operation captured in 2 tests",
            "operation      requests  over limit  largest on wire  largest decoded  gzipped  "
            "limit                                         headroom",
            "lambda.Invoke         1           0           90,000           90,000       0%  "
            "100,000 bytes (marker.*.body_bytes)           10.0%",
            "lambda.Invoke         1           0        1,450,000        1,450,000       0%  "
            "6,291,456 bytes (lambda.invoke.sync_payload)  76.9%",
            LIMITS_HINT,
        ],
        consecutive=True,
    )


def test_a_size_the_summary_cannot_know_is_said_in_words(pytester: pytest.Pytester) -> None:
    make(
        pytester,
        """
def brotli_header(request, **kwargs):
    request.headers["Content-Encoding"] = "br"  # bytes that are not brotli: cannot be decoded

def test_it(botowire):
    lam = client("lambda")
    lam.meta.events.register("before-sign.lambda.Invoke", brotli_header)
    lam.invoke(FunctionName="f", Payload=b"x" * 10)
""",
    )
    result = run(pytester, "--botowire-max-payload=1000")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(
        [
            "operation      requests  over limit  largest on wire  largest decoded  gzipped  "
            "limit                            headroom",
            "lambda.Invoke         1           0               10          unknown       0%  "
            "1,000 bytes (user.*.body_bytes)  99.0%",
            "unknown: no request of the row had a body size that could be measured (on the wire: "
            "the body was not seen; decoded: its Content-Encoding could not be removed); "
            "CapturedRequest.note and content_error say why",
            LIMITS_HINT,
        ],
        consecutive=True,
    )


def test_a_breach_that_failed_no_test_is_named_with_its_test(pytester: pytest.Pytester) -> None:
    make(
        pytester,
        """
@pytest.fixture
def sends_at_teardown(botowire):
    yield
    batch(12)

def test_it(sends_at_teardown):
    pass
""",
    )
    result = run(pytester, "--botowire-aws-limits")
    result.assert_outcomes(passed=1)
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(
        [
            "1 request over a limit failed no test (sent in teardown or by a test that did not "
            "finish): the run fails",
            "  - test_it.py::test_it sent sqs.SendMessageBatch (attempt 1), * bytes on the wire: "
            "[[]sqs.send_message_batch.entries[]] 12 entries, over the limit of 10",
            LIMITS_HINT,
        ],
        consecutive=True,
    )


def test_a_payload_breach_names_its_source_once(pytester: pytest.Pytester) -> None:
    make(pytester, "def test_it(botowire):\n    invoke(1_600)\n")
    result = run(pytester, "--botowire-max-payload=1500")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "botowire limits: 1 of 1 request is over a limit",
            "  - lambda.Invoke (attempt 1), 1,600 bytes on the wire, no Content-Encoding: "
            "[[]user.*.body_bytes[]] 1600 bytes, over the limit of 1500: Request body of * at "
            "most 1500 bytes. (source: --botowire-max-payload 1500)",
            "  Limits: max payload from --botowire-max-payload",
        ],
        consecutive=True,
    )
    # once in the failure (the short summary repeats the whole message when CI is set)
    failure = result.stdout.str().split("short test summary info")[0]
    assert failure.count("--botowire-max-payload 1500") == 1


# --------------------------------------------------------------------------- selections


def test_a_slice_of_the_wire_is_a_live_selection_with_the_assertions(botowire: Any) -> None:
    lam = boto3.client(
        "lambda", region_name="us-east-1", aws_access_key_id="A", aws_secret_access_key="s"
    )
    first_two = botowire[:2]
    assert isinstance(first_two, Selection)
    assert len(first_two) == 0
    for size in (10, 20, 30):
        lam.invoke(FunctionName="f", Payload=b"x" * size)
    assert [r.size for r in first_two] == [10, 20]  # live: sees what was sent afterwards
    first_two.assert_called(times=2)
    first_two.assert_payload_under(20)
    assert [r.size for r in botowire.select("lambda")[1:]] == [20, 30]
    assert [r.size for r in botowire[::2].select("lambda.Invoke")] == [10, 30]
    assert [r.size for r in botowire[1:][:1]] == [20]
    assert botowire[-1].size == 30  # an index still gives the request
    with pytest.raises(AssertionError) as caught:
        botowire.select("lambda")[1:].assert_payload_under(25)
    assert str(caught.value).splitlines()[0] == (
        "assert_payload_under: 1 of 2 requests (matching 'lambda', sliced [1:]) is over 25 "
        "bytes on the wire"
    )
    with pytest.raises(AssertionError, match=r"^assert_called: no request in all captured "):
        botowire[5:].assert_called()
    with pytest.raises(TypeError, match=r"^slice indices must be int or None, not '1'$"):
        botowire["1":]  # type: ignore[misc]


# --------------------------------------------------------------------------- warnings


def test_gzip_warnings_point_at_the_line_that_asked(botowire_gzip: Any) -> None:
    logs = boto3.client(
        "logs", region_name="us-east-1", aws_access_key_id="A", aws_secret_access_key="s"
    )
    calls = [
        lambda: enable_gzip(logs, "logs.PutLogEvents"),
        lambda: enable_gzip(logs, "logs.Put*"),
        lambda: enable_gzip(boto3.Session(), ["*"]),
        lambda: botowire_gzip.enable("logs.PutLogEvents"),
    ]
    for call in calls:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            handle = call()
        if handle is not None:
            handle.disable()
        assert caught, call
        for warning in caught:
            assert warning.category is BotowireGzipWarning
            assert (Path(warning.filename).name, warning.lineno) == (
                Path(__file__).name,
                call.__code__.co_firstlineno,
            )


def test_a_gzip_marker_warning_points_at_the_marked_test(pytester: pytest.Pytester) -> None:
    body = """
@pytest.mark.botowire(gzip="logs.PutLogEvents")
def test_it(botowire):
    pass
"""
    make(pytester, body)
    result = run(pytester)
    result.assert_outcomes(passed=1)
    # the decorator's line: where the pattern was written
    source = (pytester.path / "test_it.py").read_text("utf-8").splitlines()
    line = source.index('@pytest.mark.botowire(gzip="logs.PutLogEvents")') + 1
    result.stdout.fnmatch_lines(
        [
            f"  *test_it.py:{line}: BotowireGzipWarning: gzip enabled for logs.PutLogEvents, "
            "whose model does not declare gzip request compression; AWS may reject a "
            f"gzip-encoded request for it; see {README}botowiregzipwarning",
            '    @pytest.mark.botowire(gzip="logs.PutLogEvents")',
        ],
        consecutive=True,
    )
    result.stdout.no_fnmatch_line("*pytest_botowire*BotowireGzipWarning*")


# --------------------------------------------------------------------------- errors at the call


@pytest.mark.parametrize(
    ("call", "error"),
    [
        (
            'botowire.select([["sqs"]])',
            "TypeError: select() takes a pattern (a str like 'sqs.SendMessage', 'sqs.*' or '*') "
            "or a list of them; item 0 of the list is a list (['sqs']): a list of patterns "
            "holds str, it does not nest",
        ),
        (
            'botowire.select(b"sqs")',
            "TypeError: select() takes a pattern (a str like 'sqs.SendMessage', 'sqs.*' or '*') "
            "or a list of them, not bytes (b'sqs'); write the str 'sqs'",
        ),
        (
            'botowire.respond(["sqs.SendMessage", 3])',
            "TypeError: respond() takes a pattern (a str like 'sqs.SendMessage', 'sqs.*' or '*') "
            "or a list of them; item 1 of the list is int (3)",
        ),
        (
            'botowire.assert_header("Content-Type", re.compile(b"json"))',
            "TypeError: value must be a str regex, not a bytes one: header values are str, so "
            "write re.compile('json') instead of re.compile(b'json')",
        ),
        (
            'botowire.assert_params(Entries=[{"MessageBody": re.compile(b"m")}])',
            "TypeError: assert_params: the regex at Entries[[]0[]].MessageBody must be a str "
            "regex, not a bytes one: regexes match str parameters, so write re.compile('m') "
            "instead of re.compile(b'm'); to compare a bytes parameter, pass the bytes",
        ),
        (
            "from pytest_botowire import gzip_request_body; gzip_request_body(None)",
            "TypeError: gzip_request_body() takes the botocore AWSRequest that botocore passes "
            "to a before-sign handler (register it with client.meta.events.register("
            "'before-sign.cloudwatch.PutMetricData', gzip_request_body)), not None",
        ),
    ],
    ids=["nested-list", "bytes", "respond-list", "header-bytes-regex", "params-bytes-regex",
         "gzip-none"],
)  # fmt: skip
def test_a_wrong_type_is_a_clear_type_error_at_the_users_line(
    pytester: pytest.Pytester, call: str, error: str
) -> None:
    make(pytester, f"def test_it(botowire):\n    batch(1)\n    {call}\n")
    result = run(pytester)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines([f">       {call}", f"E       {error}", "test_it.py:*: TypeError"])
    result.stdout.no_fnmatch_line("*pytest_botowire/*")  # no plugin frame above the message


def test_a_bytes_regex_in_require_headers_is_refused_naming_the_header(
    pytester: pytest.Pytester,
) -> None:
    make(
        pytester,
        """
@pytest.mark.botowire(require_headers={"x-trace": re.compile(b"t")})
def test_it(botowire):
    pass
""",
    )
    result = run(pytester)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "require_headers['x-trace'] must be a str regex, not a bytes one: header values "
            "are str, so write re.compile('t')"
        ]
    )


def test_bad_respond_data_shows_the_message_not_the_plugin_source(
    pytester: pytest.Pytester,
) -> None:
    make(
        pytester,
        """
def test_it(botowire):
    botowire.respond("sqs.ReceiveMessage", {"Messages": [{"MessageIdd": "m"}]})
""",
    )
    result = run(pytester)  # the default traceback style, as a user sees it
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "    def test_it(botowire):",
            '>       botowire.respond("sqs.ReceiveMessage", {"Messages": [[]{"MessageIdd": "m"}[]]})',
            "E       ValueError: unknown key 'MessageIdd' in Messages[[]0[]]* did you mean 'MessageId'?",
            "",
            "test_it.py:*: ValueError",
        ],
        consecutive=True,
    )
    result.stdout.no_fnmatch_line("*pytest_botowire/*")


# --------------------------------------------------------------------------- marker defaults


def test_the_documented_marker_defaults_are_accepted(pytester: pytest.Pytester) -> None:
    make(
        pytester,
        """
@pytest.mark.botowire(mode=None, body_cap=None, require_headers=None, gzip=None,
                      max_payload=None)
def test_defaults(botowire):
    assert botowire.mode == "offline"  # the run's mode
    invoke(10)
    botowire.assert_no_header("Content-Encoding")

@pytest.mark.botowire(mode="strict", require_headers=["x-trace"])
class TestNoneOverridesTheClass:
    @pytest.mark.botowire(mode=None, require_headers=None)
    def test_it(self, botowire):
        assert botowire.mode == "offline"
        invoke(10)  # answered offline, no header asked for
""",
    )
    run(pytester).assert_outcomes(passed=2)


# --------------------------------------------------------------------------- README claims


@pytest.mark.parametrize(
    ("event", "how", "signed"),
    [
        ("request-created.cloudwatch.PutMetricData", "register", True),
        ("request-created.cloudwatch", "register_first", True),
        ("request-created.cloudwatch", "register", False),
        ("request-created", "register", False),
        ("request-created", "register_first", False),
        ("before-sign.cloudwatch.PutMetricData", "register", True),
        ("before-send.cloudwatch.PutMetricData", "register", False),
    ],
)
@pytest.mark.botowire(check_encoding=False)
def test_where_a_handler_may_change_the_body_without_breaking_the_signature(
    botowire: Any, event: str, how: str, signed: bool
) -> None:
    # What the README says under "When a handler changes the body": botocore's signer is
    # registered on request-created.SERVICE, and more specific events run first.
    import gzip

    def gzip_body(request: Any, **kwargs: Any) -> None:
        data = gzip.compress(request.body, mtime=0)
        if hasattr(request, "data"):
            request.data = data  # an AWSRequest, before and at signing
        else:
            request.body = data  # an AWSPreparedRequest, at before-send
        request.headers["Content-Encoding"] = "gzip"
        if "Content-Length" in request.headers:
            request.headers["Content-Length"] = str(len(data))

    cloudwatch = boto3.client(
        "cloudwatch", region_name="us-east-1", aws_access_key_id="A", aws_secret_access_key="s"
    )
    getattr(cloudwatch.meta.events, how)(event, gzip_body)
    cloudwatch.put_metric_data(Namespace="n", MetricData=[{"MetricName": "m", "Value": 1.0}])
    botowire.assert_gzipped()
    if signed:
        botowire.assert_signed()
    else:
        with pytest.raises(AssertionError, match="signature does not match"):
            botowire.assert_signed()


def test_assert_params_compares_lists_element_by_element(botowire: Any) -> None:
    sqs = boto3.client(
        "sqs", region_name="us-east-1", aws_access_key_id="A", aws_secret_access_key="s"
    )
    sqs.send_message_batch(
        QueueUrl="https://sqs.us-east-1.amazonaws.com/123456789012/q",
        Entries=[{"Id": "1", "MessageBody": "a"}, {"Id": "2", "MessageBody": "b"}],
    )
    botowire.assert_params(Entries=[{"Id": "1"}, {"MessageBody": re.compile("^b$")}])
    with pytest.raises(AssertionError, match=r"Entries\[1\]\.Id: '2' != '3'"):
        botowire.assert_params(Entries=[{"Id": "1"}, {"Id": "3"}])
    with pytest.raises(AssertionError, match="expected a list of 1 item, got 2 items"):
        botowire.assert_params(Entries=[{"Id": "1"}])  # a list is not a subset of a longer one


@pytest.mark.parametrize(
    ("call", "error"),
    [
        ('botowire.respond("sqs.SendMessage", times="2")', "TypeError: times must be *"),
        ('botowire.respond("sqs.SendMessage", status=42)', "ValueError: status must be *"),
        ('botowire.respond("sqs.SendMessage", headers={"a": 1})', "TypeError: headers must be *"),
    ],
)
def test_bad_respond_arguments_fail_at_the_users_line(
    pytester: pytest.Pytester, call: str, error: str
) -> None:
    make(pytester, f"def test_it(botowire):\n    {call}\n")
    result = run(pytester)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines([f">       {call}", f"E       {error}"], consecutive=True)
    result.stdout.no_fnmatch_line("*pytest_botowire/*")


def test_under_xdist_the_rows_per_limit_and_the_unreported_list_merge(
    pytester: pytest.Pytester,
) -> None:
    body = """
def test_large(botowire):
    invoke(1_450_000)

@pytest.mark.botowire(max_payload=100_000)
def test_small(botowire):
    invoke(90_000)

@pytest.fixture
def sends_at_teardown(botowire):
    yield
    batch(12)

def test_worker(sends_at_teardown):
    pass
"""
    pytester.makepyfile(test_one=PRELUDE + body, test_two=PRELUDE + body)
    result = pytester.runpytest_subprocess(
        "-p", "no:cacheprovider", "-n", "2", "--botowire-aws-limits"
    )  # fmt: skip
    result.assert_outcomes(passed=6)
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(
        [
            "6 requests to 2 operations captured in 6 tests; 2 requests over a limit",
            "operation * headroom",
            "sqs.SendMessageBatch         2           2 * OVER by 2 entries",
            "lambda.Invoke                2           0           90,000 *"
            "100,000 bytes (marker.*.body_bytes)           10.0%",
            "lambda.Invoke                2           0        1,450,000 *"
            "6,291,456 bytes (lambda.invoke.sync_payload)  76.9%",
            "2 requests over a limit failed no test (sent in teardown or by a test that did not "
            "finish): the run fails",
        ],
        consecutive=True,
    )
    for module in ("test_one", "test_two"):
        result.stdout.fnmatch_lines(
            [f"  - {module}.py::test_worker sent sqs.SendMessageBatch (attempt 1), *: *12 entries*"]
        )


def test_the_error_a_strict_request_gets_back_says_what_to_do(pytester: pytest.Pytester) -> None:
    make(
        pytester,
        """
@pytest.mark.botowire(mode="strict")
def test_it(botowire):
    client("sqs").list_queues()
""",
    )
    result = run(pytester)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "botowire strict mode: 1 request answered by nothing",
            "  - sqs.ListQueues (attempt 1), * bytes on the wire, no Content-Encoding",
            "  Hint: answer them with botowire.respond(...) or moto, or use "
            f"@pytest.mark.botowire(mode='offline'); see {README}where-requests-go-modes",
            "  The test then raised ClientError: An error occurred (BotowireUnansweredRequest) "
            "when calling the ListQueues operation: pytest-botowire strict mode: nothing "
            "answered sqs.ListQueues; register a response with botowire.respond() or use "
            f"mode='offline'; see {README}where-requests-go-modes",
        ],
        consecutive=True,
    )
