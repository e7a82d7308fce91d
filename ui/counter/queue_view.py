"""The queue: every filing with its local state, upload state and the centre's answer."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QHeaderView, QTableView, QVBoxLayout, QWidget

from app.services.queue_service import FilingSummary
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
            str(r.materials),
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


class QueueView(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
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
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table)

    def set_rows(self, rows: list[FilingSummary]) -> None:
        self.model.set_rows(rows)

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
