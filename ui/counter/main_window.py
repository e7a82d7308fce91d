"""The counter main window: items, the citizen, the form, and the queue."""

from __future__ import annotations

import datetime as dt
import functools
import logging
from collections.abc import Callable, Mapping

from PySide6.QtCore import Qt, QTimer, Slot
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QPushButton,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.catalog.schema import CatalogItem, FieldType, MaterialSpec
from app.catalog.search import build_index
from app.context import AppContext
from app.documents import FilingFacts, PendingMaterial, new_filing_facts
from app.documents.notice import Notice, build_advance_notice, build_notice
from app.documents.receipt import build_receipt
from app.errors import UserFacingError
from app.identity import PersonRead, mask_id_number, mask_name, mask_phone
from app.ratings import Rating
from app.relationships import relationship_label
from app.services.filing_service import (
    FilingRequest,
    FilingService,
    FormInvalid,
    MaterialsIncomplete,
    SavedFiling,
)
from app.services.login_service import LoggedIn
from app.services.permissions import MEMBER_CHANNELS, Denial, NotPermitted, Permissions
from app.services.person_service import RecordedPerson
from app.services.queue_service import FilingDetail, FilingSummary, StatusCounts
from app.services.station_service import OperatorInfo, StationInfo
from app.services.summary_service import StationSummary
from app.settings import scan_folder_path
from app.validation import validate_form
from app.validation.form import editable_values
from app.workdays import china_date
from sync.engine import SyncReport
from sync.state import SyncStateStore
from ui.camera.camera_worker import Mode, wait_for_cameras
from ui.camera.face_capture_dialog import FaceCaptureDialog
from ui.counter.form_view import FormView
from ui.counter.identity_panel import IdentityPanel
from ui.counter.item_list import ItemList
from ui.counter.materials_step import MaterialsStep
from ui.counter.notice_dialog import NoticeDialog
from ui.counter.proxy_panel import ProxyPanel, ProxySlot
from ui.counter.queue_view import QueueView
from ui.counter.rating_dialog import RatingDialog
from ui.counter.review_page import ReviewApplicant, ReviewFacts, ReviewMaterial, ReviewPage
from ui.counter.scan_router import ScanRouter
from ui.counter.signature_pad import SignatureDialog
from ui.counter.summary_view import SummaryView
from ui.counter.supplement_dialog import SupplementDialog
from ui.devices.hub import DeviceHub
from ui.login.idle_watch import IdleWatch
from ui.login.login_dialog import LoginDialog
from ui.login.logins import Logins
from ui.login.password_dialog import PasswordDialog
from ui.printing.print_worker import PrintWorker
from ui.session_bar import SessionBar
from ui.status_bar import StationStatusBar
from ui.sync_controller import SyncController
from ui.tasks import TaskLane

log = logging.getLogger(__name__)

OK_STYLE = "color: #1b5e20; font-weight: bold;"
ERROR_STYLE = "color: #b00020; font-weight: bold;"


class CounterWindow(QMainWindow):
    def __init__(
        self,
        ctx: AppContext,
        station: StationInfo,
        operator: OperatorInfo,
        devices: DeviceHub,
        language: str,
        sync: SyncController | None = None,
        *,
        logins: Logins | None = None,
    ) -> None:
        super().__init__()
        self.logins = logins
        self._locked = False
        self.setObjectName("counterWindow")
        self._ctx = ctx
        self._station = station
        self._operator = operator
        self.devices = devices
        self._language = language
        self._service: FilingService = ctx.filing_service(station)
        self._catalog = ctx.catalog.current()
        self.person: RecordedPerson | None = None
        self.last_saved: SavedFiling | None = None
        self.db_lane = TaskLane("db", self)

        self.setWindowTitle(self.tr("Yibao Station — Counter"))
        self.status = StationStatusBar(self)
        self.setStatusBar(self.status)
        self.session = SessionBar(self)
        self.session.set_station(station.name, station.code, station.is_demo)
        self.session.set_operator(operator.name, operator.code)
        self.session.set_buttons_visible(logins is not None)
        self.lock_button = self.session.lock_button
        self.switch_button = self.session.switch_button
        self.password_button = self.session.password_button
        self.idle = IdleWatch(ctx.settings.idle_lock_minutes, self)
        self.idle.idle.connect(self.lock)
        self.lock_button.clicked.connect(self.lock)
        self.switch_button.clicked.connect(self.switch_operator)
        self.password_button.clicked.connect(self.change_password)
        if logins is not None:
            self.idle.start()

        self.items = ItemList(language, self)
        self.identity = IdentityPanel(self)
        self.proxy = ProxyPanel(language, self)
        self.applicant: RecordedPerson | None = None  # 代办: who applies for the citizen
        self.permissions: Permissions | None = None  # the rules, once read on the lane
        self._allowed: frozenset[str] | None = None  # the items listed
        self.correcting: FilingDetail | None = None  # a refused filing being filed again
        self.form = FormView(language, self)
        self.materials = MaterialsStep(
            language, scan_folder_path(ctx.settings.devices, ctx.paths.root), self
        )
        self.review = ReviewPage(self)
        self.steps = QTabWidget(self)
        self.steps.setObjectName("filingSteps")
        self.steps.addTab(self.form, self.tr("1 Form"))
        self.steps.addTab(self.materials, self.tr("2 Materials and signature"))
        self.steps.addTab(self.review, self.tr("3 Check and confirm"))
        self.steps.setTabEnabled(2, False)  # reached only through "Check", which validates
        self.message = QLabel(self)
        self.message.setObjectName("messageLabel")
        self.message.setWordWrap(True)
        self.save_button = QPushButton(self.tr("Check and confirm"), self)
        self.save_button.setObjectName("saveButton")
        self.save_button.setAccessibleName(self.tr("Check the filing with the citizen"))
        self.next_button = QPushButton(self.tr("Next citizen"), self)
        self.next_button.setObjectName("nextCitizenButton")
        self.next_button.setAccessibleName(self.tr("Next citizen"))
        self.queue = QueueView(self)
        self.rating_dialog: RatingDialog | None = None
        self.supplement_dialog: SupplementDialog | None = None
        self.notice_dialog: NoticeDialog | None = None
        self.signature_dialog: SignatureDialog | None = None

        handle = QWidget(self)
        handle_layout = QVBoxLayout(handle)
        handle_layout.addWidget(self.identity)
        handle_layout.addWidget(self.proxy)
        handle_layout.addWidget(self.steps, 1)
        handle_layout.addWidget(self.message)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.next_button)
        buttons.addWidget(self.save_button)
        handle_layout.addLayout(buttons)

        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("counterTabs")
        self.tabs.addTab(handle, self.tr("Handle"))
        self.tabs.addTab(self.queue, self.tr("Queue"))
        self.queue.set_items(
            [
                (i.code, i.name_en if language.startswith("en") else i.name)
                for i in self._catalog.items
            ]
        )
        self.queue.filter_changed.connect(self.refresh)
        self.queue.correct_requested.connect(self.start_correction)
        self.queue.supplement_requested.connect(self.start_supplement)
        self.summary = SummaryView(self)
        self.tabs.addTab(self.summary, self.tr("Today"))
        self.summary.refresh_requested.connect(self.refresh_summary)
        self.summary.export_requested.connect(self.export_summary)
        self.tabs.currentChanged.connect(self._on_tab)

        self.splitter = splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(self.items)
        splitter.addWidget(self.tabs)
        splitter.setStretchFactor(1, 3)
        splitter.setSizes([300, 900])
        central = QWidget(self)
        central_layout = QVBoxLayout(central)
        central_layout.setContentsMargins(0, 0, 0, 0)
        central_layout.setSpacing(0)
        central_layout.addWidget(self.session)
        central_layout.addWidget(splitter, 1)
        self.setCentralWidget(central)

        # What the operator may not start is not shown (BRIEF §3); the rules are read on the
        # database lane, and the list fills when they arrive.
        self.reload_permissions()
        self.db_lane.submit(
            functools.partial(build_index, self._catalog), self.items.set_search_index
        )
        self.items.item_chosen.connect(self._on_item_chosen)
        self.identity.read_requested.connect(self.read_identity)
        devices.setParent(self)
        devices.person_read.connect(self._on_person)
        devices.device_failed.connect(self._on_device_failed)
        devices.status_changed.connect(self._on_devices_changed)
        self._on_devices_changed()
        self.scans = ScanRouter(ctx, language, self)
        devices.code_scanned.connect(self.scans.route)
        self.scans.person_resolved.connect(self._on_person)
        self.scans.filing_requested.connect(self.show_filing)
        self.scans.failed.connect(self._on_scan_failed)
        self.scans.resolving.connect(self.identity.set_reading)
        self.printer = PrintWorker(language, parent=self)
        self.printer.printed.connect(self._on_printed)
        self.printer.failed.connect(self._on_print_failed)
        self.printer.warning.connect(self._on_print_warning)
        self._saved_text = ""
        self.last_printed: str | None = None
        self.last_export: str | None = None
        self.identity.camera_scan_requested.connect(self.scan_with_camera)
        self.materials.face_requested.connect(self.take_face_photo)
        self.materials.checklist.capture_requested.connect(self.photograph_material)
        self.materials.signature_requested.connect(self.take_signature)
        self.materials.notice_print_requested.connect(self.print_advance_notice)
        self.materials.notice_show_requested.connect(self.show_advance_notice)
        self.identity.reveal_requested.connect(self.reveal_name)
        self.proxy.changed.connect(self._update_save_enabled)
        self.save_button.clicked.connect(self.check_filing)
        self.review.back.connect(self._back_to_edit)
        self.review.confirmed.connect(self.save)
        self.next_button.clicked.connect(self.next_citizen)
        self._update_save_enabled()
        self.sync = sync
        if sync is not None:
            sync.setParent(self)
            sync.started.connect(self._on_sync_started)
            sync.progressed.connect(self._on_sync_progress)
            sync.finished.connect(self._on_sync_finished)
            self.status.sync_button.show()
            self.status.sync_button.clicked.connect(sync.sync_now)
            self.status.set_network(online=False, reason=self.tr("connecting"))
            sync.start()
        self.refresh()

    # ---- operators ----------------------------------------------------------------------------
    def after_login(self, logged: LoggedIn) -> None:
        """Right after log-in: a password the centre wants changed is changed first."""
        if logged.must_change_password:
            QTimer.singleShot(0, functools.partial(self.change_password, True))

    @Slot()
    def lock(self) -> None:
        """Idle time or the Lock button: nothing shows until someone logs in again."""
        if self.logins is None or self._locked:
            return
        self._locked = True
        self.idle.pause()
        self.splitter.setVisible(False)  # what was on screen is not left readable
        dialog = LoginDialog(
            self.logins.login,
            self._language,
            self,
            station_name=self._station.name,
            operator_code=self._operator.code,
            locked=True,
        )
        dialog.exec()
        self._locked = False
        self.splitter.setVisible(True)
        self.idle.resume()
        if dialog.result_login is not None:
            self._take_over(dialog.result_login)

    @Slot()
    def switch_operator(self) -> None:
        if self.logins is None:
            return
        dialog = LoginDialog(
            self.logins.login, self._language, self, station_name=self._station.name
        )
        dialog.exec()
        if dialog.result_login is not None:
            self._take_over(dialog.result_login)

    def _take_over(self, logged: LoggedIn) -> None:
        if logged.operator.code != self._operator.code:
            self._operator = logged.operator
            self.session.set_operator(logged.operator.name, logged.operator.code)
            self.next_citizen()  # the last operator's citizen is not the new one's
            self.reload_permissions()
        self.after_login(logged)

    @Slot()
    def change_password(self, required: bool = False) -> None:
        if self.logins is None:
            return
        dialog = PasswordDialog(
            functools.partial(self.logins.change_password, self._operator.code),
            self._language,
            self,
            required=required,
        )
        dialog.exec()
        if dialog.changed:
            self._set_message(self.tr("Password changed."), ok=True)

    def reload_permissions(self) -> None:
        """Read the rules again: at start, for a new operator, and after a sync (the centre
        may have changed roles, the station's items or its member list)."""
        self.db_lane.submit(
            functools.partial(self._ctx.stations.permissions, self._operator.code),
            self._on_permissions,
        )

    def _on_permissions(self, permissions: object) -> None:
        assert isinstance(permissions, Permissions)
        self.permissions = permissions
        allowed = frozenset(i.code for i in permissions.allowed_items(self._catalog.items))
        if allowed != self._allowed:  # a sync that changed nothing leaves the list alone
            self._allowed = allowed
            self.items.set_items(self._catalog, allowed)

    # ---- identity -------------------------------------------------------------------------
    def read_identity(self) -> None:
        """The "read card" button. Readers are watched all the time, so a card laid on one is
        read without it; the button is for the demo (it lays a card on the simulated reader)
        and tells the operator where the card goes when there is no simulator."""
        if self.devices.put_demo_card():
            self.identity.set_reading(True)
            return
        if not self.devices.has_identity_reader():
            self.identity.show_error(
                self.tr(
                    "No card reader is working at this terminal. Ask the technician to check "
                    "the devices; other services can carry on."
                )
            )
            return
        self.identity.set_reading(True)

    @Slot(object)
    def _on_person(self, person: object) -> None:
        """A card was read: record the person on the database lane, then show them."""
        assert isinstance(person, PersonRead)
        self.identity.set_reading(True)
        self.db_lane.submit(
            functools.partial(self._ctx.persons.record, person),
            self._on_recorded,
            self._on_read_failed,
        )

    def _on_recorded(self, recorded: object) -> None:
        """A card was recorded: it is the applicant's when 代办 asks for theirs, else the
        citizen's (for a newborn, the guardian's card: the form carries the child)."""
        assert isinstance(recorded, RecordedPerson)
        self.identity.set_reading(False)
        masked = f"{mask_name(recorded.read.name)} · {mask_id_number(recorded.read.id_number)}"
        if self.proxy.proxy_enabled and self.proxy.active_slot is ProxySlot.APPLICANT:
            self.applicant = recorded
            self.proxy.set_applicant(masked)
            self._update_save_enabled()
            return
        denial = self._member_denial(recorded)
        if denial is not None:  # an employer or school serves its own members only
            self.identity.show_error(NotPermitted(denial).text(self._language))
            return
        self.person = recorded
        self.proxy.set_beneficiary(masked)
        self.queue.set_person((recorded.read.id_kind.value, recorded.token))
        self.identity.show_person(recorded.read)
        self.form.set_person(recorded.read)
        self._update_save_enabled()

    def _member_denial(self, recorded: RecordedPerson) -> Denial | None:
        """Told at the card, not at the save: on the employer and school channels a citizen
        who is not on the unit's member list cannot be served here (the save checks again)."""
        if self.permissions is None or self.permissions.channel not in MEMBER_CHANNELS:
            return None
        return self.permissions.member_denial(recorded.member_token)

    def reveal_name(self) -> None:
        """Show the full name once the view is on the audit trail (never before)."""
        person = self.person
        if person is None:
            return
        self.db_lane.submit(
            functools.partial(self._ctx.persons.record_view, person, self._operator.code, "name"),
            self._on_view_recorded,
            self._on_read_failed,
        )

    def _on_view_recorded(self, _result: object) -> None:
        if self.person is not None:
            self.identity.show_person(self.person.read, full_name=True)

    def _on_read_failed(self, exc: BaseException) -> None:
        self.identity.set_reading(False)
        self.identity.show_error(self._describe(exc, self.tr("The card could not be read.")))

    @Slot(str, str)
    def _on_device_failed(self, _kind: str, message: str) -> None:
        self.identity.set_reading(False)
        self.identity.show_error(message)

    @Slot()
    def _on_devices_changed(self) -> None:
        """Show device health, and keep it where the heartbeat finds it for the centre."""
        statuses = self.devices.statuses()
        self.status.set_devices(statuses, self._language)
        if self.devices.discovered:
            health = [s.as_heartbeat() for s in statuses]
            store = SyncStateStore(self._ctx.db)
            self.db_lane.submit(functools.partial(store.set_device_health, health))

    @Slot(str)
    def _on_scan_failed(self, message: str) -> None:
        self.identity.show_error(message)

    @Slot(str)
    def show_filing(self, key: str) -> None:
        """A receipt was scanned: show its filing in the queue."""
        self.tabs.setCurrentWidget(self.queue)
        if not self.queue.select_filing(key):
            self._set_message(
                self.tr("No filing with this receipt at this terminal: %1").replace("%1", key),
                ok=False,
            )

    # ---- camera ---------------------------------------------------------------------------
    def _open_camera_dialog(self, mode: Mode) -> FaceCaptureDialog | None:
        camera = self.devices.make_camera("face" if mode == "face" else "materials")
        if camera is None:
            problem = self.devices.camera_problem()
            self._set_message(
                self.tr("No camera at this terminal.") + (f" {problem}" if problem else ""),
                ok=False,
            )
            return None
        dialog = FaceCaptureDialog(
            camera,
            self,
            mode=mode,
            language=self._language,
            qr_decoder=self._ctx.settings.devices.qr_decoder,
        )
        dialog.exec()
        return dialog

    @Slot()
    def scan_with_camera(self) -> None:
        dialog = self._open_camera_dialog("qr")
        if dialog is not None and dialog.code:
            self.scans.route(dialog.code)

    @Slot()
    def take_face_photo(self) -> None:
        dialog = self._open_camera_dialog("face")
        if dialog is not None and dialog.jpeg is not None:
            self.materials.set_face(dialog.jpeg)

    @Slot(str)
    def photograph_material(self, code: str) -> None:
        """A checklist row's "photograph": one page for that material."""
        dialog = self._open_camera_dialog("materials")
        if dialog is not None and dialog.jpeg is not None:
            target = self.supplement_dialog
            if target is not None and target.isVisible():
                target.checklist.add_page(code, dialog.jpeg, "image/jpeg", "camera")
            else:
                self.materials.checklist.add_page(code, dialog.jpeg, "image/jpeg", "camera")

    @Slot()
    def take_signature(self) -> None:
        """The citizen signs on screen (window-modal, so the event loop keeps running)."""
        if self.signature_dialog is not None:
            self.signature_dialog.deleteLater()
        dialog = SignatureDialog(self)
        dialog.accepted.connect(functools.partial(self._on_signed, dialog))
        self.signature_dialog = dialog
        dialog.open()

    def _on_signed(self, dialog: SignatureDialog) -> None:
        if dialog.png is not None:
            self.materials.set_signature(dialog.png)

    def _forget_captures(self) -> None:
        self.materials.clear()

    def next_citizen(self) -> None:
        """Everything of this citizen leaves the screen: people, captures, form, 代办."""
        self.devices.take_demo_card()
        self._forget_captures()
        self.person = None
        self.applicant = None
        self.correcting = None
        self.proxy.clear()
        self.queue.set_person(None)
        self.identity.show_person(None)
        self.form.clear()
        self.form.set_person(None)
        self.steps.setCurrentIndex(0)
        self.steps.setTabEnabled(2, False)
        self._set_message("", ok=True)
        self._update_save_enabled()

    # ---- filing ---------------------------------------------------------------------------
    def _on_item_chosen(self, code: str) -> None:
        self._choose_item(self._catalog.item(code))

    def _choose_item(self, item: CatalogItem) -> None:
        self.form.set_item(item)
        self.form.set_person(self.person.read if self.person else None)
        self.materials.set_item(item)
        self.steps.setCurrentIndex(0)
        self.steps.setTabEnabled(2, False)
        hint = ""
        if any(f.type is FieldType.BIRTH_CERT and f.required for f in item.fields):
            hint = self.tr(
                "Newborn: read the guardian's card, then enter the birth certificate number "
                "and the child's details in the form."
            )
        self._set_message(hint, ok=True)
        self._update_save_enabled()

    def _update_save_enabled(self) -> None:
        ready = self.person is not None and self.form.item is not None
        if self.proxy.proxy_enabled:
            ready = ready and self.applicant is not None and bool(self.proxy.relationship_code())
        self.save_button.setEnabled(ready)
        if self.form.item is not None and self.person is None:
            self.save_button.setToolTip(self.tr("Read the citizen's card first"))
        elif self.proxy.proxy_enabled and not ready:
            self.save_button.setToolTip(
                self.tr("Read the applicant's card and choose the relationship")
            )
        else:
            self.save_button.setToolTip("")

    def _request(self) -> FilingRequest | None:
        """The filing as it stands, validated on this thread (it is quick), or None with the
        problems shown."""
        item, person = self.form.item, self.person
        if item is None or person is None:
            return None
        values = self.form.raw_values()
        checked = validate_form(item, values, prefill=person.read.prefill())
        self.form.show_errors(checked.errors)
        if not checked.ok:
            self.steps.setCurrentWidget(self.form)
            self._set_message(self.tr("Please correct the fields marked in red."), ok=False)
            return None
        proxy = self.proxy.proxy_enabled
        return FilingRequest(
            item_code=item.code,
            values=values,
            person=person,
            operator_code=self._operator.code,
            validated=checked,
            attachments=self.materials.attachments(),
            materials_pending=self.materials.materials_pending,
            references_uid=self.correcting.uid if self.correcting else None,
            applicant=self.applicant if proxy else None,
            relationship=self.proxy.relationship_code() if proxy else None,
        )

    @Slot()
    def check_filing(self) -> None:
        """ "Check and confirm": the review page, where the citizen sees what will be filed."""
        request = self._request()
        item = self.form.item
        if request is None or item is None:
            return
        self.review.set_facts(self._review_facts(item, request))
        self.steps.setTabEnabled(2, True)
        self.steps.setCurrentWidget(self.review)
        self._set_message("", ok=True)

    @Slot()
    def _back_to_edit(self) -> None:
        self.steps.setCurrentWidget(self.materials)
        self.steps.setTabEnabled(2, False)

    def _review_facts(self, item: CatalogItem, request: FilingRequest) -> ReviewFacts:
        english = self._language.startswith("en")
        pages: dict[str, int] = {}
        for a in request.attachments:
            pages[a.code] = pages.get(a.code, 0) + 1
        applicant = None
        if request.applicant is not None:
            applicant = ReviewApplicant(
                request.applicant.read.name,
                request.applicant.read.id_number,
                relationship_label(request.relationship or "", self._language),
            )
        return ReviewFacts(
            item_name=item.name_en if english else item.name,
            item_code=item.code,
            time_limit_days=item.time_limit_days,
            beneficiary_name=request.person.read.name,
            beneficiary_id=request.person.read.id_number,
            fields=tuple(self._display_fields(item, request.values)),
            materials=tuple(
                ReviewMaterial(m.name_en if english else m.name, m.required, pages.get(m.code, 0))
                for m in item.materials
            ),
            face_photo=(self.materials.face_photo is not None)
            if item.face_photo_required
            else None,
            signature=self.materials.signature is not None,
            materials_pending=request.materials_pending,
            applicant=applicant,
        )

    def _display_fields(
        self, item: CatalogItem, values: Mapping[str, object]
    ) -> list[tuple[str, str]]:
        """(label, value) for the review page; numbers that identify people are masked."""
        english = self._language.startswith("en")
        out = []
        for spec in item.fields:
            raw = values.get(spec.key)
            if raw in (None, ""):
                continue
            if spec.type is FieldType.CHOICE:
                labels_ = {c.value: (c.label_en if english else c.label) for c in spec.choices}
                text = labels_.get(str(raw), str(raw))
            elif spec.type is FieldType.BOOLEAN:
                text = self.tr("Yes") if raw else self.tr("No")
            elif spec.type is FieldType.ID_NUMBER:
                text = mask_id_number(str(raw))
            elif spec.type is FieldType.PHONE:
                text = mask_phone(str(raw))
            elif spec.type is FieldType.BANK_CARD:
                text = "**** " + str(raw)[-4:]
            elif spec.prefill is not None and spec.prefill.value == "person.name":
                text = mask_name(str(raw))
            else:
                text = str(raw)
            out.append((spec.label_en if english else spec.label, text))
        return out

    @Slot()
    def save(self) -> None:
        """Confirmed on the review page: saved and queued in one transaction off this thread."""
        request = self._request()
        if request is None:
            return
        self.save_button.setEnabled(False)
        self.review.confirm_button.setEnabled(False)
        self._set_message(self.tr("Saving..."), ok=True)
        self.db_lane.submit(
            functools.partial(self._service.submit, request), self._on_saved, self._on_save_failed
        )

    def _on_saved(self, saved: object) -> None:
        assert isinstance(saved, SavedFiling)
        self.last_saved = saved
        pending = self.materials.materials_pending
        missing = self.materials.checklist.missing_required()
        self.form.clear()
        self._forget_captures()
        self.correcting = None
        self.steps.setCurrentIndex(0)
        self.steps.setTabEnabled(2, False)
        self._saved_text = self.tr("Saved and queued for upload. Reference: %1").replace(
            "%1",
            saved.uid[-8:].upper(),  # the random end: UUIDv7 starts with the time
        )
        if pending:
            self._saved_text += " " + self.tr("Accepted with materials to follow.")
        self._set_message(self._saved_text, ok=True)
        self._update_save_enabled()
        self.refresh()
        self.print_receipt(saved)
        if pending and missing:
            self._print_notice(self._saved_notice(saved, missing))
        self.ask_rating(saved.uid)

    # ---- rating ---------------------------------------------------------------------------
    def ask_rating(self, uid: str) -> None:
        """The citizen rates the service on screen; the rating is queued like a filing."""
        if self.rating_dialog is not None:
            self.rating_dialog.deleteLater()
        dialog = RatingDialog(self._language, self)
        dialog.finished.connect(functools.partial(self._on_rated, uid, dialog))
        self.rating_dialog = dialog
        dialog.open()

    def _on_rated(self, uid: str, dialog: RatingDialog, _result: int) -> None:
        rating = dialog.rating
        if rating is None:
            return  # the citizen declined
        assert isinstance(rating, Rating)
        self.db_lane.submit(
            functools.partial(
                self._ctx.commands.rate, uid, rating, dialog.reasons, self._operator.code
            ),
            lambda _saved: self._set_message(
                self._saved_text + " " + self.tr("Thank you for rating."), ok=True
            ),
            self._on_command_failed,
        )

    # ---- correction and supplement --------------------------------------------------------
    def _with_detail(self, uid: str, then: Callable[[FilingDetail, CatalogItem], None]) -> None:
        """Read one filing's frozen values on the database lane, then act on it with its item
        (unless the current catalog no longer has that item)."""

        def arrived(detail: object) -> None:
            assert isinstance(detail, FilingDetail)
            try:
                item = self._catalog.item(detail.item_code)
            except KeyError:
                self._set_message(self.tr("This item is no longer in the catalog."), ok=False)
                return
            then(detail, item)

        self.db_lane.submit(functools.partial(self._ctx.queue.detail, uid), arrived)

    @Slot(str)
    def start_correction(self, uid: str) -> None:
        """A refused filing filed again: the same item and values, referencing the first.
        The citizen's card is read again (identity first, never from the old filing)."""
        self._with_detail(uid, self._correct)

    def _correct(self, detail: FilingDetail, item: CatalogItem) -> None:
        keep = self.person
        self.next_citizen()
        self.correcting = detail
        self._choose_item(item)
        self.form.set_values(editable_values(item, detail.values))
        if keep is not None and (keep.read.id_kind.value, keep.token) == (
            detail.person_kind,
            detail.person_token,
        ):
            self._on_recorded(keep)
        self.tabs.setCurrentIndex(0)
        reason = detail.centre_message or ""
        self._set_message(
            self.tr("Correcting filing %1. %2 Read the citizen's card, fix and check again.")
            .replace("%1", detail.uid[-8:].upper())
            .replace("%2", reason),
            ok=False,
        )

    @Slot(str)
    def start_supplement(self, uid: str) -> None:
        self._with_detail(uid, self._supplement)

    def _supplement(self, detail: FilingDetail, item: CatalogItem) -> None:
        if self.supplement_dialog is not None:
            self.supplement_dialog.deleteLater()
        dialog = SupplementDialog(
            item,
            detail,
            self._language,
            scan_folder_path(self._ctx.settings.devices, self._ctx.paths.root),
            self,
        )
        dialog.capture_requested.connect(self.photograph_material)
        dialog.accepted.connect(functools.partial(self._queue_supplement, dialog))
        self.supplement_dialog = dialog
        dialog.open()

    def _queue_supplement(self, dialog: SupplementDialog) -> None:
        self.db_lane.submit(
            functools.partial(
                self._ctx.commands.supplement,
                dialog.detail.uid,
                dialog.attachments(),
                self._operator.code,
            ),
            self._on_supplemented,
            self._on_command_failed,
        )

    def _on_supplemented(self, _saved: object) -> None:
        self.queue.message.setText(self.tr("Supplement saved and queued for upload."))
        self.refresh()

    def _on_command_failed(self, exc: BaseException) -> None:
        text = self._describe(exc, self.tr("Not saved. Nothing saved earlier was affected."))
        self._set_message(text, ok=False)
        self.queue.message.setText(text)

    # ---- one-time notice ------------------------------------------------------------------
    def _facts(self, uid: str, created: dt.datetime, item: CatalogItem) -> FilingFacts | None:
        person = self.person
        if person is None:
            return None
        station = (self._station.name, self._station.code)
        return new_filing_facts(uid, created, item, person.read, station, self._operator.code)

    def _saved_notice(self, saved: SavedFiling, missing: list[MaterialSpec]) -> Notice:
        item = self._catalog.item(saved.item_code)
        facts = self._facts(saved.uid, saved.created_at, item)
        assert facts is not None
        return build_notice(
            facts,
            missing=[PendingMaterial(m.name, m.note) for m in missing],
        )

    def _advance_notice(self) -> Notice | None:
        """The notice for what is missing now, before anything is filed."""
        item = self.form.item
        missing = self.materials.checklist.missing_required()
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        facts = self._facts("", now, item) if item is not None else None
        if facts is None or not missing:
            self._set_message(self.tr("Read the citizen's card first"), ok=False)
            return None
        return build_advance_notice(facts, [PendingMaterial(m.name, m.note) for m in missing])

    @Slot()
    def print_advance_notice(self) -> None:
        notice = self._advance_notice()
        if notice is not None:
            self._print_notice(notice)

    @Slot()
    def show_advance_notice(self) -> None:
        notice = self._advance_notice()
        if notice is None:
            return
        if self.notice_dialog is not None:
            self.notice_dialog.deleteLater()
        self.notice_dialog = NoticeDialog(notice, self)
        self.notice_dialog.print_requested.connect(self.print_advance_notice)
        self.notice_dialog.open()
        self._audit("document.shown", notice.filing_uid, "notice")

    def _print_notice(self, notice: Notice) -> None:
        folder = self._ctx.paths.root / "notices"
        name = notice.filing_uid or f"advance-{dt.datetime.now(dt.UTC):%Y%m%d%H%M%S}"
        self.printer.notice_pdf(notice, folder / f"{name}.pdf")
        self._audit("document.printed", notice.filing_uid, "notice")

    def _audit(self, action: str, uid: str | None, what: str) -> None:
        """A print or a shown document, about a filing (or, before filing, about the item)."""
        item = self.form.item.code if self.form.item else ""
        subject = f"filing:{uid}" if uid else f"item:{item}"
        self.db_lane.submit(
            functools.partial(
                self._ctx.audit.note,
                action,
                operator=self._operator.code,
                subject=subject,
                detail=what,
            )
        )

    # ---- printing -------------------------------------------------------------------------
    def print_receipt(self, saved: SavedFiling) -> None:
        """The receipt with its lookup QR: on the thermal printer, else as a PDF file."""
        facts = self._facts(saved.uid, saved.created_at, self._catalog.item(saved.item_code))
        if facts is None:
            return
        receipt = build_receipt(facts)
        printer = self.devices.receipt_printer
        if printer is not None:
            self.printer.receipt_to_device(receipt, printer)
        else:
            folder = self._ctx.paths.root / "receipts"
            self.printer.receipt_pdf(receipt, folder / f"{saved.uid}.pdf")
        self._audit("document.printed", saved.uid, "receipt")

    @Slot(str)
    def _on_printed(self, where: str) -> None:
        self.last_printed = where
        self._set_message(
            self._saved_text + " " + self.tr("Receipt printed (%1).").replace("%1", where), ok=True
        )

    @Slot(str)
    def _on_print_warning(self, message: str) -> None:
        self._set_message(self.message.text() + " " + message, ok=False)

    @Slot(str)
    def _on_print_failed(self, message: str) -> None:
        self._set_message(
            self._saved_text
            + " "
            + self.tr("The receipt was not printed: %1 The filing is saved.").replace(
                "%1", message
            ),
            ok=False,
        )

    # ---- sync -------------------------------------------------------------------------------
    @Slot()
    def _on_sync_started(self) -> None:
        self.status.set_sending(0, 0, 0)

    @Slot(int, int, int)
    def _on_sync_progress(self, done: int, total: int, sent: int) -> None:
        self.status.set_sending(done, total, sent)

    @Slot(object)
    def _on_sync_finished(self, report: object) -> None:
        assert isinstance(report, SyncReport)
        self.status.set_idle()
        self.status.set_attention(report.needs_attention)
        if report.online:
            self.status.set_network(online=True)
            when = report.finished_at or dt.datetime.now(dt.UTC).replace(tzinfo=None)
            local = when.replace(tzinfo=dt.UTC).astimezone()
            self.status.set_last_sync(f"{local:%H:%M}")
        else:
            reason = report.error_en if self._language.startswith("en") else report.error
            self.status.set_network(online=False, reason=reason or "")
        self.refresh()
        if report.online:
            self.reload_permissions()

    def _on_save_failed(self, exc: BaseException) -> None:
        if isinstance(exc, FormInvalid):
            self.form.show_errors(exc.errors)
            self.steps.setCurrentWidget(self.form)
        elif isinstance(exc, MaterialsIncomplete):
            self.steps.setCurrentWidget(self.materials)
        self.steps.setTabEnabled(2, False)
        self._set_message(
            self._describe(exc, self.tr("Not saved. Nothing saved earlier was affected.")),
            ok=False,
        )
        self._update_save_enabled()

    # ---- the day at a glance ---------------------------------------------------------------
    @Slot(int)
    def _on_tab(self, _index: int) -> None:
        if self.tabs.currentWidget() is self.summary:
            self.refresh_summary()

    @Slot()
    def refresh_summary(self) -> None:
        self.db_lane.submit(self._ctx.summaries.summary, self._on_summary)

    def _on_summary(self, summary: object) -> None:
        assert isinstance(summary, StationSummary)
        self.summary.show_summary(summary)

    @Slot()
    def export_summary(self) -> None:
        current = self.summary.summary
        if current is None:
            return
        path = self._ctx.paths.root / "exports" / f"summary-{current.day:%Y%m%d}.csv"
        self.db_lane.submit(
            functools.partial(self._ctx.summaries.export_csv, current, path, self._operator.code),
            self._on_exported,
            self._on_export_failed,
        )

    def _on_exported(self, path: object) -> None:
        self.last_export = str(path)
        self.summary.message.setText(self.tr("Saved to %1").replace("%1", str(path)))

    def _on_export_failed(self, exc: BaseException) -> None:
        self.summary.message.setText(self._describe(exc, self.tr("The export failed.")))

    # ---- queue and status -----------------------------------------------------------------
    def refresh(self) -> None:
        where = self.queue.current_filter(china_date(dt.datetime.now(dt.UTC)))
        self.db_lane.submit(
            functools.partial(self._ctx.queue.filings, where=where), self._on_filings
        )
        self.db_lane.submit(self._ctx.queue.counts, self._on_counts)

    def _on_filings(self, rows: object) -> None:
        assert isinstance(rows, list)
        self.queue.set_rows([r for r in rows if isinstance(r, FilingSummary)])

    def _on_counts(self, counts: object) -> None:
        assert isinstance(counts, StatusCounts)
        self.status.set_waiting(counts.waiting)

    # ---- helpers --------------------------------------------------------------------------
    def _describe(self, exc: BaseException, fallback: str) -> str:
        if isinstance(exc, UserFacingError):
            return exc.text(self._language)
        log.error("unexpected error", exc_info=exc)
        return fallback + " " + self.tr("The details are in the log.")

    def _set_message(self, text: str, *, ok: bool) -> None:
        self.message.setText(text)
        self.message.setStyleSheet(OK_STYLE if ok else ERROR_STYLE)

    def shutdown(self) -> None:
        """Stop sync, then the device watchers, then the database lane (finishing saves)."""
        self.idle.stop()
        if self.sync is not None:
            self.sync.shutdown()
        self.scans.shutdown()
        self.materials.shutdown()
        self.printer.shutdown()
        wait_for_cameras()  # cameras released when their dialogs closed, still finishing
        self.devices.shutdown()
        self.db_lane.shutdown()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.shutdown()
        super().closeEvent(event)
