"""Field-by-field AES-GCM encryption and keyed search tokens for personal data.

One master key (from the keyring) is split with HKDF into an encryption key and a search key,
so the token that finds a person by ID number reveals nothing that decrypts anything. Each
ciphertext is bound to its column through the associated data, so a value copied into another
column does not decrypt there.
"""

from __future__ import annotations

import hashlib
import hmac
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from app.errors import UserFacingError

FORMAT_V1 = b"\x01"
NONCE_BYTES = 12
MASTER_KEY_BYTES = 32


class DecryptionError(UserFacingError):
    def __init__(self) -> None:
        super().__init__(
            "本地数据无法解密：密钥与数据不匹配。请联系技术人员。",
            "Local data cannot be decrypted: the key does not match the data. Call a technician.",
        )


def _derive(master: bytes, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(master)


class FieldCipher:
    """Encrypts and decrypts single values; thread-safe (AESGCM objects are stateless)."""

    def __init__(self, master_key: bytes) -> None:
        if len(master_key) != MASTER_KEY_BYTES:
            raise ValueError("master key must be 32 bytes")
        self._aead = AESGCM(_derive(master_key, b"yibao/field-encryption/v1"))
        self._search_key = _derive(master_key, b"yibao/search-token/v1")

    @staticmethod
    def new_master_key() -> bytes:
        return os.urandom(MASTER_KEY_BYTES)

    def encrypt(self, plaintext: bytes, context: str) -> bytes:
        nonce = os.urandom(NONCE_BYTES)
        return FORMAT_V1 + nonce + self._aead.encrypt(nonce, plaintext, context.encode())

    def decrypt(self, blob: bytes, context: str) -> bytes:
        if not blob or blob[:1] != FORMAT_V1:
            raise DecryptionError()
        nonce = blob[1 : 1 + NONCE_BYTES]
        try:
            return self._aead.decrypt(nonce, blob[1 + NONCE_BYTES :], context.encode())
        except InvalidTag as exc:
            raise DecryptionError() from exc

    def encrypt_text(self, text: str | None, context: str) -> bytes | None:
        return None if text is None else self.encrypt(text.encode("utf-8"), context)

    def decrypt_text(self, blob: bytes | None, context: str) -> str | None:
        return None if blob is None else self.decrypt(blob, context).decode("utf-8")

    def search_token(self, kind: str, value: str) -> str:
        """A keyed hash to look a person up by document number without storing the number."""
        normalized = value.strip().upper()
        message = f"{kind}:{normalized}".encode()
        return hmac.new(self._search_key, message, hashlib.sha256).hexdigest()
