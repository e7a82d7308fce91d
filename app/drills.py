"""Valid filings on the demo station, made the way the counter makes them.

For `yibao demo-filings`, the benchmarks and the robustness tests: a simulated card is read
and its person recorded, then a form is filled with valid values for the next application
item in turn and saved through the same `FilingService` the window uses.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence

from app.catalog.schema import ItemKind
from app.context import AppContext
from app.identity import PersonRead
from app.services.demo_data import demo_values
from app.services.filing_service import (
    Attachment,
    FilingRequest,
    FilingService,
    SavedFiling,
    missing_materials,
)
from app.services.station_service import DEMO_OPERATOR_CODE


class DrillFiler:
    """`read_card` is a reader's blocking read (the simulated reader's, in drills)."""

    def __init__(
        self,
        ctx: AppContext,
        read_card: Callable[[], PersonRead],
        seed: int | None = None,
        *,
        on_own_station: bool = False,
        operator_code: str = DEMO_OPERATOR_CODE,
    ) -> None:
        """On the demo station, or with `on_own_station` on the station this terminal is
        activated for (drills against a centre)."""
        catalog = ctx.catalog.current()
        self.station = (
            ctx.stations.require_station()
            if on_own_station
            else ctx.stations.ensure_demo_station(catalog)
        )
        self.operator_code = operator_code
        self.service: FilingService = ctx.filing_service(self.station)
        self.rng = random.Random(seed)
        self._ctx = ctx
        self._read_card = read_card
        method = read_card().id_kind.method
        self.items = [
            i
            for i in catalog.items
            if i.code in self.station.enabled_items
            and i.kind is ItemKind.APPLICATION
            and method in i.identity_methods
            # A drill has no face to photograph: items with a real-person check are left out.
            and not i.face_photo_required
        ]
        if not self.items:
            raise ValueError("the demo station offers no application for a resident ID card")
        self._n = 0

    def request(self, attachments: Sequence[Attachment] = ()) -> FilingRequest:
        """The next filing: a card read (its person recorded) and a filled form."""
        item = self.items[self._n % len(self.items)]
        self._n += 1
        person = self._ctx.persons.record(self._read_card())
        return FilingRequest(
            item_code=item.code,
            values=demo_values(item, person.read, self.rng),
            person=person,
            operator_code=self.operator_code,
            attachments=attachments,
            # Accepted with materials to follow (容缺受理) when the drill brought none.
            materials_pending=bool(missing_materials(item, attachments)),
        )

    def file(self, attachments: Sequence[Attachment] = ()) -> SavedFiling:
        return self.service.submit(self.request(attachments))
