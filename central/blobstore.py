"""Attachment bytes on disk: `<root>/<station>/<aa>/<sha256>`, with `.part` while uploading.

Chunks are appended to the partial file and fsynced before the database says they arrived;
the file is cut back to the offset first, so a chunk whose commit failed is simply written
again. A completed file is renamed into place only after its hash was checked; the hash is
taken over the bytes already there and the last chunk in hand, not by reading the file back.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path


class BlobStore:
    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)

    def final_path(self, station_code: str, sha256: str) -> Path:
        return self.root / station_code / sha256[:2] / sha256

    def part_path(self, station_code: str, sha256: str) -> Path:
        return self.final_path(station_code, sha256).with_suffix(".part")

    def part_size(self, station_code: str, sha256: str) -> int:
        try:
            return self.part_path(station_code, sha256).stat().st_size
        except FileNotFoundError:
            return 0

    def append(self, station_code: str, sha256: str, offset: int, data: bytes) -> None:
        """Write `data` at `offset` of the partial file, dropping anything past `offset`."""
        path = self.part_path(station_code, sha256)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            os.ftruncate(fd, offset)
            os.lseek(fd, offset, os.SEEK_SET)
            view = memoryview(data)
            while view:
                written = os.write(fd, view)
                view = view[written:]
            os.fsync(fd)
        finally:
            os.close(fd)

    def digest_with(self, station_code: str, sha256: str, length: int, tail: bytes) -> str:
        """SHA-256 of the first `length` bytes of the partial file followed by `tail` (the
        chunk in hand, about to be written at `length`): only what was there before is read
        back, nothing at all for an upload in one chunk."""
        digest = hashlib.sha256()
        left = length
        if left > 0:
            with self.part_path(station_code, sha256).open("rb") as fh:
                while left > 0:
                    block = fh.read(min(left, 1 << 20))
                    if not block:  # shorter than it should be: the digest will not match
                        break
                    digest.update(block)
                    left -= len(block)
        digest.update(tail)
        return digest.hexdigest()

    def promote(self, station_code: str, sha256: str) -> None:
        """Move a verified partial file to its final name, durably."""
        final = self.final_path(station_code, sha256)
        os.replace(self.part_path(station_code, sha256), final)
        dir_fd = os.open(final.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)

    def discard(self, station_code: str, sha256: str) -> None:
        self.part_path(station_code, sha256).unlink(missing_ok=True)

    def read(self, station_code: str, sha256: str) -> bytes:
        return self.final_path(station_code, sha256).read_bytes()
