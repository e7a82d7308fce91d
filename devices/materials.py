"""Photos of paper materials (证明材料) from the counter camera: find the sheet, square it up.

A sheet photographed on the counter is turned and in perspective; the reviewer at the centre
wants it upright and filling the picture. The sheet is found as the largest four-cornered
shape that is brighter than what lies around it (paper on a desk), its corners are put in
reading order, and it is warped to a rectangle with the proportions it has in the photo.

When no sheet is found (no clear edge, the page fills the whole frame, a crumpled page) the
frame is returned unchanged with `found=False` and a sentence saying so: a whole-frame photo
is honest, a guessed crop could cut off the stamp or signature that matters.

Pure OpenCV, no Qt; it runs on the camera worker thread (about 5 ms at preview size).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import cv2
import numpy as np
from numpy.typing import NDArray

from devices.qr_decoder import to_gray

Image = NDArray[np.uint8]
Points = NDArray[np.float32]

# The sheet is searched for on a copy whose long side is this many pixels: enough for a
# corner accurate to ~0.2% of the frame, and fast.
PROCESS_SIDE: Final = 640
# A sheet must cover at least this share of the frame (smaller: a card or a phone on the
# desk, not the document) and at most this share (larger: the edges are outside the frame
# and what looks like a quadrilateral is the frame border).
MIN_PAGE_AREA: Final = 0.12
MAX_PAGE_AREA: Final = 0.97
# A corner this close to the frame edge (share of the long side) means the sheet runs out of
# the picture; its real corner is unseen and a crop there would be a guess.
BORDER_MARGIN: Final = 0.005
# Polygon simplification tolerances tried in turn, as a share of the contour's perimeter;
# a tighter one keeps true corners, a looser one copes with a bent corner or a thumb.
APPROX_EPSILONS: Final = (0.015, 0.02, 0.03, 0.045)
# Each interior angle of the found quadrilateral must be within this of a right angle after
# allowing for perspective; a kite or a sliver is not a sheet of paper.
MIN_CORNER_DEG: Final = 45.0
MAX_CORNER_DEG: Final = 135.0
# Corner refinement: edge pixels within this share of a side's length (at least
# EDGE_BAND_MIN_PX) of the coarse side are fitted with a line; a side needs MIN_EDGE_POINTS.
EDGE_BAND: Final = 0.02
EDGE_BAND_MIN_PX: Final = 4.0
MIN_EDGE_POINTS: Final = 20
CANNY_LOW: Final = 20  # low thresholds: a sheet's shaded side may differ little from the desk
CANNY_HIGH: Final = 60


@dataclass(frozen=True)
class PageResult:
    """The picture to keep and whether it is the squared-up sheet or the frame unchanged."""

    image: Image
    found: bool
    corners: Points | None  # in frame pixels, top-left, top-right, bottom-right, bottom-left
    zh: str
    en: str

    def text(self, language: str) -> str:
        return self.zh if language.startswith("zh") else self.en


PLACE_SHEET_ZH: Final = "请把材料平放在深色桌面上，四角都在画面内"
PLACE_SHEET_EN: Final = "Lay the sheet flat on a darker surface with all four corners in view"
FOUND_ZH: Final = "已找到材料边缘并校正"
FOUND_EN: Final = "Found the sheet's edges and straightened it"
NOT_FOUND_ZH: Final = "未找到材料边缘，将保存整个画面；请把材料平放在深色桌面上，四角都在画面内"
NOT_FOUND_EN: Final = (
    "No sheet edges found; the whole picture is kept. Lay the sheet flat on a darker surface "
    "with all four corners in view."
)


def order_corners(points: Points) -> Points:
    """Four points as top-left, top-right, bottom-right, bottom-left (image coordinates).

    Sorted clockwise around their centre, then rotated so the corner nearest the image's
    top-left comes first; this keeps a sheet turned by up to 45 degrees in reading order.
    """
    pts = np.asarray(points, dtype=np.float32).reshape(4, 2)
    centre = pts.mean(axis=0)
    angles = np.arctan2(pts[:, 1] - centre[1], pts[:, 0] - centre[0])
    clockwise = pts[np.argsort(angles)]  # y grows downwards, so ascending angle is clockwise
    first = int(np.argmin(clockwise.sum(axis=1)))
    return np.roll(clockwise, -first, axis=0).astype(np.float32)


def _corner_angles(quad: Points) -> list[float]:
    angles = []
    for i in range(4):
        a, b, c = quad[i - 1], quad[i], quad[(i + 1) % 4]
        v1, v2 = a - b, c - b
        cos = float(np.dot(v1, v2) / (np.linalg.norm(v1) * np.linalg.norm(v2) + 1e-9))
        angles.append(float(np.degrees(np.arccos(np.clip(cos, -1.0, 1.0)))))
    return angles


def _touches_border(quad: Points, width: int, height: int) -> bool:
    margin = max(2.0, BORDER_MARGIN * max(width, height))
    xs, ys = quad[:, 0], quad[:, 1]
    return bool(
        (xs < margin).any()
        or (ys < margin).any()
        or (xs > width - 1 - margin).any()
        or (ys > height - 1 - margin).any()
    )


def _quad_from_contour(contour: NDArray[np.int32], width: int, height: int) -> Points | None:
    area = cv2.contourArea(contour)
    frame_area = float(width * height)
    if not MIN_PAGE_AREA * frame_area <= area <= MAX_PAGE_AREA * frame_area:
        return None
    perimeter = cv2.arcLength(contour, True)
    for eps in APPROX_EPSILONS:
        approx = cv2.approxPolyDP(contour, eps * perimeter, True)
        if len(approx) == 4 and cv2.isContourConvex(approx):
            quad = order_corners(approx.reshape(4, 2).astype(np.float32))
            if _touches_border(quad, width, height):
                return None  # the sheet runs out of the frame: its true corners are unseen
            if all(MIN_CORNER_DEG <= a <= MAX_CORNER_DEG for a in _corner_angles(quad)):
                return quad
    return None


def _line_through(points: NDArray[np.float32]) -> tuple[np.ndarray, np.ndarray] | None:
    """A robust straight line (point, unit direction) through edge pixels, None if too few."""
    if len(points) < MIN_EDGE_POINTS:
        return None
    vx, vy, x0, y0 = cv2.fitLine(points, cv2.DIST_HUBER, 0, 0.01, 0.01).ravel()
    return np.array([x0, y0], dtype=np.float64), np.array([vx, vy], dtype=np.float64)


def _intersect(a: tuple[np.ndarray, np.ndarray], b: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    (p, r), (q, s) = a, b
    cross = r[0] * s[1] - r[1] * s[0]
    if abs(cross) < 1e-6:
        raise ValueError("parallel sides")
    t = ((q - p)[0] * s[1] - (q - p)[1] * s[0]) / cross
    return p + t * r


def refine_corners(quad: Points, edges: Image) -> Points:
    """Corners moved onto the sheet's real edges: a line fitted to each side, intersected.

    The coarse quadrilateral comes from a thickened or closed outline, so it sits a pixel or
    three outside the paper and its corners are rounded off. Here the thin edge pixels along
    the middle of each side (corners and thumbs excluded) decide where the side really runs.
    When a side has too few edge pixels the coarse corners are kept.
    """
    ys, xs = np.nonzero(edges)
    pixels = np.stack([xs, ys], axis=1).astype(np.float64)
    lines = []
    for i in range(4):
        a, b = quad[i].astype(np.float64), quad[(i + 1) % 4].astype(np.float64)
        length = float(np.linalg.norm(b - a))
        if length < 1:
            return quad
        direction = (b - a) / length
        normal = np.array([-direction[1], direction[0]])
        rel = pixels - a
        along = rel @ direction
        inward = rel @ normal  # corners run clockwise, so the normal points into the sheet
        band = max(EDGE_BAND_MIN_PX, EDGE_BAND * length)
        # The coarse outline lies on or just outside the paper: look mostly outwards, so
        # print running parallel to the edge a few pixels inside is not mistaken for it.
        near = (inward >= -band) & (inward <= EDGE_BAND_MIN_PX)
        near &= (along > 0.1 * length) & (along < 0.9 * length)
        line = _line_through(pixels[near].astype(np.float32))
        if line is None:
            return quad
        lines.append(line)
    try:
        refined = np.array([_intersect(lines[i - 1], lines[i]) for i in range(4)], np.float32)
    except ValueError:
        return quad
    moved = float(np.abs(refined - quad).max())
    limit = max(EDGE_BAND_MIN_PX, EDGE_BAND * float(np.linalg.norm(quad[1] - quad[0]))) * 3
    return refined if moved <= limit else quad


def _candidate_masks(gray: Image) -> list[Image]:
    """Binary pictures in which the sheet should be one solid blob, best guess first."""
    blurred = cv2.GaussianBlur(gray, (5, 5), 0)
    side = max(gray.shape[:2])
    close = cv2.getStructuringElement(cv2.MORPH_RECT, (max(3, side // 40),) * 2)
    # Paper brighter than the desk: Otsu's threshold, with the text holes closed.
    _, bright = cv2.threshold(blurred, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    bright = cv2.morphologyEx(bright, cv2.MORPH_CLOSE, close)
    # Any strong outline (a sheet on a light desk): edges, thickened so the outline is closed.
    edges = cv2.Canny(blurred, CANNY_LOW, CANNY_HIGH)
    edges = cv2.dilate(edges, cv2.getStructuringElement(cv2.MORPH_RECT, (5, 5)))
    return [np.asarray(bright, np.uint8), np.asarray(edges, np.uint8)]


def find_page(frame: Image) -> Points | None:
    """The sheet's corners in frame pixels (reading order), or None when there is no sheet."""
    gray = to_gray(frame)
    scale = min(1.0, PROCESS_SIDE / max(gray.shape[:2]))
    small = gray
    if scale < 1.0:
        small = np.asarray(
            cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA), np.uint8
        )
    height, width = small.shape[:2]
    best: Points | None = None
    best_area = 0.0
    for mask in _candidate_masks(small):
        contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
        for contour in sorted(contours, key=cv2.contourArea, reverse=True)[:5]:
            quad = _quad_from_contour(np.asarray(contour, np.int32), width, height)
            area = 0.0 if quad is None else float(cv2.contourArea(quad))
            if quad is not None and area > best_area:
                best, best_area = quad, area
    if best is None:
        return None
    thin = cv2.Canny(cv2.GaussianBlur(small, (5, 5), 0), CANNY_LOW, CANNY_HIGH)
    best = refine_corners(best, np.asarray(thin, np.uint8))
    return (best / np.float32(scale)).astype(np.float32)


def warp_page(frame: Image, corners: Points) -> Image:
    """The sheet cut out along `corners` and warped to an upright rectangle.

    The output keeps the longer of each pair of opposite edges, so the sheet is never
    shrunk below the resolution the camera gave it.
    """
    tl, tr, br, bl = corners
    width = round(max(np.linalg.norm(tr - tl), np.linalg.norm(br - bl)))
    height = round(max(np.linalg.norm(bl - tl), np.linalg.norm(br - tr)))
    target = np.array(
        [[0, 0], [width - 1, 0], [width - 1, height - 1], [0, height - 1]], dtype=np.float32
    )
    matrix = cv2.getPerspectiveTransform(corners.astype(np.float32), target)
    warped = cv2.warpPerspective(
        frame, matrix, (width, height), flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_REPLICATE
    )
    return np.asarray(warped, dtype=np.uint8)


def deskew_page(frame: Image) -> PageResult:
    """The squared-up sheet, or the frame unchanged (found=False) with a sentence saying why."""
    corners = find_page(frame)
    if corners is None:
        return PageResult(frame, False, None, NOT_FOUND_ZH, NOT_FOUND_EN)
    return PageResult(warp_page(frame, corners), True, corners, FOUND_ZH, FOUND_EN)
