"""The citizen's own choice of look: larger text (大字) and high contrast (高对比).

`A11yChoice` holds the choice for the whole kiosk and says when it changes
(`theme_changed(theme_name, size_name)`); the window applies it (`ui.kiosk.theme.apply`)
and calls `reset()` when a session ends, so the next person starts with the defaults.
`A11yBar` is the pair of big toggle buttons a page shows; every page's bar shows the same
choice, whichever bar was touched.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QWidget

from ui.kiosk.theme import DEFAULT, HIGH_CONTRAST, LARGE, LARGER, KioskTheme, SizePreset


class A11yChoice(QObject):
    """Larger text on or off, high contrast on or off; off and off is the default."""

    theme_changed = Signal(str, str)  # KioskTheme.name, SizePreset.name

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.larger = False
        self.high_contrast = False

    @property
    def theme(self) -> KioskTheme:
        return HIGH_CONTRAST if self.high_contrast else DEFAULT

    @property
    def preset(self) -> SizePreset:
        return LARGER if self.larger else LARGE

    def set_choice(self, *, larger: bool | None = None, high_contrast: bool | None = None) -> None:
        """Change either or both; `theme_changed` once, and only if something changed."""
        new_larger = self.larger if larger is None else larger
        new_contrast = self.high_contrast if high_contrast is None else high_contrast
        if (new_larger, new_contrast) == (self.larger, self.high_contrast):
            return
        self.larger, self.high_contrast = new_larger, new_contrast
        self.theme_changed.emit(self.theme.name, self.preset.name)

    @Slot()
    def reset(self) -> None:
        """Back to the defaults, for the next person."""
        self.set_choice(larger=False, high_contrast=False)


class A11yBar(QWidget):
    """Two toggle buttons, "大字" and "高对比", showing and changing `choice`."""

    def __init__(self, choice: A11yChoice, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("a11yBar")
        self.choice = choice
        self.larger_button = QPushButton(self.tr("Larger text"), self)
        self.larger_button.setObjectName("largerTextButton")
        self.larger_button.setAccessibleName(self.tr("Larger text"))
        self.contrast_button = QPushButton(self.tr("High contrast"), self)
        self.contrast_button.setObjectName("highContrastButton")
        self.contrast_button.setAccessibleName(self.tr("High contrast"))
        for button in (self.larger_button, self.contrast_button):
            button.setCheckable(True)
            button.setProperty("role", "secondary")  # the primary look when checked
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.larger_button)
        layout.addWidget(self.contrast_button)
        layout.addStretch(1)
        self.larger_button.toggled.connect(self._on_larger)
        self.contrast_button.toggled.connect(self._on_contrast)
        choice.theme_changed.connect(self._show_choice)
        self._show_choice()

    @Slot(bool)
    def _on_larger(self, on: bool) -> None:
        self.choice.set_choice(larger=on)

    @Slot(bool)
    def _on_contrast(self, on: bool) -> None:
        self.choice.set_choice(high_contrast=on)

    @Slot()
    def _show_choice(self) -> None:
        for button, on in (
            (self.larger_button, self.choice.larger),
            (self.contrast_button, self.choice.high_contrast),
        ):
            if button.isChecked() != on:
                button.blockSignals(True)
                button.setChecked(on)
                button.blockSignals(False)
