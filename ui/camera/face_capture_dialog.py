"""The capture dialog: live preview, what to fix in large Chinese text, and the photo.

Face mode (实人核验): the worker judges every frame; the advice for the person ("请靠近一点",
"请正对镜头"...) is shown large, in Chinese whatever the operator's language, because it is
said to the citizen; the English follows in small type for an English-speaking operator. The
photo is taken automatically once the gate has held for a few frames, or by the operator with
"Take photo" while the gate passes. Materials mode: the sheet's outline is drawn on the preview;
"Take photo" squares it up and shows the result, and "Use this photo" keeps it.

The dialog never touches the camera: its CameraSession does that on its own thread, and the
dialog stops it (thread quit and wait) whenever it closes, however it closes.
"""

from __future__ import annotations

from PySide6.QtCore import QLocale, QSize, Qt, Signal, Slot
from PySide6.QtGui import QImage, QPixmap, QShowEvent
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from devices.camera import Camera
from devices.face_quality import FaceVerdict
from devices.materials import PLACE_SHEET_EN, PLACE_SHEET_ZH
from ui.camera.camera_worker import GATE_FRAMES, CameraSession, CameraWorker, Mode, PageCapture
from ui.camera.preview import WorkerLink, preview_pixmap

PREVIEW_SIZE = QSize(640, 480)
GUIDANCE_STYLE = "font-size: 28pt; font-weight: bold; color: #0d47a1;"
READY_STYLE = "font-size: 28pt; font-weight: bold; color: #1b5e20;"
ERROR_STYLE = "font-size: 20pt; font-weight: bold; color: #b00020;"
GUIDANCE_MIN_HEIGHT = 110  # two lines at 28 pt: a long error message must not be clipped
WAITING_ZH = "正在打开摄像头…"
WAITING_EN = "Opening the camera..."
SHOW_CODE_ZH = "请把手机上的医保电子凭证二维码对准镜头"
SHOW_CODE_EN = "Hold the e-voucher QR code on the phone up to the camera"


class FaceCaptureDialog(QDialog):
    """Modal camera dialog; `jpeg` holds the photo after it is accepted."""

    faceReady = Signal(bytes)  # noqa: N815 - Qt-style, as CameraWorker.faceReady
    pageReady = Signal(bytes)  # noqa: N815

    def __init__(
        self,
        camera: Camera,
        parent: QWidget | None = None,
        *,
        mode: Mode = "face",
        language: str | None = None,
        auto_capture: bool = True,
        gate_frames: int = GATE_FRAMES,
        assess_every: int = 1,
        qr_decoder: str | None = None,
    ) -> None:
        super().__init__(parent)
        self._mode: Mode = mode
        self._language = language or QLocale().name()
        self._jpeg: bytes | None = None
        self._page: PageCapture | None = None
        self._verdict: FaceVerdict | None = None
        self._failed = False
        self._code: str | None = None
        names = {"face": "faceCaptureDialog", "materials": "materialsCaptureDialog"}
        self.setObjectName(names.get(mode, "qrScanDialog"))
        titles = {
            "face": self.tr("Face photo"),
            "materials": self.tr("Photo of materials"),
            "qr": self.tr("Scan the e-voucher with the camera"),
        }
        self.setWindowTitle(titles[mode])

        self.preview = QLabel(self)
        self.preview.setObjectName("cameraPreview")
        self.preview.setFixedSize(PREVIEW_SIZE)
        self.preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.preview.setStyleSheet("background: #202020; color: #e0e0e0;")
        self.preview.setAccessibleName(self.tr("Camera preview"))

        self.guidance = QLabel(self)
        self.guidance.setObjectName("cameraGuidance")
        self.guidance.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.guidance.setWordWrap(True)
        self.guidance.setTextFormat(Qt.TextFormat.PlainText)
        self.guidance.setStyleSheet(GUIDANCE_STYLE)
        self.guidance.setMinimumHeight(GUIDANCE_MIN_HEIGHT)
        self.detail = QLabel(self)
        self.detail.setObjectName("cameraDetail")
        self.detail.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.detail.setWordWrap(True)
        self.detail.setTextFormat(Qt.TextFormat.PlainText)

        self.capture_button = QPushButton(self.tr("Take photo"), self)
        self.capture_button.setObjectName("captureButton")
        self.capture_button.setAccessibleName(self.tr("Take photo"))
        self.capture_button.setEnabled(False)
        self.use_button = QPushButton(self.tr("Use this photo"), self)
        self.use_button.setObjectName("usePhotoButton")
        self.use_button.setAccessibleName(self.tr("Use this photo"))
        self.use_button.setVisible(mode == "materials")
        self.capture_button.setVisible(mode != "qr")
        self.use_button.setEnabled(False)
        self.cancel_button = QPushButton(self.tr("Cancel"), self)
        self.cancel_button.setObjectName("cancelCaptureButton")
        self.cancel_button.setAccessibleName(self.tr("Cancel"))

        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.capture_button)
        buttons.addWidget(self.use_button)
        buttons.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.preview, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addWidget(self.guidance)
        layout.addWidget(self.detail)
        layout.addLayout(buttons)

        self.capture_button.clicked.connect(self._on_capture_clicked)
        self.use_button.clicked.connect(self._on_use_clicked)
        self.cancel_button.clicked.connect(self.reject)

        worker = CameraWorker(
            camera,
            mode,
            # Device failures are shown like the guidance: large and in Chinese, the language
            # of the citizen and of the technician who will be called.
            language="zh_CN",
            gate_frames=gate_frames,
            assess_every=assess_every,
            auto_capture=auto_capture,
            qr_decoder=qr_decoder,
        )
        self._link = WorkerLink(
            [
                (worker.frameReady, self._on_frame),
                (worker.verdictChanged, self._on_verdict),
                (worker.faceReady, self._on_face_ready),
                (worker.pageCaptured, self._on_page_captured),
                (worker.failed, self._on_failed),
                (worker.codeScanned, self._on_code),
            ]
        )
        self.session = CameraSession(worker, self)
        self.preview.setText(self.tr("Opening the camera..."))
        if mode == "face":
            self._say(WAITING_ZH, WAITING_EN)
        elif mode == "qr":
            self._say(SHOW_CODE_ZH, SHOW_CODE_EN)
        else:
            self._say(PLACE_SHEET_ZH, PLACE_SHEET_EN)

    # ---- state for callers and tests ----------------------------------------------------
    @property
    def jpeg(self) -> bytes | None:
        """The photo taken (face or materials), once there is one."""
        return self._jpeg

    @property
    def verdict(self) -> FaceVerdict | None:
        return self._verdict

    @property
    def failed(self) -> bool:
        return self._failed

    @property
    def page_found(self) -> bool | None:
        """Materials mode: whether the last photo is the squared-up sheet (None: no photo)."""
        return None if self._page is None else self._page.found

    # ---- lifecycle ----------------------------------------------------------------------
    def start(self) -> None:
        """Start the camera (done automatically when the dialog is first shown)."""
        self.session.start()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.start()

    def done(self, result: int) -> None:
        """Every way of closing ends here (accept, reject, Esc, the window's close button).
        The camera is released on its own thread; the dialog closes at once, and hears
        nothing more from it (a frame still on its way must not reach a closed dialog)."""
        self._link.cut()
        self.session.stop_later()
        super().done(result)

    # ---- worker signals -----------------------------------------------------------------
    @Slot(QImage)
    def _on_frame(self, image: QImage) -> None:
        if not self.session.running:
            return  # a frame still queued when the camera was stopped
        if self._page is not None or self._failed:
            self.session.worker.preview_shown()
            return  # showing the captured sheet, or the error: keep it on screen
        self.preview.setPixmap(preview_pixmap(self.session.worker, image, PREVIEW_SIZE))
        if self._mode == "materials" and not self.capture_button.isEnabled():
            self.capture_button.setEnabled(True)

    @Slot(object)
    def _on_verdict(self, verdict: object) -> None:
        if not isinstance(verdict, FaceVerdict) or self._failed:
            return
        self._verdict = verdict
        self._say(verdict.guidance("zh_CN"), verdict.guidance("en"), ready=verdict.ok)
        self.capture_button.setEnabled(verdict.ok)

    @Slot(bytes)
    def _on_face_ready(self, jpeg: bytes) -> None:
        if self._jpeg is not None:
            return
        self._jpeg = bytes(jpeg)
        self.faceReady.emit(self._jpeg)
        self.accept()

    @Slot(object)
    def _on_page_captured(self, capture: object) -> None:
        if not isinstance(capture, PageCapture):
            return
        self._page = capture
        pixmap = QPixmap.fromImage(capture.preview).scaled(
            PREVIEW_SIZE,
            Qt.AspectRatioMode.KeepAspectRatio,
            Qt.TransformationMode.SmoothTransformation,
        )
        self.preview.setPixmap(pixmap)
        self._say(capture.zh, capture.en, ready=capture.found)
        self.capture_button.setText(self.tr("Retake"))
        self.capture_button.setAccessibleName(self.tr("Retake"))
        self.capture_button.setEnabled(True)
        self.use_button.setEnabled(True)

    @Slot(str)
    def _on_code(self, code: str) -> None:
        self._code = code
        self.accept()

    @property
    def code(self) -> str | None:
        """QR mode: the code read, once there is one."""
        return self._code

    @Slot(str)
    def _on_failed(self, message: str) -> None:
        self._failed = True
        self.capture_button.setEnabled(False)
        self.use_button.setEnabled(False)
        self.preview.setPixmap(QPixmap())
        self.preview.setText(self.tr("No picture from the camera"))
        self.guidance.setStyleSheet(ERROR_STYLE)
        self.guidance.setText(message)
        self.detail.setText(self.tr("You can cancel and continue without the camera."))

    # ---- buttons ----------------------------------------------------------------------
    @Slot()
    def _on_capture_clicked(self) -> None:
        if self._mode == "materials" and self._page is not None:  # "Retake"
            self._page = None
            self.capture_button.setText(self.tr("Take photo"))
            self.capture_button.setAccessibleName(self.tr("Take photo"))
            self.use_button.setEnabled(False)
            self._say(PLACE_SHEET_ZH, PLACE_SHEET_EN)
            return
        self.session.capture()

    @Slot()
    def _on_use_clicked(self) -> None:
        if self._page is None:
            return
        self._jpeg = self._page.jpeg
        self.pageReady.emit(self._jpeg)
        self.accept()

    # ---- helpers ----------------------------------------------------------------------
    def _say(self, zh: str, en: str, *, ready: bool = False) -> None:
        """Chinese large for the citizen; English small below when the operator reads English."""
        self.guidance.setStyleSheet(READY_STYLE if ready else GUIDANCE_STYLE)
        self.guidance.setText(zh)
        self.detail.setText("" if self._language.startswith("zh") else en)
