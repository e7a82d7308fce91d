"""Heartbeats (§8): what a terminal says about itself, kept for the centre's monitoring."""

from __future__ import annotations

from typing import Any

from central.clock import unix_now, utcnow
from central.db import Database
from central.models import Device, Heartbeat
from central.schemas import HeartbeatRequest


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
            )
        )
        device = s.get(Device, device_id)
        if device is not None:
            device.client_version = beat.client_version
    return {"server_time": server_time, "clock_offset_s": offset}
