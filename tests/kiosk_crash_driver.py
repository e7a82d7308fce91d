"""A kiosk in a process of its own, to be killed by tests/test_kiosk_crash.py.

It builds the demo kiosk as `yibao gui --mode kiosk --demo` does (`build_kiosk_window`, the
Chinese translations) on the data folder given, and a citizen uses it through the real
widgets with the steps of tests/kiosk_steps.py: card on the reader, then applications, each
confirmed, its receipt printed and rated. The phone number answered in application n is
138001380nn, so the parent can tell the applications apart in the store. Then one more
application is left in the middle and the process waits to be killed.

    python -m tests.kiosk_crash_driver DATA_DIR PLAN STOP FIRST

PLAN: the items to file, comma-separated (e.g. "MT-RD-001,CX-CBDJ-001"); the unfinished one
is always CX-CBDJ-001 (城乡居民参保登记). STOP: "review" (questions answered, the summary on
screen, not confirmed) or "confirm" (confirm pressed, nothing awaited). FIRST: the number of
the first application (numbers go on across the processes that share a data folder).

Lines on stdout, each flushed: `TEMP <folder>` (the session folder), `FILED <n> <uid>` once
`filed` fired and the done page shows the number (confirmed to the citizen), `READY <stop>
<n>` when the parent may kill. The kiosk prints receipts as PDFs into its session folder: the
settings say there is no thermal printer (as a kiosk without one is set up).

The steps take a pytest-qt `QtBot`; outside pytest it needs no fixture request but for one
setting, so `_Request` stands in for that (qt_default_raising unset: waits raise on timeout).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from PySide6.QtCore import QCoreApplication
from pytestqt.qt_compat import qt_api
from pytestqt.qtbot import QtBot

from app.context import AppContext
from app.settings import ReceiptPrinterDriver, save_settings
from tests.kiosk_steps import (
    answer_questions,
    choose_item,
    confirm,
    open_applications,
    photograph_papers,
    rate_good,
    tap,
)
from tests.test_kiosk_window import identify
from ui.app import build_kiosk_window, ensure_application
from ui.i18n import install_translators

UNFINISHED = "CX-CBDJ-001"


def phone(n: int) -> str:
    return f"138001380{n:02d}"


def answers(item_code: str, n: int) -> dict[str, object]:
    if item_code == "MT-RD-001":
        return {"phone": phone(n), "disease": "diabetes", "diagnosis_date": "today"}
    return {
        "phone": phone(n),
        "household_type": "local",
        "insured_category": "adult",
        "start_date": "today",
    }


def _say(*words: object) -> None:
    print(*words, flush=True)


def _qtbot() -> QtBot:
    qt_api.set_qt_api("pyside6")  # what the pytest plugin does from pyproject's qt_api
    request: Any = SimpleNamespace(config=SimpleNamespace(getini=lambda _name: ""))
    return QtBot(request)


def main(data_dir: Path, plan: list[str], stop: str, first: int) -> None:
    app = ensure_application()
    translators = install_translators(app, "zh_CN")
    ctx = AppContext.open(data_dir)
    devices = ctx.settings.devices.with_changes(receipt_printer=ReceiptPrinterDriver.NONE)
    ctx.settings = ctx.settings.with_changes(devices=devices)
    save_settings(ctx.paths.settings, ctx.settings)
    win = build_kiosk_window(ctx, demo=True, language="zh_CN")
    win.show()
    qtbot = _qtbot()
    qtbot.waitUntil(lambda: win.lane.pending == 0 and win.devices.discovered, timeout=10_000)
    _say("TEMP", win.temp_dir)
    tap(qtbot, win.attract.start_button)
    identify(qtbot, win)  # the demo card on the simulated reader
    for n, item_code in enumerate(plan, start=first):
        open_applications(qtbot, win)
        choose_item(qtbot, win, item_code)
        answer_questions(qtbot, win, answers(item_code, n))
        photograph_papers(qtbot, win)
        uid = confirm(qtbot, win)  # `filed` fired and the number is on the done page
        assert uid in win.application.done.number.text()
        _say("FILED", n, uid)
        qtbot.waitUntil(lambda: win.application.last_receipt is not None, timeout=10_000)
        rate_good(qtbot, win)
    n = first + len(plan)
    open_applications(qtbot, win)
    choose_item(qtbot, win, UNFINISHED)
    answer_questions(qtbot, win, answers(UNFINISHED, n))
    photograph_papers(qtbot, win)
    flow = win.application
    assert flow.pages.currentWidget() is flow.review
    if stop == "confirm":
        tap(qtbot, flow.review.confirm_button)  # the save is now on the worker lane
    _say("READY", stop, n)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:  # the kiosk goes on running until it is killed
        QCoreApplication.processEvents()
        time.sleep(0.01)
    del translators
    raise SystemExit("not killed within 60 s")


if __name__ == "__main__":
    main(Path(sys.argv[1]), sys.argv[2].split(","), sys.argv[3], int(sys.argv[4]))
