"""The pictures of the three ways to begin (social-security card, ID card, e-voucher code).

The SVG files in `resources/kiosk/` are drawn with four colours only (`FILE_COLOURS`); at paint
time each is replaced by the colour the widget's palette has for that role, so the same
drawing is dark-on-light in the default theme and white-and-yellow-on-black in the
high-contrast one. They are painted on a plain widget, not put on a QLabel as a pixmap: the
session scrub clears label pixmaps (photos), and these belong to the screen, not the person.
"""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtCore import QByteArray, QRectF, QSize, Qt
from PySide6.QtGui import QPainter, QPaintEvent, QPalette
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import QBoxLayout, QFrame, QLabel, QSizePolicy, QWidget

from ui.kiosk.orientation import direction

PICTURES_DIR = Path(__file__).resolve().parent.parent.parent / "resources" / "kiosk"

# The colour each file uses for a role -> the palette role painted in its place.
FILE_COLOURS: dict[str, QPalette.ColorRole] = {
    "#1a1a1a": QPalette.ColorRole.WindowText,  # ink: outlines, arrows, QR modules
    "#0b5cad": QPalette.ColorRole.Highlight,  # accent: the card, the phone
    "#ffffff": QPalette.ColorRole.HighlightedText,  # what is drawn on the accent
    "#f4f7fb": QPalette.ColorRole.Window,  # paper: the readers' bodies
}
_HEX = re.compile(r"#[0-9a-fA-F]{6}\b")

# (key, file stem); the captions are in `WaysPanel`.
WAYS: tuple[tuple[str, str], ...] = (
    ("ssc", "way-ssc"),
    ("id_card", "way-id-card"),
    ("e_voucher", "way-e-voucher"),
)


def recolour(svg: str, colours: dict[str, str]) -> str:
    """`svg` with each of `FILE_COLOURS` replaced by `colours[file colour]`, all at once (so
    a colour put in is never replaced again). A colour the files should not use is an error."""

    def swap(match: re.Match[str]) -> str:
        found = match.group(0).lower()
        if found not in colours:
            raise ValueError(f"the picture uses {found}, not one of the theme's roles")
        return colours[found]

    return _HEX.sub(swap, svg)


class Pictogram(QWidget):
    """One of the SVG pictures, drawn in the palette's colours, as large as fits (its aspect
    kept, centred)."""

    def __init__(self, stem: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.stem = stem
        self._source = (PICTURES_DIR / f"{stem}.svg").read_text(encoding="utf-8")
        self._renderer = QSvgRenderer(self)
        self._drawn_with: dict[str, str] | None = None
        self.setProperty("role", "picture")  # needs an accessible name, like a control
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(QSize(120, 100))

    def colours(self) -> dict[str, str]:
        pal = self.palette()
        return {hexa: pal.color(role).name() for hexa, role in FILE_COLOURS.items()}

    def sizeHint(self) -> QSize:
        return QSize(240, 200)

    def paintEvent(self, event: QPaintEvent) -> None:
        colours = self.colours()
        if colours != self._drawn_with:
            self._renderer.load(QByteArray(recolour(self._source, colours).encode("utf-8")))
            self._drawn_with = colours
        size = self._renderer.defaultSize().scaled(self.size(), Qt.AspectRatioMode.KeepAspectRatio)
        target = QRectF(
            (self.width() - size.width()) / 2,
            (self.height() - size.height()) / 2,
            size.width(),
            size.height(),
        )
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        self._renderer.render(painter, target)
        painter.end()


class WaysPanel(QWidget):
    """The three ways to begin as cards, each a picture and its caption. In landscape the
    cards stand side by side, picture above caption; in portrait they are stacked, picture
    beside caption, so each caption has the width to stay on one or two lines."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("waysPanel")
        captions = {
            "ssc": self.tr("Insert your social-security card"),
            "id_card": self.tr("Put your ID card on the reader"),
            "e_voucher": self.tr("Show your e-voucher code to the scanner"),
        }
        label_names = {"ssc": "waySsc", "id_card": "wayIdCard", "e_voucher": "wayEVoucher"}
        self.pictures: dict[str, Pictogram] = {}
        self.captions: dict[str, QLabel] = {}
        self._card_layouts: list[QBoxLayout] = []
        self._layout = QBoxLayout(QBoxLayout.Direction.LeftToRight, self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(24)
        for key, stem in WAYS:
            card = QFrame(self)
            card.setObjectName(f"way_{key}")
            card.setProperty("role", "card")
            picture = Pictogram(stem, card)
            picture.setObjectName(f"picture_{key}")
            picture.setAccessibleName(captions[key])
            caption = QLabel(captions[key], card)
            caption.setObjectName(label_names[key])
            caption.setWordWrap(True)
            caption.setAlignment(Qt.AlignmentFlag.AlignCenter)
            caption.setAccessibleName(captions[key])
            bold = caption.font()
            bold.setBold(True)
            caption.setFont(bold)
            inner = QBoxLayout(QBoxLayout.Direction.TopToBottom, card)
            inner.addWidget(picture, 1)
            inner.addWidget(caption)
            self._card_layouts.append(inner)
            self._layout.addWidget(card, 1)
            self.pictures[key] = picture
            self.captions[key] = caption
        self.set_portrait(False)

    def set_portrait(self, portrait: bool) -> None:
        self._layout.setDirection(direction(True, portrait))
        for inner in self._card_layouts:
            inner.setDirection(direction(False, portrait))
        for key, caption in self.captions.items():
            caption.setAlignment(
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
                if portrait
                else Qt.AlignmentFlag.AlignCenter
            )
            picture = self.pictures[key]
            picture.setMinimumSize(QSize(300, 240) if portrait else QSize(180, 150))
            picture.setSizePolicy(
                QSizePolicy.Policy.Fixed if portrait else QSizePolicy.Policy.Expanding,
                QSizePolicy.Policy.Expanding,
            )
