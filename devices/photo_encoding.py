"""JPEG encoding with a size bound, and the face crop for the real-person photo.

Why a bound: every photo is stored encrypted, queued and uploaded over whatever network the
service point has (a village clinic on 4G), and the centre caps attachment sizes. A face
photo is bounded at 200 KB by default, a photographed document at 500 KB. The encoder first
lowers the JPEG quality (cheap in bytes, hardly visible down to ~60), then scales the picture
down, until it fits. OpenCV writes no EXIF, so no camera model or time leaks into the file.
"""

from __future__ import annotations

from typing import Final

import cv2
import numpy as np
from numpy.typing import NDArray

from devices.face_quality import FaceBox

Image = NDArray[np.uint8]

FACE_MAX_BYTES: Final = 200_000
MATERIAL_MAX_BYTES: Final = 500_000
# Largest side kept for a face photo: the ID-card portrait the centre compares with is
# 102x126 px, and 640 px of head is far more than any comparison uses.
FACE_MAX_SIDE: Final = 640
# Documents keep more pixels so small print stays legible (A4 at ~150 dpi).
MATERIAL_MAX_SIDE: Final = 1800
START_QUALITY: Final = 90
MIN_QUALITY: Final = 60  # below this, blocky artefacts show on skin and small print
QUALITY_STEP: Final = 10
SCALE_STEP: Final = 0.8
# The face photo: the Haar box (brows to chin) widened to take in the hair, ears and neck,
# at the 3:4 portrait shape of an ID photo; more room below the box than above it.
FACE_MARGIN_X: Final = 0.6  # of the box width, on each side
FACE_MARGIN_TOP: Final = 0.6  # of the box height
FACE_MARGIN_BOTTOM: Final = 0.9  # of the box height
PORTRAIT_ASPECT: Final = 3 / 4  # width / height


class PhotoTooLarge(ValueError):
    """Even the smallest allowed encoding does not fit: the bound is unrealistically small."""


def _encode(image: Image, quality: int) -> bytes:
    ok, buf = cv2.imencode(
        ".jpg",
        image,
        [cv2.IMWRITE_JPEG_QUALITY, quality, cv2.IMWRITE_JPEG_OPTIMIZE, 1],
    )
    if not ok:  # pragma: no cover - OpenCV always has a JPEG encoder
        raise RuntimeError("JPEG encoding failed")
    return bytes(buf.tobytes())


def _limit_side(image: Image, max_side: int | None) -> Image:
    if max_side is None or max(image.shape[:2]) <= max_side:
        return image
    scale = max_side / max(image.shape[:2])
    size = (max(1, round(image.shape[1] * scale)), max(1, round(image.shape[0] * scale)))
    return np.asarray(cv2.resize(image, size, interpolation=cv2.INTER_AREA), dtype=np.uint8)


def encode_jpeg(
    image: Image,
    max_bytes: int = FACE_MAX_BYTES,
    *,
    max_side: int | None = None,
    quality: int = START_QUALITY,
    min_quality: int = MIN_QUALITY,
    min_side: int = 64,
) -> bytes:
    """JPEG bytes of `image` (BGR or grey, uint8) no larger than `max_bytes`.

    Quality steps down from `quality` to `min_quality`; if it still does not fit, the image
    shrinks by SCALE_STEP and the quality ladder starts again. Raises PhotoTooLarge when even
    `min_side` pixels at `min_quality` are too big (a misconfigured bound, not a bad photo).
    """
    if image.dtype != np.uint8 or image.ndim not in (2, 3):
        raise ValueError("expected a uint8 grey or BGR image")
    current = _limit_side(np.ascontiguousarray(image), max_side)
    while True:
        for q in range(quality, min_quality - 1, -QUALITY_STEP):
            data = _encode(current, q)
            if len(data) <= max_bytes:
                return data
        if min(current.shape[:2]) * SCALE_STEP < min_side:
            raise PhotoTooLarge(f"cannot fit a JPEG of {current.shape[1]}px in {max_bytes} bytes")
        size = (
            max(1, round(current.shape[1] * SCALE_STEP)),
            max(1, round(current.shape[0] * SCALE_STEP)),
        )
        current = np.asarray(cv2.resize(current, size, interpolation=cv2.INTER_AREA), np.uint8)


def face_crop_box(face: FaceBox, frame_w: int, frame_h: int) -> tuple[int, int, int, int]:
    """The portrait rectangle (x, y, w, h) around a face box, kept inside the frame.

    The rectangle is grown around the face to PORTRAIT_ASPECT, then shifted (not squashed)
    to stay inside the frame; only if the frame itself is too small is it cut.
    """
    left = face.x - FACE_MARGIN_X * face.w
    right = face.x + face.w + FACE_MARGIN_X * face.w
    top = face.y - FACE_MARGIN_TOP * face.h
    bottom = face.y + face.h + FACE_MARGIN_BOTTOM * face.h
    w, h = right - left, bottom - top
    if w / h > PORTRAIT_ASPECT:  # too wide: grow the height evenly
        extra = w / PORTRAIT_ASPECT - h
        top, h = top - extra / 2, h + extra
    else:  # too tall: grow the width evenly
        extra = h * PORTRAIT_ASPECT - w
        left, w = left - extra / 2, w + extra
    # A face near the camera: shrink the portrait about its centre, keeping its shape, until it
    # fits the frame (the margins get smaller, the face is never cut).
    fit = min(1.0, frame_w / w, frame_h / h)
    left, top = left + w * (1 - fit) / 2, top + h * (1 - fit) / 2
    w, h = w * fit, h * fit
    left = min(max(0.0, left), frame_w - w)
    top = min(max(0.0, top), frame_h - h)
    return round(left), round(top), round(w), round(h)


def encode_face_photo(
    frame: Image,
    face: FaceBox,
    max_bytes: int = FACE_MAX_BYTES,
    *,
    max_side: int = FACE_MAX_SIDE,
) -> bytes:
    """The face photo: the portrait crop around `face`, as a JPEG of at most `max_bytes`."""
    x, y, w, h = face_crop_box(face, frame.shape[1], frame.shape[0])
    return encode_jpeg(frame[y : y + h, x : x + w], max_bytes, max_side=max_side)


def encode_material_photo(
    image: Image, max_bytes: int = MATERIAL_MAX_BYTES, *, max_side: int = MATERIAL_MAX_SIDE
) -> bytes:
    """A photographed document (deskewed or whole frame) as a JPEG of at most `max_bytes`."""
    return encode_jpeg(image, max_bytes, max_side=max_side)
