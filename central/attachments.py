"""Resumable, content-addressed attachment uploads (§5).

The attachment's row is locked (SELECT ... FOR UPDATE on PostgreSQL, the write lock on
SQLite) while a chunk is written, so two uploads of the same file cannot interleave. A new
attachment's row is inserted before any byte is written, so on PostgreSQL a second upload of
the same file waits on the primary key until the first commits.

The hash of a completed attachment is taken over the bytes already on disk and the last chunk
in hand (nothing is read back for an upload in one chunk); the file is fsynced and renamed into
place, and its directory fsynced, before the centre answers `complete`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, bindparam, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from central.blobstore import BlobStore
from central.clock import utcnow
from central.db import Database
from central.errors import ApiError, bad_request, not_found, too_large
from central.models import Attachment, table_of

CHUNK_LIMIT = 1 << 20  # 1 MiB per PUT
SIZE_LIMIT = 64 << 20  # one attachment, whole


@dataclass(frozen=True)
class AttachmentState:
    sha256: str
    size: int
    received: int
    complete: bool

    def as_json(self) -> dict[str, Any]:
        return {
            "sha256": self.sha256,
            "size": self.size,
            "received": self.received,
            "complete": self.complete,
        }


_ATTACHMENTS = table_of(Attachment)
_IN_CHUNK = 500  # hashes per IN (...) list: well under any backend's parameter limit

# Built once, every chunk runs them; `this` picks the row by the parameters `st` and `sha`.
_this = (_ATTACHMENTS.c.station_code == bindparam("st")) & (
    _ATTACHMENTS.c.sha256 == bindparam("sha")
)
_READ = select(_ATTACHMENTS.c.size, _ATTACHMENTS.c.received, _ATTACHMENTS.c.complete).where(_this)
_LOCK = _READ.with_for_update()
_NEW = insert(_ATTACHMENTS)
_UPDATE = update(_ATTACHMENTS).where(_this)  # SET from the other parameters given
_DROP = delete(_ATTACHMENTS).where(_this)


def _offset_mismatch(received: int) -> ApiError:
    return ApiError(
        409,
        "offset_mismatch",
        f"分块起点与中心已收到的长度（{received} 字节）不符",
        f"The chunk does not start where the centre's copy ends ({received} bytes)",
        received=received,
    )


def _hash_mismatch() -> ApiError:
    return ApiError(
        422,
        "hash_mismatch",
        "附件内容与其校验值不符，已丢弃，请重新上传",
        "The attachment does not hash to its name; it was discarded, upload it again",
    )


class Attachments:
    def __init__(self, db: Database, blobs: BlobStore) -> None:
        self._db = db
        self._blobs = blobs

    def state(self, station_code: str, sha256: str) -> AttachmentState:
        with self._db.read_core() as conn:
            row = conn.execute(_READ, {"st": station_code, "sha": sha256}).first()
        if row is None:
            raise not_found("此附件", "part of this attachment")
        return AttachmentState(sha256, row.size, row.received, bool(row.complete))

    def put(
        self, station_code: str, sha256: str, offset: int, size: int, data: bytes
    ) -> AttachmentState:
        """Store one chunk; verify and finish the attachment when it is whole."""
        if size > SIZE_LIMIT:
            raise too_large(f"附件超过 {SIZE_LIMIT} 字节", f"attachment over {SIZE_LIMIT} bytes")
        if offset < 0 or size < 0:
            raise bad_request("offset 和 size 不能为负", "offset and size must not be negative")
        try:
            state, verified = self._put(station_code, sha256, offset, size, data)
        except IntegrityError:  # another upload created the row first (PostgreSQL): once more
            state, verified = self._put(station_code, sha256, offset, size, data)
        if not verified:
            raise _hash_mismatch()
        return state

    def _put(
        self, station_code: str, sha256: str, offset: int, size: int, data: bytes
    ) -> tuple[AttachmentState, bool]:
        this = {"st": station_code, "sha": sha256}
        with self._db.write_core() as conn:
            row = conn.execute(_LOCK, this).first()
            if row is not None and row.complete:
                return AttachmentState(sha256, row.size, row.received, True), True
            if row is None:
                if offset != 0:
                    raise _offset_mismatch(0)
                conn.execute(
                    _NEW,
                    {
                        "station_code": station_code,
                        "sha256": sha256,
                        "size": size,
                        "received": 0,
                        "complete": False,
                        "created_at": utcnow(),
                    },
                )
                received = 0
            elif row.size != size:
                if offset != 0:
                    raise bad_request(
                        f"size 与先前声明的 {row.size} 不同",
                        f"size differs from the {row.size} declared before",
                    )
                received = 0  # restarted with another size
            else:
                received = row.received
            on_disk = self._blobs.part_size(station_code, sha256)
            if on_disk < received:  # the blob folder lost bytes: resume from what is there
                received = on_disk
            if offset != received:
                raise _offset_mismatch(received)
            end = offset + len(data)
            if end > size:
                raise bad_request("分块超出附件大小", "the chunk runs past the attachment's size")
            if end < size:
                if data or offset == 0:
                    self._blobs.append(station_code, sha256, offset, data)
                conn.execute(_UPDATE, {**this, "size": size, "received": end})
                return AttachmentState(sha256, size, end, False), True
            if self._blobs.digest_with(station_code, sha256, offset, data) != sha256:
                self._blobs.discard(station_code, sha256)
                conn.execute(_DROP, this)
                return AttachmentState(sha256, size, 0, False), False
            self._blobs.append(station_code, sha256, offset, data)  # fsynced
            self._blobs.promote(station_code, sha256)  # renamed, its directory fsynced
            done = {"size": size, "received": size, "complete": True, "completed_at": utcnow()}
            conn.execute(_UPDATE, {**this, **done})
            return AttachmentState(sha256, size, size, True), True


def complete_attachments(conn: Connection, station_code: str, shas: Iterable[str]) -> set[str]:
    """Which of `shas` the station has uploaded completely."""
    wanted = sorted(set(shas))
    found: set[str] = set()
    t = _ATTACHMENTS
    for start in range(0, len(wanted), _IN_CHUNK):
        rows = conn.execute(
            select(t.c.sha256).where(
                t.c.station_code == station_code,
                t.c.sha256.in_(wanted[start : start + _IN_CHUNK]),
                t.c.complete.is_(True),
            )
        )
        found.update(rows.scalars())
    return found
