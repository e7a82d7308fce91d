"""Catalog versions held by the centre: installing one, the current one, and a per-version
index of item kinds that filing checks consult without parsing the catalog each time."""

from __future__ import annotations

import threading
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.catalog.schema import Catalog
from central.db import Database
from central.models import CatalogVersion


def install_catalog(s: Session, catalog: Catalog, *, current: bool = True) -> bool:
    """Store `catalog` unless its version is there already; returns whether it was new.

    A version is immutable once installed: the same version number always means the same
    items, which is what lets filings name the version they were filled against.
    """
    existing = s.get(CatalogVersion, catalog.version)
    if existing is None:
        body: dict[str, Any] = catalog.model_dump(mode="json")
        s.add(CatalogVersion(version=catalog.version, published=catalog.published, body=body))
        s.flush()
    if current:
        s.execute(
            update(CatalogVersion).values(is_current=CatalogVersion.version == catalog.version)
        )
    return existing is None


def current_catalog(s: Session) -> CatalogVersion | None:
    return s.execute(
        select(CatalogVersion).where(CatalogVersion.is_current.is_(True))
    ).scalar_one_or_none()


class CatalogIndex:
    """Item code → kind for each installed version, loaded once per version (they never
    change once installed)."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._kinds: dict[str, dict[str, str]] = {}
        self._lock = threading.Lock()

    def kinds(self, version: str) -> dict[str, str] | None:
        """The items of catalog `version`, or None when the centre does not hold it."""
        with self._lock:
            cached = self._kinds.get(version)
        if cached is not None:
            return cached
        with self._db.read() as s:
            row = s.get(CatalogVersion, version)
            if row is None:
                return None
            items = row.body.get("items", [])
            assert isinstance(items, list)
            kinds = {str(i["code"]): str(i["kind"]) for i in items}
        with self._lock:
            self._kinds[version] = kinds
        return kinds
