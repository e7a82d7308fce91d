"""The device hub: card events as Qt signals from the real SAM driver (on a pty) and from the
simulator the demo uses, with the same signals from both; failures and health on the status bar.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot

from app.identity import IdKind, PersonRead
from devices.id_card_sam import SamIdCardReader
from devices.registry import DeviceKind, DeviceReport
from devices.simulated_identity import SimulatedIdentityReader
from tests.sam_simulator import SamSimulator, SimCard
from ui.devices.hub import DeviceHub, DeviceStatus
from ui.status_bar import StationStatusBar


@pytest.fixture
def hub(qtbot: QtBot) -> Iterator[DeviceHub]:
    devices = DeviceHub("zh_CN", poll_timeout=0.1)
    yield devices
    devices.shutdown()


def person(number: str = "11010519491231002X") -> PersonRead:
    return PersonRead(
        id_kind=IdKind.RESIDENT_ID,
        id_number=number,
        name="𬌗𠮷娜",
        source="simulated_id_card",
        birth_date=dt.date(1949, 12, 31),
    )


def test_the_sam_reader_on_a_pty_gives_card_events(qtbot: QtBot, hub: DeviceHub) -> None:
    with SamSimulator(None) as sim:
        reader = SamIdCardReader(
            sim.path, command_timeout=0.3, read_timeout=0.5, poll_interval=0.02
        )
        reads: list[PersonRead] = []
        hub.person_read.connect(reads.append)
        hub.use({DeviceKind.ID_CARD: reader}, {})
        qtbot.wait(400)
        assert reads == []  # an empty reader is not an event
        with qtbot.waitSignal(hub.person_read, timeout=5000):
            sim.card = SimCard()
        qtbot.wait(600)
        assert len(reads) == 1  # the card lying on the reader is reported once
        assert reads[0].source == "sam_id_card"
        with qtbot.waitSignal(hub.card_removed, timeout=5000) as removed:
            sim.card = None
        assert removed.args == ["id_card"]

        def status() -> DeviceStatus:
            return {s.kind: s for s in hub.statuses()}[DeviceKind.ID_CARD]

        # Pulling the card may catch a read half-way ("card moved"); the next empty poll
        # shows the reader working again.
        qtbot.waitUntil(lambda: status().working, timeout=5000)
        assert status().present and not status().simulated
        hub.shutdown()
        reader.close()


def test_a_reader_that_goes_away_is_reported_once_in_chinese(qtbot: QtBot, hub: DeviceHub) -> None:
    sim = SamSimulator(None)
    reader = SamIdCardReader(sim.path, command_timeout=0.2, read_timeout=0.3, poll_interval=0.02)
    failures: list[tuple[str, str]] = []
    hub.device_failed.connect(lambda kind, message: failures.append((kind, message)))
    hub.use({DeviceKind.ID_CARD: reader}, {})
    qtbot.wait(300)
    sim.close()  # the reader is unplugged: nothing answers any more
    qtbot.waitUntil(lambda: bool(failures), timeout=5000)
    qtbot.wait(500)
    assert len(failures) == 1 and failures[0][0] == "id_card"
    assert "读卡器" in failures[0][1]
    status = {s.kind: s for s in hub.statuses()}[DeviceKind.ID_CARD]
    assert not status.working and status.message_zh
    bar = StationStatusBar()
    qtbot.addWidget(bar)
    bar.set_devices(hub.statuses(), "zh_CN")
    assert "1" in bar.devices_label.text()  # one fault
    assert "身份证读卡器" in bar.devices_label.toolTip()
    hub.shutdown()
    reader.close()


def test_the_simulator_gives_the_same_events(qtbot: QtBot, hub: DeviceHub) -> None:
    sim = SimulatedIdentityReader(read_delay=0, invent_when_empty=False)
    absent = DeviceReport(DeviceKind.SSC_CARD, "pcsc", False, "", "未找到智能卡服务", "no pcscd")
    hub.use({DeviceKind.ID_CARD: sim}, {DeviceKind.SSC_CARD: absent})
    with qtbot.waitSignal(hub.person_read, timeout=3000) as read:
        assert hub.put_demo_card(person())
    assert read.args[0].name == "𬌗𠮷娜"
    with qtbot.waitSignal(hub.card_removed, timeout=3000) as removed:
        hub.take_demo_card()
    assert removed.args == ["id_card"]
    statuses = {s.kind: s for s in hub.statuses()}
    assert statuses[DeviceKind.ID_CARD].simulated
    assert not statuses[DeviceKind.SSC_CARD].present
    bar = StationStatusBar()
    qtbot.addWidget(bar)
    bar.set_devices(hub.statuses(), "zh_CN")
    assert "未找到智能卡服务" in bar.devices_label.toolTip()
