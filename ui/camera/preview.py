"""What every screen showing a CameraWorker's preview does: link, paint, unlink.

Shared by the counter's capture dialog and the kiosk's face check page so both cut their
connections the same way (a frame still queued when the screen is done must not reach it) and
paint frames the same way (acknowledged to the worker, which drops frames while two are unpainted).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable
from typing import Any

from PySide6.QtCore import QSize, Qt, SignalInstance
from PySide6.QtGui import QImage, QPixmap

from ui.camera.camera_worker import CameraWorker


class WorkerLink:
    """The GUI's connections to one worker's signals, cut all at once."""

    def __init__(self, pairs: Iterable[tuple[SignalInstance, Callable[..., Any]]]) -> None:
        self._pairs = list(pairs)
        for signal, slot in self._pairs:
            signal.connect(slot)

    def cut(self) -> None:
        for signal, slot in self._pairs:
            with contextlib.suppress(RuntimeError, TypeError):  # already disconnected
                signal.disconnect(slot)
        self._pairs = []


def preview_pixmap(worker: CameraWorker, image: QImage, size: QSize) -> QPixmap:
    """The frame as a pixmap fitted into `size`; tells the worker it has been taken."""
    worker.preview_shown()
    pixmap = QPixmap.fromImage(image)
    if pixmap.size() != size and not size.isEmpty():
        pixmap = pixmap.scaled(
            size, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.FastTransformation
        )
    return pixmap
