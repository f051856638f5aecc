"""Request patterns in botocore's event naming: ``"cloudwatch.PutMetricData"``, ``"s3.*"``, ``"sqs"``, ``"*"``.

The service part is a client name (``"logs"``) or botocore's hyphenized service id
(``"cloudwatch-logs"``); the operation part is an API name (``"PutLogEvents"``), a client
method name (``"put_log_events"``) or a glob over API names (``"Put*"``). Patterns are checked
against botocore's own service models when they are made, so a typo is a ``ValueError`` at the
line that made it, naming the closest valid names, never a selection that silently matches
nothing.
"""

from __future__ import annotations

import difflib
import fnmatch
import functools
import threading
from dataclasses import dataclass
from typing import Any

from pytest_botowire.integrations.requests import HTTP_METHODS, HTTP_SERVICES
from pytest_botowire.aws.service_ids import CLIENT_TO_SERVICE_ID, KNOWN_CLIENTS

_GLOB_CHARS = frozenset("*?[")
_lock = threading.Lock()


@functools.lru_cache(maxsize=1)
def _loader() -> Any:
    from botocore.loaders import create_loader

    return create_loader()


@functools.lru_cache(maxsize=1)
def available_services() -> frozenset[str]:
    """The client names of every service the installed botocore ships."""
    return frozenset(_loader().list_available_services("service-2"))


@functools.cache
def service_model(client_name: str) -> Any:
    """botocore's ``ServiceModel`` for a client name (cached for the process)."""
    from botocore.model import ServiceModel

    with _lock:
        data = _loader().load_service_model(client_name, "service-2")
    return ServiceModel(data, service_name=client_name)


def service_id_of(client_name: str) -> str:
    """The hyphenized service id of a client name (``"logs"`` -> ``"cloudwatch-logs"``)."""
    known = CLIENT_TO_SERVICE_ID.get(client_name)
    if known is not None:
        return known
    return service_id_of_model(client_name)


@functools.lru_cache(maxsize=1)
def _service_id_index() -> dict[str, str]:
    """Map every hyphenized service id to its client name (loads every model: slow path)."""
    index = {}
    for name in sorted(available_services()):
        index[service_id_of_model(name)] = name
    return index


def service_id_of_model(client_name: str) -> str:
    """The hyphenized service id read from the service model itself."""
    return str(service_model(client_name).service_id.hyphenize())


_CLIENT_BY_SERVICE_ID = {service_id: client for client, service_id in CLIENT_TO_SERVICE_ID.items()}


def client_name_for(service: str) -> str | None:
    """Resolve a client name or a hyphenized service id to the client name, or ``None``."""
    services = available_services()
    if service in services:
        return service
    client = _CLIENT_BY_SERVICE_ID.get(service)
    if client is not None and client in services:
        return client
    if services <= KNOWN_CLIENTS:
        return None  # the shipped table covers every service of this botocore
    # A service id that the shipped table does not know (a newer botocore): ask the models.
    return _service_id_index().get(service)


def operation_names(client_name: str) -> tuple[str, ...]:
    """The API names of every operation of a service."""
    return tuple(service_model(client_name).operation_names)


def _closest(word: str, candidates: list[str], n: int = 3) -> str:
    matches = difflib.get_close_matches(word, candidates, n=n, cutoff=0.6)
    if not matches:
        lowered = word.lower()
        matches = [c for c in candidates if lowered in c.lower()][:n]
    if not matches:
        return ""
    return "; did you mean " + " or ".join(repr(m) for m in matches) + "?"


@dataclass(frozen=True)
class Pattern:
    """A parsed, validated request pattern.

    ``service`` is the client name, or ``None`` for any service; ``operation`` is an API name,
    a glob over API names, or ``None`` for any operation.
    """

    text: str
    service: str | None
    operation: str | None

    def matches(self, service: str, operation: str) -> bool:
        """Whether a request to ``service`` (client name) and ``operation`` (API name) matches."""
        if self.service is not None and service != self.service:
            return False
        if self.operation is None:
            return True
        if _GLOB_CHARS.isdisjoint(self.operation):
            return operation == self.operation
        return fnmatch.fnmatchcase(operation, self.operation)

    def __str__(self) -> str:
        return self.text


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


@functools.lru_cache(maxsize=1024)
def parse_pattern(text: str) -> Pattern:
    """Parse and validate a pattern; raise ``TypeError``/``ValueError`` on a bad one."""
    __tracebackhide__ = True
    if not isinstance(text, str):
        raise TypeError(
            f"a pattern must be a str like 'cloudwatch.PutMetricData', not {type(text).__name__}"
        )
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


def parse_patterns(value: str | Any) -> tuple[Pattern, ...]:
    """Parse one pattern or an iterable of patterns."""
    __tracebackhide__ = True
    if isinstance(value, str):
        return (parse_pattern(value),)
    try:
        items = list(value)
    except TypeError:
        raise TypeError(
            f"expected a pattern or a list of patterns, not {type(value).__name__}"
        ) from None
    if not items:
        raise ValueError("expected at least one pattern, got an empty list")
    return tuple(parse_pattern(item) for item in items)
