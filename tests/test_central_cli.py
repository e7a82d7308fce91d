"""`yibao central ...` as an administrator runs it: seed-demo, add-station, enrol-code, stats,
and `serve` as a real process."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from app.cli import main as yibao
from tests.central_support import (
    RunningCentre,
    activate,
    batch_item,
    filing,
    payload_for,
    run_centre,
)

REPO = Path(__file__).resolve().parent.parent
CODE = re.compile(r"^[2-9A-HJKMNP-TV-Z]{4}-[2-9A-HJKMNP-TV-Z]{4}-[2-9A-HJKMNP-TV-Z]{4}$")


@pytest.fixture(scope="module")
def centre(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningCentre]:
    with run_centre(tmp_path_factory.mktemp("centre")) as running:
        yield running


def _central(
    capsys: pytest.CaptureFixture[str], data: Path, db_url: str, *args: str
) -> tuple[int, str]:
    capsys.readouterr()
    code = yibao(["--data-dir", str(data), "central", *args, "--db", db_url])
    return code, capsys.readouterr().out


def test_seed_demo_json_and_rerun(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db_url = f"sqlite:///{tmp_path / 'c.db'}"
    code, out = _central(capsys, tmp_path, db_url, "seed-demo", "--json")
    assert code == 0
    first = json.loads(out)
    assert set(first) == {"station", "enrolment_code"}
    assert first["station"] == "DEMO-441802-001" and CODE.match(first["enrolment_code"])
    code, out = _central(capsys, tmp_path, db_url, "seed-demo", "--json")
    second = json.loads(out)
    assert second["station"] == first["station"]
    assert second["enrolment_code"] != first["enrolment_code"]
    _, out = _central(capsys, tmp_path, db_url, "stats", "--json")
    assert [s["station"] for s in json.loads(out)["stations"]] == ["DEMO-441802-001"]


def test_add_station_and_enrol_code(
    centre: RunningCentre, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = _central(
        capsys,
        tmp_path,
        centre.db_url,
        "add-station",
        "--code",
        "HOSP-441802-009",
        "--name",
        "示范镇卫生院医保服务站",
        "--type",
        "designated",
        "--channel",
        "designated",
        "--list",
        "hospital",
        "--region",
        "441802",
        "--json",
    )
    assert code == 0
    station = json.loads(out)
    assert "CX-XSECB-005" in station["enabled_items"]  # newborn enrolment: a hospital item
    assert "CX-CBDJ-001" not in station["enabled_items"]
    code, out = _central(
        capsys,
        tmp_path,
        centre.db_url,
        "enrol-code",
        "HOSP-441802-009",
        "--ttl-minutes",
        "5",
        "--json",
    )
    issued = json.loads(out)
    assert code == 0 and issued["station"] == "HOSP-441802-009"
    terminal = activate(centre.url, issued["enrolment_code"])
    assert terminal.activation["station"]["station_list"] == "hospital"
    # Refusals say what is wrong, in Chinese and English, and exit non-zero.
    code = yibao(
        [
            "--data-dir",
            str(tmp_path),
            "central",
            "add-station",
            "--code",
            "HOSP-441802-009",
            "--name",
            "x",
            "--type",
            "township",
            "--channel",
            "township",
            "--list",
            "township",
            "--region",
            "441802",
            "--db",
            centre.db_url,
        ]
    )
    err = capsys.readouterr().err
    assert code == 1 and "已存在" in err and "exists already" in err
    assert _central(capsys, tmp_path, centre.db_url, "enrol-code", "NOPE-1")[0] == 1


def test_stats_json_figures(
    centre: RunningCentre, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    terminal = centre.new_station("STAT-441802-001")
    photo = os.urandom(5000)
    terminal.upload(photo)
    one = filing("STAT-441802-001", attachments=[photo])
    two = filing("STAT-441802-001")
    clash = batch_item(payload_for(two["idempotency_key"], "STAT-441802-001", phone="13700137000"))
    results = terminal.send(
        one, two, one, two, one, clash, filing("STAT-441802-001", item_code="X")
    )
    assert [r["outcome"] for r in results] == [
        "accepted",
        "accepted",
        "duplicate",
        "duplicate",
        "duplicate",
        "conflict",
        "rejected",
    ]
    code, out = _central(capsys, tmp_path, centre.db_url, "stats", "--json")
    assert code == 0
    report = {s["station"]: s for s in json.loads(out)["stations"]}
    assert report["STAT-441802-001"] == {
        "station": "STAT-441802-001",
        "filings": 2,
        "distinct_keys": 2,
        "duplicates_answered": 3,
        "conflicts": 1,
        "attachments": 1,
    }
    code, out = _central(capsys, tmp_path, centre.db_url, "stats")
    assert code == 0 and "STAT-441802-001" in out


def test_serve_runs_the_centre_as_a_process(tmp_path: Path) -> None:
    """`yibao central serve` as an administrator starts it (tests.centre_process)."""
    from tests.centre_process import running_centre

    with running_centre(tmp_path / "centre") as centre:
        enrolment = centre.seed_demo()["enrolment_code"]
        probe = requests.get(f"{centre.url}/api/v1/status-feed", timeout=5)
        assert probe.status_code == 401 and probe.json()["error"] == "auth_missing"
        terminal = activate(centre.url, enrolment)
        [result] = terminal.send(filing())
        assert result["outcome"] == "accepted"
        data = b"x" * 1000
        assert terminal.upload(data)["complete"] is True
        assert any((tmp_path / "centre" / "blobs").rglob("*"))


def test_centre_schema_is_migrated_and_a_newer_one_refused(tmp_path: Path) -> None:
    """The centre's tables come from alembic; a database from a newer release is refused."""
    import sqlite3

    from central.db import Database
    from central.migrate import CentreSchemaTooNew

    url = f"sqlite:///{tmp_path / 'c.db'}"
    db = Database(url)
    db.create_schema()
    db.dispose()
    with sqlite3.connect(tmp_path / "c.db") as raw:
        (version,) = raw.execute("SELECT version_num FROM alembic_version").fetchone()
        assert version == "c0006"  # the newest centre migration
        raw.execute("UPDATE alembic_version SET version_num = 'c9999'")
    with pytest.raises(CentreSchemaTooNew):
        Database(url).create_schema()
