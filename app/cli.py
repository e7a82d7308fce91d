"""The `yibao` command: the GUI and the technician/scripting subcommands."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from app import __version__
from app.errors import UserFacingError
from app.logging_setup import setup_logging
from app.paths import resolve_data_dir

log = logging.getLogger(__name__)

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2


def _language() -> str:
    """Chinese unless English is asked for with YIBAO_LANG=en."""
    import os

    return "en" if os.environ.get("YIBAO_LANG", "").lower().startswith("en") else "zh_CN"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="yibao", description="Yibao Station 医保服务站客户端")
    parser.add_argument("--version", action="version", version=f"yibao {__version__}")
    parser.add_argument(
        "--data-dir", help="data folder (default: $YIBAO_HOME, else the OS data folder)"
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug messages")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    gui = sub.add_parser("gui", help="open the client window")
    gui.add_argument("--demo", action="store_true", help="demo station with simulated devices")
    gui.add_argument(
        "--mode", choices=["counter", "kiosk", "tablet", "technician"], default="counter"
    )
    gui.add_argument("--language", choices=["zh_CN", "en"], help="user interface language")
    gui.add_argument("--screenshot", help="save a PNG of the first screen to this path")
    gui.add_argument(
        "--exit-after-screenshot", action="store_true", help="quit once the screenshot is saved"
    )

    status = sub.add_parser("status", help="station, catalog version and queue counts")
    status.add_argument("--json", action="store_true")

    queue = sub.add_parser("queue", help="the outbox: what waits to reach the centre")
    queue.add_argument("--json", action="store_true")

    demo = sub.add_parser("demo-filings", help="create drill filings on the demo station")
    demo.add_argument("--count", type=int, required=True)
    demo.add_argument(
        "--photo-share",
        type=float,
        default=0.0,
        metavar="F",
        help="share (0..1) of filings that carry a ~200 KB photo",
    )
    demo.add_argument("--seed", type=int, default=None)

    activate = sub.add_parser("activate", help="activate this terminal with an enrolment code")
    activate.add_argument("--central", required=True, metavar="URL", help="the centre's address")
    activate.add_argument("--code", required=True, help="one-time enrolment code")
    activate.add_argument("--name", help="this terminal's name (default: the host name)")

    sync_cmd = sub.add_parser("sync", help="deliver the queue to the centre")
    sync_cmd.add_argument("--once", action="store_true", required=True, help="one run, then exit")
    sync_cmd.add_argument("--json", action="store_true")

    central = sub.add_parser(
        "central",
        help="the reference central platform (serve, add-station, enrol-code, ...)",
        add_help=False,
    )
    central.add_argument("central_args", nargs=argparse.REMAINDER)

    from app.cli_devices import add_parsers as add_device_parsers

    add_device_parsers(sub)

    cat = sub.add_parser("catalog", help="list the current catalog, or check a catalog folder")
    cat.add_argument("--check", metavar="DIR", help="validate the catalog in DIR and exit")
    cat.add_argument("--json", action="store_true")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        args = parser.parse_args([*(argv or sys.argv[1:]), "gui"])
    data_dir = resolve_data_dir(args.data_dir)
    setup_logging(data_dir / "logs", verbose=args.verbose)
    language = getattr(args, "language", None) or _language()
    try:
        if args.command == "gui":
            from ui.app import run_gui  # Qt is imported only for the GUI

            return run_gui(
                data_dir,
                demo=args.demo,
                mode=args.mode,
                language=language,
                screenshot=Path(args.screenshot) if args.screenshot else None,
                exit_after_screenshot=args.exit_after_screenshot,
            )
        if args.command == "central":
            from central.cli import main as central_main

            return central_main(args.central_args)
        if args.command == "catalog" and args.check:
            return _catalog_check(Path(args.check))
        return _run_service_command(args, data_dir)
    except UserFacingError as exc:
        print(exc.text(language), file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `yibao queue | head`
        return EXIT_OK
    except Exception:
        log.exception("unexpected error in `yibao %s`", args.command)
        print(
            "程序出错，详情已记入日志：" if language.startswith("zh") else "Unexpected error; see ",
            data_dir / "logs" / "yibao.log",
            file=sys.stderr,
        )
        return EXIT_ERROR


def _run_service_command(args: argparse.Namespace, data_dir: Path) -> int:
    from app.context import AppContext

    ctx = AppContext.open(data_dir)
    try:
        if args.command == "status":
            return _status(ctx, as_json=args.json)
        if args.command == "queue":
            return _queue(ctx, as_json=args.json)
        if args.command == "activate":
            from sync.activation import activate
            from sync.engine import SyncEngine

            code = activate(ctx, args.central, args.code, args.name)
            print(f"已激活：站点 {code}  Activated for station {code}")
            first = SyncEngine(ctx).run_once()  # the roster, catalog and station details
            if first.error:
                print(first.error, file=sys.stderr)
            return EXIT_OK
        if args.command == "sync":
            return _sync_once(ctx, as_json=args.json)
        if args.command == "demo-filings":
            return _demo_filings(ctx, args.count, args.photo_share, args.seed)
        if args.command == "catalog":
            return _catalog_list(ctx, as_json=args.json)
        if args.command in ("devices", "technician"):
            from app.cli_devices import run as run_devices

            return run_devices(args, ctx, _language())
    finally:
        ctx.close()
    return EXIT_USAGE


def _status(ctx: object, *, as_json: bool) -> int:
    from app.context import AppContext

    assert isinstance(ctx, AppContext)
    station = ctx.stations.station()
    counts = ctx.queue.counts()
    report = {
        "station": None
        if station is None
        else {"code": station.code, "name": station.name, "demo": station.is_demo},
        "catalog_version": ctx.catalog.current().version,
        "data_dir": str(ctx.paths.root),
        "key_store": ctx.secrets.description,
        "filings_total": counts.filings_total,
        "filings_by_state": counts.filings_by_state,
        "outbox_by_state": counts.outbox_by_state,
        "waiting_to_sync": counts.waiting,
        "sync": _sync_state(ctx),
        "free_disk_bytes": ctx.paths.free_disk_bytes(),
    }
    if as_json:
        print(json.dumps(report, ensure_ascii=False))
        return EXIT_OK
    where = f"{station.name} {station.code}" if station else "未激活 not activated"
    print(f"站点 Station:        {where}")
    print(f"事项目录 Catalog:    {report['catalog_version']}")
    print(f"数据目录 Data:       {report['data_dir']}")
    print(f"密钥库 Key store:    {report['key_store']}")
    print(f"申请 Filings:        {counts.filings_total}")
    for state, n in sorted(counts.filings_by_state.items()):
        print(f"  {state:<18}{n}")
    print(f"待上传 Waiting:      {counts.waiting}")
    sync_state = _sync_state(ctx)
    print(f"上次同步 Last sync:  {sync_state.get('last_success_at') or '-'}")
    offset = sync_state.get("centre_clock_offset_s")
    if offset is not None:
        learnt = sync_state.get("centre_clock_offset_at") or "-"
        print(f"时钟偏差 Clock:      中心比本机 centre minus here {int(offset):+d} s（{learnt}）")
    free = report["free_disk_bytes"]
    if isinstance(free, int):
        print(f"剩余磁盘 Free disk:  {free / 1024**3:.1f} GiB")
    issue = " ".join(v for v in (sync_state.get("blocked"), sync_state.get("last_error")) if v)
    if issue:
        print(f"同步问题 Sync issue: {issue}")
    for state, n in sorted(counts.outbox_by_state.items()):
        print(f"  {state:<18}{n}")
    return EXIT_OK


def _sync_state(ctx: object) -> dict[str, str]:
    """What the sync engine remembers (last success, pause, last error), for technicians."""
    from app.context import AppContext
    from sync.state import SyncStateStore

    assert isinstance(ctx, AppContext)
    keep = (
        "last_success_at",
        "blocked",
        "last_error",
        "failures",
        "next_run_at",
        "status_cursor",
        "centre_clock_offset_s",
        "centre_clock_offset_at",
    )
    return {k: v for k, v in SyncStateStore(ctx.db).all().items() if k in keep}


def _queue(ctx: object, *, as_json: bool) -> int:
    from app.context import AppContext

    assert isinstance(ctx, AppContext)
    rows = ctx.queue.outbox()
    if as_json:
        print(
            json.dumps(
                [
                    {
                        "idempotency_key": r.idempotency_key,
                        "kind": r.kind,
                        "filing": r.filing_uid,
                        "state": r.state,
                        "attempts": r.attempts,
                        "last_error": r.last_error,
                        "created_at": r.created_at.isoformat() + "Z",
                        "next_attempt_at": r.next_attempt_at.isoformat() + "Z"
                        if r.next_attempt_at
                        else None,
                    }
                    for r in rows
                ],
                ensure_ascii=False,
            )
        )
        return EXIT_OK
    print(f"{'created (UTC)':<20} {'kind':<8} {'state':<16} {'tries':>5}  key")
    for r in rows:
        print(
            f"{r.created_at:%Y-%m-%d %H:%M:%S} {r.kind:<8} {r.state:<16} {r.attempts:>5}  "
            f"{r.idempotency_key}"
        )
    print(f"{len(rows)} entries")
    return EXIT_OK


def _demo_filings(ctx: object, count: int, photo_share: float, seed: int | None) -> int:
    from app.context import AppContext
    from app.drills import DrillFiler
    from app.services.demo_data import demo_photo
    from app.services.filing_service import Attachment
    from devices.simulated_identity import SimulatedIdentityReader

    assert isinstance(ctx, AppContext)
    if count < 0 or not 0.0 <= photo_share <= 1.0:
        print("--count 须为非负整数，--photo-share 须在 0 到 1 之间。", file=sys.stderr)
        return EXIT_USAGE
    drills = DrillFiler(ctx, SimulatedIdentityReader(seed=seed, read_delay=0).read, seed)
    photos = round(count * photo_share)
    with_photo = set(drills.rng.sample(range(count), photos)) if count else set()
    for n in range(count):
        photo = [Attachment("face_photo", demo_photo(drills.rng))] if n in with_photo else []
        drills.file(photo)
    print(f"created {count} demo filings ({photos} with a photo) on {drills.station.code}")
    return EXIT_OK


EXIT_SYNC_LEFT = 3


def _sync_once(ctx: object, *, as_json: bool) -> int:
    """One sync run; exit 0 when nothing is left to send, 3 otherwise."""
    from app.context import AppContext
    from sync.engine import SyncEngine, report_json

    assert isinstance(ctx, AppContext)
    report = SyncEngine(ctx).run_once()
    if as_json:
        print(report_json(report))
    else:
        print(
            f"送达 acknowledged {report.acknowledged} · 退回 rejected {report.rejected} · "
            f"待上传 remaining {report.remaining} · 状态更新 status changes {report.status_changes}"
        )
        if report.error:
            print(report.error, file=sys.stderr)
    return EXIT_OK if report.remaining == 0 else EXIT_SYNC_LEFT


def _catalog_list(ctx: object, *, as_json: bool) -> int:
    from app.context import AppContext

    assert isinstance(ctx, AppContext)
    catalog = ctx.catalog.current()
    if as_json:
        print(catalog.model_dump_json())
        return EXIT_OK
    print(f"catalog {catalog.version} ({len(catalog.items)} items)")
    for item in catalog.items:
        offline = "offline" if item.offline else "online "
        print(f"  {item.code:<14} {item.kind.value:<12} {offline} {item.name}")
    return EXIT_OK


def _catalog_check(directory: Path) -> int:
    from app.catalog.loader import load_catalog

    catalog = load_catalog(directory)
    print(f"catalog {catalog.version}: {len(catalog.items)} items, OK")
    return EXIT_OK
