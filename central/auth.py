"""Device authentication (§4): HMAC-SHA256 over method, path, timestamp, nonce and body hash.

Checks run in an order that tells an outsider nothing: the signature is verified before the
device's status or the clock is looked at, so only the holder of the secret learns that a
device was revoked or that its clock is off. The nonce is recorded last, under a primary key,
so two copies of one request racing each other cannot both get through.

Every request pays one short write transaction, the nonce's insert. Housekeeping rides along
only now and then: expired nonces are deleted at most once a minute (a nonce kept a little past
600 s refuses nothing a well-behaved device sends, since devices never reuse one), and a
device's `last_seen_at` is written at most once a minute.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from fastapi import Request
from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from starlette.concurrency import run_in_threadpool

from central.clock import unix_now, utcnow
from central.db import Database
from central.errors import ApiError, too_large
from central.models import Device, Nonce, Station, table_of
from central.stations import status_of

CLOCK_SKEW_S = 300
NONCE_TTL_S = 600
PURGE_EVERY_S = 60  # expired nonces are deleted at most this often
SEEN_EVERY_S = 60  # a device's last_seen_at is written at most this often
_DEVICES = table_of(Device)
_STATIONS = table_of(Station)
_NONCES = table_of(Nonce)

# Built once: every request runs them.
_DEVICE_FACTS = (
    select(
        _DEVICES.c.secret,
        _DEVICES.c.status,
        _DEVICES.c.station_code,
        _STATIONS.c.status,
        _STATIONS.c.valid_until,
    )
    .select_from(_DEVICES.outerjoin(_STATIONS, _STATIONS.c.code == _DEVICES.c.station_code))
    .where(_DEVICES.c.device_id == bindparam("device"))
)
_PURGE_NONCES = delete(_NONCES).where(_NONCES.c.seen_at < bindparam("before"))
_ADD_NONCE = insert(_NONCES)
_MARK_SEEN = (
    update(_DEVICES)
    .where(_DEVICES.c.device_id == bindparam("device"))
    .values(last_seen_at=bindparam("at"))
)
_NONCE = re.compile(r"^[0-9a-fA-F]{32}$")
_SIGNATURE = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class Caller:
    """An authenticated device, its station and the exact body it signed."""

    device_id: str
    station_code: str
    body: bytes


def string_to_sign(method: str, target: str, timestamp: str, nonce: str, body: bytes) -> bytes:
    """The five lines of §4; `target` is the path with its query string exactly as sent."""
    lines = [method.upper(), target, timestamp, nonce, hashlib.sha256(body).hexdigest()]
    return "\n".join(lines).encode()


def request_target(request: Request) -> str:
    """The path and query as they came over the wire (not percent-decoded)."""
    raw = request.scope.get("raw_path")
    path = raw.decode("latin-1") if raw else request.url.path
    query = request.scope.get("query_string", b"").decode("latin-1")
    return f"{path}?{query}" if query else path


async def read_body(request: Request, limit: int) -> bytes:
    """The body, refused with 413 as soon as it grows past `limit` bytes."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise too_large(f"请求体超过 {limit} 字节", f"body over {limit} bytes")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise too_large(f"请求体超过 {limit} 字节", f"body over {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def _auth_error(error: str, zh: str, en: str) -> ApiError:
    return ApiError(401, error, zh, en)


class Verifier:
    def __init__(self, db: Database) -> None:
        self._db = db
        self._lock = threading.Lock()
        self._purged_at = 0  # unix seconds of the last purge of expired nonces
        self._seen_at: dict[str, int] = {}  # device → when its last_seen_at was last written

    def verify(
        self, method: str, target: str, headers: dict[str, str], body: bytes, now: int
    ) -> Caller:
        device_id = headers.get("x-yibao-device", "")
        timestamp = headers.get("x-yibao-timestamp", "")
        nonce = headers.get("x-yibao-nonce", "")
        signature = headers.get("x-yibao-signature", "")
        if not (device_id and timestamp and nonce and signature):
            raise _auth_error("auth_missing", "请求未签名", "The request is not signed")
        if not re.fullmatch(r"-?\d{1,12}", timestamp) or not _NONCE.match(nonce):
            raise _auth_error(
                "auth_missing",
                "签名头格式不对（时间戳须为整数秒，随机数须为 32 位十六进制）",
                "Malformed signing headers (integer timestamp, 32 hex-digit nonce)",
            )
        with self._db.read_core() as conn:
            device = conn.execute(_DEVICE_FACTS, {"device": device_id}).first()
        if device is None:
            raise _auth_error(
                "auth_unknown_device",
                "中心不认识此终端",
                "The centre does not know this device",
            )
        secret, status, station_code, station_status, valid_until = device
        station_ok = station_status is not None and (
            status_of(station_status, valid_until) == "active"
        )
        expected = hmac.new(
            secret, string_to_sign(method, target, timestamp, nonce, body), hashlib.sha256
        ).hexdigest()
        given = signature.lower()
        if not _SIGNATURE.match(given) or not hmac.compare_digest(expected, given):
            raise _auth_error("auth_bad_signature", "请求签名无效", "Bad request signature")
        if status != "active":
            raise ApiError(403, "device_revoked", "此终端已被停用", "This device has been revoked")
        if not station_ok:
            raise ApiError(
                403,
                "station_inactive",
                "站点已暂停或已过有效期",
                "The station is suspended or expired",
            )
        if abs(now - int(timestamp)) > CLOCK_SKEW_S:
            raise _auth_error("auth_clock_skew", "终端时间与中心相差过大", "Terminal clock is off")
        self._remember_nonce(device_id, nonce, now)
        return Caller(device_id=device_id, station_code=station_code, body=body)

    def _remember_nonce(self, device_id: str, nonce: str, now: int) -> None:
        with self._lock:
            purge = now - self._purged_at >= PURGE_EVERY_S
            seen = now - self._seen_at.get(device_id, 0) >= SEEN_EVERY_S
        try:
            with self._db.write_core() as conn:
                if purge:
                    conn.execute(_PURGE_NONCES, {"before": now - NONCE_TTL_S})
                conn.execute(_ADD_NONCE, {"device_id": device_id, "nonce": nonce, "seen_at": now})
                if seen:
                    conn.execute(_MARK_SEEN, {"device": device_id, "at": utcnow()})
        except IntegrityError:
            raise _auth_error(
                "auth_replay", "请求重复（随机数已用过）", "This nonce was already used"
            ) from None
        with self._lock:  # committed: the housekeeping is done
            if purge:
                self._purged_at = max(self._purged_at, now)
            if seen:
                self._seen_at[device_id] = max(self._seen_at.get(device_id, 0), now)


def signed(limit: int) -> Callable[[Request], Awaitable[Caller]]:
    """A FastAPI dependency: the authenticated caller of a request whose body is at most
    `limit` bytes."""

    async def dependency(request: Request) -> Caller:
        body = await read_body(request, limit)
        verifier: Verifier = request.app.state.verifier
        headers = {k.lower(): v for k, v in request.headers.items()}
        return await run_in_threadpool(
            verifier.verify, request.method, request_target(request), headers, body, unix_now()
        )

    return dependency
