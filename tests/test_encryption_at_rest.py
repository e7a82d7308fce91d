"""Personal data is encrypted at rest: the raw files hold no ID number, name, phone or address.

We save filings for a person with a known name (including a character outside the BMP), ID
number, address and phone, with a photo that itself contains the name, then read every byte of
the database, its WAL and the attachment folder and look for those values in every encoding
the program could have written them in.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
from pathlib import Path

import keyring
import keyring.backend
import pytest
from keyring.backends import fail

from app.context import AppContext, DataKeyMissing
from app.crypto.field_cipher import DecryptionError, FieldCipher
from app.crypto.secret_store import SecretStore
from app.identity import IdKind, PersonRead
from app.services.demo_data import demo_values
from app.services.filing_service import Attachment, FilingRequest
from app.services.station_service import StationInfo

NAME = "欧阳𠮷祥"  # 𠮷 is U+20BB7, outside the Basic Multilingual Plane
ID_NUMBER = "11010519491231002X"
ADDRESS = "北京市朝阳区幸福村路88号"
PHONE = "13912345678"


def known_person() -> PersonRead:
    return PersonRead(
        id_kind=IdKind.RESIDENT_ID,
        id_number=ID_NUMBER,
        name=NAME,
        source="test",
        sex="1",
        ethnicity="01",
        birth_date=dt.date(1949, 12, 31),
        address=ADDRESS,
        issuer="北京市公安局朝阳分局",
        valid_from="2015.01.01",
        valid_until="长期",
    )


def needles() -> dict[str, bytes]:
    found: dict[str, bytes] = {"id ascii": ID_NUMBER.encode(), "phone ascii": PHONE.encode()}
    for encoding in ("utf-8", "utf-16-le", "utf-16-be", "gb18030"):
        found[f"name {encoding}"] = NAME.encode(encoding)
        found[f"address {encoding}"] = ADDRESS.encode(encoding)
        found[f"id {encoding}"] = ID_NUMBER.encode(encoding)
    found["surname+given utf-8"] = "欧阳".encode() + "祥".encode()
    return found


def all_bytes(root: Path) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in root.rglob("*") if p.is_file() and p.suffix != ".log"}


def test_nothing_personal_in_clear(
    ctx: AppContext, station: StationInfo, operator_code: str
) -> None:
    person = known_person()
    service = ctx.filing_service(station)
    item = ctx.catalog.current().item("CX-CBDJ-001")
    values = demo_values(item, person, random.Random(1))
    values["phone"] = PHONE
    photo = b"\xff\xd8 photo of " + NAME.encode() + ID_NUMBER.encode() + b" \xff\xd9"
    for _ in range(3):
        service.submit(
            FilingRequest(
                item_code=item.code,
                values=values,
                person=ctx.persons.record(person),
                operator_code=operator_code,
                attachments=[Attachment("id_copy", photo)],
            )
        )
    files = all_bytes(ctx.paths.root)
    assert any(p.name == "yibao.db" for p in files)
    assert any(p.parent.parent == ctx.paths.blobs for p in files), "no attachment was written"
    for path, data in files.items():
        for what, needle in needles().items():
            assert needle not in data, f"{what} found in clear in {path}"
    # The data is really there: it decrypts, and the person is found by ID number alone.
    rows = ctx.queue.filings_for(known_person())
    assert len(rows) == 3
    assert rows[0].person_masked == "欧***"


def test_log_file_holds_no_personal_data(data_dir: Path) -> None:
    """Even a careless log call cannot put an ID number or phone into the log file."""
    from app.logging_setup import setup_logging

    setup_logging(data_dir / "logs")
    try:
        logging.getLogger("test").warning("reading card %s for %s", ID_NUMBER, PHONE)
        for handler in logging.getLogger().handlers:
            handler.flush()
        text = (data_dir / "logs" / "yibao.log").read_text(encoding="utf-8")
    finally:
        setup_logging(None)
    assert "reading card 110105********002X for 139****5678" in text
    assert ID_NUMBER not in text and PHONE not in text


def test_ciphertext_is_bound_to_its_column() -> None:
    cipher = FieldCipher(FieldCipher.new_master_key())
    blob = cipher.encrypt(b"secret", "person.name")
    assert cipher.decrypt(blob, "person.name") == b"secret"
    with pytest.raises(DecryptionError):
        cipher.decrypt(blob, "person.address")
    tampered = blob[:-1] + bytes([blob[-1] ^ 1])
    with pytest.raises(DecryptionError):
        cipher.decrypt(tampered, "person.name")


def test_search_token_is_keyed() -> None:
    a = FieldCipher(FieldCipher.new_master_key())
    b = FieldCipher(FieldCipher.new_master_key())
    assert a.search_token("resident_id", ID_NUMBER) == a.search_token(
        "resident_id", " 11010519491231002x"
    )
    assert a.search_token("resident_id", ID_NUMBER) != b.search_token("resident_id", ID_NUMBER)


def test_no_os_keyring_falls_back_to_encrypted_file_and_says_so(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Simulate a machine with no keyring backend at all (a bare kiosk): keyring's own
    # "fail" backend is what keyring selects there.
    monkeypatch.setattr(keyring, "get_keyring", fail.Keyring)
    caplog.set_level(logging.WARNING)
    store = SecretStore(tmp_path, force_file=False)
    assert store.is_file
    assert "no OS keyring" in caplog.text and "encrypted file keyring" in caplog.text
    key = FieldCipher.new_master_key()
    store.set_bytes("data-key/x", key)
    raw = (tmp_path / "keyring.cfg").read_bytes()
    import base64

    assert base64.b64encode(key) not in raw and key not in raw
    assert SecretStore(tmp_path, force_file=False).get_bytes("data-key/x") == key


def test_lost_key_is_reported_not_replaced(data_dir: Path) -> None:
    AppContext.open(data_dir).close()
    (data_dir / "secrets" / "keyring.cfg").unlink()
    with pytest.raises(DataKeyMissing) as err:
        AppContext.open(data_dir)
    assert "密钥" in err.value.zh


def test_file_keyring_writes_leave_no_partial_file(tmp_path: Path) -> None:
    store = SecretStore(tmp_path, force_file=True)
    first, second = FieldCipher.new_master_key(), FieldCipher.new_master_key()
    store.set_bytes("data-key/a", first)
    store.set_bytes("device-secret", second)  # a later write must not endanger the first
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keyring.cfg", "keyring.salt"]
    reopened = SecretStore(tmp_path, force_file=True)
    assert reopened.get_bytes("data-key/a") == first
    assert reopened.get_bytes("device-secret") == second


class _MemoryKeyring(keyring.backend.KeyringBackend):
    """Stands in for an OS keyring (Secret Service, Windows, macOS), none of which can run
    in this sandbox; it only has to answer like one."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.values.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.values[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.values.pop((service, username), None)


def test_key_written_to_file_on_a_bad_day_is_found_when_the_os_keyring_is_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import app.crypto.secret_store as secret_store

    key = FieldCipher.new_master_key()
    SecretStore(tmp_path, force_file=True).set_bytes("data-key/x", key)  # OS keyring failed
    memory = _MemoryKeyring()
    monkeypatch.setattr(secret_store, "_os_backend", lambda _backend: memory)
    store = SecretStore(tmp_path, force_file=False)
    assert not store.is_file
    assert store.get_bytes("data-key/x") == key


def test_stale_half_written_attachments_are_cleaned(ctx: AppContext) -> None:
    import os

    folder = ctx.paths.blobs / "ab"
    folder.mkdir(exist_ok=True)
    stale = folder / ".tmp-crashed"
    stale.write_bytes(b"half")
    os.utime(stale, (0, 0))
    fresh = folder / ".tmp-writing-now"
    fresh.write_bytes(b"busy")
    assert ctx.blobs.remove_stale_temporaries() == 1
    assert not stale.exists() and fresh.exists()
