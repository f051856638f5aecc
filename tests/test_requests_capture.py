"""AWS requests sent with the ``requests`` library join the ``botowire`` sequence.

SigV4-signed calls (API Gateway with IAM auth, OpenSearch) and pre-signed S3 URLs used with
``requests`` are captured, answered offline, let through in passthrough mode; requests to other
hosts are untouched.
"""

from __future__ import annotations

import io
import json
from typing import Any

import boto3
import pytest
import requests
import responses
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials
from local_server import RecordingServer

from pytest_botowire.integrations.requests import _Seen, describe

API = "https://abc123.execute-api.us-east-1.amazonaws.com/prod/items"
SEARCH = "https://search-logs-abc.us-east-1.es.amazonaws.com/logs/_doc/1"
SECRET = "requests-capture-secret-key-0000000000"
CREDENTIALS = Credentials("AKIDREQUESTSEXAMPLE", SECRET, "session-token-value-0000")

# Generated while no test captures: its operation has to be inferred from the URL. (Its own
# Session: creating boto3's default session at import would keep moto's responder out of it.)
_S3 = boto3.Session().client(
    "s3",
    region_name="eu-west-1",
    aws_access_key_id="AKIDMODULELEVEL00000",
    aws_secret_access_key=SECRET,
    config=Config(signature_version="s3v4", s3={"addressing_style": "virtual"}),
)
PRESIGNED_AT_IMPORT = _S3.generate_presigned_url(
    "get_object", Params={"Bucket": "reports", "Key": "2026/11/summary.csv"}
)


def sigv4_headers(
    method: str, url: str, body: bytes, service: str, credentials: Credentials = CREDENTIALS
) -> dict[str, str]:
    """What code that signs with botocore's ``SigV4Auth`` and sends with requests does."""
    request = AWSRequest(
        method=method, url=url, data=body, headers={"Content-Type": "application/json"}
    )
    SigV4Auth(credentials, service, "us-east-1").add_auth(request)
    return dict(request.headers.items())


# ------------------------------------------------------------------ SigV4-signed requests


def test_a_sigv4_signed_post_to_api_gateway_is_captured_and_answered_offline(
    botowire: Any,
) -> None:
    body = json.dumps({"item": "lamp", "quantity": 2}).encode()
    headers = sigv4_headers("POST", API, body, "execute-api")

    reply = requests.post(API, data=body, headers=headers, timeout=5)

    assert (reply.status_code, reply.content) == (200, b"")
    (request,) = botowire
    assert (request.service, request.operation, request.name) == (
        "execute-api",
        "POST",
        "execute-api.POST",
    )
    assert (request.method, request.url) == ("POST", API)
    assert request.body == body
    assert request.size == len(body)
    assert request.payload == {"item": "lamp", "quantity": 2}
    assert (request.region, request.signing_name) == ("us-east-1", "execute-api")
    assert request.headers["Authorization"] == headers["Authorization"]
    assert request.headers["X-Amz-Security-Token"] == "session-token-value-0000"
    assert (request.answered_by, request.status, request.params) == ("botowire", 200, None)
    botowire.select("execute-api.POST").assert_called(times=1)
    botowire.select("execute-api").assert_header("Content-Type", "application/json")
    botowire.select("execute-api.GET").assert_not_called()


def test_an_opensearch_request_is_named_by_its_signing_name_and_method(botowire: Any) -> None:
    body = b'{"message": "hello"}'
    requests.put(SEARCH, data=body, headers=sigv4_headers("PUT", SEARCH, body, "es"), timeout=5)
    (request,) = botowire.select("es.PUT")
    assert request.signing_name == "es"
    assert request.content == body


def test_secrets_of_a_signed_request_never_appear_in_failure_output(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the inner test reads the secrets from the environment, so its source shows neither
    monkeypatch.setenv("INNER_SECRET", SECRET)
    monkeypatch.setenv("INNER_TOKEN", "the-session-token")
    pytester.makepyfile(
        f"""
        import os, pytest, requests
        from botocore.auth import SigV4Auth
        from botocore.awsrequest import AWSRequest
        from botocore.credentials import Credentials

        def test_wrong_header(botowire):
            url = {API!r}
            request = AWSRequest(method="POST", url=url, data=b"{{}}")
            credentials = Credentials("AKIDX", os.environ["INNER_SECRET"], os.environ["INNER_TOKEN"])
            SigV4Auth(credentials, "execute-api", "us-east-1").add_auth(request)
            requests.post(url, data=b"{{}}", headers=dict(request.headers.items()))
            pytest.signature = request.headers["Authorization"].rsplit("=", 1)[1]
            print(repr(botowire[0]), repr(botowire[0].headers))
            botowire.assert_header("Authorization", "AWS4-HMAC-SHA256 something else")
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    output = result.stdout.str()
    signature = pytest.signature  # type: ignore[attr-defined]
    assert len(signature) == 64
    assert signature not in output
    assert SECRET not in output
    assert "the-session-token" not in output
    result.stdout.fnmatch_lines(
        [
            "E*assert_header*Authorization*",
            "*execute-api.POST (attempt 1)*",
            "*Signature=<redacted>*",
        ]
    )


# ------------------------------------------------------------------ pre-signed S3 URLs


def test_presigned_s3_get_and_put_are_captured_with_their_operation_and_parameters(
    botowire: Any,
) -> None:
    s3 = boto3.client("s3", region_name="us-east-1", config=Config(signature_version="s3v4"))
    get_url = s3.generate_presigned_url("get_object", Params={"Bucket": "media", "Key": "a b.txt"})
    put_url = s3.generate_presigned_url(
        "put_object", Params={"Bucket": "media", "Key": "upload.bin", "ContentType": "image/png"}
    )
    assert len(botowire) == 0  # generating a URL sends nothing

    got = requests.get(get_url, timeout=5)
    put = requests.put(
        put_url, data=b"\x89PNG...", headers={"Content-Type": "image/png"}, timeout=5
    )

    assert got.status_code == put.status_code == 200
    assert put.headers["ETag"]  # the synthesized PutObject output: an ETag header
    get_request, put_request = botowire
    assert (get_request.name, get_request.params) == (
        "s3.GetObject",
        {"Bucket": "media", "Key": "a b.txt"},
    )
    assert put_request.name == "s3.PutObject"
    assert put_request.params == {
        "Bucket": "media",
        "Key": "upload.bin",
        "ContentType": "image/png",
    }
    assert put_request.body == b"\x89PNG..."
    assert (put_request.signing_name, put_request.region) == ("s3", "us-east-1")
    botowire.select("s3.PutObject").assert_header("Content-Type", "image/png")
    # the signature and credential are in the URL; every form shown to a person hides them
    signature = dict(p.split("=", 1) for p in put_url.split("?", 1)[1].split("&"))[
        "X-Amz-Signature"
    ]
    assert signature in put_request.url
    for shown in (repr(put_request), repr(list(botowire)), put_request.describe()):
        assert signature not in shown
    assert "X-Amz-Signature=<redacted>" in repr(put_request)
    with pytest.raises(AssertionError) as failed:
        botowire.select("s3.PutObject").assert_header("Content-Type", "text/plain")
    assert signature not in str(failed.value)


def test_a_sigv2_presigned_url_is_captured_and_its_signature_redacted(botowire: Any) -> None:
    s3 = boto3.client("s3", region_name="us-east-1")  # us-east-1 presigns with SigV2
    url = s3.generate_presigned_url("head_object", Params={"Bucket": "b", "Key": "k"})
    assert "Signature=" in url
    assert "X-Amz-Signature" not in url
    requests.head(url, timeout=5)
    (request,) = botowire.select("s3.HeadObject")
    assert "Signature=<redacted>" in repr(request)
    assert request.url.split("Signature=")[1].split("&")[0] not in repr(request)


def test_a_url_presigned_before_the_test_is_named_from_its_method_path_and_scope(
    botowire: Any,
) -> None:
    reply = requests.get(PRESIGNED_AT_IMPORT, timeout=5)
    assert reply.status_code == 200
    (request,) = botowire
    assert request.name == "s3.GetObject"
    assert request.params is None  # not seen: the URL was generated before capture began
    assert (request.region, request.signing_name) == ("eu-west-1", "s3")
    assert "reports.s3.eu-west-1.amazonaws.com" in request.url


def test_respond_answers_a_presigned_download(botowire: Any) -> None:
    botowire.respond("s3.GetObject", {"Body": b"col1,col2\n1,2\n", "ContentType": "text/csv"})
    s3 = boto3.client("s3", region_name="us-east-1")
    url = s3.generate_presigned_url("get_object", Params={"Bucket": "b", "Key": "data.csv"})
    reply = requests.get(url, timeout=5)
    assert reply.content == b"col1,col2\n1,2\n"
    assert reply.headers["Content-Type"] == "text/csv"


@pytest.mark.parametrize(
    ("method", "url", "headers", "expected"),
    [
        ("GET", "https://bucket.s3.amazonaws.com/dir/key.txt", {}, "s3.GetObject"),
        ("PUT", "https://s3.us-west-2.amazonaws.com/bucket/key.txt", {}, "s3.PutObject"),
        ("HEAD", "https://my.dotted.bucket.s3.amazonaws.com/k", {}, "s3.HeadObject"),
        ("DELETE", "https://bucket.s3.amazonaws.com/k", {}, "s3.DeleteObject"),
        ("POST", "https://bucket.s3.amazonaws.com/k?uploads", {}, "s3.CreateMultipartUpload"),
        (
            "PUT",
            "https://bucket.s3.amazonaws.com/k?partNumber=2&uploadId=u",
            {},
            "s3.UploadPart",
        ),
        ("POST", "https://bucket.s3.amazonaws.com/k?uploadId=u", {}, "s3.CompleteMultipartUpload"),
        (
            "PUT",
            "https://bucket.s3.amazonaws.com/k",
            {"x-amz-copy-source": "other/k"},
            "s3.CopyObject",
        ),
        ("GET", "https://bucket.s3.amazonaws.com/?list-type=2", {}, "s3.ListObjectsV2"),
        ("GET", "https://bucket.s3.amazonaws.com/", {}, "s3.ListObjects"),
        ("GET", "https://s3.amazonaws.com/", {}, "s3.ListBuckets"),
        ("GET", "https://bucket.s3.amazonaws.com/k?acl", {}, "s3.GetObjectAcl"),
        (
            "POST",
            "https://sqs.us-east-1.amazonaws.com/",
            {"X-Amz-Target": "AmazonSQS.SendMessage"},
            "sqs.SendMessage",
        ),
        ("GET", "https://sts.amazonaws.com/?Action=GetCallerIdentity", {}, "sts.GetCallerIdentity"),
        ("GET", "https://x.lambda-url.us-east-1.on.aws/path", {}, "lambda.GET"),
        ("GET", "https://checkip.amazonaws.com/", {}, "unknown.GET"),
    ],
)
def test_the_operation_is_inferred_from_what_the_request_shows(
    method: str, url: str, headers: dict[str, str], expected: str
) -> None:
    described = describe(method, url, headers, None, _Seen())
    assert f"{described.service}.{described.operation}" == expected


def test_a_form_encoded_query_request_names_its_action(botowire: Any) -> None:
    url = "https://monitoring.us-east-1.amazonaws.com/"
    body = b"Action=ListDashboards&Version=2010-08-01"
    requests.post(
        url, data=body, headers={"Content-Type": "application/x-www-form-urlencoded"}, timeout=5
    )
    (request,) = botowire
    assert request.name == "cloudwatch.ListDashboards"
    assert request.payload == {"Action": "ListDashboards", "Version": "2010-08-01"}


# ------------------------------------------------------------------ hosts that are not AWS


def test_requests_to_other_hosts_are_untouched(botowire: Any) -> None:
    with RecordingServer(body=b"local answer", headers={"Content-Type": "text/plain"}) as server:
        reply = requests.post(f"{server.url}/hook", data=b"not for AWS", timeout=5)
    assert reply.content == b"local answer"
    assert [(r.method, r.path, r.body) for r in server.received] == [
        ("POST", "/hook", b"not for AWS")
    ]
    assert len(botowire) == 0


def test_the_endpoint_host_of_a_client_of_the_test_counts_as_aws(botowire: Any) -> None:
    with RecordingServer() as server:
        s3 = boto3.client("s3", region_name="us-east-1", endpoint_url=server.url)
        url = s3.generate_presigned_url("get_object", Params={"Bucket": "b", "Key": "k"})
        reply = requests.get(url, timeout=5)
    assert reply.status_code == 200
    assert server.received == []  # offline: answered by botowire, not sent
    (request,) = botowire
    assert (request.name, request.answered_by) == ("s3.GetObject", "botowire")


def _hosts_test(url: str, marker: str, body: str) -> str:
    return f"""
import io, pytest, requests
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

{marker}
def test_it(botowire):
    url = {url!r} + "/prod/orders"
    payload = b'{{"order": 42}}' * 50
    request = AWSRequest(method="POST", url=url, data=payload, headers={{"Content-Type": "application/json"}})
    SigV4Auth(Credentials("AKIDX", "secret"), "execute-api", "us-east-1").add_auth(request)
    reply = requests.post(url, data=io.BytesIO(payload), headers=dict(request.headers.items()), timeout=5)
{body}
"""


def test_passthrough_sends_a_configured_host_what_was_captured_byte_for_byte(
    pytester: pytest.Pytester,
) -> None:
    with RecordingServer(
        body=b'{"ok": true}', headers={"Content-Type": "application/json"}
    ) as server:
        host = server.url.split("://", 1)[1]
        pytester.makeini(f"[pytest]\nbotowire_hosts =\n    example.internal\n    {host}\n")
        pytester.makepyfile(
            _hosts_test(
                server.url,
                "@pytest.mark.botowire(mode='passthrough')",
                "    assert reply.json() == {'ok': True}\n"
                "    (captured,) = botowire.select('execute-api.POST')\n"
                "    assert (captured.answered_by, captured.status) == ('network', 200)\n"
                "    pytest.sent = captured.body, dict(captured.headers)",
            )
        )
        pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)
    (received,) = server.received
    body, headers = pytest.sent  # type: ignore[attr-defined]
    assert received.body == body == b'{"order": 42}' * 50
    assert received.headers["Authorization"] == headers["Authorization"]
    assert received.headers["X-Amz-Date"] == headers["X-Amz-Date"]


def test_offline_answers_a_configured_host_without_sending(pytester: pytest.Pytester) -> None:
    with RecordingServer() as server:
        pytester.makeini("[pytest]\nbotowire_hosts = 127.0.0.1:*\n")
        pytester.makepyfile(
            _hosts_test(
                server.url,
                "",
                "    assert reply.status_code == 200\n"
                "    assert botowire[0].answered_by == 'botowire'",
            )
        )
        pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)
    assert server.received == []


def test_strict_mode_fails_on_an_unanswered_requests_call(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        f"""
        import pytest, requests

        @pytest.mark.botowire(mode="strict")
        def test_it(botowire):
            reply = requests.get({API!r}, timeout=5)
            assert reply.status_code == 400
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        ["botowire strict mode: 1 request answered by nothing", "  - execute-api.GET (attempt 1)*"]
    )


# ------------------------------------------------------------------ other requests mocks


def test_a_responses_mock_of_the_test_answers_and_the_request_is_still_captured(
    botowire: Any,
) -> None:
    with responses.RequestsMock() as mock:
        mock.add(responses.POST, API, json={"id": "order-1"}, status=201)
        reply = requests.post(API, json={"order": 1}, timeout=5)
    assert (reply.status_code, reply.json()) == (201, {"id": "order-1"})
    (request,) = botowire
    assert (request.name, request.status, request.answered_by) == ("execute-api.POST", 201, "other")


@pytest.fixture
def _aws_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(name, "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")


@pytest.fixture
def _moto_first(_aws_env: None) -> Any:
    from moto import mock_aws

    with mock_aws():
        yield


def _moto_on_top() -> bool:
    """Whether moto's requests mock sees a request before botowire's adapter layer."""
    from moto.core.models import responses_mock
    from requests.adapters import HTTPAdapter

    assert responses_mock._patcher is not None
    return bool(responses_mock._patcher.new is HTTPAdapter.send)


def _moto_round_trip(botowire: Any) -> None:
    s3 = boto3.client("s3", region_name="us-east-1")
    s3.create_bucket(Bucket="moto-bucket")
    put_url = s3.generate_presigned_url("put_object", Params={"Bucket": "moto-bucket", "Key": "k"})
    assert requests.put(put_url, data=b"stored by moto", timeout=5).status_code == 200
    get_url = s3.generate_presigned_url("get_object", Params={"Bucket": "moto-bucket", "Key": "k"})
    assert requests.get(get_url, timeout=5).content == b"stored by moto"
    assert s3.get_object(Bucket="moto-bucket", Key="k")["Body"].read() == b"stored by moto"
    via_requests = [r for r in botowire if "python-requests" in r.headers.get("User-Agent", "")]
    assert [(r.name, r.answered_by) for r in via_requests] == [
        ("s3.PutObject", "moto"),
        ("s3.GetObject", "moto"),
    ]
    assert via_requests[0].body == b"stored by moto"


@pytest.mark.usefixtures("_aws_env")
def test_moto_started_inside_the_test_answers_presigned_urls(botowire: Any) -> None:
    from moto import mock_aws

    with mock_aws():
        assert _moto_on_top()
        _moto_round_trip(botowire)


@pytest.mark.usefixtures("_moto_first")
def test_moto_started_before_the_fixture_answers_presigned_urls(botowire: Any) -> None:
    assert not _moto_on_top()
    _moto_round_trip(botowire)


# ------------------------------------------------------------------ clean-up


def test_the_patches_are_gone_after_the_test(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import requests, responses
        from requests.adapters import HTTPAdapter

        SEND, ADAPTER_SEND = requests.Session.send, HTTPAdapter.send

        def test_uses_the_fixture(botowire):
            assert requests.Session.send is not SEND
            assert HTTPAdapter.send is not ADAPTER_SEND

        def test_after(request):
            assert requests.Session.send is SEND
            assert HTTPAdapter.send is ADAPTER_SEND is responses._real_send
        """
    )
    pytester.runpytest("-p", "no:cacheprovider", "-p", "no:randomly").assert_outcomes(passed=2)


def test_a_file_body_is_left_where_it_was_and_sent_whole(botowire: Any) -> None:
    stream = io.BytesIO(b"0123456789" * 100)
    stream.seek(10)
    requests.put(
        "https://b.s3.amazonaws.com/k", data=stream, headers={"Content-Length": "990"}, timeout=5
    )
    (request,) = botowire
    assert request.body == (b"0123456789" * 100)[10:]
    assert request.name == "s3.PutObject"


def test_patterns_name_http_apis_by_signing_name_and_method(botowire: Any) -> None:
    requests.get(API, timeout=5)
    assert len(botowire.select("execute-api.GET")) == 1
    assert len(botowire.select(["execute-api.G*", "s3.GetObject"])) == 1
    assert len(botowire.select("*.GET")) == 1
    with pytest.raises(ValueError, match=r"named by their HTTP method, like 'execute-api\.POST'"):
        botowire.select("execute-api.Invoke")
    with pytest.raises(ValueError, match=r"did you mean 'execute-api'"):
        botowire.select("execute-apii.GET")
