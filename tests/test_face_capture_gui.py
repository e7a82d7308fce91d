"""The capture dialog, offscreen, on a real video file read by a real camera thread.

The camera is OpenCvCamera on an MJPG video of the astronaut portrait (see test_camera.py),
looping and paced at its frame rate like a webcam; the worker thread judges the frames and the
dialog must take the photo by itself once the gate holds. Qt warnings fail these tests
(pyproject: qt_log_level_fail), which is how a thread left running or a timer stopped from the
wrong thread would show. Screenshots go to test-artifacts/screenshots/.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot

from app.context import AppContext
from app.services.capture_service import (
    FACE_PHOTO_CODE,
    CaptureKind,
    CaptureRejected,
    CaptureService,
)
from devices.base import DeviceHealth
from devices.camera import Frame, OpenCvCamera, SimulatedCamera
from devices.face_quality import FaceDetector
from devices.photo_encoding import FACE_MAX_BYTES, MATERIAL_MAX_BYTES
from tests.test_camera import jittered, write_video
from tests.test_face_quality import good_frame, no_face_frame, small_face_frame
from ui.camera.face_capture_dialog import FaceCaptureDialog

SHOTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "screenshots"
TIMEOUT_MS = 10_000


@pytest.fixture(scope="module")
def videos(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("videos")
    return {
        "face": write_video(folder / "face.avi", jittered(good_frame(), 10, seed=1)),
        "empty": write_video(folder / "empty.avi", jittered(no_face_frame(), 10, seed=2)),
        "far": write_video(folder / "far.avi", jittered(small_face_frame(), 10, seed=3)),
    }


@pytest.fixture
def open_dialogs() -> Iterator[list[FaceCaptureDialog]]:
    """Dialogs made by a test; each must have stopped its camera thread by the end."""
    made: list[FaceCaptureDialog] = []
    yield made
    for dialog in made:
        dialog.close()
        assert not dialog.session.running
        assert dialog.session.finished(5000), "the camera thread did not end"


def make_dialog(
    qtbot: QtBot, made: list[FaceCaptureDialog], camera: object, **kwargs: object
) -> FaceCaptureDialog:
    dialog = FaceCaptureDialog(camera, language="zh_CN", **kwargs)  # type: ignore[arg-type]
    qtbot.addWidget(dialog)
    made.append(dialog)
    return dialog


def shot(dialog: QDialog, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    assert dialog.grab().save(str(SHOTS / name), "PNG")


def test_face_is_captured_automatically_once_the_gate_holds(
    qtbot: QtBot, videos: dict[str, Path], open_dialogs: list[FaceCaptureDialog]
) -> None:
    dialog = make_dialog(qtbot, open_dialogs, OpenCvCamera(videos["face"], loop=True))
    with qtbot.waitSignal(dialog.faceReady, timeout=TIMEOUT_MS) as blocker:
        dialog.show()
    jpeg = blocker.args[0]
    assert isinstance(jpeg, bytes)
    assert jpeg == dialog.jpeg
    assert len(jpeg) <= FACE_MAX_BYTES
    photo = cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR)
    assert photo is not None
    assert len(FaceDetector().faces(np.asarray(photo, np.uint8))) == 1
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert not dialog.isVisible()
    assert not dialog.session.running  # thread quit and waited for on accept


def test_no_face_shows_guidance_and_never_captures(
    qtbot: QtBot, videos: dict[str, Path], open_dialogs: list[FaceCaptureDialog]
) -> None:
    dialog = make_dialog(qtbot, open_dialogs, OpenCvCamera(videos["empty"], loop=True))
    dialog.show()
    qtbot.waitUntil(lambda: dialog.guidance.text() == "请站到镜头前，正对镜头", timeout=TIMEOUT_MS)
    with qtbot.assertNotEmitted(dialog.faceReady, wait=1500):
        pass
    assert not dialog.capture_button.isEnabled()
    assert dialog.preview.pixmap() is not None and not dialog.preview.pixmap().isNull()
    shot(dialog, "face-capture-no-face.png")
    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == QDialog.DialogCode.Rejected
    assert dialog.jpeg is None
    assert not dialog.session.running


def test_far_face_is_told_to_come_closer(
    qtbot: QtBot, videos: dict[str, Path], open_dialogs: list[FaceCaptureDialog]
) -> None:
    dialog = make_dialog(qtbot, open_dialogs, OpenCvCamera(videos["far"], loop=True))
    dialog.show()
    qtbot.waitUntil(lambda: dialog.guidance.text() == "请靠近一点", timeout=TIMEOUT_MS)
    assert dialog.verdict is not None and not dialog.verdict.ok
    shot(dialog, "face-capture-come-closer.png")


def test_manual_capture_when_the_gate_passes(
    qtbot: QtBot, videos: dict[str, Path], open_dialogs: list[FaceCaptureDialog]
) -> None:
    dialog = make_dialog(
        qtbot, open_dialogs, OpenCvCamera(videos["face"], loop=True), auto_capture=False
    )
    dialog.show()
    qtbot.waitUntil(dialog.capture_button.isEnabled, timeout=TIMEOUT_MS)
    assert dialog.guidance.text() == "很好，请保持不动"
    shot(dialog, "face-capture-ready.png")
    with qtbot.waitSignal(dialog.faceReady, timeout=TIMEOUT_MS):
        qtbot.mouseClick(dialog.capture_button, Qt.MouseButton.LeftButton)
    assert dialog.jpeg is not None and len(dialog.jpeg) <= FACE_MAX_BYTES


class ThreadRecordingCamera:
    """A simulated camera that notes which thread makes each call."""

    def __init__(self) -> None:
        self._inner = SimulatedCamera(fps=30)
        self.name = self._inner.name
        self.threads: set[str] = set()

    def _note(self) -> None:
        self.threads.add(threading.current_thread().name)

    def open(self) -> None:
        self._note()
        self._inner.open()

    def read(self) -> Frame:
        self._note()
        return self._inner.read()

    def close(self) -> None:
        self._note()
        self._inner.close()

    def health(self) -> DeviceHealth:
        return self._inner.health()


def test_no_camera_call_runs_on_the_gui_thread(
    qtbot: QtBot, open_dialogs: list[FaceCaptureDialog]
) -> None:
    camera = ThreadRecordingCamera()
    dialog = make_dialog(qtbot, open_dialogs, camera)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.session.worker.frames_read > 5, timeout=TIMEOUT_MS)
    dialog.reject()
    assert camera.threads
    assert threading.main_thread().name not in camera.threads


def test_camera_failure_shows_its_chinese_message(
    qtbot: QtBot, tmp_path: Path, open_dialogs: list[FaceCaptureDialog]
) -> None:
    dialog = make_dialog(qtbot, open_dialogs, OpenCvCamera(tmp_path / "unplugged.avi"))
    dialog.show()
    qtbot.waitUntil(lambda: dialog.failed, timeout=TIMEOUT_MS)
    assert dialog.guidance.text().startswith("找不到视频文件")
    assert "Traceback" not in dialog.guidance.text() + dialog.detail.text()
    assert not dialog.capture_button.isEnabled()
    shot(dialog, "face-capture-camera-missing.png")


def test_camera_unplugged_mid_preview(qtbot: QtBot, open_dialogs: list[FaceCaptureDialog]) -> None:
    dialog = make_dialog(qtbot, open_dialogs, SimulatedCamera(fps=30, fail_after=5))
    dialog.show()
    qtbot.waitUntil(lambda: dialog.failed, timeout=TIMEOUT_MS)
    assert dialog.guidance.text() == "模拟摄像头停止输出画面（模拟拔出）"


def test_closing_while_running_stops_the_thread(
    qtbot: QtBot, videos: dict[str, Path], open_dialogs: list[FaceCaptureDialog]
) -> None:
    dialog = make_dialog(qtbot, open_dialogs, OpenCvCamera(videos["empty"], loop=True))
    dialog.show()
    qtbot.waitUntil(lambda: dialog.session.worker.frames_read > 3, timeout=TIMEOUT_MS)
    dialog.close()
    assert not dialog.session.running
    assert dialog.result() == QDialog.DialogCode.Rejected


def test_materials_mode_shows_and_keeps_the_squared_sheet(
    qtbot: QtBot, open_dialogs: list[FaceCaptureDialog]
) -> None:
    dialog = make_dialog(qtbot, open_dialogs, SimulatedCamera("materials"), mode="materials")
    dialog.show()
    qtbot.waitUntil(dialog.capture_button.isEnabled, timeout=TIMEOUT_MS)
    qtbot.mouseClick(dialog.capture_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.page_found is not None, timeout=TIMEOUT_MS)
    assert dialog.page_found
    assert dialog.guidance.text() == "已找到材料边缘并校正"
    assert dialog.use_button.isEnabled()
    shot(dialog, "materials-capture-deskewed.png")
    with qtbot.waitSignal(dialog.pageReady, timeout=TIMEOUT_MS) as blocker:
        qtbot.mouseClick(dialog.use_button, Qt.MouseButton.LeftButton)
    jpeg = blocker.args[0]
    assert len(jpeg) <= MATERIAL_MAX_BYTES
    page = cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR)
    assert page is not None and page.shape[0] > page.shape[1]  # the portrait sheet, upright
    assert dialog.result() == QDialog.DialogCode.Accepted


def test_captured_photo_is_stored_encrypted(
    qtbot: QtBot, ctx: AppContext, videos: dict[str, Path], open_dialogs: list[FaceCaptureDialog]
) -> None:
    dialog = make_dialog(qtbot, open_dialogs, OpenCvCamera(videos["face"], loop=True))
    with qtbot.waitSignal(dialog.faceReady, timeout=TIMEOUT_MS) as blocker:
        dialog.show()
    jpeg: bytes = blocker.args[0]
    service = CaptureService(ctx.blobs)
    digest = service.store_face(jpeg)
    assert digest == hashlib.sha256(jpeg).hexdigest()
    on_disk = ctx.blobs.path_for(digest).read_bytes()
    assert jpeg[:64] not in on_disk and b"JFIF" not in on_disk  # ciphertext, not the photo
    assert service.load(digest) == jpeg
    attachment = service.attachment(digest)
    assert attachment.code == FACE_PHOTO_CODE and attachment.mime == "image/jpeg"
    assert attachment.data == jpeg
    assert service.store(jpeg, CaptureKind.FACE).sha256 == digest  # same photo, same file
    with pytest.raises(CaptureRejected):
        service.store(b"not a jpeg")
    with pytest.raises(CaptureRejected):
        service.store(jpeg[:3] + b"\0" * 400_000 + b"\xff\xd9", CaptureKind.FACE)


def test_an_e_voucher_shown_to_the_camera_is_read(
    qtbot: QtBot, tmp_path: Path, open_dialogs: list[FaceCaptureDialog]
) -> None:
    """QR mode: a video of a phone showing an e-voucher, decoded by the default decoder."""
    from devices.qr_frames import Degradation, make_frame
    from tests.test_camera import write_video

    token = "YBEV1.camera-scan-" + "k" * 30
    empty = [make_frame([], seed=n) for n in range(5)]  # the phone is not up yet
    held_up = Degradation(blur_sigma=1.0, rotation_deg=8.0)
    shown = [make_frame(token, held_up, seed=n) for n in range(10)]
    video = write_video(tmp_path / "phone.avi", empty + shown)
    dialog = make_dialog(qtbot, open_dialogs, OpenCvCamera(video, loop=True), mode="qr")
    with qtbot.waitSignal(dialog.accepted, timeout=TIMEOUT_MS):
        dialog.show()
    assert dialog.code == token
    assert dialog.jpeg is None  # nothing photographed in this mode
