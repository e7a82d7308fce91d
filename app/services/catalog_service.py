"""Which catalog version is current, kept in the store so filings can name their version."""

from __future__ import annotations

import logging

from sqlalchemy import insert, select, update

from app.catalog.loader import load_default_catalog
from app.catalog.schema import Catalog
from app.store.db import Database
from app.store.models import CatalogItemRow, CatalogVersion

log = logging.getLogger(__name__)


class CatalogService:
    def __init__(self, db: Database) -> None:
        self._db = db
        self._current: Catalog | None = None

    def install(self, catalog: Catalog, *, source: str) -> None:
        """Store a catalog version and make it current (new filings only; old ones keep theirs)."""
        with self._db.write() as s:
            exists = s.execute(
                select(CatalogVersion.version).where(CatalogVersion.version == catalog.version)
            ).scalar_one_or_none()
            if exists is None:
                s.execute(
                    insert(CatalogVersion),
                    {
                        "version": catalog.version,
                        "published": catalog.published,
                        "source": source,
                        "is_current": False,
                        "categories": [c.model_dump() for c in catalog.categories],
                    },
                )
                s.execute(
                    insert(CatalogItemRow),
                    [
                        {
                            "version": catalog.version,
                            "code": item.code,
                            "name": item.name,
                            "category": item.category,
                            "kind": item.kind.value,
                            "offline": item.offline,
                            "spec": item.model_dump(mode="json"),
                        }
                        for item in catalog.items
                    ],
                )
            s.execute(update(CatalogVersion).values(is_current=False))
            s.execute(
                update(CatalogVersion)
                .where(CatalogVersion.version == catalog.version)
                .values(is_current=True)
            )
        self._current = catalog
        log.info("catalog %s (%s) is current", catalog.version, source)

    def ensure_bundled(self) -> Catalog:
        """On first start, install the catalog shipped with the program."""
        with self._db.read() as s:
            current = s.execute(
                select(CatalogVersion.version).where(CatalogVersion.is_current)
            ).scalar_one_or_none()
        if current is None:
            self.install(load_default_catalog(), source="bundled")
        return self.current()

    def current(self) -> Catalog:
        if self._current is None:
            self._current = self._load_current()
        return self._current

    def _load_current(self) -> Catalog:
        with self._db.read() as s:
            version = s.execute(
                select(CatalogVersion).where(CatalogVersion.is_current)
            ).scalar_one()
            items = (
                s.execute(
                    select(CatalogItemRow.spec)
                    .where(CatalogItemRow.version == version.version)
                    .order_by(CatalogItemRow.code)
                )
                .scalars()
                .all()
            )
            return Catalog.model_validate(
                {
                    "version": version.version,
                    "published": version.published,
                    "categories": version.categories,
                    "items": list(items),
                }
            )
