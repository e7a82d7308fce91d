"""How long a durable save of one filing takes, against the floor the disk itself sets.

What is measured: `FilingService.submit(request)` — the same call the counter window makes when
the operator presses "save" — on a real data folder opened with `AppContext.open` (encrypted
store, file keyring, bundled catalog, demo station). One submit checks that the validated form
belongs to the item and the person, freezes and encrypts the payload, and commits the filing,
its first state and its outbox entry in one `synchronous=FULL` transaction. The person was
recorded when the card was read (`PersonService.record`, as the counter does) and the form was
validated when Save was pressed (on the GUI thread; the validated form travels with the
request), so both are built with the requests, before the clock starts. Validation is timed
on its own and printed too.

Why this baseline: with `synchronous=FULL` a commit cannot return before the disk has confirmed
the write, so the fsync behind one commit is the floor no correct implementation can go below,
and it varies a lot between machines (SSD, eMMC, spinning disk, VM). The baseline therefore is
the cheapest durable write there is on the same disk, in the same run: a bare `sqlite3` insert
of one row carrying a ~1 KB blob (about the size of one encrypted filing payload), committed in
its own transaction, into a fresh database file in the same folder with the same pragmas
(WAL, synchronous=FULL, foreign keys on). The ratio filing/baseline then says how much the
application adds on top of the unavoidable fsync, independent of the hardware. The two are
interleaved (A, B, A, B, ...) after a warm-up, so background noise hits both alike.

Run: `.venv/bin/python bench/enqueue.py [--count N] [--dir DIR]`. The last line printed is one
JSON object for CI and dashboards.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import os
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # run as a script from a checkout
    sys.path.insert(0, str(REPO))

os.environ["YIBAO_KEYRING"] = "file"  # never touch the OS keyring (set before app imports)

from app.context import AppContext  # noqa: E402
from app.drills import DrillFiler  # noqa: E402
from app.services.filing_service import FilingRequest, FilingService  # noqa: E402
from app.validation import validate_form  # noqa: E402
from devices.simulated_identity import SimulatedIdentityReader  # noqa: E402

TARGET_RATIO_MEDIAN = 2.0
WARMUP = 50
BASELINE_BLOB_BYTES = 1024
BASELINE_PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=FULL",
    "PRAGMA foreign_keys=ON",
)


def build_requests(
    ctx: AppContext, count: int, seed: int
) -> tuple[FilingService, list[FilingRequest], list[int]]:
    """The demo station's service, `count` valid requests and their validation times.

    Each request is built as the counter window builds it: the card is read and the person
    recorded (when the card is put on the reader), then the form is validated on the GUI
    thread when Save is pressed, and the validated form travels with the request, so the
    database lane does not validate it again. Validation is timed here, separately.
    """
    drills = DrillFiler(ctx, SimulatedIdentityReader(seed=seed, read_delay=0).read, seed)
    catalog = ctx.catalog.current()
    requests: list[FilingRequest] = []
    validate_ns: list[int] = []
    for _ in range(count):
        request = drills.request()
        item = catalog.item(request.item_code)
        t0 = time.perf_counter_ns()
        checked = validate_form(item, request.values, prefill=request.person.read.prefill())
        validate_ns.append(time.perf_counter_ns() - t0)
        requests.append(dataclasses.replace(request, validated=checked))
    return drills.service, requests, validate_ns


class Baseline:
    """One-row durable inserts with bare sqlite3, same pragmas, same disk."""

    def __init__(self, path: Path, seed: int) -> None:
        self._conn = sqlite3.connect(path, isolation_level=None)
        for pragma in BASELINE_PRAGMAS:
            self._conn.execute(pragma)
        self._conn.execute(
            "CREATE TABLE item (id INTEGER PRIMARY KEY, uid TEXT UNIQUE NOT NULL, body BLOB)"
        )
        self._rng = random.Random(seed)
        self._n = 0

    def row(self) -> tuple[str, bytes]:
        """Made outside the timed part, like the filing requests."""
        self._n += 1
        return f"row-{self._n:08d}", self._rng.randbytes(BASELINE_BLOB_BYTES)

    def insert(self, row: tuple[str, bytes]) -> None:
        self._conn.execute("BEGIN IMMEDIATE")
        self._conn.execute("INSERT INTO item (uid, body) VALUES (?, ?)", row)
        self._conn.execute("COMMIT")

    def close(self) -> None:
        self._conn.close()


def percentile(sorted_ns: list[int], p: float) -> int:
    """Nearest-rank percentile of an already sorted list."""
    rank = max(1, round(p / 100 * len(sorted_ns) + 0.4999))
    return sorted_ns[min(rank, len(sorted_ns)) - 1]


def summary(samples_ns: list[int]) -> dict[str, float]:
    ordered = sorted(samples_ns)
    return {
        "median_ms": statistics.median(ordered) / 1e6,
        "p99_ms": percentile(ordered, 99) / 1e6,
        "mean_ms": statistics.fmean(ordered) / 1e6,
        "min_ms": ordered[0] / 1e6,
        "max_ms": ordered[-1] / 1e6,
    }


def run(count: int, work_dir: Path, seed: int) -> dict[str, object]:
    ctx = AppContext.open(work_dir / "data")
    baseline = Baseline(work_dir / "baseline.db", seed)
    try:
        service, requests, validate_ns = build_requests(ctx, WARMUP + count, seed)
        rows = [baseline.row() for _ in range(WARMUP + count)]
        filing_ns: list[int] = []
        sqlite_ns: list[int] = []
        clock = time.perf_counter_ns
        for n, (request, row) in enumerate(zip(requests, rows, strict=True)):
            t0 = clock()
            service.submit(request)
            t1 = clock()
            baseline.insert(row)
            t2 = clock()
            if n >= WARMUP:
                filing_ns.append(t1 - t0)
                sqlite_ns.append(t2 - t1)
        integrity = ctx.db.integrity_check()
        if integrity != "ok":
            raise SystemExit(f"integrity check failed after the run: {integrity}")
    finally:
        baseline.close()
        ctx.close()
    filing = summary(filing_ns)
    bare = summary(sqlite_ns)
    checks = summary(validate_ns[WARMUP:])
    return {"filing": filing, "sqlite": bare, "validate": checks, "count": count}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--count", type=int, default=2000, help="timed saves of each kind")
    parser.add_argument(
        "--dir",
        type=Path,
        default=None,
        help="folder for the temporary data (default: .bench-tmp in the current folder)",
    )
    parser.add_argument("--seed", type=int, default=20240601)
    args = parser.parse_args(argv)
    if args.count < 1:
        parser.error("--count must be at least 1")

    parent: Path = args.dir if args.dir is not None else Path.cwd() / ".bench-tmp"
    created_parent = not parent.exists()
    parent.mkdir(parents=True, exist_ok=True)
    work_dir = Path(tempfile.mkdtemp(prefix="enqueue-", dir=parent))
    try:
        print(f"enqueue benchmark: {args.count} timed saves of each kind after {WARMUP} warm-up")
        print(f"  folder: {work_dir}")
        result = run(args.count, work_dir, args.seed)
    finally:
        shutil.rmtree(work_dir, ignore_errors=True)
        if created_parent:
            with contextlib.suppress(OSError):  # someone else put something there: leave it
                parent.rmdir()

    filing = result["filing"]
    bare = result["sqlite"]
    checks = result["validate"]
    assert isinstance(filing, dict) and isinstance(bare, dict) and isinstance(checks, dict)
    ratio_median = filing["median_ms"] / bare["median_ms"]
    ratio_p99 = filing["p99_ms"] / bare["p99_ms"]
    print(f"  {'':28}{'median':>10}{'p99':>10}{'mean':>10}{'min':>10}{'max':>10}  (ms)")
    rows = (
        ("FilingService.submit", filing),
        ("bare sqlite3 insert+commit", bare),
        ("validate_form (GUI thread)*", checks),
    )
    for label, s in rows:
        print(
            f"  {label:<28}{s['median_ms']:>10.3f}{s['p99_ms']:>10.3f}{s['mean_ms']:>10.3f}"
            f"{s['min_ms']:>10.3f}{s['max_ms']:>10.3f}"
        )
    met = ratio_median <= TARGET_RATIO_MEDIAN
    with_checks = (filing["median_ms"] + checks["median_ms"]) / bare["median_ms"]
    print(
        f"  ratio median/median {ratio_median:.2f} (target <= {TARGET_RATIO_MEDIAN}), "
        f"p99/p99 {ratio_p99:.2f} -> {'met' if met else 'NOT met'}"
    )
    print(
        "  * validation runs when Save is pressed, before the durable save; timed apart, hot.\n"
        f"    save plus validation / bare insert (medians): {with_checks:.2f}"
    )
    report = {
        "bench": "enqueue",
        "figures": {
            "filing_median_ms": round(filing["median_ms"], 4),
            "filing_p99_ms": round(filing["p99_ms"], 4),
            "sqlite_median_ms": round(bare["median_ms"], 4),
            "sqlite_p99_ms": round(bare["p99_ms"], 4),
            "ratio_median": round(ratio_median, 3),
            "ratio_p99": round(ratio_p99, 3),
            "validate_median_ms": round(checks["median_ms"], 4),
            "ratio_median_with_validation": round(with_checks, 3),
            "count": result["count"],
        },
        "targets": {"ratio_median": TARGET_RATIO_MEDIAN},
        "met": met,
    }
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
