"""Request signing (protocol §4): HMAC-SHA256 over method, path, timestamp, nonce, body hash."""

from __future__ import annotations

import hashlib
import hmac
import secrets

HEADER_DEVICE = "X-Yibao-Device"
HEADER_TIMESTAMP = "X-Yibao-Timestamp"
HEADER_NONCE = "X-Yibao-Nonce"
HEADER_SIGNATURE = "X-Yibao-Signature"


def string_to_sign(method: str, path: str, timestamp: int, nonce: str, body: bytes) -> bytes:
    """The five lines both sides hash; `path` includes the query string exactly as sent."""
    body_hash = hashlib.sha256(body).hexdigest()
    return "\n".join([method.upper(), path, str(timestamp), nonce, body_hash]).encode()


def signature(
    secret: bytes, method: str, path: str, timestamp: int, nonce: str, body: bytes
) -> str:
    message = string_to_sign(method, path, timestamp, nonce, body)
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


def signed_headers(
    device_id: str, secret: bytes, method: str, path: str, body: bytes, timestamp: int
) -> dict[str, str]:
    nonce = secrets.token_hex(16)
    return {
        HEADER_DEVICE: device_id,
        HEADER_TIMESTAMP: str(timestamp),
        HEADER_NONCE: nonce,
        HEADER_SIGNATURE: signature(secret, method, path, timestamp, nonce, body),
    }
