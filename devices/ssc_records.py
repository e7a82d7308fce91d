"""The social-security card's data, as bytes: APDUs to send and records to parse. No I/O here.

Kept apart from the PC/SC driver (`devices.ssc_card`) so every byte-level rule can be tested
with plain tables, and so a second transport (a provincial library, a network reader) can reuse
the parsing.

What we assume about the card (社会保障卡规范, LD/T 32). The standard's text was not at hand;
the layout below is the one deployed reading and card-issuing software uses (the APDUs they
send and the records they write), where it differs from the description this work started
from. Every assumption is one table or constant below, so a correction stays local:

* The application (SSSE) is selected by DF name: ``00 A4 04 00 0F`` + ASCII ``sx1.sh.`` + GBK
  ``社会保障`` (``7378312E73682E C9E7BBE1B1A3D5CF``). Cards answer ``9000`` or, on T=0, ``61xx``.
* Every record is one TLV: tag (1 byte), length (1 byte, or ``81 nn``), value. The tag is the
  data item's identifier; the record number is only where the item happens to be stored.
* EF05 (SFI 05, 发卡机构数据) stores item *n* in record *n*: 01 card identification code
  (16 bytes binary; its first 3 bytes are the issuing region as BCD), 02 card type, 03 spec
  version (ASCII ``"2.00"``/``"3.00"``), 04 initialising institution number, 05 issue date and
  06 expiry date (BCD ``YYYYMMDD``), 07 card number (ASCII; only the first 9 characters count).
  (The description we started from put 初始化机构 at 05 and the dates and card number at
  06/07/08; deployed readers send ``00 B2 07 04 0B`` for the card number and find ``"3.00"``
  in record 03, so we follow them.)
* EF06 (SFI 06, 持卡人基本信息) items: 08 social-security number (18 ASCII characters, the
  citizen ID number), 09 name (30 bytes GBK, padded with 00/20), 4E name extension (20 bytes,
  the rest of a long name or a character GBK cannot hold; appended to the name), 0A sex (ASCII
  ``'1'``/``'2'``, GB/T 2261.1), 0B ethnicity (1 byte BCD, GB/T 3304), 0C birthplace (3 bytes
  BCD region code), 0D birth date (BCD). Cards store them in records 1-7 in that order, so
  EF06 is read by record *identifier* (P2 = SFI<<3 | 000, P1 = tag), which does not depend on
  the order; a card that refuses identifier addressing is read record by record instead and
  sorted by tag (which also covers cards that number EF06's records by tag, 08-0E). The
  extension was described to us as 0E; we accept 0E as well as 4E.
* Names are decoded as GB 18030, GBK's superset: two-byte GBK decodes the same, and the
  four-byte sequences an issuer may write for characters outside GBK (𠮷, 𡒄) survive.
* Third-generation cards (spec 3.00) answer ``6982`` to EF06 until the terminal has
  authenticated with a PSAM; EF05 stays readable.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

# --- the application and its files -------------------------------------------------------------

AID = b"sx1.sh." + "社会保障".encode("gbk")
SFI_EF05 = 0x05
SFI_EF06 = 0x06

# EF05: tag == record number.
TAG_CARD_ID = 0x01
TAG_CARD_TYPE = 0x02
TAG_SPEC_VERSION = 0x03
TAG_INIT_ORG = 0x04
TAG_ISSUE_DATE = 0x05
TAG_EXPIRY_DATE = 0x06
TAG_CARD_NUMBER = 0x07
EF05_RECORDS = (
    TAG_CARD_ID,
    TAG_CARD_TYPE,
    TAG_SPEC_VERSION,
    TAG_INIT_ORG,
    TAG_ISSUE_DATE,
    TAG_EXPIRY_DATE,
    TAG_CARD_NUMBER,
)

# EF06: read by identifier; the order is the cards' record order.
TAG_SSN = 0x08
TAG_NAME = 0x09
TAG_NAME_EXTENSION = 0x4E
TAG_NAME_EXTENSION_ALT = 0x0E  # how it was first described to us; harmless to accept
TAG_SEX = 0x0A
TAG_ETHNICITY = 0x0B
TAG_BIRTHPLACE = 0x0C
TAG_BIRTH_DATE = 0x0D
EF06_ITEMS = (
    TAG_SSN,
    TAG_NAME,
    TAG_NAME_EXTENSION,
    TAG_SEX,
    TAG_ETHNICITY,
    TAG_BIRTHPLACE,
    TAG_BIRTH_DATE,
)
EF06_MAX_RECORD = 16  # how far a record-by-record scan looks when identifiers are refused

CARD_NUMBER_LENGTH = 9
NAME_LENGTH = 30  # bytes in record 09; longer names continue in the extension
NAME_EXTENSION_LENGTH = 20

# --- status words ------------------------------------------------------------------------------

SW_OK = 0x9000
SW_SECURITY_NOT_SATISFIED = 0x6982  # 3rd generation: PSAM authentication first
SW_FILE_NOT_FOUND = 0x6A82
SW_RECORD_NOT_FOUND = 0x6A83
# A card that does not support the addressing mode we asked for says one of these.
SW_ADDRESSING_REFUSED = frozenset({0x6A81, 0x6A86, 0x6B00, 0x6A87, 0x6E00, 0x6D00})


class RecordFormatError(ValueError):
    """A record's bytes do not have the shape the standard gives them."""


# --- APDUs -------------------------------------------------------------------------------------


def select_aid_apdu(aid: bytes = AID) -> bytes:
    """SELECT by DF name, case 3 (no Le): T=0 cards then answer 61xx with the FCI length."""
    return bytes([0x00, 0xA4, 0x04, 0x00, len(aid)]) + aid


def read_record_apdu(number: int, sfi: int, le: int = 0x00) -> bytes:
    """READ RECORD by record number (P2 = SFI<<3 | 100). Le 00 asks for the whole record."""
    return bytes([0x00, 0xB2, number, (sfi << 3) | 0x04, le])


def read_record_by_id_apdu(tag: int, sfi: int, le: int = 0x00) -> bytes:
    """READ RECORD, first record whose identifier is `tag` (P2 = SFI<<3 | 000)."""
    return bytes([0x00, 0xB2, tag, sfi << 3, le])


def get_response_apdu(le: int) -> bytes:
    return bytes([0x00, 0xC0, 0x00, 0x00, le & 0xFF])


def with_le(command: bytes, le: int) -> bytes:
    """The same command with its Le set to `le`, whichever ISO 7816-4 case it was."""
    if len(command) == 4:  # case 1 → case 2
        return command + bytes([le])
    if len(command) == 5:  # case 2: the fifth byte is Le
        return command[:4] + bytes([le])
    body = 5 + command[4]
    return command[:body] + bytes([le])  # case 3 gains an Le, case 4 has it replaced


@dataclass(frozen=True)
class Response:
    data: bytes
    sw: int

    @property
    def ok(self) -> bool:
        return self.sw == SW_OK


Transmit = Callable[[bytes], tuple[bytes, int]]
"""Send one command APDU, return (response data, status word)."""

MAX_CHAINED = 16  # GET RESPONSE / Le-corrections before we call the card broken


def exchange(transmit: Transmit, apdu: bytes) -> Response:
    """Send `apdu`, following the T=0 conventions a contact card uses instead of the reader.

    ``6Cxx``: wrong Le, the card has xx bytes: send the same command again with Le = xx.
    ``61xx``: xx more bytes are waiting: collect them with GET RESPONSE (which may itself end
    in 61xx). Both are bounded so a broken card cannot keep us here.
    """
    data = b""
    command = apdu
    for _ in range(MAX_CHAINED):
        chunk, sw = transmit(command)
        sw1, sw2 = sw >> 8, sw & 0xFF
        if sw1 == 0x6C:
            command = with_le(command, sw2)
            continue
        data += chunk
        if sw1 == 0x61:
            command = get_response_apdu(sw2)
            continue
        return Response(data, sw)
    raise RecordFormatError("card kept asking for GET RESPONSE / a different Le")


# --- records -----------------------------------------------------------------------------------


def parse_tlv(record: bytes) -> tuple[int, bytes]:
    """One record → (tag, value). Bytes after the value (some cards pad records) are ignored."""
    if len(record) < 2:
        raise RecordFormatError(f"record of {len(record)} bytes has no tag and length")
    tag, length, start = record[0], record[1], 2
    if length == 0x81:
        if len(record) < 3:
            raise RecordFormatError("truncated long-form length")
        length, start = record[2], 3
    elif length > 0x7F:
        raise RecordFormatError(f"unsupported length byte {length:#04x}")
    value = record[start : start + length]
    if len(value) != length:
        raise RecordFormatError(f"tag {tag:#04x} says {length} bytes, record holds {len(value)}")
    return tag, value


def expect_tag(record: bytes, tag: int) -> bytes:
    found, value = parse_tlv(record)
    if found != tag:
        raise RecordFormatError(f"expected tag {tag:#04x}, found {found:#04x}")
    return value


_PADDING = b"\x00 \xff"


def _blank(value: bytes) -> bool:
    return not value.strip(_PADDING)


def decode_text(value: bytes) -> str:
    """An 'an' item (card number, SSN, version): ASCII, padded with 00/20/FF."""
    try:
        return value.rstrip(_PADDING).decode("ascii").strip()
    except UnicodeDecodeError as exc:
        raise RecordFormatError("non-ASCII byte in a text item") from exc


def text_or_hex(value: bytes) -> str:
    """Items the standard leaves loosely typed (card type, institution number)."""
    stripped = value.rstrip(_PADDING)
    if stripped and all(0x20 <= b < 0x7F for b in stripped):
        return stripped.decode("ascii")
    return value.hex().upper()


def decode_name(name: bytes, extension: bytes | None = None) -> str:
    """姓名 plus 姓名扩展: strip each record's padding, join the bytes, decode as GB 18030.

    Joining bytes before decoding keeps a character whose bytes straddle the two records whole.
    Padding (00, 20, FF) can never be part of a GBK/GB 18030 character's last byte, so
    stripping it is safe; full-width spaces (A1A1), which some issuers pad with, go as well.
    """
    raw = name.rstrip(_PADDING)
    if extension is not None:
        raw += extension.rstrip(_PADDING)
    try:
        text = raw.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise RecordFormatError("name is not valid GBK/GB 18030") from exc
    return text.strip(" \u3000")


def encode_name(name: str) -> tuple[bytes, bytes | None]:
    """The inverse of `decode_name`, for card images: (30-byte name, extension or None).

    The split falls on a character boundary, as issuing software does, so a two- or four-byte
    character never straddles the records.
    """
    head = b""
    rest = ""
    for index, char in enumerate(name):
        encoded = char.encode("gb18030")
        if len(head) + len(encoded) > NAME_LENGTH:
            rest = name[index:]
            break
        head += encoded
    padded = head.ljust(NAME_LENGTH, b"\x00")
    if not rest:
        return padded, None
    tail = rest.encode("gb18030")
    if len(tail) > NAME_EXTENSION_LENGTH:
        raise ValueError("name longer than the name and its extension can hold")
    return padded, tail.ljust(NAME_EXTENSION_LENGTH, b"\x00")


def decode_bcd(value: bytes) -> str:
    """Compressed numeric ('cn'): two digits per byte; trailing F nibbles are padding."""
    digits = value.hex().upper().rstrip("F")
    if digits and not digits.isdigit():
        raise RecordFormatError("non-decimal nibble in a BCD item")
    return digits


def decode_bcd_date(value: bytes) -> dt.date | None:
    """BCD YYYYMMDD. An unwritten date (all 00 or FF) is None, not an error."""
    if len(value) != 4:
        raise RecordFormatError(f"a date has 4 bytes, not {len(value)}")
    if value in (b"\x00" * 4, b"\xff" * 4):
        return None
    digits = decode_bcd(value)
    if len(digits) != 8:
        raise RecordFormatError("date is not 8 digits")
    try:
        return dt.date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError as exc:
        raise RecordFormatError(f"not a calendar date: {digits}") from exc


def encode_bcd_date(date: dt.date) -> bytes:
    return bytes.fromhex(f"{date:%Y%m%d}")


def decode_region(value: bytes) -> str | None:
    """Birthplace (3 bytes BCD → 6-digit GB/T 2260 region code)."""
    if _blank(value):
        return None
    digits = decode_bcd(value)
    if len(digits) != 6:
        raise RecordFormatError("region code is not 6 digits")
    return digits


def decode_sex(value: bytes) -> str | None:
    """ASCII '1'/'2' as the standard says; binary 01/02 from sloppy issuers is accepted too."""
    if len(value) != 1 or _blank(value):
        return None
    byte = value[0]
    if 0x30 <= byte <= 0x39:
        return chr(byte)
    if byte <= 0x09:
        return str(byte)
    raise RecordFormatError("sex is not a GB/T 2261.1 digit")


def decode_ethnicity(value: bytes) -> str | None:
    """GB/T 3304 two-digit code: 1 byte BCD; two ASCII digits are accepted as well."""
    if _blank(value):
        return None
    if len(value) == 2 and value.isdigit():
        return value.decode("ascii")
    digits = decode_bcd(value)
    if len(digits) != 2:
        raise RecordFormatError("ethnicity is not a two-digit code")
    return digits


# --- what a card holds -------------------------------------------------------------------------


@dataclass(frozen=True)
class CardInfo:
    """EF05: about the card itself, readable on every generation."""

    card_id: str | None = None  # 卡的识别码, hex
    card_type: str | None = None
    spec_version: str | None = None
    init_org: str | None = None
    issue_date: dt.date | None = None
    expiry_date: dt.date | None = None
    card_number: str | None = None

    @property
    def region(self) -> str | None:
        """Issuing region (发卡地区行政区划代码): the identification code's first 3 BCD bytes."""
        if self.card_id and self.card_id[:6].isdigit():
            return self.card_id[:6]
        return None

    @property
    def generation(self) -> int | None:
        if self.spec_version and self.spec_version[0].isdigit():
            return int(self.spec_version[0])
        return None


@dataclass(frozen=True)
class HolderInfo:
    """EF06: the person. Empty on a 3rd-generation card read without a PSAM."""

    ssn: str | None = None
    name: str | None = None
    sex: str | None = None
    ethnicity: str | None = None
    birthplace: str | None = None
    birth_date: dt.date | None = None


@dataclass(frozen=True)
class SscCardData:
    """Everything one read produced, including what could not be read and why."""

    card: CardInfo
    holder: HolderInfo
    psam_required: bool = False
    unreadable: tuple[str, ...] = field(default=())  # items present but malformed

    def __repr__(self) -> str:  # personal data never reaches a log through repr()
        return (
            f"SscCardData(spec={self.card.spec_version}, psam_required={self.psam_required}, ...)"
        )

    __str__ = __repr__


def parse_ef05(records: dict[int, bytes]) -> tuple[CardInfo, list[str]]:
    """EF05 values keyed by tag → CardInfo, plus the names of items that did not parse."""
    items = _Items(records)
    item = items.parse

    card_id = item(TAG_CARD_ID, "card_id", lambda v: None if _blank(v) else v.hex().upper())
    number = item(TAG_CARD_NUMBER, "card_number", lambda v: decode_text(v)[:CARD_NUMBER_LENGTH])
    info = CardInfo(
        card_id=_str(card_id),
        card_type=_str(item(TAG_CARD_TYPE, "card_type", text_or_hex)),
        spec_version=_str(item(TAG_SPEC_VERSION, "spec_version", decode_text)),
        init_org=_str(item(TAG_INIT_ORG, "init_org", text_or_hex)),
        issue_date=_date(item(TAG_ISSUE_DATE, "issue_date", decode_bcd_date)),
        expiry_date=_date(item(TAG_EXPIRY_DATE, "expiry_date", decode_bcd_date)),
        card_number=_str(number),
    )
    return info, items.bad


def parse_ef06(records: dict[int, bytes]) -> tuple[HolderInfo, list[str]]:
    """EF06 values keyed by tag → HolderInfo. The SSN and name are the ones that matter."""
    items = _Items(records)
    item = items.parse

    extension = records.get(TAG_NAME_EXTENSION, records.get(TAG_NAME_EXTENSION_ALT))
    ssn = item(TAG_SSN, "ssn", lambda v: decode_text(v).upper())
    info = HolderInfo(
        ssn=_str(ssn),
        name=_str(item(TAG_NAME, "name", lambda v: decode_name(v, extension))),
        sex=_str(item(TAG_SEX, "sex", decode_sex)),
        ethnicity=_str(item(TAG_ETHNICITY, "ethnicity", decode_ethnicity)),
        birthplace=_str(item(TAG_BIRTHPLACE, "birthplace", decode_region)),
        birth_date=_date(item(TAG_BIRTH_DATE, "birth_date", decode_bcd_date)),
    )
    return info, items.bad


class _Items:
    """Parses a file's values by tag, noting (not raising) the ones that are malformed, so a
    card with one damaged item still yields the others."""

    def __init__(self, records: dict[int, bytes]) -> None:
        self._records = records
        self.bad: list[str] = []

    def parse(self, tag: int, label: str, parse: Callable[[bytes], object]) -> object:
        value = self._records.get(tag)
        if value is None:
            return None
        try:
            return parse(value)
        except RecordFormatError:
            self.bad.append(label)
            return None


def _str(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _date(value: object) -> dt.date | None:
    return value if isinstance(value, dt.date) else None


# --- the provincial library's answer -----------------------------------------------------------


@dataclass(frozen=True)
class BasicInfo:
    """`iReadCardBas` output (人社部 terminal interface), the fields in their order."""

    region: str
    ssn: str
    card_number: str
    card_id: str
    name: str
    atr: str = ""
    spec_version: str = ""
    issue_date: str = ""
    expiry_date: str = ""
    terminal_no: str = ""
    device_no: str = ""

    def __repr__(self) -> str:
        return f"BasicInfo(region={self.region}, spec={self.spec_version}, ...)"

    __str__ = __repr__


def parse_basic_info(text: str) -> BasicInfo:
    """``区划|社会保障号码|卡号|卡识别码|姓名|复位信息|规范版本|发卡日期|有效期|终端机编号|终端设备号|``"""
    parts = [part.strip() for part in text.strip().strip("\x00").split("|")]
    if len(parts) < 5 or not parts[1] or not parts[4]:
        raise RecordFormatError("provincial library returned fewer than 5 fields")
    parts += [""] * (11 - len(parts))
    return BasicInfo(*parts[:11])


def parse_yyyymmdd(text: str) -> dt.date | None:
    """Dates from the provincial library (YYYYMMDD); anything else is None."""
    if len(text) != 8 or not text.isdigit():
        return None
    try:
        return dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        return None


def facts_from_id_number(number: str) -> tuple[str | None, dt.date | None]:
    """(sex, birth date) from an 18-digit citizen ID number: digits 7-14 and the 17th's parity."""
    if len(number) != 18 or not number[:17].isdigit():
        return None, None
    return ("1" if int(number[16]) % 2 else "2"), parse_yyyymmdd(number[6:14])
