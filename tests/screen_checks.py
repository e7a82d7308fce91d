"""Is anything on a screen cut off? Checks shared by the screenshot tests.

A screen passes when, with the top widget (a window, a dialog, a pane) at the size it has:

- every visible button and label outside a scrolling area (QAbstractScrollArea: scroll
  areas, tables, lists, text browsers, whose contents may scroll) lies inside the top widget
  and inside every parent between them (a parent clips what sticks out of it);
- every such button is at least as wide and as tall as its minimumSizeHint, so its whole text
  shows;
- every such label with text shows all of it: as wide as its minimumSizeHint when it does not
  wrap, and as tall as its text needs at its width when it does;
- no two such buttons or labels with the same parent overlap;
- every visible progress bar is wide enough for its text;
- every tab of every visible tab bar lies inside its bar (no scroll arrows hiding tabs);
- no row of a visible list, tree or table shows its text cut short ("…"), scrolled or not
  (`elided_items`); `allow_elided` names views where that is a known finding. In a view that
  wraps its text (`wordWrap`), a row must be as tall as its text wrapped at the row's width.

`problems` lists what is wrong in words (empty when the screen passes); `assert_fits` fails
with all of them. `minimum_culprits` says which widgets force a window's minimum size above a
screen's, for the message when a window cannot shrink to a screen.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QPoint, QRect, QSize
from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractScrollArea,
    QAbstractSlider,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QProgressBar,
    QStyleOptionViewItem,
    QTabBar,
    QTextEdit,
    QWidget,
)

from ui.app import save_widget

SHOTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "screenshots"
SMALL = QSize(1366, 768)
LARGE = QSize(1920, 1080)
SCREENS = (SMALL, LARGE)


def size_name(size: QSize) -> str:
    return f"{size.width()}x{size.height()}"


def shot(widget: QWidget, name: str) -> Path:
    """Save what `widget` shows to test-artifacts/screenshots/<name>.png."""
    return save_widget(widget, SHOTS / f"{name}.png")


def settle(rounds: int = 3) -> None:
    """Let posted layout requests and repaints run."""
    for _ in range(rounds):
        QApplication.processEvents()


def describe(widget: QWidget) -> str:
    text = ""
    if isinstance(widget, QAbstractButton | QLabel):
        text = widget.text().replace("\n", " ")[:30]
    name = widget.objectName() or type(widget).__name__
    return f"{name}({text!r})" if text else name


def _scrolls(child: QWidget, top: QWidget) -> bool:
    """Inside a scrolling area below `top`: its contents may lie beyond what shows."""
    parent = child.parentWidget()
    while parent is not None and parent is not top:
        if isinstance(parent, QAbstractScrollArea):
            return True
        parent = parent.parentWidget()
    return False


def _clip(child: QWidget, top: QWidget) -> QRect:
    """What of `top` the child may draw in: `top` and every parent between, in top's terms."""
    area = top.rect()
    parent = child.parentWidget()
    while parent is not None and parent is not top:
        area = area.intersected(QRect(parent.mapTo(top, QPoint(0, 0)), parent.size()))
        parent = parent.parentWidget()
    return area


def _shown(top: QWidget) -> list[QWidget]:
    return [
        c
        for c in top.findChildren(QWidget)
        if c.isVisibleTo(top)
        and isinstance(c, QAbstractButton | QLabel)
        and not isinstance(c.parentWidget(), QTabBar)  # its scroll arrows: see the tab check
    ]


def _text_cut(label: QLabel) -> str | None:
    if not label.text() or (label.pixmap() is not None and not label.pixmap().isNull()):
        return None
    if label.wordWrap():
        needed = label.heightForWidth(label.width())
        if needed > label.height():
            return f"needs {needed} px of height, has {label.height()}"
        return None
    needed = label.minimumSizeHint().width()
    if label.width() < needed:
        return f"needs {needed} px of width, has {label.width()}"
    return None


def problems(top: QWidget) -> list[str]:
    """What is cut off or drawn over something else on `top` as it is laid out now."""
    found: list[str] = []
    shown = _shown(top)
    for n, child in enumerate(shown):
        for other in shown[n + 1 :]:
            if other.parentWidget() is child.parentWidget() and child.geometry().intersects(
                other.geometry()
            ):
                found.append(f"{describe(child)} overlaps {describe(other)}")
    for child in shown:
        if _scrolls(child, top):
            continue
        where = QRect(child.mapTo(top, QPoint(0, 0)), child.size())
        clip = _clip(child, top)
        if not clip.contains(where):
            found.append(f"{describe(child)} at {where.getRect()} sticks out of {clip.getRect()}")
        if isinstance(child, QAbstractButton):
            hint = child.minimumSizeHint()
            if child.width() < hint.width() or child.height() < hint.height():
                found.append(
                    f"{describe(child)} squeezed to {child.width()}x{child.height()}, "
                    f"needs {hint.width()}x{hint.height()}"
                )
        elif isinstance(child, QLabel) and (cut := _text_cut(child)) is not None:
            found.append(f"{describe(child)} text cut: {cut}")
    for progress in top.findChildren(QProgressBar):
        if not progress.isVisibleTo(top) or not progress.isTextVisible() or not progress.text():
            continue
        needed = progress.fontMetrics().horizontalAdvance(progress.text()) + 8
        if progress.width() < needed:
            found.append(
                f"{describe(progress)} text {progress.text()!r} cut: needs {needed} px of "
                f"width, has {progress.width()}"
            )
    for bar in top.findChildren(QTabBar):
        if not bar.isVisibleTo(top) or _scrolls(bar, top):
            continue
        for i in range(bar.count()):
            if not bar.rect().contains(bar.tabRect(i)):
                found.append(f"tab {bar.tabText(i)!r} of {describe(bar)} is scrolled out of view")
    return found


def _columns(model: QAbstractItemModel, parent: QModelIndex) -> int:
    try:
        return model.columnCount(parent)
    except TypeError:  # a list model keeps columnCount to itself: one column
        return 1


def _has_children(model: QAbstractItemModel, index: QModelIndex) -> bool:
    try:
        return model.hasChildren(index)
    except TypeError:  # a list or table model keeps hasChildren to itself: flat
        return False


def _wraps(view: QAbstractItemView) -> bool:
    wrap = getattr(view, "wordWrap", None)  # lists, trees and tables have it
    return bool(wrap()) if callable(wrap) else False


def _wrapped_short(view: QAbstractItemView, index: QModelIndex, rect: QRect) -> str | None:
    """For a view that wraps its rows' text: the row's text laid out at the row's width must
    fit in the row's height (and no single word may be wider than the row)."""
    option = QStyleOptionViewItem()
    view.initViewItemOption(option)
    option.rect = QRect(0, 0, rect.width(), rect.height())
    needed = view.itemDelegateForIndex(index).sizeHint(option, index)
    if needed.height() > rect.height() or needed.width() > rect.width():
        return f"wraps to {needed.width()}x{needed.height()} px, has {rect.width()}x{rect.height()}"
    return None


def elided_items(
    top: QWidget, *, skip: frozenset[str] = frozenset(), limit: int = 500
) -> list[str]:
    """Rows of the visible item views (lists, trees, tables) on `top` whose text is cut short
    ("…"): narrower than the text the view itself would give them, scrolled or not. Views
    whose object name is in `skip` are left out."""
    found: list[str] = []
    for view in top.findChildren(QAbstractItemView):
        model = view.model()
        if model is None or not view.isVisibleTo(top) or view.objectName() in skip:
            continue
        pending = [QModelIndex()]
        seen = 0
        while pending and seen < limit:
            parent = pending.pop()
            for row in range(model.rowCount(parent)):
                for column in range(_columns(model, parent)):
                    index = model.index(row, column, parent)
                    seen += 1
                    rect = view.visualRect(index)
                    if rect.isEmpty():
                        continue  # hidden, or under a collapsed branch
                    text = str(model.data(index) or "")[:24]
                    if _wraps(view):
                        short = _wrapped_short(view, index, rect)
                        if short:
                            found.append(
                                f"{describe(view)} row {row} col {column} {text!r} {short}"
                            )
                        continue
                    needed = view.sizeHintForIndex(index).width()
                    if needed > rect.width():
                        found.append(
                            f"{describe(view)} row {row} col {column} {text!r} shows "
                            f"{rect.width()} of {needed} px"
                        )
                    if column == 0 and _has_children(model, index):
                        pending.append(index)
    return found


# What a finger or a screen reader works with: each needs a name and a finger's height.
CONTROLS: tuple[type[QWidget], ...] = (
    QAbstractButton,
    QAbstractItemView,
    QLineEdit,
    QAbstractSlider,
    QAbstractSpinBox,
    QComboBox,
    QTextEdit,
    QPlainTextEdit,
)


def _part_of_another(child: QWidget, top: QWidget) -> bool:
    parent = child.parentWidget()
    while parent is not None and parent is not top:
        if isinstance(parent, (*CONTROLS, QAbstractScrollArea)):
            return True
        parent = parent.parentWidget()
    return False


def _controls(top: QWidget, *, visible_only: bool = True) -> list[QWidget]:
    """The controls on `top` (visible ones only, unless told), leaving out the parts of
    other controls (a scroll area's bars, a spin box's line edit, a combo box's list)."""
    return [
        c
        for c in top.findChildren(QWidget)
        if isinstance(c, CONTROLS)
        and (c.isVisibleTo(top) or not visible_only)
        and not _part_of_another(c, top)
    ]


def short_controls(top: QWidget, min_px: int) -> list[str]:
    """Visible controls on `top` less than `min_px` tall (lists and other scrolling views
    are their rows' business, not checked here)."""
    return [
        f"{describe(c)} is {c.height()} px tall, needs {min_px}"
        for c in _controls(top)
        if not isinstance(c, QAbstractScrollArea) and c.height() < min_px
    ]


def spoken_name(widget: QWidget) -> str:
    """What a screen reader announces for `widget` (Qt's accessibility interface: the
    accessible name, else a button's text, else its buddy label's, ...)."""
    iface = QAccessible.queryAccessibleInterface(widget)
    return iface.text(QAccessible.Text.Name).strip() if iface is not None else ""


def unnamed(top: QWidget, *, strict: bool = True, visible_only: bool = True) -> list[str]:
    """What under `top` has no name for a screen reader. Controls: with `strict`, each needs
    its own accessibleName (our widgets set one); without, what a screen reader would
    announce counts (Qt's own dialogs, whose buttons are named by their text). A label
    showing a picture and no text, and a drawn picture (property `role` "picture"), need an
    accessibleName. A label with text is read by its text."""
    found = []
    for control in _controls(top, visible_only=visible_only):
        name = control.accessibleName().strip() if strict else spoken_name(control)
        if not name:
            found.append(f"{describe(control)} has no accessible name")
    for child in top.findChildren(QWidget):
        if visible_only and not child.isVisibleTo(top):
            continue
        if child.accessibleName().strip():
            continue
        if isinstance(child, QLabel) and not child.text().strip():
            pixmap = child.pixmap()
            if pixmap is not None and not pixmap.isNull():
                found.append(f"{describe(child)} shows a picture with no accessible name")
        elif child.property("role") == "picture":
            found.append(f"{describe(child)} is a picture with no accessible name")
    return found


def assert_fits(top: QWidget, *, allow_elided: frozenset[str] = frozenset()) -> None:
    """Nothing on `top` is cut off or overlapping (see the module's docstring); rows cut
    short are allowed only in the item views whose object names are in `allow_elided`."""
    settle()
    found = problems(top) + elided_items(top, skip=allow_elided)
    assert not found, f"{describe(top)} at {top.width()}x{top.height()}:\n  " + "\n  ".join(found)


def minimum_culprits(top: QWidget, screen: QSize) -> list[str]:
    """Which widgets keep `top` from shrinking to `screen`: those (outermost first) whose
    minimumSizeHint is wider or taller than it and, under the innermost of them, the parts
    its layout adds up, largest first."""
    out: list[str] = []

    def parts(widget: QWidget) -> list[QWidget]:
        return [
            c
            for c in widget.findChildren(QWidget)
            if c.parentWidget() is widget and c.isVisibleTo(top) and not c.isWindow()
        ]

    def too_big(widget: QWidget) -> bool:
        hint = widget.minimumSizeHint()
        return hint.width() > screen.width() or hint.height() > screen.height()

    def walk(widget: QWidget, depth: int) -> None:
        over = [c for c in parts(widget) if too_big(c)]
        for child in over:
            hint = child.minimumSizeHint()
            out.append("  " * depth + f"{describe(child)} min {hint.width()}x{hint.height()}")
            walk(child, depth + 1)
        if not over and widget is not top:
            made_of = sorted(parts(widget), key=lambda c: -c.minimumSizeHint().width())
            for child in made_of[:10]:
                hint = child.minimumSizeHint()
                out.append(
                    "  " * depth + f"part {describe(child)} min {hint.width()}x{hint.height()}"
                )

    walk(top, 0)
    return out
