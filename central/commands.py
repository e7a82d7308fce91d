"""Commands about an accepted filing (§6): supplements of materials and ratings.

They arrive in the same batches as filings and are decided in the same write transaction,
after the batch's filings, so a command may follow its filing in one batch. Exactly-once rests
on UNIQUE(station_code, idempotency_key) of `commands`, as for filings: a key stored before is
answered `duplicate` (same payload hash) or `conflict`. A command whose filing the centre does
not hold (yet) is answered `retry`: the filing may be in a later batch. Accepted and duplicate
answers carry the receipt number of the filing the command is about.

A supplement links its attachments to the filing and moves it on: from `needs_materials` to
`in_review` ("已补充材料"), or, for a filing accepted with materials to follow, records that
they came; either way a row in the station's status feed. A rating is one per filing.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from central.attachments import complete_attachments
from central.auth import Caller
from central.clock import utcnow
from central.db import Database
from central.errors import ApiError, not_found
from central.feed import lookup
from central.filing_checks import RATING, SUPPLEMENT, CommandDoc, Rejection
from central.models import (
    Command,
    Filing,
    FilingAttachment,
    Rating,
    StationCounter,
    table_of,
)
from central.schemas import BatchItem
from central.statuses import Status, append_change, move_status

log = logging.getLogger(__name__)

Result = dict[str, Any]

_COMMANDS = table_of(Command)
_FILINGS = table_of(Filing)
_LINKS = table_of(FilingAttachment)
_RATINGS = table_of(Rating)
_COUNTERS = table_of(StationCounter)
_FINAL = frozenset({Status.COMPLETED, Status.REFUSED})
SUPPLEMENTED = ("已补充材料", "Materials supplemented")
PENDING_RECEIVED = ("已补交容缺受理时待补的材料", "The materials to follow have been received")


@dataclass
class WaitingCommand:
    """A command whose payload decoded, matched its hash and was checked (`doc`), or was
    refused by the checks (`why`), waiting for the batch's transaction."""

    index: int
    item: BatchItem
    payload: bytes
    digest: str
    doc: CommandDoc | None
    why: Rejection | None

    @property
    def key(self) -> str:
        return self.item.idempotency_key


@dataclass(frozen=True)
class _Target:
    """The filing a command is about, as stored."""

    id: int
    receipt_no: str
    item_code: str
    catalog_version: str
    status: Status


def _rejected(key: str, zh: str, en: str) -> Result:
    return {"idempotency_key": key, "outcome": "rejected", "reason": zh, "reason_en": en}


def decide_commands(
    conn: Connection, caller: Caller, station_code: str, waiting: list[WaitingCommand]
) -> dict[int, Result]:
    """Each command's answer, by index, inside the batch's write transaction."""
    earlier = _earlier(conn, station_code, (w.key for w in waiting))
    results: dict[int, Result] = {}
    for w in waiting:
        found = earlier.get(w.key)
        if found is not None:
            result = _answer_again(station_code, w, found)
        elif w.doc is None:
            why = w.why or Rejection("内容有误", "Malformed command")
            log.info("station %s: command %s rejected: %s", station_code, w.key, why.reason_en)
            result = _rejected(w.key, why.reason, why.reason_en)
        else:
            result = _decide_one(conn, caller, station_code, w, w.doc)
            if result["outcome"] == "accepted":  # the same key later in this batch
                earlier[w.key] = (w.digest, result["receipt_no"])
        results[w.index] = result
    outcomes = [r["outcome"] for r in results.values()]
    duplicates, conflicts = outcomes.count("duplicate"), outcomes.count("conflict")
    if duplicates or conflicts:
        c = _COUNTERS
        conn.execute(
            update(c)
            .where(c.c.station_code == station_code)
            .values(
                duplicates_answered=c.c.duplicates_answered + duplicates,
                conflicts=c.c.conflicts + conflicts,
            )
        )
    return results


def _decide_one(
    conn: Connection, caller: Caller, station_code: str, w: WaitingCommand, doc: CommandDoc
) -> Result:
    target = _target(conn, station_code, doc.references)
    if target is None:
        return {
            "idempotency_key": w.key,
            "outcome": "retry",
            "reason": "中心尚未收到所涉申请",
            "reason_en": "The centre does not hold the filing this is about (yet)",
        }
    if (w.item.item_code, w.item.catalog_version) != (target.item_code, target.catalog_version):
        return _rejected(
            w.key,
            "提交信息中的事项或目录版本与所涉申请不符",
            "The item or catalog version differs from the filing's",
        )
    if doc.kind == SUPPLEMENT:
        if target.status in _FINAL:
            return _rejected(
                w.key,
                "所涉申请已办结或不予受理，不能再补充材料",
                "The filing is completed or refused; it takes no more materials",
            )
        attachments = sorted(set(w.item.attachments))
        complete = complete_attachments(conn, station_code, attachments)
        missing = [a for a in attachments if a not in complete]
        if missing:
            return {"idempotency_key": w.key, "outcome": "retry", "missing_attachments": missing}
    elif _rated(conn, target.id):
        return _rejected(
            w.key,
            "这笔申请已经评价过，每笔申请只能评价一次",
            "The filing has been rated already; a filing is rated once",
        )
    try:
        with conn.begin_nested():
            command_id = _store(conn, caller, station_code, w, target)
            if doc.kind == SUPPLEMENT:
                _supplement(conn, target, command_id, sorted(set(w.item.attachments)))
            else:
                _rate(conn, station_code, target, command_id, doc)
    except IntegrityError:
        # PostgreSQL: another request stored this key (or rated the filing) meanwhile.
        found = _earlier(conn, station_code, [w.key]).get(w.key)
        if found is not None:
            return _answer_again(station_code, w, found)
        if doc.kind == RATING and _rated(conn, target.id):
            return _rejected(w.key, "这笔申请已经评价过", "The filing has been rated already")
        raise
    log.info("station %s: %s %s stored", station_code, doc.kind, w.key)
    return {"idempotency_key": w.key, "outcome": "accepted", "receipt_no": target.receipt_no}


def _store(
    conn: Connection, caller: Caller, station_code: str, w: WaitingCommand, target: _Target
) -> int:
    stored = conn.execute(
        insert(_COMMANDS).returning(_COMMANDS.c.id),
        {
            "station_code": station_code,
            "idempotency_key": w.key,
            "kind": w.item.kind,
            "filing_id": target.id,
            "payload_sha256": w.digest,
            "payload": w.payload,
            "device_id": caller.device_id,
            "created_at": utcnow(),
        },
    )
    return int(stored.scalar_one())


def _supplement(conn: Connection, target: _Target, command_id: int, hashes: list[str]) -> None:
    """Link the attachments to the filing and move it on, through the status rules."""
    held = set(
        conn.execute(select(_LINKS.c.sha256).where(_LINKS.c.filing_id == target.id)).scalars()
    )
    new = [{"filing_id": target.id, "sha256": h, "command_id": command_id} for h in hashes]
    new = [link for link in new if link["sha256"] not in held]
    if new:
        conn.execute(insert(_LINKS), new)
    # An ORM session inside the batch's transaction (in a savepoint of its own, committed
    # into it), so the moves go through the status rules of central.statuses.
    with Session(bind=conn, join_transaction_mode="create_savepoint") as s:
        filing = s.get(Filing, target.id)
        assert filing is not None
        now = utcnow()
        pending = _materials_pending(filing.payload) and filing.materials_received_at is None
        if pending:
            filing.materials_received_at = now
        if filing.status == Status.NEEDS_MATERIALS.value:
            move_status(s, filing, Status.IN_REVIEW, *SUPPLEMENTED)
        elif pending:
            zh, en = PENDING_RECEIVED
            filing.message, filing.message_en, filing.updated_at = zh, en, now
            append_change(s, filing, Status(filing.status), zh, en, "centre", now)
        s.commit()


def _rate(
    conn: Connection, station_code: str, target: _Target, command_id: int, doc: CommandDoc
) -> None:
    conn.execute(
        insert(_RATINGS),
        {
            "filing_id": target.id,
            "command_id": command_id,
            "station_code": station_code,
            "rating": doc.rating,
            "reasons": list(doc.reasons),
            "operator": doc.operator,
            "rated_at": doc.created_at,
            "received_at": utcnow(),
        },
    )


def _materials_pending(payload: bytes) -> bool:
    """Whether the filing was accepted with materials to follow (容缺受理)."""
    try:
        doc = json.loads(payload)
    except ValueError:
        return False
    return isinstance(doc, dict) and doc.get("materials_pending") is True


def _rated(conn: Connection, filing_id: int) -> bool:
    found = conn.execute(select(_RATINGS.c.id).where(_RATINGS.c.filing_id == filing_id)).first()
    return found is not None


def _target(conn: Connection, station_code: str, key: str) -> _Target | None:
    f = _FILINGS
    row = conn.execute(
        select(f.c.id, f.c.receipt_no, f.c.item_code, f.c.catalog_version, f.c.status).where(
            f.c.station_code == station_code, f.c.idempotency_key == key
        )
    ).first()
    if row is None:
        return None
    return _Target(row.id, row.receipt_no, row.item_code, row.catalog_version, Status(row.status))


def _earlier(
    conn: Connection, station_code: str, keys: Iterable[str]
) -> dict[str, tuple[str, str]]:
    """(payload hash, the filing's receipt number) of commands stored under these keys."""
    c, f = _COMMANDS, _FILINGS
    wanted = sorted(set(keys))
    rows = conn.execute(
        select(c.c.idempotency_key, c.c.payload_sha256, f.c.receipt_no)
        .join(f, f.c.id == c.c.filing_id)
        .where(c.c.station_code == station_code, c.c.idempotency_key.in_(wanted))
    )
    return {key: (digest, receipt) for key, digest, receipt in rows}


def _answer_again(station_code: str, w: WaitingCommand, earlier: tuple[str, str]) -> Result:
    stored_hash, receipt = earlier
    if stored_hash == w.digest:
        return {"idempotency_key": w.key, "outcome": "duplicate", "receipt_no": receipt}
    log.warning("station %s: command key %s sent again with another payload", station_code, w.key)
    return {
        "idempotency_key": w.key,
        "outcome": "conflict",
        "reason": "同一幂等键的内容不同",
        "reason_en": "Same key, different payload",
    }


def lookup_any(db: Database, station_code: str, key: str) -> dict[str, Any]:
    """The lookup of §6 for a filing or a command: a command answers with the receipt number
    and status of the filing it is about."""
    try:
        return lookup(db, station_code, key)
    except ApiError as exc:
        if exc.error != "not_found":
            raise
    c, f = _COMMANDS, _FILINGS
    with db.read_core() as conn:
        row = conn.execute(
            select(c.c.idempotency_key, c.c.kind, c.c.payload_sha256, f.c.receipt_no, f.c.status)
            .join(f, f.c.id == c.c.filing_id)
            .where(c.c.station_code == station_code, c.c.idempotency_key == key)
        ).first()
    if row is None:
        raise not_found("此幂等键的申请或指令", "filing or command under this idempotency key")
    return {
        "idempotency_key": row.idempotency_key,
        "kind": row.kind,
        "receipt_no": row.receipt_no,
        "payload_sha256": row.payload_sha256,
        "status": row.status,
        "message": None,
        "message_en": None,
    }
