"""Face detection and the quality gate for the real-person (实人核验) photo.

Why a gate on the terminal: the centre compares the photo with the ID-card portrait, and a
photo that is dark, blurred, half a face or two people is rejected there days later, after
the citizen has gone home. So every preview frame is judged here, and the person is told in
plain Chinese what to change ("请靠近一点", "请正对镜头") until one frame is good.

Why Haar cascades: OpenCV 4.x wheels ship them (`cv2.data.haarcascades`), so the detector
needs no downloaded model, runs on any CPU in 15-30 ms a frame at preview size, and is
frontal-only by design — which is exactly what the photo needs. Its known weaknesses (false
positives on textured clutter, misses on turned heads) are handled by the thresholds below and
by asking for several consecutive good frames before a photo is taken (ui/camera).

`assess` is pure CPU work meant for the camera worker thread, never the GUI thread; keep one
FaceDetector per thread (OpenCV's cascade objects are not meant to be shared between threads).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Final

import cv2
import numpy as np
from numpy.typing import NDArray

from devices.base import DeviceError
from devices.qr_decoder import to_gray

Frame = NDArray[np.uint8]

# ---- detection ------------------------------------------------------------------------------
FACE_CASCADE: Final = "haarcascade_frontalface_default.xml"
EYE_CASCADE: Final = "haarcascade_eye.xml"

# Detection runs on a copy this wide: a face large enough to pass is still 50+ px there, and
# the cascade costs 15-30 ms at 320x240 against ~70 ms at 640x480 on the 2-core development VM.
DETECT_WIDTH: Final = 320
# Smallest face searched for, as a fraction of the frame's short side. Smaller faces could
# never pass MIN_FACE_FRACTION, and the smallest windows are the most expensive to scan; at
# 8% a person one step too far is still found and told to come closer.
MIN_DETECT_FRACTION: Final = 0.08
STRETCH_PERCENTILES: Final = (1.0, 99.0)  # see stretch_contrast
SCALE_FACTOR: Final = 1.1  # OpenCV's default step between window sizes
# Overlapping hits needed to accept a face. OpenCV's default (3) reports a second, false "face"
# on the suit of the NASA astronaut portrait, 5 is the least that does not; 7 for margin, and
# real frontal faces at counter distance collect far more hits than that.
MIN_NEIGHBORS: Final = 7
# A second face smaller than this share of the main one is a passer-by far behind (the queue
# at a service counter) and is not counted; one of comparable size is a second person at the
# camera, which a real-person check must refuse.
SECOND_FACE_MIN_RATIO: Final = 0.5

# ---- the gate -------------------------------------------------------------------------------
# Face box height as a share of the frame height. Haar boxes span brows to chin; below 22%
# the cropped face photo is under ~100 px of face on a 480-line camera, too little for the
# centre's comparison; above 70% the chin or forehead leaves the frame.
MIN_FACE_FRACTION: Final = 0.22
MAX_FACE_FRACTION: Final = 0.70
# How far the face centre may sit from the frame centre, as a share of the frame width and
# height: a little more latitude vertically, because heads sit naturally above the middle.
MAX_OFFSET_X: Final = 0.15
MAX_OFFSET_Y: Final = 0.20
# Mean grey level of the inner face (0-255). Below 70 the skin is murky and noisy on webcams;
# above 205 it is washed out. More than 20% clipped (>= 250) pixels is glare or a lamp.
MIN_FACE_BRIGHTNESS: Final = 70.0
MAX_FACE_BRIGHTNESS: Final = 205.0
MAX_CLIPPED_SHARE: Final = 0.20
CLIPPED_LEVEL: Final = 250
# With no face found, a whole frame this dark or this washed out is blamed on the light
# (the face may be there, unseen) rather than on the person's absence.
DARK_FRAME_MEAN: Final = 35.0
WASHED_OUT_MEAN: Final = 200.0
# Sharpness: variance of the Laplacian of the face box resized to SHARPNESS_SIZE and stretched
# to a fixed contrast (so dim light is not mistaken for blur). 96 px is about the smallest face
# box that passes MIN_FACE_FRACTION on a 480-line camera, so faces are compared at a size the
# camera really resolved. On the NASA astronaut portrait (a ~95 px face, blown up to ~215 px
# in a 640x480 frame) the face scores ~400 sharp, ~230 after a Gaussian blur of sigma 1 frame
# pixel (acceptable), ~140 at 1.5, ~85 at 2 and ~40 at 3 (clearly blurred); JPEG at quality
# 40 costs little. 150 refuses from sigma ~1.5 on. Sensor noise raises the score, so a noisy
# dim frame may pass this test: light has its own.
SHARPNESS_SIZE: Final = 96
MIN_SHARPNESS: Final = 150.0
# Head roll measured from the two eyes: beyond 10 degrees the photo is visibly tilted. (The
# eye boxes are coarse: 10 degrees measured is about 13 degrees of real roll.)
MAX_ROLL_DEG: Final = 10.0
# Eye midpoint off the face box centre by more than this share of the face width: head
# turned to one side (yaw).
MAX_EYE_OFFSET: Final = 0.12


class ProblemCode(StrEnum):
    """Stable codes: the UI, the logs and the tests key on these, never on the text."""

    NO_FACE = "no_face"
    MULTIPLE_FACES = "multiple_faces"
    NOT_FRONTAL = "not_frontal"
    TOO_FAR = "too_far"
    TOO_CLOSE = "too_close"
    OFF_CENTRE = "off_centre"
    TOO_DARK = "too_dark"
    TOO_BRIGHT = "too_bright"
    BLURRY = "blurry"


@dataclass(frozen=True)
class Problem:
    """One thing to fix, with what to say to the person in Chinese and in English."""

    code: ProblemCode
    zh: str
    en: str

    def text(self, language: str) -> str:
        return self.zh if language.startswith("zh") else self.en


# In the order they should be fixed: the UI shows the first problem of a verdict.
PROBLEMS: Final[dict[ProblemCode, Problem]] = {
    p.code: p
    for p in (
        Problem(
            ProblemCode.MULTIPLE_FACES, "请只留一人在镜头前", "Only one person in view, please"
        ),
        Problem(ProblemCode.NO_FACE, "请站到镜头前，正对镜头", "Please stand facing the camera"),
        Problem(ProblemCode.NOT_FRONTAL, "请正对镜头", "Please face the camera straight on"),
        Problem(ProblemCode.TOO_FAR, "请靠近一点", "Please come closer"),
        Problem(ProblemCode.TOO_CLOSE, "请离远一点", "Please move back a little"),
        Problem(
            ProblemCode.OFF_CENTRE, "请移到画面中央", "Please move to the centre of the picture"
        ),
        Problem(ProblemCode.TOO_DARK, "光线太暗，请开灯或面向光源", "Too dark: turn on a light"),
        Problem(ProblemCode.TOO_BRIGHT, "光线太亮，请避开强光", "Too bright: move out of glare"),
        Problem(ProblemCode.BLURRY, "画面模糊，请保持不动", "The picture is blurred: hold still"),
    )
}
_ORDER: Final = {code: i for i, code in enumerate(PROBLEMS)}

HOLD_STILL_ZH: Final = "很好，请保持不动"
HOLD_STILL_EN: Final = "Good: hold still"


@dataclass(frozen=True)
class FaceBox:
    """A face rectangle in frame pixels."""

    x: int
    y: int
    w: int
    h: int

    @property
    def centre(self) -> tuple[float, float]:
        return (self.x + self.w / 2, self.y + self.h / 2)


@dataclass(frozen=True)
class FaceVerdict:
    """What one frame is worth: the problems (empty when it may be the photo) and measurements.

    The measurements are kept for the technician screen, the logs and the tests; none of them
    is personal data.
    """

    problems: tuple[Problem, ...]
    face: FaceBox | None = None
    faces: int = 0
    frame_size: tuple[int, int] = (0, 0)  # width, height
    face_fraction: float = 0.0
    brightness: float = 0.0
    clipped_share: float = 0.0
    sharpness: float = 0.0
    eyes: int = 0
    roll_deg: float | None = None
    elapsed_ms: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def codes(self) -> tuple[ProblemCode, ...]:
        return tuple(p.code for p in self.problems)

    def guidance(self, language: str = "zh_CN") -> str:
        """The one sentence to show the person now: the first problem, or "hold still"."""
        if self.problems:
            return self.problems[0].text(language)
        return HOLD_STILL_ZH if language.startswith("zh") else HOLD_STILL_EN


def _load_cascade(filename: str) -> cv2.CascadeClassifier:
    folder = Path(getattr(getattr(cv2, "data", None), "haarcascades", "") or "")
    path = folder / filename
    classifier = cv2.CascadeClassifier(str(path)) if path.is_file() else None
    if classifier is None or classifier.empty():
        raise DeviceError(
            f"人脸检测模型文件缺失或损坏（{filename}），请重新安装本软件或联系技术支持",
            f"The face detection model {filename} is missing or damaged (looked in "
            f"{folder or 'cv2.data'}); reinstall the application or contact support.",
        )
    return classifier


class FaceDetector:
    """Frontal faces and eyes, with the cascades OpenCV ships.

    Loading happens here, once: a missing cascade file (a stripped-down wheel, a broken
    install) is a DeviceError when the camera screen opens, not a crash at the first frame.
    """

    def __init__(self) -> None:
        self._face = _load_cascade(FACE_CASCADE)
        self._eye = _load_cascade(EYE_CASCADE)

    def _small(self, gray: Frame) -> tuple[Frame, float]:
        """The grey frame at detection size, contrast-stretched, and its scale."""
        scale = min(1.0, DETECT_WIDTH / gray.shape[1])
        small = gray
        if scale < 1.0:
            small = np.asarray(
                cv2.resize(gray, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA),
                dtype=np.uint8,
            )
        return stretch_contrast(small), scale

    def faces(self, frame: Frame) -> list[FaceBox]:
        """Frontal faces in the frame, largest first, in frame pixels."""
        return self.faces_in_gray(to_gray(frame))

    def faces_in_gray(self, gray: Frame) -> list[FaceBox]:
        """`faces` for a frame already converted to grey (assess converts once)."""
        small, scale = self._small(gray)
        min_side = max(20, round(MIN_DETECT_FRACTION * min(small.shape[:2])))
        found = self._face.detectMultiScale(
            small, SCALE_FACTOR, MIN_NEIGHBORS, minSize=(min_side, min_side)
        )
        boxes = [
            FaceBox(round(x / scale), round(y / scale), round(w / scale), round(h / scale))
            for (x, y, w, h) in found
        ]
        return sorted(boxes, key=lambda b: b.w * b.h, reverse=True)

    def eyes(self, gray: Frame, face: FaceBox) -> list[tuple[float, float]]:
        """Centres of the (at most two, largest) eyes in the upper face, in frame pixels."""
        top = gray[face.y : face.y + face.h * 6 // 10, face.x : face.x + face.w]
        if top.size == 0:
            return []
        roi_w = 120
        s = roi_w / top.shape[1]
        roi = cv2.resize(
            top, (roi_w, max(1, round(top.shape[0] * s))), interpolation=cv2.INTER_AREA
        )
        roi = cv2.equalizeHist(roi)
        hits = self._eye.detectMultiScale(roi, 1.1, 3, minSize=(14, 14), maxSize=(50, 50))
        ranked = sorted(hits, key=lambda r: r[2] * r[3], reverse=True)[:2]
        return [(face.x + (x + w / 2) / s, face.y + (y + h / 2) / s) for (x, y, w, h) in ranked]


def stretch_contrast(gray: Frame) -> Frame:
    """A linear stretch of the 1st-99th percentile grey range to 0-255.

    So the cascade finds a face in a dim frame too, and the person is told "too dark" (which
    they can fix) rather than "no face". Linear on purpose: histogram equalisation, tried
    first, bends the tones of a frame dominated by a plain wall so far that the cascade saw a
    "face" the size of the whole portrait and missed the real, smaller one.
    """
    low, high = np.percentile(gray, STRETCH_PERCENTILES)
    if high - low < 2:
        return gray
    out = (gray.astype(np.float32) - np.float32(low)) * np.float32(255.0 / (high - low))
    return np.clip(out, 0, 255).astype(np.uint8)


def sharpness(gray_face: Frame) -> float:
    """Laplacian variance of a face crop at a fixed size and fixed contrast.

    Fixed size so a near face and a far face are judged alike; fixed contrast (the crop is
    stretched to mean 128, standard deviation 50) so a dim but sharp face is not called blurry
    — dim light has its own problem code.
    """
    crop = cv2.resize(gray_face, (SHARPNESS_SIZE, SHARPNESS_SIZE), interpolation=cv2.INTER_AREA)
    values = crop.astype(np.float32)
    std = float(values.std())
    if std < 1.0:
        return 0.0
    values = (values - float(values.mean())) * np.float32(50.0 / std) + np.float32(128.0)
    return float(cv2.Laplacian(values, cv2.CV_32F).var())


def _inner(face: FaceBox) -> tuple[slice, slice]:
    """The middle of the face box (skin, not hair or background) for light measurements."""
    dx, dy = face.w // 5, face.h // 5
    return slice(face.y + dy, face.y + face.h - dy), slice(face.x + dx, face.x + face.w - dx)


def assess(frame: Frame, detector: FaceDetector | None = None) -> FaceVerdict:
    """Judge one BGR (or grey) frame as a candidate face photo.

    Passing `detector` reuses loaded cascades (the camera worker keeps one); without it a new
    one is loaded, which costs ~20 ms.
    """
    started = time.perf_counter()
    det = detector if detector is not None else FaceDetector()
    gray = to_gray(frame)
    height, width = gray.shape[:2]
    faces = det.faces_in_gray(gray)
    if not faces:
        # Too little light, or glare, can hide a face altogether; then that is what to fix.
        # Otherwise nobody is there, or the head is turned (the detector is frontal-only),
        # hence "stand facing the camera".
        mean = float(gray.mean())
        code = ProblemCode.NO_FACE
        if mean < DARK_FRAME_MEAN:
            code = ProblemCode.TOO_DARK
        elif mean > WASHED_OUT_MEAN:
            code = ProblemCode.TOO_BRIGHT
        return FaceVerdict(
            problems=(PROBLEMS[code],),
            frame_size=(width, height),
            brightness=mean,
            elapsed_ms=(time.perf_counter() - started) * 1000,
        )
    main = faces[0]
    counted = 1 + sum(1 for f in faces[1:] if f.w >= SECOND_FACE_MIN_RATIO * main.w)
    codes: list[ProblemCode] = []
    if counted > 1:
        codes.append(ProblemCode.MULTIPLE_FACES)

    fraction = main.h / height
    if fraction < MIN_FACE_FRACTION:
        codes.append(ProblemCode.TOO_FAR)
    elif fraction > MAX_FACE_FRACTION:
        codes.append(ProblemCode.TOO_CLOSE)
    cx, cy = main.centre
    if abs(cx - width / 2) > MAX_OFFSET_X * width or abs(cy - height / 2) > MAX_OFFSET_Y * height:
        codes.append(ProblemCode.OFF_CENTRE)

    skin = gray[_inner(main)]
    brightness = float(skin.mean()) if skin.size else 0.0
    clipped = float(np.count_nonzero(skin >= CLIPPED_LEVEL)) / max(1, skin.size)
    if brightness < MIN_FACE_BRIGHTNESS:
        codes.append(ProblemCode.TOO_DARK)
    elif brightness > MAX_FACE_BRIGHTNESS or clipped > MAX_CLIPPED_SHARE:
        codes.append(ProblemCode.TOO_BRIGHT)

    face_gray = gray[main.y : main.y + main.h, main.x : main.x + main.w]
    sharp = sharpness(face_gray) if face_gray.size else 0.0
    if sharp < MIN_SHARPNESS:
        codes.append(ProblemCode.BLURRY)

    roll: float | None = None
    eyes = det.eyes(gray, main)
    if len(eyes) == 2:
        (x1, y1), (x2, y2) = sorted(eyes)
        roll = math.degrees(math.atan2(y2 - y1, x2 - x1))
        turned = abs((x1 + x2) / 2 - cx) > MAX_EYE_OFFSET * main.w
        if abs(roll) > MAX_ROLL_DEG or turned:
            codes.append(ProblemCode.NOT_FRONTAL)
    # One or no eye found is not held against the person: glasses, glare and the cascade's
    # own misses are far more common than a turned face that the frontal detector accepted.

    ordered = sorted(set(codes), key=_ORDER.__getitem__)
    return FaceVerdict(
        problems=tuple(PROBLEMS[c] for c in ordered),
        face=main,
        faces=counted,
        frame_size=(width, height),
        face_fraction=fraction,
        brightness=brightness,
        clipped_share=clipped,
        sharpness=sharp,
        eyes=len(eyes),
        roll_deg=roll,
        elapsed_ms=(time.perf_counter() - started) * 1000,
    )
