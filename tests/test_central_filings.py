"""Filing batches, attachments and lookup against the real centre (§5, §6)."""

from __future__ import annotations

import base64
import hashlib
import os
import re
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import func, select

from app.ids import new_uid
from central.models import Filing
from tests.central_support import (
    DEMO,
    RunningCentre,
    Terminal,
    batch_item,
    filing,
    payload_for,
    run_centre,
)

RECEIPT = re.compile(r"^YB441802\d{6}\d{7}$")


@pytest.fixture(scope="module")
def centre(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningCentre]:
    with run_centre(tmp_path_factory.mktemp("centre")) as running:
        yield running


@pytest.fixture
def terminal(centre: RunningCentre) -> Terminal:
    return centre.terminal()


def _rows(centre: RunningCentre, station: str, key: str) -> int:
    with centre.db.read() as s:
        return s.execute(
            select(func.count())
            .select_from(Filing)
            .where(Filing.station_code == station, Filing.idempotency_key == key)
        ).scalar_one()


def test_accepted_then_duplicate_then_conflict(centre: RunningCentre, terminal: Terminal) -> None:
    item = filing()
    key = item["idempotency_key"]
    [first] = terminal.send(item)
    assert first["outcome"] == "accepted" and RECEIPT.match(first["receipt_no"])
    assert first["idempotency_key"] == key
    [again] = terminal.send(item)
    assert again == {
        "idempotency_key": key,
        "outcome": "duplicate",
        "receipt_no": first["receipt_no"],
    }
    changed = batch_item(payload_for(key, phone="13900139000"))
    [conflict] = terminal.send(changed)
    assert conflict["outcome"] == "conflict"
    assert conflict["reason"] == "同一幂等键的内容不同" and conflict["reason_en"]
    assert "receipt_no" not in conflict
    assert _rows(centre, DEMO, key) == 1
    with centre.db.read() as s:
        stored = s.execute(select(Filing).where(Filing.idempotency_key == key)).scalar_one()
        assert stored.payload == base64.b64decode(item["payload"])  # never merged


def test_another_terminal_of_the_station_gets_the_same_receipt(centre: RunningCentre) -> None:
    item = filing()
    [first] = centre.terminal().send(item)
    [second] = centre.terminal().send(item)
    assert second["outcome"] == "duplicate" and second["receipt_no"] == first["receipt_no"]


def test_bad_items_are_rejected_with_reasons_and_never_fail_the_batch(terminal: Terminal) -> None:
    good = filing()
    not_enabled = filing(item_code="CX-XSECB-005")  # newborns: a hospital item
    unknown_version = filing(catalog_version="2030.01.1")
    tampered = filing()
    tampered["payload_sha256"] = hashlib.sha256(b"something else").hexdigest()
    not_json = batch_item(b"\xff not json")
    missing = payload_for(new_uid())
    del missing["person"]
    other_station = filing(station="ELSEWHERE-001")
    not_base64 = filing()
    not_base64["payload"] = "%%%"
    query_item = filing(item_code="CX-CBCX-006")
    results = terminal.send(
        not_enabled,
        good,
        unknown_version,
        tampered,
        not_json,
        batch_item(missing),
        other_station,
        not_base64,
        query_item,
    )
    outcomes = [r["outcome"] for r in results]
    assert outcomes == ["rejected", "accepted"] + ["rejected"] * 7
    assert [r["idempotency_key"] for r in results][:2] == [
        not_enabled["idempotency_key"],
        good["idempotency_key"],
    ]
    reasons = [r.get("reason_en", "") for r in results]
    assert results[0]["reason"] == "本站点未开通该事项"
    assert "Unknown catalog version 2030.01.1" in reasons[2]
    assert "SHA-256" in reasons[3]
    assert "JSON" in reasons[4]
    assert "person" in reasons[5] and "person" in results[5]["reason"]
    assert "another station" in reasons[6]
    assert "base64" in reasons[7]
    assert "query" in reasons[8]
    assert all(r["reason"] for r in results if r["outcome"] == "rejected")


def test_missing_attachments_are_retried_then_accepted(terminal: Terminal) -> None:
    photo = os.urandom(300_000)
    scan = os.urandom(1000)
    item = filing(attachments=[photo, scan])
    [first] = terminal.send(item)
    assert first["outcome"] == "retry"
    assert first["missing_attachments"] == sorted(
        hashlib.sha256(a).hexdigest() for a in (photo, scan)
    )
    terminal.upload(scan)
    [second] = terminal.send(item)
    assert second["missing_attachments"] == [hashlib.sha256(photo).hexdigest()]
    assert terminal.upload(photo, chunk=100_000)["complete"] is True
    [third] = terminal.send(item)
    assert third["outcome"] == "accepted" and RECEIPT.match(third["receipt_no"])


def test_attachments_listed_must_match_the_payload(terminal: Terminal) -> None:
    photo = os.urandom(100)
    terminal.upload(photo)
    item = filing(attachments=[photo])
    item["attachments"] = []
    [result] = terminal.send(item)
    assert result["outcome"] == "rejected" and "attachments" in result["reason_en"]


def test_resumable_upload(centre: RunningCentre, terminal: Terminal) -> None:
    data = os.urandom(200_000)
    sha = hashlib.sha256(data).hexdigest()
    path = f"/api/v1/attachments/{sha}"
    assert terminal.get(path).status_code == 404
    first = terminal.request("PUT", f"{path}?offset=0&size=200000", data=data[:65536])
    assert first.json() == {"sha256": sha, "size": 200000, "received": 65536, "complete": False}
    assert terminal.get(path).json()["received"] == 65536
    wrong = terminal.request("PUT", f"{path}?offset=100000&size=200000", data=data[100000:])
    assert wrong.status_code == 409 and wrong.json()["error"] == "offset_mismatch"
    assert wrong.json()["received"] == 65536
    done = terminal.request("PUT", f"{path}?offset=65536&size=200000", data=data[65536:])
    assert done.status_code == 200 and done.json()["complete"] is True
    assert done.json()["received"] == 200000
    again = terminal.request("PUT", f"{path}?offset=0&size=200000", data=b"junk")
    assert again.status_code == 200 and again.json()["complete"] is True
    stored = centre.blob_dir / DEMO / sha[:2] / sha
    assert stored.read_bytes() == data
    # Another station does not see this station's attachments.
    other = centre.new_station("OTHER-441802-001")
    assert other.get(path).status_code == 404


def test_a_completed_upload_with_the_wrong_hash_is_discarded(
    centre: RunningCentre, terminal: Terminal
) -> None:
    claimed = hashlib.sha256(b"the real thing").hexdigest()
    path = f"/api/v1/attachments/{claimed}"
    terminal.request("PUT", f"{path}?offset=0&size=10", data=b"01234")
    bad = terminal.request("PUT", f"{path}?offset=5&size=10", data=b"56789")
    assert bad.status_code == 422 and bad.json()["error"] == "hash_mismatch"
    assert terminal.get(path).status_code == 404
    assert not list(centre.blob_dir.rglob(f"{claimed}*"))
    good = terminal.request("PUT", f"{path}?offset=0&size=14", data=b"the real thing")
    assert good.json()["complete"] is True


def test_oversized_and_malformed_requests(terminal: Terminal) -> None:
    sha = hashlib.sha256(b"").hexdigest()
    chunk = terminal.request(
        "PUT", f"/api/v1/attachments/{sha}?offset=0&size=2000000", data=b"x" * (1024 * 1024 + 1)
    )
    assert chunk.status_code == 413 and chunk.json()["error"] == "too_large"
    item = filing()
    too_many = terminal.post("/api/v1/filings/batch", {"items": [item] * 201})
    assert too_many.status_code == 413 and too_many.json()["error"] == "too_large"
    for body in ({"items": "nope"}, {"items": [{"kind": "filing"}]}, [1, 2]):
        answer = terminal.post("/api/v1/filings/batch", body)
        assert answer.status_code == 400 and answer.json()["error"] == "bad_request", body
    not_json = terminal.request("POST", "/api/v1/filings/batch", data=b"{items")
    assert not_json.status_code == 400
    bad_name = terminal.get("/api/v1/attachments/XYZ")
    assert bad_name.status_code == 400
    empty = terminal.request("PUT", f"/api/v1/attachments/{sha}?offset=0&size=0", data=b"")
    assert empty.json()["complete"] is True  # an empty file is a file


def test_the_unique_constraint_holds_under_concurrent_requests(
    centre: RunningCentre,
) -> None:
    terminals = [centre.terminal() for _ in range(8)]
    same = filing()
    rival_key = new_uid()
    barrier = threading.Barrier(8)
    answers: dict[str, list[dict[str, Any]]] = {"same": [], "rivals": []}
    lock = threading.Lock()

    def send(n: int) -> None:
        barrier.wait()
        [one] = terminals[n].send(same)
        barrier.wait()
        [two] = terminals[n].send(batch_item(payload_for(rival_key, phone=f"1390013900{n}")))
        with lock:
            answers["same"].append(one)
            answers["rivals"].append(two)

    threads = [threading.Thread(target=send, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    same_outcomes = sorted(a["outcome"] for a in answers["same"])
    assert same_outcomes == ["accepted"] + ["duplicate"] * 7
    assert len({a["receipt_no"] for a in answers["same"]}) == 1
    assert _rows(centre, DEMO, same["idempotency_key"]) == 1
    rival_outcomes = sorted(a["outcome"] for a in answers["rivals"])
    assert rival_outcomes == ["accepted"] + ["conflict"] * 7
    assert _rows(centre, DEMO, rival_key) == 1


def test_lookup_by_key(terminal: Terminal) -> None:
    item = filing()
    [accepted] = terminal.send(item)
    found = terminal.get(f"/api/v1/filings/{item['idempotency_key']}")
    assert found.status_code == 200
    assert found.json() == {
        "idempotency_key": item["idempotency_key"],
        "receipt_no": accepted["receipt_no"],
        "payload_sha256": item["payload_sha256"],
        "status": "accepted",
        "message": None,
        "message_en": None,
    }
    missing = terminal.get(f"/api/v1/filings/{new_uid()}")
    assert missing.status_code == 404 and missing.json()["error"] == "not_found"


def _sequence(receipt: str) -> int:
    return int(receipt[-7:])


def test_receipts_follow_the_items_of_a_batch_in_order(terminal: Terminal) -> None:
    results = terminal.send(*(filing() for _ in range(5)))
    numbers = [_sequence(r["receipt_no"]) for r in results]
    assert numbers == list(range(numbers[0], numbers[0] + 5))
    [after] = terminal.send(filing())
    assert _sequence(after["receipt_no"]) == numbers[-1] + 1


def test_the_same_key_twice_in_one_batch(centre: RunningCentre, terminal: Terminal) -> None:
    item = filing()
    rival = batch_item(payload_for(item["idempotency_key"], phone="13900139000"))
    first, again, other = terminal.send(item, item, rival)
    assert first["outcome"] == "accepted"
    assert again == {
        "idempotency_key": item["idempotency_key"],
        "outcome": "duplicate",
        "receipt_no": first["receipt_no"],
    }
    assert other["outcome"] == "conflict"
    assert _rows(centre, DEMO, item["idempotency_key"]) == 1
    # A rejected or waiting item does not claim its key: the next one with it is stored.
    photo = os.urandom(500)
    waiting = filing(attachments=[photo])
    ready = batch_item(payload_for(waiting["idempotency_key"]))
    retry, stored = terminal.send(waiting, ready)
    assert retry["outcome"] == "retry" and stored["outcome"] == "accepted"


def test_a_key_stored_meanwhile_is_decided_by_the_constraint(
    centre: RunningCentre, terminal: Terminal, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What PostgreSQL can see: another request stores a key between the batch's read of the
    stored keys and its insert. The batch falls back to one savepoint per filing; the stored
    key is answered from its row, the others are accepted with no gap in the receipts."""
    import central.intake

    before = filing()
    [stored] = terminal.send(before)
    real = central.intake._earlier
    misses = iter([True])

    def blind_once(*args: Any) -> dict[str, tuple[str, str]]:
        return {} if next(misses, False) else real(*args)

    monkeypatch.setattr(central.intake, "_earlier", blind_once)
    new1, new2 = filing(), filing()
    conflicting = batch_item(payload_for(before["idempotency_key"], phone="13900139001"))
    results = terminal.send(new1, before, new2, conflicting)
    assert [r["outcome"] for r in results] == ["accepted", "duplicate", "accepted", "conflict"]
    assert results[1]["receipt_no"] == stored["receipt_no"]
    first, second = _sequence(results[0]["receipt_no"]), _sequence(results[2]["receipt_no"])
    assert second == first + 1
    [later] = terminal.send(filing())
    assert _sequence(later["receipt_no"]) == second + 1  # the unused number was given back
    assert _rows(centre, DEMO, before["idempotency_key"]) == 1
    feed = terminal.get("/api/v1/status-feed?cursor=0&limit=1000").json()["changes"]
    keys = [c["idempotency_key"] for c in feed]
    assert keys.count(new1["idempotency_key"]) == keys.count(new2["idempotency_key"]) == 1
    assert keys.count(before["idempotency_key"]) == 1


def test_a_chunked_upload_is_verified_over_all_its_bytes(
    centre: RunningCentre, terminal: Terminal
) -> None:
    data = os.urandom(300_000)
    sha = hashlib.sha256(data).hexdigest()
    path = f"/api/v1/attachments/{sha}"
    put = terminal.request
    assert put("PUT", f"{path}?offset=0&size=300000", data=data[:100_000]).status_code == 200
    # The blob folder lost bytes (a disk restored from backup): resume from what is there.
    part = centre.blob_dir / DEMO / sha[:2] / f"{sha}.part"
    with part.open("r+b") as fh:
        fh.truncate(40_000)
    lost = put("PUT", f"{path}?offset=100000&size=300000", data=data[100_000:200_000])
    assert lost.status_code == 409 and lost.json()["received"] == 40_000
    assert put("PUT", f"{path}?offset=40000&size=300000", data=data[40_000:200_000]).ok
    # A last chunk that does not make up the named file: all of it is discarded.
    wrong = put("PUT", f"{path}?offset=200000&size=300000", data=os.urandom(100_000))
    assert wrong.status_code == 422 and wrong.json()["error"] == "hash_mismatch"
    assert terminal.get(path).status_code == 404
    assert not list(centre.blob_dir.rglob(f"{sha}*"))
    assert terminal.upload(data, chunk=120_000)["complete"] is True
    assert (centre.blob_dir / DEMO / sha[:2] / sha).read_bytes() == data
