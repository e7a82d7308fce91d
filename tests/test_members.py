"""Employer and school stations serve their own insured members only: the list comes from the
real reference centre (a `yibao central serve` process) and is kept as keyed tokens."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from app.context import AppContext
from app.identity import PersonRead
from app.services.members import member_token
from app.services.permissions import Denial, NotPermitted
from app.store.models import Member
from central import admin
from central.db import Database as CentralDatabase
from devices.simulated_identity import SimulatedIdentityReader
from sync.activation import activate
from sync.engine import SyncEngine
from sync.reference import MEMBERS_VERSION
from sync.state import SyncStateStore
from tests.centre_process import Centre

STATION = "EMP-441802-001"
ITEMS = ("GR-CBZM-002", "ZG-CBCX-001")  # items the employer channel may handle


@pytest.fixture
def employer(centre: Centre, data_dir: Path) -> Iterator[AppContext]:
    """A terminal of an employer station with one agent, activated and synced once."""
    added = centre.admin(
        "add-station",
        "--code",
        STATION,
        "--name",
        "示范公司人事部",
        "--type",
        "employer",
        "--channel",
        "employer",
        "--list",
        "township",
        "--region",
        "441802",
        "--items",
        ",".join(ITEMS),
    )
    assert added.returncode == 0, added.stderr
    db = CentralDatabase(centre.db_url)
    try:
        admin.set_role(db, STATION, "employer_agent", "单位经办人", "employer", list(ITEMS))
        admin.set_operator(db, STATION, "EMP01", "赵敏", ["employer_agent"])
    finally:
        db.dispose()
    code = centre.admin("enrol-code", STATION, "--json")
    assert code.returncode == 0, code.stderr
    ctx = AppContext.open(data_dir)
    try:
        activate(ctx, centre.url, json.loads(code.stdout)["enrolment_code"], "hr-desk")
        sync(ctx)
        yield ctx
    finally:
        ctx.close()


def sync(ctx: AppContext) -> list[str]:
    report = SyncEngine(ctx).run_once()
    assert report.error is None, report.error_en
    return report.reference


def people(n: int) -> list[PersonRead]:
    reader = SimulatedIdentityReader(seed=21, read_delay=0)
    found: dict[str, PersonRead] = {}
    while len(found) < n:
        person = reader.read()
        found[person.id_number] = person
    return list(found.values())


def refusal(ctx: AppContext, person: PersonRead) -> Denial | None:
    """What the permission rules say about serving `person` here (None: allowed)."""
    item = ctx.catalog.current().item(ITEMS[0])
    permissions = ctx.stations.permissions("EMP01")
    try:
        permissions.check(item, member_token(ctx.cipher, person.id_number))
    except NotPermitted as exc:
        return exc.denial
    return None


def test_members_come_down_as_tokens_and_decide_who_is_served(
    centre: Centre, employer: AppContext
) -> None:
    ctx = employer
    member, colleague, stranger = people(3)
    # No list yet: everyone is refused, with the reason in Chinese first.
    assert ctx.stations.permissions("EMP01").members == frozenset()
    assert refusal(ctx, member) is Denial.NOT_MEMBER
    item = ctx.catalog.current().item(ITEMS[0])
    with pytest.raises(NotPermitted) as refused:
        ctx.stations.permissions("EMP01").check(item, member_token(ctx.cipher, member.id_number))
    assert "本单位" in refused.value.zh and "members" in refused.value.en

    added = centre.admin("add-member", STATION, member.id_number, colleague.id_number, "--json")
    assert added.returncode == 0, added.stderr
    assert json.loads(added.stdout) == {"station": STATION, "added": 2, "version": 1}
    assert "members" in sync(ctx)
    assert SyncStateStore(ctx.db).get(MEMBERS_VERSION) == "1"
    assert refusal(ctx, member) is None
    assert refusal(ctx, colleague) is None
    assert refusal(ctx, stranger) is Denial.NOT_MEMBER
    # The store holds keyed tokens, not the numbers (nor in the write-ahead log).
    with ctx.db.read() as s:
        tokens = set(s.execute(select(Member.id_token)).scalars())
    assert tokens == {member_token(ctx.cipher, p.id_number) for p in (member, colleague)}
    files = [ctx.paths.database, ctx.paths.database.with_name(ctx.paths.database.name + "-wal")]
    for path in files:
        if path.exists():
            raw = path.read_bytes()
            assert member.id_number.encode() not in raw
            assert colleague.id_number.encode() not in raw
    assert sync(ctx) == ["station"]  # up to date: the list is not sent again

    removed = centre.admin("remove-member", STATION, member.id_number)
    assert removed.returncode == 0, removed.stderr
    assert "已移出 1 人" in removed.stdout
    assert "members" in sync(ctx)
    assert refusal(ctx, member) is Denial.NOT_MEMBER
    assert refusal(ctx, colleague) is None
    assert SyncStateStore(ctx.db).get(MEMBERS_VERSION) == "2"


def test_member_list_refusals(centre: Centre, employer: AppContext) -> None:
    bad = centre.admin("add-member", STATION, "441802198506151321")  # wrong check digit
    assert bad.returncode == 1
    assert "身份证号码" in bad.stderr and "not valid" in bad.stderr
    assert "441802198506151321" not in bad.stderr  # shown masked
    township = centre.seed_demo()["station"]
    (person,) = people(1)
    other = centre.admin("add-member", township, person.id_number)
    assert other.returncode == 1 and "单位端或学校端" in other.stderr
    again = centre.admin("add-member", STATION, person.id_number, person.id_number, "--json")
    assert json.loads(again.stdout)["added"] == 1
    same = centre.admin("add-member", STATION, person.id_number, "--json")
    assert json.loads(same.stdout) == {"station": STATION, "added": 0, "version": 1}


def test_other_channels_have_no_member_rule(ctx: AppContext, station: object) -> None:
    """The demo township station: no list, and nobody is refused for not being on one."""
    permissions = ctx.stations.permissions("DEMO01")
    assert permissions.members is None
    (person,) = people(1)
    assert permissions.member_denial(member_token(ctx.cipher, person.id_number)) is None
