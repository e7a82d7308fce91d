"""speech-dispatcher as a real process, private to the tests, with a silent sound card.

Why private: the host's daemon is started on demand by libspeechd with the system's settings
(PulseAudio), and with no sound server it accepts a prompt, fails to open the audio and then
hangs when it shuts down, after which every new client waits on it for ever (seen on the
development VM). So the tests never talk to it: conftest points $SPEECHD_ADDRESS at a socket
of the test session's own (libspeechd does not start a daemon for an address given there), and
the speech tests start this daemon on that socket.

Its configuration is the system's (/etc/speech-dispatcher, so the real espeak-ng module and
voices) with audio through libao, whose built-in "null" driver plays to nowhere: no sound
card is needed, and the engine still goes Speaking -> Ready for every prompt. The daemon runs
in the foreground in its own process group and is stopped by that group's id.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

SYSTEM_CONFIG = Path("/etc/speech-dispatcher")
ESPEAK_MODULE = Path("/usr/lib/speech-dispatcher-modules/sd_espeak-ng")
START_TIMEOUT_S = 15.0


def unavailable_reason() -> str | None:
    """Why a private speech-dispatcher cannot run here, or None when it can."""
    if shutil.which("speech-dispatcher") is None:
        return "speech-dispatcher is not installed (installer/linux/system-deps.sh installs it)"
    if not (SYSTEM_CONFIG / "speechd.conf").is_file():
        return f"{SYSTEM_CONFIG}/speechd.conf is missing"
    if not ESPEAK_MODULE.exists():
        return "the espeak-ng module of speech-dispatcher is not installed"
    return None


def address_socket() -> Path:
    """The socket named by $SPEECHD_ADDRESS (set by conftest for the whole test session)."""
    method, _, path = os.environ.get("SPEECHD_ADDRESS", "").partition(":")
    if method != "unix_socket" or not path:
        raise RuntimeError("SPEECHD_ADDRESS must name a unix socket (see tests/conftest.py)")
    return Path(path)


def answers(path: Path, timeout_s: float = 1.0) -> bool:
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
            conn.settimeout(timeout_s)
            conn.connect(str(path))
            conn.sendall(b"QUIT\r\n")
            return conn.recv(64).startswith(b"231")
    except OSError:
        return False


@dataclass
class SpeechDaemon:
    process: subprocess.Popen[bytes]
    socket_path: Path
    log_dir: Path

    def log_text(self) -> str:
        return "\n".join(p.read_text(errors="replace") for p in sorted(self.log_dir.glob("*.log")))


@contextmanager
def running_speechd(folder: Path, socket_path: Path | None = None) -> Iterator[SpeechDaemon]:
    """A speech-dispatcher on `socket_path` (default: $SPEECHD_ADDRESS's), stopped after."""
    reason = unavailable_reason()
    if reason is not None:
        raise RuntimeError(reason)
    path = socket_path or address_socket()
    config, home, logs = folder / "config", folder / "home", folder / "logs"
    shutil.copytree(SYSTEM_CONFIG, config, symlinks=True)
    with (config / "speechd.conf").open("a") as conf:
        conf.write('\nAudioOutputMethod "libao"\n')
    home.mkdir()
    (home / ".libao").write_text("default_driver=null\nquiet\n")
    logs.mkdir()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    env = {**os.environ, "HOME": str(home)}
    env.pop("SPEECHD_ADDRESS", None)
    command = [
        "speech-dispatcher",
        "--run-single",
        "--config-dir", str(config),
        "--communication-method", "unix_socket",
        "--socket-path", str(path),
        "--timeout", "0",
        "--log-dir", str(logs),
        "--log-level", "3",
    ]  # fmt: skip
    out = (logs / "stdout.txt").open("wb")
    process = subprocess.Popen(
        command, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
    )
    daemon = SpeechDaemon(process, path, logs)
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while not answers(path):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(
                    f"speech-dispatcher did not start (exit {process.poll()}):\n"
                    + (logs / "stdout.txt").read_text(errors="replace")[-2000:]
                )
            time.sleep(0.1)
        yield daemon
    finally:
        _stop(process)
        out.close()
        path.unlink(missing_ok=True)


def _stop(process: subprocess.Popen[bytes], grace_s: float = 5.0) -> None:
    """SIGTERM to the daemon's own process group (it and its output modules), then SIGKILL."""
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(grace_s)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)  # output modules left behind, if any
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(grace_s)
