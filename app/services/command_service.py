"""Commands about a filing already saved: a supplement of materials, the citizen's rating.

A payload is frozen when queued, so neither changes the filing: each is a new command that
references it (BRIEF §6), with its own idempotency key, queued in the outbox behind the
filing. They are saved like a filing (`FilingService.submit`): attachment bytes written and
fsynced to the blob store first, then one transaction with the command, its materials, its
outbox entry and the audit event, so nothing the operator was told is saved can be lost.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import select

from app.crypto.field_cipher import FieldCipher
from app.errors import UserFacingError
from app.ids import new_uid
from app.ratings import Rating, check_reasons
from app.services import audit
from app.services.filing_service import Attachment, frozen_json
from app.services.station_service import StationService
from app.store.blobs import BlobStore
from app.store.db import Database, sql_time
from app.store.models import Command, Filing, FilingState, Operator, OutboxState, utcnow

SUPPLEMENT = "supplement"
RATING = "rating"
COMMAND_KINDS = (SUPPLEMENT, RATING)

# Where a filing may still take materials while it waits for them (容缺受理).
_OPEN = frozenset({FilingState.QUEUED, FilingState.ACCEPTED, FilingState.IN_REVIEW})
_STATE_ZH = {
    FilingState.QUEUED: "已保存，待上传",
    FilingState.ACCEPTED: "已受理",
    FilingState.IN_REVIEW: "审核中",
    FilingState.COMPLETED: "已办结",
    FilingState.REFUSED: "不予受理",
    FilingState.NEEDS_MATERIALS: "需补充材料",
    FilingState.REJECTED: "已被中心退回",
}


@dataclass(frozen=True)
class SavedCommand:
    uid: str
    kind: str
    filing_uid: str
    created_at: dt.datetime


class CommandRefused(UserFacingError):
    """A supplement or rating that cannot be queued; says why, Chinese first."""


@dataclass(frozen=True)
class _FilingFacts:
    id: int
    state: FilingState
    materials_pending: bool


def _unknown_filing() -> CommandRefused:
    return CommandRefused(
        "本终端找不到这笔申请，无法补充材料或评价。",
        "This terminal holds no such filing; nothing can be added to it.",
    )


def _check_supplement(facts: _FilingFacts) -> None:
    """Materials go to a filing the centre asked them for, or one saved with materials to
    follow that is still open (a queued one too: the supplement waits behind it)."""
    if facts.state is FilingState.NEEDS_MATERIALS:
        return
    if facts.materials_pending and facts.state in _OPEN:
        return
    raise CommandRefused(
        f"这笔申请当前不需要补充材料（状态：{_STATE_ZH[facts.state]}）。",
        f"This filing does not need more materials (it is {facts.state.value}).",
    )


def _check_rating(facts: _FilingFacts, rated: bool) -> None:
    if facts.state is FilingState.REJECTED:
        raise CommandRefused(
            "这笔申请已被中心退回，不能评价。",
            "The centre sent this filing back; it cannot be rated.",
        )
    if rated:
        raise CommandRefused(
            "这笔申请已经评价过，每笔申请只能评价一次。",
            "This filing has been rated already; a filing is rated once.",
        )


class CommandService:
    def __init__(self, db: Database, cipher: FieldCipher, blobs: BlobStore) -> None:
        self._db = db
        self._cipher = cipher
        self._blobs = blobs
        self._stations = StationService(db)

    # ---- supplements ------------------------------------------------------------------
    def supplement(
        self, filing_uid: str, attachments: Sequence[Attachment], operator_code: str
    ) -> SavedCommand:
        """Queue materials for a filing that needs them; returns once durably saved.

        The materials belong to the filing (shown with it) and travel with this command.
        The filing no longer counts as waiting for materials once they are saved.
        """
        if not attachments:
            raise CommandRefused("请至少添加一份补充材料。", "Add at least one document.")
        station = self._stations.require_station()
        self._check_before_writing(filing_uid, operator_code)
        # Bytes on disk (fsynced) before the rows that name them, outside the write lock.
        digests = [(a, self._blobs.put(a.data)) for a in attachments]
        uid, now = new_uid(), utcnow()
        payload = {
            "uid": uid,
            "kind": SUPPLEMENT,
            "references": filing_uid,
            "station": station.code,
            "operator": operator_code,
            "created_at": now.isoformat() + "Z",
            "attachments": [
                {"code": a.code, "sha256": d, "size": len(a.data), "mime": a.mime}
                for a, d in digests
            ],
        }
        at = sql_time(now)
        with self._db.raw_write() as cur:
            facts = self._facts(cur, filing_uid)
            _check_supplement(facts)  # again, under the write lock
            command_id = self._insert(cur, uid, SUPPLEMENT, facts, payload, operator_code, at)
            cur.executemany(
                "INSERT INTO material (filing_id, command_id, code, sha256, size, mime, "
                "created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [(facts.id, command_id, a.code, d, len(a.data), a.mime, at) for a, d in digests],
            )
            cur.execute(
                "UPDATE filing SET materials_pending = 0, updated_at = ? WHERE id = ?",
                (at, facts.id),
            )
            audit.record(
                cur,
                "filing.supplemented",
                operator=operator_code,
                subject=f"filing:{filing_uid}",
                detail=f"command {uid}; {len(digests)} attachment(s)",
            )
        return SavedCommand(uid, SUPPLEMENT, filing_uid, now)

    # ---- ratings ----------------------------------------------------------------------
    def rate(
        self,
        filing_uid: str,
        rating: Rating,
        reasons: Sequence[str],
        operator_code: str | None,
    ) -> SavedCommand:
        """Queue the citizen's rating (好差评) of the service for one filing, once."""
        try:
            level = Rating(rating)
            codes = check_reasons(level, list(reasons))
        except ValueError:
            raise CommandRefused(
                "评价等级或原因不在可选范围内。",
                "The rating or one of its reasons is not among those offered.",
            ) from None
        station = self._stations.require_station()
        uid, now = new_uid(), utcnow()
        payload = {
            "uid": uid,
            "kind": RATING,
            "references": filing_uid,
            "station": station.code,
            "operator": operator_code,
            "created_at": now.isoformat() + "Z",
            "rating": level.value,
            "reasons": list(codes),
        }
        at = sql_time(now)
        with self._db.raw_write() as cur:
            facts = self._facts(cur, filing_uid)
            rated = cur.execute(
                "SELECT 1 FROM command WHERE filing_id = ? AND kind = ?", (facts.id, RATING)
            ).fetchone()
            _check_rating(facts, rated is not None)
            self._insert(cur, uid, RATING, facts, payload, operator_code, at)
            audit.record(
                cur,
                "filing.rated",
                operator=operator_code,
                subject=f"filing:{filing_uid}",
                detail=f"command {uid}; {level.value}; {','.join(codes) or '-'}",
            )
        return SavedCommand(uid, RATING, filing_uid, now)

    def rating_of(self, filing_uid: str) -> tuple[Rating, tuple[str, ...]] | None:
        """The rating queued for a filing (level and reason codes), or None."""
        with self._db.read() as s:
            blob = s.execute(
                select(Command.payload_enc)
                .join(Filing, Filing.id == Command.filing_id)
                .where(Filing.uid == filing_uid, Command.kind == RATING)
            ).scalar()
        if blob is None:
            return None
        doc = json.loads(self._cipher.decrypt(blob, "command.payload"))
        return Rating(doc["rating"]), tuple(doc["reasons"])

    # ---- shared -----------------------------------------------------------------------
    def _facts(self, cur: sqlite3.Cursor, filing_uid: str) -> _FilingFacts:
        row = cur.execute(
            "SELECT id, state, materials_pending FROM filing WHERE uid = ?", (filing_uid,)
        ).fetchone()
        if row is None:
            raise _unknown_filing()
        return _FilingFacts(int(row[0]), FilingState(row[1]), bool(row[2]))

    def _check_before_writing(self, filing_uid: str, operator_code: str) -> None:
        """Refuse before any attachment byte is written (the transaction checks again)."""
        with self._db.read() as s:
            row = s.execute(
                select(Filing.id, Filing.state, Filing.materials_pending).where(
                    Filing.uid == filing_uid
                )
            ).first()
            status = s.execute(
                select(Operator.status).where(Operator.code == operator_code)
            ).scalar()
        if row is None:
            raise _unknown_filing()
        _check_supplement(_FilingFacts(int(row[0]), FilingState(row[1]), bool(row[2])))
        if status != "active":
            raise CommandRefused(
                f"经办人员 {operator_code} 未在本站登记或已停用，不能补充材料。",
                f"Operator {operator_code} is not an active operator of this station.",
            )

    def _insert(
        self,
        cur: sqlite3.Cursor,
        uid: str,
        kind: str,
        facts: _FilingFacts,
        payload: Mapping[str, object],
        operator_code: str | None,
        at: str,
    ) -> int:
        """The command row and its outbox entry (keyed by the command's uid); its id."""
        frozen = frozen_json(payload)
        digest = hashlib.sha256(frozen).hexdigest()
        row = cur.execute(
            "INSERT INTO command (uid, kind, filing_id, payload_enc, payload_sha256, "
            "operator_code, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
            (
                uid,
                kind,
                facts.id,
                self._cipher.encrypt(frozen, "command.payload"),
                digest,
                operator_code,
                at,
            ),
        ).fetchone()
        command_id = int(row[0])
        cur.execute(
            "INSERT INTO outbox (kind, filing_id, command_id, idempotency_key, state, attempts, "
            "payload_sha256, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 0, ?, ?, ?)",
            (kind, facts.id, command_id, uid, OutboxState.PENDING.value, digest, at, at),
        )
        return command_id
