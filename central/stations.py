"""A station as the protocol shows it (activation and reference data) and whether it may work."""

from __future__ import annotations

import datetime as dt
from typing import Any

from central.clock import CHINA_TZ
from central.models import Station


def effective_status(station: Station, today: dt.date | None = None) -> str:
    """`active`, `suspended` or `expired` (past its validity date, China time)."""
    return status_of(station.status, station.valid_until, today)


def status_of(status: str, valid_until: dt.date | None, today: dt.date | None = None) -> str:
    """`effective_status` from the two columns it depends on."""
    if status != "active":
        return status
    day = today or dt.datetime.now(CHINA_TZ).date()
    if valid_until is not None and valid_until < day:
        return "expired"
    return "active"


def station_is_active(station: Station) -> bool:
    return effective_status(station) == "active"


def station_view(station: Station) -> dict[str, Any]:
    return {
        "code": station.code,
        "name": station.name,
        "institution_type": station.institution_type,
        "channel": station.channel,
        "station_list": station.station_list,
        "region_code": station.region_code,
        "address": station.address,
        "status": effective_status(station),
        "valid_until": station.valid_until.isoformat() if station.valid_until else None,
        "enabled_items": list(station.enabled_items),
        "offline_login_days": station.offline_login_days,
    }
