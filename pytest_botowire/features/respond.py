"""``botowire.respond``: wire-level answers, queued per pattern, given at ``before-send``.

A registered response is serialized into the operation's own protocol when a request uses
it, then parsed by botocore as if AWS had sent it: the client returns exactly what it would
return, an error raises the modeled exception class, and botocore's retry logic runs on
throttling and 5xx errors as it would against AWS.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol

from pytest_botowire.aws.models import service_model
from pytest_botowire.aws.patterns import Pattern, parse_patterns
from pytest_botowire.model.assertions import check_int
from pytest_botowire.model.messages import plural


class _Target(Protocol):
    """What a response is matched against: a captured request or a call being sent."""

    service: str
    operation: str


if TYPE_CHECKING:
    from botocore.awsrequest import AWSPreparedRequest, AWSResponse


class Response:
    """One ``botowire.respond(...)`` registration; ``used`` counts the requests it answered."""

    __slots__ = (
        "data",
        "error",
        "headers",
        "http",
        "message",
        "patterns",
        "status",
        "times",
        "used",
    )

    def __init__(
        self,
        patterns: tuple[Pattern, ...],
        data: Any,
        *,
        error: str | None,
        message: str | None,
        status: int | None,
        headers: Mapping[str, str] | None,
        times: int | None,
        http: bool = False,
    ) -> None:
        #: an API with no botocore model (named by signing name and HTTP method): ``data`` is
        #: the body itself (JSON-able or bytes)
        self.http = http
        self.patterns = patterns
        self.data = data
        self.error = error
        self.message = message
        self.status = status
        self.headers = dict(headers) if headers else None
        self.times = times
        #: how many requests this response answered so far
        self.used = 0

    @property
    def exhausted(self) -> bool:
        """Whether it answered ``times`` requests already."""
        return self.times is not None and self.used >= self.times

    def wire(self, operation_model: Any) -> Any:
        """The ``WireResponse`` this registration answers with, in the operation's protocol.

        The one builder of a registered answer, for every path that answers (botocore at
        ``before-send``, the ``requests`` integration): an error's status is the one given,
        else the error's modeled status (``NoSuchKey`` is 404), else 400.
        """
        from pytest_botowire.aws.serialize import serialize_error, serialize_response

        if self.error is not None:
            return serialize_error(
                operation_model,
                self.error,
                self.message or "",
                status=self.status,
                headers=self.headers,
            )
        return serialize_response(
            operation_model, self.data or {}, status=self.status, headers=self.headers
        )

    def matches(self, request: _Target) -> bool:
        """Whether ``request`` is one this response is for."""
        return any(p.matches(request.service, request.operation) for p in self.patterns)

    def describe(self) -> str:
        """``'sqs.SendMessage' -> error ThrottlingException (400), used 0 of 2 times``."""
        target = " or ".join(repr(p.text) for p in self.patterns)
        if self.error is not None:
            what = f"error {self.error}" + (f" ({self.status})" if self.status is not None else "")
        else:
            what = "data" if self.data else "an empty success"
            if self.status is not None:
                what += f" ({self.status})"
        times = "every time" if self.times is None else plural(self.times, "time")
        return f"{target} -> {what}, used {self.used} of {times}"

    def __repr__(self) -> str:
        return f"<Response {self.describe()}>"


def _check_times(times: object) -> int | None:
    __tracebackhide__ = True
    if times is None:
        return None
    return check_int(times, "times", expected="a whole number or None", minimum=1)


def _check_status(status: object) -> int | None:
    __tracebackhide__ = True
    if status is None:
        return None
    return check_int(
        status, "status", expected="an HTTP status code from 100 to 599", minimum=100, maximum=599
    )


def _check_headers(headers: object) -> Mapping[str, str] | None:
    __tracebackhide__ = True
    if headers is None:
        return None
    if not isinstance(headers, Mapping) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in headers.items()
    ):
        raise TypeError("headers must be a dict of str to str")
    return headers


def _is_http(pattern: Pattern) -> bool:
    """Whether a pattern names an API with no botocore model (``execute-api.POST``)."""
    from pytest_botowire.aws.models import HTTP_METHODS, HTTP_SERVICES

    return pattern.operation in HTTP_METHODS or (
        pattern.service in HTTP_SERVICES and pattern.operation is None
    )


def _check_http_body(data: object) -> None:
    """A body for an API with no model: bytes, str or anything ``json.dumps`` takes."""
    if data is None or isinstance(data, (bytes, bytearray, str)):
        return
    import json

    try:
        json.dumps(data)
    except (TypeError, ValueError) as exc:
        raise TypeError(
            "respond() data for an API with no botocore model is the response body: bytes, "
            f"str or a JSON-able value (dict, list, number), not {type(data).__name__} ({exc})"
        ) from None


def http_answer(response: Response) -> Any:
    """The ``WireResponse`` of a registered answer for an API with no botocore model.

    ``data`` is the body: bytes as they are, ``str`` as UTF-8, anything else as JSON.
    ``error=`` gives the status (default 400) and a JSON body ``{"__type", "message"}`` with the
    ``x-amzn-ErrorType`` header, as API Gateway and most AWS JSON APIs send errors.
    """
    import json

    from pytest_botowire.aws.serialize import REQUEST_ID, WireResponse

    headers = {"x-amzn-RequestId": REQUEST_ID}
    if response.error is not None:
        status = response.status or 400
        body = json.dumps({"__type": response.error, "message": response.message or ""}).encode()
        headers["x-amzn-ErrorType"] = response.error
        headers["Content-Type"] = "application/json"
    else:
        status = response.status or 200
        data = response.data
        if data is None:
            body = b""
        elif isinstance(data, (bytes, bytearray)):
            body = bytes(data)
            headers["Content-Type"] = "application/octet-stream"
        elif isinstance(data, str):
            body = data.encode("utf-8")
            headers["Content-Type"] = "text/plain; charset=utf-8"
        else:
            body = json.dumps(data).encode("utf-8")
            headers["Content-Type"] = "application/json"
    lowered = {name.lower(): name for name in headers}
    for name, value in (response.headers or {}).items():
        headers.pop(lowered.get(name.lower(), name), None)
        headers[name] = value
    headers["Content-Length"] = str(len(body))
    return WireResponse(status=status, headers=headers, body=body)


class Responses:
    """The responses a test registered, consulted in registration order."""

    def __init__(self) -> None:
        self._items: list[Response] = []
        self._lock = threading.Lock()

    def add(
        self,
        pattern: str | Sequence[str],
        data: Any = None,
        *,
        error: str | None = None,
        message: str | None = None,
        status: int | None = None,
        headers: Mapping[str, str] | None = None,
        times: int | None = None,
    ) -> Response:
        """Validate and queue a response (see ``Wire.respond``)."""
        __tracebackhide__ = True
        patterns = parse_patterns(pattern, "respond()")
        times = _check_times(times)
        status = _check_status(status)
        headers = _check_headers(headers)
        if error is not None:
            if not isinstance(error, str) or not error:
                raise TypeError(
                    f"error must be an error code such as 'ThrottlingException', not {error!r}"
                )
            if data is not None:
                raise ValueError("respond() takes data or error, not both")
            if status is not None and status < 300:
                raise ValueError(f"an error response needs an error status (300-599), not {status}")
        if message is not None and not isinstance(message, str):
            raise TypeError(f"message must be a str, not {type(message).__name__} ({message!r})")
        if message is not None and error is None:
            raise ValueError("message= goes with error=; for a successful response pass data=")
        http = all(_is_http(p) for p in patterns)
        if http:
            _check_http_body(data)
        elif any(_is_http(p) for p in patterns) and data is not None:
            raise ValueError(
                "respond() data for an API with no botocore model (a 'service.METHOD' pattern) "
                "and for a botocore operation cannot be shared: register them separately"
            )
        elif data is not None:
            if not isinstance(data, Mapping):
                raise TypeError(
                    f"data must be a dict shaped like the client method's return value, not {type(data).__name__}"
                )
            self._validate(patterns, data)
        response = Response(
            patterns,
            data,
            error=error,
            message=message,
            status=status,
            headers=headers,
            times=times,
            http=http,
        )
        with self._lock:
            self._items.append(response)
        return response

    @staticmethod
    def _validate(patterns: tuple[Pattern, ...], data: Mapping[str, Any]) -> None:
        __tracebackhide__ = True
        from pytest_botowire.aws.serialize import validate_output

        if not data:
            return  # an empty success fits every output shape
        for pattern in patterns:
            if pattern.service is None or pattern.operation is None or "*" in pattern.operation:
                raise ValueError(
                    f"respond({pattern.text!r}, data=...) needs a pattern naming one operation "
                    "(like 'sqs.ReceiveMessage') so that data can be checked against its output shape"
                )
            model = service_model(pattern.service).operation_model(pattern.operation)
            try:
                validate_output(model, data)
            except (TypeError, ValueError) as exc:
                # The message names the path in ``data``; the validator's frames are noise
                # above it. Raised again from here (hidden too), the traceback stops at the
                # test's ``respond(...)`` line, as an assertion's does.
                raise exc.with_traceback(None) from None

    def take(self, request: _Target) -> Response | None:
        """The response for ``request`` (counted as used), or ``None``."""
        if not self._items:  # most tests register nothing: no lock taken per request
            return None
        with self._lock:
            for response in self._items:
                if not response.exhausted and response.matches(request):
                    response.used += 1
                    return response
        return None

    def unused(self) -> list[Response]:
        """Responses that did not answer as many requests as they were registered for."""
        with self._lock:
            return [
                r for r in self._items if r.used == 0 or (r.times is not None and r.used < r.times)
            ]

    def __len__(self) -> int:
        return len(self._items)

    def answer(self, call: Any, request: AWSPreparedRequest) -> AWSResponse | None:
        """``Recorder.first_responder``: the response for a matching request, else None.

        ``call`` is the call being sent (``service``, ``operation``, ``model``). Raises when
        the registered answer cannot be built: the capture handlers report that, naming the
        request, and answer with an error instead.
        """
        response = self.take(call)
        if response is None:
            return None
        from pytest_botowire.capture.answers import build_response

        # the streaming body is read to its end (as a send would) once every before-send
        # handler ran, by capture.handlers.choose_answer
        if response.http:
            return build_response(str(request.url), http_answer(response))
        operation_model = call.model
        if operation_model is None:
            operation_model = service_model(call.service).operation_model(call.operation)
        return build_response(str(request.url), response.wire(operation_model))
