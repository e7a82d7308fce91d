"""Starting the GUI: Qt application, translations, the data folder, and the first window."""

from __future__ import annotations

import gc
import logging
import os
import sys
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow, QMessageBox, QWidget

from app.context import AppContext
from app.errors import UserFacingError
from app.services.login_service import LoggedIn
from app.services.station_service import DEMO_OPERATOR_CODE, DEMO_PASSWORD, StationInfo
from sync.activation import device_identity
from ui import crash
from ui.counter.main_window import CounterWindow
from ui.devices.hub import DeviceHub
from ui.i18n import install_translators
from ui.kiosk.window import KioskWindow
from ui.kiosk_watchdog import start_kiosk_watchdog
from ui.login.login_dialog import LoginDialog
from ui.login.logins import Logins
from ui.sync_controller import SyncController
from ui.technician.window import TechnicianWindow

log = logging.getLogger(__name__)

DEFAULT_SIZE = (1366, 768)
KIOSK_SIZE = (1920, 1080)  # a 21-inch landscape kiosk screen


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


def open_station(ctx: AppContext, *, demo: bool) -> StationInfo:
    catalog = ctx.catalog.current()
    return ctx.stations.ensure_demo_station(catalog) if demo else ctx.stations.require_station()


def build_counter_window(
    ctx: AppContext,
    *,
    demo: bool,
    language: str,
    operator_code: str | None = None,
    logins: Logins | None = None,
    station: StationInfo | None = None,
) -> CounterWindow:
    """The counter window on this data folder (the demo station when `demo`), for the operator
    who logged in (`operator_code`; tests and benchmarks may leave it to the roster's first)."""
    station = station or open_station(ctx, demo=demo)
    if operator_code is None:
        operator_code = DEMO_OPERATOR_CODE if demo else ctx.stations.first_active_operator() or ""
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
    window = CounterWindow(ctx, station, operator, devices, language, sync, logins=logins)
    window.resize(*DEFAULT_SIZE)
    # Everything built so far lives as long as the window: out of the cyclic collector's
    # way, so a full collection (which holds every thread) does not walk it again and again.
    # Without this, a collection set off by the sync thread stalled the GUI for ~100 ms
    # near the end of bench/sync.py's drain.
    gc.collect()
    gc.freeze()
    return window


def build_kiosk_window(ctx: AppContext, *, demo: bool, language: str) -> KioskWindow:
    """The citizens' kiosk on this data folder (the demo station's simulators when `demo`)."""
    station = open_station(ctx, demo=demo)
    devices = DeviceHub(language)
    devices.discover(
        ctx.settings.devices, demo=station.is_demo, receipts=ctx.paths.root / "receipts"
    )
    ctx.stations.ensure_self_service_operator()  # the kiosk's filings name it
    sync = None
    if not station.is_demo and device_identity(ctx) is not None:
        sync = SyncController(ctx, ctx.settings.sync_interval_seconds)
    window = KioskWindow(ctx, devices, language, station, sync=sync, demo=station.is_demo)
    window.resize(*KIOSK_SIZE)  # shown full screen; this size is for screenshots and tests
    return window


def log_in(
    logins: Logins, station: StationInfo, language: str, *, screenshot: Path | None = None
) -> LoggedIn | None:
    """The log-in dialog before the counter opens; None when the operator closed it.

    With `screenshot` (no display, or asked for), the log-in screen is the first screen: it is
    saved there and the dialog closes.
    """
    hint = (
        QCoreApplication.translate("LoginDialog", "Demo station: operator %1, password %2")
        .replace("%1", DEMO_OPERATOR_CODE)
        .replace("%2", DEMO_PASSWORD)
        if station.is_demo
        else None
    )
    dialog = LoginDialog(
        logins.login,
        language,
        station_name=station.name,
        operator_code=DEMO_OPERATOR_CODE if station.is_demo else None,
        demo_hint=hint,
    )
    if screenshot is not None:
        dialog.resize(640, 360)

        def shoot() -> None:
            save_widget(dialog, screenshot)
            print(
                f"首屏截图已保存 Screenshot of the first screen saved to: {screenshot}", flush=True
            )
            dialog.reject()

        QTimer.singleShot(300, shoot)
    dialog.exec()
    return dialog.result_login


def save_screenshot(window: QMainWindow, path: Path) -> Path:
    return save_widget(window, path)


def save_widget(window: QWidget, path: Path) -> Path:
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
    window: CounterWindow | TechnicianWindow | KioskWindow
    if mode not in ("counter", "technician", "kiosk"):
        log.warning("mode %s is not built yet; opening the counter", mode)
    try:
        if mode == "kiosk":
            window = build_kiosk_window(ctx, demo=demo, language=language)
        elif mode == "technician":
            window = TechnicianWindow(ctx, language)
            window.resize(*DEFAULT_SIZE)
        else:
            logins = Logins(ctx)
            station = open_station(ctx, demo=demo)
            shot = screenshot if exit_after_screenshot else None
            logged = log_in(logins, station, language, screenshot=shot)
            if logged is None:  # the operator closed the log-in: nothing opened, nothing lost
                ctx.close()
                return 0
            window = build_counter_window(
                ctx,
                demo=demo,
                language=language,
                operator_code=logged.operator.code,
                logins=logins,
                station=station,
            )
            window.after_login(logged)
    except UserFacingError as exc:
        ctx.close()
        QMessageBox.critical(None, "Yibao Station", exc.text(language))
        return 1
    if isinstance(window, KioskWindow) and screenshot is None:
        window.showFullScreen()
        # READY=1 and watchdog pings to systemd (or the heartbeat file on Windows), from a
        # timer on the GUI thread, so a hung GUI is restarted by its supervisor.
        start_kiosk_watchdog(window)
    else:
        window.show()
    if screenshot is not None:
        _schedule_screenshot(app, window, screenshot, exit_after_screenshot)
    code = app.exec()
    window.shutdown()
    ctx.close()
    del translators
    return int(code)


def _schedule_screenshot(
    app: QApplication,
    window: CounterWindow | TechnicianWindow | KioskWindow,
    path: Path,
    quit_after: bool,
) -> None:
    """Grab the first screen once its initial data has arrived from the worker lane."""
    lane = window.db_lane if isinstance(window, CounterWindow) else window.lane

    def attempt(tries_left: int = 50) -> None:
        if lane.pending and tries_left:
            QTimer.singleShot(100, lambda: attempt(tries_left - 1))
            return
        saved = save_screenshot(window, path)
        print(f"首屏截图已保存 Screenshot of the first screen saved to: {saved}", flush=True)
        if quit_after:
            app.exit(0)  # not quit(): it asks the windows to close, and the kiosk's refuses

    QTimer.singleShot(300, lambda: attempt())
