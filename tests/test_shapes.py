"""Request shapes: deterministic descriptions of what was sent, and snapshots of them (syrupy).

Each protocol is driven through a real botocore client in offline mode; the same call made
twice gives two requests whose signatures, invocation ids and generated tokens differ, and
whose shapes must not.
"""

from __future__ import annotations

import json
from typing import Any

import boto3
import botocore
import pytest

from pytest_botowire.model.request import CapturedRequest, Headers, snapshot_body
from pytest_botowire.model.shape import GENERATED
from pytest_botowire.wire import Wire

pytest_plugins = ["pytester"]

KEYS = {
    "region_name": "us-east-1",
    "aws_access_key_id": "AKIDEXAMPLE",
    "aws_secret_access_key": "not-a-real-secret",
}
BOTOCORE = tuple(int(part) for part in botocore.__version__.split(".")[:3])


def twice(botowire: Wire, service: str, method: str, **params: Any) -> list[dict[str, Any]]:
    """Make the same call from two clients; check the raw requests differ and return shapes."""
    for _ in range(2):
        getattr(boto3.client(service, **KEYS), method)(**params)
    first, second = botowire[-2], botowire[-1]
    assert first.headers["amz-sdk-invocation-id"] != second.headers["amz-sdk-invocation-id"]
    shapes = [first.shape(), second.shape()]
    assert json.loads(json.dumps(shapes[0])) == shapes[0]  # plain JSON
    assert shapes[0] == shapes[1]
    return shapes


def test_json_protocol_shape_and_a_generated_token_in_the_body(botowire: Wire) -> None:
    items = [{"Put": {"TableName": "orders", "Item": {"k": {"S": "v"}}}}]
    shape, _ = twice(botowire, "dynamodb", "transact_write_items", TransactItems=items)
    assert botowire[0].payload["ClientRequestToken"] != botowire[1].payload["ClientRequestToken"]
    assert shape == {
        "operation": "dynamodb.TransactWriteItems",
        "protocol": "json",
        "method": "POST",
        "path": "/",
        "query": [],
        "headers": {
            "content-type": "application/x-amz-json-1.0",
            "x-amz-target": "DynamoDB_20120810.TransactWriteItems",
        },
        "encodings": [],
        "payload": {"ClientRequestToken": GENERATED, "TransactItems": items},
    }


def test_a_token_the_caller_passed_is_kept(botowire: Wire) -> None:
    client = boto3.client("dynamodb", **KEYS)
    items = [{"Put": {"TableName": "orders", "Item": {"k": {"S": "v"}}}}]
    client.transact_write_items(TransactItems=items, ClientRequestToken="mine")
    assert botowire[0].shape()["payload"]["ClientRequestToken"] == "mine"


def test_ec2_form_with_a_generated_client_token(botowire: Wire) -> None:
    shape, _ = twice(botowire, "ec2", "run_instances", ImageId="ami-1", MinCount=1, MaxCount=2)
    assert shape["protocol"] == "ec2"
    assert shape["payload"] == {
        "Action": "RunInstances",
        "ClientToken": GENERATED,
        "ImageId": "ami-1",
        "MaxCount": "2",
        "MinCount": "1",
        "Version": "2016-11-15",
    }


def test_query_form_with_a_generated_token(botowire: Wire) -> None:
    shape, _ = twice(botowire, "cloudformation", "create_stack_set", StackSetName="s")
    assert shape["protocol"] == "query"
    assert shape["payload"] == {
        "Action": "CreateStackSet",
        "ClientRequestToken": GENERATED,
        "StackSetName": "s",
        "Version": "2010-05-15",
    }


def test_rest_json_tokens_in_the_body_the_query_and_a_header(botowire: Wire) -> None:
    body, _ = twice(botowire, "accessanalyzer", "create_analyzer", analyzerName="a", type="ACCOUNT")
    assert body["payload"] == {"analyzerName": "a", "clientToken": GENERATED, "type": "ACCOUNT"}
    query, _ = twice(botowire, "accessanalyzer", "delete_analyzer", analyzerName="a")
    assert query["method"] == "DELETE"
    assert query["path"] == "/analyzer/a"
    assert query["query"] == [["clientToken", GENERATED]]
    header, _ = twice(
        botowire, "billingconductor", "create_billing_group", Name="g",
        AccountGrouping={"LinkedAccountIds": ["123456789012"]},
        ComputationPreference={"PricingPlanArn": "arn:aws:billingconductor::1:pricingplan/p"},
    )  # fmt: skip
    assert header["headers"]["x-amzn-client-token"] == GENERATED


def test_rest_xml_as_plain_data_with_a_generated_token(botowire: Wire) -> None:
    shape, _ = twice(
        botowire, "s3control", "delete_multi_region_access_point", AccountId="123456789012",
        Details={"Name": "n"},
    )  # fmt: skip
    assert shape["protocol"] == "rest-xml"
    assert shape["payload"] == {
        "tag": "DeleteMultiRegionAccessPointRequest",
        "xmlns": "http://awss3control.amazonaws.com/doc/2018-08-20/",
        "children": [
            {"tag": "Details", "children": [{"tag": "Name", "text": "n"}]},
            {"tag": "ClientToken", "text": GENERATED},
        ],
    }


def test_a_blob_body_and_volatile_headers_left_out(botowire: Wire) -> None:
    shape, _ = twice(botowire, "s3", "put_object", Bucket="b", Key="k", Body=b"hello")
    assert shape["payload"] == "hello"
    assert shape["path"] == "/b/k"
    left_out = {"authorization", "x-amz-date", "amz-sdk-invocation-id", "amz-sdk-request",
                "user-agent", "x-amz-content-sha256", "content-md5", "content-length"}  # fmt: skip
    assert not left_out & shape["headers"].keys()
    assert not [name for name in shape["headers"] if name.startswith("x-amz-checksum-")]
    assert {"authorization", "x-amz-date", "user-agent"} <= {h.lower() for h in botowire[0].headers}


def test_gzip_is_an_encoding_and_the_payload_is_decoded(botowire: Wire, botowire_gzip: Any) -> None:
    data = [{"MetricName": "m", "Value": 1.5}]
    shape, _ = twice(botowire, "cloudwatch", "put_metric_data", Namespace="app", MetricData=data)
    assert shape["encodings"] == ["gzip"]
    assert shape["headers"]["content-encoding"] == "gzip"
    if shape["protocol"] == "query":  # botocore before 1.42.7
        assert shape["payload"]["MetricData.member.1.MetricName"] == "m"
    else:
        assert shape["payload"] == {"MetricData": data, "Namespace": "app"}


def test_a_change_in_what_the_code_sends_changes_the_shape(botowire: Wire) -> None:
    client = boto3.client("sqs", **KEYS)
    url = "https://sqs.us-east-1.amazonaws.com/123456789012/q"
    client.send_message(QueueUrl=url, MessageBody="a")
    client.send_message(QueueUrl=url, MessageBody="a")
    client.send_message(QueueUrl=url, MessageBody="b")
    client.send_message(QueueUrl=url, MessageBody="a", DelaySeconds=1)
    tagged = boto3.client("sqs", **KEYS)
    tagged.meta.events.register(
        "before-sign.sqs.*", lambda request, **_: request.headers.add_header("x-trace", "1")
    )
    tagged.send_message(QueueUrl=url, MessageBody="a")
    shapes = botowire.shapes()
    assert shapes[0] == shapes[1]
    assert shapes[2] != shapes[0]
    assert shapes[3] != shapes[0]
    assert shapes[4] != shapes[0]
    assert shapes[4]["headers"]["x-trace"] == "1"
    assert botowire.select("sqs.SendMessage").shapes() == shapes
    assert botowire.select("sqs.ListQueues").shapes() == []


def test_cbor_values_become_plain_data() -> None:
    cbor2 = pytest.importorskip("cbor2", reason="cbor2 is a test dependency")
    import datetime

    value = {"b": b"\x00\x01", "t": datetime.datetime(2026, 1, 2, tzinfo=datetime.timezone.utc),
             "n": [1, 2.5], "a": "x"}  # fmt: skip
    body = cbor2.dumps(value, datetime_as_timestamp=False)
    headers = Headers([("Content-Type", "application/cbor"), ("smithy-protocol", "rpc-v2-cbor")])
    request = CapturedRequest(
        service="cloudwatch",
        service_id="cloudwatch",
        operation="GetMetricData",
        method="POST",
        url="https://monitoring.us-east-1.amazonaws.com/service/X/operation/Y",
        headers=headers,
        snapshot=snapshot_body(body, headers, 1 << 20),
        params={},
        protocol="smithy-rpc-v2-cbor",
    )
    assert request.shape()["payload"] == {
        "a": "x",
        "b": {"base64": "AAE="},
        "n": [1, 2.5],
        "t": "2026-01-02T00:00:00+00:00",
    }


# --------------------------------------------------------------------------- syrupy

SNAPSHOT_TEST = """
import os, boto3

def test_it(botowire, snapshot):
    keys = dict(region_name="us-east-1", aws_access_key_id="AKIDEXAMPLE",
                aws_secret_access_key="not-a-real-secret")
    boto3.client("dynamodb", **keys).transact_write_items(
        TransactItems=[{"Put": {"TableName": os.environ.get("BW_TABLE", "orders"),
                                "Item": {"k": {"S": "v"}}}}]
    )
    boto3.client("ec2", **keys).run_instances(ImageId="ami-1", MinCount=1, MaxCount=1)
    assert botowire.shapes() == snapshot
"""


@pytest.mark.parametrize("xdist", [[], ["-n", "2"]], ids=["serial", "xdist"])
def test_shapes_work_with_syrupy_snapshots(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, xdist: list[str]
) -> None:
    pytest.importorskip("syrupy", reason="syrupy is in the test extra")
    pytester.makepyfile(test_snap=SNAPSHOT_TEST)
    created = pytester.runpytest_subprocess("-p", "no:cacheprovider", "--snapshot-update")
    created.assert_outcomes(passed=1)
    snapshots = list((pytester.path / "__snapshots__").glob("*.ambr"))
    assert len(snapshots) == 1
    text = snapshots[0].read_text("utf-8")
    assert "'ClientRequestToken': '<generated by botocore>'" in text
    assert "'ClientToken': '<generated by botocore>'" in text
    assert "authorization" not in text.lower()
    # a new run signs at another time with new invocation ids and tokens: the snapshot holds
    again = pytester.runpytest_subprocess("-p", "no:cacheprovider", *xdist)
    again.assert_outcomes(passed=1)
    # the code sends something else: the snapshot fails and shows where
    monkeypatch.setenv("BW_TABLE", "invoices")
    changed = pytester.runpytest_subprocess("-p", "no:cacheprovider", *xdist)
    changed.assert_outcomes(failed=1)
    changed.stdout.fnmatch_lines(["*'TableName': 'invoices'*"])
