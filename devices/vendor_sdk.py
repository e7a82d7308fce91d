"""Resident ID card readers through the vendor's own shared library, loaded with ctypes.

Some readers only speak through their vendor's library (HID readers with no serial port,
or sites whose security rules want the vendor stack). Two call styles cover most of them,
and this adapter drives either, when configured with the library's path. The library is
loaded on first use, never at import, so a station without it starts normally and hears
about it only if it is configured to use it. The library must match the program's word size:
many vendors still ship 32-bit Windows DLLs, which a 64-bit Python cannot load.

Signatures assumed (C, ``int`` is 32-bit; ``__stdcall`` on Windows, hence ``WinDLL`` there,
plain C calling convention elsewhere):

**SDT style** (``sdtapi.dll`` / ``libsdtapi.so``, shipped by many vendors). Every call
returns the SAM status byte (0x90 success, 0x9F card found, 0x80 no card, 0x81 select
failed, 0x41 read failed...) or a library code (0x01 port open failed / not open / bad port
number, 0x02 receive timeout, 0x03 transfer error). Ports: 1–16 are COM1–COM16, 1001–1016
the USB readers. ``iIfOpen = 0`` means "the port is already open" (we open it ourselves)::

    int SDT_OpenPort(int iPort);
    int SDT_ClosePort(int iPort);
    int SDT_GetSAMStatus(int iPort, int iIfOpen);
    int SDT_ResetSAM(int iPort, int iIfOpen);
    int SDT_GetSAMIDToStr(int iPort, char *pcSAMID, int iIfOpen);   /* >= 64 bytes */
    int SDT_StartFindIDCard(int iPort, unsigned char *pucManaInfo, int iIfOpen);  /* 8 */
    int SDT_SelectIDCard(int iPort, unsigned char *pucManaMsg, int iIfOpen);      /* 8 */
    int SDT_ReadBaseMsg(int iPort, unsigned char *pucCHMsg, unsigned int *puiCHMsgLen,
                        unsigned char *pucPHMsg, unsigned int *puiPHMsgLen, int iIfOpen);

``SDT_ReadBaseMsg`` returns the same 256-byte text block and 1024-byte WLT photo as the SAM
serial protocol, so `devices.id_card_text` parses it and rare characters survive.

**CVR style** (``termb.dll`` / ``libtermb.so``). Only the base calls are used; they return
1 on success::

    int CVR_InitComm(int Port);        /* 1 ok; anything else: the port did not open */
    int CVR_CloseComm(void);
    int CVR_Authenticate(void);        /* 1: a card was found and selected */
    int CVR_Read_Content(int Active);  /* 1 ok; called with Active = 4 (text and photo) */
    int GetPeopleName(char *buf, int *len);      /* and GetPeopleSex, GetPeopleNation, */
    int GetBMPData(unsigned char *buf, int *len);  /* optional: the decoded photo (BMP) */

``GetPeopleSex`` gives 男/女, ``GetPeopleNation`` the ethnicity's name (汉), the others
``GetPeopleBirthday``, ``GetPeopleAddress``, ``GetPeopleIDCode``, ``GetDepartment``,
``GetStartDate``, ``GetEndDate``. ``*len`` is passed in as the buffer's size and read back
as the text's length. The text comes in the system's multibyte code page (GBK on Chinese
Windows), decoded as GB18030, its superset: that code page can hold characters outside the
BMP, but a library that converts through plain GBK loses them, which is a reason to prefer
the SDT style or the serial protocol for people with rare characters in their names.
"""

from __future__ import annotations

import ctypes
import datetime as dt
import logging
import re
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal, TypeVar

from app.identity import PersonRead
from devices.base import DeviceError, DeviceHealth, NoCard
from devices.id_card_sam import PhotoDecoder, card_moved_error, no_card_error
from devices.id_card_text import (
    LONG_TERM,
    PHOTO_MIME,
    TEXT_BLOCK_LEN,
    check_fields,
    parse_text_block,
)

log = logging.getLogger(__name__)
T = TypeVar("T")

Flavour = Literal["SDT", "CVR"]

SDT_OK = 0x90
SDT_CARD_FOUND = 0x9F
SDT_NO_CARD = 0x80
SDT_SELECT_FAILED = 0x81
SDT_READ_FAILED = 0x41
SDT_PORT_ERROR = 0x01
SDT_TIMEOUT = 0x02
SDT_TRANSFER_ERROR = 0x03

CVR_OK = 1
CVR_READ_ALL = 4  # CVR_Read_Content's Active: text and photo

# GB/T 3304 ethnicity codes by name, for CVR libraries that return the name (汉), not the code.
_GB3304_NAMES = (  # codes 01-56 in order
    "汉 蒙古 回 藏 维吾尔 苗 彝 壮 布依 朝鲜 满 侗 瑶 白 土家 哈尼 哈萨克 傣 黎 傈僳 "
    "佤 畲 高山 拉祜 水 东乡 纳西 景颇 柯尔克孜 土 达斡尔 仫佬 羌 布朗 撒拉 毛南 "
    "仡佬 锡伯 阿昌 普米 塔吉克 怒 乌孜别克 俄罗斯 鄂温克 德昂 保安 裕固 京 塔塔尔 "
    "独龙 鄂伦春 赫哲 门巴 珞巴 基诺"
)
ETHNICITY_CODES: dict[str, str] = {
    name: f"{number:02d}" for number, name in enumerate(_GB3304_NAMES.split(), start=1)
} | {"其他": "97", "外国血统中国籍人士": "98", "外国血统": "98"}


def library_missing_error(path: str) -> DeviceError:
    return DeviceError(
        f"找不到或无法加载身份证读卡器的厂家驱动库（{path}），请安装与本程序位数（32/64位）"
        "一致的厂家驱动，或检查设置中的驱动库路径",
        f"The ID card reader's vendor library ({path}) was not found or would not load; "
        "install the vendor's driver built for this program's architecture (a 32-bit "
        "library cannot load into a 64-bit program), or check the library path in the settings.",
    )


def library_mismatch_error(path: str, flavour: str, symbol: str) -> DeviceError:
    return DeviceError(
        f"厂家驱动库（{path}）与设置的接口类型 {flavour} 不符，请检查设置",
        f"The vendor library {path} lacks {symbol}, so it is not a {flavour}-style library; "
        "check the settings.",
    )


class PortOpenFailed(DeviceError):
    """The library loaded but the reader's port did not open: the reader is absent."""


def port_error(port: int) -> PortOpenFailed:
    return PortOpenFailed(
        f"无法打开身份证读卡器（端口 {port}），请检查读卡器是否已连接",
        f"Cannot open the ID card reader on port {port}; check that it is connected.",
    )


def sdk_error(call: str, code: int) -> DeviceError:
    return DeviceError(
        f"身份证读卡器操作失败（{call} 返回 {code:#04x}），请重新放置身份证再试",
        f"The ID card reader failed ({call} returned {code:#04x}); place the card again and retry.",
    )


def _load(path: str) -> Any:
    """dlopen the library with the platform's calling convention (stdcall on Windows)."""
    if sys.platform == "win32":
        return ctypes.WinDLL(path)
    return ctypes.CDLL(path)


_c_int = ctypes.c_int
_c_uint_p = ctypes.POINTER(ctypes.c_uint)
_c_int_p = ctypes.POINTER(ctypes.c_int)
_buf = ctypes.c_char_p  # byte buffers: ctypes passes create_string_buffer as char*

SDT_SIGNATURES: dict[str, list[Any]] = {
    "SDT_OpenPort": [_c_int],
    "SDT_ClosePort": [_c_int],
    "SDT_GetSAMStatus": [_c_int, _c_int],
    "SDT_ResetSAM": [_c_int, _c_int],
    "SDT_GetSAMIDToStr": [_c_int, _buf, _c_int],
    "SDT_StartFindIDCard": [_c_int, _buf, _c_int],
    "SDT_SelectIDCard": [_c_int, _buf, _c_int],
    "SDT_ReadBaseMsg": [_c_int, _buf, _c_uint_p, _buf, _c_uint_p, _c_int],
}
CVR_GETTERS = {
    "name": "GetPeopleName",
    "sex": "GetPeopleSex",
    "ethnicity": "GetPeopleNation",
    "birth_date": "GetPeopleBirthday",
    "address": "GetPeopleAddress",
    "id_number": "GetPeopleIDCode",
    "issuer": "GetDepartment",
    "valid_from": "GetStartDate",
    "valid_until": "GetEndDate",
}
CVR_SIGNATURES: dict[str, list[Any]] = {
    "CVR_InitComm": [_c_int],
    "CVR_CloseComm": [],
    "CVR_Authenticate": [],
    "CVR_Read_Content": [_c_int],
} | {getter: [_buf, _c_int_p] for getter in CVR_GETTERS.values()}
CVR_OPTIONAL = {"GetBMPData": [_buf, _c_int_p]}


class VendorSdkReader:
    """An `IdentityReader` over a vendor's SDT- or CVR-style library.

    The port is opened for each read or health check and closed after it, so a reader
    unplugged between reads is found again without restarting, and the library never holds
    the device while no one is reading. Vendor libraries are not thread-safe: one lock
    serialises every call into them.
    """

    name = "vendor_sdk_id_card"

    def __init__(
        self,
        library_path: str | Path,
        port: int = 1001,
        flavour: Flavour = "SDT",
        *,
        photo_decoder: PhotoDecoder | None = None,
        poll_interval: float = 0.2,
        text_encoding: str = "gb18030",
    ) -> None:
        if flavour not in ("SDT", "CVR"):
            raise ValueError(f"unknown vendor SDK flavour {flavour!r}: SDT or CVR")
        self.library_path = str(library_path)
        self.port = port
        self.flavour = flavour
        self.photo_decoder = photo_decoder
        self.poll_interval = poll_interval
        self.text_encoding = text_encoding
        self._lock = threading.Lock()
        self._lib: Any = None
        self._last_error: str | None = None

    # -- IdentityReader --

    def read(self, timeout: float = 10.0) -> PersonRead:
        """Wait up to `timeout` seconds for a card, then read it. Blocks."""
        deadline = time.monotonic() + timeout
        with self._lock:
            if self.flavour == "SDT":
                return self._remembering(lambda: self._with_sdt_port(self._sdt_read, deadline))
            return self._remembering(
                lambda: self._with_cvr_port(lambda lib: self._cvr_wait_and_read(lib, deadline))
            )

    def health(self) -> DeviceHealth:
        """Present = the library loads and the port opens; working = the SAM reports 90."""
        now = dt.datetime.now(dt.UTC)
        present = working = False
        with self._lock:
            try:
                if self.flavour == "SDT":
                    working = self._remembering(lambda: self._with_sdt_port(self._sdt_status, None))
                else:
                    working = self._remembering(lambda: self._with_cvr_port(lambda _: True))
                present = True
            except PortOpenFailed:
                pass
            except DeviceError:
                present = self._lib is not None
            return DeviceHealth(self.name, present, working, False, self._last_error, now)

    def sam_id(self) -> str:
        """The SAM's serial number as the library formats it (SDT style only)."""
        if self.flavour != "SDT":
            raise DeviceError(
                "该厂家驱动库不提供安全模块编号", "This vendor library does not give the SAM id."
            )
        with self._lock:
            return self._remembering(lambda: self._with_sdt_port(self._sdt_sam_id, None))

    # -- plumbing --

    def _remembering(self, action: Callable[[], T]) -> T:
        try:
            result = action()
        except NoCard:
            self._last_error = None  # waiting for a card is not a fault
            raise
        except DeviceError as exc:
            self._last_error = exc.zh
            raise
        self._last_error = None
        return result

    def _library(self) -> Any:
        if self._lib is None:
            try:
                lib = _load(self.library_path)
            except OSError as exc:
                log.warning("cannot load vendor library %s: %s", self.library_path, exc)
                raise library_missing_error(self.library_path) from exc
            required = SDT_SIGNATURES if self.flavour == "SDT" else CVR_SIGNATURES
            for symbol, argtypes in required.items():
                try:
                    function = getattr(lib, symbol)
                except AttributeError as exc:
                    raise library_mismatch_error(self.library_path, self.flavour, symbol) from exc
                function.argtypes = argtypes
                function.restype = ctypes.c_int
            if self.flavour == "CVR":
                for symbol, argtypes in CVR_OPTIONAL.items():
                    function = getattr(lib, symbol, None)
                    if function is not None:
                        function.argtypes = argtypes
                        function.restype = ctypes.c_int
            self._lib = lib
        return self._lib

    def _wait_for_card(
        self, find: Callable[[], bool], read: Callable[[], T | None], deadline: float
    ) -> T:
        """Poll `find` until a card is there, then `read` it; `read` returns None if it slipped."""
        seen_card = False
        while True:
            if find():
                seen_card = True
                result = read()
                if result is not None:
                    return result
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise card_moved_error() if seen_card else no_card_error()
            time.sleep(min(self.poll_interval, remaining))

    def _photo(self, photo: bytes, mime: str) -> tuple[bytes | None, str | None]:
        if not photo:
            return None, None
        if self.photo_decoder is not None and mime == PHOTO_MIME:
            try:
                return self.photo_decoder(photo), "image/jpeg"
            except Exception:  # the read is worth more than the photo
                log.warning("the WLT photo decoder failed; keeping the raw photo", exc_info=True)
        return photo, mime

    # -- SDT --

    def _with_sdt_port(self, action: Callable[[Any, float | None], T], deadline: float | None) -> T:
        lib = self._library()
        code = lib.SDT_OpenPort(self.port)
        if code != SDT_OK:
            log.warning("SDT_OpenPort(%d) returned %#04x", self.port, code)
            raise port_error(self.port)
        try:
            return action(lib, deadline)
        finally:
            lib.SDT_ClosePort(self.port)

    def _sdt_status(self, lib: Any, _deadline: float | None) -> bool:
        code = lib.SDT_GetSAMStatus(self.port, 0)
        if code != SDT_OK:
            raise sdk_error("SDT_GetSAMStatus", code)
        return True

    def _sdt_sam_id(self, lib: Any, _deadline: float | None) -> str:
        buf = ctypes.create_string_buffer(128)
        code = lib.SDT_GetSAMIDToStr(self.port, buf, 0)
        if code != SDT_OK:
            raise sdk_error("SDT_GetSAMIDToStr", code)
        return buf.value.decode("ascii", "replace").strip()

    def _sdt_read(self, lib: Any, deadline: float | None) -> PersonRead:
        assert deadline is not None
        scratch = ctypes.create_string_buffer(64)

        def find() -> bool:
            code = lib.SDT_StartFindIDCard(self.port, scratch, 0)
            if code in (SDT_CARD_FOUND, SDT_OK):
                return True
            if code == SDT_NO_CARD:
                return False
            raise sdk_error("SDT_StartFindIDCard", code)

        def read() -> PersonRead | None:
            code = lib.SDT_SelectIDCard(self.port, scratch, 0)
            if code == SDT_SELECT_FAILED:
                return None
            if code != SDT_OK:
                raise sdk_error("SDT_SelectIDCard", code)
            text = ctypes.create_string_buffer(1024)  # generous: some libraries overrun
            photo = ctypes.create_string_buffer(4096)
            text_len, photo_len = ctypes.c_uint(0), ctypes.c_uint(0)
            code = lib.SDT_ReadBaseMsg(
                self.port, text, ctypes.byref(text_len), photo, ctypes.byref(photo_len), 0
            )
            if code == SDT_READ_FAILED:
                return None
            if code != SDT_OK:
                raise sdk_error("SDT_ReadBaseMsg", code)
            if text_len.value != TEXT_BLOCK_LEN or photo_len.value > len(photo):
                raise sdk_error("SDT_ReadBaseMsg", code)
            fields = parse_text_block(text.raw[:TEXT_BLOCK_LEN])
            image, mime = self._photo(photo.raw[: photo_len.value], PHOTO_MIME)
            return fields.to_person(self.name, photo=image, photo_mime=mime)

        return self._wait_for_card(find, read, deadline)

    # -- CVR --

    def _with_cvr_port(self, action: Callable[[Any], T]) -> T:
        lib = self._library()
        code = lib.CVR_InitComm(self.port)
        if code != CVR_OK:
            log.warning("CVR_InitComm(%d) returned %d", self.port, code)
            raise port_error(self.port)
        try:
            return action(lib)
        finally:
            lib.CVR_CloseComm()

    def _cvr_wait_and_read(self, lib: Any, deadline: float) -> PersonRead:
        return self._wait_for_card(
            lambda: bool(lib.CVR_Authenticate() == CVR_OK), lambda: self._cvr_read(lib), deadline
        )

    def _cvr_read(self, lib: Any) -> PersonRead | None:
        if lib.CVR_Read_Content(CVR_READ_ALL) != CVR_OK:
            return None  # the card moved between authenticate and read: find it again
        text = {field: self._cvr_text(lib, getter) for field, getter in CVR_GETTERS.items()}
        text["sex"] = {"男": "1", "女": "2"}.get(text["sex"], text["sex"])
        nation = text["ethnicity"]
        text["ethnicity"] = ETHNICITY_CODES.get(nation.removesuffix("族"), nation)
        for field in ("birth_date", "valid_from", "valid_until"):
            if text[field] != LONG_TERM:
                text[field] = re.sub(r"\D", "", text[field])  # 1980年01月01日, 1980-01-01...
        fields = check_fields(text)
        image, mime = self._cvr_photo(lib)
        return fields.to_person(self.name, photo=image, photo_mime=mime)

    def _cvr_text(self, lib: Any, getter: str) -> str:
        buf = ctypes.create_string_buffer(256)
        size = ctypes.c_int(len(buf) - 1)
        code = getattr(lib, getter)(buf, ctypes.byref(size))
        if code != CVR_OK:
            raise sdk_error(getter, code)
        raw = buf.raw[: size.value] if 0 < size.value < len(buf) else buf.value
        try:
            return raw.split(b"\0", 1)[0].decode(self.text_encoding).strip()
        except UnicodeDecodeError as exc:
            raise sdk_error(getter, code) from exc

    def _cvr_photo(self, lib: Any) -> tuple[bytes | None, str | None]:
        get_bmp = getattr(lib, "GetBMPData", None)
        if get_bmp is None:
            return None, None
        buf = ctypes.create_string_buffer(65536)
        size = ctypes.c_int(len(buf))
        if get_bmp(buf, ctypes.byref(size)) != CVR_OK or not 0 < size.value <= len(buf):
            return None, None  # the photo is a bonus; the text is what the filing needs
        return self._photo(buf.raw[: size.value], "image/bmp")
