"""Who may start which item here: the one place the rules of BRIEF §3 live.

Effective permission = the station is active ∧ the station's channel may handle the item (the
city's ticks, carried in the catalog as `channels`) ∧ the station has the item enabled ∧ one of
the operator's roles grants the item on the station's channel. On the employer and school
channels, the person must also be one of the unit's own insured members.

Everything here is pure: the window asks `allowed_items` to decide what to show, the filing
service asks `check` before saving (so a forced attempt through the CLI or a stale window is
refused and audited there), and the table test exercises every combination.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from app.catalog.schema import CatalogItem, Channel
from app.errors import UserFacingError

MEMBER_CHANNELS = frozenset({Channel.EMPLOYER, Channel.SCHOOL})

# The operator code of filings citizens make themselves at a kiosk. It acts on the station's
# self-service channel (三类终端), whatever channel the station's counters use, and may file
# what the station has enabled and the city allows on that channel: there is no person at a
# counter whose roles could grant more or less.
SELF_SERVICE_OPERATOR = "KIOSK"


class Denial(StrEnum):
    STATION_INACTIVE = "station_inactive"
    CHANNEL = "channel_not_allowed"
    NOT_ENABLED = "not_enabled"
    NO_ROLE = "no_role"
    NOT_MEMBER = "not_member"


_MESSAGES: dict[Denial, tuple[str, str]] = {
    Denial.STATION_INACTIVE: (
        "本站点已暂停或未在有效期内，不能办理业务。",
        "This station is suspended or outside its validity period.",
    ),
    Denial.CHANNEL: (
        "“{zh}”不在本渠道可办理的事项清单中。",
        "“{en}” is not on this channel's item list.",
    ),
    Denial.NOT_ENABLED: ("本站点未开通“{zh}”。", "This station does not handle “{en}”."),
    Denial.NO_ROLE: (
        "您的岗位没有“{zh}”的办理权限。",
        "None of your roles grants “{en}”.",
    ),
    Denial.NOT_MEMBER: (
        "本单位（学校）只能为本单位参保人员办理，此人不在名单中。",
        "This unit may only serve its own insured members; this person is not on its list.",
    ),
}


class ItemNotAllowed(UserFacingError):
    """An item cannot be filed here (not in the catalog, not offline, not permitted...)."""


class NotPermitted(ItemNotAllowed):
    """The permission rules refuse it; `denial` says which rule."""

    def __init__(self, denial: Denial, item: CatalogItem | None = None) -> None:
        zh, en = _MESSAGES[denial]
        super().__init__(
            zh.format(zh=item.name if item else ""), en.format(en=item.name_en if item else "")
        )
        self.denial = denial


@dataclass(frozen=True)
class RoleGrant:
    code: str
    channel: Channel
    items: frozenset[str]


@dataclass(frozen=True)
class Permissions:
    """What the rules need to know about the station and the operator at the counter."""

    station_active: bool
    channel: Channel
    enabled_items: frozenset[str]
    roles: tuple[RoleGrant, ...]
    # Employer and school stations: search tokens of the unit's insured members (from the
    # centre); None elsewhere.
    members: frozenset[str] | None = None

    def denial(self, item: CatalogItem) -> Denial | None:
        """Why the operator may not start `item` here, or None when they may."""
        if not self.station_active:
            return Denial.STATION_INACTIVE
        if self.channel not in item.channels:
            return Denial.CHANNEL
        if item.code not in self.enabled_items:
            return Denial.NOT_ENABLED
        if not any(r.channel is self.channel and item.code in r.items for r in self.roles):
            return Denial.NO_ROLE
        return None

    def member_denial(self, person_token: str) -> Denial | None:
        """On the employer and school channels, only the unit's own members may be served."""
        if self.channel not in MEMBER_CHANNELS:
            return None
        if self.members is None or person_token not in self.members:
            return Denial.NOT_MEMBER
        return None

    def check(self, item: CatalogItem, person_token: str | None = None) -> None:
        """Raise `NotPermitted` (with the reason, Chinese first) unless it is allowed."""
        denial = self.denial(item)
        if denial is None and person_token is not None:
            denial = self.member_denial(person_token)
        if denial is not None:
            raise NotPermitted(denial, item)

    def allowed_items(self, items: Iterable[CatalogItem]) -> list[CatalogItem]:
        """The items to show: what is not allowed is not shown."""
        return [i for i in items if self.denial(i) is None]
