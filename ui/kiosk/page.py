"""What every kiosk page shares: laid out for the screen's aspect, and a focus that a touch
does not move.

A page subclasses `KioskPage`, overrides `arrange(portrait)` when portrait and landscape
differ, and calls `built()` at the end of its `__init__`. `TallButton` is a button bigger
than the stylesheet's 15 mm where a page has the room.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QResizeEvent, QShowEvent
from PySide6.QtWidgets import QAbstractButton, QPushButton, QWidget

from ui.kiosk.orientation import OrientationSwitch


class KioskPage(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.orientation = OrientationSwitch(self.arrange)

    def built(self) -> None:
        """End of a subclass's __init__: laid out for its current size. A touch on a button
        does not move the keyboard focus (a focus ring left on the last button touched looks
        like a choice to the next person); Tab still reaches every button. The page itself
        takes the focus when shown, so no button starts out ringed."""
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        for button in self.findChildren(QAbstractButton):
            button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        self.orientation.resized(self.size())

    def arrange(self, portrait: bool) -> None:
        """Lay the page out for portrait or landscape (called when the aspect flips)."""

    def resizeEvent(self, event: QResizeEvent) -> None:
        self.orientation.resized(event.size())
        super().resizeEvent(event)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.setFocus(Qt.FocusReason.OtherFocusReason)


def kiosk_button(
    text: str,
    parent: QWidget,
    name: str,
    *,
    role: str = "secondary",
    accessible: str | None = None,
    tall_px: int = 0,
) -> TallButton:
    """A kiosk button: its look (`role`), its object name and what a screen reader says
    (`accessible`, else the text) in one place; a touch does not leave a focus ring on it,
    also on buttons made after the page was built (choices, places, reasons)."""
    button = TallButton(text, parent, tall_px)
    button.setObjectName(name)
    button.setProperty("role", role)
    button.setAccessibleName(accessible or text)
    button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
    return button


class TallButton(QPushButton):
    """A button that asks for more height than the stylesheet's 15 mm (`tall_px`; 0: no more).
    Asked through the size hint, because the kiosk stylesheet sets every button's minimum
    height again whenever a theme is applied."""

    def __init__(self, text: str, parent: QWidget | None = None, tall_px: int = 0) -> None:
        super().__init__(text, parent)
        self.tall_px = tall_px

    def set_tall(self, px: int) -> None:
        if px != self.tall_px:
            self.tall_px = px
            self.updateGeometry()

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        return QSize(hint.width(), max(hint.height(), self.tall_px))
