"""Recording people as identity devices read them, encrypted, found again by document number.

The counter records a person the moment the card is read (on the database lane, while the
operator starts on the form), so that saving a filing later only has to reference them.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, replace

from app.crypto.field_cipher import FieldCipher
from app.errors import UserFacingError
from app.identity import IdKind, PersonRead
from app.services import audit
from app.services.members import member_token
from app.store.blobs import BlobStore
from app.store.db import Database, sql_time
from app.store.models import utcnow
from app.validation import rules
from app.validation.rules import FieldInvalid


@dataclass(frozen=True)
class RecordedPerson:
    """A person as read, with the row that holds them in the store."""

    id: int
    read: PersonRead
    token: str  # keyed hash of the document number, as stored
    # The keyed token employer and school member lists are kept as (app.services.members).
    member_token: str = ""


_UPSERT_PERSON = (
    "INSERT INTO person (id_kind, id_token, name_enc, id_number_enc, address_enc, details_enc, "
    "photo_sha256, source, read_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
    "ON CONFLICT (id_kind, id_token) DO UPDATE SET name_enc = excluded.name_enc, "
    "id_number_enc = excluded.id_number_enc, address_enc = excluded.address_enc, "
    "details_enc = excluded.details_enc, "
    "photo_sha256 = coalesce(excluded.photo_sha256, person.photo_sha256), "
    "source = excluded.source, read_at = excluded.read_at RETURNING id"
)


class InvalidCardData(UserFacingError):
    def __init__(self, what_zh: str, what_en: str) -> None:
        super().__init__(
            f"证件信息无效（{what_zh}），请换一张证件或改用其他方式识别。",
            f"The card's data is invalid ({what_en}); use another card or identity method.",
        )


def checked(person: PersonRead) -> PersonRead:
    """The read with its name and document number validated and normalised."""
    try:
        if person.id_kind is IdKind.BIRTH_CERT:
            number = rules.birth_cert(person.id_number)
        else:
            number = rules.id_number(person.id_number)
    except FieldInvalid as exc:
        raise InvalidCardData("证件号码", "document number") from exc
    try:
        name = rules.clean_text(person.name, max_length=60, min_length=1)
    except FieldInvalid as exc:
        raise InvalidCardData("姓名", "name") from exc
    if number == person.id_number and name == person.name:
        return person
    return replace(person, id_number=number, name=name)


class PersonService:
    def __init__(self, db: Database, cipher: FieldCipher, blobs: BlobStore) -> None:
        self._db = db
        self._cipher = cipher
        self._blobs = blobs

    def token(self, person: PersonRead) -> str:
        return self._cipher.search_token(person.id_kind.value, person.id_number)

    def record(self, person: PersonRead) -> RecordedPerson:
        """Check and store (or refresh) what the device read; the latest read wins.

        The name and document number are validated here, once, so a damaged or forged card
        is refused when it is read rather than when the filing is saved.
        """
        person = checked(person)
        photo_sha = self._blobs.put(person.photo) if person.photo else None  # before the lock
        row = self._row(person, photo_sha, utcnow())
        with self._db.raw_write() as cur:
            person_id = int(cur.execute(_UPSERT_PERSON, row).fetchone()[0])
        return RecordedPerson(
            person_id, person, str(row[1]), member_token(self._cipher, person.id_number)
        )

    def _row(
        self, person: PersonRead, photo_sha: str | None, now: dt.datetime
    ) -> tuple[object, ...]:
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
        details_json = json.dumps(details, ensure_ascii=False, sort_keys=True).encode()
        return (
            person.id_kind.value,
            self.token(person),
            enc(person.name, "person.name"),
            enc(person.id_number, "person.id_number"),
            enc(person.address, "person.address"),
            self._cipher.encrypt(details_json, "person.details"),
            photo_sha,
            person.source,
            sql_time(now),
        )

    def record_view(self, person: RecordedPerson, operator_code: str, what: str) -> None:
        """Audit that an operator looked at unmasked personal data (`what`: "name", ...)."""
        with self._db.raw_write() as cur:
            audit.record(
                cur,
                "person.view",
                operator=operator_code,
                subject=f"person:{person.id}",
                detail=what,
            )
