"""Resident ID card reader spoken to directly over the SAM serial protocol (no vendor SDK).

Most 二代证 readers sold to service points expose their SAM as a serial port (RS-232, or a
USB-serial bridge that appears as COMn or /dev/ttyUSBn). Talking the protocol ourselves
(`devices.sam_protocol`) needs no vendor library, works the same on Windows and Linux, and
lets the tests drive the real driver through a pseudo-terminal.

A read is: find card (polled until a card is there or the time runs out), select card, read
base information (the text block and the photo). The photo is kept exactly as the card
holds it — 1024 bytes in the ministry's WLT compression — because decoding WLT needs the
vendor's licensed library. `PhotoDecoder` is the plug-in point for it; without one,
`PersonRead.photo` carries the raw WLT bytes with `photo_mime="application/x-wlt"`.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Callable
from typing import Protocol, TypeVar

import serial  # type: ignore[import-untyped]

from app.identity import PersonRead
from devices import sam_protocol as sam
from devices.base import PORT_ERRORS, DeviceError, DeviceHealth, NoCard
from devices.id_card_text import PHOTO_MIME, parse_base_info, parse_text_block
from devices.sam_protocol import SamLink, SamStatus

log = logging.getLogger(__name__)
T = TypeVar("T")

NO_CARD_ZH = "未检测到身份证，请将身份证放在读卡器上"
NO_CARD_EN = "No ID card on the reader; place the card on the reader."


class PhotoDecoder(Protocol):
    """Turns the card's 1024-byte WLT photo into a JPEG (the vendor's decoder, wrapped).

    Decoding WLT is licensed to reader vendors (e.g. their `WltRS`/`libwlt2bmp` libraries),
    so this program ships none; a deployment that has one wraps it in this shape.
    """

    def __call__(self, wlt: bytes) -> bytes: ...


def no_card_error() -> NoCard:
    return NoCard(NO_CARD_ZH, NO_CARD_EN)


def card_moved_error() -> DeviceError:
    return DeviceError(
        "读取身份证失败，请将身份证平放在读卡器上，读卡完成前不要移动",
        "Reading the ID card failed; lay the card flat on the reader and keep it still "
        "until the read completes.",
    )


def sam_fault_error(status: int) -> sam.SamStatusError:
    zh, en = sam.describe_status(status)
    return sam.SamStatusError(
        f"身份证读卡器的安全模块报告错误：{zh}，请重新放置身份证再试；如反复出现，请联系设备厂家",
        f"The ID card reader's security module reported: {en}; place the card again, and "
        "call the reader's vendor if it keeps happening.",
    )


def port_open_error(port: str) -> DeviceError:
    return DeviceError(
        f"无法打开身份证读卡器（串口 {port}），请检查读卡器是否已连接、串口设置是否正确",
        f"Cannot open the ID card reader on serial port {port}; check that it is connected "
        "and that the configured port is right.",
    )


SerialFactory = Callable[[str, int, float], sam.SerialPort]


def open_serial(port: str, baudrate: int, timeout: float) -> sam.SerialPort:
    """Open a port the way the reader expects: 8 data bits, no parity, 1 stop bit.

    `serial_for_url` accepts plain device names (COM3, /dev/ttyUSB0) and pyserial URLs
    (e.g. rfc2217:// for a reader behind a terminal server). Exclusive, so a second program
    cannot interleave frames with ours.
    """
    return serial.serial_for_url(
        port,
        baudrate=baudrate,
        bytesize=serial.EIGHTBITS,
        parity=serial.PARITY_NONE,
        stopbits=serial.STOPBITS_ONE,
        timeout=timeout,
        exclusive=True,
    )


class SamIdCardReader:
    """An `IdentityReader` for a SAM-protocol ID card reader on a serial port.

    The port is opened on first use and kept open; after a transport failure it is closed so
    the next call reopens it (a USB reader unplugged and plugged back in comes back as a new
    device). One lock serialises every exchange: the protocol has no request ids, so two
    callers interleaving frames would read each other's answers.
    """

    name = "sam_id_card"

    def __init__(
        self,
        port: str,
        baudrate: int = sam.DEFAULT_BAUDRATE,
        *,
        photo_decoder: PhotoDecoder | None = None,
        command_timeout: float = 1.0,
        poll_interval: float = 0.2,
        read_timeout: float = 3.0,
        serial_factory: SerialFactory = open_serial,
    ) -> None:
        self.port = port
        self.baudrate = baudrate
        self.photo_decoder = photo_decoder
        self.command_timeout = command_timeout  # one command's answer, short ones
        self.read_timeout = read_timeout  # the read-base-info answer: 1.3 kB plus card time
        self.poll_interval = poll_interval
        self._factory = serial_factory
        self._lock = threading.Lock()
        self._serial: sam.SerialPort | None = None
        self._link: SamLink | None = None
        self._last_error: str | None = None
        self._last_ok: bool | None = None

    # -- IdentityReader --

    def read(self, timeout: float = 10.0) -> PersonRead:
        """Wait up to `timeout` seconds for a card, then read it. Blocks; not for the GUI thread."""
        deadline = time.monotonic() + timeout
        with self._lock:
            return self._guarded(lambda: self._read_card(deadline))

    def health(self) -> DeviceHealth:
        """Present = the port opens and a SAM answers; working = it answers its status with 90.

        A SAM that answers with an error status (self-test failed, not authorised) is present
        but not working; a port where nothing answers in the protocol is not a reader at all.
        While a read holds the port, the last known state is reported instead of waiting for
        the read to finish: a status screen must not freeze for ten seconds.
        """
        now = dt.datetime.now(dt.UTC)
        if not self._lock.acquire(timeout=0.5):
            known = bool(self._last_ok)
            return DeviceHealth(self.name, True, known, False, self._last_error, checked_at=now)
        try:
            present = working = False
            try:
                self._guarded(self._check_sam)
                present = working = True
            except sam.SamStatusError:
                present = True
            except DeviceError:
                pass
            return DeviceHealth(
                self.name,
                present=present,
                working=working,
                simulated=False,
                last_error=self._last_error,
                checked_at=now,
            )
        finally:
            self._lock.release()

    # -- maintenance commands --

    def sam_id(self) -> str:
        """The SAM's serial number as vendors print it: ``05.01-20101012-0012345678-...``.

        The 16 bytes are two little-endian 16-bit and three little-endian 32-bit numbers.
        """
        with self._lock:
            raw = self._guarded(lambda: self._simple(sam.READ_SAM_ID)).data
        if len(raw) < 16:
            raise sam.short_read_error()
        return format_sam_id(raw[:16])

    def reset(self) -> None:
        """Reset the SAM (what vendors' tools do when a reader stops finding cards)."""
        with self._lock:
            self._guarded(lambda: self._simple(sam.RESET_SAM))

    def close(self) -> None:
        with self._lock:
            self._close()

    # -- internals (called with the lock held) --

    def _guarded(self, action: Callable[[], T]) -> T:
        """Run `action`, remembering its outcome for `health()`; close the port on link faults.

        No card, a card lifted too early, or a document we cannot parse say nothing against
        the reader; a silent port, broken frames or an error status from the SAM do.
        """
        try:
            result = action()
        except (sam.SamTimeout, sam.SamShortRead, sam.SamFrameError, sam.SamLinkBroken) as exc:
            self._close()  # reopen next time: the reader may have been replugged
            self._last_ok, self._last_error = False, exc.zh
            raise
        except sam.SamStatusError as exc:
            self._last_ok, self._last_error = False, exc.zh
            raise
        except NoCard:
            self._last_ok, self._last_error = True, None  # the reader answered: it works
            raise
        except DeviceError as exc:
            self._last_ok = self._link is not None  # False when the port did not even open
            self._last_error = exc.zh
            raise
        self._last_ok, self._last_error = True, None
        return result

    def _ensure_link(self) -> SamLink:
        if self._link is None:
            try:
                self._serial = self._factory(self.port, self.baudrate, self.command_timeout)
            except (OSError, ValueError) as exc:  # SerialException is an OSError
                log.warning("cannot open ID card reader port %s: %s", self.port, exc)
                raise port_open_error(self.port) from exc
            self._link = SamLink(self._serial, timeout=self.command_timeout)
        return self._link

    def _close(self) -> None:
        port, self._serial, self._link = self._serial, None, None
        close = getattr(port, "close", None)
        if close is not None:
            try:
                close()
            except PORT_ERRORS:
                log.debug("closing the ID card port failed", exc_info=True)

    def _simple(self, command: sam.Command) -> sam.Response:
        response = self._ensure_link().transact(command)
        if response.status != SamStatus.SUCCESS:
            raise sam_fault_error(response.status)
        return response

    def _check_sam(self) -> None:
        self._simple(sam.SAM_STATUS)

    def _read_card(self, deadline: float) -> PersonRead:
        """Find, select, read; start over while time remains if the card slips away.

        A card laid on the reader is often found before it lies still, so a failed select or
        read is retried from the find until the deadline; only then is it reported, as
        "card moved" if a card was seen at all, else as "no card".
        """
        link = self._ensure_link()
        seen_card = False
        while True:
            found = link.transact(sam.FIND_CARD)
            if found.status == SamStatus.CARD_FOUND:
                seen_card = True
                selected = link.transact(sam.SELECT_CARD)
                if selected.status == SamStatus.SUCCESS:
                    answer = link.transact(sam.READ_BASE_INFO, timeout=self.read_timeout)
                    if answer.status == SamStatus.SUCCESS:
                        return self._person(answer.data)
                    if answer.status != SamStatus.READ_FAILED:
                        raise sam_fault_error(answer.status)
                elif selected.status != SamStatus.SELECT_FAILED:
                    raise sam_fault_error(selected.status)
            elif found.status != SamStatus.FIND_FAILED:
                raise sam_fault_error(found.status)
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise card_moved_error() if seen_card else no_card_error()
            time.sleep(min(self.poll_interval, remaining))

    def _person(self, data: bytes) -> PersonRead:
        text, photo = parse_base_info(data)
        fields = parse_text_block(text)
        image, mime = photo, PHOTO_MIME
        if self.photo_decoder is not None and photo:
            try:
                image, mime = self.photo_decoder(photo), "image/jpeg"
            except Exception:  # a vendor library's failure must not lose the read
                log.warning("the WLT photo decoder failed; keeping the raw photo", exc_info=True)
        return fields.to_person(self.name, photo=image or None, photo_mime=mime)


def format_sam_id(raw: bytes) -> str:
    """``%02d.%02d-%08d-%010d-%010d`` over little-endian u16, u16, u32, u32, u32."""
    parts = [
        int.from_bytes(raw[0:2], "little"),
        int.from_bytes(raw[2:4], "little"),
        int.from_bytes(raw[4:8], "little"),
        int.from_bytes(raw[8:12], "little"),
        int.from_bytes(raw[12:16], "little"),
    ]
    return "{:02d}.{:02d}-{:08d}-{:010d}-{:010d}".format(*parts)
