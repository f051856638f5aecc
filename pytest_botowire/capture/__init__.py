"""Capture: the recorder, the botocore event handlers and their installation, credentials.

Offers the small interfaces integrations register through (response factories, credential
adapters, answer and signing observers). Imports only ``model`` and ``aws``.

The handlers and the recorder are loaded when first needed (botocore imported, a test
capturing), not at pytest start-up: the plugin reads only these constants then.
"""

#: the modes a test captures in (``--botowire-mode``, ``mark.botowire(mode=...)``)
MODES = ("offline", "passthrough", "strict")
#: bytes of each request body kept by default (``--botowire-body-cap``)
DEFAULT_BODY_CAP = 8 * 1024 * 1024
