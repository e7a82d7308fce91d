"""Content-addressed, encrypted file store for attachments (photos, scans, signatures).

A file is named by the SHA-256 of its plaintext, which is what the centre verifies on upload
and what makes storing the same photo twice free. On disk it is AES-GCM ciphertext bound to
that name. Writes go to a temporary file, are fsynced, then renamed into place, so a power cut
leaves either the whole file or none.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import time
from pathlib import Path

from app.crypto.field_cipher import FieldCipher


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class BlobStore:
    def __init__(self, root: Path, cipher: FieldCipher) -> None:
        self.root = root
        self._cipher = cipher
        root.mkdir(parents=True, exist_ok=True)

    def remove_stale_temporaries(self, older_than_s: float = 3600) -> int:
        """Delete half-written files left by a crash mid-write; returns how many."""
        cutoff = time.time() - older_than_s
        removed = 0
        for tmp in self.root.glob("*/.tmp-*"):
            try:
                if tmp.stat().st_mtime < cutoff:
                    tmp.unlink()
                    removed += 1
            except FileNotFoundError:
                continue
        return removed

    def path_for(self, digest: str) -> Path:
        return self.root / digest[:2] / digest

    def put(self, data: bytes) -> str:
        """Store `data` and return its SHA-256; storing the same bytes again is a no-op."""
        digest = sha256_hex(data)
        target = self.path_for(digest)
        if target.exists():
            return digest
        target.parent.mkdir(exist_ok=True)
        blob = self._cipher.encrypt(data, f"blob:{digest}")
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(blob)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        _fsync_dir(target.parent)
        return digest

    def get(self, digest: str) -> bytes:
        data = self._cipher.decrypt(self.path_for(digest).read_bytes(), f"blob:{digest}")
        if sha256_hex(data) != digest:  # pragma: no cover - GCM already authenticates
            raise ValueError("blob content does not match its name")
        return data

    def exists(self, digest: str) -> bool:
        return self.path_for(digest).exists()


def _fsync_dir(folder: Path) -> None:
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
