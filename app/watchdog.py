"""Telling a supervisor the process is alive: systemd's sd_notify, and a heartbeat file.

A kiosk runs unattended; a crash is restarted by its supervisor, and so is a hang, because the
pings below are sent from the GUI thread (`ui.kiosk_watchdog.WatchdogPinger`): a GUI thread
that stops turning stops the pings, and the supervisor kills and restarts the process. The
queue survives either way: it lives in the SQLite store, whose transactions are durable.

- Linux: `installer/linux/yibao-kiosk.service` (Type=notify, WatchdogSec=30). `SystemdNotifier`
  speaks the sd_notify protocol itself rather than through python-systemd: the protocol is one
  datagram of `KEY=VALUE` lines sent to the AF_UNIX socket named by `$NOTIFY_SOCKET`, while
  the library is a C extension that needs libsystemd's headers to build (no wheels), which
  kiosk images and Windows terminals do not have.
- Windows: `installer/windows/watchdog.ps1` restarts the kiosk when `HeartbeatFile`'s file is
  older than 60 seconds.

No Qt here: the core imports none (see the import contracts in pyproject.toml).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
from collections.abc import Mapping
from pathlib import Path
from typing import Protocol

log = logging.getLogger(__name__)

HEARTBEAT_FILE_NAME = "kiosk.alive"
HEARTBEAT_INTERVAL_SECONDS = 10.0  # watchdog.ps1 restarts the kiosk after 60 s without one


class Pingable(Protocol):
    """Something a watchdog pinger calls every interval from the GUI thread."""

    def watchdog(self) -> bool: ...


def _socket_address(raw: str) -> str | None:
    """`$NOTIFY_SOCKET` as a socket address: a path, or '@name' for the abstract namespace."""
    if raw.startswith("@"):
        return "\0" + raw[1:]
    if raw.startswith("/"):
        return raw
    return None  # e.g. systemd 253's "vsock:CID:PORT", which a kiosk never gets


class SystemdNotifier:
    """sd_notify over the AF_UNIX datagram socket named by `$NOTIFY_SOCKET`.

    Without `$NOTIFY_SOCKET` (not started by systemd, or a unit that is not Type=notify) every
    method does nothing and returns False. A failed send is logged and returns False; it never
    raises, so a supervisor that went away cannot take the kiosk down.
    """

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        env = os.environ if environ is None else environ
        raw = env.get("NOTIFY_SOCKET", "")
        self._address = _socket_address(raw) if raw else None
        if raw and self._address is None:
            log.warning("NOTIFY_SOCKET %r is not a socket path; not notifying systemd", raw)
        self._socket: socket.socket | None = None

    @property
    def enabled(self) -> bool:
        return self._address is not None

    def notify(self, message: str) -> bool:
        """Send one datagram of newline-separated `KEY=VALUE` assignments."""
        if self._address is None:
            return False
        try:
            if self._socket is None:
                self._socket = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
            self._socket.sendto(message.encode("utf-8"), self._address)
        except OSError as exc:
            log.warning("sd_notify %r failed: %s", message.split("\n", 1)[0], exc)
            return False
        return True

    def ready(self) -> bool:
        return self.notify("READY=1")

    def watchdog(self) -> bool:
        return self.notify("WATCHDOG=1")

    def stopping(self) -> bool:
        return self.notify("STOPPING=1")

    def status(self, text: str) -> bool:
        """A one-line status for `systemctl status`."""
        return self.notify("STATUS=" + " ".join(text.split()))

    def close(self) -> None:
        if self._socket is not None:
            self._socket.close()
            self._socket = None


def watchdog_interval(environ: Mapping[str, str] | None = None) -> float | None:
    """Seconds between watchdog pings, or None when systemd's watchdog is not on for us.

    systemd sets `$WATCHDOG_USEC` (and `$WATCHDOG_PID`, the process meant) when the unit has
    WatchdogSec=; it recommends pinging at half that interval, which this returns.
    """
    env = os.environ if environ is None else environ
    try:
        usec = int(env.get("WATCHDOG_USEC", ""))
    except ValueError:
        return None
    if usec <= 0:
        return None
    pid = env.get("WATCHDOG_PID", "")
    if pid:
        try:
            if int(pid) != os.getpid():
                return None  # meant for another process (we were started by the main one)
        except ValueError:
            return None
    return usec / 1_000_000 / 2


def default_heartbeat_path(environ: Mapping[str, str] | None = None) -> Path | None:
    """`%LOCALAPPDATA%\\yibao-station\\kiosk.alive`, where watchdog.ps1 looks; None elsewhere."""
    env = os.environ if environ is None else environ
    local = env.get("LOCALAPPDATA", "")
    return Path(local) / "yibao-station" / HEARTBEAT_FILE_NAME if local else None


class HeartbeatFile:
    """A file whose modification time says the kiosk's GUI thread was turning.

    Each `watchdog()` writes the time and process id to a temporary file beside it and renames
    it over the old one, so the watcher never sees a half-written file and the new file's
    mtime is the moment of the ping.
    """

    def __init__(self, path: Path) -> None:
        self.path = path

    def watchdog(self) -> bool:
        tmp = self.path.with_name(self.path.name + ".tmp")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
            tmp.write_text(f"{now} pid={os.getpid()}\n", encoding="ascii")
            os.replace(tmp, self.path)
        except OSError as exc:
            log.warning("heartbeat file %s not written: %s", self.path, exc)
            return False
        return True
