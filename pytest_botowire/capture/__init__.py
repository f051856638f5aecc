"""Capture: the recorder, the botocore event handlers and their installation, credentials.

Offers the small interfaces integrations register through (response factories, credential
adapters, answer and signing observers). Imports only ``model`` and ``aws``.
"""
