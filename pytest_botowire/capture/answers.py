"""The response objects handed to botocore at ``before-send``.

A feature that answers a request (``respond``, the offline answers) builds a ``WireResponse``
(status, headers, body) and asks ``build_response`` for the object the sending client expects.
botocore's is an ``AWSResponse``; integrations register factories for clients that expect
another type (aiobotocore's ``AioAWSResponse``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from botocore.awsrequest import AWSResponse

    from pytest_botowire.aws.serialize import WireResponse

#: Builds the HTTP response object botocore expects from ``(url, WireResponse)``. aiobotocore
#: needs its own response type; the aiobotocore integration swaps this per request.
ResponseFactory = Callable[[str, "WireResponse"], "AWSResponse"]


def _default_factory(url: str, wire: WireResponse) -> AWSResponse:
    from pytest_botowire.aws.serialize import to_aws_response

    return to_aws_response(url, wire)


_factories: list[tuple[Callable[[], bool], ResponseFactory]] = []


def register_factory(applies: Callable[[], bool], factory: ResponseFactory) -> None:
    """Use ``factory`` for the requests where ``applies()`` is true (e.g. inside aiobotocore)."""
    _factories.append((applies, factory))


def build_response(url: str, wire: WireResponse) -> AWSResponse:
    """The response object for the client that sent the request at ``url``."""
    for applies, factory in _factories:
        if applies():
            return factory(url, wire)
    return _default_factory(url, wire)


class Answer:
    """A response the plugin chose to give at ``before-send``."""

    __slots__ = ("kind", "response")

    def __init__(self, response: AWSResponse | None, kind: str) -> None:
        self.response = response
        self.kind = kind


_CONSUME_STEP = 1024 * 1024


def consume_body(request: Any) -> None:
    """Read a streaming request body to its end, as sending it would, keeping nothing.

    Called once capture has taken its snapshot, by an answer that replaces the send: progress
    callbacks (s3transfer's ``ReadFileChunk``, ``upload_file(..., Callback=...)``) and code
    that watches the stream then see the same reads as on the network. ``bytes`` bodies have
    nothing to report; an asynchronous stream (aiobotocore) cannot be read from here.
    """
    body = getattr(request, "body", None)
    if body is None or isinstance(body, (bytes, bytearray, memoryview, str)):
        return
    read = getattr(body, "read", None)
    if read is None:
        return
    import inspect

    if inspect.iscoroutinefunction(read):
        return
    while read(_CONSUME_STEP):
        pass
