"""Reading the queue: filings with their state, and counts for the status bar and CLI."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from app.china_clock import china_date, stored_midnight
from app.crypto.field_cipher import FieldCipher
from app.identity import PersonRead, mask_name
from app.services.catalog_service import CatalogService
from app.store.db import Database
from app.store.models import Filing, Material, Operator, OutboxEntry, OutboxState, Person
from app.workdays import Deadline, deadline

WAITING_STATES = (
    OutboxState.PENDING,
    OutboxState.SENDING,
    OutboxState.RETRY_WAIT,
    OutboxState.UNKNOWN_OUTCOME,
    OutboxState.BLOCKED_AUTH,
    OutboxState.BLOCKED_CONFIG,
)


@dataclass(frozen=True)
class FilingSummary:
    """One row of the queue view; the person's name is already masked."""

    uid: str
    item_code: str
    item_name: str
    person_masked: str
    state: str
    outbox_state: str | None
    created_at: dt.datetime
    receipt_no: str | None
    centre_status: str | None
    centre_message: str | None
    materials: int
    catalog_version: str
    due: Deadline | None = None  # the item's time limit in working days, from the filing day
    materials_pending: bool = False  # 容缺受理: accepted, required materials still to come
    references_uid: str | None = None  # a correction: the filing it corrects

    def can_correct(self) -> bool:
        """Refused or rejected: the citizen may file again, as a new filing referencing this."""
        return self.state in ("refused", "rejected")

    def can_supplement(self) -> bool:
        """The centre asked for materials, or they were accepted as pending (容缺受理)."""
        return self.state == "needs_materials" or (
            self.materials_pending and self.state in self.OPEN_STATES
        )

    OPEN_STATES = frozenset({"queued", "accepted", "in_review", "needs_materials"})

    def overdue(self, today: dt.date) -> bool:
        """Past its time limit and not finished (completed, refused and rejected are done)."""
        return self.due is not None and self.state in self.OPEN_STATES and today > self.due.due


@dataclass(frozen=True)
class FilingDetail:
    """One filing as frozen when it was queued, for a correction or a supplement. It holds
    personal data (the form's values): fetched when an operator acts on it, never listed."""

    uid: str
    item_code: str
    state: str
    values: dict[str, object] = field(repr=False)
    attachment_codes: tuple[str, ...]
    materials_pending: bool
    centre_message: str | None
    person_kind: str
    person_token: str


@dataclass(frozen=True)
class QueueFilter:
    """What the queue view is narrowed to; every part is optional (None: any)."""

    state: str | None = None
    item_code: str | None = None
    operator_code: str | None = None
    since: dt.date | None = None  # China dates, inclusive
    until: dt.date | None = None
    reference: str | None = None  # a receipt number, or the start or end of a local uid
    person: tuple[str, str] | None = None  # (id kind, search token) of a card read again


@dataclass(frozen=True)
class StatusCounts:
    filings_total: int
    filings_by_state: dict[str, int]
    outbox_by_state: dict[str, int]

    @property
    def waiting(self) -> int:
        return sum(self.outbox_by_state.get(s.value, 0) for s in WAITING_STATES)


@dataclass(frozen=True)
class OutboxRow:
    idempotency_key: str
    kind: str
    filing_uid: str | None
    state: str
    attempts: int
    last_error: str | None
    created_at: dt.datetime
    next_attempt_at: dt.datetime | None


class QueueService:
    def __init__(self, db: Database, cipher: FieldCipher, catalog: CatalogService) -> None:
        self._db = db
        self._cipher = cipher
        self._catalog = catalog

    def counts(self) -> StatusCounts:
        with self._db.read() as s:
            by_state = dict(
                s.execute(select(Filing.state, func.count()).group_by(Filing.state)).all()
            )
            outbox = dict(
                s.execute(select(OutboxEntry.state, func.count()).group_by(OutboxEntry.state)).all()
            )
        return StatusCounts(sum(by_state.values()), by_state, outbox)

    def filings_for(self, person: PersonRead, *, limit: int = 100) -> list[FilingSummary]:
        """A person's filings, found by the keyed token of the document number just read."""
        token = self._cipher.search_token(person.id_kind.value, person.id_number)
        return self.filings(limit=limit, person_token=(person.id_kind.value, token))

    def filings(
        self,
        *,
        limit: int = 500,
        state: str | None = None,
        person_token: tuple[str, str] | None = None,
        where: QueueFilter | None = None,
    ) -> list[FilingSummary]:
        """The newest filings first, names decrypted only to be masked."""
        catalog = self._catalog.current()
        names = {i.code: i.name for i in catalog.items}
        limits = {i.code: i.time_limit_days for i in catalog.items}
        materials = (
            select(Material.filing_id, func.count().label("n"))
            .group_by(Material.filing_id)
            .subquery()
        )
        first = aliased(Filing)
        query = (
            select(Filing, Person.name_enc, OutboxEntry.state, materials.c.n, first.uid)
            .join(Person, Person.id == Filing.person_id)
            .outerjoin(first, first.id == Filing.references_filing_id)
            .outerjoin(OutboxEntry, OutboxEntry.idempotency_key == Filing.uid)
            .outerjoin(materials, materials.c.filing_id == Filing.id)
            .order_by(Filing.id.desc())
            .limit(limit)
        )
        where = where or QueueFilter()
        state = state or where.state
        person_token = person_token or where.person
        if where.item_code:
            query = query.where(Filing.item_code == where.item_code)
        if where.operator_code:
            query = query.where(
                Filing.operator_id.in_(
                    select(Operator.id).where(Operator.code == where.operator_code)
                )
            )
        if where.since is not None:
            query = query.where(Filing.created_at >= stored_midnight(where.since))
        if where.until is not None:
            query = query.where(Filing.created_at < stored_midnight(where.until + dt.timedelta(1)))
        if where.reference:
            ref = where.reference.strip()
            query = query.where(
                (Filing.receipt_no == ref.upper())
                | Filing.uid.startswith(ref.lower())
                | Filing.uid.endswith(ref.lower())  # the short reference shown after saving
            )
        if state is not None:
            query = query.where(Filing.state == state)
        if person_token is not None:
            query = query.where(
                Person.id_kind == person_token[0], Person.id_token == person_token[1]
            )
        rows = []
        with self._db.read() as s:
            for filing, name_enc, outbox_state, n, first_uid in s.execute(query):
                name = self._cipher.decrypt_text(name_enc, "person.name") or ""
                rows.append(
                    FilingSummary(
                        uid=filing.uid,
                        item_code=filing.item_code,
                        item_name=names.get(filing.item_code, filing.item_code),
                        person_masked=mask_name(name),
                        state=filing.state,
                        outbox_state=outbox_state,
                        created_at=filing.created_at,
                        receipt_no=filing.receipt_no,
                        centre_status=filing.centre_status,
                        centre_message=filing.centre_message,
                        materials=int(n or 0),
                        catalog_version=filing.catalog_version,
                        due=deadline(china_date(filing.created_at), limits[filing.item_code])
                        if filing.item_code in limits
                        else None,
                        materials_pending=bool(filing.materials_pending),
                        references_uid=first_uid,
                    )
                )
        return rows

    def detail(self, uid: str) -> FilingDetail:
        """The frozen payload's values and attachments of one filing (KeyError if unknown)."""
        with self._db.read() as s:
            row = s.execute(
                select(Filing, Person.id_kind, Person.id_token)
                .join(Person, Person.id == Filing.person_id)
                .where(Filing.uid == uid)
            ).first()
            if row is None:
                raise KeyError(uid)
            filing, kind, token = row
            codes = s.execute(
                select(Material.code).where(Material.filing_id == filing.id).order_by(Material.id)
            ).scalars()
            payload = json.loads(self._cipher.decrypt(filing.payload_enc, "filing.payload"))
            return FilingDetail(
                uid=filing.uid,
                item_code=filing.item_code,
                state=filing.state,
                values=dict(payload.get("values", {})),
                attachment_codes=tuple(codes),
                materials_pending=bool(filing.materials_pending),
                centre_message=filing.centre_message,
                person_kind=kind,
                person_token=token,
            )

    def outbox(self, *, limit: int = 1000) -> list[OutboxRow]:
        query = (
            select(OutboxEntry, Filing.uid)
            .outerjoin(Filing, Filing.id == OutboxEntry.filing_id)
            .order_by(OutboxEntry.created_at, OutboxEntry.idempotency_key)
            .limit(limit)
        )
        with self._db.read() as s:
            return [
                OutboxRow(
                    idempotency_key=e.idempotency_key,
                    kind=e.kind,
                    filing_uid=uid,
                    state=e.state,
                    attempts=e.attempts,
                    last_error=e.last_error,
                    created_at=e.created_at,
                    next_attempt_at=e.next_attempt_at,
                )
                for e, uid in s.execute(query)
            ]
