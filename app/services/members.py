"""Employer and school stations serve their own insured members only (BRIEF §3).

The centre sends such a station the ID numbers of its members (protocol §7); the terminal
keeps a keyed token of each, never the number, and finds a person on the list by the token of
the number just read from the card.
"""

from __future__ import annotations

from app.crypto.field_cipher import FieldCipher

MEMBER_TOKEN_KIND = "member"


def member_token(cipher: FieldCipher, id_number: str) -> str:
    """The keyed token (HMAC) that stands for a member's ID number in the `member` table."""
    return cipher.search_token(MEMBER_TOKEN_KIND, id_number)
