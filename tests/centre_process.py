"""The reference centre as a real process on 127.0.0.1, for end-to-end tests.

It is started with the same command an administrator uses (`yibao central serve`), on a
free port and a SQLite file of the test's own, and stopped by its process id.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import requests

REPO = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def yibao(
    *args: str, timeout: float = 120, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """The `yibao` command as a real process, with the test keyring."""
    env = {**os.environ, "YIBAO_KEYRING": "file", **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "app", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


@dataclass
class Centre:
    url: str
    db_url: str
    process: subprocess.Popen[bytes]

    def admin(self, *args: str) -> subprocess.CompletedProcess[str]:
        return yibao("central", *args, "--db", self.db_url)

    def seed_demo(self) -> dict[str, str]:
        out = self.admin("seed-demo", "--json")
        assert out.returncode == 0, out.stderr
        return dict(json.loads(out.stdout.strip().splitlines()[-1]))


@contextmanager
def running_centre(folder: Path, port: int | None = None) -> Iterator[Centre]:
    folder.mkdir(parents=True, exist_ok=True)
    port = port or free_port()
    db_url = f"sqlite:///{folder / 'central.db'}"
    log = (folder / "central.log").open("wb")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "app",
            "central",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--db",
            db_url,
            "--blobs",
            str(folder / "blobs"),
        ],
        cwd=REPO,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                requests.get(url + "/api/v1/status-feed", timeout=1)
                break
            except requests.ConnectionError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        "the centre did not start: " + (folder / "central.log").read_text()
                    ) from None
                time.sleep(0.1)
        yield Centre(url, db_url, process)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
