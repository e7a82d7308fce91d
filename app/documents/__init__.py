"""Documents handed to people: the receipt (受理回执) and the one-time notice (一次性告知书).

This package holds what a document *says*, as plain data with Chinese text, and no Qt: the
thermal printer driver (devices/receipt_printer.py) and the PDF/system-printer renderer
(ui/printing/) both draw the same models, so a receipt reads the same whichever way it is
printed. Models are built from `FilingFacts`, a small value object the caller fills from
whatever it has (a saved filing and the person just read), never from ORM rows, so building
a document cannot touch the database or lazy-load personal data.

Personal data is masked when the model is built: a `Receipt` or `Notice` never holds a
full name or ID number, so no renderer can print one by mistake.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from app.catalog.schema import CatalogItem
from app.china_clock import china_time
from app.identity import PersonRead

__all__ = ["SERVICE_HOTLINE", "FilingFacts", "PendingMaterial", "china_time"]

# The national medical-security service hotline, the same number in every province.
SERVICE_HOTLINE = "12393"


@dataclass(frozen=True)
class PendingMaterial:
    """A material still to be handed in: its catalog name and, if any, what it must be."""

    name: str
    note: str | None = None


@dataclass(frozen=True)
class FilingFacts:
    """What a receipt or notice is built from, as plain values.

    `person_name` and `person_id_number` are the clear values; the builders mask them and
    keep only the masked form. `created_at` is when the filing was saved (naive = UTC, as
    in the store). `receipt_no` is the centre's 受理号, known only after the filing synced.
    """

    uid: str
    item_code: str
    item_name: str
    created_at: dt.datetime
    person_name: str = field(repr=False)
    person_id_number: str = field(repr=False)
    station_name: str
    station_code: str
    operator_code: str
    receipt_no: str | None = None
    time_limit_days: int | None = None
    materials_pending: tuple[PendingMaterial, ...] = ()


def new_filing_facts(
    uid: str,
    created_at: dt.datetime,
    item: CatalogItem,
    person: PersonRead,
    station: tuple[str, str],
    operator: str,
) -> FilingFacts:
    """The facts of a filing just saved (its 受理号 comes with the sync), for the receipt or
    notice printed then, at the counter and at the kiosk. `station` is (name, code);
    `operator` is what 经办人 says."""
    return FilingFacts(
        uid=uid,
        item_code=item.code,
        item_name=item.name,
        created_at=created_at,
        person_name=person.name,
        person_id_number=person.id_number,
        station_name=station[0],
        station_code=station[1],
        operator_code=operator,
        time_limit_days=item.time_limit_days,
    )
