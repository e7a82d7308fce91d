"""Versioned reference data for a station (§7): catalog, roster (operators and roles),
announcements and, for employer and school stations, their members. A section is sent when
the client's version differs from the centre's (the centre wins), and is null when the client
is up to date; the station itself always comes."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.services import permissions
from central.catalogs import current_catalog
from central.clock import iso_z
from central.db import Database
from central.models import Announcement, Member, Operator, Role, Station
from central.stations import station_view

# Only these channels serve their own insured members alone (BRIEF §3, data permission).
MEMBER_CHANNELS = frozenset(c.value for c in permissions.MEMBER_CHANNELS)


def reference(
    db: Database,
    station_code: str,
    catalog: str | None,
    roster: int | None,
    announcements: int | None,
    members: int | None = None,
) -> dict[str, Any]:
    with db.read() as s:
        station = s.get(Station, station_code)
        assert station is not None  # authentication found it
        out: dict[str, Any] = {"catalog": None, "roster": None, "announcements": None}
        current = current_catalog(s)
        if current is not None and current.version != catalog:
            out["catalog"] = current.body
        if roster != station.roster_version:
            out["roster"] = _roster(s, station)
        if announcements != station.announcements_version:
            out["announcements"] = _announcements(s, station)
        out["members"] = None
        if station.channel in MEMBER_CHANNELS and members != station.members_version:
            out["members"] = _members(s, station)
        out["station"] = station_view(station)
        return out


def _roster(s: Session, station: Station) -> dict[str, Any]:
    operators = s.execute(
        select(Operator).where(Operator.station_code == station.code).order_by(Operator.code)
    ).scalars()
    roles = s.execute(
        select(Role).where(Role.station_code == station.code).order_by(Role.code)
    ).scalars()
    return {
        "version": station.roster_version,
        "operators": [
            {"code": o.code, "name": o.name, "status": o.status, "roles": list(o.roles)}
            for o in operators
        ],
        "roles": [
            {"code": r.code, "name": r.name, "channel": r.channel, "items": list(r.items)}
            for r in roles
        ],
    }


def _announcements(s: Session, station: Station) -> dict[str, Any]:
    rows = s.execute(
        select(Announcement)
        .where(Announcement.station_code == station.code)
        .order_by(Announcement.id)
    ).scalars()
    return {
        "version": station.announcements_version,
        "items": [
            {"id": a.id, "title": a.title, "body": a.body, "published": iso_z(a.published)}
            for a in rows
        ],
    }


def _members(s: Session, station: Station) -> dict[str, Any]:
    numbers = s.execute(
        select(Member.id_number)
        .where(Member.station_code == station.code)
        .order_by(Member.id_number)
    ).scalars()
    return {"version": station.members_version, "id_numbers": list(numbers)}
