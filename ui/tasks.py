"""Running blocking work off the GUI thread and bringing results back through signals.

A `TaskLane` owns one worker thread. Work submitted to a lane runs in order on that thread
(one lane for the database, one per device bus), and its result or error comes back to the
GUI thread through a queued signal into a `@Slot` method, never a lambda (PYSIDE-3124).
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable
from typing import Any, Protocol, runtime_checkable

from PySide6.QtCore import QObject, QThread, Signal, Slot

log = logging.getLogger(__name__)

Done = Callable[[Any], None]
Failed = Callable[[BaseException], None]


class _Worker(QObject):
    finished = Signal(int, object)
    failed = Signal(int, object)

    @Slot(int, object)
    def run(self, task_id: int, fn: Callable[[], Any]) -> None:
        try:
            result = fn()
        except BaseException as exc:  # reported to the GUI thread, never swallowed
            self.failed.emit(task_id, exc)
        else:
            self.finished.emit(task_id, result)


class TaskLane(QObject):
    """One worker thread that runs submitted callables in order."""

    _submit = Signal(int, object)
    busy_changed = Signal(bool)

    def __init__(self, name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = name
        self._ids = itertools.count(1)
        self._pending: dict[int, tuple[Done | None, Failed | None]] = {}
        self._thread = QThread()
        self._thread.setObjectName(f"lane-{name}")
        self._worker = _Worker()
        self._worker.moveToThread(self._thread)
        self._submit.connect(self._worker.run)
        self._worker.finished.connect(self._on_finished)
        self._worker.failed.connect(self._on_failed)
        self._thread.finished.connect(self._worker.deleteLater)
        self._thread.start()

    def submit(
        self, fn: Callable[[], Any], on_done: Done | None = None, on_error: Failed | None = None
    ) -> int:
        task_id = next(self._ids)
        self._pending[task_id] = (on_done, on_error)
        if len(self._pending) == 1:
            self.busy_changed.emit(True)
        self._submit.emit(task_id, fn)
        return task_id

    @property
    def pending(self) -> int:
        return len(self._pending)

    @Slot(int, object)
    def _on_finished(self, task_id: int, result: object) -> None:
        on_done, _ = self._pop(task_id)
        if on_done is not None:
            on_done(result)

    @Slot(int, object)
    def _on_failed(self, task_id: int, exc: BaseException) -> None:
        _, on_error = self._pop(task_id)
        if on_error is not None:
            on_error(exc)
        else:
            log.error("task on lane %s failed", self.name, exc_info=exc)

    def _pop(self, task_id: int) -> tuple[Done | None, Failed | None]:
        callbacks = self._pending.pop(task_id, (None, None))
        if not self._pending:
            self.busy_changed.emit(False)
        return callbacks

    def shutdown(self, timeout_ms: int = 10_000) -> bool:
        """Finish the work already queued, then stop the thread; True when it stopped."""
        self._thread.quit()
        stopped = self._thread.wait(timeout_ms)
        if not stopped:
            log.error("lane %s did not stop within %d ms", self.name, timeout_ms)
        return bool(stopped)


@runtime_checkable
class LoopWorker(Protocol):
    """A QObject whose `run` slot loops until `stop()` (safe from any thread) is called."""

    def run(self) -> None: ...

    def stop(self) -> None: ...


class WorkerThread(QObject):
    """Owns the thread of one looping worker (a card watcher, a scanner); `shutdown` stops the
    loop, quits the thread and waits for it."""

    def __init__(self, worker: QObject, name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        assert isinstance(worker, LoopWorker)
        self.worker = worker
        self._thread = QThread(self)
        self._thread.setObjectName(name)
        worker.moveToThread(self._thread)
        self._thread.started.connect(worker.run)
        self._thread.finished.connect(worker.deleteLater)

    def start(self) -> None:
        self._thread.start()

    def shutdown(self, timeout_ms: int = 5000) -> bool:
        """True when the loop and the thread ended within `timeout_ms`."""
        self.worker.stop()
        self._thread.quit()
        stopped = bool(self._thread.wait(timeout_ms))
        if not stopped:
            log.error("thread %s did not stop within %d ms", self._thread.objectName(), timeout_ms)
        return stopped
