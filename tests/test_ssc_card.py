"""The social-security card driver against a real pcscd, the real vpcd driver and a virtual card.

Nothing between `SscCardReader` and the card is mocked: pyscard talks to a pcscd this module
starts (`tests.pcscd_process`), pcscd loads vpcd, and vpcd talks over TCP to the Python card
in `tests.virtual_ssc_card`. The byte-level parsing is also tested on its own, with tables.
"""

from __future__ import annotations

import datetime as dt
import queue
import shutil
import subprocess
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.identity import IdKind, PersonRead
from devices import ssc_records as rec
from devices.base import DeviceError, NoCard
from devices.ssc_card import (
    PSAM_MESSAGE_ZH,
    CardEvent,
    CardEventKind,
    CtypesProvincialLibrary,
    PsamRequired,
    SscCardReader,
)
from tests.pcscd_process import Pcscd, start_pcscd, unavailable_reason, wait_card_state
from tests.virtual_ssc_card import CardImage, VirtualSscCard

PULLED = "读卡过程中社保卡被拔出，请重新插卡"
NO_CARD = "读卡器中没有社保卡，请插入社保卡"
NO_SERVICE = "未找到智能卡服务（pcscd），请联系技术人员"
NOT_SSC = "这张卡不是社保卡，或卡片已损坏"


# --- the harness ---------------------------------------------------------------------------------


class Harness:
    """The module's pcscd, which one test stops and starts again."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.daemon: Pcscd | None = None

    def start(self) -> None:
        self.daemon = start_pcscd(self.folder)

    def stop(self) -> None:
        if self.daemon is not None:
            self.daemon.stop()
            self.daemon = None

    @property
    def running(self) -> Pcscd:
        assert self.daemon is not None, "pcscd is not running"
        return self.daemon

    @property
    def reader(self) -> str:
        return self.running.reader

    @property
    def port(self) -> int:
        return self.running.port


@pytest.fixture(scope="module")
def pcscd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Harness]:
    reason = unavailable_reason()
    if reason:
        pytest.fail(f"the PC/SC test peer cannot run: {reason} (make test installs pcscd and vpcd)")
    harness = Harness(tmp_path_factory.mktemp("pcscd"))
    harness.start()
    yield harness
    harness.stop()


@contextmanager
def inserted(harness: Harness, card: VirtualSscCard) -> Iterator[VirtualSscCard]:
    """Insert the card and wait until pcscd has seen it; pull it and wait until it is gone."""
    reader = harness.reader
    card.insert(harness.port)
    try:
        wait_card_state(reader, present=True)
        yield card
    finally:
        card.remove()
        wait_card_state(reader, present=False)


def expected_person(image: CardImage, source: str = "ssc_card") -> PersonRead:
    return PersonRead(
        id_kind=IdKind.SSC,
        id_number=image.ssn,
        name=image.name,
        source=source,
        sex=image.sex,
        ethnicity=image.ethnicity,
        birth_date=image.birth_date,
        issuer=image.card_id.hex()[:6],
        valid_from=f"{image.issue_date:%Y.%m.%d}",
        valid_until=f"{image.expiry_date:%Y.%m.%d}",
        card_number=image.card_number,
    )


def read_once(harness: Harness, card: VirtualSscCard) -> PersonRead:
    with inserted(harness, card):
        return SscCardReader(harness.reader).read(timeout=5)


# --- through pcscd and vpcd ----------------------------------------------------------------------


def test_second_generation_card_gives_every_field(pcscd: Harness) -> None:
    image = CardImage()
    card = VirtualSscCard(image)
    with inserted(pcscd, card):
        person = SscCardReader(pcscd.reader).read(timeout=5)
        data = SscCardReader().read_card(timeout=5)  # no reader named: the first one
    assert person == expected_person(image)
    assert data.psam_required is False and data.unreadable == ()
    assert data.card.spec_version == "2.00" and data.card.generation == 2
    assert data.card.card_id == image.card_id.hex().upper()
    assert data.card.card_type == "3"
    assert data.holder.birthplace == "441802"
    assert card.apdus[0] == bytes.fromhex("00A404000F7378312E73682EC9E7BBE1B1A3D5CF")


def test_third_generation_card_gives_ef05_and_says_it_needs_the_psam(pcscd: Harness) -> None:
    image = CardImage(spec_version="3.00")
    card = VirtualSscCard(image)
    with inserted(pcscd, card):
        with pytest.raises(PsamRequired) as caught:
            SscCardReader(pcscd.reader).read(timeout=5)
        data = SscCardReader(pcscd.reader).read_card(timeout=5)
    assert PSAM_MESSAGE_ZH in caught.value.zh and "PSAM" in caught.value.en
    card_info = caught.value.card.card
    assert card_info.card_number == image.card_number
    assert card_info.expiry_date == image.expiry_date and card_info.generation == 3
    assert caught.value.card.holder == rec.HolderInfo()
    assert data.psam_required and data.card == card_info
    # One EF06 attempt answered 6982, then no more knocking on the locked file.
    assert len(card.sent(bytes.fromhex("00B2"))) == 2 * (len(rec.EF05_RECORDS) + 1)


FIFTEEN = "欧阳娜娜司马秀英张伟芳明超霞杰"  # 30 GBK bytes: the whole name record
ODD_NAMES: dict[str, tuple[CardImage, str]] = {
    "rare character in the extension": (
        CardImage(
            name="王",
            name_extension="𠮷".encode("gb18030").ljust(20, b"\x00"),
        ),
        "王𠮷",
    ),
    "exactly fifteen GBK characters": (CardImage(name=FIFTEEN), FIFTEEN),
    "long name continued in the extension": (
        CardImage(name="阿卜杜热合曼·买买提明·艾力克木"),
        "阿卜杜热合曼·买买提明·艾力克木",
    ),
    "character straddling name and extension": (
        CardImage(
            name_record=("一" * 14).encode("gbk") + "𠮷".encode("gb18030")[:2],
            name_extension="𠮷".encode("gb18030")[2:] + b" " * 18,
        ),
        "一" * 14 + "𠮷",
    ),
    "GB 18030 two-byte character outside GBK": (CardImage(name="李䶮"), "李䶮"),
    "padded with full-width spaces": (
        CardImage(name_record="王芳".encode("gbk") + "　".encode("gbk") * 13),
        "王芳",
    ),
}


@pytest.mark.parametrize("case", list(ODD_NAMES), ids=list(ODD_NAMES))
def test_odd_names_come_out_whole(pcscd: Harness, case: str) -> None:
    image, name = ODD_NAMES[case]
    assert read_once(pcscd, VirtualSscCard(image)).name == name


def test_61xx_is_collected_with_get_response(pcscd: Harness) -> None:
    card = VirtualSscCard(force_61=True, chunk=8)
    assert read_once(pcscd, card) == expected_person(card.image)
    get_responses = card.sent(bytes.fromhex("00C00000"))
    assert len(get_responses) > len(rec.EF05_RECORDS) + len(rec.EF06_ITEMS)
    assert all(0 < apdu[4] <= 8 for apdu in get_responses)


def test_6cxx_repeats_the_command_with_the_right_le(pcscd: Harness) -> None:
    card = VirtualSscCard(strict_le=True)
    assert read_once(pcscd, card) == expected_person(card.image)
    # Card number: EF05 record 07 (P2 2C) asked with Le 00, answered 6C0B, asked again with 0B.
    assert card.sent(bytes.fromhex("00B2072C00")) and card.sent(bytes.fromhex("00B2072C0B"))
    # Name: EF06 identifier 09 (P2 30), 30 bytes + tag and length = 0x20.
    assert card.sent(bytes.fromhex("00B2093020"))


def test_cards_without_identifier_addressing_are_read_record_by_record(pcscd: Harness) -> None:
    image = CardImage(numbered_by_tag=True)  # EF06 record n holds tag n
    card = VirtualSscCard(image, identifier_addressing=False)
    assert read_once(pcscd, card) == expected_person(image)
    assert card.sent(bytes.fromhex("00B2083400"))  # EF06 record 08 by number


def test_card_pulled_mid_read(pcscd: Harness) -> None:
    card = VirtualSscCard(remove_after=5)
    with inserted(pcscd, card), pytest.raises(DeviceError) as caught:
        SscCardReader(pcscd.reader).read(timeout=5)
    assert caught.value.zh == PULLED
    assert card.pulled.is_set()


def test_empty_reader(pcscd: Harness) -> None:
    reader = SscCardReader(pcscd.reader, poll_interval=0.05)
    with pytest.raises(NoCard) as caught:
        reader.read(timeout=0.5)
    assert caught.value.zh == NO_CARD
    assert reader.health().last_error is None  # waiting for a card is not a fault
    assert reader.health().present


def test_a_card_that_is_not_a_social_security_card(pcscd: Harness) -> None:
    card = VirtualSscCard(aid=bytes.fromhex("A000000333010101"))  # a bank card, say
    with inserted(pcscd, card), pytest.raises(DeviceError) as caught:
        SscCardReader(pcscd.reader).read(timeout=5)
    assert caught.value.zh == NOT_SSC


def test_reads_on_one_reader_never_interleave(pcscd: Harness) -> None:
    card = VirtualSscCard()
    results: list[PersonRead | BaseException] = []

    def read() -> None:
        try:
            results.append(SscCardReader(pcscd.reader).read(timeout=5))
        except BaseException as exc:
            results.append(exc)

    with inserted(pcscd, card):
        threads = [threading.Thread(target=read) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(10)
    assert results == [expected_person(card.image)] * 2
    selects = [i for i, apdu in enumerate(card.apdus) if apdu[1] == 0xA4]
    assert selects == [0, len(card.apdus) // 2]  # each read's APDUs in one block


def test_health_and_readers(pcscd: Harness) -> None:
    assert set(SscCardReader().readers()) >= set(pcscd.running.readers)
    health = SscCardReader(pcscd.reader).health()
    assert (health.present, health.working, health.simulated) == (True, True, False)
    missing = SscCardReader("No Such Reader 00 00").health()
    assert not missing.present and missing.last_error is not None
    assert "No Such Reader 00 00" in missing.last_error


def test_watch_reports_cards_coming_and_going(pcscd: Harness) -> None:
    events: queue.Queue[CardEvent] = queue.Queue()
    reader = pcscd.reader
    with SscCardReader(reader).watch(events.put, interval=0.1):
        assert next_event(events) == CardEvent(CardEventKind.READER_ADDED, reader)
        card = VirtualSscCard()
        with inserted(pcscd, card):
            assert next_event(events) == CardEvent(CardEventKind.CARD_INSERTED, reader)
        assert next_event(events) == CardEvent(CardEventKind.CARD_REMOVED, reader)


def next_event(events: queue.Queue[CardEvent], timeout: float = 5.0) -> CardEvent:
    return events.get(timeout=timeout)


def test_the_counter_hub_and_discovery_see_the_card(pcscd: Harness, qtbot: QtBot) -> None:
    """Discovery finds the vpcd reader; the hub turns insert and removal into Qt signals."""
    from app.settings import DeviceSettings
    from devices.registry import DeviceKind, build_identity_readers, discover_ssc_card
    from ui.devices.hub import DeviceHub

    report = discover_ssc_card(DeviceSettings())
    assert report.present and report.detail == pcscd.reader
    built = build_identity_readers(DeviceSettings(), demo=False, reports=[report])
    hub = DeviceHub("zh_CN", poll_timeout=0.2)
    try:
        hub.use({DeviceKind.SSC_CARD: built.readers[DeviceKind.SSC_CARD]}, {})
        image = CardImage()
        card = VirtualSscCard(image)
        with qtbot.waitSignal(hub.person_read, timeout=10_000) as read:
            card.insert(pcscd.port)
        assert read.args[0] == expected_person(image)
        with qtbot.waitSignal(hub.card_removed, timeout=10_000) as removed:
            card.remove()
        assert removed.args == ["ssc_card"]
        wait_card_state(pcscd.reader, present=False)
    finally:
        hub.shutdown()


def test_no_pcscd(pcscd: Harness) -> None:
    """Stop the daemon (by its pid): reads and health say so, the watch notices, and recovers."""
    events: queue.Queue[CardEvent] = queue.Queue()
    reader_name = pcscd.reader
    reader = SscCardReader(reader_name)
    watch = reader.watch(events.put, interval=0.1)
    try:
        assert next_event(events).kind is CardEventKind.READER_ADDED
        pcscd.stop()
        with pytest.raises(DeviceError) as caught:
            reader.read(timeout=1)
        assert caught.value.zh == NO_SERVICE
        health = reader.health()
        assert not health.present and health.last_error == NO_SERVICE
        assert next_event(events) == CardEvent(CardEventKind.READER_REMOVED, reader_name)
        assert next_event(events).kind is CardEventKind.SERVICE_LOST
    finally:
        if pcscd.daemon is None:
            pcscd.start()
    assert next_event(events).kind is CardEventKind.SERVICE_RESTORED
    assert next_event(events) == CardEvent(CardEventKind.READER_ADDED, pcscd.reader)
    watch.stop()
    assert read_once(pcscd, VirtualSscCard()).name == "张三"


# --- the provincial library plug-in --------------------------------------------------------------

FAKE_LIBRARY = r"""
#include <string.h>
long iReadCardBas(int iType, char *pOutInfo) {
    if (iType != 1) { strcpy(pOutInfo, "unsupported card type"); return -11; }
    strcpy(pOutInfo, "%s");
    return 0;
}
"""
LIBRARY_ANSWER = (
    "441800|650102198506123450|S44180099|441800D15600000501A2B3C4D5E6F708|阿里|"
    "3B6D0000|3.00|20210501|20310501|000000000000|00000000000000000000|"
)


@pytest.fixture(scope="module")
def fake_library(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A stand-in for a province's libSSCard.so, compiled here, answering from GBK text."""
    compiler = shutil.which("cc") or shutil.which("gcc")
    if compiler is None:
        pytest.fail("no C compiler for the fake provincial library (gcc is needed)")
    folder = tmp_path_factory.mktemp("provincial")
    literal = "".join(f"\\{b:03o}" if b > 0x7E else chr(b) for b in LIBRARY_ANSWER.encode("gbk"))
    (folder / "fake.c").write_text(FAKE_LIBRARY % literal)
    library = folder / "libfakesscard.so"
    subprocess.run(
        [compiler, "-shared", "-fPIC", "-o", str(library), str(folder / "fake.c")],
        check=True,
        capture_output=True,
    )
    return library


def test_third_generation_card_through_the_provincial_library(
    pcscd: Harness, fake_library: Path
) -> None:
    card = VirtualSscCard(CardImage(spec_version="3.00"))
    provincial = CtypesProvincialLibrary(fake_library)
    with inserted(pcscd, card):
        person = SscCardReader(pcscd.reader, provincial=provincial).read(timeout=5)
    assert person == PersonRead(
        id_kind=IdKind.SSC,
        id_number="650102198506123450",
        name="阿里",
        source="ssc_card+provincial:libfakesscard.so",
        sex="1",
        birth_date=dt.date(1985, 6, 12),
        issuer="441800",
        valid_from="2021.05.01",
        valid_until="2031.05.01",
        card_number="S44180099",
    )


def test_provincial_library_failures_are_plain(fake_library: Path, tmp_path: Path) -> None:
    with pytest.raises(DeviceError) as caught:
        CtypesProvincialLibrary(fake_library, card_type=2).read_basic_info(1)
    assert "错误 -11" in caught.value.zh and "unsupported card type" in caught.value.zh
    with pytest.raises(DeviceError) as caught:
        CtypesProvincialLibrary(None).read_basic_info(1)
    assert caught.value.zh.startswith("未配置省级社保卡读卡库")
    with pytest.raises(DeviceError) as caught:
        CtypesProvincialLibrary(tmp_path / "missing.so").read_basic_info(1)
    assert caught.value.zh.startswith("无法加载省级社保卡读卡库")
    with pytest.raises(DeviceError) as caught:
        CtypesProvincialLibrary(fake_library, function="iReadCardInfo").read_basic_info(1)
    assert caught.value.zh.startswith("无法加载省级社保卡读卡库")


def test_unconfigured_provincial_library_is_named_on_a_third_generation_card(
    pcscd: Harness,
) -> None:
    card = VirtualSscCard(CardImage(spec_version="3.00"))
    reader = SscCardReader(pcscd.reader, provincial=CtypesProvincialLibrary(None))
    with inserted(pcscd, card), pytest.raises(DeviceError) as caught:
        reader.read(timeout=5)
    assert caught.value.zh.startswith("未配置省级社保卡读卡库")


# --- pure parsing --------------------------------------------------------------------------------


def test_aid_and_apdus() -> None:
    assert rec.AID.hex().upper() == "7378312E73682EC9E7BBE1B1A3D5CF"
    assert rec.select_aid_apdu().hex().upper() == "00A404000F7378312E73682EC9E7BBE1B1A3D5CF"
    assert rec.read_record_apdu(0x07, rec.SFI_EF05).hex().upper() == "00B2072C00"
    assert rec.read_record_apdu(0x07, rec.SFI_EF05, 0x0B).hex().upper() == "00B2072C0B"
    assert rec.read_record_by_id_apdu(0x08, rec.SFI_EF06).hex().upper() == "00B2083000"
    assert rec.get_response_apdu(0x12).hex().upper() == "00C0000012"


@pytest.mark.parametrize(
    ("command", "le", "expected"),
    [
        ("00B2072C00", 0x0B, "00B2072C0B"),  # case 2: Le replaced
        ("00840000", 0x08, "0084000008"),  # case 1 gains Le
        ("00A4040002EF05", 0x10, "00A4040002EF0510"),  # case 3 gains Le
        ("00A4040002EF0500", 0x10, "00A4040002EF0510"),  # case 4: Le replaced
    ],
)
def test_with_le(command: str, le: int, expected: str) -> None:
    assert rec.with_le(bytes.fromhex(command), le).hex().upper() == expected


@pytest.mark.parametrize(
    ("record", "expected"),
    [
        ("0703414243", (0x07, b"ABC")),
        ("09810248 49".replace(" ", ""), (0x09, b"HI")),
        ("0A01319000", (0x0A, b"1")),  # bytes after the value are ignored
        ("4E00", (0x4E, b"")),
    ],
)
def test_tlv(record: str, expected: tuple[int, bytes]) -> None:
    assert rec.parse_tlv(bytes.fromhex(record)) == expected


@pytest.mark.parametrize("record", ["", "07", "070541", "0782000100", "0781"])
def test_tlv_rejects(record: str) -> None:
    with pytest.raises(rec.RecordFormatError):
        rec.parse_tlv(bytes.fromhex(record))


def test_expect_tag() -> None:
    assert rec.expect_tag(bytes.fromhex("0703414243"), 0x07) == b"ABC"
    with pytest.raises(rec.RecordFormatError):
        rec.expect_tag(bytes.fromhex("0703414243"), 0x08)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("20310501", dt.date(2031, 5, 1)),
        ("19491231", dt.date(1949, 12, 31)),
        ("20000229", dt.date(2000, 2, 29)),
        ("00000000", None),
        ("FFFFFFFF", None),
    ],
)
def test_bcd_dates(value: str, expected: dt.date | None) -> None:
    assert rec.decode_bcd_date(bytes.fromhex(value)) == expected


@pytest.mark.parametrize("value", ["20230230", "2023A101", "202301", "20231301", "2023010100"])
def test_bcd_dates_reject(value: str) -> None:
    with pytest.raises(rec.RecordFormatError):
        rec.decode_bcd_date(bytes.fromhex(value))


def test_bcd_date_round_trip() -> None:
    day = dt.date(1987, 10, 3)
    assert rec.decode_bcd_date(rec.encode_bcd_date(day)) == day


@pytest.mark.parametrize(
    ("name", "extension", "expected"),
    [
        ("D5C5C8FD" + "00" * 26, None, "张三"),
        ("D5C5C8FD" + "20" * 26, "00" * 20, "张三"),
        ("D5C5C8FD" + "A1A1" * 13, "FF" * 20, "张三"),  # full-width-space padding
        ("CDF5", "9534B235" + "00" * 16, "王𠮷"),  # rare character in the extension
        ("C0EE" + "FE9F", None, "李䶮"),  # GB 18030 two-byte, not in Python's GBK
        ("D2BB" * 14 + "9534", "B235" + "00" * 18, "一" * 14 + "𠮷"),  # straddles
        (FIFTEEN.encode("gbk").hex(), "", FIFTEEN),  # fills the record: no padding at all
    ],
)
def test_names(name: str, extension: str | None, expected: str) -> None:
    ext = bytes.fromhex(extension) if extension is not None else None
    assert rec.decode_name(bytes.fromhex(name), ext) == expected


def test_names_reject_broken_gbk() -> None:
    with pytest.raises(rec.RecordFormatError):
        rec.decode_name(bytes.fromhex("D5C5C8"))  # a lead byte without its trail


@pytest.mark.parametrize(
    "name", ["张三", "王𠮷", "李䶮", FIFTEEN, "阿卜杜热合曼·买买提明·艾力克木"]
)
def test_name_round_trip(name: str) -> None:
    record, extension = rec.encode_name(name)
    assert len(record) == rec.NAME_LENGTH
    assert extension is None or len(extension) == rec.NAME_EXTENSION_LENGTH
    assert rec.decode_name(record, extension) == name


@pytest.mark.parametrize(
    ("decode", "value", "expected"),
    [
        (rec.decode_sex, "31", "1"),
        (rec.decode_sex, "32", "2"),
        (rec.decode_sex, "02", "2"),  # binary from sloppy issuers
        (rec.decode_sex, "00", None),
        (rec.decode_ethnicity, "01", "01"),
        (rec.decode_ethnicity, "56", "56"),
        (rec.decode_ethnicity, "3031", "01"),  # two ASCII digits
        (rec.decode_ethnicity, "FF", None),
        (rec.decode_region, "441802", "441802"),
        (rec.decode_region, "000000", None),
        (rec.decode_text, "5334343138303031322020", "S44180012"),
        (rec.decode_bcd, "4418FF", "4418"),
        (rec.text_or_hex, "33", "3"),
        (rec.text_or_hex, "4418000000FF", "4418000000FF"),
    ],
)
def test_items(decode: Callable[[bytes], object], value: str, expected: object) -> None:
    assert decode(bytes.fromhex(value)) == expected


@pytest.mark.parametrize(
    ("decode", "value"),
    [
        (rec.decode_sex, "41"),
        (rec.decode_ethnicity, "0A"),
        (rec.decode_region, "4418"),
        (rec.decode_text, "D5C5"),
    ],
)
def test_items_reject(decode: Callable[[bytes], object], value: str) -> None:
    with pytest.raises(rec.RecordFormatError):
        decode(bytes.fromhex(value))


def test_bad_items_are_reported_not_fatal() -> None:
    info, bad = rec.parse_ef06(
        {
            rec.TAG_SSN: b"441802199001011239",
            rec.TAG_NAME: "张三".encode("gbk"),
            rec.TAG_SEX: b"X",
            rec.TAG_BIRTH_DATE: bytes.fromhex("19901301"),
        }
    )
    assert (info.ssn, info.name, info.sex, info.birth_date) == (
        "441802199001011239",
        "张三",
        None,
        None,
    )
    assert bad == ["sex", "birth_date"]
    card, bad05 = rec.parse_ef05(
        {rec.TAG_CARD_NUMBER: b"S44180012XYZ", rec.TAG_CARD_ID: b"\xff" * 16}
    )
    assert card.card_number == "S44180012" and card.card_id is None and bad05 == []


class ScriptedCard:
    """Answers from a script, recording what it was sent."""

    def __init__(self, *answers: str) -> None:
        self.answers = [bytes.fromhex(a) for a in answers]
        self.sent: list[str] = []

    def __call__(self, apdu: bytes) -> tuple[bytes, int]:
        self.sent.append(apdu.hex().upper())
        answer = self.answers.pop(0)
        return answer[:-2], int.from_bytes(answer[-2:], "big")


def test_exchange_follows_61xx_and_6cxx() -> None:
    card = ScriptedCard("6C04", "6104", "07036102", "41429000")
    response = rec.exchange(card, bytes.fromhex("00B2072C00"))
    assert response == rec.Response(bytes.fromhex("07034142"), 0x9000)
    assert card.sent == ["00B2072C00", "00B2072C04", "00C0000004", "00C0000002"]


def test_exchange_passes_errors_through_and_gives_up_on_loops() -> None:
    assert rec.exchange(ScriptedCard("6982"), b"\x00\xb2\x08\x30\x00").sw == 0x6982
    with pytest.raises(rec.RecordFormatError):
        rec.exchange(ScriptedCard(*["6C05"] * 20), b"\x00\xb2\x08\x30\x00")


def test_provincial_output_parsing() -> None:
    info = rec.parse_basic_info(LIBRARY_ANSWER)
    assert (info.region, info.ssn, info.card_number, info.name) == (
        "441800",
        "650102198506123450",
        "S44180099",
        "阿里",
    )
    assert (info.spec_version, info.issue_date, info.expiry_date) == (
        "3.00",
        "20210501",
        "20310501",
    )
    assert "阿里" not in repr(info)
    with pytest.raises(rec.RecordFormatError):
        rec.parse_basic_info("441800|650102198506123450|")


@pytest.mark.parametrize(
    ("number", "expected"),
    [
        ("11010519491231002X", ("2", dt.date(1949, 12, 31))),
        ("441802199001011239", ("1", dt.date(1990, 1, 1))),
        ("A12345", (None, None)),
    ],
)
def test_facts_from_id_number(number: str, expected: tuple[str | None, dt.date | None]) -> None:
    assert rec.facts_from_id_number(number) == expected
