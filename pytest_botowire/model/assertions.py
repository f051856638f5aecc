"""Assertions shared by ``Wire``, a selection and a single ``CapturedRequest``.

On a sequence an assertion must hold for every request in it; every assertion but
``assert_not_called`` fails on an empty sequence, because a check that cannot fail is a bug.
Failure messages follow one shape: a headline sentence with expected and actual counts, one
``- `` bullet per offending request, then a hint where one helps.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from pytest_botowire.aws.codec import GZIP_TOKENS, decode_stream, is_gzip
from pytest_botowire.aws.redact import REDACTED, redact_header, sensitive_input
from pytest_botowire.model.messages import (
    GZIP_DOCS,
    REQUESTS_DOCS,
    SIGNING_ADVICE,
    SIGNING_DOCS,
    agree,
    amount,
    failure,
    plural,
    request_items,
)

if TYPE_CHECKING:
    from pytest_botowire.model.request import CapturedRequest


def check_int(
    value: object,
    name: str,
    *,
    expected: str = "an int",
    minimum: int = 0,
    maximum: int | None = None,
    hint: str = "",
) -> int:
    """Validate a whole number given by a user (a byte count, a level, a count, a status).

    ``TypeError`` (``"{name} must be {expected}, not {value!r}"``) for anything but an ``int``
    (``bool`` included); ``ValueError`` naming the range for a number outside
    ``minimum``..``maximum``, followed by ``hint``.
    """
    __tracebackhide__ = True
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be {expected}, not {value!r}")
    if value < minimum or (maximum is not None and value > maximum):
        if maximum is not None:
            bound = f"must be from {minimum} to {maximum}"
        elif minimum == 0:
            bound = "must not be negative"
        else:
            bound = f"must be at least {minimum}"
        raise ValueError(f"{name} {bound}, got {value}{hint}")
    return value


def gzip_problem(request: CapturedRequest) -> str | None:
    """Why a request is not gzip-compressed exactly once, or ``None`` when it is.

    Looks inside aws-chunked framing (a transfer framing around the payload): the framing
    must be intact and the payload inside it gzip data.
    """
    gzips = sum(1 for token in request.encodings if token in GZIP_TOKENS)
    data, _, unframed_error = request._unframe()
    if data is None:
        if request.body is not None:
            return f"Content-Encoding names aws-chunked but the framing is broken: {unframed_error}"
        return f"cannot check: {unframed_error}"
    if gzips == 0:
        if is_gzip(data):
            return "the body is gzip data but Content-Encoding does not name gzip"
        return "Content-Encoding does not name gzip and the body is not gzip"
    if gzips > 1:
        return f"Content-Encoding names gzip {gzips} times"
    head: bytes | None = None
    error = ""
    if is_gzip(data):
        # Streams through the decompressor: nothing decoded is kept but its first bytes.
        inner = decode_stream(data, ["gzip"], keep=0)
        if inner.error is not None:
            error = f"the gzip data is corrupt or truncated ({inner.cause})"
        else:
            head = inner.head
    return declared_gzip_problem(data, head, error)


def declared_gzip_problem(data: bytes, decoded: bytes | None, error: str) -> str | None:
    """Why a body sent with ``Content-Encoding: gzip`` is not gzip data compressed once.

    ``decoded`` is the body decompressed (its first bytes are enough), or ``None`` with
    ``error`` saying why it is not.
    """
    if not is_gzip(data):
        return "Content-Encoding: gzip but the body is not gzip data"
    if decoded is None:
        return f"Content-Encoding: gzip but {error}"
    if is_gzip(decoded):
        return "compressed twice: the body decompresses to gzip data again"
    return None


#: what a byte count must be, in messages
_BYTES = "a whole number of bytes (an int like 40_000)"


def header_problem(
    request: CapturedRequest, name: str, value: str | re.Pattern[str] | None
) -> str | None:
    """Why a request does not carry header ``name`` (with ``value``), or ``None``."""
    actual = request.headers.get(name)
    if actual is None:
        return f"no {name} header"
    if value is None:
        return None
    secret = sensitive_input(request.service, request.operation).headers
    shown = redact_header(name, actual, secret)
    if isinstance(value, re.Pattern):
        if value.search(actual) is None:
            return f"{name}: {shown!r} does not match {value.pattern!r}"
        return None
    if actual != value:
        return f"{name}: {shown!r} != {redact_header(name, value, secret)!r}"
    return None


def check_header_value(value: object, name: str = "value") -> None:
    """Validate the ``value`` argument of ``assert_header``: a ``str``, a ``str`` regex, ``None``."""
    __tracebackhide__ = True
    if isinstance(value, re.Pattern) and not isinstance(value.pattern, str):
        raise TypeError(
            f"{name} must be a str regex, not a bytes one: header values are str, so write "
            f"re.compile({value.pattern.decode('latin-1')!r}) instead of re.compile({value.pattern!r})"
        )
    if value is not None and not isinstance(value, (str, re.Pattern)):
        raise TypeError(
            f"{name} must be a str, a compiled regex (re.compile(...)) or None, not {type(value).__name__}"
        )


def check_expected_params(expected: Any, path: str = "") -> None:
    """Refuse what ``assert_params`` could never compare: a bytes regex (parameters hold str)."""
    __tracebackhide__ = True
    if isinstance(expected, re.Pattern):
        if not isinstance(expected.pattern, str):
            where = f" at {path}" if path else ""
            raise TypeError(
                f"assert_params: the regex{where} must be a str regex, not a bytes one: "
                f"regexes match str parameters, so write "
                f"re.compile({expected.pattern.decode('latin-1')!r}) instead of "
                f"re.compile({expected.pattern!r}); to compare a bytes parameter, pass the bytes"
            )
    elif isinstance(expected, Mapping):
        for key, value in expected.items():
            check_expected_params(value, f"{path}.{key}" if path else str(key))
    elif isinstance(expected, (list, tuple)):
        for index, value in enumerate(expected):
            check_expected_params(value, f"{path}[{index}]")


def check_header_name(name: object) -> str:
    """Validate a header name."""
    __tracebackhide__ = True
    if not isinstance(name, str) or not name.strip():
        raise TypeError(f"a header name must be a non-empty str, not {name!r}")
    return name


def subset_problem(
    actual: Any, expected: Any, path: str = "", hides: Callable[[str], bool] | None = None
) -> str | None:
    """Where ``expected`` is not a deep subset of ``actual``, or ``None``.

    Mappings: every expected key is present (other keys may be too), its value again a deep
    subset. Lists and tuples: the same length, compared element by element in order, each
    element a deep subset. A ``str`` regex searches a string; anything else compares with ``==``.
    ``hides(path)`` says which values must not be shown (members the model marks sensitive).
    """
    if hides is not None and path and hides(path):
        shown = subset_problem(actual, expected, path)
        return None if shown is None else f"{path}: {REDACTED} differs from what was expected"
    if isinstance(expected, Mapping):
        if not isinstance(actual, Mapping):
            return f"{path or 'params'}: expected a mapping, got {type(actual).__name__}"
        for key, value in expected.items():
            sub = f"{path}.{key}" if path else str(key)
            if key not in actual:
                return f"{sub}: missing"
            problem = subset_problem(actual[key], value, sub, hides)
            if problem:
                return problem
        return None
    if isinstance(expected, (list, tuple)):
        if not isinstance(actual, (list, tuple)):
            return f"{path}: expected a list, got {type(actual).__name__}"
        if len(actual) != len(expected):
            return (
                f"{path}: expected a list of {plural(len(expected), 'item')}, got "
                f"{plural(len(actual), 'item')} (a list matches element by element, so its "
                "length must be the same)"
            )
        for i, (a, e) in enumerate(zip(actual, expected, strict=True)):
            problem = subset_problem(a, e, f"{path}[{i}]", hides)
            if problem:
                return problem
        return None
    if isinstance(expected, re.Pattern):
        if not isinstance(actual, str) or expected.search(actual) is None:
            return f"{path}: {_short(actual)} does not match {expected.pattern!r}"
        return None
    if actual != expected:
        return f"{path}: {_short(actual)} != {_short(expected)}"
    return None


def _short(value: Any, limit: int = 80) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


class Assertable:
    """The assertions, for anything that can list the requests they apply to.

    Subclasses provide ``_targets()`` (the requests), ``_label()`` (how to name them in a
    message) and ``_nothing_matched()`` (the message for an empty sequence).
    """

    __slots__ = ()

    def _targets(self) -> list[CapturedRequest]:
        raise NotImplementedError

    def _label(self) -> str:
        raise NotImplementedError

    def _nothing_matched(self, assertion: str) -> str:
        return f"{assertion}: no request matched"

    def _nonempty(self, assertion: str) -> list[CapturedRequest]:
        __tracebackhide__ = True
        targets = self._targets()
        if not targets:
            raise AssertionError(self._nothing_matched(assertion))
        return targets

    def _fail_each(
        self,
        assertion: str,
        what: str,
        check: Any,
        advice: str | None = None,
        docs: str | None = None,
    ) -> None:
        """Fail when ``check(request)`` returns a reason for any request."""
        __tracebackhide__ = True
        targets = self._nonempty(assertion)
        failing = []
        reasons: dict[int, str] = {}
        for request in targets:
            reason = check(request)
            if reason:
                failing.append(request)
                reasons[id(request)] = reason
        if not failing:
            return
        headline = (
            f"{assertion}: {len(failing)} of {plural(len(targets), 'request')} "
            f"({self._label()}) {agree(len(failing), 'is', 'are')} {what}"
        )
        items = request_items(failing, lambda r: reasons[id(r)])
        raise AssertionError(failure(headline, items, total=len(failing), advice=advice, docs=docs))

    # -- the assertions -------------------------------------------------------------
    def assert_called(self, times: int | None = None) -> None:
        """At least one request (or exactly ``times`` requests) was sent."""
        __tracebackhide__ = True
        if times is not None:
            check_int(times, "times", minimum=1, hint="; use assert_not_called() to check for none")
        targets = self._nonempty("assert_called")
        if times is not None and len(targets) != times:
            raise AssertionError(
                failure(
                    f"assert_called: expected {plural(times, 'request')} ({self._label()}), "
                    f"got {len(targets)}",
                    request_items(targets),
                    total=len(targets),
                )
            )

    def assert_not_called(self) -> None:
        """No request was sent."""
        __tracebackhide__ = True
        targets = self._targets()
        if targets:
            raise AssertionError(
                failure(
                    f"assert_not_called: expected no request ({self._label()}), got {len(targets)}",
                    request_items(targets),
                    total=len(targets),
                )
            )

    def assert_gzipped(self) -> None:
        """Each body is gzip-compressed exactly once: ``Content-Encoding`` says so and the bytes are gzip."""
        __tracebackhide__ = True
        self._fail_each(
            "assert_gzipped",
            "not gzip-compressed exactly once",
            gzip_problem,
            advice="gzip with enable_gzip() or the botowire_gzip fixture, which never gzip twice",
            docs=GZIP_DOCS,
        )

    def assert_payload_under(self, limit: int, *, decoded: bool = False) -> None:
        """Each body is at most ``limit`` bytes on the wire (or decoded, with ``decoded=True``).

        AWS limits are inclusive, so a body of exactly ``limit`` bytes passes.
        """
        __tracebackhide__ = True
        limit = check_int(limit, "limit", expected=_BYTES)
        if not isinstance(decoded, bool):
            raise TypeError(f"decoded must be True or False, not {decoded!r}")

        def check(request: CapturedRequest) -> str | None:
            size = request.decoded_size if decoded else request.size
            if size is None:
                why = request.content_error if decoded else request.note
                return f"size unknown ({why})"
            if size > limit:
                return f"{size:,} > {amount(limit, 'bytes')} (over by {size - limit:,})"
            return None

        kind = "decoded" if decoded else "on the wire"
        self._fail_each("assert_payload_under", f"over {amount(limit, 'bytes')} {kind}", check)

    def assert_header(self, name: str, value: str | re.Pattern[str] | None = None) -> None:
        """Each request carries header ``name``, equal to ``value`` (a ``str``) or matching it (a regex)."""
        __tracebackhide__ = True
        name = check_header_name(name)
        check_header_value(value)
        if value is None:
            what = f"missing header {name}"
        elif isinstance(value, re.Pattern):
            what = f"missing header {name} matching {value.pattern!r}"
        else:
            secret = frozenset().union(
                *(sensitive_input(r.service, r.operation).headers for r in self._targets())
            )
            what = f"missing header {name}: {redact_header(name, value, secret)!r}"
        self._fail_each("assert_header", what, lambda r: header_problem(r, name, value))

    def assert_no_header(self, name: str) -> None:
        """No request carries header ``name``."""
        __tracebackhide__ = True
        name = check_header_name(name)

        def check(request: CapturedRequest) -> str | None:
            actual = request.headers.get(name)
            secret = sensitive_input(request.service, request.operation).headers
            return None if actual is None else f"{name}: {redact_header(name, actual, secret)!r}"

        self._fail_each("assert_no_header", f"carrying header {name}", check)

    def assert_params(self, **expected: Any) -> None:
        """The API parameters of each request contain ``expected`` (a deep subset)."""
        __tracebackhide__ = True
        if not expected:
            raise TypeError("assert_params() needs at least one expected parameter")
        check_expected_params(expected)

        def check(request: CapturedRequest) -> str | None:
            if request.params is None:
                return "the API parameters are unknown (the request was not made by a client call)"
            secret = sensitive_input(request.service, request.operation)
            return subset_problem(request.params, expected, hides=secret.hides)

        self._fail_each("assert_params", "not sent with the expected parameters", check)

    def assert_signed(self) -> None:
        """The SigV4 signature of each request is valid for the headers and body actually sent."""
        __tracebackhide__ = True
        from pytest_botowire.model.signing import signature_problem, signer_kind

        targets = self._targets()
        problems = {id(request): signature_problem(request) for request in targets}
        kinds = [signer_kind(r) for r in targets if problems[id(r)]]
        kinds = list(dict.fromkeys(kinds))  # the advice for each kind of signer, once
        advice = "; ".join(SIGNING_ADVICE[kind] for kind in kinds) or SIGNING_ADVICE["client"]
        docs = SIGNING_DOCS if kinds in ([], ["client"]) else REQUESTS_DOCS
        self._fail_each(
            "assert_signed",
            "not validly signed",
            lambda request: problems.get(id(request), signature_problem(request)),
            advice=advice,
            docs=docs,
        )
