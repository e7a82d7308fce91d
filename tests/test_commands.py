"""Supplements of materials and ratings: saved like filings, queued behind their filing, and
taken in by the real reference centre (a `yibao central serve` process on 127.0.0.1)."""

from __future__ import annotations

import base64
import hashlib
import json
import random
from collections.abc import Mapping
from dataclasses import replace

import pytest
from sqlalchemy import func, select, update

from app.context import AppContext
from app.drills import DrillFiler
from app.ids import new_uid
from app.ratings import Rating
from app.services.audit import verify_chain
from app.services.command_service import CommandRefused
from app.services.demo_data import demo_photo
from app.services.filing_service import Attachment, SavedFiling, frozen_json
from app.store.models import AuditEvent, Command, Filing, Material, OutboxEntry
from central.db import Database as CentralDatabase
from central.models import Command as CentreCommand
from central.models import Filing as CentreFiling
from central.models import FilingAttachment, StatusChange
from central.models import Rating as CentreRating
from devices.simulated_identity import SimulatedIdentityReader
from sync.activation import device_identity
from sync.engine import SyncEngine
from sync.outbox import OutboxStore
from sync.transport import CentralClient
from tests.centre_process import Centre


def blob_count(ctx: AppContext) -> int:
    return sum(1 for p in ctx.blobs.root.glob("*/*") if not p.name.startswith(".tmp-"))


def complete(filer: DrillFiler, rng: random.Random) -> SavedFiling:
    """A filing with every required material attached, so nothing is pending."""
    request = filer.request()
    item = filer.service._catalog.current().item(request.item_code)
    pages = [Attachment(m.code, demo_photo(rng, 3_000)) for m in item.materials if m.required]
    return filer.service.submit(replace(request, attachments=pages, materials_pending=False))


def pending(filer: DrillFiler) -> SavedFiling:
    """A filing accepted with materials to follow (容缺受理)."""
    request = filer.request()
    saved = filer.service.submit(replace(request, attachments=(), materials_pending=True))
    return saved


def filing_row(ctx: AppContext, uid: str) -> Filing:
    with ctx.db.read() as s:
        return s.execute(select(Filing).where(Filing.uid == uid)).scalar_one()


def outbox_row(ctx: AppContext, key: str) -> OutboxEntry:
    with ctx.db.read() as s:
        return s.execute(select(OutboxEntry).where(OutboxEntry.idempotency_key == key)).scalar_one()


# ---- the service, on the demo station (no centre) ---------------------------------------------
@pytest.fixture
def filer(ctx: AppContext, station: object, reader: SimulatedIdentityReader) -> DrillFiler:
    return DrillFiler(ctx, reader.read, 7)


def test_supplement_is_saved_with_its_materials_outbox_entry_and_audit_event(
    ctx: AppContext, filer: DrillFiler, rng: random.Random
) -> None:
    waiting = pending(filer)
    assert filing_row(ctx, waiting.uid).materials_pending
    page = demo_photo(rng, 20_000)
    saved = ctx.commands.supplement(waiting.uid, [Attachment("hukou_page", page)], "DEMO01")
    assert saved.kind == "supplement" and saved.filing_uid == waiting.uid

    filing = filing_row(ctx, waiting.uid)
    assert not filing.materials_pending
    assert filing.state == "queued"  # the filing itself is unchanged: it is queued still
    with ctx.db.read() as s:
        command = s.execute(select(Command).where(Command.uid == saved.uid)).scalar_one()
        materials = list(
            s.execute(select(Material).where(Material.filing_id == filing.id)).scalars()
        )
        events = s.execute(select(AuditEvent).order_by(AuditEvent.id)).scalars().all()
        assert verify_chain(s) is None
    payload = ctx.cipher.decrypt(command.payload_enc, "command.payload")
    doc = json.loads(payload)
    sha = hashlib.sha256(page).hexdigest()
    assert doc == {
        "uid": saved.uid,
        "kind": "supplement",
        "references": waiting.uid,
        "station": "DEMO-441802-001",
        "operator": "DEMO01",
        "created_at": saved.created_at.isoformat() + "Z",
        "attachments": [
            {"code": "hukou_page", "sha256": sha, "size": len(page), "mime": "image/jpeg"}
        ],
    }
    assert command.kind == "supplement" and command.filing_id == filing.id
    assert command.payload_sha256 == hashlib.sha256(payload).hexdigest()
    assert ctx.blobs.get(sha) == page  # the bytes are in the (encrypted) blob store
    assert [(m.code, m.command_id) for m in materials] == [("hukou_page", command.id)]
    entry = outbox_row(ctx, saved.uid)
    assert (entry.kind, entry.filing_id, entry.command_id, entry.state) == (
        "supplement",
        filing.id,
        command.id,
        "pending",
    )
    assert entry.payload_sha256 == command.payload_sha256
    assert outbox_row(ctx, waiting.uid).command_id is None  # the filing's own entry
    last = events[-1]
    assert (last.action, last.operator_code, last.subject) == (
        "filing.supplemented",
        "DEMO01",
        f"filing:{waiting.uid}",
    )
    # The citizen's name and number are nowhere in the audit event.
    person = json.loads(ctx.cipher.decrypt(filing.payload_enc, "filing.payload"))["person"]
    for part in (last.detail or "", last.subject or ""):
        assert person["name"] not in part and person["id_number"] not in part


def test_supplement_refusals_write_nothing(
    ctx: AppContext, filer: DrillFiler, rng: random.Random
) -> None:
    done = complete(filer, rng)
    page = [Attachment("hukou_page", demo_photo(rng, 10_000))]
    blobs, events = blob_count(ctx), ctx.queue.counts().outbox_by_state
    with pytest.raises(CommandRefused) as refused:
        ctx.commands.supplement(done.uid, page, "DEMO01")
    assert "不需要补充材料" in refused.value.zh and "does not need" in refused.value.en
    with pytest.raises(CommandRefused) as unknown:
        ctx.commands.supplement(new_uid(), page, "DEMO01")
    assert "找不到" in unknown.value.zh
    waiting = pending(filer)
    blobs, events = blob_count(ctx), ctx.queue.counts().outbox_by_state
    with pytest.raises(CommandRefused) as empty:
        ctx.commands.supplement(waiting.uid, [], "DEMO01")
    assert "至少" in empty.value.zh
    with pytest.raises(CommandRefused) as stranger:
        ctx.commands.supplement(waiting.uid, page, "NOBODY")
    assert "NOBODY" in stranger.value.zh
    assert blob_count(ctx) == blobs  # refused before any byte was written
    assert ctx.queue.counts().outbox_by_state == events
    with ctx.db.read() as s:
        assert s.execute(select(func.count()).select_from(Command)).scalar_one() == 0

    # The centre asked for materials: a supplement is taken, also a second one.
    with ctx.db.write() as s:
        s.execute(update(Filing).where(Filing.uid == done.uid).values(state="needs_materials"))
    first = ctx.commands.supplement(done.uid, page, "DEMO01")
    second = ctx.commands.supplement(done.uid, [Attachment("x", b"more")], "DEMO01")
    assert first.uid != second.uid
    # A finished filing takes no materials, even one that was pending.
    with ctx.db.write() as s:
        s.execute(update(Filing).where(Filing.uid == waiting.uid).values(state="completed"))
    with pytest.raises(CommandRefused):
        ctx.commands.supplement(waiting.uid, page, "DEMO01")


def test_one_rating_per_filing_with_the_offered_reasons(
    ctx: AppContext, filer: DrillFiler, rng: random.Random
) -> None:
    saved = complete(filer, rng)
    with pytest.raises(CommandRefused) as bad_reason:
        ctx.commands.rate(saved.uid, Rating.GOOD, ["waited"], "DEMO01")  # a reason of `fair`
    assert bad_reason.value.zh and bad_reason.value.en
    with pytest.raises(CommandRefused):
        ctx.commands.rate(saved.uid, "excellent", [], "DEMO01")  # type: ignore[arg-type]
    assert ctx.commands.rating_of(saved.uid) is None
    rated = ctx.commands.rate(saved.uid, Rating.POOR, ["waited", "come_again", "waited"], None)
    assert ctx.commands.rating_of(saved.uid) == (Rating.POOR, ("waited", "come_again"))
    with pytest.raises(CommandRefused) as twice:
        ctx.commands.rate(saved.uid, Rating.GOOD, [], "DEMO01")
    assert "已经评价过" in twice.value.zh
    entry = outbox_row(ctx, rated.uid)
    assert entry.kind == "rating" and entry.command_id is not None
    with ctx.db.read() as s:
        last = s.execute(select(AuditEvent).order_by(AuditEvent.id.desc())).scalars().first()
    assert last is not None and last.action == "filing.rated"
    assert last.operator_code is None and last.subject == f"filing:{saved.uid}"
    # A filing the centre sent back cannot be rated.
    other = complete(filer, rng)
    OutboxStore(ctx.db, ctx.cipher).reject(other.uid, "不予受理")
    with pytest.raises(CommandRefused) as sent_back:
        ctx.commands.rate(other.uid, Rating.GOOD, [], "DEMO01")
    assert "退回" in sent_back.value.zh


def test_commands_wait_for_their_filing_and_answers_leave_the_filing_alone(
    ctx: AppContext, filer: DrillFiler, rng: random.Random
) -> None:
    outbox = OutboxStore(ctx.db, ctx.cipher)
    waiting = pending(filer)
    own_page = demo_photo(rng, 5_000)
    with_page = filer.service.submit(
        replace(
            filer.request(), attachments=[Attachment("id_copy", own_page)], materials_pending=True
        )
    )
    extra = demo_photo(rng, 6_000)
    supplement = ctx.commands.supplement(waiting.uid, [Attachment("hukou_page", extra)], "DEMO01")
    rating = ctx.commands.rate(with_page.uid, Rating.GOOD, ["fast"], "DEMO01")

    due = {d.key: d for d in outbox.due(100)}
    assert set(due) == {waiting.uid, with_page.uid}  # commands wait behind their filings
    assert due[waiting.uid].attachments == ()  # the supplement's page is not the filing's
    assert [a.sha256 for a in due[with_page.uid].attachments] == [
        hashlib.sha256(own_page).hexdigest()
    ]

    outbox.acknowledge(waiting.uid, "YB4418022611240000001")
    due = {d.key: d for d in outbox.due(100)}
    assert set(due) == {with_page.uid, supplement.uid}
    sent = due[supplement.uid]
    assert sent.kind == "supplement"
    assert [a.sha256 for a in sent.attachments] == [hashlib.sha256(extra).hexdigest()]
    assert (sent.item_code, sent.catalog_version) == (
        filing_row(ctx, waiting.uid).item_code,
        filing_row(ctx, waiting.uid).catalog_version,
    )
    assert json.loads(sent.payload)["references"] == waiting.uid
    assert hashlib.sha256(sent.payload).hexdigest() == sent.payload_sha256

    outbox.acknowledge(with_page.uid, "YB4418022611240000002")
    assert {d.key for d in outbox.due(100)} == {supplement.uid, rating.uid}
    # A command's answer names the filing's receipt; it changes neither receipt nor state.
    outbox.record_outcomes(
        [(supplement.uid, "YB4418022611240000001", None), (rating.uid, None, "不受理")]
    )
    for uid, receipt in ((waiting.uid, "0001"), (with_page.uid, "0002")):
        row = filing_row(ctx, uid)
        assert row.state == "accepted" and row.receipt_no == f"YB441802261124000{receipt}"
    assert outbox_row(ctx, supplement.uid).state == "acknowledged"
    assert outbox_row(ctx, rating.uid).state == "rejected"

    # Commands waiting behind a filing the centre refuses are refused with it.
    doomed = pending(filer)
    late = ctx.commands.rate(doomed.uid, Rating.FAIR, [], "DEMO01")
    outbox.reject(doomed.uid, "本站点未开通该事项")
    assert filing_row(ctx, doomed.uid).state == "rejected"
    assert outbox_row(ctx, late.uid).state == "rejected"
    assert "退回" in (outbox_row(ctx, late.uid).last_error or "")
    assert late.uid not in {d.key for d in outbox.due(100)}


# ---- end to end, against the centre process ---------------------------------------------------
def sync(ctx: AppContext) -> object:
    report = SyncEngine(ctx).run_once()
    assert report.error is None, report.error_en
    return report


def client_of(ctx: AppContext) -> CentralClient:
    target = device_identity(ctx)
    assert target is not None
    return CentralClient(target[0], target[1])


def command_item(
    ctx: AppContext,
    filing_uid: str,
    doc: Mapping[str, object],
    attachments: list[str] | None = None,
) -> dict[str, object]:
    """A batch item for a command the client would never queue (a test of the centre)."""
    frozen = frozen_json(doc)
    row = filing_row(ctx, filing_uid)
    return {
        "idempotency_key": doc["uid"],
        "kind": doc["kind"],
        "item_code": row.item_code,
        "catalog_version": row.catalog_version,
        "payload_sha256": hashlib.sha256(frozen).hexdigest(),
        "payload": base64.b64encode(frozen).decode(),
        "attachments": attachments or [],
    }


def test_supplement_and_rating_end_to_end(centre: Centre, activated: AppContext) -> None:
    ctx = activated
    rng = random.Random(5)
    operator = ctx.stations.first_active_operator()
    assert operator is not None
    filer = DrillFiler(
        ctx,
        SimulatedIdentityReader(seed=11, read_delay=0).read,
        11,
        on_own_station=True,
        operator_code=operator,
    )
    station = ctx.stations.require_station().code
    asked = complete(filer, rng)
    to_follow = pending(filer)
    rating = ctx.commands.rate(asked.uid, Rating.GOOD, ["fast", "clear"], operator)

    # One run: the filings first, then the rating once its filing is acknowledged.
    first = SyncEngine(ctx).run_once()
    assert first.error is None and first.acknowledged == 3 and first.remaining == 0
    receipt = filing_row(ctx, asked.uid).receipt_no
    assert receipt and receipt.startswith("YB")
    assert filing_row(ctx, asked.uid).state == "accepted"

    out = centre.admin("review", receipt, "--need-materials", "请补充户口簿首页")
    assert out.returncode == 0, out.stderr
    sync(ctx)
    assert filing_row(ctx, asked.uid).state == "needs_materials"

    page = demo_photo(rng, 1_500_000)  # two chunks
    supplement = ctx.commands.supplement(asked.uid, [Attachment("hukou_page", page)], operator)
    late = ctx.commands.supplement(to_follow.uid, [Attachment("id_copy", b"late page")], operator)
    report = SyncEngine(ctx).run_once()
    assert report.error is None and report.acknowledged == 2 and report.remaining == 0
    assert report.bytes_sent > 1_500_000

    # The centre: the filing is in review with the supplement's page among its attachments.
    central = CentralDatabase(centre.db_url)
    try:
        with central.read() as s:
            filing = s.execute(
                select(CentreFiling).where(CentreFiling.receipt_no == receipt)
            ).scalar_one()
            assert (filing.status, filing.message) == ("in_review", "已补充材料")
            links = s.execute(
                select(FilingAttachment.sha256, FilingAttachment.command_id).where(
                    FilingAttachment.filing_id == filing.id
                )
            ).all()
            stored = s.execute(
                select(CentreCommand).where(CentreCommand.idempotency_key == supplement.uid)
            ).scalar_one()
            sha = hashlib.sha256(page).hexdigest()
            assert (sha, stored.id) in [tuple(link) for link in links]
            assert len(links) > 1  # with the pages it was filed with
            other = s.execute(
                select(CentreFiling).where(CentreFiling.idempotency_key == to_follow.uid)
            ).scalar_one()
            assert other.status == "accepted" and other.materials_received_at is not None
            feed_before = s.execute(select(func.count()).select_from(StatusChange)).scalar_one()
    finally:
        central.dispose()
    # ... and the terminal heard it in the same run.
    assert filing_row(ctx, asked.uid).state == "in_review"
    assert filing_row(ctx, asked.uid).centre_message == "已补充材料"
    assert filing_row(ctx, to_follow.uid).state == "accepted"
    assert filing_row(ctx, to_follow.uid).centre_message == "已补交容缺受理时待补的材料"

    # The rating at the centre.
    listed = centre.admin("ratings", station, "--json")
    assert listed.returncode == 0, listed.stderr
    ratings = json.loads(listed.stdout)
    assert ratings["counts"] == {"good": 1, "fair": 0, "poor": 0}
    assert ratings["recent"][0]["receipt_no"] == receipt
    assert ratings["recent"][0]["reasons"] == ["fast", "clear"]
    assert ratings["recent"][0]["operator"] == operator
    assert ratings["reasons"] == {"good": {"fast": 1, "clear": 1}}
    text = centre.admin("ratings")
    assert text.returncode == 0 and "好评" in text.stdout and receipt in text.stdout

    # An answer lost: the supplement is sent again (duplicate) and looked up (unknown outcome);
    # the centre holds it once and moves nothing again.
    stats = json.loads(centre.admin("stats", "--json").stdout)["stations"][0]
    with ctx.db.write() as s:
        s.execute(
            update(OutboxEntry)
            .where(OutboxEntry.idempotency_key == supplement.uid)
            .values(state="pending")
        )
        s.execute(
            update(OutboxEntry)
            .where(OutboxEntry.idempotency_key == rating.uid)
            .values(state="unknown_outcome")
        )
    again = SyncEngine(ctx).run_once()
    assert again.error is None and again.acknowledged == 2 and again.reconciled == 1
    assert outbox_row(ctx, supplement.uid).state == "acknowledged"
    assert outbox_row(ctx, rating.uid).state == "acknowledged"
    after = json.loads(centre.admin("stats", "--json").stdout)["stations"][0]
    assert after["duplicates_answered"] == stats["duplicates_answered"] + 1
    central = CentralDatabase(centre.db_url)
    try:
        with central.read() as s:
            assert (
                s.execute(
                    select(func.count()).where(CentreCommand.idempotency_key == supplement.uid)
                ).scalar_one()
                == 1
            )
            assert s.execute(select(func.count()).select_from(StatusChange)).scalar_one() == (
                feed_before
            )
            assert s.execute(select(func.count()).select_from(CentreRating)).scalar_one() == 1
    finally:
        central.dispose()
    assert filing_row(ctx, asked.uid).receipt_no == receipt  # acknowledgements changed nothing
    assert late.uid != supplement.uid


def test_the_centre_decides_commands_it_cannot_take(centre: Centre, activated: AppContext) -> None:
    """Commands the client never queues, sent as a client would: a second rating under another
    key, a rating of a filing the centre does not hold, a bad reason, a supplement whose page
    was never uploaded, a supplement for a completed filing, a key reused with another payload."""
    ctx = activated
    rng = random.Random(6)
    operator = ctx.stations.first_active_operator()
    assert operator is not None
    filer = DrillFiler(
        ctx,
        SimulatedIdentityReader(seed=12, read_delay=0).read,
        12,
        on_own_station=True,
        operator_code=operator,
    )
    station = ctx.stations.require_station().code
    first, second = complete(filer, rng), complete(filer, rng)
    ctx.commands.rate(first.uid, Rating.FAIR, ["waited"], operator)
    sync(ctx)
    receipt = filing_row(ctx, second.uid).receipt_no
    assert receipt
    assert centre.admin("review", receipt, "--approve").returncode == 0

    def rating_doc(
        filing_uid: str, level: str = "good", reasons: list[str] | None = None
    ) -> dict[str, object]:
        return {
            "uid": new_uid(),
            "kind": "rating",
            "references": filing_uid,
            "station": station,
            "operator": None,
            "created_at": "2026-11-24T02:41:07.123456Z",
            "rating": level,
            "reasons": reasons or [],
        }

    page = b"a page never uploaded"
    sha = hashlib.sha256(page).hexdigest()
    supplement_doc: dict[str, object] = {
        "uid": new_uid(),
        "kind": "supplement",
        "references": first.uid,
        "station": station,
        "operator": operator,
        "created_at": "2026-11-24T02:41:07Z",
        "attachments": [{"code": "x", "sha256": sha, "size": len(page), "mime": "image/jpeg"}],
    }
    done_doc = dict(supplement_doc, uid=new_uid(), references=second.uid)
    unknown = rating_doc(first.uid)
    unknown["references"] = new_uid()
    twice = rating_doc(first.uid)
    items = [
        command_item(ctx, first.uid, twice),
        command_item(ctx, first.uid, unknown),
        command_item(ctx, second.uid, rating_doc(second.uid, "good", ["waited"])),
        command_item(ctx, first.uid, supplement_doc, [sha]),
        command_item(ctx, second.uid, done_doc, [sha]),
        command_item(ctx, second.uid, dict(twice, reasons=["fast"])),  # twice's key again
    ]
    client = client_of(ctx)
    try:
        results = client.batch(items)["results"]
        outcomes = [r["outcome"] for r in results]
        assert outcomes == ["rejected", "retry", "rejected", "retry", "rejected", "rejected"]
        assert "已经评价过" in results[0]["reason"]
        assert results[1]["reason"] and results[1]["reason_en"]
        assert "评价" in results[2]["reason"]
        assert results[3]["missing_attachments"] == [sha]
        assert "办结" in results[4]["reason"]

        # The client's own rating once more (its answer lost): duplicate, with the receipt;
        # the same key with another payload: conflict.
        with ctx.db.read() as s:
            stored = s.execute(select(Command).where(Command.kind == "rating")).scalar_one()
        payload = ctx.cipher.decrypt(stored.payload_enc, "command.payload")
        doc = json.loads(payload)
        same = command_item(ctx, first.uid, doc)
        changed = command_item(ctx, first.uid, dict(doc, reasons=[]))
        answers = client.batch([same, changed])["results"]
        assert [a["outcome"] for a in answers] == ["duplicate", "conflict"]
        assert answers[0]["receipt_no"] == filing_row(ctx, first.uid).receipt_no
        found = client.lookup(doc["uid"])
        assert found is not None and found["kind"] == "rating"
        assert found["payload_sha256"] == hashlib.sha256(payload).hexdigest()
    finally:
        client.close()
