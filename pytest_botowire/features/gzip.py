"""Gzip request bodies at botocore's ``before-sign`` event, without ever gzipping twice.

botocore (>= 1.34.40) already gzips ``PutMetricData`` bodies of 10240 bytes or more itself
(native request compression) and appends ``gzip`` to ``Content-Encoding``. The classic recipe
(a ``before-sign`` handler doing ``gzip.compress(body)`` and adding ``Content-Encoding: gzip``)
then gzips the already gzipped body a second time under one ``Content-Encoding: gzip``.
:func:`gzip_request_body` is a drop-in replacement for that handler which compresses only a
body that is not gzip-encoded yet, keeps the headers consistent and produces reproducible
bytes (gzip ``mtime`` 0). ``before-sign`` runs after botocore's native compression and before
SigV4 signing, so the signature covers the gzipped body.

:func:`enable_gzip` registers it on a client or a session for the operations whose model
declares gzip request compression, or for explicit patterns.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import re
import sys
import threading
import warnings
import weakref
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Final

from pytest_botowire.aws.codec import GZIP_TOKENS, encoding_tokens, is_gzip, read_stream
from pytest_botowire.aws.compat import (
    aws_chunked_parts,
    is_aws_chunked,
    replace_aws_chunked_stream,
)
from pytest_botowire.aws.hints import did_you_mean
from pytest_botowire.aws.models import service_id_of, service_model
from pytest_botowire.aws.patterns import Pattern, parse_pattern
from pytest_botowire.model.assertions import check_int
from pytest_botowire.model.messages import GZIP_WARNING_DOCS, plural

__all__ = [
    "BOTOCORE_LEVEL",
    "DEFAULT_LEVEL",
    "BotowireGzipWarning",
    "GzipHandle",
    "GzipPolicy",
    "declares_gzip",
    "enable_gzip",
    "gzip_request_body",
    "note_request_compression",
    "warn_unmodeled",
]

#: Compression level used when none is given (zlib's own default). Chosen by
#: ``benchmarks/bench_gzip.py``: on real PutMetricData bodies (1000 metrics, ~1 MB) level 6
#: output is 4-11 % larger than level 9 (botocore's level) in 0.23-0.28x botocore's time.
DEFAULT_LEVEL: Final[int] = 6

#: The level botocore's native request compression uses (``gzip.compress``'s default).
BOTOCORE_LEVEL: Final[int] = 9

#: Key under which :func:`note_request_compression` records, in the request context, whether
#: the operation's model declares gzip request compression.
CONTEXT_KEY: Final[str] = "pytest_botowire.gzip_modeled"

_HEX64 = re.compile(r"\A[0-9a-fA-F]{64}\Z")


class BotowireGzipWarning(UserWarning):
    """Gzip was enabled for an operation whose model does not declare gzip request compression.

    AWS may reject a gzip-encoded request for such an operation. Also issued when a body is
    left uncompressed because gzipping it would break it (a checksum that cannot be
    recomputed, an aws-chunked payload that cannot be read again).
    """


def _shown(value: object) -> str:
    text = repr(value)
    text = text if len(text) <= 60 else text[:57] + "..."
    return "None" if value is None else f"{type(value).__name__} ({text})"


def _check_level(level: object, name: str = "level") -> int:
    __tracebackhide__ = True
    return check_int(level, name, expected="an int from 0 to 9", maximum=9)


def _check_min_size(min_size: object) -> int:
    __tracebackhide__ = True
    return check_int(min_size, "min_size", expected="an int")


def _set_header(headers: Any, name: str, value: str) -> None:
    # botocore's HTTPHeaders is an email.message.Message: item assignment *adds* a header.
    if name in headers:
        del headers[name]
    headers[name] = value


def _compress(data: bytes, level: int) -> bytes:
    return gzip.compress(data, compresslevel=level, mtime=0)


def gzip_request_body(
    request: Any,
    *,
    compresslevel: int = DEFAULT_LEVEL,
    min_size: int = 0,
    **kwargs: Any,
) -> None:
    """Gzip a botocore ``AWSRequest`` body once; a drop-in ``before-sign`` handler.

    Register it with ``client.meta.events.register("before-sign.cloudwatch.PutMetricData",
    gzip_request_body)`` (or through :func:`functools.partial` to set ``compresslevel`` or
    ``min_size``). botocore's event keyword arguments (``signing_name``, ``region_name``,
    ``request_signer``, ``operation_name``, ...) are accepted and ignored; ``event_name``
    names the operation in warnings.

    The body is left untouched when it is empty, shorter than ``min_size`` bytes, or already
    gzip-encoded: ``Content-Encoding`` lists ``gzip`` (as botocore's native compression
    leaves it) or the body starts with the gzip magic bytes ``1f 8b``. Otherwise it is
    compressed with ``mtime=0`` (the same body always gives the same bytes) and ``gzip`` is
    appended to the one ``Content-Encoding`` header.

    Bodies of type ``bytes``, ``bytearray``, ``str`` (UTF-8) and ``dict`` (form-encoded like
    botocore does) become ``bytes``. A file-like body is read from its current position; like
    botocore's own compression, the original stream is put back at that position and the
    request gets an ``io.BytesIO`` at position 0, so ``reset_stream()`` on retries rewinds to
    the start of the compressed data. ``Content-Length``, a hex ``X-Amz-Content-SHA256``,
    ``Content-MD5`` and ``x-amz-checksum-crc32``/``-sha1``/``-sha256``/``-sha512`` are
    updated when present.

    An S3 upload framed as ``aws-chunked`` (flexible checksums over HTTPS) has its payload
    gzipped inside the framing, so the trailing checksum covers the gzip bytes and
    ``Content-Encoding`` becomes ``gzip,aws-chunked``. A body whose checksum cannot be
    recomputed (``crc32c``, ``crc64nvme``) or whose aws-chunked payload cannot be read
    again is left as it is, with a :class:`BotowireGzipWarning` saying why: never a body that
    contradicts its headers.

    Raises ``TypeError``/``ValueError`` for a bad ``compresslevel`` (0..9) or ``min_size``.
    """
    # Bad arguments are the caller's mistake: the traceback stops at the caller's line. Past
    # the checks, a failure is this function's and shows its frame.
    __tracebackhide__ = True
    event_name = kwargs.get("event_name")
    level = _check_level(compresslevel, "compresslevel")
    _check_min_size(min_size)
    if not (hasattr(request, "headers") and hasattr(request, "data")):
        raise TypeError(
            "gzip_request_body() takes the botocore AWSRequest that botocore passes to a "
            "before-sign handler (register it with client.meta.events.register("
            f"'before-sign.cloudwatch.PutMetricData', gzip_request_body)), not {_shown(request)}"
        )
    __tracebackhide__ = False
    headers = request.headers
    tokens = encoding_tokens(headers)
    if any(token.lower() in GZIP_TOKENS for token in tokens):
        return
    body = request.data
    if body is None:
        return
    if is_aws_chunked(body) or any(token.lower() == "aws-chunked" for token in tokens):
        _gzip_aws_chunked(request, tokens, level, min_size, event_name)
        return
    stream = False
    if isinstance(body, (bytes, bytearray)):
        raw = bytes(body)
    elif isinstance(body, str):
        raw = body.encode("utf-8")
    elif isinstance(body, Mapping):
        from urllib.parse import urlencode

        raw = urlencode(body, doseq=True, encoding="utf-8").encode("utf-8")
    elif hasattr(body, "read"):
        stream = True
        read = read_stream(body, must_rewind=False)
        raw = read.data or b""
        if read.start is None:
            # A stream that cannot be rewound is consumed now: keep its bytes in memory.
            request.data = io.BytesIO(raw)
    else:
        return
    if not raw or len(raw) < min_size or is_gzip(raw):
        return
    compressed = _compress(raw, level)
    checksums = _checksum_headers(headers, compressed)
    if isinstance(checksums, str):
        _leave_alone(request, checksums, event_name)
        return
    for name, value in checksums.items():
        _set_header(headers, name, value)
    request.data = io.BytesIO(compressed) if stream else compressed
    _set_header(headers, "Content-Encoding", ",".join([*tokens, "gzip"]))
    if "Content-Length" in headers:
        _set_header(headers, "Content-Length", str(len(compressed)))
    sha = headers.get("X-Amz-Content-SHA256")
    if sha is not None and _HEX64.match(str(sha)):
        _set_header(headers, "X-Amz-Content-SHA256", hashlib.sha256(compressed).hexdigest())


def _leave_alone(request: Any, reason: str, event_name: object = None) -> None:
    split = _split_event(event_name)
    name = f" of {split[0]}.{split[1]}" if split else ""
    warnings.warn(
        f"botowire gzip: the body{name} was left uncompressed: {reason}; see {GZIP_WARNING_DOCS}",
        BotowireGzipWarning,
        stacklevel=3,
    )


def _gzip_aws_chunked(
    request: Any, tokens: list[str], level: int, min_size: int, event_name: object
) -> None:
    """Gzip the payload inside aws-chunked framing, never the framing itself.

    aws-chunked is S3's transfer framing around the payload, with a trailing checksum of the
    payload: the payload stream is replaced by its gzip (before framing), so the framing and
    the checksum botocore computes while sending describe the gzip bytes, and ``gzip`` goes
    before ``aws-chunked`` in ``Content-Encoding`` (S3 stores it as the object's encoding).
    """
    body = request.data
    try:
        raw_stream = aws_chunked_parts(body).raw if is_aws_chunked(body) else None
    except AttributeError:
        raw_stream = None
    if raw_stream is None:
        _leave_alone(
            request, "it is aws-chunked framing this plugin cannot look inside", event_name
        )
        return
    import inspect

    if inspect.iscoroutinefunction(getattr(raw_stream, "read", None)):
        _leave_alone(request, "an aws-chunked upload of an asynchronous stream", event_name)
        return
    raw: bytes | None
    if isinstance(raw_stream, (bytes, bytearray)):
        raw = bytes(raw_stream)
    else:
        try:
            seekable = bool(raw_stream.seekable()) if hasattr(raw_stream, "seekable") else True
            # read from its position and put back there, or fail before reading anything
            raw = (read_stream(raw_stream).data or b"") if seekable else None
        except (AttributeError, OSError, ValueError):
            raw = None
        if raw is None:
            _leave_alone(
                request, "an aws-chunked upload of a stream that cannot be rewound", event_name
            )
            return
    if not raw or len(raw) < min_size or is_gzip(raw):
        return
    headers = request.headers
    compressed = _compress(raw, level)
    checksums = _checksum_headers(headers, compressed)  # the trailer's is made while sending
    if isinstance(checksums, str):
        _leave_alone(request, checksums, event_name)
        return
    for name, value in checksums.items():
        _set_header(headers, name, value)
    replace_aws_chunked_stream(body, io.BytesIO(compressed))
    others = [token for token in tokens if token.lower() != "aws-chunked"]
    _set_header(headers, "Content-Encoding", ",".join([*others, "gzip", "aws-chunked"]))
    if "X-Amz-Decoded-Content-Length" in headers:
        _set_header(headers, "X-Amz-Decoded-Content-Length", str(len(compressed)))


_CHECKSUM_HEADER = "x-amz-checksum-"


def _checksum_headers(headers: Any, data: bytes) -> dict[str, str] | str:
    """New values for the payload checksum headers over ``data``, or why they cannot be made.

    ``Content-MD5`` and ``x-amz-checksum-crc32``/``-sha1``/``-sha256``/``-sha512`` are
    recomputed; another algorithm (``crc32c``, ``crc64nvme``: awscrt's) cannot be, and a body
    gzipped under a checksum of its plain bytes would be rejected.
    """
    import base64

    updates: dict[str, str] = {}
    for name in list(headers.keys()):
        lowered = str(name).lower()
        if lowered == "content-md5":
            digest = hashlib.md5(data, usedforsecurity=False).digest()
        elif lowered.startswith(_CHECKSUM_HEADER) and lowered != "x-amz-checksum-type":
            algorithm = lowered[len(_CHECKSUM_HEADER) :]
            if algorithm == "crc32":
                digest = zlib.crc32(data).to_bytes(4, "big")
            elif algorithm in ("sha1", "sha256", "sha512"):
                digest = hashlib.new(algorithm, data).digest()
            else:
                return f"its {name} checksum header cannot be recomputed over the gzip bytes"
        else:
            continue
        updates[str(name)] = base64.b64encode(digest).decode("ascii")
    return updates


def declares_gzip(operation_model: Any) -> bool:
    """Whether a botocore ``OperationModel`` declares gzip in its ``requestcompression`` trait."""
    trait = getattr(operation_model, "request_compression", None)
    if not trait:
        return False
    return "gzip" in (trait.get("encodings") or ())


def note_request_compression(model: Any = None, context: Any = None, **kwargs: Any) -> None:
    """``before-call`` handler: record in the request context whether the model declares gzip.

    The ``before-sign`` event does not carry the operation model; ``before-call`` does, and its
    ``context`` dict becomes ``request.context`` at ``before-sign``. Returns ``None`` so that
    the call proceeds.
    """
    del kwargs
    if isinstance(context, dict) and model is not None:
        context[CONTEXT_KEY] = declares_gzip(model)


def _split_event(event_name: object) -> tuple[str, str] | None:
    if not isinstance(event_name, str):
        return None
    parts = event_name.split(".")
    if len(parts) < 3:
        return None
    return parts[1], parts[2]


@dataclass(frozen=True)
class GzipPolicy:
    """Which requests a process-global ``before-sign`` handler should gzip, and how.

    ``modeled``: gzip every operation whose model declares gzip request compression (needs
    :func:`note_request_compression` registered on ``before-call``). ``patterns``: extra
    :class:`~pytest_botowire.aws.patterns.Pattern` objects (``parse_pattern("logs.PutLogEvents")``)
    gzipped whatever their model says. ``min_size`` and ``level`` apply to all.
    """

    modeled: bool = True
    patterns: tuple[Pattern, ...] = ()
    min_size: int = 0
    level: int = DEFAULT_LEVEL

    def __post_init__(self) -> None:
        _check_level(self.level)
        _check_min_size(self.min_size)

    def matches(
        self, service_id: str, operation_name: str, *, modeled: bool | None = None
    ) -> tuple[int, int] | None:
        """``(min_size, level)`` if a request to ``service_id``/``operation_name`` is gzipped.

        ``service_id`` is the hyphenized id from the event name (``"cloudwatch-logs"``);
        ``modeled`` says whether the operation declares gzip (``None``: unknown).
        """
        if self.modeled and modeled:
            return self.min_size, self.level
        for pattern in self.patterns:
            if pattern.matches_service_id(service_id, operation_name):
                return self.min_size, self.level
        return None

    def before_call(self, model: Any, context: Any) -> None:
        """``before-call``: note whether the operation's model declares gzip compression."""
        note_request_compression(model=model, context=context)

    def before_sign(self, request: Any, event_name: str = "", **kwargs: Any) -> None:
        """``before-sign`` handler applying this policy (see :func:`gzip_request_body`)."""
        del kwargs
        split = _split_event(event_name)
        if split is None:
            return
        context = getattr(request, "context", None) or {}
        modeled = context.get(CONTEXT_KEY) if isinstance(context, Mapping) else None
        decision = self.matches(split[0], split[1], modeled=modeled)
        if decision is not None:
            gzip_request_body(
                request, min_size=decision[0], compresslevel=decision[1], event_name=event_name
            )


# --------------------------------------------------------------------------- enable_gzip

_lock = threading.Lock()


class _Hook:
    """A registered handler with a reference count shared by the handles that use it.

    Clients copy their session's event emitter, so a hook registered on a session also runs
    in clients made from it; the count lets ``disable()`` switch those copies off too.
    """

    def __init__(
        self, kind: str, min_size: int, level: int, pattern: Pattern | None = None
    ) -> None:
        self.kind = kind
        self.min_size = min_size
        self.level = level
        #: requests the event name does not select alone are matched against this pattern
        self.pattern = pattern
        self.refs = 0

    def __call__(self, **kwargs: Any) -> None:
        if self.refs <= 0:
            return
        if self.kind == "note":
            note_request_compression(**kwargs)
            return
        request = kwargs.get("request")
        if request is None:
            return
        if self.kind == "modeled":
            context = getattr(request, "context", None) or {}
            if not (isinstance(context, Mapping) and context.get(CONTEXT_KEY)):
                return
        if self.pattern is not None:
            split = _split_event(kwargs.get("event_name"))
            if split is None or not self.pattern.matches_service_id(*split):
                return
        gzip_request_body(
            request,
            compresslevel=self.level,
            min_size=self.min_size,
            event_name=kwargs.get("event_name"),
        )


_HOOKS: weakref.WeakKeyDictionary[Any, dict[str, _Hook]] = weakref.WeakKeyDictionary()


@dataclass(frozen=True)
class _Registration:
    event_name: str
    unique_id: str
    hook: _Hook


class GzipHandle:
    """What :func:`enable_gzip` returns: the registrations, ``disable()`` and a context manager.

    ``events`` lists the event names the gzip handler was registered on.
    """

    def __init__(self, emitter: Any, registrations: list[_Registration]) -> None:
        self._emitter = emitter
        self._registrations = registrations
        self._active = True

    @property
    def events(self) -> tuple[str, ...]:
        """The event names gzip is registered on (``before-call`` notes excluded)."""
        return tuple(r.event_name for r in self._registrations if r.hook.kind != "note")

    @property
    def active(self) -> bool:
        """``True`` until :meth:`disable` is called."""
        return self._active

    def disable(self) -> None:
        """Unregister the handlers; calling it again does nothing."""
        with _lock:
            if not self._active:
                return
            self._active = False
            hooks = _HOOKS.get(self._emitter, {})
            for reg in self._registrations:
                reg.hook.refs -= 1
                if reg.hook.refs <= 0:
                    hooks.pop(reg.unique_id, None)
                    self._emitter.unregister(reg.event_name, unique_id=reg.unique_id)

    def __enter__(self) -> GzipHandle:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.disable()

    def __repr__(self) -> str:
        state = "active" if self._active else "disabled"
        return f"<GzipHandle {state} events={list(self.events)!r}>"


def _resolve_target(target: Any) -> tuple[Any, Any | None]:
    """Return ``(event emitter, client service model or None)``."""
    __tracebackhide__ = True
    meta = getattr(target, "meta", None)
    if meta is not None and hasattr(meta, "events") and hasattr(meta, "service_model"):
        return meta.events, meta.service_model
    import botocore.session

    if isinstance(target, botocore.session.Session):
        return target.get_component("event_emitter"), None
    boto3_session = sys.modules.get("boto3.session")  # a boto3.Session means boto3 is loaded
    if boto3_session is not None and isinstance(target, boto3_session.Session):
        return target.events, None
    raise TypeError(
        "enable_gzip() needs a botocore client, a boto3.Session or a botocore.session.Session,"
        f" not {type(target).__name__}"
    )


def _warn(message: str) -> None:
    message += f"; see {GZIP_WARNING_DOCS}"
    warnings.warn(message, BotowireGzipWarning, stacklevel=4)


def _plan_pattern(pattern: Pattern, client_model: Any | None) -> tuple[str, Pattern | None]:
    """Return ``(event name, pattern to match at that event or None)``; warn if not modeled."""
    __tracebackhide__ = True
    if pattern.service is None and client_model is not None:
        pattern = Pattern(pattern.text, client_model.service_name, pattern.operation)
    if pattern.service is None:
        _warn(
            f"gzip enabled for {pattern.text!r}: every operation of every service, most of "
            "which do not declare gzip request compression; AWS may reject a gzip-encoded "
            "request for those"
        )
        if pattern.operation is None:
            return "before-sign", None
        return "before-sign", pattern
    if client_model is not None and pattern.service != client_model.service_name:
        raise ValueError(
            f"pattern {pattern.text!r} names service {pattern.service!r} but the client is a "
            f"{client_model.service_name!r} client"
        )
    model = client_model if client_model is not None else service_model(pattern.service)
    prefix = f"before-sign.{service_id_of(pattern.service)}"
    names = list(model.operation_names)
    op = pattern.operation
    if op is not None and op in names:
        if not declares_gzip(model.operation_model(op)):
            _warn(
                f"gzip enabled for {pattern.service}.{op}, whose model does not declare gzip "
                "request compression; AWS may reject a gzip-encoded request for it"
            )
        return f"{prefix}.{op}", None
    selected = [n for n in names if pattern.matches(pattern.service, n)]
    if not selected:
        hint = did_you_mean(op or "", names)
        raise ValueError(
            f"pattern {pattern.text!r} matches no operation of {pattern.service!r}"
            + (f"; {hint}" if hint else "")
        )
    plain = [n for n in selected if not declares_gzip(model.operation_model(n))]
    if plain:
        shown = ", ".join(plain[:3]) + (", ..." if len(plain) > 3 else "")
        _warn(
            f"gzip enabled for {pattern.text!r}, which covers {plural(len(plain), 'operation')} whose "
            f"model does not declare gzip request compression ({shown}); AWS may reject a "
            "gzip-encoded request for those"
        )
    return prefix, (None if op is None else pattern)


def enable_gzip(
    target: Any,
    pattern: str | Iterable[str] | None = None,
    *,
    min_size: int = 0,
    level: int = DEFAULT_LEVEL,
) -> GzipHandle:
    """Gzip request bodies at ``before-sign`` for a client or a session; returns a handle.

    ``target``: a botocore/boto3 client, a ``boto3.Session`` or a ``botocore.session.Session``
    (a session's handlers reach the clients created from it afterwards). ``pattern``:
    ``"service.Operation"`` strings in botocore event naming (``"cloudwatch.PutMetricData"``,
    ``"cloudwatch.*"``, ``"cloudwatch"``, ``"logs.put_log_events"``, ``"cloudwatch-logs.Put*"``,
    ``"*"``); ``None`` selects every operation whose model declares gzip request compression.
    Naming an operation that does not declare it issues a :class:`BotowireGzipWarning`; an
    unknown service or operation is a ``ValueError`` naming the closest valid names.

    Bodies smaller than ``min_size`` bytes are left alone; ``level`` is the gzip level (0..9).
    Enabling the same thing twice registers one handler; the handle's ``disable()`` (or leaving
    ``with enable_gzip(...):``) unregisters it once no other handle still uses it.
    """
    __tracebackhide__ = True  # bad arguments fail at the caller's line
    _check_min_size(min_size)
    _check_level(level)
    emitter, client_model = _resolve_target(target)

    wanted: list[tuple[str, str, Pattern | None]] = []  # (event name, kind, pattern)
    if pattern is None:
        if client_model is not None:
            for name in client_model.operation_names:
                if declares_gzip(client_model.operation_model(name)):
                    sid = client_model.service_id.hyphenize()
                    wanted.append((f"before-sign.{sid}.{name}", "plain", None))
        else:
            wanted.append(("before-call", "note", None))
            wanted.append(("before-sign", "modeled", None))
    else:
        texts = [pattern] if isinstance(pattern, str) else list(pattern)
        if not texts:
            raise ValueError(
                "enable_gzip() got an empty list of patterns; pass None for the default"
            )
        for text in texts:
            if not isinstance(text, str):
                raise TypeError(f"a pattern must be a str, not {type(text).__name__}")
            event_name, narrowed = _plan_pattern(parse_pattern(text), client_model)
            wanted.append((event_name, "plain", narrowed))

    __tracebackhide__ = False
    registrations: list[_Registration] = []
    with _lock:
        hooks = _HOOKS.setdefault(emitter, {})
        for event_name, kind, narrowed in wanted:
            size, lvl = (0, 0) if kind == "note" else (min_size, level)
            glob = None if narrowed is None else narrowed.operation
            unique_id = (
                f"pytest_botowire.gzip:{id(emitter)}:{kind}:{event_name}:{glob}:{size}:{lvl}"
            )
            if any(r.unique_id == unique_id for r in registrations):
                continue
            hook = hooks.get(unique_id)
            if hook is None:
                hook = _Hook(kind, size, lvl, narrowed)
                hooks[unique_id] = hook
                emitter.register(event_name, hook, unique_id=unique_id)
            hook.refs += 1
            registrations.append(_Registration(event_name, unique_id, hook))
    return GzipHandle(emitter, registrations)


def warn_unmodeled(
    patterns: Iterable[Pattern],
    *,
    stacklevel: int = 3,
    location: tuple[str, int] | None = None,
) -> None:
    """Issue :class:`BotowireGzipWarning` for patterns naming operations not modeled with gzip.

    ``stacklevel`` counts from the caller of this function (3: the caller's caller);
    ``location`` (a file name and a line, such as a marked test's ``def`` line) is used
    instead when the code to blame is not on the stack, as for a marker.
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", BotowireGzipWarning)
        for pattern in patterns:
            _plan_pattern(pattern, None)
    for warning in caught:
        if location is None:
            warnings.warn(str(warning.message), BotowireGzipWarning, stacklevel=stacklevel)
        else:
            warnings.warn_explicit(str(warning.message), BotowireGzipWarning, *location)
