"""What is checked when a test body ends: each problem becomes part of the test's failure."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pytest

from pytest_botowire.aws.codec import GZIP_TOKENS, is_gzip
from pytest_botowire.aws.patterns import normalize_pattern
from pytest_botowire.capture.recorder import Recorder
from pytest_botowire.features.limits.rules import (
    Check,
    Rule,
    RuleSet,
    builtin_rules,
    payload_rule,
)
from pytest_botowire.features.options import MarkerOptions
from pytest_botowire.model.assertions import declared_gzip_problem
from pytest_botowire.model.messages import (
    ENCODING_DOCS,
    LIMITS_DOCS,
    MARKERS_DOCS,
    MODES_DOCS,
    RESPOND_DOCS,
    agree,
    failure,
    plural,
    request_items,
)
from pytest_botowire.model.request import CapturedRequest


def encoding_problem(request: CapturedRequest) -> str | None:
    """A body that contradicts its own headers: bad gzip, gzip in gzip, wrong Content-Length.

    aws-chunked is a transfer framing: the body must be intact framing. S3 stores the
    ``Content-Encoding`` of an object upload as metadata (``gzip`` over plain bytes is legal
    there), so only the framing of those is checked.
    """
    from pytest_botowire.aws.models import content_encoding_is_metadata

    declared = request.headers.get("Content-Length")
    if declared is not None and request.size is not None:
        try:
            if int(declared) != request.size:
                return f"Content-Length says {declared} but the body is {request.size:,} bytes"
        except ValueError:
            return f"Content-Length {declared!r} is not a number"
    if request.body is None and "aws-chunked" not in request.encodings:
        return None
    data, _, error = request._unframe()
    if data is None:
        if "aws-chunked" in request.encodings and request.body is not None:
            return f"Content-Encoding names aws-chunked but the framing is broken: {error}"
        return None
    if content_encoding_is_metadata(request.service, request.operation):
        return None
    if GZIP_TOKENS.isdisjoint(request.encodings):
        return None
    decoded = request._decoding() if is_gzip(data) else None  # streamed once, then cached
    head = None if decoded is None or decoded.error is not None else decoded.head
    error = decoded.error if decoded is not None else None
    return declared_gzip_problem(data, head, f"the body does not decompress ({error})")


def strict_problem(recorder: Recorder) -> str:
    """The failure message for requests that nothing answered in strict mode."""
    unanswered = list(recorder.unanswered)
    return failure(
        f"botowire strict mode: {plural(len(unanswered), 'request')} answered by nothing",
        request_items(unanswered),
        total=len(unanswered),
        advice="answer them with botowire.respond(...) or moto, or use "
        "@pytest.mark.botowire(mode='offline')",
        docs=MODES_DOCS,
    )


def asked_for_botowire(item: pytest.Item) -> bool:
    """Whether a test uses a botowire fixture or marker (rather than being captured passively).

    A test captured only because the run checks limits (``--botowire-aws-limits``, say) must
    pass or fail as it does without the plugin, except for those limits.
    """
    if item.get_closest_marker("botowire") is not None:
        return True
    names = getattr(item, "fixturenames", ())
    return any(name == "botowire" or name.startswith("botowire_") for name in names)


def end_of_test_problems(
    item: pytest.Item, recorder: Recorder, options: MarkerOptions
) -> list[str]:
    """Every problem to report for the test, each a complete failure message.

    A test that never asked for botowire is only checked against the run's limits.
    """
    requests = list(recorder.requests)
    if not asked_for_botowire(item):
        over = limit_problem(item, requests, options)
        return [over] if over else []
    problems: list[str] = []
    if recorder.unanswered:
        problems.append(strict_problem(recorder))
    if options.check_encoding:
        bad = [(r, encoding_problem(r)) for r in requests]
        flagged = [(r, p) for r, p in bad if p]
        if flagged:
            reasons = {id(r): p for r, p in flagged}
            problems.append(
                failure(
                    f"botowire: {plural(len(flagged), 'request')} sent a body that contradicts "
                    "its own headers",
                    request_items([r for r, _ in flagged], lambda r: reasons[id(r)]),
                    total=len(flagged),
                    advice="opt out with @pytest.mark.botowire(check_encoding=False) if this is "
                    "intended",
                    docs=ENCODING_DOCS,
                )
            )
    over_limit = limit_problem(item, requests, options)
    if over_limit:
        problems.append(over_limit)
    missing_headers = header_requirement_problem(requests, options.require_headers)
    if missing_headers:
        problems.append(missing_headers)
    if options.assert_all_responses_used and recorder.responses is not None:
        unused = recorder.responses.unused()
        if unused:
            problems.append(
                failure(
                    f"botowire: {plural(len(unused), 'response')} registered with respond() "
                    f"{agree(len(unused), 'was', 'were')} not used up",
                    [r.describe() for r in unused],
                    advice="remove them, fix the pattern, or opt out with "
                    "@pytest.mark.botowire(assert_all_responses_used=False)",
                    docs=RESPOND_DOCS,
                )
            )
    return problems


# --------------------------------------------------------------------------- limits, headers

#: per test: ``id(request)`` -> its limit checks, for requests checked when the body ended
CHECKED_KEY = pytest.StashKey[dict[int, list[Check]]]()
_ITEM_LIMITS_KEY = pytest.StashKey["ItemLimits"]()


@dataclass(frozen=True)
class ItemLimits:
    """The limit rules one test is checked against, and where each set of rules comes from."""

    ruleset: RuleSet
    #: one sentence per set of rules (or per opt-out), for messages and ``limit_for``
    sources: tuple[str, ...]
    _by_operation: dict[tuple[str, str], RuleSet] = field(
        default_factory=dict, compare=False, repr=False
    )

    def for_operation(self, service: str, operation: str) -> RuleSet:
        """The rules whose pattern matches one operation (cached: a test sends many alike)."""
        key = (service, operation)
        narrowed = self._by_operation.get(key)
        if narrowed is None:
            narrowed = RuleSet()
            # Overrides are already resolved in ``ruleset``: a subset keeps its order and needs
            # no second pass.
            narrowed.rules = tuple(
                rule for rule in self.ruleset.rules if rule.matcher.matches(service, operation)
            )
            self._by_operation[key] = narrowed
        return narrowed

    def check(self, request: CapturedRequest) -> list[Check]:
        """One ``Check`` per rule that applies to ``request``."""
        return self.for_operation(request.service, request.operation).check(request)


def _marker_payload_rules(value: int | Mapping[str, int]) -> tuple[Rule, ...]:
    items = list(value.items()) if isinstance(value, Mapping) else [("*", value)]
    rules: list[Rule] = []
    for pattern, limit in items:
        normalized = normalize_pattern(pattern)
        shown = f"{{{pattern!r}: {limit}}}" if isinstance(value, Mapping) else str(limit)
        rule = payload_rule(normalized, limit, f"@pytest.mark.botowire(max_payload={shown})")
        rules.append(
            dataclasses.replace(
                rule,
                id=f"marker.{normalized}.body_bytes",
                description=f"Request body of {normalized} at most {limit} bytes.",
                group="marker:body_bytes",
            )
        )
    return tuple(rules)


def item_limits(item: pytest.Item, options: MarkerOptions | None = None) -> ItemLimits:
    """The rules a test is checked against: its markers over the run's options.

    The built-in table applies with ``--botowire-aws-limits`` (ini ``botowire_aws_limits``) or
    ``aws_limits=True``; user rules (ini ``botowire_limits``, the ``pytest_botowire_limits``
    hook) apply to every test; ``aws_limits=False`` on a test turns both off for it. The
    ``max_payload`` marker replaces the run's ``--botowire-max-payload`` for the test
    (``max_payload=None`` removes it). A payload cap adds to the table: it never replaces a
    row, even one with the same pattern.
    """
    cached = item.stash.get(_ITEM_LIMITS_KEY, None)
    if cached is not None:
        return cached
    from pytest_botowire.features.settings import SESSION_KEY
    from pytest_botowire.features.settings import options as _options

    if options is None:
        options = _options(item)
    suite = item.config.stash[SESSION_KEY].limits
    rules: list[Rule] = []
    payload: list[Rule] = []
    sources: list[str] = []
    table_marked = "aws_limits" in options.explicit
    table_off = table_marked and not options.aws_limits
    if table_off:
        if suite.aws_limits or suite.user_rules:
            sources.append("no limits table for this test: @pytest.mark.botowire(aws_limits=False)")
    else:
        if options.aws_limits or suite.aws_limits:
            rules.extend(builtin_rules())
            origin = "@pytest.mark.botowire(aws_limits=True)" if table_marked else suite.aws_origin
            sources.append(f"the built-in AWS limits table, turned on by {origin}")
        if suite.user_rules:
            rules.extend(suite.user_rules)
            sources.append(
                f"{plural(len(suite.user_rules), 'user rule')} from ini botowire_limits and the "
                "pytest_botowire_limits hook"
            )
    if "max_payload" in options.explicit:
        if options.max_payload is None:
            if suite.max_payload:
                sources.append(
                    "no max payload for this test: @pytest.mark.botowire(max_payload=None)"
                )
        else:
            payload.extend(_marker_payload_rules(options.max_payload))
            replaced = ", replacing the run's" if suite.max_payload else ""
            sources.append(f"max payload from @pytest.mark.botowire(max_payload=...){replaced}")
    elif suite.max_payload:
        payload.extend(suite.max_payload)
        sources.append(f"max payload from {suite.max_payload_origin}")
    # A payload cap adds to the table, never replaces a row of it (as a table row with the
    # same pattern and measure would): both sets are built apart, then put together.
    # Tests that ask for the same rules share one ItemLimits (and its per-operation cache);
    # the key holds the rules themselves, so their ids stay valid.
    key = (tuple(rules), tuple(payload), tuple(sources))
    shared_key = tuple(map(id, key[0])), tuple(map(id, key[1])), key[2]
    shared = suite.shared_limits.get(shared_key)
    if shared is None:
        ruleset = RuleSet(rules)
        ruleset.rules = (*ruleset.rules, *RuleSet(payload).rules)
        shared = suite.shared_limits[shared_key] = (key, ItemLimits(ruleset, tuple(sources)))
    limits = shared[1]
    item.stash[_ITEM_LIMITS_KEY] = limits
    return limits


def limit_problem(
    item: pytest.Item, requests: list[CapturedRequest], options: MarkerOptions
) -> str | None:
    """The failure message for requests over a limit; remembers every request's checks."""
    limits = item_limits(item, options)
    checked: dict[int, list[Check]] = {}
    breached: list[tuple[CapturedRequest, list[Check]]] = []
    if len(limits.ruleset):
        for request in requests:
            checks = limits.check(request)
            checked[id(request)] = checks
            over = [check for check in checks if check.breached]
            if over:
                breached.append((request, over))
    item.stash[CHECKED_KEY] = checked
    if not breached:
        return None
    reasons = {id(request): "; ".join(c.message() for c in over) for request, over in breached}
    return failure(
        f"botowire limits: {len(breached)} of {plural(len(requests), 'request')} "
        f"{agree(len(breached), 'is', 'are')} over a limit",
        request_items([request for request, _ in breached], lambda r: reasons[id(r)]),
        total=len(breached),
        notes=[f"Limits: {'; '.join(limits.sources)}"],
        advice="botowire.limit_for(request) explains them",
        docs=LIMITS_DOCS,
    )


def header_requirement_problem(requests: list[CapturedRequest], required: Any) -> str | None:
    """The failure message for requests without a header ``require_headers`` asks for."""
    from pytest_botowire.model.assertions import header_problem

    if required is None:
        return None
    pairs: list[tuple[str, Any]] = (
        list(required.items()) if isinstance(required, Mapping) else [(n, None) for n in required]
    )
    if not pairs:
        return None
    reasons: dict[int, str] = {}
    failing: list[CapturedRequest] = []
    for request in requests:
        found = [p for name, value in pairs if (p := header_problem(request, name, value))]
        if found:
            failing.append(request)
            reasons[id(request)] = "; ".join(found)
    if not failing:
        return None
    names = ", ".join(name for name, _ in pairs)
    return failure(
        f"botowire require_headers: {len(failing)} of {plural(len(requests), 'request')} "
        f"{agree(len(failing), 'is', 'are')} missing a required header",
        request_items(failing, lambda r: reasons[id(r)]),
        total=len(failing),
        advice="@pytest.mark.botowire(require_headers=...) asks every request of the test "
        f"for {names}",
        docs=MARKERS_DOCS,
    )


class _Named:
    """A request known only by name, for ``limit_for("service.Operation")``."""

    params: Mapping[str, Any] | None = None
    size: int | None = None
    decoded_size: int | None = None

    def __init__(self, service: str, operation: str) -> None:
        self.service = service
        self.operation = operation


class LimitExplanation:
    """Which limit rules apply to one request of a test, and why (``botowire.limit_for``).

    ``str()`` gives the full account; ``checks`` holds one ``Check`` per applicable rule.
    """

    __slots__ = ("checks", "name", "sources", "test_id", "text")

    def __init__(
        self,
        name: str,
        test_id: str | None,
        sources: tuple[str, ...],
        checks: tuple[Check, ...],
        text: str,
    ) -> None:
        #: ``"service.Operation"``
        self.name = name
        #: the node id of the test whose markers were used
        self.test_id = test_id
        #: where each set of rules comes from
        self.sources = sources
        #: one per applicable rule; ``check.value`` is ``None`` when not measurable
        self.checks = checks
        #: ``RuleSet.explain``: every matching rule, applied or skipped, and why
        self.text = text

    @property
    def rules(self) -> tuple[Rule, ...]:
        """The rules that apply."""
        return tuple(check.rule for check in self.checks)

    @property
    def breaches(self) -> tuple[Check, ...]:
        """The checks that were measured over their limit."""
        return tuple(check for check in self.checks if check.breached)

    def __str__(self) -> str:
        where = f" in {self.test_id}" if self.test_id else ""
        lines = [f"limits for {self.name}{where}:"]
        if self.sources:
            lines.extend(f"  {source}" for source in self.sources)
        else:
            lines.append(
                "  no limits apply to this test: use --botowire-aws-limits, "
                "--botowire-max-payload or @pytest.mark.botowire(aws_limits=True, max_payload=...)"
            )
        lines.append(self.text)
        return "\n".join(lines)

    def __repr__(self) -> str:
        count = len(self.checks)
        return f"<LimitExplanation {self.name}: {plural(count, 'rule')} {agree(count, 'applies', 'apply')}>"


def explain_limits(
    limits: ItemLimits | None, request: Any, test_id: str | None
) -> LimitExplanation:
    """The ``LimitExplanation`` for a ``CapturedRequest`` or a ``"service.Operation"`` name."""
    __tracebackhide__ = True
    if isinstance(request, str):
        name = normalize_pattern(request)
        service, _, operation = name.partition(".")
        if service == "*" or not operation or any(c in operation for c in "*?["):
            raise ValueError(
                f"limit_for({request!r}) needs one operation, like 'sqs.SendMessage', or a "
                "captured request"
            )
        request = _Named(service, operation)
    elif not isinstance(request, CapturedRequest):
        raise TypeError(
            "limit_for() takes a captured request or a 'service.Operation' name, "
            f"not {type(request).__name__}"
        )
    ruleset = limits.ruleset if limits is not None else RuleSet()
    sources = limits.sources if limits is not None else ()
    return LimitExplanation(
        f"{request.service}.{request.operation}",
        test_id,
        sources,
        tuple(ruleset.check(request)),
        ruleset.explain(request),
    )
