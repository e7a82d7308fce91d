"""Camera-like frames of e-voucher QR codes, degraded on purpose, for tests and bench/qr.py.

Why this exists: the two QR decoders (devices/qr_decoder.py) differ most on bad pictures, and
the counter's camera takes bad pictures — a phone held at an angle, out of focus, in a dim
room, through a cheap webcam's JPEG encoder. Clean generated PNGs would say both decoders are
perfect. So a frame here is built the way a webcam sees a patient's phone: the QR code is
drawn on a phone screen (light screen, dark bezel, a few text-like bars), put at an angle and
in perspective onto a textured desk-like background, and then the camera's faults are applied
in the order they happen: uneven light and low contrast (scene), defocus and motion blur
(optics), sensor noise, JPEG compression.

Everything is deterministic for a given seed, so the tests and the benchmark see the same
pixels on every machine. Nothing here needs a camera or Qt; it lives in devices/ next to the
decoders so that tests and the benchmark share one definition of "degraded".
"""

from __future__ import annotations

import base64
import math
from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np
import qrcode  # type: ignore[import-untyped]
from numpy.typing import NDArray

FRAME_WIDTH = 640
FRAME_HEIGHT = 480
QUIET_ZONE_MODULES = 4  # the standard's quiet zone; the phone screen is light around it anyway

# The buckets of the benchmark, easiest first. See `random_degradation` for what each means.
BUCKETS: tuple[str, ...] = ("clean", "mild", "moderate", "hard", "severe")

_EC_LEVELS = {
    "L": qrcode.constants.ERROR_CORRECT_L,
    "M": qrcode.constants.ERROR_CORRECT_M,
    "Q": qrcode.constants.ERROR_CORRECT_Q,
    "H": qrcode.constants.ERROR_CORRECT_H,
}

Image = NDArray[np.uint8]
FloatImage = NDArray[np.float32]


@dataclass(frozen=True)
class Degradation:
    """What happens to one code between the phone screen and the decoder.

    code_px is the side of the symbol *including* its quiet zone in frame pixels before
    rotation; the module size follows from the QR version, so a longer token at the same
    distance gives smaller modules, as it does at the counter. The defaults are a sharp,
    straight, well-lit code filling about half the frame height.
    """

    code_px: float = 240.0
    rotation_deg: float = 0.0
    skew: float = 0.0  # corner displacement as a fraction of code_px (perspective, keystone)
    blur_sigma: float = 0.0  # Gaussian defocus, in frame pixels
    motion_px: float = 0.0  # length of a linear motion blur (hand moving), in frame pixels
    noise_sigma: float = 0.0  # Gaussian sensor noise, in grey levels
    contrast: float = 1.0  # 1 keeps the scene; 0.3 squeezes it to 30% around mid-grey
    brightness: float = 0.0  # added after contrast, grey levels
    light_gradient: float = 0.0  # 0..1: how much darker one side of the frame is
    jpeg_quality: int | None = None  # None: no JPEG round trip

    def describe(self) -> str:
        """Short human-readable summary, for test ids and failure messages."""
        parts = [f"{self.code_px:.0f}px"]
        if self.rotation_deg:
            parts.append(f"rot{self.rotation_deg:+.0f}")
        if self.skew:
            parts.append(f"skew{self.skew:.2f}")
        if self.blur_sigma:
            parts.append(f"blur{self.blur_sigma:.1f}")
        if self.motion_px:
            parts.append(f"motion{self.motion_px:.0f}")
        if self.noise_sigma:
            parts.append(f"noise{self.noise_sigma:.0f}")
        if self.contrast != 1.0:
            parts.append(f"contrast{self.contrast:.2f}")
        if self.light_gradient:
            parts.append(f"light{self.light_gradient:.2f}")
        if self.jpeg_quality is not None:
            parts.append(f"jpeg{self.jpeg_quality}")
        return "-".join(parts)


def make_token(rng: np.random.Generator, length: int = 200) -> str:
    """A random base64url string like a 医保电子凭证 dynamic code (opaque, 100-300 chars).

    The real dynamic code is an opaque, signed, short-lived token; what matters for decoding
    is its length and alphabet: base64url has lower case, so the QR uses byte mode and a
    200-character token needs version 10-11 at level M — a dense code.
    """
    raw = rng.integers(0, 256, size=(length * 3) // 4 + 3, dtype=np.uint8).tobytes()
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")[:length]


def render_qr(text: str, error_correction: str = "M") -> Image:
    """The QR symbol for `text` at one pixel per module, quiet zone included (0 dark, 255 light)."""
    qr = qrcode.QRCode(
        error_correction=_EC_LEVELS[error_correction], box_size=1, border=QUIET_ZONE_MODULES
    )
    qr.add_data(text)
    qr.make(fit=True)
    matrix = np.asarray(qr.get_matrix(), dtype=bool)
    return np.where(matrix, 0, 255).astype(np.uint8)


def background(
    rng: np.random.Generator, width: int = FRAME_WIDTH, height: int = FRAME_HEIGHT
) -> Image:
    """A desk-like BGR background: smooth colour blotches, some clutter, fine texture.

    A flat grey background would make finding the code trivially easy; real frames have edges
    and patterns (keyboard, papers, the counter) that a detector has to reject.
    """
    grey = rng.uniform(60, 200, size=(6, 8, 1))
    coarse = (grey + rng.uniform(-35, 35, size=(6, 8, 3))).astype(np.float32)
    frame: FloatImage = np.asarray(
        cv2.resize(coarse, (width, height), interpolation=cv2.INTER_CUBIC), dtype=np.float32
    )
    for _ in range(int(rng.integers(4, 9))):  # papers, a keyboard, a cup: filled rectangles
        x0, y0 = int(rng.integers(0, width)), int(rng.integers(0, height))
        x1 = x0 + int(rng.integers(30, 220))
        y1 = y0 + int(rng.integers(20, 160))
        colour = tuple(float(c) for c in rng.uniform(30, 240, size=3))
        cv2.rectangle(frame, (x0, y0), (x1, y1), colour, thickness=-1)
    for _ in range(int(rng.integers(3, 8))):  # edges of things: a few lines
        p0 = (int(rng.integers(0, width)), int(rng.integers(0, height)))
        p1 = (int(rng.integers(0, width)), int(rng.integers(0, height)))
        colour = tuple(float(c) for c in rng.uniform(20, 230, size=3))
        cv2.line(frame, p0, p1, colour, thickness=int(rng.integers(1, 5)))
    frame += rng.standard_normal(frame.shape, dtype=np.float32) * np.float32(6)  # texture
    frame = np.asarray(cv2.GaussianBlur(frame, (0, 0), 1.0), dtype=np.float32)
    return np.clip(frame, 0, 255).astype(np.uint8)


def _phone_canvas(
    symbol: Image, scale: int, rng: np.random.Generator
) -> tuple[Image, NDArray[np.float32]]:
    """The phone as a BGR image at `scale` pixels per module, and the symbol's corners in it.

    Portrait phone: dark bezel, light screen, the code in the upper middle, grey bars where
    the app shows the title and the holder's masked name. Corners are returned clockwise from
    top-left, in canvas pixels, as float32 for cv2.getPerspectiveTransform.
    """
    n = symbol.shape[0]  # modules, quiet zone included
    screen_w, screen_h = int(n * 1.25), int(n * 2.0)
    bezel = max(2, n // 12)
    phone = np.empty((screen_h + 2 * bezel, screen_w + 2 * bezel, 3), dtype=np.uint8)
    phone[:] = np.asarray(rng.uniform(15, 45, size=3), dtype=np.uint8)  # body
    screen = int(rng.uniform(232, 252))
    phone[bezel : bezel + screen_h, bezel : bezel + screen_w] = screen
    x0 = bezel + (screen_w - n) // 2
    y0 = bezel + int(screen_h * 0.28)
    for row, width in ((0.06, 0.5), (0.12, 0.7), (0.18, 0.35), (0.82, 0.6), (0.88, 0.45)):
        y = bezel + int(screen_h * row)
        w = int(screen_w * width)
        bx = bezel + (screen_w - w) // 2
        tone = int(rng.uniform(60, 170))
        phone[y : y + max(1, n // 30), bx : bx + w] = tone
    quiet = np.where(symbol == 0, int(rng.uniform(0, 35)), screen).astype(np.uint8)
    phone[y0 : y0 + n, x0 : x0 + n] = quiet[:, :, None]
    big = np.asarray(
        cv2.resize(phone, None, fx=scale, fy=scale, interpolation=cv2.INTER_NEAREST),
        dtype=np.uint8,
    )
    corners = np.array(
        [[x0, y0], [x0 + n, y0], [x0 + n, y0 + n], [x0, y0 + n]], dtype=np.float32
    ) * float(scale)
    return big, corners


def _target_corners(
    d: Degradation, centre: tuple[float, float], side: float, rng: np.random.Generator
) -> NDArray[np.float32]:
    """Where the symbol's corners land in the frame: rotated square, then keystone jitter."""
    half = side / 2
    square = np.array([[-half, -half], [half, -half], [half, half], [-half, half]])
    theta = math.radians(d.rotation_deg)
    rot = np.array([[math.cos(theta), -math.sin(theta)], [math.sin(theta), math.cos(theta)]])
    pts = square @ rot.T + np.asarray(centre)
    pts += rng.uniform(-d.skew, d.skew, size=(4, 2)) * side
    return pts.astype(np.float32)


def _fit_side(d: Degradation, cell_w: float, cell_h: float) -> float:
    """The symbol side actually used: code_px, shrunk if the turned, skewed code would not fit.

    Shrinking (as a camera further away would) instead of refusing keeps every seeded frame
    valid; the frame always contains the whole symbol with its quiet zone.
    """
    theta = math.radians(abs(d.rotation_deg) % 90)
    spread = (math.cos(theta) + math.sin(theta)) + 2 * d.skew  # bounding box / side
    limit = 0.96 * min(cell_w, cell_h) / spread
    return min(d.code_px, limit)


def place_codes(
    frame: Image,
    symbols: Sequence[Image],
    d: Degradation,
    rng: np.random.Generator,
) -> None:
    """Draw each symbol (on its phone) into `frame`, in place, side by side in equal cells.

    Each phone is clipped to its cell (as if the phones overlapped at the cell border); the
    symbol and its quiet zone always lie inside the cell (see `_fit_side`).

    The phones are warped at twice the frame resolution and then area-averaged down, which is
    what a sensor does with fine detail (no aliasing artefacts a real camera would not make).
    """
    height, width = frame.shape[:2]
    cell_w = width / len(symbols)
    hi = cv2.resize(frame, (width * 2, height * 2), interpolation=cv2.INTER_LINEAR)
    for k, symbol in enumerate(symbols):
        side = _fit_side(d, cell_w, height)
        modules = symbol.shape[0]
        scale = max(2, math.ceil(2 * side / modules))  # canvas px per module ~ hi-res px
        canvas, src = _phone_canvas(symbol, scale, rng)
        theta = math.radians(abs(d.rotation_deg) % 90)
        spread = side * (math.cos(theta) + math.sin(theta) + 2 * d.skew) / 2
        slack_x = max(0.0, cell_w / 2 - spread)
        slack_y = max(0.0, height / 2 - spread)
        centre = (
            cell_w * (k + 0.5) + float(rng.uniform(-slack_x, slack_x)),
            height / 2 + float(rng.uniform(-slack_y, slack_y)),
        )
        # Each phone paints only its own cell, so a neighbour never covers a quiet zone.
        x0, x1 = round(cell_w * k) * 2, round(cell_w * (k + 1)) * 2
        dst = _target_corners(d, centre, side, rng) * np.float32(2)
        dst[:, 0] -= np.float32(x0)
        h = cv2.getPerspectiveTransform(src, dst)
        cell = np.ascontiguousarray(hi[:, x0:x1])
        # Transparent border: pixels the phone does not cover keep the background.
        cv2.warpPerspective(
            canvas,
            h,
            (x1 - x0, height * 2),
            dst=cell,
            flags=cv2.INTER_LINEAR,
            borderMode=cv2.BORDER_TRANSPARENT,
        )
        hi[:, x0:x1] = cell
    frame[:] = cv2.resize(hi, (width, height), interpolation=cv2.INTER_AREA)


def degrade(frame: Image, d: Degradation, rng: np.random.Generator) -> Image:
    """Apply the camera's faults to a composed BGR frame, in the order they happen."""
    img: FloatImage = frame.astype(np.float32)
    height, width = img.shape[:2]
    if d.light_gradient:
        angle = float(rng.uniform(0, 2 * math.pi))
        xs = np.linspace(-1, 1, width, dtype=np.float32)[None, :]
        ys = np.linspace(-1, 1, height, dtype=np.float32)[:, None]
        ramp = (xs * math.cos(angle) + ys * math.sin(angle)) / math.sqrt(2)  # -1..1
        img *= (1.0 - d.light_gradient * (ramp + 1) / 2)[:, :, None]
    if d.contrast != 1.0 or d.brightness:
        img = (img - np.float32(128)) * np.float32(d.contrast) + np.float32(128 + d.brightness)
    if d.blur_sigma > 0:
        img = np.asarray(cv2.GaussianBlur(img, (0, 0), d.blur_sigma), dtype=np.float32)
    if d.motion_px >= 1:
        length = round(d.motion_px)
        kernel: FloatImage = np.zeros((length, length), dtype=np.float32)
        kernel[length // 2, :] = 1.0 / length
        centre = ((length - 1) / 2, (length - 1) / 2)
        turn = cv2.getRotationMatrix2D(centre, float(rng.uniform(0, 180)), 1.0)
        kernel = np.asarray(cv2.warpAffine(kernel, turn, (length, length)), dtype=np.float32)
        kernel /= max(float(kernel.sum()), 1e-6)
        img = np.asarray(cv2.filter2D(img, -1, kernel), dtype=np.float32)
    if d.noise_sigma > 0:
        img += rng.standard_normal(img.shape, dtype=np.float32) * np.float32(d.noise_sigma)
    out = np.clip(img, 0, 255).astype(np.uint8)
    if d.jpeg_quality is not None:
        ok, buf = cv2.imencode(".jpg", out, [cv2.IMWRITE_JPEG_QUALITY, int(d.jpeg_quality)])
        if not ok:  # pragma: no cover - OpenCV always has a JPEG encoder
            raise RuntimeError("JPEG encoding failed")
        out = np.asarray(cv2.imdecode(buf, cv2.IMREAD_COLOR), dtype=np.uint8)
    return out


def make_frame(
    texts: str | Sequence[str],
    d: Degradation | None = None,
    seed: int = 0,
    *,
    error_correction: str = "M",
    width: int = FRAME_WIDTH,
    height: int = FRAME_HEIGHT,
) -> Image:
    """A BGR camera frame showing a QR code for each text (none: an empty scene), degraded."""
    d = d if d is not None else Degradation()
    rng = np.random.default_rng(seed)
    items = [texts] if isinstance(texts, str) else list(texts)
    frame = background(rng, width, height)
    if items:
        place_codes(frame, [render_qr(t, error_correction) for t in items], d, rng)
    return degrade(frame, d, rng)


def _between(rng: np.random.Generator, low: float, high: float) -> float:
    return float(rng.uniform(low, high))


def random_degradation(bucket: str, rng: np.random.Generator) -> Degradation:
    """A random degradation of the given difficulty bucket (see BUCKETS).

    Each bucket widens every fault at once, because real bad frames are bad in several ways
    together (a dim room means noise and motion blur too):

    - clean: straight-ish, sharp, large, high-quality JPEG — the code held still near the lens.
    - mild: a little turned and soft, ordinary webcam JPEG.
    - moderate: turned up to 20°, visibly out of focus, noisy, dimmer, smaller.
    - hard: up to 30°, perspective, blur around 2 px, grainy, low contrast, small modules.
    - severe: everything at once with modules near 2 px — expected to fail often.
    """
    sign = 1.0 if rng.random() < 0.5 else -1.0
    if bucket == "clean":
        return Degradation(
            code_px=_between(rng, 300, 400),
            rotation_deg=sign * _between(rng, 0, 5),
            skew=_between(rng, 0, 0.01),
            blur_sigma=_between(rng, 0, 0.5),
            noise_sigma=_between(rng, 0, 2),
            jpeg_quality=int(rng.integers(90, 96)),
        )
    if bucket == "mild":
        return Degradation(
            code_px=_between(rng, 240, 340),
            rotation_deg=sign * _between(rng, 5, 12),
            skew=_between(rng, 0.01, 0.03),
            blur_sigma=_between(rng, 0.5, 1.0),
            noise_sigma=_between(rng, 2, 5),
            contrast=_between(rng, 0.8, 1.0),
            light_gradient=_between(rng, 0, 0.2),
            jpeg_quality=int(rng.integers(75, 90)),
        )
    if bucket == "moderate":
        return Degradation(
            code_px=_between(rng, 200, 280),
            rotation_deg=sign * _between(rng, 8, 20),
            skew=_between(rng, 0.02, 0.05),
            blur_sigma=_between(rng, 0.8, 1.3),
            motion_px=_between(rng, 0, 3),
            noise_sigma=_between(rng, 5, 10),
            contrast=_between(rng, 0.6, 0.8),
            light_gradient=_between(rng, 0.1, 0.3),
            jpeg_quality=int(rng.integers(60, 80)),
        )
    if bucket == "hard":
        return Degradation(
            code_px=_between(rng, 190, 260),
            rotation_deg=sign * _between(rng, 10, 30),
            skew=_between(rng, 0.03, 0.07),
            blur_sigma=_between(rng, 1.0, 1.4),
            motion_px=_between(rng, 1, 4),
            noise_sigma=_between(rng, 8, 14),
            contrast=_between(rng, 0.4, 0.6),
            light_gradient=_between(rng, 0.2, 0.4),
            jpeg_quality=int(rng.integers(45, 65)),
        )
    if bucket == "severe":
        return Degradation(
            code_px=_between(rng, 180, 240),
            rotation_deg=sign * _between(rng, 15, 30),
            skew=_between(rng, 0.04, 0.09),
            blur_sigma=_between(rng, 1.1, 1.5),
            motion_px=_between(rng, 1, 4),
            noise_sigma=_between(rng, 10, 16),
            contrast=_between(rng, 0.35, 0.5),
            light_gradient=_between(rng, 0.25, 0.45),
            jpeg_quality=int(rng.integers(35, 55)),
        )
    raise ValueError(f"unknown bucket {bucket!r}; expected one of {BUCKETS}")
