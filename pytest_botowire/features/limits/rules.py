"""AWS request limits as data: rules, measures and rule sets.

A :class:`Rule` says "requests to PATTERN must keep MEASURE at or below LIMIT".
The builtin rules live in ``aws_limits.json`` (shipped in the package, loaded by
:func:`builtin_rules`); users add their own with :func:`parse_rule_line` (the ini
form) and :func:`payload_rule` (``--botowire-max-payload`` and the ``max_payload``
marker).

Patterns
    ``"service.Operation"``: the service is the client name (``logs``) or the
    hyphenized service id (``cloudwatch-logs``); both parts may use ``fnmatch``
    wildcards, and ``"*"`` alone means every operation of every service.

Measures (the whole vocabulary)
    ``body_bytes``
        the request body on the wire (``request.size``).
    ``decoded_body_bytes``
        the body after removing content encodings such as gzip
        (``request.decoded_size``).
    ``entries``
        the summed lengths of the lists found at ``paths``.
    ``max_list_per_item``
        the length of the longest single list found at ``paths``.
    ``param_bytes``
        the summed sizes of the values found at ``paths``, each sized by the
        rule's ``sizer``.
    ``max_item_bytes``
        the size of the largest single value found at ``paths``, sized by the
        rule's ``sizer``.

Paths
    Dotted keys into the parameters the caller passed to the client method.
    ``"Key[]"`` steps into every element of a list, ``"*"`` into every value of a
    mapping and ``"$"`` alone is the parameters themselves.  Example:
    ``"RequestItems.*[].PutRequest.Item"``.  A missing key contributes nothing.

Sizers (how ``param_bytes`` / ``max_item_bytes`` size one value)
    ``utf8``
        ``str`` as UTF-8 bytes, ``bytes`` as is (the default).
    ``sqs_message``
        ``MessageBody`` plus every message attribute's name, data type and
        value (``MessageSystemAttributes`` do not count, as AWS documents).
    ``sns_message``
        ``Message`` plus every message attribute's name, data type and value.
    ``eventbridge_entry``
        AWS's "Calculating PutEvents entry size": 14 bytes for ``Time`` when
        present, then UTF-8 bytes of ``Source``, ``DetailType``, ``Detail`` and
        each ``Resources`` entry.
    ``kinesis_record``
        ``Data`` (raw bytes, before base64) plus ``PartitionKey`` UTF-8 bytes.
    ``log_event``
        ``message`` UTF-8 bytes plus 26 bytes of per-event overhead.
    ``dynamodb_item``
        an estimate of DynamoDB's documented item size (attribute names plus
        values; numbers at one byte per two significant digits plus one).

Conditions
    ``when`` maps a parameter name to the allowed value or a list of allowed
    values; ``None`` (JSON ``null``) stands for "absent".  A rule whose
    condition cannot be decided because the parameters are unknown still
    applies, but measures as ``None`` (not measurable).

Overrides and specificity
    In a :class:`RuleSet`, a later rule replaces an earlier one with the same
    ``id``.  A later rule without ``when`` also replaces every earlier rule with
    the same pattern, measure, paths and sizer (whatever their condition); a
    later rule with ``when`` replaces only an identical rule with the same
    condition.  Rules that share a ``group`` (user rules do: ``"user:MEASURE"``)
    compete: of those that match a request only the most specific pattern
    applies (``svc.Op`` > ``svc.*`` > ``*.Op`` > ``*``; ties go to the later
    rule).  Builtin rules have no group: all that match apply.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from importlib import resources
from typing import Any, Protocol

from pytest_botowire.aws.patterns import Pattern, lenient_pattern
from pytest_botowire.model.messages import plural

__all__ = [
    "MEASURES",
    "SIZERS",
    "Check",
    "RequestLike",
    "Rule",
    "RuleSet",
    "builtin_rules",
    "parse_rule_line",
    "payload_rule",
    "rule_from_dict",
    "size_of",
]

#: Measures taken from the request itself; they need no ``paths``.
REQUEST_MEASURES: frozenset[str] = frozenset({"body_bytes", "decoded_body_bytes"})
#: Measures taken from the parameters at ``paths``.
PARAM_MEASURES: frozenset[str] = frozenset(
    {"entries", "max_list_per_item", "param_bytes", "max_item_bytes"}
)
#: Every measure a rule may name.
MEASURES: frozenset[str] = REQUEST_MEASURES | PARAM_MEASURES
#: Every sizer a ``param_bytes`` / ``max_item_bytes`` rule may name.
SIZERS: frozenset[str] = frozenset(
    {
        "utf8",
        "sqs_message",
        "sns_message",
        "eventbridge_entry",
        "kinesis_record",
        "log_event",
        "dynamodb_item",
    }
)


class RequestLike(Protocol):
    """What a rule needs to know about one captured request."""

    @property
    def service(self) -> str:
        """Client name, e.g. ``"logs"``."""

    @property
    def operation(self) -> str:
        """API operation name, e.g. ``"PutLogEvents"``."""

    @property
    def params(self) -> Mapping[str, Any] | None:
        """Parameters passed to the client method; ``None`` when unknown."""

    @property
    def size(self) -> int | None:
        """Body bytes on the wire; ``None`` when unknown."""

    @property
    def decoded_size(self) -> int | None:
        """Body bytes after removing content encodings; ``None`` when unknown."""


class _Unmeasurable(Exception):
    """A value at a path cannot be sized (e.g. a stream)."""


# --------------------------------------------------------------------------- paths


def _resolve(params: Mapping[str, Any], path: str) -> Iterator[Any]:
    """Yield every value the path reaches in ``params`` (see module docstring)."""
    current: list[Any] = [params]
    if path in ("$", ""):
        yield from current
        return
    for raw in path.split("."):
        step_list = raw.endswith("[]")
        key = raw[:-2] if step_list else raw
        nxt: list[Any] = []
        for value in current:
            if key == "*":
                if isinstance(value, Mapping):
                    nxt.extend(value.values())
            elif key:
                if isinstance(value, Mapping) and key in value:
                    nxt.append(value[key])
            else:
                nxt.append(value)
        if step_list:
            flat: list[Any] = []
            for value in nxt:
                if isinstance(value, (list, tuple)):
                    flat.extend(value)
            nxt = flat
        current = nxt
    yield from current


# --------------------------------------------------------------------------- sizers


def _utf8(value: Any) -> int:
    if value is None:
        return 0
    if isinstance(value, str):
        return len(value.encode("utf-8"))
    if isinstance(value, (bytes, bytearray, memoryview)):
        return len(bytes(value))
    raise _Unmeasurable(f"cannot size a {type(value).__name__}")


def _message_attributes(attrs: Any) -> int:
    total = 0
    if not isinstance(attrs, Mapping):
        return 0
    for name, attr in attrs.items():
        total += _utf8(str(name))
        if not isinstance(attr, Mapping):
            continue
        total += _utf8(attr.get("DataType"))
        total += _utf8(attr.get("StringValue"))
        total += _utf8(attr.get("BinaryValue"))
        for item in attr.get("StringListValues") or ():
            total += _utf8(item)
        for item in attr.get("BinaryListValues") or ():
            total += _utf8(item)
    return total


def _message_size(body_key: str, value: Any) -> int:
    if not isinstance(value, Mapping):
        return _utf8(value)
    return _utf8(value.get(body_key)) + _message_attributes(value.get("MessageAttributes"))


def _eventbridge_entry(value: Any) -> int:
    if not isinstance(value, Mapping):
        return _utf8(value)
    size = 14 if value.get("Time") is not None else 0
    size += _utf8(value.get("Source"))
    size += _utf8(value.get("DetailType"))
    size += _utf8(value.get("Detail"))
    for resource in value.get("Resources") or ():
        size += _utf8(resource)
    return size


def _kinesis_record(value: Any) -> int:
    if not isinstance(value, Mapping):
        return _utf8(value)
    return _utf8(value.get("Data")) + _utf8(value.get("PartitionKey"))


def _log_event(value: Any) -> int:
    if not isinstance(value, Mapping):
        return _utf8(value) + 26
    return _utf8(value.get("message")) + 26


_DYNAMODB_TAGS = frozenset({"S", "N", "B", "SS", "NS", "BS", "M", "L", "NULL", "BOOL"})


def _dynamodb_number(value: Any) -> int:
    """Bytes of a DynamoDB number: one per two significant digits, plus one."""
    text = str(value).strip()
    try:
        digits = Decimal(text).as_tuple().digits
    except ArithmeticError as exc:
        raise _Unmeasurable(f"not a number: {text!r}") from exc
    significant = "".join(str(d) for d in digits).strip("0")
    return (len(significant) + 1) // 2 + 1


def _dynamodb_value(value: Any) -> int:
    """Estimated size of one attribute value (without its name)."""
    if isinstance(value, Mapping) and len(value) == 1:
        ((tag, inner),) = value.items()
        if tag in _DYNAMODB_TAGS:
            if tag == "S" or tag == "B":
                return _utf8(inner)
            if tag == "N":
                return _dynamodb_number(inner)
            if tag in ("NULL", "BOOL"):
                return 1
            if tag in ("SS", "BS"):
                return sum(_utf8(item) for item in inner)
            if tag == "NS":
                return sum(_dynamodb_number(item) for item in inner)
            if tag == "L":
                return 3 + sum(1 + _dynamodb_value(item) for item in inner)
            return 3 + sum(1 + _utf8(str(k)) + _dynamodb_value(v) for k, v in inner.items())
    # Python-native values (boto3's resource layer / TypeSerializer input).
    if value is None or isinstance(value, bool):
        return 1
    if isinstance(value, (str, bytes, bytearray, memoryview)):
        return _utf8(value)
    if isinstance(value, (int, float, Decimal)):
        return _dynamodb_number(value)
    if isinstance(value, (set, frozenset)):
        return sum(_dynamodb_value(item) for item in value)
    if isinstance(value, (list, tuple)):
        return 3 + sum(1 + _dynamodb_value(item) for item in value)
    if isinstance(value, Mapping):
        return 3 + sum(1 + _utf8(str(k)) + _dynamodb_value(v) for k, v in value.items())
    raise _Unmeasurable(f"cannot size a DynamoDB {type(value).__name__}")


def _dynamodb_item(value: Any) -> int:
    if not isinstance(value, Mapping):
        raise _Unmeasurable("a DynamoDB item must be a mapping")
    return sum(_utf8(str(name)) + _dynamodb_value(v) for name, v in value.items())


_SIZER_FUNCS: dict[str, Any] = {
    "utf8": _utf8,
    "sqs_message": functools.partial(_message_size, "MessageBody"),
    "sns_message": functools.partial(_message_size, "Message"),
    "eventbridge_entry": _eventbridge_entry,
    "kinesis_record": _kinesis_record,
    "log_event": _log_event,
    "dynamodb_item": _dynamodb_item,
}


def size_of(sizer: str, value: Any) -> int | None:
    """Size ``value`` with the named sizer; ``None`` when it cannot be sized.

    Raises ``ValueError`` for an unknown sizer name.
    """
    try:
        func = _SIZER_FUNCS[sizer]
    except KeyError:
        raise ValueError(f"unknown sizer {sizer!r}; expected one of {sorted(SIZERS)}") from None
    try:
        result: int = func(value)
    except (_Unmeasurable, TypeError, AttributeError):
        return None
    return result


# --------------------------------------------------------------------------- rules


def _when_holds(when: Mapping[str, Any], params: Mapping[str, Any]) -> bool:
    for name, allowed in when.items():
        options = allowed if isinstance(allowed, list) else [allowed]
        if params.get(name) not in options:
            return False
    return True


@dataclass(frozen=True)
class Rule:
    """One limit: requests matching ``pattern`` keep ``measure`` at or below ``limit``."""

    id: str
    pattern: str
    measure: str
    limit: int
    unit: str = "bytes"
    description: str = ""
    source: str = ""
    checked: str = ""
    when: Mapping[str, Any] | None = field(default=None, hash=False)
    note: str | None = None
    paths: tuple[str, ...] = ()
    sizer: str = "utf8"
    group: str | None = None
    #: a second AWS source that fixes the byte count where ``source`` gives only KB/MB
    byte_count_source: str | None = None

    def __post_init__(self) -> None:
        if self.measure not in MEASURES:
            raise ValueError(
                f"rule {self.id!r}: unknown measure {self.measure!r}; "
                f"expected one of {sorted(MEASURES)}"
            )
        if self.measure in PARAM_MEASURES and not self.paths:
            raise ValueError(f"rule {self.id!r}: measure {self.measure!r} needs paths")
        if self.sizer not in SIZERS:
            raise ValueError(
                f"rule {self.id!r}: unknown sizer {self.sizer!r}; expected one of {sorted(SIZERS)}"
            )
        if isinstance(self.limit, bool) or not isinstance(self.limit, int) or self.limit < 0:
            raise ValueError(f"rule {self.id!r}: limit must be a non-negative integer")

    @property
    def matcher(self) -> Pattern:
        """The rule's pattern, parsed (see :func:`~pytest_botowire.aws.patterns.lenient_pattern`)."""
        return lenient_pattern(self.pattern)

    @property
    def override_key(self) -> tuple[str, str, tuple[str, ...], str]:
        """Rules with equal keys (and compatible ``when``) replace one another."""
        return (self.pattern, self.measure, self.paths, self.sizer)

    def matches(self, request: RequestLike) -> bool:
        """Whether this rule applies to ``request``.

        The pattern must match; a ``when`` condition must hold, or be
        undecidable because the parameters are unknown (then
        :meth:`measure_value` returns ``None``).
        """
        if not self.matcher.matches(request.service, request.operation):
            return False
        if self.when is None or request.params is None:
            return True
        return _when_holds(self.when, request.params)

    def measure_value(self, request: RequestLike) -> int | None:
        """The measured value, or ``None`` when it cannot be measured."""
        if self.when is not None and (
            request.params is None or not _when_holds(self.when, request.params)
        ):
            return None
        if self.measure == "body_bytes":
            return request.size
        if self.measure == "decoded_body_bytes":
            return request.decoded_size
        params = request.params
        if params is None:
            return None
        values = [v for path in self.paths for v in _resolve(params, path)]
        if self.measure in ("entries", "max_list_per_item"):
            lengths = [len(v) for v in values if isinstance(v, (list, tuple, Mapping))]
            if self.measure == "entries":
                return sum(lengths)
            return max(lengths, default=0)
        sizes: list[int] = []
        for value in values:
            size = size_of(self.sizer, value)
            if size is None:
                return None
            sizes.append(size)
        if self.measure == "param_bytes":
            return sum(sizes)
        return max(sizes, default=0)

    def describe(self) -> str:
        """One line: ``id: pattern measure<=limit unit (source)``."""
        extra = ""
        if self.paths:
            extra += f" paths={list(self.paths)}"
        if self.measure in ("param_bytes", "max_item_bytes") and self.sizer != "utf8":
            extra += f" sizer={self.sizer}"
        if self.when is not None:
            extra += f" when={dict(self.when)}"
        source = f" ({self.source})" if self.source else ""
        return f"{self.id}: {self.pattern} {self.measure}<={self.limit} {self.unit}{extra}{source}"


@dataclass(frozen=True)
class Check:
    """The outcome of one rule on one request.

    ``passed`` is ``True`` or ``False`` when measured and ``None`` when the
    value could not be measured (which is not a pass).
    """

    rule: Rule
    value: int | None
    passed: bool | None = field(init=False)

    def __post_init__(self) -> None:
        passed = None if self.value is None else self.value <= self.rule.limit
        object.__setattr__(self, "passed", passed)

    @property
    def breached(self) -> bool:
        """Measured and over the limit."""
        return self.passed is False

    def message(self) -> str:
        """A sentence for a failure or summary line."""
        rule = self.rule
        if self.value is None:
            state = "not measurable"
        else:
            verdict = "over" if self.breached else "within"
            state = f"{plural(self.value, rule.unit)}, {verdict} the limit of {rule.limit}"
        text = f"[{rule.id}] {state}: {rule.description}".rstrip(": ")
        if rule.source:
            text += f" (source: {rule.source}"
            text += f", checked {rule.checked})" if rule.checked else ")"
        if rule.note:
            text += f" Note: {rule.note}"
        return text


def rule_from_dict(data: Mapping[str, Any]) -> Rule:
    """Build a :class:`Rule` from one entry of ``aws_limits.json``."""
    paths: tuple[str, ...]
    if "paths" in data:
        paths = tuple(data["paths"])
    elif "path" in data:
        paths = (data["path"],)
    else:
        paths = ()
    when = data.get("when")
    return Rule(
        id=data["id"],
        pattern=data["pattern"],
        measure=data["measure"],
        limit=data["limit"],
        unit=data["unit"],
        description=data["description"],
        source=data["source"],
        checked=data["checked"],
        when=dict(when) if when is not None else None,
        note=data.get("note"),
        paths=paths,
        sizer=data.get("sizer", "utf8"),
        group=data.get("group"),
        byte_count_source=data.get("byte_count_source"),
    )


@functools.lru_cache(maxsize=1)
def builtin_rules() -> tuple[Rule, ...]:
    """The rules in the packaged ``aws_limits.json`` (loaded once)."""
    text = (
        resources.files("pytest_botowire.features.limits")
        .joinpath("aws_limits.json")
        .read_text("utf-8")
    )
    data = json.loads(text)
    if data.get("schema") != 1:
        raise ValueError(f"aws_limits.json: unsupported schema {data.get('schema')!r}")
    return tuple(rule_from_dict(entry) for entry in data["rules"])


_LINE = re.compile(
    r"^(?P<pattern>\S+)\s+(?P<measure>[a-z_]+)\s*<=\s*(?P<limit>\S+)(?:\s+(?P<source>.+))?$"
)
_INT = re.compile(r"^\d+(?:_\d+)*$")


def parse_rule_line(line: str) -> Rule:
    """Parse the ini form ``PATTERN MEASURE<=LIMIT [source]``.

    MEASURE is ``body_bytes`` or ``decoded_body_bytes``; LIMIT is a plain
    integer number of bytes (underscores allowed, no units).  Raises
    ``ValueError`` naming the line and what is expected.
    """
    text = line.strip()
    expected = (
        "expected 'PATTERN MEASURE<=LIMIT [source]' with MEASURE one of "
        "body_bytes, decoded_body_bytes and LIMIT a plain integer number of bytes "
        "(underscores allowed, no units), e.g. 'sqs.SendMessage body_bytes<=262144'"
    )
    match = _LINE.match(text)
    if match is None:
        raise ValueError(f"invalid botowire limit line {line!r}: {expected}")
    measure = match["measure"]
    if measure not in REQUEST_MEASURES:
        raise ValueError(
            f"invalid botowire limit line {line!r}: unknown measure {measure!r}; {expected}"
        )
    raw_limit = match["limit"]
    if not _INT.match(raw_limit):
        raise ValueError(
            f"invalid botowire limit line {line!r}: limit {raw_limit!r} is not a plain "
            f"integer; {expected}"
        )
    pattern = match["pattern"]
    source = (match["source"] or "").strip() or "ini botowire_limits"
    limit = int(raw_limit)
    return Rule(
        id=f"user.{pattern}.{measure}",
        pattern=pattern,
        measure=measure,
        limit=limit,
        unit="bytes",
        description=f"User limit: {measure} of {pattern} at most {limit} bytes.",
        source=source,
        group=f"user:{measure}",
    )


def payload_rule(pattern: str, limit: int, source: str) -> Rule:
    """A ``body_bytes`` user rule (``--botowire-max-payload`` or marker ``max_payload``)."""
    return Rule(
        id=f"user.{pattern}.body_bytes",
        pattern=pattern,
        measure="body_bytes",
        limit=limit,
        unit="bytes",
        description=f"Request body of {pattern} at most {limit} bytes.",
        source=source,
        group="user:body_bytes",
    )


class RuleSet:
    """An ordered collection of rules with overrides (see module docstring)."""

    def __init__(self, rules: Sequence[Rule] = ()) -> None:
        kept: list[Rule] = []
        for rule in rules:
            kept = [old for old in kept if not self._replaces(rule, old)]
            kept.append(rule)
        self.rules: tuple[Rule, ...] = tuple(kept)

    @staticmethod
    def _replaces(new: Rule, old: Rule) -> bool:
        if new.id == old.id:
            return True
        if new.override_key != old.override_key:
            return False
        return new.when is None or new.when == old.when

    def __iter__(self) -> Iterator[Rule]:
        return iter(self.rules)

    def __len__(self) -> int:
        return len(self.rules)

    def _candidates(self, request: RequestLike) -> list[tuple[Rule, bool]]:
        """Every rule whose pattern matches, with whether it applies."""
        matching = [
            (index, rule)
            for index, rule in enumerate(self.rules)
            if rule.matcher.matches(request.service, request.operation)
        ]
        winners: dict[str, int] = {}
        for index, rule in matching:
            if rule.group is None:
                continue
            best = winners.get(rule.group)
            if best is None or rule.matcher.specificity >= self.rules[best].matcher.specificity:
                winners[rule.group] = index
        out: list[tuple[Rule, bool]] = []
        for index, rule in matching:
            applies = rule.matches(request)
            if rule.group is not None and winners[rule.group] != index:
                applies = False
            out.append((rule, applies))
        return out

    def rules_for(self, request: RequestLike) -> list[Rule]:
        """The rules that apply to ``request``, in order."""
        return [rule for rule, applies in self._candidates(request) if applies]

    def check(self, request: RequestLike) -> list[Check]:
        """One :class:`Check` per applicable rule."""
        return [Check(rule, rule.measure_value(request)) for rule in self.rules_for(request)]

    def breaches(self, request: RequestLike) -> list[Check]:
        """Only the checks that were measured and failed."""
        return [c for c in self.check(request) if c.breached]

    def explain(self, request: RequestLike) -> str:
        """Human-readable account of which rules apply to ``request`` and why."""
        name = f"{request.service}.{request.operation}"
        candidates = self._candidates(request)
        if not candidates:
            return f"{name}: no limit rules match"
        lines = [f"{name}:"]
        for rule, applies in candidates:
            if applies:
                value = rule.measure_value(request)
                if value is None:
                    status = "applies, not measurable"
                    if request.params is None and rule.measure in PARAM_MEASURES:
                        status += " (parameters unknown)"
                    elif rule.when is not None and request.params is None:
                        status += f" (condition {dict(rule.when)} needs the parameters)"
                else:
                    verdict = "ok" if value <= rule.limit else "BREACHED"
                    status = f"applies, measured {value} -> {verdict}"
            elif rule.group is not None and rule.matches(request):
                status = f"skipped: a more specific rule in group {rule.group!r} wins"
            else:
                status = f"skipped: condition {dict(rule.when or {})} does not hold"
            lines.append(f"  - {rule.describe()}: {status}")
            if rule.note and applies:
                lines.append(f"      note: {rule.note}")
        return "\n".join(lines)
