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
from sqlalchemy.orm import Session

from app.crypto.field_cipher import FieldCipher
from app.store.db import Database
from app.store.models import (
    Filing,
    FilingState,
    FilingStateChange,
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


@dataclass(frozen=True)
class InFlight:
    key: str
    payload_sha256: str


class OutboxStore:
    def __init__(self, db: Database, cipher: FieldCipher) -> None:
        self._db = db
        self._cipher = cipher

    def due(self, limit: int, now: dt.datetime | None = None) -> list[Outgoing]:
        now = now or utcnow()
        query = (
            select(OutboxEntry, Filing)
            .join(Filing, Filing.id == OutboxEntry.filing_id)
            .where(
                OutboxEntry.state.in_(DUE),
                (OutboxEntry.next_attempt_at.is_(None)) | (OutboxEntry.next_attempt_at <= now),
            )
            .order_by(OutboxEntry.created_at, OutboxEntry.idempotency_key)
            .limit(limit)
        )
        with self._db.read() as s:
            rows = s.execute(query).all()
            ids = [f.id for _, f in rows]
            materials: dict[int, list[AttachmentRef]] = {}
            if ids:
                for m in s.execute(select(Material).where(Material.filing_id.in_(ids))).scalars():
                    materials.setdefault(m.filing_id, []).append(AttachmentRef(m.sha256, m.size))
        return [
            Outgoing(
                key=entry.idempotency_key,
                kind=entry.kind,
                item_code=filing.item_code,
                catalog_version=filing.catalog_version,
                payload_sha256=entry.payload_sha256,
                payload=self._cipher.decrypt(filing.payload_enc, "filing.payload"),
                attachments=tuple(materials.get(filing.id, ())),
            )
            for entry, filing in rows
        ]

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
        (key, None, reason) for refused."""
        if not outcomes:
            return
        now = utcnow()
        with self._db.write() as s:
            filings = dict(
                s.execute(
                    select(OutboxEntry.idempotency_key, OutboxEntry.filing_id).where(
                        OutboxEntry.idempotency_key.in_([k for k, _, _ in outcomes])
                    )
                ).all()
            )
            for key, receipt_no, reason in outcomes:
                delivered = receipt_no is not None
                s.execute(
                    update(OutboxEntry)
                    .where(OutboxEntry.idempotency_key == key)
                    .values(
                        state=(
                            OutboxState.ACKNOWLEDGED if delivered else OutboxState.REJECTED
                        ).value,
                        last_error=reason,
                        updated_at=now,
                    )
                )
                filing_id = filings.get(key)
                if filing_id is None:
                    continue
                if delivered:
                    current = s.execute(select(Filing.state).where(Filing.id == filing_id)).scalar()
                    s.execute(
                        update(Filing).where(Filing.id == filing_id).values(receipt_no=receipt_no)
                    )
                    if current == FilingState.QUEUED.value:
                        _transition(s, filing_id, FilingState.ACCEPTED, "centre", None, "accepted")
                else:
                    _transition(s, filing_id, FilingState.REJECTED, "centre", reason, None)

    @staticmethod
    def _entry_filing(s: Session, key: str) -> int | None:
        return s.execute(
            select(OutboxEntry.filing_id).where(OutboxEntry.idempotency_key == key)
        ).scalar()

    def apply_status_changes(self, changes: Sequence[dict[str, object]], cursor: int) -> int:
        """Apply a page of the centre's status feed and store the cursor, atomically."""
        applied = 0
        with self._db.write() as s:
            for change in changes:
                state = CENTRE_STATES.get(str(change.get("status")))
                if state is None:
                    continue
                filing_id = s.execute(
                    select(Filing.id).where(Filing.uid == str(change.get("idempotency_key")))
                ).scalar()
                if filing_id is None:
                    continue
                message = change.get("message")
                receipt = change.get("receipt_no")
                if receipt:
                    s.execute(
                        update(Filing).where(Filing.id == filing_id).values(receipt_no=str(receipt))
                    )
                _transition(
                    s,
                    filing_id,
                    state,
                    "centre",
                    str(message) if message else None,
                    str(change.get("status")),
                )
                applied += 1
            from app.store.models import SyncState

            s.merge(SyncState(key="status_cursor", value=str(cursor)))
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


def _transition(
    s: Session,
    filing_id: int,
    state: FilingState,
    actor: str,
    note: str | None,
    centre_status: str | None,
) -> None:
    """Move a filing to `state` and append the move to its history."""
    now = utcnow()
    values: dict[str, object] = {"state": state.value, "updated_at": now}
    if centre_status is not None:
        values["centre_status"] = centre_status
        values["centre_message"] = note
    elif note is not None:
        values["centre_message"] = note
    s.execute(update(Filing).where(Filing.id == filing_id).values(**values))
    seq = s.execute(
        select(func.coalesce(func.max(FilingStateChange.seq), 0) + 1).where(
            FilingStateChange.filing_id == filing_id
        )
    ).scalar_one()
    s.add(
        FilingStateChange(
            filing_id=filing_id, seq=int(seq), state=state.value, at=now, actor=actor, note=note
        )
    )
