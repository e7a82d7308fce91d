"""Applying for someone else (代办) and for a newborn: whose card fills which slot.

With "applying for someone else" on, two people are read from their cards: the applicant
(代办人, who stands at the counter) and the citizen the filing is for (被代办人). The panel keeps
`active_slot`, so the window knows which slot the next card read fills; a read fills it and
moves on to the slot still empty. A newborn has no card (BRIEF §4): the guardian's card fills
the applicant slot and the child is entered from the 出生医学证明, checked by
`app.relationships.check_newborn` (the same rules any other front end uses).

The panel only shows what it is given: names and ID numbers arrive masked.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from enum import StrEnum

from PySide6.QtCore import QDate, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.catalog.schema import CatalogItem, IdentityMethod
from app.china_clock import china_date
from app.relationships import (
    NEWBORN_NAME_MAX,
    RELATIONSHIPS,
    NewbornEntry,
    NewbornProblem,
    check_newborn,
    newborn_earliest_birth,
    relationship_label,
)
from ui import labels

ERROR_STYLE = "color: #b00020;"
SLOT_STYLE = (
    "QPushButton { text-align: left; padding: 8px 12px; border: 2px solid #bdbdbd; "
    "border-radius: 6px; background: #fafafa; }"
    "QPushButton:checked { border-color: #1565c0; background: #e3f2fd; }"
)
SLOT_HEIGHT = 64
FIELD_WIDTH = 360


class ProxySlot(StrEnum):
    """Which person the next card read is."""

    APPLICANT = "applicant"  # 申请人（代办人）, or a newborn's guardian
    BENEFICIARY = "beneficiary"  # 办事群众（被代办人）: the citizen the filing is for


def china_today() -> dt.date:
    return china_date(dt.datetime.now(dt.UTC))


def _qdate(day: dt.date) -> QDate:
    return QDate(day.year, day.month, day.day)


class ProxyPanel(QWidget):
    """The 代办 toggle, the relationship, the two card slots and the newborn's entry."""

    slot_changed = Signal(str)  # ProxySlot value: the slot the next card read fills
    changed = Signal()  # the toggle, relationship, a slot or the newborn entry changed

    def __init__(
        self,
        language: str,
        parent: QWidget | None = None,
        *,
        today: Callable[[], dt.date] = china_today,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("proxyPanel")
        self._language = language
        self._today = today
        self._active = ProxySlot.BENEFICIARY
        self._applicant: str | None = None
        self._beneficiary: str | None = None
        self._touched: set[str] = set()
        self._show_all_errors = False
        self._newborn_only = False

        self.proxy_toggle = QCheckBox(self.tr("Applying for someone else"), self)
        self.proxy_toggle.setObjectName("proxyToggle")
        self.proxy_toggle.setAccessibleName(self.tr("Applying for someone else"))
        self.newborn_toggle = QCheckBox(
            self.tr("Newborn (birth certificate, no ID card yet)"), self
        )
        self.newborn_toggle.setObjectName("newbornToggle")
        self.newborn_toggle.setAccessibleName(self.tr("Newborn"))
        self.newborn_toggle.hide()

        self.relationship = QComboBox(self)
        self.relationship.setObjectName("proxyRelationship")
        self.relationship.setAccessibleName(self.tr("Applicant's relationship to the citizen"))
        self.relationship.setPlaceholderText(self.tr("Choose..."))
        for relation in RELATIONSHIPS:
            self.relationship.addItem(relationship_label(relation.code, language), relation.code)
        self.relationship.setCurrentIndex(-1)

        self.applicant_slot = self._slot_button("applicantSlot")
        self.beneficiary_slot = self._slot_button("beneficiarySlot")
        slots = QHBoxLayout()
        slots.addWidget(self.applicant_slot, 1)
        slots.addWidget(self.beneficiary_slot, 1)
        self.relationship.setMaximumWidth(FIELD_WIDTH)
        relation_row = QFormLayout()
        relation_row.addRow(self.tr("Relationship"), self.relationship)
        self.proxy_box = QWidget(self)
        self.proxy_box.setObjectName("proxyBox")
        proxy_layout = QVBoxLayout(self.proxy_box)
        proxy_layout.setContentsMargins(0, 0, 0, 0)
        proxy_layout.addLayout(relation_row)
        proxy_layout.addLayout(slots)

        self.newborn_box = self._newborn_box()

        top = QHBoxLayout()
        top.addWidget(self.proxy_toggle)
        top.addWidget(self.newborn_toggle)
        top.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.proxy_box)
        layout.addWidget(self.newborn_box)
        layout.addStretch(1)

        self.proxy_toggle.toggled.connect(self._on_proxy_toggled)
        self.newborn_toggle.toggled.connect(self._on_newborn_toggled)
        self.relationship.currentIndexChanged.connect(self._emit_changed)
        self.applicant_slot.clicked.connect(self._choose_applicant)
        self.beneficiary_slot.clicked.connect(self._choose_beneficiary)
        self._layout_for_mode()

    def _slot_button(self, name: str) -> QPushButton:
        button = QPushButton(self)
        button.setObjectName(name)
        button.setCheckable(True)
        button.setAutoExclusive(False)
        button.setMinimumHeight(SLOT_HEIGHT)
        button.setStyleSheet(SLOT_STYLE)
        button.setAutoDefault(False)
        return button

    def _newborn_box(self) -> QGroupBox:
        box = QGroupBox(self.tr("Newborn"), self)
        box.setObjectName("newbornBox")
        self.birth_cert = QLineEdit(box)
        self.birth_cert.setObjectName("newbornBirthCert")
        self.birth_cert.setAccessibleName(self.tr("Birth certificate number"))
        self.birth_cert.setPlaceholderText("O440012345")
        self.birth_cert.setMaxLength(12)
        self.newborn_name = QLineEdit(box)
        self.newborn_name.setObjectName("newbornName")
        self.newborn_name.setAccessibleName(self.tr("Newborn's name"))
        self.newborn_name.setMaxLength(NEWBORN_NAME_MAX)
        self.newborn_sex = QComboBox(box)
        self.newborn_sex.setObjectName("newbornSex")
        self.newborn_sex.setAccessibleName(self.tr("Newborn's sex"))
        self.newborn_sex.setPlaceholderText(self.tr("Choose..."))
        self.newborn_sex.addItem(labels.sex("1"), "1")
        self.newborn_sex.addItem(labels.sex("2"), "2")
        self.newborn_sex.setCurrentIndex(-1)
        self.birth_date = QDateEdit(box)
        self.birth_date.setObjectName("newbornBirthDate")
        self.birth_date.setAccessibleName(self.tr("Newborn's date of birth"))
        self.birth_date.setCalendarPopup(True)
        self.birth_date.setDisplayFormat("yyyy-MM-dd")
        self.birth_date.setSpecialValueText(self.tr("Choose a date"))
        self.newborn_error = QLabel(box)
        self.newborn_error.setObjectName("newbornError")
        self.newborn_error.setWordWrap(True)
        self.newborn_error.setTextFormat(Qt.TextFormat.PlainText)
        self.newborn_error.setStyleSheet(ERROR_STYLE)
        self.newborn_error.setAccessibleName(self.tr("Problems with the newborn's details"))
        self.newborn_error.hide()
        for field in (self.birth_cert, self.newborn_name, self.newborn_sex, self.birth_date):
            field.setMaximumWidth(FIELD_WIDTH)
        form = QFormLayout(box)
        form.addRow(self.tr("Birth certificate number"), self.birth_cert)
        form.addRow(self.tr("Newborn's name"), self.newborn_name)
        form.addRow(self.tr("Sex"), self.newborn_sex)
        form.addRow(self.tr("Date of birth"), self.birth_date)
        form.addRow(self.newborn_error)
        self._reset_date_range()
        self.birth_cert.editingFinished.connect(self._touch_birth_cert)
        self.birth_cert.textChanged.connect(self._on_newborn_edited)
        self.newborn_name.editingFinished.connect(self._touch_name)
        self.newborn_name.textChanged.connect(self._on_newborn_edited)
        self.newborn_sex.activated.connect(self._touch_sex)
        self.birth_date.dateChanged.connect(self._touch_date)
        return box

    # ---- state -----------------------------------------------------------------------------
    @property
    def proxy_enabled(self) -> bool:
        return self.proxy_toggle.isChecked()

    @property
    def newborn_mode(self) -> bool:
        return self.newborn_toggle.isChecked()

    @property
    def active_slot(self) -> ProxySlot:
        """The slot the next card read fills: the citizen, unless applying for someone else."""
        return self._active

    def relationship_code(self) -> str | None:
        data = self.relationship.currentData()
        return None if data is None else str(data)

    def set_relationship(self, code: str | None) -> None:
        self.relationship.setCurrentIndex(-1 if code is None else self.relationship.findData(code))

    def applicant_text(self) -> str | None:
        return self._applicant

    def beneficiary_text(self) -> str | None:
        return self._beneficiary

    # ---- the item --------------------------------------------------------------------------
    def set_item(self, item: CatalogItem | None) -> None:
        """Offer newborn mode when the item accepts a birth certificate; force it when that is
        the only identity it accepts (新生儿参保登记)."""
        methods = item.identity_methods if item is not None else ()
        accepts = IdentityMethod.BIRTH_CERT in methods
        was_newborn_only = self._newborn_only
        self._newborn_only = accepts and len(methods) == 1
        self.newborn_toggle.setVisible(accepts)
        self.newborn_toggle.setEnabled(not self._newborn_only)
        self.set_newborn_mode(self._newborn_only)
        if was_newborn_only and not self._newborn_only:
            self.proxy_toggle.setChecked(False)  # it was on only because of the newborn item

    def set_newborn_mode(self, on: bool) -> None:
        self.newborn_toggle.setChecked(on)
        self._layout_for_mode()

    # ---- slots -----------------------------------------------------------------------------
    def set_active_slot(self, slot: ProxySlot) -> None:
        if not self.proxy_enabled and slot is ProxySlot.APPLICANT:
            return  # without 代办 there is only the citizen
        if self.newborn_mode and slot is ProxySlot.BENEFICIARY:
            return  # a newborn has no card: only the guardian is read
        self._force_slot(slot)

    @Slot()
    def _choose_applicant(self) -> None:
        self.set_active_slot(ProxySlot.APPLICANT)
        self.applicant_slot.setChecked(self._active is ProxySlot.APPLICANT)

    @Slot()
    def _choose_beneficiary(self) -> None:
        self.set_active_slot(ProxySlot.BENEFICIARY)
        self.beneficiary_slot.setChecked(self._active is ProxySlot.BENEFICIARY)

    def set_applicant(self, masked_text: str | None) -> None:
        """Show who the applicant card read (masked); then the citizen's slot is next."""
        self._applicant = masked_text or None
        self._show_slots()
        if self._applicant and self.proxy_enabled and not self._beneficiary:
            self.set_active_slot(ProxySlot.BENEFICIARY)  # refused in newborn mode
        self.changed.emit()

    def set_beneficiary(self, masked_text: str | None) -> None:
        """Show the citizen the filing is for (masked); then the applicant's slot if empty."""
        self._beneficiary = masked_text or None
        self._show_slots()
        if self._beneficiary and self.proxy_enabled and not self._applicant:
            self.set_active_slot(ProxySlot.APPLICANT)
        self.changed.emit()

    def clear(self) -> None:
        """Next citizen: both slots empty, 代办 off (unless the item is newborns only)."""
        self._applicant = None
        self._beneficiary = None
        self.relationship.setCurrentIndex(-1)
        self.birth_cert.clear()
        self.newborn_name.clear()
        self.newborn_sex.setCurrentIndex(-1)
        self._reset_date_range()
        self._touched.clear()
        self._show_all_errors = False
        self.newborn_error.hide()
        self.newborn_toggle.setChecked(self._newborn_only)
        self.proxy_toggle.setChecked(self._newborn_only)
        self._layout_for_mode()
        self.changed.emit()

    # ---- modes -----------------------------------------------------------------------------
    @Slot(bool)
    def _on_proxy_toggled(self, _on: bool) -> None:
        self._layout_for_mode()
        self.changed.emit()

    @Slot(bool)
    def _on_newborn_toggled(self, on: bool) -> None:
        if on:
            self._reset_date_range()
        self._layout_for_mode()
        self.changed.emit()

    def _layout_for_mode(self) -> None:
        newborn = self.newborn_mode
        if newborn and not self.proxy_toggle.isChecked():
            self.proxy_toggle.blockSignals(True)
            self.proxy_toggle.setChecked(True)  # a newborn always has someone applying for it
            self.proxy_toggle.blockSignals(False)
        self.proxy_toggle.setEnabled(not newborn)
        proxy = self.proxy_enabled
        self.proxy_box.setVisible(proxy)
        self.beneficiary_slot.setVisible(proxy and not newborn)
        self.newborn_box.setVisible(newborn)
        if newborn:
            wanted = ProxySlot.APPLICANT
        elif proxy:
            wanted = ProxySlot.BENEFICIARY if self._applicant else ProxySlot.APPLICANT
        else:
            wanted = ProxySlot.BENEFICIARY
        self._force_slot(wanted)
        self._show_slots()

    def _force_slot(self, slot: ProxySlot) -> None:
        changed = slot is not self._active
        self._active = slot
        self.applicant_slot.setChecked(slot is ProxySlot.APPLICANT)
        self.beneficiary_slot.setChecked(slot is ProxySlot.BENEFICIARY)
        if changed:
            self.slot_changed.emit(slot.value)

    def _show_slots(self) -> None:
        read_card = self.tr("Read the card")
        applicant_title = (
            self.tr("Guardian (applicant)") if self.newborn_mode else self.tr("Applicant (agent)")
        )
        for button, title, text in (
            (self.applicant_slot, applicant_title, self._applicant),
            (self.beneficiary_slot, self.tr("Citizen (applied for)"), self._beneficiary),
        ):
            button.setText(f"{title}\n{text or read_card}")
            button.setAccessibleName(f"{title}: {text or read_card}")

    @Slot()
    def _emit_changed(self) -> None:
        self.changed.emit()

    # ---- newborn ---------------------------------------------------------------------------
    def _reset_date_range(self) -> None:
        """Dates from a year ago to today; the day before is the blank 'Choose a date'."""
        today = self._today()
        earliest = newborn_earliest_birth(today)
        blank = _qdate(earliest).addDays(-1)
        self.birth_date.blockSignals(True)
        self.birth_date.setDateRange(blank, _qdate(today))
        self.birth_date.setDate(blank)
        self.birth_date.blockSignals(False)

    def _birth_date_value(self) -> dt.date | None:
        date = self.birth_date.date()
        if date == self.birth_date.minimumDate():
            return None
        return dt.date(date.year(), date.month(), date.day())

    def _check(self) -> tuple[NewbornEntry | None, list[NewbornProblem]]:
        return check_newborn(
            self.birth_cert.text(),
            self.newborn_name.text(),
            self.newborn_sex.currentData(),
            self._birth_date_value(),
            self._today(),
        )

    def newborn_values(self) -> NewbornEntry | None:
        """The newborn as entered, when newborn mode is on and every field is right."""
        if not self.newborn_mode:
            return None
        entry, _ = self._check()
        return entry

    def newborn_errors(self) -> list[str]:
        """Every problem with the newborn's entry, in the panel's language, now shown in red."""
        if not self.newborn_mode:
            return []
        self._show_all_errors = True
        _, problems = self._check()
        self._show_problems(problems)
        return [p.text(self._language) for p in problems]

    def _show_problems(self, problems: list[NewbornProblem]) -> None:
        shown = [
            p.text(self._language)
            for p in problems
            if self._show_all_errors or p.field in self._touched
        ]
        self.newborn_error.setText("\n".join(shown))
        self.newborn_error.setVisible(bool(shown))

    def _touch(self, field: str) -> None:
        self._touched.add(field)
        self._on_newborn_edited()

    @Slot()
    def _touch_birth_cert(self) -> None:
        self._touch("birth_cert_number")

    @Slot()
    def _touch_name(self) -> None:
        self._touch("name")

    @Slot()
    def _touch_sex(self) -> None:
        self._touch("sex")

    @Slot()
    def _touch_date(self) -> None:
        self._touch("birth_date")

    @Slot()
    def _on_newborn_edited(self) -> None:
        if self._touched or self._show_all_errors:
            self._show_problems(self._check()[1])
        self.changed.emit()
