"""Log-in for the GUI: the login service with the centre as its online check.

Runs on a worker lane (scrypt and the network both take time). The centre port is made for
each call from the terminal's activation (none on the demo station or before activation, so
the offline verifier decides) and closed after it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from app.context import AppContext
from app.services.login_service import CentreLogin, LoggedIn, LoginService
from sync.activation import centre_client
from sync.operator_login import CentreLogin as CentreLoginClient


class Logins:
    def __init__(self, ctx: AppContext) -> None:
        self._ctx = ctx
        self.service = LoginService(ctx.db)

    @contextmanager
    def _centre(self) -> Iterator[CentreLogin | None]:
        client = centre_client(self._ctx)
        if client is None:
            yield None
            return
        try:
            yield CentreLoginClient(client)
        finally:
            client.close()

    def login(self, code: str, password: str) -> LoggedIn:
        with self._centre() as centre:
            return self.service.login(code, password, centre)

    def change_password(self, code: str, old: str, new: str) -> None:
        with self._centre() as centre:
            self.service.change_password(code, old, new, centre)
