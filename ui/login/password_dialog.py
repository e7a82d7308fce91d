"""Changing an operator's password (online only: the centre holds it)."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable

from PySide6.QtCore import Slot
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
from ui.tasks import TaskLane

log = logging.getLogger(__name__)

ChangeFn = Callable[[str, str], None]  # (old, new); raises UserFacingError


class PasswordDialog(QDialog):
    def __init__(
        self, change: ChangeFn, language: str, parent: QWidget | None = None, *, required: bool
    ) -> None:
        super().__init__(parent)
        self.setObjectName("passwordDialog")
        self.setWindowTitle(self.tr("Change password"))
        self._change = change
        self._language = language
        self.changed = False
        intro = QLabel(
            self.tr("The centre asks you to choose a new password.")
            if required
            else self.tr("Choose a new password (at least 8 characters)."),
            self,
        )
        intro.setWordWrap(True)
        self.old = self._field("oldPassword", self.tr("Current password"))
        self.new = self._field("newPassword", self.tr("New password"))
        self.again = self._field("newPasswordAgain", self.tr("New password again"))
        self.message = QLabel(self)
        self.message.setObjectName("passwordMessage")
        self.message.setWordWrap(True)
        self.ok_button = QPushButton(self.tr("Change"), self)
        self.ok_button.setObjectName("changePasswordButton")
        self.ok_button.setAccessibleName(self.tr("Change"))
        self.cancel_button = QPushButton(self.tr("Cancel"), self)
        self.cancel_button.setAccessibleName(self.tr("Cancel"))
        form = QFormLayout()
        form.addRow(self.tr("Current password"), self.old)
        form.addRow(self.tr("New password"), self.new)
        form.addRow(self.tr("New password again"), self.again)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.ok_button)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        self.lane = TaskLane("password", self)
        self.ok_button.clicked.connect(self.submit)
        self.cancel_button.clicked.connect(self.reject)

    def _field(self, name: str, label: str) -> QLineEdit:
        edit = QLineEdit(self)
        edit.setObjectName(name)
        edit.setEchoMode(QLineEdit.EchoMode.Password)
        edit.setAccessibleName(label)
        return edit

    @Slot()
    def submit(self) -> None:
        old, new, again = self.old.text(), self.new.text(), self.again.text()
        for edit in (self.old, self.new, self.again):
            edit.clear()
        if new != again:
            self._show(self.tr("The two new passwords differ."))
            return
        if len(new) < 8:
            self._show(self.tr("The new password needs at least 8 characters."))
            return
        self.ok_button.setEnabled(False)
        self.lane.submit(functools.partial(self._change, old, new), self._done, self._failed)

    def _done(self, _result: object) -> None:
        self.changed = True
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        self.ok_button.setEnabled(True)
        if isinstance(exc, UserFacingError):
            self._show(exc.text(self._language))
        else:
            log.error("password change failed unexpectedly", exc_info=exc)
            self._show(self.tr("The password was not changed; the details are in the log."))

    def _show(self, text: str) -> None:
        self.message.setStyleSheet("color: #b00020; font-weight: bold;")
        self.message.setText(text)

    def done(self, result: int) -> None:
        self.lane.shutdown()
        super().done(result)
