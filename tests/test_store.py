"""The local store: pragmas, migrations, refusing the future, state history, audit chain."""

from __future__ import annotations

import random
import sqlite3
import threading
from pathlib import Path

import pytest
from sqlalchemy import select, text, update

from app.context import AppContext
from app.services import audit
from app.services.demo_data import demo_values
from app.services.filing_service import FilingRequest
from app.services.station_service import StationInfo
from app.store.db import Database, StoreUnavailable
from app.store.migrate import SchemaTooNew, current_revision
from app.store.models import AuditEvent, FilingStateChange, OutboxEntry
from devices.simulated_identity import SimulatedIdentityReader


def test_pragmas_on_every_connection(ctx: AppContext) -> None:
    with ctx.db.read() as s:
        conn = s.connection()
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_migrated_to_head_and_idempotent(data_dir: Path) -> None:
    from alembic.script import ScriptDirectory

    from app.store.migrate import alembic_config

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    data_dir.mkdir(parents=True)
    db = Database(data_dir / "x.db")
    assert current_revision(db.engine) == head
    db.close()
    again = Database(data_dir / "x.db")  # a second open runs nothing and breaks nothing
    assert current_revision(again.engine) == head
    again.close()


def test_database_from_a_newer_version_is_refused(data_dir: Path) -> None:
    data_dir.mkdir(parents=True)
    Database(data_dir / "x.db").close()
    with sqlite3.connect(data_dir / "x.db") as raw:
        raw.execute("UPDATE alembic_version SET version_num = '9999_future'")
    with pytest.raises(SchemaTooNew) as err:
        Database(data_dir / "x.db")
    assert "升级" in err.value.zh


def test_corrupt_database_gets_a_plain_message(data_dir: Path) -> None:
    data_dir.mkdir(parents=True)
    (data_dir / "x.db").write_bytes(b"this is not a database" * 100)
    with pytest.raises(StoreUnavailable) as err:
        Database(data_dir / "x.db")
    assert "损坏" in err.value.zh


def _submit(ctx: AppContext, station: StationInfo, operator: str, seed: int) -> str:
    reader = SimulatedIdentityReader(seed=seed, read_delay=0)
    person = reader.read()
    item = ctx.catalog.current().item("CX-CBDJ-001")
    values = demo_values(item, person, random.Random(seed))
    saved = ctx.filing_service(station).submit(
        FilingRequest(
            item.code, values, ctx.persons.record(person), operator, materials_pending=True
        )
    )
    return saved.uid


def test_filing_state_history_and_outbox_written_together(
    ctx: AppContext, station: StationInfo, operator_code: str
) -> None:
    uid = _submit(ctx, station, operator_code, 1)
    with ctx.db.read() as s:
        history = s.execute(select(FilingStateChange.state, FilingStateChange.actor)).all()
        outbox = s.execute(select(OutboxEntry.idempotency_key, OutboxEntry.state)).all()
    assert [tuple(r) for r in history] == [("queued", operator_code)]
    assert [tuple(r) for r in outbox] == [(uid, "pending")]
    summary = ctx.queue.filings()[0]
    assert summary.catalog_version == ctx.catalog.current().version


def test_concurrent_writers_from_threads_all_land(
    ctx: AppContext, station: StationInfo, operator_code: str
) -> None:
    """One session per thread; BEGIN IMMEDIATE makes writers queue instead of failing."""
    errors: list[BaseException] = []

    def work(seed: int) -> None:
        try:
            for n in range(10):
                _submit(ctx, station, operator_code, seed * 100 + n)
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert ctx.queue.counts().filings_total == 40
    with ctx.db.read() as s:
        assert audit.verify_chain(s) is None  # 40 events, one unbroken chain


def test_audit_chain_shows_tampering(
    ctx: AppContext, station: StationInfo, operator_code: str
) -> None:
    for seed in range(3):
        _submit(ctx, station, operator_code, seed)
    with ctx.db.read() as s:
        assert audit.verify_chain(s) is None
        second = s.execute(select(AuditEvent.id).order_by(AuditEvent.id).offset(1)).scalar()
    with ctx.db.write() as s:
        s.execute(update(AuditEvent).where(AuditEvent.id == second).values(detail="edited"))
    with ctx.db.read() as s:
        assert audit.verify_chain(s) == second


def test_foreign_keys_are_enforced(ctx: AppContext) -> None:
    from sqlalchemy.exc import IntegrityError

    with pytest.raises(IntegrityError), ctx.db.write() as s:
        s.execute(
            text(
                "INSERT INTO filing_state (filing_id, state, at, actor) "
                "VALUES (424242, 'queued', CURRENT_TIMESTAMP, 'x')"
            )
        )


def test_damaged_card_is_refused_when_read(ctx: AppContext) -> None:
    from dataclasses import replace

    from app.services.person_service import InvalidCardData

    good = SimulatedIdentityReader(seed=3, read_delay=0).read()
    bad = replace(good, id_number=good.id_number[:-1] + ("0" if good.id_number[-1] != "0" else "1"))
    with pytest.raises(InvalidCardData) as err:
        ctx.persons.record(bad)
    assert "证件号码" in err.value.zh
    lower = replace(good, id_number=good.id_number.lower())
    assert ctx.persons.record(lower).read.id_number == good.id_number.upper()


def test_filing_for_a_person_row_that_is_not_the_card_is_refused(
    ctx: AppContext, station: StationInfo, operator_code: str
) -> None:
    from dataclasses import replace

    from app.services.filing_service import ItemNotAllowed

    reader = SimulatedIdentityReader(seed=4, read_delay=0)
    first = ctx.persons.record(reader.read())
    second = ctx.persons.record(reader.read())
    forged = replace(first, id=second.id)  # first person's card, second person's row
    item = ctx.catalog.current().item("CX-CBDJ-001")
    values = demo_values(item, first.read, random.Random(4))
    with pytest.raises(ItemNotAllowed):
        ctx.filing_service(station).submit(
            FilingRequest(item.code, values, forged, operator_code, materials_pending=True)
        )
    assert ctx.queue.counts().filings_total == 0
    with ctx.db.read() as s:
        assert s.execute(select(OutboxEntry)).first() is None


def test_refused_attempt_is_audited(
    ctx: AppContext, station: StationInfo, operator_code: str
) -> None:
    from app.services.filing_service import ItemNotAllowed

    newborn = ctx.catalog.current().item("CX-XSECB-005")  # hospital list, not a township's
    assert newborn.code not in station.enabled_items
    person = ctx.persons.record(SimulatedIdentityReader(seed=5, read_delay=0).read())
    with pytest.raises(ItemNotAllowed) as err:
        ctx.filing_service(station).submit(FilingRequest(newborn.code, {}, person, operator_code))
    assert "不在本渠道可办理的事项清单中" in err.value.zh  # a designated-channel item
    with ctx.db.read() as s:
        events = s.execute(
            select(AuditEvent.action, AuditEvent.operator_code, AuditEvent.subject)
        ).all()
        assert audit.verify_chain(s) is None
    assert [tuple(e) for e in events] == [("filing.refused", operator_code, "item:CX-XSECB-005")]


def test_a_validated_form_is_trusted_only_for_its_item_and_person(
    ctx: AppContext, station: StationInfo, operator_code: str
) -> None:
    """The window hands over its validation; the service re-checks one that does not fit."""
    from dataclasses import replace

    from app.services.filing_service import FormInvalid
    from app.validation import validate_form

    reader = SimulatedIdentityReader(seed=6, read_delay=0)
    first = ctx.persons.record(reader.read())
    second = ctx.persons.record(reader.read())
    item = ctx.catalog.current().item("CX-CBDJ-001")
    values = demo_values(item, first.read, random.Random(6))
    checked = validate_form(item, values, prefill=first.read.prefill())
    assert checked.ok
    service = ctx.filing_service(station)
    # The first person's validated form (their name and ID number) with the second person:
    # not trusted, so the raw values are validated again and the card mismatch is refused.
    with pytest.raises(FormInvalid) as err:
        service.submit(
            FilingRequest(
                item.code, values, second, operator_code, validated=checked, materials_pending=True
            )
        )
    assert {e.code for e in err.value.errors} == {"prefill_mismatch"}
    # A validated form that was not ok is never trusted either.
    bad = replace(checked, errors=[*checked.errors, *validate_form(item, {}).errors])
    saved = service.submit(
        FilingRequest(
            item.code, values, first, operator_code, validated=bad, materials_pending=True
        )
    )
    assert saved.item_code == item.code
    assert ctx.queue.counts().filings_total == 1
