"""The kiosk's themes (issue 6): contrast of every text/background pair, the stylesheet drawing
only the theme's colours and only the listed pairs, and controls and type sized for the elderly."""

from __future__ import annotations

import re

import pytest
from PySide6.QtWidgets import QFrame, QLabel, QPushButton, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from ui.kiosk.theme import (
    DEFAULT,
    HIGH_CONTRAST,
    LARGE,
    LARGER,
    LINE_PAIRS,
    PRESETS,
    TEXT_PAIRS,
    THEMES,
    KioskTheme,
    SizePreset,
    apply,
    contrast_ratio,
    min_control_height_px,
    stylesheet,
)

TARGET = {DEFAULT.name: 4.5, HIGH_CONTRAST.name: 7.0}
HEX = re.compile(r"#[0-9a-fA-F]{3,8}\b")
BLOCK = re.compile(r"([^{}]+)\{([^{}]*)\}")


def _blocks(qss: str) -> list[tuple[str, dict[str, str]]]:
    out = []
    for selector, body in BLOCK.findall(qss):
        decls = {}
        for decl in body.split(";"):
            if decl.strip():
                prop, _, value = decl.partition(":")
                decls[prop.strip().lower()] = value.strip().lower()
        out.append((selector.strip(), decls))
    return out


def _drawn_pairs(qss: str) -> list[tuple[str, str, str]]:
    """(selector, text hex, background hex) for every rule that sets a text colour."""
    return [
        (sel, decls["color"], decls["background-color"])
        for sel, decls in _blocks(qss)
        if "color" in decls
    ]


def test_contrast_ratio_known_values() -> None:
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast_ratio("#ffffff", "#000000") == pytest.approx(21.0)
    assert contrast_ratio("#fff", "#000") == pytest.approx(21.0)
    assert contrast_ratio("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)
    assert contrast_ratio("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)
    assert contrast_ratio("#123456", "#123456") == pytest.approx(1.0)
    with pytest.raises(ValueError):
        contrast_ratio("#12345", "#ffffff")


@pytest.mark.parametrize("theme", THEMES, ids=lambda t: t.name)
def test_every_text_pair_reaches_the_theme_target(theme: KioskTheme) -> None:
    colours = theme.colours()
    target = TARGET[theme.name]
    rows = [
        (f, b, colours[f], colours[b], contrast_ratio(colours[f], colours[b]))
        for f, b in TEXT_PAIRS
    ]
    print(f"\n{theme.name} (target {target}:1)")
    for f, b, fg, bg, ratio in rows:
        print(f"  {f:24} {fg}  on  {b:20} {bg}  {ratio:6.2f}:1")
    failing = [(f, b, round(r, 2)) for f, b, _, _, r in rows if r < target]
    assert not failing, failing
    # Lines (focus ring, button borders) meet WCAG 1.4.11's 3:1 against what they sit on.
    lines = [(f, b, contrast_ratio(colours[f], colours[b])) for f, b in LINE_PAIRS]
    assert all(r >= 3.0 for _, _, r in lines), lines


def test_text_pairs_name_real_roles() -> None:
    for theme in THEMES:
        colours = theme.colours()
        for f, b in [*TEXT_PAIRS, *LINE_PAIRS]:
            assert f in colours and b in colours, (f, b)
            assert b.endswith("_bg"), b


@pytest.mark.parametrize("preset", PRESETS, ids=lambda p: p.name)
@pytest.mark.parametrize("theme", THEMES, ids=lambda t: t.name)
def test_stylesheet_uses_only_theme_colours_and_listed_pairs(
    theme: KioskTheme, preset: SizePreset
) -> None:
    qss = stylesheet(theme, preset, control_height_px=62)
    colours = theme.colours()
    palette_hexes = set(colours.values())

    # No colour given any other way than #rrggbb (which the checks below could not see).
    assert not re.search(r"\b(rgba?|hsla?|hsv|qlineargradient|qradialgradient|palette)\s*\(", qss)
    for sel, decls in _blocks(qss):
        for prop in ("color", "background-color", "background"):
            if prop in decls:
                assert prop != "background", f"{sel}: use background-color, not background"
                assert HEX.fullmatch(decls[prop]), f"{sel}: {prop}: {decls[prop]}"
        # A rule that changes the background also says what text colour sits on it.
        if "background-color" in decls:
            assert "color" in decls, f"{sel} sets a background but no text colour"
        if "color" in decls:
            assert "background-color" in decls, f"{sel} sets a text colour on no background"

    # Every colour in the stylesheet is one of the theme's.
    strays = {h.lower() for h in HEX.findall(qss)} - palette_hexes
    assert not strays, strays

    # Every text/background pair drawn is listed in TEXT_PAIRS and reaches the target
    # (computed from the stylesheet's own colours), and every listed pair is drawn.
    listed = {(colours[f], colours[b]) for f, b in TEXT_PAIRS}
    drawn = _drawn_pairs(qss)
    assert drawn
    for sel, fg, bg in drawn:
        assert (fg, bg) in listed, f"{sel}: {fg} on {bg} is not in TEXT_PAIRS"
        assert contrast_ratio(fg, bg) >= TARGET[theme.name], (sel, fg, bg)
    assert listed <= {(fg, bg) for _, fg, bg in drawn}, "TEXT_PAIRS lists a pair never drawn"

    # Type sizes: nothing smaller than the preset's body size.
    sizes = [int(s) for s in re.findall(r"font-size:\s*(\d+)pt", qss)]
    assert sizes and min(sizes) >= preset.body_pt
    assert "px;" in qss and "font-size" not in re.sub(r"font-size:\s*\d+pt", "", qss)


def test_presets_are_large() -> None:
    assert LARGE.body_pt >= 20
    assert LARGER.body_pt >= 26
    for p in PRESETS:
        assert p.heading_pt > p.body_pt and p.button_pt >= p.body_pt
    assert DEFAULT.preset is LARGE and DEFAULT.base_point_size == LARGE.body_pt


def test_min_control_height() -> None:
    h = min_control_height_px(21.0, 1920, 1080)
    assert 55 <= h <= 70
    assert min_control_height_px() == h
    # Portrait of the same panel: the same physical density.
    assert min_control_height_px(21.0, 1080, 1920) == h
    # 21.5 inches at 1920x1080 is about 102 dpi: 15 mm is about 61 px.
    assert min_control_height_px(21.5, 1920, 1080) == 61
    assert min_control_height_px(21.0, 3840, 2160) == pytest.approx(2 * h, abs=1)
    with pytest.raises(ValueError):
        min_control_height_px(0, 1920, 1080)


@pytest.mark.parametrize("preset", PRESETS, ids=lambda p: p.name)
@pytest.mark.parametrize("theme", THEMES, ids=lambda t: t.name)
def test_apply_sizes_controls_and_type(qtbot: QtBot, theme: KioskTheme, preset: SizePreset) -> None:
    root = QWidget()
    qtbot.addWidget(root)
    layout = QVBoxLayout(root)
    labels = [
        QLabel("请把社保卡放在读卡区"),
        QLabel("办理医保业务"),
        QLabel("提示：有问题请按求助"),
    ]
    labels[1].setProperty("role", "heading")
    labels[2].setProperty("role", "hint")
    card = QFrame()
    card.setProperty("role", "card")
    card_layout = QVBoxLayout(card)
    card_label = QLabel("张三")
    card_layout.addWidget(card_label)
    labels.append(card_label)
    primary = QPushButton("下一步")
    secondary = QPushButton("返回")
    secondary.setProperty("role", "secondary")
    disabled = QPushButton("确认")
    disabled.setEnabled(False)
    for w in [*labels[:3], card, primary, secondary, disabled]:
        layout.addWidget(w)

    apply(root, theme, preset)
    root.show()
    qtbot.waitExposed(root)

    need = min_control_height_px()
    for button in (primary, secondary, disabled):
        assert button.height() >= need, (button.text(), button.height(), need)
        assert button.font().pointSize() >= preset.body_pt
    for label in labels:
        assert label.font().pointSize() >= preset.body_pt, (label.text(), label.font().pointSize())
    assert labels[1].font().pointSize() >= preset.heading_pt
    assert root.font().pointSize() == preset.body_pt
    assert root.palette().color(root.backgroundRole()).name() == theme.window_bg

    def colours(w: QWidget) -> tuple[str, str]:
        pal = w.palette()
        return pal.color(w.foregroundRole()).name(), pal.color(w.backgroundRole()).name()

    # The stylesheet's roles reach the widgets: hint text on the window, a card's text on the card.
    assert colours(labels[2]) == (theme.hint_text, theme.window_bg)
    assert colours(card_label) == (theme.card_text, theme.card_bg)
