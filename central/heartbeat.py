"""Heartbeats (§8): what a terminal says about itself, kept for the centre's monitoring.

`latest` is the monitoring view (`yibao central heartbeats`): the last beat of every
terminal, with the conditions someone has to go and fix flagged (a printer out of paper, a
card reader that failed, a disk nearly full, a clock far off).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from app.errors import UserFacingError
from central.clock import iso_z, unix_now, utcnow
from central.db import Database
from central.models import Device, Heartbeat, Station
from central.schemas import HeartbeatRequest

LOW_DISK_BYTES = 1024**3  # under 1 GiB free the store, photos and logs soon stop fitting
# Over 5 minutes off: the times on filings, receipts and the daily restart are wrong, and
# requests are signed only thanks to the offset the terminal learnt (auth.CLOCK_SKEW_S).
CLOCK_OFF_S = 300
READERS = ("id_card", "ssc_card")
PRINTERS = ("receipt_printer", "document_printer")

# Flag → (Chinese, English), in the order they are shown.
FLAGS: dict[str, tuple[str, str]] = {
    "paper_out": ("打印机缺纸", "printer out of paper"),
    "reader_failed": ("读卡器故障", "card reader failed"),
    "low_disk": ("磁盘空间不足 1 GiB", "less than 1 GiB of disk free"),
    "clock_off": ("时钟偏差超过 5 分钟", "clock off by more than 5 minutes"),
}


def record_heartbeat(db: Database, device_id: str, beat: HeartbeatRequest) -> dict[str, Any]:
    server_time = unix_now()
    offset = server_time - beat.client_time  # add it to the client's clock to get the centre's
    with db.write() as s:
        s.add(
            Heartbeat(
                device_id=device_id,
                received_at=utcnow(),
                client_version=beat.client_version,
                client_time=beat.client_time,
                clock_offset_s=offset,
                outbox=dict(beat.outbox),
                oldest_unsent_age_s=beat.oldest_unsent_age_s,
                needs_attention=beat.needs_attention,
                devices=[d.model_dump() for d in beat.devices],
                free_disk_bytes=beat.free_disk_bytes,
                last_clock_offset_s=beat.last_clock_offset_s,
            )
        )
        device = s.get(Device, device_id)
        if device is not None:
            device.client_version = beat.client_version
    return {"server_time": server_time, "clock_offset_s": offset}


def flags_of(beat: Heartbeat) -> list[str]:
    """What needs someone's attention in this beat (keys of `FLAGS`)."""
    devices = [d for d in beat.devices or [] if isinstance(d, dict)]
    found = []
    if any(d.get("name") in PRINTERS and d.get("paper") == "out" for d in devices):
        found.append("paper_out")
    if any(d.get("name") in READERS and d.get("present") and not d.get("working") for d in devices):
        found.append("reader_failed")
    if beat.free_disk_bytes is not None and beat.free_disk_bytes < LOW_DISK_BYTES:
        found.append("low_disk")
    if abs(beat.clock_offset_s) > CLOCK_OFF_S:
        found.append("clock_off")
    return found


def latest(db: Database, station_code: str | None = None) -> dict[str, Any]:
    """The last heartbeat of every terminal (of one station, or all), oldest beat first so
    the terminals that went quiet lead the list."""
    with db.read() as s:
        if station_code is not None and s.get(Station, station_code) is None:
            raise UserFacingError(f"没有站点 {station_code}。", f"No station {station_code}.")
        last_ids = (
            select(func.max(Heartbeat.id).label("id")).group_by(Heartbeat.device_id).subquery()
        )
        query = (
            select(Heartbeat, Device)
            .join(last_ids, Heartbeat.id == last_ids.c.id)
            .join(Device, Device.device_id == Heartbeat.device_id)
            .order_by(Heartbeat.received_at, Heartbeat.id)
        )
        if station_code is not None:
            query = query.where(Device.station_code == station_code)
        rows = []
        for beat, device in s.execute(query).all():
            last = beat.last_clock_offset_s
            rows.append(
                {
                    "device_id": device.device_id,
                    "name": device.name,
                    "station": device.station_code,
                    "status": device.status,
                    "received_at": iso_z(beat.received_at),
                    "client_version": beat.client_version,
                    "outbox": dict(beat.outbox or {}),
                    "oldest_unsent_age_s": beat.oldest_unsent_age_s,
                    "needs_attention": beat.needs_attention,
                    "devices": list(beat.devices or []),
                    "free_disk_bytes": beat.free_disk_bytes,
                    "clock_offset_s": beat.clock_offset_s,
                    "last_clock_offset_s": last,
                    "clock_drift_s": None if last is None else beat.clock_offset_s - last,
                    "flags": flags_of(beat),
                }
            )
    return {"station": station_code, "terminals": rows}
