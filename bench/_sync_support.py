"""Helpers for bench/sync.py: a queued client folder, a request clock and a GUI stall probe.

Nothing here changes what is measured: the request clock wraps `CentralClient._call` with two
clock reads to say how much of a drain is spent waiting for the centre, per endpoint, and the
stall probe is one 5 ms timer on the GUI thread.
"""

from __future__ import annotations

import cProfile
import functools
import io
import pstats
import random
import re
import statistics
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Qt, QTimer, Slot

from app.context import AppContext
from app.drills import DrillFiler
from app.services.demo_data import demo_photo
from app.services.filing_service import Attachment
from app.store.blobs import BlobStore
from devices.simulated_identity import SimulatedIdentityReader
from sync.activation import activate
from sync.engine import SyncEngine, SyncReport
from sync.outbox import OutboxStore
from sync.transport import CentralClient

PHOTO_EVERY = 10  # one filing in ten carries a photo: the 10% of the issue
LONG_STALL_MS = 50.0


# ---- a client data folder with a full outbox ------------------------------------------------
@dataclass(frozen=True)
class QueuedShape:
    """What sits in a client's outbox before a drain (all of it is sent by the drain)."""

    filings: int
    photos: int
    payload_bytes: int  # frozen payloads, before base64
    attachment_bytes: int
    queue_seconds: float  # how long queueing took (not part of any figure compared)

    @property
    def content_bytes(self) -> int:
        return self.payload_bytes + self.attachment_bytes


def activated_folder(url: str, enrolment_code: str, folder: Path, name: str) -> AppContext:
    """A fresh client data folder activated with `enrolment_code`, after its first sync run
    (which fetches the roster, so an operator exists to file with)."""
    ctx = AppContext.open(folder)
    activate(ctx, url, enrolment_code, name)
    first = SyncEngine(ctx).run_once()
    if first.error is not None or first.remaining:
        ctx.close()
        raise RuntimeError(f"the first sync run of {name} failed: {first.error_en}")
    return ctx


def queue_filings(ctx: AppContext, count: int, photo_bytes: int, seed: int) -> QueuedShape:
    """Queue `count` filings the way the counter does, every tenth with a unique photo."""
    operator = ctx.stations.first_active_operator()
    if operator is None:
        raise RuntimeError("the centre's roster gave this station no operator")
    reader = SimulatedIdentityReader(seed=seed, read_delay=0)
    filer = DrillFiler(ctx, reader.read, seed, on_own_station=True, operator_code=operator)
    rng = random.Random(seed)
    photos = 0
    t0 = time.perf_counter()
    for n in range(count):
        attachments: list[Attachment] = []
        if n % PHOTO_EVERY == 0:
            attachments.append(Attachment("face_photo", demo_photo(rng, photo_bytes)))
            photos += 1
        filer.file(attachments)
    queue_seconds = time.perf_counter() - t0
    outgoing = OutboxStore(ctx.db, ctx.cipher).due(count + 1)
    if len(outgoing) != count:
        raise RuntimeError(f"{len(outgoing)} filings due after queueing {count}")
    return QueuedShape(
        filings=count,
        photos=photos,
        payload_bytes=sum(len(e.payload) for e in outgoing),
        attachment_bytes=sum(a.size for e in outgoing for a in e.attachments),
        queue_seconds=queue_seconds,
    )


# ---- how long requests take, per endpoint -----------------------------------------------------
_IDS = re.compile(r"/[0-9a-f]{64}|/[0-9a-f]{8}-[0-9a-f-]{27}")


def endpoint(method: str, path: str) -> str:
    """`PUT /attachments/{id}` for `PUT /attachments/5d41...?offset=0&size=9`."""
    return f"{method} {_IDS.sub('/{id}', path.split('?', 1)[0])}"


@dataclass
class Spent:
    calls: int = 0
    seconds: float = 0.0
    body_bytes: int = 0


# The client's own steps between requests that are worth naming (all on the sync thread).
STEPS: tuple[tuple[type, str], ...] = (
    (OutboxStore, "due"),
    (OutboxStore, "mark_sending"),
    (OutboxStore, "record_outcomes"),
    (OutboxStore, "apply_status_changes"),
    (OutboxStore, "prune_acknowledged"),
    (BlobStore, "get"),
)


@dataclass
class Clock:
    """Wall time of a drain's parts, from two clock reads around each: requests per endpoint
    (inside `CentralClient._call`: signing, the HTTP round trip, the centre's handling, parsing
    the answer) and the client's named steps between requests. Every part is also kept as a
    span, to tell what the sync thread was doing when the GUI stalled."""

    requests: dict[str, Spent] = field(default_factory=dict)
    steps: dict[str, Spent] = field(default_factory=dict)
    spans: list[tuple[str, float, float]] = field(default_factory=list)

    @property
    def request_seconds(self) -> float:
        return sum(e.seconds for e in self.requests.values())

    @property
    def request_count(self) -> int:
        return sum(e.calls for e in self.requests.values())

    def doing(self, start: float, end: float) -> str:
        """The shortest part that overlaps [start, end] (the innermost), or "other"."""
        best: tuple[float, str] | None = None
        for name, t0, t1 in self.spans:
            if t0 < end and t1 > start and (best is None or t1 - t0 < best[0]):
                best = (t1 - t0, name)
        return best[1] if best else "other"

    def _note(self, table: dict[str, Spent], name: str, t0: float, body: int = 0) -> None:
        t1 = time.perf_counter()
        slot = table.setdefault(name, Spent())
        slot.calls += 1
        slot.seconds += t1 - t0
        slot.body_bytes += body
        self.spans.append((name, t0, t1))

    @contextmanager
    def installed(self) -> Iterator[Clock]:
        clock = self
        call = CentralClient._call

        @functools.wraps(call)
        def timed_call(
            client: CentralClient, method: str, path: str, **kwargs: Any
        ) -> dict[str, Any]:
            t0 = time.perf_counter()
            try:
                return call(client, method, path, **kwargs)
            finally:
                body = len(kwargs.get("body", b""))
                clock._note(clock.requests, endpoint(method, path), t0, body)

        def timed_step(cls: type, name: str) -> Callable[..., Any]:
            step = getattr(cls, name)

            @functools.wraps(step)
            def timed(*args: Any, **kwargs: Any) -> Any:
                t0 = time.perf_counter()
                try:
                    return step(*args, **kwargs)
                finally:
                    clock._note(clock.steps, name, t0)

            return timed

        originals = [(cls, name, getattr(cls, name)) for cls, name in STEPS]
        CentralClient._call = timed_call  # type: ignore[method-assign,assignment]
        for cls, name, _ in originals:
            setattr(cls, name, timed_step(cls, name))
        try:
            yield self
        finally:
            CentralClient._call = call  # type: ignore[method-assign]
            for cls, name, step in originals:
                setattr(cls, name, step)


# ---- one drain's timeline ------------------------------------------------------------------------
@dataclass
class Drain:
    """One timed drain: wall time of the engine's run and of its sending part."""

    report: SyncReport
    seconds: float  # run_once, start to report (what the operator waits for)
    send_seconds: float  # until the last batch was answered (progress reached the total)
    clock: Clock

    @property
    def after_send_seconds(self) -> float:
        """Status feed, reference data, heartbeat and pruning after the last batch."""
        return self.seconds - self.send_seconds


class SendClock:
    """A progress callback that notes when the last batch was answered."""

    def __init__(self, t0: float) -> None:
        self.t0 = t0
        self.sent_at: float | None = None

    def __call__(self, done: int, total: int) -> None:
        if total and done >= total and self.sent_at is None:
            self.sent_at = time.perf_counter()


# ---- the GUI event loop's stalls ---------------------------------------------------------------
@dataclass(frozen=True)
class StallFigures:
    ticks: int
    max_ms: float
    p99_ms: float
    median_ms: float
    over_16ms: int
    over_50ms: int
    worst: list[tuple[float, float]]  # (at seconds since the drain started, stall ms)
    long: list[tuple[float, float]]  # (perf_counter at the end, stall ms) of those over 50 ms


class StallProbe(QObject):
    """A timer every `interval_ms` on the GUI thread. A stall is the gap between two
    consecutive timeouts minus the interval: how late the event loop came back to it."""

    def __init__(self, interval_ms: int = 5, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.interval_ms = interval_ms
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self._tick)
        self._last = 0.0
        self._recording = False
        self._samples: list[tuple[float, float]] = []
        self.t0 = time.perf_counter()
        self.gui_thread = threading.get_ident()

    def start(self) -> None:
        self._last = time.perf_counter()
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    def record(self, on: bool) -> None:
        """Start or stop keeping the gaps (the timer keeps running either way)."""
        self._recording = on

    def take(self) -> StallFigures:
        """The figures of what was recorded since the last `take`, which are then dropped."""
        samples, self._samples = self._samples, []
        stalls = sorted(s for _, s in samples) or [0.0]
        long = [(self.t0 + at, ms) for at, ms in samples if ms > LONG_STALL_MS]
        rank = max(1, round(0.99 * len(stalls) + 0.4999))
        worst = sorted(samples, key=lambda s: s[1], reverse=True)[:5]
        return StallFigures(
            ticks=len(samples),
            max_ms=stalls[-1],
            p99_ms=stalls[min(rank, len(stalls)) - 1],
            median_ms=statistics.median(stalls),
            over_16ms=sum(1 for s in stalls if s > 16),
            over_50ms=sum(1 for s in stalls if s > 50),
            worst=[(round(at, 3), round(ms, 1)) for at, ms in worst],
            long=long,
        )

    @Slot()
    def _tick(self) -> None:
        now = time.perf_counter()
        if self._recording:
            stall = max(0.0, (now - self._last) * 1000 - self.interval_ms)
            self._samples.append((now - self.t0, stall))
        self._last = now


# ---- profiling the client's sync thread ------------------------------------------------------
@contextmanager
def profiled_engine(out: Path) -> Iterator[list[str]]:
    """Profile every `SyncEngine.run_once` (in whatever thread runs it) into `out`; the
    caller gets a list that holds the printed top functions afterwards."""
    original = SyncEngine.run_once
    printed: list[str] = []

    @functools.wraps(original)
    def run_once(engine: SyncEngine, progress: Callable[..., None] | None = None) -> SyncReport:
        profile = cProfile.Profile()
        profile.enable()
        try:
            return original(engine, progress)
        finally:
            profile.disable()
            profile.dump_stats(out)
            for order in ("tottime", "cumulative"):
                text = io.StringIO()
                pstats.Stats(profile, stream=text).sort_stats(order).print_stats(25)
                printed.append(text.getvalue())

    SyncEngine.run_once = run_once  # type: ignore[method-assign,assignment]
    try:
        yield printed
    finally:
        SyncEngine.run_once = original  # type: ignore[method-assign]
