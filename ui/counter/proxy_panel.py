"""Applying for someone else (代办): whose card fills which slot.

With "applying for someone else" on, two people are read from their cards: the applicant
(代办人, who stands at the counter) and the citizen the filing is for (被代办人). The panel keeps
`active_slot`, so the window knows which slot the next card read fills; a read fills it and
moves on to the slot still empty.

A newborn has no card (BRIEF §4), but it needs nothing here: the catalog's newborn item
(CX-XSECB-005) carries the birth-certificate number, the child's name, sex and date of birth
and the guardian relation as form fields, the guardian's card (read as the citizen's) prefills
the guardian's name and ID number, and the filing service files it on that card plus the
form's birth certificate. Entering the child here as well would only type it twice.

The panel only shows what it is given: names and ID numbers arrive masked.
"""

from __future__ import annotations

from enum import StrEnum

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.relationships import RELATIONSHIPS, relationship_label

SLOT_STYLE = (
    "QPushButton { text-align: left; padding: 8px 12px; border: 2px solid #bdbdbd; "
    "border-radius: 6px; background: #fafafa; }"
    "QPushButton:checked { border-color: #1565c0; background: #e3f2fd; }"
)
SLOT_HEIGHT = 64
FIELD_WIDTH = 360


class ProxySlot(StrEnum):
    """Which person the next card read is."""

    APPLICANT = "applicant"  # 申请人（代办人）
    BENEFICIARY = "beneficiary"  # 办事群众（被代办人）: the citizen the filing is for


class ProxyPanel(QWidget):
    """The 代办 toggle, the relationship and the two card slots."""

    slot_changed = Signal(str)  # ProxySlot value: the slot the next card read fills
    changed = Signal()  # the toggle, the relationship or a slot changed

    def __init__(self, language: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("proxyPanel")
        self._active = ProxySlot.BENEFICIARY
        self._applicant: str | None = None
        self._beneficiary: str | None = None

        self.proxy_toggle = QCheckBox(self.tr("Applying for someone else"), self)
        self.proxy_toggle.setObjectName("proxyToggle")
        self.proxy_toggle.setAccessibleName(self.tr("Applying for someone else"))

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

        top = QHBoxLayout()
        top.addWidget(self.proxy_toggle)
        top.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.proxy_box)
        layout.addStretch(1)

        self.proxy_toggle.toggled.connect(self._on_proxy_toggled)
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

    # ---- state -----------------------------------------------------------------------------
    @property
    def proxy_enabled(self) -> bool:
        return self.proxy_toggle.isChecked()

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

    # ---- slots -----------------------------------------------------------------------------
    def set_active_slot(self, slot: ProxySlot) -> None:
        if not self.proxy_enabled and slot is ProxySlot.APPLICANT:
            return  # without 代办 there is only the citizen
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
            self.set_active_slot(ProxySlot.BENEFICIARY)
        self.changed.emit()

    def set_beneficiary(self, masked_text: str | None) -> None:
        """Show the citizen the filing is for (masked); then the applicant's slot if empty."""
        self._beneficiary = masked_text or None
        self._show_slots()
        if self._beneficiary and self.proxy_enabled and not self._applicant:
            self.set_active_slot(ProxySlot.APPLICANT)
        self.changed.emit()

    def clear(self) -> None:
        """Next citizen: both slots empty, no relationship, 代办 off."""
        self._applicant = None
        self._beneficiary = None
        self.relationship.setCurrentIndex(-1)
        self.proxy_toggle.setChecked(False)
        self._layout_for_mode()
        self.changed.emit()

    # ---- mode ------------------------------------------------------------------------------
    @Slot(bool)
    def _on_proxy_toggled(self, _on: bool) -> None:
        self._layout_for_mode()
        self.changed.emit()

    def _layout_for_mode(self) -> None:
        proxy = self.proxy_enabled
        self.proxy_box.setVisible(proxy)
        if proxy:
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
        for button, title, text in (
            (self.applicant_slot, self.tr("Applicant (agent)"), self._applicant),
            (self.beneficiary_slot, self.tr("Citizen (applied for)"), self._beneficiary),
        ):
            button.setText(f"{title}\n{text or read_card}")
            button.setAccessibleName(f"{title}: {text or read_card}")

    @Slot()
    def _emit_changed(self) -> None:
        self.changed.emit()
