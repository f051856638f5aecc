"""Each test sees only its own requests, and offline means offline.

* Function-scoped fixtures (requested before ``botowire``, autouse) are captured and answered
  like the test's own; fixtures of a wider scope are not the test's: sent as without the plugin.
* A thread a test started that keeps sending after the test ended: its requests never appear in
  a later test, are answered offline when the test that started it ran offline, and are
  reported (a ``BotowireWarning`` and a line in the summary).
"""

from __future__ import annotations

import pytest
from local_server import RecordingServer

pytest_plugins = ["pytester"]

LIST_TABLES = {"Content-Type": "application/x-amz-json-1.0"}

CLIENT = """
import threading, time, boto3, pytest

def dynamodb():
    return boto3.client("dynamodb", endpoint_url={url!r}, region_name="us-east-1",
                        aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="not-a-secret")
"""


def server() -> RecordingServer:
    return RecordingServer(body=b'{"TableNames": ["from-the-network"]}', headers=LIST_TABLES)


def test_fixtures_set_up_before_botowire_are_captured_and_answered_offline(
    pytester: pytest.Pytester,
) -> None:
    with server() as network:
        pytester.makepyfile(
            CLIENT.format(url=network.url)
            + """
@pytest.fixture(autouse=True)
def warm_up():
    dynamodb().list_tables(Limit=1)
    yield
    dynamodb().list_tables(Limit=4)

@pytest.fixture
def tables():
    return dynamodb().list_tables(Limit=2).get("TableNames")

def test_it(tables, botowire):
    assert tables != ["from-the-network"]
    dynamodb().list_tables(Limit=3)
    assert [r.params["Limit"] for r in botowire] == [1, 2, 3]
    assert {r.answered_by for r in botowire} == {"botowire"}
"""
        )
        pytester.runpytest().assert_outcomes(passed=1)
    assert network.received == []


def test_fixtures_of_a_wider_scope_are_not_the_tests(pytester: pytest.Pytester) -> None:
    with server() as network:
        pytester.makepyfile(
            CLIENT.format(url=network.url)
            + """
@pytest.fixture(scope="module")
def shared():
    names = dynamodb().list_tables(Limit=1)["TableNames"]
    yield names
    dynamodb().list_tables(Limit=9)

@pytest.fixture
def per_test():
    dynamodb().list_tables(Limit=2)

def test_first(per_test, shared, botowire):
    assert shared == ["from-the-network"]
    assert [r.params["Limit"] for r in botowire] == [2]

def test_second(shared, botowire):
    assert len(botowire) == 0
"""
        )
        pytester.runpytest().assert_outcomes(passed=2)
    assert [r.body for r in network.received] == [b'{"Limit": 1}', b'{"Limit": 9}']


THREAD = """
stop = threading.Event()
sent = []

def keep_sending():
    client = dynamodb()
    while not stop.is_set():
        client.list_tables(Limit=7)
        sent.append(1)
        time.sleep(0.005)

def wait_for_more(n):
    deadline = time.monotonic() + 5
    while len(sent) < n and time.monotonic() < deadline:
        time.sleep(0.005)
    assert len(sent) >= n

def test_a_starts_a_thread(botowire):
    threading.Thread(target=keep_sending, daemon=True).start()
    wait_for_more(3)
    assert botowire.select("dynamodb.ListTables")

def test_b_sees_none_of_them(botowire):
    wait_for_more(len(sent) + 5)
    assert len(botowire) == 0
    dynamodb().list_tables(Limit=1)
    assert [r.params["Limit"] for r in botowire] == [1]

def test_c_does_not_use_the_plugin():
    wait_for_more(len(sent) + 5)

def test_d_stops_it():
    stop.set()
    time.sleep(0.05)
"""


def test_a_thread_that_outlives_its_test_stays_out_of_later_tests_and_offline(
    pytester: pytest.Pytester,
) -> None:
    with server() as network:
        pytester.makepyfile(CLIENT.format(url=network.url) + THREAD)
        result = pytester.runpytest("-rw")
        result.assert_outcomes(passed=4)
    assert network.received == []
    result.stdout.fnmatch_lines(
        [
            "*BotowireWarning: botowire: * requests were sent by threads that "
            "test_a_thread_that_outlives_its_test_stays_out_of_later_tests_and_offline.py"
            "::test_a_starts_a_thread started, after it ended; answered offline, captured in "
            "no test:",
            "*- dynamodb.ListTables x *",
        ]
    )
    result.stdout.fnmatch_lines(["*requests sent outside their test*"])


def test_in_passthrough_the_threads_requests_go_out_but_not_into_later_tests(
    pytester: pytest.Pytester,
) -> None:
    with server() as network:
        pytester.makepyfile(CLIENT.format(url=network.url) + THREAD)
        result = pytester.runpytest("--botowire-mode=passthrough")
        result.assert_outcomes(passed=4)
    assert len(network.received) >= 13
    result.stdout.fnmatch_lines(["*sent to the network, captured in no test*"])
