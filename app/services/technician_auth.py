"""The technician password that guards device set-up (the technician screen and CLI).

Only a verifier is kept: scrypt with a random salt, in the terminal's secret store (the OS
keyring or the encrypted file keyring), never the password. Repeated failures lock the panel
for a while, so a citizen at an unattended kiosk cannot guess it by trying; every attempt,
good or bad, goes on the audit trail.

The password is set on the machine itself (`yibao technician set-password`), by whoever
installs the terminal. When the operators issue brings passwords down from the centre, this
is where the centre's verifier will be written.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from app.crypto.password_verifier import check_verifier, make_verifier
from app.crypto.secret_store import SecretStore
from app.errors import UserFacingError
from app.services import audit
from app.store.db import Database

VERIFIER_KEY = "technician-verifier"
FAILURES_KEY = "technician-failures"
MIN_LENGTH = 8
MAX_FAILURES = 5
LOCK_SECONDS = 300


class TechnicianAuthError(UserFacingError):
    pass


class TechnicianAuth:
    def __init__(
        self, secrets: SecretStore, db: Database, now: Callable[[], float] = time.time
    ) -> None:
        self._secrets = secrets
        self._db = db
        self._now = now

    def is_set(self) -> bool:
        return bool(self._secrets.get(VERIFIER_KEY))

    def set_password(self, password: str) -> None:
        if len(password) < MIN_LENGTH:
            raise TechnicianAuthError(
                f"运维密码至少 {MIN_LENGTH} 位。",
                f"The technician password needs at least {MIN_LENGTH} characters.",
            )
        self._secrets.set(VERIFIER_KEY, make_verifier(password))
        self._secrets.set(FAILURES_KEY, "0:0")
        self._audit("technician.password_set")

    def ensure_set(self) -> None:
        """Raise the "no password on this terminal" error before anyone is asked to type one."""
        if not self.is_set():
            raise self._not_set()

    def check(self, password: str) -> None:
        """Accept the password or raise a TechnicianAuthError that says why (in Chinese first)."""
        stored = self._secrets.get(VERIFIER_KEY)
        if not stored:
            raise self._not_set()
        failures, locked_until = self._failures()
        now = self._now()
        if locked_until > now:
            minutes = int((locked_until - now) // 60) + 1
            raise TechnicianAuthError(
                f"密码错误次数过多，请 {minutes} 分钟后再试。",
                f"Too many wrong passwords; try again in {minutes} minutes.",
            )
        if check_verifier(stored, password):
            self._secrets.set(FAILURES_KEY, "0:0")
            self._audit("technician.login")
            return
        failures += 1
        until = now + LOCK_SECONDS if failures >= MAX_FAILURES else 0.0
        self._secrets.set(FAILURES_KEY, f"{0 if until else failures}:{until}")
        self._audit("technician.login_refused")
        if until:
            raise TechnicianAuthError(
                f"密码错误次数过多，已锁定 {LOCK_SECONDS // 60} 分钟。",
                f"Too many wrong passwords; locked for {LOCK_SECONDS // 60} minutes.",
            )
        left = MAX_FAILURES - failures
        raise TechnicianAuthError(
            f"运维密码不正确，还可以再试 {left} 次。",
            f"Wrong technician password; {left} attempts left.",
        )

    @staticmethod
    def _not_set() -> TechnicianAuthError:
        return TechnicianAuthError(
            "本机尚未设置运维密码。请在本机命令行运行：yibao technician set-password",
            "No technician password is set on this terminal. Run on this machine: "
            "yibao technician set-password",
        )

    def _failures(self) -> tuple[int, float]:
        raw = self._secrets.get(FAILURES_KEY) or "0:0"
        try:
            count, until = raw.split(":")
            return int(count), float(until)
        except ValueError:
            return 0, 0.0

    def _audit(self, action: str) -> None:
        with self._db.raw_write() as cur:
            audit.record(cur, action, operator="technician")
