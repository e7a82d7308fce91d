"""The permission rules of BRIEF §3 as a table: every channel, station setting and role for a
sample of items, plus the employer/school member rule, and the filing service refusing (and
auditing) what the rules refuse."""

from __future__ import annotations

import itertools
import random

import pytest
from sqlalchemy import select

from app.catalog.schema import Catalog, CatalogItem, Channel
from app.context import AppContext
from app.services.demo_data import demo_values
from app.services.filing_service import FilingRequest
from app.services.permissions import Denial, NotPermitted, Permissions, RoleGrant
from app.services.station_service import StationInfo
from app.store.models import AuditEvent, OperatorRole, Role
from devices.simulated_identity import SimulatedIdentityReader

# One item per shape of `channels`: everywhere, a few channels, one channel.
SAMPLE = ("CX-CBDJ-001", "YD-BA-010", "CX-XSECB-005", "MT-RD-001", "DW-CBCX-001")
ACTIVE = (True, False)
ENABLED = (True, False)
ROLES = ("grants_here", "grants_elsewhere", "grants_other_item", "none")


def sample_items(catalog: Catalog) -> list[CatalogItem]:
    codes = {i.code for i in catalog.items}
    chosen = [catalog.item(c) for c in SAMPLE if c in codes]
    assert len(chosen) >= 3, "the sample items must exist in the catalog"
    widths = {len(i.channels) for i in chosen}
    assert len(widths) >= 2, "the sample must mix items for many and for few channels"
    return chosen


def roles_for(kind: str, channel: Channel, item: CatalogItem) -> tuple[RoleGrant, ...]:
    other = next(c for c in Channel if c is not channel)
    if kind == "grants_here":
        return (RoleGrant("r", channel, frozenset({item.code})),)
    if kind == "grants_elsewhere":
        return (RoleGrant("r", other, frozenset({item.code})),)
    if kind == "grants_other_item":
        return (RoleGrant("r", channel, frozenset({"SOMETHING-ELSE"})),)
    return ()


def expected(
    active: bool, channel: Channel, enabled: bool, role: str, item: CatalogItem
) -> Denial | None:
    if not active:
        return Denial.STATION_INACTIVE
    if channel not in item.channels:
        return Denial.CHANNEL
    if not enabled:
        return Denial.NOT_ENABLED
    if role != "grants_here":
        return Denial.NO_ROLE
    return None


def test_every_combination_of_channel_station_and_role(ctx: AppContext) -> None:
    items = sample_items(ctx.catalog.current())
    allowed = 0
    for item, channel, active, enabled, role in itertools.product(
        items, Channel, ACTIVE, ENABLED, ROLES
    ):
        rules = Permissions(
            station_active=active,
            channel=channel,
            enabled_items=frozenset({item.code}) if enabled else frozenset(),
            roles=roles_for(role, channel, item),
            members=frozenset({"member-token"}),
        )
        want = expected(active, channel, enabled, role, item)
        assert rules.denial(item) == want, (item.code, channel, active, enabled, role)
        assert (item in rules.allowed_items([item])) == (want is None)
        if want is None:
            allowed += 1
            rules.check(item, "member-token")
        else:
            with pytest.raises(NotPermitted) as err:
                rules.check(item)
            assert err.value.denial is want and err.value.zh and err.value.en
    # Allowed exactly where the item's channels, an active station, the tick and a role meet.
    assert allowed == sum(len(i.channels) for i in items)


@pytest.mark.parametrize("channel", list(Channel))
def test_employer_and_school_serve_only_their_own_members(channel: Channel) -> None:
    item_code = "X"
    rules = Permissions(
        station_active=True,
        channel=channel,
        enabled_items=frozenset({item_code}),
        roles=(RoleGrant("r", channel, frozenset({item_code})),),
        members=frozenset({"member-token"}),
    )
    restricted = channel in (Channel.EMPLOYER, Channel.SCHOOL)
    assert rules.member_denial("member-token") is None
    assert rules.member_denial("stranger") == (Denial.NOT_MEMBER if restricted else None)
    no_list = Permissions(True, channel, frozenset({item_code}), rules.roles, members=None)
    assert no_list.member_denial("member-token") == (Denial.NOT_MEMBER if restricted else None)


def test_the_service_refuses_and_audits_what_the_rules_refuse(
    ctx: AppContext, station: StationInfo, operator_code: str
) -> None:
    """A forced attempt (the window would not show the item) is refused and recorded."""
    item = ctx.catalog.current().item("CX-CBDJ-001")
    person = ctx.persons.record(SimulatedIdentityReader(seed=8, read_delay=0).read())
    values = demo_values(item, person.read, random.Random(8))
    service = ctx.filing_service(station)
    service.submit(  # allowed today
        FilingRequest(item.code, values, person, operator_code, materials_pending=True)
    )
    with ctx.db.write() as s:  # the centre withdraws the item from the operator's role
        role = s.execute(
            select(Role).join(OperatorRole, OperatorRole.role_code == Role.code)
        ).scalar_one()
        role.items = [c for c in role.items if c != item.code]
    fresh = ctx.filing_service(station)
    with pytest.raises(NotPermitted) as err:
        fresh.submit(FilingRequest(item.code, values, person, operator_code))
    assert err.value.denial is Denial.NO_ROLE and "岗位" in err.value.zh
    with pytest.raises(NotPermitted):  # an operator nobody registered has no roles at all
        fresh.submit(FilingRequest(item.code, values, person, "NOBODY"))
    with ctx.db.read() as s:
        refused = s.execute(
            select(AuditEvent.operator_code, AuditEvent.subject).where(
                AuditEvent.action == "filing.refused"
            )
        ).all()
    assert [tuple(r) for r in refused] == [
        (operator_code, f"item:{item.code}"),
        ("NOBODY", f"item:{item.code}"),
    ]
    assert ctx.queue.counts().filings_total == 1
    allowed = ctx.stations.permissions(operator_code).allowed_items(ctx.catalog.current().items)
    assert item not in allowed and allowed  # the window no longer shows it
