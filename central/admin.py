"""The administrator's operations behind `yibao central ...`, callable from tests as well.

Each operation is one transaction. Changes to operators and roles bump the station's roster
version, a new announcement its announcements version, so terminals fetch them on next sync.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import distinct, func, select
from sqlalchemy.orm import Session

from app.catalog.loader import load_default_catalog
from app.catalog.schema import Catalog, Channel, StationList
from app.errors import UserFacingError
from app.ratings import RATING_LABELS, Rating
from app.validation.rules import FieldInvalid, id_number
from central import insured, passwords
from central.activation import code_digest, new_enrolment_code
from central.audit import verify_device_chain
from central.catalogs import current_catalog, install_catalog
from central.clock import iso_z, utcnow
from central.db import Database
from central.models import (
    Announcement,
    Attachment,
    AuditEvent,
    Device,
    EnrolmentCode,
    Filing,
    Member,
    Operator,
    Role,
    Station,
    StationCounter,
)
from central.models import Rating as RatingRow
from central.operators import OFFLINE_DAYS_DEFAULT, OFFLINE_DAYS_MAX
from central.reference import MEMBER_CHANNELS
from central.stations import station_view
from central.statuses import Status, move_status

INSTITUTION_TYPES = (
    "designated",  # 两定机构
    "township",  # 乡镇街道
    "community",  # 村社区
    "bank",
    "insurer",
    "employer",
    "school",
)
DEMO_STATION = "DEMO-441802-001"
DEMO_OPERATORS = ("DEMO01", "DEMO02")
# The demo operators' password, set when the demo station is first seeded (a demo, not a
# secret: `seed-demo --operator-password` sets it again, or another one).
DEMO_OPERATOR_PASSWORD = "Demo@2026"
DEFAULT_CODE_TTL = dt.timedelta(hours=24)
_STATION_CODE = re.compile(r"^[A-Z0-9][A-Z0-9-]{2,31}$")


class AdminError(UserFacingError):
    """An administrator's request that cannot be done; says why in Chinese and English."""


@dataclass(frozen=True)
class StationSpec:
    code: str
    name: str
    institution_type: str
    channel: str
    station_list: str
    region_code: str
    items: Sequence[str] | None = None  # None: every application item on the station's list
    address: str = ""
    valid_until: dt.date | None = None


@dataclass(frozen=True)
class IssuedCode:
    station: str
    enrolment_code: str = field(repr=False)
    expires_at: dt.datetime

    def as_json(self) -> dict[str, str]:
        return {
            "station": self.station,
            "enrolment_code": self.enrolment_code,
            "expires_at": iso_z(self.expires_at),
        }


@dataclass(frozen=True)
class SeededDemo(IssuedCode):
    """`seed_demo`'s answer: the enrolment code, and the demo operators' password when this
    run set it (None when they keep the one they had)."""

    operator_password: str | None = field(default=None, repr=False)


def _catalog(s: Session) -> Catalog:
    """The centre's current catalog, installing the shipped one on first use."""
    row = current_catalog(s)
    if row is None:
        catalog = load_default_catalog()
        install_catalog(s, catalog)
        return catalog
    return Catalog.model_validate(row.body)


def ensure_catalog(db: Database) -> str:
    """Install the shipped catalog if the centre has none; the current version."""
    with db.write() as s:
        return _catalog(s).version


def install_shipped_catalog(db: Database) -> str:
    """Install (and make current) the catalog shipped in resources/catalog."""
    catalog = load_default_catalog()
    with db.write() as s:
        install_catalog(s, catalog)
    return catalog.version


def _station(s: Session, code: str) -> Station:
    station = s.get(Station, code)
    if station is None:
        raise AdminError(f"没有站点 {code}。", f"No station {code}.")
    return station


def _check_spec(spec: StationSpec, catalog: Catalog) -> list[str]:
    if not _STATION_CODE.match(spec.code):
        raise AdminError(
            f"站点编码 {spec.code} 不合规：须为大写字母、数字和连字符，3 到 32 位。",
            f"Station code {spec.code} is invalid: 3-32 capitals, digits and hyphens.",
        )
    if not spec.name.strip():
        raise AdminError("站点名称不能为空。", "The station needs a name.")
    choices = {
        "type": (spec.institution_type, INSTITUTION_TYPES),
        "channel": (spec.channel, tuple(c.value for c in Channel)),
        "list": (spec.station_list, tuple(s.value for s in StationList)),
    }
    for option, (value, allowed) in choices.items():
        if value not in allowed:
            options = ", ".join(allowed)
            raise AdminError(
                f"--{option} {value} 不在可选范围内：{options}",
                f"--{option} {value} is not one of: {options}",
            )
    if not re.fullmatch(r"\d{6}", spec.region_code):
        raise AdminError("行政区划代码须为 6 位数字。", "The region code must be six digits.")
    if spec.items is None:
        return [
            i.code
            for i in catalog.items
            if i.kind.value == "application" and StationList(spec.station_list) in i.lists
        ]
    known = {i.code for i in catalog.items}
    unknown = [code for code in spec.items if code not in known]
    if unknown:
        names = ", ".join(unknown)
        raise AdminError(
            f"事项目录 {catalog.version} 中没有这些事项：{names}",
            f"Not in catalog {catalog.version}: {names}",
        )
    return list(dict.fromkeys(spec.items))


def add_station(db: Database, spec: StationSpec) -> dict[str, Any]:
    with db.write() as s:
        items = _check_spec(spec, _catalog(s))
        if s.get(Station, spec.code) is not None:
            raise AdminError(f"站点 {spec.code} 已存在。", f"Station {spec.code} exists already.")
        station = Station(
            code=spec.code,
            name=spec.name.strip(),
            institution_type=spec.institution_type,
            channel=spec.channel,
            station_list=spec.station_list,
            region_code=spec.region_code,
            address=spec.address,
            status="active",
            valid_until=spec.valid_until,
            enabled_items=items,
            roster_version=1,
            announcements_version=0,
            offline_login_days=OFFLINE_DAYS_DEFAULT,
        )
        s.add(station)
        s.add(StationCounter(station_code=spec.code, duplicates_answered=0, conflicts=0))
        s.flush()
        return station_view(station)


def create_enrolment_code(
    db: Database, station_code: str, ttl: dt.timedelta = DEFAULT_CODE_TTL
) -> IssuedCode:
    """A new one-time code for `station_code`; earlier unused codes stay valid until expiry."""
    code = new_enrolment_code()
    expires = utcnow() + ttl
    with db.write() as s:
        _station(s, station_code)
        s.add(
            EnrolmentCode(
                code_sha256=code_digest(code), station_code=station_code, expires_at=expires
            )
        )
    return IssuedCode(station_code, code, expires)


def set_role(
    db: Database, station_code: str, code: str, name: str, channel: str, items: Sequence[str]
) -> None:
    with db.write() as s:
        station = _station(s, station_code)
        role = s.get(Role, (station_code, code))
        if role is None:
            s.add(
                Role(
                    station_code=station_code,
                    code=code,
                    name=name,
                    channel=channel,
                    items=list(items),
                )
            )
        else:
            role.name, role.channel, role.items = name, channel, list(items)
        station.roster_version += 1


def set_operator(
    db: Database,
    station_code: str,
    code: str,
    name: str,
    roles: Sequence[str],
    status: str = "active",
) -> None:
    with db.write() as s:
        station = _station(s, station_code)
        known = set(s.execute(select(Role.code).where(Role.station_code == station_code)).scalars())
        unknown = [r for r in roles if r not in known]
        if unknown:
            raise AdminError(
                f"站点 {station_code} 没有这些角色：{', '.join(unknown)}",
                f"Station {station_code} has no roles {', '.join(unknown)}",
            )
        operator = s.get(Operator, (station_code, code))
        if operator is None:
            s.add(
                Operator(
                    station_code=station_code,
                    code=code,
                    name=name,
                    status=status,
                    roles=list(roles),
                )
            )
        else:
            operator.name, operator.status, operator.roles = name, status, list(roles)
        station.roster_version += 1


def set_operator_password(
    db: Database,
    station_code: str,
    code: str,
    password: str,
    *,
    must_change: bool = True,
) -> dt.datetime:
    """Set (or reset) an operator's password; when it was set. Only its scrypt verifier is
    kept. The operator must change it at the next log-in unless `must_change` is False; a
    lock-out ends. The rule of §10 applies (8 to 128 characters, digits only at least 10)."""
    rule = passwords.weakness(password)
    if rule is not None:
        raise AdminError(*passwords.WEAKNESS_TEXT[rule])
    verifier = passwords.make_verifier(password)  # the slow part, outside the transaction
    moment = utcnow()
    with db.write() as s:
        _station(s, station_code)
        operator = s.get(Operator, (station_code, code))
        if operator is None:
            raise AdminError(
                f"站点 {station_code} 没有经办人员 {code}。",
                f"Station {station_code} has no operator {code}.",
            )
        operator.password_verifier = verifier
        operator.password_changed_at = moment
        operator.must_change_password = must_change
        operator.failed_logins, operator.locked_until = 0, None
    return moment


def set_offline_login_days(db: Database, station_code: str, days: int) -> None:
    """How many days after an operator's last online log-in the station's terminals may let
    them in offline (0: only online). Terminals learn it with the station (§3, §7)."""
    if not 0 <= days <= OFFLINE_DAYS_MAX:
        raise AdminError(
            f"离线登录天数须在 0 到 {OFFLINE_DAYS_MAX} 之间（0 表示只能在线登录）。",
            f"Offline log-in days are 0 to {OFFLINE_DAYS_MAX} (0: online only).",
        )
    with db.write() as s:
        _station(s, station_code).offline_login_days = days


def add_announcement(db: Database, station_code: str, title: str, body: str) -> int:
    with db.write() as s:
        station = _station(s, station_code)
        row = Announcement(station_code=station_code, title=title, body=body, published=utcnow())
        s.add(row)
        station.announcements_version += 1
        s.flush()
        return row.id


def set_station_status(db: Database, station_code: str, status: str) -> None:
    """Suspend (`suspended`) or reinstate (`active`) a station."""
    if status not in ("active", "suspended"):
        raise AdminError("站点状态只能是 active 或 suspended。", "Status is active or suspended.")
    with db.write() as s:
        _station(s, station_code).status = status


def seed_demo(db: Database, operator_password: str | None = None) -> SeededDemo:
    """The demo station with its operators, roles, catalog and an announcement, and the demo
    insured persons with their records, once; a new enrolment code every time. The demo
    operators get `DEMO_OPERATOR_PASSWORD` when the station is first seeded, and
    `operator_password` whenever it is given; neither has to be changed at the first log-in."""
    with db.write() as s:
        catalog = _catalog(s)
        exists = s.get(Station, DEMO_STATION) is not None
    if not exists:
        add_station(
            db,
            StationSpec(
                code=DEMO_STATION,
                name="示范镇医保工作站（演示）",
                institution_type="township",
                channel=Channel.TOWNSHIP.value,
                station_list=StationList.TOWNSHIP.value,
                region_code="441802",
                address="示范镇政务服务中心一楼",
                valid_until=dt.date(2027, 12, 31),
            ),
        )
        with db.read() as s:
            items = list(_station(s, DEMO_STATION).enabled_items)
        helper_items = [
            i.code for i in catalog.items if i.code in items and i.category == "enrolment"
        ]
        set_role(db, DEMO_STATION, "township_agent", "镇街经办人员", "township", items)
        set_role(db, DEMO_STATION, "insurance_helper", "医保明白人", "township", helper_items)
        set_operator(db, DEMO_STATION, "DEMO01", "李明", ["township_agent"])
        set_operator(db, DEMO_STATION, "DEMO02", "王芳", ["township_agent", "insurance_helper"])
        add_announcement(
            db,
            DEMO_STATION,
            "演示站点说明",
            "本站点为演示环境，所有数据均为模拟数据，请勿录入真实群众信息。",
        )
    password = operator_password
    if password is None and not exists:
        password = DEMO_OPERATOR_PASSWORD
    if password is not None:
        for code in DEMO_OPERATORS:
            set_operator_password(db, DEMO_STATION, code, password, must_change=False)
    insured.seed_demo_people(db)  # the people the demo identifies, with their records (§13)
    issued = create_enrolment_code(db, DEMO_STATION)
    return SeededDemo(issued.station, issued.enrolment_code, issued.expires_at, password)


_REVIEW_DEFAULTS: dict[Status, tuple[str | None, str | None]] = {
    Status.IN_REVIEW: (None, None),
    Status.COMPLETED: ("已办结", "Completed"),
    Status.REFUSED: (None, None),
    Status.NEEDS_MATERIALS: (None, None),
}


def review(
    db: Database,
    receipt_no: str,
    status: Status,
    message: str | None = None,
    message_en: str | None = None,
) -> dict[str, Any]:
    """Move a filing to `status` with the centre's message; the station sees it in its feed."""
    if status is Status.ACCEPTED:
        raise AdminError("受理由中心在收到申请时完成。", "Acceptance happens on receipt.")
    if status in (Status.REFUSED, Status.NEEDS_MATERIALS) and not (message or "").strip():
        raise AdminError("不予受理和需补充材料须写明原因。", "Refusals and requests need a reason.")
    default_zh, default_en = _REVIEW_DEFAULTS[status]
    if message is None:
        message, message_en = default_zh, message_en or default_en
    with db.write() as s:
        filing = s.execute(
            select(Filing).where(Filing.receipt_no == receipt_no).with_for_update()
        ).scalar_one_or_none()
        if filing is None:
            raise AdminError(f"没有受理号 {receipt_no}。", f"No filing with receipt {receipt_no}.")
        change = move_status(s, filing, status, message, message_en)
        return {
            "receipt_no": receipt_no,
            "station": filing.station_code,
            "status": filing.status,
            "message": message,
            "message_en": message_en,
            "seq": change.seq,
        }


def revoke(db: Database, device_id: str) -> str:
    """Revoke a device; returns its station. It is refused from its next request on."""
    with db.write() as s:
        device = s.get(Device, device_id)
        if device is None:
            raise AdminError(f"没有终端 {device_id}。", f"No device {device_id}.")
        if device.status != "revoked":
            device.status = "revoked"
            device.revoked_at = utcnow()
        return device.station_code


def stats(db: Database) -> dict[str, Any]:
    """Per station: filings stored, distinct keys, duplicates and conflicts answered,
    complete attachments held."""
    with db.read() as s:
        filings = {
            code: (n, keys)
            for code, n, keys in s.execute(
                select(
                    Filing.station_code,
                    func.count(Filing.id),
                    func.count(distinct(Filing.idempotency_key)),
                ).group_by(Filing.station_code)
            ).all()
        }
        attachments = dict(
            s.execute(
                select(Attachment.station_code, func.count())
                .where(Attachment.complete.is_(True))
                .group_by(Attachment.station_code)
            ).all()
        )
        counters = {c.station_code: c for c in s.execute(select(StationCounter)).scalars()}
        codes = s.execute(select(Station.code).order_by(Station.code)).scalars().all()
        report = []
        for code in codes:
            stored, keys = filings.get(code, (0, 0))
            counter = counters.get(code)
            report.append(
                {
                    "station": code,
                    "filings": stored,
                    "distinct_keys": keys,
                    "duplicates_answered": counter.duplicates_answered if counter else 0,
                    "conflicts": counter.conflicts if counter else 0,
                    "attachments": attachments.get(code, 0),
                }
            )
    return {"stations": report}


# ---- employer and school members -------------------------------------------------------------
def _member_numbers(raw: Sequence[str]) -> list[str]:
    """The ID numbers, checked (GB 11643: format, check digit, birth date) and folded."""
    numbers = []
    for text in raw:
        try:
            numbers.append(id_number(text))
        except FieldInvalid:
            # The administrator typed it: show where it was, masked as everywhere else.
            shown = text[:4] + "*" * max(len(text) - 8, 0) + text[-4:] if len(text) > 8 else "*"
            raise AdminError(
                f"身份证号码 {shown} 无效（格式、校验位或出生日期不对）。",
                f"ID number {shown} is not valid (format, check digit or birth date).",
            ) from None
    return list(dict.fromkeys(numbers))


def _member_station(s: Session, code: str) -> Station:
    station = _station(s, code)
    if station.channel not in MEMBER_CHANNELS:
        raise AdminError(
            f"站点 {code} 不是单位端或学校端，没有参保人员名单。",
            f"Station {code} is not on the employer or school channel; it has no member list.",
        )
    return station


def add_members(db: Database, station_code: str, id_numbers: Sequence[str]) -> dict[str, Any]:
    """Add insured members to an employer or school station's list; its terminals get the
    new list (as keyed tokens) on their next sync."""
    numbers = _member_numbers(id_numbers)
    with db.write() as s:
        station = _member_station(s, station_code)
        held = set(
            s.execute(
                select(Member.id_number).where(
                    Member.station_code == station_code, Member.id_number.in_(numbers)
                )
            ).scalars()
        )
        new = [n for n in numbers if n not in held]
        for number in new:
            s.add(Member(station_code=station_code, id_number=number, added_at=utcnow()))
        if new:
            station.members_version += 1
        return {"station": station_code, "added": len(new), "version": station.members_version}


def remove_members(db: Database, station_code: str, id_numbers: Sequence[str]) -> dict[str, Any]:
    """Take members off a station's list; its terminals refuse them after their next sync."""
    numbers = _member_numbers(id_numbers)
    with db.write() as s:
        station = _member_station(s, station_code)
        rows = s.execute(
            select(Member).where(Member.station_code == station_code, Member.id_number.in_(numbers))
        ).scalars()
        removed = 0
        for row in rows:
            s.delete(row)
            removed += 1
        if removed:
            station.members_version += 1
        return {"station": station_code, "removed": removed, "version": station.members_version}


# ---- ratings and audit trails ----------------------------------------------------------------
def ratings(db: Database, station_code: str | None = None, recent: int = 20) -> dict[str, Any]:
    """Ratings (好差评) of one station or all: counts per level and per reason, and the most
    recent ones with the filing's receipt number."""
    with db.read() as s:
        if station_code is not None:
            _station(s, station_code)
        where = [] if station_code is None else [RatingRow.station_code == station_code]
        levels = dict(
            s.execute(
                select(RatingRow.rating, func.count()).where(*where).group_by(RatingRow.rating)
            ).all()
        )
        reasons: dict[str, dict[str, int]] = {}
        for level, codes in s.execute(select(RatingRow.rating, RatingRow.reasons).where(*where)):
            counted = reasons.setdefault(level, {})
            for code in codes or ():
                counted[code] = counted.get(code, 0) + 1
        rows = s.execute(
            select(RatingRow, Filing.receipt_no)
            .join(Filing, Filing.id == RatingRow.filing_id)
            .where(*where)
            .order_by(RatingRow.id.desc())
            .limit(recent)
        ).all()
        return {
            "station": station_code,
            "total": sum(levels.values()),
            "counts": {r.value: int(levels.get(r.value, 0)) for r in Rating},
            "reasons": reasons,
            "recent": [
                {
                    "receipt_no": receipt,
                    "station": r.station_code,
                    "rating": r.rating,
                    "reasons": list(r.reasons or ()),
                    "operator": r.operator,
                    "rated_at": iso_z(r.rated_at),
                }
                for r, receipt in rows
            ],
        }


def rating_label(level: str) -> str:
    try:
        zh, en = RATING_LABELS[Rating(level)]
    except ValueError:
        return level
    return f"{zh} {en}"


def audit_trail(db: Database, station_code: str, limit: int = 50) -> dict[str, Any]:
    """A station's terminals' audit trails as uploaded: per device how many events, the last
    one, and whether the stored chain is whole; and the most recent events."""
    with db.read() as s:
        _station(s, station_code)
        devices = s.execute(
            select(Device.device_id, Device.name)
            .where(Device.station_code == station_code)
            .order_by(Device.device_id)
        ).all()
        per_device = []
        for device_id, name in devices:
            events = list(
                s.execute(
                    select(AuditEvent)
                    .where(AuditEvent.device_id == device_id)
                    .order_by(AuditEvent.client_id)
                ).scalars()
            )
            broken = verify_device_chain(events)
            per_device.append(
                {
                    "device_id": device_id,
                    "name": name,
                    "events": len(events),
                    "last_id": events[-1].client_id if events else None,
                    "last_at": iso_z(events[-1].at) if events else None,
                    "chain_ok": broken is None,
                    "broken_at": broken,
                }
            )
        recent = s.execute(
            select(AuditEvent)
            .where(AuditEvent.station_code == station_code)
            .order_by(AuditEvent.id.desc())
            .limit(limit)
        ).scalars()
        return {
            "station": station_code,
            "devices": per_device,
            "recent": [
                {
                    "device_id": e.device_id,
                    "id": e.client_id,
                    "at": iso_z(e.at),
                    "operator": e.operator,
                    "action": e.action,
                    "subject": e.subject,
                    "detail": e.detail,
                    "hash": e.hash,
                }
                for e in recent
            ],
        }
