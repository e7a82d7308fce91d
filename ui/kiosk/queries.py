"""The kiosk's queries (参保信息, 缴费记录, 个人账户收支, 报销信息): asked of the centre on a
worker lane, shown as large plain lines. Offline, the citizen is told where else to go.
"""

from __future__ import annotations

import functools
import logging

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QLabel,
    QListView,
    QListWidget,
    QPushButton,
    QScroller,
    QVBoxLayout,
    QWidget,
)

from app.context import AppContext
from app.errors import UserFacingError
from app.validation.rules import format_fen
from sync.activation import centre_client
from sync.insured import (
    AccountEntry,
    Coverage,
    InsuredOffline,
    InsuredService,
    IssuedDocument,
    Payment,
    Records,
    Reimbursement,
)
from sync.transport import CentralClient
from ui.kiosk.page import KioskPage
from ui.kiosk.privacy import mark_personal
from ui.tasks import TaskLane

log = logging.getLogger(__name__)

KINDS = ("coverage", "payments", "account", "reimbursements")
STATUS_MARGIN_PX = 16  # around a warning, inside its coloured box


class KioskQueries(QObject):
    """Asks the centre; answers come back as `answered(Records)` or `failed(text)`."""

    answered = Signal(object)
    issued = Signal(object)  # IssuedDocument
    failed = Signal(str)

    def __init__(self, ctx: AppContext, language: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._language = language
        self.lane = TaskLane("kiosk-queries", self)
        self._service: InsuredService | None = None
        self._client: CentralClient | None = None

    def ask(self, kind: str, id_number: str) -> None:
        self.lane.submit(
            functools.partial(self._ask, kind, id_number), self.answered.emit, self._on_failed
        )

    def issue(self, kind: str, id_number: str) -> None:
        """A certificate (enrolment_cert or rights_record) recorded at the centre."""
        self.lane.submit(
            functools.partial(self._issue, kind, id_number), self.issued.emit, self._on_failed
        )

    def _issue(self, kind: str, id_number: str) -> IssuedDocument:
        return self._connected().issue_document(id_number, kind)

    def _ask(self, kind: str, id_number: str) -> Records:
        return self._connected().query(id_number, kind)

    def _connected(self) -> InsuredService:
        if self._service is None:
            self._client = centre_client(self._ctx)
            if self._client is None:
                raise InsuredOffline()  # a kiosk that was never activated has no centre
            self._service = InsuredService(self._client)
        return self._service

    def _on_failed(self, exc: BaseException) -> None:
        if isinstance(exc, UserFacingError):
            self.failed.emit(exc.text(self._language))
            return
        log.error("kiosk query failed unexpectedly", exc_info=exc)
        self.failed.emit(InsuredOffline().text(self._language))

    def shutdown(self) -> None:
        self.lane.shutdown()
        if self._client is not None:
            self._client.close()


def _yuan(fen: int) -> str:
    return format_fen(fen) + " 元"


def record_lines(records: Records) -> list[str]:
    """One entry per record (Chinese, as the centre's labels are): what it is on the first
    line, the amounts below, so a long record breaks between its parts rather than inside a
    word (the list wraps what is still too long for a portrait screen)."""
    lines = []
    for r in records.records:
        if isinstance(r, Coverage):
            until = f"至 {r.until:%Y-%m-%d}" if r.until else "至今"
            lines.append(
                f"{r.insurance_type_label} · {r.status_label}\n"
                f"{r.since:%Y-%m-%d} {until} · {r.region_name}"
            )
        elif isinstance(r, Payment):
            lines.append(f"{r.period} · {_yuan(r.amount_fen)} · {r.payer}")
        elif isinstance(r, AccountEntry):
            lines.append(
                f"{r.date:%Y-%m-%d} · {r.description}\n"
                f"{_yuan(r.amount_fen)} · 余额 {_yuan(r.balance_fen)}"
            )
        elif isinstance(r, Reimbursement):
            lines.append(
                f"{r.date:%Y-%m-%d} · {r.hospital}\n总费用 {_yuan(r.total_fen)}\n"
                f"医保支付 {_yuan(r.fund_fen)} · 个人支付 {_yuan(r.self_fen)}"
            )
    return lines


class QueryPage(KioskPage):
    back = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("queryPage")
        self.title = QLabel(self)
        self.title.setObjectName("queryTitle")
        self.title.setProperty("role", "heading")
        self.title.setWordWrap(True)
        self.status = mark_personal(QLabel(self))
        self.status.setObjectName("queryStatus")
        self.status.setWordWrap(True)
        self.results = QListWidget(self)
        self.results.setObjectName("queryResults")
        self.results.setAccessibleName(self.tr("Your records"))
        # Long lines wrap at the list's width, never cut short or scrolled sideways: a
        # portrait screen is 1080 px wide and a reimbursement line is longer than that.
        self.results.setWordWrap(True)
        self.results.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.results.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.results.setResizeMode(QListView.ResizeMode.Adjust)
        self.results.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.results.setSpacing(8)
        # Lines to read, not to pick; a finger drags the list.
        self.results.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.results.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        QScroller.grabGesture(
            self.results.viewport(), QScroller.ScrollerGestureType.LeftMouseButtonGesture
        )
        self.back_button = QPushButton(self.tr("Back"), self)
        self.back_button.setObjectName("queryBackButton")
        self.back_button.setProperty("role", "secondary")
        self.back_button.setAccessibleName(self.tr("Back to my services"))
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.status)
        layout.addWidget(self.results, 1)
        layout.addStretch(0)  # keeps "back" at the bottom while the list is hidden
        layout.addWidget(self.back_button)
        self.back_button.clicked.connect(self.back)
        self.built()

    def asking(self, title: str) -> None:
        self.title.setText(title)
        self.results.clear()
        self.results.hide()
        self._status(self.tr("Asking the medical-insurance platform..."))

    def show_records(self, records: Records) -> None:
        self.results.clear()
        lines = record_lines(records)
        self.results.addItems(lines)
        self.results.setVisible(bool(lines))
        self._status(
            self.tr("%1 records found.").replace("%1", str(records.total))
            if lines
            else self.tr("No records.")
        )

    def show_failure(self, text: str) -> None:
        """Offline, or the centre could not answer: the message (and where else to go) in
        the warning colours, alone on the page."""
        self.results.clear()
        self.results.hide()
        self._status(text, warning=True)

    def _status(self, text: str, *, warning: bool = False) -> None:
        if bool(self.status.property("role") == "warning") != warning:
            self.status.setProperty("role", "warning" if warning else None)
            self.status.setMargin(STATUS_MARGIN_PX if warning else 0)
            self.status.style().unpolish(self.status)
            self.status.style().polish(self.status)
        self.status.setText(text)
