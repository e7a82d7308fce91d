"""The sync engine's bookkeeping that needs no centre: attention, lease, backoff."""

from __future__ import annotations

import datetime as dt
import random

from sqlalchemy import select, update

from app.context import AppContext
from app.drills import DrillFiler
from app.store.models import OutboxEntry
from devices.simulated_identity import SimulatedIdentityReader
from sync.backoff import next_delay
from sync.engine import SyncEngine
from sync.state import SyncStateStore


def test_old_unsent_filings_need_attention_even_when_nothing_can_be_sent(ctx: AppContext) -> None:
    filer = DrillFiler(ctx, SimulatedIdentityReader(seed=1, read_delay=0).read, 1)
    for _ in range(3):
        filer.file()
    two_days_ago = dt.datetime.now(dt.UTC).replace(tzinfo=None) - dt.timedelta(days=2)
    with ctx.db.write() as s:
        keys = list(s.execute(select(OutboxEntry.idempotency_key).limit(2)).scalars())
        s.execute(
            update(OutboxEntry)
            .where(OutboxEntry.idempotency_key.in_(keys))
            .values(created_at=two_days_ago)
        )
    report = SyncEngine(ctx).run_once()  # the demo station is not activated
    assert not report.ran and report.blocked == "blocked_config"
    assert report.remaining == 3
    assert report.needs_attention == 2
    assert "激活" in (report.error or "")


def test_lease_allows_one_sender(ctx: AppContext) -> None:
    state = SyncStateStore(ctx.db)
    assert state.acquire_lease("a", 60)
    assert not state.acquire_lease("b", 60)
    assert state.acquire_lease("a", 60)  # renewing one's own lease
    state.release_lease("a")
    assert state.acquire_lease("b", 60)
    state.release_lease("b")
    assert state.acquire_lease("c", -1)  # an expired lease is free for anyone
    assert state.acquire_lease("d", 60)


def test_backoff_is_capped_jittered_and_honours_retry_after() -> None:
    rng = random.Random(3)
    delays = [next_delay(n, base_s=2, cap_s=60, rng=rng) for n in range(1, 12)]
    assert all(0 <= d <= 60 for d in delays)
    assert max(delays) > 10  # it does grow
    assert len({round(d, 3) for d in delays}) == len(delays)  # jittered, not a fixed ladder
    assert next_delay(1, base_s=2, cap_s=60, retry_after_s=30, rng=rng) >= 30
