"""A virtual social-security card that plugs into vpcd, answering APDUs from a card image.

vpcd (vsmartcard's PC/SC driver) listens on a TCP port per reader slot; a "card" is whatever
connects there. The protocol: every message, both ways, is a 2-byte big-endian length and then
that many bytes. vpcd sends 1-byte control messages (00 power off, 01 power on, 02 reset,
04 "send your ATR") and command APDUs; the card answers an ATR request with the ATR and every
APDU with its response (data + SW1 SW2). Control messages other than 04 get no answer.

The card behaves like the ones at the service points (see `devices.ssc_records` for the
layout): EF05 records 1-7 keyed by tag, EF06 records 1-7 holding tags 08, 09, 4E, 0A, 0B, 0C,
0D. Options reproduce what makes real cards awkward: T=0 style `61xx` (with chunked GET
RESPONSE), strict Le (`6Cxx`), a 3rd-generation PSAM lock on EF06 (`6982`), no record-identifier
addressing, EF06 records numbered by tag (08-0E), and being pulled out after N APDUs.
An empty reader is simply a card that was never inserted.
"""

from __future__ import annotations

import datetime as dt
import socket
import struct
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field

from devices import ssc_records as rec

# T=0 only (no TD1): TB1=00, TC1=00, then 13 historical bytes.
ATR = bytes.fromhex("3B6D0000") + b"YIBAO-SSC-VIC"

CTRL_OFF, CTRL_ON, CTRL_RESET, CTRL_ATR = 0x00, 0x01, 0x02, 0x04
_QUICKACK = getattr(socket, "TCP_QUICKACK", None)  # Linux only


@dataclass
class CardImage:
    """What is written on the card. Raw overrides let a test store bytes no encoder makes."""

    ssn: str = "441802199001011239"
    name: str = "张三"
    sex: str = "1"
    ethnicity: str = "01"
    birthplace: str = "441802"
    birth_date: dt.date = dt.date(1990, 1, 1)
    card_number: str = "S44180012"
    card_id: bytes = bytes.fromhex("441800D15600000501A2B3C4D5E6F708")
    card_type: bytes = b"3"
    spec_version: str = "2.00"
    init_org: bytes = bytes.fromhex("441800000000FFFFFFFFFFFF")
    issue_date: dt.date = dt.date(2021, 5, 1)
    expiry_date: dt.date = dt.date(2031, 5, 1)
    name_record: bytes | None = None  # raw 09 value instead of the encoded name
    name_extension: bytes | None = None  # raw 4E value instead of the encoded overflow
    numbered_by_tag: bool = False  # EF06 record n holds tag n

    def ef05(self) -> list[tuple[int, bytes]]:
        return [
            (rec.TAG_CARD_ID, self.card_id),
            (rec.TAG_CARD_TYPE, self.card_type),
            (rec.TAG_SPEC_VERSION, self.spec_version.encode("ascii")),
            (rec.TAG_INIT_ORG, self.init_org),
            (rec.TAG_ISSUE_DATE, rec.encode_bcd_date(self.issue_date)),
            (rec.TAG_EXPIRY_DATE, rec.encode_bcd_date(self.expiry_date)),
            (rec.TAG_CARD_NUMBER, self.card_number.encode("ascii")),
        ]

    def ef06(self) -> list[tuple[int, bytes]]:
        name, overflow = rec.encode_name(self.name)
        if self.name_record is not None:
            name = self.name_record
        extension = self.name_extension
        if extension is None:
            extension = overflow or b"\x00" * rec.NAME_EXTENSION_LENGTH
        return [
            (rec.TAG_SSN, self.ssn.encode("ascii")),
            (rec.TAG_NAME, name),
            (rec.TAG_NAME_EXTENSION, extension),
            (rec.TAG_SEX, self.sex.encode("ascii")),
            (rec.TAG_ETHNICITY, bytes.fromhex(self.ethnicity)),
            (rec.TAG_BIRTHPLACE, bytes.fromhex(self.birthplace)),
            (rec.TAG_BIRTH_DATE, rec.encode_bcd_date(self.birth_date)),
        ]

    def files(self) -> dict[int, dict[int, tuple[int, bytes]]]:
        """SFI → record number → (tag, value)."""
        ef06 = self.ef06()
        if self.numbered_by_tag:
            numbered = {tag: (tag, value) for tag, value in ef06}
        else:
            numbered = {n: item for n, item in enumerate(ef06, start=1)}
        return {
            rec.SFI_EF05: {tag: (tag, value) for tag, value in self.ef05()},
            rec.SFI_EF06: numbered,
        }


def tlv(tag: int, value: bytes) -> bytes:
    return bytes([tag, len(value)]) + value


def sw(word: int) -> bytes:
    return struct.pack(">H", word)


@dataclass
class VirtualSscCard:
    """One card. `insert(port)` connects it to vpcd; `remove()` pulls it out."""

    image: CardImage = field(default_factory=CardImage)
    psam_locked: bool | None = None  # None: locked when the image says spec 3.xx
    force_61: bool = False  # answer data with 61xx, to be fetched with GET RESPONSE
    chunk: int | None = None  # with force_61: GET RESPONSE hands out at most this much
    strict_le: bool = False  # Le 00 is "wrong" too: answer 6Cxx with the record's length
    identifier_addressing: bool = True  # READ RECORD by identifier (P2 b3-b1 = 000)
    remove_after: int | None = None  # pull the card out instead of answering APDU n+1
    aid: bytes = rec.AID
    atr: bytes = ATR
    apdus: list[bytes] = field(default_factory=list)  # every command APDU received

    def __post_init__(self) -> None:
        if self.psam_locked is None:
            self.psam_locked = self.image.spec_version.startswith("3")
        self._files = self.image.files()
        self._lock = threading.Lock()
        self._socket: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self._selected = False
        self._pending = b""
        self.pulled = threading.Event()  # set when remove_after pulled the card

    # --- the physical side ---------------------------------------------------------------------

    def insert(self, port: int, host: str = "127.0.0.1") -> None:
        sock = socket.create_connection((host, port), timeout=5)
        sock.settimeout(None)
        self._socket = sock
        self._thread = threading.Thread(target=self._serve, args=(sock,), daemon=True)
        self._thread.start()

    def remove(self) -> None:
        sock, self._socket = self._socket, None
        if sock is not None:
            with suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()
        if self._thread is not None:
            self._thread.join(5)
            self._thread = None

    @contextmanager
    def inserted(self, port: int) -> Iterator[VirtualSscCard]:
        self.insert(port)
        try:
            yield self
        finally:
            self.remove()

    def sent(self, prefix: bytes) -> list[bytes]:
        """The APDUs received that start with `prefix`."""
        with self._lock:
            return [apdu for apdu in self.apdus if apdu.startswith(prefix)]

    # --- vpcd's protocol -----------------------------------------------------------------------

    @staticmethod
    def _recv_exact(sock: socket.socket, size: int) -> bytes | None:
        data = b""
        while len(data) < size:
            if _QUICKACK is not None:  # vpcd writes length and body separately: ack at once
                sock.setsockopt(socket.IPPROTO_TCP, _QUICKACK, 1)
            chunk = sock.recv(size - len(data))
            if not chunk:
                return None
            data += chunk
        return data

    @staticmethod
    def _send(sock: socket.socket, payload: bytes) -> None:
        sock.sendall(struct.pack(">H", len(payload)) + payload)

    def _serve(self, sock: socket.socket) -> None:
        try:
            while True:
                header = self._recv_exact(sock, 2)
                if header is None:
                    return
                (length,) = struct.unpack(">H", header)
                message = self._recv_exact(sock, length) if length else b""
                if message is None:
                    return
                if len(message) == 1:
                    if message[0] == CTRL_ATR:
                        self._send(sock, self.atr)
                    else:  # power on / off / reset: the card starts afresh, no answer
                        self._selected = False
                        self._pending = b""
                    continue
                with self._lock:
                    self.apdus.append(message)
                    count = len(self.apdus)
                if self.remove_after is not None and count > self.remove_after:
                    self.pulled.set()
                    sock.shutdown(socket.SHUT_RDWR)
                    sock.close()
                    return
                self._send(sock, self.respond(message))
        except OSError:
            return

    # --- the card's operating system -----------------------------------------------------------

    def respond(self, apdu: bytes) -> bytes:
        if len(apdu) < 4:
            return sw(0x6700)
        ins, p1, p2 = apdu[1], apdu[2], apdu[3]
        if ins == 0xC0:
            return self._get_response(apdu)
        self._pending = b""
        if ins == 0xA4:
            return self._select(apdu, p1)
        if ins == 0xB2:
            return self._read_record(apdu, p1, p2)
        return sw(0x6D00)

    def _select(self, apdu: bytes, p1: int) -> bytes:
        if p1 != 0x04 or len(apdu) < 5:
            return sw(0x6A86)
        name = apdu[5 : 5 + apdu[4]]
        if name != self.aid:
            self._selected = False
            return sw(rec.SW_FILE_NOT_FOUND)
        self._selected = True
        fci = b"\x6f" + bytes([len(name) + 2]) + b"\x84" + bytes([len(name)]) + name
        return self._answer(fci, le=None)

    def _read_record(self, apdu: bytes, p1: int, p2: int) -> bytes:
        if not self._selected:
            return sw(0x6985)
        sfi, mode = p2 >> 3, p2 & 0x07
        records = self._files.get(sfi)
        if records is None:
            return sw(rec.SW_FILE_NOT_FOUND)
        if sfi == rec.SFI_EF06 and self.psam_locked:
            return sw(rec.SW_SECURITY_NOT_SATISFIED)
        if mode == 0x04:
            item = records.get(p1)
        elif mode == 0x00 and self.identifier_addressing:
            item = next((entry for entry in records.values() if entry[0] == p1), None)
        else:
            return sw(0x6A86)
        if item is None:
            return sw(rec.SW_RECORD_NOT_FOUND)
        le = apdu[4] if len(apdu) == 5 else None
        return self._answer(tlv(*item), le)

    def _answer(self, data: bytes, le: int | None) -> bytes:
        if le is not None and ((le == 0 and self.strict_le) or (le != 0 and le != len(data))):
            return sw(0x6C00 | len(data))
        if self.force_61 and data:
            self._pending = data
            return sw(0x6100 | self._announce())
        return data + sw(0x9000)

    def _announce(self) -> int:
        size = len(self._pending)
        return min(size, self.chunk) if self.chunk else size & 0xFF

    def _get_response(self, apdu: bytes) -> bytes:
        if not self._pending:
            return sw(0x6985)
        wanted = (apdu[4] if len(apdu) >= 5 else 0) or 256
        out, self._pending = self._pending[:wanted], self._pending[wanted:]
        if self._pending:
            return out + sw(0x6100 | self._announce())
        return out + sw(0x9000)
