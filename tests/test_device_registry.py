"""Device discovery, building drivers from settings, `yibao devices`, the technician password.

Real peers: the SAM reader simulator on a pseudo-terminal (probed like any serial port) and
`yibao` run as a process. The "bare machine" test points the PC/SC client at a socket where no
pcscd listens, so it holds whatever the host runs.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.context import AppContext
from app.services.technician_auth import (
    LOCK_SECONDS,
    MAX_FAILURES,
    TechnicianAuth,
    TechnicianAuthError,
)
from app.settings import DeviceSettings, IdCardDriver, ScannerDriver, SscCardDriver
from devices.id_card_sam import SamIdCardReader
from devices.registry import (
    DeviceKind,
    build_identity_readers,
    discover_id_card,
    discover_scanner,
    discover_ssc_card,
)
from devices.self_test import run_test
from devices.simulated_identity import SimulatedIdentityReader
from tests.centre_process import yibao
from tests.pcscd_process import SOCKET_ENV, client_socket
from tests.sam_simulator import SamSimulator, SimCard


@pytest.fixture
def sim() -> Iterator[SamSimulator]:
    with SamSimulator(SimCard()) as simulator:
        yield simulator


@pytest.fixture
def silent_port() -> Iterator[str]:
    """A serial port where nothing answers (a pty nobody serves)."""
    master, slave = os.openpty()
    yield os.ttyname(slave)
    os.close(master)
    os.close(slave)


def no_pcscd_env(tmp_path: Path) -> dict[str, str]:
    return {SOCKET_ENV: str(tmp_path / "no-pcscd-here.comm")}


# ---- discovery ---------------------------------------------------------------------------


def test_a_sam_reader_is_found_by_probing_the_serial_ports(
    sim: SamSimulator, silent_port: str
) -> None:
    started = time.monotonic()
    report = discover_id_card(DeviceSettings(), [silent_port, sim.path])
    assert report.present and report.driver == "sam_serial"
    assert report.detail == sim.path  # the silent port was tried and passed over
    assert report.candidates == (silent_port, sim.path)
    assert time.monotonic() - started < 3
    built = build_identity_readers(DeviceSettings(), demo=False, reports=[report])
    reader = built.readers[DeviceKind.ID_CARD]
    assert isinstance(reader, SamIdCardReader) and reader.port == sim.path
    reader.close()


def test_no_reader_answering_is_absent_with_the_reason(silent_port: str) -> None:
    report = discover_id_card(DeviceSettings(), [silent_port])
    assert not report.present
    assert "没有身份证读卡器应答" in report.reason_zh
    nothing = discover_id_card(DeviceSettings(), [])
    assert not nothing.present and "没有串口" in nothing.reason_zh


def test_a_configured_port_is_probed_first(sim: SamSimulator) -> None:
    cfg = DeviceSettings(id_card=IdCardDriver.SAM_SERIAL, id_card_port=sim.path)
    report = discover_id_card(cfg, [])
    assert report.present and report.detail == sim.path


def test_none_and_simulated_are_honoured() -> None:
    cfg = DeviceSettings(
        id_card=IdCardDriver.NONE, ssc_card=SscCardDriver.SIMULATED, scanner=ScannerDriver.NONE
    )
    assert not discover_id_card(cfg, []).present
    assert discover_id_card(cfg, []).reason_zh == "本终端设置为不使用"
    assert discover_ssc_card(cfg).driver == "simulated"
    built = build_identity_readers(cfg, demo=False)
    assert DeviceKind.ID_CARD in built.absent
    assert isinstance(built.readers[DeviceKind.SSC_CARD], SimulatedIdentityReader)


def test_demo_gets_simulators_and_a_station_gets_reasons() -> None:
    # The PC/SC client library reads its socket name once per process: use the private one
    # the pcscd tests use, where no pcscd listens outside those tests.
    client_socket()
    cfg = DeviceSettings()
    station = build_identity_readers(cfg, demo=False, reports=[discover_id_card(cfg, [])])
    assert station.readers == {}
    assert "pcscd" in station.absent[DeviceKind.SSC_CARD].reason_zh
    demo = build_identity_readers(cfg, demo=True, reports=[discover_id_card(cfg, [])])
    assert isinstance(demo.readers[DeviceKind.ID_CARD], SimulatedIdentityReader)


def test_serial_scanner_port_must_exist(tmp_path: Path, silent_port: str) -> None:
    missing = DeviceSettings(scanner=ScannerDriver.SERIAL, scanner_port=str(tmp_path / "ttyX"))
    assert not discover_scanner(missing, []).present
    there = DeviceSettings(scanner=ScannerDriver.SERIAL, scanner_port=silent_port)
    assert discover_scanner(there, []).present
    assert discover_scanner(DeviceSettings(), []).driver == "wedge"


def test_test_read_of_the_sam_reader_is_masked(sim: SamSimulator) -> None:
    cfg = DeviceSettings(id_card=IdCardDriver.SAM_SERIAL, id_card_port=sim.path)
    result = run_test(DeviceKind.ID_CARD, cfg, timeout=3)
    assert result.ok, result.error_zh
    text = "\n".join(result.lines)
    assert sim.path in text
    assert "********" in text  # the ID number masked
    sim.card = None
    empty = run_test(DeviceKind.ID_CARD, cfg, timeout=0.5)
    assert not empty.ok and "身份证" in empty.error_zh


# ---- the command line --------------------------------------------------------------------


def test_devices_list_on_a_bare_machine_names_every_device_with_a_reason(
    tmp_path: Path,
) -> None:
    env = {"YIBAO_HOME": str(tmp_path / "home"), **no_pcscd_env(tmp_path)}
    done = yibao("devices", "list", "--json", env=env)
    assert done.returncode == 0, done.stderr
    reports = json.loads(done.stdout)
    assert {r["kind"] for r in reports} == {k.value for k in DeviceKind}
    for report in reports:
        assert not report["present"], report
        assert report["reason_zh"] and report["reason_en"], report
    text = yibao("devices", "list", env=env)
    assert "社保卡读卡器" in text.stdout and "未连接" in text.stdout
    assert "PDF" in {r["kind"]: r for r in reports}["document_printer"]["reason_zh"]


def test_test_and_set_need_the_technician_password(tmp_path: Path) -> None:
    env = {"YIBAO_HOME": str(tmp_path / "home"), **no_pcscd_env(tmp_path)}
    unset = yibao("devices", "test", "id_card", env=env)
    assert unset.returncode == 1 and "尚未设置运维密码" in unset.stderr
    short = yibao(
        "technician", "set-password", env={**env, "YIBAO_NEW_TECHNICIAN_PASSWORD": "short"}
    )
    assert short.returncode == 1 and "至少 8 位" in short.stderr
    good = {**env, "YIBAO_NEW_TECHNICIAN_PASSWORD": "field-tech-2026"}
    assert yibao("technician", "set-password", env=good).returncode == 0
    tech = {**env, "YIBAO_TECHNICIAN_PASSWORD": "field-tech-2026"}
    wrong = yibao(
        "devices", "set", "id_card=simulated", env={**env, "YIBAO_TECHNICIAN_PASSWORD": "x"}
    )
    assert wrong.returncode == 1 and "运维密码不正确" in wrong.stderr
    bad = yibao("devices", "set", "camera=hologram", env=tech)
    assert bad.returncode == 1 and "可选" in bad.stderr
    assert yibao("devices", "set", "id_card=simulated", env=tech).returncode == 0
    shown = json.loads(yibao("devices", "show", env=env).stdout)
    assert shown["id_card"] == "simulated"
    tested = yibao("devices", "test", "id_card", "--json", env=tech)
    assert tested.returncode == 0, tested.stderr
    result = json.loads(tested.stdout)
    assert result["ok"] and any("姓名" in line and "*" in line for line in result["lines"])
    nameless = yibao("devices", "test", "toaster", env=tech)
    assert nameless.returncode == 1 and "没有名为 toaster 的设备" in nameless.stderr


# ---- the technician password -------------------------------------------------------------


def test_wrong_passwords_lock_the_panel_for_a_while(ctx: AppContext) -> None:
    now = [1_000_000.0]
    auth = TechnicianAuth(ctx.secrets, ctx.db, now=lambda: now[0])
    with pytest.raises(TechnicianAuthError, match="No technician password"):
        auth.check("anything")
    auth.set_password("correct-horse")
    assert "correct-horse" not in (ctx.secrets.get("technician-verifier") or "")
    auth.check("correct-horse")
    for attempt in range(1, MAX_FAILURES):
        with pytest.raises(TechnicianAuthError) as err:
            auth.check("wrong")
        assert f"还可以再试 {MAX_FAILURES - attempt} 次" in err.value.zh
    with pytest.raises(TechnicianAuthError, match="locked"):
        auth.check("wrong")
    with pytest.raises(TechnicianAuthError) as locked:
        auth.check("correct-horse")  # even the right one, while locked
    assert "分钟后再试" in locked.value.zh
    now[0] += LOCK_SECONDS + 1
    auth.check("correct-horse")
    from sqlalchemy import select

    from app.store.models import AuditEvent

    with ctx.db.read() as s:
        actions = s.execute(select(AuditEvent.action)).scalars().all()
    assert actions.count("technician.login_refused") == MAX_FAILURES
    assert actions.count("technician.login") == 2


# ---- camera and receipt printer through settings ------------------------------------------


def test_camera_test_read_from_a_video_file(tmp_path: Path) -> None:
    from app.settings import CameraDriver
    from tests.test_camera import good_frame, jittered, write_video

    video = write_video(tmp_path / "desk.avi", jittered(good_frame(), 15))
    cfg = DeviceSettings(camera=CameraDriver.OPENCV, camera_video_file=str(video))
    result = run_test(DeviceKind.CAMERA, cfg, timeout=5)
    assert result.ok, result.error_zh
    assert "人脸 faces: 1" in result.lines
    missing = DeviceSettings(camera=CameraDriver.OPENCV, camera_video_file=str(tmp_path / "x.avi"))
    failed = run_test(DeviceKind.CAMERA, missing, timeout=2)
    assert not failed.ok and "视频文件不存在" in failed.error_zh


def test_receipt_printer_test_print_over_the_network() -> None:
    from app.settings import ReceiptPrinterDriver
    from tests.test_receipt_printer import TcpPrinter

    printer = TcpPrinter()
    try:
        cfg = DeviceSettings(
            receipt_printer=ReceiptPrinterDriver.ESCPOS_NETWORK,
            receipt_printer_target=f"127.0.0.1:{printer.port}",
        )
        result = run_test(DeviceKind.RECEIPT_PRINTER, cfg, timeout=5)
        assert result.ok, result.error_zh
        deadline = time.monotonic() + 5
        while not printer.jobs and time.monotonic() < deadline:
            time.sleep(0.05)
        job = printer.jobs[0]
        assert "测试打印（非业务凭证）𠮷".encode("gb18030") in job
        assert b"\x1dV" in job  # the cut
    finally:
        printer.close()
    refused = run_test(DeviceKind.RECEIPT_PRINTER, cfg, timeout=2)  # nobody listens now
    assert not refused.ok and refused.error_zh
