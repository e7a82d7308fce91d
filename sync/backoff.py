"""Exponential backoff with full jitter, capped, honouring the centre's Retry-After."""

from __future__ import annotations

import random


def next_delay(
    failures: int,
    *,
    base_s: float = 2.0,
    cap_s: float = 300.0,
    retry_after_s: float | None = None,
    rng: random.Random | None = None,
) -> float:
    """Seconds to wait after `failures` consecutive failed runs (1 for the first failure).

    Full jitter spreads thousands of terminals that lost the same network at the same moment,
    so they do not all come back at once; Retry-After is a floor, never shortened.
    """
    rng = rng or random.Random()
    ceiling = min(cap_s, base_s * (2 ** max(failures - 1, 0)))
    delay = rng.uniform(0, ceiling)
    if retry_after_s is not None:
        delay = max(delay, retry_after_s)
    return delay
