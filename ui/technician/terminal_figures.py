"""The terminal's own figures on the technician screen: the clock against the centre's, and the
free disk, the two things a technician fixes on site that the devices table does not show.

The same figures travel in the heartbeat (§8) and `yibao status` prints them. Read on the
screen's worker lane (the store, the file system); shown on the GUI thread.
"""

from __future__ import annotations

import functools

from PySide6.QtWidgets import QLabel, QWidget

from app.context import AppContext
from sync.state import SyncStateStore
from ui.tasks import TaskLane

CLOCK_OFF_S = 300  # as the centre flags it (central.heartbeat.CLOCK_OFF_S)
LOW_DISK_BYTES = 1024**3  # as the centre flags it (central.heartbeat.LOW_DISK_BYTES)

Figures = tuple[tuple[int, str] | None, int | None]


def read_figures(ctx: AppContext) -> Figures:
    """On a worker: the clock offset the centre answered last (and when), the free disk."""
    return SyncStateStore(ctx.db).centre_clock_offset(), ctx.paths.free_disk_bytes()


class TerminalFigures(QLabel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("terminalFigures")
        self.setWordWrap(True)
        self.setAccessibleName(self.tr("Clock and free disk"))

    def refresh(self, ctx: AppContext, lane: TaskLane) -> None:
        lane.submit(functools.partial(read_figures, ctx), self.show_figures)

    def show_figures(self, figures: object) -> None:
        assert isinstance(figures, tuple)
        offset: tuple[int, str] | None = figures[0]
        free: int | None = figures[1]
        if offset is None:
            clock = self.tr("Clock: not yet compared with the centre.")
        else:
            seconds, at = offset
            clock = (
                self.tr("Clock: centre time minus this terminal's is %1 s (checked %2).")
                .replace("%1", f"{seconds:+d}")
                .replace("%2", at or "-")
            )
            if abs(seconds) > CLOCK_OFF_S:
                clock += " " + self.tr("More than 5 minutes off: set the clock.")
        if free is None:
            disk = self.tr("Free disk: unknown.")
        else:
            disk = self.tr("Free disk: %1 GiB.").replace("%1", f"{free / 1024**3:.1f}")
            if free < LOW_DISK_BYTES:
                disk += " " + self.tr("Less than 1 GiB: free some space.")
        self.setText(f"{clock}\n{disk}")
