"""Redaction of credentials in everything the plugin writes.

Signatures, session tokens and customer-provided encryption keys never leave the process
through a failure message, a ``repr``, the terminal summary or the JSON report. Request
bodies are never printed at all, so secrets inside them (``SecretString``, say) are safe too.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
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


def redact_header(name: str, value: str) -> str:
    """Return ``value`` as it may be shown for the header ``name``."""
    lowered = name.lower()
    if lowered == "authorization":
        return redact_authorization(value)
    if lowered in _SECRET_HEADERS:
        return REDACTED
    return value


def redact_headers(headers: Mapping[str, str] | Iterable[tuple[str, str]]) -> dict[str, str]:
    """Return a copy of ``headers`` with every secret value redacted."""
    items = headers.items() if isinstance(headers, Mapping) else headers
    return {name: redact_header(name, value) for name, value in items}


def redact_url(url: str) -> str:
    """Return ``url`` with the secret query parameters of a pre-signed URL redacted."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    if not parts.query:
        return url
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    if not any(key.lower() in _SECRET_QUERY for key, _ in pairs):
        return url
    cleaned = [(key, REDACTED if key.lower() in _SECRET_QUERY else value) for key, value in pairs]
    return urlunsplit(parts._replace(query=urlencode(cleaned, safe="<>/")))
