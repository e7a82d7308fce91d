"""Reference data from the centre (protocol §7): the centre wins, new versions apply forward.

An employer or school station's member list replaces the one held, kept as keyed tokens.

A new catalog version is installed beside the old one and becomes current for new filings;
filings already queued keep the version they were filled against.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import delete, insert, select, update

from app.catalog.schema import Catalog
from app.context import AppContext
from app.services.members import member_token
from app.store.models import Member, Operator, OperatorRole, Role, Station, SyncState, utcnow
from sync.activation import station_values
from sync.state import SyncStateStore

MEMBERS_VERSION = "members_version"


def held_versions(state: SyncStateStore, ctx: AppContext) -> dict[str, str]:
    return {
        "catalog": ctx.catalog.current().version,
        "roster": state.get("roster_version", "0") or "0",
        "announcements": state.get("announcements_version", "0") or "0",
        "members": state.get(MEMBERS_VERSION, "0") or "0",
    }


def apply_reference(ctx: AppContext, state: SyncStateStore, answer: dict[str, Any]) -> list[str]:
    """Install whatever sections came back; returns their names."""
    applied = []
    catalog = answer.get("catalog")
    if catalog:
        ctx.catalog.install(Catalog.model_validate(catalog), source="centre")
        applied.append("catalog")
    roster = answer.get("roster")
    if roster:
        _apply_roster(ctx, roster)
        state.set(roster_version=str(roster["version"]))
        applied.append("roster")
    announcements = answer.get("announcements")
    if announcements:
        state.set(
            announcements_version=str(announcements["version"]),
            announcements=json.dumps(announcements.get("items", []), ensure_ascii=False),
        )
        applied.append("announcements")
    members = answer.get("members")
    if members:
        _apply_members(ctx, members)
        applied.append("members")
    station = answer.get("station")
    if station:
        with ctx.db.write() as s:
            s.execute(update(Station).values(**station_values(station)))
        applied.append("station")
    return applied


def _apply_roster(ctx: AppContext, roster: dict[str, Any]) -> None:
    """Replace roles and operators with the centre's; operators keep their offline verifier."""
    with ctx.db.write() as s:
        s.execute(delete(OperatorRole))
        s.execute(delete(Role))
        for role in roster.get("roles", []):
            s.execute(
                insert(Role),
                {
                    "code": role["code"],
                    "name": role["name"],
                    "channel": role.get("channel", ""),
                    "items": list(role.get("items", [])),
                },
            )
        known = {code: op_id for op_id, code in s.execute(select(Operator.id, Operator.code))}
        listed = set()
        for op in roster.get("operators", []):
            listed.add(op["code"])
            values = {"name": op["name"], "status": op.get("status", "active")}
            if op["code"] in known:
                op_id = known[op["code"]]
                s.execute(update(Operator).where(Operator.id == op_id).values(**values))
            else:
                op_id = s.execute(
                    insert(Operator).returning(Operator.id), {"code": op["code"], **values}
                ).scalar_one()
            for role_code in op.get("roles", []):
                s.execute(insert(OperatorRole), {"operator_id": op_id, "role_code": role_code})
        for code, op_id in known.items():
            if code not in listed:  # no longer registered here: cannot log in
                s.execute(update(Operator).where(Operator.id == op_id).values(status="removed"))


def _apply_members(ctx: AppContext, members: dict[str, Any]) -> None:
    """Replace the member list with the centre's, as keyed tokens (the numbers are not
    kept), together with its version: one transaction, so a crash leaves the old list and
    the old version, which the next sync replaces."""
    now = utcnow()
    tokens = {member_token(ctx.cipher, str(n)) for n in members.get("id_numbers", [])}
    with ctx.db.write() as s:
        s.execute(delete(Member))
        if tokens:
            s.execute(insert(Member), [{"id_token": t, "added_at": now} for t in sorted(tokens)])
        s.execute(delete(SyncState).where(SyncState.key == MEMBERS_VERSION))
        s.execute(insert(SyncState), {"key": MEMBERS_VERSION, "value": str(members["version"])})
