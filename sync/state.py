"""The sync engine's memory in the store: cursor, versions, backoff, lease, last success."""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import secrets
import socket

from sqlalchemy import delete, insert, select, update

from app.store.db import Database
from app.store.models import SyncLease, SyncState, utcnow

log = logging.getLogger(__name__)

LEASE_ID = 1


def new_holder() -> str:
    """`host:pid:random`: enough to tell whether a lease's holder is still running here."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"


def holder_alive(holder: str) -> bool:
    """False only when the holder was a process on this host that no longer exists.

    A run killed with SIGKILL (or a power cut) leaves its lease behind; without this the
    next run would wait the lease out. On Windows `os.kill(pid, 0)` would terminate the
    process, so there the lease simply expires.
    """
    host, _, rest = holder.partition(":")
    pid_text = rest.partition(":")[0]
    if os.name != "posix" or host != socket.gethostname() or not pid_text.isdigit():
        return True
    pid = int(pid_text)
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


# Device health as the running window last saw it, for the heartbeat (JSON list of objects
# with kind, present, working, simulated, last_error; no personal data).
DEVICES_KEY = "devices"
# The clock offset the centre answered to the last heartbeat (centre minus terminal, whole
# seconds, as the centre measured it) and when (ISO, UTC). Unlike "clock_offset_s", which the
# transport updates from every answer to sign requests, this is the figure the centre keeps.
CENTRE_OFFSET_KEY = "centre_clock_offset_s"
CENTRE_OFFSET_AT_KEY = "centre_clock_offset_at"


class SyncStateStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    def get(self, key: str, default: str | None = None) -> str | None:
        with self._db.read() as s:
            value = s.execute(select(SyncState.value).where(SyncState.key == key)).scalar()
        return default if value is None else str(value)

    def set(self, **values: str | None) -> None:
        with self._db.write() as s:
            for key, value in values.items():
                s.execute(delete(SyncState).where(SyncState.key == key))
                if value is not None:
                    s.execute(insert(SyncState), {"key": key, "value": value})

    def device_health(self) -> list[dict[str, object]]:
        """Device health as the running window last saved it (`DEVICES_KEY`); [] if none."""
        raw = self.get(DEVICES_KEY)
        if not raw:
            return []
        try:
            value = json.loads(raw)
        except ValueError:
            log.warning("saved device health is not JSON; ignoring it")
            return []
        return [d for d in value if isinstance(d, dict)] if isinstance(value, list) else []

    def set_device_health(self, devices: list[dict[str, object]]) -> None:
        self.set(**{DEVICES_KEY: json.dumps(devices, ensure_ascii=False)})

    def centre_clock_offset(self) -> tuple[int, str] | None:
        """The offset the centre answered to the last heartbeat and when; None before one."""
        raw = self.get(CENTRE_OFFSET_KEY)
        if raw is None:
            return None
        try:
            return int(raw), self.get(CENTRE_OFFSET_AT_KEY) or ""
        except ValueError:
            return None

    def set_centre_clock_offset(self, offset_s: int, at: dt.datetime) -> None:
        self.set(**{CENTRE_OFFSET_KEY: str(offset_s), CENTRE_OFFSET_AT_KEY: at.isoformat() + "Z"})

    def all(self) -> dict[str, str]:
        with self._db.read() as s:
            return {k: v for k, v in s.execute(select(SyncState.key, SyncState.value))}

    # ---- the lease: never two senders ---------------------------------------------------
    def acquire_lease(self, holder: str, seconds: float) -> bool:
        """Take the lease if it is free, expired or already ours; True when we hold it."""
        now = utcnow()
        until = now + dt.timedelta(seconds=seconds)
        with self._db.write() as s:  # BEGIN IMMEDIATE: one writer decides at a time
            row = s.execute(select(SyncLease).where(SyncLease.id == LEASE_ID)).scalar()
            if row is None:
                s.execute(
                    insert(SyncLease), {"id": LEASE_ID, "holder": holder, "expires_at": until}
                )
                return True
            if (
                row.holder not in (None, holder)
                and row.expires_at
                and row.expires_at > now
                and holder_alive(row.holder)
            ):
                return False
            s.execute(
                update(SyncLease)
                .where(SyncLease.id == LEASE_ID)
                .values(holder=holder, expires_at=until)
            )
            return True

    def release_lease(self, holder: str) -> None:
        with self._db.write() as s:
            s.execute(
                update(SyncLease)
                .where(SyncLease.id == LEASE_ID, SyncLease.holder == holder)
                .values(holder=None, expires_at=None)
            )
