"""The queue: every filing with its local state, upload state and the centre's answer."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.services.queue_service import FilingSummary, QueueFilter
from app.store.models import FilingState
from app.workdays import china_date
from ui import labels

Index = QModelIndex | QPersistentModelIndex


DUE_COLUMN = 8


class QueueModel(QAbstractTableModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[FilingSummary] = []
        self._headers = [
            self.tr("Saved at"),
            self.tr("Item"),
            self.tr("Citizen"),
            self.tr("State"),
            self.tr("Upload"),
            self.tr("Receipt no."),
            self.tr("Centre's message"),
            self.tr("Materials"),
            self.tr("Due"),
        ]

    def set_rows(self, rows: list[FilingSummary]) -> None:
        self.beginResetModel()
        self._rows = rows
        self.endResetModel()

    def row(self, n: int) -> FilingSummary:
        return self._rows[n]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._headers)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self._headers[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        r = self._rows[index.row()]
        overdue = r.overdue(china_date(dt.datetime.now(dt.UTC)))
        if role == Qt.ItemDataRole.ForegroundRole and overdue and index.column() == DUE_COLUMN:
            return QColor("#b00020")
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        local = r.created_at.replace(tzinfo=dt.UTC).astimezone()  # stored in UTC
        return [
            f"{local:%Y-%m-%d %H:%M}",
            r.item_name,
            r.person_masked,
            labels.filing_state(r.state),
            labels.outbox_state(r.outbox_state),
            r.receipt_no or "",
            r.centre_message or "",
            str(r.materials) + (" " + self.tr("(more to come)") if r.materials_pending else ""),
            self._due_text(r, overdue),
        ][index.column()]

    def _due_text(self, r: FilingSummary, overdue: bool) -> str:
        if r.due is None:
            return ""
        text = f"{r.due.due:%Y-%m-%d}"
        if r.due.estimated:
            text = self.tr("about %1").replace("%1", text)
        if overdue:
            text += " " + self.tr("(overdue)")
        return text


PERIODS = ("all", "today", "week", "month")


class QueueView(QWidget):
    """The filings with their states, narrowed by state, item, operator, period, a receipt
    number, or the citizen whose card was read again ("this citizen's filings")."""

    filter_changed = Signal()
    correct_requested = Signal(str)  # the uid of a refused or rejected filing
    supplement_requested = Signal(str)  # the uid of a filing that needs materials

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state_box = QComboBox(self)
        self.state_box.setObjectName("queueStateFilter")
        self.state_box.setAccessibleName(self.tr("State"))
        self.state_box.addItem(self.tr("All states"), None)
        for state in FilingState:
            self.state_box.addItem(labels.filing_state(state.value), state.value)
        self.item_box = QComboBox(self)
        self.item_box.setObjectName("queueItemFilter")
        self.item_box.setAccessibleName(self.tr("Item"))
        self.item_box.addItem(self.tr("All items"), None)
        self.period_box = QComboBox(self)
        self.period_box.setObjectName("queuePeriodFilter")
        self.period_box.setAccessibleName(self.tr("Period"))
        for key, text in zip(
            PERIODS,
            (self.tr("Any time"), self.tr("Today"), self.tr("Last 7 days"), self.tr("This month")),
            strict=True,
        ):
            self.period_box.addItem(text, key)
        self.operator_box = QLineEdit(self)
        self.operator_box.setObjectName("queueOperatorFilter")
        self.operator_box.setPlaceholderText(self.tr("Operator code"))
        self.operator_box.setAccessibleName(self.tr("Operator code"))
        self.operator_box.setMaximumWidth(120)
        self.reference_box = QLineEdit(self)
        self.reference_box.setObjectName("queueReferenceFilter")
        self.reference_box.setPlaceholderText(self.tr("Receipt no. or reference"))
        self.reference_box.setAccessibleName(self.tr("Receipt no. or reference"))
        self.citizen_button = QPushButton(self.tr("This citizen's filings"), self)
        self.citizen_button.setObjectName("queueCitizenFilter")
        self.citizen_button.setCheckable(True)
        self.citizen_button.setEnabled(False)
        self.citizen_button.setAccessibleName(self.tr("Only the filings of the citizen read now"))
        self._person: tuple[str, str] | None = None
        bar = QHBoxLayout()
        for widget in (
            self.state_box,
            self.item_box,
            self.period_box,
            self.operator_box,
            self.reference_box,
            self.citizen_button,
        ):
            bar.addWidget(widget)
        bar.addStretch(1)
        for box in (self.state_box, self.item_box, self.period_box):
            box.currentIndexChanged.connect(self.filter_changed)
        for edit in (self.operator_box, self.reference_box):
            edit.editingFinished.connect(self.filter_changed)
        self.citizen_button.toggled.connect(self.filter_changed)
        self.model = QueueModel(self)
        self.table = QTableView(self)
        self.table.setObjectName("queueTable")
        self.table.setAccessibleName(self.tr("Filings and their states"))
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QTableView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.correct_button = QPushButton(self.tr("Correct (new filing)"), self)
        self.correct_button.setObjectName("correctButton")
        self.correct_button.setAccessibleName(
            self.tr("File a corrected application that references the selected one")
        )
        self.supplement_button = QPushButton(self.tr("Supplement materials"), self)
        self.supplement_button.setObjectName("supplementButton")
        self.supplement_button.setAccessibleName(self.tr("Add materials to the selected filing"))
        self.message = QLabel(self)
        self.message.setObjectName("queueMessage")
        self.message.setWordWrap(True)
        actions = QHBoxLayout()
        actions.addWidget(self.message, 1)
        actions.addWidget(self.correct_button)
        actions.addWidget(self.supplement_button)
        self.correct_button.clicked.connect(self._request_correction)
        self.supplement_button.clicked.connect(self._request_supplement)
        self.table.selectionModel().selectionChanged.connect(self._update_actions)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.table)
        layout.addLayout(actions)
        self._update_actions()

    def selected(self) -> FilingSummary | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.row(rows[0].row()) if rows else None

    def _update_actions(self) -> None:
        row = self.selected()
        self.correct_button.setEnabled(row is not None and row.can_correct())
        self.supplement_button.setEnabled(row is not None and row.can_supplement())

    def _request_correction(self) -> None:
        if (row := self.selected()) is not None and row.can_correct():
            self.correct_requested.emit(row.uid)

    def _request_supplement(self) -> None:
        if (row := self.selected()) is not None and row.can_supplement():
            self.supplement_requested.emit(row.uid)

    def set_rows(self, rows: list[FilingSummary]) -> None:
        selected = self.selected()
        self.model.set_rows(rows)
        if selected is not None:  # a refresh keeps the operator's selection
            self.select_filing(selected.uid)
        self._update_actions()

    def set_items(self, items: list[tuple[str, str]]) -> None:
        """(code, name) of the items to offer in the item filter."""
        for code, name in items:
            self.item_box.addItem(name, code)

    def set_person(self, token: tuple[str, str] | None) -> None:
        """The citizen read now (id kind, search token), for "this citizen's filings"."""
        self._person = token
        self.citizen_button.setEnabled(token is not None)
        if token is None and self.citizen_button.isChecked():
            self.citizen_button.setChecked(False)

    def current_filter(self, today: dt.date) -> QueueFilter:
        period = self.period_box.currentData()
        since = {
            "today": today,
            "week": today - dt.timedelta(days=6),
            "month": today.replace(day=1),
        }.get(str(period))
        return QueueFilter(
            state=self.state_box.currentData(),
            item_code=self.item_box.currentData(),
            operator_code=self.operator_box.text().strip().upper() or None,
            since=since,
            reference=self.reference_box.text().strip() or None,
            person=self._person if self.citizen_button.isChecked() else None,
        )

    def select_filing(self, key: str) -> bool:
        """Select the filing whose uid or receipt number is `key` (a scanned receipt)."""
        wanted = key.strip().lower()
        for n in range(self.model.rowCount()):
            row = self.model.row(n)
            if wanted in (row.uid.lower(), (row.receipt_no or "").lower()):
                self.table.selectRow(n)
                self.table.scrollTo(self.model.index(n, 0))
                return True
        return False
