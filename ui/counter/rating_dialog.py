"""The citizen rates the service (好差评) on the screen turned towards them, after saving.

Three large face buttons, then the reasons offered for that level (app/ratings.py): at least
one for fair or poor, none needed for good. Nothing is typed. The citizen may decline
("Skip"), which rejects the dialog. Faces are drawn, not emoji, so they show on a terminal
without a colour-emoji font.
"""

from __future__ import annotations

import functools

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Slot
from PySide6.QtGui import QColor, QIcon, QPainter, QPainterPath, QPen, QPixmap
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.ratings import RATING_LABELS, RATING_REASONS, Rating, check_reasons

LEVEL_COLOURS: dict[Rating, str] = {
    Rating.GOOD: "#2e7d32",
    Rating.FAIR: "#f9a825",
    Rating.POOR: "#c62828",
}
LEVEL_HEIGHT = 96
REASON_HEIGHT = 56
BUTTON_HEIGHT = 52
FACE_SIDE = 56


def face_icon(rating: Rating, side: int = FACE_SIDE) -> QIcon:
    """A round face in the level's colour: smiling, straight-mouthed or frowning."""
    pixmap = QPixmap(side, side)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    colour = QColor(LEVEL_COLOURS[rating])
    painter.setPen(QPen(colour.darker(130), side / 18))
    painter.setBrush(colour)
    margin = side / 14
    painter.drawEllipse(QRectF(margin, margin, side - 2 * margin, side - 2 * margin))
    ink = QPen(QColor("#ffffff"), side / 12)
    ink.setCapStyle(Qt.PenCapStyle.RoundCap)
    painter.setPen(ink)
    painter.setBrush(QColor("#ffffff"))
    eye = side / 16
    painter.drawEllipse(QPointF(side * 0.36, side * 0.4), eye, eye)
    painter.drawEllipse(QPointF(side * 0.64, side * 0.4), eye, eye)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    left, right, y = side * 0.32, side * 0.68, side * 0.66
    mouth = QPainterPath(QPointF(left, y))
    bend = {Rating.GOOD: side * 0.12, Rating.FAIR: 0.0, Rating.POOR: -side * 0.12}[rating]
    mouth.quadTo(QPointF(side / 2, y + bend), QPointF(right, y))
    painter.drawPath(mouth)
    painter.end()
    return QIcon(pixmap)


class RatingDialog(QDialog):
    """Level, then reasons; `rating` and `reasons` hold the answer once accepted."""

    def __init__(self, language: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ratingDialog")
        self._language = language
        self._zh = language.startswith("zh")
        self.rating: Rating | None = None
        self.reasons: tuple[str, ...] = ()
        self._chosen: Rating | None = None
        self.setWindowTitle(self.tr("Rate our service"))

        self.prompt = QLabel(self.tr("How was our service today?"), self)
        self.prompt.setObjectName("ratingPrompt")
        self.prompt.setStyleSheet("font-size: 20pt; font-weight: bold;")
        self.prompt.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.prompt.setWordWrap(True)

        self.level_buttons: dict[Rating, QPushButton] = {}
        self._levels = QButtonGroup(self)
        self._levels.setExclusive(True)
        levels = QHBoxLayout()
        for rating in Rating:
            zh, en = RATING_LABELS[rating]
            button = QPushButton(face_icon(rating), zh if self._zh else en, self)
            button.setObjectName(f"rating_{rating.value}")
            button.setAccessibleName(zh if self._zh else en)
            button.setCheckable(True)
            button.setIconSize(QSize(FACE_SIDE, FACE_SIDE))
            button.setMinimumHeight(LEVEL_HEIGHT)
            button.setMinimumWidth(180)
            button.setAutoDefault(False)
            colour = LEVEL_COLOURS[rating]
            button.setStyleSheet(
                "QPushButton { font-size: 20pt; font-weight: bold; padding: 6px 18px; "
                f"border: 3px solid {colour}; border-radius: 10px; background: #ffffff; }}"
                f"QPushButton:checked {{ background: {colour}; color: #ffffff; }}"
            )
            self._levels.addButton(button)
            self.level_buttons[rating] = button
            levels.addWidget(button)
            button.clicked.connect(functools.partial(self._choose, rating))

        self.reason_prompt = QLabel(self)
        self.reason_prompt.setObjectName("reasonPrompt")
        self.reason_prompt.setStyleSheet("font-size: 14pt;")
        self.reason_prompt.setWordWrap(True)
        self.reason_buttons: dict[str, QPushButton] = {}
        self._reason_host = QWidget(self)
        self._reason_grid = QGridLayout(self._reason_host)
        self._reason_grid.setContentsMargins(0, 0, 0, 0)

        self.skip_button = QPushButton(self.tr("Skip"), self)
        self.skip_button.setObjectName("ratingSkipButton")
        self.skip_button.setAccessibleName(self.tr("Skip rating"))
        self.submit_button = QPushButton(self.tr("Submit"), self)
        self.submit_button.setObjectName("ratingSubmitButton")
        self.submit_button.setAccessibleName(self.tr("Submit the rating"))
        for button in (self.skip_button, self.submit_button):
            button.setMinimumHeight(BUTTON_HEIGHT)
            button.setMinimumWidth(160)
            button.setAutoDefault(False)
            button.setStyleSheet("font-size: 14pt;")
        buttons = QHBoxLayout()
        buttons.addWidget(self.skip_button)
        buttons.addStretch(1)
        buttons.addWidget(self.submit_button)

        layout = QVBoxLayout(self)
        layout.addWidget(self.prompt)
        layout.addLayout(levels)
        layout.addWidget(self.reason_prompt)
        layout.addWidget(self._reason_host)
        layout.addStretch(1)
        layout.addLayout(buttons)
        self.resize(760, 480)

        self.skip_button.clicked.connect(self.reject)
        self.submit_button.clicked.connect(self._submit)
        self.reason_prompt.hide()
        self._update_submit()

    # ---- choosing --------------------------------------------------------------------------
    @property
    def chosen(self) -> Rating | None:
        return self._chosen

    def _choose(self, rating: Rating) -> None:
        if rating is self._chosen:
            return
        self._chosen = rating
        self.level_buttons[rating].setChecked(True)
        for button in self.reason_buttons.values():
            self._reason_grid.removeWidget(button)
            button.hide()  # now: deleteLater waits for the event loop
            button.deleteLater()
        self.reason_buttons = {}
        for n, reason in enumerate(RATING_REASONS[rating]):
            text = reason.zh if self._zh else reason.en
            button = QPushButton(text, self._reason_host)
            button.setObjectName(f"reason_{reason.code}")
            button.setAccessibleName(text)
            button.setCheckable(True)
            button.setMinimumHeight(REASON_HEIGHT)
            button.setAutoDefault(False)
            button.setStyleSheet(
                "QPushButton { font-size: 15pt; padding: 4px 12px; border: 2px solid #9e9e9e; "
                "border-radius: 8px; background: #ffffff; }"
                "QPushButton:checked { background: #1565c0; color: #ffffff; "
                "border-color: #1565c0; }"
            )
            button.toggled.connect(self._update_submit)
            self._reason_grid.addWidget(button, n // 2, n % 2)
            self.reason_buttons[reason.code] = button
        self.reason_prompt.setText(
            self.tr("What went well? (optional)")
            if rating is Rating.GOOD
            else self.tr("What should we improve? Choose at least one.")
        )
        self.reason_prompt.show()
        self._update_submit()

    def chosen_reasons(self) -> tuple[str, ...]:
        """Codes of the reasons ticked, in the order they are offered."""
        return tuple(code for code, button in self.reason_buttons.items() if button.isChecked())

    @Slot()
    def _update_submit(self) -> None:
        rating = self._chosen
        ready = rating is not None and (rating is Rating.GOOD or bool(self.chosen_reasons()))
        self.submit_button.setEnabled(ready)

    @Slot()
    def _submit(self) -> None:
        rating = self._chosen
        if rating is None:
            return
        reasons = check_reasons(rating, self.chosen_reasons())
        if rating is not Rating.GOOD and not reasons:
            return
        self.rating = rating
        self.reasons = reasons
        self.accept()

    def reject(self) -> None:
        """Skipped (or closed): no rating, whatever was chosen on the way."""
        self.rating = None
        self.reasons = ()
        super().reject()
