"""Credentials never appear in pytest's output, the terminal summary or the JSON report.

An inner suite signs with temporary credentials (a session token), sends pre-signed URLs with
``requests`` and puts one in an API parameter, then fails on purpose in every way the plugin
reports: assertion messages, ``repr``s shown by pytest's assertion rewriting and by
``--showlocals``, strict mode, ``assert_signed``, the terminal summary and the JSON report. Every
signature the inner tests saw is collected; none of them, nor the secret key or the session
token, may appear anywhere in what the run wrote.
"""

from __future__ import annotations

import json
import secrets
from typing import Any

import boto3
import pytest
import requests  # imported before the in-process run, which would drop modules it imported
from botocore.config import Config

INNER = """
import re
from urllib.parse import parse_qsl, urlsplit

import boto3
import pytest
import requests
from botocore.config import Config

SEEN = pytest.botowire_security_seen
QUEUE = "https://sqs.us-east-1.amazonaws.com/123456789012/secure"
# A new boto3 Session each time: boto3's default session keeps the credentials it resolved first.


def remember_url(url):
    for key, value in parse_qsl(urlsplit(url).query):
        if key in ("X-Amz-Signature", "X-Amz-Security-Token"):
            SEEN.append(value)


@pytest.fixture
def wire(botowire):
    yield botowire
    for request in botowire:  # every secret that went out, for the outer test to look for
        match = re.search(r"Signature=([0-9a-f]+)", request.headers.get("Authorization", ""))
        if match:
            SEEN.append(match.group(1))
        if "X-Amz-Security-Token" in request.headers:
            SEEN.append(request.headers["X-Amz-Security-Token"])
        remember_url(request.url)


def presigned(method, version=None):
    config = Config(signature_version=version) if version else None
    s3 = boto3.Session().client("s3", region_name="us-east-1", config=config)
    url = s3.generate_presigned_url(method, Params={"Bucket": "secure-bucket", "Key": "k"})
    remember_url(url)
    return url


def send():
    boto3.Session().client("sqs", region_name="us-east-1").send_message(QueueUrl=QUEUE, MessageBody="m")


def test_authorization_value(wire):
    send()
    request = wire[0]
    headers = request.headers
    wire.assert_header("Authorization", "AWS4-HMAC-SHA256 nothing like it")


def test_authorization_regex(wire):
    send()
    wire.assert_header("Authorization", re.compile("^nothing"))


def test_session_token_value(wire):
    send()
    wire.assert_header("X-Amz-Security-Token", "not the token")


def test_session_token_must_be_absent(wire):
    send()
    wire.select("sqs").assert_no_header("X-Amz-Security-Token")


def test_presigned_urls_sent_with_requests(wire):
    requests.get(presigned("get_object"), timeout=5)
    requests.put(presigned("put_object", "s3v4"), data=b"uploaded", timeout=5)
    send()
    print(wire[0], wire[0].headers, wire)
    assert wire[-1] is None


def test_presigned_url_in_a_parameter(wire):
    boto3.Session().client("sqs", region_name="us-east-1").send_message(
        QueueUrl=QUEUE, MessageBody=presigned("get_object")
    )
    wire.assert_params(MessageBody="something else")


def test_sequences_and_headers_in_assertion_rewriting(wire):
    requests.get(presigned("get_object"), timeout=5)
    send()
    assert wire[1].headers == {"Authorization": "AWS4-HMAC-SHA256 Signature=0"}


def test_sequence_comparison(wire):
    requests.get(presigned("get_object"), timeout=5)
    send()
    assert list(wire) == []


@pytest.mark.botowire(mode="strict")
def test_strict_mode(wire):
    requests.get(presigned("get_object"), timeout=5)
    boto3.Session().client("sqs", region_name="us-east-1").list_queues()


def test_assert_signed(wire):
    sqs = boto3.Session().client("sqs", region_name="us-east-1")

    def tamper(request, **_):
        request.data = request.body + b" "

    sqs.meta.events.register_last("request-created", tamper)
    sqs.send_message(QueueUrl=QUEUE, MessageBody="m")
    wire.assert_signed()
"""


def test_no_secret_in_output_summary_or_report(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret_key = "SECRET" + secrets.token_hex(20)
    session_token = "TOKEN" + secrets.token_urlsafe(120)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "ASIATEMPORARYKEY0001")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", secret_key)
    monkeypatch.setenv("AWS_SESSION_TOKEN", session_token)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    seen: list[str] = []
    monkeypatch.setattr(pytest, "botowire_security_seen", seen, raising=False)
    pytester.makepyfile(test_inner=INNER)

    result = pytester.runpytest(
        "-p",
        "no:cacheprovider",
        "-vv",
        "--showlocals",
        "-rA",
        "--tb=long",
        "--botowire-report=report.json",
    )
    result.assert_outcomes(failed=10)
    output = result.stdout.str() + result.stderr.str()
    report_text = (pytester.path / "report.json").read_text()
    report = json.loads(report_text)

    # The run really showed what the plugin had to redact...
    assert output.count("<redacted>") >= 5
    result.stdout.fnmatch_lines(
        [
            "*assert_header: 1 of 1 request (all captured requests) is missing header "
            "Authorization: 'AWS4-HMAC-SHA256 <redacted>'",
            "*Authorization: 'AWS4-HMAC-SHA256 Credential=ASIATEMPORARYKEY0001/*, "
            "Signature=<redacted>' != 'AWS4-HMAC-SHA256 <redacted>'",
            "*X-Amz-Security-Token: '<redacted>' != '<redacted>'",
        ]
    )
    result.stdout.fnmatch_lines(
        ["*k?AWSAccessKeyId=*&Signature=<redacted>&x-amz-security-token=<redacted>&*"]
    )
    result.stdout.fnmatch_lines(["*Headers compared (secret values redacted):*"])
    result.stdout.fnmatch_lines(["*botowire strict mode: 2 requests answered by nothing*"])
    result.stdout.fnmatch_lines(["*assert_signed: 1 of 1 request*"])
    assert "headers    = Headers({" in output  # --showlocals printed them
    assert report_text.count("sqs.SendMessage") > 0
    assert report

    # ...and no secret it saw is anywhere.
    signatures = {s for s in seen if s != session_token}
    assert len(seen) >= 20  # identical requests in the same second share a signature
    assert len(signatures) >= 4
    assert session_token in seen
    for secret in [secret_key, session_token, *signatures]:
        assert secret not in output, f"a secret of {len(secret)} characters is in pytest's output"
        assert secret not in report_text, "a secret is in the JSON report"
    for fragment in (secret_key[6:], session_token[5:40]):
        assert fragment not in output
        assert fragment not in report_text


def test_reprs_of_the_model_redact(monkeypatch: pytest.MonkeyPatch, botowire: Any) -> None:
    """Direct: repr of a request, its headers and the wire, for a session-token request."""
    token = "TOKEN" + secrets.token_hex(40)
    secret_key = "SECRET" + secrets.token_hex(20)
    sqs = boto3.client(
        "sqs",
        region_name="us-east-1",
        aws_access_key_id="ASIATEMPORARYKEY0002",
        aws_secret_access_key=secret_key,
        aws_session_token=token,
    )
    sqs.send_message(QueueUrl="https://sqs.us-east-1.amazonaws.com/1/q", MessageBody="m")
    s3 = boto3.client(
        "s3",
        config=Config(signature_version="s3v4"),
        region_name="us-east-1",
        aws_access_key_id="ASIATEMPORARYKEY0002",
        aws_secret_access_key=secret_key,
        aws_session_token=token,
    )
    url = s3.generate_presigned_url("get_object", Params={"Bucket": "secure-bucket", "Key": "k"})
    requests.get(url, timeout=5)
    signature = botowire[0].headers["Authorization"].rsplit("Signature=", 1)[1]
    url_signature = url.rsplit("X-Amz-Signature=", 1)[1].split("&")[0]
    shown = " ".join(
        [repr(botowire), *(repr(r) for r in botowire), *(repr(r.headers) for r in botowire)]
        + [r.describe() for r in botowire]
    )
    assert "secure-bucket" in shown
    for secret in (token, secret_key, signature, url_signature):
        assert secret not in shown
