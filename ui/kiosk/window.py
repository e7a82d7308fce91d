"""The kiosk window: full screen, no frame, for citizens on their own at any hour.

Pages: the attract screen (announcements from the centre and plain-language explainers, the
three ways to begin), "who are you" (card or e-voucher), and the citizen's home with the
services. A session ends by the idle countdown or by "finish": every trace of the person is
wiped (`ui.kiosk.privacy.scrub`) and the attract screen returns. The only way out is a hidden
gesture (five taps in the top right corner within four seconds) and the technician password.
"""

from __future__ import annotations

import functools
import json
import logging
import time
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QPoint, Qt, Signal, Slot
from PySide6.QtGui import QCloseEvent, QMouseEvent
from PySide6.QtWidgets import (
    QInputDialog,
    QLabel,
    QLineEdit,
    QMainWindow,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.catalog.schema import CatalogItem
from app.context import AppContext
from app.documents.certificate import build_certificate
from app.errors import UserFacingError
from app.identity import IdKind, PersonRead
from app.kiosk_form import kiosk_items
from app.services.filing_service import accepts_identity
from app.services.permissions import SELF_SERVICE_OPERATOR
from app.services.person_service import RecordedPerson
from app.services.station_service import StationInfo
from app.services.technician_auth import TechnicianAuth
from sync.insured import IssuedDocument, Records
from sync.state import SyncStateStore
from ui.counter.scan_router import ScanRouter
from ui.devices.hub import DeviceHub
from ui.kiosk import theme
from ui.kiosk.a11y_bar import A11yChoice
from ui.kiosk.application import ApplicationFlow
from ui.kiosk.availability import KioskAvailability, Service
from ui.kiosk.daily_restart import DailyRestart, exit_for_restart
from ui.kiosk.face_check import FaceCheckPage
from ui.kiosk.health import KioskHealth
from ui.kiosk.idle_countdown import IdleCountdown
from ui.kiosk.pages import AttractPage, HomePage, IdentifyPage
from ui.kiosk.privacy import scrub
from ui.kiosk.queries import KioskQueries, QueryPage
from ui.kiosk.session_folder import SessionFolder
from ui.kiosk.speech import Speaker
from ui.printing.print_worker import PrintWorker
from ui.sync_controller import SyncController
from ui.tasks import TaskLane

log = logging.getLogger(__name__)

IDLE_S = 60.0  # no touch for this long: the countdown starts
COUNTDOWN_S = 20
EXIT_TAPS = 5
EXIT_WINDOW_S = 4.0
EXIT_CORNER_PX = 90


class _ExitGesture(QObject):
    """Counts taps in the top right corner of the window; enough of them in time: `asked`."""

    asked = Signal()

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self._window = window
        self._taps: list[float] = []
        self._last: tuple[int, tuple[int, int]] | None = None

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.MouseButtonPress and isinstance(event, QMouseEvent):
            key = (event.timestamp(), event.globalPosition().toPoint().toTuple())
            if key == self._last:
                return False  # the same press again, passed on from a child to its parent
            self._last = key
            at = self._window.mapFromGlobal(event.globalPosition().toPoint())
            if at.y() < EXIT_CORNER_PX and at.x() > self._window.width() - EXIT_CORNER_PX:
                now = time.monotonic()
                self._taps = [t for t in self._taps if now - t < EXIT_WINDOW_S] + [now]
                if len(self._taps) >= EXIT_TAPS:
                    self._taps = []
                    self.asked.emit()
        return False


class KioskWindow(QMainWindow):
    def __init__(
        self,
        ctx: AppContext,
        devices: DeviceHub,
        language: str,
        station: StationInfo,
        *,
        sync: SyncController | None = None,
        demo: bool = False,
        speaker: Speaker | None = None,
        idle_s: float = IDLE_S,
        countdown_s: int = COUNTDOWN_S,
        temp_root: Path | None = None,
    ) -> None:
        super().__init__()
        self.setObjectName("kioskWindow")
        self.setWindowFlag(Qt.WindowType.FramelessWindowHint, True)
        self.setWindowTitle(self.tr("Yibao Station — Self-service"))
        self._ctx = ctx
        self._language = language
        self.station_name = station.name  # printed on certificates and receipts
        self.sync = sync
        self.devices = devices
        devices.setParent(self)
        self.person: RecordedPerson | None = None
        self.lane = TaskLane("kiosk-db", self)
        # Locked while this kiosk runs; folders of killed kiosks (receipt PDFs) go first.
        self.session_folder = SessionFolder(temp_root)
        self.temp_dir = self.session_folder.path
        self.a11y = A11yChoice(self)  # larger text, high contrast: the citizen's choice
        self.attract = AttractPage(self, a11y=self.a11y)
        self.identify = IdentifyPage(self, a11y=self.a11y)
        self.home = HomePage(self, a11y=self.a11y)
        self.query_page = QueryPage(self)
        self.queries = KioskQueries(ctx, language, self)
        self.printer = PrintWorker(language, parent=self)
        self.speaker = speaker or Speaker(language, self)
        self.face_check = FaceCheckPage(self.speaker, self)
        self.availability = KioskAvailability(language, self)
        self.availability.watch(devices)
        self.health = KioskHealth(
            ctx, devices, self.availability, self.lane, demo=demo, parent=self
        )
        self.application = ApplicationFlow(
            ctx,
            devices,
            self.printer,
            self.lane,
            language,
            self.temp_dir,
            (station.name, station.code),
            face_step=self.face_check,
            availability=self.availability,
            parent=self,
        )
        self.last_printed: str | None = None
        self.banner = QLabel(self)
        self.banner.setObjectName("countdownBanner")
        self.banner.setProperty("role", "countdown")
        self.banner.setWordWrap(True)
        self.banner.hide()
        self.card_notice = QLabel(self)  # after a session: the card is still in the reader
        self.card_notice.setObjectName("takeCardNotice")
        self.card_notice.setProperty("role", "warning")
        self.card_notice.setWordWrap(True)
        self.card_notice.hide()
        self._card_in = False
        self.pages = QStackedWidget(self)
        for page in (self.attract, self.identify, self.home, self.query_page, self.application):
            self.pages.addWidget(page)
        central = QWidget(self)
        layout = QVBoxLayout(central)
        layout.addWidget(self.banner)
        layout.addWidget(self.card_notice)
        layout.addWidget(self.pages, 1)
        self.setCentralWidget(central)
        theme.apply(self, theme.DEFAULT, theme.LARGE)

        self.countdown = IdleCountdown(idle_s, countdown_s, self)
        self.countdown.warning.connect(self._on_countdown)
        self.countdown.warning.connect(self._say_countdown)
        self.countdown.tick.connect(self._on_countdown)
        self.countdown.resumed.connect(self.banner.hide)
        self.countdown.expired.connect(self.end_session)
        self.attract.start_requested.connect(self.begin)
        self.identify.cancelled.connect(self.end_session)
        self.home.finished.connect(self.end_session)
        self.home.query_requested.connect(self.ask)
        self.home.print_requested.connect(self.print_document)
        self.home.apply_requested.connect(self.apply)
        self.application.closed.connect(self._back_home)
        self.application.filed.connect(self._on_filed)
        self.queries.issued.connect(self._on_issued)
        self.printer.printed.connect(self._on_printed)
        self.printer.failed.connect(self.query_page.show_failure)
        self.query_page.back.connect(lambda: self.pages.setCurrentWidget(self.home))
        self.queries.answered.connect(self._on_answer)
        self.queries.failed.connect(self.query_page.show_failure)
        self.scans = ScanRouter(ctx, language, self)
        devices.person_read.connect(self._on_person)
        devices.card_removed.connect(self._on_card_removed)
        self.a11y.theme_changed.connect(self._apply_look)
        self.pages.currentChanged.connect(self._speak_page)
        self.application.pages.currentChanged.connect(self._speak_page)
        self.application.step_shown.connect(lambda: self._speak_page(0))
        self.printer.failed.connect(self.health.after_print_failure)
        self.daily_restart = DailyRestart(ctx.settings.kiosk_restart_at, self.is_idle, self)
        self.daily_restart.restart_due.connect(self._restart_for_the_day)
        devices.code_scanned.connect(self._on_code)
        self.scans.person_resolved.connect(self._on_person)
        self.scans.failed.connect(self.identify.status.setText)
        # On the application: a tap anywhere in the corner counts, whatever widget is there
        # now or later.
        self.exit_gesture = _ExitGesture(self)
        app = QCoreApplication.instance()
        if app is not None:
            app.installEventFilter(self.exit_gesture)
        self.exit_gesture.asked.connect(self.ask_technician)
        self._leaving = False
        self.lane.submit(self._announcements, self._on_announcements)
        self.show_attract()
        self.health.start()
        self.daily_restart.start()
        if sync is not None:
            sync.setParent(self)
            sync.start()

    # ---- pages ------------------------------------------------------------------------------
    def show_attract(self) -> None:
        self.pages.setCurrentWidget(self.attract)
        self.attract.timer.start()

    @Slot()
    def begin(self) -> None:
        """A touch on the attract screen: a session begins, the countdown watches it."""
        self.attract.timer.stop()
        self.card_notice.hide()
        self.identify.status.setText(self.availability.reason(Service.CARD, self._language))
        self.pages.setCurrentWidget(self.identify)
        self.countdown.start()

    @Slot(object)
    def _on_person(self, person: object) -> None:
        assert isinstance(person, PersonRead)
        if person.id_kind is not IdKind.E_VOUCHER:
            self._card_in = True  # to be taken out at the end
        if self.pages.currentWidget() is self.attract:
            self.begin()  # a card put down on the attract screen starts a session too
        self.lane.submit(
            functools.partial(self._ctx.persons.record, person),
            self._on_recorded,
            self._on_failed,
        )

    @Slot(str)
    def _on_code(self, code: str) -> None:
        if self.pages.currentWidget() is self.attract:
            self.begin()
        self.scans.route(code)

    def _on_recorded(self, recorded: object) -> None:
        assert isinstance(recorded, RecordedPerson)
        self.person = recorded
        self.home.show_person(recorded.read)
        self.pages.setCurrentWidget(self.home)

    def _on_failed(self, exc: BaseException) -> None:
        if isinstance(exc, UserFacingError):
            self.identify.status.setText(exc.text(self._language))
        else:
            log.error("kiosk: the card could not be recorded", exc_info=exc)
            self.identify.status.setText(self.tr("The card could not be read. Please try again."))

    @Slot(str, str)
    def ask(self, kind: str, title: str) -> None:
        """A query for the identified citizen, answered by the centre."""
        if self.person is None:
            return
        self.query_page.asking(title)
        self.pages.setCurrentWidget(self.query_page)
        self.queries.ask(kind, self.person.read.id_number)

    @Slot(str, str)
    def print_document(self, kind: str, title: str) -> None:
        """参保证明 or 个人权益记录: recorded at the centre under a code, then printed."""
        if self.person is None:
            return
        self.query_page.asking(title)
        self.pages.setCurrentWidget(self.query_page)
        if not self.availability.is_available(Service.CERTIFICATES):
            self.query_page.show_failure(
                self.availability.reason(Service.CERTIFICATES, self._language)
            )
            return
        self.queries.issue(kind, self.person.read.id_number)

    @Slot()
    def apply(self) -> None:
        """The applications this citizen may make here (worked out on the worker lane)."""
        person = self.person
        if person is None:
            return
        self.lane.submit(
            functools.partial(self._kiosk_items, person), self._on_items, self._on_failed
        )

    def _kiosk_items(self, person: RecordedPerson) -> list[CatalogItem]:
        """Self-service applications the station offers that accept this identity document."""
        permissions = self._ctx.stations.permissions(SELF_SERVICE_OPERATOR)
        items = permissions.allowed_items(kiosk_items(self._ctx.catalog.current()))
        return [i for i in items if accepts_identity(i, person.read.id_kind)]

    def _on_items(self, items: object) -> None:
        assert isinstance(items, list)
        if self.person is None:
            return  # the session ended meanwhile
        self.application.start(self.person, items)
        self.pages.setCurrentWidget(self.application)

    def _back_home(self) -> None:
        if self.person is not None:
            self.pages.setCurrentWidget(self.home)

    def _on_filed(self, _uid: str) -> None:
        if self.sync is not None:
            self.sync.filing_queued()

    def _on_issued(self, issued: object) -> None:
        assert isinstance(issued, IssuedDocument)
        if self.person is None:
            return  # the session ended meanwhile: nothing is printed for nobody
        cert = build_certificate(
            issued.code, issued.verify_url, issued.issued_at, issued.certified, self.station_name
        )
        self.query_page.status.setText(self.tr("Printing..."))
        # Without an A4 printer the PDF is kept in the session's folder, wiped at the end.
        self.printer.certificate(cert, self.temp_dir / f"{issued.code}.pdf")

    def _on_printed(self, where: str) -> None:
        self.last_printed = where
        self.query_page.status.setText(
            self.tr("Printed. Please take your certificate from the printer.")
        )

    def _on_answer(self, records: object) -> None:
        assert isinstance(records, Records)
        if self.person is None or self.pages.currentWidget() is not self.query_page:
            return  # the session ended while the centre answered: show nothing
        self.query_page.show_records(records)

    @Slot(int)
    def _on_countdown(self, seconds: int) -> None:
        self.banner.setText(
            self.tr("Still there? Touch the screen to continue. Closing in %1 s.").replace(
                "%1", str(seconds)
            )
        )
        self.banner.show()

    @Slot()
    def end_session(self) -> None:
        """The person is done or gone: nothing of them stays for the next one."""
        self.countdown.stop()
        self.banner.hide()
        self.speaker.stop()
        self.devices.take_demo_card()
        self.person = None
        scrub([self], self.temp_dir, [self, self.face_check])
        self.a11y.reset()  # the next person starts with the defaults
        self.show_attract()
        if self._card_in:
            self.card_notice.setText(self.tr("Please take your card out of the reader."))
            self.card_notice.show()
            self.speaker.say(self.card_notice.text())

    @Slot(str)
    def _on_card_removed(self, _kind: str) -> None:
        self._card_in = False
        self.card_notice.hide()

    @Slot(str, str)
    def _apply_look(self, _theme: str, _size: str) -> None:
        theme.apply(self, self.a11y.theme, self.a11y.preset)

    @Slot(int)
    def _say_countdown(self, _seconds: int) -> None:
        self.speaker.say(self.tr("Still there? Touch the screen to continue."))

    @Slot(int)
    def _speak_page(self, _index: int) -> None:
        """Each step's fixed prompt, spoken (never the greeting: it holds the masked name)."""
        shown = self.pages.currentWidget()
        words = ""
        if shown is self.identify:
            words = self.identify.prompt.text()
        elif shown is self.home:
            words = self.tr("Please choose a service.")
        elif shown is self.application:
            flow = self.application
            inner = flow.pages.currentWidget()
            if inner is flow.choice:
                words = flow.choice.title.text()
            elif inner is flow.question:
                words = flow.question.title.text()
            elif inner is flow.photo:
                words = flow.photo.title.text() + "。" + flow.photo.guide.text()
            elif inner is flow.review:
                words = flow.review.title.text()
            elif inner is flow.done:
                words = flow.done.title.text() + "。" + flow.done.rating.title.text()
        if words:
            self.speaker.say(words)

    def is_idle(self) -> bool:
        """Nobody is being served and nothing is in flight: the daily restart may happen."""
        return (
            self.pages.currentWidget() is self.attract
            and self.person is None
            and not self.lane.pending
            and not self.printer.pending
        )

    @Slot()
    def _restart_for_the_day(self) -> None:
        self.end_session()
        exit_for_restart()  # the supervisor (systemd, watchdog.ps1) starts it again

    def forget(self) -> None:
        """In-memory holders of the session (`privacy.Forgettable`)."""
        self.person = None
        self.application.forget()

    # ---- reference data -----------------------------------------------------------------------
    def _announcements(self) -> list[tuple[str, str]]:
        raw = SyncStateStore(self._ctx.db).get("announcements", "[]") or "[]"
        try:
            items = json.loads(raw)
        except ValueError:
            return []
        return [(str(i.get("title", "")), str(i.get("body", ""))) for i in items if i]

    def _on_announcements(self, items: object) -> None:
        assert isinstance(items, list)
        self.attract.set_announcements(items)

    # ---- leaving ------------------------------------------------------------------------------
    @Slot()
    def ask_technician(self) -> None:
        """The hidden gesture: the technician password, else nothing happens."""
        auth = TechnicianAuth(self._ctx.secrets, self._ctx.db)
        password, ok = QInputDialog.getText(
            self, self.tr("Technician"), self.tr("Technician password"), QLineEdit.EchoMode.Password
        )
        if not ok:
            return
        try:
            auth.check(password)
        except UserFacingError as exc:
            log.info("kiosk: technician exit refused")
            self.identify.status.setText(exc.text(self._language))
            return
        self._leaving = True
        self.close()

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self._leaving:
            event.ignore()  # no way out for a citizen: Alt+F4 and the like do nothing
            return
        self.shutdown()
        super().closeEvent(event)

    def shutdown(self) -> None:
        app = QCoreApplication.instance()
        if app is not None:
            app.removeEventFilter(self.exit_gesture)
        self.countdown.stop()
        self.daily_restart.stop()
        self.health.shutdown()
        self.face_check.stop()
        self.speaker.shutdown()
        self.application.forget()
        if self.sync is not None:
            self.sync.shutdown()
        self.queries.shutdown()
        self.printer.shutdown()
        self.scans.shutdown()
        self.devices.shutdown()
        self.lane.shutdown()
        self.session_folder.remove()

    def exit_corner(self) -> QPoint:
        """Where the hidden exit gesture is tapped (for the technician's instructions)."""
        return QPoint(self.width() - EXIT_CORNER_PX // 2, EXIT_CORNER_PX // 2)
