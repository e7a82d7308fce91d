"""Portrait or landscape: kiosk screens come both ways (1080×1920 and 1920×1080).

A page keeps one `OrientationSwitch` and calls `resized()` from its `resizeEvent`; the page's
`arrange(portrait)` runs only when the aspect flips, so a page re-lays itself out once per
turn of the screen, never on a timer and never on every pixel of a resize.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QSize
from PySide6.QtWidgets import QBoxLayout


def is_portrait(size: QSize) -> bool:
    """Taller than wide. A square counts as landscape (the kiosk's default)."""
    return size.height() > size.width()


class OrientationSwitch:
    """Calls `arrange(portrait)` the first time a size is seen and whenever the aspect flips."""

    def __init__(self, arrange: Callable[[bool], None]) -> None:
        self._arrange = arrange
        self.portrait: bool | None = None

    def resized(self, size: QSize) -> None:
        portrait = is_portrait(size)
        if portrait is not self.portrait:
            self.portrait = portrait
            self._arrange(portrait)


def direction(portrait_stacks: bool, portrait: bool) -> QBoxLayout.Direction:
    """The box direction for a row that stacks (top to bottom) in one orientation and runs
    left to right in the other: `portrait_stacks` says which."""
    stacked = portrait if portrait_stacks else not portrait
    return QBoxLayout.Direction.TopToBottom if stacked else QBoxLayout.Direction.LeftToRight
