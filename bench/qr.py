"""Which QR decoder reads more e-voucher frames, and how fast: pyzbar (ZBar) or zxing-cpp.

What is measured: `QrDecoder.decode(frame)` from devices/qr_decoder.py — the call the camera
loop makes on each frame — for `ZbarDecoder` and `ZxingDecoder`, on the same frames. The
frames come from devices/qr_frames.py: a QR code for a random base64url token of 100-300
characters (like the 医保电子凭证 dynamic code, level M, so version 7-13) shown on a phone
held in front of a 640x480 webcam, in five difficulty buckets (clean, mild, moderate, hard,
severe) of equal share, each widening every fault at once: rotation, perspective, defocus and
motion blur, sensor noise, low contrast and uneven light, JPEG compression, a smaller code.
The frames are BGR, as OpenCV delivers them, so the colour-to-grey conversion is timed too.

A frame counts as decoded when the decoder returns the frame's token; a wrong decode is a
frame where it returns any other text (a misread, which would be worse than no read). Each
frame is timed once per decoder, the two interleaved and their order alternated, after a
warm-up, so background noise hits both alike. Empty scenes (no code at all — most frames of a
live camera) are timed separately: they set the camera loop's idle cost, and any text read
from them is a false read.

Why no fixed threshold: the decoders are each other's baseline. The winner is the decoder
that decodes more frames; a tie goes to the lower median time. `DEFAULT_DECODER` in
devices/qr_decoder.py must name the winner: "met" says whether it does, so a library upgrade
that changes the verdict shows up here.

Run: `.venv/bin/python bench/qr.py [--count N] [--empty N] [--seed S]`. The last line printed
is one JSON object for CI and dashboards.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # run as a script from a checkout
    sys.path.insert(0, str(REPO))

from devices.base import DeviceError  # noqa: E402
from devices.qr_decoder import (  # noqa: E402
    DECODER_NAMES,
    DEFAULT_DECODER,
    QrDecoder,
    make_decoder,
)
from devices.qr_frames import (  # noqa: E402
    BUCKETS,
    FRAME_HEIGHT,
    FRAME_WIDTH,
    Degradation,
    make_frame,
    make_token,
    random_degradation,
)

WARMUP = 10
TOKEN_LENGTHS = (100, 300)


@dataclass(frozen=True)
class Sample:
    """One benchmark frame and what a correct decoder must return for it."""

    bucket: str
    token: str | None  # None: an empty scene
    frame: NDArray[np.uint8]


@dataclass
class Tally:
    """One decoder's results, overall and per bucket."""

    decoded: int = 0
    wrong: int = 0
    false_reads: int = 0
    hits: list[bool] = field(default_factory=list)  # per coded frame, in sample order
    times_ns: list[int] = field(default_factory=list)
    empty_ns: list[int] = field(default_factory=list)
    bucket_decoded: dict[str, int] = field(default_factory=dict)
    bucket_ns: dict[str, list[int]] = field(default_factory=dict)

    def record(self, sample: Sample, texts: list[str], elapsed_ns: int) -> None:
        if sample.token is None:
            self.empty_ns.append(elapsed_ns)
            self.false_reads += bool(texts)
            return
        ok = sample.token in texts
        self.hits.append(ok)
        self.decoded += ok
        self.wrong += any(t != sample.token for t in texts)
        self.times_ns.append(elapsed_ns)
        self.bucket_decoded[sample.bucket] = self.bucket_decoded.get(sample.bucket, 0) + ok
        self.bucket_ns.setdefault(sample.bucket, []).append(elapsed_ns)


def make_samples(count: int, empty: int, seed: int) -> list[Sample]:
    """`count` coded frames, buckets in turn (equal shares), then `empty` empty scenes.

    Built before any clock starts; the same seed gives the same pixels on every machine.
    """
    rng = np.random.default_rng(seed)
    samples: list[Sample] = []
    for n in range(count):
        bucket = BUCKETS[n % len(BUCKETS)]
        token = make_token(rng, int(rng.integers(TOKEN_LENGTHS[0], TOKEN_LENGTHS[1] + 1)))
        degradation = random_degradation(bucket, rng)
        frame = make_frame(token, degradation, seed=int(rng.integers(2**31)))
        samples.append(Sample(bucket, token, frame))
    for _ in range(empty):
        # An idle camera: the desk, ordinary webcam noise and JPEG, nobody holding a phone up.
        idle = Degradation(noise_sigma=float(rng.uniform(2, 8)), jpeg_quality=80)
        samples.append(Sample("empty", None, make_frame([], idle, seed=int(rng.integers(2**31)))))
    return samples


def run(decoders: list[QrDecoder], samples: list[Sample]) -> dict[str, Tally]:
    """Decode every sample with every decoder, interleaved, order alternating per frame."""
    for decoder in decoders:
        for sample in samples[:WARMUP]:
            decoder.decode(sample.frame)
    tallies = {d.name: Tally() for d in decoders}
    clock = time.perf_counter_ns
    for n, sample in enumerate(samples):
        order = decoders if n % 2 == 0 else decoders[::-1]
        for decoder in order:
            t0 = clock()
            texts = decoder.decode(sample.frame)
            elapsed = clock() - t0
            tallies[decoder.name].record(sample, texts, elapsed)
    return tallies


def percentile(sorted_ns: list[int], p: float) -> int:
    """Nearest-rank percentile of an already sorted list."""
    rank = max(1, round(p / 100 * len(sorted_ns) + 0.4999))
    return sorted_ns[min(rank, len(sorted_ns)) - 1]


def median_ms(samples_ns: list[int]) -> float:
    return statistics.median(samples_ns) / 1e6 if samples_ns else float("nan")


def p95_ms(samples_ns: list[int]) -> float:
    return percentile(sorted(samples_ns), 95) / 1e6 if samples_ns else float("nan")


def winner(tallies: dict[str, Tally]) -> str:
    """Most frames decoded; a tie goes to the lower median time per frame."""
    return min(
        tallies, key=lambda name: (-tallies[name].decoded, median_ms(tallies[name].times_ns))
    )


def library_versions() -> str:
    parts = []
    for dist in ("pyzbar", "zxing-cpp", "opencv-python-headless", "qrcode"):
        try:
            parts.append(f"{dist} {importlib.metadata.version(dist)}")
        except importlib.metadata.PackageNotFoundError:
            parts.append(f"{dist} ?")
    return ", ".join(parts)


def only(tallies: dict[str, Tally], name: str) -> int:
    """Frames this decoder decoded and no other did: what a fallback to it could add."""
    others = [t.hits for n, t in tallies.items() if n != name]
    return sum(hit and not any(o[i] for o in others) for i, hit in enumerate(tallies[name].hits))


def figures_for(tally: Tally, count: int, only_this: int) -> dict[str, object]:
    per_bucket = {
        b: {
            "decoded": tally.bucket_decoded.get(b, 0),
            "frames": len(tally.bucket_ns.get(b, [])),
            "median_ms": round(median_ms(tally.bucket_ns.get(b, [])), 3),
        }
        for b in BUCKETS
    }
    return {
        "decoded": tally.decoded,
        "frames": count,
        "wrong": tally.wrong,
        "only_this_decoder": only_this,
        "median_ms": round(median_ms(tally.times_ns), 3),
        "p95_ms": round(p95_ms(tally.times_ns), 3),
        "empty_median_ms": round(median_ms(tally.empty_ns), 3),
        "false_reads_on_empty": tally.false_reads,
        "buckets": per_bucket,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--count", type=int, default=300, help="degraded frames with a code")
    parser.add_argument("--empty", type=int, default=50, help="frames without a code")
    parser.add_argument("--seed", type=int, default=20240601)
    args = parser.parse_args(argv)
    if args.count < len(BUCKETS):
        parser.error(f"--count must be at least {len(BUCKETS)} (one frame per bucket)")
    if args.empty < 0:
        parser.error("--empty must not be negative")

    try:
        decoders = [make_decoder(name) for name in DECODER_NAMES]
    except DeviceError as exc:
        raise SystemExit(f"cannot compare the decoders: {exc.en}") from exc

    print(
        f"qr benchmark: {args.count} degraded {FRAME_WIDTH}x{FRAME_HEIGHT} BGR frames "
        f"({len(BUCKETS)} buckets), {args.empty} empty frames, seed {args.seed}"
    )
    print(f"  {library_versions()}")
    t0 = time.perf_counter()
    samples = make_samples(args.count, args.empty, args.seed)
    print(f"  frames built in {time.perf_counter() - t0:.1f} s; decoding after {WARMUP} warm-up")
    tallies = run(decoders, samples)

    header = (
        f"  {'':8}{'decoded':>10}{'wrong':>7}{'only':>6}"
        f"{'median':>9}{'p95':>9}{'empty':>9}{'false':>7}"
    )
    print(header + "   (times: ms per frame)")
    for name, t in tallies.items():
        print(
            f"  {name:<8}{f'{t.decoded}/{args.count}':>10}{t.wrong:>7}{only(tallies, name):>6}"
            f"{median_ms(t.times_ns):>9.2f}{p95_ms(t.times_ns):>9.2f}"
            f"{median_ms(t.empty_ns):>9.2f}{t.false_reads:>7}"
        )
    print(
        "  only: frames no other decoder read; empty: frames without a code; "
        "false: texts read from those"
    )
    print("  per bucket: decoded/frames, median ms")
    print(f"  {'':8}" + "".join(f"{b:>16}" for b in BUCKETS))
    for name, t in tallies.items():
        cells = []
        for b in BUCKETS:
            frames = len(t.bucket_ns.get(b, []))
            cell = f"{t.bucket_decoded.get(b, 0)}/{frames} {median_ms(t.bucket_ns.get(b, [])):.2f}"
            cells.append(f"{cell:>16}")
        print(f"  {name:<8}" + "".join(cells))

    best = winner(tallies)
    met = best == DEFAULT_DECODER
    others = [n for n in tallies if n != DEFAULT_DECODER]
    other_decoded = max((tallies[n].decoded for n in others), default=0)
    print(
        f"  winner: {best} (most frames decoded, tie -> lower median ms); "
        f"DEFAULT_DECODER = {DEFAULT_DECODER!r} -> {'met' if met else 'NOT met'}"
    )
    report = {
        "bench": "qr",
        "figures": {
            "count": args.count,
            "empty_count": args.empty,
            "seed": args.seed,
            **{
                name: figures_for(t, args.count, only(tallies, name)) for name, t in tallies.items()
            },
        },
        "targets": {
            "configured_default": DEFAULT_DECODER,
            "default_decoded_at_least": other_decoded,
            "rule": "default decodes at least as many frames as the other; tie: faster median",
        },
        "default": best,
        "met": met,
    }
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
