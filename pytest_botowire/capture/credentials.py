"""Credentials: the ones a request is signed with, and fake ones for offline tests.

``frozen_credentials`` reads the credentials botocore's signer is about to use without a
refresh later changing them; ``lend_credentials`` gives a client that has none (created at
import time, say) fake ones for an offline test. Clients of another SDK build (aiobotocore)
plug in through ``CredentialsAdapter``.
"""

from __future__ import annotations

import inspect
import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from pytest_botowire.aws.compat import set_signer_credentials, signer_lacks_credentials

if TYPE_CHECKING:
    from botocore.credentials import Credentials, ReadOnlyCredentials
    from botocore.signers import RequestSigner

    from pytest_botowire.capture.recorder import Recorder


class CredentialsAdapter:
    """How to handle the credentials of another SDK build (registered by an integration).

    A plain class (not a dataclass, whose creation costs a millisecond when this module loads
    with botocore).
    """

    __slots__ = ("fake", "freeze", "owns_signer")

    def __init__(
        self,
        owns_signer: Callable[[Any], bool],
        freeze: Callable[[Any], ReadOnlyCredentials],
        fake: Callable[[str, str], Any],
    ) -> None:
        #: whether a request signer belongs to that build
        self.owns_signer = owns_signer
        #: frozen credentials of that build's (asynchronous) credentials object, without
        #: awaiting
        self.freeze = freeze
        #: fake credentials of the type that build's signer expects: ``(access_key, secret_key)``
        self.fake = fake


_ADAPTERS: list[CredentialsAdapter] = []


def register_adapter(adapter: CredentialsAdapter) -> None:
    """Use ``adapter`` for the signers it owns and for asynchronous credentials."""
    if adapter not in _ADAPTERS:
        _ADAPTERS.append(adapter)


# -- fake credentials for offline tests ------------------------------------------------
_CREDENTIAL_ENV = (
    "AWS_ACCESS_KEY_ID",
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
)


FAKE_ENV = {
    "AWS_ACCESS_KEY_ID": "AKIDBOTOWIREFAKE0000",
    "AWS_SECRET_ACCESS_KEY": "botowire-fake-secret-key-0000000000000000",
}


def _aws_file(env: str, default: str) -> bool:
    path = os.environ.get(env) or os.path.expanduser(default)
    return os.path.isfile(path)


def offline_environment() -> dict[str, str]:
    """The variables an offline test gets: fake credentials and a region, where none is set."""
    added: dict[str, str] = {}
    configured_files = _aws_file("AWS_SHARED_CREDENTIALS_FILE", "~/.aws/credentials") or _aws_file(
        "AWS_CONFIG_FILE", "~/.aws/config"
    )
    if not configured_files and not any(os.environ.get(name) for name in _CREDENTIAL_ENV):
        added.update(FAKE_ENV)
    if (
        not os.environ.get("AWS_DEFAULT_REGION")
        and not os.environ.get("AWS_REGION")
        and not configured_files
    ):
        added["AWS_DEFAULT_REGION"] = "us-east-1"
    return added


_ASYNC_CREDENTIALS: dict[type, bool] = {}


def frozen_credentials(credentials: Credentials) -> ReadOnlyCredentials:
    """Frozen credentials; aiobotocore's ``get_frozen_credentials`` is a coroutine function."""
    kind = type(credentials)
    is_async = _ASYNC_CREDENTIALS.get(kind)
    if is_async is None:  # once per credentials class: inspect is slow on the hot path
        is_async = _ASYNC_CREDENTIALS[kind] = inspect.iscoroutinefunction(
            credentials.get_frozen_credentials
        )
    if is_async:
        if not _ADAPTERS:
            raise TypeError(f"no adapter for asynchronous credentials {kind.__name__}")
        frozen = _ADAPTERS[0].freeze(credentials)
    else:
        frozen = credentials.get_frozen_credentials()
    # Every request of a test is usually signed with the same keys: share one frozen set
    # instead of holding a copy per captured request.
    global _LAST_FROZEN
    last = _LAST_FROZEN
    if last is not None and last == frozen and type(last) is type(frozen):
        return last
    _LAST_FROZEN = frozen
    return frozen


_LAST_FROZEN: Any = None


def lend_credentials(recorder: Recorder, signer: RequestSigner) -> None:
    """Give a client that has no credentials (created at import time, say) fake ones.

    Only for offline tests, only for the test's duration: ``Recorder.restore`` puts ``None``
    back, so the client is as it was afterwards.
    """
    if not signer_lacks_credentials(signer):
        return
    access_key, secret_key = FAKE_ENV["AWS_ACCESS_KEY_ID"], FAKE_ENV["AWS_SECRET_ACCESS_KEY"]
    for adapter in _ADAPTERS:
        if adapter.owns_signer(signer):
            set_signer_credentials(signer, adapter.fake(access_key, secret_key))
            break
    else:
        from botocore.credentials import Credentials

        set_signer_credentials(signer, Credentials(access_key, secret_key))
    recorder.lend(signer)
