"""The ``botowire`` marker's options: keyword-only, closest marker wins, keys merge."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import pytest

from pytest_botowire.capture import MODES

MARKER_SIGNATURE = (
    "botowire(*, mode=None, gzip=None, max_payload=None, aws_limits=False, "
    "require_headers=None, check_encoding=True, assert_all_responses_used=True, body_cap=None, retry_sleep=None)"
)


class MarkerOptions:
    """What ``@pytest.mark.botowire(...)`` can ask for one test (see the README). Read-only.

    A plain class rather than a dataclass: this module is loaded at pytest start-up, where
    building a dataclass costs a millisecond.
    """

    __slots__ = (
        "assert_all_responses_used",
        "aws_limits",
        "body_cap",
        "check_encoding",
        "explicit",
        "gzip",
        "max_payload",
        "mode",
        "require_headers",
        "retry_sleep",
    )

    mode: str | None
    gzip: Any
    max_payload: int | Mapping[str, int] | None
    aws_limits: bool
    require_headers: Any
    check_encoding: bool
    assert_all_responses_used: bool
    body_cap: int | None
    #: True sleeps between retry attempts as botocore would, False skips the sleeps; None
    #: follows ``--botowire-retry-sleep`` (by default: skipped offline and in strict mode)
    retry_sleep: bool | None
    #: the keys a marker gave, for messages (not compared)
    explicit: frozenset[str]

    def __init__(
        self,
        *,
        mode: str | None = None,
        gzip: Any = None,
        max_payload: int | Mapping[str, int] | None = None,
        aws_limits: bool = False,
        require_headers: Any = None,
        check_encoding: bool = True,
        assert_all_responses_used: bool = True,
        body_cap: int | None = None,
        retry_sleep: bool | None = None,
        explicit: frozenset[str] = frozenset(),
    ) -> None:
        values = locals()
        for name in self.__slots__:
            object.__setattr__(self, name, values[name])

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"MarkerOptions is read-only: cannot set {name!r}")

    def _values(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in VALID_KEYS)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, MarkerOptions):
            return NotImplemented
        return self._values() == other._values()

    def __hash__(self) -> int:
        return hash(tuple(repr(value) for value in self._values()))

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in (*VALID_KEYS, "explicit"))
        return f"MarkerOptions({shown})"


#: the marker's keys, in the order of ``MARKER_SIGNATURE``
VALID_KEYS = (
    "mode",
    "gzip",
    "max_payload",
    "aws_limits",
    "require_headers",
    "check_encoding",
    "assert_all_responses_used",
    "body_cap",
    "retry_sleep",
)
#: keys whose documented default is ``None``: passing it means the run's setting
_NONE_IS_DEFAULT = frozenset(
    {"mode", "gzip", "max_payload", "require_headers", "body_cap", "retry_sleep"}
)


def _check_bool(key: str, value: Any) -> None:
    if not isinstance(value, bool):
        raise TypeError(f"@pytest.mark.botowire({key}=...) must be True or False, not {value!r}")


def _check_int(key: str, value: Any) -> None:
    from pytest_botowire.model.assertions import check_int  # not at start-up: pulls in codecs

    check_int(value, f"@pytest.mark.botowire({key}=...)", expected="a whole number of bytes")


def validate(key: str, value: Any) -> None:
    """Check one marker value; raise ``TypeError``/``ValueError`` naming the key.

    ``None``, the default of every key in ``MARKER_SIGNATURE`` that has no other default, is
    accepted everywhere: it means "the run's setting", as if the key were not given (and, on a
    test, it overrides the value a class or module marker gave).
    """
    if value is None and key in _NONE_IS_DEFAULT:
        return
    if key == "mode":
        if value not in MODES:
            raise ValueError(
                f"@pytest.mark.botowire(mode={value!r}) is not a mode; choose one of "
                + ", ".join(repr(m) for m in MODES)
            )
    elif key in ("aws_limits", "check_encoding", "assert_all_responses_used"):
        _check_bool(key, value)
    elif key == "retry_sleep":
        if value is not None:
            _check_bool(key, value)
    elif key == "body_cap":
        _check_int(key, value)
    elif key == "max_payload":
        if value is None:  # no payload limit for this test, whatever the run's options
            return
        if isinstance(value, Mapping):
            from pytest_botowire.aws.patterns import parse_pattern

            if not value:
                raise ValueError("@pytest.mark.botowire(max_payload={}) names no pattern")
            for pattern, limit in value.items():
                parse_pattern(pattern)
                _check_int(f"max_payload[{pattern!r}]", limit)
        else:
            _check_int(key, value)
    elif key == "require_headers":
        items = value.items() if isinstance(value, Mapping) else value
        if isinstance(value, str) or items is None:
            raise TypeError(
                "@pytest.mark.botowire(require_headers=...) takes a list of header names or a "
                f"dict of name to value (str or re.compile(...)), not {value!r}"
            )
        for entry in items:
            name, expected = entry if isinstance(value, Mapping) else (entry, None)
            if not isinstance(name, str) or not name:
                raise TypeError(
                    f"require_headers: a header name must be a non-empty str, not {name!r}"
                )
            if isinstance(expected, re.Pattern) and not isinstance(expected.pattern, str):
                raise TypeError(
                    f"require_headers[{name!r}] must be a str regex, not a bytes one: header "
                    f"values are str, so write re.compile({expected.pattern.decode('latin-1')!r})"
                )
            if expected is not None and not isinstance(expected, (str, re.Pattern)):
                raise TypeError(
                    f"require_headers[{name!r}] must be a str or re.compile(...), not {expected!r}"
                )
    elif key == "gzip":
        if value is True or value is False or value is None:
            return
        from pytest_botowire.aws.patterns import parse_patterns

        parse_patterns(value, "@pytest.mark.botowire(gzip=...)")


def marker_options(item: pytest.Item) -> MarkerOptions:
    """Merge the ``botowire`` markers of a test, the closest winning; raise on a bad one."""
    merged: dict[str, Any] = {}
    for mark in reversed(list(item.iter_markers("botowire"))):
        if mark.args:
            raise TypeError(
                f"@pytest.mark.botowire takes keyword arguments only, got {mark.args!r}; "
                f"the signature is {MARKER_SIGNATURE}"
            )
        for key, value in mark.kwargs.items():
            if key not in VALID_KEYS:
                from pytest_botowire.aws.hints import did_you_mean

                hint = did_you_mean(key, VALID_KEYS, n=1)
                hint = f" ({hint})" if hint else ""
                raise TypeError(
                    f"@pytest.mark.botowire got an unknown key {key!r}{hint}; valid keys: "
                    + ", ".join(VALID_KEYS)
                )
            validate(key, value)
            merged[key] = value
    return MarkerOptions(**merged, explicit=frozenset(merged))


RETRY_SLEEP_CHOICES = ("auto", "on", "off")


def add_retry_options(group: Any, parser: pytest.Parser) -> None:
    """Register ``--botowire-retry-sleep`` and its ini form (from ``pytest_addoption``)."""
    group.addoption(
        "--botowire-retry-sleep",
        dest="botowire_retry_sleep",
        choices=RETRY_SLEEP_CHOICES,
        default=None,
        help="sleep between retry attempts as botocore does: auto (default: skipped in offline "
        "and strict mode, kept in passthrough), on (always sleep), off (never sleep). The "
        "delay is recorded as CapturedRequest.backoff either way.",
    )
    parser.addini(
        "botowire_retry_sleep",
        "sleep between retry attempts: auto (skip offline and in strict mode), on, off",
        default="auto",
    )


def read_retry_sleep(config: pytest.Config) -> str:
    """The run's ``--botowire-retry-sleep`` / ``botowire_retry_sleep`` value, checked."""
    value = str(
        config.getoption("botowire_retry_sleep", None)
        or config.getini("botowire_retry_sleep")
        or "auto"
    ).strip()
    if value not in RETRY_SLEEP_CHOICES:
        raise pytest.UsageError(
            f"botowire_retry_sleep = {value!r} is not one of {', '.join(RETRY_SLEEP_CHOICES)}"
        )
    return value


def add_limit_options(group: Any, parser: pytest.Parser) -> None:
    """Register the limit and report options and their ini forms (from ``pytest_addoption``)."""
    group.addoption(
        "--botowire-max-payload",
        dest="botowire_max_payload",
        action="append",
        default=None,
        metavar="[PATTERN=]BYTES",
        help="fail a test that sends a request body over BYTES on the wire; PATTERN=BYTES "
        "limits one operation ('sqs.SendMessage=262144'); repeatable, the most specific "
        "pattern wins. Captures every test.",
    )
    group.addoption(
        "--botowire-aws-limits",
        dest="botowire_aws_limits",
        action="store_true",
        default=None,
        help="fail a test that sends a request AWS would reject for its size or entry count "
        "(the built-in AWS limits table). Captures every test.",
    )
    group.addoption(
        "--botowire-report",
        dest="botowire_report",
        default=None,
        metavar="PATH",
        help="write a JSON report of every captured request and operation to PATH. "
        "Captures every test.",
    )
    group.addoption(
        "--botowire-report-md",
        dest="botowire_report_md",
        default=None,
        metavar="PATH",
        help="write the summary as Markdown tables to PATH (a GitHub job summary, a GitLab "
        "report page). Captures every test.",
    )
    group.addoption(
        "--botowire-compare",
        dest="botowire_compare",
        default=None,
        metavar="PATH",
        help="compare each operation's largest body and request count with a report written "
        "earlier by --botowire-report. Captures every test.",
    )
    group.addoption(
        "--botowire-compare-fail",
        dest="botowire_compare_fail",
        action="append",
        default=None,
        metavar="EXPR",
        help="fail the run when an operation grows past a budget over the --botowire-compare "
        "baseline: size:10%%, decoded:10%%, requests:20%% (growth in percent) or size:+4096, "
        "decoded:+4096, requests:+2 (absolute growth). Repeatable.",
    )
    parser.addini(
        "botowire_max_payload",
        "request body limits like --botowire-max-payload: BYTES or PATTERN=BYTES, one a line",
        type="linelist",
        default=[],
    )
    parser.addini(
        "botowire_aws_limits",
        "check every request against the built-in AWS limits table (like --botowire-aws-limits)",
        type="bool",
        default=False,
    )
    parser.addini(
        "botowire_report",
        "write the JSON report to this path (relative to the ini file)",
        default="",
    )
    parser.addini(
        "botowire_report_md",
        "write the summary as Markdown to this path (relative to the ini file)",
        default="",
    )
    parser.addini(
        "botowire_compare",
        "a report to compare the run with (relative to the ini file), like --botowire-compare",
        default="",
    )
    parser.addini(
        "botowire_compare_fail",
        "budgets over the baseline, one a line, like --botowire-compare-fail (size:10%, ...)",
        type="linelist",
        default=[],
    )
    parser.addini(
        "botowire_limits",
        "your own limit rules, one a line: PATTERN MEASURE<=LIMIT [source], MEASURE body_bytes "
        "or decoded_body_bytes (add or override rows of the AWS limits table)",
        type="linelist",
        default=[],
    )
    parser.addini(
        "botowire_hosts",
        "hosts (name, name:port or glob) whose requests made with the requests library are "
        "captured as AWS requests, besides *.amazonaws.com and clients' endpoint_url hosts",
        type="linelist",
        default=[],
    )
