"""Shared fixtures: headless Qt, a throwaway data folder, an opened store with the demo station.

Tests never touch the developer's real keyring or data folder: `YIBAO_KEYRING=file` keeps
secrets in the encrypted file keyring inside each test's own data folder.
"""

from __future__ import annotations

import os
import random
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["YIBAO_KEYRING"] = "file"
os.environ.pop("YIBAO_HOME", None)

from app.context import AppContext
from app.services.station_service import DEMO_OPERATOR_CODE, StationInfo
from devices.simulated_identity import SimulatedIdentityReader
from tests.centre_process import Centre, running_centre
from tests.pcscd_process import client_socket

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session", autouse=True)
def _private_pcscd_socket() -> None:
    """The PC/SC client library fixes its socket name the first time anything in the process
    talks to pcscd (every counter window's device discovery does). Fix it before any test to
    the private socket the card tests start their own pcscd on, so no test ever talks to a
    pcscd of the host's."""
    client_socket()


@pytest.fixture(scope="session", autouse=True)
def _private_speechd_address(tmp_path_factory: pytest.TempPathFactory) -> None:
    """The kiosk's Speaker (and the technician panel) talk to speech-dispatcher. Point them at
    a socket of this test session where nothing listens (speech is then unavailable at once,
    and libspeechd starts no daemon for an address given this way), so no test starts or talks
    to the host's daemon; the speech tests run their own there (tests/speechd_process.py)."""
    folder = tmp_path_factory.mktemp("speechd")
    os.environ["SPEECHD_ADDRESS"] = f"unix_socket:{folder / 'speechd.sock'}"


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def ctx(data_dir: Path) -> Iterator[AppContext]:
    context = AppContext.open(data_dir)
    yield context
    context.close()


@pytest.fixture
def station(ctx: AppContext) -> StationInfo:
    return ctx.stations.ensure_demo_station(ctx.catalog.current())


@pytest.fixture
def reader() -> SimulatedIdentityReader:
    return SimulatedIdentityReader(seed=7, read_delay=0)


@pytest.fixture
def rng() -> random.Random:
    return random.Random(7)


@pytest.fixture
def operator_code() -> str:
    return DEMO_OPERATOR_CODE


@pytest.fixture(scope="session")
def chinese(qapp: object) -> Iterator[None]:
    """The application's and Qt's own Chinese translations, installed once."""
    from PySide6.QtWidgets import QApplication

    from ui.i18n import install_translators

    assert isinstance(qapp, QApplication)
    translators = install_translators(qapp, "zh_CN")
    assert len(translators) == 2, "qtbase_zh_CN.qm and yibao_zh_CN.qm must both load"
    yield
    for translator in translators:
        qapp.removeTranslator(translator)


@pytest.fixture
def centre(tmp_path: Path) -> Iterator[Centre]:
    """The reference centre as a real process on 127.0.0.1, with its own SQLite file."""
    with running_centre(tmp_path / "centre") as running:
        yield running


@pytest.fixture
def activated(centre: Centre, data_dir: Path) -> Iterator[AppContext]:
    """A terminal of the centre's demo station: activated, and synced once (the roster and
    catalog have come down)."""
    from sync.activation import activate
    from sync.engine import SyncEngine

    seeded = centre.seed_demo()
    ctx = AppContext.open(data_dir)
    try:
        assert (
            activate(ctx, centre.url, seeded["enrolment_code"], "test-terminal")
            == seeded["station"]
        )
        first = SyncEngine(ctx).run_once()
        assert first.error is None, first.error_en
        assert "roster" in first.reference
        yield ctx
    finally:
        ctx.close()
