"""Check that a request as it went on the wire still carries a valid AWS SigV4 signature.

A handler that changes the body or a signed header after botocore signed the request (at
``request-created`` or ``before-send`` instead of ``before-sign``) produces a request that AWS
rejects with ``SignatureDoesNotMatch``, which no offline test notices. :func:`verify_sigv4`
recomputes the signature with botocore's own :class:`botocore.auth.SigV4Auth` code from what
was sent (method, URL, headers, body captured at ``before-send``), using the timestamp, the
signed-header list and the credential scope found in the request itself, and compares.

Returned reasons never contain the secret key, the session token or a signature.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Iterable, Mapping
from typing import Any, Final
from urllib.parse import quote, unquote, urlsplit, urlunsplit

from pytest_botowire.aws.compat import host_from_url
from pytest_botowire.aws.headers import Headers

__all__ = ["verify_sigv4"]

_ALGORITHM: Final[str] = "AWS4-HMAC-SHA256"
_S3_SERVICES: Final[frozenset[str]] = frozenset({"s3", "s3-outposts", "s3-object-lambda"})
_HEX64 = re.compile(r"\A[0-9a-f]{64}\Z")
_AUTH_FIELD = re.compile(r"(Credential|SignedHeaders|Signature)=([^,\s]*)")
_TIMESTAMP = re.compile(r"\A\d{8}T\d{6}Z\Z")

_MISMATCH: Final[str] = (
    "signature does not match the headers and body sent "
    "(the body or a signed header changed after signing)"
)


def _first(headers: Headers, name: str) -> str | None:
    """The first value of a header sent (SigV4 reads one ``Authorization``, one date, ...)."""
    values = headers.get_all(name)
    return values[0] if values else None


def _frozen(credentials: Any) -> Any:
    getter = getattr(credentials, "get_frozen_credentials", None)
    return getter() if callable(getter) else credentials


def _canonical_path(path: str, service: str) -> str:
    if service in _S3_SERVICES:
        return path or "/"
    from botocore.utils import normalize_url_path

    return quote(normalize_url_path(path), safe="/~")


def _without_param(url: str, name: str | None) -> str:
    """``url`` without the query parameter ``name`` (a pre-signed URL's own signature)."""
    if name is None:
        return url
    parts = urlsplit(url)
    kept = [pair for pair in parts.query.split("&") if pair.partition("=")[0] != name]
    return urlunsplit(parts._replace(query="&".join(kept)))


def _compute_signature(
    credentials: Any,
    method: str,
    url: str,
    headers: Headers,
    signed: list[str],
    payload_hash: str,
    timestamp: str,
    region: str,
    service: str,
    drop_query: str | None,
) -> str | tuple[str]:
    """The hex signature, or a one-tuple holding a reason why it cannot be computed."""
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.compat import HTTPHeaders

    header_map = HTTPHeaders()
    for name in signed:
        values = headers.get_all(name)
        if not values and name == "host":
            values = [host_from_url(url)]
        if not values:
            return (f"signed header {name!r} is missing from the request sent",)
        for value in values:
            header_map[name] = value
    auth = SigV4Auth(credentials, service, region)
    request = AWSRequest(method=method, url=_without_param(url, drop_query))
    request.context["timestamp"] = timestamp
    # The canonical request of the SigV4 spec from botocore's own parts, except the path (S3
    # signs it as sent; botocore's S3 signer does so in a private method) and the signed
    # headers and payload hash, which are read from the request sent rather than chosen.
    canonical = "\n".join(
        [
            method.upper(),
            _canonical_path(urlsplit(url).path, service),
            auth.canonical_query_string(request),
            auth.canonical_headers(header_map) + "\n",
            ";".join(signed),
            payload_hash,
        ]
    )
    string_to_sign = auth.string_to_sign(request, canonical)
    return str(auth.signature(string_to_sign, request))


def _payload_hash(
    headers: Headers, body: bytes | bytearray | str | None, default_unsigned: bool
) -> tuple[str | None, str | None]:
    """``(hash for the canonical request, reason or None)``."""
    declared = _first(headers, "X-Amz-Content-SHA256")
    if declared is not None:
        declared = declared.strip()
        if declared == "UNSIGNED-PAYLOAD" or declared.startswith("STREAMING-"):
            return declared, None
        if body is None:
            return None, (
                "cannot verify the payload: the body was not kept "
                "(too large or a stream), and X-Amz-Content-Sha256 signs it"
            )
        if not _HEX64.match(declared.lower()):
            return None, "payload hash header X-Amz-Content-Sha256 is not a SHA-256 hex digest"
        if hashlib.sha256(_bytes(body)).hexdigest() != declared.lower():
            return None, "payload hash header X-Amz-Content-Sha256 does not match the body"
        return declared, None
    if default_unsigned:
        return "UNSIGNED-PAYLOAD", None
    if body is None:
        return None, (
            "cannot verify the signature: the body was not kept (too large or a stream) "
            "and the signature covers it"
        )
    return hashlib.sha256(_bytes(body)).hexdigest(), None


def _bytes(body: bytes | bytearray | str) -> bytes:
    return body.encode("utf-8") if isinstance(body, str) else bytes(body)


def _check_scope(
    scope: str, credentials: Any, region: str | None, service: str | None, timestamp: str
) -> tuple[str, str] | str:
    """``(region, service)`` from a credential scope, or a reason string."""
    parts = scope.split("/")
    if len(parts) != 5 or parts[4] != "aws4_request":
        return "malformed credential scope in the signature"
    access_key, date, scope_region, scope_service, _ = parts
    if access_key != getattr(credentials, "access_key", None):
        return "signed with a different access key"
    if date != timestamp[:8]:
        return "credential scope date does not match the X-Amz-Date timestamp"
    if region is not None and scope_region != region:
        return f"signed for region {scope_region!r}, expected {region!r}"
    if service is not None and scope_service != service:
        return f"signed for service {scope_service!r}, expected {service!r}"
    return scope_region, scope_service


def _check_token(token_sent: str | None, credentials: Any) -> str | None:
    token = getattr(credentials, "token", None)
    if token and token_sent is None:
        return "session token missing (no X-Amz-Security-Token)"
    if token and token_sent is not None and not hmac.compare_digest(token_sent, token):
        return "session token sent differs from the credentials' token"
    if not token and token_sent is not None:
        return "a session token was sent but the credentials have none"
    return None


def _verify_query(
    method: str,
    url: str,
    headers: Headers,
    body: bytes | bytearray | str | None,
    credentials: Any,
    region: str | None,
    service: str | None,
) -> str | None:
    params: dict[str, str] = {}
    for pair in urlsplit(url).query.split("&"):
        key, _, value = pair.partition("=")
        params.setdefault(unquote(key), unquote(value))
    if params.get("X-Amz-Algorithm") != _ALGORITHM:
        return "pre-signed URL does not use AWS4-HMAC-SHA256"
    signature = params.get("X-Amz-Signature")
    timestamp = params.get("X-Amz-Date", "")
    if not signature:
        return "pre-signed URL has no X-Amz-Signature"
    if not _TIMESTAMP.match(timestamp):
        return "pre-signed URL has no valid X-Amz-Date"
    scoped = _check_scope(
        params.get("X-Amz-Credential", ""), credentials, region, service, timestamp
    )
    if isinstance(scoped, str):
        return scoped
    token_reason = _check_token(params.get("X-Amz-Security-Token"), credentials)
    if token_reason is not None:
        return token_reason
    signed = [h for h in params.get("X-Amz-SignedHeaders", "").split(";") if h]
    payload, reason = _payload_hash(headers, body, default_unsigned=scoped[1] in _S3_SERVICES)
    if payload is None:
        return reason
    expected = _compute_signature(
        credentials, method, url, headers, signed, payload, timestamp, *scoped, "X-Amz-Signature"
    )
    if isinstance(expected, tuple):
        return expected[0]
    if not hmac.compare_digest(expected, signature):
        return "pre-signed URL signature does not match the request sent"
    return None


def verify_sigv4(
    method: str,
    url: str,
    headers: Mapping[str, Any] | Iterable[tuple[str, Any]],
    body: bytes | bytearray | str | None,
    credentials: Any,
    *,
    region: str | None = None,
    service: str | None = None,
) -> str | None:
    """Recompute a sent request's SigV4 signature; ``None`` if valid, else a short reason.

    ``method``, ``url``, ``headers`` and ``body`` are what went on the wire, for instance an
    ``AWSPreparedRequest``'s attributes captured at ``before-send`` (header values may be
    ``str`` or ``bytes``). ``credentials`` are botocore ``Credentials`` or
    ``ReadOnlyCredentials`` (``access_key``, ``secret_key``, ``token``). The timestamp
    (``X-Amz-Date``), the signed-header list and the credential scope are read from the
    request; ``region``/``service`` additionally require the scope to name them.

    ``body`` may be ``None`` when it was not kept (too large, or a stream): the request is then
    verifiable only when ``X-Amz-Content-Sha256`` is ``UNSIGNED-PAYLOAD`` or ``STREAMING-*``.
    Pre-signed URLs (query-string SigV4) are verified too, without checking expiry. Reasons
    name header names, regions and services only, never secrets, tokens or signatures.
    """
    sent = Headers.of(headers)
    credentials = _frozen(credentials)
    query = urlsplit(url).query
    if "X-Amz-Signature=" in query and _first(sent, "Authorization") is None:
        return _verify_query(method, url, sent, body, credentials, region, service)
    authorization = _first(sent, "Authorization")
    if authorization is None:
        if "AWSAccessKeyId=" in query and "Signature=" in query:
            return "not signed with SigV4 (a SigV2 pre-signed URL)"
        return "not signed (no Authorization header)"
    algorithm, _, rest = authorization.strip().partition(" ")
    if algorithm != _ALGORITHM:
        return f"not signed with SigV4 (Authorization uses {algorithm[:40]!r})"
    fields = dict(_AUTH_FIELD.findall(rest))
    if not {"Credential", "SignedHeaders", "Signature"} <= fields.keys():
        return "malformed SigV4 Authorization header"
    timestamp = _first(sent, "X-Amz-Date")
    if timestamp is None or not _TIMESTAMP.match(timestamp.strip()):
        return "no valid X-Amz-Date header to verify the signature against"
    timestamp = timestamp.strip()
    creds = credentials
    scoped = _check_scope(fields["Credential"], creds, region, service, timestamp)
    if isinstance(scoped, str):
        return scoped
    signed = [h for h in fields["SignedHeaders"].split(";") if h]
    payload, reason = _payload_hash(sent, body, default_unsigned=False)
    if payload is None:
        return reason
    expected = _compute_signature(
        creds, method, url, sent, signed, payload, timestamp, *scoped, None
    )
    if isinstance(expected, tuple):
        return expected[0]
    if not hmac.compare_digest(expected, fields["Signature"]):
        token_reason = _check_token(_first(sent, "X-Amz-Security-Token"), creds)
        return token_reason if token_reason is not None else _MISMATCH
    token_reason = _check_token(_first(sent, "X-Amz-Security-Token"), creds)
    if token_reason is not None:
        return token_reason
    unsigned = sorted({n.lower() for n in sent} - set(signed))
    unsigned = [n for n in unsigned if n.startswith("x-amz-")]
    if unsigned:
        return f"header {unsigned[0]} was added after signing (not in SignedHeaders)"
    return None
