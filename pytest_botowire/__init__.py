"""pytest-botowire: capture and assert what botocore really sends on the wire.

The package re-exports its public names; the plugin itself lives in ``pytest_botowire.plugin``
and the machinery in underscore modules, one per idea.
"""

from __future__ import annotations

from pytest_botowire._request import CapturedRequest, Headers
from pytest_botowire._wire import RequestSequence, Selection, Wire

__all__ = ("CapturedRequest", "Headers", "RequestSequence", "Selection", "Wire")
__version__ = "0.1.0"
