"""``assert_signed`` for captured requests, on top of ``aws.sigv4.verify_sigv4``."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pytest_botowire.model.request import CapturedRequest


def signature_problem(request: CapturedRequest) -> str | None:
    """Why the request's SigV4 signature is not valid for what was sent, or ``None``."""
    from pytest_botowire.aws.sigv4 import verify_sigv4

    if request.credentials is None:
        return "cannot check: the signing credentials of this request were not seen"
    body = request.body
    if body is None and request.headers.get("X-Amz-Content-Sha256", "").startswith(
        ("UNSIGNED-PAYLOAD", "STREAMING-")
    ):
        body = b""
    try:
        problem = verify_sigv4(
            request.method,
            request.url,
            request.headers.raw_items(),
            body,
            request.credentials,
        )
    except Exception as exc:  # a verifier bug must not hide as a pass
        return f"cannot check: {type(exc).__name__}: {exc}"
    if problem is not None and signer_kind(request) == "session":
        problem += " (checked with the credentials of a default botocore session)"
    return problem


def signer_kind(request: CapturedRequest) -> str:
    """Who signed: ``"client"`` (a botocore client), ``"signer"`` (``SigV4Auth`` seen signing
    a ``requests`` call) or ``"session"`` (a ``requests`` call whose signer was not seen)."""
    return str(getattr(request.credentials, "source", None) or "client")
