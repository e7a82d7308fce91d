"""Operators logging in at the terminal: online against the centre, offline against a verifier.

The first log-in of an operator on a terminal is online: the centre checks the password and
says for how many days this terminal may check it alone. The terminal then keeps a scrypt
verifier of the password (never the password) with that expiry, and when the centre cannot be
reached, checks against it. Only operators on the station's roster (from the centre) can log
in at all. Wrong passwords lock the operator out on this terminal for a while, whatever the
centre says; every log-in, refused or not, goes on the audit trail.

The centre is reached through a `CentreLogin` port that the composition root supplies (the
sync layer's client); this module knows nothing of HTTP. A port raises `CentreUnreachable`
when there is no answer, and then the offline path is taken; any other `UserFacingError` from
it is the centre's refusal and is final.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import insert, select, update

from app.crypto.password_verifier import check_verifier, make_verifier
from app.errors import UserFacingError
from app.services import audit
from app.services.station_service import OperatorInfo, StationService
from app.store.db import Database
from app.store.models import Operator, utcnow

MAX_FAILURES = 5
LOCK_MINUTES = 5


class CentreUnreachable(UserFacingError):
    """The centre did not answer (offline, timeout): the offline verifier decides."""


class LoginFailed(UserFacingError):
    pass


class OperatorInactive(UserFacingError):
    """The centre has suspended or removed this operator: the cached verifier is dropped."""


def wrong_password() -> LoginFailed:
    return LoginFailed("工号或密码不正确。", "Wrong operator code or password.")


class CentreAnswer(Protocol):
    @property
    def code(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def offline_login_days(self) -> int: ...
    @property
    def must_change_password(self) -> bool: ...


class CentreLogin(Protocol):
    def login(self, code: str, password: str) -> CentreAnswer: ...

    def change_password(self, code: str, old: str, new: str) -> None: ...


@dataclass(frozen=True)
class LoggedIn:
    operator: OperatorInfo
    online: bool  # checked by the centre (else by the offline verifier)
    must_change_password: bool
    offline_until: dt.datetime | None  # UTC, naive


class LoginService:
    def __init__(self, db: Database, now: Callable[[], dt.datetime] = utcnow) -> None:
        self._db = db
        self._now = now
        self._stations = StationService(db)

    def login(self, code: str, password: str, centre: CentreLogin | None) -> LoggedIn:
        """Check the password online when possible, else offline; raise with the reason."""
        code = code.strip().upper()
        row = self._row(code)
        now = self._now()
        if row is not None and row.locked_until is not None and row.locked_until > now:
            minutes = int((row.locked_until - now).total_seconds() // 60) + 1
            self._audit("operator.login_refused", code, "locked")
            raise LoginFailed(
                f"密码错误次数过多，请 {minutes} 分钟后再试。",
                f"Too many wrong passwords; try again in {minutes} minutes.",
            )
        if centre is not None:
            try:
                answer = centre.login(code, password)
            except CentreUnreachable:
                pass  # decided offline below
            except OperatorInactive:
                self._forget(code, "inactive at the centre")
                raise
            except LoginFailed:
                self._failed(code, row, "centre refused")
                raise
            except UserFacingError as exc:  # the terminal, not the operator, is refused
                self._audit("operator.login_refused", code, exc.en[:200])
                raise
            else:
                return self._online_success(code, password, answer)
        return self._offline(code, password, row)

    def change_password(self, code: str, old: str, new: str, centre: CentreLogin | None) -> None:
        """Online only: the centre holds the password; the offline verifier follows it."""
        if centre is None:
            raise UserFacingError("修改密码需要联网。", "Changing the password needs the network.")
        centre.change_password(code, old, new)
        with self._db.write() as s:
            s.execute(
                update(Operator)
                .where(Operator.code == code)
                .values(verifier=make_verifier(new), must_change_password=False)
            )
        self._audit("operator.password_changed", code, None)

    # ---- the two paths -----------------------------------------------------------------------
    def _online_success(self, code: str, password: str, answer: CentreAnswer) -> LoggedIn:
        until = self._now() + dt.timedelta(days=max(0, answer.offline_login_days))
        values = {
            "name": answer.name,
            "status": answer.status,
            "verifier": make_verifier(password),
            "verifier_until": until,
            "must_change_password": answer.must_change_password,
            "failed_logins": 0,
            "locked_until": None,
        }
        with self._db.write() as s:
            known = s.execute(select(Operator.id).where(Operator.code == code)).first()
            if known is not None:
                s.execute(update(Operator).where(Operator.code == code).values(**values))
            else:
                # On the centre's roster but not yet on this terminal's copy: the next
                # reference sync brings the roles; until then nothing is permitted.
                s.execute(insert(Operator), {"code": code, **values})
        self._audit("operator.login", code, "online")
        return LoggedIn(self._info(code), True, answer.must_change_password, until)

    def _offline(self, code: str, password: str, row: Operator | None) -> LoggedIn:
        now = self._now()
        if row is None or row.status != "active":
            self._audit("operator.login_refused", code, "not registered here")
            raise wrong_password()  # the same answer as a wrong password: no roster probing
        if row.verifier is None:
            self._audit("operator.login_refused", code, "first log-in offline")
            raise LoginFailed(
                "首次在本终端登录需要联网，请联网后再试。",
                "The first log-in on this terminal needs the network; connect and try again.",
            )
        if row.verifier_until is None or row.verifier_until < now:
            self._audit("operator.login_refused", code, "offline log-in expired")
            raise LoginFailed(
                "离线登录期限已过，请联网登录一次。",
                "Offline log-in has expired; log in once while online.",
            )
        if not check_verifier(row.verifier, password):
            self._failed(code, row, "wrong password (offline)")
            raise wrong_password()
        with self._db.write() as s:
            s.execute(
                update(Operator)
                .where(Operator.code == code)
                .values(failed_logins=0, locked_until=None)
            )
        self._audit("operator.login", code, "offline")
        return LoggedIn(self._info(code), False, row.must_change_password, row.verifier_until)

    # ---- helpers -----------------------------------------------------------------------------
    def _row(self, code: str) -> Operator | None:
        with self._db.read() as s:
            row = s.execute(select(Operator).where(Operator.code == code)).scalar_one_or_none()
            if row is not None:
                s.expunge(row)
            return row

    def _info(self, code: str) -> OperatorInfo:
        info = self._stations.operator(code)
        assert info is not None
        return info

    def _failed(self, code: str, row: Operator | None, why: str) -> None:
        self._audit("operator.login_refused", code, why)
        if row is None:
            return
        failures = row.failed_logins + 1
        locked = (
            self._now() + dt.timedelta(minutes=LOCK_MINUTES) if failures >= MAX_FAILURES else None
        )
        with self._db.write() as s:
            s.execute(
                update(Operator)
                .where(Operator.code == code)
                .values(failed_logins=0 if locked else failures, locked_until=locked)
            )

    def _forget(self, code: str, why: str) -> None:
        with self._db.write() as s:
            s.execute(
                update(Operator)
                .where(Operator.code == code)
                .values(verifier=None, verifier_until=None, status="inactive")
            )
        self._audit("operator.login_refused", code, why)

    def _audit(self, action: str, code: str, detail: str | None) -> None:
        with self._db.raw_write() as cur:
            audit.record(cur, action, operator=code, subject=f"operator:{code}", detail=detail)
