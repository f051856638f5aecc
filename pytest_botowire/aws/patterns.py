"""Request patterns in botocore's event naming: ``"cloudwatch.PutMetricData"``, ``"s3.*"``, ``"sqs"``, ``"*"``.

The service part is a client name (``"logs"``) or botocore's hyphenized service id
(``"cloudwatch-logs"``); the operation part is an API name (``"PutLogEvents"``), a client
method name (``"put_log_events"``) or a glob over API names (``"Put*"``). Patterns are checked
against botocore's own service models when they are made, so a typo is a ``ValueError`` at the
line that made it, naming the closest valid names, never a selection that silently matches
nothing.
"""

from __future__ import annotations

import fnmatch
import functools
from dataclasses import dataclass
from typing import Any

from pytest_botowire.aws.hints import did_you_mean
from pytest_botowire.aws.models import (
    HTTP_METHODS,
    HTTP_SERVICES,
    available_services,
    client_name_for,
    operation_names,
    service_id_of,
)
from pytest_botowire.aws.service_ids import CLIENT_TO_SERVICE_ID

_GLOB_CHARS = frozenset("*?[")


def _closest(word: str, candidates: list[str], n: int = 3) -> str:
    hint = did_you_mean(word, candidates, n)
    return f"; {hint}" if hint else ""


@dataclass(frozen=True)
class Pattern:
    """A parsed request pattern.

    ``service`` is the client name (or, in a :func:`lenient_pattern`, a glob over client names
    and service ids, or an HTTP API's signing name), ``None`` for any service; ``operation`` is
    an API name, a glob over API names, or ``None`` for any operation.
    """

    text: str
    service: str | None
    operation: str | None

    def matches(self, service: str, operation: str) -> bool:
        """Whether a request to ``service`` (client name) and ``operation`` (API name) matches."""
        if self.service is not None and service != self.service:
            if _GLOB_CHARS.isdisjoint(self.service):
                return False
            if not fnmatch.fnmatchcase(service, self.service):
                service_id = _service_id_or_none(service)
                if service_id is None or not fnmatch.fnmatchcase(service_id, self.service):
                    return False
        return self._operation_matches(operation)

    def matches_service_id(self, service_id: str, operation: str) -> bool:
        """:meth:`matches` for a request named by its hyphenized service id, as botocore's
        event names do (``"before-sign.cloudwatch-logs.PutLogEvents"``)."""
        if self.service is not None:
            if _GLOB_CHARS.isdisjoint(self.service):
                if (_service_id_or_none(self.service) or self.service) != service_id:
                    return False
            elif not fnmatch.fnmatchcase(service_id, self.service):
                client = client_name_for(service_id)
                if client is None or not fnmatch.fnmatchcase(client, self.service):
                    return False
        return self._operation_matches(operation)

    def _operation_matches(self, operation: str) -> bool:
        if self.operation is None:
            return True
        if _GLOB_CHARS.isdisjoint(self.operation):
            return operation == self.operation
        return fnmatch.fnmatchcase(operation, self.operation)

    @property
    def specificity(self) -> int:
        """3 for ``svc.Op``, 2 for ``svc.*``, 1 for ``*.Op``, 0 for ``*`` (globs count as ``*``)."""
        service = self.service is not None and _GLOB_CHARS.isdisjoint(self.service)
        operation = self.operation is not None and _GLOB_CHARS.isdisjoint(self.operation)
        return 2 * service + operation

    def __str__(self) -> str:
        return self.text


def _service_id_or_none(client_name: str) -> str | None:
    """The hyphenized service id of a client name; ``None`` for a name botocore does not know."""
    if client_name in HTTP_SERVICES:
        return None
    try:
        return service_id_of(client_name)
    except Exception:  # not a botocore service (an HTTP API, a rule's own name)
        return None


def _resolve_operation(client: str, operation: str, text: str) -> str:
    __tracebackhide__ = True
    if operation in HTTP_METHODS:  # a request sent with requests whose operation is unknown
        return operation
    names = operation_names(client)
    if not _GLOB_CHARS.isdisjoint(operation):
        if not any(fnmatch.fnmatchcase(name, operation) for name in names):
            raise ValueError(f"pattern {text!r} matches no operation of {client!r}")
        return operation
    if operation in names:
        return operation
    from botocore import xform_name

    by_method = {xform_name(name): name for name in names}
    if operation in by_method:
        return by_method[operation]
    hint = _closest(operation, [*names, *by_method])
    raise ValueError(
        f"unknown operation {operation!r} of service {client!r} in pattern {text!r}{hint}"
    )


_ACCEPTED = "a pattern (a str like 'sqs.SendMessage', 'sqs.*' or '*') or a list of them"


def _not_a_str(value: object) -> str:
    """What was given instead of a ``str`` pattern, and how to write it."""
    if isinstance(value, (bytes, bytearray)):
        try:
            return f"bytes ({value!r}); write the str {bytes(value).decode('utf-8')!r}"
        except UnicodeDecodeError:
            return f"bytes ({value!r})"
    if isinstance(value, (list, tuple, set, frozenset)):
        return (
            f"a {type(value).__name__} ({value!r}): a list of patterns holds str, it does not nest"
        )
    return f"{type(value).__name__} ({value!r})"


def parse_pattern(text: str) -> Pattern:
    """Parse and validate a pattern; raise ``TypeError``/``ValueError`` on a bad one."""
    __tracebackhide__ = True
    if not isinstance(text, str):
        raise TypeError(
            f"a pattern must be a str like 'cloudwatch.PutMetricData', not {_not_a_str(text)}"
        )
    return _parse_pattern(text)


@functools.lru_cache(maxsize=1024)
def _parse_pattern(text: str) -> Pattern:
    __tracebackhide__ = True
    stripped = text.strip()
    if not stripped:
        raise ValueError("a pattern must not be empty; use '*' to match every request")
    if stripped == "*" or stripped == "*.*":
        return Pattern(stripped, None, None)
    service, sep, operation = stripped.partition(".")
    if sep and not operation:
        raise ValueError(f"pattern {text!r} has no operation after the dot; use {service + '.*'!r}")
    if service == "*":
        if operation in ("", "*"):
            return Pattern(stripped, None, None)
        return Pattern(stripped, None, operation)
    client = client_name_for(service)
    if client is None and service in HTTP_SERVICES:
        # requests sent with the requests library to an HTTP API botocore has no client for
        # (API Gateway's execute-api, ...): the operation is the HTTP method
        if operation in ("", "*"):
            return Pattern(stripped, service, None)
        if operation not in HTTP_METHODS and _GLOB_CHARS.isdisjoint(operation):
            raise ValueError(
                f"pattern {text!r}: requests to {service!r} are named by their HTTP method, "
                f"like {service + '.POST'!r}"
            )
        return Pattern(stripped, service, operation)
    if client is None:
        candidates = sorted(
            available_services() | set(CLIENT_TO_SERVICE_ID.values()) | HTTP_SERVICES
        )
        raise ValueError(
            f"unknown service {service!r} in pattern {text!r}{_closest(service, candidates)}"
        )
    if not operation or operation == "*":
        return Pattern(stripped, client, None)
    return Pattern(stripped, client, _resolve_operation(client, operation, text))


def parse_patterns(value: str | Any, caller: str = "") -> tuple[Pattern, ...]:
    """Parse one pattern or an iterable of patterns.

    ``caller`` (``"select()"``, say) names the call in the ``TypeError`` a value of the wrong
    type raises, so the message says which argument was wrong and what it takes.
    """
    __tracebackhide__ = True
    prefix = f"{caller} takes" if caller else "expected"
    if isinstance(value, str):
        return (parse_pattern(value),)
    if isinstance(value, (bytes, bytearray)) or not hasattr(value, "__iter__"):
        raise TypeError(f"{prefix} {_ACCEPTED}, not {_not_a_str(value)}")
    items = list(value)
    if not items:
        raise ValueError(
            f"{prefix} at least one pattern, got an empty {type(value).__name__}; "
            "use '*' to match every request"
        )
    for index, item in enumerate(items):
        if not isinstance(item, str):
            raise TypeError(
                f"{prefix} {_ACCEPTED}; item {index} of the {type(value).__name__} is "
                f"{_not_a_str(item)}"
            )
    return tuple(parse_pattern(item) for item in items)


@functools.lru_cache(maxsize=1024)
def lenient_pattern(text: str) -> Pattern:
    """A pattern as limit rules write it, not checked against botocore's models.

    ``"service.Operation"`` where either part may be an ``fnmatch`` glob (``"*"`` alone: every
    request); the service is a client name or a hyphenized service id (``"cloudwatch-logs"``
    is resolved to ``"logs"``); a service botocore does not know is kept as written (an HTTP
    API's signing name). Rules coming from users are checked with :func:`normalize_pattern`
    first; builtin rules and the engine's own tests need no botocore lookup.
    """
    stripped = text.strip()
    if stripped in ("*", "*.*"):
        return Pattern(stripped, None, None)
    service_text, sep, operation_text = stripped.partition(".")
    operation = operation_text if sep and operation_text not in ("", "*") else None
    if service_text == "*":
        return Pattern(stripped, None, operation)
    service = service_text
    if _GLOB_CHARS.isdisjoint(service_text):
        service = client_name_for(service_text) or service_text
    return Pattern(stripped, service, operation)


def normalize_pattern(text: str) -> str:
    """A validated pattern in the limits engine's form (client name, API operation name).

    ``"cloudwatch-logs.put_log_events"`` becomes ``"logs.PutLogEvents"``; ``"*"`` stays.
    Raises ``ValueError``/``TypeError`` naming the closest valid names for a typo.
    """
    parsed = parse_pattern(text)
    if parsed.service is None and parsed.operation is None:
        return "*"
    return f"{parsed.service or '*'}.{parsed.operation or '*'}"
