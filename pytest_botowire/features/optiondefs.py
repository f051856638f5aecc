"""Option definitions of the limits, the report and the requests integration.

Kept apart from the modules that use them so that registering options at pytest start-up does
not import the limits machinery.
"""

from __future__ import annotations

from typing import Any

import pytest


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
