"""Delivery of queued filings to the central platform (not built yet: see README)."""
