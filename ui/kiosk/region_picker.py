"""Choosing a region by touch: a province, then a city, then (optionally) a county.

Each level is a grid of large buttons, a page at a time ("more" and "back" move between
pages); the line above says what has been chosen so far. At the county level "the whole
city" finishes with the city's code. The data is `app.regions` (GB/T 2260), held in memory.
"""

from __future__ import annotations

import functools

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from app.regions import MUNICIPALITIES, Region, children, provinces, region_name
from ui.kiosk.page import kiosk_button

PAGE = 12  # buttons per page: large enough to touch at 1080 px wide in three columns
COLUMNS = 3


class RegionPicker(QWidget):
    """`picked(code)` once a city or a county has been chosen."""

    picked = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("regionPicker")
        self.path: list[Region] = []
        self._options: tuple[Region, ...] = ()
        self._page = 0
        self.chosen = QLabel(self)
        self.chosen.setObjectName("regionChosen")
        self.chosen.setWordWrap(True)
        self.grid = QGridLayout()
        self.buttons: list[QPushButton] = []
        for n in range(PAGE):
            button = kiosk_button("", self, f"regionOption{n}")  # named when shown
            button.clicked.connect(functools.partial(self._choose, n))
            self.grid.addWidget(button, n // COLUMNS, n % COLUMNS)
            self.buttons.append(button)
        self.whole_button = kiosk_button(
            self.tr("The whole city"),
            self,
            "regionWholeCity",
            role="primary",
            accessible=self.tr("Choose the whole city"),
        )
        self.whole_button.clicked.connect(self._whole)
        self.up_button = kiosk_button(
            self.tr("Choose again"),
            self,
            "regionUp",
            accessible=self.tr("Go back one level and choose again"),
        )
        self.up_button.clicked.connect(self._up)
        self.prev_button = kiosk_button(
            self.tr("Previous page"),
            self,
            "regionPrevious",
            accessible=self.tr("Previous page of places"),
        )
        self.prev_button.clicked.connect(functools.partial(self._turn, -1))
        self.next_button = kiosk_button(
            self.tr("More places"), self, "regionNext", accessible=self.tr("Next page of places")
        )
        self.next_button.clicked.connect(functools.partial(self._turn, 1))
        paging = QHBoxLayout()
        paging.addWidget(self.up_button)
        paging.addWidget(self.prev_button)
        paging.addWidget(self.next_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.chosen)
        layout.addLayout(self.grid)
        layout.addWidget(self.whole_button)
        layout.addLayout(paging)
        layout.addStretch(1)  # the places right under the line saying what is chosen
        self.reset()

    def reset(self) -> None:
        self.path = []
        self._show(provinces())

    def _show(self, options: tuple[Region, ...]) -> None:
        self._options = options
        self._page = 0
        self._render()

    def _render(self) -> None:
        start = self._page * PAGE
        shown = self._options[start : start + PAGE]
        for n, button in enumerate(self.buttons):
            if n < len(shown):
                button.setText(shown[n].name)
                button.setAccessibleName(shown[n].name)
                button.show()
            else:
                button.hide()
        self.prev_button.setEnabled(self._page > 0)
        self.next_button.setEnabled(start + PAGE < len(self._options))
        self.up_button.setEnabled(bool(self.path))
        self.whole_button.setVisible(self._at_county_level())
        if self.path:
            self.chosen.setText(
                self.tr("Chosen: %1").replace("%1", " ".join(r.name for r in self.path))
            )
        else:
            self.chosen.setText(self.tr("Choose the province"))

    def _turn(self, step: int) -> None:
        pages = max(1, -(-len(self._options) // PAGE))
        self._page = min(max(0, self._page + step), pages - 1)
        self._render()

    def _choose(self, n: int) -> None:
        index = self._page * PAGE + n
        if index >= len(self._options):
            return
        region = self._options[index]
        self.path.append(region)
        below = children(region.code)
        if not below or len(self.path) == 3:
            self.picked.emit(region.code)  # a county, or a city with nothing below it
            self._render()
            return
        self._show(below)

    def _at_county_level(self) -> bool:
        """Counties (or a municipality's districts) are shown: "the whole city" may end it."""
        if not self.path:
            return False
        return len(self.path) == 2 or self.path[0].code[:2] in MUNICIPALITIES

    def _whole(self) -> None:
        if self._at_county_level():
            self.picked.emit(self.path[-1].code)

    def _up(self) -> None:
        if not self.path:
            return
        self.path.pop()
        self._show(children(self.path[-1].code) if self.path else provinces())

    @staticmethod
    def describe(code: str) -> str:
        return region_name(code)
