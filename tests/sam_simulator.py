"""A simulated SAM ID card reader on a pseudo-terminal, for driving the real serial driver.

`SamSimulator` opens a pty pair; a thread reads request frames from the master side and
answers as a reader's SAM would, from a scripted card. The driver opens the slave side's
device path (`SamSimulator.path`, e.g. /dev/pts/7) with pyserial exactly as it would open
/dev/ttyUSB0, so termios setup, partial reads and timeouts are the real ones.

Frames are built and checked here independently of `devices.sam_protocol` (a few lines of
its own), so a mistake in the driver's framing cannot be mirrored by the simulator and pass.

Faults are scripted per command (or for any command) and for a number of answers:
`BAD_CHECKSUM` (the answer's checksum byte is wrong), `SAM_CHECKSUM_ERROR` (the SAM says
the request's checksum was wrong: status 10), `SHORT` (half an answer, then silence),
`SILENT` (no answer), `GARBAGE` (stray bytes, including a false start of the preamble,
before a good answer). `card = None` is "no card"; `remove_card_after_find` takes the card
away as soon as it has been found, as an operator who lifts it too early does.
"""

from __future__ import annotations

import enum
import os
import select
import struct
import threading
import tty
from dataclasses import dataclass, field

PREAMBLE = bytes([0xAA, 0xAA, 0xAA, 0x96, 0x69])
ALWAYS = 1_000_000

FIND = (0x20, 0x01)
SELECT = (0x20, 0x02)
READ_BASE = (0x30, 0x01)
RESET = (0x10, 0xFF)
STATUS = (0x11, 0xFF)
SAM_ID = (0x12, 0xFF)

# 05.01-20101012-0012345678-1234567890 as the SAM stores it: little-endian u16 u16 u32 u32 u32.
SAM_ID_BYTES = struct.pack("<HHIII", 5, 1, 20101012, 12345678, 1234567890)

FIELD_WIDTHS = (
    ("name", 30),
    ("sex", 2),
    ("ethnicity", 4),
    ("birth_date", 16),
    ("address", 70),
    ("id_number", 36),
    ("issuer", 30),
    ("valid_from", 16),
    ("valid_until", 16),
)


def xor(data: bytes) -> int:
    out = 0
    for b in data:
        out ^= b
    return out


def response_frame(status: int, data: bytes = b"") -> bytes:
    body = bytes([0x00, 0x00, status]) + data
    length = struct.pack(">H", len(body) + 1)
    return PREAMBLE + length + body + bytes([xor(length + body)])


def text_block(
    *,
    name: str = "张三",
    sex: str = "1",
    ethnicity: str = "01",
    birth_date: str = "19800101",
    address: str = "北京市朝阳区人民路1号",
    id_number: str = "110105198001010016",
    issuer: str = "北京市公安局朝阳分局",
    valid_from: str = "20160101",
    valid_until: str = "20360101",
    card_type: str = "",
) -> bytes:
    """The 256-byte block a card returns: each field UTF-16-LE, space-padded to its width."""
    values = {
        "name": name,
        "sex": sex,
        "ethnicity": ethnicity,
        "birth_date": birth_date,
        "address": address,
        "id_number": id_number,
        "issuer": issuer,
        "valid_from": valid_from,
        "valid_until": valid_until,
    }
    out = bytearray()
    for key, width in FIELD_WIDTHS:
        raw = str(values[key]).encode("utf-16-le")
        assert len(raw) <= width, f"{key} does not fit in {width} bytes"
        out += raw + " ".encode("utf-16-le") * ((width - len(raw)) // 2)
    reserved = bytearray(" ".encode("utf-16-le") * 18)
    if card_type:
        reserved[248 - 220 : 250 - 220] = card_type.encode("utf-16-le")
    out += reserved
    assert len(out) == 256
    return bytes(out)


def photo_bytes(seed: int = 7) -> bytes:
    """1024 bytes standing in for a WLT photo: every byte value, including AA 96 69 runs."""
    return bytes((i * 37 + seed) % 256 for i in range(1024))


@dataclass
class SimCard:
    text: bytes = field(default_factory=text_block)
    photo: bytes = field(default_factory=photo_bytes)


class Fault(enum.Enum):
    BAD_CHECKSUM = "bad_checksum"
    SAM_CHECKSUM_ERROR = "sam_checksum_error"
    SHORT = "short"
    SILENT = "silent"
    GARBAGE = "garbage"


@dataclass
class _Scripted:
    fault: Fault
    command: tuple[int, int] | None
    remaining: int


class SamSimulator:
    """A SAM answering on a pty. Use as a context manager, or call `close()`."""

    def __init__(self, card: SimCard | None = None) -> None:
        self.card = card
        self.remove_card_after_find = False
        self.sam_status = 0x90  # what the SAM-status and reset commands answer
        self.requests: list[tuple[int, int]] = []
        self.bad_requests = 0
        self._faults: list[_Scripted] = []
        self._lock = threading.Lock()
        self._master, self._slave = os.openpty()
        tty.setraw(self._slave)  # no echo, no line editing, even before pyserial opens it
        self.path = os.ttyname(self._slave)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="sam-sim", daemon=True)
        self._thread.start()

    def __enter__(self) -> SamSimulator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def fault(self, fault: Fault, command: tuple[int, int] | None = None, times: int = 1) -> None:
        """Misbehave on the next `times` answers to `command` (any command when None)."""
        with self._lock:
            self._faults.append(_Scripted(fault, command, times))

    def commands(self) -> list[tuple[int, int]]:
        with self._lock:
            return list(self.requests)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        os.close(self._master)
        os.close(self._slave)

    # -- the SAM --

    def _serve(self) -> None:
        buf = bytearray()
        while not self._stop.is_set():
            ready, _, _ = select.select([self._master], [], [], 0.02)
            if not ready:
                continue
            try:
                buf += os.read(self._master, 4096)
            except OSError:
                return
            while True:
                frame = self._take_frame(buf)
                if frame is None:
                    break
                self._answer(frame)

    def _take_frame(self, buf: bytearray) -> bytes | None:
        start = buf.find(PREAMBLE)
        if start < 0:
            del buf[: max(len(buf) - 4, 0)]
            return None
        del buf[:start]
        if len(buf) < 7:
            return None
        total = 7 + struct.unpack(">H", buf[5:7])[0]
        if len(buf) < total:
            return None
        frame = bytes(buf[:total])
        del buf[:total]
        return frame

    def _answer(self, frame: bytes) -> None:
        if xor(frame[5:-1]) != frame[-1]:
            self.bad_requests += 1
            self._send(response_frame(0x10))
            return
        command = (frame[7], frame[8])
        with self._lock:
            self.requests.append(command)
            fault = self._next_fault(command)
        if fault is Fault.SILENT:
            return
        answer = response_frame(0x10) if fault is Fault.SAM_CHECKSUM_ERROR else self._reply(command)
        if fault is Fault.BAD_CHECKSUM:
            answer = answer[:-1] + bytes([answer[-1] ^ 0x5A])
        elif fault is Fault.SHORT:
            answer = answer[: len(answer) // 2]
        elif fault is Fault.GARBAGE:
            answer = bytes([0x00, 0x13, 0xAA, 0xAA, 0x96, 0xAA, 0x55]) + answer
        self._send(answer)

    def _next_fault(self, command: tuple[int, int]) -> Fault | None:
        for scripted in self._faults:
            if scripted.remaining > 0 and scripted.command in (None, command):
                scripted.remaining -= 1
                return scripted.fault
        return None

    def _reply(self, command: tuple[int, int]) -> bytes:
        card = self.card
        if command in (RESET, STATUS):
            return response_frame(self.sam_status)
        if command == SAM_ID:
            return response_frame(0x90, SAM_ID_BYTES)
        if command == FIND:
            if card is None:
                return response_frame(0x80)
            if self.remove_card_after_find:
                self.card = None
            return response_frame(0x9F, bytes(4))
        if command == SELECT:
            return response_frame(0x90, bytes(8)) if card else response_frame(0x81)
        if command == READ_BASE:
            if card is None:
                return response_frame(0x41)
            lengths = struct.pack(">HH", len(card.text), len(card.photo))
            return response_frame(0x90, lengths + card.text + card.photo)
        return response_frame(0x21)

    def _send(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            written = os.write(self._master, view)
            view = view[written:]
