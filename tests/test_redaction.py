"""Members the botocore model marks ``sensitive`` never leave the process in plain text.

SSO's access token travels in a header, a Location API key in the query string, STS's web
identity token in the body: each is redacted in reprs, failure messages, the summary, the
JSON report and JUnit XML, with real clients answered offline.
"""

from __future__ import annotations

from typing import Any

import boto3
import pytest

from pytest_botowire.aws.redact import REDACTED, redact_params, sensitive_input

SSO_TOKEN = "sso-access-token-3f9a"
WEB_TOKEN = "web-identity-token-77c1"
MAP_KEY = "v1.public.location-key-51d0"


def _sso(botowire: Any) -> Any:
    sso = boto3.client("sso", region_name="us-east-1")
    sso.get_role_credentials(roleName="r", accountId="123456789012", accessToken=SSO_TOKEN)
    return botowire.select("sso.GetRoleCredentials")[0]


def test_the_sso_bearer_token_is_redacted_in_reprs_and_messages(botowire: Any) -> None:
    request = _sso(botowire)
    assert request.headers["x-amz-sso_bearer_token"] == SSO_TOKEN  # captured as sent
    shown = [repr(request), repr(request.headers), request.describe()]
    with pytest.raises(AssertionError) as wrong:
        request.assert_header("x-amz-sso_bearer_token", "something else")
    with pytest.raises(AssertionError) as present:
        request.assert_no_header("x-amz-sso_bearer_token")
    with pytest.raises(AssertionError) as params:
        request.assert_params(accessToken="something else")
    shown += [str(wrong.value), str(present.value), str(params.value)]
    assert not [text for text in shown if SSO_TOKEN in text]
    assert f"'x-amz-sso_bearer_token': '{REDACTED}'" in repr(request.headers)
    assert f"accessToken: {REDACTED} differs from what was expected" in str(params.value)


def test_a_sensitive_body_member_is_redacted_in_assert_params(botowire: Any) -> None:
    sts = boto3.client("sts", region_name="us-east-1")
    sts.assume_role_with_web_identity(
        RoleArn="arn:aws:iam::123456789012:role/r",
        RoleSessionName="ss",
        WebIdentityToken=WEB_TOKEN,
    )
    request = botowire.select("sts.AssumeRoleWithWebIdentity")[0]
    assert request.params["WebIdentityToken"] == WEB_TOKEN
    request.assert_params(WebIdentityToken=WEB_TOKEN)  # comparing still works
    with pytest.raises(AssertionError) as caught:
        request.assert_params(WebIdentityToken="other")
    assert WEB_TOKEN not in str(caught.value)
    assert "WebIdentityToken: <redacted> differs from what was expected" in str(caught.value)
    with pytest.raises(AssertionError) as visible:  # what is not sensitive stays readable
        request.assert_params(RoleSessionName="tt")
    assert "RoleSessionName: 'ss' != 'tt'" in str(visible.value)


def test_a_sensitive_query_parameter_is_redacted_in_the_repr(botowire: Any) -> None:
    location = boto3.client("location", region_name="us-east-1")
    location.get_map_style_descriptor(MapName="m", Key=MAP_KEY)
    request = botowire.select("location.GetMapStyleDescriptor")[0]
    assert MAP_KEY in request.url
    assert MAP_KEY not in repr(request)
    assert "key=<redacted>" in repr(request)


def test_redact_params_follows_the_shapes() -> None:
    secret = sensitive_input("secretsmanager", "PutSecretValue")
    params = {"SecretId": "id", "SecretString": "s3cr3t", "ClientRequestToken": "t"}
    assert redact_params(params, secret) == {
        "SecretId": "id",
        "SecretString": REDACTED,
        "ClientRequestToken": "t",
    }
    nested = sensitive_input("cognito-idp", "AdminInitiateAuth")
    assert nested.hides("AuthParameters.PASSWORD")
    assert not nested.hides("UserPoolId")


def test_no_output_of_a_run_shows_a_sensitive_value(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        f"""
        import boto3, pytest

        # Spelled backwards here: pytest prints the failing test's source, not the plugin.
        SSO_TOKEN = "{SSO_TOKEN[::-1]}"[::-1]
        WEB_TOKEN = "{WEB_TOKEN[::-1]}"[::-1]
        MAP_KEY = "{MAP_KEY[::-1]}"[::-1]

        @pytest.mark.botowire(require_headers={{"x-amz-sso_bearer_token": "nope"}})
        def test_sso(botowire):
            sso = boto3.client("sso", region_name="us-east-1")
            sso.get_role_credentials(roleName="r", accountId="123456789012",
                                     accessToken=SSO_TOKEN)
            botowire.assert_header("x-amz-sso_bearer_token", "nope")

        def test_sts(botowire):
            sts = boto3.client("sts", region_name="us-east-1")
            sts.assume_role_with_web_identity(RoleArn="arn:aws:iam::123456789012:role/r",
                                              RoleSessionName="ss",
                                              WebIdentityToken=WEB_TOKEN)
            botowire.assert_params(WebIdentityToken="nope")

        def test_location(botowire):
            location = boto3.client("location", region_name="us-east-1")
            location.get_map_style_descriptor(MapName="m", Key=MAP_KEY)
            assert 0, repr(botowire[0])
        """
    )
    report = pytester.path / "report.json"
    xml = pytester.path / "junit.xml"
    result = pytester.runpytest(
        "-p",
        "no:cacheprovider",
        "--botowire-aws-limits",
        f"--botowire-report={report}",
        f"--junitxml={xml}",
    )
    result.assert_outcomes(failed=3)
    result.stdout.fnmatch_lines(["*x-amz-sso_bearer_token: '<redacted>'*"])
    outputs = {"stdout": result.stdout.str(), "report": report.read_text(), "xml": xml.read_text()}
    for secret in (SSO_TOKEN, WEB_TOKEN, MAP_KEY):
        assert not [name for name, text in outputs.items() if secret in text], secret
    assert "WebIdentityToken: &lt;redacted&gt; differs" in outputs["xml"]
