"""aiobotocore (and aioboto3) support: answers of aiobotocore's own response type.

aiobotocore's ``AioSession`` is a botocore ``Session`` and registers the same
``botocore.handlers.BUILTIN_HANDLERS``, so every aiobotocore client carries the capture
handlers; its ``AioHierarchicalEmitter`` calls synchronous handlers and awaits only what they
return when it is awaitable, and the call record lives in a ``ContextVar``, which each asyncio
task has its own copy of, so concurrent calls never see each other's parameters.

What differs is the response a ``before-send`` handler must return: aiobotocore awaits
``http_response.content`` and reads streaming bodies through ``raw.content.read(n)`` (aiohttp's
``StreamReader`` API). ``install`` registers a response factory (``capture.answers``) that builds an
``aiobotocore.awsrequest.AioAWSResponse`` over an in-memory async stream whenever the
``before-send`` being answered was emitted by aiobotocore's emitter.

How a request is known to come from aiobotocore: the frames above the responder are walked up
to the first event emitter; it is either botocore's ``HierarchicalEmitter._emit`` or
aiobotocore's ``AioHierarchicalEmitter._emit`` (compared by code object; an ``_emit`` defined in
an ``aiobotocore``/``aioboto3`` module counts too, for emitter subclasses). The emitter that is
running the ``before-send`` is the one whose response type is needed, so a sync botocore client
called from async code still gets botocore's response. Nothing of aiobotocore is imported unless
aiobotocore itself was imported already.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from types import CodeType, FrameType
from typing import Any

from pytest_botowire.aws.compat import EMIT_NAME, caller_frame, emitter_codes, frozen_of_refreshable
from pytest_botowire.capture.answers import register_factory
from pytest_botowire.capture.credentials import CredentialsAdapter, register_adapter
from pytest_botowire.features.retries import register_patcher

#: how many frames above the responder to look for the emitter (it is 3 to 6 in practice)
_MAX_DEPTH = 40


class AsyncBodyStream:
    """The part of aiohttp's ``StreamReader`` that aiobotocore reads a body through."""

    def __init__(self, body: bytes) -> None:
        self._body = body
        self._position = 0

    async def read(self, n: int = -1) -> bytes:
        """Up to ``n`` bytes (all that is left when ``n`` is negative)."""
        start = self._position
        end = len(self._body) if n is None or n < 0 else min(len(self._body), start + n)
        self._position = end
        return self._body[start:end]

    async def readany(self) -> bytes:
        """Whatever is left."""
        return await self.read(-1)

    async def readexactly(self, n: int) -> bytes:
        """Exactly ``n`` bytes, or ``EOFError`` when fewer are left."""
        if len(self._body) - self._position < n:
            raise EOFError(f"{n} bytes wanted, {len(self._body) - self._position} left")
        return await self.read(n)

    def at_eof(self) -> bool:
        """Whether the whole body was read."""
        return self._position >= len(self._body)

    async def iter_chunked(self, n: int) -> AsyncIterator[bytes]:
        """Chunks of ``n`` bytes."""
        while not self.at_eof():
            yield await self.read(n)

    async def iter_any(self) -> AsyncIterator[bytes]:
        """The rest, as one chunk."""
        if not self.at_eof():
            yield await self.read(-1)


class AsyncRawResponse:
    """A stand-in for ``aiohttp.ClientResponse``: ``await read()``, ``content``, ``close()``."""

    def __init__(self, url: str, status: int, headers: dict[str, str], body: bytes) -> None:
        self.url = url
        self.status = status
        self.headers = headers
        self.content = AsyncBodyStream(body)
        self._body = body
        self.closed = False

    async def read(self) -> bytes:
        """The whole body (aiohttp caches it, so a second call returns it again)."""
        return self._body

    def close(self) -> None:
        """Nothing to release."""
        self.closed = True

    def release(self) -> None:
        """Nothing to release."""
        self.closed = True


def aio_response(url: str, wire: Any) -> Any:
    """The ``AioAWSResponse`` aiobotocore's endpoint expects, for a ``WireResponse``."""
    from aiobotocore.awsrequest import AioAWSResponse

    headers = dict(wire.headers)
    raw = AsyncRawResponse(url, wire.status, headers, wire.body)
    return AioAWSResponse(url, wire.status, headers, raw)


_codes: tuple[CodeType, CodeType] | None = None


def _emitter_codes() -> tuple[CodeType, CodeType] | None:
    """The code objects of aiobotocore's and botocore's ``_emit`` (cached once both are loaded)."""
    global _codes
    if _codes is None:
        _codes = emitter_codes()
    return _codes


def emitted_by_aiobotocore(frame: FrameType | None = None) -> bool:
    """Whether the event being handled now was emitted by aiobotocore's emitter."""
    codes = _emitter_codes()
    if codes is None:
        return False
    aio_code, sync_code = codes
    current: FrameType | None = frame if frame is not None else caller_frame(1)
    for _ in range(_MAX_DEPTH):
        if current is None:
            return False
        code = current.f_code
        if code is aio_code:
            return True
        if code is sync_code:
            return False
        if code.co_name == EMIT_NAME and str(current.f_globals.get("__name__", "")).startswith(
            ("aiobotocore.", "aioboto3.")
        ):
            return True  # an emitter subclass that overrides _emit
        current = current.f_back
    return False


def frozen_credentials(credentials: Any) -> Any:
    """``ReadOnlyCredentials`` of aiobotocore credentials without awaiting anything.

    aiobotocore's ``get_frozen_credentials`` is a coroutine function; it is awaited by the
    signer right after ``before-sign``. Plain ``AioCredentials`` hold their keys as attributes;
    refreshable ones keep the frozen set of their last refresh.
    """
    from botocore.credentials import ReadOnlyCredentials

    frozen = frozen_of_refreshable(credentials)
    if frozen is not None:
        return frozen
    return ReadOnlyCredentials(
        credentials.access_key,
        credentials.secret_key,
        credentials.token,
        getattr(credentials, "account_id", None),
    )


def _fake_credentials(access_key: str, secret_key: str) -> Any:
    from aiobotocore.credentials import AioCredentials

    return AioCredentials(access_key, secret_key)


def _patch_retry_sleep() -> None:
    """Wrap aiobotocore's retry sleep (``AioEndpoint._sleep``) like botocore's (idempotent)."""
    import asyncio

    from pytest_botowire.aws.compat import aiobotocore_endpoint_classes
    from pytest_botowire.capture.handlers import note_retry_delay

    for cls in aiobotocore_endpoint_classes():
        real = vars(cls)["_sleep"]
        if getattr(real, "_botowire", False):
            continue

        def make(real_sleep: Any) -> Any:
            async def _sleep(self: Any, sleep_amount: float) -> None:
                if note_retry_delay(sleep_amount):
                    await asyncio.sleep(0)
                    return
                await real_sleep(self, sleep_amount)

            _sleep._botowire = True  # type: ignore[attr-defined]
            _sleep.__wrapped__ = real_sleep  # type: ignore[attr-defined]
            return _sleep

        cls._sleep = make(real)  # type: ignore[attr-defined]


_installed = False


def install() -> None:
    """Answer aiobotocore's requests with its own response type. Idempotent."""
    global _installed
    if _installed:
        return
    _installed = True
    register_factory(emitted_by_aiobotocore, aio_response)
    register_patcher(_patch_retry_sleep)
    register_adapter(
        CredentialsAdapter(
            owns_signer=lambda signer: type(signer).__module__.startswith("aiobotocore"),
            freeze=frozen_credentials,
            fake=_fake_credentials,
        )
    )
