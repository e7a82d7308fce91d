"""Who the filing is for: read from a device, shown masked. No typing an ID number here."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QGroupBox, QHBoxLayout, QLabel, QPushButton, QWidget

from app.identity import PersonRead, mask_id_number, mask_name
from ui import labels


class IdentityPanel(QGroupBox):
    read_requested = Signal()
    reveal_requested = Signal()  # the operator asked to see the full name (audited)
    camera_scan_requested = Signal()  # read an e-voucher with the camera

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle(self.tr("Citizen"))
        self.read_button = QPushButton(self.tr("Read ID card"), self)
        self.read_button.setObjectName("readCardButton")
        self.read_button.setAccessibleName(self.tr("Read ID card"))
        self.camera_scan_button = QPushButton(self.tr("E-voucher by camera"), self)
        self.camera_scan_button.setObjectName("cameraScanButton")
        self.camera_scan_button.setAccessibleName(
            self.tr("Read the medical-insurance e-voucher with the camera")
        )
        self.reveal_button = QPushButton(self.tr("Show full name"), self)
        self.reveal_button.setObjectName("revealNameButton")
        self.reveal_button.setAccessibleName(self.tr("Show full name"))
        self.reveal_button.setToolTip(self.tr("To check the name against the card; recorded"))
        self.summary = QLabel(self)
        self.summary.setObjectName("personSummary")
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        layout = QHBoxLayout(self)
        layout.addWidget(self.summary, 1)
        layout.addWidget(self.reveal_button)
        layout.addWidget(self.camera_scan_button)
        layout.addWidget(self.read_button)
        self.read_button.clicked.connect(self.read_requested)
        self.reveal_button.clicked.connect(self.reveal_requested)
        self.camera_scan_button.clicked.connect(self.camera_scan_requested)
        self._person: PersonRead | None = None
        self.show_person(None)

    def set_reading(self, reading: bool) -> None:
        self.read_button.setEnabled(not reading)
        if reading:
            self.summary.setText(self.tr("Reading the card... place the ID card on the reader."))

    def show_person(self, person: PersonRead | None, *, full_name: bool = False) -> None:
        """Show who was read: masked, or with the name exactly as read when asked."""
        self._person = person
        self.reveal_button.setEnabled(person is not None and not full_name)
        if person is None:
            self.summary.setText(
                self.tr(
                    "No citizen yet. Read an ID card, social-security card or e-voucher "
                    "to start; ID numbers cannot be typed."
                )
            )
            return
        text = self.tr("%1 · %2 · %3 · read by %4")
        for placeholder, value in (
            ("%1", person.name if full_name else mask_name(person.name)),
            ("%2", labels.sex(person.sex)),
            ("%3", mask_id_number(person.id_number)),
            ("%4", labels.device(person.source)),
        ):
            text = text.replace(placeholder, value)
        self.summary.setText(text)

    def show_error(self, message: str) -> None:
        self.summary.setText(message)
