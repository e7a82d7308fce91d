"""The heartbeat's figures for a terminal running unattended (§8): free disk, the clock offset
the centre answered last time, printer paper; and the centre's monitoring view of them.

Against the reference centre as a real process, a real activated terminal and its sync engine;
`yibao central heartbeats` is run as the administrator runs it.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import time
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command

import central.migrate
from app.context import AppContext
from central.heartbeat import CLOCK_OFF_S, LOW_DISK_BYTES
from sync.activation import device_identity
from sync.engine import SyncEngine
from sync.state import SyncStateStore
from sync.transport import CentralClient
from tests.centre_process import Centre, yibao

DEVICES: list[dict[str, object]] = [
    {
        "name": "id_card",
        "present": True,
        "working": False,
        "simulated": False,
        "last_error": "身份证读卡器没有响应",
    },
    {"name": "ssc_card", "present": False, "working": False, "simulated": False},
    {
        "name": "document_printer",
        "present": True,
        "working": False,
        "simulated": False,
        "last_error": "A4 打印机缺纸",
        "paper": "out",
        "reasons": ["media-empty-error", "paused"],
    },
    {"name": "receipt_printer", "present": True, "working": True, "paper": "low"},
]


def terminals(centre: Centre, *args: str) -> list[dict[str, Any]]:
    out = centre.admin("heartbeats", *args, "--json")
    assert out.returncode == 0, out.stderr
    return list(json.loads(out.stdout)["terminals"])


def test_the_centre_hears_disk_clock_and_paper_and_flags_what_needs_a_visit(
    centre: Centre, activated: AppContext, data_dir: Path
) -> None:
    store = SyncStateStore(activated.db)
    first = store.centre_clock_offset()
    assert first is not None, "the first sync's heartbeat answer was kept"
    store.set_device_health(DEVICES)
    report = SyncEngine(activated).run_once()
    assert report.error is None, report.error_en
    free_now = shutil.disk_usage(data_dir).free

    [beat] = terminals(centre)
    # Other processes write to this disk meanwhile: the same figure within 256 MiB.
    assert abs(beat["free_disk_bytes"] - free_now) < 256 * 1024**2
    assert abs(beat["clock_offset_s"]) <= 2  # the same machine's clock
    assert beat["last_clock_offset_s"] == first[0]  # what the centre answered the last beat
    by_name = {d["name"]: d for d in beat["devices"]}
    assert by_name["document_printer"]["paper"] == "out"
    assert by_name["document_printer"]["reasons"] == ["media-empty-error", "paused"]
    assert by_name["receipt_printer"]["paper"] == "low"
    assert by_name["id_card"]["paper"] is None  # not a printer
    low_disk = ["low_disk"] if free_now < LOW_DISK_BYTES else []
    assert beat["flags"] == ["paper_out", "reader_failed", *low_disk]

    station = activated.stations.station()
    assert station is not None
    text = centre.admin("heartbeats", station.code).stdout
    assert "打印机缺纸 printer out of paper" in text
    assert "读卡器故障 card reader failed" in text
    assert "document_printer 故障 failed: A4 打印机缺纸，纸张 paper out" in text
    assert "时钟偏差 clock offset" in text and "剩余磁盘 free disk" in text
    assert "超过 5 分钟" not in text

    # The technician at the terminal sees the same figures (`yibao status`).
    status = yibao("--data-dir", str(data_dir), "status")
    assert status.returncode == 0, status.stderr
    kept = store.centre_clock_offset()
    assert kept is not None
    assert f"时钟偏差 Clock:      中心比本机 centre minus here {kept[0]:+d} s" in status.stdout
    assert "剩余磁盘 Free disk:  " in status.stdout
    as_json = json.loads(yibao("--data-dir", str(data_dir), "status", "--json").stdout)
    assert abs(as_json["free_disk_bytes"] - free_now) < 256 * 1024**2
    assert as_json["sync"]["centre_clock_offset_s"] == str(kept[0])


def test_a_terminal_clock_ten_minutes_slow_is_flagged_and_its_drift_shown(
    centre: Centre, activated: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The terminal's clock (the heartbeat's client_time) runs 10 minutes slow for one run.

    Only the engine's clock is shifted; requests are still signed with the real time, as a
    terminal that learnt the offset would sign them.
    """
    import sync.engine

    real = sync.engine.utcnow
    monkeypatch.setattr(sync.engine, "utcnow", lambda: real() - dt.timedelta(minutes=10))
    assert SyncEngine(activated).run_once().error is None
    [slow] = terminals(centre)
    assert 600 - 2 <= slow["clock_offset_s"] <= 600 + 2
    assert "clock_off" in slow["flags"] and slow["clock_offset_s"] > CLOCK_OFF_S
    kept = SyncStateStore(activated.db).centre_clock_offset()
    assert kept is not None and kept[0] == slow["clock_offset_s"]  # the terminal kept the answer

    monkeypatch.setattr(sync.engine, "utcnow", real)  # the technician set the clock right
    assert SyncEngine(activated).run_once().error is None
    [fixed] = terminals(centre)
    assert fixed["last_clock_offset_s"] == slow["clock_offset_s"]
    assert fixed["clock_drift_s"] == fixed["clock_offset_s"] - slow["clock_offset_s"]
    assert fixed["clock_drift_s"] < -CLOCK_OFF_S
    assert "clock_off" not in fixed["flags"]


def test_an_older_clients_beat_is_still_accepted(centre: Centre, activated: AppContext) -> None:
    """A client from before these fields (and one sending a paper state the centre does not
    know) is heard; the unknown state is kept as "unknown", not refused."""
    target = device_identity(activated)
    assert target is not None
    client = CentralClient(*target)
    try:
        answer = client.heartbeat(
            {
                "client_version": "0.0.9",
                "client_time": int(time.time()),
                "outbox": {"pending": 2},
                "devices": [
                    {"name": "id_card", "present": True, "working": True},
                    {"name": "receipt_printer", "present": True, "working": True, "paper": "wet"},
                ],
            }
        )
    finally:
        client.close()
    assert set(answer) == {"server_time", "clock_offset_s"}
    [beat] = terminals(centre)
    assert beat["client_version"] == "0.0.9"
    assert beat["free_disk_bytes"] is None and beat["last_clock_offset_s"] is None
    assert beat["clock_drift_s"] is None
    assert {d["name"]: d["paper"] for d in beat["devices"]} == {
        "id_card": None,
        "receipt_printer": "unknown",
    }
    assert beat["flags"] == []
    text = centre.admin("heartbeats").stdout
    assert "剩余磁盘 free disk -" in text and "pending 2" in text


def test_an_unknown_station_is_said_plainly(centre: Centre) -> None:
    out = centre.admin("heartbeats", "NO-SUCH")
    assert out.returncode == 1
    assert "没有站点 NO-SUCH" in out.stderr and "No station NO-SUCH" in out.stderr
    assert "Traceback" not in out.stderr


def test_beats_stored_before_c0006_survive_the_upgrade(tmp_path: Path) -> None:
    cfg = central.migrate.alembic_config()
    url = f"sqlite:///{tmp_path / 'old.db'}"
    cfg.set_main_option("sqlalchemy.url", url)
    command.upgrade(cfg, "c0005")
    engine = sa.create_engine(url)
    beat = {
        "device_id": "dev-1",
        "received_at": dt.datetime(2026, 11, 1, 8, 0),
        "client_version": "0.1.0",
        "client_time": 1_790_000_000,
        "clock_offset_s": 3,
        "outbox": '{"pending": 1}',
        "needs_attention": 0,
        "devices": '[{"name": "id_card", "present": true, "working": true}]',
    }
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO heartbeats (device_id, received_at, client_version, client_time,"
                " clock_offset_s, outbox, needs_attention, devices) VALUES (:device_id,"
                " :received_at, :client_version, :client_time, :clock_offset_s, :outbox,"
                " :needs_attention, :devices)"
            ),
            beat,
        )
    command.upgrade(cfg, "head")
    with engine.connect() as conn:
        row = conn.execute(sa.text("SELECT * FROM heartbeats")).mappings().one()
    engine.dispose()
    assert row["clock_offset_s"] == 3 and json.loads(row["devices"])[0]["name"] == "id_card"
    assert row["free_disk_bytes"] is None and row["last_clock_offset_s"] is None
