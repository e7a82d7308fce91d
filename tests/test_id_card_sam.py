"""The SAM serial ID card driver: frames, the text block, and the driver on a real pty.

The frame tables below are written out by hand, checksums included (worked in the comments),
so they check `devices.sam_protocol` against the protocol rather than against itself. The
driver tests open the simulator's pseudo-terminal by path, as they would /dev/ttyUSB0.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Iterator

import pytest

from app.identity import IdKind, PersonRead
from devices import sam_protocol as sam
from devices.base import DeviceError
from devices.id_card_sam import NO_CARD_ZH, SamIdCardReader, format_sam_id
from devices.id_card_text import (
    CardTextInvalid,
    UnsupportedDocument,
    parse_base_info,
    parse_text_block,
)
from devices.identity import IdentityReader
from tests.sam_simulator import (
    ALWAYS,
    FIND,
    READ_BASE,
    RESET,
    SAM_ID_BYTES,
    SELECT,
    Fault,
    SamSimulator,
    SimCard,
    photo_bytes,
    text_block,
)

RARE_NAME = "𬌗𠮷娜"  # 𬌗 U+2C317 and 𠮷 U+20BB7 are outside the BMP: surrogate pairs on the card
TODAY = dt.date(2025, 6, 1)


def h(text: str) -> bytes:
    return bytes.fromhex(text)


# --- frames ---------------------------------------------------------------------------------

# Request: AA AA AA 96 69, LEN = 00 03 (CMD, PARA, CHK), CHK = 00 ^ 03 ^ CMD ^ PARA.
KNOWN_REQUESTS = [
    # 03 ^ 20 = 23; 23 ^ 01 = 22
    ((0x20, 0x01), "AA AA AA 96 69 00 03 20 01 22"),
    # 03 ^ 20 = 23; 23 ^ 02 = 21
    ((0x20, 0x02), "AA AA AA 96 69 00 03 20 02 21"),
    # 03 ^ 30 = 33; 33 ^ 01 = 32
    ((0x30, 0x01), "AA AA AA 96 69 00 03 30 01 32"),
    # 03 ^ 10 = 13; 13 ^ FF = EC
    ((0x10, 0xFF), "AA AA AA 96 69 00 03 10 FF EC"),
    # 03 ^ 11 = 12; 12 ^ FF = ED
    ((0x11, 0xFF), "AA AA AA 96 69 00 03 11 FF ED"),
    # 03 ^ 12 = 11; 11 ^ FF = EE
    ((0x12, 0xFF), "AA AA AA 96 69 00 03 12 FF EE"),
]

# Response: LEN counts SW1 SW2 SW3, the data and CHK; CHK = XOR of LEN, SW and data.
KNOWN_RESPONSES = [
    # card found: LEN 00 08 (3 + 4 + 1); 08 ^ 9F = 97
    ("AA AA AA 96 69 00 08 00 00 9F 00 00 00 00 97", 0x9F, "00 00 00 00"),
    # no card: LEN 00 04; 04 ^ 80 = 84
    ("AA AA AA 96 69 00 04 00 00 80 84", 0x80, ""),
    # selected: LEN 00 0C (3 + 8 + 1); 0C ^ 90 = 9C
    ("AA AA AA 96 69 00 0C 00 00 90 00 00 00 00 00 00 00 00 9C", 0x90, "00" * 8),
    # SAM status with one data byte 12: 05 ^ 90 = 95; 95 ^ 12 = 87
    ("AA AA AA 96 69 00 05 00 00 90 12 87", 0x90, "12"),
]


@pytest.mark.parametrize(("command", "frame"), KNOWN_REQUESTS)
def test_request_frames_match_hand_built_ones(command: tuple[int, int], frame: str) -> None:
    assert sam.encode_request(*command) == h(frame)
    assert sam.decode_request(h(frame)) == sam.Request(*command)


@pytest.mark.parametrize(("frame", "status", "data"), KNOWN_RESPONSES)
def test_response_frames_match_hand_built_ones(frame: str, status: int, data: str) -> None:
    assert sam.decode_response(h(frame)) == sam.Response(status, h(data))
    assert sam.encode_response(status, h(data)) == h(frame)


def test_command_constants_are_the_protocol_bytes() -> None:
    assert (sam.FIND_CARD.cmd, sam.FIND_CARD.para) == (0x20, 0x01)
    assert (sam.SELECT_CARD.cmd, sam.SELECT_CARD.para) == (0x20, 0x02)
    assert (sam.READ_BASE_INFO.cmd, sam.READ_BASE_INFO.para) == (0x30, 0x01)
    assert (sam.RESET_SAM.cmd, sam.RESET_SAM.para) == (0x10, 0xFF)
    assert (sam.SAM_STATUS.cmd, sam.SAM_STATUS.para) == (0x11, 0xFF)
    assert (sam.READ_SAM_ID.cmd, sam.READ_SAM_ID.para) == (0x12, 0xFF)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ("", 0x00),
        ("00", 0x00),
        ("FF", 0xFF),
        ("00 03 20 01", 0x22),
        ("AA AA", 0x00),
        ("0F F0", 0xFF),
    ],
)
def test_xor_checksum(data: str, expected: int) -> None:
    assert sam.xor_checksum(h(data)) == expected


@pytest.mark.parametrize(
    ("frame", "problem"),
    [
        ("AA AA AA 96 68 00 04 00 00 80 84", "preamble"),
        ("AA AA AA 96 69 00 04 00 00 80 85", "checksum"),
        ("AA AA AA 96 69 00 05 00 00 80 84", "length"),
        ("AA AA AA 96 69 00 02 00 02", "length"),
        ("AA AA AA 96 69 00", "shorter"),
    ],
)
def test_bad_frames_are_refused(frame: str, problem: str) -> None:
    with pytest.raises(sam.FrameError, match=problem):
        sam.decode_response(h(frame))


def test_frames_with_data_round_trip() -> None:
    data = bytes(range(256)) * 5
    assert sam.decode_request(sam.encode_request(0x30, 0x01, data)) == sam.Request(0x30, 1, data)
    assert sam.decode_response(sam.encode_response(0x90, data)) == sam.Response(0x90, data)


def test_status_meanings_in_both_languages() -> None:
    assert sam.describe_status(0x80) == ("未找到身份证", "no card found")
    assert sam.describe_status(0x10)[0] == "安全模块收到的数据校验和错误"
    assert sam.describe_status(0x123456) == ("未知状态码 123456", "unknown status 123456")
    assert sam.SamStatus.CARD_FOUND == 0x00009F


class TricklePort:
    """A port that hands out its bytes one at a time, as a slow line would."""

    def __init__(self, incoming: bytes) -> None:
        self.incoming = bytearray(incoming)
        self.written = bytearray()
        self.timeout: float | None = 0.1

    def read(self, size: int = 1) -> bytes:
        out = bytes(self.incoming[:1])
        del self.incoming[:1]
        return out

    def write(self, data: bytes, /) -> int:
        self.written += data
        return len(data)


def test_link_assembles_a_frame_from_one_byte_reads_after_stray_bytes() -> None:
    answer = h("AA AA AA 96 69 00 08 00 00 9F 00 00 00 00 97")
    port = TricklePort(h("AA AA 96 AA 00") + answer)
    response = sam.SamLink(port, timeout=1).transact(sam.FIND_CARD)
    assert response == sam.Response(0x9F, bytes(4))
    assert bytes(port.written) == h("AA AA AA 96 69 00 03 20 01 22")


@pytest.mark.parametrize(
    ("incoming", "error", "zh"),
    [
        ("", sam.SamTimeout, "身份证读卡器没有响应，请检查读卡器的连接线和电源"),
        ("AA AA AA", sam.SamShortRead, "身份证读卡器返回的数据不完整，请重新放置身份证后再试"),
        ("AA AA AA 96 69 00 08 00 00 9F", sam.SamShortRead, "身份证读卡器返回的数据不完整"),
        ("01 02 03 04 05 06", sam.SamFrameError, "身份证读卡器返回的数据无法识别"),
    ],
)
def test_link_failures_in_memory(incoming: str, error: type[DeviceError], zh: str) -> None:
    port = TricklePort(h(incoming))
    with pytest.raises(error) as caught:
        sam.SamLink(port, timeout=0.05).transact(sam.FIND_CARD)
    assert caught.value.zh.startswith(zh)


# --- the text block -------------------------------------------------------------------------


def test_text_block_parses_into_person_fields() -> None:
    card = parse_text_block(text_block(), today=TODAY)
    assert card.name == "张三"
    assert card.sex == "1"
    assert card.ethnicity == "01"
    assert card.birth_date == dt.date(1980, 1, 1)
    assert card.address == "北京市朝阳区人民路1号"
    assert card.id_number == "110105198001010016"
    assert card.issuer == "北京市公安局朝阳分局"
    assert card.valid_from == "2016.01.01"
    assert card.valid_until == "2036.01.01"


def test_name_outside_the_bmp_survives_the_text_block() -> None:
    block = text_block(name=RARE_NAME)
    # the field really holds surrogate pairs: D8 70 (high) for U+2C317, little-endian
    assert block[:4] == "𬌗".encode("utf-16-le") == h("70 D8 17 DF")
    card = parse_text_block(block, today=TODAY)
    assert card.name == RARE_NAME
    assert len(card.name) == 3


def test_long_term_validity() -> None:
    block = text_block(birth_date="19490101", id_number="110105194901010013", valid_until="长期")
    assert parse_text_block(block, today=TODAY).valid_until == "长期"


def test_lower_case_x_check_character_is_normalised() -> None:
    # the parser checks shape, not the check digit (the person service does that)
    card = parse_text_block(text_block(id_number="11010519800101001x"), today=TODAY)
    assert card.id_number == "11010519800101001X"


@pytest.mark.parametrize(
    ("kind", "zh"),
    [("I", "外国人永久居留身份证"), ("Y", "外国人永久居留身份证"), ("J", "港澳台居民居住证")],
)
def test_other_documents_are_refused_plainly(kind: str, zh: str) -> None:
    with pytest.raises(UnsupportedDocument) as caught:
        parse_text_block(text_block(card_type=kind), today=TODAY)
    assert caught.value.zh.startswith(f"暂不支持读取{zh}")


@pytest.mark.parametrize(
    ("overrides", "zh_field"),
    [
        ({"id_number": "11010519800101001"}, "公民身份号码"),
        ({"id_number": "1101051980010100A6"}, "公民身份号码"),
        ({"id_number": "110105198002010016"}, "公民身份号码"),  # birth date differs
        ({"birth_date": "19800230", "id_number": "110105198002300016"}, "出生日期"),
        ({"birth_date": "2099010A"}, "出生日期"),
        ({"sex": "3"}, "性别"),
        ({"ethnicity": "汉"}, "民族"),
        ({"name": ""}, "姓名"),
        ({"valid_from": "20160132"}, "有效期起始日期"),
        ({"valid_until": "20150101"}, "有效期截止日期"),
        ({"valid_until": "永久"}, "有效期截止日期"),
    ],
)
def test_malformed_fields_are_refused(overrides: dict[str, str], zh_field: str) -> None:
    with pytest.raises(CardTextInvalid) as caught:
        parse_text_block(text_block(**overrides), today=TODAY)
    assert f"（{zh_field}）" in caught.value.zh


def test_a_surrogate_cut_in_half_is_refused_not_replaced() -> None:
    block = bytearray(text_block())
    block[0:2] = h("70 D8")  # a high surrogate followed by 三: not valid UTF-16
    with pytest.raises(CardTextInvalid) as caught:
        parse_text_block(bytes(block), today=TODAY)
    assert "（姓名）" in caught.value.zh


def test_wrong_block_length_is_refused() -> None:
    with pytest.raises(CardTextInvalid) as caught:
        parse_text_block(text_block()[:200])
    assert caught.value.zh == "身份证信息长度不正确，请重新读卡"


def test_base_info_splits_at_the_announced_lengths() -> None:
    text, photo = text_block(), photo_bytes()
    data = h("01 00 04 00") + text + photo
    assert parse_base_info(data) == (text, photo)
    with pytest.raises(CardTextInvalid):
        parse_base_info(data[:-1])


# --- the driver on a pseudo-terminal ---------------------------------------------------------


@pytest.fixture
def sim() -> Iterator[SamSimulator]:
    with SamSimulator(SimCard()) as simulator:
        yield simulator


@pytest.fixture
def sam_reader(sim: SamSimulator) -> Iterator[SamIdCardReader]:
    reader = SamIdCardReader(sim.path, command_timeout=0.3, read_timeout=0.5, poll_interval=0.02)
    yield reader
    reader.close()


def test_it_is_an_identity_reader(sam_reader: SamIdCardReader) -> None:
    reader: IdentityReader = sam_reader
    assert reader.name == "sam_id_card"


def test_good_read(sim: SamSimulator, sam_reader: SamIdCardReader) -> None:
    person = sam_reader.read(timeout=2)
    assert isinstance(person, PersonRead)
    assert person.id_kind is IdKind.RESIDENT_ID
    assert person.source == "sam_id_card"
    assert (person.name, person.id_number, person.sex) == ("张三", "110105198001010016", "1")
    assert person.birth_date == dt.date(1980, 1, 1)
    assert person.ethnicity == "01"
    assert person.valid_until == "2036.01.01"
    assert person.photo == photo_bytes()  # byte for byte, not decoded
    assert person.photo_mime == "application/x-wlt"
    assert sim.commands() == [FIND, SELECT, READ_BASE]


def test_rare_characters_survive_the_serial_line(
    sim: SamSimulator, sam_reader: SamIdCardReader
) -> None:
    sim.card = SimCard(text=text_block(name=RARE_NAME, address="四川省成都市𡒄街1号"))
    person = sam_reader.read(timeout=2)
    assert person.name == RARE_NAME
    assert person.address == "四川省成都市𡒄街1号"


def test_long_term_card_over_the_line(sim: SamSimulator, sam_reader: SamIdCardReader) -> None:
    sim.card = SimCard(
        text=text_block(birth_date="19490101", id_number="110105194901010013", valid_until="长期")
    )
    assert sam_reader.read(timeout=2).valid_until == "长期"


def test_no_card(sim: SamSimulator, sam_reader: SamIdCardReader) -> None:
    sim.card = None
    started = time.monotonic()
    with pytest.raises(DeviceError) as caught:
        sam_reader.read(timeout=0.4)
    assert caught.value.zh == NO_CARD_ZH == "未检测到身份证，请将身份证放在读卡器上"
    assert caught.value.en
    assert 0.35 < time.monotonic() - started < 1.5
    assert set(sim.commands()) == {FIND}  # polled, nothing else attempted
    assert len(sim.commands()) > 3


def test_card_laid_down_while_waiting(sim: SamSimulator, sam_reader: SamIdCardReader) -> None:
    sim.card = None
    threading.Timer(0.2, lambda: setattr(sim, "card", SimCard())).start()
    assert sam_reader.read(timeout=2).name == "张三"


def test_bad_checksum_once_is_retried(sim: SamSimulator, sam_reader: SamIdCardReader) -> None:
    sim.fault(Fault.BAD_CHECKSUM, READ_BASE)
    person = sam_reader.read(timeout=2)
    assert person.photo == photo_bytes()
    assert sim.commands() == [FIND, SELECT, READ_BASE, READ_BASE]


def test_bad_checksum_always_is_reported(sim: SamSimulator, sam_reader: SamIdCardReader) -> None:
    sim.fault(Fault.BAD_CHECKSUM, FIND, times=ALWAYS)
    with pytest.raises(sam.SamFrameError) as caught:
        sam_reader.read(timeout=2)
    assert "数据校验失败" in caught.value.zh
    assert sim.commands() == [FIND, FIND]  # one retry, then the operator hears about it


def test_checksum_error_reported_by_the_sam_is_retried(
    sim: SamSimulator, sam_reader: SamIdCardReader
) -> None:
    sim.fault(Fault.SAM_CHECKSUM_ERROR, SELECT)
    assert sam_reader.read(timeout=2).name == "张三"
    assert sim.commands() == [FIND, SELECT, SELECT, READ_BASE]


def test_short_read(sim: SamSimulator, sam_reader: SamIdCardReader) -> None:
    sim.fault(Fault.SHORT, READ_BASE)
    started = time.monotonic()
    with pytest.raises(sam.SamShortRead) as caught:
        sam_reader.read(timeout=2)
    assert time.monotonic() - started < 1.5  # bounded by the read timeout, not hanging
    assert caught.value.zh == "身份证读卡器返回的数据不完整，请重新放置身份证后再试"
    assert sam_reader.read(timeout=2).name == "张三"  # the port is reopened and works


def test_short_read_after_the_preamble(sim: SamSimulator, sam_reader: SamIdCardReader) -> None:
    sim.fault(Fault.SHORT, RESET)  # the 11-byte answer is cut after 5 bytes: the preamble only
    with pytest.raises(sam.SamShortRead):
        sam_reader.reset()


def test_no_answer(sim: SamSimulator, sam_reader: SamIdCardReader) -> None:
    sim.fault(Fault.SILENT, FIND)
    started = time.monotonic()
    with pytest.raises(sam.SamTimeout) as caught:
        sam_reader.read(timeout=2)
    assert time.monotonic() - started < 1
    assert caught.value.zh == "身份证读卡器没有响应，请检查读卡器的连接线和电源"


def test_garbage_before_the_preamble_is_skipped(
    sim: SamSimulator, sam_reader: SamIdCardReader
) -> None:
    sim.fault(Fault.GARBAGE, times=ALWAYS)
    person = sam_reader.read(timeout=2)
    assert person.photo == photo_bytes()
    assert sim.commands() == [FIND, SELECT, READ_BASE]


def test_card_removed_between_find_and_read(sim: SamSimulator, sam_reader: SamIdCardReader) -> None:
    sim.remove_card_after_find = True
    with pytest.raises(DeviceError) as caught:
        sam_reader.read(timeout=0.3)
    assert caught.value.zh == "读取身份证失败，请将身份证平放在读卡器上，读卡完成前不要移动"
    assert sim.commands()[:2] == [FIND, SELECT]
    assert READ_BASE not in sim.commands()


def test_other_documents_are_refused_over_the_line(
    sim: SamSimulator, sam_reader: SamIdCardReader
) -> None:
    sim.card = SimCard(text=text_block(card_type="J"))
    with pytest.raises(UnsupportedDocument) as caught:
        sam_reader.read(timeout=2)
    assert caught.value.zh == "暂不支持读取港澳台居民居住证，请手工录入或使用居民身份证"


def test_absent_port() -> None:
    reader = SamIdCardReader("/dev/ttyNOSUCH0", command_timeout=0.2)
    with pytest.raises(DeviceError) as caught:
        reader.read(timeout=0.5)
    assert caught.value.zh.startswith("无法打开身份证读卡器（串口 /dev/ttyNOSUCH0）")
    health = reader.health()
    assert (health.present, health.working, health.simulated) == (False, False, False)
    assert health.last_error is not None and health.last_error.startswith("无法打开")


def test_health(sim: SamSimulator, sam_reader: SamIdCardReader) -> None:
    health = sam_reader.health()
    assert (health.present, health.working, health.last_error) == (True, True, None)
    assert health.name == "sam_id_card"
    sim.sam_status = 0x60  # self-test failed: a SAM is there, but it is broken
    health = sam_reader.health()
    assert (health.present, health.working) == (True, False)
    assert health.last_error is not None and "安全模块自检失败" in health.last_error
    sim.sam_status = 0x90
    sim.fault(Fault.SILENT, times=ALWAYS)  # something on the port, but not a SAM
    health = sam_reader.health()
    assert (health.present, health.working) == (False, False)
    assert health.last_error == "身份证读卡器没有响应，请检查读卡器的连接线和电源"


def test_sam_id_and_reset(sim: SamSimulator, sam_reader: SamIdCardReader) -> None:
    assert sam_reader.sam_id() == "05.01-20101012-0012345678-1234567890"
    sam_reader.reset()
    assert sim.commands() == [(0x12, 0xFF), RESET]


def test_sam_id_format_by_hand() -> None:
    # 05 00 | 01 00 | 20101012 = 0x0132B794 -> 94 B7 32 01 | 1 | 2, all little-endian
    raw = h("05 00 01 00 94 B7 32 01 01 00 00 00 02 00 00 00")
    assert raw[:8] == SAM_ID_BYTES[:8]
    assert format_sam_id(raw) == "05.01-20101012-0000000001-0000000002"


def test_photo_decoder_plug_in(sim: SamSimulator) -> None:
    seen: list[bytes] = []

    def decoder(wlt: bytes) -> bytes:
        seen.append(wlt)
        return b"\xff\xd8decoded"

    reader = SamIdCardReader(sim.path, command_timeout=0.3, photo_decoder=decoder)
    try:
        person = reader.read(timeout=2)
    finally:
        reader.close()
    assert seen == [photo_bytes()]
    assert (person.photo, person.photo_mime) == (b"\xff\xd8decoded", "image/jpeg")


def test_a_failing_photo_decoder_keeps_the_raw_photo(sim: SamSimulator) -> None:
    def decoder(wlt: bytes) -> bytes:
        raise RuntimeError("licence expired")

    reader = SamIdCardReader(sim.path, command_timeout=0.3, photo_decoder=decoder)
    try:
        person = reader.read(timeout=2)
    finally:
        reader.close()
    assert (person.photo, person.photo_mime) == (photo_bytes(), "application/x-wlt")


def test_concurrent_reads_never_interleave(sim: SamSimulator, sam_reader: SamIdCardReader) -> None:
    results: list[str] = []
    threads = [
        threading.Thread(target=lambda: results.append(sam_reader.read(timeout=3).name))
        for _ in range(3)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == ["张三"] * 3
    assert sim.commands() == [FIND, SELECT, READ_BASE] * 3
    assert sim.bad_requests == 0
