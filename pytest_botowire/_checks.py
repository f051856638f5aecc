"""What is checked when a test body ends: each problem becomes part of the test's failure."""

from __future__ import annotations

import pytest

from pytest_botowire._assertions import bullets, plural
from pytest_botowire._capture import Recorder
from pytest_botowire._options import MarkerOptions
from pytest_botowire._request import CapturedRequest


def encoding_problem(request: CapturedRequest) -> str | None:
    """A body that contradicts its own headers: bad gzip, gzip in gzip, wrong Content-Length."""
    from pytest_botowire._codec import is_gzip

    data = request.body
    declared = request.headers.get("Content-Length")
    if declared is not None and request.size is not None:
        try:
            if int(declared) != request.size:
                return f"Content-Length says {declared} but the body is {request.size:,} bytes"
        except ValueError:
            return f"Content-Length {declared!r} is not a number"
    if data is None:
        return None
    gzips = [t for t in request.encodings if t in ("gzip", "x-gzip")]
    if "aws-chunked" in request.encodings:
        return None
    if gzips:
        if not is_gzip(data):
            return "Content-Encoding: gzip but the body is not gzip data"
        content = request.content
        if content is None:
            return (
                f"Content-Encoding: gzip but the body does not decompress ({request.content_error})"
            )
        if is_gzip(content):
            return "compressed twice: the body decompresses to gzip data again"
    return None


def strict_problem(recorder: Recorder) -> str:
    """The failure message for requests that nothing answered in strict mode."""
    unanswered = list(recorder.unanswered)
    return (
        f"botowire strict mode: {plural(len(unanswered), 'request')} answered by nothing\n"
        + bullets(unanswered)
        + "\n  Hint: answer them with botowire.respond(...) or moto, or use "
        "@pytest.mark.botowire(mode='offline')"
    )


def end_of_test_problems(
    item: pytest.Item, recorder: Recorder, options: MarkerOptions
) -> list[str]:
    """Every problem to report for the test, each a complete failure message."""
    problems: list[str] = []
    requests = list(recorder.requests)
    if recorder.unanswered:
        problems.append(strict_problem(recorder))
    if options.check_encoding:
        bad = [(r, encoding_problem(r)) for r in requests]
        flagged = [(r, p) for r, p in bad if p]
        if flagged:
            reasons = {id(r): p for r, p in flagged}
            problems.append(
                f"botowire: {plural(len(flagged), 'request')} sent a body that contradicts its own headers\n"
                + bullets([r for r, _ in flagged], lambda r: reasons[id(r)])
                + "\n  Hint: opt out with @pytest.mark.botowire(check_encoding=False) if this is intended"
            )
    return problems
