"""Operators log in against the centre (protocol §10): the online half of the terminal's log-in.

`CentreLogin.login` asks the centre whether an operator code and password are right and
returns who the operator is, their roles and how many days the terminal may let them in
offline afterwards. Every failure is a `CentreLoginError` (a `UserFacingError`, Chinese and
English), and the kinds are told apart on purpose:

- `LoginRefused`, `LoginLocked`, `OperatorInactive`: the centre judged the credentials. The
  terminal must not fall back to its offline verifier (a wrong password is wrong offline too;
  a suspended operator's cached verifier should be dropped).
- `CentreUnreachable` (and its subclass `CentreUnavailable`, the centre answered but could not
  judge: it failed, is busy, or does not offer §10): nobody judged the credentials, so the
  terminal falls back to the offline verifier it cached at the last online log-in.
- `TerminalNotAllowed`: this terminal may not talk to the centre at all (not activated,
  revoked, station suspended, clock far off). No fallback: the station may not work.

Calls block for at most about 2 s to connect and 5 s for the answer (twice when the centre
asks for a fresh signature), so the GUI runs them on a task lane. `CentreLogin` should own its
`CentralClient`: a client is not thread-safe, and the sync engine's runs on another thread.
Nothing here keeps or logs a password.

A password change whose answer was lost (`CentreUnreachable` with `maybe_delivered`) may have
happened at the centre. When the operator then tries the same change again and the centre
refuses the old password, `change_password` logs in with the new one to find out: if that
works, the first change went through and the call returns as a success.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from app.errors import UserFacingError
from app.services import login_service
from sync.errors import CentreRefused, Reaction, TransportFailure
from sync.transport import CentralClient, Timeouts, once_more_if_resigned

log = logging.getLogger(__name__)

LOGIN_TIMEOUTS = Timeouts(connect=2.0, read=5.0)
CODE_MAX = 64  # the centre refuses longer request fields as malformed
PASSWORD_MAX = 1024


@dataclass(frozen=True)
class CentreLoginResult:
    """Who logged in, as the centre says. `password_changed_at` (naive UTC, None when the
    centre does not say) lets the terminal tell a verifier of an older password."""

    code: str
    name: str
    status: str
    roles: tuple[str, ...]
    offline_login_days: int
    must_change_password: bool
    password_changed_at: dt.datetime | None = None


class CentreLoginError(UserFacingError):
    """The centre did not let the operator in, or could not be asked."""


class LoginRefused(CentreLoginError, login_service.LoginFailed):
    """Wrong code or password, or no one the centre lets in under that code (`login_failed`)."""

    def __init__(self) -> None:
        super().__init__("工号或密码不正确。", "Wrong operator code or password.")


class LoginLocked(CentreLoginError, login_service.LoginFailed):
    """Too many wrong passwords in a row: the centre refuses this operator for a while."""

    def __init__(self, retry_after_s: int) -> None:
        self.retry_after_s = max(1, retry_after_s)
        self.minutes = math.ceil(self.retry_after_s / 60)
        super().__init__(
            f"密码错误次数过多，此工号已锁定，请 {self.minutes} 分钟后再试。",
            f"Too many wrong passwords: this operator is locked; try again in {self.minutes} "
            f"minute{'s' if self.minutes != 1 else ''}.",
        )


class OperatorInactive(CentreLoginError, login_service.OperatorInactive):
    """The password is right but the operator is suspended: drop what the terminal cached."""

    def __init__(self) -> None:
        super().__init__(
            "此工号已停用，不能登录；如有疑问请联系医保经办机构。",
            "This operator has been suspended and cannot log in; ask the medical-insurance office.",
        )


_WEAK_TEXT = {
    "too_short": ("新密码至少 8 位。", "The new password needs at least 8 characters."),
    "too_long": ("新密码不能超过 128 位。", "The new password has at most 128 characters."),
    "digits_only": (
        "纯数字密码至少 10 位；请加入字母或符号。",
        "A password of digits only needs at least 10; add letters or symbols.",
    ),
    "same_as_old": ("新密码不能与原密码相同。", "The new password must differ from the old one."),
}


class PasswordWeak(CentreLoginError):
    """The centre refuses the new password; `rule` says which rule it breaks (§10)."""

    def __init__(self, rule: str, zh: str = "", en: str = "") -> None:
        self.rule = rule
        known = _WEAK_TEXT.get(rule)
        super().__init__(
            *(known or (zh or "新密码不符合要求。", en or "The new password is not allowed."))
        )


class CentreUnreachable(CentreLoginError, login_service.CentreUnreachable):
    """No judgement on the credentials: the terminal may fall back to its offline verifier.
    `maybe_delivered`: the request may have reached the centre (a change may have happened)."""

    maybe_delivered = False

    def __init__(self, *, maybe_delivered: bool = False) -> None:
        self.maybe_delivered = maybe_delivered
        super().__init__(
            "无法连接医保平台，不能在线验证工号和密码。",
            "Cannot reach the medical-insurance platform to check the code and password.",
        )


class CentreUnavailable(CentreUnreachable):
    """The centre answered without judging the credentials (it failed, is busy, or does not
    offer operator log-in); like unreachable for the terminal."""

    def __init__(self) -> None:
        self.maybe_delivered = True
        CentreLoginError.__init__(
            self,
            "医保平台暂时无法验证工号和密码。",
            "The medical-insurance platform cannot check the code and password just now.",
        )


class TerminalNotAllowed(CentreLoginError):
    """The centre refuses this terminal (not activated, revoked, station suspended)."""

    def __init__(self, detail_zh: str = "", detail_en: str = "") -> None:
        zh = f"（{detail_zh}）" if detail_zh else ""
        en = f" ({detail_en})" if detail_en else ""
        super().__init__(
            f"本终端不能登录医保平台{zh}，请联系技术人员。",
            f"This terminal may not log in at the platform{en}; call the technician.",
        )


class CentreLogin:
    """Operator log-in and password change at the centre, over one `CentralClient`."""

    def __init__(self, client: CentralClient, timeouts: Timeouts = LOGIN_TIMEOUTS) -> None:
        self._client = client
        self.timeouts = timeouts
        self._lock = threading.Lock()  # one CentralClient, one request at a time
        self._unsure: str | None = None  # whose last password change may have happened
        self.last_round_trip_ms: float | None = None

    def login(self, code: str, password: str) -> CentreLoginResult:
        """The operator as the centre knows them; raises a `CentreLoginError` subclass
        otherwise. Blocks; not for the GUI thread."""
        code = code.strip()
        if not code or not password or len(code) > CODE_MAX or len(password) > PASSWORD_MAX:
            raise LoginRefused()  # nobody could have such a code or password
        answer = self._ask(
            lambda: self._client.login_operator(code, password, timeouts=self.timeouts)
        )
        return _result(code, answer)

    def change_password(self, code: str, old: str, new: str) -> None:
        """Replace the operator's password at the centre (online only); raises
        `LoginRefused` when `old` is wrong (it counts towards the lock-out), `PasswordWeak`,
        or another `CentreLoginError`."""
        code = code.strip()
        if not code or not old or len(code) > CODE_MAX or len(old) > PASSWORD_MAX:
            raise LoginRefused()
        if len(new) > PASSWORD_MAX:
            raise PasswordWeak("too_long")
        unsure, self._unsure = self._unsure == code, None
        try:
            self._ask(
                lambda: self._client.change_operator_password(
                    code, old, new, timeouts=self.timeouts
                )
            )
        except CentreUnreachable as exc:
            if exc.maybe_delivered:
                self._unsure = code
            raise
        except LoginRefused:
            if not unsure:
                raise
            # The last change's answer was lost: if the new password works, it went through.
            self.login(code, new)
            log.info("operator password change: an earlier attempt had gone through")

    def _ask(self, call: Callable[[], dict[str, Any]]) -> dict[str, Any]:
        with self._lock:
            started = time.perf_counter()
            try:
                return once_more_if_resigned(call)
            except TransportFailure as exc:
                log.info(
                    "operator log-in: the centre did not answer (%s)",
                    type(exc.__cause__).__name__,
                )
                raise CentreUnreachable(maybe_delivered=exc.maybe_delivered) from exc
            except CentreRefused as exc:
                raise _refusal(exc) from exc
            finally:
                self.last_round_trip_ms = (time.perf_counter() - started) * 1000


def _refusal(exc: CentreRefused) -> CentreLoginError:
    log.info("operator log-in refused by the centre: %s %s", exc.status, exc.error)
    if exc.error == "login_failed":
        return LoginRefused()
    if exc.error == "login_locked":
        seconds = exc.body.get("retry_after_s")
        if not isinstance(seconds, int | float):
            seconds = exc.retry_after if exc.retry_after is not None else 15 * 60
        return LoginLocked(math.ceil(seconds))
    if exc.error == "operator_inactive":
        return OperatorInactive()
    if exc.error == "password_weak":
        return PasswordWeak(str(exc.body.get("rule") or ""), exc.zh, exc.en)
    if exc.reaction in (Reaction.BLOCK_AUTH, Reaction.BLOCK_CONFIG, Reaction.FIX_CLOCK):
        return TerminalNotAllowed(exc.zh, exc.en)
    # 5xx, 429, a centre without §10 (404), or an answer this client does not understand.
    log.warning("operator log-in: the centre could not judge (%s %s)", exc.status, exc.error)
    return CentreUnavailable()


def _result(code: str, answer: dict[str, Any]) -> CentreLoginResult:
    operator = answer.get("operator")
    days = answer.get("offline_login_days")
    must_change = answer.get("must_change_password")
    if (
        not isinstance(operator, dict)
        or operator.get("code") != code
        or not isinstance(operator.get("name"), str)
        or not isinstance(operator.get("roles"), list)
        or not all(isinstance(r, str) for r in operator["roles"])
        or not isinstance(days, int)
        or isinstance(days, bool)
        or days < 0
        or not isinstance(must_change, bool)
    ):
        log.warning("operator log-in: the centre's answer is not understood")
        raise CentreUnavailable()
    return CentreLoginResult(
        code=code,
        name=operator["name"],
        status=str(operator.get("status") or "active"),
        roles=tuple(operator["roles"]),
        offline_login_days=days,
        must_change_password=must_change,
        password_changed_at=_moment(answer.get("password_changed_at")),
    )


def _moment(value: object) -> dt.datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = dt.datetime.fromisoformat(value.removesuffix("Z"))
    except ValueError:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.UTC).replace(tzinfo=None)
    return moment
