"""Validating a whole form against its catalog item."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from app.catalog.schema import CatalogItem, FieldSpec, FieldType, Prefill
from app.validation import rules
from app.validation.messages import render
from app.validation.rules import FieldError, FieldInvalid

JsonValue = str | int | bool


@dataclass
class FormResult:
    """Clean values ready to freeze into a filing, or the errors to show beside the fields."""

    values: dict[str, JsonValue] = field(default_factory=dict)
    errors: list[FieldError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def error_for(self, key: str) -> FieldError | None:
        return next((e for e in self.errors if e.field == key), None)


def _is_blank(raw: object) -> bool:
    return raw is None or (isinstance(raw, str) and raw.strip() == "")


def clean_value(spec: FieldSpec, raw: object, today: dt.date) -> JsonValue:
    """One field's value through the rule its type names; raises `FieldInvalid`."""
    t = spec.type
    if t is FieldType.BOOLEAN:
        if isinstance(raw, bool):
            return raw
        if isinstance(raw, str) and raw.strip().lower() in {"true", "false", "1", "0"}:
            return raw.strip().lower() in {"true", "1"}
        raise FieldInvalid("boolean")
    if t is FieldType.AMOUNT:
        if not isinstance(raw, str):
            raise FieldInvalid("amount_format")
        return rules.amount_fen(raw, min_fen=spec.min_value, max_fen=spec.max_value)
    if t is FieldType.INTEGER:
        if not isinstance(raw, str | int):
            raise FieldInvalid("integer_format")
        return rules.integer(raw, min_value=spec.min_value, max_value=spec.max_value)
    if t is FieldType.DATE:
        if not isinstance(raw, str | dt.date):
            raise FieldInvalid("date_format")
        return rules.date(raw, today=today, not_future=spec.not_future, not_past=spec.not_past)
    if not isinstance(raw, str):
        raise FieldInvalid("pattern")
    value = _clean_string(spec, raw)
    if spec.pattern is not None and not re.fullmatch(spec.pattern, value):
        raise FieldInvalid("pattern")
    return value


def _clean_string(spec: FieldSpec, raw: str) -> str:
    t = spec.type
    if t is FieldType.ID_NUMBER:
        return rules.id_number(raw)
    if t is FieldType.BIRTH_CERT:
        return rules.birth_cert(raw)
    if t is FieldType.PHONE:
        return rules.phone(raw)
    if t is FieldType.BANK_CARD:
        return rules.bank_card(raw)
    if t is FieldType.REGION:
        return rules.region(raw)
    if t is FieldType.USCC:
        return rules.credit_code(raw)
    if t is FieldType.CHOICE:
        value = raw.strip()
        if value not in {c.value for c in spec.choices}:
            raise FieldInvalid("choice")
        return value
    long = t is FieldType.LONG_TEXT
    return rules.clean_text(
        raw,
        max_length=spec.max_length or (500 if long else 100),
        min_length=spec.min_length or 0,
        multiline=long,
    )


def _same(spec: FieldSpec, submitted: object, device: str, today: dt.date) -> bool:
    """Whether a submitted read-only value is the device's, once both are cleaned."""
    if submitted == device:
        return True
    try:
        return clean_value(spec, submitted, today) == clean_value(spec, device, today)
    except FieldInvalid:
        return False


_CHECKED_AT_READ = frozenset({Prefill.NAME, Prefill.ID_NUMBER})


def validate_form(
    item: CatalogItem,
    raw: Mapping[str, object],
    *,
    prefill: Mapping[str, str] | None = None,
    today: dt.date | None = None,
    identity_checked: bool = False,
) -> FormResult:
    """Check every field of `item`; read-only fields take the identity device's value.

    `prefill` maps prefill sources (``person.name``...) to what the device read. A read-only
    field whose submitted value differs from the device is refused rather than quietly
    replaced, because it means someone typed over a card read. With `identity_checked`, the
    name and document number were validated when the person was recorded
    (`PersonService.record`) and are taken as they are.
    """
    today = today or dt.date.today()
    prefill = prefill or {}
    result = FormResult()
    for unknown in sorted(set(raw) - {f.key for f in item.fields}):
        zh, en = render("unknown_field", unknown, unknown, {})
        result.errors.append(FieldError(unknown, "unknown_field", zh, en))
    for spec in item.fields:
        value: object = raw.get(spec.key)
        if spec.read_only and spec.prefill is not None:
            device_value = prefill.get(spec.prefill.value)
            if (
                not _is_blank(value)
                and device_value is not None
                and not _same(spec, value, device_value, today)
            ):
                _add(result, spec, FieldInvalid("prefill_mismatch"))
                continue
            value = device_value
            if identity_checked and value is not None and spec.prefill in _CHECKED_AT_READ:
                result.values[spec.key] = value
                continue
        if _is_blank(value):
            if spec.required:
                _add(result, spec, FieldInvalid("required"))
            continue
        try:
            result.values[spec.key] = clean_value(spec, value, today)
        except FieldInvalid as exc:
            _add(result, spec, exc)
    return result


def _add(result: FormResult, spec: FieldSpec, exc: FieldInvalid) -> None:
    zh, en = render(exc.code, spec.label, spec.label_en, dict(exc.params))
    result.errors.append(FieldError(spec.key, exc.code, zh, en, dict(exc.params)))
