"""verify_sigv4 against requests signed by real botocore clients (fake credentials, offline)."""

from __future__ import annotations

import datetime
import io
from collections.abc import Callable
from typing import Any

import boto3
import botocore
import pytest
from botocore.config import Config
from botocore_features import HAS_AWS_CHUNKED, checksum_config, wire_bytes

from pytest_botowire.aws.serialize import serialize_error, serialize_response, to_aws_response
from pytest_botowire.aws.sigv4 import verify_sigv4
from pytest_botowire.features.gzip import gzip_request_body

SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
TOKEN = "FwoGZXIvYXdzEXAMPLE-session-token"


def make(
    service: str,
    token: str | None = None,
    config: Config | None = None,
    before_send: Callable[..., None] | None = None,
    **client_kwargs: Any,
) -> tuple[Any, list[Any], Any]:
    session = boto3.Session(
        aws_access_key_id="AKIDEXAMPLE",
        aws_secret_access_key=SECRET,
        aws_session_token=token,
        region_name="us-east-1",
    )
    client = session.client(service, config=config, **client_kwargs)
    sent: list[Any] = []
    if before_send is not None:
        client.meta.events.register(f"before-send.{service}", before_send)

    def capture(request: Any, event_name: str, **kwargs: Any) -> Any:
        sent.append(request)
        # a successful response in the protocol this botocore uses for the service
        operation = client.meta.service_model.operation_model(event_name.rsplit(".", 1)[-1])
        return to_aws_response(request.url, serialize_response(operation))

    client.meta.events.register("before-send", capture)
    return client, sent, session.get_credentials()


def check(prepared: Any, creds: Any, body: Any = "same", **kwargs: Any) -> str | None:
    if body == "same":
        body = prepared.body
    return verify_sigv4(prepared.method, prepared.url, prepared.headers, body, creds, **kwargs)


TOKENS = [None, TOKEN]


@pytest.mark.parametrize("token", TOKENS)
def test_json_protocol_dynamodb(token: str | None) -> None:
    client, sent, creds = make("dynamodb", token)
    client.put_item(TableName="table", Item={"k": {"S": "v"}})
    assert isinstance(sent[-1].body, bytes)
    assert check(sent[-1], creds) is None
    assert check(sent[-1], creds.get_frozen_credentials()) is None


@pytest.mark.parametrize("token", TOKENS)
def test_query_protocol_sts(token: str | None) -> None:
    client, sent, creds = make("sts", token)
    client.get_caller_identity()
    assert isinstance(sent[-1].body, str)  # query bodies arrive as str at before-send
    assert check(sent[-1], creds, region="us-east-1", service="sts") is None


@pytest.mark.parametrize("token", TOKENS)
def test_rest_xml_s3_streaming_upload(token: str | None) -> None:
    client, sent, creds = make("s3", token)
    client.put_object(Bucket="bucket", Key="dir/a key ü+.txt", Body=b"hello")
    prepared = sent[-1]
    if HAS_AWS_CHUNKED:
        # flexible checksums: the bytes body arrives at before-send as an aws-chunked stream
        assert not isinstance(prepared.body, bytes)
        assert prepared.headers["Content-Encoding"] == b"aws-chunked"
        assert prepared.headers["X-Amz-Content-SHA256"] == b"STREAMING-UNSIGNED-PAYLOAD-TRAILER"
    else:
        # before botocore 1.36 the upload is a plain body, its payload unsigned over https
        assert "Content-Encoding" not in prepared.headers
        assert prepared.headers["X-Amz-Content-SHA256"] == b"UNSIGNED-PAYLOAD"
    assert check(prepared, creds, body=None) is None


def test_rest_xml_s3_signed_payload_over_http() -> None:
    client, sent, creds = make(
        "s3",
        config=Config(**checksum_config()),
        endpoint_url="http://localhost:9000",
    )
    client.put_object(Bucket="bucket", Key="k", Body=b"hello")
    prepared = sent[-1]
    # botocore turns an S3 bytes Body into a file-like object; with checksums only "when
    # required" over http the payload is SHA-256 signed, so the bytes must be kept to verify
    assert isinstance(prepared.body, io.BytesIO)
    body = prepared.body.getvalue()
    assert body == b"hello"
    assert prepared.headers["X-Amz-Content-SHA256"] != b"UNSIGNED-PAYLOAD"
    assert check(prepared, creds, body=body) is None
    assert check(prepared, creds, body=b"HELLO") == (
        "payload hash header X-Amz-Content-Sha256 does not match the body"
    )
    assert "not kept" in (check(prepared, creds, body=None) or "")


def _metrics(n: int) -> list[dict[str, Any]]:
    ts = datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc)
    return [{"MetricName": f"m{i}", "Value": 1.0, "Timestamp": ts} for i in range(n)]


@pytest.mark.parametrize("token", TOKENS)
def test_cloudwatch_gzipped_at_before_sign_is_valid(token: str | None) -> None:
    client, sent, creds = make("cloudwatch", token)
    client.meta.events.register("before-sign.cloudwatch.PutMetricData", gzip_request_body)
    client.put_metric_data(Namespace="N", MetricData=_metrics(5))
    assert sent[-1].body[:2] == b"\x1f\x8b"
    assert check(sent[-1], creds) is None


MISMATCH = (
    "signature does not match the headers and body sent "
    "(the body or a signed header changed after signing)"
)


def test_body_changed_at_before_send_is_invalid() -> None:
    import gzip

    def late_gzip(request: Any, **kwargs: Any) -> None:
        # a prepared query-protocol body is still the form-encoded str at before-send
        request.body = gzip.compress(wire_bytes(request.body), mtime=0)

    client, sent, creds = make("cloudwatch", before_send=late_gzip)
    client.put_metric_data(Namespace="N", MetricData=_metrics(5))
    assert sent[-1].body[:2] == b"\x1f\x8b"
    assert check(sent[-1], creds) == MISMATCH


def test_signed_header_changed_after_signing_is_invalid() -> None:
    def retarget(request: Any, **kwargs: Any) -> None:
        request.headers["Content-Encoding"] = "gzip,gzip"

    client, sent, creds = make("cloudwatch", before_send=retarget)
    client.meta.events.register("before-sign.cloudwatch.PutMetricData", gzip_request_body)
    client.put_metric_data(Namespace="N", MetricData=_metrics(5))
    assert check(sent[-1], creds) == MISMATCH


@pytest.mark.parametrize(
    ("service", "header"),
    [
        ("cloudwatch", "Content-Type"),  # signed whatever protocol CloudWatch uses
        ("dynamodb", "X-Amz-Target"),  # an AWS JSON protocol header
    ],
)
def test_signed_header_removed_after_signing(service: str, header: str) -> None:
    def drop(request: Any, **kwargs: Any) -> None:
        del request.headers[header]

    client, sent, creds = make(service, before_send=drop)
    if service == "cloudwatch":
        client.put_metric_data(Namespace="N", MetricData=_metrics(1))
    else:
        client.list_tables()
    assert header not in sent[-1].headers
    assert check(sent[-1], creds) == (
        f"signed header {header.lower()!r} is missing from the request sent"
    )


def test_x_amz_header_added_after_signing() -> None:
    def add(request: Any, **kwargs: Any) -> None:
        request.headers["X-Amz-Meta-Late"] = "1"

    client, sent, creds = make("dynamodb", before_send=add)
    client.list_tables()
    assert check(sent[-1], creds) == (
        "header x-amz-meta-late was added after signing (not in SignedHeaders)"
    )


def test_unsigned_request() -> None:
    client, sent, creds = make("dynamodb", config=Config(signature_version=botocore.UNSIGNED))
    client.list_tables()
    assert check(sent[-1], creds) == "not signed (no Authorization header)"


def test_other_credentials_and_scope() -> None:
    client, sent, creds = make("dynamodb", token=TOKEN)
    client.list_tables()
    frozen = creds.get_frozen_credentials()
    assert check(sent[-1], frozen._replace(access_key="AKIDOTHER")) == (
        "signed with a different access key"
    )
    wrong_secret = frozen._replace(secret_key="x" * 40)
    assert check(sent[-1], wrong_secret) == MISMATCH
    other_token = frozen._replace(token="another-token")
    assert check(sent[-1], other_token) == "session token sent differs from the credentials' token"
    assert check(sent[-1], frozen, region="eu-west-1") == (
        "signed for region 'us-east-1', expected 'eu-west-1'"
    )
    assert check(sent[-1], frozen, service="sts") == (
        "signed for service 'dynamodb', expected 'sts'"
    )
    assert check(sent[-1], frozen, body=None) is not None


def test_reasons_never_leak_secrets() -> None:
    client, sent, creds = make("dynamodb", token=TOKEN)
    client.list_tables()
    prepared = sent[-1]
    signature = prepared.headers["Authorization"].decode().rsplit("Signature=", 1)[1]
    frozen = creds.get_frozen_credentials()
    reasons = [
        check(prepared, frozen, body=b"tampered"),
        check(prepared, frozen._replace(token="other")),
        check(prepared, frozen._replace(token=None)),
        check(prepared, frozen._replace(secret_key="zz")),
        check(prepared, frozen, body=None),
    ]
    for reason in reasons:
        assert reason is not None
        for secret in (SECRET, TOKEN, signature, "zz", "other"):
            assert secret not in reason


def test_headers_as_str_mapping_and_pairs() -> None:
    client, sent, creds = make("dynamodb")
    client.list_tables()
    prepared = sent[-1]
    as_str = {k: v.decode() if isinstance(v, bytes) else v for k, v in prepared.headers.items()}
    assert verify_sigv4(prepared.method, prepared.url, as_str, prepared.body, creds) is None
    pairs = list(as_str.items())
    assert verify_sigv4(prepared.method, prepared.url, pairs, prepared.body, creds) is None


@pytest.mark.parametrize("token", TOKENS)
def test_presigned_urls(token: str | None) -> None:
    client, _, creds = make("s3", token, config=Config(signature_version="s3v4"))
    url = client.generate_presigned_url("get_object", Params={"Bucket": "b", "Key": "a b/ü+x"})
    assert verify_sigv4("GET", url, {}, None, creds) is None
    assert verify_sigv4("GET", url.replace("a%20b", "a%20c"), {}, None, creds) == (
        "pre-signed URL signature does not match the request sent"
    )
    sts, _, creds = make("sts", token)
    url = sts.generate_presigned_url("get_caller_identity")
    # botocore signs STS pre-signed URLs with the operation's method, POST
    assert verify_sigv4("POST", url, {}, b"", creds) is None
    assert verify_sigv4("GET", url, {}, b"", creds) is not None


def test_sigv2_presigned_url_is_reported() -> None:
    client, _, creds = make("s3", config=Config(signature_version="s3"))
    url = client.generate_presigned_url("get_object", Params={"Bucket": "b", "Key": "k"})
    assert verify_sigv4("GET", url, {}, None, creds) == (
        "not signed with SigV4 (a SigV2 pre-signed URL)"
    )


def test_stream_body_accepted_when_unsigned_payload() -> None:
    client, sent, creds = make("s3")
    client.put_object(Bucket="b", Key="k", Body=io.BytesIO(b"stream data"))
    assert check(sent[-1], creds, body=None) is None


def test_retry_attempts_are_each_signed() -> None:
    attempts: list[Any] = []
    session = boto3.Session(
        aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key=SECRET, region_name="us-east-1"
    )
    client = session.client(
        "cloudwatch", config=Config(retries={"total_max_attempts": 2, "mode": "standard"})
    )
    client.meta.events.register("before-sign.cloudwatch.PutMetricData", gzip_request_body)

    operation = client.meta.service_model.operation_model("PutMetricData")

    def answer(request: Any, **kwargs: Any) -> Any:
        attempts.append(request)
        throttled = serialize_error(operation, "Throttling", "slow down", status=400)
        return to_aws_response(request.url, throttled)

    client.meta.events.register("before-send", answer)
    with pytest.raises(botocore.exceptions.ClientError) as info:
        client.put_metric_data(Namespace="N", MetricData=_metrics(3))
    assert info.value.response["Error"]["Code"] == "Throttling"
    assert len(attempts) == 2
    for prepared in attempts:
        assert prepared.body[:2] == b"\x1f\x8b"
        assert check(prepared, session.get_credentials()) is None


def test_naive_recipe_also_breaks_the_signature_over_the_native_threshold() -> None:
    import gzip

    def naive(request: Any, **kwargs: Any) -> None:
        request.data = gzip.compress(request.body)
        request.headers.add_header("Content-Encoding", "gzip")

    client, sent, creds = make("cloudwatch")
    client.meta.events.register("before-sign.cloudwatch.PutMetricData", naive)
    client.put_metric_data(Namespace="N", MetricData=_metrics(1))
    assert check(sent[-1], creds) is None  # under 10240 bytes: one layer, signature fine
    client.put_metric_data(Namespace="N", MetricData=_metrics(200))
    # botocore already set Content-Encoding: gzip; the second add_header is signed as
    # "gzip,gzip" but the prepared request keeps one "gzip" header: SignatureDoesNotMatch
    assert sent[-1].headers["Content-Encoding"] == b"gzip"
    assert check(sent[-1], creds) == MISMATCH
