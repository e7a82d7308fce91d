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
import sqlite3
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from app.catalog.schema import CatalogItem, FieldType, IdentityMethod, ItemKind
from app.crypto.field_cipher import FieldCipher
from app.errors import UserFacingError
from app.identity import IdKind
from app.ids import new_uid
from app.relationships import RELATIONSHIPS
from app.services import audit
from app.services.catalog_service import CatalogService
from app.services.members import member_token
from app.services.permissions import ItemNotAllowed, Permissions
from app.services.person_service import PersonService, RecordedPerson
from app.services.station_service import StationInfo, StationService
from app.store.blobs import BlobStore
from app.store.db import Database, sql_time
from app.store.models import FilingState, OutboxState, utcnow
from app.validation import FieldError, FormResult, validate_form

PERMISSIONS_TTL_S = 60.0
FACE_PHOTO = "face_photo"  # the attachment code of the face photo for the real-person check
SIGNATURE = "signature"  # the citizen's signature captured on screen
# Cards that can identify a newborn's guardian: the newborn has only a birth-certificate number.
GUARDIAN_KINDS = frozenset({IdKind.RESIDENT_ID, IdKind.SSC, IdKind.E_VOUCHER})
RELATIONSHIP_CODES = frozenset(r.code for r in RELATIONSHIPS)


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
    person: RecordedPerson  # the beneficiary (for a newborn: the guardian whose card was read)
    operator_code: str
    attachments: Sequence[Attachment] = ()
    references_uid: str | None = None
    materials_pending: bool = False  # 容缺受理: accepted with required materials to follow
    # 代办: the person applying on the beneficiary's behalf, identified by their own card,
    # and how they are related (a code of app.relationships).
    applicant: RecordedPerson | None = None
    relationship: str | None = None
    # What validate_form returned when the operator pressed Save (on the GUI thread); the
    # service uses it instead of validating the same values again, once it has checked
    # that it belongs to this item and this person.
    validated: FormResult | None = None


@dataclass(frozen=True)
class SavedFiling:
    uid: str
    item_code: str
    catalog_version: str
    state: FilingState
    created_at: dt.datetime


class MaterialsIncomplete(UserFacingError):
    """Required materials are missing and the application was not accepted with them pending
    (容缺受理); `missing` names them so the window can offer the one-time notice."""

    def __init__(self, item: CatalogItem, missing: list[str]) -> None:
        names = {m.code: (m.name, m.name_en) for m in item.materials}
        super().__init__(
            "缺少必需材料："
            + "、".join(names[c][0] for c in missing)
            + "。请补齐，或选择容缺受理，或打印一次性告知书。",
            "Required materials are missing: "
            + ", ".join(names[c][1] for c in missing)
            + ". Add them, accept with materials pending, or print the one-time notice.",
        )
        self.missing = missing


class FacePhotoMissing(UserFacingError):
    def __init__(self, item: CatalogItem) -> None:
        super().__init__(
            f"“{item.name}”需要办事群众的人脸照片（实人核验），请先拍照。",
            f"“{item.name_en}” needs the citizen's face photo (real-person check); take it first.",
        )


class ApplicantInvalid(UserFacingError):
    """代办 details that cannot be right: the applicant is the beneficiary, or no relationship."""


def missing_materials(item: CatalogItem, attachments: Sequence[Attachment]) -> list[str]:
    """The codes of required checklist entries with no page attached, in checklist order."""
    have = {a.code for a in attachments}
    return [m.code for m in item.materials if m.required and m.code not in have]


def accepts_identity(item: CatalogItem, kind: IdKind) -> bool:
    """Whether a person identified by `kind` may be the filing's card holder for `item`.

    A newborn (identity method birth_cert) has no card yet: the guardian's card is read and the
    newborn is identified by the birth-certificate number the form requires.
    """
    if kind is IdKind.BIRTH_CERT:
        return False  # nobody reads a birth certificate from a device: it is a form field
    if kind.method in item.identity_methods:
        return True
    return (
        IdentityMethod.BIRTH_CERT in item.identity_methods
        and kind in GUARDIAN_KINDS
        and any(f.type is FieldType.BIRTH_CERT and f.required for f in item.fields)
    )


class FormInvalid(UserFacingError):
    """The form broke rules; `errors` name each field."""

    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__("；".join(e.zh for e in errors), "; ".join(e.en for e in errors))
        self.errors = errors


def _validated_for(form: FormResult, item: CatalogItem, person: RecordedPerson) -> bool:
    """Whether a validation result is for this item and carries this person's card data."""
    if not form.ok or form.item_code != item.code:
        return False
    prefill = person.read.prefill()
    for spec in item.fields:
        if spec.read_only and spec.prefill is not None:
            if form.values.get(spec.key) != prefill.get(spec.prefill.value):
                return False
        elif spec.key not in form.values and spec.required:
            return False
    return set(form.values) <= {f.key for f in item.fields}


def frozen_json(obj: object) -> bytes:
    """The payload's bytes as queued. They are hashed and later sent exactly as they are, so
    no canonical key order is needed."""
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode()


class FilingService:
    def __init__(
        self,
        db: Database,
        cipher: FieldCipher,
        blobs: BlobStore,
        catalog: CatalogService,
        station: StationInfo,
        persons: PersonService,
    ) -> None:
        self._persons = persons
        self._db = db
        self._cipher = cipher
        self._blobs = blobs
        self._catalog = catalog
        self._station = station
        self._operator_ids: dict[str, int] = {}
        self._stations = StationService(db)
        self._granted: dict[str, tuple[float, Permissions]] = {}

    def _permissions(self, operator_code: str) -> Permissions:
        """The rules' inputs for this operator, read at most every PERMISSIONS_TTL_S seconds:
        a save must stay cheap, and a role withdrawn by the centre takes effect within it."""
        now = time.monotonic()
        cached = self._granted.get(operator_code)
        if cached is not None and now - cached[0] < PERMISSIONS_TTL_S:
            return cached[1]
        permissions = self._stations.permissions(operator_code)
        self._granted[operator_code] = (now, permissions)
        return permissions

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
        # On the employer and school channels the citizen must be one of the unit's members.
        member = member_token(self._cipher, request.person.read.id_number)
        self._permissions(request.operator_code).check(item, member)
        if not accepts_identity(item, request.person.read.id_kind):
            raise ItemNotAllowed(
                f"“{item.name}”不接受此种身份凭证，请换用其他证件。",
                f"“{item.name_en}” does not accept this identity document.",
            )
        return item

    @staticmethod
    def _check_applicant(request: FilingRequest) -> None:
        applicant = request.applicant
        if applicant is None:
            return
        if applicant.token == request.person.token and (
            applicant.read.id_kind is request.person.read.id_kind
        ):
            raise ApplicantInvalid(
                "代办人与办事群众是同一人，请改为本人办理。",
                "The applicant is the beneficiary; file it as their own application.",
            )
        if request.relationship not in RELATIONSHIP_CODES:
            raise ApplicantInvalid(
                "请选择代办人与办事群众的关系。",
                "Choose how the applicant is related to the beneficiary.",
            )

    @staticmethod
    def _check_checklist(item: CatalogItem, request: FilingRequest) -> bool:
        """Face photo and required materials: what the rules demand before a filing is taken.

        The face photo cannot be pending (the real-person check is made now); materials can,
        when the operator accepts the application with them to follow (容缺受理)."""
        if item.face_photo_required and not any(a.code == FACE_PHOTO for a in request.attachments):
            raise FacePhotoMissing(item)
        missing = missing_materials(item, request.attachments)
        if missing and not request.materials_pending:
            raise MaterialsIncomplete(item, missing)
        return bool(missing)  # pending only while something is actually missing

    def submit(self, request: FilingRequest, *, today: dt.date | None = None) -> SavedFiling:
        """Validate and queue one filing; returns only once it is durably saved.

        Its first state row records who created it and when. The audit trail records what
        the state history does not: refused attempts here, and views, prints and exports.
        """
        try:
            item = self._item_for(request)
        except ItemNotAllowed as exc:
            self._record_refusal(request, exc)
            raise
        form = request.validated
        if form is None or not _validated_for(form, item, request.person):
            form = validate_form(
                item,
                request.values,
                prefill=request.person.read.prefill(),
                today=today,
                identity_checked=True,
            )
        if not form.ok:
            raise FormInvalid(form.errors)
        self._check_applicant(request)
        pending = self._check_checklist(item, request)
        version = self._catalog.current().version
        uid = new_uid()
        now = utcnow()
        person = request.person.read
        # Bytes on disk (fsynced) before the rows that name them, and outside the write lock.
        digests = [(a, self._blobs.put(a.data)) for a in request.attachments]
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
            "applicant": _applicant_payload(request),
            "references": request.references_uid,
            "materials_pending": pending,
        }
        frozen = frozen_json(payload)
        payload_hash = hashlib.sha256(frozen).hexdigest()
        payload_enc = self._cipher.encrypt(frozen, "filing.payload")
        at = sql_time(now)
        with self._db.raw_write() as cur:
            operator_id = self._operator_id(cur, request.operator_code)
            references_id = None
            if request.references_uid:
                found = cur.execute(
                    "SELECT id FROM filing WHERE uid = ?", (request.references_uid,)
                ).fetchone()
                references_id = found[0] if found else None
            inserted = cur.execute(
                _INSERT_FILING,
                (
                    uid,
                    item.code,
                    version,
                    operator_id,
                    self._station.code,
                    FilingState.QUEUED.value,
                    payload_enc,
                    payload_hash,
                    references_id,
                    pending,
                    at,
                    at,
                    request.person.id,
                    request.person.read.id_kind.value,
                    request.person.token,
                ),
            ).fetchone()
            if inserted is None:  # the person row is not the card that was read
                raise ItemNotAllowed(
                    "办事群众的读卡记录不一致，请重新读卡。",
                    "The citizen's card record does not match; please read the card again.",
                )
            filing_id = inserted[0]
            cur.execute(
                "INSERT INTO filing_state (filing_id, seq, state, at, actor) "
                "VALUES (?, 1, ?, ?, ?)",
                (filing_id, FilingState.QUEUED.value, at, request.operator_code),
            )
            if digests:
                cur.executemany(
                    "INSERT INTO material (filing_id, code, sha256, size, mime, created_at) "
                    "VALUES (?, ?, ?, ?, ?, ?)",
                    [(filing_id, a.code, d, len(a.data), a.mime, at) for a, d in digests],
                )
            cur.execute(
                _INSERT_OUTBOX,
                ("filing", filing_id, uid, OutboxState.PENDING.value, payload_hash, at, at),
            )
        return SavedFiling(uid, item.code, version, FilingState.QUEUED, now)

    def _record_refusal(self, request: FilingRequest, exc: ItemNotAllowed) -> None:
        with self._db.raw_write() as cur:
            audit.record(
                cur,
                "filing.refused",
                operator=request.operator_code,
                subject=f"item:{request.item_code}",
                detail=exc.en,
            )

    def _operator_id(self, cur: sqlite3.Cursor, code: str) -> int:
        cached = self._operator_ids.get(code)
        if cached is not None:
            return cached
        found = cur.execute("SELECT id FROM operator WHERE code = ?", (code,)).fetchone()
        if found is None:
            raise ItemNotAllowed(
                f"经办人员 {code} 未在本站登记，不能办理业务。",
                f"Operator {code} is not registered at this station.",
            )
        self._operator_ids[code] = int(found[0])
        return int(found[0])


def _applicant_payload(request: FilingRequest) -> dict[str, str] | None:
    if request.applicant is None:
        return None
    read = request.applicant.read
    return {
        "id_kind": read.id_kind.value,
        "id_number": read.id_number,
        "name": read.name,
        "source": read.source,
        "relationship": request.relationship or "",
    }


# The save path's SQL, written out for speed (see Database.raw_write); columns as in models.py.
# The filing row is inserted only if the recorded person is the card that was read: the
# person's id, document kind and keyed token must all match (one statement, not two).
_INSERT_FILING = (
    "INSERT INTO filing (uid, item_code, catalog_version, operator_id, station_code, state, "
    "payload_enc, payload_sha256, references_filing_id, materials_pending, created_at, "
    "updated_at, person_id) SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, id FROM person "
    "WHERE id = ? AND id_kind = ? AND id_token = ? RETURNING id"
)
_INSERT_OUTBOX = (
    "INSERT INTO outbox (kind, filing_id, idempotency_key, state, attempts, payload_sha256, "
    "created_at, updated_at) VALUES (?, ?, ?, ?, 0, ?, ?, ?)"
)
