"""One sync run: reconcile, upload attachments, send batches (filings, then the supplements and
ratings about them), upload the audit trail, pull statuses and reference data.

Runs on a worker thread (never the GUI's) or from `yibao sync --once`. A lease in the store
keeps two senders from ever running at once, across threads and processes. A transport
failure ends the run (backoff with full jitter follows); a per-item rejection does not.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import logging
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

from app import __version__
from app.context import AppContext
from app.store.models import OutboxState, utcnow
from sync.activation import device_identity
from sync.audit_upload import AUDIT_CURSOR, AUDIT_ERROR, CALLS_PER_RUN, events_after
from sync.backoff import next_delay
from sync.errors import CentreRefused, Reaction, TransportFailure
from sync.outbox import OutboxStore, Outgoing
from sync.reference import apply_reference, held_versions
from sync.state import SyncStateStore, new_holder
from sync.transport import CentralClient, Timeouts

log = logging.getLogger(__name__)

CHUNK = 1024 * 1024
MAX_BATCH_ITEMS = 200
MAX_BATCH_BYTES = 6 * 1024 * 1024  # under the centre's 8 MiB, with room for JSON and base64
LEASE_SECONDS = 60  # renewed between batches


@dataclass
class SyncProgress:
    items_done: int = 0
    items_total: int = 0
    bytes_sent: int = 0


@dataclass
class SyncReport:
    """What one run did, for the status bar, the CLI and the heartbeat."""

    ran: bool = True
    acknowledged: int = 0
    rejected: int = 0
    retried: int = 0
    reconciled: int = 0
    status_changes: int = 0
    reference: list[str] = field(default_factory=list)
    bytes_sent: int = 0
    remaining: int = 0
    error: str | None = None
    error_en: str | None = None
    blocked: str | None = None
    needs_attention: int = 0  # unsent longer than the threshold: never give up silently
    audit_uploaded: int = 0  # audit events the centre stored in this run
    # The centre refused the audit trail (a broken chain, or a platform without §12): said
    # here for the technician, apart from `error`, since filings and statuses went on.
    audit_error: str | None = None
    audit_error_en: str | None = None
    next_run_in_s: float | None = None
    finished_at: dt.datetime | None = None

    @property
    def online(self) -> bool:
        return self.ran and self.error is None and self.blocked is None


ProgressFn = Callable[[SyncProgress], None]


class RunEnded(Exception):
    """The run stops here (transport failure, rate limit, block); the report says why."""


class SyncEngine:
    def __init__(
        self,
        ctx: AppContext,
        *,
        holder: str | None = None,
        timeouts: Timeouts | None = None,
        batch_items: int = MAX_BATCH_ITEMS,
        rng: random.Random | None = None,
        attention_after: dt.timedelta | None = None,
    ) -> None:
        self._ctx = ctx
        self._outbox = OutboxStore(ctx.db, ctx.cipher)
        self._state = SyncStateStore(ctx.db)
        self._holder = holder or new_holder()
        self._timeouts = timeouts or Timeouts()
        self._batch_items = batch_items
        self._rng = rng or random.Random()
        hours = ctx.settings.attention_after_hours
        self._attention_after = attention_after or dt.timedelta(hours=hours)

    # ---- public ---------------------------------------------------------------------------
    def run_once(self, progress: ProgressFn | None = None) -> SyncReport:
        report = SyncReport()
        target = device_identity(self._ctx)
        if target is None:
            report.ran = False
            report.blocked = OutboxState.BLOCKED_CONFIG.value
            report.error = "本终端尚未激活，无法上传。"
            report.error_en = "This terminal is not activated; nothing can be sent."
            report.remaining = self._outbox.unsent()
            report.needs_attention = self.needs_attention()
            return report
        if not self._state.acquire_lease(self._holder, LEASE_SECONDS):
            report.ran = False
            report.error = "另一个同步进程正在运行。"
            report.error_en = "Another sync run is in progress."
            report.remaining = self._outbox.unsent()
            report.needs_attention = self.needs_attention()
            return report
        url, identity = target
        offset = float(self._state.get("clock_offset_s", "0") or 0)
        client = CentralClient(url, identity, timeouts=self._timeouts, clock_offset_s=offset)
        try:
            self._run(client, report, progress or (lambda _p: None))
            self._succeeded(report)
        except RunEnded:
            pass
        except CentreRefused as exc:  # an answer no step knew what to do with
            self._failed(report, exc, exc.zh, exc.en, maybe_delivered=False)
        finally:
            report.bytes_sent = client.bytes_sent
            self._state.set(clock_offset_s=f"{client.clock_offset_s:.3f}")
            client.close()
            self._state.release_lease(self._holder)
            report.remaining = self._outbox.unsent()
            report.needs_attention = self.needs_attention()
            report.finished_at = utcnow()
        return report

    # ---- the run --------------------------------------------------------------------------
    def _run(self, client: CentralClient, report: SyncReport, progress: ProgressFn) -> None:
        if self._state.get("blocked") == OutboxState.BLOCKED_CONFIG.value:
            # Paused because the station was inactive: a heartbeat that gets through means
            # the centre has reinstated it, so the queue resumes.
            self._heartbeat(client, report)
            self._outbox.unblock()
            self._state.set(blocked=None)
        self._reconcile(client, report)
        done = SyncProgress(items_total=self._outbox.unsent())
        progress(done)
        while True:
            if not self._state.acquire_lease(self._holder, LEASE_SECONDS):  # renew
                self._failed(
                    report,
                    RuntimeError("lease lost"),
                    "另一个同步进程接管了上传。",
                    "Another sync run took over.",
                    maybe_delivered=False,
                )
                raise RunEnded
            batch = self._outbox.due(self._batch_items)
            if not batch:
                break
            batch = _fit(batch)
            self._upload_attachments(client, batch, report, done, progress)
            self._send(client, batch, report)
            done.items_done += len(batch)
            done.bytes_sent = client.bytes_sent
            progress(done)
        self._upload_audit(client, report)
        self._pull_statuses(client, report)
        self._pull_reference(client, report)
        self._heartbeat(client, report)
        self._outbox.prune_acknowledged(dt.timedelta(days=7))

    def _call(self, client: CentralClient, report: SyncReport, fn: Callable[[], object]) -> object:
        """One request with the protocol's reactions to refusals (§2); may end the run."""
        for _attempt in range(2):
            try:
                return fn()
            except TransportFailure as exc:
                self._failed(
                    report,
                    exc,
                    "无法连接中心平台。",
                    "The centre cannot be reached.",
                    maybe_delivered=exc.maybe_delivered,
                )
                raise RunEnded from exc
            except CentreRefused as exc:
                if exc.reaction in (Reaction.FIX_CLOCK, Reaction.NEW_NONCE) and _attempt == 0:
                    continue  # the client learned the centre's time; a new nonce is automatic
                if exc.reaction is Reaction.BLOCK_AUTH:
                    self._block(report, OutboxState.BLOCKED_AUTH, exc)
                    raise RunEnded from exc
                if exc.reaction is Reaction.BLOCK_CONFIG:
                    self._block(report, OutboxState.BLOCKED_CONFIG, exc)
                    raise RunEnded from exc
                if exc.reaction in (Reaction.RETRY, Reaction.BUG):
                    # A 429 was refused before any work; a 5xx may have done some.
                    self._failed(
                        report,
                        exc,
                        exc.zh,
                        exc.en,
                        retry_after=exc.retry_after,
                        maybe_delivered=exc.status >= 500,  # a 429 or 400 stored nothing
                    )
                    raise RunEnded from exc
                raise
        raise AssertionError("unreachable")  # pragma: no cover

    def _reconcile(self, client: CentralClient, report: SyncReport) -> None:
        """Entries sent without a seen answer: ask the centre before sending anything again."""
        for entry in self._outbox.in_flight():
            found = self._call(client, report, partial(client.lookup, entry.key))
            if found is None:
                self._outbox.mark_pending([entry.key])  # never arrived: safe to send again
            elif isinstance(found, dict) and found.get("payload_sha256") == entry.payload_sha256:
                self._outbox.acknowledge(entry.key, str(found.get("receipt_no")))
                report.acknowledged += 1
            else:
                self._outbox.reject(entry.key, "中心已有同一编号但内容不同的申请（冲突）")
                report.rejected += 1
            report.reconciled += 1

    def _upload_attachments(
        self,
        client: CentralClient,
        batch: list[Outgoing],
        report: SyncReport,
        done: SyncProgress,
        progress: ProgressFn,
    ) -> None:
        wanted = {a.sha256: a.size for entry in batch for a in entry.attachments}
        tried = {a.sha256 for entry in batch if entry.attempts for a in entry.attachments}
        for sha, size in wanted.items():
            received = 0
            if size > CHUNK or sha in tried:
                # A multi-chunk upload may have been cut off half-way, and an entry sent
                # before may have its photos there already: ask where to resume. A new
                # single chunk is simply sent; the centre answers `complete` if it has it.
                status = self._call(client, report, partial(client.attachment_status, sha))
                if isinstance(status, dict):
                    if status.get("complete"):
                        continue
                    received = int(status.get("received", 0))
            data = self._ctx.blobs.get(sha)
            if len(data) != size:
                raise AssertionError(f"attachment {sha[:12]} has the wrong size on disk")
            restarted = False
            while received < size:
                chunk = data[received : received + CHUNK]
                try:
                    answer = self._call(
                        client, report, partial(client.put_chunk, sha, received, size, chunk)
                    )
                except CentreRefused as exc:
                    if exc.reaction is Reaction.RESUME:
                        received = int(exc.body.get("received", 0))  # type: ignore[call-overload]
                        continue
                    if exc.reaction is Reaction.RESTART and not restarted:
                        restarted, received = True, 0
                        continue
                    self._failed(report, exc, exc.zh, exc.en, maybe_delivered=False)
                    raise RunEnded from exc
                assert isinstance(answer, dict)
                received = int(answer.get("received", received + len(chunk)))
                if answer.get("complete"):
                    break
                done.bytes_sent = client.bytes_sent
                progress(done)

    def _send(self, client: CentralClient, batch: list[Outgoing], report: SyncReport) -> None:
        keys = [e.key for e in batch]
        items = [
            {
                "idempotency_key": e.key,
                "kind": e.kind,
                "item_code": e.item_code,
                "catalog_version": e.catalog_version,
                "payload_sha256": e.payload_sha256,
                "payload": base64.b64encode(e.payload).decode(),
                "attachments": [a.sha256 for a in e.attachments],
            }
            for e in batch
        ]
        self._outbox.mark_sending(keys)  # committed before the request leaves
        try:
            answer = self._call(client, report, partial(client.batch, items))
        except CentreRefused as exc:
            if exc.reaction is not Reaction.SPLIT:
                raise
            self._batch_items = max(1, len(batch) // 2)  # too large: smaller batches
            self._outbox.mark_pending(keys)
            return
        except RunEnded:
            if report.blocked is None and self._last_maybe_delivered:
                self._outbox.mark_unknown(keys, report.error_en or "no answer")
            elif report.blocked is None and self._last_retry_after:
                wait = dt.timedelta(seconds=self._last_retry_after)
                self._outbox.mark_retry(keys, utcnow() + wait, report.error_en or "")
            elif report.blocked is None:
                # It never left: it goes with the next run, whenever that is.
                self._outbox.mark_pending(keys)
            raise
        assert isinstance(answer, dict)
        outcomes: list[tuple[str, str | None, str | None]] = []
        retry: list[str] = []
        for result in answer.get("results", []):
            key = str(result.get("idempotency_key"))
            outcome = result.get("outcome")
            if outcome in ("accepted", "duplicate"):
                outcomes.append((key, str(result.get("receipt_no")), None))
                report.acknowledged += 1
            elif outcome in ("rejected", "conflict"):
                reason = result.get("reason") or result.get("reason_en") or str(outcome)
                outcomes.append((key, None, str(reason)))
                report.rejected += 1
            else:  # retry: an attachment went missing at the centre; upload again next run
                retry.append(key)
        self._outbox.record_outcomes(outcomes)
        answered = {k for k, _, _ in outcomes} | set(retry)
        missing = [k for k in keys if k not in answered]  # not answered: ask again next run
        if retry or missing:
            soon = utcnow() + dt.timedelta(seconds=5)
            self._outbox.mark_retry(retry + missing, soon, "not delivered yet")
            report.retried += len(retry) + len(missing)

    def _upload_audit(self, client: CentralClient, report: SyncReport) -> None:
        """The audit trail after the filings, at most CALLS_PER_RUN calls a run.

        A refusal (a broken chain, a centre without the endpoint) is recorded in the report
        and the run goes on: it must never hold up filings or statuses. A transport failure
        ends the run like any other.
        """
        last = int(self._state.get(AUDIT_CURSOR, "0") or 0)
        rewound = False
        for _ in range(CALLS_PER_RUN):
            events = events_after(self._ctx.db, last)
            if not events:
                break
            answer = self._call(client, report, partial(_audit_call, client, events))
            if isinstance(answer, CentreRefused):
                held = answer.body.get("last_id")
                if (
                    answer.error == "audit_chain_broken"
                    and isinstance(held, int)
                    and 0 <= held < last
                    and not rewound
                ):
                    # The centre holds less than it acknowledged (restored from a backup):
                    # send again from where it stands.
                    last, rewound = held, True
                    continue
                report.audit_error, report.audit_error_en = answer.zh, answer.en
                self._state.set(**{AUDIT_ERROR: f"{answer.error}: {answer.en}"})
                log.error("audit trail refused by the centre: %s", answer.error)
                return
            assert isinstance(answer, dict)
            last = int(answer.get("last_id", last))
            report.audit_uploaded += int(answer.get("stored", 0))
            self._state.set(**{AUDIT_CURSOR: str(last), AUDIT_ERROR: None})

    def _pull_statuses(self, client: CentralClient, report: SyncReport) -> None:
        cursor = int(self._state.get("status_cursor", "0") or 0)
        while True:
            page = self._call(client, report, partial(client.status_feed, cursor))
            assert isinstance(page, dict)
            changes = page.get("changes", [])
            next_cursor = int(page.get("next_cursor", cursor))
            if changes or next_cursor != cursor:
                report.status_changes += self._outbox.apply_status_changes(changes, next_cursor)
            cursor = next_cursor
            if not page.get("more"):
                break

    def _pull_reference(self, client: CentralClient, report: SyncReport) -> None:
        versions = held_versions(self._state, self._ctx)
        answer = self._call(client, report, partial(client.reference, versions))
        assert isinstance(answer, dict)
        report.reference = apply_reference(self._ctx, self._state, answer)

    def _heartbeat(self, client: CentralClient, report: SyncReport) -> None:
        counts = self._ctx.queue.counts()
        age = self._outbox.oldest_unsent_age_s()
        body = {
            "client_version": __version__,
            "client_time": int(utcnow().replace(tzinfo=dt.UTC).timestamp()),
            "outbox": counts.outbox_by_state,
            "oldest_unsent_age_s": int(age) if age is not None else None,
            "needs_attention": self.needs_attention(),
            "devices": self._state.device_health(),
            "free_disk_bytes": self._ctx.paths.free_disk_bytes(),
        }
        previous = self._state.centre_clock_offset()
        if previous is not None:
            body["last_clock_offset_s"] = previous[0]
        answer = self._call(client, report, partial(client.heartbeat, body))
        offset = answer.get("clock_offset_s") if isinstance(answer, dict) else None
        if isinstance(offset, int | float):
            self._state.set_centre_clock_offset(int(offset), utcnow())

    # ---- bookkeeping ----------------------------------------------------------------------
    _last_maybe_delivered = True
    _last_retry_after: float | None = None

    def _failed(
        self,
        report: SyncReport,
        exc: Exception,
        zh: str,
        en: str,
        *,
        retry_after: float | None = None,
        maybe_delivered: bool = True,
    ) -> None:
        self._last_maybe_delivered = maybe_delivered
        self._last_retry_after = retry_after
        progressed = report.acknowledged or report.reconciled or report.status_changes
        # A run that delivered something before failing starts the backoff again.
        failures = 1 if progressed else int(self._state.get("failures", "0") or 0) + 1
        delay = next_delay(failures, retry_after_s=retry_after, rng=self._rng)
        report.error, report.error_en = zh, en
        report.next_run_in_s = delay
        self._state.set(
            failures=str(failures),
            next_run_at=(utcnow() + dt.timedelta(seconds=delay)).isoformat(),
            last_error=en,
        )
        log.warning("sync run ended: %s (%s); next try in %.0f s", en, type(exc).__name__, delay)

    def _block(self, report: SyncReport, state: OutboxState, exc: CentreRefused) -> None:
        self._outbox.block(state, f"{exc.error}: {exc.en}")
        report.blocked = state.value
        report.error, report.error_en = exc.zh, exc.en
        self._state.set(blocked=state.value, last_error=exc.en)
        log.error("sync paused (%s): %s", state.value, exc.error)

    def _succeeded(self, report: SyncReport) -> None:
        self._state.set(
            failures=None,
            next_run_at=None,
            last_error=None,
            blocked=None,
            last_success_at=utcnow().isoformat(),
        )

    def needs_attention(self) -> int:
        return self._outbox.waiting_longer_than(self._attention_after)


def _audit_call(client: CentralClient, events: list[dict[str, object]]) -> object:
    """Upload audit events; a refusal that concerns the audit trail alone (a broken chain, a
    platform without the endpoint, a malformed event) comes back as the answer, so that the
    run goes on. Everything else (auth, clock, station, 5xx) is the run's business."""
    try:
        return client.upload_audit(events)
    except CentreRefused as exc:
        if exc.reaction in (Reaction.BUG, Reaction.NOT_FOUND, Reaction.SPLIT):
            return exc
        raise


def _fit(batch: list[Outgoing]) -> list[Outgoing]:
    """As many entries as fit in one request body."""
    size = 0
    kept: list[Outgoing] = []
    for entry in batch:
        size += len(entry.payload) * 4 // 3 + 400
        if kept and size > MAX_BATCH_BYTES:
            break
        kept.append(entry)
    return kept


def report_json(report: SyncReport) -> str:
    data = {k: v for k, v in report.__dict__.items() if k != "finished_at"}
    data["finished_at"] = report.finished_at.isoformat() + "Z" if report.finished_at else None
    data["online"] = report.online
    return json.dumps(data, ensure_ascii=False)
