"""What the kiosk asks for each application, and the region table behind its picker."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from app.catalog.loader import load_default_catalog
from app.catalog.schema import Channel, FieldType, ItemKind
from app.identity import IdKind, PersonRead
from app.kiosk_form import (
    HANDLER_CONFIRMS,
    IDENTITY_RECORD_MIME,
    Ask,
    NotForKiosk,
    form_values,
    identity_record,
    kiosk_items,
    plan_for,
)
from app.regions import children, provinces, region_name
from app.validation.form import validate_form

CATALOG = load_default_catalog()
SIX = {"YD-BA-010", "YD-BA-011", "YD-BABG-012", "YD-BAQX-013", "CX-CBDJ-001", "MT-RD-001"}

CARD = PersonRead(
    IdKind.RESIDENT_ID,
    "441802198506151320",
    "陈秀英",
    "test",
    address="广东省清远市清城区示范路1号",
)
VOUCHER = PersonRead(IdKind.E_VOUCHER, "441802198506151320", "陈秀英", "test")


def test_the_kiosk_offers_the_self_service_applications_it_can_fill_by_touch() -> None:
    offered = {i.code for i in kiosk_items(CATALOG)}
    assert offered == SIX
    for item in CATALOG.items:
        if item.kind is ItemKind.APPLICATION and Channel.SELF_SERVICE in item.channels:
            assert item.code in offered  # none of the city's kiosk items is left out


def test_an_item_with_a_required_field_nobody_can_touch_in_is_not_offered() -> None:
    typed = [
        i
        for i in CATALOG.items
        if i.kind is ItemKind.APPLICATION
        and any(
            f.required and f.prefill is None and f.type in (FieldType.BANK_CARD, FieldType.AMOUNT)
            for f in i.fields
        )
    ]
    assert typed, "the catalog has items with a bank card or amount to type"
    for item in typed:
        with pytest.raises(NotForKiosk):
            plan_for(item)


def test_each_field_becomes_a_question_a_card_value_or_a_handler_note() -> None:
    plan = plan_for(CATALOG.item("YD-BA-010"))
    asks = {q.key: q.ask for q in plan.questions}
    assert asks == {
        "phone": Ask.PHONE,
        "residence_type": Ask.CHOICE,
        "destination": Ask.REGION,
        "start_date": Ask.DATE,
        "commitment": Ask.YES_NO,
    }
    assert [f.key for f in plan.from_card] == ["name", "id_number"]
    assert [f.key for f in plan.handler_confirms] == ["destination_address"]
    assert plan.face_photo and "id_copy" not in {m.code for m in plan.photos}


def test_the_values_filed_pass_the_filing_rules() -> None:
    today = dt.date(2026, 11, 23)
    plan = plan_for(CATALOG.item("CX-CBDJ-001"))
    answers = {
        "phone": "13800138000",
        "household_type": "local",
        "insured_category": "adult",
        "start_date": today.isoformat(),
    }
    from_card = form_values(plan, answers, CARD)
    assert from_card["address"] == CARD.address
    # An e-voucher carries no address: the handler confirms it by telephone.
    from_voucher = form_values(plan, answers, VOUCHER)
    assert from_voucher["address"] == HANDLER_CONFIRMS
    for person, values in ((CARD, from_card), (VOUCHER, from_voucher)):
        result = validate_form(plan.item, values, prefill=person.prefill(), today=today)
        assert result.ok, result.errors


def test_the_identity_read_stands_for_the_id_copy() -> None:
    item = CATALOG.item("MT-RD-001")
    at = dt.datetime(2026, 11, 23, 2, 0)
    [record] = identity_record(CARD, item, at)
    assert record.code == "id_copy" and record.mime == IDENTITY_RECORD_MIME
    data = json.loads(record.data)
    assert data["id_number"] == CARD.id_number and data["id_kind"] == "resident_id"
    assert data["read_at"] == at.isoformat()


def test_regions_province_city_county() -> None:
    names = {r.name for r in provinces()}
    assert len(names) == 31 and "广东省" in names and "香港特别行政区" not in names
    cities = {r.code: r.name for r in children("440000")}
    assert cities["440100"] == "广州市" and "440000" not in cities
    assert all(r.name != "市辖区" for r in children("440100"))
    beijing = {r.name for r in children("110000")}
    assert "朝阳区" in beijing  # a municipality lists its districts at once
    assert "仙桃市" in {r.name for r in children("420000")}  # counties under the province
    assert region_name("441802") == "广东省 清远市 清城区"
    assert region_name("440100") == "广东省 广州市"
    assert region_name("999999") == "999999"
    assert children("441802") == () and children("abc") == ()
