"""Filing an application: validate, freeze, encrypt and queue it in one transaction.

Nothing is acknowledged to the person before the transaction that holds the filing, its
first state, its materials and its outbox entry has committed with `synchronous=FULL`, so a
filing that was shown as saved survives a power cut. Attachment bytes are written (and
fsynced) to the blob store before that transaction, so a committed filing never points at a
missing file.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from sqlalchemy import insert, select
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from app.catalog.schema import CatalogItem, ItemKind
from app.crypto.field_cipher import FieldCipher
from app.errors import UserFacingError
from app.identity import PersonRead
from app.services import audit
from app.services.catalog_service import CatalogService
from app.services.station_service import StationInfo
from app.store.blobs import BlobStore
from app.store.db import Database
from app.store.models import (
    Filing,
    FilingState,
    FilingStateChange,
    Material,
    Operator,
    OutboxEntry,
    OutboxState,
    Person,
    utcnow,
)
from app.validation import FieldError, validate_form


@dataclass(frozen=True)
class Attachment:
    """Bytes for one checklist entry (or the face photo), captured before saving."""

    code: str
    data: bytes = field(repr=False)
    mime: str = "image/jpeg"


@dataclass(frozen=True)
class FilingRequest:
    item_code: str
    values: Mapping[str, object]
    person: PersonRead
    operator_code: str
    attachments: Sequence[Attachment] = ()
    references_uid: str | None = None
    materials_pending: bool = False


@dataclass(frozen=True)
class SavedFiling:
    uid: str
    item_code: str
    catalog_version: str
    state: FilingState
    created_at: dt.datetime


class FormInvalid(UserFacingError):
    """The form broke rules; `errors` name each field."""

    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__("；".join(e.zh for e in errors), "; ".join(e.en for e in errors))
        self.errors = errors


class ItemNotAllowed(UserFacingError):
    pass


def canonical_json(obj: object) -> bytes:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


class FilingService:
    def __init__(
        self,
        db: Database,
        cipher: FieldCipher,
        blobs: BlobStore,
        catalog: CatalogService,
        station: StationInfo,
    ) -> None:
        self._db = db
        self._cipher = cipher
        self._blobs = blobs
        self._catalog = catalog
        self._station = station
        self._operator_ids: dict[str, int] = {}

    def _item_for(self, request: FilingRequest) -> CatalogItem:
        catalog = self._catalog.current()
        try:
            item = catalog.item(request.item_code)
        except KeyError:
            raise ItemNotAllowed(
                f"事项目录 {catalog.version} 中没有事项 {request.item_code}。",
                f"Item {request.item_code} is not in catalog {catalog.version}.",
            ) from None
        if item.kind is not ItemKind.APPLICATION:
            raise ItemNotAllowed(
                f"“{item.name}”是查询或打印业务，需联网办理，不能离线排队。",
                f"“{item.name_en}” is a query or printing service; it needs the network.",
            )
        if self._station.status != "active" or item.code not in self._station.enabled_items:
            raise ItemNotAllowed(
                f"本站点未开通“{item.name}”。",
                f"This station does not handle “{item.name_en}”.",
            )
        if request.person.id_kind.method not in item.identity_methods:
            raise ItemNotAllowed(
                f"“{item.name}”不接受此种身份凭证，请换用其他证件。",
                f"“{item.name_en}” does not accept this identity document.",
            )
        return item

    def submit(self, request: FilingRequest, *, today: dt.date | None = None) -> SavedFiling:
        item = self._item_for(request)
        form = validate_form(item, request.values, prefill=request.person.prefill(), today=today)
        if not form.ok:
            raise FormInvalid(form.errors)
        version = self._catalog.current().version
        uid = str(uuid.uuid4())
        now = utcnow()
        digests = [
            (a, self._blobs.put(a.data)) for a in request.attachments
        ]  # bytes on disk before the rows that name them
        person = request.person
        payload = {
            "uid": uid,
            "item_code": item.code,
            "catalog_version": version,
            "station": self._station.code,
            "operator": request.operator_code,
            "created_at": now.isoformat() + "Z",
            "values": form.values,
            "person": {
                "id_kind": person.id_kind.value,
                "id_number": person.id_number,
                "name": person.name,
                "source": person.source,
            },
            "attachments": [
                {"code": a.code, "sha256": d, "size": len(a.data), "mime": a.mime}
                for a, d in digests
            ],
            "references": request.references_uid,
            "materials_pending": request.materials_pending,
        }
        frozen = canonical_json(payload)
        payload_hash = hashlib.sha256(frozen).hexdigest()
        with self._db.write() as s:
            person_id = self._upsert_person(s, person, now)
            operator_id = self._operator_id(s, request.operator_code)
            references_id = None
            if request.references_uid:
                references_id = s.execute(
                    select(Filing.id).where(Filing.uid == request.references_uid)
                ).scalar_one_or_none()
            filing_id = s.execute(
                insert(Filing).returning(Filing.id),
                {
                    "uid": uid,
                    "item_code": item.code,
                    "catalog_version": version,
                    "person_id": person_id,
                    "operator_id": operator_id,
                    "station_code": self._station.code,
                    "state": FilingState.QUEUED.value,
                    "payload_enc": self._cipher.encrypt(frozen, "filing.payload"),
                    "payload_sha256": payload_hash,
                    "references_filing_id": references_id,
                    "materials_pending": request.materials_pending,
                    "created_at": now,
                    "updated_at": now,
                },
            ).scalar_one()
            s.execute(
                insert(FilingStateChange),
                {
                    "filing_id": filing_id,
                    "state": FilingState.QUEUED.value,
                    "at": now,
                    "actor": request.operator_code,
                },
            )
            if digests:
                s.execute(
                    insert(Material),
                    [
                        {
                            "filing_id": filing_id,
                            "code": a.code,
                            "sha256": d,
                            "size": len(a.data),
                            "mime": a.mime,
                            "created_at": now,
                        }
                        for a, d in digests
                    ],
                )
            s.execute(
                insert(OutboxEntry),
                {
                    "kind": "filing",
                    "filing_id": filing_id,
                    "idempotency_key": uid,
                    "state": OutboxState.PENDING.value,
                    "payload_sha256": payload_hash,
                    "created_at": now,
                    "updated_at": now,
                },
            )
            audit.record(
                s,
                "filing.create",
                operator=request.operator_code,
                subject=f"filing:{uid}",
                detail=item.code,
            )
        return SavedFiling(uid, item.code, version, FilingState.QUEUED, now)

    def _upsert_person(self, s: Session, person: PersonRead, now: dt.datetime) -> int:
        enc = self._cipher.encrypt_text
        details = {
            "sex": person.sex,
            "ethnicity": person.ethnicity,
            "birth_date": person.birth_date.isoformat() if person.birth_date else None,
            "issuer": person.issuer,
            "valid_from": person.valid_from,
            "valid_until": person.valid_until,
            "card_number": person.card_number,
        }
        photo_sha = self._blobs.put(person.photo) if person.photo else None
        values = {
            "id_kind": person.id_kind.value,
            "id_token": self._cipher.search_token(person.id_kind.value, person.id_number),
            "name_enc": enc(person.name, "person.name"),
            "id_number_enc": enc(person.id_number, "person.id_number"),
            "address_enc": enc(person.address, "person.address"),
            "details_enc": self._cipher.encrypt(canonical_json(details), "person.details"),
            "photo_sha256": photo_sha,
            "source": person.source,
            "read_at": now,
        }
        stmt = sqlite_insert(Person).values(values)
        upsert = stmt.on_conflict_do_update(
            index_elements=["id_kind", "id_token"],
            set_={k: stmt.excluded[k] for k in values if k not in {"id_kind", "id_token"}},
        ).returning(Person.id)
        return int(s.execute(upsert).scalar_one())

    def _operator_id(self, s: Session, code: str) -> int:
        cached = self._operator_ids.get(code)
        if cached is not None:
            return cached
        found = s.execute(select(Operator.id).where(Operator.code == code)).scalar_one_or_none()
        if found is None:
            raise ItemNotAllowed(
                f"经办人员 {code} 未在本站登记，不能办理业务。",
                f"Operator {code} is not registered at this station.",
            )
        self._operator_ids[code] = found
        return found
