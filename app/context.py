"""Opening a data folder: store, keys, catalog and services, wired once for GUI and CLI."""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import insert, select

from app.crypto.field_cipher import FieldCipher
from app.crypto.secret_store import SecretStore
from app.errors import UserFacingError
from app.paths import DataPaths
from app.services.audit import AuditTrail
from app.services.catalog_service import CatalogService
from app.services.command_service import CommandService
from app.services.filing_service import FilingService
from app.services.person_service import PersonService
from app.services.queue_service import QueueService
from app.services.station_service import StationInfo, StationService
from app.services.summary_service import SummaryService
from app.settings import Settings, load_settings
from app.store.blobs import BlobStore
from app.store.db import Database
from app.store.models import StoreMeta

log = logging.getLogger(__name__)


class DataKeyMissing(UserFacingError):
    def __init__(self) -> None:
        super().__init__(
            "找不到本地数据的密钥，已保存的数据无法打开。请联系技术人员恢复密钥库。",
            "The key for the local data is missing; saved data cannot be opened. "
            "A technician must restore the key store.",
        )


def _data_key(db: Database, secrets: SecretStore) -> bytes:
    """The store's master key, created with the store and kept only in the key store."""
    with db.read() as s:
        store_id = s.execute(
            select(StoreMeta.value).where(StoreMeta.key == "store_id")
        ).scalar_one_or_none()
    if store_id is not None:
        key = secrets.get_bytes(f"data-key/{store_id}")
        if key is None:
            raise DataKeyMissing()
        return key
    store_id = str(uuid.uuid4())
    key = FieldCipher.new_master_key()
    secrets.set_bytes(f"data-key/{store_id}", key)  # the key first: an id without key is fatal
    with db.write() as s:
        s.execute(insert(StoreMeta), {"key": "store_id", "value": store_id})
    log.info("new local store created; data key kept in the %s", secrets.description)
    return key


@dataclass
class AppContext:
    """Everything the GUI, CLI and benchmarks need for one data folder."""

    paths: DataPaths
    settings: Settings
    db: Database
    secrets: SecretStore
    cipher: FieldCipher
    blobs: BlobStore
    catalog: CatalogService
    stations: StationService
    queue: QueueService
    persons: PersonService

    @classmethod
    def open(cls, data_dir: Path) -> AppContext:
        paths = DataPaths(data_dir).ensure()
        settings = load_settings(paths.settings)
        db = Database(paths.database)
        try:
            secrets = SecretStore(paths.secrets)
            cipher = FieldCipher(_data_key(db, secrets))
            catalog = CatalogService(db)
            catalog.ensure_bundled()
        except BaseException:
            db.close()
            raise
        blobs = BlobStore(paths.blobs, cipher)
        if removed := blobs.remove_stale_temporaries():
            log.info("removed %d half-written attachment files left by a crash", removed)
        return cls(
            paths=paths,
            settings=settings,
            db=db,
            secrets=secrets,
            cipher=cipher,
            blobs=blobs,
            catalog=catalog,
            stations=StationService(db),
            queue=QueueService(db, cipher, catalog),
            persons=PersonService(db, cipher, blobs),
        )

    @property
    def audit(self) -> AuditTrail:
        return AuditTrail(self.db)

    @property
    def summaries(self) -> SummaryService:
        return SummaryService(self.db, self.catalog, self.cipher)

    @property
    def commands(self) -> CommandService:
        """Supplements and ratings of filings already saved."""
        return CommandService(self.db, self.cipher, self.blobs)

    def filing_service(self, station: StationInfo) -> FilingService:
        return FilingService(self.db, self.cipher, self.blobs, self.catalog, station, self.persons)

    def close(self) -> None:
        self.db.close()
