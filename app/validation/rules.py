"""Single-value rules: ID numbers, birth certificates, phones, bank cards, dates, amounts, text.

Each rule takes the raw value as typed or read and returns the clean value to store, or raises
`FieldInvalid` with a code; `messages.py` turns the code into words naming the field.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from decimal import Decimal, InvalidOperation

from stdnum import luhn
from stdnum.cn import ric, uscc
from stdnum.exceptions import ValidationError as StdnumError


class FieldInvalid(ValueError):
    """A value broke a rule; `code` selects the message, `params` fill it."""

    def __init__(self, code: str, **params: object) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


@dataclass(frozen=True)
class FieldError:
    """A rule broken by one field, worded for people in both languages."""

    field: str
    code: str
    zh: str
    en: str
    params: dict[str, object] = dataclass_field(default_factory=dict)

    def text(self, language: str) -> str:
        return self.zh if language.startswith("zh") else self.en


_CONTROL_OK_IN_LONG_TEXT = {"\n", "\t"}


def clean_text(raw: str, *, max_length: int, min_length: int = 0, multiline: bool = False) -> str:
    """Trim, refuse control and format characters, and bound the length in characters.

    Length counts code points, so a name with a character outside the BMP counts it once.
    """
    value = raw.strip()
    if multiline:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    for ch in value:
        category = unicodedata.category(ch)
        if category == "Cc" and not (multiline and ch in _CONTROL_OK_IN_LONG_TEXT):
            raise FieldInvalid("control_char")
        if category in {"Cf", "Cs", "Co", "Cn", "Zl", "Zp"}:
            raise FieldInvalid("control_char")
    if len(value) < min_length:
        raise FieldInvalid("too_short", min=min_length)
    if len(value) > max_length:
        raise FieldInvalid("too_long", max=max_length)
    return value


def id_number(raw: str) -> str:
    """A resident ID number (GB 11643): 18 characters, a province prefix, birth date, checksum.

    The checksum comes from python-stdnum (`cn.ric`). Its full `validate` also demands that
    the county code existed in the birth year, which refuses real people: codes are given
    when the number is issued, often decades after birth, so that check is left out.
    """
    value = raw.strip().upper().replace(" ", "")
    if not re.fullmatch(r"\d{17}[\dX]", value) or not 11 <= int(value[:2]) <= 82:
        raise FieldInvalid("id_format")
    if ric.calc_check_digit(value) != value[-1]:
        raise FieldInvalid("id_checksum")
    try:
        birth = ric.get_birth_date(value)
    except StdnumError as exc:
        raise FieldInvalid("id_birth_date") from exc
    if birth > dt.date.today() or birth.year < 1880:
        raise FieldInvalid("id_birth_date")
    return value


_BIRTH_CERT = re.compile(r"[A-Z]\d{9}")


def birth_cert(raw: str) -> str:
    """A 出生医学证明 number: one capital letter then nine digits (e.g. O430012345)."""
    value = raw.strip().upper().replace(" ", "")
    if not _BIRTH_CERT.fullmatch(value):
        raise FieldInvalid("birth_cert_format")
    return value


_MOBILE = re.compile(r"1[3-9]\d{9}")
_LANDLINE = re.compile(r"0\d{2,3}-?[1-9]\d{6,7}")


def phone(raw: str) -> str:
    """A mainland mobile number (11 digits starting 13–19) or a landline with its area code."""
    value = re.sub(r"[\s]", "", raw)
    if value.startswith("+86"):
        value = value[3:]
    if _MOBILE.fullmatch(value) or _LANDLINE.fullmatch(value):
        return value
    raise FieldInvalid("phone_format")


def bank_card(raw: str) -> str:
    """A bank card number: 16 to 19 digits passing the Luhn check."""
    value = re.sub(r"[\s-]", "", raw)
    if not re.fullmatch(r"\d{16,19}", value):
        raise FieldInvalid("bank_card_format")
    if not luhn.is_valid(value):
        raise FieldInvalid("bank_card_checksum")
    return value


def date(
    raw: str | dt.date,
    *,
    today: dt.date,
    not_future: bool = False,
    not_past: bool = False,
) -> str:
    """An ISO date (YYYY-MM-DD) within 1900–2100, optionally not after or before today."""
    if isinstance(raw, dt.date):
        value = raw
    else:
        text = raw.strip()
        try:
            value = dt.date.fromisoformat(text)
        except ValueError as exc:
            raise FieldInvalid("date_format") from exc
        if len(text) != 10:
            raise FieldInvalid("date_format")
    if not dt.date(1900, 1, 1) <= value <= dt.date(2100, 12, 31):
        raise FieldInvalid("date_range")
    if not_future and value > today:
        raise FieldInvalid("date_future")
    if not_past and value < today:
        raise FieldInvalid("date_past")
    return value.isoformat()


_AMOUNT = re.compile(r"\d{1,12}(\.\d{1,2})?")


def amount_fen(raw: str | int, *, min_fen: int | None, max_fen: int | None) -> int:
    """Yuan as typed ("1234.5") to integer fen (123450). Never through float."""
    if isinstance(raw, int) and not isinstance(raw, bool):
        fen = raw
    else:
        text = str(raw).strip().replace(",", "").replace("，", "")
        if text.startswith(("¥", "￥")):
            text = text[1:].strip()
        if not _AMOUNT.fullmatch(text):
            raise FieldInvalid("amount_format")
        try:
            fen = int(Decimal(text) * 100)
        except InvalidOperation as exc:  # pragma: no cover - the pattern already rules it out
            raise FieldInvalid("amount_format") from exc
    if min_fen is not None and fen < min_fen:
        raise FieldInvalid("amount_min", min=format_fen(min_fen))
    if max_fen is not None and fen > max_fen:
        raise FieldInvalid("amount_max", max=format_fen(max_fen))
    return fen


def format_fen(fen: int) -> str:
    """Integer fen as yuan with two decimals, for messages and screens."""
    sign = "-" if fen < 0 else ""
    yuan, cents = divmod(abs(fen), 100)
    return f"{sign}{yuan:,}.{cents:02d}"


def integer(raw: str | int, *, min_value: int | None, max_value: int | None) -> int:
    if isinstance(raw, int) and not isinstance(raw, bool):
        value = raw
    else:
        text = str(raw).strip()
        if not re.fullmatch(r"-?\d{1,12}", text):
            raise FieldInvalid("integer_format")
        value = int(text)
    if min_value is not None and value < min_value:
        raise FieldInvalid("integer_min", min=min_value)
    if max_value is not None and value > max_value:
        raise FieldInvalid("integer_max", max=max_value)
    return value


def region(raw: str) -> str:
    """A six-digit administrative division code with a real province prefix (11–82)."""
    value = raw.strip()
    if not re.fullmatch(r"\d{6}", value) or not 11 <= int(value[:2]) <= 82:
        raise FieldInvalid("region_format")
    return value


def credit_code(raw: str) -> str:
    """An employer's unified social credit code (GB 32100): 18 characters with a check digit."""
    value = raw.strip().upper().replace(" ", "")
    if not re.fullmatch(r"[0-9A-HJ-NPQRTUWXY]{18}", value):
        raise FieldInvalid("uscc_format")
    try:
        uscc.validate(value)
    except StdnumError as exc:
        raise FieldInvalid("uscc_checksum") from exc
    return value
