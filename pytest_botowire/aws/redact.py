"""Redaction of credentials in everything the plugin writes.

Signatures, session tokens and customer-provided encryption keys never leave the process
through a failure message, a ``repr``, the terminal summary or the JSON report. Request
bodies are never printed at all. Beyond the SigV4/SigV2 fields, every input member that
botocore's model marks ``sensitive`` is redacted: in a header (SSO's
``x-amz-sso_bearer_token``), in the query string, and among the parameters that assertion
messages show (STS's ``WebIdentityToken``).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

REDACTED = "<redacted>"

# Header names whose whole value is a secret.
_SECRET_HEADERS = frozenset(
    {
        "x-amz-security-token",
        "x-amz-server-side-encryption-customer-key",
        "x-amz-copy-source-server-side-encryption-customer-key",
        "x-amz-content-sha256-signature",
        "cookie",
        "proxy-authorization",
    }
)
#: Header names that some operation of botocore 1.44's models marks ``sensitive`` (a header
#: printed without knowing its operation, as in ``Headers`` reprs, is checked against them;
#: a captured request also checks its own operation's model).
MODEL_SENSITIVE_HEADERS = frozenset(
    {
        "authentication",
        "x-amz-fwd-header-x-amz-server-side-encryption-aws-kms-key-id",
        "x-amz-lex-active-contexts",
        "x-amz-lex-request-attributes",
        "x-amz-lex-session-attributes",
        "x-amz-lex-session-state",
        "x-amz-server-side-encryption-aws-kms-key-id",
        "x-amz-server-side-encryption-context",
        "x-amz-sso_bearer_token",
        "x-amzn-bedrock-request-metadata",
        "x-amzn-sagemaker-custom-attributes",
        "x-amzn-sagemaker-customer-identity-token",
    }
)
_SECRET_HEADERS = _SECRET_HEADERS | MODEL_SENSITIVE_HEADERS
#: the query parameters a SigV4 pre-signed URL carries its signing in
PRESIGNED_QUERY_V4 = frozenset(
    {
        "x-amz-algorithm",
        "x-amz-credential",
        "x-amz-date",
        "x-amz-expires",
        "x-amz-signedheaders",
        "x-amz-signature",
        "x-amz-security-token",
    }
)
#: the query parameters a SigV2 pre-signed URL carries its signing in
PRESIGNED_QUERY_V2 = frozenset({"awsaccesskeyid", "signature", "expires", "securitytoken"})
# Query parameters of pre-signed URLs (SigV4 and SigV2) whose value is a secret.
_SECRET_QUERY = frozenset(
    {
        "x-amz-signature",
        "x-amz-security-token",
        "signature",
        "securitytoken",
        "x-amz-credential",
    }
)
_SIGNATURE_RE = re.compile(r"(Signature=)[0-9a-fA-F]+")
# SigV2 style "AWS AKID:signature" and anything else after the scheme that we do not know.
_AUTH_V2_RE = re.compile(r"^(AWS [^:\s]+:).+$")


def redact_authorization(value: str) -> str:
    """Return an ``Authorization`` header value with its signature replaced.

    The algorithm, credential scope and signed header list stay visible: they are what a
    reader needs to understand a signing problem, and none of them is a secret.
    """
    if "Signature=" in value:
        return _SIGNATURE_RE.sub(r"\g<1>" + REDACTED, value)
    match = _AUTH_V2_RE.match(value)
    if match:
        return match.group(1) + REDACTED
    scheme, _, rest = value.partition(" ")
    return f"{scheme} {REDACTED}" if rest else REDACTED


def redact_header(name: str, value: str, secret: frozenset[str] = frozenset()) -> str:
    """Return ``value`` as it may be shown for the header ``name``.

    ``secret``: more lower-cased header names to redact (an operation's sensitive headers).
    """
    lowered = name.lower()
    if lowered == "authorization":
        return redact_authorization(value)
    if lowered in _SECRET_HEADERS or lowered in secret:
        return REDACTED
    return value


def redact_headers(
    headers: Mapping[str, str] | Iterable[tuple[str, str]], secret: frozenset[str] = frozenset()
) -> dict[str, str]:
    """Return a copy of ``headers`` with every secret value redacted."""
    items = headers.items() if isinstance(headers, Mapping) else headers
    return {name: redact_header(name, value, secret) for name, value in items}


@dataclass(frozen=True)
class Sensitive:
    """Where an operation's input carries members its model marks ``sensitive``."""

    #: lower-cased header names
    headers: frozenset[str] = frozenset()
    #: query parameter names, as sent
    query: frozenset[str] = frozenset()
    #: parameter paths (``"WebIdentityToken"``, ``"Entries[].Secret"``, ``"Tags.*"``)
    params: frozenset[str] = frozenset()

    def hides(self, path: str) -> bool:
        """Whether the parameter at ``path`` (``"A.B[2].C"``) is, or is inside, a sensitive one."""
        if "" in self.params:  # the whole input is sensitive
            return True
        normalized = re.sub(r"\[\d+\]", "[]", path)
        for secret in self.params:
            pattern = re.escape(secret).replace(r"\*", "[^.\\[]+")
            if re.match(rf"{pattern}(?:$|[.\[])", normalized):
                return True
        return False


_NOTHING = Sensitive()


def _is_sensitive(shape: Any) -> bool:
    return bool(getattr(shape, "metadata", {}).get("sensitive"))


def _walk(shape: Any, path: str, found: set[str], depth: int) -> None:
    if depth > 12:  # recursive shapes (a document in itself): deep enough for any real input
        return
    type_name = getattr(shape, "type_name", "")
    if type_name == "structure":
        for name, member in shape.members.items():
            sub = f"{path}.{name}" if path else name
            if _is_sensitive(member):
                found.add(sub)
            else:
                _walk(member, sub, found, depth + 1)
    elif type_name == "list":
        member = shape.member
        if _is_sensitive(member):
            found.add(f"{path}[]")
        else:
            _walk(member, f"{path}[]", found, depth + 1)
    elif type_name == "map":
        value = shape.value
        if _is_sensitive(value):
            found.add(f"{path}.*")
        else:
            _walk(value, f"{path}.*", found, depth + 1)


@functools.lru_cache(maxsize=512)
def sensitive_input(service: str, operation: str) -> Sensitive:
    """The members of an operation's input that botocore's model marks ``sensitive``."""
    from pytest_botowire.aws.models import client_name_for, service_model

    try:
        client = client_name_for(service)
        if client is None:
            return _NOTHING
        shape = service_model(client).operation_model(operation).input_shape
    except Exception:
        return _NOTHING
    if shape is None:
        return _NOTHING
    headers: set[str] = set()
    query: set[str] = set()
    params: set[str] = set()
    if _is_sensitive(shape):
        params.add("")
    for name, member in shape.members.items():
        location = member.serialization.get("location")
        wire_name = str(member.serialization.get("name", name))
        if _is_sensitive(member):
            params.add(name)
            if location == "header":
                headers.add(wire_name.lower())
            elif location == "querystring":
                query.add(wire_name)
        else:
            _walk(member, name, params, 1)
    if not (headers or query or params):
        return _NOTHING
    return Sensitive(frozenset(headers), frozenset(query), frozenset(params))


def redact_params(params: Any, sensitive: Sensitive, path: str = "") -> Any:
    """A copy of API parameters with every sensitive member's value redacted."""
    if not sensitive.params:
        return params
    if (path and sensitive.hides(path)) or "" in sensitive.params:
        return REDACTED
    if isinstance(params, Mapping):
        return {
            key: redact_params(value, sensitive, f"{path}.{key}" if path else str(key))
            for key, value in params.items()
        }
    if isinstance(params, (list, tuple)):
        return [redact_params(value, sensitive, f"{path}[{i}]") for i, value in enumerate(params)]
    return params


def redact_url(url: str, secret: frozenset[str] = frozenset()) -> str:
    """Return ``url`` with the secret query parameters of a pre-signed URL redacted.

    ``secret``: more query parameter names to redact (an operation's sensitive members).
    """
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    if not parts.query:
        return url
    pairs = parse_qsl(parts.query, keep_blank_values=True)

    def hidden(key: str) -> bool:
        return key.lower() in _SECRET_QUERY or key in secret

    if not any(hidden(key) for key, _ in pairs):
        return url
    cleaned = [(key, REDACTED if hidden(key) else value) for key, value in pairs]
    return urlunsplit(parts._replace(query=urlencode(cleaned, safe="<>/")))
