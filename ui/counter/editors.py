"""One input widget per catalog field type, each able to give and take a raw value.

Editors return text as typed (validation lives in `app.validation`, which both the form and
the service run), except dates (ISO text) and booleans.
"""

from __future__ import annotations

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QWidget,
)

from app.catalog.schema import FieldSpec, FieldType

BLANK_DATE = QDate(1900, 1, 1)


class Editor:
    """The widget for one field and how to read and write its raw value."""

    def __init__(self, spec: FieldSpec, widget: QWidget) -> None:
        self.spec = spec
        self.widget = widget

    def value(self) -> object:
        raise NotImplementedError

    def set_value(self, value: object) -> None:
        raise NotImplementedError

    def clear(self) -> None:
        self.set_value("")

    def focus_widget(self) -> QWidget:
        return self.widget


class LineEditor(Editor):
    def __init__(self, spec: FieldSpec, placeholder: str = "", suffix: str = "") -> None:
        self.edit = QLineEdit()
        self.edit.setPlaceholderText(placeholder)
        if spec.max_length:
            self.edit.setMaxLength(spec.max_length)
        if suffix:
            box = QWidget()
            row = QHBoxLayout(box)
            row.setContentsMargins(0, 0, 0, 0)
            row.addWidget(self.edit, 1)
            row.addWidget(QLabel(suffix))
            super().__init__(spec, box)
        else:
            super().__init__(spec, self.edit)

    def value(self) -> object:
        return self.edit.text()

    def set_value(self, value: object) -> None:
        self.edit.setText("" if value is None else str(value))

    def focus_widget(self) -> QWidget:
        return self.edit


class ReadOnlyEditor(LineEditor):
    """A field filled from the card that was read: shown masked, never typed over."""

    def __init__(self, spec: FieldSpec) -> None:
        super().__init__(spec)
        self.edit.setReadOnly(True)
        self.edit.setFocusPolicy(Qt.FocusPolicy.NoFocus)

    def value(self) -> object:
        return None  # the service takes the device's value, not the screen's masked one


class TextAreaEditor(Editor):
    def __init__(self, spec: FieldSpec) -> None:
        self.edit = QPlainTextEdit()
        self.edit.setTabChangesFocus(True)
        self.edit.setFixedHeight(72)
        super().__init__(spec, self.edit)

    def value(self) -> object:
        return self.edit.toPlainText()

    def set_value(self, value: object) -> None:
        self.edit.setPlainText("" if value is None else str(value))


class DateEditor(Editor):
    def __init__(self, spec: FieldSpec, blank_text: str) -> None:
        self.edit = QDateEdit()
        self.edit.setCalendarPopup(True)
        self.edit.setDisplayFormat("yyyy-MM-dd")
        self.edit.setMinimumDate(BLANK_DATE)
        self.edit.setMaximumDate(QDate(2100, 12, 31))
        self.edit.setSpecialValueText(blank_text)
        self.edit.setDate(BLANK_DATE)
        super().__init__(spec, self.edit)

    def value(self) -> object:
        date = self.edit.date()
        return "" if date == BLANK_DATE else date.toString("yyyy-MM-dd")

    def set_value(self, value: object) -> None:
        if not value:
            self.edit.setDate(BLANK_DATE)
            return
        self.edit.setDate(QDate.fromString(str(value), "yyyy-MM-dd"))


class ChoiceEditor(Editor):
    def __init__(self, spec: FieldSpec, english: bool, placeholder: str) -> None:
        self.combo = QComboBox()
        self.combo.setPlaceholderText(placeholder)
        for choice in spec.choices:
            self.combo.addItem(choice.label_en if english else choice.label, choice.value)
        self.combo.setCurrentIndex(-1)
        super().__init__(spec, self.combo)

    def value(self) -> object:
        data = self.combo.currentData()
        return "" if data is None else str(data)

    def set_value(self, value: object) -> None:
        self.combo.setCurrentIndex(self.combo.findData(value) if value else -1)


class CheckEditor(Editor):
    def __init__(self, spec: FieldSpec, text: str) -> None:
        self.check = QCheckBox(text)
        super().__init__(spec, self.check)

    def value(self) -> object:
        return self.check.isChecked()

    def set_value(self, value: object) -> None:
        self.check.setChecked(bool(value) and value not in ("false", "0"))


def make_editor(spec: FieldSpec, *, english: bool, texts: dict[str, str]) -> Editor:
    """The editor for `spec`; `texts` holds translated placeholders from the form."""
    label = spec.label_en if english else spec.label
    if spec.read_only:
        return ReadOnlyEditor(spec)
    t = spec.type
    if t is FieldType.LONG_TEXT:
        return TextAreaEditor(spec)
    if t is FieldType.DATE:
        return DateEditor(spec, texts["blank_date"])
    if t is FieldType.CHOICE:
        return ChoiceEditor(spec, english, texts["choose"])
    if t is FieldType.BOOLEAN:
        return CheckEditor(spec, label)
    if t is FieldType.AMOUNT:
        return LineEditor(spec, "0.00", texts["yuan"])
    placeholders = {
        FieldType.ID_NUMBER: texts["id_number"],
        FieldType.BIRTH_CERT: "O430012345",
        FieldType.PHONE: texts["phone"],
        FieldType.BANK_CARD: texts["bank_card"],
        FieldType.REGION: texts["region"],
        FieldType.USCC: texts["uscc"],
    }
    return LineEditor(spec, placeholders.get(t, ""))
