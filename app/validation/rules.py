"""Single-value rules: ID numbers, birth certificates, phones, bank cards, dates, amounts, text.

Each rule takes the raw value as typed or read and returns the clean value to store, or raises
`FieldInvalid` with a code; `messages.py` turns the code into words naming the field.

Numbers and codes are first folded with NFKC, so the full-width digits a Chinese input method
types (１２３) are stored as ASCII; patterns then match ASCII only (`re.ASCII`).
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from decimal import Decimal

from stdnum import luhn
from stdnum.cn import ric, uscc


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


# Province-level prefixes of GB/T 2260 as used in ID numbers and division codes, plus 81/82/83
# for the residence permits of Hong Kong, Macao and Taiwan residents.
PROVINCES = frozenset(
    {11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46}
    | {50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82, 83}
)

# Refused anywhere in text: control, format (zero-width, bidi overrides), surrogates, and line
# or paragraph separators. Unassigned (Cn) and private-use (Co) code points are allowed: a
# name may hold a character newer than this Python's Unicode tables, or one a card reader
# returns from the private-use area because Unicode has none for it yet.
_REFUSED_CATEGORIES = {"Cc", "Cf", "Cs", "Zl", "Zp"}
_CONTROL_OK_IN_LONG_TEXT = {"\n", "\t"}


def _fold(raw: str, *, drop: str = " ") -> str:
    """NFKC (full-width to ASCII), trimmed, upper-cased, with `drop` characters removed."""
    value = (raw if raw.isascii() else unicodedata.normalize("NFKC", raw)).strip().upper()
    for ch in drop:
        value = value.replace(ch, "")
    return value


@functools.cache
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, flags=re.ASCII)


def _match(pattern: str, value: str) -> bool:
    return _compiled(pattern).fullmatch(value) is not None


def clean_text(raw: str, *, max_length: int, min_length: int = 0, multiline: bool = False) -> str:
    """Trim, refuse control and format characters, and bound the length in characters.

    Length counts code points, so a name with a character outside the BMP counts it once.
    """
    value = raw.strip()
    if multiline:
        value = value.replace("\r\n", "\n").replace("\r", "\n")
    for ch in value:
        if multiline and ch in _CONTROL_OK_IN_LONG_TEXT:
            continue
        if unicodedata.category(ch) in _REFUSED_CATEGORIES:
            raise FieldInvalid("control_char")
    if len(value) < min_length:
        raise FieldInvalid("too_short", min=min_length)
    if len(value) > max_length:
        raise FieldInvalid("too_long", max=max_length)
    return value


def id_number(raw: str) -> str:
    """A resident ID number (GB 11643): 18 characters, a province prefix, birth date, checksum.

    The check digit comes from python-stdnum (`cn.ric`). Its full `validate` also demands that
    the county code existed in the birth year, which refuses real people: codes are given
    when the number is issued, often decades after birth, so that check is left out.
    """
    value = _fold(raw)
    if not _match(r"\d{17}[\dX]", value) or int(value[:2]) not in PROVINCES:
        raise FieldInvalid("id_format")
    if ric.calc_check_digit(value) != value[-1]:
        raise FieldInvalid("id_checksum")
    try:
        birth = dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError as exc:
        raise FieldInvalid("id_birth_date") from exc
    if birth > dt.date.today() or birth.year < 1880:
        raise FieldInvalid("id_birth_date")
    return value


def birth_cert(raw: str) -> str:
    """A 出生医学证明 number: one capital letter then nine digits (e.g. O430012345)."""
    value = _fold(raw)
    if not _match(r"[A-Z]\d{9}", value):
        raise FieldInvalid("birth_cert_format")
    return value


def phone(raw: str) -> str:
    """A mainland mobile number (11 digits starting 13–19) or a landline with its area code."""
    value = _fold(raw)
    if value.startswith("+86"):
        value = value[3:]
    if _match(r"1[3-9]\d{9}", value) or _match(r"0\d{2,3}-?[1-9]\d{6,7}", value):
        return value
    raise FieldInvalid("phone_format")


def bank_card(raw: str) -> str:
    """A bank card number: 16 to 19 digits passing the Luhn check."""
    value = _fold(raw, drop=" -")
    if not _match(r"\d{16,19}", value):
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
    if isinstance(raw, dt.datetime):
        raise FieldInvalid("date_format")  # a time stamp is not a date; callers must choose
    if isinstance(raw, dt.date):
        value = raw
    else:
        text = _fold(raw)
        if not _match(r"\d{4}-\d{2}-\d{2}", text):  # no week dates (2026-W01-1), no 20260102
            raise FieldInvalid("date_format")
        try:
            value = dt.date.fromisoformat(text)
        except ValueError as exc:
            raise FieldInvalid("date_format") from exc
    if not dt.date(1900, 1, 1) <= value <= dt.date(2100, 12, 31):
        raise FieldInvalid("date_range")
    if not_future and value > today:
        raise FieldInvalid("date_future")
    if not_past and value < today:
        raise FieldInvalid("date_past")
    return value.isoformat()


# Yuan as typed: digits with optional thousands groups "1,234,567", then up to two decimals.
_YUAN = r"(\d{1,12}|\d{1,3}(,\d{3}){1,3})(\.\d{1,2})?"


def amount_fen(raw: object, *, min_fen: int | None, max_fen: int | None) -> int:
    """Yuan as typed ("1,234.5", "¥12") to integer fen (123450). Never through float.

    Only text is accepted: a bare number would leave callers guessing whether it is yuan
    or fen.
    """
    if not isinstance(raw, str):
        raise FieldInvalid("amount_format")
    text = _fold(raw, drop="").replace("，", ",")
    if text.startswith(("¥", "￥")):
        text = text[1:].strip()
    if not _match(_YUAN, text):
        raise FieldInvalid("amount_format")
    fen = int(Decimal(text.replace(",", "")) * 100)
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
        text = _fold(str(raw))
        if not _match(r"-?\d{1,12}", text):
            raise FieldInvalid("integer_format")
        value = int(text)
    if min_value is not None and value < min_value:
        raise FieldInvalid("integer_min", min=min_value)
    if max_value is not None and value > max_value:
        raise FieldInvalid("integer_max", max=max_value)
    return value


def region(raw: str) -> str:
    """A six-digit administrative division code with a real province prefix."""
    value = _fold(raw)
    if not _match(r"\d{6}", value) or int(value[:2]) not in PROVINCES:
        raise FieldInvalid("region_format")
    return value


# GB 32100: registration authority and kind (letters allowed), 6-digit division code, 9-character
# organisation code, check character; the alphabet leaves out I, O, S, V and Z.
_USCC_CHAR = "[0-9A-HJ-NPQRTUWXY]"


def credit_code(raw: str) -> str:
    """An employer's unified social credit code (GB 32100): 18 characters with a check character."""
    value = _fold(raw)
    if not _match(f"{_USCC_CHAR}{{2}}\\d{{6}}{_USCC_CHAR}{{10}}", value):
        raise FieldInvalid("uscc_format")
    if uscc.calc_check_digit(value[:-1]) != value[-1]:
        raise FieldInvalid("uscc_checksum")
    return value
