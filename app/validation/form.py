"""Validating a whole form against its catalog item."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
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
    item_code: str = ""

    @property
    def ok(self) -> bool:
        return not self.errors

    def error_for(self, key: str) -> FieldError | None:
        return next((e for e in self.errors if e.field == key), None)


def _is_blank(raw: object) -> bool:
    return raw is None or (isinstance(raw, str) and raw.strip() == "")


def _boolean(spec: FieldSpec, raw: object, today: dt.date) -> JsonValue:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, str) and raw.strip().lower() in {"true", "false", "1", "0"}:
        return raw.strip().lower() in {"true", "1"}
    raise FieldInvalid("boolean")


def _amount(spec: FieldSpec, raw: object, today: dt.date) -> JsonValue:
    return rules.amount_fen(raw, min_fen=spec.min_value, max_fen=spec.max_value)


def _integer(spec: FieldSpec, raw: object, today: dt.date) -> JsonValue:
    if not isinstance(raw, str | int):
        raise FieldInvalid("integer_format")
    return rules.integer(raw, min_value=spec.min_value, max_value=spec.max_value)


def _date(spec: FieldSpec, raw: object, today: dt.date) -> JsonValue:
    if not isinstance(raw, str | dt.date):
        raise FieldInvalid("date_format")
    return rules.date(raw, today=today, not_future=spec.not_future, not_past=spec.not_past)


def _choice(spec: FieldSpec, raw: str) -> str:
    value = raw.strip()
    if value not in {c.value for c in spec.choices}:
        raise FieldInvalid("choice")
    return value


def _text(spec: FieldSpec, raw: str) -> str:
    return rules.clean_text(raw, max_length=spec.max_length or 100, min_length=spec.min_length or 0)


def _long_text(spec: FieldSpec, raw: str) -> str:
    return rules.clean_text(
        raw, max_length=spec.max_length or 500, min_length=spec.min_length or 0, multiline=True
    )


def _string_rule(rule: Callable[[str], str]) -> Callable[[FieldSpec, str], str]:
    def apply(_spec: FieldSpec, raw: str) -> str:
        return rule(raw)

    return apply


# One entry per field type, looked up once per field (a save validates every field).
_VALUE_RULES: dict[FieldType, Callable[[FieldSpec, object, dt.date], JsonValue]] = {
    FieldType.BOOLEAN: _boolean,
    FieldType.AMOUNT: _amount,
    FieldType.INTEGER: _integer,
    FieldType.DATE: _date,
}
_STRING_RULES: dict[FieldType, Callable[[FieldSpec, str], str]] = {
    FieldType.TEXT: _text,
    FieldType.LONG_TEXT: _long_text,
    FieldType.CHOICE: _choice,
    FieldType.ID_NUMBER: _string_rule(rules.id_number),
    FieldType.BIRTH_CERT: _string_rule(rules.birth_cert),
    FieldType.PHONE: _string_rule(rules.phone),
    FieldType.BANK_CARD: _string_rule(rules.bank_card),
    FieldType.REGION: _string_rule(rules.region),
    FieldType.USCC: _string_rule(rules.credit_code),
}
assert set(_VALUE_RULES) | set(_STRING_RULES) == set(FieldType), "a field type has no rule"


def clean_value(spec: FieldSpec, raw: object, today: dt.date) -> JsonValue:
    """One field's value through the rule its type names; raises `FieldInvalid`."""
    value_rule = _VALUE_RULES.get(spec.type)
    if value_rule is not None:
        return value_rule(spec, raw, today)
    if not isinstance(raw, str):
        raise FieldInvalid("pattern")
    value = _STRING_RULES[spec.type](spec, raw)
    if spec.pattern is not None and not re.fullmatch(spec.pattern, value):
        raise FieldInvalid("pattern")
    return value


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
    result = FormResult(item_code=item.code)
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


def editable_values(item: CatalogItem, values: Mapping[str, object]) -> dict[str, object]:
    """Validated values (as frozen in a payload) back into what the form's editors take: an
    amount is stored in fen and typed in yuan. Used to correct a refused filing."""
    out: dict[str, object] = {}
    for spec in item.fields:
        if spec.key not in values:
            continue
        value = values[spec.key]
        if spec.type is FieldType.AMOUNT and isinstance(value, int):
            value = rules.format_fen(value).replace(",", "")
        out[spec.key] = value
    return out
