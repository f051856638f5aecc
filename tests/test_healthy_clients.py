"""Offline answers behave like a healthy service, seen through real boto3 clients."""

from __future__ import annotations

import pytest

TESTS = '''
import boto3
import pytest

QUEUE = "https://sqs.us-east-1.amazonaws.com/123456789012/q"


def save(items, table="orders"):
    """The retry loop from AWS's documentation: resend UnprocessedItems until none is left."""
    ddb = boto3.client("dynamodb", region_name="us-east-1")
    request = {table: [{"PutRequest": {"Item": item}} for item in items]}
    rounds = 0
    while request:
        rounds += 1
        assert rounds < 5, "the retry loop does not end"
        response = ddb.batch_write_item(RequestItems=request)
        request = response.get("UnprocessedItems")
    return rounds


def test_dynamodb_save_loop_ends(botowire):
    assert save([{"id": {"S": str(i)}} for i in range(3)]) == 1


def test_dynamodb_batch_get_finds_every_key(botowire):
    ddb = boto3.client("dynamodb", region_name="us-east-1")
    keys = [{"id": {"S": "a"}}, {"id": {"S": "b"}}]
    response = ddb.batch_get_item(RequestItems={"orders": {"Keys": keys}})
    assert response["Responses"] == {"orders": keys}
    assert response["UnprocessedKeys"] == {}


def test_dynamodb_table_resource_batch_writer(botowire):
    table = boto3.resource("dynamodb", region_name="us-east-1").Table("orders")
    with table.batch_writer() as batch:
        for i in range(30):
            batch.put_item(Item={"id": str(i)})
    assert len(botowire.select("dynamodb.BatchWriteItem")) == 2


def test_sqs_batches(botowire):
    sqs = boto3.client("sqs", region_name="us-east-1")
    entries = [{"Id": f"m{i}", "MessageBody": f"body {i}"} for i in range(3)]
    sent = sqs.send_message_batch(QueueUrl=QUEUE, Entries=entries)
    assert [e["Id"] for e in sent["Successful"]] == ["m0", "m1", "m2"]
    assert sent.get("Failed", []) == []
    deleted = sqs.delete_message_batch(
        QueueUrl=QUEUE, Entries=[{"Id": "d1", "ReceiptHandle": "r"}]
    )
    assert [e["Id"] for e in deleted["Successful"]] == ["d1"]
    changed = sqs.change_message_visibility_batch(
        QueueUrl=QUEUE, Entries=[{"Id": "c1", "ReceiptHandle": "r", "VisibilityTimeout": 5}]
    )
    assert [e["Id"] for e in changed["Successful"]] == ["c1"]


def test_sns_publish_batch(botowire):
    sns = boto3.client("sns", region_name="us-east-1")
    response = sns.publish_batch(
        TopicArn="arn:aws:sns:us-east-1:123456789012:t",
        PublishBatchRequestEntries=[{"Id": "p1", "Message": "a"}, {"Id": "p2", "Message": "b"}],
    )
    assert [e["Id"] for e in response["Successful"]] == ["p1", "p2"]
    assert response.get("Failed", []) == []


def test_kinesis_firehose_events_logs(botowire):
    kinesis = boto3.client("kinesis", region_name="us-east-1")
    records = [{"Data": b"x", "PartitionKey": "k"}] * 4
    out = kinesis.put_records(StreamName="s", Records=records)
    assert out["FailedRecordCount"] == 0
    assert len(out["Records"]) == 4
    assert all("ErrorCode" not in r and r["SequenceNumber"] for r in out["Records"])
    firehose = boto3.client("firehose", region_name="us-east-1")
    out = firehose.put_record_batch(DeliveryStreamName="d", Records=[{"Data": b"x"}] * 3)
    assert out["FailedPutCount"] == 0
    assert len(out["RequestResponses"]) == 3
    events = boto3.client("events", region_name="us-east-1")
    out = events.put_events(
        Entries=[{"Source": "app", "DetailType": "t", "Detail": "{}"}] * 2
    )
    assert out["FailedEntryCount"] == 0
    assert [bool(e.get("EventId")) for e in out["Entries"]] == [True, True]
    logs = boto3.client("logs", region_name="us-east-1")
    out = logs.put_log_events(
        logGroupName="g", logStreamName="s", logEvents=[{"timestamp": 1, "message": "m"}]
    )
    assert "rejectedLogEventsInfo" not in out


def test_transact_get_items(botowire):
    ddb = boto3.client("dynamodb", region_name="us-east-1")
    out = ddb.transact_get_items(
        TransactItems=[{"Get": {"TableName": "orders", "Key": {"id": {"S": "a"}}}}] * 2
    )
    assert len(out["Responses"]) == 2


@pytest.mark.parametrize(
    ("service", "waiter", "kwargs"),
    [
        ("dynamodb", "table_exists", {"TableName": "orders"}),
        ("dynamodb", "table_not_exists", {"TableName": "orders"}),
        ("ec2", "instance_running", {"InstanceIds": ["i-1"]}),
        ("ec2", "instance_terminated", {"InstanceIds": ["i-1"]}),
        ("s3", "bucket_exists", {"Bucket": "bucket"}),
        ("s3", "object_not_exists", {"Bucket": "bucket", "Key": "k"}),
        ("cloudformation", "stack_create_complete", {"StackName": "s"}),
        ("ecs", "services_stable", {"cluster": "c", "services": ["s"]}),
        ("lambda", "function_active_v2", {"FunctionName": "f"}),
    ],
)
def test_waiters_finish_on_the_first_poll(botowire, service, waiter, kwargs):
    client = boto3.client(service, region_name="us-east-1")
    client.get_waiter(waiter).wait(**kwargs, WaiterConfig={"Delay": 5, "MaxAttempts": 3})
    # one poll: botocore sleeps Delay seconds only before a second one
    assert len(botowire) == 1
'''


def test_offline_answers_are_a_healthy_services(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(TESTS)
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=16)
