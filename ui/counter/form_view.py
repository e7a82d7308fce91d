"""A form rendered from a catalog item, with errors shown beside the fields they name."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QLabel,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.catalog.schema import CatalogItem
from app.identity import PersonRead, mask_id_number, mask_name
from app.validation import FieldError, FieldInvalid
from app.validation.form import clean_value
from app.validation.messages import render
from ui.counter.editors import Editor, ReadOnlyEditor, make_editor

ERROR_STYLE = "color: #b00020;"


def masked_prefill(source: str, value: str) -> str:
    if source == "person.name":
        return mask_name(value)
    if source == "person.id_number":
        return mask_id_number(value)
    if source == "person.address":
        return value[:6] + "****" if len(value) > 6 else "****"
    return value


class FormView(QWidget):
    """Builds one editor per field; knows nothing of saving."""

    def __init__(self, language: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._english = language.startswith("en")
        self._language = language
        self.item: CatalogItem | None = None
        self.editors: dict[str, Editor] = {}
        self._errors: dict[str, QLabel] = {}
        self._rows: dict[str, QLabel] = {}
        self.title = QLabel(self)
        self.title.setObjectName("formTitle")
        self.title.setWordWrap(True)
        self.meta = QLabel(self)
        self.meta.setObjectName("formMeta")
        self.meta.setWordWrap(True)
        self._scroll = QScrollArea(self)
        self._scroll.setWidgetResizable(True)
        self._scroll.setFrameShape(QFrame.Shape.NoFrame)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.title)
        outer.addWidget(self.meta)
        outer.addWidget(self._scroll, 1)
        self._body = QWidget()
        self._scroll.setWidget(self._body)
        self._texts = {
            "blank_date": self.tr("not set"),
            "choose": self.tr("Please choose"),
            "yuan": self.tr("yuan"),
            "id_number": self.tr("18-character ID number"),
            "phone": self.tr("mobile or landline with area code"),
            "bank_card": self.tr("16 to 19 digits"),
            "region": self.tr("6-digit division code"),
            "uscc": self.tr("18-character code on the business licence"),
        }
        self.title.setText(self.tr("Choose an item on the left"))

    def _label(self, zh: str, en: str | None) -> str:
        return en if self._english and en else zh

    def set_item(self, item: CatalogItem) -> None:
        """Rebuild the form for `item`; values typed for another item are discarded."""
        self.item = item
        self.editors.clear()
        self._errors.clear()
        self._rows.clear()
        body = QWidget()
        layout = QFormLayout(body)
        layout.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        layout.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        for spec in item.fields:
            editor = make_editor(spec, english=self._english, texts=self._texts)
            label_text = self._label(spec.label, spec.label_en)
            required = spec.required and not spec.read_only
            label = QLabel(label_text + (" *" if required else ""))
            label.setBuddy(editor.focus_widget())
            editor.focus_widget().setAccessibleName(label_text)
            editor.focus_widget().setObjectName(f"field_{spec.key}")
            help_text = self._label(spec.help or "", spec.help_en) if spec.help else ""
            if help_text:
                editor.focus_widget().setToolTip(help_text)
                editor.focus_widget().setAccessibleDescription(help_text)
            error = QLabel()
            error.setObjectName(f"error_{spec.key}")
            error.setStyleSheet(ERROR_STYLE)
            error.setWordWrap(True)
            error.hide()
            column = QWidget()
            col = QVBoxLayout(column)
            col.setContentsMargins(0, 0, 0, 0)
            col.setSpacing(2)
            col.addWidget(editor.widget)
            col.addWidget(error)
            layout.addRow(label, column)
            self.editors[spec.key] = editor
            self._errors[spec.key] = error
            self._rows[spec.key] = label
            self._connect_checks(editor)
        self._scroll.setWidget(body)
        self._body = body
        self.title.setText(self._label(item.name, item.name_en))
        self._set_meta(item)

    def _set_meta(self, item: CatalogItem) -> None:
        parts = []
        if item.time_limit_days:
            parts.append(self.tr("Time limit: %n working day(s)", "", item.time_limit_days))
        if item.face_photo_required:
            parts.append(self.tr("Face photo required"))
        materials = [self._label(m.name, m.name_en) for m in item.materials if m.required]
        if materials:
            parts.append(self.tr("Materials: %1").replace("%1", "、".join(materials)))
        self.meta.setText(" · ".join(parts))

    def _connect_checks(self, editor: Editor) -> None:
        """Check a field as soon as the operator leaves it (pure CPU, no I/O)."""
        widget = editor.focus_widget()
        signal = getattr(widget, "editingFinished", None)
        if signal is not None:
            signal.connect(self._check_sender)

    def _check_sender(self) -> None:
        sender = self.sender()
        for key, editor in self.editors.items():
            if editor.focus_widget() is sender:
                self.check_field(key)
                return

    def check_field(self, key: str) -> FieldError | None:
        """Validate one field now; show or clear its message."""
        editor = self.editors[key]
        spec = editor.spec
        raw = editor.value()
        error: FieldError | None = None
        if spec.read_only or raw in (None, ""):
            self._show(key, None)
            return None
        try:
            clean_value(spec, raw, dt.date.today())
        except FieldInvalid as exc:
            zh, en = render(exc.code, spec.label, spec.label_en, dict(exc.params))
            error = FieldError(key, exc.code, zh, en, dict(exc.params))
        self._show(key, error)
        return error

    def set_person(self, person: PersonRead | None) -> None:
        prefill = person.prefill() if person else {}
        for editor in self.editors.values():
            source = editor.spec.prefill
            if source is None:
                continue
            value = prefill.get(source.value, "")
            if isinstance(editor, ReadOnlyEditor):
                editor.set_value(masked_prefill(source.value, value) if value else "")
            elif value and not editor.value():
                editor.set_value(value)

    def raw_values(self) -> dict[str, object]:
        """What the operator entered; read-only fields are left for the service to fill."""
        return {
            key: editor.value()
            for key, editor in self.editors.items()
            if not isinstance(editor, ReadOnlyEditor)
        }

    def set_values(self, values: dict[str, object]) -> None:
        for key, value in values.items():
            editor = self.editors.get(key)
            if editor is not None and not isinstance(editor, ReadOnlyEditor):
                editor.set_value(value)

    def show_errors(self, errors: list[FieldError]) -> None:
        by_field = {e.field: e for e in errors}
        for key in self.editors:
            self._show(key, by_field.get(key))
        first = next((k for k in self.editors if k in by_field), None)
        if first is not None:
            widget = self.editors[first].focus_widget()
            self._scroll.ensureWidgetVisible(widget)
            widget.setFocus(Qt.FocusReason.OtherFocusReason)

    def _show(self, key: str, error: FieldError | None) -> None:
        label = self._errors[key]
        if error is None:
            label.clear()
            label.hide()
            return
        label.setText(error.text(self._language))
        label.show()

    def clear(self) -> None:
        for key, editor in self.editors.items():
            if not isinstance(editor, ReadOnlyEditor):
                editor.clear()
            self._show(key, None)
