"""The ctypes adapter for vendor ID card libraries, against a fake library built with gcc.

`tests/fixtures/fake_sdt/fake_sdt.c` implements the SDT_* (and base CVR_*) calls over a
scripted card. It is compiled once per module, and each test loads its own copy: the fake
keeps its card in C globals, and a separate file is a separate dlopen handle, so tests do
not see each other's cards. The test reaches the fake's scripting calls by loading the same
path the reader loads, which returns the same handle and therefore the same globals.
"""

from __future__ import annotations

import ctypes
import datetime as dt
import shutil
import subprocess
from pathlib import Path

import pytest

from app.identity import IdKind
from devices.base import DeviceError
from devices.id_card_sam import NO_CARD_ZH
from devices.identity import IdentityReader
from devices.vendor_sdk import ETHNICITY_CODES, VendorSdkReader
from tests.sam_simulator import photo_bytes, text_block

SOURCE = Path(__file__).parent / "fixtures" / "fake_sdt" / "fake_sdt.c"
RARE_NAME = "𬌗𠮷娜"


@pytest.fixture(scope="module")
def built_library(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("fake_sdt") / "libfake_sdt.so"
    subprocess.run(
        ["gcc", "-shared", "-fPIC", "-O1", "-Wall", "-Wextra", "-o", str(out), str(SOURCE)],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return out


@pytest.fixture
def library(built_library: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "libsdtapi.so"
    shutil.copy(built_library, copy)
    return copy


def fake(library: Path) -> ctypes.CDLL:
    """The fake's own handle (the same one the reader gets) for scripting the card."""
    lib = ctypes.CDLL(str(library))
    lib.FakeSdt_SetCard.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_uint]
    lib.FakeCvr_SetField.argtypes = [ctypes.c_int, ctypes.c_char_p]
    return lib


def put_card(library: Path, text: bytes | None = None, photo: bytes | None = None) -> ctypes.CDLL:
    lib = fake(library)
    picture = photo_bytes() if photo is None else photo
    lib.FakeSdt_SetCard(text or text_block(), picture, len(picture))
    return lib


def test_it_is_an_identity_reader(library: Path) -> None:
    reader: IdentityReader = VendorSdkReader(library)
    assert reader.name == "vendor_sdk_id_card"


def test_good_read(library: Path) -> None:
    lib = put_card(library)
    person = VendorSdkReader(library, port=1001, poll_interval=0.01).read(timeout=1)
    assert person.id_kind is IdKind.RESIDENT_ID
    assert person.source == "vendor_sdk_id_card"
    assert (person.name, person.id_number, person.sex) == ("张三", "110105198001010016", "1")
    assert person.birth_date == dt.date(1980, 1, 1)
    assert (person.valid_from, person.valid_until) == ("2016.01.01", "2036.01.01")
    assert person.photo == photo_bytes()
    assert person.photo_mime == "application/x-wlt"
    assert lib.FakeSdt_Opens() == 1
    assert lib.FakeSdt_OpenPort() == 0  # closed again after the read


def test_rare_name_and_long_term_validity(library: Path) -> None:
    put_card(
        library,
        text_block(
            name=RARE_NAME,
            birth_date="19490101",
            id_number="110105194901010013",
            valid_until="长期",
        ),
    )
    person = VendorSdkReader(library).read(timeout=1)
    assert person.name == RARE_NAME
    assert person.valid_until == "长期"


def test_no_card(library: Path) -> None:
    lib = fake(library)
    reader = VendorSdkReader(library, poll_interval=0.01)
    with pytest.raises(DeviceError) as caught:
        reader.read(timeout=0.2)
    assert caught.value.zh == NO_CARD_ZH
    assert lib.FakeSdt_OpenPort() == 0


def test_a_failed_read_starts_again_from_find(library: Path) -> None:
    lib = put_card(library)
    lib.FakeSdt_SetReadFailures(1)
    person = VendorSdkReader(library, poll_interval=0.01).read(timeout=1)
    assert person.name == "张三"


def test_port_open_failure(library: Path) -> None:
    lib = put_card(library)
    lib.FakeSdt_SetOpenFails(1)
    reader = VendorSdkReader(library, port=1003)
    with pytest.raises(DeviceError) as caught:
        reader.read(timeout=0.2)
    assert caught.value.zh == "无法打开身份证读卡器（端口 1003），请检查读卡器是否已连接"
    health = reader.health()
    assert (health.present, health.working) == (False, False)
    assert health.last_error == caught.value.zh


def test_missing_library(tmp_path: Path) -> None:
    missing = tmp_path / "libsdtapi.so"
    reader = VendorSdkReader(missing)
    with pytest.raises(DeviceError) as caught:
        reader.read(timeout=0.1)
    assert caught.value.zh.startswith(f"找不到或无法加载身份证读卡器的厂家驱动库（{missing}）")
    health = reader.health()
    assert (health.present, health.working, health.simulated) == (False, False, False)
    assert health.last_error == caught.value.zh


def test_a_library_of_another_kind_is_named_as_such() -> None:
    reader = VendorSdkReader("libm.so.6")
    with pytest.raises(DeviceError) as caught:
        reader.read(timeout=0.1)
    assert caught.value.zh == "厂家驱动库（libm.so.6）与设置的接口类型 SDT 不符，请检查设置"


def test_health_and_sam_id(library: Path) -> None:
    lib = put_card(library)
    reader = VendorSdkReader(library)
    health = reader.health()
    assert (health.present, health.working, health.last_error) == (True, True, None)
    assert reader.sam_id() == "05.01-20101012-0012345678-1234567890"
    assert lib.FakeSdt_OpenPort() == 0


def test_photo_decoder_plug_in(library: Path) -> None:
    put_card(library)
    reader = VendorSdkReader(library, photo_decoder=lambda wlt: b"\xff\xd8" + wlt[:2])
    person = reader.read(timeout=1)
    assert (person.photo, person.photo_mime) == (b"\xff\xd8" + photo_bytes()[:2], "image/jpeg")


def test_unknown_flavour_is_a_configuration_error(library: Path) -> None:
    with pytest.raises(ValueError, match="flavour"):
        VendorSdkReader(library, flavour="XYZ")  # type: ignore[arg-type]


# --- CVR style ---


def cvr_card(library: Path, **fields: str) -> ctypes.CDLL:
    values = {
        "name": "张三",
        "sex": "男",
        "nation": "汉",
        "birth": "19800101",
        "address": "北京市朝阳区人民路1号",
        "id": "110105198001010016",
        "issuer": "北京市公安局朝阳分局",
        "start": "20160101",
        "end": "20360101",
    } | fields
    lib = put_card(library)
    for index, value in enumerate(values.values()):
        lib.FakeCvr_SetField(index, value.encode("gb18030"))
    return lib


def test_cvr_read(library: Path) -> None:
    lib = cvr_card(library, name=RARE_NAME, sex="女", nation="蒙古族", end="长期")
    person = VendorSdkReader(library, flavour="CVR", poll_interval=0.01).read(timeout=1)
    assert person.name == RARE_NAME  # GB18030 has four-byte codes for these
    assert (person.sex, person.ethnicity, person.valid_until) == ("2", "02", "长期")
    assert person.birth_date == dt.date(1980, 1, 1)
    assert person.id_number == "110105198001010016"
    assert (person.photo, person.photo_mime) == (b"BM6\x00\x00\x00", "image/bmp")
    assert lib.FakeSdt_OpenPort() == 0


def test_cvr_dates_written_with_separators(library: Path) -> None:
    cvr_card(library, birth="1980年01月01日", start="2016-01-01", end="2036.01.01")
    person = VendorSdkReader(library, flavour="CVR").read(timeout=1)
    assert person.birth_date == dt.date(1980, 1, 1)
    assert (person.valid_from, person.valid_until) == ("2016.01.01", "2036.01.01")


def test_cvr_no_card(library: Path) -> None:
    lib = cvr_card(library)
    lib.FakeSdt_SetCardPresent(0)
    with pytest.raises(DeviceError) as caught:
        VendorSdkReader(library, flavour="CVR", poll_interval=0.01).read(timeout=0.2)
    assert caught.value.zh == NO_CARD_ZH


def test_cvr_port_open_failure(library: Path) -> None:
    lib = cvr_card(library)
    lib.FakeSdt_SetOpenFails(1)
    reader = VendorSdkReader(library, port=1, flavour="CVR")
    with pytest.raises(DeviceError) as caught:
        reader.read(timeout=0.2)
    assert caught.value.zh == "无法打开身份证读卡器（端口 1），请检查读卡器是否已连接"
    assert reader.health().present is False


def test_ethnicity_table_follows_gb3304() -> None:
    assert len(ETHNICITY_CODES) == 59
    assert (ETHNICITY_CODES["汉"], ETHNICITY_CODES["壮"], ETHNICITY_CODES["基诺"]) == (
        "01",
        "08",
        "56",
    )
    assert ETHNICITY_CODES["其他"] == "97"
