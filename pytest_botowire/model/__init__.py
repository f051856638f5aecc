"""What a test reads: the captured request, its assertions, shapes and every failure text.

Imports only ``aws``.
"""
