"""Keeping what the camera captured: a face photo or a photographed document, encrypted.

The camera dialog hands over JPEG bytes; they go straight into the encrypted, content-addressed
BlobStore (the same store filings' attachments live in), and the caller keeps only the SHA-256.
When the filing is saved, `attachment` turns that digest back into an `Attachment` for
FilingService, whose own `BlobStore.put` of the same bytes is then a no-op: the photo is on
disk, encrypted and fsynced, from the moment it was taken, not only once the form is saved.

A photo of a face is personal data: nothing here logs its bytes, its digest or who it shows,
only its kind and size.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from app.errors import UserFacingError
from app.services.filing_service import Attachment
from app.store.blobs import BlobStore

log = logging.getLogger(__name__)

JPEG_MIME: Final = "image/jpeg"
_JPEG_START: Final = b"\xff\xd8\xff"
_JPEG_END: Final = b"\xff\xd9"
# Upper bounds that match devices/photo_encoding.py (200 KB faces, 500 KB documents) with
# headroom; anything larger did not come through the encoder and is refused, not stored.
MAX_BYTES: Final = {"face": 300_000, "material": 1_000_000}
# Checklist code under which the real-person photo is filed (catalog items name their own
# material codes; the face photo is the same for every item).
FACE_PHOTO_CODE: Final = "face_photo"


class CaptureKind(StrEnum):
    FACE = "face"
    MATERIAL = "material"


class CaptureRejected(UserFacingError):
    """The bytes are not a usable photo; nothing was stored."""


@dataclass(frozen=True)
class StoredCapture:
    """A photo in the blob store: its digest, size and what it is. No image bytes."""

    sha256: str
    size: int
    kind: CaptureKind
    mime: str = JPEG_MIME


class CaptureService:
    """Stores captured photos encrypted and gives them back as filing attachments."""

    def __init__(self, blobs: BlobStore) -> None:
        self._blobs = blobs

    def store(self, jpeg: bytes, kind: CaptureKind | str = CaptureKind.FACE) -> StoredCapture:
        """Encrypt and store `jpeg`. It blocks on an fsync, so keep it off the GUI thread."""
        kind = CaptureKind(kind)
        if not (jpeg.startswith(_JPEG_START) and _JPEG_END in jpeg[-64:]):
            raise CaptureRejected(
                "照片格式不正确，未保存，请重新拍摄",
                "The photo is not a valid JPEG and was not saved; please take it again.",
            )
        limit = MAX_BYTES[kind.value]
        if len(jpeg) > limit:
            raise CaptureRejected(
                f"照片过大（{len(jpeg) // 1024} KB，上限 {limit // 1024} KB），未保存，请重新拍摄",
                f"The photo is too large ({len(jpeg) // 1024} KB, limit {limit // 1024} KB) "
                "and was not saved; please take it again.",
            )
        digest = self._blobs.put(jpeg)
        log.info("captured %s photo stored (%d bytes)", kind.value, len(jpeg))
        return StoredCapture(digest, len(jpeg), kind)

    def store_face(self, jpeg: bytes) -> str:
        """Store a face photo and return its SHA-256 (what filings and the centre refer to)."""
        return self.store(jpeg, CaptureKind.FACE).sha256

    def store_material(self, jpeg: bytes) -> str:
        """Store a photographed document and return its SHA-256."""
        return self.store(jpeg, CaptureKind.MATERIAL).sha256

    def load(self, sha256: str) -> bytes:
        """The decrypted photo (for a preview or the filing)."""
        return self._blobs.get(sha256)

    def attachment(self, sha256: str, code: str = FACE_PHOTO_CODE) -> Attachment:
        """The stored photo as an Attachment for FilingRequest.attachments under `code`."""
        return Attachment(code=code, data=self._blobs.get(sha256), mime=JPEG_MIME)
