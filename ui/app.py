"""Starting the GUI: Qt application, translations, the data folder, and the first window."""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMainWindow, QMessageBox

from app.context import AppContext
from app.errors import UserFacingError
from app.services.station_service import DEMO_OPERATOR_CODE
from sync.activation import device_identity
from ui import crash
from ui.counter.main_window import CounterWindow
from ui.devices.hub import DeviceHub
from ui.i18n import install_translators
from ui.sync_controller import SyncController
from ui.technician.window import TechnicianWindow

log = logging.getLogger(__name__)

DEFAULT_SIZE = (1366, 768)


def needs_offscreen() -> bool:
    """True on a Linux machine with no display and no platform chosen by the caller."""
    return (
        sys.platform.startswith("linux")
        and not os.environ.get("DISPLAY")
        and not os.environ.get("WAYLAND_DISPLAY")
        and not os.environ.get("QT_QPA_PLATFORM")
    )


def ensure_application(argv: list[str] | None = None) -> QApplication:
    app = QApplication.instance()
    if isinstance(app, QApplication):
        return app
    app = QApplication(argv or sys.argv[:1])
    app.setApplicationName("Yibao Station")
    app.setOrganizationName("Yibao")
    return app


def build_counter_window(ctx: AppContext, *, demo: bool, language: str) -> CounterWindow:
    """The counter window on this data folder (the demo station when `demo`)."""
    catalog = ctx.catalog.current()
    if demo:
        station = ctx.stations.ensure_demo_station(catalog)
        operator_code = DEMO_OPERATOR_CODE
    else:
        station = ctx.stations.require_station()
        # Until log-in exists (operators issue), the first active operator on the centre's
        # roster works the counter.
        operator_code = ctx.stations.first_active_operator() or DEMO_OPERATOR_CODE
    operator = ctx.stations.operator(operator_code)
    if operator is None:
        raise UserFacingError(
            "本站没有登记的经办人员，不能办理业务。", "No operator is registered at this station."
        )
    devices = DeviceHub(language)
    devices.discover(
        ctx.settings.devices, demo=station.is_demo, receipts=ctx.paths.root / "receipts"
    )
    sync = None
    if not station.is_demo and device_identity(ctx) is not None:
        sync = SyncController(ctx, ctx.settings.sync_interval_seconds)
    window = CounterWindow(ctx, station, operator, devices, language, sync)
    window.resize(*DEFAULT_SIZE)
    return window


def save_screenshot(window: QMainWindow, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if not window.grab().save(str(path), "PNG"):
        raise OSError(f"could not write {path}")
    return path


def run_gui(
    data_dir: Path,
    *,
    demo: bool,
    mode: str,
    language: str,
    screenshot: Path | None,
    exit_after_screenshot: bool,
) -> int:
    if needs_offscreen():
        print(
            "未检测到图形显示（DISPLAY 未设置），以离屏模式启动。\n"
            "No display found (DISPLAY is not set); starting offscreen.",
            flush=True,
        )
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
        screenshot = screenshot or data_dir / "screenshots" / "first-screen.png"
        exit_after_screenshot = True
    app = ensure_application()
    translators = install_translators(app, language)
    crash.install(data_dir / "logs")
    try:
        ctx = AppContext.open(data_dir)
    except UserFacingError as exc:
        QMessageBox.critical(None, "Yibao Station", exc.text(language))
        return 1
    window: CounterWindow | TechnicianWindow
    if mode not in ("counter", "technician"):
        log.warning("mode %s is not built yet; opening the counter", mode)
    try:
        if mode == "technician":
            window = TechnicianWindow(ctx, language)
            window.resize(*DEFAULT_SIZE)
        else:
            window = build_counter_window(ctx, demo=demo, language=language)
    except UserFacingError as exc:
        ctx.close()
        QMessageBox.critical(None, "Yibao Station", exc.text(language))
        return 1
    window.show()
    if screenshot is not None:
        _schedule_screenshot(app, window, screenshot, exit_after_screenshot)
    code = app.exec()
    window.shutdown()
    ctx.close()
    del translators
    return int(code)


def _schedule_screenshot(
    app: QApplication, window: CounterWindow | TechnicianWindow, path: Path, quit_after: bool
) -> None:
    """Grab the first screen once its initial data has arrived from the worker lane."""
    lane = window.lane if isinstance(window, TechnicianWindow) else window.db_lane

    def attempt(tries_left: int = 50) -> None:
        if lane.pending and tries_left:
            QTimer.singleShot(100, lambda: attempt(tries_left - 1))
            return
        saved = save_screenshot(window, path)
        print(f"首屏截图已保存 Screenshot of the first screen saved to: {saved}", flush=True)
        if quit_after:
            app.quit()

    QTimer.singleShot(300, lambda: attempt())
