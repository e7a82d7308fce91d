"""Encryption of personal data at rest, with keys from the OS keyring."""
