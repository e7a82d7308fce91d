"""The kiosk's look: two colour themes, two type sizes and controls tall enough for fingers.

Many of the kiosk's users are elderly, so everything here errs on the large and the plain side:

* **Type.** `LARGE` (the default, body text 20 pt) and `LARGER` (26 pt) for anyone who asks.
* **Colour.** `DEFAULT` is calm, light, with 医保 blue accents; every text/background pair the
  kiosk draws reaches WCAG AA (4.5:1). `HIGH_CONTRAST` is white and yellow on black; every pair
  reaches WCAG AAA (7:1). `TEXT_PAIRS` names every pair the stylesheet draws, and the tests
  compute each ratio from the theme's own colours.
* **Touch.** Every control is at least 15 mm tall on the kiosk's screen (`min_control_height_px`).

Widgets choose their look by a dynamic property `role` (or the same word as their objectName):
labels `heading`, `secondary`, `hint`, `error`, `success`; buttons `primary` (the default) and
`secondary`; containers `card`, `warning` (banner) and `countdown` (banner). A widget whose
`role` changes after it is shown must be re-polished (`style().unpolish(w); style().polish(w)`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields

from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import QApplication, QWidget

MM_PER_INCH = 25.4


@dataclass(frozen=True)
class SizePreset:
    """Point sizes for one type preset. Every text is at least `body_pt`."""

    name: str
    body_pt: int
    heading_pt: int
    button_pt: int


LARGE = SizePreset(name="large", body_pt=20, heading_pt=28, button_pt=22)
LARGER = SizePreset(name="larger", body_pt=26, heading_pt=34, button_pt=28)
PRESETS: tuple[SizePreset, ...] = (LARGE, LARGER)


@dataclass(frozen=True)
class KioskTheme:
    """Every colour the kiosk draws, as `#rrggbb`. Fields ending in `_bg` are backgrounds,
    `focus_ring` and `*_border` are lines (not text); every other colour is text."""

    name: str
    window_bg: str
    text: str
    secondary_text: str
    hint_text: str
    error_text: str
    success_text: str
    primary_button_bg: str
    primary_button_text: str
    secondary_button_bg: str
    secondary_button_text: str
    secondary_button_border: str
    disabled_button_bg: str
    disabled_button_text: str
    focus_ring: str
    warning_bg: str
    warning_text: str
    card_bg: str
    card_text: str
    card_border: str
    countdown_bg: str
    countdown_text: str
    preset: SizePreset = LARGE

    @property
    def base_point_size(self) -> int:
        return self.preset.body_pt

    def colours(self) -> dict[str, str]:
        """Role name -> colour (lower-case hex) for every colour field."""
        return {
            f.name: str(getattr(self, f.name)).lower()
            for f in fields(self)
            if isinstance(getattr(self, f.name), str) and f.name != "name"
        }


DEFAULT = KioskTheme(
    name="default",
    window_bg="#f4f7fb",
    text="#1a1a1a",
    secondary_text="#3b4656",
    hint_text="#4a5565",
    error_text="#b3261e",
    success_text="#1b6b2a",
    primary_button_bg="#0b5cad",
    primary_button_text="#ffffff",
    secondary_button_bg="#ffffff",
    secondary_button_text="#0b5cad",
    secondary_button_border="#0b5cad",
    disabled_button_bg="#dde3ea",
    disabled_button_text="#4a5565",
    focus_ring="#c24e00",
    warning_bg="#fff4ce",
    warning_text="#5c3b00",
    card_bg="#ffffff",
    card_text="#1a1a1a",
    card_border="#7a8797",
    countdown_bg="#0b3d75",
    countdown_text="#ffffff",
)

HIGH_CONTRAST = KioskTheme(
    name="high_contrast",
    window_bg="#000000",
    text="#ffffff",
    secondary_text="#ffff00",
    hint_text="#00ffff",
    error_text="#ff9e9e",
    success_text="#7cff7c",
    primary_button_bg="#ffff00",
    primary_button_text="#000000",
    secondary_button_bg="#000000",
    secondary_button_text="#ffffff",
    secondary_button_border="#ffffff",
    disabled_button_bg="#262626",
    disabled_button_text="#c8c8c8",
    focus_ring="#00ffff",
    warning_bg="#ffff00",
    warning_text="#000000",
    card_bg="#000000",
    card_text="#ffffff",
    card_border="#ffffff",
    countdown_bg="#ffffff",
    countdown_text="#000000",
)

THEMES: tuple[KioskTheme, ...] = (DEFAULT, HIGH_CONTRAST)

# Every (text role, background role) pair the stylesheet draws; the tests check that the
# stylesheet draws no other pair and that each of these reaches the theme's contrast target.
TEXT_PAIRS: list[tuple[str, str]] = [
    ("text", "window_bg"),
    ("secondary_text", "window_bg"),
    ("hint_text", "window_bg"),
    ("error_text", "window_bg"),
    ("success_text", "window_bg"),
    ("card_text", "card_bg"),
    ("secondary_text", "card_bg"),
    ("hint_text", "card_bg"),
    ("error_text", "card_bg"),
    ("success_text", "card_bg"),
    ("primary_button_text", "primary_button_bg"),
    ("secondary_button_text", "secondary_button_bg"),
    ("disabled_button_text", "disabled_button_bg"),
    ("warning_text", "warning_bg"),
    ("countdown_text", "countdown_bg"),
]

# Lines that must stand out from what is around them (WCAG 1.4.11, non-text contrast 3:1).
LINE_PAIRS: list[tuple[str, str]] = [
    ("focus_ring", "window_bg"),
    ("focus_ring", "card_bg"),
    ("secondary_button_border", "window_bg"),
]


def _linear(channel: int) -> float:
    c = channel / 255.0
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def relative_luminance(hex_colour: str) -> float:
    """WCAG 2.x relative luminance of `#rrggbb` (or `#rgb`)."""
    h = hex_colour.strip().lstrip("#")
    if len(h) == 3:
        h = "".join(ch * 2 for ch in h)
    if len(h) != 6:
        raise ValueError(f"not a #rrggbb colour: {hex_colour!r}")
    r, g, b = (int(h[i : i + 2], 16) for i in (0, 2, 4))
    return 0.2126 * _linear(r) + 0.7152 * _linear(g) + 0.0722 * _linear(b)


def contrast_ratio(fg_hex: str, bg_hex: str) -> float:
    """WCAG 2.x contrast ratio (1 to 21) between two colours; symmetric."""
    a, b = relative_luminance(fg_hex), relative_luminance(bg_hex)
    lighter, darker = max(a, b), min(a, b)
    return (lighter + 0.05) / (darker + 0.05)


def min_control_height_px(
    screen_diagonal_in: float = 21.0,
    width_px: int = 1920,
    height_px: int = 1080,
    mm: float = 15.0,
) -> int:
    """Pixels for `mm` millimetres on a screen of that diagonal and resolution (square pixels),
    rounded up. Portrait and landscape of the same panel give the same answer."""
    if screen_diagonal_in <= 0 or width_px <= 0 or height_px <= 0:
        raise ValueError("the screen's diagonal and resolution must be positive")
    px_per_inch = math.hypot(width_px, height_px) / screen_diagonal_in
    return math.ceil(mm * px_per_inch / MM_PER_INCH)


def stylesheet(
    theme: KioskTheme, preset: SizePreset | None = None, *, control_height_px: int
) -> str:
    """The kiosk's Qt stylesheet. Every rule that sets a text colour also sets the background it
    is drawn on, so each pair can be checked (see `TEXT_PAIRS`)."""
    t, p = theme, preset or theme.preset
    pad = max(8, control_height_px // 6)

    def role(kind: str, name: str) -> str:
        return f'{kind}[role="{name}"], {kind}#{name}'

    def in_card(label_role: str) -> str:
        return f'QWidget[role="card"] QLabel[role="{label_role}"], QWidget#card QLabel#{label_role}'

    rules = [
        (  # selection colours also reach the palette's Highlight roles, which the pictures
            # (ui/kiosk/pictures.py) take their accent from
            "QWidget",
            f"color: {t.text}; background-color: {t.window_bg}; font-size: {p.body_pt}pt; "
            f"selection-color: {t.primary_button_text}; "
            f"selection-background-color: {t.primary_button_bg};",
        ),
        (
            "QLabel",
            f"color: {t.text}; background-color: {t.window_bg}; font-size: {p.body_pt}pt;",
        ),
        (
            role("QLabel", "heading"),
            f"color: {t.text}; background-color: {t.window_bg}; "
            f"font-size: {p.heading_pt}pt; font-weight: bold;",
        ),
        (
            role("QLabel", "secondary"),
            f"color: {t.secondary_text}; background-color: {t.window_bg};",
        ),
        (role("QLabel", "hint"), f"color: {t.hint_text}; background-color: {t.window_bg};"),
        (
            role("QLabel", "error"),
            f"color: {t.error_text}; background-color: {t.window_bg}; font-weight: bold;",
        ),
        (role("QLabel", "success"), f"color: {t.success_text}; background-color: {t.window_bg};"),
        (
            f'{role("QWidget", "card")}, QWidget[role="card"] QLabel, QWidget#card QLabel',
            f"color: {t.card_text}; background-color: {t.card_bg};",
        ),
        (
            role("QWidget", "card"),
            f"border: 2px solid {t.card_border}; border-radius: 12px; padding: {pad}px;",
        ),
        ('QWidget[role="card"] QLabel, QWidget#card QLabel', "border: none; padding: 0px;"),
        (in_card("secondary"), f"color: {t.secondary_text}; background-color: {t.card_bg};"),
        (in_card("hint"), f"color: {t.hint_text}; background-color: {t.card_bg};"),
        (
            in_card("error"),
            f"color: {t.error_text}; background-color: {t.card_bg}; font-weight: bold;",
        ),
        (in_card("success"), f"color: {t.success_text}; background-color: {t.card_bg};"),
        (
            f'{role("QWidget", "warning")}, QWidget[role="warning"] QLabel, QWidget#warning QLabel',
            f"color: {t.warning_text}; background-color: {t.warning_bg}; font-weight: bold;",
        ),
        (  # the card left in the reader, a service paused here: large enough to notice
            role("QWidget", "warning"),
            f"font-size: {p.heading_pt}pt; padding: {pad}px;",
        ),
        (
            f"{role('QWidget', 'countdown')}, "
            'QWidget[role="countdown"] QLabel, QWidget#countdown QLabel',
            f"color: {t.countdown_text}; background-color: {t.countdown_bg}; font-weight: bold;",
        ),
        (  # the idle warning is the one thing a person must not miss
            role("QWidget", "countdown"),
            f"font-size: {p.heading_pt}pt; padding: {pad}px;",
        ),
        (
            "QPushButton",
            f"color: {t.primary_button_text}; background-color: {t.primary_button_bg}; "
            f"border: 3px solid {t.primary_button_bg}; border-radius: 10px; "
            f"font-size: {p.button_pt}pt; font-weight: bold; "
            f"min-height: {control_height_px}px; min-width: {control_height_px * 2}px; "
            f"padding: {pad}px {pad * 2}px;",
        ),
        (
            role("QPushButton", "secondary"),
            f"color: {t.secondary_button_text}; background-color: {t.secondary_button_bg}; "
            f"border: 3px solid {t.secondary_button_border};",
        ),
        (  # a toggle that is on (大字, 高对比) takes the primary look
            "QPushButton:checked",
            f"color: {t.primary_button_text}; background-color: {t.primary_button_bg}; "
            f"border: 3px solid {t.secondary_button_border};",
        ),
        (
            "QPushButton:disabled",
            f"color: {t.disabled_button_text}; background-color: {t.disabled_button_bg}; "
            f"border: 3px solid {t.disabled_button_bg};",
        ),
        ("QPushButton:focus", f"border: 4px solid {t.focus_ring};"),
        # records in a list (the queries' answers): a line between one and the next
        (
            "QListView::item",
            f"border-bottom: 2px solid {t.card_border}; padding: {pad}px 0px;",
        ),
        # the only typing on a kiosk is the technician's password: a field as tall as a button
        ("QLineEdit", f"min-height: {control_height_px}px; padding: 0px {pad}px;"),
    ]
    return "\n".join(f"{selector} {{ {body} }}" for selector, body in rules) + "\n"


def palette(theme: KioskTheme) -> QPalette:
    """A palette matching the theme, for what the stylesheet does not reach (dialogs, focus)."""
    t = theme
    pal = QPalette()
    roles = {
        QPalette.ColorRole.Window: t.window_bg,
        QPalette.ColorRole.WindowText: t.text,
        QPalette.ColorRole.Base: t.card_bg,
        QPalette.ColorRole.AlternateBase: t.window_bg,
        QPalette.ColorRole.Text: t.card_text,
        QPalette.ColorRole.Button: t.primary_button_bg,
        QPalette.ColorRole.ButtonText: t.primary_button_text,
        QPalette.ColorRole.Highlight: t.primary_button_bg,
        QPalette.ColorRole.HighlightedText: t.primary_button_text,
        QPalette.ColorRole.ToolTipBase: t.card_bg,
        QPalette.ColorRole.ToolTipText: t.card_text,
        QPalette.ColorRole.PlaceholderText: t.hint_text,
        QPalette.ColorRole.BrightText: t.error_text,
        QPalette.ColorRole.Link: t.secondary_button_text,
    }
    for role, colour in roles.items():
        pal.setColor(role, QColor(colour))
    for role, colour in {
        QPalette.ColorRole.Button: t.disabled_button_bg,
        QPalette.ColorRole.ButtonText: t.disabled_button_text,
        QPalette.ColorRole.WindowText: t.hint_text,
        QPalette.ColorRole.Text: t.hint_text,
    }.items():
        pal.setColor(QPalette.ColorGroup.Disabled, role, QColor(colour))
    return pal


def apply(
    app_or_widget: QApplication | QWidget,
    theme: KioskTheme = DEFAULT,
    preset: SizePreset | None = None,
    *,
    control_height_px: int | None = None,
) -> None:
    """Give an application (or one widget tree) the kiosk's palette, font and stylesheet.
    `control_height_px` defaults to 15 mm on a 21-inch 1920×1080 screen."""
    p = preset or theme.preset
    height = control_height_px if control_height_px is not None else min_control_height_px()
    font = QFont(app_or_widget.font())
    font.setPointSize(p.body_pt)
    app_or_widget.setPalette(palette(theme))
    app_or_widget.setFont(font)
    app_or_widget.setStyleSheet(stylesheet(theme, p, control_height_px=height))
