"""Down-sync against the real centre: status feed after review, reference data, heartbeat."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from app.cli import main as yibao
from central import admin
from central.models import Heartbeat
from tests.central_support import RunningCentre, Terminal, filing, run_centre


@pytest.fixture(scope="module")
def centre(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningCentre]:
    with run_centre(tmp_path_factory.mktemp("centre")) as running:
        yield running


def _central(centre: RunningCentre, tmp_path: Path, *args: str) -> int:
    return yibao(["--data-dir", str(tmp_path / "cli"), "central", *args, "--db", centre.db_url])


def _feed(terminal: Terminal, cursor: int, limit: int = 500) -> dict[str, Any]:
    answer = terminal.get(f"/api/v1/status-feed?cursor={cursor}&limit={limit}")
    assert answer.status_code == 200, answer.text
    feed: dict[str, Any] = answer.json()
    return feed


def test_status_feed_follows_the_review(
    centre: RunningCentre, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    terminal = centre.new_station("FEED-441802-001")
    first, second = filing("FEED-441802-001"), filing("FEED-441802-001")
    [a, b] = terminal.send(first, second)
    feed = _feed(terminal, 0)
    changes = feed["changes"]
    assert [(c["idempotency_key"], c["status"]) for c in changes] == [
        (first["idempotency_key"], "accepted"),
        (second["idempotency_key"], "accepted"),
    ]
    assert changes[0]["receipt_no"] == a["receipt_no"] and changes[0]["at"].endswith("Z")
    cursor = feed["next_cursor"]
    assert cursor == changes[1]["seq"] and feed["more"] is False
    assert _feed(terminal, cursor)["changes"] == []

    assert _central(centre, tmp_path, "review", a["receipt_no"], "--in-review") == 0
    assert _central(centre, tmp_path, "review", a["receipt_no"], "--approve") == 0
    need = "请补充户口簿复印件"
    assert _central(centre, tmp_path, "review", b["receipt_no"], "--need-materials", need) == 0
    assert _central(centre, tmp_path, "review", a["receipt_no"], "--reject", "迟了") == 1
    assert "cannot become refused" in capsys.readouterr().err

    feed = _feed(terminal, cursor)
    moves = [(c["receipt_no"], c["status"], c["message"]) for c in feed["changes"]]
    assert moves == [
        (a["receipt_no"], "in_review", None),
        (a["receipt_no"], "completed", "已办结"),
        (b["receipt_no"], "needs_materials", need),
    ]
    # Paging: one at a time, in order, with `more` until the end.
    page = _feed(terminal, cursor, limit=1)
    assert page["more"] is True and len(page["changes"]) == 1
    looked = terminal.get(f"/api/v1/filings/{second['idempotency_key']}").json()
    assert (looked["status"], looked["message"]) == ("needs_materials", need)
    # Another station's feed holds none of this.
    others = _feed(centre.terminal(), 0)["changes"]
    assert not {c["receipt_no"] for c in others} & {a["receipt_no"], b["receipt_no"]}


def test_reference_data_comes_when_newer(centre: RunningCentre) -> None:
    terminal = centre.terminal()
    full = terminal.get("/api/v1/reference").json()
    catalog, roster, news = full["catalog"], full["roster"], full["announcements"]
    assert catalog["version"] == "2026.11.1" and len(catalog["items"]) > 20
    assert {"version", "published", "categories", "items"} <= set(catalog)
    assert {"code": "DEMO01", "name": "李明", "status": "active", "roles": ["township_agent"]} in (
        roster["operators"]
    )
    agent = next(r for r in roster["roles"] if r["code"] == "township_agent")
    assert agent["name"] == "镇街经办人员" and "CX-CBDJ-001" in agent["items"]
    assert news["items"][0]["title"] == "演示站点说明"
    assert full["station"]["code"] == "DEMO-441802-001"

    query = (
        f"/api/v1/reference?catalog={catalog['version']}&roster={roster['version']}"
        f"&announcements={news['version']}"
    )
    current = terminal.get(query).json()
    assert (current["catalog"], current["roster"], current["announcements"]) == (None, None, None)
    assert current["station"] == full["station"]

    admin.add_announcement(centre.db, "DEMO-441802-001", "停电通知", "周六上午停电检修。")
    newer = terminal.get(query).json()
    assert newer["catalog"] is None and newer["roster"] is None
    assert newer["announcements"]["version"] == news["version"] + 1
    assert newer["announcements"]["items"][-1]["title"] == "停电通知"


def test_heartbeat_is_recorded_and_returns_the_clock_offset(centre: RunningCentre) -> None:
    terminal = centre.terminal()
    beat = {
        "client_version": "0.1.0",
        "client_time": int(time.time()) - 100,
        "outbox": {"pending": 3, "retry_wait": 1},
        "oldest_unsent_age_s": 5400,
        "needs_attention": 0,
        "devices": [{"name": "id_card", "present": True, "working": False, "last_error": "SAM"}],
    }
    answer = terminal.post("/api/v1/heartbeat", beat)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert set(body) == {"server_time", "clock_offset_s"}
    assert 99 <= body["clock_offset_s"] <= 102
    with centre.db.read() as s:
        row = s.execute(
            select(Heartbeat).where(Heartbeat.device_id == terminal.device_id)
        ).scalar_one()
        assert (row.client_version, row.outbox, row.oldest_unsent_age_s) == (
            "0.1.0",
            {"pending": 3, "retry_wait": 1},
            5400,
        )
        assert row.clock_offset_s == body["clock_offset_s"]
        assert row.devices[0]["last_error"] == "SAM"
    bad = terminal.post("/api/v1/heartbeat", {"client_version": "0.1.0"})
    assert bad.status_code == 400 and bad.json()["error"] == "bad_request"
