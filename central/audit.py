"""Terminals' audit trails at the centre (§12): stored per device, the hash chain checked.

A terminal's trail is hash-chained (`app.services.audit`): each event's hash covers the one
before it. The centre recomputes every hash with the same formula and checks that the first new
event continues the last one it holds for the device (or starts the chain), so an event edited,
removed or reordered on the terminal shows here as a broken chain, answered 409 with nothing of
the upload stored. Events the centre holds already (an answer lost on the way back) must be
the ones it holds, still whole, and are skipped: a resend is harmless.
"""

from __future__ import annotations

import datetime as dt
import itertools
import logging
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from sqlalchemy import insert, select

from app.services.audit import GENESIS, _digest
from central.auth import Caller
from central.clock import unix_now, utcnow
from central.db import Database
from central.errors import ApiError, bad_request
from central.models import AuditEvent, table_of

log = logging.getLogger(__name__)

EVENTS_MAX = 500
_EVENTS = table_of(AuditEvent)
Hash = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]


class AuditEventIn(BaseModel):
    """One event as the terminal holds it; `at` is the time it hashed, followed by `Z`."""

    model_config = ConfigDict(extra="ignore")
    id: Annotated[int, Field(ge=1, lt=2**62)]
    at: Annotated[str, StringConstraints(min_length=2, max_length=40)]
    operator: Annotated[str, StringConstraints(max_length=32)] | None = None
    action: Annotated[str, StringConstraints(min_length=1, max_length=40)]
    subject: Annotated[str, StringConstraints(max_length=80)] | None = None
    detail: Annotated[str, StringConstraints(max_length=20_000)] | None = None
    prev_hash: Hash
    hash: Hash


class AuditUpload(BaseModel):
    model_config = ConfigDict(extra="ignore")
    events: list[AuditEventIn] = Field(max_length=EVENTS_MAX)


def chain_broken(event_id: int, last_id: int) -> ApiError:
    return ApiError(
        409,
        "audit_chain_broken",
        f"审计记录链条在第 {event_id} 条处断开（记录被改动、删除或顺序不对），本批均未保存",
        f"The audit trail's hash chain breaks at event {event_id} (edited, removed or out of "
        "order); nothing of this upload was stored",
        event_id=event_id,
        last_id=last_id,
    )


def _moment(text: str) -> dt.datetime:
    if not text.endswith("Z"):
        raise bad_request("审计事件时间须以 Z 结尾", "an audit event's time must end in Z")
    try:
        moment = dt.datetime.fromisoformat(text[:-1])
    except ValueError:
        raise bad_request("审计事件时间格式不对", "an audit event's time is not ISO 8601") from None
    if moment.tzinfo is not None:
        raise bad_request("审计事件时间须为 UTC", "an audit event's time must be UTC")
    return moment


def store_events(db: Database, caller: Caller, events: list[AuditEventIn]) -> dict[str, Any]:
    """Store a device's next audit events, after checking the chain; `stored` new ones and
    the `last_id` the centre now holds for the device."""
    ids = [e.id for e in events]
    if any(b <= a for a, b in itertools.pairwise(ids)):
        raise bad_request("审计事件须按编号递增排列", "audit events must be in increasing id order")
    moments = [_moment(e.at) for e in events]
    t = _EVENTS
    with db.write_core() as conn:
        last = conn.execute(
            select(t.c.client_id, t.c.hash)
            .where(t.c.device_id == caller.device_id)
            .order_by(t.c.client_id.desc())
            .limit(1)
        ).first()
        last_id, prev = (int(last.client_id), str(last.hash)) if last else (0, GENESIS)
        old = [e for e in events if e.id <= last_id]
        if old:  # sent before: they must be what the centre holds
            held = dict(
                conn.execute(
                    select(t.c.client_id, t.c.hash).where(
                        t.c.device_id == caller.device_id,
                        t.c.client_id.in_([e.id for e in old]),
                    )
                ).all()
            )
            for e, at in zip(events, moments, strict=True):
                if e.id > last_id:
                    break
                # The same event as held, and still whole (not edited since it was sent).
                whole = e.hash == _digest(
                    e.prev_hash, at, e.operator, e.action, e.subject, e.detail
                )
                if held.get(e.id) != e.hash or not whole:
                    raise chain_broken(e.id, last_id)
        rows = []
        now = utcnow()
        for e, at in zip(events, moments, strict=True):
            if e.id <= last_id:
                continue
            expected = _digest(prev, at, e.operator, e.action, e.subject, e.detail)
            if e.prev_hash != prev or e.hash != expected:
                log.warning("device %s: audit chain broken at event %d", caller.device_id, e.id)
                raise chain_broken(e.id, last_id)
            prev = e.hash
            rows.append(
                {
                    "device_id": caller.device_id,
                    "station_code": caller.station_code,
                    "client_id": e.id,
                    "at": at,
                    "operator": e.operator,
                    "action": e.action,
                    "subject": e.subject,
                    "detail": e.detail,
                    "prev_hash": e.prev_hash,
                    "hash": e.hash,
                    "received_at": now,
                }
            )
        if rows:
            conn.execute(insert(t), rows)
    newest = rows[-1]["client_id"] if rows else last_id
    return {"stored": len(rows), "last_id": newest, "server_time": unix_now()}


def verify_device_chain(rows: list[AuditEvent]) -> int | None:
    """The client id of the first stored event of one device (in id order) that does not
    continue the chain, or None when it is whole: for the administrator's listing."""
    prev = GENESIS
    for ev in rows:
        expected = _digest(prev, ev.at, ev.operator, ev.action, ev.subject, ev.detail)
        if ev.prev_hash != prev or ev.hash != expected:
            return ev.client_id
        prev = ev.hash
    return None
