"""Step 2 of a filing: the face photo, the materials checklist, the signature, and what to do
when materials are missing (容缺受理, or the one-time notice).

The window owns the camera, the signature dialog and the printer; this page only asks for
them through signals and shows what it has been given, so it stays a plain widget.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import (
    QCheckBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.catalog.schema import CatalogItem
from app.services.filing_service import FACE_PHOTO, SIGNATURE, Attachment
from ui.counter.materials_checklist import DONE_STYLE, MISSING_STYLE, MaterialsChecklist
from ui.tasks import TaskLane

SIGNATURE_THUMB_H = 48


class MaterialsStep(QWidget):
    face_requested = Signal()
    signature_requested = Signal()
    notice_print_requested = Signal()
    notice_show_requested = Signal()
    changed = Signal()

    def __init__(
        self,
        language: str,
        scan_folder: Path | None,
        parent: QWidget | None = None,
        *,
        lane: TaskLane | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("materialsStep")
        self.item: CatalogItem | None = None
        self.face_photo: bytes | None = None
        self.signature: bytes | None = None

        self.face_status = QLabel(self)
        self.face_status.setObjectName("faceStatus")
        self.face_button = QPushButton(self.tr("Face photo"), self)
        self.face_button.setObjectName("facePhotoButton")
        self.face_button.setAccessibleName(self.tr("Take the citizen's face photo"))
        face_row = QHBoxLayout()
        face_row.addWidget(QLabel(self.tr("Face photo (real-person check):"), self))
        face_row.addWidget(self.face_status, 1)
        face_row.addWidget(self.face_button)

        self.checklist = MaterialsChecklist(language, scan_folder, self, lane=lane)
        self.checklist.changed.connect(self._on_checklist_changed)

        self.signature_status = QLabel(self)
        self.signature_status.setObjectName("signatureStatus")
        self.signature_thumb = QLabel(self)
        self.signature_thumb.setObjectName("signatureThumb")
        self.sign_button = QPushButton(self.tr("Citizen signs"), self)
        self.sign_button.setObjectName("signButton")
        self.sign_button.setAccessibleName(self.tr("Let the citizen sign on the screen"))
        sign_row = QHBoxLayout()
        sign_row.addWidget(QLabel(self.tr("Signature:"), self))
        sign_row.addWidget(self.signature_status)
        sign_row.addWidget(self.signature_thumb, 1)
        sign_row.addWidget(self.sign_button)

        missing_box = QGroupBox(self.tr("When materials are missing"), self)
        self.pending_check = QCheckBox(
            self.tr("Accept now, materials to follow (容缺受理)"), missing_box
        )
        self.pending_check.setObjectName("pendingCheck")
        self.pending_check.setAccessibleName(self.tr("Accept with materials pending"))
        self.print_notice_button = QPushButton(self.tr("Print one-time notice"), missing_box)
        self.print_notice_button.setObjectName("printNoticeButton")
        self.print_notice_button.setAccessibleName(
            self.tr("Print the one-time notice of missing materials")
        )
        self.show_notice_button = QPushButton(self.tr("Show notice"), missing_box)
        self.show_notice_button.setObjectName("showNoticeButton")
        self.show_notice_button.setAccessibleName(
            self.tr("Show the one-time notice of missing materials")
        )
        missing_row = QHBoxLayout(missing_box)
        missing_row.addWidget(self.pending_check, 1)
        missing_row.addWidget(self.show_notice_button)
        missing_row.addWidget(self.print_notice_button)
        self.missing_box = missing_box

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(face_row)
        layout.addWidget(self.checklist, 1)
        layout.addLayout(sign_row)
        layout.addWidget(missing_box)

        self.face_button.clicked.connect(self.face_requested)
        self.sign_button.clicked.connect(self.signature_requested)
        self.print_notice_button.clicked.connect(self.notice_print_requested)
        self.show_notice_button.clicked.connect(self.notice_show_requested)
        self.pending_check.toggled.connect(self.changed)
        self._show()

    # ---- state ----------------------------------------------------------------------------
    def set_item(self, item: CatalogItem | None) -> None:
        """A newly chosen item: its checklist, and nothing of the last one's captures."""
        self.item = item
        self.checklist.set_materials(item.materials if item else ())
        self.face_photo = None
        self.signature = None
        self.pending_check.setChecked(False)
        self._show()

    def clear(self) -> None:
        """The next citizen: every capture forgotten, the checklist kept."""
        self.checklist.clear()
        self.face_photo = None
        self.signature = None
        self.pending_check.setChecked(False)
        self._show()

    def set_face(self, jpeg: bytes | None) -> None:
        self.face_photo = jpeg
        self._show()
        self.changed.emit()

    def set_signature(self, png: bytes | None) -> None:
        self.signature = png
        self._show()
        self.changed.emit()

    @property
    def face_required(self) -> bool:
        return bool(self.item and self.item.face_photo_required)

    @property
    def materials_pending(self) -> bool:
        return self.pending_check.isChecked() and bool(self.checklist.missing_required())

    def attachments(self) -> list[Attachment]:
        """What goes with the filing: face photo, every page, and the signature."""
        out = []
        if self.face_photo is not None:
            out.append(Attachment(FACE_PHOTO, self.face_photo))
        out.extend(Attachment(code, data, mime) for code, data, mime in self.checklist.pages())
        if self.signature is not None:
            out.append(Attachment(SIGNATURE, self.signature, "image/png"))
        return out

    # ---- showing --------------------------------------------------------------------------
    @Slot()
    def _on_checklist_changed(self) -> None:
        self._show()
        self.changed.emit()

    def _show(self) -> None:
        if self.face_photo is not None:
            self.face_status.setText(self.tr("taken"))
            self.face_status.setStyleSheet(DONE_STYLE)
        elif self.face_required:
            self.face_status.setText(self.tr("required for this item, not taken yet"))
            self.face_status.setStyleSheet(MISSING_STYLE)
        else:
            self.face_status.setText(self.tr("not required (may be taken)"))
            self.face_status.setStyleSheet("")
        if self.signature is None:
            self.signature_status.setText(self.tr("not signed yet"))
            self.signature_status.setStyleSheet(MISSING_STYLE)
            self.signature_thumb.clear()
        else:
            self.signature_status.setText(self.tr("signed"))
            self.signature_status.setStyleSheet(DONE_STYLE)
            image = QImage.fromData(self.signature)
            self.signature_thumb.setPixmap(
                QPixmap.fromImage(image).scaledToHeight(
                    SIGNATURE_THUMB_H, Qt.TransformationMode.SmoothTransformation
                )
            )
        missing = bool(self.checklist.missing_required())
        self.missing_box.setEnabled(missing)
        if not missing and self.pending_check.isChecked():
            self.pending_check.setChecked(False)

    def shutdown(self) -> None:
        self.checklist.shutdown()
