"""The day at a glance: today's and this month's filings, and what needs doing."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.services.summary_service import StationSummary


class SummaryView(QWidget):
    refresh_requested = Signal()
    export_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("summaryView")
        self.figures: dict[str, QLabel] = {}
        grid = QGridLayout()
        names = [
            ("today", self.tr("Filed today")),
            ("month", self.tr("Filed this month")),
            ("waiting", self.tr("Waiting to sync")),
            ("rejected", self.tr("Rejected or refused")),
            ("needs_materials", self.tr("Needs materials")),
            ("materials_pending", self.tr("Accepted with materials pending")),
            ("ratings", self.tr("Ratings this month (good / fair / poor)")),
        ]
        for n, (key, title) in enumerate(names):
            label = QLabel(title, self)
            value = QLabel("-", self)
            value.setObjectName(f"summary_{key}")
            value.setStyleSheet("font-size: 18pt; font-weight: bold;")
            value.setAccessibleName(title)
            grid.addWidget(label, 0, n)
            grid.addWidget(value, 1, n)
            self.figures[key] = value
        self.table = QTableWidget(0, 3, self)
        self.table.setObjectName("summaryByItem")
        self.table.setHorizontalHeaderLabels([self.tr("Item"), self.tr("Today"), self.tr("Month")])
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.operators = QLabel(self)
        self.operators.setObjectName("summaryByOperator")
        self.operators.setWordWrap(True)
        self.message = QLabel(self)
        self.message.setObjectName("summaryMessage")
        self.message.setWordWrap(True)
        self.refresh_button = QPushButton(self.tr("Refresh"), self)
        self.refresh_button.setAccessibleName(self.tr("Refresh"))
        self.export_button = QPushButton(self.tr("Export CSV"), self)
        self.export_button.setObjectName("exportSummaryButton")
        self.export_button.setAccessibleName(self.tr("Export CSV"))
        buttons = QHBoxLayout()
        buttons.addWidget(self.message, 1)
        buttons.addWidget(self.refresh_button)
        buttons.addWidget(self.export_button)
        layout = QVBoxLayout(self)
        layout.addLayout(grid)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.operators)
        layout.addLayout(buttons)
        self.refresh_button.clicked.connect(self.refresh_requested)
        self.export_button.clicked.connect(self.export_requested)
        self.summary: StationSummary | None = None

    def show_summary(self, summary: StationSummary) -> None:
        self.summary = summary
        values = {
            "today": summary.today.filings,
            "month": summary.month.filings,
            "waiting": summary.waiting_to_sync,
            "rejected": summary.rejected,
            "needs_materials": summary.needs_materials,
            "materials_pending": summary.materials_pending,
            "ratings": " / ".join(
                str(summary.ratings_month.get(level, 0)) for level in ("good", "fair", "poor")
            ),
        }
        for key, value in values.items():
            self.figures[key].setText(str(value))
        codes = sorted(summary.month.by_item, key=lambda c: -summary.month.by_item[c])
        self.table.setRowCount(len(codes))
        for row, code in enumerate(codes):
            cells = [
                summary.item_names.get(code, code),
                str(summary.today.by_item.get(code, 0)),
                str(summary.month.by_item[code]),
            ]
            for column, text in enumerate(cells):
                self.table.setItem(row, column, QTableWidgetItem(text))
        people = ", ".join(
            f"{code}: {summary.today.by_operator.get(code, 0)} / {count}"
            for code, count in sorted(summary.month.by_operator.items())
        )
        self.operators.setText(
            self.tr("By operator (today / month): %1").replace("%1", people or "-")
        )
