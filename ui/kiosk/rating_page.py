"""The rating at the end of a kiosk service (好差评): one touch for "good"; for less, why.

The reasons are the fixed list of `app.ratings` (no free text), shown as large toggles.
"""

from __future__ import annotations

import functools

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from app.ratings import RATING_LABELS, RATING_REASONS, Rating
from ui.kiosk.page import kiosk_button


class RatingPage(QWidget):
    """`rated(rating, reasons)` or `declined()`."""

    rated = Signal(str, list)
    declined = Signal()

    def __init__(self, language: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ratingPage")
        self._language = language
        self._zh = language.startswith("zh")
        self.level: Rating | None = None
        self.title = QLabel(self.tr("How was this service?"), self)
        self.title.setObjectName("ratingTitle")
        self.title.setProperty("role", "heading")
        self.title.setWordWrap(True)
        levels = QHBoxLayout()
        self.level_buttons: dict[Rating, QPushButton] = {}
        for rating in Rating:
            zh, en = RATING_LABELS[rating]
            button = kiosk_button(zh if self._zh else en, self, f"rate_{rating.value}")
            button.clicked.connect(functools.partial(self._choose, rating))
            levels.addWidget(button)
            self.level_buttons[rating] = button
        self.why = QLabel(self.tr("What was not good? Touch all that apply."), self)
        self.why.setObjectName("ratingWhy")
        self.why.setWordWrap(True)
        self.reasons_box = QWidget(self)
        self.reasons_grid = QGridLayout(self.reasons_box)
        self.reason_buttons: dict[str, QPushButton] = {}
        self.send_button = kiosk_button(
            self.tr("Send my rating"), self, "ratingSend", role="primary"
        )
        self.send_button.clicked.connect(self._send)
        self.skip_button = kiosk_button(
            self.tr("Don't rate"), self, "ratingSkip", accessible=self.tr("Finish without rating")
        )
        self.skip_button.clicked.connect(self.declined)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addLayout(levels)
        layout.addWidget(self.why)
        layout.addWidget(self.reasons_box)
        layout.addStretch(1)
        layout.addWidget(self.send_button)
        layout.addWidget(self.skip_button)
        self.reset()

    def reset(self) -> None:
        self.level = None
        self._show_reasons(None)

    def _choose(self, rating: Rating) -> None:
        if rating is Rating.GOOD:
            self.rated.emit(rating.value, [])
            return
        self.level = rating
        self._show_reasons(rating)

    def _show_reasons(self, rating: Rating | None) -> None:
        for button in self.reason_buttons.values():
            self.reasons_grid.removeWidget(button)
            button.hide()  # deleted only once back in the event loop: gone from view now
            button.deleteLater()
        self.reason_buttons = {}
        shown = rating is not None
        self.why.setVisible(shown)
        self.reasons_box.setVisible(shown)
        self.send_button.setVisible(shown)
        for button_rating, button in self.level_buttons.items():
            button.setProperty("role", "primary" if button_rating is rating else "secondary")
            button.style().unpolish(button)
            button.style().polish(button)
        if rating is None:
            return
        for n, reason in enumerate(RATING_REASONS[rating]):
            text = reason.zh if self._zh else reason.en
            button = kiosk_button(text, self.reasons_box, f"reason_{reason.code}")
            button.setCheckable(True)
            button.setAccessibleName(text)
            self.reasons_grid.addWidget(button, n // 2, n % 2)
            self.reason_buttons[reason.code] = button
            button.show()  # added to a shown page: not shown until told

    def _send(self) -> None:
        if self.level is None:
            return
        chosen = [code for code, b in self.reason_buttons.items() if b.isChecked()]
        self.rated.emit(self.level.value, chosen)
