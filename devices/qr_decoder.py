"""E-voucher (医保电子凭证) QR decoding from camera frames: two decoders behind one interface.

Why two: pyzbar (ZBar) and zxing-cpp are the two mature open-source QR readers with Python
bindings, and they fail on different pictures. Which one the counter uses by default is not a
matter of taste but of measurement: `bench/qr.py` runs both on the same degraded frames and
names the winner; `DEFAULT_DECODER` below records its verdict, and the benchmark reports
whether the constant still matches. The other decoder stays available by name (a setting, a
command-line switch) in case a site's camera suits it better.

A frame is what OpenCV gives: a uint8 numpy array, grayscale (H, W) or (H, W, 1), BGR
(H, W, 3) or BGRA (H, W, 4). Both decoders convert it to grayscale with the same OpenCV call
first, so they judge the same pixels — and because pyzbar, given a colour array, silently
keeps only the first (blue) channel, which loses contrast on tinted screens.

Only QR codes are looked for: the e-voucher is a QR code, and every other symbology a reader
tries costs time on each frame and can produce false reads from packaging on the counter.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final, Protocol

import cv2
import numpy as np
from numpy.typing import NDArray

from devices.base import DeviceError

if TYPE_CHECKING:
    import zxingcpp

ZBAR: Final = "zbar"
ZXING: Final = "zxing"
DECODER_NAMES: Final = (ZBAR, ZXING)

# Chosen by measurement: `.venv/bin/python bench/qr.py` (300 degraded 640x480 BGR frames,
# seed 20240601, 60 per bucket clean/mild/moderate/hard/severe, the same frames for both;
# pyzbar 0.1.9 on libzbar0, zxing-cpp 3.1.1):
#   zxing 230/300 decoded, 0 wrong, median 0.91 ms, p95 1.25 ms, 0.46 ms on an empty frame
#   zbar  198/300 decoded, 0 wrong, median 7.55 ms, p95 8.72 ms, 6.34 ms on an empty frame
#   per bucket zxing/zbar: clean 60/60, mild 60/60, moderate 59/55, hard 34/16, severe 17/7;
#   zbar read 1 frame zxing missed, zxing 33 that zbar missed (`--seed 1`: 226 vs 193).
# zxing-cpp reads more frames and is about 8x faster, so it is the default. ZBar stays
# selectable by name; the benchmark's "met" turns false if a library upgrade flips this.
DEFAULT_DECODER: Final = "zxing"


class QrDecoder(Protocol):
    """Finds the QR codes in one camera frame and returns their texts.

    `decode` is pure CPU work (about 1 ms for zxing-cpp, 5-8 ms for ZBar on a 640x480 frame
    here), so callers run it off the GUI thread. It returns an empty list when the frame holds
    no readable code — the normal case for most frames of a live camera — and never raises for
    that.
    """

    name: str

    def decode(self, frame: NDArray[np.uint8]) -> list[str]: ...


def to_gray(frame: NDArray[Any]) -> NDArray[np.uint8]:
    """The frame as a C-contiguous 2-D uint8 grayscale image; rejects anything else.

    A wrong shape or dtype is a programming error (the camera layer always gives uint8), so
    it raises ValueError rather than a DeviceError meant for the operator.
    """
    if not isinstance(frame, np.ndarray) or frame.dtype != np.uint8:
        kind = f"dtype {frame.dtype}" if isinstance(frame, np.ndarray) else type(frame).__name__
        raise ValueError(f"expected a uint8 numpy image, got {kind}")
    if frame.ndim == 3 and frame.shape[2] == 1:
        frame = frame[:, :, 0]
    if frame.ndim == 2:
        return np.ascontiguousarray(frame)
    if frame.ndim == 3 and frame.shape[2] == 3:
        return np.asarray(cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY), dtype=np.uint8)
    if frame.ndim == 3 and frame.shape[2] == 4:
        return np.asarray(cv2.cvtColor(frame, cv2.COLOR_BGRA2GRAY), dtype=np.uint8)
    raise ValueError(f"expected a grayscale, BGR or BGRA image, got shape {frame.shape}")


def _unique(texts: list[str]) -> list[str]:
    """Texts in the order found, each once: the same voucher seen twice is one voucher."""
    return list(dict.fromkeys(texts))


class ZbarDecoder:
    """ZBar through pyzbar, QR only.

    pyzbar loads the libzbar shared library when it is first imported, so a machine without
    libzbar (a Windows install missing the DLL, a Linux box without libzbar0) fails here, at
    construction, with a message the operator can act on — not at the first frame.
    """

    name = ZBAR

    def __init__(self) -> None:
        try:
            from pyzbar import pyzbar  # type: ignore[import-untyped]
        except (ImportError, OSError) as exc:
            raise DeviceError(
                "无法加载二维码识别组件 ZBar（libzbar），请重新安装本软件或联系技术支持",
                f"Cannot load the ZBar QR decoder library (libzbar): {exc}. Reinstall the "
                "application or contact support.",
            ) from exc
        self._pyzbar = pyzbar
        self._symbols = [pyzbar.ZBarSymbol.QRCODE]

    def decode(self, frame: NDArray[np.uint8]) -> list[str]:
        gray = to_gray(frame)
        results = self._pyzbar.decode(gray, symbols=self._symbols)
        # ZBar hands QR payloads back as bytes it has already converted to UTF-8 (it guesses
        # the charset of codes without an ECI); 'replace' keeps a stray byte from raising.
        return _unique([r.data.decode("utf-8", errors="replace") for r in results])


class ZxingDecoder:
    """zxing-cpp, QR only: model 2 (and the old model 1), not Micro QR or rMQR, like ZBar.

    Library defaults otherwise: local-average binarizer, downscaled passes for large frames,
    and an inverted pass (light modules on dark) for phones in dark mode. Text is returned in
    Plain mode: the bytes as the code carries them, without the GS1 / ISO 15434 reformatting
    that the human-readable mode would apply.
    """

    name = ZXING

    def __init__(self) -> None:
        try:
            import zxingcpp
        except (ImportError, OSError) as exc:
            raise DeviceError(
                "无法加载二维码识别组件 zxing-cpp，请重新安装本软件或联系技术支持",
                f"Cannot load the zxing-cpp QR decoder library: {exc}. Reinstall the "
                "application or contact support.",
            ) from exc
        self._zx = zxingcpp
        fmt = zxingcpp.BarcodeFormat
        self._formats: zxingcpp.BarcodeFormats
        if hasattr(fmt, "QRCodeModel2"):  # zxing-cpp 3: QRCode is the family, Micro QR included
            self._formats = zxingcpp.BarcodeFormats([fmt.QRCodeModel2, fmt.QRCodeModel1])
        else:  # zxing-cpp 2: QRCode is the classic symbol only
            self._formats = zxingcpp.BarcodeFormats(fmt.QRCode)

    def decode(self, frame: NDArray[np.uint8]) -> list[str]:
        gray = to_gray(frame)
        results = self._zx.read_barcodes(
            gray, formats=self._formats, text_mode=self._zx.TextMode.Plain
        )
        return _unique([r.text for r in results if r.valid])


def make_decoder(name: str | None = None) -> QrDecoder:
    """The decoder called `name` ("zbar" or "zxing"); None means `DEFAULT_DECODER`.

    The name usually comes from the station's settings, so an unknown one is reported to the
    operator (DeviceError) rather than crashing with a bare ValueError.
    """
    chosen = DEFAULT_DECODER if name is None else name.strip().lower()
    if chosen == ZBAR:
        return ZbarDecoder()
    if chosen == ZXING:
        return ZxingDecoder()
    raise DeviceError(
        f"二维码解码器设置有误：“{name}”，可选值为 {' 或 '.join(DECODER_NAMES)}",
        f"Unknown QR decoder {name!r}; expected one of {', '.join(DECODER_NAMES)}.",
    )


def decode_bytes_image(data: bytes, decoder: QrDecoder | None = None) -> list[str]:
    """Decode the QR codes in an encoded image (PNG, JPEG, BMP... anything cv2.imdecode reads).

    For pictures that arrive as files or uploads rather than camera frames (a screenshot of
    the e-voucher, a test fixture). Undecodable bytes raise ValueError: the caller handed us
    something that is not an image, which is not the same as an image without a code ([]).
    """
    buf = np.frombuffer(data, dtype=np.uint8)
    decoded = cv2.imdecode(buf, cv2.IMREAD_UNCHANGED) if buf.size else None
    if decoded is None:
        raise ValueError("not a readable image (expected PNG, JPEG or another OpenCV format)")
    if decoded.dtype == np.uint16:  # 16-bit PNG: scale to 8 bits, the decoders want uint8
        decoded = cv2.convertScaleAbs(decoded, alpha=255.0 / 65535.0)
    elif decoded.dtype != np.uint8:  # floating-point formats (EXR, HDR): not a screenshot
        raise ValueError(f"unsupported image sample type {decoded.dtype}")
    image = np.asarray(decoded, dtype=np.uint8)
    if image.ndim == 3 and image.shape[2] == 4:
        # Transparent PNG: what a person sees is the picture over a light page, so composite
        # onto white; dropping alpha would turn a "black modules on transparent" code all black.
        alpha = image[:, :, 3:4].astype(np.float32) / 255.0
        flat = image[:, :, :3].astype(np.float32) * alpha + 255.0 * (1.0 - alpha)
        image = flat.round().astype(np.uint8)
    return (decoder if decoder is not None else make_decoder()).decode(image)
