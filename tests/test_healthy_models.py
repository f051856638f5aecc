"""Offline answers are a healthy service's, checked across every model botocore ships.

Each check serializes the offline answer to the wire, parses it back with botocore's own parser
(what a client returns), and applies botocore's own rules: the paginator's ``output_token`` /
``more_results`` paths, the waiter's acceptors in order, a batch operation's failure members.
Each test prints its N/N count (run with ``-s`` to see it).
"""

from __future__ import annotations

from typing import Any

import botocore.session
import jmespath
import pytest
from botocore.parsers import create_parser
from botocore.waiter import WaiterModel

from pytest_botowire.aws.healthy import (
    batch_pairing,
    failure_members,
    is_batch_operation,
    waiter_plan,
)
from pytest_botowire.aws.models import (
    available_services,
    paginator_configs,
    service_model,
    waiter_configs,
)
from pytest_botowire.aws.serialize import (
    _synth_any,
    resolve_protocol,
    serialize_error,
    serialize_response,
    synthesize_output,
)

SERVICES = sorted(available_services())


def _parse(operation_model: Any, wire: Any) -> dict[str, Any]:
    protocol = resolve_protocol(operation_model)
    parser = create_parser(protocol)
    response = {
        "status_code": wire.status,
        "headers": botocore.awsrequest.HeadersDict(wire.headers),
        "body": wire.body,
    }
    shape = operation_model.output_shape
    if wire.status >= 300:
        return dict(parser.parse(response, shape))
    return dict(parser.parse(response, shape))


def _alternatives(value: Any) -> list[str]:
    return [str(v) for v in (value if isinstance(value, list) else [value])]


def test_every_paginator_ends_after_one_page() -> None:
    total = ended = 0
    failures: list[str] = []
    for service in SERVICES:
        configs = paginator_configs(service)
        if not configs:
            continue
        model = service_model(service)
        for operation, config in configs.items():
            if operation not in model.operation_names:
                continue
            total += 1
            operation_model = model.operation_model(operation)
            try:
                parsed = _parse(
                    operation_model,
                    serialize_response(operation_model, synthesize_output(operation_model, {})),
                )
            except Exception as exc:  # pragma: no cover - reported below
                failures.append(f"{service}.{operation}: {exc!r}")
                continue
            # botocore's PageIterator: more_results false ends; else all tokens None ends
            more = config.get("more_results")
            if more and not jmespath.search(more, parsed):
                ended += 1
                continue
            tokens = [jmespath.search(t, parsed) for t in _alternatives(config["output_token"])]
            if all(t is None for t in tokens):
                ended += 1
            else:
                failures.append(f"{service}.{operation}: next token {tokens!r}")
    print(f"\npaginators ending after one page: {ended}/{total}")
    assert total > 1000
    assert failures == []
    assert ended == total


def test_paginators_end_after_one_page_with_real_clients() -> None:
    import boto3

    from pytest_botowire.capture import install
    from pytest_botowire.capture.recorder import Recorder
    from pytest_botowire.features.offline import offline_answer

    recorder = Recorder(mode="offline")
    recorder.last_responder = offline_answer
    recorder.fake_credentials = True
    install.activate(recorder)
    try:
        s3 = boto3.client("s3", region_name="us-east-1")
        assert len(list(s3.get_paginator("list_objects").paginate(Bucket="b"))) == 1
        assert len(list(s3.get_paginator("list_objects_v2").paginate(Bucket="b"))) == 1
        logs = boto3.client("logs", region_name="us-east-1")
        pages = list(logs.get_paginator("filter_log_events").paginate(logGroupName="g"))
        assert len(pages) == 1
        assert pages[0]["events"] == []
        ddb = boto3.client("dynamodb", region_name="us-east-1")
        pages = list(ddb.get_paginator("scan").paginate(TableName="table"))
        assert len(pages) == 1
        assert pages[0]["Items"] == []
        ec2 = boto3.client("ec2", region_name="us-east-1")
        assert len(list(ec2.get_paginator("describe_instances").paginate())) == 1
        assert len(recorder.requests) == 5
    finally:
        install.deactivate(recorder)


class _Waiter:
    def __init__(self, name: str, config: Any) -> None:
        self.name = name
        self.config = config


def _first_state(acceptors: list[Any], parsed: dict[str, Any]) -> str | None:
    for acceptor in acceptors:
        if acceptor.matcher_func(parsed):
            return str(acceptor.state)
    return None


def _blocked_by_the_model(operation_model: Any, acceptors: list[Any], output: Any) -> bool:
    """Whether every answer the success acceptors accept hits an earlier failure acceptor."""
    from pytest_botowire.aws.healthy import _first_state, _solve

    blocked = False
    for acceptor in acceptors:
        if acceptor.state != "success" or acceptor.matcher not in ("path", "pathAll", "pathAny"):
            continue
        candidate = _solve(operation_model, acceptor, output, _synth_any)
        if _first_state(acceptors, candidate) != "failure":
            return False
        blocked = True
    return blocked


def _reachable_by_200(acceptor: Any) -> bool:
    if acceptor.matcher in ("path", "pathAll", "pathAny"):
        return True
    if acceptor.matcher == "status":
        return 200 <= int(acceptor.expected) < 300
    return acceptor.matcher == "error" and acceptor.expected is False


def test_every_success_waiter_finishes_on_its_first_poll() -> None:
    """200-reachable waiters succeed on a 2xx answer; the rest on the error/status they name."""
    reachable = reachable_ok = other = other_ok = 0
    failures: list[str] = []
    unreachable: list[str] = []
    for service in SERVICES:
        configs = waiter_configs(service)
        if not configs:
            continue
        model = service_model(service)
        waiter_model = WaiterModel({"version": 2, "waiters": configs})
        for name in waiter_model.waiter_names:
            config = waiter_model.get_waiter(name)
            operation_model = model.operation_model(config.operation)
            acceptors = list(config.acceptors)
            success = [a for a in acceptors if a.state == "success"]
            by_200 = any(_reachable_by_200(a) for a in success)
            output = synthesize_output(operation_model, {})
            kind, plan = waiter_plan(operation_model, _Waiter(name, config), output, _synth_any)
            if kind == "data":
                wire = serialize_response(operation_model, plan)
            elif kind == "error":
                wire = serialize_error(operation_model, plan[0], "offline", status=plan[1])
            else:
                wire = serialize_response(operation_model, output)
            state = _first_state(acceptors, _parse(operation_model, wire))
            done = state == "success"
            if kind == "none" and _blocked_by_the_model(operation_model, acceptors, output):
                unreachable.append(f"{service}.{name}")
                continue
            if by_200:
                reachable += 1
                reachable_ok += done and kind == "data"
                if not (done and kind == "data"):
                    failures.append(f"{service}.{name} ({kind}): first poll -> {state}")
            else:
                other += 1
                other_ok += done
                if not done:
                    failures.append(f"{service}.{name} ({kind}): first poll -> {state}")
    print(
        f"\nwaiters whose success a 200 answer reaches, done on the first poll: "
        f"{reachable_ok}/{reachable}"
    )
    print(
        f"other waiters (success only on an error or a non-2xx status), done on the first "
        f"poll with that error/status: {other_ok}/{other}"
    )
    print(
        "waiters no answer can finish (an earlier failure acceptor matches every answer the "
        f"success acceptor accepts, a model bug): {unreachable}"
    )
    assert len(unreachable) <= 2
    assert reachable > 200
    assert failures == [], "\n".join(failures)


def _request_entries(operation_model: Any, in_name: str, count: int) -> list[Any]:
    elem = operation_model.input_shape.members[in_name].member
    entries: list[Any] = []
    for index in range(count):
        if elem.type_name == "structure":
            entry = _synth_any(elem, "test") or {}
            for member_name, member in elem.members.items():
                if (
                    member.type_name == "string"
                    and not member.enum
                    and (member_name == "Id" or member_name.endswith(("Id", "Arn", "Name", "Key")))
                ):
                    entry[member_name] = f"entry{index}{member_name.lower()}"
            entries.append(entry)
        elif elem.type_name == "string":
            entries.append(f"entry{index}")
        else:
            entries.append(_synth_any(elem, "test"))
    return entries


def _batch_operations() -> list[tuple[str, str]]:
    found = []
    for service in SERVICES:
        model = service_model(service)
        for operation in model.operation_names:
            if is_batch_operation(model.operation_model(operation)):
                found.append((service, operation))
    return found


def test_every_batch_operation_reports_every_entry_successful() -> None:
    operations = _batch_operations()
    ok = paired = 0
    failures: list[str] = []
    for service, operation in operations:
        operation_model = service_model(service).operation_model(operation)
        pairing = batch_pairing(operation_model)
        params: dict[str, Any] = {}
        if pairing is not None:
            params[pairing[0]] = _request_entries(operation_model, pairing[0], 3)
        try:
            parsed = _parse(
                operation_model,
                serialize_response(operation_model, synthesize_output(operation_model, params)),
            )
        except Exception as exc:
            failures.append(f"{service}.{operation}: {exc!r}")
            continue
        problems = []
        for name in failure_members(operation_model):
            value = parsed.get(name)
            if value not in (None, 0, [], {}):
                problems.append(f"{name}={value!r}")
        if pairing is not None:
            paired += 1
            results = parsed.get(pairing[1])
            if not isinstance(results, list) or len(results) != 3:
                problems.append(f"{pairing[1]} has {results!r} for 3 entries")
            else:
                for entry, result in zip(params[pairing[0]], results, strict=True):
                    for key, value in result.items():
                        if "error" in key.lower():
                            problems.append(f"{pairing[1]}[].{key}={value!r}")
                        echoed = isinstance(entry, dict) and isinstance(value, str)
                        if echoed and key in entry and entry[key] != value:
                            problems.append(f"{key} {value!r} != request {entry[key]!r}")
        if problems:
            failures.append(f"{service}.{operation}: " + "; ".join(problems))
        else:
            ok += 1
    print(
        f"\nbatch operations answered with every entry successful: {ok}/{len(operations)} "
        f"({paired} with one result per request entry)"
    )
    assert len(operations) > 100
    assert failures == []


@pytest.mark.parametrize(
    ("service", "operation", "failure"),
    [
        ("sqs", "SendMessageBatch", "Failed"),
        ("sqs", "DeleteMessageBatch", "Failed"),
        ("sqs", "ChangeMessageVisibilityBatch", "Failed"),
        ("sns", "PublishBatch", "Failed"),
        ("kinesis", "PutRecords", "FailedRecordCount"),
        ("firehose", "PutRecordBatch", "FailedPutCount"),
        ("events", "PutEvents", "FailedEntryCount"),
        ("dynamodb", "BatchWriteItem", "UnprocessedItems"),
        ("dynamodb", "BatchGetItem", "UnprocessedKeys"),
        ("logs", "PutLogEvents", "rejectedLogEventsInfo"),
    ],
)
def test_named_batch_operations_are_detected(service: str, operation: str, failure: str) -> None:
    operation_model = service_model(service).operation_model(operation)
    assert is_batch_operation(operation_model)
    assert failure in failure_members(operation_model)
