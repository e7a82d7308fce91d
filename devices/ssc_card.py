"""Social-security card (社会保障卡) reader over PC/SC, with pyscard.

`SscCardReader` is an `IdentityReader`: `read()` waits for a card in its reader, selects the
social-security application, reads EF05 (the card) and EF06 (the holder) and returns a
`PersonRead`. The byte-level rules, and what we assume about the card's layout, are in
`devices.ssc_records`; this module is the conversation with pcscd and the failures a service
point meets: no pcscd, no reader, an empty reader, a card pulled out half-way, a card that is
not a social-security card, another program holding the card.

Third-generation cards (spec 3.00) keep EF06 closed until the terminal has authenticated with a
PSAM (a secure module in the reader, keyed by the province). We do not pretend to do that: we
read EF05, and unless a `ProvincialReadLibrary` is configured, `read()` raises `PsamRequired`
(a `DeviceError` that says so in plain Chinese and carries what was read). The province's own
reading library, loaded with ctypes by `CtypesProvincialLibrary`, is where PSAM reading plugs
in.

`watch()` reports readers and cards coming and going as plain `CardEvent`s from its own thread,
so the UI layer can wrap it in a Qt signal without this package importing Qt.

Every call on one reader holds that reader's lock (shared by all `SscCardReader` objects in the
process), and the card is opened exclusively, so two reads never interleave their APDUs. Names,
numbers and record contents are never logged; status words are.
"""

from __future__ import annotations

import ctypes
import datetime as dt
import logging
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any, Protocol

from smartcard import scard  # type: ignore[import-untyped]
from smartcard.Exceptions import (  # type: ignore[import-untyped]
    CardConnectionException,
    NoCardException,
    SmartcardException,
)
from smartcard.pcsc.PCSCExceptions import BaseSCardException  # type: ignore[import-untyped]
from smartcard.System import readers as pcsc_readers  # type: ignore[import-untyped]

from app.identity import IdKind, PersonRead
from devices.base import DeviceError, DeviceHealth, NoCard
from devices.ssc_records import (
    EF05_RECORDS,
    EF06_ITEMS,
    EF06_MAX_RECORD,
    SFI_EF05,
    SFI_EF06,
    SW_ADDRESSING_REFUSED,
    SW_FILE_NOT_FOUND,
    SW_RECORD_NOT_FOUND,
    SW_SECURITY_NOT_SATISFIED,
    TAG_NAME_EXTENSION,
    TAG_NAME_EXTENSION_ALT,
    BasicInfo,
    CardInfo,
    HolderInfo,
    RecordFormatError,
    Response,
    SscCardData,
    exchange,
    facts_from_id_number,
    parse_basic_info,
    parse_ef05,
    parse_ef06,
    parse_tlv,
    parse_yyyymmdd,
    read_record_apdu,
    read_record_by_id_apdu,
    select_aid_apdu,
)

log = logging.getLogger(__name__)

# --- what the operator is told ------------------------------------------------------------------


def _no_service() -> DeviceError:
    return DeviceError(
        "未找到智能卡服务（pcscd），请联系技术人员",
        "The smart-card service (pcscd) is not running; contact technical support.",
    )


def _service_failed() -> DeviceError:
    return DeviceError(
        "智能卡服务出错，请重新插拔读卡器；如仍不行请联系技术人员",
        "The smart-card service failed; reconnect the reader, then contact technical support.",
    )


def _no_reader() -> DeviceError:
    return DeviceError(
        "未找到社保卡读卡器，请检查读卡器是否连接",
        "No card reader was found; check that the reader is connected.",
    )


def _reader_missing(name: str) -> DeviceError:
    return DeviceError(
        f"未找到读卡器“{name}”，请检查读卡器是否连接",
        f"The card reader “{name}” was not found; check that it is connected.",
    )


def _reader_gone() -> DeviceError:
    return DeviceError(
        "读卡器已断开，请检查读卡器连接后重试",
        "The card reader was disconnected; check it and try again.",
    )


def _no_card() -> NoCard:
    return NoCard(
        "读卡器中没有社保卡，请插入社保卡",
        "There is no social-security card in the reader; insert the card.",
    )


def _card_pulled() -> DeviceError:
    return DeviceError(
        "读卡过程中社保卡被拔出，请重新插卡",
        "The card was removed while it was being read; insert it again.",
    )


def _card_mute() -> DeviceError:
    return DeviceError(
        "社保卡没有响应，请确认芯片朝向正确后重新插卡",
        "The card does not respond; check that it is inserted chip first and try again.",
    )


def _card_in_use() -> DeviceError:
    return DeviceError(
        "社保卡正被其他程序使用，请关闭其他读卡程序后重试",
        "Another program is using the card; close it and try again.",
    )


def _busy() -> DeviceError:
    return DeviceError("读卡器正忙，请稍后再试", "The card reader is busy; try again shortly.")


def _not_ssc() -> DeviceError:
    return DeviceError(
        "这张卡不是社保卡，或卡片已损坏",
        "This is not a social-security card, or the card is damaged.",
    )


def _unreadable() -> DeviceError:
    return DeviceError(
        "社保卡上的个人信息无法识别，请重新插卡；如仍不行请使用身份证或医保电子凭证",
        "The card's personal data could not be read; insert it again or use another document.",
    )


PSAM_MESSAGE_ZH = "第三代社保卡需要 PSAM 认证才能读取个人信息"


class PsamRequired(DeviceError):
    """A 3rd-generation card without PSAM authentication: `card` holds what could be read."""

    def __init__(self, card: SscCardData) -> None:
        super().__init__(
            f"{PSAM_MESSAGE_ZH}，本机未配置省级读卡库。请改用身份证或医保电子凭证，"
            "或请技术人员配置读卡库",
            "Third-generation social-security cards only release personal data after PSAM "
            "authentication, and no provincial reading library is configured. Use the ID card "
            "or the medical-insurance e-voucher, or ask technical support to configure one.",
        )
        self.card = card


# While connecting, these mean the card is coming or going: keep waiting. During a read, any
# transmit failure is reported as a pulled card: real readers say SCARD_W_REMOVED_CARD, vpcd
# gives an empty answer, and either way the operator's remedy is the same: insert it again.
_CONNECT_AGAIN = {
    scard.SCARD_W_REMOVED_CARD,
    scard.SCARD_E_NO_SMARTCARD,
    scard.SCARD_E_NOT_TRANSACTED,
    scard.SCARD_W_RESET_CARD,
}
_SERVICE_DOWN = {scard.SCARD_E_NO_SERVICE, scard.SCARD_E_SERVICE_STOPPED}
_READER_DOWN = {scard.SCARD_E_UNKNOWN_READER, scard.SCARD_E_READER_UNAVAILABLE}


def _hresult(exc: BaseException) -> int:
    value = getattr(exc, "hresult", -1)
    return int(value) if isinstance(value, int) else -1


# --- readers ------------------------------------------------------------------------------------


def list_readers() -> list[str]:
    """Names of the PC/SC readers pcscd knows; `DeviceError` when pcscd is not there."""
    try:
        return [str(reader) for reader in pcsc_readers()]
    except (BaseSCardException, SmartcardException) as exc:
        if _hresult(exc) in _SERVICE_DOWN:
            raise _no_service() from exc
        log.warning("listing PC/SC readers failed: %s", type(exc).__name__)
        raise _service_failed() from exc


_LOCKS: dict[str, threading.Lock] = {}
_LOCKS_GUARD = threading.Lock()


def _reader_lock(reader: str) -> threading.Lock:
    """One lock per reader name, for the whole process."""
    with _LOCKS_GUARD:
        return _LOCKS.setdefault(reader, threading.Lock())


# --- the provincial library (3rd-generation cards) ----------------------------------------------


class ProvincialReadLibrary(Protocol):
    """Where a province's own reading library plugs in for cards that need a PSAM.

    Provinces ship a library (SSCard.dll, libSSCard.so...) that drives the reader, resets the
    card and the PSAM, performs the internal/external authentication with the province's keys,
    and returns the basic data. Implementations must open the reader themselves: the driver has
    closed its connection and still holds the reader's lock while this runs.
    """

    name: str

    def read_basic_info(self, timeout: float) -> BasicInfo: ...


class CtypesProvincialLibrary:
    """Loads the configured provincial library with ctypes and calls its `iReadCardBas`.

    Expected C interface (人社部 social-security card terminal interface, as provinces ship it)::

        long iReadCardBas(int iType, char *pOutInfo);

    `iType`: 1 contact chip (our case), 2 contactless, 3 or 4 auto-detect. `pOutInfo` (GBK,
    at least 1024 bytes) receives on success (return 0) ::

        区划代码|社会保障号码|卡号|卡识别码|姓名|卡复位信息|规范版本|发卡日期|卡有效期|终端机编号|终端设备号|

    and an error message otherwise. The call blocks; ctypes cannot interrupt it, so `timeout`
    is only passed on to libraries that take one. Built against nothing here: which library,
    which function name and which card type a province uses is configuration, verified on site.
    """

    def __init__(
        self,
        path: str | os.PathLike[str] | None,
        *,
        function: str = "iReadCardBas",
        card_type: int = 1,
        encoding: str = "gbk",
        buffer_size: int = 4096,
    ) -> None:
        self.path = Path(path) if path else None
        self.name = f"provincial:{self.path.name}" if self.path else "provincial:unconfigured"
        self._function_name = function
        self._card_type = card_type
        self._encoding = encoding
        self._buffer_size = buffer_size
        self._function: Any = None
        self._lock = threading.Lock()

    @property
    def configured(self) -> bool:
        return self.path is not None

    def _load(self) -> Any:
        if self.path is None:
            raise DeviceError(
                "未配置省级社保卡读卡库，无法读取第三代社保卡个人信息，请联系技术人员",
                "No provincial card library is configured, so third-generation cards cannot "
                "be read; contact technical support.",
            )
        if self._function is None:
            try:
                if sys.platform == "win32":  # the 人社部 interface is __stdcall there
                    library: ctypes.CDLL = ctypes.WinDLL(str(self.path))
                else:
                    library = ctypes.CDLL(str(self.path))
                function = getattr(library, self._function_name)
            except (OSError, AttributeError) as exc:
                raise DeviceError(
                    f"无法加载省级社保卡读卡库（{self.path.name}），请联系技术人员",
                    f"The provincial card library {self.path.name} could not be loaded "
                    f"(or lacks {self._function_name}); contact technical support.",
                ) from exc
            function.argtypes = [ctypes.c_int, ctypes.c_char_p]
            function.restype = ctypes.c_long
            self._function = function
        return self._function

    def read_basic_info(self, timeout: float) -> BasicInfo:
        with self._lock:  # these libraries keep global state; one call at a time
            function = self._load()
            buffer = ctypes.create_string_buffer(self._buffer_size)
            code = int(function(self._card_type, buffer))
        text = buffer.value.decode(self._encoding, errors="replace")
        if code != 0:
            detail = text.strip()[:80] or "无详细信息"
            raise DeviceError(
                f"省级读卡库读卡失败（错误 {code}）：{detail}",
                f"The provincial card library failed (error {code}): {detail}",
            )
        try:
            return parse_basic_info(text)
        except RecordFormatError as exc:
            raise DeviceError(
                "省级读卡库返回的数据无法识别，请联系技术人员",
                "The provincial card library returned data we cannot parse.",
            ) from exc


# --- the reader ---------------------------------------------------------------------------------


class SscCardReader:
    """A social-security card in one PC/SC reader (the first one when none is named)."""

    name = "ssc_card"

    def __init__(
        self,
        reader_name: str | None = None,
        *,
        provincial: ProvincialReadLibrary | None = None,
        poll_interval: float = 0.1,
    ) -> None:
        self.reader_name = reader_name
        self.provincial = provincial
        self._poll = poll_interval
        self._last_error: str | None = None

    # The IdentityReader protocol.

    def read(self, timeout: float = 10.0) -> PersonRead:
        """Wait up to `timeout` seconds for a card and read the person on it."""
        try:
            person = self._read_person(time.monotonic() + timeout)
        except NoCard:
            self._last_error = None  # waiting for a card is not a fault
            raise
        except DeviceError as exc:
            self._last_error = exc.zh
            raise
        self._last_error = None
        return person

    def health(self) -> DeviceHealth:
        now = dt.datetime.now(dt.UTC)
        try:
            self._pick_reader()
        except DeviceError as exc:
            return DeviceHealth(self.name, False, False, False, exc.zh, now)
        return DeviceHealth(self.name, True, True, False, self._last_error, now)

    # More than the protocol.

    def readers(self) -> list[str]:
        return list_readers()

    def read_card(self, timeout: float = 10.0) -> SscCardData:
        """Everything the card gives without a PSAM; 3rd-generation cards: EF05 only."""
        deadline = time.monotonic() + timeout
        reader = self._pick_reader()
        with self._locked(reader, deadline):
            return self._read_card(reader, deadline)

    def watch(self, callback: Callable[[CardEvent], None], interval: float = 0.25) -> CardWatch:
        """Card and reader events for this reader (all readers when none was named)."""
        return CardWatch(callback, reader=self.reader_name, interval=interval)

    # Reading.

    def _read_person(self, deadline: float) -> PersonRead:
        reader = self._pick_reader()
        with self._locked(reader, deadline):
            data = self._read_card(reader, deadline)
            if data.psam_required:
                if self.provincial is None:
                    raise PsamRequired(data)
                log.info("3rd-generation card: reading through %s", self.provincial.name)
                basic = self.provincial.read_basic_info(max(deadline - time.monotonic(), 1.0))
                return self._person_from_library(basic, data.card)
        holder = data.holder
        if not holder.ssn or not holder.name:
            log.warning("card read without SSN or name; unreadable items: %s", data.unreadable)
            raise _unreadable()
        card = data.card
        sex, birth = facts_from_id_number(holder.ssn)
        return PersonRead(
            id_kind=IdKind.SSC,
            id_number=holder.ssn,
            name=holder.name,
            source=self.name,
            sex=holder.sex or sex,
            ethnicity=holder.ethnicity,
            birth_date=holder.birth_date or birth,
            issuer=card.region,
            valid_from=_shown(card.issue_date),
            valid_until=_shown(card.expiry_date),
            card_number=card.card_number,
        )

    def _person_from_library(self, basic: BasicInfo, card: CardInfo) -> PersonRead:
        sex, birth = facts_from_id_number(basic.ssn)
        issued = parse_yyyymmdd(basic.issue_date) or card.issue_date
        expiry = parse_yyyymmdd(basic.expiry_date) or card.expiry_date
        return PersonRead(
            id_kind=IdKind.SSC,
            id_number=basic.ssn.upper(),
            name=basic.name,
            source=f"{self.name}+{self.provincial.name if self.provincial else ''}",
            sex=sex,
            birth_date=birth,
            issuer=basic.region or card.region,
            valid_from=_shown(issued),
            valid_until=_shown(expiry),
            card_number=basic.card_number[:9] or card.card_number,
        )

    def _pick_reader(self) -> str:
        names = list_readers()
        if self.reader_name is not None:
            if self.reader_name not in names:
                raise _reader_missing(self.reader_name)
            return self.reader_name
        if not names:
            raise _no_reader()
        return names[0]

    @contextmanager
    def _locked(self, reader: str, deadline: float) -> Iterator[None]:
        lock = _reader_lock(reader)
        if not lock.acquire(timeout=max(deadline - time.monotonic(), 0.0)):
            raise _busy()
        try:
            yield
        finally:
            lock.release()

    def _read_card(self, reader: str, deadline: float) -> SscCardData:
        connection = self._connect(reader, deadline)
        try:
            return _CardSession(connection).read()
        finally:
            _close(connection)

    def _connect(self, reader: str, deadline: float) -> Any:
        """Open the card exclusively, waiting for one to be inserted until `deadline`."""
        try:
            connection = _reader_object(reader).createConnection()
        except (BaseSCardException, SmartcardException) as exc:
            raise _connection_error(exc) from exc
        waiting_for: Callable[[], DeviceError] = _no_card
        while True:
            try:
                connection.connect(mode=scard.SCARD_SHARE_EXCLUSIVE)
                return connection
            except NoCardException:
                waiting_for = _no_card
            except CardConnectionException as exc:
                code = _hresult(exc)
                if code == scard.SCARD_E_SHARING_VIOLATION:
                    waiting_for = _card_in_use
                elif code in (scard.SCARD_W_UNRESPONSIVE_CARD, scard.SCARD_W_UNPOWERED_CARD):
                    waiting_for = _card_mute
                elif code in _CONNECT_AGAIN:  # pulled (or pushed in) while connecting
                    waiting_for = _no_card
                else:
                    _close(connection)
                    raise _connection_error(exc) from exc
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                _close(connection)
                raise waiting_for()
            time.sleep(min(self._poll, remaining))


def _reader_object(name: str) -> Any:
    for reader in pcsc_readers():
        if str(reader) == name:
            return reader
    raise _reader_gone()


def _connection_error(exc: BaseException) -> DeviceError:
    code = _hresult(exc)
    if code in _SERVICE_DOWN:
        return _no_service()
    if code in _READER_DOWN:
        return _reader_gone()
    log.warning("PC/SC connect failed: %s %#x", type(exc).__name__, code & 0xFFFFFFFF)
    return _service_failed()


def _close(connection: Any) -> None:
    """Disconnect and free the connection's PC/SC context; errors here change nothing."""
    with suppress(BaseSCardException, SmartcardException):
        connection.disconnect()
    with suppress(BaseSCardException, SmartcardException):
        connection.release()


def _shown(date: dt.date | None) -> str | None:
    """Dates as the resident-ID reader shows them (2031.05.01)."""
    return f"{date:%Y.%m.%d}" if date else None


class _CardSession:
    """One connected card: SELECT, then EF05 and EF06."""

    def __init__(self, connection: Any) -> None:
        self._connection = connection

    def _transmit(self, apdu: bytes) -> tuple[bytes, int]:
        try:
            data, sw1, sw2 = self._connection.transmit(list(apdu))
        except CardConnectionException as exc:
            code = _hresult(exc)
            log.info("transmit failed: %#x", code & 0xFFFFFFFF)
            if code in _SERVICE_DOWN:
                raise _no_service() from exc
            raise _card_pulled() from exc
        return bytes(data), (sw1 << 8) | sw2

    def _send(self, apdu: bytes) -> Response:
        try:
            return exchange(self._transmit, apdu)
        except RecordFormatError as exc:
            raise _unreadable() from exc

    def read(self) -> SscCardData:
        selected = self._send(select_aid_apdu())
        if not selected.ok:
            log.info("SELECT social-security application: SW %04X", selected.sw)
            raise _not_ssc()
        bad: list[str] = []
        ef05, found = self._read_ef05(bad)
        if not found:
            raise _not_ssc()
        card, bad05 = parse_ef05(ef05)
        ef06, psam = self._read_ef06(bad)
        holder, bad06 = parse_ef06(ef06) if not psam else (HolderInfo(), [])
        return SscCardData(card, holder, psam, tuple(bad + bad05 + bad06))

    def _store(self, response: Response, into: dict[int, bytes], bad: list[str]) -> int | None:
        try:
            tag, value = parse_tlv(response.data)
        except RecordFormatError:
            bad.append("record")
            return None
        into.setdefault(tag, value)
        return tag

    def _read_ef05(self, bad: list[str]) -> tuple[dict[int, bytes], bool]:
        records: dict[int, bytes] = {}
        found = False
        for number in EF05_RECORDS:
            response = self._send(read_record_apdu(number, SFI_EF05))
            if response.ok:
                found = True
                self._store(response, records, bad)
            elif response.sw == SW_FILE_NOT_FOUND:
                log.info("EF05 not found")
                break
            elif response.sw != SW_RECORD_NOT_FOUND:
                found = True  # the file is there; this item is not for us
                log.info("EF05 record %02X: SW %04X", number, response.sw)
        return records, found

    def _read_ef06(self, bad: list[str]) -> tuple[dict[int, bytes], bool]:
        """By record identifier; record by record if the card refuses that. (items, psam)."""
        records: dict[int, bytes] = {}
        for tag in EF06_ITEMS:
            response = self._send(read_record_by_id_apdu(tag, SFI_EF06))
            if response.sw == SW_SECURITY_NOT_SATISFIED:
                return {}, True
            if response.sw in SW_ADDRESSING_REFUSED:
                log.info("EF06 identifier addressing refused (SW %04X)", response.sw)
                return self._scan_ef06(bad)
            if response.ok:
                self._store(response, records, bad)
            elif response.sw == SW_FILE_NOT_FOUND:
                return records, False
            elif response.sw != SW_RECORD_NOT_FOUND:
                log.info("EF06 item %02X: SW %04X", tag, response.sw)
        if TAG_NAME_EXTENSION not in records:
            response = self._send(read_record_by_id_apdu(TAG_NAME_EXTENSION_ALT, SFI_EF06))
            if response.ok:
                self._store(response, records, bad)
        return records, False

    def _scan_ef06(self, bad: list[str]) -> tuple[dict[int, bytes], bool]:
        records: dict[int, bytes] = {}
        for number in range(1, EF06_MAX_RECORD + 1):
            response = self._send(read_record_apdu(number, SFI_EF06))
            if response.sw == SW_SECURITY_NOT_SATISFIED:
                return {}, True
            if response.ok:
                self._store(response, records, bad)
            elif response.sw != SW_RECORD_NOT_FOUND:
                log.info("EF06 record %02X: SW %04X", number, response.sw)
                break
            elif records:
                break  # past the last record; cards numbered from 08 miss 1-7 first
        return records, False


# --- watching readers and cards -----------------------------------------------------------------


class CardEventKind(StrEnum):
    READER_ADDED = "reader_added"
    READER_REMOVED = "reader_removed"
    CARD_INSERTED = "card_inserted"
    CARD_REMOVED = "card_removed"
    SERVICE_LOST = "service_lost"  # pcscd went away (or was never there)
    SERVICE_RESTORED = "service_restored"


@dataclass(frozen=True)
class CardEvent:
    kind: CardEventKind
    reader: str | None = None


class CardWatch:
    """Calls `callback(CardEvent)` from its own thread until `stop()`.

    It starts with the present state as events (each reader added, each card inserted), so a
    subscriber needs no separate query. It waits in SCardGetStatusChange with a short timeout,
    re-lists readers between waits, and rides out pcscd restarts (SERVICE_LOST, then
    SERVICE_RESTORED and the readers again). Exceptions from the callback are logged, not
    allowed to stop the watch.
    """

    def __init__(
        self,
        callback: Callable[[CardEvent], None],
        *,
        reader: str | None = None,
        interval: float = 0.25,
    ) -> None:
        self._callback = callback
        self._only = reader
        self._interval = interval
        self._stop = threading.Event()
        self._context: Any = None
        self._context_lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, name="ssc-card-watch", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 3.0) -> None:
        self._stop.set()
        with self._context_lock:
            if self._context is not None:
                scard.SCardCancel(self._context)
        self._thread.join(timeout)

    def __enter__(self) -> CardWatch:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def _emit(self, kind: CardEventKind, reader: str | None = None) -> None:
        try:
            self._callback(CardEvent(kind, reader))
        except Exception:
            log.exception("card-event callback failed")

    def _set_context(self, context: Any) -> None:
        with self._context_lock:
            self._context = context

    def _release(self, context: Any) -> None:
        self._set_context(None)
        scard.SCardReleaseContext(context)

    def _run(self) -> None:
        context: Any = None
        known: dict[str, int] = {}  # reader → its last state (SCARD_STATE_*)
        service: bool | None = None
        while not self._stop.is_set():
            if context is None:
                code, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
                if code != scard.SCARD_S_SUCCESS:
                    context = None
                    if service is not False:
                        self._forget(known)
                        self._emit(CardEventKind.SERVICE_LOST)
                    service = False
                    self._stop.wait(self._interval)
                    continue
                self._set_context(context)
                if service is False:
                    self._emit(CardEventKind.SERVICE_RESTORED)
                service = True
            code, names = scard.SCardListReaders(context, [])
            if code == scard.SCARD_E_NO_READERS_AVAILABLE:
                names = []
            elif code != scard.SCARD_S_SUCCESS:
                self._release(context)
                context = None
                continue
            names = [n for n in names if self._only is None or n == self._only]
            self._diff_readers(known, names)
            if not names:
                self._stop.wait(self._interval)
                continue
            wanted = [(name, known[name]) for name in names]
            code, states = scard.SCardGetStatusChange(context, int(self._interval * 1000), wanted)
            if code == scard.SCARD_S_SUCCESS:
                for name, state, _atr in states:
                    self._card_state(known, name, state)
            elif code not in (scard.SCARD_E_TIMEOUT, scard.SCARD_E_CANCELLED):
                # A reader vanished mid-wait or pcscd died: start over with a fresh context.
                self._release(context)
                context = None
                self._stop.wait(self._interval / 5)
        if context is not None:
            self._release(context)

    def _diff_readers(self, known: dict[str, int], names: list[str]) -> None:
        for gone in [name for name in known if name not in names]:
            if known.pop(gone) & scard.SCARD_STATE_PRESENT:
                self._emit(CardEventKind.CARD_REMOVED, gone)
            self._emit(CardEventKind.READER_REMOVED, gone)
        for new in names:
            if new not in known:
                known[new] = scard.SCARD_STATE_UNAWARE
                self._emit(CardEventKind.READER_ADDED, new)

    def _card_state(self, known: dict[str, int], name: str, state: int) -> None:
        if name not in known:
            return
        was = bool(known[name] & scard.SCARD_STATE_PRESENT)
        now = bool(state & scard.SCARD_STATE_PRESENT)
        known[name] = state & ~scard.SCARD_STATE_CHANGED
        if now and not was:
            self._emit(CardEventKind.CARD_INSERTED, name)
        elif was and not now:
            self._emit(CardEventKind.CARD_REMOVED, name)

    def _forget(self, known: dict[str, int]) -> None:
        self._diff_readers(known, [])


def watch(
    callback: Callable[[CardEvent], None], *, reader: str | None = None, interval: float = 0.25
) -> CardWatch:
    """Start watching readers and cards; see `CardWatch`."""
    return CardWatch(callback, reader=reader, interval=interval)
