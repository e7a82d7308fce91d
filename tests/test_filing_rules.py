"""What a filing must carry before it is taken: face photo, materials or 容缺受理, 代办 details,
and a newborn identified by birth certificate plus a guardian's card. Real store, real cipher."""

from __future__ import annotations

import json
import random
from typing import Any

import pytest
from sqlalchemy import select, update

from app.catalog.schema import Channel, StationList
from app.context import AppContext
from app.identity import IdKind
from app.services.demo_data import demo_values
from app.services.filing_service import (
    FACE_PHOTO,
    ApplicantInvalid,
    Attachment,
    FacePhotoMissing,
    FilingRequest,
    FormInvalid,
    ItemNotAllowed,
    MaterialsIncomplete,
)
from app.services.station_service import StationInfo
from app.store.models import Filing, Role, Station
from devices.simulated_identity import SimulatedIdentityReader

PAGE = b"\xff\xd8 a page \xff\xd9"


def _payload(ctx: AppContext, uid: str) -> dict[str, Any]:
    with ctx.db.read() as s:
        enc = s.execute(select(Filing.payload_enc).where(Filing.uid == uid)).scalar_one()
    return dict(json.loads(ctx.cipher.decrypt(enc, "filing.payload")))


def _pending_column(ctx: AppContext, uid: str) -> bool:
    with ctx.db.read() as s:
        return bool(
            s.execute(select(Filing.materials_pending).where(Filing.uid == uid)).scalar_one()
        )


def test_required_materials_are_missing_unless_accepted_pending(
    ctx: AppContext, station: StationInfo, operator_code: str
) -> None:
    item = ctx.catalog.current().item("MT-RD-001")  # five required materials
    person = ctx.persons.record(SimulatedIdentityReader(seed=21, read_delay=0).read())
    values = demo_values(item, person.read, random.Random(21))
    service = ctx.filing_service(station)
    some = [Attachment("id_copy", PAGE), Attachment("application_form", PAGE)]
    with pytest.raises(MaterialsIncomplete) as err:
        service.submit(FilingRequest(item.code, values, person, operator_code, attachments=some))
    assert err.value.missing == ["diagnosis_certificate", "medical_records", "test_reports"]
    assert (
        "诊断" in err.value.zh and "容缺受理" in err.value.zh and "one-time notice" in err.value.en
    )
    assert ctx.queue.counts().filings_total == 0  # nothing was saved

    pending = service.submit(
        FilingRequest(
            item.code, values, person, operator_code, attachments=some, materials_pending=True
        )
    )
    assert _payload(ctx, pending.uid)["materials_pending"] is True
    assert _pending_column(ctx, pending.uid)

    everything = [Attachment(m.code, PAGE) for m in item.materials if m.required]
    complete = service.submit(
        FilingRequest(
            item.code, values, person, operator_code, attachments=everything, materials_pending=True
        )
    )
    # 容缺受理 asked for with nothing missing is not pending.
    assert _payload(ctx, complete.uid)["materials_pending"] is False
    assert not _pending_column(ctx, complete.uid)


def test_a_face_photo_is_required_where_the_item_says_and_cannot_be_pending(
    ctx: AppContext, station: StationInfo, operator_code: str
) -> None:
    item = ctx.catalog.current().item("YD-BA-011")
    assert item.face_photo_required
    person = ctx.persons.record(SimulatedIdentityReader(seed=22, read_delay=0).read())
    values = demo_values(item, person.read, random.Random(22))
    service = ctx.filing_service(station)
    request = FilingRequest(item.code, values, person, operator_code, materials_pending=True)
    with pytest.raises(FacePhotoMissing) as err:
        service.submit(request)
    assert "人脸照片" in err.value.zh
    saved = service.submit(
        FilingRequest(
            item.code,
            values,
            person,
            operator_code,
            attachments=[Attachment(FACE_PHOTO, PAGE), Attachment("id_copy", PAGE)],
        )
    )
    assert [a["code"] for a in _payload(ctx, saved.uid)["attachments"]] == [
        FACE_PHOTO,
        "id_copy",
    ]


def test_an_application_for_someone_else_carries_both_people_and_their_relationship(
    ctx: AppContext, station: StationInfo, operator_code: str
) -> None:
    item = ctx.catalog.current().item("CX-CBDJ-001")
    reader = SimulatedIdentityReader(seed=23, read_delay=0)
    beneficiary = ctx.persons.record(reader.read())
    applicant = ctx.persons.record(reader.read())
    assert applicant.read.id_number != beneficiary.read.id_number
    values = demo_values(item, beneficiary.read, random.Random(23))
    service = ctx.filing_service(station)
    pages = [Attachment("id_copy", PAGE)]

    with pytest.raises(ApplicantInvalid) as same:
        service.submit(
            FilingRequest(
                item.code,
                values,
                beneficiary,
                operator_code,
                applicant=beneficiary,
                relationship="child",
                attachments=pages,
            )
        )
    assert "同一人" in same.value.zh
    with pytest.raises(ApplicantInvalid) as unrelated:
        service.submit(
            FilingRequest(
                item.code,
                values,
                beneficiary,
                operator_code,
                applicant=applicant,
                attachments=pages,
            )
        )
    assert "关系" in unrelated.value.zh

    saved = service.submit(
        FilingRequest(
            item.code,
            values,
            beneficiary,
            operator_code,
            applicant=applicant,
            relationship="child",
            attachments=pages,
        )
    )
    payload = _payload(ctx, saved.uid)
    assert payload["person"]["id_number"] == beneficiary.read.id_number
    assert payload["applicant"] == {
        "id_kind": applicant.read.id_kind.value,
        "id_number": applicant.read.id_number,
        "name": applicant.read.name,
        "source": applicant.read.source,
        "relationship": "child",
    }
    own = service.submit(
        FilingRequest(item.code, values, beneficiary, operator_code, attachments=pages)
    )
    assert _payload(ctx, own.uid)["applicant"] is None


def _make_hospital_station(ctx: AppContext, item_code: str) -> None:
    """Turn the demo station into a designated hospital's station that handles `item_code`."""
    with ctx.db.write() as s:
        items = [*s.execute(select(Station.enabled_items)).scalar_one(), item_code]
        s.execute(
            update(Station).values(
                channel=Channel.DESIGNATED.value,
                station_list=StationList.HOSPITAL.value,
                enabled_items=items,
            )
        )
        s.execute(update(Role).values(channel=Channel.DESIGNATED.value, items=items))


def test_a_newborn_is_filed_on_a_guardian_card_with_the_birth_certificate_number(
    ctx: AppContext, station: StationInfo, operator_code: str
) -> None:
    item = ctx.catalog.current().item("CX-XSECB-005")
    _make_hospital_station(ctx, item.code)
    guardian = ctx.persons.record(SimulatedIdentityReader(seed=24, read_delay=0).read())
    assert guardian.read.id_kind is IdKind.RESIDENT_ID
    values = demo_values(item, guardian.read, random.Random(24))
    service = ctx.filing_service(station)
    pages = [Attachment("birth_certificate", PAGE), Attachment("guardian_id", PAGE)]

    no_number = {k: v for k, v in values.items() if k != "birth_cert_no"}
    with pytest.raises(FormInvalid) as err:  # the birth-certificate number is required
        service.submit(
            FilingRequest(item.code, no_number, guardian, operator_code, attachments=pages)
        )
    assert "出生医学证明编号" in err.value.zh

    saved = service.submit(
        FilingRequest(item.code, values, guardian, operator_code, attachments=pages)
    )
    payload = _payload(ctx, saved.uid)
    assert payload["values"]["guardian_id_number"] == guardian.read.id_number
    assert payload["values"]["birth_cert_no"] == values["birth_cert_no"]


def test_a_newborn_item_refuses_a_card_kind_that_cannot_be_a_guardian(
    ctx: AppContext, station: StationInfo, operator_code: str
) -> None:
    from dataclasses import replace

    item = ctx.catalog.current().item("CX-XSECB-005")
    _make_hospital_station(ctx, item.code)
    guardian = ctx.persons.record(SimulatedIdentityReader(seed=25, read_delay=0).read())
    values = demo_values(item, guardian.read, random.Random(25))
    as_birth_cert = replace(
        guardian, read=replace(guardian.read, id_kind=IdKind.BIRTH_CERT, id_number="O440012345")
    )
    recorded = ctx.persons.record(as_birth_cert.read)
    with pytest.raises(ItemNotAllowed):
        ctx.filing_service(station).submit(
            FilingRequest(item.code, values, recorded, operator_code, materials_pending=True)
        )


def test_an_employer_station_files_only_for_its_own_members(
    ctx: AppContext, station: StationInfo, operator_code: str
) -> None:
    """The member rule is applied at the save, so a forced attempt is refused and audited."""
    from sqlalchemy import insert

    from app.services.members import member_token
    from app.services.permissions import Denial, NotPermitted
    from app.store.models import AuditEvent, Member

    item = ctx.catalog.current().item("CX-BGDJ-002")  # on the school channel's list
    with ctx.db.write() as s:
        items = [*s.execute(select(Station.enabled_items)).scalar_one(), item.code]
        s.execute(update(Station).values(channel=Channel.SCHOOL.value, enabled_items=items))
        s.execute(update(Role).values(channel=Channel.SCHOOL.value, items=items))
    reader = SimulatedIdentityReader(seed=26, read_delay=0)
    pupil = ctx.persons.record(reader.read())
    stranger = ctx.persons.record(reader.read())
    with ctx.db.write() as s:
        s.execute(insert(Member), [{"id_token": member_token(ctx.cipher, pupil.read.id_number)}])
    service = ctx.filing_service(station)
    pages = [Attachment("id_copy", PAGE)]
    values = demo_values(item, stranger.read, random.Random(26))
    with pytest.raises(NotPermitted) as refused:
        service.submit(FilingRequest(item.code, values, stranger, operator_code, attachments=pages))
    assert refused.value.denial is Denial.NOT_MEMBER and "名单" in refused.value.zh
    saved = service.submit(
        FilingRequest(
            item.code,
            demo_values(item, pupil.read, random.Random(27)),
            pupil,
            operator_code,
            attachments=pages,
        )
    )
    assert saved.item_code == item.code
    with ctx.db.read() as s:
        refusals = (
            s.execute(select(AuditEvent.detail).where(AuditEvent.action == "filing.refused"))
            .scalars()
            .all()
        )
    assert len(refusals) == 1 and "members" in str(refusals[0])
