"""The day at a glance: what this station filed today and this month, and what needs doing.

Counts by item and by operator for today and this month (China time, whatever the machine's
zone), filings waiting to sync, rejected or refused by the centre, those needing materials,
and the citizens' ratings. The CSV export is for the operator's own records: it holds counts
and masked references only, never a name or an ID number, and every export is audited.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select

from app.china_clock import china_date, stored_midnight
from app.crypto.field_cipher import FieldCipher
from app.services import audit
from app.services.catalog_service import CatalogService
from app.store.db import Database
from app.store.models import Command, Filing, FilingState, Operator


@dataclass(frozen=True)
class Period:
    filings: int
    by_item: dict[str, int] = field(default_factory=dict)  # item code -> count
    by_operator: dict[str, int] = field(default_factory=dict)  # operator code -> count


@dataclass(frozen=True)
class StationSummary:
    day: dt.date  # China date
    today: Period
    month: Period
    waiting_to_sync: int
    rejected: int  # refused by the centre (不予受理) or rejected at submission
    needs_materials: int
    materials_pending: int  # accepted with materials pending (容缺), still open
    item_names: dict[str, str]  # code -> Chinese name, for display and export
    # The citizens' ratings (good / fair / poor -> count), today and this month.
    ratings_today: dict[str, int] = field(default_factory=dict)
    ratings_month: dict[str, int] = field(default_factory=dict)


class SummaryService:
    def __init__(self, db: Database, catalog: CatalogService, cipher: FieldCipher) -> None:
        self._db = db
        self._catalog = catalog
        self._cipher = cipher

    def summary(self, now: dt.datetime | None = None) -> StationSummary:
        day = china_date(now or dt.datetime.now(dt.UTC))
        since = stored_midnight(day.replace(day=1))
        today_from = stored_midnight(day)
        with self._db.read() as s:
            rows = s.execute(
                select(Filing.item_code, Operator.code, Filing.created_at)
                .outerjoin(Operator, Operator.id == Filing.operator_id)
                .where(Filing.created_at >= since)
            ).all()
            states = s.execute(select(Filing.state, Filing.materials_pending)).all()
            rated = s.execute(
                select(Command.payload_enc, Command.created_at).where(
                    Command.kind == "rating", Command.created_at >= since
                )
            ).all()
        ratings_month: Counter[str] = Counter()
        ratings_today: Counter[str] = Counter()
        for payload_enc, created in rated:  # a few a day: decrypting them is cheap
            level = str(json.loads(self._cipher.decrypt(payload_enc, "command.payload"))["rating"])
            ratings_month[level] += 1
            if created >= today_from:
                ratings_today[level] += 1
        month_items: Counter[str] = Counter()
        month_ops: Counter[str] = Counter()
        day_items: Counter[str] = Counter()
        day_ops: Counter[str] = Counter()
        for item, operator, created in rows:
            month_items[item] += 1
            month_ops[operator or "-"] += 1
            if created >= today_from:
                day_items[item] += 1
                day_ops[operator or "-"] += 1
        by_state = Counter(state for state, _ in states)
        catalog = self._catalog.current()
        names = {i.code: i.name for i in catalog.items}
        return StationSummary(
            day=day,
            today=Period(sum(day_items.values()), dict(day_items), dict(day_ops)),
            month=Period(sum(month_items.values()), dict(month_items), dict(month_ops)),
            waiting_to_sync=by_state[FilingState.QUEUED.value],
            rejected=by_state[FilingState.REFUSED.value] + by_state[FilingState.REJECTED.value],
            needs_materials=by_state[FilingState.NEEDS_MATERIALS.value],
            materials_pending=sum(
                1
                for state, pending in states
                if pending and state not in (FilingState.COMPLETED, FilingState.REFUSED)
            ),
            item_names=names,
            ratings_today=dict(ratings_today),
            ratings_month=dict(ratings_month),
        )

    def export_csv(self, summary: StationSummary, path: Path, operator_code: str) -> Path:
        """Write the summary as CSV (UTF-8 with BOM, so Excel opens the Chinese right)."""
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(["日期 date", summary.day.isoformat()])
        writer.writerow([])
        writer.writerow(["期间 period", "事项代码 item", "事项 name", "件数 filings"])
        for label, period in (("今日 today", summary.today), ("本月 month", summary.month)):
            for code, count in sorted(period.by_item.items()):
                writer.writerow([label, code, summary.item_names.get(code, code), count])
        writer.writerow([])
        writer.writerow(["期间 period", "经办人 operator", "件数 filings"])
        for label, period in (("今日 today", summary.today), ("本月 month", summary.month)):
            for code, count in sorted(period.by_operator.items()):
                writer.writerow([label, code, count])
        writer.writerow([])
        writer.writerow(["待上传 waiting to sync", summary.waiting_to_sync])
        writer.writerow(["不予受理/退回 rejected", summary.rejected])
        writer.writerow(["需补充材料 needs materials", summary.needs_materials])
        writer.writerow(["容缺待补 materials pending", summary.materials_pending])
        writer.writerow([])
        writer.writerow(["期间 period", "好评 good", "中评 fair", "差评 poor"])
        for label, counts in (
            ("今日 today", summary.ratings_today),
            ("本月 month", summary.ratings_month),
        ):
            writer.writerow([label, *(counts.get(level, 0) for level in ("good", "fair", "poor"))])
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(path.suffix + ".part")
        tmp.write_text(buffer.getvalue(), encoding="utf-8-sig")
        tmp.replace(path)
        with self._db.raw_write() as cur:
            audit.record(
                cur,
                "summary.export",
                operator=operator_code,
                subject=f"summary:{summary.day.isoformat()}",
                detail=path.name,
            )
        return path
