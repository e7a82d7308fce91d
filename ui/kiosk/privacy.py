"""Nothing of one citizen for the next: what a kiosk reset wipes, and a check that it did.

A reset clears every input and display widget that may have held personal data (line and
text edits, labels that show a person, image labels, item views' models), the clipboard, the
kiosk's temporary folder (photos before they are saved, rendered PDFs) and whatever in-memory
holders registered themselves (`Forgettable`). `find_traces` walks the same places for given
strings and image bytes, so the tests, and the technician's self-check, can prove it.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import Protocol

from PySide6.QtCore import QAbstractItemModel, QModelIndex, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
    QWidget,
)

PERSONAL = "personal"  # dynamic property: a label whose text is about the person on screen


class Forgettable(Protocol):
    def forget(self) -> None:
        """Drop everything personal held in memory."""


def mark_personal(label: QLabel) -> QLabel:
    """Labels are mostly fixed wording; the ones that show a person are marked to be wiped."""
    label.setProperty(PERSONAL, True)
    return label


def scrub(
    roots: Iterable[QWidget], temp_dir: Path | None, holders: Iterable[Forgettable] = ()
) -> None:
    """Wipe every trace of the session under `roots`, in `temp_dir` and in `holders`."""
    for holder in holders:
        holder.forget()
    for root in roots:
        for widget in [root, *root.findChildren(QWidget)]:
            _scrub_widget(widget)
    clipboard = QGuiApplication.clipboard()
    if clipboard is not None:
        clipboard.clear()
    if temp_dir is not None and temp_dir.exists():
        for entry in temp_dir.iterdir():
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                entry.unlink(missing_ok=True)


def _scrub_widget(widget: QWidget) -> None:
    if isinstance(widget, QLineEdit | QTextEdit | QPlainTextEdit):
        widget.clear()
    elif isinstance(widget, QLabel):
        if widget.property(PERSONAL):
            widget.clear()
        if widget.pixmap() is not None and not widget.pixmap().isNull():
            widget.clear()  # a photo, a signature, a QR code: never kept on screen
    elif isinstance(widget, QAbstractItemView):
        clear = getattr(widget, "clear", None)  # QListWidget, QTreeWidget, QTableWidget
        model = widget.model()
        if callable(clear):
            clear()
        elif model is not None and callable(getattr(model, "clear", None)):
            model.clear()  # type: ignore[attr-defined]


def _model_texts(model: QAbstractItemModel, parent: QModelIndex | None = None) -> list[str]:
    parent = parent or QModelIndex()
    out: list[str] = []
    try:
        columns = model.columnCount(parent)
    except TypeError:  # list models hide columnCount(parent): one column
        columns = 1
    for row in range(model.rowCount(parent)):
        for column in range(columns):
            index = model.index(row, column, parent)
            value = model.data(index, Qt.ItemDataRole.DisplayRole)
            if value is not None:
                out.append(str(value))
            out.extend(_model_texts(model, index))
    return out


def widget_texts(roots: Iterable[QWidget]) -> list[str]:
    """Every text a person could see or recover from the widgets under `roots`: texts,
    placeholders, tooltips, accessible names and descriptions, and item views' cells."""
    out: list[str] = []
    for root in roots:
        for widget in [root, *root.findChildren(QWidget)]:
            out.extend(
                (
                    widget.toolTip(),
                    widget.accessibleName(),
                    widget.accessibleDescription(),
                    widget.windowTitle(),
                )
            )
            if isinstance(widget, QLineEdit):
                out.extend((widget.text(), widget.placeholderText()))
            elif isinstance(widget, QTextEdit | QPlainTextEdit):
                out.append(widget.toPlainText())
            elif isinstance(widget, QLabel):
                out.append(widget.text())
            elif isinstance(widget, QAbstractItemView) and widget.model() is not None:
                out.extend(_model_texts(widget.model()))
            text = getattr(widget, "text", None)
            if callable(text) and not isinstance(widget, QLineEdit | QLabel):
                try:
                    value = text()
                except TypeError:
                    continue
                if isinstance(value, str):
                    out.append(value)
    return [t for t in out if t]


def find_traces(
    needles: Iterable[str],
    roots: Iterable[QWidget] | None = None,
    temp_dir: Path | None = None,
    images: Iterable[bytes] = (),
) -> list[str]:
    """Where any of `needles` (names, ID numbers) or `images` (photo bytes) can still be
    found: widget texts, pixmaps on labels, the clipboard, files in `temp_dir`."""
    roots = list(roots) if roots is not None else list(QApplication.topLevelWidgets())
    needles = [n for n in needles if n]
    found: list[str] = []
    for text in widget_texts(roots):
        found.extend(f"widget text: {n}" for n in needles if n in text)
    for root in roots:
        for label in [w for w in [root, *root.findChildren(QWidget)] if isinstance(w, QLabel)]:
            pixmap = label.pixmap()
            if pixmap is not None and not pixmap.isNull():
                found.append(f"image on {label.objectName() or type(label).__name__}")
    clipboard = QGuiApplication.clipboard()
    if clipboard is not None:
        text = clipboard.text()
        found.extend(f"clipboard: {n}" for n in needles if n in text)
        if not clipboard.image().isNull():
            found.append("clipboard image")
    if temp_dir is not None and temp_dir.exists():
        blobs = [bytes(i) for i in images if i]
        for path in temp_dir.rglob("*"):
            if not path.is_file():
                continue
            data = path.read_bytes()
            found.extend(f"{path.name}: {n}" for n in needles if n.encode() in data)
            found.extend(f"{path.name}: image" for b in blobs if b[:4096] in data)
    return found
