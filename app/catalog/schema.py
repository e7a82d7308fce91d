"""Typed schema of the item catalog.

The catalog is reference data that comes from the centre; a malformed one must be refused
whole, with a message that names the bad entry, rather than half-loaded.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    StringConstraints,
    model_validator,
)

Code = Annotated[str, StringConstraints(pattern=r"^[A-Z][A-Z0-9_-]{2,39}$")]
Key = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,39}$")]
NonEmpty = Annotated[str, StringConstraints(min_length=1, max_length=200, strip_whitespace=True)]


class Channel(StrEnum):
    """The nine service channels of BRIEF §3."""

    DESIGNATED = "designated"  # 两定端
    TOWNSHIP = "township"  # 镇街端
    COMMUNITY = "community"  # 社区端
    BANK = "bank"  # 银行端
    INSURER = "insurer"  # 保司端
    EMPLOYER = "employer"  # 单位端
    SCHOOL = "school"  # 学校端
    MOBILE = "mobile"  # 移动端
    SELF_SERVICE = "self_service"  # 三类终端 (kiosks)


class StationList(StrEnum):
    """The item lists of BRIEF §4 an item belongs to (township, hospital, village)."""

    TOWNSHIP = "township"
    HOSPITAL = "hospital"
    VILLAGE = "village"


class IdentityMethod(StrEnum):
    ID_CARD = "id_card"  # 居民身份证 through a SAM reader
    SSC = "ssc"  # 社会保障卡 through PC/SC
    E_VOUCHER = "e_voucher"  # 医保电子凭证 QR, resolved online
    BIRTH_CERT = "birth_cert"  # 出生医学证明 number plus a guardian's card (newborns)


class ItemKind(StrEnum):
    APPLICATION = "application"  # queued and sent to the centre; can be filed offline
    QUERY = "query"  # answered by the centre; needs the network
    SERVICE = "service"  # printing, e-voucher activation and the like


class FieldType(StrEnum):
    TEXT = "text"
    LONG_TEXT = "long_text"
    ID_NUMBER = "id_number"
    BIRTH_CERT = "birth_cert"
    PHONE = "phone"
    BANK_CARD = "bank_card"
    DATE = "date"
    AMOUNT = "amount"  # integer fen in storage, yuan with two decimals on screen
    INTEGER = "integer"
    CHOICE = "choice"
    BOOLEAN = "boolean"
    REGION = "region"  # six-digit administrative division code
    USCC = "uscc"  # 统一社会信用代码 of an employer (GB 32100)


class Prefill(StrEnum):
    """Person attributes a field may be filled from (read from the identity device)."""

    NAME = "person.name"
    ID_NUMBER = "person.id_number"
    SEX = "person.sex"
    BIRTH_DATE = "person.birth_date"
    ADDRESS = "person.address"
    ETHNICITY = "person.ethnicity"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Choice(_Strict):
    value: Key
    label: NonEmpty
    label_en: NonEmpty


class FieldSpec(_Strict):
    """One typed form field with its validation rules and labels."""

    key: Key
    label: NonEmpty
    label_en: NonEmpty
    type: FieldType
    required: bool = True
    help: str | None = None
    help_en: str | None = None
    min_length: int | None = Field(default=None, ge=0)
    max_length: int | None = Field(default=None, ge=1, le=2000)
    pattern: str | None = None
    min_value: int | None = None  # integers; amounts in fen
    max_value: int | None = None
    not_future: bool = False  # dates
    not_past: bool = False  # dates
    choices: tuple[Choice, ...] = ()
    prefill: Prefill | None = None
    read_only: bool = False

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.type is FieldType.CHOICE and not self.choices:
            raise ValueError(f"field {self.key!r}: a choice field needs choices")
        if self.type is not FieldType.CHOICE and self.choices:
            raise ValueError(f"field {self.key!r}: only choice fields take choices")
        values = [c.value for c in self.choices]
        if len(values) != len(set(values)):
            raise ValueError(f"field {self.key!r}: choice values repeat")
        if self.pattern is not None:
            try:
                re.compile(self.pattern)
            except re.error as exc:
                raise ValueError(f"field {self.key!r}: bad pattern: {exc}") from exc
        if (
            self.min_length is not None
            and self.max_length is not None
            and self.min_length > self.max_length
        ):
            raise ValueError(f"field {self.key!r}: min_length > max_length")
        if (
            self.min_value is not None
            and self.max_value is not None
            and self.min_value > self.max_value
        ):
            raise ValueError(f"field {self.key!r}: min_value > max_value")
        if self.read_only and self.prefill is None:
            raise ValueError(f"field {self.key!r}: a read-only field must be prefilled")
        return self


class MaterialSpec(_Strict):
    """One entry of the materials checklist (photos or scans of paper)."""

    code: Key
    name: NonEmpty
    name_en: NonEmpty
    required: bool = True
    note: str | None = None


class CatalogItem(_Strict):
    """One item (事项) and everything a station needs to handle it."""

    code: Code
    name: NonEmpty
    name_en: NonEmpty
    category: Key
    kind: ItemKind
    lists: tuple[StationList, ...] = Field(min_length=1)
    channels: tuple[Channel, ...] = Field(min_length=1)
    identity_methods: tuple[IdentityMethod, ...] = Field(min_length=1)
    face_photo_required: bool = False
    time_limit_days: int = Field(ge=0, le=365)  # working days; 0 = answered at once
    offline: bool
    handling: NonEmpty | None = None  # e.g. 受理和初审, 帮办代办
    description: str | None = None
    fields: tuple[FieldSpec, ...] = ()
    materials: tuple[MaterialSpec, ...] = ()

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.kind is ItemKind.QUERY and self.offline:
            raise ValueError("a query needs the centre's data and cannot be completed offline")
        keys = [f.key for f in self.fields]
        if len(keys) != len(set(keys)):
            raise ValueError("field keys repeat")
        codes = [m.code for m in self.materials]
        if len(codes) != len(set(codes)):
            raise ValueError("material codes repeat")
        if self.kind is ItemKind.APPLICATION and not self.fields:
            raise ValueError("an application needs a form")
        return self

    def field(self, key: str) -> FieldSpec:
        for spec in self.fields:
            if spec.key == key:
                return spec
        raise KeyError(key)


class Category(_Strict):
    key: Key
    name: NonEmpty
    name_en: NonEmpty


class Catalog(_Strict):
    """A whole catalog version."""

    version: Annotated[str, StringConstraints(pattern=r"^\d{4}\.\d{2}\.\d+$")]
    published: str
    categories: tuple[Category, ...] = Field(min_length=1)
    items: tuple[CatalogItem, ...] = Field(min_length=1)
    _by_code: dict[str, CatalogItem] = PrivateAttr(default_factory=dict)

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        cats = {c.key for c in self.categories}
        seen: set[str] = set()
        for item in self.items:
            if item.code in seen:
                raise ValueError(f"item {item.code}: code appears twice")
            seen.add(item.code)
            if item.category not in cats:
                raise ValueError(f"item {item.code}: unknown category {item.category!r}")
        return self

    def model_post_init(self, context: object, /) -> None:
        self._by_code = {item.code: item for item in self.items}

    def item(self, code: str) -> CatalogItem:
        return self._by_code[code]

    def category(self, key: str) -> Category:
        for cat in self.categories:
            if cat.key == key:
                return cat
        raise KeyError(key)
