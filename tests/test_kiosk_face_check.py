"""The kiosk's guided face photo, offscreen, on real video files read by a real camera thread.

As the counter's capture dialog tests (test_face_capture_gui.py): OpenCvCamera reads MJPG videos
of the astronaut portrait (a good face), the same portrait small on a wall (too far) and a
coffee cup (no face), paced at their frame rate like a webcam; the worker thread judges the
frames with the real quality gate. The Speaker is the real one; it is silent here (conftest's
speech address has no daemon), and its `prompted` signal shows what the page asked it to say.
Qt warnings fail these tests (pyproject), which is how a thread left running would show.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np
import pytest
from PySide6.QtCore import QSize, Qt
from pytestqt.qtbot import QtBot

from devices.camera import OpenCvCamera, SimulatedCamera
from devices.face_quality import FaceDetector, ProblemCode, assess
from devices.photo_encoding import FACE_MAX_BYTES
from tests.screen_checks import assert_fits, settle
from tests.test_camera import jittered, write_video
from tests.test_face_quality import good_frame, no_face_frame, small_face_frame
from ui.camera.camera_worker import CameraSession
from ui.kiosk import theme
from ui.kiosk.face_check import READY, TAKEN, FaceCheckPage
from ui.kiosk.privacy import find_traces, scrub
from ui.kiosk.speech import Speaker

SHOTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "screenshots"
TIMEOUT_MS = 15_000


@pytest.fixture(scope="module")
def videos(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("videos")
    return {
        "face": write_video(folder / "face.avi", jittered(good_frame(), 10, seed=1)),
        "empty": write_video(folder / "empty.avi", jittered(no_face_frame(), 10, seed=2)),
        "far": write_video(folder / "far.avi", jittered(small_face_frame(), 10, seed=3)),
        # Someone stepping in and out of view: two frames far away, two frames nobody.
        "restless": write_video(
            folder / "restless.avi",
            [
                frame
                for pair in zip(
                    jittered(small_face_frame(), 8, seed=4),
                    jittered(no_face_frame(), 8, seed=5),
                    strict=True,
                )
                for frame in (pair[0], pair[0], pair[1], pair[1])
            ],
        ),
    }


@pytest.fixture
def speaker() -> Iterator[Speaker]:
    made = Speaker("zh_CN")
    yield made
    made.shutdown()


@pytest.fixture
def pages() -> Iterator[list[FaceCheckPage]]:
    """Pages made by a test; every camera session they opened must have ended."""
    made: list[FaceCheckPage] = []
    yield made
    for page in made:
        sessions = page.findChildren(CameraSession)
        page.stop()
        for session in sessions:
            assert not session.running
            assert session.finished(5000), "a camera thread did not end"


def make_page(
    qtbot: QtBot, made: list[FaceCheckPage], speaker: Speaker | None, **kwargs: int
) -> FaceCheckPage:
    page = FaceCheckPage(speaker, steady_ms=kwargs.pop("steady_ms", 800), **kwargs)
    theme.apply(page, theme.DEFAULT, theme.LARGE)
    qtbot.addWidget(page)
    page.resize(1080, 1400)
    page.show()
    made.append(page)
    return page


def shot(page: FaceCheckPage, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    assert page.grab().save(str(SHOTS / name), "PNG")


def test_a_face_is_guided_to_a_photo_that_passes_the_gate(
    qtbot: QtBot, videos: dict[str, Path], speaker: Speaker, pages: list[FaceCheckPage]
) -> None:
    page = make_page(qtbot, pages, speaker, steady_ms=2000)  # time for the screenshot
    prompted: list[str] = []
    photos: list[bytes] = []
    speaker.prompted.connect(prompted.append)
    page.captured.connect(photos.append)
    page.start(OpenCvCamera(videos["face"], loop=True))
    # The worker sends a frame's verdict before its preview: wait for both.
    qtbot.waitUntil(
        lambda: page.guidance_code == READY and not page.preview.pixmap().isNull(),
        timeout=TIMEOUT_MS,
    )
    assert page.guidance.text() == page.guidance_text(READY)
    shot(page, "kiosk-face-check-hold-still.png")
    qtbot.waitUntil(lambda: bool(photos), timeout=TIMEOUT_MS)
    assert len(photos) == 1
    jpeg = photos[0]
    assert isinstance(jpeg, bytes) and jpeg == page.jpeg and len(jpeg) <= FACE_MAX_BYTES
    photo = cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR)
    assert photo is not None
    assert len(FaceDetector().faces(np.asarray(photo, np.uint8))) == 1
    # The photo the centre gets passes the same gate as the preview did (cropped to the face,
    # so "too close" is what a crop is; everything else must hold).
    verdict = assess(np.asarray(photo, np.uint8))
    assert set(verdict.codes) <= {ProblemCode.TOO_CLOSE}, verdict.codes
    assert page.guidance_code == TAKEN and page.retake_button.isVisible()
    assert page.session is not None and not page.session.running  # camera released
    assert prompted[0] == page.hint.text()
    assert page.guidance_text(TAKEN) == prompted[-1]


def test_no_face_is_told_to_face_the_camera_once_and_never_photographed(
    qtbot: QtBot, videos: dict[str, Path], speaker: Speaker, pages: list[FaceCheckPage]
) -> None:
    page = make_page(qtbot, pages, speaker)
    prompted: list[str] = []
    speaker.prompted.connect(prompted.append)
    page.start(OpenCvCamera(videos["empty"], loop=True))
    qtbot.waitUntil(lambda: page.guidance_code == ProblemCode.NO_FACE.value, timeout=TIMEOUT_MS)
    with qtbot.assertNotEmitted(page.captured, wait=2500):
        pass
    worker = page.session.worker if page.session is not None else None
    assert worker is not None and worker.frames_read > 20  # many frames, one sentence
    no_face = page.guidance_text(ProblemCode.NO_FACE.value)
    assert page.guidance.text() == no_face and page.guidance.accessibleName() == no_face
    assert prompted == [page.hint.text(), no_face]
    assert page.jpeg is None and not page.retake_button.isVisible()
    shot(page, "kiosk-face-check-no-face.png")
    with qtbot.waitSignal(page.cancelled, timeout=TIMEOUT_MS):
        qtbot.mouseClick(page.cancel_button, Qt.MouseButton.LeftButton)
    assert page.session is not None and not page.session.running


def test_a_far_face_is_asked_to_come_closer(
    qtbot: QtBot, videos: dict[str, Path], speaker: Speaker, pages: list[FaceCheckPage]
) -> None:
    page = make_page(qtbot, pages, speaker)
    page.start(OpenCvCamera(videos["far"], loop=True))
    qtbot.waitUntil(lambda: page.guidance_code == ProblemCode.TOO_FAR.value, timeout=TIMEOUT_MS)
    assert page.guidance.text() == page.guidance_text(ProblemCode.TOO_FAR.value)


def test_restless_guidance_is_shown_at_once_but_spoken_sparingly(
    qtbot: QtBot, videos: dict[str, Path], speaker: Speaker, pages: list[FaceCheckPage]
) -> None:
    page = make_page(qtbot, pages, speaker)
    shown: list[str] = []
    prompted: list[str] = []
    page.guidanceChanged.connect(shown.append)
    speaker.prompted.connect(prompted.append)
    page.start(OpenCvCamera(videos["restless"], loop=True))
    qtbot.wait(4000)
    far = page.guidance_text(ProblemCode.TOO_FAR.value)
    nobody = page.guidance_text(ProblemCode.NO_FACE.value)
    assert shown.count(far) >= 5 and shown.count(nobody) >= 5  # the screen follows each frame
    assert prompted[0] == page.hint.text()
    # Never settled for 600 ms, so only the at-most-every-3-s prompt: one or two in 4 s.
    assert 1 <= len(prompted[1:]) <= 2, prompted
    assert set(prompted[1:]) <= {far, nobody}


def test_no_camera_is_unavailable_not_an_error(
    qtbot: QtBot, speaker: Speaker, pages: list[FaceCheckPage]
) -> None:
    page = make_page(qtbot, pages, speaker)
    with qtbot.waitSignal(page.unavailable, timeout=TIMEOUT_MS) as blocker:
        page.start(None)
    assert blocker.args == [page.unavailable_text()]
    assert "12393" in blocker.args[0] and "Traceback" not in blocker.args[0]
    assert page.session is None


def test_a_camera_that_fails_is_unavailable(
    qtbot: QtBot, tmp_path: Path, speaker: Speaker, pages: list[FaceCheckPage]
) -> None:
    page = make_page(qtbot, pages, speaker)
    with qtbot.waitSignal(page.unavailable, timeout=TIMEOUT_MS) as blocker:
        page.start(OpenCvCamera(tmp_path / "unplugged.avi"))
    # The citizen hears "not here", not the device's own words (those go to the log).
    assert blocker.args == [page.unavailable_text()]
    assert "找不到" not in page.guidance.text()
    page2 = make_page(qtbot, pages, speaker)
    with qtbot.waitSignal(page2.unavailable, timeout=TIMEOUT_MS):
        page2.start(SimulatedCamera(fps=30, fail_after=5))  # unplugged mid-preview


def test_retake_gives_a_new_photo(
    qtbot: QtBot, videos: dict[str, Path], speaker: Speaker, pages: list[FaceCheckPage]
) -> None:
    page = make_page(qtbot, pages, speaker, steady_ms=300)
    with qtbot.waitSignal(page.captured, timeout=TIMEOUT_MS):
        page.start(OpenCvCamera(videos["face"], loop=True))
    first = page.jpeg
    with qtbot.waitSignal(page.captured, timeout=TIMEOUT_MS) as again:
        qtbot.mouseClick(page.retake_button, Qt.MouseButton.LeftButton)
        assert page.jpeg is None and not page.retake_button.isVisible()
    assert again.args[0] == page.jpeg and first is not None


def test_controls_are_big_named_and_fit_both_orientations(
    qtbot: QtBot, videos: dict[str, Path], speaker: Speaker, pages: list[FaceCheckPage]
) -> None:
    page = make_page(qtbot, pages, speaker, steady_ms=300)
    with qtbot.waitSignal(page.captured, timeout=TIMEOUT_MS):
        page.start(OpenCvCamera(videos["face"], loop=True))
    for name, size in (("portrait", QSize(1080, 1800)), ("landscape", QSize(1920, 1000))):
        page.resize(size)
        settle()
        assert page.size() == size, f"{name}: the page cannot take {size}"
        assert_fits(page)
        for button in (page.retake_button, page.cancel_button):
            assert button.accessibleName()
            assert button.height() >= theme.min_control_height_px()
        shot(page, f"kiosk-face-check-taken-{name}.png")
    assert page.preview.accessibleName() and page.title.accessibleName()


def test_scrub_leaves_no_photo_behind(
    qtbot: QtBot, videos: dict[str, Path], speaker: Speaker, pages: list[FaceCheckPage]
) -> None:
    page = make_page(qtbot, pages, speaker)
    with qtbot.waitSignal(page.captured, timeout=TIMEOUT_MS) as blocker:
        page.start(OpenCvCamera(videos["face"], loop=True))
    jpeg = blocker.args[0]
    assert find_traces([], [page], images=[jpeg])  # the photo is on screen before the reset
    scrub([page], None, [page])
    assert find_traces([], [page], images=[jpeg]) == []
    assert page.jpeg is None and page.guidance.text() == ""
