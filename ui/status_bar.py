"""The terminal's status bar: network, items waiting to sync, devices, sync progress.

Station and operator are shown in the session bar above (ui/session_bar.py). The network's
reason is elided to a fixed width with the whole text in the tooltip, so a long reason never
pushes the sync button off a 1366-pixel screen."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QProgressBar, QPushButton, QStatusBar, QWidget

from ui.devices.hub import DeviceStatus

NETWORK_TEXT_MAX_PX = 280


class StationStatusBar(QStatusBar):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("stationStatusBar")
        self.network_label = QLabel(self)
        self.waiting_label = QLabel(self)
        self.devices_label = QLabel(self)
        for name, label in (
            ("networkLabel", self.network_label),
            ("waitingLabel", self.waiting_label),
            ("devicesLabel", self.devices_label),
        ):
            label.setObjectName(name)
            self.addPermanentWidget(label)
        self.attention_label = QLabel(self)
        self.attention_label.setObjectName("attentionLabel")
        self.attention_label.setStyleSheet("color: #b00020; font-weight: bold;")
        self.attention_label.hide()
        self.last_sync_label = QLabel(self)
        self.last_sync_label.setObjectName("lastSyncLabel")
        self.progress = QProgressBar(self)
        self.progress.setObjectName("syncProgress")
        self.progress.setAccessibleName(self.tr("Upload progress"))
        self.progress.setMaximumWidth(220)
        self.progress.hide()
        self.sync_button = QPushButton(self.tr("Sync now"), self)
        self.sync_button.setObjectName("syncNowButton")
        self.sync_button.setAccessibleName(self.tr("Sync now"))
        self.sync_button.hide()
        self.addWidget(self.progress)
        self.addPermanentWidget(self.attention_label)
        self.addPermanentWidget(self.last_sync_label)
        self.addPermanentWidget(self.sync_button)
        self.set_network(online=False, reason=self.tr("no centre configured"))
        self.set_waiting(0)

    def set_network(self, *, online: bool, reason: str = "") -> None:
        text = self.tr("Online") if online else self.tr("Offline")
        if reason:
            text += f" ({reason})"
        shown = self.network_label.fontMetrics().elidedText(
            text, Qt.TextElideMode.ElideRight, NETWORK_TEXT_MAX_PX
        )
        self.network_label.setText(shown)
        self.network_label.setToolTip(text if shown != text else "")
        self.network_label.setAccessibleName(text)

    def set_devices(self, statuses: Sequence[DeviceStatus], language: str) -> None:
        """ "Devices: ready" or how many need attention; the tooltip lists each with its reason."""
        faulty = [s for s in statuses if s.present and not s.working]
        if faulty:
            text = self.tr("Devices: %n fault(s)", "", len(faulty))
            self.devices_label.setStyleSheet("color: #b00020; font-weight: bold;")
        else:
            text = self.tr("Devices: ready")
            if any(s.simulated for s in statuses):
                text += " " + self.tr("(simulated)")
            self.devices_label.setStyleSheet("")
        lines = []
        for status in statuses:
            if status.present and status.working:
                state = self.tr("simulated") if status.simulated else self.tr("ready")
            elif status.present:
                state = self.tr("fault")
            else:
                state = self.tr("absent")
            detail = status.message(language)
            lines.append(f"{status.label(language)}: {state}" + (f" — {detail}" if detail else ""))
        self.devices_label.setText(text)
        self.devices_label.setToolTip("\n".join(lines))
        self.devices_label.setAccessibleName(text)
        self.devices_label.setAccessibleDescription("\n".join(lines))

    def set_waiting(self, count: int) -> None:
        text = self.tr("Waiting to sync: %n", "", count)
        self.waiting_label.setText(text)
        self.waiting_label.setAccessibleName(text)

    def set_sending(self, done: int, total: int, sent_bytes: int) -> None:
        self.progress.show()
        self.progress.setMaximum(max(total, 1))
        self.progress.setValue(min(done, total))
        megabytes = sent_bytes / 1_000_000
        self.progress.setFormat(
            self.tr("Uploading %1 / %2 · %3 MB")
            .replace("%1", str(done))
            .replace("%2", str(total))
            .replace("%3", f"{megabytes:.1f}")
        )

    def set_idle(self) -> None:
        self.progress.hide()

    def set_last_sync(self, when: str) -> None:
        text = self.tr("Last sync: %1").replace("%1", when)
        self.last_sync_label.setText(text)
        self.last_sync_label.setAccessibleName(text)

    def set_attention(self, count: int) -> None:
        """Filings unsent for too long: shown until they go, never dropped silently."""
        if count <= 0:
            self.attention_label.hide()
            return
        text = self.tr("Needs attention: %n filing(s) not delivered for over a day", "", count)
        self.attention_label.setText(text)
        self.attention_label.setAccessibleName(text)
        self.attention_label.show()
