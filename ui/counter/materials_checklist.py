"""The materials checklist: what the chosen item needs, and the pages provided for each.

One row per material of the catalog item (required or optional, the note as a tooltip),
with the pages photographed or imported from the scanner folder, a thumbnail of the latest,
and a summary line that says what is still missing (一次性告知 starts from it). The window
owns the camera: "Photograph" only asks for it (`capture_requested`) and the window hands the
photo back with `add_page`. Thumbnails and scans are decoded on a worker lane.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.catalog.schema import MaterialSpec
from ui.counter.scan_folder import ImportedScan, ScanFolder, ScanPickerDialog, thumbnail_image
from ui.tasks import TaskLane

Source = Literal["camera", "scan"]
SOURCES: tuple[Source, ...] = ("camera", "scan")
THUMB = 56
MISSING_STYLE = "color: #b00020; font-weight: bold;"
DONE_STYLE = "color: #1b5e20; font-weight: bold;"
OPTIONAL_STYLE = "color: #616161;"


@dataclass(frozen=True)
class MaterialPage:
    """One page provided for a material."""

    code: str
    data: bytes
    mime: str
    source: Source

    def __repr__(self) -> str:  # a page is a photo of someone's papers
        return f"MaterialPage(code={self.code}, bytes={len(self.data)}, source={self.source})"

    __str__ = __repr__


class _Row:
    """The widgets of one material's row."""

    def __init__(self, spec: MaterialSpec, name: str) -> None:
        self.spec = spec
        self.name = name
        self.name_label = QLabel(name)
        self.tag = QLabel()
        self.status = QLabel()
        self.thumb = QLabel()
        self.capture = QPushButton()
        self.scan = QPushButton()
        self.remove = QPushButton()
        self.thumb_for: int | None = None  # id of the page the thumbnail shows


class MaterialsChecklist(QWidget):
    """Rows of materials with their pages; `pages()` is what goes with the filing."""

    changed = Signal()
    capture_requested = Signal(str)  # material code: the window opens the camera

    def __init__(
        self,
        language: str,
        scan_folder: Path | None = None,
        parent: QWidget | None = None,
        *,
        lane: TaskLane | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("materialsChecklist")
        self._language = language
        self._english = language.startswith("en")
        self._own_lane = lane is None
        self.lane = lane if lane is not None else TaskLane("materials", self)
        self.scan_folder: ScanFolder | None = None
        self.picker: ScanPickerDialog | None = None
        self._picker_code: str | None = None
        self._specs: list[MaterialSpec] = []
        self._pages: dict[str, list[MaterialPage]] = {}
        self._rows: dict[str, _Row] = {}

        self._grid_host = QWidget(self)
        self._grid = QGridLayout(self._grid_host)
        self._grid.setColumnStretch(0, 1)
        self._grid.setHorizontalSpacing(10)
        self._grid.setAlignment(Qt.AlignmentFlag.AlignTop)
        scroll = QScrollArea(self)
        scroll.setObjectName("materialsScroll")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(self._grid_host)
        self.summary = QLabel(self)
        self.summary.setObjectName("materialsSummary")
        self.summary.setWordWrap(True)
        self.summary.setAccessibleName(self.tr("Materials summary"))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.summary)
        self.set_scan_folder(scan_folder)
        self._update_summary()

    # ---- set-up ----------------------------------------------------------------------------
    def set_scan_folder(self, folder: Path | None) -> None:
        """Where the scanner saves (from `app.settings.scan_folder_path`); None: no scanner."""
        if self.scan_folder is not None:
            self.scan_folder.deleteLater()
        self.scan_folder = (
            None if folder is None else ScanFolder(folder, self.lane, self._language, self)
        )
        for row in self._rows.values():
            self._set_scan_enabled(row)

    def set_materials(self, specs: Sequence[MaterialSpec]) -> None:
        """Show the checklist of a newly chosen item; pages of the previous one are dropped."""
        for row in self._rows.values():
            for widget in self._row_widgets(row):
                self._grid.removeWidget(widget)
                widget.hide()  # now: deleteLater waits for the event loop
                widget.deleteLater()
        self._rows = {}
        self._specs = list(specs)
        self._pages = {spec.code: [] for spec in self._specs}
        for n, spec in enumerate(self._specs):
            self._rows[spec.code] = self._make_row(n, spec)
        self._update_summary()
        self.changed.emit()

    @staticmethod
    def _row_widgets(row: _Row) -> tuple[QWidget, ...]:
        return (row.name_label, row.tag, row.status, row.thumb, row.capture, row.scan, row.remove)

    def _make_row(self, n: int, spec: MaterialSpec) -> _Row:
        name = spec.name_en if self._english else spec.name
        row = _Row(spec, name)
        row.name_label.setWordWrap(True)
        row.name_label.setObjectName(f"material_{spec.code}")
        row.name_label.setTextFormat(Qt.TextFormat.PlainText)
        if spec.note:
            row.name_label.setToolTip(spec.note)
            row.name_label.setText(name + " ⓘ")
        row.tag.setText(self.tr("Required") if spec.required else self.tr("Optional"))
        row.tag.setStyleSheet("font-weight: bold;" if spec.required else OPTIONAL_STYLE)
        row.status.setObjectName(f"materialStatus_{spec.code}")
        row.status.setAccessibleName(self.tr("%1: status").replace("%1", name))
        row.thumb.setObjectName(f"materialThumb_{spec.code}")
        row.thumb.setFixedSize(THUMB, THUMB)
        row.thumb.setAlignment(Qt.AlignmentFlag.AlignCenter)
        row.thumb.setStyleSheet("background: #f0f0f0; border: 1px solid #d0d0d0;")
        row.thumb.setAccessibleName(self.tr("%1: latest page").replace("%1", name))
        for button, key, text, accessible in (
            (row.capture, "capture", self.tr("Photograph"), self.tr("Photograph %1")),
            (row.scan, "scan", self.tr("Scans..."), self.tr("Import %1 from the scanner folder")),
            (row.remove, "remove", self.tr("Remove"), self.tr("Remove the pages of %1")),
        ):
            button.setText(text)
            button.setObjectName(f"{key}_{spec.code}")
            button.setAccessibleName(accessible.replace("%1", name))
            button.setAutoDefault(False)
        row.capture.clicked.connect(functools.partial(self.capture_requested.emit, spec.code))
        row.scan.clicked.connect(functools.partial(self.open_scans, spec.code))
        row.remove.clicked.connect(functools.partial(self.remove_pages, spec.code))
        for column, widget in enumerate(self._row_widgets(row)):
            widget.setParent(self._grid_host)
            self._grid.addWidget(widget, n, column)
        self._set_scan_enabled(row)
        self._show_row(row)
        return row

    def _set_scan_enabled(self, row: _Row) -> None:
        row.scan.setEnabled(self.scan_folder is not None)
        row.scan.setToolTip(
            "" if self.scan_folder is not None else self.tr("No scanner folder is set up.")
        )

    # ---- pages -----------------------------------------------------------------------------
    def specs(self) -> list[MaterialSpec]:
        return list(self._specs)

    def add_page(
        self, code: str, data: bytes, mime: str = "image/jpeg", source: Source = "camera"
    ) -> None:
        """Add one page to a material (several pages per material are fine)."""
        if code not in self._pages:
            raise KeyError(f"{code!r} is not on this checklist")
        if source not in SOURCES:
            raise ValueError(f"unknown page source {source!r}")
        self._pages[code].append(MaterialPage(code, bytes(data), mime, source))
        self._show_row(self._rows[code])
        self._update_summary()
        self.changed.emit()

    def remove_pages(self, code: str) -> None:
        """Drop every page of one material (the 移除 button)."""
        if not self._pages.get(code):
            return
        self._pages[code] = []
        self._show_row(self._rows[code])
        self._update_summary()
        self.changed.emit()

    def page_count(self, code: str) -> int:
        return len(self._pages.get(code, []))

    def pages(self) -> list[tuple[str, bytes, str]]:
        """(code, data, mime) of every page, in checklist order, each material's in order."""
        return [(p.code, p.data, p.mime) for spec in self._specs for p in self._pages[spec.code]]

    def missing_required(self) -> list[MaterialSpec]:
        return [s for s in self._specs if s.required and not self._pages[s.code]]

    def clear(self) -> None:
        """Forget every page (next citizen); the checklist itself stays."""
        for code in self._pages:
            self._pages[code] = []
        for row in self._rows.values():
            self._show_row(row)
        self._update_summary()
        self.changed.emit()

    # ---- showing ---------------------------------------------------------------------------
    def status_text(self, code: str) -> str:
        pages = self._pages[code]
        n = len(pages)
        sources = {p.source for p in pages}
        if not pages:
            return self.tr("Not provided")
        if sources == {"camera"}:
            return self.tr("Photographed: %n page(s)", "", n)
        if sources == {"scan"}:
            return self.tr("Imported from scans: %n page(s)", "", n)
        return self.tr("Photographed and scanned: %n page(s)", "", n)

    def _show_row(self, row: _Row) -> None:
        code = row.spec.code
        pages = self._pages[code]
        row.status.setText(self.status_text(code))
        missing = row.spec.required and not pages
        row.status.setStyleSheet(MISSING_STYLE if missing else (DONE_STYLE if pages else ""))
        row.remove.setEnabled(bool(pages))
        if not pages:
            row.thumb_for = None
            row.thumb.setPixmap(QPixmap())
            row.thumb.setText("—")
            return
        latest = pages[-1]
        if row.thumb_for == id(latest):
            return
        row.thumb_for = id(latest)
        row.thumb.setText("…")
        self.lane.submit(
            functools.partial(thumbnail_image, latest.data, THUMB),
            functools.partial(self._on_thumbnail, code, id(latest)),
        )

    def _on_thumbnail(self, code: str, page_id: int, image: object) -> None:
        assert isinstance(image, QImage)
        row = self._rows.get(code)
        if row is None or row.thumb_for != page_id:
            return  # the row or the page changed meanwhile
        if image.isNull():
            row.thumb.setText("?")
            return
        row.thumb.setPixmap(QPixmap.fromImage(image))

    def _update_summary(self) -> None:
        if not self._specs:
            self.summary.setText(self.tr("This item needs no materials."))
            self.summary.setStyleSheet("")
            return
        missing = len(self.missing_required())
        if missing:
            self.summary.setText(self.tr("%n required material(s) missing", "", missing))
            self.summary.setStyleSheet(MISSING_STYLE)
        else:
            self.summary.setText(self.tr("All required materials provided"))
            self.summary.setStyleSheet(DONE_STYLE)

    # ---- scans -----------------------------------------------------------------------------
    @Slot()
    def open_scans(self, code: str) -> None:
        """Open the picker of the scanner folder for one material (non-blocking)."""
        if self.scan_folder is None or code not in self._rows:
            return
        if self.picker is not None:
            self.picker.deleteLater()
        self._picker_code = code
        title = self.tr("Scans for %1").replace("%1", self._rows[code].name)
        self.picker = ScanPickerDialog(
            self.scan_folder, self.lane, self._language, self, title=title
        )
        self.picker.imported.connect(functools.partial(self._on_scan_imported, code))
        self.picker.open()

    def _on_scan_imported(self, code: str, scan: object) -> None:
        assert isinstance(scan, ImportedScan)
        if code in self._pages:  # the item may have changed while the file was read
            self.add_page(code, scan.jpeg, "image/jpeg", "scan")

    def shutdown(self) -> None:
        """Stop the lane this checklist made (finishing queued work first)."""
        if self.picker is not None:
            self.picker.close()
        if self._own_lane:
            self.lane.shutdown()
