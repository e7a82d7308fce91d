"""The technician screen (`yibao gui --mode technician`): find, configure and test devices.

Behind the technician password. Every device call (discovery, probing, test reads) and the
password check (scrypt, the keyring) run on a worker lane; the screen only shows results.
What a test read returns is masked, as on the counter. Keyboard-wedge scanners cannot be
discovered, so the screen has a box that shows (masked) what the application-wide scanner
filter caught, which is how a technician checks one. The speech section says whether the kiosk
can speak its prompts (and with which engine and voice) or runs silently, and why; the Speaker
finds that out on its own thread.
"""

from __future__ import annotations

import dataclasses
import functools
import logging
import time
from enum import Enum
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt, Slot
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMainWindow,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.context import AppContext
from app.documents.notice import build_notice
from app.errors import UserFacingError
from app.services.technician_auth import TechnicianAuth
from app.settings import DEVICE_SETTING_LABELS, DeviceSettings, save_settings
from devices.base import DeviceError
from devices.registry import (
    KIND_LABELS,
    DeviceKind,
    DeviceReport,
    discover_all,
    discover_document_printer,
)
from devices.self_test import TestResult, mask_code, run_test, sample_facts
from sync.state import SyncStateStore
from ui.kiosk.speech import Speaker, SpeechStatus
from ui.printing.document_pdf import notice_pdf, print_notice
from ui.tasks import TaskLane
from ui.technician.terminal_figures import TerminalFigures
from ui.wedge_scanner import WedgeScanner

log = logging.getLogger(__name__)

ERROR_STYLE = "color: #b00020; font-weight: bold;"
OK_STYLE = "color: #1b5e20; font-weight: bold;"


class TechnicianWindow(QMainWindow):
    def __init__(self, ctx: AppContext, language: str, speaker: Speaker | None = None) -> None:
        super().__init__()
        self.setObjectName("technicianWindow")
        self.setWindowTitle(self.tr("Yibao Station — Technician"))
        self._ctx = ctx
        self._language = language
        self._auth = TechnicianAuth(ctx.secrets, ctx.db)
        self.lane = TaskLane("technician", self)
        self.reports: list[DeviceReport] = []
        self.counter_health: dict[str, dict[str, object]] = {}
        self.unlocked = False
        self._own_speaker = speaker is None
        self.speaker = speaker if speaker is not None else Speaker(language, self)

        self.pages = QStackedWidget(self)
        self.setCentralWidget(self.pages)
        self.pages.addWidget(self._build_login())
        self.pages.addWidget(self._build_panel())
        self.wedge = WedgeScanner(self)
        self.wedge.codeScanned.connect(self.show_scanned)
        app = QCoreApplication.instance()
        if app is not None:
            self.wedge.install(app)

    # ---- the password page -----------------------------------------------------------------
    def _build_login(self) -> QWidget:
        page = QWidget(self)
        layout = QVBoxLayout(page)
        layout.addStretch(1)
        title = QLabel(self.tr("Technician log-in"), page)
        title.setStyleSheet("font-size: 20px; font-weight: bold;")
        self.password = QLineEdit(page)
        self.password.setObjectName("technicianPassword")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setAccessibleName(self.tr("Technician password"))
        self.password.setPlaceholderText(self.tr("Technician password"))
        self.login_button = QPushButton(self.tr("Unlock"), page)
        self.login_button.setObjectName("unlockButton")
        self.login_button.setAccessibleName(self.tr("Unlock"))
        self.login_message = QLabel(page)
        self.login_message.setObjectName("loginMessage")
        self.login_message.setWordWrap(True)
        for widget in (title, self.password, self.login_button, self.login_message):
            layout.addWidget(widget, 0, Qt.AlignmentFlag.AlignHCenter)
        self.password.setMinimumWidth(320)
        layout.addStretch(2)
        self.login_button.clicked.connect(self.unlock)
        self.password.returnPressed.connect(self.unlock)
        return page

    @Slot()
    def unlock(self) -> None:
        self.login_button.setEnabled(False)
        self.login_message.setText(self.tr("Checking..."))
        self.login_message.setStyleSheet("")
        password = self.password.text()
        self.password.clear()
        self.lane.submit(
            functools.partial(self._auth.check, password), self._on_unlocked, self._on_refused
        )

    def _on_unlocked(self, _result: object) -> None:
        self.unlocked = True
        self.pages.setCurrentIndex(1)
        self.rescan()

    def _on_refused(self, exc: BaseException) -> None:
        self.login_button.setEnabled(True)
        self.login_message.setStyleSheet(ERROR_STYLE)
        self.login_message.setText(self._describe(exc))

    # ---- the panel -------------------------------------------------------------------------
    def _build_panel(self) -> QWidget:
        page = QWidget(self)
        layout = QHBoxLayout(page)
        left = QVBoxLayout()
        self.table = QTableWidget(0, 5, page)
        self.table.setObjectName("deviceTable")
        self.table.setHorizontalHeaderLabels(
            [
                self.tr("Device"),
                self.tr("State"),
                self.tr("Where"),
                self.tr("Reason / last error"),
                self.tr("Last seen by the counter"),
            ]
        )
        self.table.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        buttons = QHBoxLayout()
        self.rescan_button = QPushButton(self.tr("Rescan"), page)
        self.rescan_button.setObjectName("rescanButton")
        self.test_button = QPushButton(self.tr("Test selected device"), page)
        self.test_button.setObjectName("testButton")
        for button in (self.rescan_button, self.test_button):
            button.setAccessibleName(button.text())
            buttons.addWidget(button)
        buttons.addStretch(1)
        self.result = QPlainTextEdit(page)
        self.result.setObjectName("testResult")
        self.result.setReadOnly(True)
        self.result.setAccessibleName(self.tr("Test result"))
        self.scan_box = QLabel(self.tr("Scan any code with a keyboard-wedge scanner to test it."))
        self.scan_box.setObjectName("scanTestBox")
        self.scan_box.setWordWrap(True)
        left.addWidget(self.table, 3)
        left.addLayout(buttons)
        left.addWidget(QLabel(self.tr("Test result (personal data masked):"), page))
        left.addWidget(self.result, 2)
        left.addWidget(self.scan_box)
        self.figures = TerminalFigures(page)
        left.addWidget(self.figures)
        layout.addLayout(left, 3)
        right = QVBoxLayout()
        right.addWidget(self._build_settings(page), 1)
        right.addWidget(self._build_speech(page))
        layout.addLayout(right, 2)
        self.rescan_button.clicked.connect(self.rescan)
        self.test_button.clicked.connect(self.test_selected)
        return page

    def _build_settings(self, parent: QWidget) -> QGroupBox:
        box = QGroupBox(self.tr("Settings of this terminal"), parent)
        form = QFormLayout(box)
        self.editors: dict[str, QWidget] = {}
        cfg = self._ctx.settings.devices
        for f in dataclasses.fields(DeviceSettings):
            value = getattr(cfg, f.name)
            editor: QWidget
            if isinstance(value, Enum):
                combo = QComboBox(box)
                for member in type(value):
                    combo.addItem(member.value, member.value)
                combo.setCurrentIndex(combo.findData(value.value))
                editor = combo
            elif isinstance(value, int):
                spin = QSpinBox(box)
                spin.setRange(0, 10_000_000)
                spin.setValue(value)
                editor = spin
            else:
                combo = QComboBox(box)
                combo.setEditable(True)
                combo.setCurrentText(str(value))
                editor = combo
            editor.setObjectName(f"setting_{f.name}")
            zh, en = DEVICE_SETTING_LABELS.get(f.name, (f.name, f.name))
            label = zh if self._language.startswith("zh") else en
            editor.setAccessibleName(label)
            editor.setToolTip(f.name)
            self.editors[f.name] = editor
            form.addRow(label, editor)
        self.save_button = QPushButton(self.tr("Save settings"), box)
        self.save_button.setObjectName("saveSettingsButton")
        self.save_button.setAccessibleName(self.tr("Save settings"))
        self.save_message = QLabel(box)
        self.save_message.setObjectName("saveMessage")
        self.save_message.setWordWrap(True)
        form.addRow(self.save_button)
        form.addRow(self.save_message)
        self.save_button.clicked.connect(self.save)
        return box

    def _build_speech(self, parent: QWidget) -> QGroupBox:
        box = QGroupBox(self.tr("Speech"), parent)
        box.setObjectName("speechBox")
        column = QVBoxLayout(box)
        self.speech_status = QLabel(box)
        self.speech_status.setObjectName("speechStatus")
        self.speech_status.setWordWrap(True)
        self.speech_test_button = QPushButton(self.tr("Say a test sentence"), box)
        self.speech_test_button.setObjectName("speechTestButton")
        self.speech_test_button.setAccessibleName(self.tr("Say a test sentence"))
        column.addWidget(self.speech_status)
        column.addWidget(self.speech_test_button)
        self.speaker.statusChanged.connect(self._show_speech)
        self.speech_test_button.clicked.connect(self.test_speech)
        self._show_speech(self.speaker.status())
        return box

    @Slot(object)
    def _show_speech(self, status: object) -> None:
        assert isinstance(status, SpeechStatus)
        self.speech_status.setText(status.text(self._language))
        self.speech_status.setAccessibleName(self.speech_status.text())
        self.speech_status.setStyleSheet(
            "" if status.starting else OK_STYLE if status.available else ERROR_STYLE
        )
        self.speech_test_button.setEnabled(status.available)

    @Slot()
    def test_speech(self) -> None:
        self.speaker.say(self.tr("This is the kiosk's voice."))

    def chosen_settings(self) -> DeviceSettings:
        cfg = self._ctx.settings.devices
        values: dict[str, Any] = {}
        for name, editor in self.editors.items():
            current = getattr(cfg, name)
            if isinstance(editor, QSpinBox):
                values[name] = editor.value()
            elif isinstance(editor, QComboBox) and isinstance(current, Enum):
                values[name] = type(current)(editor.currentData())
            elif isinstance(editor, QComboBox):
                values[name] = editor.currentText().strip()
        return cfg.with_changes(**values)

    @Slot()
    def save(self) -> None:
        settings = self._ctx.settings.with_changes(devices=self.chosen_settings())
        self.save_button.setEnabled(False)
        self.lane.submit(
            functools.partial(save_settings, self._ctx.paths.settings, settings),
            functools.partial(self._on_saved, settings),
            self._on_save_failed,
        )

    def _on_saved(self, settings: object, _result: object) -> None:
        self._ctx.settings = settings  # type: ignore[assignment]
        self.save_button.setEnabled(True)
        self.save_message.setStyleSheet(OK_STYLE)
        self.save_message.setText(
            self.tr("Saved. The counter uses the new settings when it next starts.")
        )
        self.rescan()

    def _on_save_failed(self, exc: BaseException) -> None:
        self.save_button.setEnabled(True)
        self.save_message.setStyleSheet(ERROR_STYLE)
        self.save_message.setText(self._describe(exc))

    # ---- discovery and tests ---------------------------------------------------------------
    @Slot()
    def rescan(self) -> None:
        self.rescan_button.setEnabled(False)
        self.lane.submit(
            functools.partial(discover_all, self._ctx.settings.devices),
            self._on_discovered,
            self._on_lane_failed,
        )
        self.lane.submit(self._counter_health, self._on_counter_health)
        self.figures.refresh(self._ctx, self.lane)

    def _counter_health(self) -> dict[str, dict[str, object]]:
        """On the lane: device health as the counter last saved it (also sent to the centre)."""
        saved = SyncStateStore(self._ctx.db).device_health()
        return {str(d.get("name")): d for d in saved}

    def _on_counter_health(self, result: object) -> None:
        assert isinstance(result, dict)
        self.counter_health = result
        self._show_counter_health()

    def _show_counter_health(self) -> None:
        for row, report in enumerate(self.reports):
            seen = self.counter_health.get(report.kind.value)
            if seen is None:
                text = self.tr("not seen")
            elif seen.get("working"):
                text = self.tr("working")
            else:
                text = str(seen.get("last_error") or self.tr("not working"))
            paper = self._paper_words(seen.get("paper") if seen is not None else None)
            if paper:
                text += " · " + paper
            self.table.setItem(row, 4, QTableWidgetItem(text))

    def _paper_words(self, paper: object) -> str:
        """A printer's paper as the last check saw it, when it is worth a look."""
        if paper == "low":
            return self.tr("paper low")
        if paper == "out":
            return self.tr("paper out")
        if paper == "unknown":
            return self.tr("paper state unknown")
        return ""

    def _on_discovered(self, reports: object) -> None:
        assert isinstance(reports, list)
        self.reports = [r for r in reports if isinstance(r, DeviceReport)]
        self.rescan_button.setEnabled(True)
        zh = self._language.startswith("zh")
        self.table.setRowCount(len(self.reports))
        for row, report in enumerate(self.reports):
            label = KIND_LABELS[report.kind][0 if zh else 1]
            state = self.tr("present") if report.present else self.tr("absent")
            cells = [
                label,
                f"{state} · {report.driver}",
                report.detail,
                report.reason(self._language),
            ]
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, report.kind.value)
                self.table.setItem(row, column, item)
        self._show_counter_health()
        self.table.resizeColumnsToContents()
        for report in self.reports:
            self._offer_candidates(report)
        if self.table.currentRow() < 0 and self.reports:
            self.table.selectRow(0)

    def _offer_candidates(self, report: DeviceReport) -> None:
        """Put what discovery found into the matching port/reader field's drop-down."""
        field = {
            DeviceKind.ID_CARD: "id_card_port",
            DeviceKind.SSC_CARD: "ssc_card_reader",
            DeviceKind.SCANNER: "scanner_port",
            DeviceKind.RECEIPT_PRINTER: "receipt_printer_target",
            DeviceKind.DOCUMENT_PRINTER: "document_printer_name",
        }.get(report.kind)
        editor = self.editors.get(field or "")
        if not isinstance(editor, QComboBox) or not report.candidates:
            return
        text = editor.currentText()
        editor.clear()
        editor.addItems(list(report.candidates))
        editor.setCurrentText(text)

    def selected_kind(self) -> DeviceKind | None:
        item = self.table.item(self.table.currentRow(), 0)
        return DeviceKind(item.data(Qt.ItemDataRole.UserRole)) if item is not None else None

    @Slot()
    def test_selected(self) -> None:
        kind = self.selected_kind()
        if kind is None:
            return
        self.test_button.setEnabled(False)
        self.result.setPlainText(self.tr("Testing... (up to 10 seconds)"))
        job = (
            functools.partial(self._test_a4, self._ctx.settings.devices)
            if kind is DeviceKind.DOCUMENT_PRINTER
            else functools.partial(run_test, kind, self._ctx.settings.devices, 10.0)
        )
        self.lane.submit(
            job,
            self._on_tested,
            self._on_lane_failed,
        )

    def _test_a4(self, cfg: DeviceSettings) -> TestResult:
        """On the lane: a test one-time notice to the system printer, or to a PDF file."""
        started = time.monotonic()
        report = discover_document_printer(cfg)
        notice = build_notice(sample_facts())
        try:
            if report.driver == "system" and report.present:
                rendered = print_notice(notice, report.detail)
            else:
                folder = self._ctx.paths.root / "documents"
                rendered = notice_pdf(notice, folder / "test-notice.pdf")
        except DeviceError as exc:
            return TestResult(
                DeviceKind.DOCUMENT_PRINTER,
                False,
                error_zh=exc.zh,
                error_en=exc.en,
                seconds=time.monotonic() - started,
            )
        lines = [
            f"设备 device: {report.driver} {report.detail}",
            f"输出 output: {rendered.destination}",
            f"页数 pages: {rendered.pages}",
        ]
        return TestResult(
            DeviceKind.DOCUMENT_PRINTER, True, lines, seconds=time.monotonic() - started
        )

    def _on_tested(self, result: object) -> None:
        assert isinstance(result, TestResult)
        self.test_button.setEnabled(True)
        head = self.tr("OK") if result.ok else self.tr("Failed")
        lines = [f"{head} ({result.seconds:.1f} s)", *result.lines]
        if not result.ok:
            lines.append(result.error(self._language))
        self.result.setPlainText("\n".join(lines))

    def _on_lane_failed(self, exc: BaseException) -> None:
        self.rescan_button.setEnabled(True)
        self.test_button.setEnabled(True)
        self.result.setPlainText(self._describe(exc))

    @Slot(str)
    def show_scanned(self, code: str) -> None:
        """A keyboard-wedge burst was caught: show that the scanner works (masked)."""
        if not self.unlocked:
            return  # a scan at the password page says nothing to whoever stands there
        self.scan_box.setText(self.tr("Scanner works. Read: %1").replace("%1", mask_code(code)))

    # ---- helpers ---------------------------------------------------------------------------
    def _describe(self, exc: BaseException) -> str:
        if isinstance(exc, UserFacingError):
            return exc.text(self._language)
        log.error("unexpected error on the technician screen", exc_info=exc)
        return self.tr("Unexpected error; the details are in the log.")

    def shutdown(self) -> None:
        app = QCoreApplication.instance()
        if app is not None:
            self.wedge.uninstall(app)
        self.lane.shutdown()
        if self._own_speaker:
            self.speaker.shutdown()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.shutdown()
        super().closeEvent(event)
