"""Insured persons' records and certificates (docs/sync-protocol.md §13) against the real
centre process: the demo people seeded by `yibao central seed-demo`, queried with the client's
own signed transport, certificates issued and checked at the public `/verify/CODE` page."""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from sqlalchemy import select

from central import insured as centre_insured
from central.db import open_database
from central.models import Certificate
from sync.insured import (
    AccountEntry,
    Coverage,
    InsuredNotAllowed,
    InsuredOffline,
    InsuredService,
    InsuredUnknown,
    Payment,
    Reimbursement,
)
from sync.transport import CentralClient, DeviceIdentity
from tests.central_support import RunningCentre
from tests.centre_process import free_port, running_centre

CHEN = "441802198506151320"  # the demo e-voucher's citizen, an employee
ZHANG_CARD = "441802199001011239"  # the virtual social-security card's
ZHANG_ID = "110105198001010016"  # the simulated ID card's: moved, now a resident
UNKNOWN = "441802200001010018"


@pytest.fixture(scope="module")
def centre(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningCentre]:
    folder = tmp_path_factory.mktemp("centre")
    with running_centre(folder) as process:
        process.seed_demo()  # as an administrator does it
        assert process.seed_demo()  # a second time adds nobody twice
        db = open_database(process.db_url)
        yield RunningCentre(process.url, process.db_url, db, folder / "blobs")
        db.dispose()


@pytest.fixture(scope="module")
def service(centre: RunningCentre) -> Iterator[InsuredService]:
    client = centre.terminal().client()
    yield InsuredService(client)
    client.close()


def test_coverage_of_the_demo_citizen(service: InsuredService) -> None:
    answer = service.coverage(CHEN)
    assert (answer.name, answer.id_number_masked) == ("陈秀英", "441802********1320")
    assert "陈秀英" not in repr(answer)
    (only,) = answer.records
    assert only == Coverage(
        "employee",
        "职工基本医疗保险",
        "paying",
        "参保缴费",
        dt.date(2009, 7, 1),
        None,
        "441802",
        "广东省清远市清城区",
    )


def test_coverage_history_newest_first(service: InsuredService) -> None:
    answer = service.coverage(ZHANG_ID)
    assert [(c.insurance_type, c.status_label) for c in answer.records] == [
        ("resident", "参保缴费"),
        ("employee", "暂停"),
    ]
    assert answer.records[1].until == dt.date(2019, 12, 31)


def test_monthly_payments_in_fen(service: InsuredService) -> None:
    answer = service.payments(ZHANG_CARD, limit=12)
    assert answer.total == 36  # 2023-11 .. 2026-10
    assert len(answer.records) == 12
    assert all(isinstance(p, Payment) for p in answer.records)
    assert [p.period for p in answer.records[:2]] == ["2026-10", "2026-09"]
    # 4,800.00 yuan base: 5.5 % employer + 2 % personal = 360.00 yuan.
    assert {p.amount_fen for p in answer.records} == {36_000}
    assert answer.records[0].payer == "清远市示范物流有限公司"
    resident = service.payments(ZHANG_ID)
    assert [(p.period, p.amount_fen) for p in resident.records] == [
        ("2025-12", 40_000),
        ("2024-12", 40_000),
        ("2023-12", 38_000),
    ]


def test_account_entries_add_up(service: InsuredService) -> None:
    answer = service.account(CHEN, limit=240)
    entries = list(reversed(answer.records))  # oldest first
    assert len(entries) == answer.total == 36 + 12  # a credit a month, a purchase a quarter
    assert all(isinstance(e, AccountEntry) for e in entries)
    balance = 0
    for entry in entries:
        balance += entry.amount_fen
        assert entry.balance_fen == balance >= 0
    assert entries[0] == AccountEntry(dt.date(2023, 11, 15), 12_400, 12_400, "个人账户划入")
    assert any(e.amount_fen < 0 for e in entries)
    assert service.account(ZHANG_ID).records == ()  # residents have no personal account


def test_reimbursements(service: InsuredService) -> None:
    answer = service.reimbursements(CHEN)
    assert answer.records == (
        Reimbursement(dt.date(2026, 8, 27), "清远市清城区人民医院", 342_080, 256_560, 85_520),
        Reimbursement(dt.date(2025, 3, 12), "清远市人民医院", 1_286_450, 1_003_431, 283_019),
    )
    for claim in answer.records:
        assert claim.fund_fen + claim.self_fen == claim.total_fen


def test_an_unknown_person_is_refused_in_both_languages(
    centre: RunningCentre, service: InsuredService
) -> None:
    with pytest.raises(InsuredUnknown) as caught:
        service.coverage(UNKNOWN)
    assert "查无此参保人员" in caught.value.zh and "12393" in caught.value.zh
    assert "no insurance records" in caught.value.en
    with pytest.raises(InsuredUnknown):
        service.issue_document(UNKNOWN, "enrolment_cert")
    # The centre's own answer, as another client would see it.
    terminal = centre.terminal()
    raw = terminal.post("/api/v1/insured/query", {"id_number": UNKNOWN, "kind": "x"})
    assert raw.status_code == 400
    raw = terminal.post("/api/v1/insured/query", {"id_number": UNKNOWN, "kind": "coverage"})
    assert raw.status_code == 404
    assert raw.json()["error"] == "insured_unknown"
    assert "查无" in raw.json()["message"] and raw.json()["message_en"]


def test_offline_names_the_alternatives() -> None:
    client = CentralClient(f"http://127.0.0.1:{free_port()}", DeviceIdentity("dev_x", b"k"))
    with pytest.raises(InsuredOffline) as caught:
        InsuredService(client).payments(CHEN)
    assert "无法连接医保平台" in caught.value.zh
    assert "请到镇街医保服务站办理，或拨打 12393" in caught.value.zh
    assert "12393" in caught.value.en
    with pytest.raises(InsuredOffline):
        InsuredService(client).issue_document(CHEN, "rights_record")
    client.close()


def test_only_activated_terminals_may_query(centre: RunningCentre) -> None:
    with pytest.raises(InsuredNotAllowed):
        InsuredService(CentralClient(centre.url, None)).coverage(CHEN)
    unsigned = requests.post(
        centre.url + "/api/v1/insured/query",
        json={"id_number": CHEN, "kind": "coverage"},
        timeout=10,
    )
    assert (unsigned.status_code, unsigned.json()["error"]) == (401, "auth_missing")


def test_an_enrolment_certificate_is_verified_at_the_centre(
    centre: RunningCentre, service: InsuredService
) -> None:
    doc = service.issue_document(CHEN, "enrolment_cert")
    assert re.fullmatch(r"[A-Z2-7]{16}", doc.code)  # 80 random bits
    assert doc.verify_url == f"{centre.url}/verify/{doc.code}"
    assert doc.certified["name"] == "陈秀英"
    assert doc.certified["id_number_masked"] == "441802********1320"
    assert doc.certified["coverage"][0]["status_label"] == "参保缴费"
    assert "payments_by_year" not in doc.certified
    assert CHEN not in str(doc.certified)

    page = requests.get(doc.verify_url, timeout=10)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "真实有效" in page.text and "Genuine" in page.text
    assert "参保证明" in page.text and "441802********1320" in page.text
    assert "示范镇医保工作站" in page.text
    assert CHEN not in page.text
    # Typed by hand: lower case and dashes are fine.
    typed = "-".join(doc.code[i : i + 4] for i in range(0, 16, 4)).lower()
    assert "真实有效" in requests.get(f"{centre.url}/verify/{typed}", timeout=10).text

    data = requests.get(doc.verify_url, params={"format": "json"}, timeout=10).json()
    assert data["genuine"] is True
    assert (data["code"], data["kind"], data["title"]) == (doc.code, "enrolment_cert", "参保证明")
    assert (data["issued_at"], data["station"]) == (doc.issued_at, "DEMO-441802-001")
    assert data["certified"] == doc.certified
    assert data["summary_sha256"] == centre_insured.summary_digest(doc.certified)


def test_a_rights_record_states_the_payments_per_year(
    centre: RunningCentre, service: InsuredService
) -> None:
    doc = service.issue_document(ZHANG_CARD, "rights_record")
    per_year: dict[int, list[int]] = defaultdict(list)
    for payment in service.payments(ZHANG_CARD, limit=240).records:
        per_year[int(payment.period[:4])].append(payment.amount_fen)
    assert doc.certified["payments_by_year"] == [
        {"year": year, "payments": len(amounts), "amount_fen": sum(amounts)}
        for year, amounts in sorted(per_year.items())
    ]
    assert doc.certified["payments_by_year"][1] == {
        "year": 2024,
        "payments": 12,
        "amount_fen": 432_000,
    }
    page = requests.get(doc.verify_url, timeout=10).text
    assert "个人权益记录" in page and "4,320.00" in page and "441802********1239" in page


def test_an_altered_record_is_not_genuine(centre: RunningCentre, service: InsuredService) -> None:
    doc = service.issue_document(ZHANG_ID, "enrolment_cert")
    with centre.db.write() as s:
        row = s.execute(select(Certificate).where(Certificate.code == doc.code)).scalar_one()
        row.summary = {**row.summary, "name": "李四"}
    data = requests.get(doc.verify_url, params={"format": "json"}, timeout=10).json()
    assert data["genuine"] is False
    assert "真实有效" not in requests.get(doc.verify_url, timeout=10).text


def test_an_unknown_code_is_not_found(centre: RunningCentre) -> None:
    page = requests.get(f"{centre.url}/verify/AAAAAAAAAAAAAAAA", timeout=10)
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    assert "查无此证明" in page.text and "Not found" in page.text
    data = requests.get(
        f"{centre.url}/verify/AAAAAAAAAAAAAAAA", params={"format": "json"}, timeout=10
    )
    assert data.status_code == 404
    assert (data.json()["genuine"], data.json()["error"]) == (False, "not_found")
    assert requests.get(f"{centre.url}/verify/<script>", timeout=10).status_code == 404
    assert "<script>" not in requests.get(f"{centre.url}/verify/<script>", timeout=10).text


def test_codes_are_unguessable() -> None:
    codes = {centre_insured.new_code() for _ in range(1000)}
    assert len(codes) == 1000
    assert all(re.fullmatch(r"[A-Z2-7]{16}", c) for c in codes)  # 16 x 5 = 80 bits


def test_seeding_is_idempotent(tmp_path: Path) -> None:
    db = open_database(f"sqlite:///{tmp_path / 'c.db'}")
    assert centre_insured.seed_demo_people(db) == 3
    assert centre_insured.seed_demo_people(db) == 0
    db.dispose()
