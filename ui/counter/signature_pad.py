"""The citizen's signature on screen: finger, pen or mouse, kept as a small grayscale PNG.

Paper forms are signed; at a counter or on a home visit the citizen signs on the screen
instead. Strokes are kept as points and drawn as smoothed curves (quadratic segments through
the midpoints), so a signature made of few touch samples still looks like handwriting. The
PNG is cropped to the ink with a margin and bounded at 600×200 px, so it stays a few KB in
the encrypted store and the upload.

Touch and tablet events are handled themselves (and accepted), so Qt does not also turn them
into mouse events and draw every stroke twice.
"""

from __future__ import annotations

import itertools
import math

from PySide6.QtCore import (
    QBuffer,
    QByteArray,
    QEvent,
    QIODevice,
    QPointF,
    QRectF,
    QSize,
    Qt,
    Signal,
    Slot,
)
from PySide6.QtGui import (
    QColor,
    QEventPoint,
    QFont,
    QImage,
    QImageWriter,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPen,
    QTabletEvent,
    QTouchEvent,
)
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

INK = QColor("#101010")
BASELINE = QColor("#9e9e9e")
HINT = QColor("#c8c8c8")
PEN_WIDTH = 3.0  # logical px on screen
MIN_PNG_PEN = 2.0  # px in the PNG, however far it was scaled down
PNG_MAX = QSize(600, 200)
PNG_MARGIN = 12.0  # px around the ink, before scaling
TOUCH_BUTTON_HEIGHT = 48

_TOUCH_EVENTS = {
    QEvent.Type.TouchBegin,
    QEvent.Type.TouchUpdate,
    QEvent.Type.TouchEnd,
    QEvent.Type.TouchCancel,
}


def stroke_path(points: list[QPointF]) -> QPainterPath:
    """A smooth path through `points`: quadratic curves from midpoint to midpoint."""
    path = QPainterPath(points[0])
    if len(points) == 1:  # a dot: a tiny segment, drawn round by the round cap
        path.lineTo(points[0] + QPointF(0.1, 0.0))
        return path
    for here, after in itertools.pairwise(points[1:]):
        path.quadTo(here, (here + after) / 2)
    path.lineTo(points[-1])
    return path


class SignaturePad(QWidget):
    """A white sheet with a baseline that records strokes; `png_bytes()` gives the signature."""

    changed = Signal()  # a stroke started or ended, or the pad was cleared

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("signaturePad")
        self.setAccessibleName(self.tr("Signature pad"))
        self.setAccessibleDescription(
            self.tr("The citizen signs here with a finger, a pen or the mouse")
        )
        self.setAttribute(Qt.WidgetAttribute.WA_AcceptTouchEvents, True)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent, True)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(420, 160)
        self.setCursor(Qt.CursorShape.CrossCursor)
        self._strokes: list[list[QPointF]] = []
        self._current: list[QPointF] | None = None
        self._touch_id: int | None = None  # the finger drawing; other fingers (a palm) ignored
        self._device_stroke = False  # a touch or tablet stroke is under way: ignore the mouse

    def sizeHint(self) -> QSize:
        return QSize(720, 240)

    # ---- state -----------------------------------------------------------------------------
    def is_empty(self) -> bool:
        return not self._strokes

    def stroke_count(self) -> int:
        return len(self._strokes)

    @Slot()
    def clear(self) -> None:
        self._strokes = []
        self._current = None
        self._touch_id = None
        self._device_stroke = False
        self.update()
        self.changed.emit()

    def png_bytes(self) -> bytes:
        """The signature cropped to its ink with a margin, at most 600×200, grayscale PNG.

        Raises ValueError when nothing was signed.
        """
        if self.is_empty():
            raise ValueError("nothing signed")
        paths = [stroke_path(points) for points in self._strokes]
        ink = QRectF()
        for path in paths:
            ink = ink.united(path.boundingRect())
        pad = PNG_MARGIN + PEN_WIDTH / 2
        ink = ink.adjusted(-pad, -pad, pad, pad)
        scale = min(1.0, PNG_MAX.width() / ink.width(), PNG_MAX.height() / ink.height())
        width = max(1, min(PNG_MAX.width(), math.ceil(ink.width() * scale)))
        height = max(1, min(PNG_MAX.height(), math.ceil(ink.height() * scale)))
        image = QImage(width, height, QImage.Format.Format_RGB32)
        image.fill(Qt.GlobalColor.white)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.scale(scale, scale)
        painter.translate(-ink.topLeft())
        painter.setPen(self._pen(max(PEN_WIDTH, MIN_PNG_PEN / scale)))
        for path in paths:
            painter.drawPath(path)
        painter.end()
        gray = image.convertToFormat(QImage.Format.Format_Grayscale8)
        buffer = QBuffer()
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        writer = QImageWriter(buffer, QByteArray(b"png"))
        if not writer.write(gray):  # pragma: no cover - Qt always writes PNG
            raise RuntimeError(f"PNG encoding failed: {writer.errorString()}")
        return bytes(buffer.data().data())

    # ---- strokes ---------------------------------------------------------------------------
    def _begin(self, at: QPointF) -> None:
        self._current = [at]
        self._strokes.append(self._current)
        self.update()
        self.changed.emit()

    def _extend(self, at: QPointF) -> None:
        if self._current is None:
            return
        last = self._current[-1]
        if (at - last).manhattanLength() < 0.5:
            return  # the same spot again: no new point
        self._current.append(at)
        margin = PEN_WIDTH * 2
        self.update(
            QRectF(last, at).normalized().adjusted(-margin, -margin, margin, margin).toAlignedRect()
        )

    def _end(self, at: QPointF | None = None) -> None:
        if self._current is None:
            return
        if at is not None:
            self._extend(at)
        self._current = None
        self.update()
        self.changed.emit()

    # ---- input -----------------------------------------------------------------------------
    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton or self._device_stroke:
            event.ignore()
            return
        event.accept()
        self._begin(event.position())

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._device_stroke or not event.buttons() & Qt.MouseButton.LeftButton:
            event.ignore()
            return
        event.accept()
        self._extend(event.position())

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton or self._device_stroke:
            event.ignore()
            return
        event.accept()
        self._end(event.position())

    def tabletEvent(self, event: QTabletEvent) -> None:
        kind = event.type()
        event.accept()  # accepted, so Qt sends no mouse event for the same pen move
        if kind == QEvent.Type.TabletPress:
            self._device_stroke = True
            self._begin(event.position())
        elif kind == QEvent.Type.TabletMove and self._device_stroke:
            self._extend(event.position())
        elif kind == QEvent.Type.TabletRelease and self._device_stroke:
            self._device_stroke = False
            self._end(event.position())

    def event(self, event: QEvent) -> bool:
        if event.type() in _TOUCH_EVENTS:
            assert isinstance(event, QTouchEvent)
            self._touch(event)
            event.accept()
            return True
        return super().event(event)

    def _touch(self, event: QTouchEvent) -> None:
        kind = event.type()
        if kind == QEvent.Type.TouchCancel:  # the system took the touch away: drop the stroke
            if self._current is not None and self._strokes and self._strokes[-1] is self._current:
                self._strokes.pop()
            self._current = None
            self._touch_id = None
            self._device_stroke = False
            self.update()
            self.changed.emit()
            return
        for point in event.points():
            if self._touch_id is None and kind == QEvent.Type.TouchBegin:
                self._touch_id = point.id()
                self._device_stroke = True
                self._begin(point.position())
            elif point.id() != self._touch_id:
                continue
            elif point.state() == QEventPoint.State.Released:
                self._touch_id = None
                self._device_stroke = False
                self._end(point.position())
            else:
                self._extend(point.position())
        if kind == QEvent.Type.TouchEnd and self._touch_id is not None:
            self._touch_id = None
            self._device_stroke = False
            self._end()

    # ---- painting --------------------------------------------------------------------------
    @staticmethod
    def _pen(width: float) -> QPen:
        pen = QPen(INK, width)
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        return pen

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), Qt.GlobalColor.white)
        w, h = self.width(), self.height()
        base_y = round(h * 0.75)
        left, right = round(w * 0.06), round(w * 0.94)
        painter.setPen(QPen(BASELINE, 1.5))
        painter.drawLine(left, base_y, right, base_y)
        cross = QFont(self.font())
        cross.setPointSizeF(cross.pointSizeF() * 1.6)
        painter.setFont(cross)
        painter.drawText(QRectF(left, base_y - 34, 30, 30), Qt.AlignmentFlag.AlignCenter, "×")
        if self.is_empty():
            hint = QFont(self.font())
            hint.setPointSizeF(hint.pointSizeF() * 2.2)
            painter.setFont(hint)
            painter.setPen(HINT)
            painter.drawText(
                QRectF(0, 0, w, base_y - 6),
                Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom,
                self.tr("Please sign here"),
            )
        painter.setPen(self._pen(PEN_WIDTH))
        for points in self._strokes:
            painter.drawPath(stroke_path(points))
        painter.end()


class SignatureDialog(QDialog):
    """The pad with Clear, Cancel and Confirm; `png` holds the signature once confirmed."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("signatureDialog")
        self.setWindowTitle(self.tr("Citizen's signature"))
        self.png: bytes | None = None
        prompt = QLabel(
            self.tr("Please sign in the box with a finger, the pen or the mouse."), self
        )
        prompt.setObjectName("signaturePrompt")
        prompt.setWordWrap(True)
        prompt.setStyleSheet("font-size: 14pt;")
        self.pad = SignaturePad(self)
        self.clear_button = QPushButton(self.tr("Clear"), self)
        self.clear_button.setObjectName("clearSignatureButton")
        self.clear_button.setAccessibleName(self.tr("Clear the signature"))
        self.cancel_button = QPushButton(self.tr("Cancel"), self)
        self.cancel_button.setObjectName("cancelSignatureButton")
        self.cancel_button.setAccessibleName(self.tr("Cancel"))
        self.confirm_button = QPushButton(self.tr("Confirm"), self)
        self.confirm_button.setObjectName("confirmSignatureButton")
        self.confirm_button.setAccessibleName(self.tr("Confirm the signature"))
        for button in (self.clear_button, self.cancel_button, self.confirm_button):
            button.setMinimumHeight(TOUCH_BUTTON_HEIGHT)
            button.setMinimumWidth(120)
            button.setAutoDefault(False)
        buttons = QHBoxLayout()
        buttons.addWidget(self.clear_button)
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.confirm_button)
        layout = QVBoxLayout(self)
        layout.addWidget(prompt)
        layout.addWidget(self.pad, 1)
        layout.addLayout(buttons)
        self.resize(760, 400)

        self.clear_button.clicked.connect(self.pad.clear)
        self.cancel_button.clicked.connect(self.reject)
        self.confirm_button.clicked.connect(self._confirm)
        self.pad.changed.connect(self._update_buttons)
        self._update_buttons()

    @Slot()
    def _update_buttons(self) -> None:
        empty = self.pad.is_empty()
        self.confirm_button.setEnabled(not empty)
        self.clear_button.setEnabled(not empty)

    @Slot()
    def _confirm(self) -> None:
        if self.pad.is_empty():
            return
        self.png = self.pad.png_bytes()
        self.accept()
