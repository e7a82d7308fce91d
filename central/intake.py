"""Taking in a batch of filings (§6): dedupe, check, store, and answer each item.

Exactly-once rests on UNIQUE(station_code, idempotency_key) alone: an item is inserted in its
own transaction; if another request stored the key first, the insert fails, the row is read
back and the item is answered `duplicate` (same payload hash) or `conflict` (another one).
No check-then-insert window decides anything.
"""

from __future__ import annotations

import hashlib
import logging
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from central.attachments import complete_attachments
from central.auth import Caller
from central.catalogs import CatalogIndex
from central.clock import utcnow
from central.db import Database
from central.errors import ApiError
from central.filing_checks import (
    Rejection,
    StationFacts,
    check_filing,
    decode_payload,
    hash_mismatch,
)
from central.models import Filing, FilingAttachment, Station, StationCounter
from central.receipts import next_receipt
from central.schemas import BatchItem
from central.statuses import Status, append_change

log = logging.getLogger(__name__)

Result = dict[str, Any]


def _rejected(key: str, why: Rejection) -> Result:
    return {
        "idempotency_key": key,
        "outcome": "rejected",
        "reason": why.reason,
        "reason_en": why.reason_en,
    }


class Intake:
    def __init__(self, db: Database, catalogs: CatalogIndex) -> None:
        self._db = db
        self._catalogs = catalogs

    def take(self, caller: Caller, items: list[BatchItem]) -> list[Result]:
        """One result per item, in order."""
        station = self._station(caller.station_code)
        return [self._one(caller, station, item) for item in items]

    def _station(self, code: str) -> StationFacts:
        with self._db.read() as s:
            row = s.get(Station, code)
            if row is None:  # the device's station was deleted under it
                raise ApiError(403, "station_inactive", "站点不存在", "The station does not exist")
            return StationFacts(row.code, row.region_code, frozenset(row.enabled_items))

    def _one(self, caller: Caller, station: StationFacts, item: BatchItem) -> Result:
        key = item.idempotency_key
        payload = decode_payload(item)
        if isinstance(payload, Rejection):
            return _rejected(key, payload)
        digest = hashlib.sha256(payload).hexdigest()
        if digest != item.payload_sha256:
            return _rejected(key, hash_mismatch())
        earlier = self._earlier(station.code, key)
        if earlier is not None:
            return self._answer_again(station.code, key, earlier, digest)
        why = check_filing(item, payload, station, self._catalogs.kinds(item.catalog_version))
        if why is not None:
            log.info("station %s: %s rejected: %s", station.code, key, why.reason_en)
            return _rejected(key, why)
        wanted = sorted(set(item.attachments))
        with self._db.read() as s:
            missing = sorted(set(wanted) - complete_attachments(s, station.code, wanted))
        if missing:
            return {"idempotency_key": key, "outcome": "retry", "missing_attachments": missing}
        try:
            receipt = self._store(caller, station, item, payload, digest, wanted)
        except IntegrityError:
            earlier = self._earlier(station.code, key)
            if earlier is None:  # not the key's constraint: a real failure
                raise
            log.info("station %s: %s stored by a concurrent request first", station.code, key)
            return self._answer_again(station.code, key, earlier, digest)
        return {"idempotency_key": key, "outcome": "accepted", "receipt_no": receipt}

    def _store(
        self,
        caller: Caller,
        station: StationFacts,
        item: BatchItem,
        payload: bytes,
        digest: str,
        attachments: list[str],
    ) -> str:
        now = utcnow()
        with self._db.write() as s:
            filing = Filing(
                station_code=station.code,
                idempotency_key=item.idempotency_key,
                kind=item.kind,
                item_code=item.item_code,
                catalog_version=item.catalog_version,
                payload_sha256=digest,
                payload=payload,
                receipt_no=next_receipt(s, station.region_code),
                status=Status.ACCEPTED.value,
                device_id=caller.device_id,
                created_at=now,
                updated_at=now,
            )
            s.add(filing)
            s.flush()  # the unique constraint speaks here
            s.add_all(FilingAttachment(filing_id=filing.id, sha256=a) for a in attachments)
            append_change(s, filing, Status.ACCEPTED, None, None, "centre", now)
            return filing.receipt_no

    def _earlier(self, station_code: str, key: str) -> tuple[str, str] | None:
        """(payload hash, receipt number) of the row already stored under this key."""
        with self._db.read() as s:
            row = s.execute(
                select(Filing.payload_sha256, Filing.receipt_no).where(
                    Filing.station_code == station_code, Filing.idempotency_key == key
                )
            ).first()
            return None if row is None else (row[0], row[1])

    def _answer_again(
        self, station_code: str, key: str, earlier: tuple[str, str], digest: str
    ) -> Result:
        stored_hash, receipt = earlier
        same = stored_hash == digest
        column = StationCounter.duplicates_answered if same else StationCounter.conflicts
        with self._db.write() as s:
            s.execute(
                update(StationCounter)
                .where(StationCounter.station_code == station_code)
                .values({column: column + 1})
            )
        if same:
            return {"idempotency_key": key, "outcome": "duplicate", "receipt_no": receipt}
        log.warning("station %s: key %s sent again with another payload", station_code, key)
        return {
            "idempotency_key": key,
            "outcome": "conflict",
            "reason": "同一幂等键的内容不同",
            "reason_en": "Same key, different payload",
        }
