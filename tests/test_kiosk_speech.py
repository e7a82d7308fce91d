"""The kiosk's voice: QtTextToSpeech on its own thread, silent (and saying why) without an engine.

Real peers: the speech-dispatcher daemon with the espeak-ng module (tests/speechd_process.py,
audio to libao's null driver: no sound card here), started by the tests on the session's
private socket; a listening socket that never answers, for a daemon that hangs. The "no
engine" cases are real: an engine name this platform does not have, the session's socket
where no daemon runs, and an import of QtTextToSpeech that fails (Python refuses a module whose
sys.modules entry is None, exactly as it does when the library cannot load).
"""

from __future__ import annotations

import itertools
import socket
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QLocale, QTimer
from pytestqt.qtbot import QtBot

from app.context import AppContext
from tests.speechd_process import SpeechDaemon, running_speechd, unavailable_reason
from ui.kiosk.speech import (
    MODULE,
    NO_SPEECH_EN,
    NO_SPEECH_ZH,
    PROBE_TIMEOUT_S,
    Speaker,
    SpeechStatus,
)
from ui.technician.window import TechnicianWindow

TIMEOUT_MS = 20_000


@pytest.fixture
def speakers() -> Iterator[list[Speaker]]:
    """Speakers made by a test; each must end its thread."""
    made: list[Speaker] = []
    yield made
    for speaker in made:
        speaker.shutdown()


def make(made: list[Speaker], language: str = "zh_CN", **kwargs: str) -> Speaker:
    speaker = Speaker(language, **kwargs)  # type: ignore[arg-type]
    made.append(speaker)
    return speaker


def settled(qtbot: QtBot, speaker: Speaker) -> SpeechStatus:
    qtbot.waitUntil(lambda: not speaker.status().starting, timeout=TIMEOUT_MS)
    return speaker.status()


@pytest.fixture
def speechd(tmp_path: Path) -> Iterator[SpeechDaemon]:
    reason = unavailable_reason()
    if reason is not None:
        pytest.fail(f"speech-dispatcher cannot run here: {reason} (make test installs it)")
    with running_speechd(tmp_path / "speechd") as daemon:
        yield daemon


def test_an_engine_the_platform_lacks_leaves_the_kiosk_silent(
    qtbot: QtBot, speakers: list[Speaker]
) -> None:
    speaker = make(speakers, engine="no-such-engine")
    status = settled(qtbot, speaker)
    assert not status.available and status.engine == ""
    assert "no-such-engine" in status.zh and "no-such-engine" in status.en
    assert status.text("zh_CN").startswith(NO_SPEECH_ZH)
    assert status.text("en").startswith(NO_SPEECH_EN)
    prompted: list[str] = []
    spoken: list[str] = []
    speaker.prompted.connect(prompted.append)
    speaker.spoken.connect(spoken.append)
    speaker.say("请把身份证放在读卡器上")  # never raises
    speaker.stop()
    qtbot.wait(300)
    assert prompted == ["请把身份证放在读卡器上"] and spoken == []


def test_the_qt_mock_engine_is_not_taken_for_a_voice(qtbot: QtBot, speakers: list[Speaker]) -> None:
    """Qt's wheel ships a "mock" engine for its own tests: it pretends to speak, silently."""
    status = settled(qtbot, make(speakers, engine="mock"))
    assert not status.available


def test_a_module_that_does_not_load_leaves_the_kiosk_silent(
    monkeypatch: pytest.MonkeyPatch, speakers: list[Speaker]
) -> None:
    monkeypatch.setitem(sys.modules, MODULE, None)  # type: ignore[arg-type]
    speaker = make(speakers)
    status = speaker.status()  # known at once: no thread was started
    assert not status.available and not status.starting
    assert "语音模块无法加载" in status.zh and MODULE in status.en
    speaker.say("请靠近一点")
    speaker.set_enabled(False)
    speaker.shutdown()


def test_no_daemon_on_the_address_is_said_quickly(qtbot: QtBot, speakers: list[Speaker]) -> None:
    """conftest's address, where nothing listens: the default engine cannot speak."""
    started = time.monotonic()
    status = settled(qtbot, make(speakers))
    assert not status.available
    assert time.monotonic() - started < 5
    if status.engine == "speechd":
        assert "speech-dispatcher" in status.en and "没有运行" in status.zh


def test_a_daemon_that_never_answers_does_not_hold_the_gui(
    qtbot: QtBot, speakers: list[Speaker], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A socket that accepts and then says nothing, as the wedged daemon did: the Speaker
    gives up after its probe timeout, on its own thread, while the GUI thread keeps turning."""
    path = tmp_path / "hung.sock"
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(str(path))
    listener.listen(4)
    monkeypatch.setenv("SPEECHD_ADDRESS", f"unix_socket:{path}")
    ticks: list[float] = []
    timer = QTimer()
    timer.setInterval(20)
    timer.timeout.connect(lambda: ticks.append(time.monotonic()))
    timer.start()
    try:
        started = time.monotonic()
        speaker = make(speakers)
        constructed = time.monotonic() - started
        status = settled(qtbot, speaker)
    finally:
        timer.stop()
        listener.close()
    # make test installs speech-dispatcher, whose engine is then the default (never "mock").
    assert status.engine == "speechd", f"not speech-dispatcher's engine: {status.en}"
    assert not status.available and "does not answer" in status.en
    assert "没有响应" in status.zh
    assert constructed < 0.05, f"the Speaker took {constructed * 1000:.0f} ms on the GUI thread"
    gaps = [b - a for a, b in itertools.pairwise(ticks)]
    assert len(ticks) > PROBE_TIMEOUT_S / 0.02 / 2 and max(gaps) < 0.5


def test_says_the_prompt_in_mandarin_through_speech_dispatcher(
    qtbot: QtBot, speakers: list[Speaker], speechd: SpeechDaemon
) -> None:
    started = time.monotonic()
    speaker = make(speakers)
    constructed = time.monotonic() - started
    status = settled(qtbot, speaker)
    assert status.available, status.en
    assert status.engine == "speechd" and "Mandarin" in status.voice
    assert status.text("zh_CN").startswith("语音引擎：speechd")
    assert constructed < 0.05, f"the Speaker took {constructed * 1000:.0f} ms on the GUI thread"
    states: list[str] = []
    speaker.stateChanged.connect(states.append)
    with qtbot.waitSignal(speaker.spoken, timeout=TIMEOUT_MS) as said:
        speaker.say("请把脸对准框内")
    assert said.args == ["请把脸对准框内"]
    qtbot.waitUntil(lambda: states[-1:] == ["ready"], timeout=TIMEOUT_MS)
    assert states[0] == "speaking"

    # A burst of prompts: the newest is the one heard, never a backlog of all of them.
    spoken: list[str] = []
    speaker.spoken.connect(spoken.append)
    for n in range(8):
        speaker.say(f"第{n}步")
    qtbot.waitUntil(lambda: spoken[-1:] == ["第7步"], timeout=TIMEOUT_MS)
    qtbot.wait(300)
    assert spoken[-1] == "第7步" and len(spoken) < 8

    # Switched off: nothing more reaches the engine.
    speaker.set_enabled(False)
    spoken.clear()
    speaker.say("请靠近一点")
    qtbot.wait(500)
    assert spoken == []


def test_a_chinese_default_locale_still_gets_the_mandarin_voice(
    qtbot: QtBot, speakers: list[Speaker], speechd: SpeechDaemon
) -> None:
    """A kiosk in China runs with zh_CN as Qt's default locale; speechd starts in it and finds
    no voice there (espeak-ng's Mandarin is under "C"), which must not silence the kiosk."""
    before = QLocale()
    QLocale.setDefault(QLocale("zh_CN"))
    try:
        speaker = make(speakers)
        status = settled(qtbot, speaker)
    finally:
        QLocale.setDefault(before)
    assert status.available, status.en
    assert "Mandarin" in status.voice
    with qtbot.waitSignal(speaker.spoken, timeout=TIMEOUT_MS):
        speaker.say("请把脸对准框内")


def test_english_kiosk_gets_an_english_voice(
    qtbot: QtBot, speakers: list[Speaker], speechd: SpeechDaemon
) -> None:
    speaker = make(speakers)
    assert settled(qtbot, speaker).available
    with qtbot.waitSignal(speaker.statusChanged, timeout=TIMEOUT_MS) as changed:
        speaker.set_language("en_US")
    status = changed.args[0]
    assert isinstance(status, SpeechStatus) and status.available
    assert status.voice.startswith("English")
    with qtbot.waitSignal(speaker.spoken, timeout=TIMEOUT_MS):
        speaker.say("Please come closer")


@pytest.fixture
def technician(ctx: AppContext, qtbot: QtBot) -> Iterator[list[TechnicianWindow]]:
    made: list[TechnicianWindow] = []
    yield made
    for window in made:
        window.shutdown()


def test_technician_panel_says_the_kiosk_runs_silently(
    qtbot: QtBot,
    ctx: AppContext,
    speakers: list[Speaker],
    technician: list[TechnicianWindow],
) -> None:
    speaker = make(speakers, engine="no-such-engine")
    window = TechnicianWindow(ctx, "zh_CN", speaker)
    qtbot.addWidget(window)
    technician.append(window)
    qtbot.waitUntil(lambda: NO_SPEECH_ZH in window.speech_status.text(), timeout=TIMEOUT_MS)
    assert "no-such-engine" in window.speech_status.text()
    assert not window.speech_test_button.isEnabled()
    english = TechnicianWindow(ctx, "en", speaker)
    qtbot.addWidget(english)
    technician.append(english)
    assert english.speech_status.text().startswith(NO_SPEECH_EN)


def test_technician_panel_names_the_engine_and_tests_it(
    qtbot: QtBot,
    ctx: AppContext,
    technician: list[TechnicianWindow],
    speechd: SpeechDaemon,
) -> None:
    window = TechnicianWindow(ctx, "zh_CN")  # its own Speaker, with the default engine
    qtbot.addWidget(window)
    technician.append(window)
    qtbot.waitUntil(lambda: "speechd" in window.speech_status.text(), timeout=TIMEOUT_MS)
    assert "Mandarin" in window.speech_status.text()
    assert window.speech_test_button.isEnabled()
    with qtbot.waitSignal(window.speaker.spoken, timeout=TIMEOUT_MS):
        window.speech_test_button.click()
