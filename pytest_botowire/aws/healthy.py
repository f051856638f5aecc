"""What a healthy service answers: the rules that turn a placeholder output into one.

``serialize.synthesize_output`` fills the members a model marks required; several of those mean
"something failed, try again" or "there is more". An offline answer is what AWS returns to a
valid request when everything succeeds, so these rules, applied after the placeholder is built:

* **batch operations** (an output member named ``Failed*``, ``Unprocessed*``, ``Rejected*``,
  ``Unsuccessful*``, ``Failures``/``Errors``, or a ``*FailedCount``/``Failed*Count`` count):
  every failure member is empty (lists ``[]``, maps ``{}``, structures left out, counts ``0``);
  the result list paired with the request's list gets one entry per request entry, echoing the
  request's ids (``Id``, ``*Id``, ``*Arn``, ``*Name``, ``*Key`` members present in both);
* **paginators**: no continuation token (every ``output_token`` path is left out, a
  ``more_results`` flag is false), and the lists a paginator reads (``result_key``) are present;
* **credentials** (STS ``AssumeRole*``/``GetSessionToken``/``GetFederationToken``, SSO
  ``GetRoleCredentials``, S3 ``CreateSession``, Cognito ``GetCredentialsForIdentity``...): any
  structure with an access key id and a secret holds well-formed values that expire 12 hours
  from now;
* **waiters**: inside ``Waiter.wait`` the answer is shaped so the waiter's success acceptor
  matches on the first poll (:func:`waiter_plan`).
"""

from __future__ import annotations

import datetime as _dt
import functools
import re
import time
from collections.abc import Mapping
from typing import Any

__all__ = [
    "batch_pairing",
    "credential_members",
    "failure_members",
    "is_batch_operation",
    "make_healthy",
    "waiter_plan",
]

_FAILURE_PREFIXES = ("failed", "unprocessed", "rejected", "unsuccessful")
_FAILURE_NAMES = frozenset(("failures", "errors", "failedentries", "failedrequests"))
_ID_SUFFIXES = ("Id", "Arn", "Name", "Key")
#: output lists that report on the call, not one result per entry
_NOT_RESULTS = frozenset(("ConsumedCapacity", "ItemCollectionMetrics"))
_ERRORISH = re.compile(r"(?i)error|fail|reason")
#: how long offline credentials stay valid (botocore refreshes 15 min before expiry at most)
CREDENTIALS_LIFETIME = _dt.timedelta(hours=12)
FAKE_ACCESS_KEY = "ASIABOTOWIREEXAMPLE0"
FAKE_SECRET_KEY = "botowire/offline/secret/key/000000000000"
FAKE_SESSION_TOKEN = "Ym90b3dpcmUtb2ZmbGluZS1zZXNzaW9uLXRva2VuLW5vdC1hLXJlYWwtb25l"


def is_failure_member(name: str) -> bool:
    """Whether an output member's name says some entries failed or were not processed."""
    low = name.lower()
    return (
        low.startswith(_FAILURE_PREFIXES)
        or low in _FAILURE_NAMES
        or low.endswith("failedcount")
        or (low.startswith("failed") and low.endswith("count"))
    )


def failure_members(operation_model: Any) -> tuple[str, ...]:
    """The output members of an operation that report failed or unprocessed entries."""
    shape = operation_model.output_shape
    if shape is None:
        return ()
    return tuple(name for name in shape.members if is_failure_member(name))


@functools.cache
def is_batch_operation(operation_model: Any) -> bool:
    """Whether the operation reports per-entry failures (see the module docstring)."""
    return bool(failure_members(operation_model)) or (
        operation_model.name.startswith(("Batch", "Transact"))
        and batch_pairing(operation_model) is not None
    )


def _element(shape: Any) -> Any:
    return shape.member if shape.type_name == "list" else None


@functools.cache
def batch_pairing(operation_model: Any) -> tuple[str, str] | None:
    """``(request list member, result list member)`` answered one result per entry, or None."""
    inp, out = operation_model.input_shape, operation_model.output_shape
    if inp is None or out is None:
        return None
    in_lists = [n for n, m in inp.members.items() if m.type_name == "list"]
    out_lists = [
        n
        for n, m in out.members.items()
        if m.type_name == "list"
        and not is_failure_member(n)
        and m.member.type_name == "structure"
        and n not in _NOT_RESULTS
    ]
    if not in_lists or not out_lists:
        return None
    for name in out_lists:
        if name in in_lists:
            return name, name
    if len(in_lists) == 1 and len(out_lists) == 1:
        return in_lists[0], out_lists[0]
    if len(in_lists) == 1 and "Successful" in out_lists:
        return in_lists[0], "Successful"
    # several candidates: the pair whose entries share the most member names
    best: tuple[int, str, str] | None = None
    for in_name in in_lists:
        in_elem = inp.members[in_name].member
        in_names = set(in_elem.members) if in_elem.type_name == "structure" else set()
        for out_name in out_lists:
            shared = len(in_names & set(out.members[out_name].member.members))
            if shared and (best is None or shared > best[0]):
                best = (shared, in_name, out_name)
    return None if best is None else (best[1], best[2])


def _is_id_name(name: str) -> bool:
    return name == "Id" or name.endswith(_ID_SUFFIXES) or name == "SequenceNumber"


def _result_entry(
    elem: Any, request_entry: Any, index: int, service: str, synth: Any, plausible: Any
) -> dict[str, Any]:
    entry = synth(elem, service) or {}
    for name in list(entry):
        if _ERRORISH.search(name):
            del entry[name]
    for name, member in elem.members.items():
        if member.type_name != "string" or _ERRORISH.search(name):
            continue
        if isinstance(request_entry, Mapping) and isinstance(request_entry.get(name), str):
            entry[name] = request_entry[name]
        elif isinstance(request_entry, str) and name.endswith("Id") and name not in entry:
            entry[name] = request_entry
        elif _is_id_name(name) and name not in entry and not member.enum:
            text = plausible(name, member, service)
            entry[name] = f"{text}-{index}" if index else text
    return entry


def _dynamodb_batch_get(params: Mapping[str, Any]) -> dict[str, list[Any]]:
    """BatchGetItem's ``Responses``: every requested key found, as an item holding the key."""
    responses: dict[str, list[Any]] = {}
    for table, spec in (params.get("RequestItems") or {}).items():
        keys = spec.get("Keys") if isinstance(spec, Mapping) else None
        items = []
        for key in keys or ():
            # the low-level form ({"S": "x"}) only; boto3's resource layer converts after us
            if isinstance(key, Mapping) and all(
                isinstance(v, Mapping) and len(v) == 1 for v in key.values()
            ):
                items.append(dict(key))
        responses[str(table)] = items
    return responses


def make_healthy(
    operation_model: Any,
    params: Mapping[str, Any] | None,
    result: dict[str, Any],
    synth: Any,
    plausible: Any,
) -> None:
    """Apply the healthy-service rules to a synthesized ``result`` in place.

    ``synth(shape, service)`` builds a placeholder value, ``plausible(name, shape, service)`` a
    placeholder string (both from ``serialize``, passed in to keep the modules apart).
    """
    shape = operation_model.output_shape
    if shape is None:
        return
    service = str(operation_model.service_model.service_name)
    members = shape.members
    for name in failure_members(operation_model):
        member = members[name]
        if member.type_name == "list":
            result[name] = []
        elif member.type_name == "map":
            result[name] = {}
        elif member.type_name in ("integer", "long"):
            result[name] = 0
        else:
            result.pop(name, None)
    if service == "dynamodb" and operation_model.name == "BatchGetItem" and params:
        result["Responses"] = _dynamodb_batch_get(params)
    elif params and is_batch_operation(operation_model):
        pairing = batch_pairing(operation_model)
        if pairing is not None:
            in_name, out_name = pairing
            entries = params.get(in_name)
            current = result.get(out_name)
            if isinstance(entries, list) and not (
                isinstance(current, list) and len(current) == len(entries)
            ):
                elem = members[out_name].member
                result[out_name] = [
                    _result_entry(elem, entry, index, service, synth, plausible)
                    for index, entry in enumerate(entries)
                ]
    _fill_credentials(shape, result)
    _end_pagination(operation_model, result, synth)


# -- credentials ------------------------------------------------------------------------------
_KEY_NAMES = frozenset(("accesskeyid",))
_SECRET_NAMES = frozenset(("secretaccesskey", "secretkey"))


def credential_members(shape: Any) -> dict[str, str] | None:
    """``{role: member}`` when a structure holds credentials (access key id and secret)."""
    if shape is None or shape.type_name != "structure":
        return None
    roles: dict[str, str] = {}
    for name in shape.members:
        low = name.lower()
        if low in _KEY_NAMES:
            roles["key"] = name
        elif low in _SECRET_NAMES:
            roles["secret"] = name
        elif low in ("sessiontoken", "token"):
            roles["token"] = name
        elif low in ("expiration", "expiry", "expiresat"):
            roles["expiration"] = name
    return roles if "key" in roles and "secret" in roles else None


def _credential_values(shape: Any, roles: Mapping[str, str]) -> dict[str, Any]:
    expires = _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0) + CREDENTIALS_LIFETIME
    values: dict[str, Any] = {
        roles["key"]: FAKE_ACCESS_KEY,
        roles["secret"]: FAKE_SECRET_KEY,
    }
    if "token" in roles:
        values[roles["token"]] = FAKE_SESSION_TOKEN
    if "expiration" in roles:
        member = shape.members[roles["expiration"]]
        if member.type_name in ("integer", "long"):  # SSO: epoch milliseconds
            values[roles["expiration"]] = int(expires.timestamp() * 1000)
        elif member.type_name == "string":
            values[roles["expiration"]] = expires.strftime("%Y-%m-%dT%H:%M:%SZ")
        else:
            values[roles["expiration"]] = expires
    return values


def _fill_credentials(shape: Any, result: dict[str, Any]) -> None:
    for name, member in shape.members.items():
        roles = credential_members(member)
        if roles is not None:
            existing = result.get(name)
            value = dict(existing) if isinstance(existing, Mapping) else {}
            value.update(_credential_values(member, roles))
            result[name] = value


@functools.cache
def has_credentials(operation_model: Any) -> bool:
    """Whether the output carries credentials (its answer holds the current time)."""
    shape = operation_model.output_shape
    return shape is not None and any(
        credential_members(member) is not None for member in shape.members.values()
    )


# -- pagination -------------------------------------------------------------------------------
def _simple_path(expression: str) -> list[str] | None:
    parts = expression.strip().split(".")
    if all(re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", part) for part in parts):
        return parts
    return None


def _alternatives(value: Any) -> list[str]:
    items = value if isinstance(value, list) else [value]
    out: list[str] = []
    for item in items:
        out.extend(part.strip() for part in str(item).split("||"))
    return out


def _end_pagination(operation_model: Any, result: dict[str, Any], synth: Any) -> None:
    from pytest_botowire.aws.models import paginator_configs

    config = paginator_configs(str(operation_model.service_model.service_name)).get(
        operation_model.name
    )
    if not config:
        return
    for expression in _alternatives(config.get("output_token")):
        path = _simple_path(expression)
        if path is None:
            continue
        holder: Any = result
        for part in path[:-1]:
            holder = holder.get(part) if isinstance(holder, dict) else None
        if isinstance(holder, dict):
            holder.pop(path[-1], None)
    more = config.get("more_results")
    if more:
        _set_path(operation_model.output_shape, result, _simple_path(str(more)), False, synth)
    for expression in _alternatives(config.get("result_key") or []):
        path = _simple_path(expression)
        if path is not None:
            _set_path(operation_model.output_shape, result, path, None, synth)


def _set_path(
    shape: Any, result: dict[str, Any], path: list[str] | None, value: Any, synth: Any
) -> None:
    """Set ``value`` at ``path`` (None: an empty list/map if missing), creating structures."""
    if not path:
        return
    holder: dict[str, Any] = result
    for part in path[:-1]:
        member = shape.members.get(part) if shape.type_name == "structure" else None
        if member is None or member.type_name != "structure":
            return
        nxt = holder.get(part)
        if not isinstance(nxt, dict):
            nxt = synth(member, "") or {}
            holder[part] = nxt
        holder, shape = nxt, member
    if shape.type_name != "structure" or path[-1] not in shape.members:
        return
    member = shape.members[path[-1]]
    if value is None:
        if path[-1] not in holder:
            if member.type_name == "list":
                holder[path[-1]] = []
            elif member.type_name == "map":
                holder[path[-1]] = {}
    elif member.type_name == "boolean":
        holder[path[-1]] = value


# -- waiters ----------------------------------------------------------------------------------
class _Unsat(Exception):
    """The expression cannot be satisfied by a value of the shape (as far as we can tell)."""


class _Projected:
    """The result of a projection: a list of ``elem`` values."""

    def __init__(self, elem: Any) -> None:
        self.elem = elem


def _elem(shape: Any) -> Any:
    if isinstance(shape, _Projected):
        return shape.elem
    if shape is not None and shape.type_name == "list":
        return shape.member
    raise _Unsat


def _is_list(shape: Any) -> bool:
    return isinstance(shape, _Projected) or (shape is not None and shape.type_name == "list")


def _result_shape(node: Mapping[str, Any], shape: Any) -> Any:
    kind = node["type"]
    children = node.get("children") or []
    if kind == "field":
        if shape is None or isinstance(shape, _Projected) or shape.type_name != "structure":
            raise _Unsat
        if node["value"] not in shape.members:
            raise _Unsat
        return shape.members[node["value"]]
    if kind == "subexpression":
        for child in children:
            shape = _result_shape(child, shape)
        return shape
    if kind in ("projection", "filter_projection"):
        elem = _elem(_result_shape(children[0], shape))
        return _Projected(_result_shape(children[1], elem))
    if kind == "flatten":
        elem = _elem(_result_shape(children[0], shape))
        return _Projected(_elem(elem) if _is_list(elem) else elem)
    if kind == "value_projection":
        left = _result_shape(children[0], shape)
        if isinstance(left, _Projected) or left is None or left.type_name != "map":
            raise _Unsat
        return _Projected(_result_shape(children[1], left.value))
    if kind in ("identity", "current"):
        return shape
    raise _Unsat


class _Builder:
    def __init__(self, service: str, synth: Any) -> None:
        self.service = service
        self.synth = synth

    def base(self, shape: Any) -> Any:
        value = self.synth(shape, self.service)
        return {} if value is None and shape.type_name == "structure" else value

    def coerce(self, shape: Any, want: Any) -> Any:
        kind = shape.type_name
        if kind == "structure":
            if not isinstance(want, Mapping):
                raise _Unsat
            value = dict(self.base(shape) or {})
            value.update(want)
            return value
        if kind == "list":
            if not isinstance(want, list):
                raise _Unsat
            return [self.coerce(shape.member, item) for item in want]
        if kind in ("string", "character"):
            if not isinstance(want, str):
                raise _Unsat
            return want
        if kind == "boolean":
            if not isinstance(want, bool):
                raise _Unsat
            return want
        if kind in ("integer", "long"):
            if isinstance(want, bool) or not isinstance(want, (int, float)) or want != int(want):
                raise _Unsat
            return int(want)
        if kind in ("float", "double"):
            if isinstance(want, bool) or not isinstance(want, (int, float)):
                raise _Unsat
            return float(want)
        raise _Unsat

    def items(self, shape: Any, count: int) -> Any:
        """A value of ``shape`` whose length is ``count``."""
        if _is_list(shape):
            elem = _elem(shape)
            item = self.base(elem)
            if item is None:
                raise _Unsat
            return [item for _ in range(count)]
        if shape is not None and shape.type_name == "string":
            return "x" * count
        raise _Unsat

    def build(self, node: Mapping[str, Any], shape: Any, want: Any) -> Any:
        """A value of ``shape`` on which ``node`` evaluates to ``want``."""
        kind = node["type"]
        children = node.get("children") or []
        if kind == "field":
            if isinstance(shape, _Projected) or shape is None or shape.type_name != "structure":
                raise _Unsat
            member = shape.members.get(node["value"])
            if member is None:
                raise _Unsat
            value = dict(self.base(shape) or {})
            value[node["value"]] = (
                self.coerce(member, want) if not isinstance(want, _Raw) else want.value
            )
            return value
        if kind == "subexpression":
            shapes = [shape]
            for child in children[:-1]:
                shapes.append(_result_shape(child, shapes[-1]))
            step: Any = want
            for child, child_shape in reversed(list(zip(children, shapes, strict=True))):
                step = _Raw(self.build(child, child_shape, step))
            return step.value
        if kind in ("projection", "filter_projection"):
            wanted = want.value if isinstance(want, _Raw) else want
            if not isinstance(wanted, list):
                raise _Unsat
            if kind == "filter_projection" and wanted:
                raise _Unsat
            left_shape = _result_shape(children[0], shape)
            elem = _elem(left_shape)
            items = [self.build(children[1], elem, item) for item in wanted]
            return self.build(children[0], shape, _Raw(items))
        if kind == "value_projection":
            wanted = want.value if isinstance(want, _Raw) else want
            if not isinstance(wanted, list):
                raise _Unsat
            left_shape = _result_shape(children[0], shape)
            if isinstance(left_shape, _Projected) or left_shape.type_name != "map":
                raise _Unsat
            mapping = {
                f"key{index}": self.build(children[1], left_shape.value, item)
                for index, item in enumerate(wanted)
            }
            return self.build(children[0], shape, _Raw(mapping))
        if kind == "flatten":
            if not isinstance(want, (list, _Raw)):
                raise _Unsat
            raw = want.value if isinstance(want, _Raw) else want
            child_shape = _result_shape(children[0], shape)
            if _is_list(_elem(child_shape)):
                return self.build(children[0], shape, _Raw([raw]))
            return self.build(children[0], shape, _Raw(raw))
        if kind in ("identity", "current"):
            if isinstance(want, _Raw):
                return want.value
            if isinstance(shape, _Projected):
                raise _Unsat
            return self.coerce(shape, want)
        if kind == "comparator":
            return self.comparator(node, shape, want)
        raise _Unsat

    def comparator(self, node: Mapping[str, Any], shape: Any, want: Any) -> Any:
        left, right = node["children"]
        if left["type"] == "literal":
            left, right = right, left
            flip = {"gt": "lt", "lt": "gt", "gte": "lte", "lte": "gte"}
            op = flip.get(node["value"], node["value"])
        else:
            op = node["value"]
        if right["type"] != "literal" or not isinstance(want, bool):
            raise _Unsat
        literal = right["value"]
        if left["type"] == "function_expression" and left["value"] == "length":
            if isinstance(literal, bool) or not isinstance(literal, int):
                raise _Unsat
            choices = {
                "eq": (literal, literal + 1),
                "ne": (literal + 1, literal),
                "gt": (literal + 1, literal),
                "gte": (literal, max(literal - 1, 0)),
                "lt": (max(literal - 1, 0), literal),
                "lte": (literal, literal + 1),
            }
            if op not in choices:
                raise _Unsat
            count = choices[op][0 if want else 1]
            (target,) = left["children"]
            target_shape = _result_shape(target, shape)
            return self.build(target, shape, _Raw(self.items(target_shape, count)))
        if op == "eq" and want:
            return self.build(left, shape, literal)
        raise _Unsat


class _Raw:
    """A value already shaped for the wire (no coercion)."""

    def __init__(self, value: Any) -> None:
        self.value = value


def _solve(operation_model: Any, acceptor: Any, result: dict[str, Any], synth: Any) -> Any:
    import jmespath  # type: ignore[import-untyped,unused-ignore]

    shape = operation_model.output_shape
    if shape is None:
        raise _Unsat
    node = jmespath.compile(acceptor.argument).parsed
    expected = acceptor.expected
    want: Any = expected if acceptor.matcher == "path" else [expected]
    builder = _Builder(str(operation_model.service_model.service_name), synth)
    built = builder.build(node, shape, want)
    if not isinstance(built, dict):
        raise _Unsat
    merged = dict(result)
    merged.update(built)
    return merged


def waiter_plan(
    operation_model: Any, waiter: Any, result: dict[str, Any], synth: Any
) -> tuple[str, Any]:
    """How to answer a poll of ``waiter`` so its success acceptor matches.

    Returns ``("data", output)`` for a 2xx answer, ``("error", (code, status))`` for a waiter
    whose success is an error or a non-2xx status, or ``("none", None)``.
    """
    acceptors = list(getattr(getattr(waiter, "config", None), "acceptors", None) or ())
    fallback: tuple[str, Any] = ("none", None)
    for acceptor in acceptors:
        if acceptor.state != "success":
            continue
        matcher = acceptor.matcher
        if matcher in ("path", "pathAll", "pathAny"):
            try:
                candidate = _solve(operation_model, acceptor, result, synth)
            except (_Unsat, KeyError, TypeError, ValueError):
                continue
            if _first_state(acceptors, candidate) == "success":
                return "data", candidate
        elif matcher == "status":
            status = int(acceptor.expected)
            if 200 <= status < 300:
                if _first_state(acceptors, result) == "success":
                    return "data", result
            elif fallback[0] == "none":
                fallback = ("error", ("NotFound" if status == 404 else str(status), status))
        elif matcher == "error" and fallback[0] == "none":
            if acceptor.expected is False:
                if _first_state(acceptors, result) == "success":
                    return "data", result
            else:
                code = "BotowireWaiterError" if acceptor.expected is True else acceptor.expected
                fallback = ("error", (str(code), None))
    return fallback


def _first_state(acceptors: list[Any], response: Mapping[str, Any]) -> str | None:
    response = {**response, "ResponseMetadata": {"HTTPStatusCode": 200}}
    for acceptor in acceptors:
        try:
            if acceptor.matcher_func(response):
                return str(acceptor.state)
        except Exception:
            continue
    return None


def now() -> float:
    """The current time (a seam for tests)."""
    return time.time()
