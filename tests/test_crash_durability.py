"""A process killed in the middle of a stream of saves loses nothing that had been confirmed.

What this proves: `FilingService.submit` returns only after the filing, its first state, its
materials and its outbox entry have committed durably, and that commit is atomic. A child
process saves filings in a loop through the real service (some with a photo attachment) and
reports each uid on stdout *after* `submit` returned, i.e. after the operator would have
been told "saved". The parent kills it with SIGKILL at a random point while it is still
saving, then reopens the data folder and checks that:

* the database passes `PRAGMA integrity_check`;
* every reported filing is there, queued, with its one pending outbox entry, its state
  history row, an intact encrypted payload, and attachment blobs that decrypt to the bytes
  that were saved;
* no filing exists without its outbox entry or the other way round, and at most one filing
  per kill was committed without being reported (killed between commit and print);
* the audit hash chain is unbroken.

The cycle runs three times on the same folder, so it also proves that a restart after a
crash (WAL recovery, the file keyring, the existing demo station) keeps working and that
earlier filings survive later crashes.

SIGKILL does not lose the OS page cache, so this does not replace a power-cut test; it does
catch non-atomic saves, acknowledgement before commit, and stores that cannot reopen.
"""

from __future__ import annotations

import hashlib
import os
import random
import select
import signal
import subprocess
import sys
import textwrap
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import func
from sqlalchemy import select as sql_select

from app.context import AppContext
from app.services import audit
from app.store.models import (
    AuditEvent,
    Filing,
    FilingState,
    FilingStateChange,
    Material,
    OutboxEntry,
    OutboxState,
)

REPO = Path(__file__).resolve().parent.parent
CYCLES = 3
READ_DEADLINE_S = 60.0
KILL_JITTER_S = 0.005  # about two saves: spreads the kill over every step of a save

# The child: saves filings forever, one line per save *after* submit returned.
CHILD = textwrap.dedent(
    """
    import hashlib, sys
    from pathlib import Path

    from app.context import AppContext
    from app.drills import DrillFiler
    from app.services.demo_data import demo_photo
    from app.services.filing_service import Attachment
    from devices.simulated_identity import SimulatedIdentityReader

    data_dir, seed = Path(sys.argv[1]), int(sys.argv[2])
    ctx = AppContext.open(data_dir)
    drills = DrillFiler(ctx, SimulatedIdentityReader(seed=seed, read_delay=0).read, seed)
    rng = drills.rng
    for n in range(1_000_000):
        attachments = []
        if n % 3 == 0:
            photo = demo_photo(rng, size=rng.randrange(8_000, 24_000))
            attachments.append(Attachment(code="face_photo", data=photo))
        saved = drills.file(attachments)
        photo = hashlib.sha256(attachments[0].data).hexdigest() if attachments else "-"
        print(saved.uid, saved.item_code, photo, flush=True)
    """
)


@dataclass(frozen=True)
class Reported:
    """One line from the child: a save that had returned."""

    uid: str
    item_code: str
    photo_sha256: str | None


def _parse(line: bytes) -> Reported:
    uid, item_code, photo = line.decode().split()
    return Reported(uid, item_code, None if photo == "-" else photo)


class _Lines:
    """Complete lines from a pipe, with a deadline, never blocking past it."""

    def __init__(self, proc: subprocess.Popen[bytes]) -> None:
        assert proc.stdout is not None
        self._fd = proc.stdout.fileno()
        self._buf = b""
        self.eof = False

    def _fill(self, deadline: float) -> None:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError("the child wrote nothing in time")
        ready, _, _ = select.select([self._fd], [], [], remaining)
        if ready:
            chunk = os.read(self._fd, 65536)
            if chunk:
                self._buf += chunk
            else:
                self.eof = True

    def next(self, deadline: float) -> bytes | None:
        """The next complete line, or None at end of stream."""
        while b"\n" not in self._buf:
            if self.eof:
                return None
            self._fill(deadline)
        line, self._buf = self._buf.split(b"\n", 1)
        return line

    def rest(self, deadline: float) -> list[bytes]:
        """Every complete line left once the writer is gone; a torn tail is dropped."""
        lines = []
        while (line := self.next(deadline)) is not None:
            lines.append(line)
        return lines


def _run_and_kill(
    data_dir: Path, seed: int, kill_after: int, delay_s: float, log: Path
) -> tuple[list[Reported], int]:
    env = dict(os.environ)
    env["YIBAO_KEYRING"] = "file"
    env["QT_QPA_PLATFORM"] = "offscreen"
    env.pop("YIBAO_HOME", None)
    with log.open("wb") as err:
        proc = subprocess.Popen(
            [sys.executable, "-c", CHILD, str(data_dir), str(seed)],
            stdout=subprocess.PIPE,
            stderr=err,
            env=env,
            cwd=REPO,
        )
        try:
            lines = _Lines(proc)
            deadline = time.monotonic() + READ_DEADLINE_S
            reported: list[Reported] = []
            while len(reported) < kill_after:
                line = lines.next(deadline)
                if line is None:
                    break
                reported.append(_parse(line))
            # The child starts its next save the moment it has printed; without a random
            # delay the kill would always land at the same early point of a save.
            time.sleep(delay_s)
            still_running = proc.poll() is None
            if still_running:
                os.kill(proc.pid, signal.SIGKILL)
            returncode = proc.wait(timeout=10)
            assert still_running, (
                f"the child stopped by itself after {len(reported)} saves (exit {returncode}); "
                f"stderr:\n{log.read_text(errors='replace')}"
            )
            reported.extend(_parse(line) for line in lines.rest(time.monotonic() + 10))
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait(timeout=10)
            assert proc.stdout is not None
            proc.stdout.close()
    return reported, returncode


def _check_store(data_dir: Path, reported: dict[str, Reported], kills: int, seed: int) -> None:
    why = f"(seed {seed}, after {kills} kills)"
    ctx = AppContext.open(data_dir)
    try:
        assert ctx.db.integrity_check() == "ok", why
        with ctx.db.read() as s:
            filings = {f.uid: f for f in s.execute(sql_select(Filing)).scalars()}
            outbox = list(s.execute(sql_select(OutboxEntry)).scalars())
            states = list(s.execute(sql_select(FilingStateChange)).scalars())
            materials = list(s.execute(sql_select(Material)).scalars())
            broken_audit = audit.verify_chain(s)
            audit_count = s.execute(sql_select(func.count()).select_from(AuditEvent))
            audit_rows = audit_count.scalar_one()

        by_id = {f.id: f for f in filings.values()}
        outbox_by_filing: dict[int, list[OutboxEntry]] = {}
        for entry in outbox:
            assert entry.kind == "filing", why
            assert entry.filing_id in by_id, f"outbox {entry.idempotency_key} without filing {why}"
            outbox_by_filing.setdefault(entry.filing_id, []).append(entry)
        states_by_filing: dict[int, list[FilingStateChange]] = {}
        for change in states:
            states_by_filing.setdefault(change.filing_id, []).append(change)
        materials_by_filing: dict[int, list[Material]] = {}
        for material in materials:
            materials_by_filing.setdefault(material.filing_id, []).append(material)

        # (c) atomic: every filing in the store is complete, reported or not.
        for uid, filing in filings.items():
            entries = outbox_by_filing.get(filing.id, [])
            assert len(entries) == 1, f"filing {uid} has {len(entries)} outbox entries {why}"
            assert entries[0].idempotency_key == uid, why
            assert entries[0].payload_sha256 == filing.payload_sha256, why
            history = states_by_filing.get(filing.id, [])
            assert [c.state for c in history] == [FilingState.QUEUED.value], why
            frozen = ctx.cipher.decrypt(filing.payload_enc, "filing.payload")
            assert hashlib.sha256(frozen).hexdigest() == filing.payload_sha256, why
            for material in materials_by_filing.get(filing.id, []):
                data = ctx.blobs.get(material.sha256)
                assert hashlib.sha256(data).hexdigest() == material.sha256, why
                assert len(data) == material.size, why
        assert len(outbox) == len(filings), why
        assert audit_rows == 0, why  # creation is in the state history; audit is for views etc.
        assert broken_audit is None, f"audit chain broken at event {broken_audit} {why}"

        # (b) nothing that was confirmed is lost, and it is what was confirmed.
        for uid, rep in reported.items():
            found = filings.get(uid)
            assert found is not None, f"confirmed filing {uid} is lost {why}"
            assert found.item_code == rep.item_code, why
            assert found.state == FilingState.QUEUED.value, why
            (entry,) = outbox_by_filing[found.id]
            assert entry.state == OutboxState.PENDING.value, why
            attached = materials_by_filing.get(found.id, [])
            if rep.photo_sha256 is None:
                assert attached == [], why
            else:
                assert [(m.code, m.sha256) for m in attached] == [
                    ("face_photo", rep.photo_sha256)
                ], why
                assert ctx.blobs.exists(rep.photo_sha256), why
                data = ctx.blobs.get(rep.photo_sha256)
                assert hashlib.sha256(data).hexdigest() == rep.photo_sha256, why

        # Committed but killed before the child could print: at most one per kill.
        unreported = set(filings) - set(reported)
        assert len(unreported) <= kills, f"{len(unreported)} unreported filings {why}"
    finally:
        ctx.close()


@pytest.mark.slow
@pytest.mark.timeout(180)
def test_sigkill_mid_stream_loses_no_confirmed_filing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("YIBAO_KEYRING", "file")  # the parent reopens the store too
    seed = int.from_bytes(os.urandom(4), "big")
    rng = random.Random(seed)
    data_dir = tmp_path / "data"
    reported: dict[str, Reported] = {}
    for cycle in range(1, CYCLES + 1):
        kill_after = rng.randint(30, 80)
        delay_s = rng.uniform(0, KILL_JITTER_S)
        got, returncode = _run_and_kill(
            data_dir, rng.randrange(2**31), kill_after, delay_s, tmp_path / f"child-{cycle}.log"
        )
        assert returncode == -signal.SIGKILL, f"child was not killed (seed {seed}): {returncode}"
        assert len(got) >= kill_after, f"only {len(got)} saves reported (seed {seed})"
        new = {r.uid: r for r in got}
        assert len(new) == len(got) and not new.keys() & reported.keys(), "uids repeated"
        assert any(r.photo_sha256 for r in got), "no save with an attachment was exercised"
        reported.update(new)
        _check_store(data_dir, reported, kills=cycle, seed=seed)
