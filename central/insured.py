"""Insured persons' records answered online, and certificates anyone can check (protocol §13).

A kiosk or counter asks the centre for a person's coverage (参保信息), payments (缴费记录),
personal-account movements (个人账户收支) or reimbursements (报销信息); amounts are in fen.
It may also have the centre issue a 参保证明 (`enrolment_cert`) or a 个人权益记录
(`rights_record`): the centre stores what the document certifies, with the ID number masked,
under a code of 80 random bits (16 base32 characters) that is printed with a QR code on the
A4 sheet; `/verify/CODE` on the centre shows anyone whether the document is genuine and what
it certified. Codes are unguessable rather than rate-limited.

The reference centre holds demo people only (`seed_demo_people`, run by `seed-demo`): the
demo e-voucher's citizen, the virtual social-security card's and the simulated ID card's,
each with deterministic records. Logs name kinds and stations, never people.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import html
import json
import logging
import secrets
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.identity import mask_id_number
from central.auth import Caller
from central.clock import iso_z, unix_now, utcnow
from central.db import Database
from central.errors import ApiError
from central.models import (
    AccountEntry,
    Certificate,
    InsuredCoverage,
    InsuredPayment,
    InsuredPerson,
    Member,
    Reimbursement,
    Station,
)
from central.reference import MEMBER_CHANNELS

log = logging.getLogger(__name__)

QUERY_KINDS = ("coverage", "payments", "account", "reimbursements")
DOCUMENT_KINDS = ("enrolment_cert", "rights_record")
LIMIT_DEFAULT = 36
LIMIT_MAX = 240
CODE_BYTES = 10  # 80 bits, 16 base32 characters

INSURANCE_TYPES = {"employee": "职工基本医疗保险", "resident": "城乡居民基本医疗保险"}
INSURANCE_TYPES_EN = {
    "employee": "Employee basic medical insurance",
    "resident": "Urban and rural resident basic medical insurance",
}
STATUSES = {"paying": "参保缴费", "suspended": "暂停"}
STATUSES_EN = {"paying": "enrolled and paying", "suspended": "suspended"}
DOCUMENT_TITLES = {"enrolment_cert": "参保证明", "rights_record": "个人权益记录"}
DOCUMENT_TITLES_EN = {
    "enrolment_cert": "Certificate of enrolment",
    "rights_record": "Personal rights record",
}


class QueryRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")

    id_number: Annotated[str, StringConstraints(min_length=1, max_length=32)]
    kind: Literal["coverage", "payments", "account", "reimbursements"]
    limit: Annotated[int, Field(ge=1, le=LIMIT_MAX)] = LIMIT_DEFAULT


class IssueRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")

    id_number: Annotated[str, StringConstraints(min_length=1, max_length=32)]
    kind: Literal["enrolment_cert", "rights_record"]


# ---- the demo people ---------------------------------------------------------------------


@dataclass(frozen=True)
class Employment:
    employer: str
    base_fen: int  # the monthly contribution base
    first: str  # first month paid, YYYY-MM
    last: str  # last month paid, YYYY-MM


@dataclass(frozen=True)
class DemoPerson:
    id_number: str
    name: str
    coverage: tuple[tuple[str, str, dt.date, dt.date | None, str, str], ...]
    employment: Employment | None  # monthly contributions and a personal account
    resident_years: tuple[tuple[int, int], ...] = ()  # (year, amount in fen), paid each December
    reimbursements: tuple[tuple[dt.date, str, int, int], ...] = ()  # date, hospital, total, fund


QINGCHENG = ("441802", "广东省清远市清城区")
CHAOYANG = ("110105", "北京市朝阳区")

# The people the demo identifies: the demo e-voucher's (central.evoucher.DEMO_PERSON), the
# virtual social-security card's (tests/virtual_ssc_card.py) and the simulated ID card's
# (tests/sam_simulator.py).
DEMO_PEOPLE = (
    DemoPerson(
        "441802198506151320",
        "陈秀英",
        (("employee", "paying", dt.date(2009, 7, 1), None, *QINGCHENG),),
        Employment("清远市示范制衣有限公司", 620_000, "2023-11", "2026-10"),
        reimbursements=(
            (dt.date(2025, 3, 12), "清远市人民医院", 1_286_450, 1_003_431),
            (dt.date(2026, 8, 27), "清远市清城区人民医院", 342_080, 256_560),
        ),
    ),
    DemoPerson(
        "441802199001011239",
        "张三",
        (("employee", "paying", dt.date(2013, 9, 1), None, *QINGCHENG),),
        Employment("清远市示范物流有限公司", 480_000, "2023-11", "2026-10"),
        reimbursements=(
            (dt.date(2024, 11, 5), "清远市中医院", 68_900, 41_340),
            (dt.date(2026, 5, 18), "清远市人民医院", 2_315_700, 1_852_560),
        ),
    ),
    DemoPerson(
        "110105198001010016",
        "张三",
        (
            ("employee", "suspended", dt.date(2003, 3, 1), dt.date(2019, 12, 31), *CHAOYANG),
            ("resident", "paying", dt.date(2020, 1, 1), None, *QINGCHENG),
        ),
        None,
        resident_years=((2024, 38_000), (2025, 40_000), (2026, 40_000)),
        reimbursements=(
            (dt.date(2025, 6, 2), "清远市清城区东城街道社区卫生服务中心", 25_600, 12_800),
            (dt.date(2026, 9, 14), "清远市人民医院", 1_764_300, 1_058_580),
        ),
    ),
)

EMPLOYER_RATE = 0.055  # of the base, into the pooled fund
PERSONAL_RATE = 0.02  # of the base, into the personal account
_SPENDING = ("药店购药", "门诊个人账户支付", "家庭共济支付")


def _months(first: str, last: str) -> list[str]:
    year, month = int(first[:4]), int(first[5:])
    out = []
    while f"{year:04d}-{month:02d}" <= last:
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def _add_person(s: Session, person: DemoPerson) -> None:
    s.add(InsuredPerson(id_number=person.id_number, name=person.name))
    s.flush()  # no relationships: the person's row goes first, for the foreign keys
    for kind, status, since, until, region_code, region_name in person.coverage:
        s.add(
            InsuredCoverage(
                id_number=person.id_number,
                insurance_type=kind,
                status=status,
                since=since,
                until=until,
                region_code=region_code,
                region_name=region_name,
            )
        )
    for year, amount in person.resident_years:
        s.add(
            InsuredPayment(
                id_number=person.id_number,
                period=f"{year - 1}-12",
                insurance_type="resident",
                amount_fen=amount,
                payer="个人缴费（城乡居民，次年度）",
            )
        )
    job = person.employment
    if job is not None:
        employer_fen = round(job.base_fen * EMPLOYER_RATE)
        personal_fen = round(job.base_fen * PERSONAL_RATE)
        balance = 0
        for n, period in enumerate(_months(job.first, job.last)):
            s.add(
                InsuredPayment(
                    id_number=person.id_number,
                    period=period,
                    insurance_type="employee",
                    amount_fen=employer_fen + personal_fen,
                    payer=job.employer,
                )
            )
            credit_day = dt.date(int(period[:4]), int(period[5:]), 15)
            balance += personal_fen
            s.add(
                AccountEntry(
                    id_number=person.id_number,
                    on_date=credit_day,
                    amount_fen=personal_fen,
                    balance_fen=balance,
                    description="个人账户划入",
                )
            )
            if n % 3 == 2:  # a purchase every quarter, a deterministic share of the balance
                spent = min(balance, 2_350 + 1_170 * (n % 7))
                balance -= spent
                s.add(
                    AccountEntry(
                        id_number=person.id_number,
                        on_date=credit_day + dt.timedelta(days=7),
                        amount_fen=-spent,
                        balance_fen=balance,
                        description=_SPENDING[n % len(_SPENDING)],
                    )
                )
    for on_date, hospital, total, fund in person.reimbursements:
        s.add(
            Reimbursement(
                id_number=person.id_number,
                on_date=on_date,
                hospital=hospital,
                total_fen=total,
                fund_fen=fund,
                self_fen=total - fund,
            )
        )


def seed_demo_people(db: Database) -> int:
    """The demo people and their records, once each; returns how many were added."""
    added = 0
    with db.write() as s:
        for person in DEMO_PEOPLE:
            if s.get(InsuredPerson, person.id_number) is None:
                _add_person(s, person)
                added += 1
    return added


# ---- queries -----------------------------------------------------------------------------


def _unknown() -> ApiError:
    return ApiError(
        404,
        "insured_unknown",
        "医保平台查无此参保人员的参保记录，请到镇街医保服务站核实，或拨打 12393",
        "The platform holds no insurance records for this person; please ask at a township "
        "medical-insurance station or call 12393",
    )


def _person(s: Session, caller: Caller, id_number: str) -> InsuredPerson:
    """The person, when this caller's station may see them (BRIEF §3: employer and school
    stations only their own members)."""
    number = id_number.strip().upper()
    station = s.get(Station, caller.station_code)
    if station is not None and station.channel in MEMBER_CHANNELS:
        member = s.get(Member, (station.code, number))
        if member is None:
            raise ApiError(
                403,
                "insured_not_member",
                "本站点只能查询本单位（学校）的参保人员",
                "This station may only query its own members",
            )
    person = s.get(InsuredPerson, number)
    if person is None:
        raise _unknown()
    return person


def _coverage_json(row: InsuredCoverage) -> dict[str, Any]:
    return {
        "insurance_type": row.insurance_type,
        "insurance_type_label": INSURANCE_TYPES.get(row.insurance_type, row.insurance_type),
        "status": row.status,
        "status_label": STATUSES.get(row.status, row.status),
        "since": row.since.isoformat(),
        "until": row.until.isoformat() if row.until else None,
        "region_code": row.region_code,
        "region_name": row.region_name,
    }


def _coverages(s: Session, id_number: str) -> list[InsuredCoverage]:
    return list(
        s.execute(
            select(InsuredCoverage)
            .where(InsuredCoverage.id_number == id_number)
            .order_by(InsuredCoverage.since.desc(), InsuredCoverage.id.desc())
        ).scalars()
    )


def _records(s: Session, id_number: str, kind: str, limit: int) -> tuple[list[Any], int]:
    if kind == "coverage":
        rows = _coverages(s, id_number)
        return [_coverage_json(r) for r in rows[:limit]], len(rows)
    if kind == "payments":
        count = s.scalar(select(func.count()).where(InsuredPayment.id_number == id_number))
        payments = s.execute(
            select(InsuredPayment)
            .where(InsuredPayment.id_number == id_number)
            .order_by(InsuredPayment.period.desc(), InsuredPayment.id.desc())
            .limit(limit)
        ).scalars()
        return [
            {
                "period": p.period,
                "insurance_type": p.insurance_type,
                "amount_fen": p.amount_fen,
                "payer": p.payer,
            }
            for p in payments
        ], int(count or 0)
    if kind == "account":
        count = s.scalar(select(func.count()).where(AccountEntry.id_number == id_number))
        entries = s.execute(
            select(AccountEntry)
            .where(AccountEntry.id_number == id_number)
            .order_by(AccountEntry.on_date.desc(), AccountEntry.id.desc())
            .limit(limit)
        ).scalars()
        return [
            {
                "date": e.on_date.isoformat(),
                "amount_fen": e.amount_fen,
                "balance_fen": e.balance_fen,
                "description": e.description,
            }
            for e in entries
        ], int(count or 0)
    count = s.scalar(select(func.count()).where(Reimbursement.id_number == id_number))
    claims = s.execute(
        select(Reimbursement)
        .where(Reimbursement.id_number == id_number)
        .order_by(Reimbursement.on_date.desc(), Reimbursement.id.desc())
        .limit(limit)
    ).scalars()
    return [
        {
            "date": r.on_date.isoformat(),
            "hospital": r.hospital,
            "total_fen": r.total_fen,
            "fund_fen": r.fund_fen,
            "self_fen": r.self_fen,
        }
        for r in claims
    ], int(count or 0)


def query(db: Database, caller: Caller, request: QueryRequest) -> dict[str, Any]:
    """One kind of a person's records, newest first, at most `limit` (§13)."""
    with db.read() as s:
        person = _person(s, caller, request.id_number)
        records, total = _records(s, person.id_number, request.kind, request.limit)
        log.info(
            "insured query %s by device %s (station %s): %d of %d",
            request.kind,
            caller.device_id,
            caller.station_code,
            len(records),
            total,
        )
        return {
            "kind": request.kind,
            "name": person.name,
            "id_number_masked": mask_id_number(person.id_number),
            "records": records,
            "total": total,
            "server_time": unix_now(),
        }


# ---- certificates ------------------------------------------------------------------------


def new_code() -> str:
    return base64.b32encode(secrets.token_bytes(CODE_BYTES)).decode("ascii")


def normalise_code(text: str) -> str:
    """What a person types or a QR holds: spaces and dashes go, case does not matter."""
    return text.strip().replace("-", "").replace(" ", "").upper()


def summary_digest(summary: dict[str, Any]) -> str:
    canonical = json.dumps(summary, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _certified(s: Session, person: InsuredPerson, kind: str, today: dt.date) -> dict[str, Any]:
    coverages = _coverages(s, person.id_number)
    out: dict[str, Any] = {
        "title": DOCUMENT_TITLES[kind],
        "name": person.name,
        "id_number_masked": mask_id_number(person.id_number),
        "as_of": today.isoformat(),
        "coverage": [
            {
                "insurance_type_label": INSURANCE_TYPES.get(c.insurance_type, c.insurance_type),
                "status_label": STATUSES.get(c.status, c.status),
                "since": c.since.isoformat(),
                "until": c.until.isoformat() if c.until else None,
                "region_name": c.region_name,
            }
            for c in coverages
        ],
    }
    if kind == "rights_record":
        rows = s.execute(
            select(
                func.substr(InsuredPayment.period, 1, 4),
                func.count(),
                func.sum(InsuredPayment.amount_fen),
            )
            .where(InsuredPayment.id_number == person.id_number)
            .group_by(func.substr(InsuredPayment.period, 1, 4))
            .order_by(func.substr(InsuredPayment.period, 1, 4))
        ).all()
        out["payments_by_year"] = [
            {"year": int(year), "payments": int(n), "amount_fen": int(total)}
            for year, n, total in rows
        ]
    return out


def issue_document(
    db: Database, caller: Caller, request: IssueRequest, base_url: str
) -> dict[str, Any]:
    """Record what a certificate certifies under a new code (§13); `base_url` is where the
    centre is reached from outside, for the verification link."""
    moment = utcnow().replace(microsecond=0)
    with db.write() as s:
        person = _person(s, caller, request.id_number)
        if not _coverages(s, person.id_number):
            raise _unknown()
        certified = _certified(s, person, request.kind, moment.date())
        code = new_code()
        s.add(
            Certificate(
                code=code,
                kind=request.kind,
                id_number=person.id_number,
                issued_at=moment,
                station_code=caller.station_code,
                device_id=caller.device_id,
                summary=certified,
                summary_sha256=summary_digest(certified),
            )
        )
        log.info(
            "certificate %s issued by device %s (station %s)",
            request.kind,
            caller.device_id,
            caller.station_code,
        )
    return {
        "code": code,
        "kind": request.kind,
        "verify_url": f"{base_url.rstrip('/')}/verify/{code}",
        "issued_at": iso_z(moment),
        "certified": certified,
        "server_time": unix_now(),
    }


def verification(db: Database, code: str) -> dict[str, Any] | None:
    """What `/verify/CODE` shows, or None when the centre never issued the code. A row whose
    summary no longer matches its digest is reported as not genuine."""
    wanted = normalise_code(code)
    if len(wanted) != 16:
        return None
    with db.read() as s:
        row = s.get(Certificate, wanted)
        if row is None:
            return None
        station = s.get(Station, row.station_code)
        genuine = summary_digest(row.summary) == row.summary_sha256
        return {
            "genuine": genuine,
            "code": row.code,
            "kind": row.kind,
            "title": DOCUMENT_TITLES.get(row.kind, row.kind),
            "issued_at": iso_z(row.issued_at),
            "station": row.station_code,
            "station_name": station.name if station is not None else None,
            "certified": row.summary,
            "summary_sha256": row.summary_sha256,
        }


def _yuan(fen: int) -> str:
    return f"{fen / 100:,.2f}"


_PAGE = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>{title}</title>
<style>body{{font-family:sans-serif;max-width:40em;margin:2em auto;padding:0 1em;
line-height:1.6}} .ok{{color:#07622b}} .bad{{color:#a00}} td,th{{padding:.2em .6em;
text-align:left;border-bottom:1px solid #ddd}} .en{{color:#555}}</style></head>
<body>{body}</body></html>
"""


def verification_page(found: dict[str, Any] | None, code: str) -> str:
    """The verification page in Chinese with an English line."""
    shown = html.escape(normalise_code(code)[:32])
    if found is None:
        body = (
            f'<h1 class="bad">查无此证明</h1><p>校验码 {shown} 不是医保平台出具的证明，'
            "或输入有误。请核对证明上的校验码。</p>"
            '<p class="en">Not found: the medical-insurance platform issued no document with '
            "this code. Check the code printed on the document.</p>"
        )
        return _PAGE.format(title="查无此证明 Not found", body=body)
    certified = found["certified"]
    e = html.escape
    if found["genuine"]:
        head = '<h1 class="ok">证明真实有效</h1>'
        english = "Genuine: this document was issued by the medical-insurance platform."
    else:
        head = '<h1 class="bad">证明记录已被改动，不能作为有效证明</h1>'
        english = "Not genuine: the record of this document has been altered."
    rows = [
        ("证明类型 Document", f"{found['title']}（{DOCUMENT_TITLES_EN.get(found['kind'], '')}）"),
        ("校验码 Code", found["code"]),
        ("出具时间 Issued at (UTC)", found["issued_at"]),
        ("出具站点 Station", f"{found['station_name'] or ''} {found['station']}".strip()),
        ("姓名 Name", certified.get("name", "")),
        ("身份证号 ID number", certified.get("id_number_masked", "")),
        ("截至日期 As of", certified.get("as_of", "")),
    ]
    table = "".join(f"<tr><th>{e(k)}</th><td>{e(str(v))}</td></tr>" for k, v in rows)
    coverage = "".join(
        f"<tr><td>{e(c['insurance_type_label'])}</td><td>{e(c['status_label'])}</td>"
        f"<td>{e(c['since'])} 至 {e(c['until'] or '今')}</td><td>{e(c['region_name'])}</td></tr>"
        for c in certified.get("coverage", [])
    )
    parts = [
        head,
        f'<p class="en">{e(english)}</p>',
        f"<table>{table}</table>",
        "<h2>参保情况 Coverage</h2>",
        f"<table><tr><th>险种</th><th>状态</th><th>期间</th><th>参保地</th></tr>{coverage}</table>",
    ]
    years = certified.get("payments_by_year")
    if years:
        rows_y = "".join(
            f"<tr><td>{y['year']}</td><td>{y['payments']}</td><td>{_yuan(y['amount_fen'])}</td></tr>"
            for y in years
        )
        parts.append(
            "<h2>缴费合计 Payments per year</h2><table><tr><th>年度</th><th>笔数</th>"
            f"<th>金额（元）</th></tr>{rows_y}</table>"
        )
    return _PAGE.format(title=f"{e(found['title'])} 核验 Verification", body="".join(parts))
