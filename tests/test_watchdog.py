"""The kiosk's watchdog: sd_notify, the GUI-thread pinger, the heartbeat file, the daily
restart window and the supervisor files in installer/.

What runs here: the sd_notify datagrams on real AF_UNIX sockets (a path and an abstract name),
the pinger on a real event loop, and `systemd-analyze verify` on the units (this machine has
it; the test fails rather than skips without it, so the check is never silently lost).
What does not: systemd actually supervising the kiosk, and anything on Windows:
watchdog.ps1 and the task XML are only parsed for their paths and thresholds.
"""

from __future__ import annotations

import configparser
import datetime as dt
import itertools
import os
import re
import shutil
import socket
import subprocess
import threading
import time
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.restart_window import due_for_restart, next_restart, parse_hhmm
from app.settings import Settings, load_settings, save_settings
from app.watchdog import HeartbeatFile, SystemdNotifier, default_heartbeat_path, watchdog_interval

ROOT = Path(__file__).resolve().parent.parent
LINUX = ROOT / "installer" / "linux"
WINDOWS = ROOT / "installer" / "windows"
UNITS = ["yibao-kiosk.service", "yibao-kiosk-restart.service", "yibao-kiosk-restart.timer"]


class Receiver:
    """A bound AF_UNIX datagram socket, as systemd's; records (monotonic time, message)."""

    def __init__(self, address: str) -> None:
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(address)
        self.sock.settimeout(0.05)
        self.received: list[tuple[float, str]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                data = self.sock.recv(4096)
            except TimeoutError:
                continue
            except OSError:
                return
            self.received.append((time.monotonic(), data.decode()))

    def messages(self) -> list[str]:
        return [m for _, m in self.received]

    def wait_for(self, count: int, timeout: float = 2.0) -> None:
        deadline = time.monotonic() + timeout
        while len(self.received) < count and time.monotonic() < deadline:
            time.sleep(0.01)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(2)
        self.sock.close()


@pytest.fixture
def path_receiver(tmp_path: Path) -> Iterator[tuple[Receiver, str]]:
    address = str(tmp_path / "notify.sock")
    receiver = Receiver(address)
    yield receiver, address
    receiver.close()


def test_sd_notify_messages_reach_a_socket_in_the_file_system(
    path_receiver: tuple[Receiver, str],
) -> None:
    receiver, address = path_receiver
    notifier = SystemdNotifier({"NOTIFY_SOCKET": address})
    assert notifier.enabled
    assert notifier.ready()
    assert notifier.watchdog()
    assert notifier.status("队列 3 件\n待发送")
    assert notifier.stopping()
    receiver.wait_for(4)
    notifier.close()
    assert receiver.messages() == ["READY=1", "WATCHDOG=1", "STATUS=队列 3 件 待发送", "STOPPING=1"]


def test_sd_notify_reaches_an_abstract_socket() -> None:
    name = f"yibao-test-{uuid.uuid4().hex}"
    receiver = Receiver("\0" + name)
    try:
        notifier = SystemdNotifier({"NOTIFY_SOCKET": "@" + name})
        assert notifier.ready() and notifier.watchdog()
        receiver.wait_for(2)
        notifier.close()
    finally:
        receiver.close()
    assert receiver.messages() == ["READY=1", "WATCHDOG=1"]


def test_without_notify_socket_nothing_is_sent_and_nothing_fails(tmp_path: Path) -> None:
    for env in ({}, {"NOTIFY_SOCKET": "vsock:2:1234"}):
        notifier = SystemdNotifier(env)
        assert not notifier.enabled
        assert notifier.ready() is False and notifier.watchdog() is False
    # A socket that is gone (systemd restarted) is logged, not raised.
    gone = SystemdNotifier({"NOTIFY_SOCKET": str(tmp_path / "missing.sock")})
    assert gone.enabled and gone.watchdog() is False


def test_watchdog_interval_is_half_of_systemds() -> None:
    me = str(os.getpid())
    assert watchdog_interval({"WATCHDOG_USEC": "30000000", "WATCHDOG_PID": me}) == 15.0
    assert watchdog_interval({"WATCHDOG_USEC": "30000000"}) == 15.0
    assert watchdog_interval({"WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "1"}) is None
    assert watchdog_interval({}) is None
    assert watchdog_interval({"WATCHDOG_USEC": "0"}) is None
    assert watchdog_interval({"WATCHDOG_USEC": "soon"}) is None


def test_the_pinger_pings_while_the_loop_turns_and_stops_while_the_gui_thread_hangs(
    qtbot: QtBot, path_receiver: tuple[Receiver, str]
) -> None:
    from ui.kiosk_watchdog import WatchdogPinger

    receiver, address = path_receiver
    notifier = SystemdNotifier({"NOTIFY_SOCKET": address})
    interval = 0.1
    pinger = WatchdogPinger([notifier], interval)
    pinger.start()
    try:
        qtbot.wait(1000)
        receiver.wait_for(8)
        turning = len(receiver.received)
        assert turning >= 6, receiver.received  # ~10 at 100 ms

        # The GUI thread hangs for more than two intervals: no ping may arrive meanwhile.
        time.sleep(0.05)  # let a ping sent just before the hang arrive first
        hang_start = time.monotonic()
        time.sleep(5 * interval)
        hang_end = time.monotonic()
        qtbot.wait(500)
    finally:
        pinger.stop()
        notifier.close()
    receiver.wait_for(turning + 3)
    during = [t for t, _ in receiver.received if hang_start + 0.02 < t < hang_end]
    assert during == []
    after = [t for t, _ in receiver.received if t >= hang_end]
    assert len(after) >= 3  # the loop turns again, so do the pings
    times = [t for t, _ in receiver.received]
    assert max(b - a for a, b in itertools.pairwise(times)) >= 2 * interval
    assert set(receiver.messages()) == {"WATCHDOG=1"}
    stopped = len(receiver.received)
    qtbot.wait(300)
    assert len(receiver.received) == stopped  # stop() stops


def test_the_pinger_serves_several_pingables(qtbot: QtBot, tmp_path: Path) -> None:
    from ui.kiosk_watchdog import WatchdogPinger

    calls: list[str] = []

    class Fake:
        def watchdog(self) -> bool:
            calls.append("fake")
            return True

    heartbeat = HeartbeatFile(tmp_path / "kiosk.alive")
    pinger = WatchdogPinger([Fake(), heartbeat], 0.05)
    pinger.start()
    qtbot.wait(200)
    pinger.stop()
    assert len(calls) >= 2
    assert heartbeat.path.exists()


def test_heartbeat_file_mtime_advances_and_no_temporary_file_stays(tmp_path: Path) -> None:
    heartbeat = HeartbeatFile(tmp_path / "yibao-station" / "kiosk.alive")
    assert heartbeat.watchdog()
    first = heartbeat.path.stat().st_mtime_ns
    old = first - 120 * 1_000_000_000
    os.utime(heartbeat.path, ns=(old, old))  # as if the last ping were two minutes ago
    assert heartbeat.watchdog()
    assert heartbeat.path.stat().st_mtime_ns > old
    assert heartbeat.path.stat().st_mtime_ns >= first
    assert "pid=" in heartbeat.path.read_text()
    assert sorted(p.name for p in heartbeat.path.parent.iterdir()) == ["kiosk.alive"]


def test_default_heartbeat_path_is_where_watchdog_ps1_looks() -> None:
    path = default_heartbeat_path({"LOCALAPPDATA": "/users/kiosk/AppData/Local"})
    assert path == Path("/users/kiosk/AppData/Local/yibao-station/kiosk.alive")
    assert default_heartbeat_path({}) is None


# --- the daily restart window --------------------------------------------------------------


def utc(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, second, tzinfo=dt.UTC)


def test_next_restart_is_four_in_the_morning_china_time() -> None:
    # 04:00 China time is 20:00 UTC the day before.
    assert next_restart(utc(2026, 3, 1, 12, 0)) == utc(2026, 3, 1, 20, 0)
    assert next_restart(utc(2026, 3, 1, 19, 59)) == utc(2026, 3, 1, 20, 0)
    assert next_restart(utc(2026, 3, 1, 20, 0)) == utc(2026, 3, 2, 20, 0)  # strictly after
    # Around China's midnight (16:00 UTC) and UTC's midnight (08:00 China).
    assert next_restart(utc(2026, 3, 1, 15, 59)) == utc(2026, 3, 1, 20, 0)
    assert next_restart(utc(2026, 3, 1, 16, 1)) == utc(2026, 3, 1, 20, 0)
    assert next_restart(utc(2026, 3, 1, 23, 59)) == utc(2026, 3, 2, 20, 0)
    assert next_restart(dt.datetime(2026, 3, 2, 0, 0)) == utc(2026, 3, 2, 20, 0)  # naive = UTC
    # A window just after China's midnight, asked just before it.
    assert next_restart(utc(2026, 3, 1, 15, 59), at="00:30") == utc(2026, 3, 1, 16, 30)
    assert next_restart(utc(2026, 12, 31, 20, 0), at="23:59") == utc(2027, 1, 1, 15, 59)


def test_no_daylight_saving_in_china_time() -> None:
    # Europe's and America's DST days change nothing: always 20:00 UTC, all year.
    for day in (dt.date(2026, 3, 8), dt.date(2026, 3, 29), dt.date(2026, 10, 25)):
        for hour in (0, 12, 19):
            moment = dt.datetime.combine(day, dt.time(hour), tzinfo=dt.UTC)
            assert next_restart(moment).time() == dt.time(20, 0)
    assert all(
        next_restart(utc(2026, 1, 1) + dt.timedelta(days=d)).hour == 20 for d in range(0, 366, 7)
    )


def test_due_for_restart() -> None:
    started = utc(2026, 3, 1, 19, 59)  # 03:59 China time
    assert not due_for_restart(started, utc(2026, 3, 1, 19, 59, 30))
    assert due_for_restart(started, utc(2026, 3, 1, 20, 0))
    assert due_for_restart(started, utc(2026, 3, 1, 20, 59))
    assert not due_for_restart(started, utc(2026, 3, 1, 21, 0))  # busy all window: tomorrow
    assert due_for_restart(started, utc(2026, 3, 2, 20, 30))  # tomorrow's window
    fresh = utc(2026, 3, 1, 20, 1)  # restarted at 04:01: not again today
    assert not due_for_restart(fresh, utc(2026, 3, 1, 20, 30))
    assert due_for_restart(fresh, utc(2026, 3, 2, 20, 0, 1))
    # Across China's midnight: started 20:00 China time, due at 00:30.
    assert due_for_restart(utc(2026, 3, 1, 12, 0), utc(2026, 3, 1, 16, 45), at="00:30")
    assert not due_for_restart(utc(2026, 3, 1, 12, 0), utc(2026, 3, 1, 16, 15), at="00:30")


def test_restart_time_must_be_hh_mm() -> None:
    assert parse_hhmm(" 04:00 ") == dt.time(4, 0)
    for bad in ("4:00", "24:00", "04:60", "0400", "", "04:00:00"):
        with pytest.raises(ValueError):
            parse_hhmm(bad)


def test_restart_time_setting_is_validated_and_falls_back(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    assert Settings().kiosk_restart_at == "04:00"
    save_settings(path, Settings().with_changes(kiosk_restart_at="02:30"))
    assert load_settings(path).kiosk_restart_at == "02:30"
    with pytest.raises(ValueError):
        Settings().with_changes(kiosk_restart_at="25:00")
    path.write_text(
        '{"version": 2, "kiosk_restart_at": "late", "sync_interval_seconds": 30}',
        encoding="utf-8",
    )
    loaded = load_settings(path)  # one bad value keeps the others
    assert loaded.kiosk_restart_at == "04:00" and loaded.sync_interval_seconds == 30


# --- the supervisor files ------------------------------------------------------------------


def test_systemd_units_pass_systemd_analyze_verify(tmp_path: Path) -> None:
    """`systemd-analyze verify`, which this machine has: every key and value as systemd reads
    them, the drop-in included. It checks that ExecStart's program exists, so the copy under
    test points it at a stub instead of /opt/yibao-station/venv/bin/yibao."""
    analyze = shutil.which("systemd-analyze")
    assert analyze, "systemd-analyze is installed on the build machine; install systemd"
    for unit in UNITS:
        shutil.copy(LINUX / unit, tmp_path / unit)
    shutil.copytree(LINUX / "yibao-kiosk-restart.timer.d", tmp_path / "yibao-kiosk-restart.timer.d")
    stub = tmp_path / "yibao"
    stub.write_text("#!/bin/sh\n")
    stub.chmod(0o755)
    service = tmp_path / "yibao-kiosk.service"
    text = service.read_text()
    assert "ExecStart=/opt/yibao-station/venv/bin/yibao gui --mode kiosk\n" in text
    service.write_text(text.replace("/opt/yibao-station/venv/bin/yibao", str(stub)))
    result = subprocess.run(
        [analyze, "verify", "--man=no", *(str(tmp_path / u) for u in UNITS)],
        env={**os.environ, "SYSTEMD_UNIT_PATH": f"{tmp_path}:", "SYSTEMD_LOG_LEVEL": "notice"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    # systemd-analyze reports a bad key or value on stderr and still exits 0.
    assert result.stderr.strip() == "", result.stderr
    calendar = subprocess.run(
        [analyze, "calendar", "*-*-* 04:00:00 Asia/Shanghai"], capture_output=True, timeout=60
    )
    assert calendar.returncode == 0, calendar.stderr


def read_unit(path: Path) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(path, encoding="utf-8")
    return parser


def test_the_units_say_what_the_issue_asks() -> None:
    kiosk = read_unit(LINUX / "yibao-kiosk.service")
    service = kiosk["Service"]
    assert service["Type"] == "notify" and service["NotifyAccess"] == "main"
    assert service["WatchdogSec"] == "30"
    assert service["Restart"] == "always" and service["RestartSec"] == "3"
    assert service["ExecStart"] == "/opt/yibao-station/venv/bin/yibao gui --mode kiosk"
    assert service["UnsetEnvironment"] == "QT_QPA_PLATFORM"
    assert service["User"] == "yibao-kiosk"
    assert "YIBAO_HOME=/var/lib/yibao-station" in (LINUX / "yibao-kiosk.service").read_text()
    assert service["StateDirectory"] == "yibao-station"
    assert "PrivateTmp" not in service and "PrivateDevices" not in service
    assert kiosk["Unit"]["StartLimitIntervalSec"] and kiosk["Unit"]["StartLimitBurst"]
    timer = read_unit(LINUX / "yibao-kiosk-restart.timer")["Timer"]
    assert timer["OnCalendar"] == "*-*-* 04:00:00 Asia/Shanghai"
    assert timer["RandomizedDelaySec"] == "10min"
    dropin = (LINUX / "yibao-kiosk-restart.timer.d" / "restart-at.conf").read_text()
    assert "OnCalendar=\nOnCalendar=*-*-* 04:00:00 Asia/Shanghai" in dropin
    restart = (LINUX / "yibao-kiosk-restart.service").read_text()
    assert "systemctl restart yibao-kiosk.service" in restart
    readme = (LINUX / "README.md").read_text()
    assert all(unit in readme for unit in UNITS)


def test_windows_task_and_supervisor_script_are_consistent() -> None:
    """Not exercised: PowerShell and Task Scheduler do not run here. The XML is parsed and
    the script read for the paths and thresholds the client relies on."""
    ns = {"t": "http://schemas.microsoft.com/windows/2004/02/mit/task"}
    task = ET.parse(WINDOWS / "yibao-kiosk-task.xml").getroot()
    assert task.find("t:Triggers/t:LogonTrigger", ns) is not None
    daily = task.find("t:Triggers/t:CalendarTrigger", ns)
    assert daily is not None
    assert daily.findtext("t:StartBoundary", namespaces=ns, default="").endswith("T04:00:00+08:00")
    assert daily.findtext("t:ScheduleByDay/t:DaysInterval", namespaces=ns) == "1"
    settings = task.find("t:Settings", ns)
    assert settings is not None
    assert settings.findtext("t:MultipleInstancesPolicy", namespaces=ns) == "StopExisting"
    assert settings.findtext("t:ExecutionTimeLimit", namespaces=ns) == "PT0S"
    assert settings.findtext("t:RestartOnFailure/t:Interval", namespaces=ns) == "PT1M"
    assert settings.findtext("t:RestartOnFailure/t:Count", namespaces=ns) == "999"  # the maximum
    arguments = task.findtext("t:Actions/t:Exec/t:Arguments", namespaces=ns, default="")
    assert "watchdog.ps1" in arguments

    script = (WINDOWS / "watchdog.ps1").read_text(encoding="utf-8")
    assert re.search(r'Join-Path \$env:LOCALAPPDATA "yibao-station"', script)
    assert 'Join-Path $StateDir "kiosk.alive"' in script
    assert re.search(r"\[int\]\$StaleSeconds = 60\b", script)
    assert '-ArgumentList "gui", "--mode", "kiosk"' in script
    assert "yibao.exe" in script and "Stop-Process" in script
    # The kiosk's side of the contract: a ping every 10 s, well inside the 60 s.
    from app.watchdog import HEARTBEAT_FILE_NAME, HEARTBEAT_INTERVAL_SECONDS

    assert HEARTBEAT_FILE_NAME == "kiosk.alive" and HEARTBEAT_INTERVAL_SECONDS == 10.0
