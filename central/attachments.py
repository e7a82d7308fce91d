"""Resumable, content-addressed attachment uploads (§5).

The attachment's row is locked (SELECT ... FOR UPDATE on PostgreSQL, the write lock on
SQLite) while a chunk is written, so two uploads of the same file cannot interleave.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from central.blobstore import BlobStore
from central.clock import utcnow
from central.db import Database
from central.errors import ApiError, bad_request, not_found, too_large
from central.models import Attachment

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


def _state(row: Attachment) -> AttachmentState:
    return AttachmentState(row.sha256, row.size, row.received, row.complete)


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
        with self._db.read() as s:
            row = s.get(Attachment, (station_code, sha256))
            if row is None:
                raise not_found("此附件", "part of this attachment")
            return _state(row)

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
        with self._db.write() as s:
            row = self._locked(s, station_code, sha256)
            if row is not None and row.complete:
                return _state(row), True
            if row is None:
                if offset != 0:
                    raise _offset_mismatch(0)
                row = Attachment(station_code=station_code, sha256=sha256, size=size, received=0)
                s.add(row)
                s.flush()
            elif row.size != size:
                if offset != 0:
                    raise bad_request(
                        f"size 与先前声明的 {row.size} 不同",
                        f"size differs from the {row.size} declared before",
                    )
                row.size, row.received = size, 0  # restarted with another size
            on_disk = self._blobs.part_size(station_code, sha256)
            if on_disk < row.received:  # the blob folder lost bytes: resume from what is there
                row.received = on_disk
            if offset != row.received:
                raise _offset_mismatch(row.received)
            if offset + len(data) > size:
                raise bad_request("分块超出附件大小", "the chunk runs past the attachment's size")
            if data or offset == 0:
                self._blobs.append(station_code, sha256, offset, data)
            row.received = offset + len(data)
            if row.received < size:
                return _state(row), True
            if self._blobs.part_digest(station_code, sha256) != sha256:
                self._blobs.discard(station_code, sha256)
                s.delete(row)
                return AttachmentState(sha256, size, 0, False), False
            self._blobs.promote(station_code, sha256)
            row.complete = True
            row.completed_at = utcnow()
            return _state(row), True

    @staticmethod
    def _locked(s: Session, station_code: str, sha256: str) -> Attachment | None:
        return s.execute(
            select(Attachment)
            .where(Attachment.station_code == station_code, Attachment.sha256 == sha256)
            .with_for_update()
        ).scalar_one_or_none()


def complete_attachments(s: Session, station_code: str, shas: list[str]) -> set[str]:
    """Which of `shas` the station has uploaded completely."""
    if not shas:
        return set()
    found = s.execute(
        select(Attachment.sha256).where(
            Attachment.station_code == station_code,
            Attachment.sha256.in_(shas),
            Attachment.complete.is_(True),
        )
    )
    return set(found.scalars())
