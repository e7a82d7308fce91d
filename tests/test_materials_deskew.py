"""Squaring up a photographed sheet, on a real scanned page.

The page is scikit-image's `skimage/data/page.png`: a photographed book page with uneven
light (dark towards its lower left), which is what makes finding its edges non-trivial. It is
turned and put in perspective onto a darker, textured desk at known corners; the deskew must
find those corners and return the page upright, and must say so honestly when there is no
sheet to find.
"""

from __future__ import annotations

import cv2
import numpy as np
import pytest
import skimage.data
from numpy.typing import NDArray

from devices.camera import SimulatedCamera
from devices.materials import deskew_page, find_page, order_corners
from devices.photo_encoding import MATERIAL_MAX_BYTES, encode_material_photo
from tests.test_face_quality import astronaut

Frame = NDArray[np.uint8]
PAGE = np.asarray(skimage.data.page(), dtype=np.uint8)  # 191 x 384, grey
W, H = 800, 600


def desk(seed: int, level: float = 60.0) -> Frame:
    rng = np.random.default_rng(seed)
    noise = rng.normal(level, 8.0, size=(H, W, 3)).astype(np.float32)
    return np.clip(cv2.GaussianBlur(noise, (0, 0), 2.0), 0, 255).astype(np.uint8)


def photographed(
    angle: float, perspective: float, seed: int = 0, scale: float = 1.4
) -> tuple[Frame, NDArray[np.float32]]:
    """The page on the desk, turned by `angle` degrees, corners jittered by `perspective`."""
    rng = np.random.default_rng(seed + 1000)
    frame = desk(seed)
    page = cv2.cvtColor(PAGE, cv2.COLOR_GRAY2BGR)
    ph, pw = page.shape[:2]
    w, h = pw * scale, ph * scale
    theta = np.radians(angle)
    turn = np.array([[np.cos(theta), -np.sin(theta)], [np.sin(theta), np.cos(theta)]])
    corners = np.array([[-w / 2, -h / 2], [w / 2, -h / 2], [w / 2, h / 2], [-w / 2, h / 2]])
    corners = corners @ turn.T + np.array([W / 2, H / 2])
    corners += rng.uniform(-perspective, perspective, size=(4, 2)) * w
    source = np.array([[0, 0], [pw, 0], [pw, ph], [0, ph]], dtype=np.float32)
    matrix = cv2.getPerspectiveTransform(source, corners.astype(np.float32))
    cv2.warpPerspective(
        page, matrix, (W, H), dst=frame, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_TRANSPARENT
    )
    return frame, corners.astype(np.float32)


def likeness(image: Frame, reference: Frame) -> float:
    """Correlation of `image` (resized to the reference) with the reference, -1..1."""
    grey = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY) if image.ndim == 3 else image
    sized = cv2.resize(grey, (reference.shape[1], reference.shape[0]), interpolation=cv2.INTER_AREA)
    return float(
        np.corrcoef(sized.astype(np.float32).ravel(), reference.astype(np.float32).ravel())[0, 1]
    )


@pytest.mark.parametrize(
    ("angle", "perspective", "seed"),
    [(0, 0.0, 0), (12, 0.03, 1), (-20, 0.05, 2), (30, 0.06, 3), (-35, 0.04, 4), (40, 0.02, 5)],
)
def test_turned_page_comes_back_upright(angle: float, perspective: float, seed: int) -> None:
    frame, truth = photographed(angle, perspective, seed)
    result = deskew_page(frame)
    assert result.found, result.en
    assert result.corners is not None
    # Corners found within a few pixels in an 800x600 frame.
    assert float(np.abs(result.corners - truth).max()) < 4.0
    h, w = result.image.shape[:2]
    # Proportions: those the photo shows (longer of each pair of opposite edges), which are
    # the page's own up to the perspective the corners were jittered by.
    tl, tr, br, bl = truth
    shown_w = max(np.linalg.norm(tr - tl), np.linalg.norm(br - bl))
    shown_h = max(np.linalg.norm(bl - tl), np.linalg.norm(br - tr))
    assert abs((w / h) / (shown_w / shown_h) - 1) < 0.02
    assert abs((w / h) / (PAGE.shape[1] / PAGE.shape[0]) - 1) < 0.1
    upright = likeness(result.image, PAGE)
    upside_down = likeness(result.image, PAGE[::-1, ::-1])
    assert upright > 0.85, upright
    assert upright > upside_down + 0.4
    assert result.zh == "已找到材料边缘并校正"


def test_no_sheet_means_the_frame_unchanged_and_said_so() -> None:
    for frame in (desk(7), np.ascontiguousarray(astronaut())):
        result = deskew_page(frame)
        assert not result.found and result.corners is None
        assert result.image is frame  # not a guessed crop
        assert result.zh.startswith("未找到材料边缘")
        assert "No sheet edges found" in result.en


def test_page_filling_the_frame_is_not_cropped() -> None:
    """Edges outside the picture: no corner can be trusted, so nothing is cut away."""
    filled = cv2.resize(cv2.cvtColor(PAGE, cv2.COLOR_GRAY2BGR), (W, H))
    assert find_page(np.asarray(filled, np.uint8)) is None


def test_small_card_is_not_taken_for_the_page() -> None:
    frame, _ = photographed(10, 0.0, scale=0.45)  # a page the size of a bank card
    assert not deskew_page(frame).found


def test_corner_order_is_reading_order() -> None:
    square = np.array([[100, 10], [190, 100], [100, 190], [10, 100]], dtype=np.float32)
    turned = square + np.array([[0, 5], [0, 0], [0, 0], [0, 0]], dtype=np.float32)  # ~45 deg
    for points in (turned, turned[::-1], np.roll(turned, 1, axis=0)):
        ordered = order_corners(points)
        assert ordered[0].tolist() == [10.0, 100.0]  # the corner nearest the top-left
        assert ordered[1].tolist() == [100.0, 15.0]  # then clockwise


def test_deskewed_page_encodes_within_the_bound() -> None:
    frame, _ = photographed(15, 0.03)
    jpeg = encode_material_photo(deskew_page(frame).image)
    assert len(jpeg) <= MATERIAL_MAX_BYTES
    assert cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR) is not None


def test_simulated_document_is_found() -> None:
    camera = SimulatedCamera("materials", pace=False)
    camera.open()
    result = deskew_page(camera.read())
    assert result.found
    h, w = result.image.shape[:2]
    assert 1.1 < h / w < 1.6  # the portrait sheet stays portrait
