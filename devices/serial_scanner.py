"""QR scanners on a serial port (RS-232 or a USB-serial bridge: COMn, /dev/ttyUSBn, /dev/ttyACMn),
and a simulated scanner for the demo and the tests.

A serial scanner sends each code it reads as a line of bytes. Which terminator it appends is a
setting of the scanner (CR, LF or CR LF; factory defaults differ between vendors), so any of
them ends a code here, and the empty line a CR LF split across two reads would otherwise leave
is ignored. A serial line delivers bytes, not lines: a code can arrive in several reads, with
pauses (a slow Bluetooth cradle, a busy USB hub), so bytes are kept until the terminator comes,
across calls to `scan`. Text is UTF-8, which scanners use for QR codes; a line that is not
valid UTF-8 is decoded as GB18030, which older Chinese scanners send. Whitespace and control
characters around a code (some scanners frame it with STX/ETX) are stripped.

`scan(timeout)` blocks until a code or the timeout, so it runs on a worker thread
(`ui/scanner_worker.py`); `cancel()` wakes it from another thread. The port is opened on first
use and kept open; when it fails (the scanner unplugged mid-read), the port is closed, the
partial code dropped, a `DeviceError` raised with words for the operator, and the next `scan`
opens it again, so a scanner plugged back in comes back by itself.
"""

from __future__ import annotations

import datetime as dt
import logging
import queue
import threading
import time
from collections.abc import Callable
from typing import Any, Protocol

import serial  # type: ignore[import-untyped]

from devices.base import PORT_ERRORS, DeviceError, DeviceHealth

log = logging.getLogger(__name__)

DEFAULT_BAUDRATE = 9600  # the factory setting of most serial QR scanners
MAX_CODE_BYTES = 4096  # a QR code holds at most ~3 kB; anything longer is line noise
READ_SLICE_S = 0.1  # the longest single wait on the port, so `cancel` and `close` act quickly
_TERMINATORS = b"\r\n"
_STRIP = "".join(chr(c) for c in range(33)) + "\x7f"  # whitespace and C0 controls, DEL


class CodeScanner(Protocol):
    """Anything that yields scanned code texts. `scan` blocks; callers use a worker thread."""

    name: str

    def scan(self, timeout: float = 1.0) -> str | None: ...

    def cancel(self) -> None: ...

    def health(self) -> DeviceHealth: ...

    def close(self) -> None: ...


class SerialPort(Protocol):
    """What `SerialScanner` needs of a port: pyserial's `Serial` or any look-alike."""

    timeout: float | None

    @property
    def in_waiting(self) -> int: ...

    def read(self, size: int = 1) -> bytes: ...

    def close(self) -> None: ...


SerialFactory = Callable[[str, int, float], SerialPort]


def open_serial(port: str, baudrate: int, timeout: float) -> SerialPort:
    """8 data bits, no parity, 1 stop bit, exclusive; plain device names or pyserial URLs."""
    opened: SerialPort = serial.serial_for_url(
        port,
        baudrate=baudrate,
        bytesize=serial.EIGHTBITS,
        parity=serial.PARITY_NONE,
        stopbits=serial.STOPBITS_ONE,
        timeout=timeout,
        exclusive=True,
    )
    return opened


def port_open_error(port: str) -> DeviceError:
    return DeviceError(
        f"无法打开扫码器（串口 {port}），请检查扫码器是否已连接、串口设置是否正确；"
        "也可请参保人出示社保卡或身份证",
        f"Cannot open the QR scanner on serial port {port}; check that it is connected and "
        "that the configured port is right, or use the social-security card or ID card.",
    )


def link_broken_error() -> DeviceError:
    return DeviceError(
        "与扫码器的连接已断开，请检查扫码器是否插好，然后重新扫码",
        "The connection to the QR scanner was lost; check that it is plugged in, then scan again.",
    )


def decode_code(raw: bytes) -> str:
    """A scanned line as text: UTF-8, else GB18030; stripped of whitespace and controls."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("gb18030", errors="replace")
    return text.strip(_STRIP)


# A port closed under a read can also surface as TypeError/ValueError from its closed fd.
_READ_ERRORS: tuple[type[Exception], ...] = (*PORT_ERRORS, TypeError, ValueError)


class SerialScanner:
    """A `CodeScanner` on a serial port. One thread scans; any thread may cancel or close."""

    name = "serial_scanner"

    def __init__(
        self,
        port: str,
        baudrate: int = DEFAULT_BAUDRATE,
        *,
        idle_end_s: float | None = None,
        serial_factory: SerialFactory = open_serial,
    ) -> None:
        """`idle_end_s`: for scanners set to send no terminator, a partial line followed by
        this much silence is a code. Off by default: a pause inside a code is not its end."""
        self.port = port
        self.baudrate = baudrate
        self.idle_end_s = idle_end_s
        self._factory = serial_factory
        self._lock = threading.Lock()  # held by `scan` for its whole wait
        self._serial: SerialPort | None = None
        self._buffer = bytearray()
        self._last_byte_at = 0.0
        self._overlong = False  # dropping the rest of a line that grew past MAX_CODE_BYTES
        self._cancelled = threading.Event()
        self._closed = False
        self._last_error: str | None = None

    # -- CodeScanner --

    def scan(self, timeout: float = 1.0) -> str | None:
        """The next code, or None when `timeout` seconds pass (or `cancel` is called) first.

        Raises DeviceError when the port cannot be opened or fails while reading.
        """
        deadline = time.monotonic() + timeout
        with self._lock:
            while True:
                code = self._next_code()
                if code is not None:
                    return code
                if self._cancelled.is_set():
                    self._cancelled.clear()
                    return None
                remaining = deadline - time.monotonic()
                if remaining <= 0 or self._closed:
                    return None
                self._receive(min(remaining, READ_SLICE_S, self._idle_left()))

    def cancel(self) -> None:
        """Wake a `scan` blocked on another thread (or the next one): it returns None."""
        self._cancelled.set()
        port = self._serial
        cancel_read = getattr(port, "cancel_read", None)
        if cancel_read is not None:
            try:
                cancel_read()
            except (OSError, ValueError):  # closed meanwhile
                log.debug("cancelling the scanner's read failed", exc_info=True)

    def health(self) -> DeviceHealth:
        """Present when the port is open or opens; working unless the last use failed.

        Never waits for a scan in progress: that holds the port, which says it is present.
        """
        now = dt.datetime.now(dt.UTC)
        if self._serial is None and not self._closed and self._lock.acquire(timeout=0.2):
            try:
                self._ensure_port()
                self._last_error = None
            except DeviceError:
                pass
            finally:
                self._lock.release()
        present = self._serial is not None
        return DeviceHealth(
            self.name,
            present=present,
            working=present and self._last_error is None,
            simulated=False,
            last_error=self._last_error,
            checked_at=now,
        )

    def close(self) -> None:
        self._closed = True
        self.cancel()
        with self._lock:
            self._close_port()

    # -- internals (with the lock held) --

    def _idle_left(self) -> float:
        if self.idle_end_s is None or not self._buffer:
            return READ_SLICE_S
        return max(0.0, self._last_byte_at + self.idle_end_s - time.monotonic())

    def _ensure_port(self) -> SerialPort:
        if self._serial is None:
            try:
                self._serial = self._factory(self.port, self.baudrate, READ_SLICE_S)
            except (OSError, ValueError) as exc:  # SerialException is an OSError
                log.warning("cannot open the scanner port %s: %s", self.port, exc)
                error = port_open_error(self.port)
                self._last_error = error.zh
                raise error from exc
        return self._serial

    def _close_port(self) -> None:
        port, self._serial = self._serial, None
        self._buffer.clear()
        self._overlong = False
        if port is not None:
            try:
                port.close()
            except PORT_ERRORS:
                log.debug("closing the scanner port failed", exc_info=True)

    def _receive(self, wait: float) -> None:
        port = self._ensure_port()
        try:
            if port.timeout != wait:
                port.timeout = wait
            chunk = port.read(port.in_waiting or 1)
        except _READ_ERRORS as exc:
            # pyserial raises SerialException (an OSError) when the device goes away; a port
            # closed under a read can surface as TypeError/ValueError from its closed fd.
            if self._closed:
                return
            log.warning("the scanner port %s failed: %s", self.port, exc)
            self._close_port()
            error = link_broken_error()
            self._last_error = error.zh
            raise error from exc
        self._last_error = None
        if chunk:
            self._buffer += chunk
            self._last_byte_at = time.monotonic()

    def _next_code(self) -> str | None:
        """Take complete lines off the buffer until one holds a code."""
        while True:
            cut = min((i for i in map(self._buffer.find, _TERMINATORS) if i >= 0), default=-1)
            if cut < 0:
                return self._unterminated()
            line = bytes(self._buffer[:cut])
            end = cut + 1
            if self._buffer[cut : cut + 2] == b"\r\n":
                end += 1
            del self._buffer[:end]
            if self._overlong or len(line) > MAX_CODE_BYTES:  # the end of a line too long
                self._overlong = False
                continue
            code = decode_code(line)
            if code:
                return code

    def _unterminated(self) -> str | None:
        if self._overlong or len(self._buffer) > MAX_CODE_BYTES:
            if not self._overlong:
                log.warning("scanner: over %d bytes without a line end, dropped", MAX_CODE_BYTES)
            self._overlong = True
            self._buffer.clear()
            return None
        if self.idle_end_s is None or not self._buffer:
            return None
        if time.monotonic() - self._last_byte_at >= self.idle_end_s:
            code = decode_code(bytes(self._buffer))
            self._buffer.clear()
            return code or None
        return None


_WAKE: Any = object()


class SimulatedScanner:
    """A `CodeScanner` that yields the codes it is fed (`feed`), for the demo and tests."""

    name = "simulated_scanner"

    def __init__(self) -> None:
        self._codes: queue.Queue[Any] = queue.Queue()

    def feed(self, code: str) -> None:
        """Queue `code` as if a citizen's phone had been held to the scanner."""
        self._codes.put(code)

    def scan(self, timeout: float = 1.0) -> str | None:
        deadline = time.monotonic() + timeout
        while True:
            try:
                item = self._codes.get(timeout=max(deadline - time.monotonic(), 0.0))
            except queue.Empty:
                return None
            if item is _WAKE:
                return None
            code = str(item).strip(_STRIP)
            if code:
                return code

    def cancel(self) -> None:
        self._codes.put(_WAKE)

    def health(self) -> DeviceHealth:
        now = dt.datetime.now(dt.UTC)
        return DeviceHealth(self.name, True, True, True, None, checked_at=now)

    def close(self) -> None:
        self.cancel()
