"""pytest-botowire: capture and assert what botocore really sends on the wire.

The package re-exports its public names; the plugin itself lives in ``pytest_botowire.plugin``
and the machinery in underscore modules, one per idea.
"""

from __future__ import annotations

from pytest_botowire._checks import LimitExplanation
from pytest_botowire._gzip import (
    DEFAULT_LEVEL,
    BotowireGzipWarning,
    GzipHandle,
    enable_gzip,
    gzip_request_body,
)
from pytest_botowire._gzip_fixture import BotowireGzip
from pytest_botowire._limits import Check, Rule
from pytest_botowire._request import CapturedRequest, Headers
from pytest_botowire._wire import RequestSequence, Selection, Wire

__all__ = (
    "DEFAULT_LEVEL",
    "BotowireGzip",
    "BotowireGzipWarning",
    "CapturedRequest",
    "Check",
    "GzipHandle",
    "Headers",
    "LimitExplanation",
    "RequestSequence",
    "Rule",
    "Selection",
    "Wire",
    "enable_gzip",
    "gzip_request_body",
)
__version__ = "0.1.0"
