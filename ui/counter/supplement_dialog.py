"""Adding materials to a filing already queued or sent (补充材料): the centre asked for them,
or the application was accepted with them pending (容缺受理).

The pages are captured the same way as for a new filing (camera or scanner folder); the
window turns them into a supplement command that references the filing.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from app.catalog.schema import CatalogItem
from app.services.filing_service import Attachment
from app.services.queue_service import FilingDetail
from ui.counter.materials_checklist import MaterialsChecklist
from ui.tasks import TaskLane


class SupplementDialog(QDialog):
    capture_requested = Signal(str)  # a material code: the window opens the camera

    def __init__(
        self,
        item: CatalogItem,
        detail: FilingDetail,
        language: str,
        scan_folder: Path | None,
        parent: QWidget | None = None,
        *,
        lane: TaskLane | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("supplementDialog")
        english = language.startswith("en")
        self.setWindowTitle(self.tr("Supplement materials"))
        self.detail = detail
        head = QLabel(self)
        head.setWordWrap(True)
        head.setObjectName("supplementHead")
        lines = [item.name_en if english else item.name]
        if detail.centre_message:
            lines.append(self.tr("The centre says: %1").replace("%1", detail.centre_message))
        names = {m.code: (m.name_en if english else m.name) for m in item.materials}
        given = [names[c] for c in dict.fromkeys(detail.attachment_codes) if c in names]
        if given:
            lines.append(self.tr("Already provided: %1").replace("%1", ", ".join(given)))
        head.setText("\n".join(lines))
        self.checklist = MaterialsChecklist(language, scan_folder, self, lane=lane)
        self.checklist.set_materials(item.materials)
        self.checklist.capture_requested.connect(self.capture_requested)
        self.buttons = QDialogButtonBox(self)
        self.ok_button = self.buttons.addButton(
            self.tr("Queue the supplement"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.ok_button.setObjectName("supplementOkButton")
        self.ok_button.setAccessibleName(self.tr("Queue the supplement"))
        cancel = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        cancel.setAccessibleName(self.tr("Cancel"))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.checklist.changed.connect(self._update)
        layout = QVBoxLayout(self)
        layout.addWidget(head)
        layout.addWidget(self.checklist, 1)
        layout.addWidget(self.buttons)
        self.resize(820, 520)
        self._update()

    @Slot()
    def _update(self) -> None:
        self.ok_button.setEnabled(bool(self.checklist.pages()))

    def attachments(self) -> list[Attachment]:
        return [Attachment(code, data, mime) for code, data, mime in self.checklist.pages()]

    def done(self, result: int) -> None:
        self.checklist.shutdown()
        super().done(result)
