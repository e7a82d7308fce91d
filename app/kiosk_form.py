"""What a citizen is asked at the kiosk for an application, and what the kiosk fills itself.

The counter shows an item's whole form; a kiosk cannot: its users are often elderly, alone, and
must not type free text. So each field becomes one question answered by touch (a choice, yes
or no, a number on a keypad, a region picked in three taps), or is filled from the card, or,
when it is free text the rules require and nothing can fill, is marked for the handler to
confirm by telephone (every kiosk item asks for a phone number). An item with a field that
none of these can serve is not offered at the kiosk at all (`kiosk_items`).

Materials: the identity read stands for the copy of the ID document (a record of what the chip
or the centre's e-voucher answer said, stored as an encrypted attachment like any photo); other
materials are photographed at the kiosk.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from app.catalog.schema import (
    Catalog,
    CatalogItem,
    Channel,
    FieldSpec,
    FieldType,
    ItemKind,
    MaterialSpec,
)
from app.identity import PersonRead
from app.services.filing_service import Attachment

# What a required free-text field gets when the kiosk cannot ask for it.
HANDLER_CONFIRMS = "（自助终端申请，经办人员电话核实）"
HANDLER_CONFIRMS_EN = "(filed at a kiosk; the handler confirms it by telephone)"

# Checklist entries the identity read stands for.
IDENTITY_MATERIALS = frozenset({"id_copy"})
IDENTITY_RECORD_MIME = "application/json"


class Ask(StrEnum):
    """How a question is answered by touch."""

    CHOICE = "choice"
    YES_NO = "yes_no"
    PHONE = "phone"  # numeric keypad, 11 digits
    DATE = "date"  # numeric keypad, 8 digits, with "today" where the rules allow it
    REGION = "region"  # province → city → county
    NUMBER = "number"  # numeric keypad


_ASKS: dict[FieldType, Ask] = {
    FieldType.CHOICE: Ask.CHOICE,
    FieldType.BOOLEAN: Ask.YES_NO,
    FieldType.PHONE: Ask.PHONE,
    FieldType.DATE: Ask.DATE,
    FieldType.REGION: Ask.REGION,
    FieldType.INTEGER: Ask.NUMBER,
}
_FREE_TEXT = frozenset({FieldType.TEXT, FieldType.LONG_TEXT})


class NotForKiosk(ValueError):
    """An item whose form the kiosk cannot fill by touch (says which field, for the log)."""


@dataclass(frozen=True)
class Question:
    spec: FieldSpec
    ask: Ask

    @property
    def key(self) -> str:
        return self.spec.key

    @property
    def required(self) -> bool:
        return self.spec.required


@dataclass(frozen=True)
class KioskPlan:
    item: CatalogItem
    questions: tuple[Question, ...]
    from_card: tuple[FieldSpec, ...]  # filled from the identity read, shown on the review
    handler_confirms: tuple[FieldSpec, ...]  # required free text: the handler telephones
    photos: tuple[MaterialSpec, ...]  # photographed here, the required ones first
    face_photo: bool


def plan_for(item: CatalogItem) -> KioskPlan:
    """The kiosk's questions for `item`; raises `NotForKiosk` when one field cannot be served."""
    if item.kind is not ItemKind.APPLICATION:
        raise NotForKiosk(f"{item.code}: not an application")
    questions: list[Question] = []
    from_card: list[FieldSpec] = []
    handler: list[FieldSpec] = []
    for spec in item.fields:
        if spec.prefill is not None:
            from_card.append(spec)
        elif spec.type in _ASKS:
            questions.append(Question(spec, _ASKS[spec.type]))
        elif spec.type in _FREE_TEXT:
            if spec.required:
                handler.append(spec)
            # optional free text is not asked: the citizen cannot type
        elif spec.required:
            raise NotForKiosk(f"{item.code}.{spec.key}: a {spec.type.value} cannot be entered")
    photos = [m for m in item.materials if m.code not in IDENTITY_MATERIALS]
    photos.sort(key=lambda m: not m.required)  # stable: required first, in checklist order
    return KioskPlan(
        item, tuple(questions), tuple(from_card), tuple(handler), tuple(photos),
        item.face_photo_required,
    )  # fmt: skip


def kiosk_items(catalog: Catalog) -> list[CatalogItem]:
    """Applications the city lets kiosks take (the self-service channel) that can be filled
    by touch, in catalog order."""
    found = []
    for item in catalog.items:
        if item.kind is not ItemKind.APPLICATION or Channel.SELF_SERVICE not in item.channels:
            continue
        try:
            plan_for(item)
        except NotForKiosk:
            continue
        found.append(item)
    return found


def form_values(
    plan: KioskPlan, answers: Mapping[str, object], person: PersonRead
) -> dict[str, object]:
    """The values to file: the citizen's answers, the card's data, the handler's marks."""
    values: dict[str, object] = {k: v for k, v in answers.items() if v not in (None, "")}
    prefill = person.prefill()
    for spec in plan.from_card:
        assert spec.prefill is not None
        found = prefill.get(spec.prefill.value)
        if found:
            values[spec.key] = found
        elif spec.required and spec.type in _FREE_TEXT:
            values[spec.key] = HANDLER_CONFIRMS  # e.g. an e-voucher carries no address
    for spec in plan.handler_confirms:
        values[spec.key] = HANDLER_CONFIRMS
    return values


def identity_record(person: PersonRead, item: CatalogItem, at: dt.datetime) -> list[Attachment]:
    """The attachments that stand for the ID copy: what was read, from which document, when."""
    codes = [m.code for m in item.materials if m.code in IDENTITY_MATERIALS]
    if not codes:
        return []
    record = {
        "kind": "identity_read",
        "id_kind": person.id_kind.value,
        "source": person.source,
        "name": person.name,
        "id_number": person.id_number,
        "read_at": at.isoformat(),
    }
    data = json.dumps(record, ensure_ascii=False, sort_keys=True).encode()
    return [Attachment(code, data, IDENTITY_RECORD_MIME) for code in codes]
