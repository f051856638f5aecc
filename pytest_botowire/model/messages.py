"""Failure text: the documentation links and the one shape every message is built in.

Every failure message reads the same way (as pytest-httpx's and vcrpy's do): a headline
sentence with expected and actual counts, one ``- `` bullet per offending request (or
registration), notes where a message needs them, then a hint that ends on a link to the README
section to read. :func:`failure` builds that shape; the helpers below it pluralise counts and
units so that no message says ``1 requests`` or ``OVER by 1 entrie``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pytest_botowire.model.request import CapturedRequest

#: the README, with ``#`` ready for a section anchor
README = "https://github.com/pytest-botowire/pytest-botowire#"
#: README sections that failure messages point to
ASSERTIONS_DOCS = f"{README}assertions"
GZIP_DOCS = f"{README}gzip"
GZIP_WARNING_DOCS = f"{README}botowiregzipwarning"
SIGNING_DOCS = f"{README}when-a-handler-changes-the-body"
REQUESTS_DOCS = f"{README}integrations"
#: ``assert_signed`` advice, by who signed the failing requests
SIGNING_ADVICE = {
    "client": "a handler that changes a request after botocore signed it breaks its "
    "signature; change bodies at before-sign (as gzip_request_body does)",
    "signer": "a request sent with requests must carry exactly what botocore.auth.SigV4Auth "
    "signed: send the signed AWSRequest's URL, headers and body unchanged (no header added "
    "or changed, no body re-encoded after add_auth)",
    "session": "botowire did not see the signer of this requests call, so it checked the "
    "signature with the credentials of a default botocore session; sign with "
    "botocore.auth.SigV4Auth during the test (botowire then checks with the signer's own "
    "credentials), or sign with the session's credentials",
}
ENCODING_DOCS = f"{README}the-trap"
MODES_DOCS = f"{README}where-requests-go-modes"
RESPOND_DOCS = f"{README}answering-requests-respond"
MARKERS_DOCS = f"{README}markers"
LIMITS_DOCS = f"{README}payload-limits-in-ci"
SUMMARY_DOCS = f"{README}the-summary"
_MAX_BULLETS = 10

# Plurals the rule ``+ "s"`` gets wrong, both ways (the limits table names its units in the
# plural: ``entries``, ``bytes``, ``metrics``).
_IRREGULAR = {"entry": "entries", "query": "queries", "policy": "policies", "body": "bodies"}
_SINGULAR = {plural_form: word for word, plural_form in _IRREGULAR.items()}


def noun(count: int, word: str) -> str:
    """The form of ``word`` (given in the singular or the plural) that agrees with ``count``.

    ``noun(1, "entries") == "entry"``, ``noun(2, "entry") == "entries"``,
    ``noun(1, "bytes") == "byte"``.
    """
    singular = _SINGULAR.get(word) or (
        word[:-1] if word.endswith("s") and not word.endswith("ss") else word
    )
    if count == 1:
        return singular
    return _IRREGULAR.get(singular) or singular + "s"


def plural(count: int, word: str) -> str:
    """``"1 request"``, ``"3 requests"``, ``"1 entry"``, ``"2 entries"`` (no separators)."""
    return f"{count} {noun(count, word)}"


def amount(count: int, word: str) -> str:
    """Like :func:`plural`, with thousands separators: ``"1,002 bytes"``."""
    return f"{count:,} {noun(count, word)}"


def agree(count: int, singular: str, plural_form: str) -> str:
    """The verb form for ``count``: ``agree(1, "is", "are") == "is"``."""
    return singular if count == 1 else plural_form


def unanswered(name: str, via: str = "") -> str:
    """The error message a strict-mode request gets back, for the code under test to raise.

    ``via`` names how it was sent when not by a botocore client (``"requests"``).
    """
    sent = f" (sent with {via})" if via else ""
    return (
        f"pytest-botowire strict mode: nothing answered {name}{sent}; register a response with "
        f"botowire.respond() or use mode='offline'; see {MODES_DOCS}"
    )


def bullet_lines(items: Sequence[str], total: int | None = None) -> list[str]:
    """One ``  - `` line per item, at most ``_MAX_BULLETS`` of them, then how many more.

    ``total`` is the number of items there were, when only the first ones were rendered.
    """
    total = len(items) if total is None else total
    lines = [f"  - {item}" for item in items[:_MAX_BULLETS]]
    if total > _MAX_BULLETS:
        lines.append(f"  - ... and {total - _MAX_BULLETS} more")
    return lines


def request_items(
    requests: Sequence[CapturedRequest],
    reason: Callable[[CapturedRequest], str | None] | None = None,
) -> list[str]:
    """One bullet text per request (the first ``_MAX_BULLETS``): what it was and why it fails."""
    items = []
    for request in requests[:_MAX_BULLETS]:
        extra = reason(request) if reason is not None else None
        items.append(request.describe() + (f": {extra}" if extra else ""))
    return items


def bullets(
    requests: Sequence[CapturedRequest],
    reason: Callable[[CapturedRequest], str | None] | None = None,
) -> str:
    """One ``- `` line per request, at most ``_MAX_BULLETS`` of them."""
    return "\n".join(bullet_lines(request_items(requests, reason), len(requests)))


def hint(advice: str, docs: str | None = None) -> str:
    """``Hint: <advice>; see <link>``: what to do next and where the README explains it."""
    return f"Hint: {advice}" + (f"; see {docs}" if docs else "")


def failure(
    headline: str,
    items: Sequence[str] = (),
    *,
    total: int | None = None,
    notes: Sequence[str] = (),
    advice: str | None = None,
    docs: str | None = None,
) -> str:
    """A whole failure message: headline, ``- `` bullets, notes, then the hint and its link.

    ``items`` are the bullet texts (:func:`request_items` makes them for requests); ``total``
    is how many there were when only the first ones were rendered.
    """
    lines = [headline, *bullet_lines(items, total)]
    lines.extend(f"  {note}" for note in notes)
    if advice is not None:
        lines.append("  " + hint(advice, docs))
    elif docs is not None:
        lines.append(f"  See {docs}")
    return "\n".join(lines)


class BotowireWarning(UserWarning):
    """Something pytest-botowire did not do, or did differently, for a test that did not ask for
    it to fail: a failure of the plugin in a passively captured test, requests sent by a thread
    after the test that started it ended."""


#: the README section on the plugin's own failures
FAILURES_DOCS = f"{README}when-the-plugin-itself-fails"


def internal_failures(lines: Sequence[str]) -> str:
    """The message for the plugin's own failures on a test's requests (``Recorder.errors``)."""
    return failure(
        f"botowire: {plural(len(lines), 'failure')} of pytest-botowire itself on this test's "
        "requests",
        lines,
        notes=("where an answer failed, the code under test got an error response instead",),
        advice="this is a bug in pytest-botowire or in a registered answer",
        docs=FAILURES_DOCS,
    )


#: the README section on threads that outlive their test
THREADS_DOCS = f"{README}background-threads"


def sent_after_test(test_id: str | None, mode: str | None, names: Sequence[str]) -> str:
    """The warning for requests a test's threads sent after the test ended."""
    counts: dict[str, int] = {}
    for name in names:
        counts[name] = counts.get(name, 0) + 1
    where = "answered offline" if mode in ("offline", "strict") else "sent to the network"
    return failure(
        f"botowire: {plural(len(names), 'request')} {agree(len(names), 'was', 'were')} sent by "
        f"threads that {test_id} started, after it ended; {where}, captured in no test:",
        [f"{name} x {count}" for name, count in sorted(counts.items())],
        advice="stop (join) the threads a test starts before it ends",
        docs=THREADS_DOCS,
    )
