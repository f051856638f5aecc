"""pytest-botowire: capture and assert what botocore really sends on the wire.

The package re-exports its public names; the plugin itself lives in ``pytest_botowire.plugin``
and the machinery in underscore modules, one per idea. Names are imported on first use
(PEP 562), so loading the plugin at pytest start-up does not load every module.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pytest_botowire._version import __version__ as __version__
    from pytest_botowire.features.checks import LimitExplanation
    from pytest_botowire.features.gzip import (
        DEFAULT_LEVEL,
        BotowireGzipWarning,
        GzipHandle,
        enable_gzip,
        gzip_request_body,
    )
    from pytest_botowire.features.gzip_fixture import BotowireGzip
    from pytest_botowire.features.limits.rules import Check, Rule
    from pytest_botowire.model.messages import BotowireWarning
    from pytest_botowire.model.request import CapturedRequest, Headers
    from pytest_botowire.wire import RequestSequence, Selection, Wire

_WHERE = {
    "__version__": "_version",
    "DEFAULT_LEVEL": "features.gzip",
    "BotowireGzip": "features.gzip_fixture",
    "BotowireGzipWarning": "features.gzip",
    "BotowireWarning": "model.messages",
    "CapturedRequest": "model.request",
    "Check": "features.limits.rules",
    "GzipHandle": "features.gzip",
    "Headers": "model.request",
    "LimitExplanation": "features.checks",
    "RequestSequence": "wire",
    "Rule": "features.limits.rules",
    "Selection": "wire",
    "Wire": "wire",
    "enable_gzip": "features.gzip",
    "gzip_request_body": "features.gzip",
}

__all__ = (
    "DEFAULT_LEVEL",
    "BotowireGzip",
    "BotowireGzipWarning",
    "BotowireWarning",
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


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'pytest_botowire' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"pytest_botowire.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted((*globals(), *__all__))
