"""The bar along the top of the counter: which station, who is working, and the operator's
own actions (change password, switch operator, lock). Kept apart from the status bar, which
holds the terminal's state (network, queue, devices, sync), so neither has to squeeze."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget


class SessionBar(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sessionBar")
        self.station_label = QLabel(self)
        self.station_label.setObjectName("stationLabel")
        self.operator_label = QLabel(self)
        self.operator_label.setObjectName("operatorLabel")
        self.operator_label.setStyleSheet("font-weight: bold;")
        self.password_button = QPushButton(self.tr("Change password"), self)
        self.password_button.setObjectName("changePasswordButton")
        self.password_button.setAccessibleName(self.tr("Change password"))
        self.switch_button = QPushButton(self.tr("Switch operator"), self)
        self.switch_button.setObjectName("switchOperatorButton")
        self.switch_button.setAccessibleName(self.tr("Switch operator"))
        self.lock_button = QPushButton(self.tr("Lock"), self)
        self.lock_button.setObjectName("lockButton")
        self.lock_button.setAccessibleName(self.tr("Lock the screen"))
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        layout.addWidget(self.station_label)
        layout.addStretch(1)
        layout.addWidget(self.operator_label)
        for button in (self.password_button, self.switch_button, self.lock_button):
            layout.addWidget(button)

    def set_station(self, name: str, code: str, demo: bool) -> None:
        text = self.tr("Station: %1 (%2)").replace("%1", name).replace("%2", code)
        if demo:
            text += " " + self.tr("[demo]")
        self.station_label.setText(text)
        self.station_label.setAccessibleName(text)

    def set_operator(self, name: str, code: str) -> None:
        text = self.tr("Operator: %1 (%2)").replace("%1", name).replace("%2", code)
        self.operator_label.setText(text)
        self.operator_label.setAccessibleName(text)

    def set_buttons_visible(self, visible: bool) -> None:
        """The operator's buttons exist only where operators log in."""
        for button in (self.password_button, self.switch_button, self.lock_button):
            button.setVisible(visible)
