"""Photographing a material at the kiosk: hold the paper under the camera, touch "take photo".

The camera runs in materials mode on its own thread (`ui.camera.camera_worker`); the preview shows
the page it found, the photo is the deskewed page as a JPEG. The citizen sees the photo and
keeps it or takes it again. An optional material can be skipped. No camera: the page says
the service is unavailable here, and the flow offers to go back.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from app.catalog.schema import MaterialSpec
from devices.camera import Camera
from ui.camera.camera_worker import CameraSession, CameraWorker, PageCapture
from ui.kiosk.page import kiosk_button
from ui.kiosk.privacy import mark_personal

PREVIEW_W, PREVIEW_H = 640, 480


class PhotoPage(QWidget):
    """`taken(code, jpeg)`, `skipped(code)`, `back()`; `unavailable(text)` without a camera."""

    taken = Signal(str, bytes)
    skipped = Signal(str)
    back = Signal()

    def __init__(self, language: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("photoPage")
        self._language = language
        self.material: MaterialSpec | None = None
        self._session: CameraSession | None = None
        self._jpeg: bytes | None = None
        self.step = QLabel(self)
        self.step.setObjectName("photoStep")
        self.title = QLabel(self)
        self.title.setObjectName("photoTitle")
        self.title.setProperty("role", "heading")
        self.title.setWordWrap(True)
        self.guide = QLabel(
            self.tr("Lay the paper flat under the camera, then touch 'Take photo'."), self
        )
        self.guide.setObjectName("photoGuide")
        self.guide.setWordWrap(True)
        self.preview = mark_personal(QLabel(self))
        self.preview.setObjectName("photoPreview")
        self.preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.preview.setMinimumSize(PREVIEW_W // 2, PREVIEW_H // 2)
        self.preview.setAccessibleName(self.tr("Camera picture"))
        self.status = QLabel(self)
        self.status.setObjectName("photoStatus")
        self.status.setWordWrap(True)
        self.shoot_button = self._button("photoShoot", self.tr("Take photo"), "primary")
        self.shoot_button.setAccessibleName(self.tr("Take the photo of this paper"))
        self.retake_button = self._button("photoRetake", self.tr("Take again"), "secondary")
        self.retake_button.setAccessibleName(self.tr("Take this photo again"))
        self.keep_button = self._button("photoKeep", self.tr("Use this photo"), "primary")
        self.keep_button.setAccessibleName(self.tr("Use this photo and go on"))
        self.skip_button = self._button("photoSkip", self.tr("I don't have it"), "secondary")
        self.skip_button.setAccessibleName(self.tr("I do not have this paper: go on without it"))
        self.back_button = self._button("photoBack", self.tr("Back"), "secondary")
        self.back_button.setAccessibleName(self.tr("Back to the previous step"))
        self.shoot_button.clicked.connect(self._shoot)
        self.retake_button.clicked.connect(self._retake)
        self.keep_button.clicked.connect(self._keep)
        self.skip_button.clicked.connect(self._skip)
        self.back_button.clicked.connect(self._back)
        buttons = QHBoxLayout()
        for button in (
            self.back_button,
            self.skip_button,
            self.retake_button,
            self.shoot_button,
            self.keep_button,
        ):
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.step)
        layout.addWidget(self.title)
        layout.addWidget(self.guide)
        layout.addWidget(self.preview, 1)
        layout.addWidget(self.status)
        layout.addLayout(buttons)

    def _button(self, name: str, text: str, role: str) -> QPushButton:
        return kiosk_button(text, self, name, role=role)

    # ---- one material ---------------------------------------------------------------------
    def show_material(
        self, material: MaterialSpec, camera: Camera | None, number: int, total: int
    ) -> None:
        self.stop()
        self.material = material
        self._jpeg = None
        zh = self._language.startswith("zh")
        self.step.setText(
            self.tr("Paper %1 of %2").replace("%1", str(number)).replace("%2", str(total))
        )
        self.title.setText(material.name if zh else material.name_en)
        self.title.setAccessibleName(self.title.text())
        self.skip_button.setVisible(not material.required)
        self.preview.clear()
        self.status.clear()
        self._buttons(taking=True)
        if camera is None:
            self.status.setText(
                self.tr(
                    "The camera of this kiosk is not working, so papers cannot be photographed "
                    "here. Please go to a township medical-insurance station, or call 12393."
                )
            )
            self.shoot_button.setEnabled(False)
            self.shoot_button.hide()  # a button that cannot work only confuses
            return
        self.shoot_button.setEnabled(False)  # until the camera's first picture arrives
        self.status.setText(self.tr("Starting the camera..."))
        worker = CameraWorker(camera, "materials", language=self._language)
        session = CameraSession(worker, self)
        worker.frameReady.connect(self._on_frame)
        worker.pageCaptured.connect(self._on_captured)
        worker.failed.connect(self._on_failed)
        self._session = session
        session.start()

    def _buttons(self, *, taking: bool) -> None:
        self.shoot_button.setVisible(taking)
        self.retake_button.setVisible(not taking)
        self.keep_button.setVisible(not taking)

    def _current(self) -> bool:
        """The signal comes from this material's camera (a stopped session may still deliver
        a frame or a failure it had queued; it must not re-enable "take photo")."""
        session = self._session
        return session is not None and self.sender() is session.worker

    @Slot(QImage)
    def _on_frame(self, image: QImage) -> None:
        if not self._current():
            return
        if self._jpeg is None:
            if not self.shoot_button.isEnabled():
                self.shoot_button.setEnabled(True)
                self.status.clear()
            self.preview.setPixmap(
                QPixmap.fromImage(image).scaled(
                    self.preview.size(), Qt.AspectRatioMode.KeepAspectRatio
                )
            )
            worker = self._session.worker if self._session is not None else None
            if worker is not None:
                worker.preview_shown()

    @Slot(object)
    def _on_captured(self, capture: object) -> None:
        assert isinstance(capture, PageCapture)
        if not self._current():
            return
        self._jpeg = capture.jpeg
        self.preview.setPixmap(
            QPixmap.fromImage(capture.preview).scaled(
                self.preview.size(), Qt.AspectRatioMode.KeepAspectRatio
            )
        )
        self.status.setText(
            self.tr("Is the whole paper clear? If so, touch 'Use this photo'.")
            if capture.found
            else capture.text(self._language)
        )
        self._buttons(taking=False)

    @Slot(str)
    def _on_failed(self, message: str) -> None:
        if not self._current():
            return
        self.status.setText(self.tr("The camera stopped working. Please try again, or go back."))
        self.shoot_button.setEnabled(False)

    def _shoot(self) -> None:
        if self._session is not None:
            self._session.capture()

    def _retake(self) -> None:
        self._jpeg = None
        self.status.clear()
        self._buttons(taking=True)

    def _keep(self) -> None:
        if self.material is not None and self._jpeg is not None:
            jpeg, self._jpeg = self._jpeg, None
            self.stop()
            self.taken.emit(self.material.code, jpeg)

    def _skip(self) -> None:
        if self.material is not None and not self.material.required:
            self.stop()
            self.skipped.emit(self.material.code)

    def _back(self) -> None:
        self.stop()
        self.back.emit()

    def stop(self) -> None:
        """Release the camera without waiting for its thread (`CameraSession.stop_later`)."""
        if self._session is not None:
            self._session.stop_later()
            self._session = None

    def forget(self) -> None:
        """`privacy.Forgettable`: the photo not yet kept, and the camera."""
        self.stop()
        self._jpeg = None
        self.material = None
        self.preview.clear()
