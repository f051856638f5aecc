"""The response objects handed to botocore at ``before-send``.

A feature that answers a request (``respond``, the offline answers) builds a ``WireResponse``
(status, headers, body) and asks ``build_response`` for the object the sending client expects.
botocore's is an ``AWSResponse``; integrations register factories for clients that expect
another type (aiobotocore's ``AioAWSResponse``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

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
