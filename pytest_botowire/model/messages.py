"""Failure text: the documentation links and the pieces every message is built from.

Messages follow one shape: a headline sentence with expected and actual counts, one ``- ``
bullet per offending request, then a hint where one helps, ending on a link into the README.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pytest_botowire.model.request import CapturedRequest

#: the README, with ``#`` ready for a section anchor
README = "https://github.com/pytest-botowire/pytest-botowire#"
#: the README section the summary and limit failures point to
LIMITS_DOCS = f"{README}payload-limits-in-ci"
_MAX_BULLETS = 10


def plural(count: int, word: str) -> str:
    """``"1 request"``, ``"3 requests"``."""
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def bullets(requests: Sequence[CapturedRequest], reason: Any = None) -> str:
    """One ``- `` line per request, at most ``_MAX_BULLETS`` of them."""
    lines = []
    for request in requests[:_MAX_BULLETS]:
        extra = reason(request) if reason is not None else None
        lines.append(f"  - {request.describe()}" + (f": {extra}" if extra else ""))
    if len(requests) > _MAX_BULLETS:
        lines.append(f"  - ... and {len(requests) - _MAX_BULLETS} more")
    return "\n".join(lines)


class BotowireWarning(UserWarning):
    """Something pytest-botowire did not do, or did differently, for a test that did not ask for
    it to fail: a failure of the plugin in a passively captured test, requests sent by a thread
    after the test that started it ended."""


def internal_failures(lines: Sequence[str]) -> str:
    """The message for the plugin's own failures on a test's requests (``Recorder.errors``)."""
    shown = [f"  - {line}" for line in lines[:_MAX_BULLETS]]
    if len(lines) > _MAX_BULLETS:
        shown.append(f"  - ... and {len(lines) - _MAX_BULLETS} more")
    return (
        f"botowire: {plural(len(lines), 'failure')} of pytest-botowire itself on this test's "
        "requests (the code under test got an error response where an answer failed)\n"
        + "\n".join(shown)
        + f"\n  Hint: see {README}what-happens-when-botowire-fails"
    )
