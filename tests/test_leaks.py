"""No leaks: after 1000 tests that use the fixture, nothing of theirs is left in the process.

The inner suite runs in this process (``runpytest`` in-process), so whatever the plugin leaves
behind (an active recorder, handlers, environment variables, captured requests) is still here
to be found when it ends. Some of its tests raise in the middle of a request, one of them with
a ``BaseException`` that botocore does not catch, and some fail.
"""

from __future__ import annotations

import gc
import os
import sys
from typing import Any

import boto3
import botocore.handlers
import moto  # noqa: F401  (imported before any client, as moto requires)
import pytest

from pytest_botowire.capture import handlers
from pytest_botowire.capture import install as _capture
from pytest_botowire.capture.recorder import Recorder
from pytest_botowire.model.request import CapturedRequest
from pytest_botowire.wire import Wire

TESTS = 1000
FAILING = 20  # tests whose request raises and that do not catch it

INNER = """
import pytest
from moto import mock_aws

CLIENTS = pytest.botowire_leak_clients
URL = "https://sqs.us-east-1.amazonaws.com/123456789012/leaks"


@pytest.mark.parametrize("n", range({tests}))
def test_it(botowire, n):
    kind = n % 5
    if kind == 0:  # a client created with no credentials: offline mode lends it fake ones
        CLIENTS["no-credentials"].send_message(QueueUrl=URL, MessageBody=str(n))
        assert botowire[0].answered_by == "botowire"
    elif kind == 1:
        CLIENTS["shared"].send_message(QueueUrl=URL, MessageBody=str(n))
        assert [r.name for r in botowire] == ["sqs.SendMessage"]
    elif kind == 2:  # moto answers
        with mock_aws():
            url = CLIENTS["shared"].create_queue(QueueName=f"q{{n}}")["QueueUrl"]
            CLIENTS["shared"].send_message(QueueUrl=url, MessageBody=str(n))
        assert [r.answered_by for r in botowire] == ["moto", "moto"]
    elif kind == 3:  # an exception in the middle of the request, after capture
        if n % 50 == 3:
            CLIENTS["raising"].send_message(QueueUrl=URL, MessageBody=str(n))  # fails the test
        with pytest.raises(RuntimeError, match="mid-request"):
            CLIENTS["raising"].send_message(QueueUrl=URL, MessageBody=str(n))
        assert len(botowire) == 1
    else:  # a BaseException in the middle of the request: botocore does not catch it
        with pytest.raises(BaseException, match="Boom"):
            CLIENTS["boom"].send_message(QueueUrl=URL, MessageBody=str(n))
        assert len(botowire) == 1
"""

EVENTS = (
    "provide-client-params",
    "before-parameter-build",
    "before-call",
    "request-created",
    "before-sign",
    "before-send",
    "needs-retry",
    "after-call",
    "after-call-error",
)


class Boom(BaseException):
    """Not an ``Exception``: botocore lets it through without emitting after-call-error."""


def raising(error: type[BaseException], message: str) -> Any:
    def handler(**_: Any) -> None:
        raise error(message)  # a new one each time: a raised instance keeps its traceback

    return handler


def handlers_of(client: Any) -> dict[str, list[str]]:
    """Every handler an SQS SendMessage call of ``client`` would run, per event, by name."""
    trie = client.meta.events._emitter._handlers
    service_id = client.meta.service_model.service_id.hyphenize()
    return {
        event: [
            f"{getattr(h, '__module__', '?')}.{getattr(h, '__qualname__', type(h).__qualname__)}"
            for h in trie.prefix_search(f"{event}.{service_id}.SendMessage")
        ]
        for event in EVENTS
    }


def alive(kind: type) -> list[Any]:
    """Objects of the inner suite still alive (earlier tests of this process are not counted:
    an in-process pytester run that fails tests is kept alive by pytester itself when a plugin
    module is first imported during it, through that module's assertion-rewriting loader)."""
    gc.collect()

    def test_id(obj: Any) -> str:
        owner = getattr(obj, "_recorder", obj)
        return str(getattr(owner, "test_id", None) or "")

    return [
        obj
        for obj in gc.get_objects()
        if isinstance(obj, kind) and test_id(obj).startswith("test_leak_inner.py::")
    ]


def test_a_thousand_tests_leave_nothing_behind(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in list(os.environ):
        if name.startswith("AWS_") and name != "AWS_CA_BUNDLE":
            monkeypatch.delenv(name)

    def client(**credentials: str) -> Any:
        # A new Session: boto3's default one keeps the credentials it resolved first.
        return boto3.Session().client("sqs", region_name="us-east-1", **credentials)

    secret = {"aws_access_key_id": "AKIDSHARED", "aws_secret_access_key": "shared-secret"}
    clients = {
        "no-credentials": client(),
        "shared": client(**secret),
        "raising": client(**secret),
        "boom": client(**secret),
    }
    clients["raising"].meta.events.register("before-send", raising(RuntimeError, "mid-request"))
    clients["boom"].meta.events.register("before-send", raising(Boom, "Boom"))
    monkeypatch.setattr(pytest, "botowire_leak_clients", clients, raising=False)
    pytester.makepyfile(test_leak_inner=INNER.format(tests=TESTS))

    builtin_before = list(botocore.handlers.BUILTIN_HANDLERS)
    handlers_before = {name: handlers_of(c) for name, c in clients.items()}
    credentials_before = {name: c._request_signer._credentials for name, c in clients.items()}
    assert credentials_before["no-credentials"] is None
    environ_before = dict(os.environ)
    assert alive(CapturedRequest) == []

    result = pytester.runpytest("-p", "no:cacheprovider", "-q", "--tb=line")
    result.assert_outcomes(passed=TESTS - FAILING, failed=FAILING)
    result.stdout.fnmatch_lines(["*RuntimeError: mid-request"] * FAILING)

    assert _capture.active() is None
    assert builtin_before == botocore.handlers.BUILTIN_HANDLERS
    ours = [
        spec
        for spec in botocore.handlers.BUILTIN_HANDLERS
        if spec[1].__module__.startswith("pytest_botowire")
    ]
    assert sorted(spec[1].__name__ for spec in ours) == sorted(
        h.__name__ for _, h, _ in handlers.HANDLERS
    )
    for event, handler, _ in handlers.HANDLERS:
        registered = [
            s for s in botocore.handlers.BUILTIN_HANDLERS if s[0] == event and s[1] is handler
        ]
        assert len(registered) == 1, (event, handler)
    assert {name: handlers_of(c) for name, c in clients.items()} == handlers_before
    assert handlers_of(client()) == handlers_before["shared"]
    for name, c in clients.items():
        assert c._request_signer._credentials is credentials_before[name], name
    environ_after = dict(os.environ)
    # pytest itself removes PYTEST_CURRENT_TEST when each inner test ends.
    environ_before.pop("PYTEST_CURRENT_TEST", None)
    assert environ_after == environ_before

    # What pytest and pytester keep of the inner run on purpose: the recorded hook calls
    # (with each failing test's traceback) and the last failure, for post-mortem debugging.
    result.reprec.clear()  # type: ignore[attr-defined]
    for name in ("last_type", "last_value", "last_traceback", "last_exc"):
        if hasattr(sys, name):
            delattr(sys, name)
    del result
    leaked = alive(CapturedRequest)
    assert leaked == [], f"{len(leaked)} captured requests alive, e.g. {leaked[:3]}"
    assert alive(Recorder) == []
    assert alive(Wire) == []


def test_an_idle_handler_does_no_work(monkeypatch: pytest.MonkeyPatch) -> None:
    """Outside a test that captures, a handler returns after one check, touching nothing."""
    assert _capture.active() is None

    class Touched(BaseException):  # not an Exception: no handler's safety net can swallow it
        pass

    class Exploding:
        def __getattr__(self, name: str) -> Any:
            raise Touched(f"an idle handler read .{name}")

    for _, handler, _ in handlers.HANDLERS:
        touchy = Exploding()
        assert handler(request=touchy, model=touchy, params=touchy, event_name="x.y.z") is None
