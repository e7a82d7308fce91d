"""Yibao Station: domain and application services (no widgets, no Qt)."""

__version__ = "0.1.0"
