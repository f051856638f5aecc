"""botowire.respond and offline answers: real serialization, real retries, flows that run offline."""

from __future__ import annotations

import pytest
from botocore_features import FIRST_ATTEMPT_NAMES_MAX

pytest_plugins = ["pytester"]

PRELUDE = """
import io, os, re
import boto3, pytest
from botocore.config import Config

@pytest.fixture(autouse=True)
def no_backoff(monkeypatch):
    # Retries run for real; only the sleep between attempts is skipped to keep tests fast.
    monkeypatch.setattr("botocore.retries.standard.ExponentialBackoff.delay_amount", lambda self, context: 0)
    monkeypatch.setattr("botocore.retries.adaptive.ClientRateLimiter.on_sending_request", lambda self, **kwargs: None)

def metrics(n):
    return [{"MetricName": f"metric-{i}", "Value": float(i)} for i in range(n)]
"""


def make(pytester: pytest.Pytester, body: str) -> None:
    pytester.makepyfile(test_it=PRELUDE + body)


def test_respond_data_is_what_the_client_returns(pytester: pytest.Pytester) -> None:
    make(
        pytester,
        """
def test_sqs_send_then_receive(botowire):
    sqs = boto3.client("sqs")
    url = sqs.create_queue(QueueName="jobs")["QueueUrl"]
    sent = sqs.send_message(QueueUrl=url, MessageBody="job-1")
    assert sent["MessageId"]
    botowire.respond("sqs.ReceiveMessage", {"Messages": [
        {"MessageId": "m-1", "ReceiptHandle": "r-1", "Body": "job-1"}]})
    received = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=0)
    assert [m["Body"] for m in received["Messages"]] == ["job-1"]
    assert [r.operation for r in botowire] == ["CreateQueue", "SendMessage", "ReceiveMessage"]

def test_dynamodb_put_then_get(botowire):
    table = boto3.client("dynamodb")
    table.put_item(TableName="table", Item={"pk": {"S": "a"}, "n": {"N": "1"}})
    botowire.respond("dynamodb.GetItem", {"Item": {"pk": {"S": "a"}, "n": {"N": "1"}}}, times=1)
    assert table.get_item(TableName="table", Key={"pk": {"S": "a"}})["Item"]["n"] == {"N": "1"}
    botowire.select("dynamodb.PutItem").assert_params(Item={"pk": {"S": "a"}})

def test_rest_xml_and_headers(botowire):
    s3 = boto3.client("s3")
    botowire.respond("s3.GetObject", {"Body": b"hello", "ContentType": "text/plain", "Metadata": {"k": "v"}})
    got = s3.get_object(Bucket="b", Key="k")
    assert got["Body"].read() == b"hello"
    assert (got["ContentType"], got["Metadata"]) == ("text/plain", {"k": "v"})
""",
    )
    pytester.runpytest().assert_outcomes(passed=3)


def test_errors_raise_the_modeled_exception(pytester: pytest.Pytester) -> None:
    make(
        pytester,
        """
def test_it(botowire):
    sqs = boto3.client("sqs")
    botowire.respond("sqs.GetQueueUrl", error="QueueDoesNotExist", message="no such queue")
    with pytest.raises(sqs.exceptions.QueueDoesNotExist):
        sqs.get_queue_url(QueueName="nope")
    s3 = boto3.client("s3")
    botowire.respond("s3.GetObject", error="NoSuchKey")
    with pytest.raises(s3.exceptions.NoSuchKey) as info:
        s3.get_object(Bucket="b", Key="k")
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
""",
    )
    pytester.runpytest().assert_outcomes(passed=1)


@pytest.mark.parametrize("retry_mode", ["standard", "adaptive"])
def test_throttled_twice_then_success_sends_three_attempts(
    pytester: pytest.Pytester, retry_mode: str
) -> None:
    # botocore numbers each attempt in amz-sdk-request; older botocore names max only on retries
    headers = [("1", "3" if FIRST_ATTEMPT_NAMES_MAX else None), ("2", "3"), ("3", "3")]
    make(
        pytester,
        f"""
def test_it(botowire):
    client = boto3.client("cloudwatch", config=Config(retries={{"mode": {retry_mode!r}, "total_max_attempts": 3}}))
    botowire.respond("cloudwatch.PutMetricData", error="Throttling", times=2)
    response = client.put_metric_data(Namespace="app", MetricData=metrics(20))
    assert response["ResponseMetadata"]["RetryAttempts"] == 2
    puts = botowire.select("cloudwatch.PutMetricData")
    assert [r.attempt for r in puts] == [1, 2, 3]
    assert [r.status for r in puts] == [400, 400, 200]
    pattern = "^attempt=(\\\\d+)(?:; max=(\\\\d+))?$"
    assert [re.search(pattern, r.headers["amz-sdk-request"]).groups() for r in puts] == {headers!r}
    assert len({{r.body for r in puts}}) == 1      # the same body each attempt
    puts.assert_signed()                           # each attempt signed
""",
    )
    pytester.runpytest().assert_outcomes(passed=1)


def test_a_413_makes_the_code_split_its_batch(pytester: pytest.Pytester) -> None:
    make(
        pytester,
        """
from botocore.exceptions import ClientError

def publish(client, batch):
    try:
        client.put_metric_data(Namespace="app", MetricData=batch)
        return 1
    except ClientError as error:
        if error.response["ResponseMetadata"]["HTTPStatusCode"] != 413:
            raise
    half = len(batch) // 2
    return publish(client, batch[:half]) + publish(client, batch[half:])

def test_it(botowire):
    client = boto3.client("cloudwatch")
    botowire.respond("cloudwatch.PutMetricData", error="RequestEntityTooLarge", status=413, times=1)
    assert publish(client, metrics(1000)) == 2
    assert [len(r.params["MetricData"]) for r in botowire] == [1000, 500, 500]
    assert [r.status for r in botowire] == [413, 200, 200]
""",
    )
    pytester.runpytest().assert_outcomes(passed=1)


def test_responses_are_used_in_order_and_times_counts(pytester: pytest.Pytester) -> None:
    make(
        pytester,
        """
def test_it(botowire):
    sqs = boto3.client("sqs")
    first = botowire.respond("sqs.ListQueues", {"QueueUrls": ["a"]}, times=1)
    botowire.respond("sqs.ListQueues", {"QueueUrls": ["b"]}, times=2)
    every = botowire.respond("sqs", {})
    assert [sqs.list_queues().get("QueueUrls") for _ in range(4)] == [["a"], ["b"], ["b"], None]
    assert first.used == 1 and every.used == 1
""",
    )
    pytester.runpytest().assert_outcomes(passed=1)


def test_bad_responses_are_errors_at_respond(pytester: pytest.Pytester) -> None:
    make(
        pytester,
        """
@pytest.mark.parametrize("call, error", [
    ("botowire.respond('sqs.ListQueues', {'QueueUrl': ['a']})",
     "unknown key 'QueueUrl' in ListQueues output; valid keys: QueueUrls, NextToken; did you mean 'QueueUrls'?"),
    ("botowire.respond('sqs.ReceiveMessage', {'Messages': [{'Body': 5}]})",
     "Messages[0].Body: expected str, got int (in ReceiveMessage output)"),
    ("botowire.respond('sqs.*', {'Messages': []})",
     "respond('sqs.*', data=...) needs a pattern naming one operation (like 'sqs.ReceiveMessage') so that data can be checked against its output shape"),
    ("botowire.respond('sqs.ListQueue', {})", "unknown operation 'ListQueue' of service 'sqs'*"),
    ("botowire.respond('sqs.ListQueues', times=0)", "times must be at least 1, got 0"),
    ("botowire.respond('sqs.ListQueues', error='X', status=200)", "an error response needs an error status (300-599), not 200"),
    ("botowire.respond('sqs.ListQueues', {}, error='X')", "respond() takes data or error, not both"),
    ("botowire.respond('sqs.ListQueues', message='m')", "message= goes with error=; for a successful response pass data="),
])
def test_it(botowire, call, error):
    with pytest.raises((TypeError, ValueError)) as info:
        eval(call)
    import fnmatch
    assert fnmatch.fnmatchcase(str(info.value), error.replace("[", "[[]")), str(info.value)
""",
    )
    pytester.runpytest().assert_outcomes(passed=8)


def test_an_unused_response_fails_the_test_unless_opted_out(pytester: pytest.Pytester) -> None:
    make(
        pytester,
        """
def test_unused(botowire):
    botowire.respond("sqs.ListQueues", {"QueueUrls": ["a"]})
    botowire.respond("cloudwatch.PutMetricData", {}, times=2)
    boto3.client("cloudwatch").put_metric_data(Namespace="app", MetricData=metrics(1))

@pytest.mark.botowire(assert_all_responses_used=False)
def test_opted_out(botowire):
    botowire.respond("sqs.ListQueues", {"QueueUrls": ["a"]})
""",
    )
    result = pytester.runpytest()
    result.assert_outcomes(failed=1, passed=1)
    result.stdout.fnmatch_lines(
        [
            "botowire: 2 responses registered with respond() were not used up",
            "  - 'sqs.ListQueues' -> data, used 0 of every time",
            "  - 'cloudwatch.PutMetricData' -> an empty success, used 1 of 2 times",
            "  Hint: remove them, fix the pattern, or opt out with @pytest.mark.botowire(assert_all_responses_used=False); "
            "see https://github.com/pytest-botowire/pytest-botowire#answering-requests-respond",
        ]
    )


def test_respond_wins_over_moto(pytester: pytest.Pytester) -> None:
    pytest.importorskip("moto", reason="moto is a test dependency")
    make(
        pytester,
        """
from moto import mock_aws

@mock_aws
def test_it(botowire):
    sqs = boto3.client("sqs")
    sqs.create_queue(QueueName="real")                      # moto answers
    botowire.respond("sqs.ListQueues", {"QueueUrls": ["stubbed"]})
    assert sqs.list_queues()["QueueUrls"] == ["stubbed"]   # respond wins
    assert [r.answered_by for r in botowire] == ["moto", "botowire"]
""",
    )
    pytester.runpytest().assert_outcomes(passed=1)


def test_a_multipart_upload_of_20_mib_runs_offline(pytester: pytest.Pytester) -> None:
    make(
        pytester,
        """
from boto3.s3.transfer import TransferConfig

def test_it(botowire):
    s3 = boto3.client("s3")
    data = os.urandom(20 * 1024 * 1024)
    stream = io.BytesIO(data)
    s3.upload_fileobj(stream, "bucket", "big.bin",
                      Config=TransferConfig(multipart_threshold=8 * 1024 * 1024, multipart_chunksize=8 * 1024 * 1024))
    ops = [r.operation for r in botowire]
    assert ops[0] == "CreateMultipartUpload" and ops[-1] == "CompleteMultipartUpload"
    parts = botowire.select("s3.UploadPart")
    assert len(parts) == 3
    assert sum(r.decoded_size for r in parts) == len(data)
    complete = botowire.select("s3.CompleteMultipartUpload")[0]
    assert {r.params["UploadId"] for r in parts} == {complete.params["UploadId"]}
    botowire.select("s3.CompleteMultipartUpload").assert_params(
        MultipartUpload={"Parts": [{"PartNumber": 1}, {"PartNumber": 2}, {"PartNumber": 3}]})
""",
    )
    pytester.runpytest().assert_outcomes(passed=1)


def test_offline_answers_fill_what_common_flows_read(pytester: pytest.Pytester) -> None:
    make(
        pytester,
        """
def test_it(botowire):
    s3 = boto3.client("s3")
    upload = s3.create_multipart_upload(Bucket="b", Key="k")
    assert upload["UploadId"]
    part = s3.upload_part(Bucket="b", Key="k", UploadId=upload["UploadId"], PartNumber=1, Body=b"x")
    assert part["ETag"]
    sent = boto3.client("sqs").send_message(QueueUrl="https://q", MessageBody="hello")
    assert sent["MD5OfMessageBody"] == "5d41402abc4b2a76b9719d911017c592"
    assert boto3.client("sts").get_caller_identity()["Account"]
""",
    )
    pytester.runpytest().assert_outcomes(passed=1)
