"""Operators' password verifiers at the centre, and the rule a new password must meet (§10).

Only a verifier is stored, never the password: scrypt (in the standard library) with a random
16-byte salt, written ``scrypt$n$r$p$salt$digest`` (standard base64). The cost, about 50 ms
and 16 MiB, is nothing for one log-in and slow for anyone guessing against a stolen database.
A verifier carries its own parameters, so the cost can be raised later: a stored verifier with
other (sane) parameters still verifies, and `needs_rehash` says it should be re-derived at the
next successful log-in. Passwords are NFC-normalised first, so the same characters typed
through different input methods are the same password.

Each check holds 16 MiB for its 50 ms; at most `CHECKS_AT_ONCE` run together, so a burst of
log-ins queues for a moment instead of taking the centre's memory.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import threading
import unicodedata
from enum import StrEnum

SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
DKLEN = 32
SALT_BYTES = 16
CHECKS_AT_ONCE = 4
MIN_LENGTH = 8
MAX_LENGTH = 128
DIGITS_ONLY_MIN_LENGTH = 10

# Parameters a stored verifier may carry (anything else is refused, not tried).
_N_RANGE = (2**10, 2**17)
_R_RANGE = (1, 16)
_P_RANGE = (1, 4)
_checks = threading.BoundedSemaphore(CHECKS_AT_ONCE)
# What `burn` derives against: a check of a password nobody has, at the current cost.
_NOBODY_SALT = os.urandom(SALT_BYTES)


class Weakness(StrEnum):
    """Why a new password is refused (`rule` in the `password_weak` answer)."""

    TOO_SHORT = "too_short"  # under 8 characters
    TOO_LONG = "too_long"  # over 128 characters
    DIGITS_ONLY = "digits_only"  # only digits, and under 10 of them
    SAME_AS_OLD = "same_as_old"  # the password it replaces


def _normal(password: str) -> bytes:
    return unicodedata.normalize("NFC", password).encode("utf-8")


def _derive(password: str, salt: bytes, n: int, r: int, p: int, dklen: int = DKLEN) -> bytes:
    with _checks:
        return hashlib.scrypt(
            _normal(password),
            salt=salt,
            n=n,
            r=r,
            p=p,
            dklen=dklen,
            maxmem=128 * r * (n + p + 2) + (1 << 20),
        )


def make_verifier(password: str) -> str:
    """A new verifier of `password` with a fresh salt, at the current cost."""
    salt = os.urandom(SALT_BYTES)
    digest = _derive(password, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
    return (
        f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}$"
        f"{base64.b64encode(salt).decode()}${base64.b64encode(digest).decode()}"
    )


def _parts(verifier: str) -> tuple[int, int, int, bytes, bytes] | None:
    try:
        scheme, n_text, r_text, p_text, salt_b64, digest_b64 = verifier.split("$")
        n, r, p = int(n_text), int(r_text), int(p_text)
        salt = base64.b64decode(salt_b64, validate=True)
        digest = base64.b64decode(digest_b64, validate=True)
    except (ValueError, binascii.Error):
        return None
    sane = (
        scheme == "scrypt"
        and _N_RANGE[0] <= n <= _N_RANGE[1]
        and n & (n - 1) == 0
        and _R_RANGE[0] <= r <= _R_RANGE[1]
        and _P_RANGE[0] <= p <= _P_RANGE[1]
        and len(salt) >= 8
        and 16 <= len(digest) <= 64
    )
    return (n, r, p, salt, digest) if sane else None


def check(verifier: str | None, password: str) -> bool:
    """True when `password` matches `verifier`. With no verifier, or one this code does not
    read, it is False after the same work as a real check, so the answer takes as long."""
    parts = _parts(verifier) if verifier else None
    if parts is None:
        burn(password)
        return False
    n, r, p, salt, digest = parts
    return hmac.compare_digest(_derive(password, salt, n, r, p, len(digest)), digest)


def burn(password: str) -> None:
    """The work of one check, for answers that must not be told apart by their time (an
    unknown operator against a known one)."""
    _derive(password, _NOBODY_SALT, SCRYPT_N, SCRYPT_R, SCRYPT_P)


def needs_rehash(verifier: str) -> bool:
    """True when `verifier` was made at other parameters than the current ones."""
    parts = _parts(verifier)
    return parts is None or parts[:3] != (SCRYPT_N, SCRYPT_R, SCRYPT_P)


def weakness(new: str, old: str | None = None) -> Weakness | None:
    """Why `new` may not become a password, or None. The rule, kept simple on purpose: 8 to
    128 characters; digits only needs at least 10; not the password it replaces."""
    text = unicodedata.normalize("NFC", new)
    if len(text) < MIN_LENGTH:
        return Weakness.TOO_SHORT
    if len(text) > MAX_LENGTH:
        return Weakness.TOO_LONG
    if text.isdigit() and len(text) < DIGITS_ONLY_MIN_LENGTH:
        return Weakness.DIGITS_ONLY
    if old is not None and text == unicodedata.normalize("NFC", old):
        return Weakness.SAME_AS_OLD
    return None


WEAKNESS_TEXT: dict[Weakness, tuple[str, str]] = {
    Weakness.TOO_SHORT: (
        f"密码至少 {MIN_LENGTH} 位。",
        f"A password needs at least {MIN_LENGTH} characters.",
    ),
    Weakness.TOO_LONG: (
        f"密码不能超过 {MAX_LENGTH} 位。",
        f"A password has at most {MAX_LENGTH} characters.",
    ),
    Weakness.DIGITS_ONLY: (
        f"纯数字密码至少 {DIGITS_ONLY_MIN_LENGTH} 位；请加入字母或符号。",
        f"A password of digits only needs at least {DIGITS_ONLY_MIN_LENGTH}; add letters or "
        "symbols.",
    ),
    Weakness.SAME_AS_OLD: (
        "新密码不能与原密码相同。",
        "The new password must differ from the old one.",
    ),
}
