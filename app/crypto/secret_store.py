"""Secrets (the data key, later the device secret) in the OS keyring, or an encrypted file.

Where the OS has no keyring (CI, a bare kiosk without a desktop session), secrets go to an
Argon2/AES-GCM encrypted file (keyrings.cryptfile) in the data folder, and the log says so.
Its password comes from `YIBAO_KEYRING_PASSWORD` when the installer provides one (a systemd
credential, a TPM-sealed value); otherwise it is derived from this machine's identity and a
random salt, which protects a data folder copied off the machine but not a running machine's
root account. There is never a fallback to plain text.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import os
import uuid
from pathlib import Path

import keyring
import keyring.backend
import keyring.errors
from keyring.backends import chainer, fail

from app.errors import UserFacingError

log = logging.getLogger(__name__)

SERVICE = "yibao-station"


class SecretStoreError(UserFacingError):
    pass


def _machine_secret() -> str:
    for candidate in ("/etc/machine-id", "/var/lib/dbus/machine-id"):
        try:
            text = Path(candidate).read_text().strip()
        except OSError:
            continue
        if text:
            return text
    return f"{uuid.getnode():012x}"  # no machine-id (Windows, macOS): the MAC address


def _salt(folder: Path) -> bytes:
    path = folder / "keyring.salt"
    try:
        return path.read_bytes()
    except FileNotFoundError:
        salt = os.urandom(32)
        _write_atomically(path, salt)
        return salt


def _write_atomically(path: Path, data: bytes) -> None:
    """Write, fsync, rename into place, fsync the folder: never a half-written secret."""
    tmp = path.with_name(f".{path.name}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    if os.name == "posix":
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def _file_backend(folder: Path) -> keyring.backend.KeyringBackend:
    from keyrings.cryptfile.cryptfile import CryptFileKeyring

    backend = CryptFileKeyring()
    backend.file_path = str(folder / "keyring.cfg")
    password = os.environ.get("YIBAO_KEYRING_PASSWORD")
    if not password:
        password = hashlib.sha256(_salt(folder) + _machine_secret().encode()).hexdigest()
    backend.keyring_key = password
    return backend


def _os_backend(backend: keyring.backend.KeyringBackend) -> keyring.backend.KeyringBackend | None:
    """The OS keyring (Secret Service, KWallet, macOS, Windows), if the machine has one.

    File keyrings that register themselves as backends (keyrings.cryptfile) do not count:
    they would prompt for a password on a terminal nobody watches.
    """
    candidates = backend.backends if isinstance(backend, chainer.ChainerBackend) else [backend]
    for candidate in candidates:
        module = type(candidate).__module__
        if isinstance(candidate, fail.Keyring) or not module.startswith("keyring.backends."):
            continue
        if module.startswith(("keyring.backends.chainer", "keyring.backends.null")):
            continue
        return candidate
    return None


class SecretStore:
    """Named secrets for one data folder."""

    def __init__(self, secrets_dir: Path, *, force_file: bool | None = None) -> None:
        if force_file is None:
            force_file = os.environ.get("YIBAO_KEYRING", "").lower() == "file"
        self._dir = secrets_dir
        self._backend: keyring.backend.KeyringBackend
        self.is_file = False
        if force_file:
            self._use_file("the file keyring was asked for (YIBAO_KEYRING=file)")
        else:
            backend = _os_backend(keyring.get_keyring())
            if backend is None:
                self._use_file("no OS keyring is available on this machine")
            else:
                self._backend = backend
                self.description = f"OS keyring ({type(backend).__name__})"

    def _use_file(self, reason: str) -> None:
        self._backend = _file_backend(self._dir)
        self.is_file = True
        self.description = f"encrypted file keyring at {self._dir / 'keyring.cfg'}"
        log.warning("secrets: %s; using the %s", reason, self.description)

    def get(self, name: str) -> str | None:
        try:
            value = self._backend.get_password(SERVICE, name)
            if value is None and not self.is_file and (self._dir / "keyring.cfg").exists():
                # Written to the file keyring on a day the OS keyring failed.
                value = _file_backend(self._dir).get_password(SERVICE, name)
            return value
        except keyring.errors.KeyringError as exc:
            if not self.is_file:
                log.warning("secrets: the OS keyring failed on read (%s)", type(exc).__name__)
                self._use_file("the OS keyring failed")
                return self.get(name)
            raise self._error(exc) from exc
        except ValueError as exc:  # the file keyring's password does not open it
            raise self._error(exc) from exc

    def set(self, name: str, value: str) -> None:
        try:
            if self.is_file:
                self._set_in_file(name, value)
            else:
                self._backend.set_password(SERVICE, name, value)
        except keyring.errors.KeyringError as exc:
            if not self.is_file:
                log.warning("secrets: the OS keyring failed on write (%s)", type(exc).__name__)
                self._use_file("the OS keyring failed")
                self.set(name, value)
                return
            raise self._error(exc) from exc

    def _set_in_file(self, name: str, value: str) -> None:
        """keyrings.cryptfile rewrites its file in place; we make that write atomic by
        letting it write a copy, which then replaces the original in one rename."""
        real = self._dir / "keyring.cfg"
        work = self._dir / ".keyring.cfg.work"
        work.unlink(missing_ok=True)
        if real.exists():
            work.write_bytes(real.read_bytes())
        backend = self._backend
        backend.file_path = str(work)  # type: ignore[attr-defined]
        try:
            backend.set_password(SERVICE, name, value)
        finally:
            backend.file_path = str(real)  # type: ignore[attr-defined]
        _write_atomically(real, work.read_bytes())
        work.unlink()

    def get_bytes(self, name: str) -> bytes | None:
        existing = self.get(name)
        return None if existing is None else base64.b64decode(existing)

    def set_bytes(self, name: str, value: bytes) -> None:
        self.set(name, base64.b64encode(value).decode())

    @staticmethod
    def _error(exc: Exception) -> SecretStoreError:
        return SecretStoreError(
            f"无法读取本机密钥库：{type(exc).__name__}。请联系技术人员。",
            f"The terminal's key store cannot be read: {type(exc).__name__}. Call a technician.",
        )
