"""What the plugin does with captured requests: respond, offline answers, retries, gzip,
end-of-test checks, and the limits with their summary and reports.

Imports ``capture``, ``model`` and ``aws``; never an integration or the plugin.
"""
