"""The bottom layer: what AWS and botocore define.

Service models and ids, patterns, content codecs, headers, redaction, SigV4 checking, wire
serialization of responses and the healthy-service rules, and ``compat``: every use of another
package's private names. Imports nothing else of the package.
"""
