"""Operators log in against the centre (protocol §10), for the calling station only.

Only registered staff with a password set by an administrator can log in. The terminal sends
the operator's code and password in a signed request (§4); the centre checks the password
against its scrypt verifier (central.passwords) and answers who the operator is, their roles
and how many days the terminal may let them in offline afterwards. The terminal then keeps a
verifier of its own; the centre never sends one.

Refusals tell an outsider nothing: an unknown code, an operator of another station, one
without a password and a wrong password all get the same `login_failed`, each after a
password check of the same cost. Only with the right password does a suspended operator learn
`operator_inactive`, so the terminal can drop what it cached. Five wrong passwords in a row
lock the operator for 15 minutes (`login_locked`, even for the right password); the roster
(§7) already lists the station's operators for its terminals, so saying "locked" reveals no
one.

The slow part, scrypt, runs outside any transaction: the operator's row is read, the password
checked, and the outcome written in a short write transaction that re-reads the row, so a
password changed or a lock set in between is honoured. Logs name the device, the station and
a known operator's code; never a password, a verifier, or a code that matched no one (people
type passwords into the code field).
"""

from __future__ import annotations

import datetime as dt
import logging
import math
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, StringConstraints

from central import passwords
from central.auth import Caller
from central.clock import iso_z, unix_now, utcnow
from central.db import Database
from central.errors import ApiError
from central.models import Operator, Station

log = logging.getLogger(__name__)

LOCK_AFTER = 5  # wrong passwords in a row
LOCK_FOR = dt.timedelta(minutes=15)
OFFLINE_DAYS_DEFAULT = 7
OFFLINE_DAYS_MAX = 90

Code = Annotated[str, StringConstraints(max_length=64)]
Password = Annotated[str, StringConstraints(max_length=1024)]


class LoginRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")

    operator: Code
    password: Password


class PasswordChangeRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")

    operator: Code
    old_password: Password
    new_password: Password


class _Outcome(StrEnum):
    OK = "ok"
    FAILED = "failed"
    LOCKED = "locked"
    INACTIVE = "inactive"


@dataclass(frozen=True)
class _Seen:
    """An operator's row as read before the password check."""

    verifier: str | None
    locked_until: dt.datetime | None


def login_failed() -> ApiError:
    return ApiError(401, "login_failed", "工号或密码不正确", "Wrong operator code or password")


def login_locked(until: dt.datetime, moment: dt.datetime) -> ApiError:
    seconds = max(1, math.ceil((until - moment).total_seconds()))
    minutes = math.ceil(seconds / 60)
    return ApiError(
        429,
        "login_locked",
        f"密码错误次数过多，此工号已锁定，请 {minutes} 分钟后再试",
        f"Too many wrong passwords: this operator is locked; try again in {minutes} min",
        headers={"Retry-After": str(seconds)},
        retry_after_s=seconds,
    )


def operator_inactive() -> ApiError:
    return ApiError(
        403, "operator_inactive", "此工号已停用，不能登录", "This operator is suspended"
    )


def password_weak(rule: passwords.Weakness) -> ApiError:
    zh, en = passwords.WEAKNESS_TEXT[rule]
    return ApiError(422, "password_weak", zh, en, rule=rule.value)


def _seen(db: Database, station_code: str, code: str) -> _Seen | None:
    with db.read() as s:
        row = s.get(Operator, (station_code, code)) if code else None
        if row is None:
            return None
        return _Seen(row.password_verifier, row.locked_until)


def _locked(until: dt.datetime | None, moment: dt.datetime) -> bool:
    return until is not None and until > moment


def _count_failure(row: Operator, moment: dt.datetime) -> _Outcome:
    row.failed_logins += 1
    if row.failed_logins < LOCK_AFTER:
        return _Outcome.FAILED
    row.failed_logins = 0  # after the lock, another LOCK_AFTER tries
    row.locked_until = moment + LOCK_FOR
    return _Outcome.LOCKED


def _refuse(outcome: _Outcome, row_locked_until: dt.datetime | None, moment: dt.datetime) -> None:
    if outcome is _Outcome.LOCKED and row_locked_until is not None:
        raise login_locked(row_locked_until, moment)
    if outcome is _Outcome.INACTIVE:
        raise operator_inactive()
    if outcome is not _Outcome.OK:
        raise login_failed()


def login(
    db: Database, caller: Caller, code: str, password: str, now: dt.datetime | None = None
) -> dict[str, Any]:
    """Who the operator is (§10), or `login_failed` (401), `login_locked` (429),
    `operator_inactive` (403)."""
    moment = now or utcnow()
    seen = _seen(db, caller.station_code, code)
    if seen is not None and _locked(seen.locked_until, moment):
        assert seen.locked_until is not None
        log.info(
            "operator login refused: %s locked (device %s, station %s)",
            code,
            caller.device_id,
            caller.station_code,
        )
        raise login_locked(seen.locked_until, moment)
    good = passwords.check(seen.verifier if seen else None, password)
    if seen is None or seen.verifier is None:
        log.info(
            "operator login refused: %s (device %s, station %s)",
            "no password set" if seen else "unknown operator",
            caller.device_id,
            caller.station_code,
        )
        raise login_failed()
    rehash = good and passwords.needs_rehash(seen.verifier)
    rehashed = passwords.make_verifier(password) if rehash else None
    answer: dict[str, Any] | None = None
    with db.write() as s:
        row = s.get(Operator, (caller.station_code, code))
        station = s.get(Station, caller.station_code)
        assert station is not None  # authentication found it
        if row is None or row.password_verifier != seen.verifier:
            outcome = _Outcome.FAILED  # removed, or its password changed meanwhile
        elif _locked(row.locked_until, moment):
            outcome = _Outcome.LOCKED
        elif not good:
            outcome = _count_failure(row, moment)
        else:
            row.failed_logins, row.locked_until = 0, None
            outcome = _Outcome.OK if row.status == "active" else _Outcome.INACTIVE
        if outcome is _Outcome.OK and row is not None:
            row.last_login_at = moment
            if rehashed is not None:
                row.password_verifier = rehashed
            answer = {
                "operator": {
                    "code": row.code,
                    "name": row.name,
                    "status": row.status,
                    "roles": list(row.roles),
                },
                "offline_login_days": station.offline_login_days,
                "must_change_password": row.must_change_password,
                "password_changed_at": _iso(row.password_changed_at),
                "server_time": unix_now(),
            }
        locked_until = row.locked_until if row is not None else None
    log.info(
        "operator login %s: %s (device %s, station %s)",
        _verdict(outcome),
        code,
        caller.device_id,
        caller.station_code,
    )
    _refuse(outcome, locked_until, moment)
    assert answer is not None
    return answer


def change_password(
    db: Database,
    caller: Caller,
    code: str,
    old: str,
    new: str,
    now: dt.datetime | None = None,
) -> dict[str, Any]:
    """Replace the operator's password (§10): `password_weak` (422) before anything else, then
    the same refusals as `login`. Clears `must_change_password`."""
    rule = passwords.weakness(new, old)
    if rule is not None:
        log.info("password change refused: %s (device %s)", rule.value, caller.device_id)
        raise password_weak(rule)
    moment = now or utcnow()
    seen = _seen(db, caller.station_code, code)
    if seen is not None and _locked(seen.locked_until, moment):
        assert seen.locked_until is not None
        log.info("password change refused: %s locked (device %s)", code, caller.device_id)
        raise login_locked(seen.locked_until, moment)
    good = passwords.check(seen.verifier if seen else None, old)
    if seen is None or seen.verifier is None:
        log.info(
            "password change refused: unknown operator or no password (device %s, station %s)",
            caller.device_id,
            caller.station_code,
        )
        raise login_failed()
    verifier = passwords.make_verifier(new) if good else None
    with db.write() as s:
        row = s.get(Operator, (caller.station_code, code))
        if row is None or row.password_verifier != seen.verifier:
            outcome = _Outcome.FAILED
        elif _locked(row.locked_until, moment):
            outcome = _Outcome.LOCKED
        elif not good:
            outcome = _count_failure(row, moment)
        elif row.status != "active":
            row.failed_logins, row.locked_until = 0, None
            outcome = _Outcome.INACTIVE
        else:
            assert verifier is not None
            row.password_verifier = verifier
            row.password_changed_at = moment
            row.must_change_password = False
            row.failed_logins, row.locked_until = 0, None
            outcome = _Outcome.OK
        changed_at = row.password_changed_at if row is not None else None
        locked_until = row.locked_until if row is not None else None
    log.info(
        "password change %s: %s (device %s, station %s)",
        _verdict(outcome),
        code,
        caller.device_id,
        caller.station_code,
    )
    _refuse(outcome, locked_until, moment)
    return {"changed": True, "password_changed_at": _iso(changed_at), "server_time": unix_now()}


def _verdict(outcome: _Outcome) -> str:
    return "ok" if outcome is _Outcome.OK else f"refused, {outcome.value}"


def _iso(moment: dt.datetime | None) -> str | None:
    return iso_z(moment) if moment is not None else None
