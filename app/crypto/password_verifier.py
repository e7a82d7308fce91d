"""Password verifiers: what is kept so a password can be checked later without keeping it.

scrypt (in the standard library) with a random 16-byte salt, encoded as
``scrypt$n$r$p$salt$digest`` (base64). The cost, about 50 ms on a small station PC, is cheap
for one log-in and slow for anyone guessing against a stolen data folder. A verifier with
other parameters is refused rather than guessed at, so the cost can be raised later by
re-deriving at the next successful log-in.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os

SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
_DKLEN = 32


def _derive(password: str, salt: bytes) -> bytes:
    return hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=_DKLEN
    )


def make_verifier(password: str) -> str:
    salt = os.urandom(16)
    digest = _derive(password, salt)
    return (
        f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}$"
        f"{base64.b64encode(salt).decode()}${base64.b64encode(digest).decode()}"
    )


def check_verifier(verifier: str, password: str) -> bool:
    """True when `password` matches; False for a wrong one or a verifier this code can't read."""
    try:
        scheme, n, r, p, salt_b64, digest_b64 = verifier.split("$")
        if scheme != "scrypt" or (int(n), int(r), int(p)) != (SCRYPT_N, SCRYPT_R, SCRYPT_P):
            return False
        salt, digest = base64.b64decode(salt_b64), base64.b64decode(digest_b64)
    except ValueError:
        return False
    return hmac.compare_digest(_derive(password, salt), digest)
