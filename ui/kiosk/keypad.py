"""A large numeric keypad: the only way a kiosk citizen enters a number (no keyboard).

Digits are kept as a string of at most `max_digits`; the display groups them the way people
read them (a phone number as 3-4-4, a date as YYYY-MM-DD), so a wrong digit is easy to spot.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QGridLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from ui.kiosk.page import kiosk_button
from ui.kiosk.privacy import mark_personal

KEY_TALL_PX = 88  # keys well above the 15 mm minimum: the keypad is the whole answer


def phone_display(digits: str) -> str:
    """`13800138000` → `138 0013 8000`, growing as it is typed."""
    parts = [digits[:3], digits[3:7], digits[7:11]]
    return " ".join(p for p in parts if p)


def date_display(digits: str) -> str:
    """`20261123` → `2026-11-23`; the missing digits show as `_`."""
    padded = digits.ljust(8, "_")
    return f"{padded[:4]}-{padded[4:6]}-{padded[6:8]}"


def plain_display(digits: str) -> str:
    return digits


class NumericKeypad(QWidget):
    """Digits 0–9, "delete" and "clear"; `changed(digits)` after every touch."""

    changed = Signal(str)

    def __init__(
        self,
        max_digits: int,
        display: Callable[[str], str] = plain_display,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("numericKeypad")
        self._max = max_digits
        self._display = display
        self._digits = ""
        self.shown = mark_personal(QLabel(self))  # a phone number is personal
        self.shown.setObjectName("keypadDisplay")
        self.shown.setProperty("role", "heading")
        self.shown.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.shown.setAccessibleName(self.tr("Number entered"))
        grid = QGridLayout()
        self.keys: dict[str, QPushButton] = {}
        for n, key in enumerate("123456789"):
            grid.addWidget(self._key(key, key), n // 3, n % 3)
        self.delete_key = kiosk_button(
            self.tr("Delete"),
            self,
            "keypadDelete",
            accessible=self.tr("Delete the last digit"),
            tall_px=KEY_TALL_PX,
        )
        self.delete_key.clicked.connect(self.backspace)
        self.clear_key = kiosk_button(
            self.tr("Clear"),
            self,
            "keypadClear",
            accessible=self.tr("Clear all digits"),
            tall_px=KEY_TALL_PX,
        )
        self.clear_key.clicked.connect(self.clear)
        grid.addWidget(self.clear_key, 3, 0)
        grid.addWidget(self._key("0", "0"), 3, 1)
        grid.addWidget(self.delete_key, 3, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.shown)
        layout.addLayout(grid)
        layout.addStretch(1)  # the keys right under the number, not at the foot of the page
        self._refresh()

    def _key(self, digit: str, text: str) -> QPushButton:
        spoken = self.tr("Digit %1").replace("%1", digit)
        button = kiosk_button(text, self, f"key{digit}", accessible=spoken, tall_px=KEY_TALL_PX)
        button.clicked.connect(functools.partial(self.press, digit))
        self.keys[digit] = button
        return button

    def digits(self) -> str:
        return self._digits

    def set_digits(self, digits: str) -> None:
        self._digits = "".join(c for c in digits if c.isdigit())[: self._max]
        self._refresh()

    def press(self, digit: str) -> None:
        if len(self._digits) < self._max:
            self._digits += digit
            self._refresh()

    def backspace(self) -> None:
        self._digits = self._digits[:-1]
        self._refresh()

    def clear(self) -> None:
        self._digits = ""
        self._refresh()

    def forget(self) -> None:
        """`privacy.Forgettable`: the digits are the citizen's."""
        self._digits = ""
        self.shown.clear()

    def _refresh(self) -> None:
        self.shown.setText(self._display(self._digits) or " ")
        full = len(self._digits) >= self._max
        for button in self.keys.values():
            button.setEnabled(not full)
        self.changed.emit(self._digits)
