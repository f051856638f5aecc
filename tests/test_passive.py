"""Passive capture changes nothing but limit verdicts.

A "third-party" suite (ordinary boto3 and moto tests that do odd but legal things, none of
which asks for botowire) is run without the plugin, with it loaded, and with
``--botowire-aws-limits``: every test must have the same outcome, except the one that sends
an over-limit message on purpose when the run checks limits.
"""

from __future__ import annotations

import re

import pytest

THIRD_PARTY_SUITE = """
import gzip
import json
import os
import threading

import boto3
import pytest
from botocore.awsrequest import AWSResponse
from botocore.exceptions import ClientError
from botocore.stub import Stubber
from moto import mock_aws


class Raw:
    def stream(self, **kwargs):
        yield b"{}"


@pytest.fixture(autouse=True)
def env(monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)


@mock_aws
def test_gzip_metadata_over_plain_bytes():
    # what s3fs's test_append does: ContentEncoding is metadata S3 stores, not a coding
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket="bucket")
    for key, extra in (("a", {}), ("b", {"ChecksumAlgorithm": "CRC32"})):
        s3.put_object(Bucket="bucket", Key=key, Body=b"plain", ContentEncoding="gzip", **extra)
        got = s3.get_object(Bucket="bucket", Key=key)
        assert got["Body"].read() == b"plain"
    part = s3.create_multipart_upload(Bucket="bucket", Key="m", ContentEncoding="gzip")
    s3.abort_multipart_upload(Bucket="bucket", Key="m", UploadId=part["UploadId"])


@mock_aws
def test_a_thread_sends_too():
    sqs = boto3.client("sqs")
    url = sqs.create_queue(QueueName="q")["QueueUrl"]
    threads = [
        threading.Thread(target=sqs.send_message, kwargs={"QueueUrl": url, "MessageBody": str(i)})
        for i in range(4)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert attributes["ApproximateNumberOfMessages"] == "4"


def test_a_handler_answers_a_request_labelled_gzip_over_plain_bytes():
    # a user's own responder: it never decodes, so the label is harmless here
    client = boto3.client("dynamodb")

    def label(request, **kwargs):
        request.headers["Content-Encoding"] = "gzip"

    def answer(request, **kwargs):
        return AWSResponse(request.url, 200, {}, Raw())

    client.meta.events.register("before-sign.dynamodb.ListTables", label)
    client.meta.events.register("before-send.dynamodb.ListTables", answer)
    assert client.list_tables()["ResponseMetadata"]["HTTPStatusCode"] == 200


def test_a_handler_gzips_what_it_sends():
    client = boto3.client("logs")
    seen = []

    def squeeze(request, **kwargs):
        request.data = gzip.compress(request.body)
        request.headers["Content-Encoding"] = "gzip"

    def answer(request, **kwargs):
        seen.append(gzip.decompress(request.body))
        return AWSResponse(request.url, 200, {}, Raw())

    client.meta.events.register("before-sign.cloudwatch-logs.CreateLogGroup", squeeze)
    client.meta.events.register("before-send.cloudwatch-logs.CreateLogGroup", answer)
    client.create_log_group(logGroupName="g")
    assert json.loads(seen[0]) == {"logGroupName": "g"}


def test_a_stubber():
    s3 = boto3.client("s3")
    with Stubber(s3) as stubber:
        stubber.add_response("list_buckets", {"Buckets": []})
        stubber.add_client_error("head_bucket", "404", http_status_code=404)
        assert s3.list_buckets()["Buckets"] == []
        with pytest.raises(ClientError):
            s3.head_bucket(Bucket="missing")


@mock_aws
def test_a_client_error_expected():
    s3 = boto3.client("s3")
    with pytest.raises(ClientError, match="NoSuchBucket"):
        s3.get_object(Bucket="missing", Key="k")


@mock_aws
def test_a_client_error_not_caught():
    boto3.client("s3").get_object(Bucket="missing", Key="k")  # fails, on purpose


@mock_aws
def test_an_upload_reports_its_progress(tmp_path):
    path = tmp_path / "f.bin"
    path.write_bytes(os.urandom(300_000))
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket="bucket")
    seen = []
    s3.upload_file(str(path), "bucket", "f", Callback=seen.append)
    assert sum(seen) == 300_000


@mock_aws
def test_an_over_limit_message_on_purpose():
    sqs = boto3.client("sqs")
    url = sqs.create_queue(QueueName="big")["QueueUrl"]
    with pytest.raises(ClientError):  # moto rejects it, as SQS would
        sqs.send_message(QueueUrl=url, MessageBody="x" * (1024 * 1024 + 1))
"""

_OUTCOME = re.compile(r"^(\S+::\S+) (PASSED|FAILED|ERROR|SKIPPED|XFAIL|XPASS)")


def outcomes(result: pytest.RunResult) -> dict[str, str]:
    found: dict[str, str] = {}
    for line in result.outlines:
        match = _OUTCOME.match(line)
        if match:
            found[match.group(1).split("::")[1]] = match.group(2)
    return found


def test_a_third_party_suite_passes_and_fails_as_without_the_plugin(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(test_third_party=THIRD_PARTY_SUITE)
    results = {
        name: pytester.runpytest("-p", "no:cacheprovider", "-v", *args)
        for name, args in {
            "without": ("-p", "no:botowire"),
            "loaded": (),
            "aws-limits": ("--botowire-aws-limits",),
        }.items()
    }
    runs = {name: outcomes(result) for name, result in results.items()}
    without = runs["without"]
    assert len(without) == 9
    assert without["test_a_client_error_not_caught"] == "FAILED"
    assert list(without.values()).count("FAILED") == 1
    assert runs["loaded"] == without
    over = "test_an_over_limit_message_on_purpose"
    assert runs["aws-limits"] == {**without, over: "FAILED"}
    limited = results["aws-limits"]
    limited.stdout.fnmatch_lines(["botowire limits: 1 of 2 requests is over a limit"])
    limited.stdout.no_fnmatch_line("*contradicts its own headers*")
