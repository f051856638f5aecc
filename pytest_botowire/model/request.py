"""The request model: one ``CapturedRequest`` per HTTP attempt, exactly as it went on the wire."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator, Mapping
from typing import Any, NamedTuple
from urllib.parse import parse_qsl
from xml.etree import ElementTree

from pytest_botowire.aws.codec import (
    IDENTITY,
    Decoded,
    decode_stream,
    is_gzip,
    parse_encodings,
    read_stream,
    transfer_order,
    unchunk,
)
from pytest_botowire.aws.compat import (
    ChunkedParts,
    aws_chunked_parts,
    is_aws_chunked,
    progress_callbacks_enabled,
)
from pytest_botowire.aws.headers import Headers as Headers  # the public name lives here
from pytest_botowire.aws.headers import wire_block as wire_block  # for the capture path
from pytest_botowire.aws.models import content_encoding_is_metadata
from pytest_botowire.aws.redact import redact_url, sensitive_input
from pytest_botowire.model.assertions import Assertable

#: the default capture cap (``--botowire-body-cap``); the recorder passes the run's own
DEFAULT_BODY_CAP = 8 * 1024 * 1024


def snapshot_headers(headers: Any) -> Headers:
    """Copy botocore's headers object into ``Headers`` without touching the original."""
    try:
        return Headers.of(headers)
    except Exception:
        return Headers([])


class BodySnapshot:
    """What could be known of a body without consuming it."""

    __slots__ = ("cap", "data", "decoded", "decoded_size", "note", "size")

    def __init__(
        self,
        data: bytes | None,
        size: int | None,
        *,
        decoded: bytes | None = None,
        decoded_size: int | None = None,
        note: str | None = None,
    ) -> None:
        self.data = data
        self.size = size
        self.decoded = decoded
        self.decoded_size = decoded_size
        self.note = note
        #: the capture cap: at most this many decoded bytes are kept too
        self.cap = DEFAULT_BODY_CAP


def _reads_asynchronously(stream: Any) -> bool:
    """Whether ``stream.read`` is a coroutine function (an aiobotocore async body)."""
    import inspect

    return inspect.iscoroutinefunction(getattr(stream, "read", None))


class _CannotRewind(Exception):
    """The stream under an aws-chunked body cannot be put back after reading."""


def _aws_chunked(wrapper: ChunkedParts, cap: int) -> BodySnapshot:
    """Rebuild the exact aws-chunked bytes of botocore's ``AwsChunkedWrapper``.

    Reading the wrapper itself would move it (it can only seek back to 0), so the underlying
    stream is read from its own position and put back, and the framing and trailing checksum
    are computed exactly as the wrapper will produce them.
    """
    raw, chunk_size = wrapper.raw, wrapper.chunk_size
    checksum = wrapper.checksum_cls() if wrapper.checksum_cls else None
    name = wrapper.checksum_name.encode("ascii")
    if _reads_asynchronously(raw):  # aiobotocore accepts async streams; never await here
        raise _CannotRewind(f"an asynchronous {type(raw).__name__} stream")
    seekable = getattr(raw, "seekable", None)
    if callable(seekable) and not seekable():
        # Reading would consume what the wrapper is about to send (a response stream, say).
        raise _CannotRewind(
            f"a {type(raw).__name__} stream that cannot be read without consuming it"
        )
    position = raw.tell()
    raw.seek(position)  # a stream that cannot go back fails here, before anything is read
    parts: list[bytes] = []
    decoded: list[bytes] = []
    size = 0
    decoded_size = 0
    overflow = False
    try:
        while True:
            chunk = raw.read(chunk_size)
            if isinstance(chunk, str):
                chunk = chunk.encode("utf-8")
            if chunk:
                if checksum is not None:
                    checksum.update(chunk)
                piece = b"%s\r\n%s\r\n" % (hex(len(chunk))[2:].encode("ascii"), chunk)
                decoded_size += len(chunk)
            elif checksum is not None:
                piece = b"0\r\n%s:%s\r\n\r\n" % (name, checksum.b64digest().encode("ascii"))
            else:
                piece = b"0\r\n\r\n"
            size += len(piece)
            if not overflow and size <= cap:
                parts.append(piece)
                if chunk:
                    decoded.append(chunk)
            elif not overflow:
                overflow = True
                parts, decoded = [], []
            if not chunk:
                break
    finally:
        raw.seek(position)
    if overflow:
        return BodySnapshot(None, size, decoded_size=decoded_size, note="over the capture cap")
    return BodySnapshot(b"".join(parts), size, decoded=b"".join(decoded), decoded_size=decoded_size)


@contextlib.contextmanager
def _progress_paused(stream: Any) -> Iterator[None]:
    """Keep s3transfer's progress callbacks (``ReadFileChunk``) quiet while capture reads.

    Otherwise an upload reports a part as transferred when capture reads it, before it is sent.
    """
    paused = progress_callbacks_enabled(stream)
    if paused:
        stream.disable_callback()
    try:
        yield
    finally:
        if paused:
            stream.enable_callback()


def str_body_bytes(body: str) -> bytes:
    """The bytes ``http.client`` sends for a ``str`` body: ISO-8859-1 (UTF-8 where that fails;
    botocore's own ``str`` bodies are ASCII forms)."""
    try:
        return body.encode("iso-8859-1")
    except UnicodeEncodeError:
        return body.encode("utf-8")


def _kept(data: bytes, cap: int) -> BodySnapshot:
    if len(data) <= cap:
        return BodySnapshot(data, len(data))
    return BodySnapshot(None, len(data), note="over the capture cap")


def snapshot_body(body: Any, headers: Headers, cap: int) -> BodySnapshot:
    """Capture a body's bytes (up to ``cap``) and exact size, leaving streams where they were."""
    snapshot = _snapshot_body(body, headers, cap)
    snapshot.cap = cap
    return snapshot


def _snapshot_body(body: Any, headers: Headers, cap: int) -> BodySnapshot:
    if body is None:
        return BodySnapshot(b"", 0)
    if isinstance(body, bytes):
        return _kept(body, cap)
    if isinstance(body, (bytearray, memoryview)):
        return _kept(bytes(body), cap)
    if isinstance(body, str):
        return _kept(str_body_bytes(body), cap)
    declared = _declared_length(headers)
    # aiobotocore's AioAwsChunkedWrapper subclasses botocore's and frames the same way
    if is_aws_chunked(body):
        try:
            chunked = aws_chunked_parts(body)
            with _progress_paused(chunked.raw):
                return _aws_chunked(chunked, cap)
        except _CannotRewind as exc:
            decoded = _declared_length(headers, "X-Amz-Decoded-Content-Length")
            return BodySnapshot(
                None, declared, decoded_size=decoded, note=f"aws-chunked over {exc}"
            )
        except Exception as exc:
            return BodySnapshot(None, declared, note=f"aws-chunked body could not be read ({exc})")
    if (
        hasattr(body, "read")
        and hasattr(body, "seek")
        and hasattr(body, "tell")
        and not _reads_asynchronously(body)
    ):
        try:
            seekable = body.seekable() if hasattr(body, "seekable") else True
        except Exception:
            seekable = False
        if seekable:
            try:
                with _progress_paused(body):
                    kept, size, _ = read_stream(body, cap)
                note = None if kept is not None else "over the capture cap"
                return BodySnapshot(kept, size, note=note)
            except Exception as exc:
                return BodySnapshot(None, declared, note=f"stream could not be read ({exc})")
    return BodySnapshot(
        None,
        declared,
        note=f"a {type(body).__name__} body that cannot be read without consuming it",
    )


def _declared_length(headers: Headers, name: str = "Content-Length") -> int | None:
    value = headers.get(name)
    if value is None:
        return None
    try:
        return int(value)
    except ValueError:
        return None


class _Origin(NamedTuple):
    """What every attempt of one kind of call shares: held once, not once per request.

    A test of 100,000 ``SendMessage`` calls holds one of these (the capture path reuses the
    last one while it equals the new request's values), not nine references per request.
    """

    service: str
    service_id: str
    operation: str
    protocol: str
    region: str | None
    signing_name: str | None
    credentials: Any
    test_id: str | None
    #: the capture cap: at most this many decoded bytes are kept of a kept body
    cap: int


#: the capture path's name for ``_Origin``
Origin = _Origin


class _Derived:
    """What is worked out of a captured request on first use (encodings, decoded content)."""

    __slots__ = ("content", "content_error", "decoded", "encodings", "payload")

    def __init__(self) -> None:
        self.encodings: tuple[str, ...] | None = None
        self.content: bytes | None = None
        self.content_error: str | None = None
        self.decoded: Decoded | None = None
        self.payload: Any = None


class CapturedRequest(Assertable):
    """One HTTP request attempt as botocore put it on the wire.

    Captured at botocore's ``before-send`` event: after serialization, request compression,
    checksums and signing. Each retry attempt is a request of its own.
    """

    # Held compactly (benchmarks/README.md, "memory held"): what attempts share is one
    # ``_Origin``; a body kept as plain bytes is held as those bytes, with no snapshot
    # object; the headers stay one string until first read; what is derived on first use
    # (decoding, parsing) lives in one ``_Derived`` made then.
    __slots__ = (
        "_body",
        "_derived",
        "_headers",
        "_origin",
        "answered_by",
        "attempt",
        "backoff",
        "index",
        "method",
        "note",
        "params",
        "status",
        "url",
    )

    #: the HTTP method
    method: str
    #: the URL as sent (use ``repr`` or messages for a redacted form)
    url: str
    #: the API parameters the caller passed, or ``None`` when unknown
    params: Mapping[str, Any] | None
    #: 1-based attempt number (from ``amz-sdk-request``)
    attempt: int
    #: seconds botocore chose to wait before this attempt (its retry back-off); ``None`` on a
    #: first attempt. Offline and strict tests skip the wait itself (see the README).
    backoff: float | None
    #: position in the test's sequence, from 0
    index: int
    #: the HTTP status of the response, when one was seen
    status: int | None
    #: who answered: ``"botowire"``, ``"moto"``, ``"network"``, ``"other"``, or ``None``
    answered_by: str | None
    #: a note on what could not be captured
    note: str | None

    def __init__(
        self,
        *,
        service: str,
        service_id: str,
        operation: str,
        method: str,
        url: str,
        headers: Headers,
        snapshot: BodySnapshot,
        params: Mapping[str, Any] | None = None,
        attempt: int = 1,
        protocol: str = "",
        index: int = 0,
        test_id: str | None = None,
        region: str | None = None,
        signing_name: str | None = None,
        credentials: Any = None,
        backoff: float | None = None,
    ) -> None:
        origin = _Origin(
            service,
            service_id,
            operation,
            protocol,
            region,
            signing_name,
            credentials,
            test_id,
            snapshot.cap,
        )
        self._fill(origin, method, url, headers, snapshot, params, attempt, backoff)
        self.index = index

    @classmethod
    def _captured(
        cls,
        origin: _Origin,
        method: str,
        url: str,
        headers: Headers | str | tuple[tuple[str, str], ...],
        body: bytes | BodySnapshot,
        params: Mapping[str, Any] | None,
        attempt: int,
        backoff: float | None,
    ) -> CapturedRequest:
        """The capture path's constructor: ``headers`` may be ``Headers``' compact block and
        ``body`` the kept bytes themselves (within ``origin.cap``)."""
        request = cls.__new__(cls)
        request._fill(origin, method, url, headers, body, params, attempt, backoff)
        request.index = 0
        return request

    def _fill(
        self,
        origin: _Origin,
        method: str,
        url: str,
        headers: Headers | str | tuple[tuple[str, str], ...],
        body: bytes | BodySnapshot,
        params: Mapping[str, Any] | None,
        attempt: int,
        backoff: float | None,
    ) -> None:
        self._origin = origin
        self.method = method
        self.url = url
        self._headers = headers
        self._body = body
        self.params = params
        self.attempt = attempt
        self.backoff = backoff
        self.status = None
        self.answered_by = None
        self.note = None if isinstance(body, bytes) else body.note
        self._derived: _Derived | None = None

    # -- what attempts share --------------------------------------------------------------
    @property
    def service(self) -> str:
        """The client name of the service (``"logs"``)."""
        return self._origin.service

    @property
    def service_id(self) -> str:
        """botocore's hyphenized service id (``"cloudwatch-logs"``), as in event names."""
        return self._origin.service_id

    @property
    def operation(self) -> str:
        """The API operation name (``"PutLogEvents"``)."""
        return self._origin.operation

    @property
    def protocol(self) -> str:
        """The wire protocol botocore used (``"json"``, ``"query"``, ``"rest-xml"``, ...)."""
        return self._origin.protocol

    @property
    def region(self) -> str | None:
        """The region the request was signed for, when known."""
        return self._origin.region

    @property
    def signing_name(self) -> str | None:
        """The service name the request was signed for, when known."""
        return self._origin.signing_name

    @property
    def credentials(self) -> Any:
        """The credentials botocore's signer used, frozen when signing (for ``assert_signed``)."""
        return self._origin.credentials

    @property
    def test_id(self) -> str | None:
        """The pytest node id of the test that sent it."""
        return self._origin.test_id

    @property
    def headers(self) -> Headers:
        """Case-insensitive headers as sent."""
        headers = self._headers
        if isinstance(headers, Headers):
            return headers
        made = Headers._from_block(headers)
        self._headers = made
        return made

    def _derive(self) -> _Derived:
        derived = self._derived
        if derived is None:
            derived = self._derived = _Derived()
        return derived

    @property
    def encodings(self) -> tuple[str, ...]:
        """``Content-Encoding`` tokens in order (read from the headers on first use)."""
        derived = self._derive()
        encodings = derived.encodings
        if encodings is None:
            encodings = derived.encodings = parse_encodings(self.headers)
        return encodings

    def _kept_bytes(self) -> int:
        """Bytes this request holds against the test's capture budget."""
        body = self._body
        if isinstance(body, bytes):
            return len(body)
        snapshot: BodySnapshot = body
        if snapshot.data is None:
            return 0
        return len(snapshot.data) + len(snapshot.decoded or b"")

    # -- body ---------------------------------------------------------------------------
    @property
    def body(self) -> bytes | None:
        """The body bytes exactly as sent; ``None`` when over the capture cap or unreadable."""
        body = self._body
        return body if isinstance(body, bytes) else body.data

    @property
    def size(self) -> int | None:
        """Bytes of the body on the wire; ``None`` only when no way to know it existed."""
        body = self._body
        return len(body) if isinstance(body, bytes) else body.size

    @property
    def name(self) -> str:
        """``"service.Operation"``, as patterns name it."""
        return f"{self.service}.{self.operation}"

    def _unframe(self) -> tuple[bytes | None, list[str], str | None]:
        """The body without its aws-chunked framing, the encodings left to undo, or an error."""
        tokens = transfer_order(self.encodings)
        body = self._body
        if isinstance(body, bytes):
            data: bytes | None = body
        else:
            snapshot: BodySnapshot = body
            if tokens[:1] == ["aws-chunked"] and snapshot.decoded is not None:
                return snapshot.decoded, tokens[1:], None
            data = snapshot.data
        if data is None:
            return None, tokens, f"the body was not kept ({self.note or 'unknown'})"
        if tokens[:1] == ["aws-chunked"]:
            try:
                return unchunk(data), tokens[1:], None
            except ValueError as exc:
                return None, tokens, str(exc)
        return data, tokens, None

    def _decode(self) -> _Derived:
        derived = self._derive()
        if derived.content is not None or derived.content_error is not None:
            return derived
        data, tokens, error = self._unframe()
        if data is None:
            derived.content_error = error
            return derived
        if not tokens:
            decoded = Decoded(data, len(data), data[:16])
        else:
            decoded = decode_stream(data, tokens, keep=self._cap())
            if decoded.error is not None and content_encoding_is_metadata(
                self.service, self.operation
            ):
                # S3 stores Content-Encoding with the object and never decodes by it: gzip
                # over plain bytes is legal there, and the object's bytes are what was sent.
                decoded = Decoded(data, len(data), data[:16])
        derived.decoded = decoded
        if decoded.stopped is not None:
            self.note = decoded.stopped if self.note is None else f"{self.note}; {decoded.stopped}"
            derived.content_error = decoded.stopped
        elif decoded.error is not None:
            derived.content_error = decoded.error
        elif decoded.data is None:
            derived.content_error = (
                f"the decoded body is {decoded.size:,} bytes, over the capture cap "
                f"({self._cap():,}); decoded_size still counts it"
            )
        else:
            derived.content = decoded.data
        return derived

    def _cap(self) -> int:
        body = self._body
        return self._origin.cap if isinstance(body, bytes) else body.cap

    @property
    def content(self) -> bytes | None:
        """The body with its content encodings removed; ``None`` when that is impossible.

        aws-chunked framing is removed first, then every other encoding, last applied first.
        For S3 object uploads ``Content-Encoding`` is object metadata: a ``gzip`` that the bytes
        do not carry leaves them as sent. At most the capture cap of decoded bytes is kept;
        ``content_error`` says why ``content`` is ``None``.
        """
        return self._decode().content

    @property
    def content_error(self) -> str | None:
        """Why ``content`` is ``None``, or ``None`` when it is available."""
        return self._decode().content_error

    @property
    def decoded_size(self) -> int | None:
        """Size of the body after removing content encodings, or ``None`` when unknown.

        Counted while streaming through the decompressor, so it is known past the capture
        cap too; ``None`` when the body was not kept, is not valid data for its encodings, or
        decoding ran away (``note`` says so).
        """
        if not self.encodings or all(token in IDENTITY for token in self.encodings):
            return self.size
        body = self._body
        if (
            not isinstance(body, bytes)
            and body.decoded_size is not None
            and all(token in IDENTITY or token == "aws-chunked" for token in self.encodings)
        ):
            return body.decoded_size
        decoded = self._decode().decoded
        return None if decoded is None or decoded.error is not None else decoded.size

    @property
    def gzipped(self) -> bool | None:
        """Whether the payload (the body without aws-chunked framing) is gzip data.

        Read from the bytes, not from ``Content-Encoding``; ``None`` when the body was not kept.
        """
        data, _, _ = self._unframe()
        return None if data is None else is_gzip(data)

    def _decoding(self) -> Decoded | None:
        """The outcome of decoding (sizes, first bytes, errors); ``None`` if nothing to decode."""
        return self._decode().decoded

    @property
    def payload(self) -> Any:
        """The decoded body parsed for its protocol, for assertions on what was serialized.

        JSON protocols give the decoded JSON value, ``query``/``ec2`` a dict of form fields
        (a list where a field repeats), ``rest-xml`` the root ``xml.etree.ElementTree.Element``
        (``None`` for an empty body), ``smithy-rpc-v2-cbor`` the decoded CBOR value (needs
        ``cbor2``). An operation whose input is a blob (S3 ``PutObject``'s ``Body``) gives the
        decoded bytes. A body that is not of its protocol raises ``ValueError``.
        """
        derived = self._derive()
        if derived.payload is not None:
            return derived.payload
        content = self.content
        if content is None:
            raise ValueError(f"{self.name}: no decoded body: {self.content_error}")
        if _blob_payload(self.service, self.operation):
            derived.payload = content
            return content
        try:
            derived.payload = _parse_payload(self.protocol, content, self.headers)
        except (UnicodeDecodeError, ElementTree.ParseError) as exc:  # JSONDecodeError is fine
            raise ValueError(f"{self.name}: the body is not valid {self.protocol} ({exc})") from exc
        return derived.payload

    def shape(self) -> dict[str, Any]:
        """A plain, deterministic description of what was sent, for snapshots.

        ``{"operation", "protocol", "method", "path", "query", "headers", "encodings",
        "payload"}``: the query as sorted ``[name, value]`` pairs; the headers lower-cased and
        sorted, without those that change between runs of the same code (signature, dates,
        invocation id, user agent, security token, body checksums and length: see
        ``pytest_botowire.model.shape.VOLATILE_HEADERS``); the payload decoded and parsed for
        its protocol as JSON-serializable data (rest-xml as ``{"tag", "children", ...}``, bytes
        as ``{"base64": ...}``, a blob body as text or ``{"size", "sha256"}``). Idempotency
        tokens botocore filled in because the caller passed none read
        ``"<generated by botocore>"``. Two runs of the same code give equal shapes.
        """
        from pytest_botowire.model.shape import shape_of

        return shape_of(self)

    # -- Assertable ----------------------------------------------------------------------
    def _targets(self) -> list[CapturedRequest]:
        return [self]

    def _label(self) -> str:
        return self.name

    def __repr__(self) -> str:
        size = "?" if self.size is None else f"{self.size}"
        enc = ",".join(self.encodings) or "-"
        return (
            f"<CapturedRequest {self.name} attempt={self.attempt} {self.method} "
            f"{redact_url(self.url, sensitive_input(self.service, self.operation).query)} "
            f"size={size} encodings={enc}>"
        )

    def describe(self) -> str:
        """One line for failure messages: name, attempt, sizes and encodings."""
        parts = [f"{self.name} (attempt {self.attempt})"]
        parts.append(
            "body size unknown" if self.size is None else f"{self.size:,} bytes on the wire"
        )
        decoded = self.decoded_size
        if self.encodings and decoded is not None and decoded != self.size:
            parts.append(f"{decoded:,} decoded")
        parts.append(
            "Content-Encoding: " + ", ".join(self.encodings)
            if self.encodings
            else "no Content-Encoding"
        )
        return ", ".join(parts)


def _blob_payload(service: str, operation: str) -> bool:
    """Whether the operation sends one blob member as its whole body (S3 ``PutObject``)."""
    try:
        from pytest_botowire.aws.models import service_model

        shape = service_model(service).operation_model(operation).input_shape
        member = shape.serialization.get("payload") if shape is not None else None
        if shape is None or member is None:
            return False
        return shape.members[member].type_name in ("blob", "string")
    except Exception:
        return False


def _parse_payload(protocol: str, content: bytes, headers: Mapping[str, str]) -> Any:
    if protocol in ("json", "rest-json"):
        if not content:
            return {}
        return json.loads(content)
    if protocol in ("query", "ec2"):
        form: dict[str, Any] = {}
        for key, value in parse_qsl(content.decode("utf-8"), keep_blank_values=True):
            if key in form:
                existing = form[key]
                form[key] = [*existing, value] if isinstance(existing, list) else [existing, value]
            else:
                form[key] = value
        return form
    if protocol == "rest-xml":
        if not content.strip():
            return None
        return ElementTree.fromstring(content)
    if protocol == "smithy-rpc-v2-cbor":
        try:
            import cbor2
        except ImportError:
            raise ValueError(
                "decoding a CBOR body needs the cbor2 package: pip install cbor2"
            ) from None
        return cbor2.loads(content) if content else None
    content_type = headers.get("Content-Type", "")
    if "json" in content_type:
        return json.loads(content) if content else {}
    raise ValueError(f"no payload view for protocol {protocol!r}")
