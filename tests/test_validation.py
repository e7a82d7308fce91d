"""Single-value rules, their bilingual messages, and whole-form validation on the real catalog.

Rules are table-driven: each row is a raw value and either the clean value it becomes or the
error code it must raise. Form tests run against the shipped catalog so that a catalog field
whose rule the demo filler (or a card read) cannot satisfy is caught here.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import random
from collections.abc import Callable
from typing import Any

import pytest
from stdnum import luhn
from stdnum.cn import ric, uscc

from app.catalog.loader import load_default_catalog
from app.catalog.schema import CatalogItem
from app.identity import PersonRead
from app.services.demo_data import demo_values
from app.validation import rules
from app.validation.form import validate_form
from app.validation.messages import MESSAGES, render
from app.validation.rules import FieldInvalid
from devices.simulated_identity import SimulatedIdentityReader

TODAY = dt.date(2026, 6, 15)
CATALOG = load_default_catalog()


def with_check_digit(body17: str) -> str:
    """A resident ID number from its first 17 digits (stdnum wants a placeholder last char)."""
    assert len(body17) == 17
    return body17 + ric.calc_check_digit(body17 + "0")


def raises_code(call: Callable[[], object]) -> str:
    with pytest.raises(FieldInvalid) as info:
        call()
    return info.value.code


# --- id_number -----------------------------------------------------------------------------

VALID_ID = "11010519491231002X"


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        pytest.param(VALID_ID, VALID_ID, id="example-X"),
        pytest.param("11010519491231002x", VALID_ID, id="lowercase-x"),
        pytest.param(" 110105 19491231 002X ", VALID_ID, id="spaces"),
        pytest.param("\t11010519491231002X\n", VALID_ID, id="surrounding-whitespace"),
        pytest.param(
            with_check_digit("44180219900101123"), with_check_digit("44180219900101123"), id="gd"
        ),
        pytest.param(
            with_check_digit("82000020000229004"), with_check_digit("82000020000229004"), id="leap"
        ),
    ],
)
def test_id_number_accepts(raw: str, clean: str) -> None:
    assert rules.id_number(raw) == clean


FUTURE_YEAR = dt.date.today().year + 1


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        pytest.param("110105194912310021", "id_checksum", id="bad-checksum"),
        pytest.param("110105194912310020", "id_checksum", id="bad-checksum-0"),
        pytest.param("11010519491231002", "id_format", id="17-chars"),
        pytest.param("11010519491231002XX", "id_format", id="19-chars"),
        pytest.param("1101051949123100X2", "id_format", id="x-not-last"),
        pytest.param("11010519491231A02X", "id_format", id="letter"),
        pytest.param("", "id_format", id="empty"),
        pytest.param("110105-19491231-002X", "id_format", id="dashes"),
        pytest.param(with_check_digit("99010519491231002"), "id_format", id="province-99"),
        pytest.param(with_check_digit("00010519491231002"), "id_format", id="province-00"),
        pytest.param(with_check_digit("10010519491231002"), "id_format", id="province-10"),
        pytest.param(with_check_digit("11010519491301002"), "id_birth_date", id="month-13"),
        pytest.param(with_check_digit("11010519490001002"), "id_birth_date", id="month-00"),
        pytest.param(with_check_digit("11010519490132002"), "id_birth_date", id="day-32"),
        pytest.param(with_check_digit("11010519490230002"), "id_birth_date", id="feb-30"),
        pytest.param(with_check_digit("11010519010229002"), "id_birth_date", id="not-leap"),
        pytest.param(with_check_digit(f"110105{FUTURE_YEAR}0101002"), "id_birth_date", id="future"),
        pytest.param(with_check_digit("11010518700101002"), "id_birth_date", id="before-1880"),
    ],
)
def test_id_number_refuses(raw: str, code: str) -> None:
    assert raises_code(lambda: rules.id_number(raw)) == code


def test_every_simulated_card_number_validates() -> None:
    reader = SimulatedIdentityReader(seed=2026, read_delay=0)
    for _ in range(300):
        number = reader.read().id_number
        assert rules.id_number(number) == number


@pytest.mark.parametrize("position", [17, 16, 14, 12, 10, 8, 6, 3])
def test_changing_one_character_breaks_the_check_digit(position: int) -> None:
    reader = SimulatedIdentityReader(seed=position, read_delay=0)
    numbers = [reader.read().id_number for _ in range(5)] + [VALID_ID]
    alphabet = "0123456789X" if position == 17 else "0123456789"
    for number in numbers:
        for ch in alphabet:
            if ch == number[position]:
                continue
            changed = number[:position] + ch + number[position + 1 :]
            assert raises_code(functools.partial(rules.id_number, changed)) == "id_checksum", (
                changed
            )


# --- birth_cert ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        pytest.param("O430012345", "O430012345", id="example"),
        pytest.param("o430012345", "O430012345", id="lowercase"),
        pytest.param(" A123456789 ", "A123456789", id="whitespace"),
        pytest.param("Z 000 000 001", "Z000000001", id="inner-spaces"),
    ],
)
def test_birth_cert_accepts(raw: str, clean: str) -> None:
    assert rules.birth_cert(raw) == clean


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param("4300123456", id="no-letter"),
        pytest.param("OO30012345", id="two-letters"),
        pytest.param("O43001234", id="8-digits"),
        pytest.param("O4300123456", id="10-digits"),
        pytest.param("O43001234X", id="letter-at-end"),
        pytest.param("", id="empty"),
        pytest.param("甲430012345", id="chinese-letter"),
    ],
)
def test_birth_cert_refuses(raw: str) -> None:
    assert raises_code(lambda: rules.birth_cert(raw)) == "birth_cert_format"


# --- phone ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        pytest.param("13812345678", "13812345678", id="mobile-13"),
        pytest.param("19912345678", "19912345678", id="mobile-19"),
        pytest.param("15012345678", "15012345678", id="mobile-15"),
        pytest.param("+8613812345678", "13812345678", id="plus86"),
        pytest.param("+86 138 1234 5678", "13812345678", id="plus86-spaced"),
        pytest.param(" 13812345678 ", "13812345678", id="whitespace"),
        pytest.param("010-12345678", "010-12345678", id="landline-beijing"),
        pytest.param("0755-1234567", "0755-1234567", id="landline-4-digit-area"),
        pytest.param("075512345678", "075512345678", id="landline-no-dash"),
    ],
)
def test_phone_accepts(raw: str, clean: str) -> None:
    assert rules.phone(raw) == clean


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param("12345678901", id="mobile-12"),
        pytest.param("10012345678", id="mobile-10"),
        pytest.param("1381234567", id="10-digits"),
        pytest.param("138123456789", id="12-digits"),
        pytest.param("1381234567a", id="letter"),
        pytest.param("phone", id="letters"),
        pytest.param("010-1234", id="landline-too-short"),
        pytest.param("010-01234567", id="landline-leading-zero"),
        pytest.param("", id="empty"),
        pytest.param("+86", id="prefix-only"),
    ],
)
def test_phone_refuses(raw: str) -> None:
    assert raises_code(lambda: rules.phone(raw)) == "phone_format"


# --- bank_card -----------------------------------------------------------------------------


def luhn_card(length: int, seed: int = 0) -> str:
    rng = random.Random(seed * 100 + length)
    body = "622202" + "".join(rng.choice("0123456789") for _ in range(length - 7))
    return body + luhn.calc_check_digit(body)


def bad_luhn(card: str) -> str:
    return card[:-1] + str((int(card[-1]) + 1) % 10)


@pytest.mark.parametrize("length", [16, 17, 18, 19])
def test_bank_card_accepts_luhn_valid(length: int) -> None:
    for seed in range(5):
        card = luhn_card(length, seed)
        assert rules.bank_card(card) == card
    card = luhn_card(length)
    spaced = " ".join(card[i : i + 4] for i in range(0, length, 4))
    assert rules.bank_card(spaced) == card
    assert rules.bank_card(card[:4] + "-" + card[4:]) == card


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        pytest.param(bad_luhn(luhn_card(16)), "bank_card_checksum", id="bad-luhn-16"),
        pytest.param(bad_luhn(luhn_card(19)), "bank_card_checksum", id="bad-luhn-19"),
        pytest.param(luhn_card(15), "bank_card_format", id="15-digits"),
        pytest.param(luhn_card(20), "bank_card_format", id="20-digits"),
        pytest.param("622202123456789A", "bank_card_format", id="letter"),
        pytest.param("", "bank_card_format", id="empty"),
    ],
)
def test_bank_card_refuses(raw: str, code: str) -> None:
    assert raises_code(lambda: rules.bank_card(raw)) == code


# --- date ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        pytest.param("2026-01-02", "2026-01-02", id="iso"),
        pytest.param(" 2026-01-02 ", "2026-01-02", id="whitespace"),
        pytest.param("2024-02-29", "2024-02-29", id="leap-day"),
        pytest.param("1900-01-01", "1900-01-01", id="lower-bound"),
        pytest.param("2100-12-31", "2100-12-31", id="upper-bound"),
        pytest.param(dt.date(2026, 3, 4), "2026-03-04", id="date-object"),
    ],
)
def test_date_accepts(raw: str | dt.date, clean: str) -> None:
    assert rules.date(raw, today=TODAY) == clean


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        pytest.param("2026-02-30", "date_format", id="feb-30"),
        pytest.param("2025-02-29", "date_format", id="not-leap"),
        pytest.param("2026-13-01", "date_format", id="month-13"),
        pytest.param("2026/01/02", "date_format", id="slashes"),
        pytest.param("20260102", "date_format", id="basic-format"),
        pytest.param("2026-1-2", "date_format", id="no-padding"),
        pytest.param("02-01-2026", "date_format", id="day-first"),
        pytest.param("2026年1月2日", "date_format", id="chinese"),
        pytest.param("2026-01-02T00:00", "date_format", id="datetime-text"),
        pytest.param("2026-W01-1", "date_format", id="iso-week-date"),
        pytest.param("", "date_format", id="empty"),
        pytest.param("1899-12-31", "date_range", id="before-1900"),
        pytest.param("2101-01-01", "date_range", id="after-2100"),
        pytest.param(dt.date(1850, 1, 1), "date_range", id="date-object-1850"),
    ],
)
def test_date_refuses(raw: str | dt.date, code: str) -> None:
    assert raises_code(lambda: rules.date(raw, today=TODAY)) == code


@pytest.mark.parametrize(
    ("raw", "kwargs", "code"),
    [
        pytest.param("2026-06-15", {"not_future": True}, None, id="not-future-today"),
        pytest.param("2026-06-14", {"not_future": True}, None, id="not-future-yesterday"),
        pytest.param("2026-06-16", {"not_future": True}, "date_future", id="not-future-tomorrow"),
        pytest.param("2026-06-15", {"not_past": True}, None, id="not-past-today"),
        pytest.param("2026-06-16", {"not_past": True}, None, id="not-past-tomorrow"),
        pytest.param("2026-06-14", {"not_past": True}, "date_past", id="not-past-yesterday"),
        pytest.param("2030-01-01", {}, None, id="unconstrained-future"),
        pytest.param("1990-01-01", {}, None, id="unconstrained-past"),
    ],
)
def test_date_relative_to_explicit_today(
    raw: str, kwargs: dict[str, bool], code: str | None
) -> None:
    if code is None:
        assert rules.date(raw, today=TODAY, **kwargs) == raw
    else:
        assert raises_code(lambda: rules.date(raw, today=TODAY, **kwargs)) == code


def test_date_given_a_datetime_is_a_plain_date_or_refused() -> None:
    """`datetime` is a subclass of `date`: it must not leak a time or crash the comparison."""
    moment = dt.datetime(2026, 6, 15, 9, 30)
    try:
        clean = rules.date(moment, today=TODAY, not_future=True)
    except FieldInvalid:
        return
    assert clean == "2026-06-15"


# --- amount_fen ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "fen"),
    [
        pytest.param("1234.5", 123450, id="one-decimal"),
        pytest.param("0.01", 1, id="one-fen"),
        pytest.param("1,234.56", 123456, id="thousands-comma"),
        pytest.param("1，234.56", 123456, id="fullwidth-comma"),
        pytest.param("¥12", 1200, id="yen-sign"),
        pytest.param("￥ 12.30", 1230, id="fullwidth-yen"),
        pytest.param(" 7.1 ", 710, id="whitespace"),
        pytest.param("0", 0, id="zero"),
        pytest.param("0.29", 29, id="0.29-not-28"),
        pytest.param("0.57", 57, id="0.57-not-56"),
        pytest.param("1.15", 115, id="1.15-not-114"),
        pytest.param("4.35", 435, id="4.35-not-434"),
        pytest.param("999999999999.99", 99999999999999, id="largest"),
    ],
)
def test_amount_fen_accepts(raw: str, fen: int) -> None:
    result = rules.amount_fen(raw, min_fen=None, max_fen=None)
    assert type(result) is int
    assert result == fen


def test_amount_fen_is_exact_for_every_cent() -> None:
    """Through float, many of these would come out one fen short (0.29 * 100 = 28.999...)."""
    for yuan in (0, 1, 19, 1234):
        for cents in range(100):
            result = rules.amount_fen(f"{yuan}.{cents:02d}", min_fen=None, max_fen=None)
            assert type(result) is int
            assert result == yuan * 100 + cents


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param("1.234", id="three-decimals"),
        pytest.param("-1", id="negative"),
        pytest.param("-0.01", id="negative-fen"),
        pytest.param("1e3", id="exponent"),
        pytest.param("NaN", id="nan"),
        pytest.param("Infinity", id="infinity"),
        pytest.param("1.", id="trailing-dot"),
        pytest.param(".5", id="leading-dot"),
        pytest.param("12元", id="unit-suffix"),
        pytest.param("abc", id="letters"),
        pytest.param("", id="empty"),
        pytest.param("1 000", id="inner-space"),
    ],
)
def test_amount_fen_refuses_format(raw: str) -> None:
    assert raises_code(lambda: rules.amount_fen(raw, min_fen=None, max_fen=None)) == "amount_format"


def test_amount_fen_refuses_decimal_comma() -> None:
    """ "1,5" is a decimal comma (1.5 yuan), not 15 yuan: commas must group thousands."""
    assert raises_code(lambda: rules.amount_fen("1,5", min_fen=None, max_fen=None)) == (
        "amount_format"
    )


def test_amount_fen_refuses_negative_integer() -> None:
    with pytest.raises(FieldInvalid):
        rules.amount_fen(-500, min_fen=None, max_fen=None)


def test_amount_fen_bounds_show_yuan_with_two_decimals() -> None:
    with pytest.raises(FieldInvalid) as low:
        rules.amount_fen("0.99", min_fen=100, max_fen=123456)
    assert low.value.code == "amount_min"
    assert low.value.params == {"min": "1.00"}
    with pytest.raises(FieldInvalid) as high:
        rules.amount_fen("1234.57", min_fen=100, max_fen=123456)
    assert high.value.code == "amount_max"
    assert high.value.params == {"max": "1,234.56"}
    assert rules.amount_fen("1", min_fen=100, max_fen=123456) == 100
    assert rules.amount_fen("1234.56", min_fen=100, max_fen=123456) == 123456
    zh, en = render("amount_max", "金额", "Amount", dict(high.value.params))
    assert "1,234.56 元" in zh
    assert "¥1,234.56" in en
    zh, en = render("amount_min", "金额", "Amount", dict(low.value.params))
    assert "1.00 元" in zh
    assert "¥1.00" in en


# --- clean_text ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "kwargs", "clean"),
    [
        pytest.param("  张三  ", {}, "张三", id="strips"),
        pytest.param("\u3000张三\u3000", {}, "张三", id="strips-ideographic-space"),
        pytest.param("𠮷野家", {"max_length": 3}, "𠮷野家", id="non-bmp-counts-once"),
        pytest.param("王𬌗", {"max_length": 2}, "王𬌗", id="rare-surname"),
        pytest.param("欧阳𡒄", {"max_length": 3, "min_length": 3}, "欧阳𡒄", id="exact-length"),
        pytest.param("第一行\n第二行", {"multiline": True}, "第一行\n第二行", id="multiline"),
        pytest.param("甲\r\n乙\r丙", {"multiline": True}, "甲\n乙\n丙", id="crlf-normalised"),
        pytest.param("甲\t乙", {"multiline": True}, "甲\t乙", id="tab-in-multiline"),
    ],
)
def test_clean_text_accepts(raw: str, kwargs: dict[str, Any], clean: str) -> None:
    kwargs = {"max_length": 100, **kwargs}
    assert rules.clean_text(raw, **kwargs) == clean


@pytest.mark.parametrize(
    ("raw", "kwargs", "code"),
    [
        pytest.param("张\x00三", {}, "control_char", id="nul"),
        pytest.param("\x1b[31m张三", {}, "control_char", id="escape"),
        pytest.param("张\u200b三", {}, "control_char", id="zero-width-space"),
        pytest.param("\u202e三张", {}, "control_char", id="bidi-override"),
        pytest.param("张\ufeff三", {}, "control_char", id="bom"),
        pytest.param("张\u2028三", {}, "control_char", id="line-separator"),
        pytest.param("第一行\n第二行", {}, "control_char", id="newline-single-line"),
        pytest.param("甲\t乙", {}, "control_char", id="tab-single-line"),
        pytest.param("甲\x00乙", {"multiline": True}, "control_char", id="nul-multiline"),
        pytest.param("王", {"min_length": 2}, "too_short", id="too-short"),
        pytest.param("   ", {"min_length": 1}, "too_short", id="blank-after-strip"),
        pytest.param("王𬌗伟", {"max_length": 2}, "too_long", id="non-bmp-too-long"),
        pytest.param("a" * 101, {}, "too_long", id="too-long"),
    ],
)
def test_clean_text_refuses(raw: str, kwargs: dict[str, Any], code: str) -> None:
    kwargs = {"max_length": 100, **kwargs}
    assert raises_code(lambda: rules.clean_text(raw, **kwargs)) == code


def test_clean_text_length_params() -> None:
    with pytest.raises(FieldInvalid) as info:
        rules.clean_text("王𬌗伟", max_length=2)
    assert info.value.params == {"max": 2}
    with pytest.raises(FieldInvalid) as info:
        rules.clean_text("𬌗", max_length=5, min_length=2)
    assert info.value.params == {"min": 2}


# --- region --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw", ["110105", "441802", "820000", "650102", " 510104 "], ids=lambda r: r.strip()
)
def test_region_accepts(raw: str) -> None:
    assert rules.region(raw) == raw.strip()


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param("100000", id="province-10"),
        pytest.param("990000", id="province-99"),
        pytest.param("000000", id="zeros"),
        pytest.param("11010", id="5-digits"),
        pytest.param("1101050", id="7-digits"),
        pytest.param("11010a", id="letter"),
        pytest.param("", id="empty"),
    ],
)
def test_region_refuses(raw: str) -> None:
    assert raises_code(lambda: rules.region(raw)) == "region_format"


# --- credit_code (unified social credit code, GB 32100) ----------------------------------


def with_uscc_check(body17: str) -> str:
    return body17 + uscc.calc_check_digit(body17)


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        pytest.param("91110000600037341L", "91110000600037341L", id="example"),
        pytest.param("91110000600037341l", "91110000600037341L", id="lowercase"),
        pytest.param(" 9111 0000 6000 3734 1L ", "91110000600037341L", id="spaces"),
        pytest.param(
            with_uscc_check("91440300MA5D12345"), with_uscc_check("91440300MA5D12345"), id="ma"
        ),
        pytest.param(
            with_uscc_check("12100000400000751"), with_uscc_check("12100000400000751"), id="gov"
        ),
    ],
)
def test_credit_code_accepts(raw: str, clean: str) -> None:
    assert rules.credit_code(raw) == clean


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        pytest.param("91110000600037341M", "uscc_checksum", id="bad-check"),
        pytest.param("91110000600037341", "uscc_format", id="17-chars"),
        pytest.param("91110000600037341LL", "uscc_format", id="19-chars"),
        pytest.param("9111000060003734IL", "uscc_format", id="letter-I"),
        pytest.param("9111000060003734OL", "uscc_format", id="letter-O"),
        pytest.param("911100006000-37341L", "uscc_format", id="dash"),
        pytest.param("", "uscc_format", id="empty"),
    ],
)
def test_credit_code_refuses(raw: str, code: str) -> None:
    assert raises_code(lambda: rules.credit_code(raw)) == code


def test_credit_code_with_letter_registration_authority() -> None:
    """GB 32100 lets the first two characters (registration authority, organisation type) be
    letters, e.g. N2 for rural collective economic organisations. stdnum's cn.uscc demands
    eight leading digits; at the very least a correct check character must not be blamed."""
    code = with_uscc_check("N2330110MF1234567")
    try:
        assert rules.credit_code(code) == code
    except FieldInvalid as exc:
        assert exc.code != "uscc_checksum", "correct check character reported as wrong"


# --- full-width digits, as a Chinese IME types them ---------------------------------------


@pytest.mark.parametrize(
    ("rule", "raw"),
    [
        pytest.param(rules.id_number, "１１０１０５１９４９１２３１００２X", id="id_number"),
        pytest.param(rules.region, "１１０１０５", id="region"),
        pytest.param(rules.birth_cert, "O４３００１２３４５", id="birth_cert"),
    ],
)
def test_fullwidth_digits_are_normalised_or_refused(rule: Callable[[str], str], raw: str) -> None:
    """`\\d` matches any Unicode digit: a value must never be stored with full-width digits."""
    try:
        clean = rule(raw)
    except FieldInvalid:
        return
    assert clean.isascii(), clean


# --- messages ------------------------------------------------------------------------------

PROBE_ITEM = CatalogItem.model_validate(
    {
        "code": "TEST-PROBE",
        "name": "测试事项",
        "name_en": "Probe item",
        "category": "other",
        "kind": "application",
        "lists": ["township"],
        "channels": ["township"],
        "identity_methods": ["id_card"],
        "time_limit_days": 1,
        "offline": True,
        "fields": [
            {"key": "note", "label": "备注", "label_en": "Remark", "type": "text",
             "min_length": 2, "max_length": 4},
            {"key": "code", "label": "编码", "label_en": "Code", "type": "text",
             "required": False, "pattern": "[A-Z]{3}"},
            {"key": "idno", "label": "身份证号", "label_en": "ID no", "type": "id_number",
             "required": False},
            {"key": "cert", "label": "出生证", "label_en": "Birth cert", "type": "birth_cert",
             "required": False},
            {"key": "tel", "label": "电话", "label_en": "Tel", "type": "phone",
             "required": False},
            {"key": "card", "label": "银行卡", "label_en": "Card", "type": "bank_card",
             "required": False},
            {"key": "day", "label": "就诊日", "label_en": "Visit day", "type": "date",
             "required": False, "not_future": True},
            {"key": "start", "label": "起始日", "label_en": "Start day", "type": "date",
             "required": False, "not_past": True},
            {"key": "fee", "label": "费用", "label_en": "Fee", "type": "amount",
             "required": False, "min_value": 100, "max_value": 123456},
            {"key": "count", "label": "张数", "label_en": "Count", "type": "integer",
             "required": False, "min_value": 1, "max_value": 6},
            {"key": "pick", "label": "类别", "label_en": "Kind", "type": "choice",
             "required": False,
             "choices": [{"value": "a", "label": "甲", "label_en": "A"}]},
            {"key": "agree", "label": "同意", "label_en": "Agree", "type": "boolean",
             "required": False},
            {"key": "area", "label": "地区", "label_en": "Area", "type": "region",
             "required": False},
            {"key": "org", "label": "信用代码", "label_en": "Credit code", "type": "uscc",
             "required": False},
            {"key": "who", "label": "姓名", "label_en": "Name", "type": "text",
             "required": False, "prefill": "person.name", "read_only": True},
        ],
    }
)  # fmt: skip

MESSAGE_CASES: list[tuple[str, object, str]] = [
    ("note", "", "required"),
    ("note", "a\x00b", "control_char"),
    ("note", "a", "too_short"),
    ("note", "abcde", "too_long"),
    ("code", "ab1", "pattern"),
    ("idno", "12345", "id_format"),
    ("idno", "110105194912310021", "id_checksum"),
    ("idno", with_check_digit("11010519491301002"), "id_birth_date"),
    ("cert", "123", "birth_cert_format"),
    ("tel", "123", "phone_format"),
    ("card", "123", "bank_card_format"),
    ("card", bad_luhn(luhn_card(16)), "bank_card_checksum"),
    ("day", "2026/01/01", "date_format"),
    ("day", "1800-01-01", "date_range"),
    ("day", "2026-06-16", "date_future"),
    ("start", "2026-06-14", "date_past"),
    ("fee", "1.234", "amount_format"),
    ("fee", "0.5", "amount_min"),
    ("fee", "2000", "amount_max"),
    ("count", "1.5", "integer_format"),
    ("count", "0", "integer_min"),
    ("count", "7", "integer_max"),
    ("pick", "z", "choice"),
    ("agree", "maybe", "boolean"),
    ("area", "990000", "region_format"),
    ("org", "123", "uscc_format"),
    ("org", "91110000600037341M", "uscc_checksum"),
    ("who", "李四", "prefill_mismatch"),
    ("mystery", "x", "unknown_field"),
]


@pytest.mark.parametrize(
    ("key", "raw", "code"), MESSAGE_CASES, ids=[f"{k}-{c}" for k, _, c in MESSAGE_CASES]
)
def test_error_message_names_the_field(key: str, raw: object, code: str) -> None:
    result = validate_form(
        PROBE_ITEM, {"note": "正常", key: raw}, prefill={"person.name": "张三"}, today=TODAY
    )
    error = result.error_for(key)
    assert error is not None, result.errors
    assert error.code == code
    if code == "unknown_field":
        label, label_en = key, key
    else:
        spec = PROBE_ITEM.field(key)
        label, label_en = spec.label, spec.label_en
    assert f"“{label}”" in error.zh
    assert f"“{label_en}”" in error.en
    assert error.text("zh_CN") == error.zh
    assert error.text("en") == error.en
    assert "{" not in error.zh + error.en


def test_message_cases_cover_every_code() -> None:
    assert {code for _, _, code in MESSAGE_CASES} == set(MESSAGES)


@pytest.mark.parametrize("code", sorted(MESSAGES))
def test_every_message_renders(code: str) -> None:
    zh, en = render(code, "字段甲", "Field A", {"min": 1, "max": 2})
    assert "“字段甲”" in zh
    assert "“Field A”" in en
    assert "{" not in zh + en and "}" not in zh + en


# --- validate_form on the real catalog -----------------------------------------------------


def person(seed: int) -> PersonRead:
    return SimulatedIdentityReader(seed=seed, read_delay=0).read()


@pytest.mark.parametrize("item", CATALOG.items, ids=[i.code for i in CATALOG.items])
def test_demo_values_validate_for_every_item(item: CatalogItem) -> None:
    failures = []
    for seed in range(3):
        who = person(seed)
        values = demo_values(item, who, random.Random(seed), today=TODAY)
        result = validate_form(item, values, prefill=who.prefill(), today=TODAY)
        failures += [(seed, e.field, e.code, e.en) for e in result.errors]
        if result.ok:
            assert set(result.values) <= {f.key for f in item.fields}
    assert failures == []


ENROL = CATALOG.item("CX-CBDJ-001")


@pytest.fixture
def enrol_person() -> PersonRead:
    return person(11)


@pytest.fixture
def enrol_values(enrol_person: PersonRead) -> dict[str, object]:
    return demo_values(ENROL, enrol_person, random.Random(11), today=TODAY)


def test_enrol_demo_values_are_ok(
    enrol_person: PersonRead, enrol_values: dict[str, object]
) -> None:
    result = validate_form(ENROL, enrol_values, prefill=enrol_person.prefill(), today=TODAY)
    assert result.ok, result.errors
    assert result.values["name"] == enrol_person.name
    assert result.values["id_number"] == enrol_person.id_number


@pytest.mark.parametrize("blank", ["", "   ", None, "missing"])
def test_required_field_left_blank(
    enrol_person: PersonRead, enrol_values: dict[str, object], blank: str | None
) -> None:
    if blank == "missing":
        del enrol_values["phone"]
    else:
        enrol_values["phone"] = blank
    result = validate_form(ENROL, enrol_values, prefill=enrol_person.prefill(), today=TODAY)
    assert [e.field for e in result.errors] == ["phone"]
    error = result.errors[0]
    assert error.code == "required"
    assert "联系电话" in error.zh
    assert "Phone" in error.en
    assert "phone" not in result.values


def test_unknown_key_is_refused(enrol_person: PersonRead, enrol_values: dict[str, object]) -> None:
    enrol_values["nickname"] = "小王"
    result = validate_form(ENROL, enrol_values, prefill=enrol_person.prefill(), today=TODAY)
    assert [(e.field, e.code) for e in result.errors] == [("nickname", "unknown_field")]
    assert "nickname" in result.errors[0].zh
    assert "nickname" not in result.values


@pytest.mark.parametrize("key", ["name", "id_number"])
def test_read_only_field_typed_over_is_refused(
    enrol_person: PersonRead, enrol_values: dict[str, object], key: str
) -> None:
    other = person(99)
    enrol_values[key] = other.name if key == "name" else other.id_number
    assert enrol_values[key] != getattr(enrol_person, key)
    result = validate_form(ENROL, enrol_values, prefill=enrol_person.prefill(), today=TODAY)
    assert [(e.field, e.code) for e in result.errors] == [(key, "prefill_mismatch")]
    spec = ENROL.field(key)
    assert spec.label in result.errors[0].zh
    assert spec.label_en in result.errors[0].en
    assert key not in result.values


def test_read_only_field_left_empty_takes_the_device_value(
    enrol_person: PersonRead, enrol_values: dict[str, object]
) -> None:
    del enrol_values["name"]
    enrol_values["id_number"] = ""
    result = validate_form(ENROL, enrol_values, prefill=enrol_person.prefill(), today=TODAY)
    assert result.ok, result.errors
    assert result.values["name"] == enrol_person.name
    assert result.values["id_number"] == enrol_person.id_number


def test_read_only_field_without_a_card_read_is_required(enrol_values: dict[str, object]) -> None:
    """With no device value, a typed name is not taken: read-only means from the card."""
    result = validate_form(ENROL, enrol_values, prefill={}, today=TODAY)
    assert {(e.field, e.code) for e in result.errors} == {
        ("name", "required"),
        ("id_number", "required"),
    }


def test_card_name_with_newer_unicode_character_is_accepted(
    enrol_person: PersonRead,
) -> None:
    """A card may carry a rare character newer than Python's Unicode tables (CJK Ext. H,
    Unicode 15, e.g. U+31350). The name field is read-only, so refusing it as a "control
    character" leaves the operator no way to file for this person."""
    rare = dataclasses.replace(enrol_person, name="王\U00031350")
    values = demo_values(ENROL, rare, random.Random(3), today=TODAY)
    result = validate_form(ENROL, values, prefill=rare.prefill(), today=TODAY)
    assert result.ok, [(e.field, e.code) for e in result.errors]
    assert result.values["name"] == "王\U00031350"


def test_frozen_values_go_back_into_the_form_as_typed() -> None:
    """A refused filing is corrected from its frozen values: amounts return to yuan."""
    from app.catalog.loader import load_default_catalog
    from app.validation.form import editable_values

    item = load_default_catalog().item("BX-MZ-001")
    amounts = [f.key for f in item.fields if f.type.value == "amount"]
    assert amounts
    typed = {amounts[0]: "1234.50"}
    checked = validate_form(item, typed)
    frozen = checked.values
    assert frozen[amounts[0]] == 123450
    again = editable_values(item, frozen)
    assert again[amounts[0]] == "1234.50"
    assert validate_form(item, again).values[amounts[0]] == 123450
