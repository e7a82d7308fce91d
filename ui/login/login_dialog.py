"""The log-in dialog: operator code and password, checked on a worker lane.

Used at start-up, to unlock after the idle lock (the code is then fixed to the operator who
was working; "switch operator" lets another log in), and for a quick switch. The password
never stays in a widget after it was sent, and what went wrong is said in the operator's
language without saying whether the code exists.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.errors import UserFacingError
from app.services.login_service import LoggedIn
from ui.tasks import TaskLane

log = logging.getLogger(__name__)

ERROR_STYLE = "color: #b00020; font-weight: bold;"

LoginFn = Callable[[str, str], LoggedIn]


class LoginDialog(QDialog):
    def __init__(
        self,
        login: LoginFn,
        language: str,
        parent: QWidget | None = None,
        *,
        station_name: str = "",
        operator_code: str | None = None,
        locked: bool = False,
        demo_hint: str | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("loginDialog")
        self._login = login
        self._language = language
        self._locked = locked
        self.result_login: LoggedIn | None = None
        self.setWindowTitle(self.tr("Locked") if locked else self.tr("Operator log-in"))
        self.setModal(True)

        title = QLabel(
            self.tr("The screen is locked. Enter your password to carry on.")
            if locked
            else self.tr("Log in to %1").replace("%1", station_name or self.tr("this station")),
            self,
        )
        title.setWordWrap(True)
        title.setStyleSheet("font-size: 16pt; font-weight: bold;")
        self.code = QLineEdit(self)
        self.code.setObjectName("operatorCode")
        self.code.setAccessibleName(self.tr("Operator code"))
        self.code.setMaxLength(32)
        if operator_code:
            self.code.setText(operator_code)
            self.code.setReadOnly(locked)
        self.password = QLineEdit(self)
        self.password.setObjectName("operatorPassword")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setAccessibleName(self.tr("Password"))
        self.message = QLabel(self)
        self.message.setObjectName("loginMessage")
        self.message.setWordWrap(True)
        self.login_button = QPushButton(self.tr("Log in"), self)
        self.login_button.setObjectName("loginButton")
        self.login_button.setAccessibleName(self.tr("Log in"))
        self.login_button.setDefault(True)
        self.switch_button = QPushButton(self.tr("Switch operator"), self)
        self.switch_button.setObjectName("switchOperatorButton")
        self.switch_button.setAccessibleName(self.tr("Switch operator"))
        self.switch_button.setVisible(locked)

        form = QFormLayout()
        form.addRow(self.tr("Operator code"), self.code)
        form.addRow(self.tr("Password"), self.password)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.switch_button)
        buttons.addWidget(self.login_button)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addLayout(form)
        if demo_hint:
            hint = QLabel(demo_hint, self)
            hint.setObjectName("demoHint")
            hint.setWordWrap(True)
            layout.addWidget(hint)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        self.setMinimumWidth(420)

        self.lane = TaskLane("login", self)
        self.login_button.clicked.connect(self.submit)
        self.password.returnPressed.connect(self.submit)
        self.switch_button.clicked.connect(self._switch)
        (self.password if operator_code else self.code).setFocus(Qt.FocusReason.OtherFocusReason)

    @Slot()
    def submit(self) -> None:
        code, password = self.code.text().strip(), self.password.text()
        self.password.clear()
        if not code or not password:
            self._show(self.tr("Enter your operator code and password."))
            return
        self.login_button.setEnabled(False)
        self.message.setStyleSheet("")
        self.message.setText(self.tr("Checking..."))
        self.lane.submit(functools.partial(self._login, code, password), self._done, self._failed)

    def _done(self, result: object) -> None:
        assert isinstance(result, LoggedIn)
        self.result_login = result
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        self.login_button.setEnabled(True)
        if isinstance(exc, UserFacingError):
            self._show(exc.text(self._language))
        else:
            log.error("log-in failed unexpectedly", exc_info=exc)
            self._show(self.tr("Log-in failed unexpectedly; the details are in the log."))

    @Slot()
    def _switch(self) -> None:
        self.code.setReadOnly(False)
        self.code.clear()
        self.switch_button.hide()
        self.code.setFocus()

    def _show(self, text: str) -> None:
        self.message.setStyleSheet(ERROR_STYLE)
        self.message.setText(text)

    def reject(self) -> None:
        """A locked screen cannot be dismissed: only a log-in opens it."""
        if not self._locked:
            super().reject()

    def done(self, result: int) -> None:
        self.lane.shutdown()
        super().done(result)
