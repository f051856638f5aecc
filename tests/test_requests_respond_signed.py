"""AWS traffic sent with ``requests`` is answered and checked like botocore's.

``respond`` answers APIs with no botocore model (API Gateway, Lambda function URLs, OpenSearch)
named by signing name and method; ``assert_signed`` checks ``requests`` + ``SigV4Auth`` with the
credentials the signer used (or a default session's, said so); default-client pre-signed S3 URLs
carry their parameters.
"""

from __future__ import annotations

# Imported here, before pytester's inline runs snapshot sys.modules: a module first imported
# inside one inline run is dropped after it, and requests' cookie classes would then differ
# between runs.
import boto3  # noqa: F401
import botocore.auth  # noqa: F401
import pytest
import requests  # noqa: F401
import responses  # noqa: F401

COMMON = """
import json, os

import boto3
import pytest
import requests
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

API = "https://abc123.execute-api.us-east-1.amazonaws.com/prod/items"
FUNCTION_URL = "https://abcdefghijklmnop.lambda-url.us-east-1.on.aws/run"
SIGNER = Credentials("AKIDSIGNEREXAMPLE", "signer-secret-key-000000000000000000000")


def signed(url, body, service="execute-api", credentials=SIGNER):
    request = AWSRequest(method="POST", url=url, data=body, headers={"Content-Type": "application/json"})
    SigV4Auth(credentials, service, "us-east-1").add_auth(request)
    return dict(request.headers.items())
"""


def test_respond_answers_apis_with_no_botocore_model(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        COMMON
        + """
def test_json_bytes_and_errors(botowire):
    botowire.respond("execute-api.POST", {"id": 7, "tags": ["a"]}, status=201,
                     headers={"X-Trace": "t-1"}, times=1)
    botowire.respond("execute-api.POST", error="AccessDeniedException", status=403,
                     message="not allowed", times=1)
    botowire.respond("lambda.POST", b"\\x00raw", headers={"Content-Type": "image/png"})
    body = b'{"item": 1}'
    ok = requests.post(API, data=body, headers=signed(API, body), timeout=5)
    assert (ok.status_code, ok.json(), ok.headers["X-Trace"]) == (201, {"id": 7, "tags": ["a"]}, "t-1")
    denied = requests.post(API, data=body, headers=signed(API, body), timeout=5)
    assert denied.status_code == 403
    assert denied.json() == {"__type": "AccessDeniedException", "message": "not allowed"}
    assert denied.headers["x-amzn-ErrorType"] == "AccessDeniedException"
    raw = requests.post(FUNCTION_URL, data=body, headers=signed(FUNCTION_URL, body, "lambda"), timeout=5)
    assert (raw.status_code, raw.content, raw.headers["Content-Type"]) == (200, b"\\x00raw", "image/png")
    assert [r.name for r in botowire] == ["execute-api.POST", "execute-api.POST", "lambda.POST"]
    botowire.assert_signed()


def test_bad_bodies_are_refused_at_the_call(botowire):
    with pytest.raises(TypeError, match="JSON-able value"):
        botowire.respond("execute-api.GET", {"when": object()})
"""
    )
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=2)


def test_assert_signed_uses_the_signers_credentials(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        COMMON
        + """
def test_correctly_signed(botowire):
    body = b'{"q": 1}'
    requests.post(API, data=body, headers=signed(API, body), timeout=5)
    botowire.assert_signed()
    assert botowire[0].credentials.source == "signer"


def test_tampered(botowire):
    body = b'{"q": 1}'
    headers = signed(API, body)
    requests.post(API, data=b'{"q": 2}', headers=headers, timeout=5)
    botowire.assert_signed()
"""
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(
        [
            "*assert_signed: 1 of 1 request (*) is not validly signed*",
            "*execute-api.POST*",
            "*Hint: a request sent with requests must carry exactly what "
            "botocore.auth.SigV4Auth signed*",
        ]
    )
    result.stdout.no_fnmatch_line("*before-sign*")
    result.stdout.no_fnmatch_line("*were not seen*")


def test_assert_signed_falls_back_to_the_sessions_credentials(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        COMMON
        + """
os.environ["AWS_ACCESS_KEY_ID"] = "AKIDSESSIONEXAMPLE"
os.environ["AWS_SECRET_ACCESS_KEY"] = "session-secret-key-00000000000000000000"
# signed while no test captures: botowire never sees this signer
BODY = b'{"q": 1}'
HEADERS = signed(API, BODY, credentials=boto3.Session().get_credentials())


def test_session_signed(botowire):
    requests.post(API, data=BODY, headers=HEADERS, timeout=5)
    botowire.assert_signed()
    assert botowire[0].credentials.source == "session"


def test_session_tampered(botowire):
    requests.post(API, data=b"{}", headers=HEADERS, timeout=5)
    botowire.assert_signed()
"""
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(
        [
            "*checked with the credentials of a default botocore session*",
            "*Hint: botowire did not see the signer of this requests call*",
        ]
    )


def test_default_client_presigned_put_carries_its_params(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        COMMON
        + """
@pytest.mark.parametrize("region", ["us-east-1", "eu-central-1"])
def test_presigned(botowire, region):
    s3 = boto3.client("s3", region_name=region)
    params = {"Bucket": "media", "Key": "up.txt", "ContentType": "text/plain"}
    url = s3.generate_presigned_url("put_object", Params=params)
    requests.put(url, data=b"hi", headers={"Content-Type": "text/plain"}, timeout=5)
    (put,) = botowire
    assert (put.name, put.params) == ("s3.PutObject", params)
"""
    )
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=2)
