"""Scans from the station's flatbed scanner: the folder it drops files into, and a picker.

Many stations scan paper on a flatbed whose software saves each scan as a file in a folder
(the `scan_folder` device setting, by default `scans/` in the data folder). The operator picks
the newest files in `ScanPickerDialog`; each is read and, unless it already is a JPEG that fits,
converted to one on a worker lane, then added to the materials checklist. The files stay where
they are (the folder belongs to the operator and the scanner); a file picked is only marked as
imported for the rest of this session.

Files are decoded with OpenCV, not Qt: a damaged file then costs a message in the dialog, not
a Qt warning, and one decoder serves every format the scanners write. Scan files may carry
the citizen's name in their file name, so no file name reaches the log.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import cv2
import numpy as np
from PySide6.QtCore import QFileSystemWatcher, QObject, QSize, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QColor, QIcon, QImage, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.china_clock import CHINA
from app.errors import UserFacingError
from devices.photo_encoding import MATERIAL_MAX_BYTES, Image, encode_jpeg
from ui.tasks import TaskLane

log = logging.getLogger(__name__)

SCAN_SUFFIXES: Final = frozenset({".jpg", ".jpeg", ".png", ".tif", ".tiff", ".bmp"})
SCAN_MAX_SIDE: Final = 2000  # long side of an imported scan: A4 at ~170 dpi, small print legible
SCAN_QUALITY: Final = 85
SCAN_MAX_FILE_BYTES: Final = 80_000_000  # larger is no page scan (or a broken one)
LISTING_LIMIT: Final = 60
PICKER_FILES: Final = 30
THUMB_SIDE: Final = 96
REFRESH_DELAY_MS: Final = 300  # a burst of directory events becomes one listing
POLL_MS: Final = 5000  # network folders send no change events: look again while picking
JPEG_MIME: Final = "image/jpeg"
ERROR_STYLE = "color: #b00020; font-weight: bold;"


class ScanUnreadable(UserFacingError):
    """A scan file that cannot be used: missing, damaged, not an image, or still being written."""


@dataclass(frozen=True)
class ScanFile:
    """One image file in the scan folder, as listed (its name may hold personal data)."""

    path: Path
    modified: float  # POSIX time
    size: int

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def key(self) -> tuple[str, float]:
        """Identifies this version of the file (a rescan under the same name is another)."""
        return (str(self.path), self.modified)

    def __repr__(self) -> str:
        return f"ScanFile(size={self.size})"

    __str__ = __repr__


@dataclass(frozen=True)
class ImportedScan:
    """A scan ready for the checklist: JPEG bytes within the material bounds."""

    file: ScanFile
    jpeg: bytes
    converted: bool  # re-encoded (not a JPEG, too large, or carrying metadata)

    def __repr__(self) -> str:
        return f"ImportedScan(bytes={len(self.jpeg)}, converted={self.converted})"

    __str__ = __repr__


# ---- work done on the lane ------------------------------------------------------------------
def list_scans(folder: Path, limit: int = LISTING_LIMIT) -> list[ScanFile]:
    """The newest image files in `folder`, newest first. Creates the folder if only it is
    missing (the default one, before the scanner first saved there)."""
    try:
        if not folder.exists():
            folder.mkdir(parents=False, exist_ok=True)
        found: list[ScanFile] = []
        with os.scandir(folder) as entries:
            for entry in entries:
                if Path(entry.name).suffix.lower() not in SCAN_SUFFIXES:
                    continue
                try:
                    if not entry.is_file():
                        continue
                    stat = entry.stat()
                except OSError:
                    continue  # removed while listing
                found.append(ScanFile(Path(entry.path), stat.st_mtime, stat.st_size))
    except OSError as exc:
        raise ScanUnreadable(
            f"无法打开扫描文件夹 {folder}（{exc.strerror or exc}），请检查扫描仪设置。",
            f"Cannot open the scan folder {folder} ({exc.strerror or exc}); check the scanner "
            "settings.",
        ) from None
    found.sort(key=lambda f: (f.modified, f.name), reverse=True)
    return found[:limit]


def _decode(data: bytes, flags: int) -> Image | None:
    image = cv2.imdecode(np.frombuffer(data, np.uint8), flags)
    if image is None or image.size == 0:
        return None
    if image.ndim == 3 and image.shape[2] == 4:
        image = cv2.cvtColor(image, cv2.COLOR_BGRA2BGR)
    return np.asarray(image, dtype=np.uint8)


def _unreadable(file: ScanFile, zh_why: str, en_why: str) -> ScanUnreadable:
    return ScanUnreadable(f"{file.name}：{zh_why}", f"{file.name}: {en_why}")


def _is_clean_jpeg(data: bytes) -> bool:
    """A whole JPEG with no EXIF or XMP block (scanner software may record the machine and
    time; a photo copied from a phone, where it was taken)."""
    return (
        data.startswith(b"\xff\xd8\xff")
        and b"\xff\xd9" in data[-64:]
        and b"Exif\x00\x00" not in data[:65536]
        and b"http://ns.adobe.com/xap/" not in data[:65536]
    )


def load_scan(file: ScanFile) -> ImportedScan:
    """Read one scan and give it as a JPEG of at most MATERIAL_MAX_BYTES and SCAN_MAX_SIDE px.

    A JPEG that already fits is kept byte for byte; anything else is decoded and re-encoded
    (quality 85, stepping down only if it would not fit). Raises ScanUnreadable.
    """
    try:
        size = file.path.stat().st_size
        if size > SCAN_MAX_FILE_BYTES:
            raise _unreadable(
                file, "文件过大，不像一页扫描件。", "the file is too large to be a page scan."
            )
        data = file.path.read_bytes()
    except FileNotFoundError:
        raise _unreadable(
            file, "文件已不在扫描文件夹中。", "the file is no longer in the scan folder."
        ) from None
    except OSError as exc:
        raise _unreadable(
            file, f"无法读取（{exc.strerror or exc}）。", f"cannot be read ({exc.strerror or exc})."
        ) from None
    if not data:
        raise _unreadable(
            file,
            "文件是空的，可能还在写入，请稍后再试。",
            "the file is empty (still being written?).",
        )
    if data.startswith(b"\xff\xd8\xff") and b"\xff\xd9" not in data[-64:]:
        raise _unreadable(
            file,
            "文件不完整，可能还在写入，请稍后再试。",
            "the file is incomplete (still being written?); try again shortly.",
        )
    image = _decode(data, cv2.IMREAD_ANYCOLOR)
    if image is None:
        raise _unreadable(
            file,
            "文件已损坏或不是图片，无法导入。",
            "the file is damaged or not an image and cannot be imported.",
        )
    if (
        _is_clean_jpeg(data)
        and len(data) <= MATERIAL_MAX_BYTES
        and max(image.shape[:2]) <= SCAN_MAX_SIDE
    ):
        return ImportedScan(file, data, converted=False)
    jpeg = encode_jpeg(image, MATERIAL_MAX_BYTES, max_side=SCAN_MAX_SIDE, quality=SCAN_QUALITY)
    return ImportedScan(file, jpeg, converted=True)


def thumbnail_image(data: bytes, side: int = THUMB_SIDE) -> QImage:
    """A small preview of image bytes (a null QImage when they do not decode). QImage, not
    QPixmap: it is made on a worker thread."""
    image = _decode(data, cv2.IMREAD_REDUCED_COLOR_4)
    if image is None or max(image.shape[:2]) < side:
        image = _decode(data, cv2.IMREAD_COLOR)
    if image is None:
        return QImage()
    scale = min(1.0, side / max(image.shape[:2]))
    if scale < 1.0:
        size = (max(1, round(image.shape[1] * scale)), max(1, round(image.shape[0] * scale)))
        image = np.asarray(cv2.resize(image, size, interpolation=cv2.INTER_AREA), np.uint8)
    rgb = np.ascontiguousarray(cv2.cvtColor(image, cv2.COLOR_BGR2RGB))
    height, width = rgb.shape[:2]
    return QImage(rgb.data, width, height, 3 * width, QImage.Format.Format_RGB888).copy()


def file_thumbnail(file: ScanFile, side: int = THUMB_SIDE) -> QImage:
    try:
        data = file.path.read_bytes() if file.size <= SCAN_MAX_FILE_BYTES else b""
    except OSError:
        return QImage()
    return thumbnail_image(data, side)


# ---- the folder -----------------------------------------------------------------------------
class ScanFolder(QObject):
    """Watches the scan folder and keeps its newest image files, listed on a worker lane."""

    changed = Signal()  # a new listing is in `recent_files`, or `error` changed

    def __init__(
        self, folder: Path, lane: TaskLane, language: str, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self.folder = folder
        self._lane = lane
        self._language = language
        self._files: list[ScanFile] = []
        self._used: set[tuple[str, float]] = set()
        self._listing = False
        self._again = False
        self.listed_once = False
        self.error: str | None = None
        self.thumbnails: dict[tuple[str, float], QImage] = {}
        self._watcher = QFileSystemWatcher(self)
        self._watcher.directoryChanged.connect(self._on_directory_changed)
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(REFRESH_DELAY_MS)
        self._debounce.timeout.connect(self.refresh)

    def recent_files(self, limit: int = PICKER_FILES) -> list[ScanFile]:
        """The newest files of the last listing, newest first (`refresh` brings a new one)."""
        return self._files[:limit]

    @Slot()
    def refresh(self) -> None:
        """List the folder again on the lane; `changed` follows."""
        if self._listing:
            self._again = True
            return
        self._listing = True
        self._lane.submit(
            functools.partial(list_scans, self.folder), self._on_listed, self._on_list_failed
        )

    def _on_listed(self, files: object) -> None:
        assert isinstance(files, list)
        news = files != self._files or self.error is not None or not self.listed_once
        self._files = files
        self.error = None
        self.listed_once = True
        self._listing = False
        path = str(self.folder)
        if path not in self._watcher.directories() and self._watcher.addPath(path):
            self._again = True  # a file saved between that listing and the watch was missed
        if news:  # the picker's poll must not rebuild an unchanged list under the operator
            self.changed.emit()
        self._follow_up()

    def _on_list_failed(self, exc: BaseException) -> None:
        self._listing = False
        self.listed_once = True
        self._files = []
        if isinstance(exc, UserFacingError):
            self.error = exc.text(self._language)
        else:
            log.error("listing the scan folder failed", exc_info=exc)
            self.error = self.tr("The scan folder could not be listed; the details are in the log.")
        self.changed.emit()
        self._follow_up()

    def _follow_up(self) -> None:
        if self._again:
            self._again = False
            self.refresh()

    @Slot(str)
    def _on_directory_changed(self, _path: str) -> None:
        self._debounce.start()

    def mark_used(self, file: ScanFile) -> None:
        self._used.add(file.key)

    def is_used(self, file: ScanFile) -> bool:
        return file.key in self._used

    def remember_thumbnail(self, file: ScanFile, image: QImage) -> None:
        if len(self.thumbnails) > 4 * LISTING_LIMIT:
            self.thumbnails.clear()
        self.thumbnails[file.key] = image


# ---- the picker -----------------------------------------------------------------------------
FILE_ROLE = Qt.ItemDataRole.UserRole


class ScanPickerDialog(QDialog):
    """The newest scans with thumbnails; the operator picks one or several to import.

    Each file picked is read and converted on the lane; `imported` carries every one that
    worked (an ImportedScan) as it arrives. A file that fails is named in the dialog, which
    then stays open; the others are imported all the same.
    """

    imported = Signal(object)  # ImportedScan

    def __init__(
        self,
        folder: ScanFolder,
        lane: TaskLane,
        language: str,
        parent: QWidget | None = None,
        *,
        title: str = "",
    ) -> None:
        super().__init__(parent)
        self.setObjectName("scanPickerDialog")
        self.setWindowTitle(title or self.tr("Import scans"))
        self._folder = folder
        self._lane = lane
        self._language = language
        self._pending = 0
        self._done = 0
        self._problems: list[str] = []
        self._thumbs_asked: set[tuple[str, float]] = set()

        self.heading = QLabel(self)
        self.heading.setObjectName("scanFolderHeading")
        self.heading.setWordWrap(True)
        self.heading.setTextFormat(Qt.TextFormat.PlainText)
        self.heading.setText(
            self.tr("Newest scans in %1. Tap the files to import, then Import.").replace(
                "%1", str(folder.folder)
            )
        )
        self.list = QListWidget(self)
        self.list.setObjectName("scanFileList")
        self.list.setAccessibleName(self.tr("Scanned files, newest first"))
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.MultiSelection)
        self.list.setIconSize(QSize(THUMB_SIDE, THUMB_SIDE))
        self.list.setUniformItemSizes(True)
        self.list.setSpacing(2)
        self.message = QLabel(self)
        self.message.setObjectName("scanPickerMessage")
        self.message.setWordWrap(True)
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.refresh_button = QPushButton(self.tr("Refresh"), self)
        self.refresh_button.setObjectName("refreshScansButton")
        self.refresh_button.setAccessibleName(self.tr("Look for new scans"))
        self.import_button = QPushButton(self.tr("Import"), self)
        self.import_button.setObjectName("importScansButton")
        self.import_button.setAccessibleName(self.tr("Import the chosen scans"))
        self.import_button.setDefault(True)
        self.close_button = QPushButton(self.tr("Close"), self)
        self.close_button.setObjectName("closeScansButton")
        self.close_button.setAccessibleName(self.tr("Close"))
        buttons = QHBoxLayout()
        buttons.addWidget(self.refresh_button)
        buttons.addStretch(1)
        buttons.addWidget(self.import_button)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        self.resize(640, 500)

        self._poll = QTimer(self)
        self._poll.setInterval(POLL_MS)
        self._poll.timeout.connect(folder.refresh)
        folder.changed.connect(self._show_files)
        self.list.itemSelectionChanged.connect(self._update_buttons)
        self.refresh_button.clicked.connect(folder.refresh)
        self.import_button.clicked.connect(self.import_selected)
        self.close_button.clicked.connect(self.reject)
        self._show_files()
        folder.refresh()
        self._poll.start()

    def done(self, result: int) -> None:
        self._poll.stop()
        super().done(result)

    # ---- the list --------------------------------------------------------------------------
    def files(self) -> list[ScanFile]:
        """The files shown, in order (newest first)."""
        out = []
        for row in range(self.list.count()):
            item = self.list.item(row)
            if item is not None:
                out.append(item.data(FILE_ROLE))
        return out

    def _describe(self, file: ScanFile) -> str:
        when = dt.datetime.fromtimestamp(file.modified, CHINA).strftime("%Y-%m-%d %H:%M:%S")
        size = (
            f"{file.size / 1_000_000:.1f} MB" if file.size >= 100_000 else f"{file.size // 1000} KB"
        )
        text = f"{file.name}\n{when} · {size}"
        if self._folder.is_used(file):
            text += " · " + self.tr("imported")
        return text

    @Slot()
    def _show_files(self) -> None:
        chosen = {f.key for f in self.selected_files()}
        scrolled = self.list.verticalScrollBar().value()
        self.list.blockSignals(True)
        self.list.clear()
        placeholder = QPixmap(THUMB_SIDE, THUMB_SIDE)
        placeholder.fill(QColor("#eeeeee"))
        for file in self._folder.recent_files(PICKER_FILES):
            item = QListWidgetItem(self._describe(file))
            item.setData(FILE_ROLE, file)
            item.setToolTip(file.name)
            thumb = self._folder.thumbnails.get(file.key)
            item.setIcon(QIcon(QPixmap.fromImage(thumb) if thumb is not None else placeholder))
            if self._folder.is_used(file):
                item.setForeground(QColor("#757575"))
            self.list.addItem(item)
            item.setSelected(file.key in chosen)
            if thumb is None and file.key not in self._thumbs_asked:
                self._thumbs_asked.add(file.key)
                self._lane.submit(
                    functools.partial(file_thumbnail, file),
                    functools.partial(self._on_thumbnail, file),
                )
        self.list.blockSignals(False)
        self.list.verticalScrollBar().setValue(scrolled)
        if self._folder.error:
            self._say(self._folder.error, error=True)
        elif self._folder.listed_once and self.list.count() == 0:
            self._say(self.tr("No scans in the folder yet. Scan the page, then Refresh."))
        self._update_buttons()

    def _on_thumbnail(self, file: ScanFile, image: object) -> None:
        assert isinstance(image, QImage)
        if image.isNull():
            return  # a damaged file keeps the grey square; importing it says why
        self._folder.remember_thumbnail(file, image)
        for row in range(self.list.count()):
            item = self.list.item(row)
            if item is not None and item.data(FILE_ROLE).key == file.key:
                item.setIcon(QIcon(QPixmap.fromImage(image)))

    def selected_files(self) -> list[ScanFile]:
        return [item.data(FILE_ROLE) for item in self.list.selectedItems()]

    def select_files(self, names: Iterable[str]) -> None:
        """Select the files of these names (for tests and for a double-click)."""
        wanted = set(names)
        for row in range(self.list.count()):
            item = self.list.item(row)
            if item is not None:
                item.setSelected(item.data(FILE_ROLE).name in wanted)

    @Slot()
    def _update_buttons(self) -> None:
        self.import_button.setEnabled(bool(self.list.selectedItems()) and self._pending == 0)

    # ---- importing -------------------------------------------------------------------------
    @property
    def busy(self) -> bool:
        return self._pending > 0

    @Slot()
    def import_selected(self) -> None:
        files = self.selected_files()
        if not files or self._pending:
            return
        self._pending = len(files)
        self._done = 0
        self._problems = []
        self._say(self.tr("Importing..."))
        self._update_buttons()
        for file in files:
            self._lane.submit(
                functools.partial(load_scan, file), self._on_loaded, self._on_load_failed
            )

    def _on_loaded(self, result: object) -> None:
        assert isinstance(result, ImportedScan)
        self._folder.mark_used(result.file)
        self._done += 1
        self.imported.emit(result)
        self._one_finished()

    def _on_load_failed(self, exc: BaseException) -> None:
        if isinstance(exc, UserFacingError):
            self._problems.append(exc.text(self._language))
        else:
            log.error("importing a scan failed", exc_info=exc)
            self._problems.append(
                self.tr("A file could not be imported; the details are in the log.")
            )
        self._one_finished()

    def _one_finished(self) -> None:
        self._pending -= 1
        if self._pending:
            return
        self._show_files()  # marks the imported ones
        if not self._problems:
            self.accept()
            return
        self.list.clearSelection()
        lines = [self.tr("%n file(s) imported.", "", self._done)] if self._done else []
        lines.append(self.tr("Not imported:"))
        lines.extend(self._problems)
        self._say("\n".join(lines), error=True)
        self._update_buttons()

    def _say(self, text: str, *, error: bool = False) -> None:
        self.message.setStyleSheet(ERROR_STYLE if error else "")
        self.message.setText(text)
