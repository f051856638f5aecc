"""botocore's ``Stubber`` answers at ``before-call``: nothing reaches the wire, and botowire says so.

A Stubber-answered call is never serialized, signed or sent, so it cannot be captured. The
fixture counts such calls (``botowire.stubbed_calls``, per selection too), and an assertion that
fails because a selection captured nothing names how many matching calls a Stubber answered.
"""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from botocore.stub import Stubber

QUEUE = "https://sqs.us-east-1.amazonaws.com/123456789012/jobs"


def test_stubbed_calls_are_counted_and_never_captured(botowire: Any) -> None:
    sqs = boto3.client("sqs", region_name="us-east-1")
    with Stubber(sqs) as stub:
        stub.add_response("send_message", {"MessageId": "m-1"})
        stub.add_response("send_message", {"MessageId": "m-2"})
        stub.add_client_error("send_message", "QueueDoesNotExist", http_status_code=400)
        stub.add_response("get_queue_url", {"QueueUrl": QUEUE})
        assert sqs.send_message(QueueUrl=QUEUE, MessageBody="a")["MessageId"] == "m-1"
        assert sqs.send_message(QueueUrl=QUEUE, MessageBody="b")["MessageId"] == "m-2"
        with pytest.raises(ClientError):
            sqs.send_message(QueueUrl=QUEUE, MessageBody="c")  # an error is counted too
        sqs.get_queue_url(QueueName="jobs")
        stub.assert_no_pending_responses()

    assert len(botowire) == 0
    assert botowire.stubbed_calls == 4
    assert botowire.select("sqs.SendMessage").stubbed_calls == 3
    assert botowire.select("sqs.send_message").stubbed_calls == 3
    assert botowire.select("sqs.GetQueueUrl").stubbed_calls == 1
    assert botowire.select("sqs.ReceiveMessage").stubbed_calls == 0
    assert botowire.select("s3").stubbed_calls == 0
    botowire.select("sqs.SendMessage").assert_not_called()  # nothing was sent


def test_calls_that_reach_the_wire_are_not_counted_as_stubbed(botowire: Any) -> None:
    sqs = boto3.client("sqs", region_name="us-east-1")
    stubbed = boto3.client("sqs", region_name="us-east-1")
    with Stubber(stubbed) as stub:
        stub.add_response("send_message", {"MessageId": "m-1"})
        stubbed.send_message(QueueUrl=QUEUE, MessageBody="stubbed")
        sqs.send_message(QueueUrl=QUEUE, MessageBody="sent")  # answered offline at the wire

    assert botowire.stubbed_calls == 1
    (sent,) = botowire.select("sqs.SendMessage")
    assert sent.params == {"QueueUrl": QUEUE, "MessageBody": "sent"}
    botowire.clear()
    assert botowire.stubbed_calls == 0


def test_a_failing_assertion_names_the_calls_a_stubber_answered(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        f"""
        import boto3
        from botocore.stub import Stubber

        def stubbed_sends(count):
            sqs = boto3.client("sqs", region_name="us-east-1")
            stub = Stubber(sqs)
            for i in range(count):
                stub.add_response("send_message", {{"MessageId": str(i)}})
            with stub:
                for i in range(count):
                    sqs.send_message(QueueUrl={QUEUE!r}, MessageBody=str(i))
            return sqs

        def test_two_stubbed(botowire):
            stubbed_sends(2)
            botowire.select("sqs.SendMessage").assert_gzipped()

        def test_one_stubbed_and_another_call_sent(botowire):
            sqs = stubbed_sends(1)
            sqs.list_queues()
            botowire.select("sqs.send_message").assert_called(times=1)

        def test_stubbed_calls_of_another_operation_are_not_mentioned(botowire):
            stubbed_sends(1)
            botowire.select("sqs.ReceiveMessage").assert_called()

        def test_nothing_at_all_on_the_wire(botowire):
            stubbed_sends(3)
            botowire.assert_payload_under(1000)
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(failed=4)
    result.stdout.fnmatch_lines(
        [
            "E*AssertionError: assert_gzipped: no request matched 'sqs.SendMessage'; "
            "2 matching calls were answered by a botocore Stubber before reaching the wire "
            "(a Stubber answers at before-call, so nothing is serialized, signed or sent)",
            "E*nothing was captured in this test",
            "E*AssertionError: assert_called: no request matched 'sqs.send_message'; "
            "1 matching call was answered by a botocore Stubber before reaching the wire*",
            "E*captured in this test (1):",
            "E*- sqs.ListQueues (attempt 1)*",
            "E*AssertionError: assert_called: no request matched 'sqs.ReceiveMessage'",
            "E*AssertionError: assert_payload_under: no request was captured; "
            "3 matching calls were answered by a botocore Stubber before reaching the wire*",
        ]
    )
    receive = [
        line for line in result.outlines if "no request matched 'sqs.ReceiveMessage'" in line
    ]
    assert receive
    assert all("Stubber" not in line for line in receive)
