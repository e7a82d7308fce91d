"""The audit trail: every action recorded with operator and time, hash-chained.

Each event's hash covers the previous event's hash, so deleting or editing a row breaks the
chain at that point (`verify_chain`). Details never hold personal data, only references.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from app.store.models import AuditEvent, utcnow

GENESIS = "0" * 64


def _digest(
    prev: str,
    at: dt.datetime,
    operator: str | None,
    action: str,
    subject: str | None,
    detail: str | None,
) -> str:
    body = json.dumps([prev, at.isoformat(), operator, action, subject, detail], ensure_ascii=False)
    return hashlib.sha256(body.encode()).hexdigest()


def record(
    session: Session,
    action: str,
    *,
    operator: str | None,
    subject: str | None = None,
    detail: str | None = None,
) -> None:
    """Append an event inside the caller's write transaction (which holds the write lock)."""
    prev = (
        session.execute(
            select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)
        ).scalar_one_or_none()
        or GENESIS
    )
    at = utcnow()
    session.execute(
        insert(AuditEvent),
        {
            "at": at,
            "operator_code": operator,
            "action": action,
            "subject": subject,
            "detail": detail,
            "prev_hash": prev,
            "hash": _digest(prev, at, operator, action, subject, detail),
        },
    )


def verify_chain(session: Session) -> int | None:
    """The id of the first event that does not match the chain, or None when all is intact."""
    prev = GENESIS
    for ev in session.execute(select(AuditEvent).order_by(AuditEvent.id)).scalars():
        expected = _digest(prev, ev.at, ev.operator_code, ev.action, ev.subject, ev.detail)
        if ev.prev_hash != prev or ev.hash != expected:
            return ev.id
        prev = ev.hash
    return None
