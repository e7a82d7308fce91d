"""One question of a kiosk application, answered by touch.

A choice or yes/no is answered by touching it; a phone number, a date or a number is entered on
the large keypad and confirmed with "next"; a region is picked in three taps. An optional
question has "skip". A wrong answer is explained in plain words under the question, and the
citizen stays on it.
"""

from __future__ import annotations

import datetime as dt
import functools

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.kiosk_form import Ask, Question
from app.validation.form import clean_value
from app.validation.messages import render
from app.validation.rules import FieldInvalid
from ui.kiosk.keypad import NumericKeypad, date_display, phone_display, plain_display
from ui.kiosk.page import KioskPage, TallButton, kiosk_button
from ui.kiosk.region_picker import RegionPicker

# Choices one above the other in portrait (long labels read whole), two side by side in
# landscape; taller than the 15 mm minimum where the page has the room.
CHOICE_COLUMNS = {True: 1, False: 2}
CHOICE_TALL_PX = {True: 110, False: 90}


def field_label(question: Question, language: str) -> str:
    spec = question.spec
    return spec.label if language.startswith("zh") else spec.label_en


class QuestionPage(KioskPage):
    """Shows one `Question`; `answered(key, value)`, `skipped(key)` or `back()`."""

    answered = Signal(str, object)
    skipped = Signal(str)
    back = Signal()

    def __init__(self, language: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("questionPage")
        self._language = language
        self.question: Question | None = None
        self.step = QLabel(self)
        self.step.setObjectName("questionStep")
        self.title = QLabel(self)
        self.title.setObjectName("questionTitle")
        self.title.setProperty("role", "heading")
        self.title.setWordWrap(True)
        self.help = QLabel(self)
        self.help.setObjectName("questionHelp")
        self.help.setProperty("role", "hint")
        self.help.setWordWrap(True)
        self.error = QLabel(self)
        self.error.setObjectName("questionError")
        self.error.setProperty("role", "error")
        self.error.setWordWrap(True)
        # The answer widgets, one shown at a time.
        self.answers = QStackedWidget(self)
        self.choices = QWidget(self.answers)
        self.choices.setObjectName("questionChoices")
        choices_layout = QVBoxLayout(self.choices)
        choices_layout.setContentsMargins(0, 0, 0, 0)
        self.choice_grid = QGridLayout()
        choices_layout.addLayout(self.choice_grid)
        choices_layout.addStretch(1)  # the choices under the question, not spread down the page
        self.choice_buttons: list[TallButton] = []
        self._portrait = False
        self.phone_pad = NumericKeypad(11, phone_display, self.answers)
        self.date_box = QWidget(self.answers)
        self.date_pad = NumericKeypad(8, date_display, self.date_box)
        self.today_button = kiosk_button(
            self.tr("Today"), self.date_box, "questionToday", accessible=self.tr("Use today's date")
        )
        self.today_button.clicked.connect(self._today)
        date_layout = QVBoxLayout(self.date_box)
        date_layout.setContentsMargins(0, 0, 0, 0)
        date_layout.addWidget(self.date_pad)
        date_layout.addWidget(self.today_button)
        date_layout.addStretch(1)  # "today" right under the keys
        self.number_pad = NumericKeypad(9, plain_display, self.answers)
        self.region = RegionPicker(self.answers)
        for widget in (self.choices, self.phone_pad, self.date_box, self.number_pad, self.region):
            self.answers.addWidget(widget)
        self.region.picked.connect(self._on_region)
        self.back_button = kiosk_button(
            self.tr("Back"), self, "questionBack", accessible=self.tr("Back to the previous step")
        )
        self.back_button.clicked.connect(self.back)
        self.skip_button = kiosk_button(
            self.tr("Skip"), self, "questionSkip", accessible=self.tr("Leave this empty and go on")
        )
        self.skip_button.clicked.connect(self._skip)
        self.next_button = kiosk_button(
            self.tr("Next"),
            self,
            "questionNext",
            role="primary",
            accessible=self.tr("Confirm this answer and go on"),
        )
        self.next_button.clicked.connect(self._next)
        buttons = QHBoxLayout()
        buttons.addWidget(self.back_button)
        buttons.addWidget(self.skip_button)
        buttons.addWidget(self.next_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.step)
        layout.addWidget(self.title)
        layout.addWidget(self.help)
        layout.addWidget(self.answers, 1)
        layout.addWidget(self.error)
        layout.addLayout(buttons)
        self.built()

    def arrange(self, portrait: bool) -> None:
        self._portrait = portrait
        self._place_choices()

    def _place_choices(self) -> None:
        columns = CHOICE_COLUMNS[self._portrait]
        for button in self.choice_buttons:
            self.choice_grid.removeWidget(button)
        for n, button in enumerate(self.choice_buttons):
            self.choice_grid.addWidget(button, n // columns, n % columns)
            button.set_tall(CHOICE_TALL_PX[self._portrait])

    # ---- showing a question -------------------------------------------------------------
    def show_question(self, question: Question, value: object, number: int, total: int) -> None:
        self.question = question
        spec = question.spec
        zh = self._language.startswith("zh")
        self.step.setText(
            self.tr("Question %1 of %2").replace("%1", str(number)).replace("%2", str(total))
        )
        self.title.setText(field_label(question, self._language))
        self.title.setAccessibleName(field_label(question, self._language))
        hint = spec.help if zh else spec.help_en
        if question.ask is Ask.REGION:
            hint = None  # the catalog's help speaks of division codes; here places are named
        self.help.setText(hint or "")
        self.help.setVisible(bool(hint))
        self.error.clear()
        self.skip_button.setVisible(not question.required)
        keyed = question.ask in (Ask.PHONE, Ask.DATE, Ask.NUMBER)
        self.next_button.setVisible(keyed)
        text = "" if value is None else str(value)
        if question.ask in (Ask.CHOICE, Ask.YES_NO):
            self._fill_choices(question, value)
            self.answers.setCurrentWidget(self.choices)
        elif question.ask is Ask.PHONE:
            self.phone_pad.set_digits(text)
            self.answers.setCurrentWidget(self.phone_pad)
        elif question.ask is Ask.DATE:
            self.date_pad.set_digits(text.replace("-", ""))
            self.answers.setCurrentWidget(self.date_box)
        elif question.ask is Ask.NUMBER:
            self.number_pad.set_digits(text)
            self.answers.setCurrentWidget(self.number_pad)
        else:
            self.region.reset()
            self.answers.setCurrentWidget(self.region)

    def _fill_choices(self, question: Question, value: object) -> None:
        for button in self.choice_buttons:
            self.choice_grid.removeWidget(button)
            button.hide()  # deleted only once back in the event loop: gone from view now
            button.deleteLater()
        self.choice_buttons = []
        zh = self._language.startswith("zh")
        options: list[tuple[object, str]]
        if question.ask is Ask.YES_NO:
            options = [(True, self.tr("Yes")), (False, self.tr("No"))]
        else:
            options = [(c.value, c.label if zh else c.label_en) for c in question.spec.choices]
        for n, (option, text) in enumerate(options):
            button = kiosk_button(
                text, self.choices, f"choice{n}", role="primary" if option == value else "secondary"
            )
            button.clicked.connect(functools.partial(self._answer, option))
            self.choice_buttons.append(button)
        self._place_choices()
        for button in self.choice_buttons:
            button.show()  # added to a shown page: not shown until told

    # ---- answering ------------------------------------------------------------------------
    def _today(self) -> None:
        self.date_pad.set_digits(dt.date.today().strftime("%Y%m%d"))

    def _on_region(self, code: str) -> None:
        self._answer(code)

    def _skip(self) -> None:
        if self.question is not None and not self.question.required:
            self.skipped.emit(self.question.key)

    def _next(self) -> None:
        if self.question is None:
            return
        ask = self.question.ask
        if ask is Ask.PHONE:
            raw: object = self.phone_pad.digits()
        elif ask is Ask.DATE:
            digits = self.date_pad.digits()
            raw = f"{digits[:4]}-{digits[4:6]}-{digits[6:8]}" if len(digits) == 8 else digits
        else:
            raw = self.number_pad.digits()
        if raw == "":
            if self.question.required:
                self._refuse(FieldInvalid("required"))
            else:
                self.skipped.emit(self.question.key)
            return
        self._answer(raw)

    def _answer(self, raw: object) -> None:
        """Checked with the same rules as the filing service, so a saved answer passes."""
        if self.question is None:
            return
        try:
            value = clean_value(self.question.spec, raw, dt.date.today())
        except FieldInvalid as exc:
            self._refuse(exc)
            return
        self.error.clear()
        self.answered.emit(self.question.key, value)

    def _refuse(self, exc: FieldInvalid) -> None:
        assert self.question is not None
        spec = self.question.spec
        zh, en = render(exc.code, spec.label, spec.label_en, dict(exc.params))
        self.error.setText(zh if self._language.startswith("zh") else en)

    def forget(self) -> None:
        """`privacy.Forgettable`: what was entered."""
        self.question = None
        for pad in (self.phone_pad, self.date_pad, self.number_pad):
            pad.forget()
        self.region.reset()
        self.error.clear()
