"""A person as an identity device read them, and how their data is masked on screen."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum

from app.catalog.schema import IdentityMethod


class IdKind(StrEnum):
    """Which document identified the person."""

    RESIDENT_ID = "resident_id"  # 居民身份证
    SSC = "ssc"  # 社会保障卡
    E_VOUCHER = "e_voucher"  # 医保电子凭证 (resolved by the centre)
    BIRTH_CERT = "birth_cert"  # 出生医学证明 (newborns)

    @property
    def method(self) -> IdentityMethod:
        return _METHODS[self]


_METHODS = {
    IdKind.RESIDENT_ID: IdentityMethod.ID_CARD,
    IdKind.SSC: IdentityMethod.SSC,
    IdKind.E_VOUCHER: IdentityMethod.E_VOUCHER,
    IdKind.BIRTH_CERT: IdentityMethod.BIRTH_CERT,
}


@dataclass(frozen=True)
class PersonRead:
    """What a reader returned. `id_number` is the citizen ID number whatever the document."""

    id_kind: IdKind
    id_number: str
    name: str
    source: str
    sex: str | None = None  # GB/T 2261.1: 1 male, 2 female
    ethnicity: str | None = None
    birth_date: dt.date | None = None
    address: str | None = None
    issuer: str | None = None
    valid_from: str | None = None
    valid_until: str | None = None  # a date or 长期
    card_number: str | None = None
    photo: bytes | None = field(default=None, repr=False)
    photo_mime: str | None = None

    def __repr__(self) -> str:  # never let personal data reach a log through repr()
        return f"PersonRead(kind={self.id_kind.value}, source={self.source}, ...)"

    __str__ = __repr__

    def prefill(self) -> dict[str, str]:
        """Values a form may take from this read, keyed by catalog prefill source."""
        values = {"person.name": self.name, "person.id_number": self.id_number}
        if self.sex:
            values["person.sex"] = self.sex
        if self.birth_date:
            values["person.birth_date"] = self.birth_date.isoformat()
        if self.address:
            values["person.address"] = self.address
        if self.ethnicity:
            values["person.ethnicity"] = self.ethnicity
        return values


def mask_name(name: str) -> str:
    """张三 → 张*, 欧阳娜娜 → 欧***; counts code points, so rare characters stay whole."""
    chars = list(name)
    if len(chars) <= 1:
        return name
    return chars[0] + "*" * (len(chars) - 1)


def mask_id_number(number: str) -> str:
    """Keep the region (first 6) and the last 4: 110105********002X."""
    if len(number) <= 10:
        return number[:2] + "*" * max(len(number) - 4, 0) + number[-2:]
    return number[:6] + "*" * (len(number) - 10) + number[-4:]


def mask_phone(phone: str) -> str:
    return phone[:3] + "****" + phone[-4:] if len(phone) >= 11 else "*" * len(phone)
