"""Time-ordered unique ids (UUID version 7, RFC 9562) for filings and outbox entries.

A filing's uid is its idempotency key and the key of its rows. Random (version 4) ids land
on a random B-tree leaf at every insert; time-ordered ids append to the last one, which keeps
the pages a save writes few and warm. Python 3.11 has no `uuid.uuid7`, hence these few lines.
"""

from __future__ import annotations

import os
import time


def new_uid() -> str:
    """48 bits of Unix milliseconds, version 7, then 74 random bits."""
    millis = time.time_ns() // 1_000_000
    rand = int.from_bytes(os.urandom(10), "big")
    value = (millis & ((1 << 48) - 1)) << 80
    value |= 0x7 << 76  # version
    value |= ((rand >> 62) & 0xFFF) << 64  # rand_a, 12 bits
    value |= 0b10 << 62  # variant
    value |= rand & ((1 << 62) - 1)  # rand_b, 62 bits
    h = f"{value:032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"
