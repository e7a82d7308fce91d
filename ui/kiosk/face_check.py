"""The kiosk's guided face photo for the real-person check (实人核验).

A citizen alone at the kiosk sees themselves large, reads one plain sentence saying what to
change ("请再靠近一点") and hears it; when the camera's quality gate passes they are told to
hold still, and the photo is taken by itself a moment later. The photo (a JPEG, cropped to the
face by the camera worker) goes out through `captured` to travel with the filing.

The camera runs on CameraWorker's thread (ui/camera), as for the counter's capture dialog; this
page only paints its frames and words. Guidance is spoken when it changes and has held for a
moment, not for every frame: a head moving in and out of the gate must not make the kiosk
chatter. No camera, or a camera that fails, is `unavailable` with a sentence for the citizen
("not possible at this kiosk"): what went wrong with the device goes to the log for the
technician, not on screen.

Privacy: the preview label is marked personal (scrub clears it); `forget` stops the camera
and drops the photo (privacy.Forgettable).
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QElapsedTimer, QSize, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSizePolicy, QVBoxLayout, QWidget

from devices.camera import Camera
from devices.face_quality import FaceVerdict, ProblemCode
from ui.camera.camera_worker import CameraSession, CameraWorker
from ui.camera.preview import WorkerLink, preview_pixmap
from ui.kiosk.privacy import mark_personal
from ui.kiosk.speech import Speaker

log = logging.getLogger(__name__)

# Good frames must hold this long before the photo is taken: time to hear "hold still".
STEADY_MS = 1500
# Guidance is spoken once it has been on screen this long unchanged ...
SPEAK_SETTLE_MS = 600
# ... or, when it keeps changing (a head moving in and out of the gate), at most this often:
# the citizen still hears something, and the kiosk does not chatter.
MAX_QUIET_MS = 3000
PREVIEW_MIN = QSize(640, 480)

OPENING = "opening"
READY = "ok"
TAKEN = "taken"
FAILED = "failed"


class FaceCheckPage(QWidget):
    """Signals: `captured(bytes)` the JPEG (again after a retake: the last one counts),
    `cancelled()`, `unavailable(str)` a sentence for the citizen when there is no camera or
    it failed."""

    captured = Signal(bytes)
    cancelled = Signal()
    unavailable = Signal(str)
    confirmed = Signal(bytes)  # the citizen chose "use this photo"
    guidanceChanged = Signal(str)  # noqa: N815 - the written guidance, each time it changes

    def __init__(
        self,
        speaker: Speaker | None = None,
        parent: QWidget | None = None,
        *,
        steady_ms: int = STEADY_MS,
        speak_settle_ms: int = SPEAK_SETTLE_MS,
        assess_every: int = 1,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("faceCheckPage")
        self._speaker = speaker
        self._assess_every = assess_every
        self._camera: Camera | None = None
        self._session: CameraSession | None = None
        self._link: WorkerLink | None = None
        self._jpeg: bytes | None = None
        self._code = ""
        self._spoken_code = ""

        self.title = QLabel(self.tr("Photo of your face"), self)
        self.title.setObjectName("faceCheckTitle")
        self.title.setProperty("role", "heading")
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.title.setAccessibleName(self.tr("Photo of your face"))
        self.hint = QLabel(
            self.tr("Look at the screen. Please take off your hat and sunglasses."), self
        )
        self.hint.setObjectName("faceCheckHint")
        self.hint.setProperty("role", "secondary")
        self.hint.setWordWrap(True)
        self.hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.hint.setAccessibleName(self.hint.text())
        self.preview = mark_personal(QLabel(self))
        self.preview.setObjectName("faceCheckPreview")
        self.preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.preview.setMinimumSize(PREVIEW_MIN)
        # Ignored: the frames are scaled to the label, so its size must not follow theirs (a
        # turn from landscape to portrait must be able to shrink it).
        self.preview.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        self.preview.setAccessibleName(self.tr("Your picture from the camera"))
        self.guidance = QLabel(self)
        self.guidance.setObjectName("faceGuidance")
        self.guidance.setProperty("role", "heading")
        self.guidance.setWordWrap(True)
        self.guidance.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.guidance.setTextFormat(Qt.TextFormat.PlainText)
        self.retake_button = QPushButton(self.tr("Take it again"), self)
        self.retake_button.setObjectName("faceRetakeButton")
        self.retake_button.setProperty("role", "secondary")
        self.retake_button.setAccessibleName(self.tr("Take the photo again"))
        self.retake_button.hide()  # offered once there is a photo
        self.use_button = QPushButton(self.tr("Use this photo"), self)
        self.use_button.setObjectName("faceUseButton")
        self.use_button.setProperty("role", "primary")
        self.use_button.setAccessibleName(self.tr("Use this photo and go on"))
        self.use_button.hide()
        self.cancel_button = QPushButton(self.tr("Cancel"), self)
        self.cancel_button.setObjectName("faceCancelButton")
        self.cancel_button.setProperty("role", "secondary")
        self.cancel_button.setAccessibleName(self.tr("Cancel and go back"))

        buttons = QHBoxLayout()
        buttons.addWidget(self.retake_button)
        buttons.addWidget(self.use_button)
        buttons.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.hint)
        layout.addWidget(self.preview, 1)
        layout.addWidget(self.guidance)
        layout.addLayout(buttons)

        self._steady = QTimer(self)
        self._steady.setSingleShot(True)
        self._steady.setInterval(steady_ms)
        self._steady.timeout.connect(self._take)
        self._settle = QTimer(self)
        self._settle.setSingleShot(True)
        self._settle.setInterval(speak_settle_ms)
        self._settle.timeout.connect(self._speak_guidance)
        self._since_spoken = QElapsedTimer()
        self.retake_button.clicked.connect(self.retake)
        self.use_button.clicked.connect(self._use)
        self.cancel_button.clicked.connect(self._on_cancel)

    # ---- words ---------------------------------------------------------------------------
    def guidance_text(self, code: str) -> str:
        """The sentence for a ProblemCode value (or this page's own states), in plain words."""
        texts = {
            OPENING: self.tr("Opening the camera, one moment please..."),
            READY: self.tr("Very good. Hold still, the photo is being taken."),
            TAKEN: self.tr("Done. Your photo has been taken."),
            FAILED: self.unavailable_text(),
            ProblemCode.MULTIPLE_FACES.value: self.tr(
                "Only one person in front of the camera, please."
            ),
            ProblemCode.NO_FACE.value: self.tr(
                "Please look at the screen and put your face in the frame."
            ),
            ProblemCode.NOT_FRONTAL.value: self.tr("Please look straight at the camera."),
            ProblemCode.TOO_FAR.value: self.tr("Please come a little closer."),
            ProblemCode.TOO_CLOSE.value: self.tr("Please step back a little."),
            ProblemCode.OFF_CENTRE.value: self.tr(
                "Please move your face to the middle of the frame."
            ),
            ProblemCode.TOO_DARK.value: self.tr("It is too dark. Please face the light."),
            ProblemCode.TOO_BRIGHT.value: self.tr(
                "The light is too strong. Please move out of it."
            ),
            ProblemCode.BLURRY.value: self.tr("Please keep still."),
        }
        return texts.get(code, texts[ProblemCode.NO_FACE.value])

    def unavailable_text(self) -> str:
        return self.tr(
            "A photo for the real-person check cannot be taken at this kiosk right now. "
            "Please go to a service counter, or call 12393."
        )

    @property
    def guidance_code(self) -> str:
        """What the guidance line says now: a ProblemCode value, or opening/ok/taken/failed."""
        return self._code

    @property
    def jpeg(self) -> bytes | None:
        """The photo taken, until the page is told to forget it."""
        return self._jpeg

    @property
    def session(self) -> CameraSession | None:
        return self._session

    # ---- life ----------------------------------------------------------------------------
    def start(self, camera: Camera | None) -> None:
        """Open `camera` and guide the citizen; None (no camera here) is `unavailable`."""
        self.stop()
        self._jpeg = None
        self._camera = camera
        self._spoken_code = ""
        self.preview.clear()
        self.retake_button.hide()
        self.use_button.hide()
        if camera is None:
            self._fail("no camera")
            return
        worker = CameraWorker(
            camera, "face", language="zh_CN", assess_every=self._assess_every, auto_capture=False
        )
        self._link = WorkerLink(
            [
                (worker.frameReady, self._on_frame),
                (worker.verdictChanged, self._on_verdict),
                (worker.faceReady, self._on_face),
                (worker.failed, self._on_failed),
            ]
        )
        self._session = CameraSession(worker, self)
        self._show(OPENING)
        self._speak_now(self.hint.text())
        self._session.start()

    def stop(self) -> None:
        """Release the camera on its own thread; returns at once."""
        self._steady.stop()
        self._settle.stop()
        if self._link is not None:
            self._link.cut()
            self._link = None
        if self._session is not None:
            self._session.stop_later()

    def forget(self) -> None:
        """The session ended: camera off, photo and picture gone (privacy.Forgettable)."""
        self.stop()
        self._jpeg = None
        self._camera = None
        self.preview.clear()
        self.guidance.clear()
        self.retake_button.hide()
        self.use_button.hide()
        self._code = ""

    @Slot()
    def _use(self) -> None:
        if self._jpeg is not None:
            jpeg = self._jpeg
            self.stop()
            self.confirmed.emit(jpeg)

    def retake(self) -> None:
        """Another photo with the same camera (the last one taken is replaced)."""
        if self._camera is not None:
            self.start(self._camera)

    @Slot()
    def _on_cancel(self) -> None:
        self.stop()
        self._jpeg = None
        self.cancelled.emit()

    # ---- from the camera thread ------------------------------------------------------------
    @Slot(QImage)
    def _on_frame(self, image: QImage) -> None:
        session = self._session
        if session is None or not session.running:
            return  # a frame still queued when the camera was stopped
        self.preview.setPixmap(preview_pixmap(session.worker, image, self.preview.size()))

    @Slot(object)
    def _on_verdict(self, verdict: object) -> None:
        if not isinstance(verdict, FaceVerdict) or self._code in (TAKEN, FAILED):
            return
        code = READY if verdict.ok else verdict.codes[0].value
        if code == READY and not self._steady.isActive():
            self._steady.start()  # still good when it fires: the photo is taken
        elif code != READY:
            self._steady.stop()
        self._show(code)

    @Slot()
    def _take(self) -> None:
        if self._session is not None and self._code == READY:
            self._session.capture()  # the worker sends the best good frame, if still good

    @Slot(bytes)
    def _on_face(self, jpeg: bytes) -> None:
        if self._code == TAKEN:
            return
        self._jpeg = bytes(jpeg)
        self.stop()
        photo = QPixmap()
        if photo.loadFromData(self._jpeg, "JPEG"):
            self.preview.setPixmap(
                photo.scaled(
                    self.preview.size(),
                    Qt.AspectRatioMode.KeepAspectRatio,
                    Qt.TransformationMode.SmoothTransformation,
                )
            )
        self._show(TAKEN)
        self._speak_now(self.guidance.text())
        self.retake_button.show()
        self.use_button.show()
        self.captured.emit(self._jpeg)

    @Slot(str)
    def _on_failed(self, message: str) -> None:
        log.warning("kiosk face check: the camera failed: %s", message)
        self._fail("camera failed")

    # ---- helpers ---------------------------------------------------------------------------
    def _fail(self, why: str) -> None:
        log.info("kiosk face check unavailable: %s", why)
        self.stop()
        self.preview.clear()
        self._show(FAILED)
        self.unavailable.emit(self.guidance.text())

    def _show(self, code: str) -> None:
        if code == self._code:
            return
        self._code = code
        text = self.guidance_text(code)
        self.guidance.setText(text)
        self.guidance.setAccessibleName(text)
        self.guidanceChanged.emit(text)
        if code in (OPENING, TAKEN, FAILED):
            return  # said at once where it happens, or by the kiosk (unavailable)
        if self._since_spoken.isValid() and self._since_spoken.elapsed() >= MAX_QUIET_MS:
            self._settle.stop()
            self._speak_guidance()
        else:
            self._settle.start()  # restarted by every change: said once it holds

    @Slot()
    def _speak_guidance(self) -> None:
        if self._code and self._code != self._spoken_code and self._code not in (TAKEN, FAILED):
            self._speak_now(self.guidance.text())

    def _speak_now(self, text: str) -> None:
        self._spoken_code = self._code
        self._since_spoken.start()
        if self._speaker is not None:
            self._speaker.say(text)
