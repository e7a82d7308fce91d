"""Taking in a batch of filings (§6): dedupe, check, store, and answer each item.

Commands about accepted filings (supplements, ratings) come in the same batches and are
decided in the same transaction, after the filings, by `central.commands`.

Exactly-once rests on UNIQUE(station_code, idempotency_key) alone. A batch is decided in one
write transaction (BEGIN IMMEDIATE on SQLite): the rows already stored under the batch's keys
are read in one query, the attachments in another, and the new filings are inserted together
in a savepoint. Should that insert break a unique constraint (on PostgreSQL another request can
store a key between the read and the insert), the savepoint is rolled back and each filing is
inserted in a savepoint of its own: the constraint decides each item, the loser re-reads the
row and is answered `duplicate` (same payload hash) or `conflict` (another one), and one bad
item never fails the batch. Receipt numbers are reserved as a block and handed out in order to
the filings stored. The answers go out only after the commit.

The checks that need no database (base64, hash, the filing's content) run before the
transaction so the write lock is held for the SQL alone.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, insert, select, update
from sqlalchemy.exc import IntegrityError

from central.attachments import complete_attachments
from central.auth import Caller
from central.catalogs import CatalogIndex
from central.clock import utcnow
from central.commands import WaitingCommand, decide_commands
from central.db import Database
from central.errors import ApiError
from central.filing_checks import (
    COMMAND_KINDS,
    Rejection,
    StationFacts,
    check_command,
    check_filing,
    decode_payload,
    hash_mismatch,
)
from central.models import (
    Filing,
    FilingAttachment,
    Station,
    StationCounter,
    StatusChange,
    table_of,
)
from central.receipts import ReceiptBlock, reserve_receipts
from central.schemas import BatchItem
from central.statuses import Status

log = logging.getLogger(__name__)

Result = dict[str, Any]

_FILINGS = table_of(Filing)
_FILING_ATTACHMENTS = table_of(FilingAttachment)
_CHANGES = table_of(StatusChange)
_COUNTERS = table_of(StationCounter)
_STATIONS = table_of(Station)
_IN_CHUNK = 500  # keys per IN (...) list


def _rejected(key: str, why: Rejection) -> Result:
    return {
        "idempotency_key": key,
        "outcome": "rejected",
        "reason": why.reason,
        "reason_en": why.reason_en,
    }


@dataclass
class _Item:
    """An item whose payload decoded and matched its hash, waiting for the database."""

    index: int
    item: BatchItem
    payload: bytes
    digest: str
    why: Rejection | None  # what the content checks said, used unless the key is stored
    attachments: list[str]  # sorted, distinct

    @property
    def key(self) -> str:
        return self.item.idempotency_key


@dataclass
class _Tally:
    """Answers that leave no row behind, counted once per batch."""

    duplicates: int = 0
    conflicts: int = 0


class Intake:
    def __init__(self, db: Database, catalogs: CatalogIndex) -> None:
        self._db = db
        self._catalogs = catalogs

    def take(self, caller: Caller, items: list[BatchItem]) -> list[Result]:
        """One result per item, in order."""
        station = self._station(caller.station_code)
        results: list[Result] = [{} for _ in items]
        waiting: list[_Item] = []
        commands: list[WaitingCommand] = []
        kinds: dict[str, Mapping[str, str] | None] = {}  # per catalog version, for this batch
        for index, item in enumerate(items):
            key = item.idempotency_key
            payload = decode_payload(item)
            if isinstance(payload, Rejection):
                results[index] = _rejected(key, payload)
                continue
            digest = hashlib.sha256(payload).hexdigest()
            if digest != item.payload_sha256:
                results[index] = _rejected(key, hash_mismatch())
                continue
            if item.kind in COMMAND_KINDS:
                doc = check_command(item, payload, station)
                if isinstance(doc, Rejection):
                    commands.append(WaitingCommand(index, item, payload, digest, None, doc))
                else:
                    commands.append(WaitingCommand(index, item, payload, digest, doc, None))
                continue
            version = item.catalog_version
            if version not in kinds:
                kinds[version] = self._catalogs.kinds(version)
            why = check_filing(item, payload, station, kinds[version])
            waiting.append(_Item(index, item, payload, digest, why, sorted(set(item.attachments))))
        if waiting or commands:
            with self._db.write_core() as conn:
                decided = self._decide(conn, caller, station, waiting) if waiting else {}
                # After the filings: a command may follow its filing in the same batch.
                if commands:
                    decided |= decide_commands(conn, caller, station.code, commands)
            for index, result in decided.items():  # committed: now they may be told
                results[index] = result
        return results

    def _station(self, code: str) -> StationFacts:
        t = _STATIONS
        with self._db.read_core() as conn:
            row = conn.execute(
                select(t.c.code, t.c.region_code, t.c.enabled_items).where(t.c.code == code)
            ).first()
        if row is None:  # the device's station was deleted under it
            raise ApiError(403, "station_inactive", "站点不存在", "The station does not exist")
        return StationFacts(row.code, row.region_code, frozenset(row.enabled_items or ()))

    def _decide(
        self, conn: Connection, caller: Caller, station: StationFacts, waiting: list[_Item]
    ) -> dict[int, Result]:
        """Each waiting item's answer, by index, inside the batch's write transaction."""
        code = station.code
        earlier = _earlier(conn, code, (w.key for w in waiting))
        unseen = [w for w in waiting if w.why is None and w.key not in earlier]
        complete = complete_attachments(conn, code, (a for w in unseen for a in w.attachments))
        results: dict[int, Result] = {}
        tally = _Tally()
        claimed: set[str] = set()  # keys an earlier item of this batch is about to store
        followers: list[_Item] = []  # later items of the batch under a claimed key
        to_store: list[_Item] = []
        for w in waiting:
            if w.key in earlier:
                results[w.index] = _answer_again(code, w, earlier[w.key], tally)
            elif w.key in claimed:
                followers.append(w)
            elif w.why is not None:
                log.info("station %s: %s rejected: %s", code, w.key, w.why.reason_en)
                results[w.index] = _rejected(w.key, w.why)
            elif missing := [a for a in w.attachments if a not in complete]:
                results[w.index] = {
                    "idempotency_key": w.key,
                    "outcome": "retry",
                    "missing_attachments": missing,
                }
            else:
                claimed.add(w.key)
                to_store.append(w)
        if to_store:
            stored = self._store(conn, caller, station, to_store, results, tally)
            for w in followers:  # the same key twice in one batch: the first one decided
                results[w.index] = _answer_again(code, w, stored[w.key], tally)
        if tally.duplicates or tally.conflicts:
            c = _COUNTERS
            conn.execute(
                update(c)
                .where(c.c.station_code == code)
                .values(
                    duplicates_answered=c.c.duplicates_answered + tally.duplicates,
                    conflicts=c.c.conflicts + tally.conflicts,
                )
            )
        return results

    def _store(
        self,
        conn: Connection,
        caller: Caller,
        station: StationFacts,
        to_store: list[_Item],
        results: dict[int, Result],
        tally: _Tally,
    ) -> dict[str, tuple[str, str]]:
        """Insert the filings (all keys distinct), answering each; returns what each key now
        holds: (payload hash, receipt number)."""
        now = utcnow()
        block = reserve_receipts(conn, station.region_code, len(to_store))
        rows = [
            _filing_row(caller, station, w, block.number(n), now) for n, w in enumerate(to_store)
        ]
        try:
            with conn.begin_nested():
                _insert(conn, to_store, rows, now)
        except IntegrityError:
            log.info(
                "station %s: a key of the batch was stored meanwhile; one by one", station.code
            )
            return self._store_one_by_one(conn, caller, station, to_store, block, results, tally)
        for w, row in zip(to_store, rows, strict=True):
            results[w.index] = _accepted(w.key, row["receipt_no"])
        return {row["idempotency_key"]: (row["payload_sha256"], row["receipt_no"]) for row in rows}

    def _store_one_by_one(
        self,
        conn: Connection,
        caller: Caller,
        station: StationFacts,
        to_store: list[_Item],
        block: ReceiptBlock,
        results: dict[int, Result],
        tally: _Tally,
    ) -> dict[str, tuple[str, str]]:
        """Each filing in a savepoint of its own, so the unique constraint decides each one;
        receipt numbers go in order to the filings stored, the rest back to the counter."""
        now = utcnow()
        used = 0
        held: dict[str, tuple[str, str]] = {}
        for w in to_store:
            row = _filing_row(caller, station, w, block.number(used), now)
            try:
                with conn.begin_nested():
                    _insert(conn, [w], [row], now)
            except IntegrityError:
                found = _earlier(conn, station.code, [w.key]).get(w.key)
                if found is None:  # not the key's constraint: a real failure
                    raise
                log.info("station %s: %s stored by a concurrent request first", station.code, w.key)
                results[w.index] = _answer_again(station.code, w, found, tally)
                held[w.key] = found
                continue
            used += 1
            results[w.index] = _accepted(w.key, row["receipt_no"])
            held[w.key] = (w.digest, row["receipt_no"])
        block.give_back(conn, used)
        return held


def _filing_row(
    caller: Caller, station: StationFacts, w: _Item, receipt: str, now: dt.datetime
) -> dict[str, Any]:
    item = w.item
    return {
        "station_code": station.code,
        "idempotency_key": item.idempotency_key,
        "kind": item.kind,
        "item_code": item.item_code,
        "catalog_version": item.catalog_version,
        "payload_sha256": w.digest,
        "payload": w.payload,
        "receipt_no": receipt,
        "status": Status.ACCEPTED.value,
        "device_id": caller.device_id,
        "created_at": now,
        "updated_at": now,
    }


def _insert(
    conn: Connection, items: list[_Item], rows: list[dict[str, Any]], now: dt.datetime
) -> None:
    """The filings, their attachments and their first status change (`accepted`)."""
    stored = conn.execute(
        insert(_FILINGS).returning(_FILINGS.c.idempotency_key, _FILINGS.c.id), rows
    )
    ids: dict[str, int] = {key: filing_id for key, filing_id in stored}
    links = [{"filing_id": ids[w.key], "sha256": a} for w in items for a in w.attachments]
    if links:
        conn.execute(insert(_FILING_ATTACHMENTS), links)
    changes = [
        {
            "filing_id": ids[w.key],
            "station_code": row["station_code"],
            "status": Status.ACCEPTED.value,
            "message": None,
            "message_en": None,
            "at": now,
            "actor": "centre",
        }
        for w, row in zip(items, rows, strict=True)
    ]
    conn.execute(insert(_CHANGES), changes)  # in item order: the feed's order


def _earlier(
    conn: Connection, station_code: str, keys: Iterable[str]
) -> dict[str, tuple[str, str]]:
    """(payload hash, receipt number) of the rows already stored under these keys."""
    wanted = sorted(set(keys))
    found: dict[str, tuple[str, str]] = {}
    f = _FILINGS
    for start in range(0, len(wanted), _IN_CHUNK):
        rows = conn.execute(
            select(f.c.idempotency_key, f.c.payload_sha256, f.c.receipt_no).where(
                f.c.station_code == station_code,
                f.c.idempotency_key.in_(wanted[start : start + _IN_CHUNK]),
            )
        )
        found.update((key, (digest, receipt)) for key, digest, receipt in rows)
    return found


def _accepted(key: str, receipt: str) -> Result:
    return {"idempotency_key": key, "outcome": "accepted", "receipt_no": receipt}


def _answer_again(station_code: str, w: _Item, earlier: tuple[str, str], tally: _Tally) -> Result:
    stored_hash, receipt = earlier
    if stored_hash == w.digest:
        tally.duplicates += 1
        return {"idempotency_key": w.key, "outcome": "duplicate", "receipt_no": receipt}
    tally.conflicts += 1
    log.warning("station %s: key %s sent again with another payload", station_code, w.key)
    return {
        "idempotency_key": w.key,
        "outcome": "conflict",
        "reason": "同一幂等键的内容不同",
        "reason_en": "Same key, different payload",
    }
