"""Cameras: a real video file through cv2.VideoCapture, the simulator, discovery, failures.

The video is written by OpenCV's own VideoWriter (Motion-JPEG in AVI, which every OpenCV build
reads and writes) from frames of the astronaut portrait, then read back through OpenCvCamera
exactly as a camera would be, so the same code path as a webcam is exercised end to end.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import cv2
import numpy as np
import pytest

from devices.base import DeviceError
from devices.camera import (
    CameraList,
    OpenCvCamera,
    SimulatedCamera,
    as_bgr,
    camera_from_setting,
    list_cameras,
)
from devices.face_quality import FaceDetector, ProblemCode, assess
from devices.materials import deskew_page
from tests.test_face_quality import Frame, good_frame, no_face_frame

REPO = Path(__file__).resolve().parent.parent


def write_video(path: Path, frames: list[Frame], fps: float = 15.0) -> Path:
    """An MJPG .avi of `frames` (BGR, all one size), as a USB camera's MJPEG stream looks."""
    height, width = frames[0].shape[:2]
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"MJPG"), fps, (width, height))
    assert writer.isOpened(), "OpenCV cannot write MJPG/AVI here"
    for frame in frames:
        writer.write(frame)
    writer.release()
    assert path.stat().st_size > 10_000
    return path


def jittered(frame: Frame, count: int, seed: int = 0) -> list[Frame]:
    """`count` copies with a little sensor noise each, like consecutive frames of a still scene."""
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(count):
        noise = rng.normal(0, 2.0, size=frame.shape).astype(np.float32)
        out.append(np.clip(frame.astype(np.float32) + noise, 0, 255).astype(np.uint8))
    return out


@pytest.fixture(scope="module")
def face_video(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("video")
    return write_video(folder / "astronaut.avi", jittered(good_frame(), 12))


def test_video_file_reads_like_a_camera(face_video: Path) -> None:
    camera = OpenCvCamera(face_video, pace=False)
    assert camera.name == "video:astronaut.avi"
    camera.open()
    frames = [camera.read() for _ in range(12)]
    for frame in frames:
        assert frame.dtype == np.uint8 and frame.shape == (480, 640, 3)
        assert frame.flags["C_CONTIGUOUS"]
    # What came through the codec is still a face the gate accepts.
    assert assess(frames[5], FaceDetector()).ok
    with pytest.raises(DeviceError) as info:  # no loop: the end of the file is the end
        camera.read()
    assert "已播放完毕" in info.value.zh and "ended" in info.value.en
    assert not camera.health().working
    camera.close()
    camera.close()  # twice is harmless


def test_looping_video_keeps_going(face_video: Path) -> None:
    camera = OpenCvCamera(str(face_video), loop=True, pace=False)
    camera.open()
    try:
        for _ in range(30):
            assert camera.read().shape == (480, 640, 3)
        health = camera.health()
        assert health.present and health.working and not health.simulated
        assert health.last_error is None
    finally:
        camera.close()


def test_video_is_paced_at_its_frame_rate(face_video: Path) -> None:
    camera = OpenCvCamera(face_video, loop=True)  # pace=True: 15 fps as written
    camera.open()
    try:
        camera.read()
        started = time.monotonic()
        for _ in range(6):
            camera.read()
        elapsed = time.monotonic() - started
    finally:
        camera.close()
    assert 0.3 < elapsed < 1.5  # 6 frames at 15 fps = 0.4 s


def test_missing_file_is_a_device_error(tmp_path: Path) -> None:
    camera = OpenCvCamera(tmp_path / "nope.avi")
    with pytest.raises(DeviceError) as info:
        camera.open()
    assert info.value.zh.startswith("找不到视频文件")
    assert "not found" in info.value.en
    health = camera.health()
    assert not health.present and not health.working and health.last_error


def test_a_file_that_is_not_video_is_a_device_error(tmp_path: Path) -> None:
    bogus = tmp_path / "notes.avi"
    bogus.write_text("this is not a video\n" * 100)
    camera = OpenCvCamera(bogus, pace=False)
    with pytest.raises(DeviceError) as info:
        camera.open()
        camera.read()
    assert "视频文件" in info.value.zh
    camera.close()


def test_read_before_open_is_a_device_error(face_video: Path) -> None:
    with pytest.raises(DeviceError):
        OpenCvCamera(face_video).read()


def test_missing_camera_index_fails_fast_with_a_reason() -> None:
    index = 63
    assert not Path(f"/dev/video{index}").exists()
    started = time.monotonic()
    with pytest.raises(DeviceError) as info:
        OpenCvCamera(index).open()
    assert time.monotonic() - started < 2
    assert info.value.zh.startswith(f"无法打开摄像头 {index}")
    assert f"/dev/video{index}" in info.value.en


def test_list_cameras_is_empty_and_fast_without_devices(tmp_path: Path) -> None:
    # An empty device folder stands for a machine with no video nodes, whatever this one has.
    started = time.monotonic()
    found = list_cameras(max_index=9, device_dir=str(tmp_path))
    elapsed = time.monotonic() - started
    assert found == []
    assert isinstance(found, CameraList)
    assert elapsed < 0.5
    assert "未发现摄像头" in found.reason("zh_CN")
    assert "No camera" in found.reason("en")


def test_simulated_camera_walks_up_and_passes_the_gate() -> None:
    camera = SimulatedCamera(fps=15, pace=False)
    camera.open()
    detector = FaceDetector()
    codes = []
    for n in range(75):
        frame = camera.read()
        assert frame.dtype == np.uint8 and frame.shape == (480, 640, 3)
        if n % 5 == 0:
            codes.append(assess(frame, detector).codes)
    camera.close()
    assert codes[0] == (ProblemCode.NO_FACE,)  # the empty room
    assert any(ProblemCode.TOO_FAR in c or ProblemCode.OFF_CENTRE in c for c in codes)
    assert codes[-1] == ()  # standing still in front of the camera
    assert camera.health().simulated


def test_simulated_camera_is_repeatable_and_can_fail() -> None:
    a, b = SimulatedCamera(pace=False, seed=4), SimulatedCamera(pace=False, seed=4)
    a.open()
    b.open()
    assert np.array_equal(a.read(), b.read())
    broken = SimulatedCamera(pace=False, fail_after=3)
    broken.open()
    for _ in range(3):
        broken.read()
    with pytest.raises(DeviceError) as info:
        broken.read()
    assert "模拟" in info.value.zh
    assert broken.health().last_error


def test_simulated_camera_shows_a_fixed_image_and_a_sheet() -> None:
    fixed = SimulatedCamera(image=no_face_frame(), pace=False, size=(320, 240))
    fixed.open()
    assert fixed.read().shape == (240, 320, 3)
    sheet = SimulatedCamera("materials", pace=False)
    sheet.open()
    assert deskew_page(sheet.read()).found


def test_simulator_does_not_need_scikit_image() -> None:
    """scikit-image is a test dependency only; the demo camera must run without it."""
    code = (
        "import sys; import devices.camera as c; cam = c.SimulatedCamera(pace=False); "
        "cam.open(); cam.read(); assert 'skimage' not in sys.modules, 'skimage imported'"
    )
    subprocess.run([sys.executable, "-c", code], cwd=REPO, check=True, timeout=60)


def test_grey_and_bgra_frames_become_bgr() -> None:
    grey = np.zeros((4, 6), dtype=np.uint8)
    assert as_bgr(grey).shape == (4, 6, 3)
    assert as_bgr(np.zeros((4, 6, 4), dtype=np.uint8)).shape == (4, 6, 3)


def test_camera_from_setting(face_video: Path) -> None:
    assert isinstance(camera_from_setting(None, demo=True), SimulatedCamera)
    assert isinstance(camera_from_setting("sim:materials"), SimulatedCamera)
    assert camera_from_setting(" 1 ").name == "camera:1"
    assert camera_from_setting(str(face_video)).name == "video:astronaut.avi"


class _DyingCapture:
    """Stands in for cv2.VideoCapture on a USB camera that is pulled out after two frames."""

    def __init__(self, index: int, api: int) -> None:
        self.reads = 0
        self.released = False

    def isOpened(self) -> bool:
        return True

    def set(self, prop: int, value: float) -> bool:
        return True

    def read(self) -> tuple[bool, Frame | None]:
        self.reads += 1
        if self.reads <= 2:
            return True, np.zeros((4, 6), dtype=np.uint8)  # a grey camera, as some give
        return False, None

    def release(self) -> None:
        self.released = True


def test_camera_that_stops_sending_frames(monkeypatch: pytest.MonkeyPatch) -> None:
    """The device path (no hardware here): dropped reads are retried, then reported."""
    monkeypatch.setattr(cv2, "VideoCapture", _DyingCapture)
    monkeypatch.setattr("devices.camera.FAILED_READ_PAUSE_S", 0.001)
    camera = OpenCvCamera(0)
    camera.open()
    assert camera.read().shape == (4, 6, 3)  # grey frames arrive as BGR
    camera.read()
    with pytest.raises(DeviceError) as info:
        camera.read()
    assert info.value.zh.startswith("摄像头 0 停止输出画面")
    assert not camera.health().working
    camera.close()
