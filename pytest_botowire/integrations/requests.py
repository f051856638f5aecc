"""AWS requests sent with the ``requests`` library, captured into the same ``botowire`` sequence.

Code that signs with ``botocore.auth.SigV4Auth`` (or ``requests-aws4auth``) and sends with
``requests`` (API Gateway with IAM auth, OpenSearch), and code that uploads or downloads
through pre-signed S3 URLs never goes through botocore's ``before-send``. While a test uses the
``botowire`` fixture, two patches see it:

* ``requests.Session.send`` (the outermost layer, so it sees requests that another mock such as
  moto's ``mock_aws`` or the test's own ``responses`` answers): a request to an AWS host is
  recorded as a ``CapturedRequest`` and it is decided who answers it;
* a ``responses.RequestsMock`` (the adapter layer) carries the decision out: it answers through
  a registered ``CallbackResponse`` (offline and strict modes, ``botowire.respond``) or lets the
  request through to whatever sends it (the network in ``passthrough`` mode, or a mock that was
  already active). Requests to other hosts go to the real adapter untouched: not read, not
  recorded, not delayed.

AWS hosts: ``*.amazonaws.com``, ``*.amazonaws.com.cn``, ``*.api.aws``, ``*.on.aws``, the hosts
(with port) that botocore clients of the test signed requests for (their ``endpoint_url``), and
the ``botowire_hosts`` ini option (host names, ``host:port`` or globs such as ``*.internal``).

Who answers an AWS request, in this order: a ``botowire.respond`` registration that matches it;
another requests mock that is active (moto's ``mock_aws``, a ``responses`` mock of the test, a
mounted adapter), which then answers as it would without the plugin; in ``offline`` mode a
successful placeholder (the operation's synthesized output when the operation is known, else an
empty 200); in ``strict`` mode an error, and the test fails naming the request; in
``passthrough`` mode the network.

What a captured request is called:

* the service is the botocore client name when one is known: from the pre-signed URL a client of
  this test generated (exact operation and parameters), else from the SigV4 credential scope
  (``Credential=.../us-east-1/execute-api/aws4_request``, header or ``X-Amz-Credential`` query
  parameter), else from the host name (``bucket.s3.amazonaws.com``);
* the operation is the botocore operation when the request shows it: ``X-Amz-Target`` (JSON
  protocols), ``Action=`` (query protocols), or the method and path matched against the
  service model's REST routes (S3: ``GET /bucket/key`` is ``GetObject``, ``PUT`` is
  ``PutObject``, ``?uploads`` is ``CreateMultipartUpload``, and so on);
* otherwise, for HTTP APIs that botocore has no client for (``execute-api``, ``aoss``,
  ``neptune-db``, ``vpc-lattice-svcs``) or requests no route matches, the service is the signing
  name and the operation the HTTP method: ``execute-api.POST``, ``es.PUT``. Patterns accept
  these names (``botowire.select("execute-api.POST")``, ``"execute-api"``, ``"*.GET"``); a
  request whose service cannot be known is ``unknown.<METHOD>``.
"""

from __future__ import annotations

import contextlib
import contextvars
import fnmatch
import functools
import re
import threading
import weakref
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, unquote, urlsplit

from pytest_botowire.aws.compat import (
    moto_requests_mock_active,
    requests_mock,
    requests_mock_patch_target,
    requests_mock_send,
    responses_default_send,
)
from pytest_botowire.aws.models import AWS_SUFFIXES, HTTP_METHODS, HTTP_SERVICES
from pytest_botowire.aws.redact import PRESIGNED_QUERY_V2, PRESIGNED_QUERY_V4
from pytest_botowire.capture import handlers
from pytest_botowire.capture.answers import failure_wire
from pytest_botowire.capture.install import active

if TYPE_CHECKING:
    from pytest_botowire.capture.recorder import Recorder
    from pytest_botowire.model.request import CapturedRequest

#: signing names (and endpoint prefixes) that differ from the client name
_SIGNING_TO_CLIENT = {
    "monitoring": "cloudwatch",
    "aoss": "opensearchserverless",
    "neptune-db": "neptunedata",
    "email": "ses",
    "states": "stepfunctions",
}
_AUTH_QUERY = PRESIGNED_QUERY_V4 | PRESIGNED_QUERY_V2
_SCOPE_RE = re.compile(r"Credential=([^,\s]+)")


# -- what is known of the test's botocore clients ------------------------------------------
@dataclass
class _Presigned:
    service: str
    service_id: str
    operation: str
    params: Any
    protocol: str


@dataclass
class _Seen:
    """Per test: configured hosts, hosts botocore signed for, pre-signed URLs generated."""

    configured: tuple[str, ...] = ()
    #: normalized ``host:port`` -> client names that signed requests for it
    hosts: dict[str, set[str]] = field(default_factory=dict)
    presigned: dict[tuple[str, str, tuple[tuple[str, str], ...]], _Presigned] = field(
        default_factory=dict
    )
    #: signature -> the credentials ``botocore.auth.SigV4Auth`` signed it with (outside clients)
    signers: dict[str, Any] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    #: ``(scheme://netloc/, client name)`` of the last signing noted: the next request of the
    #: same client to the same endpoint (the usual case) is skipped without parsing its URL
    last: tuple[str, str] = ("", "")


_seen: weakref.WeakKeyDictionary[Recorder, _Seen] = weakref.WeakKeyDictionary()


def _netloc(url: str) -> tuple[str, str]:
    """``(host, host:port)`` of a URL, lower-case, with the scheme's default port made explicit."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    try:
        port = parts.port
    except ValueError:
        port = None
    if port is None:
        port = 443 if parts.scheme == "https" else 80
    return host, f"{host}:{port}"


def _url_key(method: str, url: str) -> tuple[str, str, tuple[tuple[str, str], ...]]:
    """A pre-signed URL without its signing parameters, comparable however it is quoted."""
    parts = urlsplit(url)
    _, netloc = _netloc(url)
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    # SigV2 query auth (botocore's default for S3 in some regions) moves the signed
    # Content-Type, Content-MD5 and x-amz-* headers into the query after before-sign.
    sigv2 = any(key == "AWSAccessKeyId" for key, _ in pairs)
    query = tuple(
        sorted(
            (key, value)
            for key, value in pairs
            if key.lower() not in _AUTH_QUERY
            and not (
                sigv2
                and (key.lower() in ("content-type", "content-md5") or key.startswith("x-amz-"))
            )
        )
    )
    return method.upper(), f"{parts.scheme}://{netloc}{unquote(parts.path) or '/'}", query


def observe_signing(recorder: Recorder, request: Any, call: Any, signature_version: Any) -> None:
    """``before-sign`` observer: remember endpoint hosts and the URLs clients pre-sign."""
    seen = _seen.get(recorder)
    if seen is None or request is None:
        return
    url = str(getattr(request, "url", "") or "")
    if not url:
        return
    service = getattr(call, "service", None)
    version = str(signature_version or "")
    presigning = call is not None and ("query" in version or "presign" in version)
    base, last_service = seen.last
    if not presigning and base and service == last_service and url.startswith(base):
        return  # this endpoint is noted for this client already
    host, netloc = _netloc(url)
    with seen.lock:
        if not host.endswith(AWS_SUFFIXES) and service:
            seen.hosts.setdefault(netloc, set()).add(service)
    parts = url.split("/", 3)
    if len(parts) >= 3 and service:
        seen.last = ("/".join(parts[:3]) + "/", service)
    if presigning:
        method = str(getattr(request, "method", "") or "GET")
        info = _Presigned(call.service, call.service_id, call.operation, call.params, call.protocol)
        with seen.lock:
            seen.presigned[_url_key(method, url)] = info


# -- is it an AWS request ----------------------------------------------------------------
def is_aws_url(url: str, seen: _Seen) -> bool:
    """Whether a request to ``url`` is captured."""
    host, netloc = _netloc(url)
    if not host:
        return False
    if host.endswith(AWS_SUFFIXES) or host in ("amazonaws.com", "api.aws"):
        return True
    with seen.lock:
        if netloc in seen.hosts:
            return True
    return any(
        fnmatch.fnmatchcase(host, pattern) or fnmatch.fnmatchcase(netloc, pattern)
        for pattern in seen.configured
    )


def _configured_hosts(entries: Iterable[str]) -> tuple[str, ...]:
    hosts: list[str] = []
    for entry in entries:
        text = entry.strip().lower()
        if not text or text.startswith("#"):
            continue
        if "://" in text:
            text = text.split("://", 1)[1]
        hosts.append(text.rstrip("/"))
    return tuple(hosts)


# -- naming the request ------------------------------------------------------------------
@dataclass
class Described:
    """What could be known of a request: service, operation, parameters, protocol, scope."""

    service: str
    service_id: str
    operation: str
    params: Any = None
    protocol: str = ""
    region: str | None = None
    signing_name: str | None = None


def _scope(url: str, headers: Any) -> tuple[str | None, str | None]:
    """``(region, signing name)`` from a SigV4 credential scope, header or query."""
    credential = None
    authorization = headers.get("Authorization") if headers is not None else None
    if authorization:
        match = _SCOPE_RE.search(str(authorization))
        if match:
            credential = match.group(1)
    if credential is None:
        for key, value in parse_qsl(urlsplit(url).query, keep_blank_values=True):
            if key.lower() == "x-amz-credential":
                credential = value
                break
    if not credential:
        return None, None
    parts = credential.split("/")
    if len(parts) >= 5:
        return parts[-3] or None, parts[-2] or None
    return None, None


def _client_for(name: str | None) -> str | None:
    if not name:
        return None
    from pytest_botowire.aws.models import client_name_for

    try:
        return client_name_for(name)
    except Exception:
        return None


def _s3_bucket_from_host(host: str) -> tuple[bool, str | None]:
    """``(is_s3, bucket)`` for S3 hosts: ``bucket.s3.amazonaws.com``, ``s3.us-east-1...``."""
    if not host.endswith(AWS_SUFFIXES):
        return False, None
    labels = host.split(".")
    for index, label in enumerate(labels):
        if label == "s3" or label.startswith("s3-"):
            return True, (".".join(labels[:index]) or None)
    return False, None


def _service_from_host(host: str, seen: _Seen, netloc: str) -> str | None:
    is_s3, _ = _s3_bucket_from_host(host)
    if is_s3:
        return "s3"
    if host.endswith(AWS_SUFFIXES):
        labels = host.split(".")
        for special in ("execute-api", "aoss", "es", "lambda-url"):
            if special in labels:
                return "lambda" if special == "lambda-url" else special
        return labels[0] if labels else None
    with seen.lock:
        services = seen.hosts.get(netloc, set())
        if len(services) == 1:
            return next(iter(services))
    return None


@dataclass(frozen=True)
class _Route:
    operation: str
    method: str
    path: re.Pattern[str]
    literal_query: tuple[tuple[str, str | None], ...]
    required_query: tuple[str, ...]
    required_headers: tuple[str, ...]
    literal_chars: int


@functools.cache
def _routes(client: str) -> tuple[_Route, ...]:
    """The REST routes of a service model (``rest-json``/``rest-xml``)."""
    from pytest_botowire.aws.models import service_model

    model = service_model(client)
    routes: list[_Route] = []
    for name in model.operation_names:
        operation = model.operation_model(name)
        http = operation.http
        uri = str(http.get("requestUri", "/"))
        path, _, query = uri.partition("?")
        pattern = ""
        literal_chars = 0
        for piece in re.split(r"(\{[^}]+\})", path):
            if piece.startswith("{") and piece.endswith("}"):
                pattern += "(.+)" if piece.endswith("+}") else "([^/]+)"
            else:
                pattern += re.escape(piece)
                literal_chars += len(piece)
        literal = tuple(
            (key, value if value != "" or "=" in part else None)
            for part in query.split("&")
            if part
            for key, _, value in [part.partition("=")]
            if key != "x-id"
        )
        required_query: list[str] = []
        required_headers: list[str] = []
        shape = operation.input_shape
        if shape is not None:
            for member in shape.required_members:
                serialization = shape.members[member].serialization
                location = serialization.get("location")
                location_name = serialization.get("name")
                if location == "querystring" and location_name:
                    required_query.append(str(location_name))
                elif location == "header" and location_name:
                    required_headers.append(str(location_name).lower())
        routes.append(
            _Route(
                name,
                str(http.get("method", "POST")).upper(),
                re.compile(pattern or "/"),
                literal,
                tuple(required_query),
                tuple(required_headers),
                literal_chars,
            )
        )
    return tuple(routes)


def _rest_operation(client: str, method: str, path: str, query: str, headers: Any) -> str | None:
    pairs = parse_qsl(query, keep_blank_values=True)
    keys = {key for key, _ in pairs}
    values = dict(pairs)
    header_names = {str(name).lower() for name in headers} if headers is not None else set()
    best: tuple[tuple[int, int], str] | None = None
    for route in _routes(client):
        if route.method != method or not route.path.fullmatch(path):
            continue
        if any(
            key not in keys or (value is not None and values.get(key) != value)
            for key, value in route.literal_query
        ):
            continue
        if any(key not in keys for key in route.required_query):
            continue
        if any(name not in header_names for name in route.required_headers):
            continue
        score = (
            len(route.literal_query) + len(route.required_query) + len(route.required_headers),
            route.literal_chars,
        )
        if best is None or score > best[0]:
            best = (score, route.operation)
    return None if best is None else best[1]


def _form_action(body: bytes | None, content_type: str) -> str | None:
    if body is None or "x-www-form-urlencoded" not in content_type:
        return None
    try:
        return dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True)).get("Action")
    except UnicodeDecodeError:
        return None


def _operation(
    client: str, method: str, url: str, headers: Any, body: bytes | None
) -> tuple[str, str] | None:
    """``(operation, protocol)`` when the request shows a botocore operation of ``client``."""
    from pytest_botowire.aws.models import resolved_protocol, service_model

    try:
        model = service_model(client)
    except Exception:
        return None
    protocol = resolved_protocol(model)
    names = set(model.operation_names)
    parts = urlsplit(url)
    query_protocol = "ec2" if protocol == "ec2" else "query"
    # (operation named by the request, the protocol that way of naming it implies)
    candidates: list[tuple[str | None, str]] = []
    target = headers.get("X-Amz-Target") if headers is not None else None
    if target:
        candidates.append((str(target).rsplit(".", 1)[-1], "json"))
    if "/operation/" in parts.path:
        candidates.append((parts.path.rsplit("/operation/", 1)[-1], "smithy-rpc-v2-cbor"))
    action = dict(parse_qsl(parts.query, keep_blank_values=True)).get("Action")
    candidates.append((action, query_protocol))
    content_type = str(headers.get("Content-Type", "")) if headers is not None else ""
    candidates.append((_form_action(body, content_type), query_protocol))
    for candidate, implied in candidates:
        if candidate and candidate in names:
            return candidate, implied
    path = parts.path or "/"
    if client == "s3":
        _, bucket = _s3_bucket_from_host((parts.hostname or "").lower())
        if bucket:
            path = f"/{bucket}" if path == "/" else f"/{bucket}{path}"
    try:
        operation = _rest_operation(client, method, path, parts.query, headers)
    except Exception:
        operation = None
    return (operation, protocol) if operation else None


def describe(method: str, url: str, headers: Any, body: bytes | None, seen: _Seen) -> Described:
    """Service, operation and what else can be known of a request sent with ``requests``."""
    method = method.upper()
    region, signing_name = _scope(url, headers)
    with seen.lock:
        presigned = seen.presigned.get(_url_key(method, url))
    if presigned is not None:
        return Described(
            presigned.service,
            presigned.service_id,
            presigned.operation,
            presigned.params,
            presigned.protocol,
            region,
            signing_name,
        )
    host, netloc = _netloc(url)
    name = signing_name or _service_from_host(host, seen, netloc)
    clients = [c for c in (_client_for(name), _client_for(_SIGNING_TO_CLIENT.get(name or ""))) if c]
    for client in dict.fromkeys(clients):
        found = _operation(client, method, url, headers, body)
        if found is not None:
            from pytest_botowire.aws.models import service_id_of

            return Described(
                client, service_id_of(client), found[0], None, found[1], region, signing_name
            )
    if name and name in HTTP_SERVICES:
        service = name
    elif clients and clients[0] == name:
        service = clients[0]
    else:
        service = "unknown"
    service_id = service
    if service not in HTTP_SERVICES:
        from pytest_botowire.aws.models import service_id_of

        try:
            service_id = service_id_of(service)
        except Exception:
            service_id = service
    return Described(service, service_id, method, None, "", region, signing_name)


# -- the patches ---------------------------------------------------------------------------
@dataclass
class _Pending:
    """The decision for one request, handed from ``Session.send`` to the adapter layer."""

    request: Any
    #: ``None`` when capture failed (the request is then answered with an error)
    captured: CapturedRequest | None
    #: the ``WireResponse`` to answer with, or ``None`` to let the request through
    wire: Any


_PENDING: contextvars.ContextVar[_Pending | None] = contextvars.ContextVar(
    "botowire_requests_pending", default=None
)


class _Capture:
    """The patches of one test, started by the ``botowire`` fixture and stopped after it."""

    def __init__(self, recorder: Recorder, seen: _Seen) -> None:
        import requests
        import responses

        self.recorder = recorder
        self.seen = seen
        self._session_send: Callable[..., Any] = requests.Session.send
        self._original_adapter_send = responses_default_send()
        # what sends a request we let through: the adapter send in place now (the network, or
        # a mock started before this test's fixture)
        self.mock = requests_mock(self._answers, requests.adapters.HTTPAdapter.send)
        for verb in sorted(HTTP_METHODS):
            self.mock.add(
                responses.CallbackResponse(
                    verb,
                    re.compile(r".*"),
                    callback=self._respond,
                    content_type=None,
                    match=[self._is_pending],
                )
            )
        self._patcher: Any = None

    def _answers(self, request: Any) -> bool:
        """Whether botowire answers ``request`` (the ``responses`` mock's gate)."""
        pending = _PENDING.get()
        if pending is None or pending.request is not request:
            return False  # not an AWS request (or not sent through Session.send): untouched
        if pending.wire is None:
            if pending.captured is not None and pending.captured.answered_by is None:
                pending.captured.answered_by = self._below_us()
            return False
        return True

    # -- responses callbacks --------------------------------------------------------------
    @staticmethod
    def _is_pending(request: Any) -> tuple[bool, str]:
        pending = _PENDING.get()
        ok = pending is not None and pending.request is request and pending.wire is not None
        return ok, "" if ok else "not a request botowire answers"

    @staticmethod
    def _respond(request: Any) -> tuple[int, dict[str, str], bytes]:
        pending = _PENDING.get()
        if pending is None or pending.wire is None:  # _is_pending matched, so never
            raise RuntimeError("botowire: no answer decided for this request")
        wire = pending.wire
        return int(wire.status), dict(wire.headers), bytes(wire.body)

    # -- who is below or above us ---------------------------------------------------------
    def _other_mock(self, session: Any, url: str) -> bool:
        """Whether another requests mock (moto, responses, a mounted adapter) would answer."""
        from requests.adapters import HTTPAdapter

        ours = requests_mock_patch_target(self.mock)
        if ours is not None and HTTPAdapter.send is not ours:
            return True  # patched after us: it sees the request first
        if requests_mock_send(self.mock) is not self._original_adapter_send:
            return True  # patched before us: we hand it the request
        try:
            adapter = session.get_adapter(url=url)
        except Exception:
            return False
        return not isinstance(adapter, HTTPAdapter) or type(adapter).send is not HTTPAdapter.send

    def _below_us(self) -> str:
        if requests_mock_send(self.mock) is self._original_adapter_send:
            return "network"
        return "moto" if moto_requests_mock_active() else "other"

    # -- Session.send --------------------------------------------------------------------
    def _send(self, session: Any, request: Any, **kwargs: Any) -> Any:
        recorder = self.recorder
        url = str(getattr(request, "url", "") or "")
        if active() is not recorder or not url or not is_aws_url(url, self.seen):
            return self._session_send(session, request, **kwargs)
        try:
            captured = self._record(request)
        except Exception as exc:  # capture must never break the code under test
            message = recorder.error(f"requests {request.method} {url}", "capture failed", exc)
            if recorder.mode not in ("offline", "strict"):
                return self._session_send(session, request, **kwargs)
            # offline means offline, also when capture fails: an error answer, never the network
            token = _PENDING.set(_Pending(request, None, failure_wire(None, message)))
            try:
                return self._session_send(session, request, **kwargs)
            finally:
                _PENDING.reset(token)
        other = False
        try:
            other = self._other_mock(session, url)
            wire = self._decide(captured, other)
        except Exception as exc:
            # never another answer instead (nor the network): an error, and the test fails
            message = recorder.error(captured.name, "answering failed", exc)
            wire = failure_wire(self._operation_model(captured), message)
            captured.answered_by = "botowire"
        token = _PENDING.set(_Pending(request, captured, wire))
        try:
            response = self._session_send(session, request, **kwargs)
        finally:
            _PENDING.reset(token)
        if captured.status is None:
            captured.status = int(response.status_code)
        if captured.answered_by is None and other:
            captured.answered_by = "moto" if moto_requests_mock_active() else "other"
        return response

    def _record(self, request: Any) -> CapturedRequest:
        from pytest_botowire.model.request import CapturedRequest, snapshot_headers

        recorder = self.recorder
        headers = snapshot_headers(request.headers)
        snapshot = recorder.snapshot(request.body, headers)
        described = describe(
            str(request.method), str(request.url), headers, snapshot.data, self.seen
        )
        captured = CapturedRequest(
            service=described.service,
            service_id=described.service_id,
            operation=described.operation,
            method=str(request.method),
            url=str(request.url),
            headers=headers,
            snapshot=snapshot,
            params=described.params,
            attempt=1,
            protocol=described.protocol,
            test_id=recorder.test_id,
            region=described.region,
            signing_name=described.signing_name,
            credentials=_credentials_for(self.seen, headers, str(request.url)),
        )
        recorder.add(captured)
        return captured

    def _decide(self, captured: CapturedRequest, other_mock: bool) -> Any:
        """The ``WireResponse`` botowire answers with, or ``None`` to let the request through."""
        recorder = self.recorder
        model = self._operation_model(captured)
        if recorder.responses is not None:
            response = recorder.responses.take(captured)
            if response is not None:
                captured.answered_by = "botowire"
                if model is None or response.http:
                    from pytest_botowire.features.respond import http_answer

                    return http_answer(response)
                return response.wire(model)
        if recorder.mode not in ("offline", "strict") or other_mock:
            return None
        from pytest_botowire.aws.serialize import (
            WireResponse,
            serialize_response,
            synthesize_output,
        )
        from pytest_botowire.features.offline import strict_wire

        captured.answered_by = "botowire"
        if recorder.mode == "strict":
            recorder.unanswered.append(captured)
            return strict_wire(model, captured.name, "requests")
        if model is not None:
            return serialize_response(model, synthesize_output(model, captured.params or {}))
        return WireResponse(200, {"Content-Length": "0"}, b"")

    @staticmethod
    def _operation_model(captured: CapturedRequest) -> Any:
        if not captured.protocol or captured.operation in HTTP_METHODS:
            return None
        from pytest_botowire.aws.models import service_model

        try:
            return service_model(captured.service).operation_model(captured.operation)
        except Exception:
            return None

    # -- start and stop --------------------------------------------------------------------
    def start(self) -> None:
        from unittest import mock

        import requests

        self.mock.start()
        capture = self

        def send(session: Any, request: Any, **kwargs: Any) -> Any:
            return capture._send(session, request, **kwargs)

        self._patcher = mock.patch.object(requests.Session, "send", send)
        self._patcher.start()

    def stop(self) -> None:
        try:
            if self._patcher is not None:
                self._patcher.stop()
                self._patcher = None
        finally:
            self.mock.stop(allow_assert=False)
            self.mock.reset()


class SignerCredentials:
    """The credentials to check a ``requests`` call's signature with, and where they came from.

    ``source`` is ``"signer"`` for the credentials ``botocore.auth.SigV4Auth`` signed it with
    (seen at ``add_auth``), ``"session"`` when the signer was not seen: the credentials of a
    default botocore session then, resolved when the signature is first checked.
    """

    __slots__ = ("_frozen", "source")

    def __init__(self, frozen: Any, source: str) -> None:
        self._frozen = frozen
        self.source = source

    def get_frozen_credentials(self) -> Any:
        """``ReadOnlyCredentials`` (what ``aws.sigv4.verify_sigv4`` reads)."""
        if self._frozen is None:
            import botocore.session

            credentials = botocore.session.Session().get_credentials()
            if credentials is None:
                raise LookupError("no credentials in a default botocore session")
            self._frozen = credentials.get_frozen_credentials()
        return self._frozen


_SIGNATURE = re.compile(r"Signature=([0-9a-f]{64})")


def _signature_of(authorization: str | None, url: str) -> str | None:
    if authorization:
        found = _SIGNATURE.search(authorization)
        return found.group(1) if found else None
    for key, value in parse_qsl(urlsplit(url).query):
        if key == "X-Amz-Signature":
            return value
    return None


def _note_signer(signer: Any, request: Any) -> None:
    """After ``SigV4Auth.add_auth`` outside a client call: remember its credentials."""
    recorder = active()
    seen = _seen.get(recorder) if recorder is not None else None
    if seen is None:
        return
    headers = getattr(request, "headers", None) or {}
    signature = _signature_of(headers.get("Authorization"), str(getattr(request, "url", "")))
    credentials = getattr(signer, "credentials", None)
    if signature is None or credentials is None:
        return
    frozen = credentials.get_frozen_credentials()
    with seen.lock:
        seen.signers[signature] = SignerCredentials(frozen, "signer")


def _hook_sigv4_auth() -> None:
    """Wrap ``botocore.auth.SigV4Auth.add_auth`` to see the credentials code signs with.

    Idempotent per class object (a re-imported botocore gets the wrapper again).
    """
    from botocore.auth import SigV4Auth

    real = SigV4Auth.add_auth
    if getattr(real, "_botowire", False):
        return

    def add_auth(self: Any, request: Any) -> Any:
        result = real(self, request)
        if not handlers.in_client_call():  # a client's own signing is seen at before-sign
            with contextlib.suppress(Exception):
                _note_signer(self, request)
        return result

    add_auth.__wrapped__ = real  # type: ignore[attr-defined]
    add_auth._botowire = True  # type: ignore[attr-defined]
    # setattr: assigning a method is an error only with botocore-stubs (mypy runs both ways)
    setattr(SigV4Auth, "add_auth", add_auth)  # noqa: B010


def _credentials_for(seen: _Seen, headers: Any, url: str) -> Any:
    """What to check a captured ``requests`` call's signature with (see ``SignerCredentials``)."""
    authorization = headers.get("Authorization")
    signature = _signature_of(authorization, url)
    if signature is None:
        return None
    with seen.lock:
        known = seen.signers.get(signature)
    return known if known is not None else SignerCredentials(None, "session")


_captures: weakref.WeakKeyDictionary[Recorder, _Capture] = weakref.WeakKeyDictionary()
_observer_added = False


def start(recorder: Recorder, configured_hosts: Iterable[str] = ()) -> None:
    """Capture the test's AWS requests made with ``requests`` (no-op without ``requests``)."""
    global _observer_added
    if recorder in _captures:
        return
    try:
        import requests  # noqa: F401
        import responses  # noqa: F401
    except ImportError:
        return
    if not _observer_added:
        handlers.SIGN_OBSERVERS.append(observe_signing)
        _observer_added = True
    _hook_sigv4_auth()
    seen = _Seen(configured=_configured_hosts(configured_hosts))
    _seen[recorder] = seen
    capture = _Capture(recorder, seen)
    capture.start()
    _captures[recorder] = capture


def stop(recorder: Recorder) -> None:
    """Undo ``start`` (idempotent)."""
    capture = _captures.pop(recorder, None)
    _seen.pop(recorder, None)
    if capture is not None:
        capture.stop()
