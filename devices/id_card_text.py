"""The 256-byte text block of a resident ID card (居民身份证), parsed into a person.

Every reader — the SAM serial protocol, the vendor SDKs' `SDT_ReadBaseMsg` — hands back the
same block, so it is parsed here, once, without any I/O. Layout (UTF-16 little-endian,
every field padded with spaces to its width)::

    offset  bytes  field
         0     30  name (姓名), 15 UTF-16 units
        30      2  sex code (GB/T 2261.1: 1 male, 2 female)
        32      4  ethnicity code (GB/T 3304, two digits, e.g. 01 汉)
        36     16  birth date YYYYMMDD
        52     70  address (住址), 35 units
       122     36  ID number, 18 characters
       158     30  issuing authority (签发机关)
       188     16  valid from YYYYMMDD
       204     16  valid until YYYYMMDD, or 长期 (no expiry)
       220     36  reserved; offset 248 is the card type on newer documents

Fields are decoded as UTF-16-LE, not unit by unit as UCS-2, so a rare character outside the
Basic Multilingual Plane, which the card carries as a surrogate pair, comes out as the one
character it is (e.g. 𬌗). A field that does not decode — say a pair cut in half — is
refused rather than shown with a replacement character, since a wrong name on an insurance
filing is worse than typing it in.

Foreign permanent residence cards (外国人永久居留身份证: type 'I', and 'Y' for the 2023
design) and residence permits for Hong Kong, Macao and Taiwan residents (港澳台居民居住证:
type 'J') put other fields in the same 256 bytes. They are detected by that type character
and refused with a plain message instead of being parsed as a resident ID card.

The ID number's check digit is not verified here: `app.services.person_service` validates
every read the same way whatever the device, so this module only makes sure the fields have
the shape of a resident ID card (catching a misaligned or garbled block).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass

from app.identity import IdKind, PersonRead
from devices.base import DeviceError

TEXT_BLOCK_LEN = 256
PHOTO_LEN = 1024  # the card's photo, compressed in the ministry's WLT format
PHOTO_MIME = "application/x-wlt"  # the raw, undecoded photo
LONG_TERM = "长期"

# (field, width in bytes), in card order; the widths add up to TEXT_BLOCK_LEN.
FIELDS: tuple[tuple[str, int], ...] = (
    ("name", 30),
    ("sex", 2),
    ("ethnicity", 4),
    ("birth_date", 16),
    ("address", 70),
    ("id_number", 36),
    ("issuer", 30),
    ("valid_from", 16),
    ("valid_until", 16),
    ("reserved", 36),
)
CARD_TYPE_OFFSET = 248

# Card type character at CARD_TYPE_OFFSET → what the document is, for the refusal message.
OTHER_DOCUMENTS: dict[str, tuple[str, str]] = {
    "I": ("外国人永久居留身份证", "foreign permanent residence ID card"),
    "Y": ("外国人永久居留身份证（2023年版）", "foreign permanent residence ID card (2023)"),
    "J": ("港澳台居民居住证", "residence permit for Hong Kong, Macao and Taiwan residents"),
}

FIELD_NAMES_ZH = {
    "name": "姓名",
    "sex": "性别",
    "ethnicity": "民族",
    "birth_date": "出生日期",
    "address": "住址",
    "id_number": "公民身份号码",
    "issuer": "签发机关",
    "valid_from": "有效期起始日期",
    "valid_until": "有效期截止日期",
}

SEX_CODES = frozenset({"0", "1", "2", "9"})  # GB/T 2261.1; cards carry 1 or 2
_ID_NUMBER = re.compile(r"\d{17}[\dX]")
_DATE = re.compile(r"\d{8}")
_PAD = " \x00"


class UnsupportedDocument(DeviceError):
    """The card is not a resident ID card; its layout is not implemented yet."""


class CardTextInvalid(DeviceError):
    """The text block is not a well-formed resident ID card block."""


@dataclass(frozen=True)
class IdCardText:
    """The fields of the text block, checked and in the forms `PersonRead` uses.

    Validity dates are written YYYY.MM.DD, as printed on the card's back and as the
    simulated reader writes them, so every reader gives the rest of the program one format.
    """

    name: str
    sex: str
    ethnicity: str
    birth_date: dt.date
    address: str | None
    id_number: str
    issuer: str | None
    valid_from: str
    valid_until: str

    def to_person(
        self, source: str, photo: bytes | None = None, photo_mime: str | None = None
    ) -> PersonRead:
        return PersonRead(
            id_kind=IdKind.RESIDENT_ID,
            id_number=self.id_number,
            name=self.name,
            source=source,
            sex=self.sex,
            ethnicity=self.ethnicity,
            birth_date=self.birth_date,
            address=self.address,
            issuer=self.issuer,
            valid_from=self.valid_from,
            valid_until=self.valid_until,
            photo=photo,
            photo_mime=photo_mime if photo is not None else None,
        )


def _invalid(field: str, why: str) -> CardTextInvalid:
    zh = FIELD_NAMES_ZH.get(field, field)
    return CardTextInvalid(
        f"身份证信息无法识别（{zh}），请重新读卡；如仍失败，请手工录入",
        f"The ID card's {field.replace('_', ' ')} could not be read ({why}); read the card "
        "again, or enter the person by hand.",
    )


def split_fields(block: bytes) -> dict[str, bytes]:
    """The raw bytes of each field, by name."""
    fields: dict[str, bytes] = {}
    offset = 0
    for name, width in FIELDS:
        fields[name] = block[offset : offset + width]
        offset += width
    return fields


def card_type(block: bytes) -> str:
    """The type character at offset 248: blank for a resident ID card, 'I', 'J', 'Y'..."""
    unit = block[CARD_TYPE_OFFSET : CARD_TYPE_OFFSET + 2]
    try:
        return unit.decode("utf-16-le").strip(_PAD)
    except UnicodeDecodeError:
        return "?"


def check_resident_card(block: bytes) -> None:
    """Refuse, with a plain message, documents that share the block but not its layout."""
    kind = card_type(block)
    if not kind:
        return
    zh, en = OTHER_DOCUMENTS.get(kind, ("其他类型证件", f"another kind of document ({kind!r})"))
    raise UnsupportedDocument(
        f"暂不支持读取{zh}，请手工录入或使用居民身份证",
        f"Reading the {en} is not supported yet; enter the person by hand or use a resident "
        "ID card.",
    )


def _text(field: str, raw: bytes) -> str:
    try:
        return raw.decode("utf-16-le").strip(_PAD)
    except UnicodeDecodeError as exc:
        raise _invalid(field, "not valid UTF-16") from exc


def _date(field: str, value: str) -> dt.date:
    if not _DATE.fullmatch(value):
        raise _invalid(field, "not YYYYMMDD")
    try:
        return dt.date(int(value[:4]), int(value[4:6]), int(value[6:]))
    except ValueError as exc:
        raise _invalid(field, "no such date") from exc


def _dotted(day: dt.date) -> str:
    return f"{day:%Y.%m.%d}"


def parse_text_block(block: bytes, today: dt.date | None = None) -> IdCardText:
    """Check and decode the 256-byte block; raises DeviceError with a plain message."""
    if len(block) != TEXT_BLOCK_LEN:
        raise CardTextInvalid(
            "身份证信息长度不正确，请重新读卡",
            f"The ID card's text block is {len(block)} bytes, not {TEXT_BLOCK_LEN}; read again.",
        )
    check_resident_card(block)
    raw = split_fields(block)
    text = {name: _text(name, value) for name, value in raw.items() if name != "reserved"}
    return check_fields(text, today)


def check_fields(text: Mapping[str, str], today: dt.date | None = None) -> IdCardText:
    """Validate decoded field strings (keys as in `FIELDS`, dates YYYYMMDD) into `IdCardText`.

    Shared by the block parser and by SDKs that hand out the fields one by one, so every
    reader refuses the same malformed data with the same message.
    """
    today = today or dt.date.today()
    text = {key: text.get(key, "").strip(_PAD) for key in FIELD_NAMES_ZH}
    name = text["name"]
    if not name:
        raise _invalid("name", "empty")
    sex = text["sex"]
    if sex not in SEX_CODES:
        raise _invalid("sex", "not a GB/T 2261.1 code")
    ethnicity = text["ethnicity"]
    if not re.fullmatch(r"\d{2}", ethnicity):
        raise _invalid("ethnicity", "not a two-digit code")
    birth = _date("birth_date", text["birth_date"])
    if birth > today:
        raise _invalid("birth_date", "in the future")
    number = text["id_number"].upper()
    if not _ID_NUMBER.fullmatch(number):
        raise _invalid("id_number", "not 17 digits and a check character")
    if number[6:14] != text["birth_date"]:
        raise _invalid("id_number", "birth date differs from the card's")
    valid_from = _date("valid_from", text["valid_from"])
    until_raw = text["valid_until"]
    if until_raw == LONG_TERM:
        valid_until = LONG_TERM
    else:
        until = _date("valid_until", until_raw)
        if until < valid_from:
            raise _invalid("valid_until", "before the start of validity")
        valid_until = _dotted(until)
    return IdCardText(
        name=name,
        sex=sex,
        ethnicity=ethnicity,
        birth_date=birth,
        address=text["address"] or None,
        id_number=number,
        issuer=text["issuer"] or None,
        valid_from=_dotted(valid_from),
        valid_until=valid_until,
    )


def parse_base_info(data: bytes) -> tuple[bytes, bytes]:
    """Split the data of a read-base-info answer into (text block, photo).

    The data starts with the text length and the photo length, two bytes each, big-endian
    (01 00 and 04 00 on every card seen), then the two blocks back to back.
    """
    if len(data) < 4:
        raise _truncated(len(data))
    text_len = int.from_bytes(data[0:2], "big")
    photo_len = int.from_bytes(data[2:4], "big")
    if text_len != TEXT_BLOCK_LEN:
        raise CardTextInvalid(
            "身份证信息长度不正确，请重新读卡",
            f"The reader announced {text_len} bytes of text, not {TEXT_BLOCK_LEN}; read again.",
        )
    end = 4 + text_len + photo_len
    if len(data) < end:
        raise _truncated(len(data))
    return data[4 : 4 + text_len], data[4 + text_len : end]


def _truncated(got: int) -> CardTextInvalid:
    return CardTextInvalid(
        "身份证信息不完整，请重新读卡",
        f"The ID card's base information was cut short ({got} bytes); read again.",
    )
