"""`yibao devices ...` and `yibao technician ...`: device set-up from a terminal's shell.

`devices list` shows what is attached and, for what is not, why; it reads no personal data
and needs no password, so support can ask anyone at the station to run it. Test reads and
configuration changes need the technician password (from the prompt, or
`YIBAO_TECHNICIAN_PASSWORD` for scripted installs).
"""

from __future__ import annotations

import argparse
import dataclasses
import getpass
import json
import os
import sys
from enum import Enum
from typing import Any

from app.context import AppContext
from app.errors import UserFacingError
from app.services.technician_auth import TechnicianAuth
from app.settings import DeviceSettings, save_settings

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2


def add_parsers(sub: Any) -> None:
    devices = sub.add_parser("devices", help="list, test and configure this terminal's devices")
    dsub = devices.add_subparsers(dest="devices_command", metavar="ACTION", required=True)
    listing = dsub.add_parser("list", help="every device: present, or absent with the reason")
    listing.add_argument("--json", action="store_true")
    listing.add_argument(
        "--no-probe", action="store_true", help="do not probe serial ports for ID card readers"
    )
    test = dsub.add_parser("test", help="one test read of a device, shown masked")
    test.add_argument("name", help="id_card, ssc_card, scanner, camera, receipt_printer, ...")
    test.add_argument("--timeout", type=float, default=10.0, help="seconds to wait (default 10)")
    test.add_argument("--json", action="store_true")
    conf = dsub.add_parser("set", help="change device settings: KEY=VALUE ...")
    conf.add_argument("assignments", nargs="+", metavar="KEY=VALUE")
    dsub.add_parser("show", help="the saved device settings")

    tech = sub.add_parser("technician", help="technician password")
    tsub = tech.add_subparsers(dest="technician_command", metavar="ACTION", required=True)
    tsub.add_parser("set-password", help="set the technician password of this terminal")


def run(args: argparse.Namespace, ctx: AppContext, language: str) -> int:
    if args.command == "technician":
        return _set_password(ctx)
    action = args.devices_command
    if action == "list":
        return _list(ctx, language, as_json=args.json, probe=not args.no_probe)
    if action == "show":
        print(json.dumps(_plain(ctx.settings.devices), ensure_ascii=False, indent=2))
        return EXIT_OK
    _require_technician(ctx)
    if action == "test":
        return _test(ctx, args.name, args.timeout, language, as_json=args.json)
    if action == "set":
        return _set(ctx, args.assignments)
    return EXIT_USAGE


def _plain(cfg: DeviceSettings) -> dict[str, Any]:
    return {k: (v.value if isinstance(v, Enum) else v) for k, v in dataclasses.asdict(cfg).items()}


def _list(ctx: AppContext, language: str, *, as_json: bool, probe: bool) -> int:
    from devices.registry import KIND_LABELS, discover_all

    reports = discover_all(ctx.settings.devices, probe=probe)
    if as_json:
        print(json.dumps([r.as_dict() for r in reports], ensure_ascii=False))
        return EXIT_OK
    zh = language.startswith("zh")
    for r in reports:
        label = KIND_LABELS[r.kind][0 if zh else 1]
        state = ("在线" if zh else "present") if r.present else ("未连接" if zh else "absent")
        where = f" {r.detail}" if r.detail else ""
        print(f"{r.kind.value:<17} {state:<8} {r.driver}{where}  {label}")
        if r.reason(language):
            print(f"{'':<17} {r.reason(language)}")
        if r.candidates:
            print(f"{'':<17} {'可选' if zh else 'found'}: {', '.join(r.candidates)}")
    return EXIT_OK


def _test(ctx: AppContext, name: str, timeout: float, language: str, *, as_json: bool) -> int:
    from devices.registry import DeviceKind
    from devices.self_test import run_test

    try:
        kind = DeviceKind(name)
    except ValueError:
        names = ", ".join(k.value for k in DeviceKind)
        raise UserFacingError(
            f"没有名为 {name} 的设备。可选：{names}", f"No device named {name}. Choose: {names}"
        ) from None
    result = run_test(kind, ctx.settings.devices, timeout)
    if as_json:
        print(
            json.dumps(
                {
                    "kind": kind.value,
                    "ok": result.ok,
                    "lines": result.lines,
                    "error_zh": result.error_zh,
                    "error_en": result.error_en,
                    "seconds": round(result.seconds, 3),
                },
                ensure_ascii=False,
            )
        )
    else:
        for line in result.lines:
            print(line)
        if not result.ok:
            print(result.error(language), file=sys.stderr)
    return EXIT_OK if result.ok else EXIT_FAILED


def _set(ctx: AppContext, assignments: list[str]) -> int:
    cfg = ctx.settings.devices
    changes: dict[str, Any] = {}
    known = {f.name: f for f in dataclasses.fields(DeviceSettings)}
    for text in assignments:
        key, sep, value = text.partition("=")
        if not sep or key not in known:
            raise UserFacingError(
                f"无法识别的设置：{text}。可设置：{', '.join(known)}",
                f"Unknown setting: {text}. Settable: {', '.join(known)}",
            )
        default = getattr(cfg, key)
        try:
            changes[key] = type(default)(value)
        except ValueError:
            choices = "、".join(m.value for m in type(default)) if isinstance(default, Enum) else ""
            raise UserFacingError(
                f"{key} 的值 {value} 无效" + (f"，可选：{choices}" if choices else ""),
                f"Invalid value {value!r} for {key}" + (f"; choose: {choices}" if choices else ""),
            ) from None
    settings = ctx.settings.with_changes(devices=cfg.with_changes(**changes))
    save_settings(ctx.paths.settings, settings)
    for key, value in changes.items():
        shown = value.value if isinstance(value, Enum) else value
        print(f"{key} = {shown}")
    return EXIT_OK


def _password_from_user(prompt: str) -> str:
    given = os.environ.get("YIBAO_TECHNICIAN_PASSWORD")
    if given is not None:
        return given
    if not sys.stdin.isatty():
        raise UserFacingError(
            "需要运维密码：请在终端中运行，或设置 YIBAO_TECHNICIAN_PASSWORD。",
            "The technician password is needed: run in a terminal or set "
            "YIBAO_TECHNICIAN_PASSWORD.",
        )
    return getpass.getpass(prompt)


def _require_technician(ctx: AppContext) -> None:
    auth = TechnicianAuth(ctx.secrets, ctx.db)
    auth.ensure_set()
    auth.check(_password_from_user("运维密码 Technician password: "))


def _set_password(ctx: AppContext) -> int:
    auth = TechnicianAuth(ctx.secrets, ctx.db)
    if auth.is_set():
        auth.check(_password_from_user("当前运维密码 Current password: "))
    new = os.environ.get("YIBAO_NEW_TECHNICIAN_PASSWORD")
    if new is None:
        if not sys.stdin.isatty():
            raise UserFacingError(
                "请在终端中运行，或设置 YIBAO_NEW_TECHNICIAN_PASSWORD。",
                "Run in a terminal or set YIBAO_NEW_TECHNICIAN_PASSWORD.",
            )
        new = getpass.getpass("新运维密码 New password: ")
        if getpass.getpass("再输入一次 Again: ") != new:
            raise UserFacingError("两次输入的密码不一致。", "The two passwords differ.")
    auth.set_password(new)
    print("运维密码已设置。Technician password set.")
    return EXIT_OK
