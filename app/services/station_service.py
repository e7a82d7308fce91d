"""This terminal's station and operators, and the demo station for `--demo`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import insert, select, update

from app.catalog.schema import Catalog, Channel, StationList
from app.crypto.password_verifier import make_verifier
from app.errors import UserFacingError
from app.services.permissions import (
    MEMBER_CHANNELS,
    SELF_SERVICE_OPERATOR,
    Permissions,
    RoleGrant,
)
from app.store.db import Database
from app.store.models import Member, Operator, OperatorRole, Role, Station, utcnow

DEMO_STATION_CODE = "DEMO-441802-001"
DEMO_OPERATOR_CODE = "DEMO01"
# The demo station has no centre to check passwords, so its operator's offline verifier is
# made from this one (the README and the log-in screen in demo mode say so).
DEMO_PASSWORD = "Demo@2026"  # as the reference centre's demo operators (central/admin.py)


@dataclass(frozen=True)
class StationInfo:
    code: str
    name: str
    channel: Channel
    station_list: StationList
    status: str
    enabled_items: frozenset[str]
    is_demo: bool


@dataclass(frozen=True)
class OperatorInfo:
    code: str
    name: str
    roles: tuple[str, ...]


class NotActivated(UserFacingError):
    def __init__(self) -> None:
        super().__init__(
            "本终端尚未激活，请由技术人员用激活码激活（或以 --demo 打开演示站点）。",
            "This terminal is not activated; a technician must activate it "
            "(or open the demo station with --demo).",
        )


class StationService:
    def __init__(self, db: Database) -> None:
        self._db = db

    def station(self) -> StationInfo | None:
        with self._db.read() as s:
            row = s.execute(select(Station)).scalars().first()
            if row is None:
                return None
            return StationInfo(
                code=row.code,
                name=row.name,
                channel=Channel(row.channel),
                station_list=StationList(row.station_list),
                status=row.status,
                enabled_items=frozenset(row.enabled_items),
                is_demo=row.is_demo,
            )

    def require_station(self) -> StationInfo:
        station = self.station()
        if station is None:
            raise NotActivated()
        return station

    def operator(self, code: str) -> OperatorInfo | None:
        with self._db.read() as s:
            op = s.execute(select(Operator).where(Operator.code == code)).scalar_one_or_none()
            if op is None:
                return None
            roles = (
                s.execute(select(OperatorRole.role_code).where(OperatorRole.operator_id == op.id))
                .scalars()
                .all()
            )
            return OperatorInfo(op.code, op.name, tuple(roles))

    def permissions(self, operator_code: str) -> Permissions:
        """The station's and this operator's side of the permission rules (BRIEF §3).

        An operator who is unknown or not active gets no roles, so nothing is allowed. On
        the employer and school channels the unit's members come too, as the keyed tokens
        of `app.services.members.member_token` (none until the centre's list arrives).
        """
        station = self.require_station()
        if operator_code == SELF_SERVICE_OPERATOR:
            enabled = frozenset(station.enabled_items)
            return Permissions(
                station_active=station.status == "active",
                channel=Channel.SELF_SERVICE,
                enabled_items=enabled,
                roles=(RoleGrant("self_service", Channel.SELF_SERVICE, enabled),),
            )
        with self._db.read() as s:
            op = s.execute(
                select(Operator.id, Operator.status).where(Operator.code == operator_code)
            ).first()
            grants: list[RoleGrant] = []
            if op is not None and op.status == "active":
                rows = s.execute(
                    select(Role.code, Role.channel, Role.items)
                    .join(OperatorRole, OperatorRole.role_code == Role.code)
                    .where(OperatorRole.operator_id == op.id)
                ).all()
                for code, channel, items in rows:
                    try:
                        grants.append(RoleGrant(code, Channel(channel), frozenset(items or ())))
                    except ValueError:
                        continue  # a channel this client does not know grants nothing
            members = None
            if station.channel in MEMBER_CHANNELS:
                members = frozenset(s.execute(select(Member.id_token)).scalars())
        return Permissions(
            station_active=station.status == "active",
            channel=station.channel,
            enabled_items=station.enabled_items,
            roles=tuple(grants),
            members=members,
        )

    def ensure_self_service_operator(self) -> None:
        """The kiosk's operator row, which its filings name (kept if the centre's list, which
        does not carry it, marks it removed: the kiosk's permissions do not depend on it)."""
        with self._db.write() as s:
            found = s.execute(
                select(Operator.id).where(Operator.code == SELF_SERVICE_OPERATOR)
            ).first()
            if found is None:
                s.execute(
                    insert(Operator),
                    {"code": SELF_SERVICE_OPERATOR, "name": "自助终端", "status": "active"},
                )

    def first_active_operator(self) -> str | None:
        with self._db.read() as s:
            return s.execute(
                select(Operator.code)
                .where(Operator.status == "active", Operator.code != SELF_SERVICE_OPERATOR)
                .order_by(Operator.code)
            ).scalar()

    def ensure_demo_station(self, catalog: Catalog) -> StationInfo:
        """Create the demo township station with one agent, unless a station exists.

        A terminal activated for a real station refuses demo mode, so drills never mix
        with real citizens' filings.
        """
        existing = self.station()
        if existing is not None:
            if not existing.is_demo:
                raise UserFacingError(
                    "本终端已激活为正式站点，不能进入演示模式。请使用单独的数据目录（--data-dir）。",
                    "This terminal is activated for a real station and cannot run the demo; "
                    "use a separate data folder (--data-dir).",
                )
            self._ensure_demo_verifier()
            return existing
        items = [i.code for i in catalog.items if StationList.TOWNSHIP in i.lists]
        with self._db.write() as s:
            s.execute(
                insert(Station),
                {
                    "code": DEMO_STATION_CODE,
                    "name": "示范镇医保工作站（演示）",
                    "institution_type": "township",
                    "channel": Channel.TOWNSHIP.value,
                    "station_list": StationList.TOWNSHIP.value,
                    "region_code": "441802",
                    "address": "示范镇政务服务中心一楼",
                    "status": "active",
                    "enabled_items": items,
                    "is_demo": True,
                },
            )
            s.execute(
                insert(Role),
                {
                    "code": "township_agent",
                    "name": "镇街经办人员",
                    "channel": Channel.TOWNSHIP.value,
                    "items": items,
                },
            )
            op_id = s.execute(
                insert(Operator).returning(Operator.id),
                {"code": DEMO_OPERATOR_CODE, "name": "李明", "status": "active"},
            ).scalar_one()
            s.execute(insert(OperatorRole), {"operator_id": op_id, "role_code": "township_agent"})
        self._ensure_demo_verifier()
        return self.require_station()

    def _ensure_demo_verifier(self) -> None:
        with self._db.read() as s:
            missing = s.execute(
                select(Operator.id).where(
                    Operator.code == DEMO_OPERATOR_CODE, Operator.verifier.is_(None)
                )
            ).first()
        if missing is None:
            return
        with self._db.write() as s:
            s.execute(
                update(Operator)
                .where(Operator.code == DEMO_OPERATOR_CODE, Operator.verifier.is_(None))
                .values(
                    verifier=make_verifier(DEMO_PASSWORD),
                    verifier_until=utcnow() + dt.timedelta(days=3650),
                )
            )
