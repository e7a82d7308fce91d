"""The outbox as the sync engine sees it: what is due, and recording what the centre said.

Every state change is written before the next step that depends on it: entries are marked
`sending` (and committed) before the request goes out, so a crash mid-request leaves them
`sending`, which the next run treats as an unknown outcome and looks up before resending.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.orm import aliased

from app.crypto.field_cipher import FieldCipher
from app.store.db import Database, sql_time
from app.store.models import (
    Command,
    Filing,
    FilingState,
    Material,
    OutboxEntry,
    OutboxState,
    utcnow,
)

CENTRE_STATES = {
    "accepted": FilingState.ACCEPTED,
    "in_review": FilingState.IN_REVIEW,
    "completed": FilingState.COMPLETED,
    "refused": FilingState.REFUSED,
    "needs_materials": FilingState.NEEDS_MATERIALS,
}
IN_FLIGHT = (OutboxState.SENDING.value, OutboxState.UNKNOWN_OUTCOME.value)
DUE = (OutboxState.PENDING.value, OutboxState.RETRY_WAIT.value)
UNSENT = (
    OutboxState.PENDING.value,
    OutboxState.SENDING.value,
    OutboxState.RETRY_WAIT.value,
    OutboxState.UNKNOWN_OUTCOME.value,
    OutboxState.BLOCKED_AUTH.value,
    OutboxState.BLOCKED_CONFIG.value,
)


@dataclass(frozen=True)
class AttachmentRef:
    sha256: str
    size: int


@dataclass(frozen=True)
class Outgoing:
    """One outbox entry ready to send: its frozen payload and what it references."""

    key: str
    kind: str
    item_code: str
    catalog_version: str
    payload_sha256: str
    payload: bytes
    attachments: tuple[AttachmentRef, ...]
    attempts: int = 0  # sent before without a seen answer: its photos may be at the centre


@dataclass(frozen=True)
class InFlight:
    key: str
    payload_sha256: str


class OutboxStore:
    def __init__(self, db: Database, cipher: FieldCipher) -> None:
        self._db = db
        self._cipher = cipher

    def due(self, limit: int, now: dt.datetime | None = None) -> list[Outgoing]:
        """Entries to send now, oldest first, with their frozen payloads and attachments.

        A command (supplement, rating) goes only once its filing's own entry has been
        delivered: the centre needs the filing to attach it to. Its item and catalog
        version are the filing's; its attachments are the materials it brought, and a
        filing's are the materials it was saved with.
        """
        now = now or utcnow()
        filing_entry = aliased(OutboxEntry)
        filing_unsent = (
            select(filing_entry.idempotency_key)
            .where(filing_entry.idempotency_key == Filing.uid, filing_entry.state.in_(UNSENT))
            .exists()
        )
        query = (
            select(OutboxEntry, Filing, Command.payload_enc)
            .join(Filing, Filing.id == OutboxEntry.filing_id)
            .outerjoin(Command, Command.id == OutboxEntry.command_id)
            .where(
                OutboxEntry.state.in_(DUE),
                (OutboxEntry.next_attempt_at.is_(None)) | (OutboxEntry.next_attempt_at <= now),
                OutboxEntry.command_id.is_(None) | ~filing_unsent,
            )
            .order_by(OutboxEntry.created_at, OutboxEntry.idempotency_key)
            .limit(limit)
        )
        with self._db.read() as s:
            rows = s.execute(query).all()
            filing_ids = [f.id for e, f, _ in rows if e.command_id is None]
            command_ids = [e.command_id for e, _, _ in rows if e.command_id is not None]
            by_filing: dict[int, list[AttachmentRef]] = {}
            by_command: dict[int, list[AttachmentRef]] = {}
            if filing_ids:
                for m in s.execute(
                    select(Material).where(
                        Material.filing_id.in_(filing_ids), Material.command_id.is_(None)
                    )
                ).scalars():
                    by_filing.setdefault(m.filing_id, []).append(AttachmentRef(m.sha256, m.size))
            if command_ids:
                for m in s.execute(
                    select(Material).where(Material.command_id.in_(command_ids))
                ).scalars():
                    assert m.command_id is not None
                    by_command.setdefault(m.command_id, []).append(AttachmentRef(m.sha256, m.size))
        out = []
        for entry, filing, command_payload in rows:
            if entry.command_id is None:
                payload = self._cipher.decrypt(filing.payload_enc, "filing.payload")
                attachments = by_filing.get(filing.id, ())
            else:
                payload = self._cipher.decrypt(command_payload, "command.payload")
                attachments = by_command.get(entry.command_id, ())
            out.append(
                Outgoing(
                    key=entry.idempotency_key,
                    kind=entry.kind,
                    item_code=filing.item_code,
                    catalog_version=filing.catalog_version,
                    payload_sha256=entry.payload_sha256,
                    payload=payload,
                    attachments=tuple(attachments),
                    attempts=entry.attempts,
                )
            )
        return out

    def in_flight(self) -> list[InFlight]:
        with self._db.read() as s:
            rows = s.execute(
                select(OutboxEntry.idempotency_key, OutboxEntry.payload_sha256).where(
                    OutboxEntry.state.in_(IN_FLIGHT)
                )
            ).all()
        return [InFlight(k, h) for k, h in rows]

    def _set(self, keys: Iterable[str], **values: object) -> None:
        keys = list(keys)
        if not keys:
            return
        with self._db.write() as s:
            s.execute(
                update(OutboxEntry)
                .where(OutboxEntry.idempotency_key.in_(keys))
                .values(updated_at=utcnow(), **values)
            )

    def mark_sending(self, keys: Sequence[str]) -> None:
        now = utcnow()
        keys = list(keys)
        with self._db.write() as s:
            s.execute(
                update(OutboxEntry)
                .where(OutboxEntry.idempotency_key.in_(keys))
                .values(
                    state=OutboxState.SENDING.value,
                    sent_at=now,
                    updated_at=now,
                    attempts=OutboxEntry.attempts + 1,
                )
            )

    def mark_unknown(self, keys: Sequence[str], error: str) -> None:
        self._set(keys, state=OutboxState.UNKNOWN_OUTCOME.value, last_error=error)

    def mark_retry(self, keys: Sequence[str], at: dt.datetime, error: str) -> None:
        self._set(keys, state=OutboxState.RETRY_WAIT.value, next_attempt_at=at, last_error=error)

    def mark_pending(self, keys: Sequence[str]) -> None:
        self._set(keys, state=OutboxState.PENDING.value, next_attempt_at=None)

    def block(self, state: OutboxState, error: str) -> None:
        """Pause the whole queue (blocked-auth or blocked-config) and say why."""
        with self._db.write() as s:
            s.execute(
                update(OutboxEntry)
                .where(OutboxEntry.state.in_(DUE + IN_FLIGHT))
                .values(state=state.value, last_error=error, updated_at=utcnow())
            )

    def unblock(self) -> int:
        with self._db.write() as s:
            result = s.execute(
                update(OutboxEntry)
                .where(
                    OutboxEntry.state.in_(
                        (OutboxState.BLOCKED_AUTH.value, OutboxState.BLOCKED_CONFIG.value)
                    )
                )
                .values(state=OutboxState.PENDING.value, next_attempt_at=None)
            )
            return int(result.rowcount or 0)  # type: ignore[attr-defined]

    # ---- what the centre said ---------------------------------------------------------
    def acknowledge(self, key: str, receipt_no: str) -> None:
        self.record_outcomes([(key, receipt_no, None)])

    def reject(self, key: str, reason: str) -> None:
        self.record_outcomes([(key, None, reason)])

    def record_outcomes(self, outcomes: Sequence[tuple[str, str | None, str | None]]) -> None:
        """Record a batch's answers in one transaction: (key, receipt, None) for delivered,
        (key, None, reason) for refused.

        Set-based statements on the bare cursor: a batch is 200 answers, and the sync thread
        must not hold the interpreter for long stretches while the GUI waits (see
        `Database.raw_write`). For a filing the outbox key is the filing's uid; a command's
        key is its own uid, which names no filing, so its answer changes no filing. The
        commands still waiting behind a refused filing are refused with it: the centre will
        never hold the filing they are about.
        """
        if not outcomes:
            return
        at = sql_time(utcnow())
        delivered = [(key, receipt) for key, receipt, _ in outcomes if receipt is not None]
        refused = [(key, reason or "") for key, receipt, reason in outcomes if receipt is None]
        with self._db.raw_write() as cur:
            cur.executemany(
                "UPDATE outbox SET state = 'acknowledged', last_error = NULL, updated_at = ? "
                "WHERE idempotency_key = ?",
                [(at, key) for key, _ in delivered],
            )
            cur.executemany(
                _HISTORY_FROM_FILING + "AND state = 'queued'",
                [(FilingState.ACCEPTED.value, at, "centre", None, key) for key, _ in delivered],
            )
            cur.executemany(
                "UPDATE filing SET receipt_no = ?, updated_at = ?, centre_status = "
                "CASE WHEN state = 'queued' THEN 'accepted' ELSE centre_status END, "
                "state = CASE WHEN state = 'queued' THEN 'accepted' ELSE state END "
                "WHERE uid = ?",
                [(receipt, at, key) for key, receipt in delivered],
            )
            cur.executemany(
                "UPDATE outbox SET state = 'rejected', last_error = ?, updated_at = ? "
                "WHERE idempotency_key = ?",
                [(reason, at, key) for key, reason in refused],
            )
            cur.executemany(
                _HISTORY_FROM_FILING,
                [
                    (FilingState.REJECTED.value, at, "centre", reason, key)
                    for key, reason in refused
                ],
            )
            cur.executemany(
                "UPDATE filing SET state = 'rejected', centre_message = ?, updated_at = ? "
                "WHERE uid = ?",
                [(reason, at, key) for key, reason in refused],
            )
            cur.executemany(
                "UPDATE outbox SET state = 'rejected', last_error = ?, updated_at = ? "
                "WHERE command_id IS NOT NULL AND state IN ('pending', 'retry_wait') "
                "AND filing_id = (SELECT id FROM filing WHERE uid = ?)",
                [(_FILING_REFUSED, at, key) for key, _ in refused],
            )

    def apply_status_changes(self, changes: Sequence[dict[str, object]], cursor: int) -> int:
        """Apply a page of the centre's status feed and store the cursor, atomically.

        A change the filing already shows (the `accepted` that a batch answer recorded, or a
        page read again after a crash) adds nothing: no second history row.
        """
        at = sql_time(utcnow())
        rows = []
        for change in changes:
            local = CENTRE_STATES.get(str(change.get("status")))
            if local is None:
                continue
            message = change.get("message")
            rows.append(
                (
                    str(change.get("idempotency_key")),
                    local.value,
                    str(change.get("status")),
                    None if message is None else str(message),
                    None if change.get("receipt_no") is None else str(change.get("receipt_no")),
                )
            )
        new = (
            "uid = ? AND NOT (coalesce(centre_status, '') = ? "
            "AND coalesce(centre_message, '') = coalesce(?, ''))"
        )
        with self._db.raw_write() as cur:
            # History first, while the filing still shows its old status; then the filing.
            cur.executemany(
                _HISTORY_FROM_FILING.replace("WHERE uid = ? ", f"WHERE {new} "),
                [(st, at, "centre", msg, key, status, msg) for key, st, status, msg, _ in rows],
            )
            applied = max(cur.rowcount, 0)
            cur.executemany(
                "UPDATE filing SET state = ?, centre_status = ?, centre_message = ?, "
                f"receipt_no = coalesce(?, receipt_no), updated_at = ? WHERE {new}",
                [
                    (st, status, msg, receipt, at, key, status, msg)
                    for key, st, status, msg, receipt in rows
                ],
            )
            cur.execute(
                "INSERT INTO sync_state (key, value) VALUES ('status_cursor', ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (str(cursor),),
            )
        return applied

    def oldest_unsent_age_s(self, now: dt.datetime | None = None) -> float | None:
        now = now or utcnow()
        with self._db.read() as s:
            oldest = s.execute(
                select(func.min(OutboxEntry.created_at)).where(OutboxEntry.state.in_(UNSENT))
            ).scalar()
        return None if oldest is None else (now - oldest).total_seconds()

    def waiting_longer_than(self, age: dt.timedelta) -> int:
        """How many unsent entries have waited longer than `age` (they need attention)."""
        cutoff = utcnow() - age
        with self._db.read() as s:
            return int(
                s.execute(
                    select(func.count()).where(
                        OutboxEntry.state.in_(UNSENT), OutboxEntry.created_at < cutoff
                    )
                ).scalar_one()
            )

    def unsent(self) -> int:
        with self._db.read() as s:
            return int(
                s.execute(select(func.count()).where(OutboxEntry.state.in_(UNSENT))).scalar_one()
            )

    def prune_acknowledged(self, older_than: dt.timedelta) -> int:
        from sqlalchemy import delete

        with self._db.write() as s:
            result = s.execute(
                delete(OutboxEntry).where(
                    OutboxEntry.state == OutboxState.ACKNOWLEDGED.value,
                    OutboxEntry.updated_at < utcnow() - older_than,
                )
            )
            return int(result.rowcount or 0)  # type: ignore[attr-defined]


_FILING_REFUSED = "所涉申请已被中心退回，此项不再上传"

# A history row for the filing with this uid, numbered after its last one.
_HISTORY_FROM_FILING = (
    "INSERT INTO filing_state (filing_id, seq, state, at, actor, note) "
    "SELECT id, (SELECT coalesce(max(seq), 0) + 1 FROM filing_state WHERE filing_id = filing.id), "
    "?, ?, ?, ? FROM filing WHERE uid = ? "
)
