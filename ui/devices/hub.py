"""One place where the window meets the terminal's devices, whichever drivers they are.

The hub starts a watcher thread per identity reader and turns what the drivers report into
signals on the GUI thread: a person read (from any card), a card removed, a device failed or
recovered, and the health of every device (including those absent, with the reason), which
the status bar shows and the heartbeat carries to the centre. The window never learns whether
a reader is the SAM driver, the vendor SDK, PC/SC or a simulator.
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QObject, Signal, Slot

from app.identity import PersonRead
from app.settings import DeviceSettings, ScannerDriver
from devices.base import DeviceError, DeviceHealth
from devices.camera import Camera, Scene, SimulatedCamera
from devices.identity import IdentityReader
from devices.receipt_printer import ReceiptPrinter
from devices.registry import (
    KIND_LABELS,
    DeviceKind,
    DeviceReport,
    TerminalDevices,
    build_camera,
    build_identity_readers,
    build_receipt_printer,
    discover_all,
)
from devices.simulated_identity import SimulatedIdentityReader
from ui.devices.identity_watcher import (
    IdentityWatchWorker,
    health_of,
    person_of,
)
from ui.scanner_worker import ScannerWorker
from ui.tasks import TaskLane, WorkerThread
from ui.wedge_scanner import WedgeScanner

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DeviceStatus:
    """A device as the status bar and heartbeat show it (no personal data)."""

    kind: DeviceKind
    present: bool
    working: bool
    simulated: bool
    message_zh: str = ""
    message_en: str = ""

    def label(self, language: str) -> str:
        zh, en = KIND_LABELS[self.kind]
        return zh if language.startswith("zh") else en

    def message(self, language: str) -> str:
        return self.message_zh if language.startswith("zh") else self.message_en

    def as_heartbeat(self) -> dict[str, object]:
        return {
            "name": self.kind.value,
            "present": self.present,
            "working": self.working,
            "simulated": self.simulated,
            "last_error": self.message_zh or None,
        }


class DeviceHub(QObject):
    person_read = Signal(object)  # PersonRead, from any identity reader
    code_scanned = Signal(str)  # from the keyboard-wedge filter or a serial scanner
    card_removed = Signal(str)  # DeviceKind value
    device_failed = Signal(str, str)  # DeviceKind value, message in the UI language
    status_changed = Signal()  # `statuses()` changed

    def __init__(
        self,
        language: str,
        parent: QObject | None = None,
        *,
        poll_timeout: float | None = None,
    ) -> None:
        super().__init__(parent)
        self._language = language
        self._poll = poll_timeout
        self.readers: dict[DeviceKind, IdentityReader] = {}
        self._status: dict[DeviceKind, DeviceStatus] = {}
        self._watchers: list[WorkerThread] = []
        self._lane = TaskLane("device-discovery", self)
        self.discovered = False
        self.reports: dict[DeviceKind, DeviceReport] = {}
        self.receipt_printer: ReceiptPrinter | None = None
        self._cfg = DeviceSettings()
        self._demo = False
        self._scanner: WorkerThread | None = None
        self._wedge: WedgeScanner | None = None

    def discover(self, cfg: DeviceSettings, *, demo: bool, receipts: Path | None = None) -> None:
        """Find the devices on a worker thread (probing serial ports takes a moment), then
        watch what was found. `status_changed` fires when it is done."""
        self._cfg, self._demo = cfg, demo
        if cfg.scanner in (ScannerDriver.AUTO, ScannerDriver.WEDGE):
            self.install_wedge()
        self._lane.submit(
            functools.partial(self._discover, cfg, demo, receipts),
            self._on_discovered,
            self._on_discovery_failed,
        )

    @staticmethod
    def _discover(cfg: DeviceSettings, demo: bool, receipts: Path | None) -> TerminalDevices:
        reports = discover_all(cfg)
        built = build_identity_readers(cfg, demo=demo, reports=reports)
        for report in reports:  # kinds that are not identity readers: report them as found
            if report.kind not in built.readers and report.kind not in built.absent:
                built.others[report.kind] = report
        built.reports = reports
        printer = next(r for r in reports if r.kind is DeviceKind.RECEIPT_PRINTER)
        folder = str(receipts) if receipts is not None else "receipts"
        built.receipt_printer = build_receipt_printer(cfg, printer, demo=demo, folder=folder)
        if built.receipt_printer is not None and not printer.present:
            built.others[DeviceKind.RECEIPT_PRINTER] = DeviceReport(
                DeviceKind.RECEIPT_PRINTER, "simulated", True, "simulator"
            )
        return built

    def _on_discovered(self, result: object) -> None:
        assert isinstance(result, TerminalDevices)
        self.reports = {r.kind: r for r in result.reports}
        self.receipt_printer = result.receipt_printer
        scanner = self.reports.get(DeviceKind.SCANNER)
        if scanner is not None and scanner.driver == "serial" and scanner.present:
            self._start_serial_scanner(scanner.detail)
        camera = self.reports.get(DeviceKind.CAMERA)
        if camera is not None and not camera.present and self._demo:
            # The demo photographs with the simulated camera, as it reads simulated cards.
            result.others[DeviceKind.CAMERA] = DeviceReport(
                DeviceKind.CAMERA, "simulated", True, "simulator"
            )
        self.use(result.readers, {**result.absent, **result.others})

    def _on_discovery_failed(self, exc: BaseException) -> None:
        log.error("device discovery failed", exc_info=exc)
        self.discovered = True
        self.status_changed.emit()

    def use(
        self, readers: dict[DeviceKind, IdentityReader], others: dict[DeviceKind, DeviceReport]
    ) -> None:
        """Watch these readers; `others` are the remaining devices as discovery found them."""
        for kind, report in others.items():
            self._status[kind] = DeviceStatus(
                kind,
                report.present,
                report.present,
                report.driver == "simulated",
                report.reason_zh,
                report.reason_en,
            )
        for kind, reader in readers.items():
            self.readers[kind] = reader
            simulated = isinstance(reader, SimulatedIdentityReader)
            self._status[kind] = DeviceStatus(kind, True, True, simulated)
            options = {} if self._poll is None else {"poll_timeout": self._poll}
            worker = IdentityWatchWorker(kind.value, reader, **options)
            worker.person_read.connect(self._on_person)
            worker.card_removed.connect(self._on_removed)
            worker.failed.connect(self._on_failed)
            worker.recovered.connect(self._on_recovered)
            worker.health_changed.connect(self._on_health)
            watcher = WorkerThread(worker, f"watch-{kind.value}", self)
            self._watchers.append(watcher)
            watcher.start()
        self.discovered = True
        self.status_changed.emit()

    # ---- scanners and the camera -----------------------------------------------------------
    def install_wedge(self) -> None:
        """Listen for keyboard-wedge scanners everywhere in the application."""
        app = QCoreApplication.instance()
        if self._wedge is None and app is not None:
            self._wedge = WedgeScanner(self)
            self._wedge.codeScanned.connect(self._on_code)
            self._wedge.install(app)

    def _start_serial_scanner(self, port: str) -> None:
        from devices.serial_scanner import SerialScanner

        worker = ScannerWorker(
            SerialScanner(port, self._cfg.scanner_baudrate), language=self._language
        )
        worker.codeScanned.connect(self._on_code)
        worker.failed.connect(self._on_scanner_failed)
        self._scanner = WorkerThread(worker, "scanner", self)
        self._scanner.start()

    @Slot(str)
    def _on_code(self, code: str) -> None:
        self.code_scanned.emit(code)

    @Slot(str)
    def _on_scanner_failed(self, message: str) -> None:
        self.device_failed.emit(DeviceKind.SCANNER.value, message)

    def make_camera(self, scene: Scene = "face") -> Camera | None:
        """A camera to open for one capture (the dialog opens and closes it), or None.

        `scene` is what a simulated camera shows: a person, or a sheet of paper on a desk."""
        report = self.reports.get(DeviceKind.CAMERA)
        if report is None:
            return SimulatedCamera(scene=scene) if self._demo else None
        return build_camera(self._cfg, report, demo=self._demo, scene=scene)

    def camera_problem(self) -> str:
        report = self.reports.get(DeviceKind.CAMERA)
        if report is None:
            return ""
        return report.reason(self._language)

    # ---- life ------------------------------------------------------------------------------
    def shutdown(self) -> None:
        self._lane.shutdown()
        if self._wedge is not None:
            app = QCoreApplication.instance()
            if app is not None:
                self._wedge.uninstall(app)
            self._wedge = None
        if self._scanner is not None:
            self._scanner.shutdown()
            self._scanner = None
        for watcher in self._watchers:
            watcher.worker.stop()
        for watcher in self._watchers:
            watcher.shutdown()
        self._watchers.clear()

    # ---- what the window asks --------------------------------------------------------------
    def statuses(self) -> list[DeviceStatus]:
        order = list(DeviceKind)
        return sorted(self._status.values(), key=lambda s: order.index(s.kind))

    def has_identity_reader(self) -> bool:
        return bool(self.readers)

    def simulated_id_reader(self) -> SimulatedIdentityReader | None:
        reader = self.readers.get(DeviceKind.ID_CARD)
        return reader if isinstance(reader, SimulatedIdentityReader) else None

    def put_demo_card(self, person: PersonRead | None = None) -> bool:
        """Demo only: lay a card on the simulated ID reader; the watcher then reports it.

        Returns False when the ID reader is real (there, the citizen lays the card down).
        """
        reader = self.simulated_id_reader()
        if reader is None:
            return False
        if person is None:
            reader.present_new_person()
        else:
            reader.present(person)
        return True

    def take_demo_card(self) -> None:
        reader = self.simulated_id_reader()
        if reader is not None:
            reader.remove()

    # ---- from the watcher threads ----------------------------------------------------------
    @Slot(str, object)
    def _on_person(self, _kind: str, person: object) -> None:
        self.person_read.emit(person_of(person))

    @Slot(str)
    def _on_removed(self, kind: str) -> None:
        self.card_removed.emit(kind)

    @Slot(str, object)
    def _on_failed(self, kind: str, exc: object) -> None:
        assert isinstance(exc, DeviceError)
        device = DeviceKind(kind)
        old = self._status[device]
        self._status[device] = DeviceStatus(
            device, old.present, False, old.simulated, exc.zh, exc.en
        )
        self.device_failed.emit(kind, exc.text(self._language))
        self.status_changed.emit()

    @Slot(str)
    def _on_recovered(self, kind: str) -> None:
        device = DeviceKind(kind)
        old = self._status[device]
        self._status[device] = DeviceStatus(device, True, True, old.simulated)
        self.status_changed.emit()

    @Slot(str, object)
    def _on_health(self, kind: str, value: object) -> None:
        health: DeviceHealth = health_of(value)
        device = DeviceKind(kind)
        error = health.last_error or ""
        new = DeviceStatus(
            device,
            True,  # a watched reader was found or configured: unplugged counts as a fault
            health.present and health.working,
            health.simulated,
            error,
            error and "see the technician screen for details",
        )
        if new != self._status.get(device):
            self._status[device] = new
            self.status_changed.emit()
