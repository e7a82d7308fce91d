"""`yibao central ...`: run the reference centre and administer it.

`app.cli` hands every argument after `central` to `main`. Every subcommand takes `--db URL`;
messages to the administrator are in Chinese with English.
"""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import json
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from app.errors import UserFacingError
from central import admin, evoucher, heartbeat
from central.clock import iso_z
from central.db import DEFAULT_DB_URL, open_database, sqlite_file
from central.statuses import Status

log = logging.getLogger(__name__)

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
PASSWORD_ENV = "YIBAO_OPERATOR_PASSWORD"


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--db",
        default=DEFAULT_DB_URL,
        metavar="URL",
        help=f"database URL (default {DEFAULT_DB_URL})",
    )
    parser = argparse.ArgumentParser(
        prog="yibao central", description="参考中心平台 The reference central platform"
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    serve = sub.add_parser("serve", parents=[common], help="运行中心 run the centre's HTTP API")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8700)
    serve.add_argument(
        "--blobs", metavar="DIR", help="attachment folder (default: <db name>-blobs next to the DB)"
    )

    add = sub.add_parser("add-station", parents=[common], help="登记站点 register a station")
    add.add_argument("--code", required=True)
    add.add_argument("--name", required=True)
    add.add_argument(
        "--type", required=True, dest="institution_type", choices=admin.INSTITUTION_TYPES
    )
    add.add_argument("--channel", required=True)
    add.add_argument("--list", required=True, dest="station_list")
    add.add_argument("--region", required=True, help="six-digit region code, e.g. 441802")
    add.add_argument("--address", default="")
    add.add_argument("--valid-until", type=dt.date.fromisoformat, metavar="YYYY-MM-DD")
    add.add_argument(
        "--items",
        default="all",
        help="'all' (the application items of the station's list) or CODE,CODE,...",
    )
    add.add_argument("--json", action="store_true")

    code = sub.add_parser("enrol-code", parents=[common], help="生成激活码 one-time enrolment code")
    code.add_argument("station")
    code.add_argument("--ttl-minutes", type=int, default=1440)
    code.add_argument("--json", action="store_true")

    seed = sub.add_parser(
        "seed-demo", parents=[common], help="演示站点和激活码 demo station and an enrolment code"
    )
    seed.add_argument(
        "--operator-password",
        nargs="?",
        const=admin.DEMO_OPERATOR_PASSWORD,
        metavar="PASSWORD",
        help="(re)set the demo operators' password (default "
        f"{admin.DEMO_OPERATOR_PASSWORD}) and print it; --json then has operator_password",
    )
    seed.add_argument("--json", action="store_true")

    password = sub.add_parser(
        "set-password",
        parents=[common],
        help="设置经办人员密码 set an operator's password",
        description="设置或重置经办人员的登录密码。 Set or reset an operator's log-in password: "
        f"--password, else ${PASSWORD_ENV}, else asked for on the terminal. The operator must "
        "change it at the next log-in unless --no-change-required; a lock-out ends.",
    )
    password.add_argument("station", metavar="STATION")
    password.add_argument("operator", metavar="OPERATOR")
    password.add_argument(
        "--password",
        metavar="PASSWORD",
        help=f"the password (visible in the process list: prefer ${PASSWORD_ENV})",
    )
    password.add_argument(
        "--no-change-required",
        dest="must_change",
        action="store_false",
        help="the operator need not change it at the next log-in",
    )
    password.add_argument("--json", action="store_true")

    days = sub.add_parser(
        "set-offline-days",
        parents=[common],
        help="离线登录有效天数 days an operator may log in offline",
        description="设置站点离线登录有效天数（0 表示只能在线登录）。 How many days after an "
        "operator's last online log-in the station's terminals may let them in offline "
        "(0: online only).",
    )
    days.add_argument("station", metavar="STATION")
    days.add_argument("days", metavar="N", type=int)

    review = sub.add_parser("review", parents=[common], help="审核申请 move a filing on")
    review.add_argument("receipt", metavar="RECEIPT")
    step = review.add_mutually_exclusive_group(required=True)
    step.add_argument("--approve", nargs="?", const="", metavar="MESSAGE", help="办结 completed")
    step.add_argument("--reject", metavar="REASON", help="不予受理 refused")
    step.add_argument("--need-materials", metavar="TEXT", help="需补充材料 needs materials")
    step.add_argument("--in-review", action="store_true", help="审核中 in review")
    review.add_argument("--en", metavar="TEXT", help="the message in English for the terminal")
    review.add_argument("--json", action="store_true")

    revoke = sub.add_parser("revoke", parents=[common], help="停用终端 revoke a device")
    revoke.add_argument("device_id", metavar="DEVICE_ID")

    stats = sub.add_parser("stats", parents=[common], help="各站点统计 per-station figures")
    stats.add_argument("--json", action="store_true")

    ratings = sub.add_parser(
        "ratings", parents=[common], help="好差评统计 ratings: counts per level and recent ones"
    )
    ratings.add_argument("station", metavar="STATION", nargs="?", help="one station (default all)")
    ratings.add_argument("--limit", type=int, default=20, help="recent ratings shown (default 20)")
    ratings.add_argument("--json", action="store_true")

    audit = sub.add_parser(
        "audit",
        parents=[common],
        help="终端审计记录 the audit trails a station's terminals uploaded",
        description="每台终端上传的审计记录：条数、最后一条、哈希链是否完整，以及最近的记录。 "
        "Per terminal: events uploaded, the last one, whether the hash chain is whole; and "
        "the most recent events.",
    )
    audit.add_argument("station", metavar="STATION")
    audit.add_argument("--limit", type=int, default=50, help="recent events shown (default 50)")
    audit.add_argument("--json", action="store_true")

    beats = sub.add_parser(
        "heartbeats",
        parents=[common],
        help="终端心跳 the last heartbeat of every terminal",
        description="每台终端最近一次心跳：队列、设备（含打印机纸张）、剩余磁盘、时钟偏差；"
        "缺纸、读卡器故障、磁盘不足 1 GiB、时钟偏差超过 5 分钟会标出。 "
        "Per terminal, its last heartbeat: queue, devices (printer paper too), free disk, "
        "clock offset; paper out, a failed card reader, less than 1 GiB free and a clock off "
        "by more than 5 minutes are flagged.",
    )
    beats.add_argument("station", metavar="STATION", nargs="?", help="one station (default all)")
    beats.add_argument("--json", action="store_true")

    for name, verb_zh, verb_en in (
        ("add-member", "加入", "add"),
        ("remove-member", "移出", "remove"),
    ):
        members = sub.add_parser(
            name,
            parents=[common],
            help=f"{verb_zh}单位/学校参保人员名单 {verb_en} insured members of an employer or "
            "school station",
        )
        members.add_argument("station", metavar="STATION")
        members.add_argument("id_numbers", metavar="ID_NUMBER", nargs="+")
        members.add_argument("--json", action="store_true")

    voucher = sub.add_parser("evoucher", help="医保电子凭证（演示用） e-voucher tokens for demos")
    voucher_sub = voucher.add_subparsers(dest="evoucher_command", metavar="ACTION", required=True)
    issue = voucher_sub.add_parser(
        "issue",
        parents=[common],
        help="签发电子凭证，输出二维码内容 issue a token, print its QR text",
    )
    who = issue.add_mutually_exclusive_group(required=True)
    who.add_argument("--id-number", help="居民身份证号码 the citizen ID number")
    who.add_argument("--demo", action="store_true", help="the demo citizen (陈秀英)")
    issue.add_argument("--name", help="姓名 (with --id-number)")
    issue.add_argument(
        "--sex", choices=("1", "2"), help="1 男 male, 2 女 female (default: from the number)"
    )
    issue.add_argument("--ethnicity", metavar="CODE", help="民族代码 GB/T 3304, e.g. 01")
    issue.add_argument("--birth-date", type=dt.date.fromisoformat, metavar="YYYY-MM-DD")
    issue.add_argument("--address", default=None)
    issue.add_argument(
        "--minutes", type=float, default=5.0, help="有效期（分钟） validity, default 5"
    )
    issue.add_argument("--png", metavar="FILE", help="also write the QR code as a PNG image")
    issue.add_argument("--json", action="store_true")
    return parser


def _blob_dir(db_url: str, given: str | None) -> Path:
    if given:
        return Path(given)
    path = sqlite_file(db_url)
    if path is None:
        return Path("yibao-central-blobs")
    return path.with_name(path.stem + "-blobs")


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from central.api import create_app

    if sqlite_file(args.db) is None and args.db.startswith("sqlite"):
        raise admin.AdminError(
            "中心需要数据库文件，不能使用内存数据库。",
            "The centre needs a database file, not memory.",
        )
    blobs = _blob_dir(args.db, args.blobs)
    app = create_app(args.db, blobs)
    print(
        f"中心已启动 Centre on http://{args.host}:{args.port}/api/v1  (db {args.db}, blobs {blobs})"
    )
    uvicorn.run(app, host=args.host, port=args.port, log_level="info")
    return EXIT_OK


def _print(data: object, as_json: bool, text: str) -> None:
    print(json.dumps(data, ensure_ascii=False) if as_json else text)


def _run(args: argparse.Namespace) -> int:
    if args.command == "serve":
        return _serve(args)
    db = open_database(args.db)
    try:
        return _admin(args, db)
    finally:
        db.dispose()


def _admin(args: argparse.Namespace, db: admin.Database) -> int:
    if args.command == "add-station":
        items = None if args.items == "all" else [c.strip() for c in args.items.split(",") if c]
        view = admin.add_station(
            db,
            admin.StationSpec(
                code=args.code,
                name=args.name,
                institution_type=args.institution_type,
                channel=args.channel,
                station_list=args.station_list,
                region_code=args.region,
                items=items,
                address=args.address,
                valid_until=args.valid_until,
            ),
        )
        count = len(view["enabled_items"])
        _print(
            view,
            args.json,
            f"已登记站点 Station added: {view['code']} {view['name']}，"
            f"开通 {count} 个事项 ({count} items enabled)",
        )
        return EXIT_OK
    if args.command == "enrol-code":
        if args.ttl_minutes <= 0:
            print("--ttl-minutes 须为正数 must be positive", file=sys.stderr)
            return EXIT_USAGE
        issued = admin.create_enrolment_code(
            db, args.station, dt.timedelta(minutes=args.ttl_minutes)
        )
        _print(issued.as_json(), args.json, _code_text(issued))
        return EXIT_OK
    if args.command == "seed-demo":
        seeded = admin.seed_demo(db, args.operator_password)
        data = {"station": seeded.station, "enrolment_code": seeded.enrolment_code}
        text = _code_text(seeded)
        if args.operator_password is not None:
            data["operator_password"] = args.operator_password
        if seeded.operator_password is not None:
            names = "、".join(admin.DEMO_OPERATORS)
            text += (
                f"\n演示经办人员 {names} 的密码 Demo operators' password: "
                + seeded.operator_password
            )
        _print(data, args.json, text)
        return EXIT_OK
    if args.command == "set-password":
        return _set_password(args, db)
    if args.command == "set-offline-days":
        admin.set_offline_login_days(db, args.station, args.days)
        print(
            f"站点 {args.station} 离线登录有效 {args.days} 天"
            f" Station {args.station}: offline log-in for {args.days} days"
        )
        return EXIT_OK
    if args.command == "review":
        return _review(args, db)
    if args.command == "revoke":
        station = admin.revoke(db, args.device_id)
        print(f"已停用终端 Device revoked: {args.device_id}（站点 station {station}）")
        return EXIT_OK
    if args.command == "stats":
        report = admin.stats(db)
        _print(report, args.json, _stats_text(report))
        return EXIT_OK
    if args.command == "ratings":
        found = admin.ratings(db, args.station, max(args.limit, 0))
        _print(found, args.json, _ratings_text(found))
        return EXIT_OK
    if args.command == "audit":
        trail = admin.audit_trail(db, args.station, max(args.limit, 0))
        _print(trail, args.json, _audit_text(trail))
        return EXIT_OK
    if args.command == "heartbeats":
        found = heartbeat.latest(db, args.station)
        _print(found, args.json, _heartbeats_text(found))
        return EXIT_OK
    if args.command in ("add-member", "remove-member"):
        return _members(args, db)
    if args.command == "evoucher":
        return _issue_evoucher(args, db)
    return EXIT_USAGE


def _members(args: argparse.Namespace, db: admin.Database) -> int:
    if args.command == "add-member":
        result = admin.add_members(db, args.station, args.id_numbers)
        text = f"已加入 {result['added']} 人 Added {result['added']}"
    else:
        result = admin.remove_members(db, args.station, args.id_numbers)
        text = f"已移出 {result['removed']} 人 Removed {result['removed']}"
    _print(
        result,
        args.json,
        f"{text}（站点 {args.station}，名单版本 list version {result['version']}）",
    )
    return EXIT_OK


def _new_password(args: argparse.Namespace) -> str | None:
    """The password from --password, else the environment, else typed twice on a terminal."""
    if args.password is not None:
        return str(args.password)
    if os.environ.get(PASSWORD_ENV):
        return os.environ[PASSWORD_ENV]
    if not sys.stdin.isatty():
        return None
    first = getpass.getpass("新密码 New password: ")
    if getpass.getpass("再输入一次 Again: ") != first:
        raise admin.AdminError("两次输入的密码不一致。", "The two passwords differ.")
    return first


def _set_password(args: argparse.Namespace, db: admin.Database) -> int:
    password = _new_password(args)
    if password is None:
        print(
            f"请用 --password 或环境变量 {PASSWORD_ENV} 给出密码"
            f"  Give the password with --password or ${PASSWORD_ENV}",
            file=sys.stderr,
        )
        return EXIT_USAGE
    changed = admin.set_operator_password(
        db, args.station, args.operator, password, must_change=args.must_change
    )
    data = {
        "station": args.station,
        "operator": args.operator,
        "password_changed_at": iso_z(changed),
        "must_change_password": args.must_change,
    }
    then = "，首次登录须修改 must change it at the next log-in" if args.must_change else ""
    _print(
        data,
        args.json,
        f"已设置经办人员 {args.operator}（站点 {args.station}）的密码"
        f" Password set for operator {args.operator} of {args.station}{then}",
    )
    return EXIT_OK


def _issue_evoucher(args: argparse.Namespace, db: admin.Database) -> int:
    if args.demo:
        person = evoucher.DEMO_PERSON
    elif not args.name:
        print("--id-number 须同时给出 --name  --id-number needs --name", file=sys.stderr)
        return EXIT_USAGE
    else:
        person = evoucher.EVoucherPerson(
            id_number=args.id_number,
            name=args.name,
            sex=args.sex,
            ethnicity=args.ethnicity,
            birth_date=args.birth_date,
            address=args.address,
        )
    if not args.minutes > 0:
        print("--minutes 须为正数 must be positive", file=sys.stderr)
        return EXIT_USAGE
    issued = evoucher.issue(db, person, dt.timedelta(minutes=args.minutes))
    if args.png:
        import qrcode  # type: ignore[import-untyped]

        qrcode.make(issued.token).save(args.png)
    _print(
        issued.as_json(),
        args.json,
        f"{issued.token}\n有效期至 Expires: {issued.expires_at:%Y-%m-%d %H:%M:%S} UTC",
    )
    return EXIT_OK


def _review(args: argparse.Namespace, db: admin.Database) -> int:
    if args.in_review:
        status, message = Status.IN_REVIEW, None
    elif args.reject is not None:
        status, message = Status.REFUSED, args.reject
    elif args.need_materials is not None:
        status, message = Status.NEEDS_MATERIALS, args.need_materials
    else:
        status, message = Status.COMPLETED, args.approve or None
    result = admin.review(db, args.receipt, status, message, args.en)
    _print(
        result,
        args.json,
        f"受理号 {args.receipt} → {result['status']}"
        + (f"：{result['message']}" if result["message"] else ""),
    )
    return EXIT_OK


def _code_text(issued: admin.IssuedCode) -> str:
    return (
        f"站点 Station: {issued.station}\n"
        f"激活码 Enrolment code: {issued.enrolment_code}\n"
        f"有效期至 Expires: {issued.expires_at:%Y-%m-%d %H:%M} UTC（仅可使用一次 single use）"
    )


def _stats_text(report: dict[str, list[dict[str, object]]]) -> str:
    head = f"{'station':<24}{'filings':>9}{'keys':>9}{'dupes':>9}{'conflicts':>11}{'attach':>9}"
    lines = [head]
    for row in report["stations"]:
        lines.append(
            f"{row['station']!s:<24}{row['filings']!s:>9}{row['distinct_keys']!s:>9}"
            f"{row['duplicates_answered']!s:>9}{row['conflicts']!s:>11}{row['attachments']!s:>9}"
        )
    return "\n".join(lines)


def _ratings_text(found: dict[str, Any]) -> str:
    where = found["station"] or "全部站点 all stations"
    counts = "  ".join(f"{admin.rating_label(k)}: {v}" for k, v in found["counts"].items())
    lines = [f"{where}：共 {found['total']} 条评价 ratings", counts]
    for r in found["recent"]:
        reasons = ",".join(r["reasons"]) or "-"
        lines.append(
            f"{r['rated_at']}  {r['receipt_no']}  {admin.rating_label(r['rating'])}  "
            f"{reasons}  {r['operator'] or '-'}"
        )
    return "\n".join(lines)


def _audit_text(trail: dict[str, Any]) -> str:
    lines = [f"站点 Station {trail['station']}"]
    for d in trail["devices"]:
        chain = "完整 whole" if d["chain_ok"] else f"断开于 broken at {d['broken_at']}"
        lines.append(
            f"  {d['device_id']} {d['name']}: {d['events']} 条 events, "
            f"最后 last {d['last_id'] or '-'} {d['last_at'] or ''}  哈希链 chain {chain}"
        )
    for e in trail["recent"]:
        lines.append(
            f"{e['at']}  {e['device_id']}#{e['id']}  {e['operator'] or '-'}  {e['action']}  "
            f"{e['subject'] or ''}  {e['detail'] or ''}"
        )
    return "\n".join(lines)


def _gib(n: int | None) -> str:
    return "-" if n is None else f"{n / 1024**3:.1f} GiB"


def _device_text(d: dict[str, Any]) -> str:
    """One device of a beat: its name and, when not simply working, what is wrong."""
    name = str(d.get("name"))
    if not d.get("present"):
        state = "未接 absent"
    elif not d.get("working"):
        state = f"故障 failed: {d.get('last_error') or '-'}"
    else:
        state = "正常 ok"
    paper = d.get("paper")
    if paper and paper != "ok":
        state += f"，纸张 paper {paper}"
    if d.get("simulated"):
        state += "（模拟 simulated）"
    return f"{name} {state}"


def _heartbeats_text(found: dict[str, Any]) -> str:
    terminals = found["terminals"]
    where = found["station"] or "全部站点 all stations"
    lines = [f"{where}：{len(terminals)} 台终端有心跳 terminals with a heartbeat"]
    for t in terminals:
        queue = ", ".join(f"{k} {v}" for k, v in sorted(t["outbox"].items())) or "空 empty"
        age = t["oldest_unsent_age_s"]
        oldest = "-" if age is None else f"{age / 3600:.1f} h"
        drift = t["clock_drift_s"]
        clock = f"{t['clock_offset_s']:+d} s" + (
            "" if drift is None else f"（较上次 since the last beat {drift:+d} s）"
        )
        lines += [
            f"{t['device_id']} {t['name']}  站点 station {t['station']}  "
            f"版本 version {t['client_version']}  {t['status']}",
            f"  最后心跳 last beat {t['received_at']}",
            f"  队列 queue: {queue}; 最久未发 oldest unsent {oldest}; "
            f"需处理 needs attention {t['needs_attention']}",
            "  设备 devices: " + ("; ".join(map(_device_text, t["devices"])) or "-"),
            f"  剩余磁盘 free disk {_gib(t['free_disk_bytes'])}  时钟偏差 clock offset {clock}",
        ]
        if t["flags"]:
            labels = [heartbeat.FLAGS[f] for f in t["flags"]]
            lines.append("  ⚠ " + "; ".join(f"{zh} {en}" for zh, en in labels))
    return "\n".join(lines)


def main(argv: Sequence[str]) -> int:
    """Run one `yibao central` subcommand; the exit code."""
    try:
        args = _parser().parse_args(list(argv))
    except SystemExit as exc:  # argparse: --help or a usage error, already printed
        return int(exc.code or 0) if isinstance(exc.code, int) else EXIT_USAGE
    try:
        return _run(args)
    except UserFacingError as exc:
        print(f"{exc.zh}\n{exc.en}", file=sys.stderr)
        return EXIT_ERROR
