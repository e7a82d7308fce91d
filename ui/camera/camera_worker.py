"""The camera loop on its own thread: read, judge, preview, and hand over the photo.

Why a dedicated thread rather than a TaskLane job per frame: a camera is a stream. One
QObject worker lives on a QThread, a zero-interval QTimer there pulls one frame per turn of
that thread's event loop (the camera's `read` blocks until the sensor or the video file has the
next frame, so this runs at the camera's own rate), and between turns the loop still handles
"capture" and "stop" requests. Nothing here ever touches the camera from the GUI thread.

Results reach the GUI as queued signals: `frameReady(QImage)` for the preview (already scaled,
mirrored for faces and annotated), `verdictChanged(FaceVerdict)` when the advice changes,
`faceReady(bytes)` with the JPEG once the gate has passed for `gate_frames` assessed frames in a
row (or on request), `pageCaptured(PageCapture)` in materials mode, and `failed(str)` with the
device's own sentence (Chinese by default), never a traceback.
"""

from __future__ import annotations

import atexit
import logging
import threading
from dataclasses import dataclass, field
from typing import Literal

import cv2
import numpy as np
from numpy.typing import NDArray
from PySide6.QtCore import QObject, QThread, QTimer, Signal, Slot
from PySide6.QtGui import QImage

from app.errors import UserFacingError
from devices.camera import Camera
from devices.face_quality import FaceBox, FaceDetector, FaceVerdict, assess
from devices.materials import deskew_page, find_page
from devices.photo_encoding import (
    FACE_MAX_BYTES,
    MATERIAL_MAX_BYTES,
    encode_face_photo,
    encode_material_photo,
)
from devices.qr_decoder import QrDecoder, make_decoder

log = logging.getLogger(__name__)

Frame = NDArray[np.uint8]
Mode = Literal["face", "materials", "qr"]

# Assessed frames in a row that must pass before the photo is taken automatically: about a
# third of a second at 15 fps, long enough that one lucky frame of a moving head does not count.
GATE_FRAMES = 5
PREVIEW_WIDTH = 640
# Preview frames sent but not yet painted by the GUI beyond which new ones are dropped: a busy
# GUI thread then shows fewer frames instead of falling ever further behind the camera.
MAX_PREVIEWS_IN_FLIGHT = 2
# Colours of the preview overlay (BGR): the face box turns green when the gate passes.
OK_COLOUR = (80, 200, 60)
WAIT_COLOUR = (0, 170, 255)
GUIDE_COLOUR = (230, 230, 230)


def to_qimage(frame: Frame) -> QImage:
    """A deep copy of a uint8 BGR (or grey) frame as a QImage, safe to send across threads."""
    if frame.ndim == 2:
        height, width = frame.shape
        gray = np.ascontiguousarray(frame)
        return QImage(
            gray.data, width, height, gray.strides[0], QImage.Format.Format_Grayscale8
        ).copy()
    bgr = np.ascontiguousarray(frame)
    height, width = bgr.shape[:2]
    return QImage(bgr.data, width, height, bgr.strides[0], QImage.Format.Format_BGR888).copy()


@dataclass(frozen=True)
class PageCapture:
    """A photographed document: the JPEG to keep, whether the sheet was found, a preview."""

    jpeg: bytes = field(repr=False)
    found: bool
    zh: str
    en: str
    preview: QImage = field(repr=False, compare=False)

    def text(self, language: str) -> str:
        return self.zh if language.startswith("zh") else self.en


class CameraWorker(QObject):
    """Lives on the camera thread; see the module docstring for the signals."""

    # Qt-style names, as issue 4 specifies them (ruff's N815 wants snake_case).
    frameReady = Signal(QImage)  # noqa: N815
    verdictChanged = Signal(object)  # noqa: N815 - a FaceVerdict
    faceReady = Signal(bytes)  # noqa: N815 - the JPEG
    pageCaptured = Signal(object)  # noqa: N815 - a PageCapture
    codeScanned = Signal(str)  # noqa: N815 - qr mode: the first code read
    failed = Signal(str)
    stopped = Signal()

    def __init__(
        self,
        camera: Camera,
        mode: Mode = "face",
        *,
        language: str = "zh_CN",
        gate_frames: int = GATE_FRAMES,
        assess_every: int = 1,
        auto_capture: bool = True,
        face_max_bytes: int = FACE_MAX_BYTES,
        material_max_bytes: int = MATERIAL_MAX_BYTES,
        preview_width: int = PREVIEW_WIDTH,
        qr_decoder: str | None = None,
    ) -> None:
        super().__init__()
        self._qr_decoder_name = qr_decoder
        self._qr: QrDecoder | None = None
        self._camera = camera
        self._mode: Mode = mode
        self._language = language
        self._gate_frames = max(1, gate_frames)
        self._assess_every = max(1, assess_every)
        self._auto = auto_capture
        self._face_max = face_max_bytes
        self._material_max = material_max_bytes
        self._preview_width = preview_width
        self._timer: QTimer | None = None
        self._detector: FaceDetector | None = None
        self._running = False
        self._count = 0
        self._verdict: FaceVerdict | None = None
        self._streak = 0
        self._best: tuple[float, Frame, FaceBox] | None = None
        self._delivered = False
        self._frame: Frame | None = None
        self._page: NDArray[np.float32] | None = None
        self.frames_read = 0  # for tests and the technician screen
        self._in_flight = 0
        self._in_flight_lock = threading.Lock()

    @property
    def camera_name(self) -> str:
        return self._camera.name

    def preview_shown(self) -> None:
        """Called by the GUI (any thread) once it has painted a `frameReady` image."""
        with self._in_flight_lock:
            self._in_flight = max(0, self._in_flight - 1)

    def _send_preview(self, view: Frame) -> None:
        with self._in_flight_lock:
            if self._in_flight >= MAX_PREVIEWS_IN_FLIGHT:
                return
            self._in_flight += 1
        self.frameReady.emit(to_qimage(view))

    # ---- lifecycle (all on the camera thread) ------------------------------------------
    @Slot()
    def start(self) -> None:
        """Open the camera and start pulling frames; failures go out through `failed`."""
        if self._running:
            return
        try:
            if self._mode == "face":
                self._detector = FaceDetector()
            self._camera.open()
        except Exception as exc:
            self._report(exc)
            return
        self._running = True
        timer = QTimer(self)
        timer.setInterval(0)
        timer.timeout.connect(self._tick)
        self._timer = timer
        timer.start()

    @Slot()
    def shutdown(self) -> None:
        """Stop the loop, release the camera and end the thread's event loop."""
        self._halt()
        self.stopped.emit()
        thread = self.thread()
        if thread is not None:
            thread.quit()

    def _halt(self) -> None:
        self._running = False
        self._qr = None  # zxing-cpp's objects must not outlive the interpreter's shutdown
        if self._timer is not None:
            self._timer.stop()
        try:
            self._camera.close()
        except Exception:  # closing a broken camera must not stop the shutdown
            log.warning("camera %s did not close cleanly", self._camera.name, exc_info=True)

    def _report(self, exc: BaseException) -> None:
        self._halt()
        if isinstance(exc, UserFacingError):
            log.warning("camera %s failed: %s", self._camera.name, exc.en)
            self.failed.emit(exc.text(self._language))
        else:
            log.error("camera %s failed unexpectedly", self._camera.name, exc_info=exc)
            self.failed.emit(
                self.tr("The camera stopped unexpectedly. The details are in the log.")
            )

    # ---- the loop ---------------------------------------------------------------------
    @Slot()
    def _tick(self) -> None:
        if not self._running:
            return
        try:
            frame = self._camera.read()
            self.frames_read += 1
            self._frame = frame
            if self._mode == "face":
                self._face_step(frame)
            elif self._mode == "qr":
                self._qr_step(frame)
            else:
                self._page_step(frame)
        except Exception as exc:
            self._report(exc)

    def _face_step(self, frame: Frame) -> None:
        assessed = self._count % self._assess_every == 0
        self._count += 1
        if assessed:
            verdict = assess(frame, self._detector)
            if self._verdict is None or verdict.codes != self._verdict.codes:
                self.verdictChanged.emit(verdict)
            self._verdict = verdict
            if verdict.ok and verdict.face is not None:
                self._streak += 1
                if self._best is None or verdict.sharpness > self._best[0]:
                    self._best = (verdict.sharpness, frame, verdict.face)
            else:
                self._streak = 0
                self._best = None
        self._send_preview(self._face_preview(frame))
        if self._auto and not self._delivered and self._streak >= self._gate_frames:
            self._deliver_face()

    def _deliver_face(self) -> None:
        if self._best is None:
            return
        _, frame, face = self._best
        jpeg = encode_face_photo(frame, face, self._face_max)
        self._delivered = True
        self.faceReady.emit(jpeg)

    def _qr_step(self, frame: Frame) -> None:
        """E-voucher by camera: decode every frame (about 1 ms with zxing-cpp) until one reads."""
        if self._qr is None:
            self._qr = make_decoder(self._qr_decoder_name)
        self._send_preview(self._scaled(frame))
        if self._delivered:
            return
        codes = self._qr.decode(frame)
        if codes:
            self._delivered = True
            self.codeScanned.emit(codes[0])

    def _page_step(self, frame: Frame) -> None:
        if self._count % self._assess_every == 0:
            self._page = find_page(frame)
        self._count += 1
        self._send_preview(self._page_preview(frame))

    # ---- requests from the GUI -----------------------------------------------------------
    @Slot()
    def capture(self) -> None:
        """Take the photo now: the best passing face frame, or the (deskewed) page."""
        if not self._running or self._frame is None:
            return
        try:
            if self._mode == "face":
                if self._verdict is not None and self._verdict.ok:
                    self._deliver_face()
                return
            result = deskew_page(self._frame)  # at full resolution, not the preview's
            jpeg = encode_material_photo(result.image, self._material_max)
            preview = self._scaled(result.image)
            self.pageCaptured.emit(
                PageCapture(jpeg, result.found, result.zh, result.en, to_qimage(preview))
            )
        except Exception as exc:
            self._report(exc)

    @Slot()
    def rearm(self) -> None:
        """Allow another automatic face photo (after the operator chose to retake)."""
        self._delivered = False
        self._streak = 0
        self._best = None

    # ---- preview drawing ---------------------------------------------------------------
    def _scaled(self, frame: Frame) -> Frame:
        height, width = frame.shape[:2]
        if width <= self._preview_width:
            return frame.copy()
        scale = self._preview_width / width
        size = (self._preview_width, max(1, round(height * scale)))
        return np.asarray(cv2.resize(frame, size, interpolation=cv2.INTER_AREA), dtype=np.uint8)

    def _face_preview(self, frame: Frame) -> Frame:
        """The frame scaled, with a head-shaped guide and the face box, then mirrored.

        Mirrored because people expect a mirror when they see themselves; the photo itself is
        taken from the unmirrored frame.
        """
        view = self._scaled(frame)
        scale = view.shape[1] / frame.shape[1]
        height, width = view.shape[:2]
        centre = (width // 2, round(height * 0.45))
        axes = (round(height * 0.22), round(height * 0.3))
        cv2.ellipse(view, centre, axes, 0, 0, 360, GUIDE_COLOUR, 1, cv2.LINE_AA)
        verdict = self._verdict
        if verdict is not None and verdict.face is not None:
            f = verdict.face
            colour = OK_COLOUR if verdict.ok else WAIT_COLOUR
            top_left = (round(f.x * scale), round(f.y * scale))
            bottom_right = (round((f.x + f.w) * scale), round((f.y + f.h) * scale))
            cv2.rectangle(view, top_left, bottom_right, colour, 2, cv2.LINE_AA)
        return np.ascontiguousarray(view[:, ::-1])

    def _page_preview(self, frame: Frame) -> Frame:
        view = self._scaled(frame)
        if self._page is not None:
            scale = view.shape[1] / frame.shape[1]
            outline = np.round(self._page * scale).astype(np.int32).reshape(-1, 1, 2)
            cv2.polylines(view, [outline], True, OK_COLOUR, 2, cv2.LINE_AA)
        return view


class CameraSession(QObject):
    """Owns the camera thread and its worker: start once, stop once, from the GUI thread."""

    _start_requested = Signal()
    _stop_requested = Signal()
    _capture_requested = Signal()
    _rearm_requested = Signal()

    def __init__(self, worker: CameraWorker, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.worker = worker
        self._thread = QThread()
        self._thread.setObjectName(f"camera-{worker.camera_name}")
        worker.moveToThread(self._thread)
        self._start_requested.connect(worker.start)
        self._stop_requested.connect(worker.shutdown)
        self._capture_requested.connect(worker.capture)
        self._rearm_requested.connect(worker.rearm)
        self._thread.finished.connect(worker.deleteLater)
        self._started = False
        self._stopped = False

    @property
    def running(self) -> bool:
        return self._started and not self._stopped

    def start(self) -> None:
        if self._started:
            return
        self._started = True
        _wait_for_closing(self.worker.camera_name)  # the same camera, closed a moment ago
        self._thread.start()
        self._start_requested.emit()

    def capture(self) -> None:
        if self.running:
            self._capture_requested.emit()

    def rearm(self) -> None:
        if self.running:
            self._rearm_requested.emit()

    def finished(self, timeout_ms: int = 0) -> bool:
        """Whether the camera thread has ended (waiting up to `timeout_ms` for it)."""
        return not self._started or bool(self._thread.wait(timeout_ms))

    def stop_later(self) -> None:
        """Ask the worker to release the camera and end, without waiting for it.

        Closing a dialog must not hold the GUI thread while the worker finishes the frame it
        is reading (a frame time or more). The thread is kept until it has ended; a new
        session on the same camera waits for it first, so the device is never opened twice.
        """
        if not self._started or self._stopped:
            self._stopped = True
            return
        self._stopped = True
        self._stop_requested.emit()  # queued to the worker's thread
        # The worker and its thread are kept here until the thread has ended: the dialog
        # (and with it this session) may be deleted at once, and a worker freed by Python
        # while its thread runs would leave that thread running forever.
        _CLOSING.append((self.worker.camera_name, self._thread, self.worker))


# (camera, thread, worker) asked to stop and not seen ended yet. One that never ends (a
# camera whose read never returns) stays here for good: destroying a running QThread aborts.
_CLOSING: list[tuple[str, QThread, CameraWorker]] = []
CLOSING_WAIT_MS = 5000


def _wait_for_closing(camera_name: str | None, timeout_ms: int = CLOSING_WAIT_MS) -> None:
    """Wait for the sessions closing `camera_name` (every camera when None); forget those
    that have ended."""
    for entry in list(_CLOSING):
        name, thread, _worker = entry
        if (camera_name is None or name == camera_name) and not thread.wait(timeout_ms):
            log.error("camera thread did not stop within %d ms", timeout_ms)
        if thread.isFinished():
            _CLOSING.remove(entry)


def wait_for_cameras(timeout_ms: int = CLOSING_WAIT_MS) -> None:
    """At shutdown: let every camera thread asked to stop end before Qt goes away."""
    _wait_for_closing(None, timeout_ms)


# A process that ends right after a dialog closed must not destroy a camera thread that is
# still finishing its frame (Qt aborts the process when a running QThread is destroyed).
atexit.register(wait_for_cameras)
