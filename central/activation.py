"""Enrolment codes and device activation (§3).

A code is a credential: only its SHA-256 is stored, it works once and it expires. Using it
and creating the device happen in one transaction, so a code cannot activate two devices.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import re
import secrets
from typing import Any

from sqlalchemy import select

from central.clock import unix_now, utcnow
from central.db import Database
from central.errors import ApiError
from central.models import Device, EnrolmentCode, Station
from central.schemas import ActivateRequest
from central.stations import station_is_active, station_view

# No 0/O, 1/I/L, U: codes are read aloud and typed by hand.
_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_enrolment_code() -> str:
    """Like `K7QH-2MXP-9TBD`: 12 characters, about 59 bits."""
    chars = "".join(secrets.choice(_ALPHABET) for _ in range(12))
    return f"{chars[:4]}-{chars[4:8]}-{chars[8:]}"


def code_digest(code: str) -> str:
    """The stored form of a code; case, spaces and hyphens do not matter."""
    normal = re.sub(r"[\s-]", "", code).upper()
    return hashlib.sha256(normal.encode()).hexdigest()


def _invalid_code() -> ApiError:
    return ApiError(
        410,
        "enrolment_code_invalid",
        "激活码无效、已使用或已过期，请向管理员申请新的激活码",
        "The enrolment code is unknown, used or expired; ask for a new one",
    )


def activate(
    db: Database, request: ActivateRequest, now: dt.datetime | None = None
) -> dict[str, Any]:
    moment = now or utcnow()
    with db.write() as s:
        code = s.execute(
            select(EnrolmentCode)
            .where(EnrolmentCode.code_sha256 == code_digest(request.enrolment_code))
            .with_for_update()
        ).scalar_one_or_none()
        if code is None or code.used_at is not None or code.expires_at <= moment:
            raise _invalid_code()
        station = s.get(Station, code.station_code)
        if station is None or not station_is_active(station):
            raise ApiError(
                403,
                "station_inactive",
                "站点已暂停或已过有效期",
                "The station is suspended or expired",
            )
        device_id = "dev_" + secrets.token_hex(12)
        secret = secrets.token_bytes(32)
        code.used_at = moment
        code.used_by = device_id
        s.add(
            Device(
                device_id=device_id,
                station_code=station.code,
                name=request.device_name,
                secret=secret,
                status="active",
                client_version=request.client_version,
                activated_at=moment,
            )
        )
        return {
            "device_id": device_id,
            "device_secret": base64.b64encode(secret).decode(),
            "station": station_view(station),
            "server_time": unix_now(),
        }
