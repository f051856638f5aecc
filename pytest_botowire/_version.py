"""The package version (imported by the package and by the JSON report)."""

__version__ = "0.1.0"
