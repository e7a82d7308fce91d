"""The kiosk for the elderly and for screen readers (issue 6): the citizen's own 大字 and 高对比,
shared by every page and back to the defaults for the next person; the pictures of the three
ways to begin, drawn in the theme's colours; pages that re-arrange for portrait; and a name for
every control and picture on every kiosk page."""

from __future__ import annotations

import fnmatch
import json
import tomllib
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QByteArray, QSize, Qt
from PySide6.QtGui import QColor
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import QBoxLayout, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot
from setuptools import find_namespace_packages

from app.context import AppContext
from sync.state import SyncStateStore
from ui.app import build_kiosk_window
from ui.kiosk import theme
from ui.kiosk.a11y_bar import A11yChoice
from ui.kiosk.orientation import OrientationSwitch
from ui.kiosk.pages import AttractPage, HomePage, IdentifyPage
from ui.kiosk.pictures import FILE_COLOURS, PICTURES_DIR, WAYS, Pictogram, WaysPanel, recolour
from ui.kiosk.window import KioskWindow

from .screen_checks import settle, unnamed

REPO = Path(__file__).resolve().parent.parent
LEFT = Qt.MouseButton.LeftButton


@pytest.fixture(autouse=True)
def _chinese(chinese: None) -> None:
    """Citizens read Chinese."""


# ---- 大字 and 高对比 -----------------------------------------------------------------------------
def test_the_choice_is_shared_by_every_page_and_reset_for_the_next_person(qtbot: QtBot) -> None:
    choice = A11yChoice()
    pages = [AttractPage(a11y=choice), IdentifyPage(a11y=choice), HomePage(a11y=choice)]
    for page in pages:
        qtbot.addWidget(page)
    emitted: list[tuple[str, str]] = []
    choice.theme_changed.connect(lambda t, s: emitted.append((t, s)))
    attract, identify, home = (p.a11y_bar for p in pages)

    for bar in (attract, identify, home):
        for button in (bar.larger_button, bar.contrast_button):
            assert button.isCheckable() and not button.isChecked()
    assert attract.larger_button.accessibleName() and attract.contrast_button.accessibleName()

    qtbot.mouseClick(attract.larger_button, LEFT)
    assert emitted == [("default", "larger")]
    assert all(b.larger_button.isChecked() for b in (attract, identify, home))
    assert not any(b.contrast_button.isChecked() for b in (attract, identify, home))

    qtbot.mouseClick(home.contrast_button, LEFT)  # another page's bar: the same choice
    assert emitted[-1] == ("high_contrast", "larger")
    assert attract.contrast_button.isChecked() and identify.contrast_button.isChecked()
    assert (choice.theme, choice.preset) == (theme.HIGH_CONTRAST, theme.LARGER)

    qtbot.mouseClick(identify.larger_button, LEFT)  # off again
    assert emitted[-1] == ("high_contrast", "large")

    choice.reset()  # the session ended
    assert emitted[-1] == ("default", "large")
    assert not any(
        button.isChecked()
        for bar in (attract, identify, home)
        for button in (bar.larger_button, bar.contrast_button)
    )
    count = len(emitted)
    choice.reset()
    assert len(emitted) == count  # nothing changed, nothing said


def test_a_toggle_on_looks_different_from_off(qtbot: QtBot) -> None:
    """A toggle that is on takes the primary colours; off, the secondary ones."""
    page = AttractPage()
    qtbot.addWidget(page)
    theme.apply(page, theme.DEFAULT, theme.LARGE)
    page.resize(1920, 1080)
    page.show()
    qtbot.waitExposed(page)
    button = page.a11y_bar.larger_button

    def fill() -> str:
        image = button.grab().toImage()
        return QColor(image.pixel(image.width() // 2, 8)).name()

    assert fill() == theme.DEFAULT.secondary_button_bg
    qtbot.mouseClick(button, LEFT)
    settle()
    assert fill() == theme.DEFAULT.primary_button_bg


# ---- the pictures ------------------------------------------------------------------------------
def test_the_pictures_are_valid_svg_in_the_four_colours_only() -> None:
    identity = {c: c for c in FILE_COLOURS}
    for _, stem in WAYS:
        svg = (PICTURES_DIR / f"{stem}.svg").read_text(encoding="utf-8")
        assert QSvgRenderer(QByteArray(svg.encode())).isValid(), stem
        assert recolour(svg, identity) == svg  # raises on any other colour
    with pytest.raises(ValueError):
        recolour('<rect fill="#123456"/>', identity)


def test_the_pictures_are_package_data() -> None:
    """The installed application finds them: their folder is a package the project's
    `packages.find` includes, and `.svg` is package data."""
    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]
    setuptools_config = config["setuptools"]
    found = find_namespace_packages(
        where=str(REPO), include=setuptools_config["packages"]["find"]["include"]
    )
    assert "resources.kiosk" in found
    patterns = setuptools_config["package-data"]["*"]
    for _, stem in WAYS:
        assert any(fnmatch.fnmatch(f"{stem}.svg", p) for p in patterns), stem
    assert PICTURES_DIR == REPO / "resources" / "kiosk"


def _painted(kiosk_theme: theme.KioskTheme, stem: str, qtbot: QtBot) -> Counter[str]:
    root = QWidget()
    qtbot.addWidget(root)
    picture = Pictogram(stem, root)
    QVBoxLayout(root).addWidget(picture)
    theme.apply(root, kiosk_theme, theme.LARGE)
    root.resize(480, 400)
    root.show()
    qtbot.waitExposed(root)
    image = picture.grab().toImage()
    return Counter(
        QColor(image.pixel(x, y)).name()
        for y in range(0, image.height(), 2)
        for x in range(0, image.width(), 2)
    )


@pytest.mark.parametrize("kiosk_theme", theme.THEMES, ids=lambda t: t.name)
@pytest.mark.parametrize("stem", [stem for _, stem in WAYS])
def test_the_pictures_are_drawn_in_the_theme_colours(
    qtbot: QtBot, kiosk_theme: theme.KioskTheme, stem: str
) -> None:
    counts = _painted(kiosk_theme, stem, qtbot)
    total = sum(counts.values())
    ink, accent = kiosk_theme.text, kiosk_theme.primary_button_bg
    assert counts[ink] / total > 0.03, (stem, counts.most_common(5))  # outlines and arrows
    assert counts[accent] / total > 0.05, (stem, counts.most_common(5))  # the card, the phone
    # The file's own colours are gone (except where the theme has the same one; greys may
    # come from anti-aliasing between black and white).
    for drawn in set(FILE_COLOURS) - set(kiosk_theme.colours().values()):
        if len({drawn[1:3], drawn[3:5], drawn[5:7]}) > 1:
            assert counts[drawn] == 0, (stem, drawn)
    # Nearly every pixel is one of the theme's colours: the rest is anti-aliasing.
    own = counts[ink] + counts[accent] + counts[kiosk_theme.window_bg]
    own += counts[kiosk_theme.primary_button_text]
    assert own / total > 0.9, counts.most_common(8)


# ---- portrait and landscape --------------------------------------------------------------------
def test_arrange_runs_when_the_aspect_flips_only() -> None:
    calls: list[bool] = []
    switch = OrientationSwitch(calls.append)
    for size in ((1920, 1080), (1900, 1000), (1080, 1920), (1000, 1900), (1920, 1080)):
        switch.resized(QSize(*size))
    assert calls == [False, True, False]


def test_pages_rearrange_for_portrait(qtbot: QtBot) -> None:
    home = HomePage()
    ways = WaysPanel()
    for w in (home, ways):
        qtbot.addWidget(w)
        w.show()  # a hidden widget's resize events wait until it is shown

    def columns() -> set[int]:
        return {home.grid.getItemPosition(home.grid.indexOf(b))[1] for b in home.services}

    home.resize(1920, 1080)
    assert columns() == {0, 1}
    home.resize(1080, 1920)
    assert columns() == {0}
    assert all(b.sizeHint().height() >= 120 for b in home.services)  # taller in one column
    home.resize(1920, 1080)
    assert columns() == {0, 1}

    layout = ways.layout()
    assert isinstance(layout, QBoxLayout)
    ways.set_portrait(True)
    assert layout.direction() is QBoxLayout.Direction.TopToBottom  # stacked
    ways.set_portrait(False)
    assert layout.direction() is QBoxLayout.Direction.LeftToRight  # side by side


# ---- names for screen readers --------------------------------------------------------------
@pytest.fixture
def kiosk(qtbot: QtBot, ctx: AppContext) -> Iterator[KioskWindow]:
    ctx.stations.ensure_demo_station(ctx.catalog.current())
    SyncStateStore(ctx.db).set(announcements=json.dumps([{"id": 1, "title": "通知", "body": "x"}]))
    win = build_kiosk_window(ctx, demo=True, language="zh_CN")
    qtbot.addWidget(win)
    win.show()
    qtbot.waitUntil(lambda: win.devices.discovered, timeout=5000)
    yield win
    win._leaving = True  # the test, not a citizen, closes it
    win.close()


def test_every_control_on_every_kiosk_page_has_a_name(qtbot: QtBot, kiosk: KioskWindow) -> None:
    """Every page, shown or not: each control has its own accessible name, and each picture."""
    with qtbot.waitSignal(kiosk.devices.person_read, timeout=5000):
        assert kiosk.devices.put_demo_card()
    qtbot.waitUntil(lambda: kiosk.pages.currentWidget() is kiosk.home, timeout=5000)
    pages = [kiosk.pages.widget(n) for n in range(kiosk.pages.count())]
    assert {kiosk.attract, kiosk.identify, kiosk.home, kiosk.query_page} <= set(pages)
    named = 0
    for page in pages:
        assert unnamed(page, strict=True, visible_only=False) == [], page.objectName()
        named += len(page.findChildren(QWidget))
    assert named > 40  # the walk saw the pages' widgets, not an empty stack
    pictures = kiosk.attract.findChildren(Pictogram) + kiosk.identify.findChildren(Pictogram)
    assert len(pictures) == 6 and all(p.accessibleName() for p in pictures)


def test_the_name_check_finds_what_is_missing(qtbot: QtBot) -> None:
    page = HomePage()
    qtbot.addWidget(page)
    page.query_buttons["payments"].setAccessibleName("")
    ways = WaysPanel(page)
    ways.pictures["ssc"].setAccessibleName("")
    found = unnamed(page, strict=True, visible_only=False)
    assert len(found) == 2 and "query_payments" in found[0] and "picture_ssc" in found[1]
    # A screen reader would still read the button's text: not strict, only the picture.
    assert len(unnamed(page, strict=False, visible_only=False)) == 1
