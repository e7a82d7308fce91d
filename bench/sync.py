"""How fast a full outbox drains to the centre, against one filing per request, and whether the
GUI stays responsive meanwhile.

What is measured: 10,000 queued filings (`--count`), one in ten carrying a unique ~200 KB
photo, drained to the reference centre (`yibao central serve`, a subprocess on 127.0.0.1 with
its own SQLite file and blob folder, started as the end-to-end tests start it). The filings
are queued through `FilingService` as the counter queues them, before any clock starts. The
drain is the real thing: the counter window (`build_counter_window`, offscreen) on the
activated data folder, whose `SyncController` runs `SyncEngine.run_once` on its worker thread
— uploading the photos, sending batches of up to 200 filings, recording every answer, then
pulling the status feed, reference data and the heartbeat. The window is let open and settle
first (first paint, the queue view's first load) and the run is then started with "sync now",
so opening the window, which has nothing to do with sync, is not blamed on the drain (its
stalls are printed on their own line). The drain's time is from the controller's `started`
signal to its `finished` signal (the report, with `remaining == 0`), measured on the GUI
thread. Figures: filings per second, MB per second (request bodies sent,
`SyncReport.bytes_sent`; the raw payload and photo bytes are shown too), and the longest stall
of the GUI event loop during the drain: a 5 ms timer on the GUI thread, a stall being the gap
between two of its timeouts minus 5 ms. What the window does right after the report
(refreshing the queue view) is shown on its own line.

Why this baseline: the same engine, the same centre process, the same filings shape (one in
ten with a photo of the same size), in the same run, with one change only —
`SyncEngine(ctx, batch_items=1)`, one filing per request, which is what a client without
batching would do. Everything per filing the protocol demands (photo upload, signing, the
centre's dedupe and durable insert, the client's durable record of the answer) is paid by both;
what batching can save is the per-request overhead. To keep the run short the baseline drains
a sample (`--baseline-count`, default 1,000) on its own station device, headless, before the
main drain; rates (filings per second) are compared, which barely depend on the count (what
a run costs whatever its size, reference data and heartbeat, is well under a second). The
baseline runs without the GUI competing for the interpreter, which if anything flatters it.

Where the time goes is printed too, from two clock reads around each part: wall time inside
`CentralClient` calls per endpoint (the client waiting for the centre: signing, loopback HTTP
and the centre's handling) and the client's own work between requests, with its main
`OutboxStore` steps named; and, for each GUI stall over 50 ms, what the sync thread was doing
meanwhile. `--profile DIR` adds a cProfile of the main drain's sync thread (figures are then
inflated by the profiler and not comparable to the targets).

Run: `.venv/bin/python bench/sync.py [--count N] [--baseline-count N] [--dir DIR]`. The last
line printed is one JSON object for CI and dashboards.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # run as a script from a checkout
    sys.path.insert(0, str(REPO))

os.environ["YIBAO_KEYRING"] = "file"  # never touch the OS keyring (set before app imports)
os.environ["QT_QPA_PLATFORM"] = "offscreen"  # a real window, drawn off screen

from PySide6.QtCore import (  # noqa: E402
    QEventLoop,
    QObject,
    QTimer,
    Slot,
)

from app.context import AppContext  # noqa: E402
from bench._qt_bench import bench_folder  # noqa: E402
from bench._sync_support import (  # noqa: E402
    PHOTO_EVERY,
    Clock,
    Drain,
    QueuedShape,
    SendClock,
    StallFigures,
    StallProbe,
    activated_folder,
    profiled_engine,
    queue_filings,
)
from sync.engine import SyncEngine, SyncReport  # noqa: E402
from tests.centre_process import Centre, running_centre  # noqa: E402
from ui.app import build_counter_window, ensure_application  # noqa: E402
from ui.sync_controller import SyncController  # noqa: E402

TARGET_DRAIN_SECONDS = 30.0
TARGET_RATIO = 5.0
TARGET_MAX_GUI_STALL_MS = 50.0
PROBE_INTERVAL_MS = 5
SETTLE_MS = 500  # after the report: let the window's refresh land, then stop


# ---- the baseline: one filing per request, headless -------------------------------------------
def drain_one_per_request(ctx: AppContext) -> Drain:
    engine = SyncEngine(ctx, batch_items=1)
    t0 = time.perf_counter()
    sent = SendClock(t0)
    with Clock().installed() as clock:
        report = engine.run_once(lambda p: sent(p.items_done, p.items_total))
    seconds = time.perf_counter() - t0
    return Drain(report, seconds, (sent.sent_at or t0 + seconds) - t0, clock)


# ---- the main drain: batched, in the counter window --------------------------------------------
@dataclass
class WindowDrain:
    drain: Drain
    during: StallFigures  # from the started signal to the report
    after: StallFigures  # the window's refresh after the report, until it settled
    opening: StallFigures  # opening the window, before the drain
    idle: StallFigures  # the same probe on an idle event loop, before the window opened


class Watcher(QObject):
    """Drives the window through its phases on the GUI thread and ends the loop when done:
    opening (first paint, the queue view's first load), the drain (from "sync now" to the
    report), and the refresh after the report."""

    def __init__(
        self,
        probe: StallProbe,
        loop: QEventLoop,
        sync: SyncController,
        db_pending: Callable[[], int],
    ) -> None:
        super().__init__()
        self.probe = probe
        self.loop = loop
        self.sync = sync
        self.started_at: float | None = None
        self.finished_at: float | None = None
        self.report: SyncReport | None = None
        self.sent: SendClock | None = None
        self.opening: StallFigures | None = None
        self.during: StallFigures | None = None
        self.after: StallFigures | None = None
        self._db_pending = db_pending
        sync.started.connect(self.on_started)
        sync.progressed.connect(self.on_progress)
        sync.finished.connect(self.on_finished)

    @Slot()
    def begin(self) -> None:
        self.probe.take()
        self.probe.record(True)
        QTimer.singleShot(SETTLE_MS, self.opened)

    @Slot()
    def opened(self) -> None:
        """Once the window is drawn and its first data has landed, press "sync now"."""
        if self._db_pending():
            QTimer.singleShot(50, self.opened)
            return
        self.opening = self.probe.take()
        self.sync.sync_now()

    @Slot()
    def on_started(self) -> None:
        if self.started_at is None:
            self.started_at = time.perf_counter()
            self.sent = SendClock(self.started_at)
            self.probe.t0 = self.started_at  # stalls are timed from the start of the drain

    @Slot(int, int, int)
    def on_progress(self, done: int, total: int, _sent: int) -> None:
        if self.sent is not None:
            self.sent(done, total)

    @Slot(object)
    def on_finished(self, report: object) -> None:
        if self.report is not None or not isinstance(report, SyncReport):
            return
        self.finished_at = time.perf_counter()
        self.report = report
        self.during = self.probe.take()  # recording goes on: the refresh after the report
        QTimer.singleShot(SETTLE_MS, self.settle)

    @Slot()
    def settle(self) -> None:
        if self._db_pending():
            QTimer.singleShot(50, self.settle)  # the queue view's refresh is still on its way
            return
        self.after = self.probe.take()
        self.loop.quit()


def idle_floor(probe: StallProbe, ms: int = 500) -> StallFigures:
    """The probe on an idle loop: what 'no stall' looks like on this machine."""
    loop = QEventLoop()
    probe.take()
    probe.record(True)
    QTimer.singleShot(ms, loop.quit)
    loop.exec()
    probe.record(False)
    return probe.take()


@contextlib.contextmanager
def controller_waits() -> Iterator[None]:
    """The counter window starts its controller's first run as it opens; here the run is
    started once the window is up instead (as "sync now" or the interval timer would), so
    the cost of opening the window is not blamed on the drain."""
    original = SyncController.start

    def held(self: SyncController) -> None:
        """Started below, by "sync now"."""

    SyncController.start = held  # type: ignore[method-assign]
    try:
        yield
    finally:
        SyncController.start = original  # type: ignore[method-assign]


def drain_in_window(ctx: AppContext, timeout_s: float) -> WindowDrain:
    ensure_application()
    probe = StallProbe(PROBE_INTERVAL_MS)
    probe.start()
    idle = idle_floor(probe)
    loop = QEventLoop()
    with Clock().installed() as clock:
        with controller_waits():
            window = build_counter_window(ctx, demo=False, language="zh_CN")
        sync = window.sync
        if sync is None:
            raise RuntimeError("the counter window has no sync controller (not activated?)")
        watcher = Watcher(probe, loop, sync, lambda: window.db_lane.pending)
        window.show()
        QTimer.singleShot(0, watcher.begin)
        QTimer.singleShot(int(timeout_s * 1000), loop.quit)
        try:
            loop.exec()
        finally:
            probe.record(False)
            probe.stop()
            window.shutdown()
            window.close()
            window.deleteLater()
    w = watcher
    if w.report is None or w.started_at is None or w.finished_at is None or w.after is None:
        raise RuntimeError(f"the drain did not finish within {timeout_s:.0f} s")
    assert w.sent is not None and w.during is not None and w.opening is not None
    seconds = w.finished_at - w.started_at
    sent_at = w.sent.sent_at or w.finished_at
    drain = Drain(w.report, seconds, sent_at - w.started_at, clock)
    return WindowDrain(drain, w.during, w.after, w.opening, idle)


# ---- the run ----------------------------------------------------------------------------------
@dataclass
class Result:
    main: WindowDrain
    main_shape: QueuedShape
    base: Drain
    base_shape: QueuedShape
    centre_filings: int
    profile_text: list[str]


def checked(drain: Drain, shape: QueuedShape, what: str) -> None:
    r = drain.report
    if r.error is not None or r.blocked is not None:
        raise SystemExit(f"{what}: the drain ended with an error: {r.error_en} ({r.blocked})")
    if r.remaining != 0 or r.acknowledged != shape.filings:
        raise SystemExit(
            f"{what}: {r.acknowledged} of {shape.filings} acknowledged, {r.remaining} remaining"
        )


def centre_filings(centre: Centre) -> int:
    out = centre.admin("stats", "--json")
    if out.returncode != 0:
        raise SystemExit(f"yibao central stats failed: {out.stderr}")
    return sum(int(s["filings"]) for s in json.loads(out.stdout)["stations"])


def run(args: argparse.Namespace, work_dir: Path) -> Result:
    photo = int(args.photo_bytes)
    with ExitStack() as stack:
        centre = stack.enter_context(running_centre(work_dir / "centre"))
        print(f"  centre: {centre.url} (pid {centre.process.pid})", flush=True)

        # The baseline first, on its own device, so its status feed is drained before the main
        # client is activated and neither run sees the other's filings.
        code = centre.seed_demo()["enrolment_code"]
        base_ctx = activated_folder(centre.url, code, work_dir / "baseline", "bench-baseline")
        stack.callback(base_ctx.close)
        base_shape = queue_filings(base_ctx, args.baseline_count, photo, args.seed + 1)
        print(
            f"  queued {base_shape.filings} filings for the baseline "
            f"in {base_shape.queue_seconds:.1f} s; draining one per request ...",
            flush=True,
        )
        base = drain_one_per_request(base_ctx)
        checked(base, base_shape, "baseline")

        code = centre.seed_demo()["enrolment_code"]
        ctx = activated_folder(centre.url, code, work_dir / "client", "bench-counter")
        stack.callback(ctx.close)
        main_shape = queue_filings(ctx, args.count, photo, args.seed)
        print(
            f"  queued {main_shape.filings} filings in {main_shape.queue_seconds:.1f} s; "
            "draining in the counter window ...",
            flush=True,
        )
        profile_text: list[str] = []
        with contextlib.ExitStack() as profiling:
            if args.profile is not None:
                args.profile.mkdir(parents=True, exist_ok=True)
                profile_text = profiling.enter_context(
                    profiled_engine(args.profile / "client-drain.pstats")
                )
            timeout = max(600.0, args.count / 10)
            main = drain_in_window(ctx, timeout)
        checked(main.drain, main_shape, "main drain")
        stored = centre_filings(centre)
        if stored != main_shape.filings + base_shape.filings:
            expected = main_shape.filings + base_shape.filings
            raise SystemExit(f"the centre holds {stored} filings, expected {expected}")
        return Result(main, main_shape, base, base_shape, stored, profile_text)


def print_drain(label: str, d: Drain, shape: QueuedShape) -> None:
    seconds = d.seconds
    c = d.clock
    own = seconds - c.request_seconds
    print(f"  {label}")
    print(
        f"    {shape.filings} filings ({shape.photos} with a photo) in {seconds:.2f} s: "
        f"{shape.filings / seconds:.1f} filings/s, "
        f"{d.report.bytes_sent / seconds / 1e6:.2f} MB/s sent "
        f"({d.report.bytes_sent / 1e6:.1f} MB of request bodies; "
        f"{shape.content_bytes / 1e6:.1f} MB of payloads and photos)"
    )
    print(
        f"    sending {d.send_seconds:.2f} s ({shape.filings / d.send_seconds:.1f} filings/s), "
        f"then status feed, reference, heartbeat {d.after_send_seconds:.2f} s"
    )
    print(f"    inside requests {c.request_seconds:.2f} s ({c.request_count} requests):")
    for name, e in sorted(c.requests.items(), key=lambda kv: -kv[1].seconds):
        print(
            f"      {name:<30}{e.calls:>6} x{e.seconds / e.calls * 1000:>8.2f} ms"
            f"{e.seconds:>9.2f} s{e.body_bytes / 1e6:>9.1f} MB"
        )
    print(f"    the client's own work {own:.2f} s:")
    named = 0.0
    for name, e in sorted(c.steps.items(), key=lambda kv: -kv[1].seconds):
        named += e.seconds
        each = e.seconds / e.calls * 1000
        print(f"      {name:<30}{e.calls:>6} x{each:>8.2f} ms{e.seconds:>9.2f} s")
    print(f"      {'everything else':<40}{own - named:>9.2f} s")


def print_stall_causes(s: StallFigures, clock: Clock) -> None:
    """What the sync thread was doing during each stall over 50 ms."""
    if not s.long:
        return
    causes: dict[str, list[float]] = {}
    for end, ms in s.long:
        causes.setdefault(clock.doing(end - (ms + PROBE_INTERVAL_MS) / 1000, end), []).append(ms)
    print("    the sync thread during the stalls over 50 ms:")
    for name, stalls in sorted(causes.items(), key=lambda kv: -len(kv[1])):
        print(f"      {name:<30}{len(stalls):>6} stalls, longest {max(stalls):.0f} ms")


def print_stalls(label: str, s: StallFigures) -> None:
    worst = ", ".join(f"{ms:.0f} ms at {at:.1f} s" for at, ms in s.worst[:3])
    print(
        f"    {label:<22} max {s.max_ms:6.1f} ms, p99 {s.p99_ms:5.1f} ms, "
        f"median {s.median_ms:4.1f} ms, over 16 ms {s.over_16ms}, over 50 ms {s.over_50ms}"
        f" ({s.ticks} ticks)" + (f"; worst {worst}" if s.max_ms > 16 else "")
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--count", type=int, default=10_000, help="filings in the main drain")
    parser.add_argument(
        "--baseline-count",
        type=int,
        default=1000,
        help="filings in the one-per-request baseline (a sample of the same shape)",
    )
    parser.add_argument("--photo-bytes", type=int, default=200_000, help="size of each photo")
    parser.add_argument(
        "--dir",
        type=Path,
        default=None,
        help="folder for the temporary data (default: .bench-tmp in the current folder)",
    )
    parser.add_argument("--seed", type=int, default=20240601)
    parser.add_argument(
        "--profile", type=Path, default=None, metavar="DIR", help="cProfile the main drain"
    )
    args = parser.parse_args(argv)
    if args.count < 1 or args.baseline_count < 1:
        parser.error("--count and --baseline-count must be at least 1")
    args.baseline_count = min(args.baseline_count, args.count)

    with bench_folder(args.dir, "sync-") as work_dir:
        print(
            f"sync benchmark: drain {args.count} queued filings (1 in {PHOTO_EVERY} with a "
            f"{args.photo_bytes / 1000:.0f} KB photo) to the reference centre on loopback; "
            f"baseline: {args.baseline_count} of the same shape, one filing per request"
        )
        print(f"  folder: {work_dir}", flush=True)
        result = run(args, work_dir)

    w, d, base = result.main, result.main.drain, result.base
    rate = args.count / d.seconds
    base_rate = args.baseline_count / base.seconds
    ratio = rate / base_rate
    send_ratio = (args.count / d.send_seconds) / (args.baseline_count / base.send_seconds)
    print_drain(
        "batched, in the counter window (up to 200 filings a request):", d, result.main_shape
    )
    print_drain("baseline, one filing per request (headless):", base, result.base_shape)
    print("  GUI event loop (5 ms timer on the GUI thread; stall = gap - 5 ms):")
    print_stalls("idle loop, no window", w.idle)
    print_stalls("opening the window", w.opening)
    print_stalls("during the drain", w.during)
    print_stall_causes(w.during, d.clock)
    print_stalls("refresh after report", w.after)
    for_10k = d.seconds * 10_000 / args.count  # the target is for 10,000; rates scale
    met_time = for_10k <= TARGET_DRAIN_SECONDS
    met_ratio = ratio >= TARGET_RATIO
    met_stall = w.during.max_ms <= TARGET_MAX_GUI_STALL_MS
    met = met_time and met_ratio and met_stall
    scale = "" if args.count == 10_000 else f" ({for_10k:.1f} s at this rate for 10,000)"
    print(
        f"  drain {d.seconds:.1f} s{scale} (target < {TARGET_DRAIN_SECONDS:.0f} s "
        f"for 10,000) -> {'met' if met_time else 'NOT met'}\n"
        f"  ratio batched/one-per-request {ratio:.2f} filings/s over filings/s "
        f"(sending only: {send_ratio:.2f}) (target >= {TARGET_RATIO:.0f}) -> "
        f"{'met' if met_ratio else 'NOT met'}\n"
        f"  longest GUI stall during the drain {w.during.max_ms:.1f} ms "
        f"(target <= {TARGET_MAX_GUI_STALL_MS:.0f} ms) -> {'met' if met_stall else 'NOT met'}"
    )
    if args.profile is not None:
        print(f"  profile of the main drain's sync thread: {args.profile / 'client-drain.pstats'}")
        print("  (profiled run: the figures above are inflated and not comparable)")
        for text in result.profile_text:
            print(text)
    report = {
        "bench": "sync",
        "figures": {
            "count": args.count,
            "photos": result.main_shape.photos,
            "seconds": round(d.seconds, 3),
            "send_seconds": round(d.send_seconds, 3),
            "seconds_for_10000": round(for_10k, 3),
            "filings_per_s": round(rate, 2),
            "mb_per_s": round(d.report.bytes_sent / d.seconds / 1e6, 3),
            "mb_sent": round(d.report.bytes_sent / 1e6, 2),
            "content_mb_per_s": round(result.main_shape.content_bytes / d.seconds / 1e6, 3),
            "requests": d.clock.request_count,
            "request_seconds": round(d.clock.request_seconds, 3),
            "baseline_count": args.baseline_count,
            "baseline_seconds": round(base.seconds, 3),
            "baseline_filings_per_s": round(base_rate, 2),
            "baseline_mb_per_s": round(base.report.bytes_sent / base.seconds / 1e6, 3),
            "ratio": round(ratio, 3),
            "send_ratio": round(send_ratio, 3),
            "max_gui_stall_ms": round(w.during.max_ms, 1),
            "p99_gui_stall_ms": round(w.during.p99_ms, 1),
            "gui_stalls_over_50ms": w.during.over_50ms,
            "max_gui_stall_after_report_ms": round(w.after.max_ms, 1),
            "max_gui_stall_opening_window_ms": round(w.opening.max_ms, 1),
            "idle_max_gui_stall_ms": round(w.idle.max_ms, 1),
            "profiled": args.profile is not None,
        },
        "targets": {
            "drain_seconds": TARGET_DRAIN_SECONDS,
            "ratio": TARGET_RATIO,
            "max_gui_stall_ms": TARGET_MAX_GUI_STALL_MS,
        },
        "met": met,
    }
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
