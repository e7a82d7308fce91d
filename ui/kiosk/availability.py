"""Which kiosk services work right now, and what to tell a citizen about those that do not.

A citizen at an unattended kiosk can do nothing about a reader error or an empty paper tray,
and a device message only worries them. So a service whose device is out is switched off and
the citizen is told, in plain words, that this service is paused here and where to go instead
(a township or street station, the 12393 hotline). The technician sees the device errors
(technician screen, heartbeat), the citizen never does.

Rules (a device not yet reported counts as working, so a kiosk that has just started does not
turn citizens away; readers and the camera must have been found to count):

- card identification: off when no card reader (social-security or ID) is present and working;
  the e-voucher still works with a scanner, and the message says so;
- e-voucher identification: off when the scanner is set as not used, or was found and failed,
  or a serial scanner's port is missing; a keyboard-wedge scanner cannot be detected and counts
  as working;
- nothing at all (`Service.KIOSK`) when neither way of identifying works;
- face check and material photos: off when the camera is absent or failed;
- certificates (参保证明, 个人权益记录 on A4): off when the A4 printer does not accept a job
  (out of paper, offline, stopped, jammed, absent). A PDF in a kiosk's temporary folder is no
  certificate a citizen can take away, so a real kiosk without an A4 printer has none; the
  demo prints PDFs;
- receipts: printed on the thermal printer, else on A4 (`receipt_route`); with neither, the
  application is still filed and queued, and the window shows the receipt number on screen for
  the citizen to write down (`ReceiptRoute.SCREEN`). Only then is `Service.RECEIPTS` off.

Messages come as Chinese and English pairs chosen by the language passed in, like the device
messages, so a kiosk can answer in either language for one session.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Iterable, Mapping

from PySide6.QtCore import QObject, Signal, Slot

from devices.printer_state import PrinterState
from devices.registry import DeviceKind
from ui.devices.hub import DeviceHub, DeviceStatus

log = logging.getLogger(__name__)


class Service(enum.StrEnum):
    KIOSK = "kiosk"  # any service: a citizen can be identified at all
    CARD = "card"  # identification with the social-security card or the ID card
    E_VOUCHER = "e_voucher"  # identification with the e-voucher code
    FACE_CHECK = "face_check"  # items that need a face photo for the real-person check
    MATERIAL_PHOTOS = "material_photos"  # items that need photos of materials
    CERTIFICATES = "certificates"  # 参保证明 and 个人权益记录, printed on A4
    RECEIPTS = "receipts"  # a printed receipt for an application


class ReceiptRoute(enum.StrEnum):
    THERMAL = "thermal"  # the receipt printer
    A4 = "a4"  # the A4 printer, when the receipt printer cannot
    SCREEN = "screen"  # no printer: the receipt number is shown for the citizen to note


_GO_ZH = "到乡镇（街道）医保服务站办理，或拨打12393咨询。"
_GO_EN = "go to your township (street) medical-insurance service station, or call 12393."

# Service → (Chinese, English) said to a citizen when it is off; any other service (one the
# window adds later) gets `PAUSED`.
PAUSED = (f"此项服务本机暂停，请{_GO_ZH}", f"This service is paused at this kiosk. Please {_GO_EN}")
MESSAGES: dict[Service, tuple[str, str]] = {
    Service.KIOSK: (f"本机暂停服务，请{_GO_ZH}", f"This kiosk is out of service. Please {_GO_EN}"),
    Service.CARD: (
        f"本机暂时不能读卡。请出示手机上的医保电子凭证；也可以{_GO_ZH}",
        "This kiosk cannot read cards at the moment. Please show the medical-insurance "
        f"e-voucher on your phone. You can also {_GO_EN}",
    ),
    Service.E_VOUCHER: (
        f"本机暂时不能扫码。请插入社保卡，或把身份证放在读卡区；也可以{_GO_ZH}",
        "This kiosk cannot scan codes at the moment. Please insert your social-security card "
        f"or put your ID card on the reader. You can also {_GO_EN}",
    ),
    Service.FACE_CHECK: (
        f"需要拍照核验本人的业务，本机暂停办理，请{_GO_ZH}",
        f"Services that need a photo of you are paused at this kiosk. Please {_GO_EN}",
    ),
    Service.MATERIAL_PHOTOS: (
        f"需要拍摄材料的业务，本机暂停办理，请{_GO_ZH}",
        f"Services that need photos of documents are paused at this kiosk. Please {_GO_EN}",
    ),
    Service.CERTIFICATES: (
        f"本机暂时不能打印证明，请{_GO_ZH}",
        f"This kiosk cannot print certificates at the moment. Please {_GO_EN}",
    ),
    Service.RECEIPTS: (
        "本机暂时不能打印回执，申请照常办理。办完后请记下屏幕上的回执编号。",
        "This kiosk cannot print receipts at the moment; your application is still made. "
        "Please write down the receipt number shown on the screen.",
    ),
}

READERS = (DeviceKind.SSC_CARD, DeviceKind.ID_CARD)


def _works(status: DeviceStatus | None) -> bool:
    return status is not None and status.present and status.working


class KioskAvailability(QObject):
    """Keeps what works from the device hub's statuses and the printers' states.

    `changed` carries `{Service: message}` for every service that is off, in the language
    given at construction; it fires only when that set or a message changes.
    """

    changed = Signal(object)  # dict[Service, str]

    def __init__(self, language: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._language = language
        self._statuses: dict[DeviceKind, DeviceStatus] | None = None  # None: not reported yet
        self._drivers: dict[DeviceKind, str] = {}
        self._printers: dict[DeviceKind, PrinterState] = {}
        self._hub: DeviceHub | None = None
        self._last: dict[Service, str] = {}

    # ---- what comes in ----------------------------------------------------------------------
    def watch(self, hub: DeviceHub) -> None:
        """Follow the hub's statuses from now on (and take them now if discovery is done)."""
        self._hub = hub
        hub.status_changed.connect(self._on_hub)
        if hub.discovered:
            self._on_hub()

    @Slot()
    def _on_hub(self) -> None:
        assert self._hub is not None
        drivers = {kind: report.driver for kind, report in self._hub.reports.items()}
        self.set_devices(self._hub.statuses(), drivers)

    def set_devices(
        self, statuses: Iterable[DeviceStatus], drivers: Mapping[DeviceKind, str] | None = None
    ) -> None:
        """The devices as the hub reports them; `drivers` as discovery found them ("wedge",
        "serial", "none", ...), which tells an undetectable scanner from a missing one."""
        self._statuses = {s.kind: s for s in statuses}
        self._drivers = dict(drivers or {})
        self._update()

    def set_printer(self, state: PrinterState) -> None:
        """A printer's state as `devices.printer_state` found it."""
        self._printers[state.kind] = state
        self._update()

    # ---- what the window asks --------------------------------------------------------------
    def is_available(self, service: Service) -> bool:
        return service not in self._off()

    def reason(self, service: Service, language: str) -> str:
        """What to tell the citizen about a service that is off ("" when it works)."""
        off = self._off()
        if service not in off:
            return ""
        if Service.KIOSK in off and service in (Service.KIOSK, Service.CARD, Service.E_VOUCHER):
            service = Service.KIOSK  # no way in at all: do not point to the other way
        zh, en = MESSAGES.get(service, PAUSED)
        return zh if language.startswith("zh") else en

    def unavailable(self, language: str | None = None) -> dict[Service, str]:
        """Every service that is off, with what to tell the citizen."""
        language = language or self._language
        return {service: self.reason(service, language) for service in sorted(self._off())}

    def receipt_route(self) -> ReceiptRoute:
        """Where an application's receipt comes out now."""
        if self._accepts(DeviceKind.RECEIPT_PRINTER):
            return ReceiptRoute.THERMAL
        if self._accepts(DeviceKind.DOCUMENT_PRINTER):
            return ReceiptRoute.A4
        return ReceiptRoute.SCREEN

    # ---- the rules --------------------------------------------------------------------------
    def _accepts(self, kind: DeviceKind) -> bool:
        state = self._printers.get(kind)
        return state is None or state.accepting  # not checked yet: try, a failure re-checks

    def _scanner_works(self) -> bool:
        assert self._statuses is not None
        driver = self._drivers.get(DeviceKind.SCANNER, "")
        status = self._statuses.get(DeviceKind.SCANNER)
        if driver == "none":
            return False
        if status is None:
            return True
        if status.present:
            return status.working
        return driver in ("wedge", "")  # a wedge cannot be detected; a missing port is missing

    def _off(self) -> set[Service]:
        off: set[Service] = set()
        if self._statuses is not None:
            if not any(_works(self._statuses.get(k)) for k in READERS):
                off.add(Service.CARD)
            if not self._scanner_works():
                off.add(Service.E_VOUCHER)
            if not _works(self._statuses.get(DeviceKind.CAMERA)):
                off |= {Service.FACE_CHECK, Service.MATERIAL_PHOTOS}
        if {Service.CARD, Service.E_VOUCHER} <= off:
            off.add(Service.KIOSK)
        if not self._accepts(DeviceKind.DOCUMENT_PRINTER):
            off.add(Service.CERTIFICATES)
        if self.receipt_route() is ReceiptRoute.SCREEN:
            off.add(Service.RECEIPTS)
        return off

    def _update(self) -> None:
        now = self.unavailable()
        if now != self._last:
            self._last = now
            log.info("kiosk services off: %s", ", ".join(s.value for s in now) or "none")
            self.changed.emit(dict(now))
