"""Frames of the resident-ID SAM (安全模块) serial protocol, and a link that exchanges them.

Second-generation ID card readers (二代证阅读器) put a SAM between the PC and the card's radio;
the PC talks to the SAM over a serial line (RS-232 or a USB-serial bridge, typically 115200
baud, 8 data bits, no parity, 1 stop bit). Everything below is what this module assumes and
implements; the tests check each point against frames built by hand.

Request frame (PC → SAM)::

    AA AA AA 96 69 | LEN_HI LEN_LO | CMD PARA | DATA... | CHK

Response frame (SAM → PC)::

    AA AA AA 96 69 | LEN_HI LEN_LO | SW1 SW2 SW3 | DATA... | CHK

* The preamble is always ``AA AA AA 96 69``.
* ``LEN`` is big-endian and counts the bytes *after* the length field, checksum included:
  ``2 + len(DATA) + 1`` in a request, ``3 + len(DATA) + 1`` in a response.
* ``CHK`` is the XOR of the two length bytes and of every byte after them up to, not
  including, the checksum itself. The preamble is not part of it.
* The status ``SW1 SW2 SW3`` is ``00 00 xx``; the meaning of ``xx`` is in `STATUS_TEXT`
  (``90`` success, ``9F`` card found, ``80`` no card, ``81`` select failed, ``41`` read
  failed, ``10`` the SAM received a bad checksum, ``11`` bad length, ``21`` bad command...).

Commands used here (CMD PARA): reset SAM ``10 FF``; SAM status ``11 FF``; read the SAM id
``12 FF`` (16 bytes of data); find card ``20 01`` (answers ``9F`` with 4 data bytes, or
``80``); select card ``20 02`` (answers ``90`` with 8 data bytes, or ``81``); read base
information ``30 01``, whose data is a 2-byte big-endian text length (256), a 2-byte
big-endian photo length (1024), the text block, then the photo. ``30 10`` additionally
carries a fingerprint length and block; it is defined but this program does not use it.

Known request frames (each checksum is ``03 ^ CMD ^ PARA``)::

    find card     AA AA AA 96 69 00 03 20 01 22
    select card   AA AA AA 96 69 00 03 20 02 21
    read base     AA AA AA 96 69 00 03 30 01 32
    SAM status    AA AA AA 96 69 00 03 11 FF ED

The frame functions are pure so they can be tested without a port; `SamLink` adds the
robustness a real serial line needs (stray bytes, short reads, timeouts, one retry).
"""

from __future__ import annotations

import enum
import logging
import time
from dataclasses import dataclass
from typing import Protocol

from devices.base import PORT_ERRORS, DeviceError

log = logging.getLogger(__name__)

PREAMBLE = bytes.fromhex("AAAAAA9669")
HEADER_LEN = len(PREAMBLE) + 2  # preamble + length field
MAX_BODY_LEN = 4096  # base info with fingerprints is ~2.3 kB; anything bigger is line noise
MAX_SKIPPED_BYTES = 4096  # stray bytes tolerated before a preamble, then we give up
DEFAULT_BAUDRATE = 115200


@dataclass(frozen=True)
class Command:
    """A SAM command: the CMD and PARA bytes, with a name for messages and logs."""

    cmd: int
    para: int
    name: str


RESET_SAM = Command(0x10, 0xFF, "reset SAM")
SAM_STATUS = Command(0x11, 0xFF, "SAM status")
READ_SAM_ID = Command(0x12, 0xFF, "read SAM id")
FIND_CARD = Command(0x20, 0x01, "find card")
SELECT_CARD = Command(0x20, 0x02, "select card")
READ_BASE_INFO = Command(0x30, 0x01, "read base info")
READ_BASE_INFO_FP = Command(0x30, 0x10, "read base info with fingerprint")


class SamStatus(enum.IntEnum):
    """Response status ``SW1 SW2 SW3`` as one 24-bit number; SW1 and SW2 are always 00.

    Holding all three bytes means an answer with a non-zero SW1/SW2 never equals a known
    status by accident.
    """

    SUCCESS = 0x90
    NO_CONTENT = 0x91  # the card holds nothing for this item (e.g. no fingerprint)
    CARD_FOUND = 0x9F
    CHECKSUM_ERROR = 0x10  # the SAM received a frame with a bad checksum
    LENGTH_ERROR = 0x11
    COMMAND_ERROR = 0x21
    UNAUTHORISED_OPERATION = 0x23
    UNKNOWN_ERROR = 0x24
    CARD_AUTH_SAM_FAILED = 0x31
    SAM_AUTH_CARD_FAILED = 0x32
    VERIFY_FAILED = 0x33
    INFO_LENGTH_ERROR = 0x3F
    UNKNOWN_CARD_TYPE = 0x40
    READ_FAILED = 0x41
    RANDOM_FAILED = 0x47
    SAM_SELF_TEST_FAILED = 0x60
    SAM_NOT_AUTHORISED = 0x66
    FIND_FAILED = 0x80  # no card on the reader
    SELECT_FAILED = 0x81


STATUS_TEXT: dict[int, tuple[str, str]] = {
    SamStatus.SUCCESS: ("操作成功", "success"),
    SamStatus.NO_CONTENT: ("证件中此项无内容", "the card holds no such item"),
    SamStatus.CARD_FOUND: ("找到身份证", "card found"),
    SamStatus.CHECKSUM_ERROR: ("安全模块收到的数据校验和错误", "the SAM received a bad checksum"),
    SamStatus.LENGTH_ERROR: ("安全模块收到的数据长度错误", "the SAM received a bad length"),
    SamStatus.COMMAND_ERROR: ("安全模块收到的命令错误", "the SAM received a bad command"),
    SamStatus.UNAUTHORISED_OPERATION: ("越权操作", "operation not permitted"),
    SamStatus.UNKNOWN_ERROR: ("安全模块无法识别的错误", "unrecognised SAM error"),
    SamStatus.CARD_AUTH_SAM_FAILED: ("身份证认证安全模块失败", "the card did not accept the SAM"),
    SamStatus.SAM_AUTH_CARD_FAILED: ("安全模块认证身份证失败", "the SAM did not accept the card"),
    SamStatus.VERIFY_FAILED: ("信息验证失败", "information verification failed"),
    SamStatus.INFO_LENGTH_ERROR: ("信息长度错误", "information length error"),
    SamStatus.UNKNOWN_CARD_TYPE: ("无法识别的证件类型", "unrecognised card type"),
    SamStatus.READ_FAILED: ("读身份证操作失败", "reading the card failed"),
    SamStatus.RANDOM_FAILED: ("取随机数失败", "getting a random number failed"),
    SamStatus.SAM_SELF_TEST_FAILED: ("安全模块自检失败", "SAM self-test failed"),
    SamStatus.SAM_NOT_AUTHORISED: ("安全模块未经授权", "the SAM is not authorised"),
    SamStatus.FIND_FAILED: ("未找到身份证", "no card found"),
    SamStatus.SELECT_FAILED: ("选取身份证失败", "selecting the card failed"),
}


def describe_status(status: int) -> tuple[str, str]:
    """The status in Chinese and English; unknown codes are shown in hex, not guessed."""
    if status in STATUS_TEXT:
        return STATUS_TEXT[status]
    code = f"{status:06X}"
    return (f"未知状态码 {code}", f"unknown status {code}")


@dataclass(frozen=True)
class Request:
    cmd: int
    para: int
    data: bytes = b""


@dataclass(frozen=True)
class Response:
    status: int  # SW1 SW2 SW3 as one number; compare with SamStatus
    data: bytes = b""

    @property
    def ok(self) -> bool:
        return self.status in (SamStatus.SUCCESS, SamStatus.CARD_FOUND)


class FrameError(ValueError):
    """A byte string is not a well-formed frame (used by the pure decoders)."""


def xor_checksum(data: bytes) -> int:
    """XOR of all bytes: the protocol's only integrity check."""
    value = 0
    for byte in data:
        value ^= byte
    return value


def _frame(payload: bytes) -> bytes:
    """Preamble, length, payload, checksum; `payload` is everything between length and CHK."""
    length = (len(payload) + 1).to_bytes(2, "big")
    return PREAMBLE + length + payload + bytes([xor_checksum(length + payload)])


def encode_request(cmd: int, para: int, data: bytes = b"") -> bytes:
    """The bytes the PC sends for one command."""
    return _frame(bytes([cmd, para]) + data)


def encode_response(status: int, data: bytes = b"") -> bytes:
    """The bytes a SAM sends back; used by simulators and to build test frames."""
    return _frame(status.to_bytes(3, "big") + data)


def _unframe(frame: bytes, head: int) -> bytes:
    """Check preamble, length and checksum; return the payload (without the checksum)."""
    if not frame.startswith(PREAMBLE):
        raise FrameError("missing preamble AA AA AA 96 69")
    if len(frame) < HEADER_LEN:
        raise FrameError("frame shorter than its header")
    length = int.from_bytes(frame[5:7], "big")
    if length < head + 1:
        raise FrameError(f"length {length} too small")
    if len(frame) != HEADER_LEN + length:
        raise FrameError(f"length field says {length}, frame carries {len(frame) - HEADER_LEN}")
    checked = frame[5:-1]
    if xor_checksum(checked) != frame[-1]:
        raise FrameError(f"checksum {frame[-1]:02X}, expected {xor_checksum(checked):02X}")
    return frame[HEADER_LEN:-1]


def decode_request(frame: bytes) -> Request:
    payload = _unframe(frame, 2)
    return Request(payload[0], payload[1], payload[2:])


def decode_response(frame: bytes) -> Response:
    payload = _unframe(frame, 3)
    return Response(int.from_bytes(payload[:3], "big"), payload[3:])


# --- Messages. Each says what the operator can do; the English says the same for logs. ---


class SamTimeout(DeviceError):
    """The reader did not answer at all within the time allowed."""


class SamShortRead(DeviceError):
    """An answer started but stopped before the length it announced."""


class SamFrameError(DeviceError):
    """The answer could not be trusted: bad checksum twice, or bytes that are not frames."""


class SamLinkBroken(DeviceError):
    """Reading or writing the port failed: cable pulled, adapter gone."""


class SamStatusError(DeviceError):
    """The SAM answered, with a status that means it could not do what was asked."""


def no_answer_error() -> SamTimeout:
    return SamTimeout(
        "身份证读卡器没有响应，请检查读卡器的连接线和电源",
        "The ID card reader did not answer; check its cable and power.",
    )


def short_read_error() -> SamShortRead:
    return SamShortRead(
        "身份证读卡器返回的数据不完整，请重新放置身份证后再试",
        "The ID card reader's answer was incomplete; place the card again and retry.",
    )


def checksum_error() -> SamFrameError:
    return SamFrameError(
        "与身份证读卡器通信出错（数据校验失败），请重试；如反复出现，请检查连接线",
        "Communication with the ID card reader failed its checksum twice; retry, "
        "and check the cable if it keeps happening.",
    )


def garbage_error() -> SamFrameError:
    return SamFrameError(
        "身份证读卡器返回的数据无法识别，请确认设置的串口连接的是身份证读卡器",
        "The ID card reader's answer was not recognised; check that the configured serial "
        "port is the ID card reader.",
    )


def link_broken_error() -> SamLinkBroken:
    return SamLinkBroken(
        "与身份证读卡器的连接已断开，请检查读卡器是否插好",
        "The connection to the ID card reader was lost; check that it is plugged in.",
    )


class SerialPort(Protocol):
    """What `SamLink` needs of a port: pyserial's `Serial` or any look-alike.

    `read(n)` waits at most `timeout` seconds and may return fewer than n bytes.
    """

    timeout: float | None

    def read(self, size: int = 1) -> bytes: ...

    def write(self, data: bytes, /) -> int | None: ...


class _Corrupt(Exception):
    """A frame arrived whole but failed its checks; the command is worth one more try."""


class SamLink:
    """Sends commands to a SAM and reads back complete, verified answers.

    A serial line delivers bytes, not frames, so the reader side must: skip stray bytes
    until a preamble (a reader that was mid-answer when we opened it, noise on power-up),
    read exactly the announced length across as many reads as it takes, and keep one deadline
    for the whole answer. A corrupted answer — or the SAM saying *it* received a corrupted
    request (status 10) — is retried once, because the usual cause is a single burst of noise;
    a second failure is reported rather than looped on. Timeouts are not retried: the wait
    has already been spent, and the operator should hear about it.

    Not thread-safe: the owner serialises calls (the readers hold one lock per port).
    """

    def __init__(self, port: SerialPort, timeout: float = 1.0) -> None:
        self.port = port
        self.timeout = timeout

    def transact(
        self, command: Command, data: bytes = b"", timeout: float | None = None
    ) -> Response:
        """Send `command`, return the SAM's answer; raises DeviceError on transport faults.

        The answer's status is returned as is (no card, read failed...): what it means
        depends on the command, so the caller decides.
        """
        request = encode_request(command.cmd, command.para, data)
        wait = self.timeout if timeout is None else timeout
        for attempt in (1, 2):
            self._discard_input()
            self._write(request)
            try:
                response = self._read_frame(wait)
            except _Corrupt as exc:
                log.warning("SAM %s: corrupted answer (%s), attempt %d", command.name, exc, attempt)
                if attempt == 2:
                    raise checksum_error() from None
                continue
            if response.status == SamStatus.CHECKSUM_ERROR:
                log.warning("SAM %s: the SAM got a bad checksum, attempt %d", command.name, attempt)
                if attempt == 2:
                    raise checksum_error()
                continue
            return response
        raise AssertionError("unreachable")  # pragma: no cover

    # -- transport --

    def _discard_input(self) -> None:
        """Drop bytes left from an earlier answer (e.g. one that came after we gave up)."""
        reset = getattr(self.port, "reset_input_buffer", None)
        if reset is None:
            return
        try:
            reset()
        except PORT_ERRORS as exc:
            raise link_broken_error() from exc

    def _write(self, frame: bytes) -> None:
        try:
            self.port.write(frame)
            flush = getattr(self.port, "flush", None)
            if flush is not None:
                flush()
        except PORT_ERRORS as exc:  # pyserial's SerialException is an OSError
            raise link_broken_error() from exc

    def _read_upto(self, size: int, deadline: float) -> bytes:
        """Up to `size` bytes, looping over partial reads; fewer only when the deadline passes."""
        buf = bytearray()
        while len(buf) < size:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            if self.port.timeout != remaining:
                self.port.timeout = remaining
            try:
                chunk = self.port.read(size - len(buf))
            except PORT_ERRORS as exc:
                raise link_broken_error() from exc
            buf += chunk
        return bytes(buf)

    def _read_frame(self, timeout: float) -> Response:
        deadline = time.monotonic() + timeout
        window = self._read_upto(len(PREAMBLE), deadline)
        if not window:
            raise no_answer_error()
        skipped = 0
        while window != PREAMBLE:
            if len(window) < len(PREAMBLE):  # timed out while looking for the preamble
                if any(window.endswith(PREAMBLE[:k]) for k in range(1, len(window) + 1)):
                    raise short_read_error()  # an answer began and stopped
                raise garbage_error()
            skipped += 1
            if skipped > MAX_SKIPPED_BYTES:
                raise garbage_error()
            window = window[1:] + self._read_upto(1, deadline)
        if skipped:
            log.info("SAM: skipped %d stray bytes before the preamble", skipped)
        length_field = self._read_upto(2, deadline)
        if len(length_field) < 2:
            raise short_read_error()
        length = int.from_bytes(length_field, "big")
        if not 4 <= length <= MAX_BODY_LEN:
            raise _Corrupt(f"implausible length {length}")
        body = self._read_upto(length, deadline)
        if len(body) < length:
            raise short_read_error()
        if xor_checksum(length_field + body[:-1]) != body[-1]:
            raise _Corrupt("bad checksum")
        return Response(int.from_bytes(body[:3], "big"), body[3:-1])
