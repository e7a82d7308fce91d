"""Cameras: a real one through OpenCV (by index or a video file), a simulated one, discovery.

A frame is what OpenCV gives: a C-contiguous uint8 BGR array (H, W, 3). Every camera here
hands out exactly that, whatever the source produced (grey, BGRA), so the face gate and the
materials deskew see one kind of picture.

Every call may block (opening a USB camera takes up to a second, a read waits for the next
frame), so cameras are driven from a worker thread (ui/camera), never the GUI thread. A
camera is used by one thread at a time.

Failures are DeviceErrors with a Chinese and an English sentence: the camera is missing,
busy, not permitted, the video file cannot be read, or frames stopped coming (a cable pulled
out mid-preview).
"""

from __future__ import annotations

import datetime as dt
import glob
import logging
import math
import os
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Final, Literal, Protocol

import cv2
import numpy as np
from numpy.typing import NDArray

from devices.base import DeviceError, DeviceHealth

log = logging.getLogger(__name__)

Frame = NDArray[np.uint8]

DEMO_DIR: Final = Path(__file__).resolve().parent.parent / "resources" / "demo"
DEMO_FACE: Final = DEMO_DIR / "astronaut-face.jpg"

# A USB camera may drop a frame or two (bandwidth, auto-exposure settling); this many failed
# reads in a row, or READ_TIMEOUT_MS without a frame, means it is gone (unplugged, taken by
# another program, driver crash).
MAX_FAILED_READS: Final = 5
FAILED_READ_PAUSE_S: Final = 0.05
# OpenCV's V4L2 backend waits 10 s for a frame by default; a dead camera should be reported
# well before the person at the counter gives up.
READ_TIMEOUT_MS: Final = 3000
# Frame rate assumed for a video file that does not state one, and the ceiling honoured.
DEFAULT_FPS: Final = 15.0
MAX_FPS: Final = 60.0
# Resolution asked of a real camera: enough for a face photo and a legible A4 page at the
# counter's distance, and what every UVC webcam offers uncompressed at 15-30 fps.
DEFAULT_RESOLUTION: Final = (1280, 720)
# Discovery: longest wait for one camera to open before it is reported as not responding.
PROBE_TIMEOUT_S: Final = 2.0


class Camera(Protocol):
    """Open, read frames, close; `health` for the status bar and the technician screen."""

    name: str

    def open(self) -> None:
        """Start the camera; raises DeviceError if it cannot be used."""

    def read(self) -> Frame:
        """The next frame (uint8 BGR); blocks until it arrives; DeviceError when frames stop."""

    def close(self) -> None:
        """Release the camera; safe to call twice or when never opened."""

    def health(self) -> DeviceHealth: ...


def as_bgr(frame: NDArray[np.uint8]) -> Frame:
    """Any 8-bit frame OpenCV may return (grey, BGR, BGRA) as C-contiguous BGR."""
    if frame.ndim == 2 or (frame.ndim == 3 and frame.shape[2] == 1):
        return np.asarray(cv2.cvtColor(frame, cv2.COLOR_GRAY2BGR), dtype=np.uint8)
    if frame.ndim == 3 and frame.shape[2] == 4:
        return np.asarray(cv2.cvtColor(frame, cv2.COLOR_BGRA2BGR), dtype=np.uint8)
    return np.ascontiguousarray(frame, dtype=np.uint8)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _camera_backend() -> int:
    """The capture API that opens cameras by index quickly and reliably on this OS."""
    if sys.platform.startswith("linux"):
        return int(cv2.CAP_V4L2)
    if sys.platform == "win32":
        return int(cv2.CAP_DSHOW)  # MSMF takes seconds to open and to report a missing index
    if sys.platform == "darwin":
        return int(cv2.CAP_AVFOUNDATION)
    return int(cv2.CAP_ANY)


class _QuietOpenCv:
    """OpenCV's own log below ERROR while probing: a missing camera is an answer, not a warning."""

    _lock = threading.Lock()
    _depth = 0
    _saved = 0

    def __enter__(self) -> None:
        with self._lock:
            if _QuietOpenCv._depth == 0:
                _QuietOpenCv._saved = cv2.utils.logging.getLogLevel()
                cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_ERROR)
            _QuietOpenCv._depth += 1

    def __exit__(self, *exc: object) -> None:
        with self._lock:
            _QuietOpenCv._depth -= 1
            if _QuietOpenCv._depth == 0:
                cv2.utils.logging.setLogLevel(_QuietOpenCv._saved)


class OpenCvCamera:
    """A camera by index (0, 1, ...) or a video file, through cv2.VideoCapture.

    A video file stands in for a camera in tests, demos and on a technician's laptop: with
    `loop=True` it starts over at the end, otherwise the end is a DeviceError like an unplugged
    camera. With `pace=True` (the default) a file is played at its own frame rate, as a camera
    would deliver it, instead of as fast as it decodes.
    """

    def __init__(
        self,
        source: int | str | os.PathLike[str],
        *,
        loop: bool = False,
        pace: bool = True,
        resolution: tuple[int, int] | None = DEFAULT_RESOLUTION,
    ) -> None:
        self._index: int | None = None
        self._path: Path | None = None
        if isinstance(source, int):
            self._index = source
        elif isinstance(source, str) and source.strip().isdigit():
            self._index = int(source.strip())
        else:
            self._path = Path(source)
        self.name = f"camera:{self._index}" if self._path is None else f"video:{self._path.name}"
        self._loop = loop
        self._pace = pace
        self._resolution = resolution
        self._cap: cv2.VideoCapture | None = None
        self._interval = 0.0
        self._next_due = 0.0
        self._last_error: str | None = None
        self._working = False
        self._frames = 0

    @property
    def is_file(self) -> bool:
        return self._path is not None

    @property
    def frames_read(self) -> int:
        return self._frames

    def _fail(self, zh: str, en: str) -> DeviceError:
        self._last_error = en
        self._working = False
        return DeviceError(zh, en)

    def open(self) -> None:
        if self._cap is not None:
            return
        if self._path is not None:
            cap = self._open_file(self._path)
        else:
            assert self._index is not None
            cap = self._open_index(self._index)
        self._cap = cap
        self._working = True
        self._last_error = None
        self._next_due = time.monotonic()

    def _open_file(self, path: Path) -> cv2.VideoCapture:
        if not path.is_file():
            raise self._fail(
                f"找不到视频文件“{path.name}”，请检查设置中的摄像头来源",
                f"Video file not found: {path}. Check the camera source in the settings.",
            )
        with _QuietOpenCv():
            cap = cv2.VideoCapture(str(path))
        if not cap.isOpened():
            cap.release()
            raise self._fail(
                f"无法打开视频文件“{path.name}”：格式不支持或文件已损坏",
                f"Cannot open the video file {path}: unsupported format or damaged file.",
            )
        fps = float(cap.get(cv2.CAP_PROP_FPS) or 0.0)
        if not math.isfinite(fps) or fps <= 0:
            fps = DEFAULT_FPS
        self._interval = 1.0 / min(fps, MAX_FPS)
        return cap

    def _open_index(self, index: int) -> cv2.VideoCapture:
        with _QuietOpenCv():
            cap = cv2.VideoCapture(index, _camera_backend())
        if not cap.isOpened():
            cap.release()
            hint_zh, hint_en = _open_failure_hint(index)
            raise self._fail(
                f"无法打开摄像头 {index}：{hint_zh}",
                f"Cannot open camera {index}: {hint_en}",
            )
        if hasattr(cv2, "CAP_PROP_READ_TIMEOUT_MSEC"):
            cap.set(cv2.CAP_PROP_READ_TIMEOUT_MSEC, READ_TIMEOUT_MS)
        if self._resolution is not None:
            cap.set(cv2.CAP_PROP_FRAME_WIDTH, self._resolution[0])
            cap.set(cv2.CAP_PROP_FRAME_HEIGHT, self._resolution[1])
        self._interval = 0.0  # a camera paces itself: read() waits for the sensor
        return cap

    def read(self) -> Frame:
        cap = self._cap
        if cap is None:
            raise self._fail("摄像头尚未打开", "The camera is not open.")
        if self._pace and self._interval > 0:
            delay = self._next_due - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            self._next_due = max(self._next_due + self._interval, time.monotonic() - 1.0)
        failures = 0
        rewound = False
        give_up_at = time.monotonic() + READ_TIMEOUT_MS / 1000
        while True:
            ok, frame = cap.read()
            if ok and frame is not None and frame.size:
                self._frames += 1
                self._working = True
                return as_bgr(np.asarray(frame, dtype=np.uint8))
            if self._path is not None:
                if self._loop and not rewound and self._frames > 0:
                    cap.set(cv2.CAP_PROP_POS_FRAMES, 0)
                    rewound = True
                    continue
                if self._frames == 0:
                    raise self._fail(
                        f"视频文件“{self._path.name}”中没有可读的画面",
                        f"The video file {self._path} holds no readable frames.",
                    )
                raise self._fail(
                    f"视频文件“{self._path.name}”已播放完毕",
                    f"The video file {self._path} has ended.",
                )
            failures += 1
            if failures >= MAX_FAILED_READS or time.monotonic() >= give_up_at:
                raise self._fail(
                    f"摄像头 {self._index} 停止输出画面：请检查连接线，或关闭占用摄像头的其他程序",
                    f"Camera {self._index} stopped sending pictures: check the cable, or close "
                    "other programs using the camera.",
                )
            time.sleep(FAILED_READ_PAUSE_S)

    def close(self) -> None:
        cap, self._cap = self._cap, None
        if cap is not None:
            cap.release()

    def health(self) -> DeviceHealth:
        return DeviceHealth(
            name=self.name,
            present=self._cap is not None or self._frames > 0,
            working=self._working and self._cap is not None,
            simulated=False,
            last_error=self._last_error,
            checked_at=_now(),
        )


def _open_failure_hint(index: int) -> tuple[str, str]:
    """Why a camera index would not open, as far as the OS lets us tell."""
    if sys.platform.startswith("linux"):
        node = Path(f"/dev/video{index}")
        if not node.exists():
            return ("未连接（没有 /dev/video 设备）", f"not connected ({node} does not exist)")
        if not os.access(node, os.R_OK | os.W_OK):
            return (
                "没有使用权限，请让技术人员把当前用户加入 video 组",
                f"no permission for {node}; add this user to the 'video' group",
            )
    return (
        "未连接、已被其他程序占用或驱动异常",
        "not connected, in use by another program, or its driver failed",
    )


# ---- simulation -------------------------------------------------------------------------------

Scene = Literal["face", "materials", "empty"]


class SimulatedCamera:
    """A camera for the demo, drills and tests, with no hardware and no test-only packages.

    Frames are made the way a webcam would deliver them (640x480 BGR, a little sensor noise,
    paced at `fps`) from a scene:

    - "face": a person walks up. An empty room for one second, then the demo portrait
      (`resources/demo/astronaut-face.jpg`, public domain, see its README) far away and off to
      one side, coming closer and to the middle over three seconds, then standing still; the
      cycle repeats every `cycle_s` seconds so the guidance in the demo changes visibly.
    - "materials": a printed sheet lying turned on a dark desk, as for 证明材料.
    - "empty": the room only.

    `image` replaces the scene with a fixed picture (resized to the frame). `fail_after`
    makes the camera "unplugged" after that many frames (DeviceError), to show the operator
    what a real failure looks like. Frame content depends only on the frame number and the
    seed, so runs are repeatable.
    """

    simulated = True

    def __init__(
        self,
        scene: Scene = "face",
        *,
        fps: float = 15.0,
        size: tuple[int, int] = (640, 480),
        seed: int = 0,
        image: Frame | None = None,
        fail_after: int | None = None,
        pace: bool = True,
        cycle_s: float = 20.0,
    ) -> None:
        self.name = f"simulated_camera:{scene}"
        self._scene = scene
        self._interval = 1.0 / max(1.0, min(fps, MAX_FPS))
        self._fps = fps
        self._size = size
        self._seed = seed
        self._fail_after = fail_after
        self._pace = pace
        self._cycle = max(1, round(cycle_s * fps))
        self._image = None if image is None else as_bgr(image)
        self._open = False
        self._frames = 0
        self._next_due = 0.0
        self._last_error: str | None = None
        self._portrait: Frame | None = None
        self._backdrop: Frame | None = None
        self._sheet: Frame | None = None

    def open(self) -> None:
        if self._open:
            return
        self._open = True
        self._last_error = None
        self._next_due = time.monotonic()
        self._backdrop = self._room()
        if self._scene == "face" and self._image is None:
            portrait = cv2.imread(str(DEMO_FACE), cv2.IMREAD_COLOR)
            if portrait is None:
                log.warning(
                    "demo face picture missing (%s); the simulated room is empty", DEMO_FACE
                )
            else:
                self._portrait = np.asarray(portrait, dtype=np.uint8)
        if self._scene == "materials" and self._image is None:
            self._sheet = self._document()

    def read(self) -> Frame:
        if not self._open:
            raise self._fail("摄像头尚未打开", "The camera is not open.")
        if self._fail_after is not None and self._frames >= self._fail_after:
            raise self._fail(
                "模拟摄像头停止输出画面（模拟拔出）",
                "The simulated camera stopped sending pictures (simulated unplug).",
            )
        if self._pace:
            delay = self._next_due - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            self._next_due = max(self._next_due + self._interval, time.monotonic() - 1.0)
        frame = self._render(self._frames)
        self._frames += 1
        return frame

    def close(self) -> None:
        self._open = False

    def health(self) -> DeviceHealth:
        return DeviceHealth(
            name=self.name,
            present=True,
            working=self._open and self._last_error is None,
            simulated=True,
            last_error=self._last_error,
            checked_at=_now(),
        )

    def _fail(self, zh: str, en: str) -> DeviceError:
        self._last_error = en
        return DeviceError(zh, en)

    # -- scene rendering --
    def _room(self) -> Frame:
        """A plain wall with a soft light gradient, like the space behind a counter."""
        w, h = self._size
        ys = np.linspace(0.0, 1.0, h, dtype=np.float32)[:, None, None]
        xs = np.linspace(0.0, 1.0, w, dtype=np.float32)[None, :, None]
        base = np.array([178, 186, 190], dtype=np.float32)  # BGR: a pale warm grey
        wall = base * (1.05 - 0.25 * ys) * (0.95 + 0.1 * xs)
        return np.clip(wall, 0, 255).astype(np.uint8)

    def _document(self) -> Frame:
        """A printed A4-like sheet (text lines, a table, a red stamp) lying turned on a desk."""
        w, h = self._size
        rng = np.random.default_rng(self._seed)
        sheet = np.full((560, 400, 3), 246, dtype=np.uint8)
        cv2.putText(sheet, "CERTIFICATE", (100, 50), cv2.FONT_HERSHEY_SIMPLEX, 0.9, (20,) * 3, 2)
        y = 90
        while y < 420:
            x_end = int(rng.integers(250, 370))
            for x in range(30, x_end, 16):  # words: short dark bars with gaps
                wlen = int(rng.integers(6, 14))
                cv2.rectangle(sheet, (x, y), (x + wlen, y + 7), (40, 40, 40), -1)
            y += 22
        cv2.rectangle(sheet, (30, 440), (370, 520), (60, 60, 60), 1)
        cv2.line(sheet, (200, 440), (200, 520), (60, 60, 60), 1)
        cv2.circle(sheet, (300, 480), 34, (40, 40, 200), 3)
        desk = np.empty((h, w, 3), dtype=np.uint8)
        desk[:] = (40, 52, 70)  # dark wood, BGR
        grain = rng.normal(0, 6, size=(h, 1, 1)).astype(np.float32)
        desk = np.clip(desk.astype(np.float32) + grain, 0, 255).astype(np.uint8)
        src = np.array([[0, 0], [400, 0], [400, 560], [0, 560]], dtype=np.float32)
        dst = np.array([[205, 55], [478, 92], [430, 440], [140, 398]], dtype=np.float32)
        dst *= np.array([w / 640, h / 480], dtype=np.float32)
        matrix = cv2.getPerspectiveTransform(src, dst)
        cv2.warpPerspective(
            sheet, matrix, (w, h), dst=desk, flags=cv2.INTER_AREA, borderMode=cv2.BORDER_TRANSPARENT
        )
        return desk

    def _pose(self, n: int) -> tuple[float, float, float] | None:
        """Scale and offset (share of the frame) of the portrait at frame n; None: nobody there."""
        t = (n % self._cycle) / self._fps
        if t < 1.0:
            return None
        if t < 4.0:  # walking up: far and to the side, then closer and centred
            k = (t - 1.0) / 3.0
            return 0.45 + 0.55 * k, 0.28 * (1 - k), 0.1 * (1 - k)
        return 1.0, 0.0, 0.0

    def _render(self, n: int) -> Frame:
        w, h = self._size
        assert self._backdrop is not None
        if self._image is not None:
            frame = np.asarray(cv2.resize(self._image, (w, h), interpolation=cv2.INTER_AREA))
        elif self._scene == "materials" and self._sheet is not None:
            frame = self._sheet.copy()
        elif self._scene == "face" and self._portrait is not None:
            frame = self._backdrop.copy()
            pose = self._pose(n)
            if pose is not None:
                scale, dx, dy = pose
                ph, pw = self._portrait.shape[:2]
                s = scale * max(w / pw, h / ph)
                tx = (w - pw * s) / 2 + dx * w
                ty = (h - ph * s) / 2 + dy * h
                matrix = np.array([[s, 0, tx], [0, s, ty]], dtype=np.float32)
                cv2.warpAffine(
                    self._portrait,
                    matrix,
                    (w, h),
                    dst=frame,
                    flags=cv2.INTER_LINEAR,
                    borderMode=cv2.BORDER_TRANSPARENT,
                )
        else:
            frame = self._backdrop.copy()
        noise = np.random.default_rng((self._seed, n)).normal(0, 2.0, size=frame.shape)
        return np.clip(frame.astype(np.float32) + noise.astype(np.float32), 0, 255).astype(np.uint8)


# ---- discovery ------------------------------------------------------------------------------


@dataclass(frozen=True)
class CameraInfo:
    """A camera that opened when probed."""

    index: int
    name: str
    device: str | None = None  # /dev/videoN on Linux


class CameraList(list[CameraInfo]):
    """The cameras found (a plain list of CameraInfo) and, when some were not, why."""

    def __init__(self, cameras: list[CameraInfo], reason_zh: str = "", reason_en: str = "") -> None:
        super().__init__(cameras)
        self.reason_zh = reason_zh
        self.reason_en = reason_en

    def reason(self, language: str) -> str:
        return self.reason_zh if language.startswith("zh") else self.reason_en


def _probe(index: int, timeout_s: float) -> tuple[bool | None, int, int]:
    """Open camera `index` in a helper thread; (opened, width, height), None when it hung.

    A hung driver keeps its daemon thread, which ends whenever the driver returns; the
    caller does not wait for it.
    """
    result: list[tuple[bool, int, int]] = []

    def attempt() -> None:
        with _QuietOpenCv():
            cap = cv2.VideoCapture(index, _camera_backend())
            try:
                opened = bool(cap.isOpened())
                width = int(cap.get(cv2.CAP_PROP_FRAME_WIDTH) or 0) if opened else 0
                height = int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT) or 0) if opened else 0
            finally:
                cap.release()
        result.append((opened, width, height))

    thread = threading.Thread(target=attempt, name=f"camera-probe-{index}", daemon=True)
    thread.start()
    thread.join(timeout_s)
    if not result:
        return None, 0, 0
    return result[0]


def _linux_name(index: int) -> str:
    try:
        return Path(f"/sys/class/video4linux/video{index}/name").read_text().strip()
    except OSError:
        return f"video{index}"


def list_cameras(
    max_index: int = 9, timeout_s: float = PROBE_TIMEOUT_S, *, device_dir: str = "/dev"
) -> CameraList:
    """The cameras that open, indexes 0..max_index; never hangs on a broken driver for long.

    On Linux the /dev/video* nodes are listed first, so a machine without any answers at
    once, and each node is probed with at most `timeout_s` seconds to open (metadata nodes
    of UVC cameras, which cannot capture, are skipped). Elsewhere indexes are probed in order
    until the first that does not open (Windows and macOS number cameras without gaps).
    `device_dir` is where the video nodes live (tests point it at an empty folder).
    """
    found: list[CameraInfo] = []
    problems_zh: list[str] = []
    problems_en: list[str] = []
    if sys.platform.startswith("linux"):
        nodes = []
        prefix = os.path.join(device_dir, "video")
        for path in glob.glob(prefix + "*"):
            suffix = path.removeprefix(prefix)
            if suffix.isdigit() and int(suffix) <= max_index:
                nodes.append(int(suffix))
        if not nodes:
            return CameraList(
                [],
                "未发现摄像头：系统中没有摄像头设备（/dev/video*），请检查连接线或驱动",
                "No camera found: the system has no video devices (/dev/video*); check the "
                "cable or the driver.",
            )
        for index in sorted(nodes):
            device = f"{prefix}{index}"
            if not os.access(device, os.R_OK | os.W_OK):
                problems_zh.append(f"{device} 没有使用权限（需加入 video 组）")
                problems_en.append(f"{device}: no permission (add the user to the 'video' group)")
                continue
            opened, width, height = _probe(index, timeout_s)
            if opened is None:
                problems_zh.append(f"{device} 无响应")
                problems_en.append(f"{device}: not responding")
            elif opened and width > 0:
                found.append(CameraInfo(index, f"{_linux_name(index)} ({width}x{height})", device))
            # opened without a picture size, or not opened: a metadata node, not a camera
    else:
        for index in range(max_index + 1):
            opened, width, height = _probe(index, timeout_s)
            if opened is None:
                problems_zh.append(f"摄像头 {index} 无响应")
                problems_en.append(f"camera {index}: not responding")
                break
            if not opened:
                break
            found.append(CameraInfo(index, f"Camera {index} ({width}x{height})"))
    if found:
        return CameraList(found, "；".join(problems_zh), "; ".join(problems_en))
    return CameraList(
        [],
        "未发现可用的摄像头" + ("：" + "；".join(problems_zh) if problems_zh else ""),
        "No usable camera found" + (": " + "; ".join(problems_en) if problems_en else "."),
    )


def camera_from_setting(value: str | None, *, demo: bool = False) -> Camera:
    """The camera a station setting names: "sim", "sim:materials", an index, or a video file.

    Empty or None: the simulated camera on the demo station, else camera 0. The setting is
    text typed by a technician, so an index is accepted with spaces around it.
    """
    text = (value or "").strip()
    if not text:
        return SimulatedCamera() if demo else OpenCvCamera(0)
    if text in ("sim", "simulated", "sim:face"):
        return SimulatedCamera("face")
    if text == "sim:materials":
        return SimulatedCamera("materials")
    if text.isdigit():
        return OpenCvCamera(int(text))
    return OpenCvCamera(text, loop=True)
