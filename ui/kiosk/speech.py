"""Spoken prompts: every kiosk step is also said aloud, when the platform has a voice for it.

What is spoken: the kiosk's own step prompts and guidance ("请把身份证放在读卡器上", "请靠近一点").
Never a name, an ID number, an address, an amount or anything else read from a card or sent by
the centre: a kiosk stands in a public hall and speech carries further than a screen. Callers
pass fixed sentences; nothing here speaks a record.

Why a thread of its own: Qt's `speechd` engine lists every voice of the speech-dispatcher
daemon when it is created (1.2-1.4 s measured on the 2-core development VM with espeak-ng's 1,530
voices, more when the daemon must be started first), and each later call is a round trip to the
daemon, which hangs for as long as a wedged daemon does. So the engine is created and used on a
QThread; the GUI thread only emits signals and never waits on it.

Why `say` interrupts: an elderly citizen should hear the current step, not a backlog. A new
prompt replaces the one being spoken, and prompts that arrive while the engine is still busy
(starting, or answering the daemon) collapse to the newest.

When the kiosk cannot speak (QtTextToSpeech does not load, e.g. libpulse.so.0 is missing; the
platform has no engine; the engine does not start; the speech service does not answer; it has no
voice for the kiosk's language), the Speaker stays silent, `status()` says why in Chinese and
English, and the technician panel shows it. Nothing raises to the caller.
"""

from __future__ import annotations

import atexit
import importlib
import logging
import os
import socket
import threading
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from PySide6.QtCore import QLocale, QObject, QThread, Signal, Slot

log = logging.getLogger(__name__)

MODULE = "PySide6.QtTextToSpeech"
# Qt ships a "mock" engine for its own tests: it reports speaking but makes no sound.
NOT_ENGINES = frozenset({"mock"})
# Tried first, in this order, when present: the desktop platforms' real engines.
PREFERRED_ENGINES = ("speechd", "sapi", "winrt", "darwin", "flite", "android")
# A little slower than the engines' default: clearer for elderly listeners.
RATE = -0.15
# How long the speech-dispatcher daemon may take to answer before it is called unresponsive.
PROBE_TIMEOUT_S = 2.0
SHUTDOWN_WAIT_MS = 3000
# espeak-ng (through speech-dispatcher) reports its Mandarin voices under Qt's "C" locale
# (Qt has no locale for "cmn"), so a voice for a language is also found by its English name.
VOICE_NAMES: dict[QLocale.Language, tuple[str, ...]] = {
    QLocale.Language.Chinese: ("Mandarin",),
    QLocale.Language.English: ("English",),
}

NO_SPEECH_ZH = "没有语音引擎，自助终端将静默运行"
NO_SPEECH_EN = "No speech engine: the kiosk runs silently"


@dataclass(frozen=True)
class SpeechStatus:
    """Whether the kiosk can speak, with what, and if not, why (for the technician)."""

    available: bool
    engine: str = ""
    voice: str = ""
    zh: str = ""  # why not, when not available
    en: str = ""
    starting: bool = False

    def text(self, language: str) -> str:
        """One line for the technician panel."""
        zh = language.startswith("zh")
        if self.starting:
            return "正在检查语音引擎…" if zh else "Checking the speech engine..."
        if self.available:
            if zh:
                return f"语音引擎：{self.engine}（语音：{self.voice}）"
            return f"Speech engine: {self.engine} (voice: {self.voice})"
        return f"{NO_SPEECH_ZH}（{self.zh}）" if zh else f"{NO_SPEECH_EN} ({self.en})."


def silent(zh: str, en: str, engine: str = "") -> SpeechStatus:
    return SpeechStatus(False, engine=engine, zh=zh, en=en)


STARTING = SpeechStatus(False, starting=True)


def load_module() -> tuple[ModuleType | None, str]:
    """QtTextToSpeech, or None and why not. On the GUI thread: native libraries load there."""
    try:
        return importlib.import_module(MODULE), ""
    except ImportError as exc:
        return None, str(exc)


def choose_engine(available: list[str], wanted: str | None) -> str | None:
    """The engine to use: `wanted` if the platform has it, else the best real one."""
    real = [e for e in available if e not in NOT_ENGINES]
    if wanted is not None:
        return wanted if wanted in real else None
    for name in PREFERRED_ENGINES:
        if name in real:
            return name
    return real[0] if real else None


def speechd_socket() -> tuple[Path | tuple[str, int], bool]:
    """Where libspeechd will connect, and whether that address was set explicitly.

    Mirrors libspeechd: $SPEECHD_ADDRESS ("unix_socket:PATH" or "inet_socket:HOST:PORT"),
    else the user's runtime folder ($XDG_RUNTIME_DIR, else ~/.cache)/speech-dispatcher/speechd.sock.
    """
    address = os.environ.get("SPEECHD_ADDRESS", "").strip()
    if address:
        method, _, rest = address.partition(":")
        if method == "unix_socket" and rest:
            return Path(rest), True
        if method == "inet_socket":
            host, _, port = rest.partition(":")
            return (host or "127.0.0.1", int(port) if port.isdigit() else 6560), True
    runtime = os.environ.get("XDG_RUNTIME_DIR") or os.environ.get("XDG_CACHE_HOME")
    base = Path(runtime) if runtime else Path.home() / ".cache"
    return base / "speech-dispatcher" / "speechd.sock", False


def probe_speechd(timeout_s: float = PROBE_TIMEOUT_S) -> SpeechStatus | None:
    """Why the speech-dispatcher daemon cannot be used, or None when it answers (or will be
    started on demand). Asked before Qt connects, because Qt would wait forever on a daemon
    that accepts connections but no longer answers."""
    where, explicit = speechd_socket()
    if isinstance(where, Path) and not where.exists():
        if explicit:
            return silent(
                "语音服务（speech-dispatcher）没有运行",
                f"the speech service (speech-dispatcher) is not running at {where}",
                "speechd",
            )
        return None  # libspeechd starts the daemon itself
    family = socket.AF_UNIX if isinstance(where, Path) else socket.AF_INET
    try:
        with socket.socket(family, socket.SOCK_STREAM) as conn:
            conn.settimeout(timeout_s)
            conn.connect(str(where) if isinstance(where, Path) else where)
            conn.sendall(b"QUIT\r\n")
            answer = conn.recv(64)
    except ConnectionRefusedError:  # a socket left behind by a daemon that has ended
        if not explicit:
            return None  # libspeechd starts a new one
        return silent(
            "语音服务（speech-dispatcher）没有运行",
            "the speech service (speech-dispatcher) is not running",
            "speechd",
        )
    except OSError as exc:
        return silent(
            "语音服务（speech-dispatcher）没有响应",
            f"the speech service (speech-dispatcher) does not answer: {exc}",
            "speechd",
        )
    if not answer.startswith(b"231"):
        return silent(
            "语音服务（speech-dispatcher）没有正常响应",
            "the speech service (speech-dispatcher) gave an unexpected answer",
            "speechd",
        )
    return None


def pick_voice(tts: Any, language: str) -> Any | None:
    """A voice of `tts` for `language` (a locale name such as zh_CN), or None.

    The locale itself first, then any locale of the same language, then (espeak-ng under
    speechd) a voice whose name says the language. Plain voices before espeak's variants
    ("Chinese (Mandarin, latin as English)" before "...+Annie").
    """
    want = QLocale(language)
    locales = list(tts.availableLocales())
    same = [loc for loc in locales if loc.language() == want.language()]
    exact = [loc for loc in same if loc.territory() == want.territory()]
    for loc in [*exact, *same]:
        tts.setLocale(loc)
        voices = list(tts.availableVoices())
        if voices:
            return voices[0]
    hints = VOICE_NAMES.get(want.language(), ())
    if not hints:
        return None
    found: list[Any] = []
    for loc in locales:
        if loc.language() not in (QLocale.Language.C, QLocale.Language.AnyLanguage):
            continue
        tts.setLocale(loc)
        found.extend(v for v in tts.availableVoices() if any(h in v.name() for h in hints))
    if not found:
        return None
    return min(found, key=lambda v: ("+" in v.name(), v.name()))


class _Inbox:
    """The newest prompt not yet handed to the engine (shared by the two threads)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._text: str | None = None

    def put(self, text: str) -> None:
        with self._lock:
            self._text = text

    def take(self) -> str | None:
        with self._lock:
            text, self._text = self._text, None
            return text


class _SpeechEngine(QObject):
    """Lives on the speech thread: creates QTextToSpeech there and talks to it."""

    statusReady = Signal(object)  # noqa: N815 - a SpeechStatus
    spoken = Signal(str)  # the engine started speaking this prompt
    stateChanged = Signal(str)  # noqa: N815 - "ready", "speaking", "paused", "error"

    def __init__(self, module: ModuleType, wanted: str | None, language: str, inbox: _Inbox):
        super().__init__()
        self._module = module
        self._wanted = wanted
        self._language = language
        self._inbox = inbox
        self._tts: Any = None
        self._engine = ""
        self._current = ""

    @Slot()
    def start(self) -> None:
        try:
            status = self._open()
        except Exception as exc:  # a broken plug-in must not take the kiosk down
            log.error("speech engine failed to start", exc_info=exc)
            status = silent("语音引擎出错", f"the speech engine failed: {type(exc).__name__}")
        self.statusReady.emit(status)

    def _open(self) -> SpeechStatus:
        tts_class = self._module.QTextToSpeech
        engines = [str(e) for e in tts_class.availableEngines()]
        name = choose_engine(engines, self._wanted)
        if name is None:
            if self._wanted is not None:
                return silent(
                    f"本机没有名为 {self._wanted} 的语音引擎",
                    f"this machine has no speech engine named {self._wanted}",
                )
            return silent("本机没有语音合成引擎", "this machine has no text-to-speech engine")
        if name == "speechd":
            problem = probe_speechd()
            if problem is not None:
                return problem
        tts = tts_class(name, self)
        # speechd starts in the application's default locale and reports a Configuration
        # error when it has no voice for it: a zh_CN kiosk with espeak-ng, whose Mandarin is
        # under Qt's C locale. It is connected all the same; pick_voice sets a voice below.
        # Only an engine that did not start (Initialization, or no locales at all) is silent.
        started = tts.errorReason() != tts_class.ErrorReason.Initialization and bool(
            tts.availableLocales()
        )
        if tts.state() == tts_class.State.Error and not started:
            reason = tts.errorString() or str(tts.errorReason())
            tts.deleteLater()
            return silent(
                f"语音引擎 {name} 无法启动：{reason}", f"{name} did not start: {reason}", name
            )
        self._tts = tts
        self._engine = name
        tts.stateChanged.connect(self._on_state)
        tts.errorOccurred.connect(self._on_error)
        return self._choose_voice()

    def _choose_voice(self) -> SpeechStatus:
        voice = pick_voice(self._tts, self._language)
        if voice is None:
            language = QLocale(self._language).nativeLanguageName() or self._language
            return silent(
                f"语音引擎 {self._engine} 没有“{language}”的语音",
                f"{self._engine} has no voice for {self._language}",
                self._engine,
            )
        self._tts.setVoice(voice)
        self._tts.setRate(RATE)
        return SpeechStatus(True, engine=self._engine, voice=str(voice.name()))

    @Slot(str)
    def set_language(self, language: str) -> None:
        self._language = language
        if self._tts is not None:
            self._tts.stop()
            self.statusReady.emit(self._choose_voice())

    @Slot()
    def speak_latest(self) -> None:
        text = self._inbox.take()
        if text is None or self._tts is None:
            return
        self._current = text
        self._tts.say(text)  # interrupts whatever is being said

    @Slot()
    def stop(self) -> None:
        if self._tts is not None:
            self._tts.stop()

    @Slot()
    def shutdown(self) -> None:
        if self._tts is not None:
            self._tts.stop()
            self._tts.stateChanged.disconnect(self._on_state)
            self._tts.errorOccurred.disconnect(self._on_error)
            self._tts = None  # a child of this object, deleted with it on the thread's end
        thread = self.thread()
        if thread is not None:
            thread.quit()

    @Slot(object)
    def _on_state(self, state: object) -> None:
        name = str(getattr(state, "name", state)).lower()
        if name == "speaking" and self._current:
            self.spoken.emit(self._current)
        self.stateChanged.emit(name)

    @Slot(object, str)
    def _on_error(self, _reason: object, message: str) -> None:
        log.warning("speech engine %s: %s", self._engine, message)


class Speaker(QObject):
    """The kiosk's voice. Create on the GUI thread; every method returns at once.

    `prompted(text)` is emitted for every prompt the kiosk asks to be spoken (also when it
    cannot speak), `spoken(text)` when the engine starts saying one, `statusChanged(status)`
    when what `status()` returns changes, `stateChanged(str)` with the engine's state.
    """

    prompted = Signal(str)
    spoken = Signal(str)
    statusChanged = Signal(object)  # noqa: N815 - a SpeechStatus
    stateChanged = Signal(str)  # noqa: N815

    _speak = Signal()
    _stop = Signal()
    _language_changed = Signal(str)
    _shutdown = Signal()

    def __init__(
        self, language: str = "zh_CN", parent: QObject | None = None, *, engine: str | None = None
    ) -> None:
        super().__init__(parent)
        self._language = language
        self._enabled = True
        self._inbox = _Inbox()
        self._thread: QThread | None = None
        self._engine: _SpeechEngine | None = None
        module, problem = load_module()
        if module is None:
            log.warning(
                "speech: %s cannot be loaded (%s); the kiosk runs silently", MODULE, problem
            )
            self._status = silent(
                f"语音模块无法加载：{problem}", f"the speech module cannot be loaded: {problem}"
            )
            return
        self._status = STARTING
        worker = _SpeechEngine(module, engine, language, self._inbox)
        thread = QThread()
        thread.setObjectName("speech")
        worker.moveToThread(thread)
        thread.started.connect(worker.start)
        thread.finished.connect(worker.deleteLater)
        self._speak.connect(worker.speak_latest)
        self._stop.connect(worker.stop)
        self._language_changed.connect(worker.set_language)
        self._shutdown.connect(worker.shutdown)
        worker.statusReady.connect(self._on_status)
        worker.spoken.connect(self.spoken)
        worker.stateChanged.connect(self.stateChanged)
        self._thread, self._engine = thread, worker
        _LIVE.append((thread, worker))
        thread.start()

    # ---- what the kiosk calls ---------------------------------------------------------------
    def say(self, text: str) -> None:
        """Speak a fixed prompt (never personal data), replacing what is being said."""
        if not text:
            return
        self.prompted.emit(text)
        if not self._enabled or self._engine is None:
            return
        self._inbox.put(text)
        self._speak.emit()

    def stop(self) -> None:
        """Silence now (the session ended, the page changed)."""
        self._inbox.take()
        if self._engine is not None:
            self._stop.emit()

    def set_enabled(self, enabled: bool) -> None:
        self._enabled = enabled
        if not enabled:
            self.stop()

    @property
    def enabled(self) -> bool:
        return self._enabled

    @property
    def locale(self) -> QLocale:
        return QLocale(self._language)

    def set_language(self, language: str) -> None:
        """Follow the kiosk's language: the voice is chosen again for it."""
        if language == self._language:
            return
        self._language = language
        if self._engine is not None:
            self._inbox.take()
            self._language_changed.emit(language)

    def status(self) -> SpeechStatus:
        return self._status

    def shutdown(self, wait_ms: int = SHUTDOWN_WAIT_MS) -> None:
        """Stop the engine and end its thread (at the application's end)."""
        if self._thread is None:
            return
        thread, self._thread, self._engine = self._thread, None, None
        self._inbox.take()
        self._shutdown.emit()
        if thread.wait(wait_ms):
            _LIVE[:] = [entry for entry in _LIVE if entry[0] is not thread]
        else:
            log.error("speech thread did not end within %d ms", wait_ms)

    @Slot(object)
    def _on_status(self, status: object) -> None:
        if not isinstance(status, SpeechStatus):
            return
        self._status = status
        if status.available:
            log.info("speech: engine %s, voice %s", status.engine, status.voice)
        else:
            log.warning("speech: the kiosk runs silently (%s)", status.en)
        self.statusChanged.emit(status)


# Speech threads not yet ended. A thread blocked on a daemon that never answers stays here:
# destroying a running QThread aborts the process.
_LIVE: list[tuple[QThread, _SpeechEngine]] = []


def _end_all(wait_ms: int = SHUTDOWN_WAIT_MS) -> None:
    for thread, _worker in list(_LIVE):
        thread.quit()
        if thread.wait(wait_ms):
            _LIVE.remove((thread, _worker))


atexit.register(_end_all)
