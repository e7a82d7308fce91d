"""The Qt binding must not leak references to None, True and False.

PySide6 6.12.0 on Python 3.11 dropped one reference to None on every bound call that returns
nothing (and to True/False on calls returning a bool). Python 3.11 still counts references
on these objects, so a counter or kiosk left running for a day aborts with "none_dealloc".
pyproject.toml excludes that release; this test catches any other release that does the same.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QSizeF
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

CALLS = 2000


def test_void_and_bool_calls_keep_singleton_reference_counts(qtbot: QtBot) -> None:
    size = QSizeF(1.0, 1.0)
    label = QLabel()
    qtbot.addWidget(label)
    none_before, true_before, false_before = (
        sys.getrefcount(None),
        sys.getrefcount(True),
        sys.getrefcount(False),
    )
    for n in range(CALLS):
        size.setWidth(float(n))  # returns None
        label.setText("x")  # returns None
        size.isEmpty()  # returns False
        label.isVisible()  # returns False (never shown)
        size.isValid()  # returns True
    # Allow a little noise from the interpreter itself; a leak is one per call, thousands.
    assert abs(sys.getrefcount(None) - none_before) < 50
    assert abs(sys.getrefcount(True) - true_before) < 50
    assert abs(sys.getrefcount(False) - false_before) < 50
