"""The `yibao` command as technicians and scripts use it: real processes on a real data folder."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.cli import main
from tests.centre_process import yibao

REPO = Path(__file__).resolve().parent.parent


def test_demo_filings_then_status_and_queue_json(tmp_path: Path) -> None:
    data = str(tmp_path / "d")
    made = yibao("--data-dir", data, "demo-filings", "--count", "20", "--photo-share", "0.25")
    assert made.returncode == 0, made.stderr
    assert "created 20 demo filings (5 with a photo)" in made.stdout
    status = yibao("--data-dir", data, "status", "--json")
    assert status.returncode == 0, status.stderr
    report = json.loads(status.stdout)
    assert report["filings_total"] == 20
    assert report["filings_by_state"] == {"queued": 20}
    assert report["outbox_by_state"] == {"pending": 20}
    assert report["station"]["code"].startswith("DEMO")
    queue = json.loads(yibao("--data-dir", data, "queue", "--json").stdout)
    assert len(queue) == 20 and {e["state"] for e in queue} == {"pending"}
    assert len({e["idempotency_key"] for e in queue}) == 20
    blobs = [p for p in (tmp_path / "d" / "blobs").rglob("*") if p.is_file()]
    assert len(blobs) == 5 and all(p.stat().st_size > 190_000 for p in blobs)
    text = yibao("--data-dir", data, "status")
    assert "申请 Filings:        20" in text.stdout


def test_yibao_home_is_the_data_folder(tmp_path: Path) -> None:
    home = tmp_path / "home"
    out = yibao("status", "--json", env={"YIBAO_HOME": str(home)})
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["data_dir"] == str(home)
    assert (home / "yibao.db").exists()


def test_bad_arguments_get_a_message_not_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        ["--data-dir", str(tmp_path / "d"), "demo-filings", "--count", "3", "--photo-share", "2"]
    )
    assert code == 2
    err = capsys.readouterr().err
    assert "--photo-share" in err and "Traceback" not in err


def test_gui_without_display_starts_offscreen_and_saves_a_screenshot(tmp_path: Path) -> None:
    """What `make run` does on a machine with no screen (CI, a server)."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"}
    }
    env["YIBAO_KEYRING"] = "file"
    out = subprocess.run(
        [sys.executable, "-m", "app", "--data-dir", str(tmp_path / "d"), "gui", "--demo"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    assert "离屏" in out.stdout and "offscreen" in out.stdout
    shot = tmp_path / "d" / "screenshots" / "first-screen.png"
    assert str(shot) in out.stdout
    assert shot.stat().st_size > 10_000
    assert "Traceback" not in out.stderr
