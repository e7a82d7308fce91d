"""Activating a terminal with a one-time enrolment code (protocol §3)."""

from __future__ import annotations

import base64
import datetime as dt
import platform

from sqlalchemy import delete, insert, select

from app import __version__
from app.context import AppContext
from app.errors import UserFacingError
from app.store.models import Station, utcnow
from sync.outbox import OutboxStore
from sync.transport import CentralClient, DeviceIdentity, Timeouts

SECRET_PREFIX = "device-secret/"


class ActivationRefused(UserFacingError):
    pass


def station_values(station: dict[str, object]) -> dict[str, object]:
    """The columns of our station row from the centre's description of it."""
    until = station.get("valid_until")
    return {
        "code": str(station["code"]),
        "name": str(station["name"]),
        "institution_type": str(station.get("institution_type", "")),
        "channel": str(station.get("channel", "")),
        "station_list": str(station.get("station_list", "township")),
        "region_code": str(station.get("region_code", "")),
        "address": str(station.get("address") or ""),
        "status": str(station.get("status", "active")),
        "valid_until": dt.date.fromisoformat(str(until)) if until else None,
        "enabled_items": list(station.get("enabled_items") or []),  # type: ignore[call-overload]
        "updated_at": utcnow(),
    }


def activate(ctx: AppContext, central_url: str, code: str, device_name: str | None = None) -> str:
    """Activate this data folder's terminal; returns the station code.

    The device secret goes to the key store only; the station row records the device id
    and the centre's address. A folder holding demo filings is refused: drills and real
    citizens never share a store.
    """
    existing = ctx.stations.station()
    if existing is not None and existing.is_demo:
        raise ActivationRefused(
            "此数据目录是演示站点，不能激活为正式终端。请使用新的数据目录（--data-dir）。",
            "This data folder holds the demo station; activate a fresh data folder.",
        )
    client = CentralClient(central_url, timeouts=Timeouts(connect=5, read=20))
    try:
        answer = client.activate(code.strip(), device_name or platform.node(), __version__)
    finally:
        client.close()
    device_id = str(answer["device_id"])
    secret = base64.b64decode(str(answer["device_secret"]))
    ctx.secrets.set_bytes(SECRET_PREFIX + device_id, secret)
    station = answer["station"]
    assert isinstance(station, dict)
    values = station_values(station)
    if existing is not None and existing.code != values["code"]:
        raise ActivationRefused(
            f"本终端已属于站点 {existing.code}，不能改为 {values['code']}。请使用新的数据目录。",
            f"This terminal belongs to {existing.code}; use a fresh data folder for another.",
        )
    with ctx.db.write() as s:
        s.execute(delete(Station))
        s.execute(
            insert(Station),
            {
                **values,
                "device_id": device_id,
                "central_url": central_url.rstrip("/"),
                "is_demo": False,
                "activated_at": utcnow(),
            },
        )
    OutboxStore(ctx.db, ctx.cipher).unblock()  # a new identity ends a blocked-auth pause
    return str(values["code"])


def device_identity(ctx: AppContext) -> tuple[str, DeviceIdentity] | None:
    """The centre's address and this terminal's identity, or None when not activated."""
    with ctx.db.read() as s:
        row = s.execute(select(Station.device_id, Station.central_url)).first()
    if row is None or not row[0] or not row[1]:
        return None
    secret = ctx.secrets.get_bytes(SECRET_PREFIX + str(row[0]))
    if secret is None:
        return None
    return str(row[1]), DeviceIdentity(str(row[0]), secret)


def centre_client(ctx: AppContext) -> CentralClient | None:
    """A signed client for this terminal's centre (the counter's and kiosk's interactive
    calls: log-in, e-vouchers, queries), or None when the terminal is not activated."""
    target = device_identity(ctx)
    if target is None:
        return None
    url, identity = target
    return CentralClient(url, identity)
