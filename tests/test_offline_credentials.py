"""Offline mode works with every credential set-up users have, and never reaches the network.

Each inline test builds a real set-up (a config file with an assume-role profile, web-identity
variables, an SSO profile with a cached token, an S3 Express bucket, container credentials) and
calls AWS through a fresh ``boto3.Session``: the credential provider's own call (STS, SSO,
``CreateSession``) or HTTP fetch is answered offline with credentials that expire hours later.
"""

from __future__ import annotations

import pytest

COMMON = """
import datetime, hashlib, json, os, threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import boto3
import pytest


@pytest.fixture
def env(monkeypatch, tmp_path):
    for name in list(os.environ):
        if name.startswith("AWS_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    return tmp_path


def expires_late(credentials):
    frozen = credentials.get_frozen_credentials()
    assert frozen.access_key.startswith("ASIA")
    assert len(frozen.secret_key) == 40
    assert frozen.token
    expiry = getattr(credentials, "_expiry_time", None)
    if expiry is not None:
        left = expiry - datetime.datetime.now(datetime.timezone.utc)
        assert left > datetime.timedelta(hours=1), left
    return frozen
"""


@pytest.fixture
def credentials_tests(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makeconftest("")
    return pytester


def test_assume_role_profile(credentials_tests: pytest.Pytester) -> None:
    credentials_tests.makepyfile(
        COMMON
        + """
def test_it(botowire, env, monkeypatch):
    (env / "config").write_text(
        "[profile base]\\naws_access_key_id = AKIDBASE\\naws_secret_access_key = base\\n"
        "region = eu-west-1\\n"
        "[profile app]\\nrole_arn = arn:aws:iam::123456789012:role/app\\n"
        "source_profile = base\\nregion = eu-west-1\\n"
    )
    monkeypatch.setenv("AWS_PROFILE", "app")
    session = boto3.Session()
    sqs = session.client("sqs")
    sqs.send_message(QueueUrl="https://sqs.eu-west-1.amazonaws.com/1/q", MessageBody="hi")
    expires_late(session.get_credentials())
    assert len(botowire.select("sts.AssumeRole")) == 1
    (sent,) = botowire.select("sqs.SendMessage")
    assert sent.answered_by == "botowire"
    assert "ASIABOTOWIREEXAMPLE0" in sent.headers["Authorization"]
    # the AssumeRole call made inside SendMessage (the credential refresh) kept the outer
    # call's own record: its parameters and the credentials it was signed with
    assert sent.params == {"QueueUrl": "https://sqs.eu-west-1.amazonaws.com/1/q", "MessageBody": "hi"}
    sent.assert_signed()
"""
    )
    credentials_tests.runpytest().assert_outcomes(passed=1)


def test_web_identity_variables(credentials_tests: pytest.Pytester) -> None:
    credentials_tests.makepyfile(
        COMMON
        + """
def test_it(botowire, env, monkeypatch):
    (env / "token").write_text("eyJ.web.identity")
    monkeypatch.setenv("AWS_WEB_IDENTITY_TOKEN_FILE", str(env / "token"))
    monkeypatch.setenv("AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/web")
    monkeypatch.setenv("AWS_ROLE_SESSION_NAME", "ci")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    session = boto3.Session()
    session.client("sns").publish(TopicArn="arn:aws:sns:us-east-1:1:t", Message="m")
    expires_late(session.get_credentials())
    assert len(botowire.select("sts.AssumeRoleWithWebIdentity")) == 1
"""
    )
    credentials_tests.runpytest().assert_outcomes(passed=1)


def test_sso_profile_with_cached_token(
    credentials_tests: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    # botocore fixes its SSO cache directory from HOME when it is imported: a fresh process
    monkeypatch.setenv("HOME", str(credentials_tests.path))
    credentials_tests.makepyfile(
        COMMON
        + """
def test_it(botowire, env, monkeypatch):
    start = "https://example.awsapps.com/start"
    (env / "config").write_text(
        "[profile dev]\\nsso_start_url = " + start + "\\nsso_region = us-east-1\\n"
        "sso_account_id = 123456789012\\nsso_role_name = Dev\\nregion = us-east-1\\n"
    )
    from pathlib import Path

    from botocore.credentials import SSOProvider

    cache = Path(SSOProvider._SSO_TOKEN_CACHE_DIR)  # under the HOME this process started with
    cache.mkdir(parents=True)
    later = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=4)
    (cache / (hashlib.sha1(start.encode()).hexdigest() + ".json")).write_text(json.dumps({
        "startUrl": start, "region": "us-east-1", "accessToken": "cached-token",
        "expiresAt": later.strftime("%Y-%m-%dT%H:%M:%SZ"),
    }))
    monkeypatch.setenv("AWS_PROFILE", "dev")
    session = boto3.Session()
    session.client("dynamodb").describe_table(TableName="table")
    expires_late(session.get_credentials())
    assert len(botowire.select("sso.GetRoleCredentials")) == 1
"""
    )
    credentials_tests.runpytest_subprocess().assert_outcomes(passed=1)


def test_s3_express_bucket(credentials_tests: pytest.Pytester) -> None:
    credentials_tests.makepyfile(
        COMMON
        + """
def test_it(botowire, env, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "secret")
    s3 = boto3.Session(region_name="us-west-2").client("s3")
    s3.put_object(Bucket="name--usw2-az1--x-s3", Key="k", Body=b"data")
    s3.put_object(Bucket="name--usw2-az1--x-s3", Key="k2", Body=b"data")
    assert len(botowire.select("s3.CreateSession")) == 1
    puts = botowire.select("s3.PutObject")
    assert len(puts) == 2
    assert all("x-amz-s3session-token" in r.headers for r in puts)
"""
    )
    credentials_tests.runpytest().assert_outcomes(passed=1)


def test_container_credentials_never_reach_the_endpoint(
    credentials_tests: pytest.Pytester,
) -> None:
    credentials_tests.makepyfile(
        COMMON
        + """
HITS = []


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        HITS.append(self.path)
        self.send_response(500)
        self.end_headers()


def test_it(botowire, env, monkeypatch):
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = "http://127.0.0.1:%d/creds" % server.server_address[1]
        monkeypatch.setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", url)
        monkeypatch.setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN", "tok")
        monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
        session = boto3.Session()
        session.client("sqs").list_queues()
        frozen = expires_late(session.get_credentials())
        assert frozen.access_key == "ASIABOTOWIREEXAMPLE0"
    finally:
        server.shutdown()
    assert HITS == []


def test_instance_metadata(botowire, env, monkeypatch):
    monkeypatch.delenv("AWS_EC2_METADATA_DISABLED")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    session = boto3.Session()
    session.client("sqs").list_queues()
    assert session.get_credentials().method == "iam-role"
    expires_late(session.get_credentials())
"""
    )
    credentials_tests.runpytest().assert_outcomes(passed=2)
