"""pcscd as a real process, with the vsmartcard `vpcd` virtual reader, for the card tests.

Isolation, and why this way: pcscd 1.9.9 always binds /run/pcscd/pcscd.comm itself (only the
client library reads PCSCLITE_CSOCK_NAME), and refuses to start while another daemon owns that
path. So we create the listening socket ourselves at a private path and hand it to pcscd the
way systemd does (LISTEN_FDS=1, LISTEN_PID, the socket on fd 3), and point this process's PC/SC
clients at it through PCSCLITE_CSOCK_NAME. A developer's own pcscd, or systemd's pcscd.socket,
is never talked to, stopped or started. pcscd still writes /run/pcscd/pcscd.pid and removes it
on exit; when another pcscd is already there we run ours under `unshare --mount` with a private
tmpfs on /run/pcscd, so the other daemon's files are left alone.

The client library reads PCSCLITE_CSOCK_NAME once, at the first PC/SC call in the process, so
`client_socket()` fixes the path for the whole process and must run before any PC/SC call;
every pcscd these helpers start binds that same path.

vpcd gets its own reader.conf.d (`--config`) naming two free TCP ports, so the virtual card
never meets a vpcd started by someone else on the default 35963. vpcd opens two slots per
entry: "Virtual PCD 00 00" on the port and "Virtual PCD 00 01" on the next one.

The daemon runs in the foreground, logging to a file, and is stopped by its process id:
SIGTERM, then SIGKILL if it has not gone within the grace period.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

SOCKET_ENV = "PCSCLITE_CSOCK_NAME"
VPCD_DRIVER = Path("/usr/lib/pcsc/drivers/serial/libifdvpcd.so")
SYSTEM_IPC_DIR = Path("/run/pcscd")
READER_NAMES = ("Virtual PCD 00 00", "Virtual PCD 00 01")


class PcscdUnavailable(RuntimeError):
    """This machine cannot run a private pcscd (no binary, no vpcd, no rights)."""


def pcscd_binary() -> str | None:
    return shutil.which("pcscd") or next(
        (p for p in ("/usr/sbin/pcscd", "/sbin/pcscd") if os.access(p, os.X_OK)), None
    )


def unavailable_reason() -> str | None:
    """Why a private pcscd cannot run here, or None when it can."""
    if pcscd_binary() is None:
        return "pcscd is not installed (apt-get install pcscd)"
    if not VPCD_DRIVER.exists():
        return "vpcd is not installed (apt-get install vsmartcard-vpcd)"
    if os.geteuid() != 0 and not os.access(SYSTEM_IPC_DIR.parent, os.W_OK):
        return "pcscd needs to write /run/pcscd: run the card tests as root"
    return None


_socket_dir: Path | None = None


def client_socket() -> Path:
    """The private pcscd socket this process uses; fixed at the first call."""
    global _socket_dir
    if _socket_dir is None:
        _socket_dir = Path(tempfile.mkdtemp(prefix="yibao-pcscd-"))
        atexit.register(shutil.rmtree, _socket_dir, True)
        os.environ[SOCKET_ENV] = str(_socket_dir / "pcscd.comm")
    return Path(os.environ[SOCKET_ENV])


def _port_free(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("0.0.0.0", port))  # vpcd listens on every address
        except OSError:
            return False
    return True


def free_port_pair() -> int:
    """A port p with p and p+1 both free (vpcd's two slots)."""
    for _ in range(50):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = int(s.getsockname()[1])
        if port < 65535 and _port_free(port) and _port_free(port + 1):
            return port
    raise PcscdUnavailable("no two consecutive free TCP ports for vpcd")


# Runs in the child, then becomes pcscd (exec keeps the pid, which LISTEN_PID must name).
_HAND_OVER_SOCKET = """
import os, subprocess, sys
fd, mount_over, argv = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
if mount_over:
    subprocess.run(["mount", "-t", "tmpfs", "-o", "mode=0755,size=1m", "yibao-pcscd", mount_over],
                   check=True)
if fd != 3:
    os.dup2(fd, 3)
    os.close(fd)
os.environ["LISTEN_FDS"] = "1"
os.environ["LISTEN_PID"] = str(os.getpid())
os.execv(argv[0], argv)
"""


def _other_pcscd_present() -> bool:
    """A daemon, or systemd's socket for one, already owns the standard IPC directory."""
    return (SYSTEM_IPC_DIR / "pcscd.comm").exists() or (SYSTEM_IPC_DIR / "pcscd.pid").exists()


def reader_names() -> list[str]:
    from smartcard.System import readers  # type: ignore[import-untyped]

    try:
        return [str(r) for r in readers()]
    except Exception:
        return []


@dataclass
class Pcscd:
    process: subprocess.Popen[bytes]
    port: int
    folder: Path
    socket_path: Path
    log_path: Path
    readers: tuple[str, ...] = field(default=READER_NAMES)

    @property
    def pid(self) -> int:
        return self.process.pid

    @property
    def reader(self) -> str:
        """The slot the virtual card uses (port `self.port`)."""
        return self.readers[0]

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def running(self) -> bool:
        return self.process.poll() is None

    def stop(self, grace: float = 5.0) -> None:
        """SIGTERM, then SIGKILL after `grace` seconds; by process id, nothing else."""
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(grace)
            except subprocess.TimeoutExpired:
                os.kill(self.process.pid, signal.SIGKILL)
                self.process.wait(grace)
        with contextlib.suppress(FileNotFoundError):
            self.socket_path.unlink()


def start_pcscd(folder: Path, timeout: float = 15.0) -> Pcscd:
    """Start a private pcscd with vpcd and wait until its readers are listed."""
    reason = unavailable_reason()
    if reason:
        raise PcscdUnavailable(reason)
    binary = pcscd_binary()
    assert binary is not None
    folder.mkdir(parents=True, exist_ok=True)
    socket_path = client_socket()
    port = free_port_pair()
    conf = folder / "reader.conf.d"
    conf.mkdir(exist_ok=True)
    (conf / "vpcd").write_text(
        'FRIENDLYNAME "Virtual PCD"\n'
        f"DEVICENAME   /dev/null:0x{port:04X}\n"
        f"LIBPATH      {VPCD_DRIVER}\n"
        f"CHANNELID    0x{port:04X}\n"
    )
    with contextlib.suppress(FileNotFoundError):
        socket_path.unlink()
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(str(socket_path))
    listener.listen(64)
    os.chmod(socket_path, 0o666)
    fd = os.dup(listener.fileno())
    command = [binary, "--foreground", "--info", "--config", str(conf)]
    mount_over = ""
    prefix: list[str] = []
    if _other_pcscd_present():
        unshare = shutil.which("unshare")
        if unshare is None:
            os.close(fd)
            listener.close()
            raise PcscdUnavailable("another pcscd is running and `unshare` is missing")
        prefix = [unshare, "--mount", "--propagation", "private"]
        mount_over = str(SYSTEM_IPC_DIR)
    wrapper = [sys.executable, "-c", _HAND_OVER_SOCKET, str(fd), mount_over, *command]
    log_path = folder / "pcscd.log"
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            [*prefix, *wrapper], stdout=log, stderr=subprocess.STDOUT, pass_fds=(fd,), cwd=folder
        )
    os.close(fd)
    listener.close()
    daemon = Pcscd(process, port, folder, socket_path, log_path)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not daemon.running():
            daemon.stop()
            raise PcscdUnavailable(f"pcscd exited at start:\n{daemon.log_tail()}")
        if set(READER_NAMES) <= set(reader_names()):
            return daemon
        time.sleep(0.1)
    daemon.stop()
    raise PcscdUnavailable(f"vpcd readers did not appear within {timeout}s:\n{daemon.log_tail()}")


@contextmanager
def running_pcscd(folder: Path) -> Iterator[Pcscd]:
    daemon = start_pcscd(folder)
    try:
        yield daemon
    finally:
        daemon.stop()


def wait_card_state(reader: str, present: bool, timeout: float = 5.0) -> None:
    """Block until pcscd reports a card in `reader` (or none): it polls vpcd every 0.4 s."""
    from smartcard import scard  # type: ignore[import-untyped]

    code, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
    if code != scard.SCARD_S_SUCCESS:
        raise AssertionError(f"no PC/SC context: {scard.SCardGetErrorMessage(code)}")
    try:
        state = scard.SCARD_STATE_UNAWARE
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"card in {reader} never became present={present}")
            code, states = scard.SCardGetStatusChange(
                context, int(min(remaining, 0.5) * 1000), [(reader, state)]
            )
            if code == scard.SCARD_S_SUCCESS:
                _name, event, _atr = states[0]
                if bool(event & scard.SCARD_STATE_PRESENT) == present and not (
                    event & scard.SCARD_STATE_MUTE
                ):
                    return
                state = event & ~scard.SCARD_STATE_CHANGED
            elif code != scard.SCARD_E_TIMEOUT:
                time.sleep(0.05)
    finally:
        scard.SCardReleaseContext(context)
