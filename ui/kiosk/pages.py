"""The kiosk's pages before a service: the attract screen, "who are you" and the citizen's home.

They only show things and say what was touched (signals); `ui.kiosk.window.KioskWindow` decides
what happens next. Each lays itself out for portrait or landscape when its aspect flips
(`ui.kiosk.page`), and the three carry the accessibility bar (大字, 高对比) showing one
shared `A11yChoice`.
"""

from __future__ import annotations

import functools

from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import QGridLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from app.identity import PersonRead, mask_id_number, mask_name
from ui.kiosk.a11y_bar import A11yBar, A11yChoice
from ui.kiosk.page import KioskPage, TallButton
from ui.kiosk.pictures import WaysPanel
from ui.kiosk.privacy import mark_personal

CAROUSEL_MS = 8000
START_HEIGHT_PX = 130  # "touch to start" is the biggest thing on the attract screen
# Services are bigger targets than 15 mm where the screen has room: one column of them in
# portrait, four rows of two in landscape.
SERVICE_HEIGHT_PX = {True: 120, False: 100}  # portrait?

# Plain-language explainers shown between the centre's announcements (大白话).
EXPLAINERS: tuple[tuple[str, str], ...] = (
    (
        "看病就医，带上医保电子凭证",
        "在手机上打开医保电子凭证，看病、买药、办业务都能用，不用带卡。",
    ),
    (
        "去外地住一段时间？先备案",
        "长期在外地居住或临时外出就医，先办异地就医备案，看病可以直接结算。",
    ),
    (
        "城乡居民医保，每年按时缴费",
        "按时缴费，第二年看病才能报销。不清楚自己缴了没有，可以在这里查。",
    ),
)


class _Page(KioskPage):
    """A kiosk page with the accessibility bar."""

    def __init__(self, parent: QWidget | None, a11y: A11yChoice | None) -> None:
        super().__init__(parent)
        # One choice per window: the window passes its own; a page built alone makes one.
        self.a11y = a11y if a11y is not None else A11yChoice(self)
        self.a11y_bar = A11yBar(self.a11y, self)


class AttractPage(_Page):
    start_requested = Signal()

    def __init__(self, parent: QWidget | None = None, a11y: A11yChoice | None = None) -> None:
        super().__init__(parent, a11y)
        self.setObjectName("attractPage")
        self.slides: list[tuple[str, str]] = list(EXPLAINERS)
        self._index = 0
        self.title = QLabel(self)
        self.title.setObjectName("slideTitle")
        self.title.setProperty("role", "heading")
        self.title.setWordWrap(True)
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.body = QLabel(self)
        self.body.setObjectName("slideBody")
        self.body.setWordWrap(True)
        self.body.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.ways = WaysPanel(self)
        self.start_button = TallButton(self.tr("Touch here to start"), self, START_HEIGHT_PX)
        self.start_button.setObjectName("startButton")
        self.start_button.setProperty("role", "primary")
        self.start_button.setAccessibleName(self.tr("Touch here to start"))
        layout = QVBoxLayout(self)
        layout.addWidget(self.a11y_bar)
        layout.addStretch(1)
        layout.addWidget(self.title)
        layout.addWidget(self.body)
        layout.addStretch(1)
        layout.addWidget(self.ways, 2)
        layout.addWidget(self.start_button)
        self.start_button.clicked.connect(self.start_requested)
        self.timer = QTimer(self)
        self.timer.setInterval(CAROUSEL_MS)
        self.timer.timeout.connect(self.next_slide)
        self._show()
        self.built()

    def arrange(self, portrait: bool) -> None:
        self.ways.set_portrait(portrait)

    def set_announcements(self, items: list[tuple[str, str]]) -> None:
        """The centre's announcements first, then the explainers."""
        self.slides = [*items, *EXPLAINERS]
        self._index = 0
        self._show()

    @Slot()
    def next_slide(self) -> None:
        self._index = (self._index + 1) % len(self.slides)
        self._show()

    def _show(self) -> None:
        title, body = self.slides[self._index]
        self.title.setText(title)
        self.body.setText(body)
        self.title.setAccessibleName(title)
        self.body.setAccessibleName(body)


class IdentifyPage(_Page):
    cancelled = Signal()

    def __init__(self, parent: QWidget | None = None, a11y: A11yChoice | None = None) -> None:
        super().__init__(parent, a11y)
        self.setObjectName("identifyPage")
        self.prompt = QLabel(self.tr("Please use any one of these three ways"), self)
        self.prompt.setObjectName("identifyPrompt")
        self.prompt.setProperty("role", "heading")
        self.prompt.setWordWrap(True)
        self.prompt.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.prompt.setAccessibleDescription(
            self.tr(
                "Insert your social-security card, put your ID card on the reader, or show "
                "your medical-insurance e-voucher to the scanner."
            )
        )
        self.ways = WaysPanel(self)
        self.status = QLabel(self)
        self.status.setObjectName("identifyStatus")
        self.status.setProperty("role", "error")  # what it shows: why a card or code failed
        self.status.setWordWrap(True)
        self.status.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.back_button = QPushButton(self.tr("Back"), self)
        self.back_button.setObjectName("identifyBackButton")
        self.back_button.setProperty("role", "secondary")
        self.back_button.setAccessibleName(self.tr("Back to the start"))
        layout = QVBoxLayout(self)
        layout.setSpacing(16)
        layout.addWidget(self.a11y_bar)
        layout.addStretch(1)
        layout.addWidget(self.prompt)
        layout.addWidget(self.ways, 3)
        layout.addWidget(self.status)
        layout.addStretch(1)
        layout.addWidget(self.back_button)
        self.back_button.clicked.connect(self.cancelled)
        self.built()

    def arrange(self, portrait: bool) -> None:
        self.ways.set_portrait(portrait)


class HomePage(_Page):
    """The identified citizen's services. Only what this kiosk offers is listed: two columns
    of big buttons in landscape, one in portrait."""

    finished = Signal()
    query_requested = Signal(str, str)  # kind, the button's words (the page title)
    print_requested = Signal(str, str)  # document kind, the button's words
    apply_requested = Signal()

    def __init__(self, parent: QWidget | None = None, a11y: A11yChoice | None = None) -> None:
        super().__init__(parent, a11y)
        self.setObjectName("homePage")
        self.greeting = mark_personal(QLabel(self))
        self.greeting.setObjectName("greeting")
        self.greeting.setProperty("role", "heading")
        self.greeting.setWordWrap(True)
        self.query_buttons: dict[str, TallButton] = {}
        for kind, text in (
            ("coverage", self.tr("My insurance")),
            ("payments", self.tr("My payments")),
            ("account", self.tr("My personal account")),
            ("reimbursements", self.tr("My reimbursements")),
        ):
            button = TallButton(text, self)
            button.setObjectName(f"query_{kind}")
            button.setProperty("role", "secondary")
            button.setAccessibleName(text)
            button.clicked.connect(functools.partial(self.query_requested.emit, kind, text))
            self.query_buttons[kind] = button
        self.print_buttons: dict[str, TallButton] = {}
        for kind, text in (
            ("enrolment_cert", self.tr("Print my enrolment certificate")),
            ("rights_record", self.tr("Print my rights record")),
        ):
            button = TallButton(text, self)
            button.setObjectName(f"print_{kind}")
            button.setProperty("role", "secondary")
            button.setAccessibleName(text)
            button.clicked.connect(functools.partial(self.print_requested.emit, kind, text))
            self.print_buttons[kind] = button
        self.apply_button = TallButton(self.tr("Apply for something"), self)
        self.apply_button.setObjectName("applyButton")
        self.apply_button.setProperty("role", "secondary")
        self.apply_button.setAccessibleName(
            self.tr("Apply: care in another region, enrolment, chronic-disease treatment")
        )
        self.finish_button = QPushButton(self.tr("Finish and take my card"), self)
        self.finish_button.setObjectName("finishButton")
        self.finish_button.setProperty("role", "primary")
        self.finish_button.setAccessibleName(self.tr("Finish and take my card"))
        self.services = [
            *self.query_buttons.values(),
            *self.print_buttons.values(),
            self.apply_button,
        ]
        self.grid = QGridLayout()
        self.grid.setSpacing(16)
        layout = QVBoxLayout(self)
        layout.setSpacing(16)
        layout.addWidget(self.a11y_bar)
        layout.addWidget(self.greeting)
        layout.addLayout(self.grid)
        layout.addStretch(1)
        layout.addWidget(self.finish_button)
        self.finish_button.clicked.connect(self.finished)
        self.apply_button.clicked.connect(self.apply_requested)
        self.built()

    def arrange(self, portrait: bool) -> None:
        columns = 1 if portrait else 2
        for button in self.services:
            self.grid.removeWidget(button)
        for n, button in enumerate(self.services):
            self.grid.addWidget(button, n // columns, n % columns)
            button.set_tall(SERVICE_HEIGHT_PX[portrait])

    def show_person(self, person: PersonRead) -> None:
        self.greeting.setText(
            self.tr("Hello, %1 (%2)")
            .replace("%1", mask_name(person.name))
            .replace("%2", mask_id_number(person.id_number))
        )
