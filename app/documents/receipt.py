"""The acceptance receipt (受理回执) a citizen takes home, as data and as fixed-pitch text lines.

`build_receipt` turns `FilingFacts` into a `Receipt` holding only masked personal data.
`Receipt.rows()` is the labelled content in print order, shared by every renderer;
`text_lines()` lays it out for a fixed-pitch printer (thermal receipt printers, and the
simulated printer's text file), where a Chinese character takes two columns.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from app.documents import SERVICE_HOTLINE, FilingFacts, PendingMaterial, china_time, lookup_code
from app.identity import mask_id_number, mask_name

RECEIPT_TITLE = "受理回执"
RECEIPT_NO_PENDING = "上传后由医保经办机构生成"
QR_CAPTION = "工作人员扫码可查询办理进度"
KEEP_HINT = "请妥善保管本回执。"

# Columns of the normal font (12 x 24 dots) on the common paper widths at 203 dpi.
COLUMNS_80MM = 48  # 576 printable dots
COLUMNS_58MM = 32  # 384 printable dots

# Chinese line breaking (禁则): these never start a line...
_NO_LINE_START = set("，。、；：？！）》」』】〕”’,.;:?!)]}%·…—")
# ...and these never end one.
_NO_LINE_END = set("（《「『【〔“‘([{")


def progress_hint(station_name: str) -> str:
    """How the citizen finds out where the application stands (no app or account needed)."""
    return (
        f"查询办理进度：请携带本回执到{station_name}，工作人员扫码即可查询；"
        f"也可拨打医保服务热线 {SERVICE_HOTLINE}。"
    )


def time_limit_text(days: int | None) -> str | None:
    if days is None:
        return None
    return "即时办结" if days == 0 else f"{days}个工作日"


@dataclass(frozen=True)
class Receipt:
    """Everything a receipt shows. Person data is already masked; times are China time."""

    station_name: str
    station_code: str
    operator_code: str
    item_code: str
    item_name: str
    filed_at: dt.datetime  # aware, China time
    filing_uid: str
    receipt_no: str | None
    person_masked: str
    id_number_masked: str
    time_limit: str | None
    materials_pending: tuple[PendingMaterial, ...]
    lookup_text: str
    progress_hint: str
    title: str = RECEIPT_TITLE

    @property
    def filed_at_text(self) -> str:
        return f"{self.filed_at:%Y-%m-%d %H:%M}"

    def rows(self) -> list[tuple[str, str]]:
        """(label, value) in print order; the materials list and QR follow separately."""
        rows = [
            ("事项", self.item_name),
            ("申请人", self.person_masked),
            ("证件号码", self.id_number_masked),
            ("受理时间", self.filed_at_text),
            ("受理号", self.receipt_no or RECEIPT_NO_PENDING),
            ("本地编号", self.filing_uid),
        ]
        if self.time_limit:
            rows.append(("办结时限", self.time_limit))
        rows += [("服务站", f"{self.station_name}（{self.station_code}）")]
        rows += [("经办人", self.operator_code)]
        return rows


def build_receipt(facts: FilingFacts) -> Receipt:
    """The receipt for a saved filing; the person's name and ID number are masked here."""
    return Receipt(
        station_name=facts.station_name,
        station_code=facts.station_code,
        operator_code=facts.operator_code,
        item_code=facts.item_code,
        item_name=facts.item_name,
        filed_at=china_time(facts.created_at),
        filing_uid=facts.uid,
        receipt_no=facts.receipt_no,
        person_masked=mask_name(facts.person_name),
        id_number_masked=mask_id_number(facts.person_id_number),
        time_limit=time_limit_text(facts.time_limit_days),
        materials_pending=tuple(facts.materials_pending),
        lookup_text=lookup_code.encode(facts.uid, facts.receipt_no),
        progress_hint=progress_hint(facts.station_name),
    )


# --- fixed-pitch layout ---------------------------------------------------------------------


class LineStyle(StrEnum):
    TITLE = "title"  # double width and height, bold, centred
    HEADING = "heading"  # bold
    BODY = "body"
    CENTRED = "centred"
    RULE = "rule"  # a full-width line of dashes
    QR = "qr"  # where the lookup QR code goes; `text` is its content


@dataclass(frozen=True)
class TextLine:
    text: str
    style: LineStyle = LineStyle.BODY


def char_width(char: str) -> int:
    """Columns a character takes on a Chinese thermal printer in Chinese mode.

    The printer draws every multi-byte GB18030 character as one full-width (double) cell and
    single bytes (ASCII) as half-width, so the encoded length decides, not Unicode's East
    Asian Width (which calls ·, — and … ambiguous).
    """
    return 1 if ord(char) < 0x80 else 2


def display_width(text: str) -> int:
    return sum(char_width(c) for c in text)


def _is_word(char: str) -> bool:
    return char.isascii() and (char.isalnum() or char in "-_./")


def wrap(text: str, width: int, indent: int = 0) -> list[str]:
    """Break `text` into lines of at most `width` columns; continuation lines get `indent` spaces.

    Breaks between any two characters (Chinese has no spaces), except that closing
    punctuation is kept off a line start, opening punctuation off a line end, and a short
    Latin code (ST110105001) is moved whole to the next line. Control characters become
    spaces: a newline inside a value must not become a printer command.
    """
    if width <= indent + 2:
        raise ValueError("line too narrow")
    text = "".join(c if c.isprintable() else " " for c in text)
    lines: list[str] = []
    current: list[str] = []
    used = 0
    for char in text:
        w = char_width(char)
        if used + w > width and current:
            first = 1 if lines and indent else 0  # current[0] is the indent on later lines
            split = len(current)  # where the next line starts
            if char in _NO_LINE_START and split - first > 1:
                split -= 1
            following = current[split] if split < len(current) else char
            if _is_word(following):  # keep a code such as ST110105001 whole if it fits
                start = split
                while start > first and _is_word(current[start - 1]):
                    start -= 1
                if start > first and len(current) - start < width // 2:
                    split = start
            while split - first > 1 and current[split - 1] in _NO_LINE_END:
                split -= 1
            carry = current[split:]
            del current[split:]
            lines.append("".join(current).rstrip())
            current = [" " * indent, *carry] if indent else carry
            used = indent + display_width("".join(carry))
        current.append(char)
        used += w
    if current and "".join(current).strip():
        lines.append("".join(current).rstrip())
    return lines or [""]


def labelled(label: str, value: str, width: int) -> list[str]:
    """ "标签：值", wrapped with continuation lines aligned under the value."""
    head = f"{label}："
    indent = display_width(head)
    if indent > width // 2:  # a long label on a narrow roll: value on the next lines instead
        return [head, *wrap(value, width)]
    return wrap(head + value, width, indent)


def text_lines(receipt: Receipt, columns: int = COLUMNS_80MM) -> list[TextLine]:
    """The receipt laid out for a fixed-pitch printer `columns` half-width characters wide."""
    out = [TextLine(line, LineStyle.TITLE) for line in wrap(receipt.title, columns // 2)]
    out += [TextLine(line, LineStyle.CENTRED) for line in wrap(receipt.station_name, columns)]
    out.append(TextLine("-" * columns, LineStyle.RULE))
    for label, value in receipt.rows():
        out += [TextLine(line) for line in labelled(label, value, columns)]
    if receipt.materials_pending:
        out.append(TextLine("待补材料：", LineStyle.HEADING))
        for n, material in enumerate(receipt.materials_pending, 1):
            head = f"{n}. "
            text = head + material.name + (f"（{material.note}）" if material.note else "")
            out += [TextLine(line) for line in wrap(text, columns, display_width(head))]
    out.append(TextLine("-" * columns, LineStyle.RULE))
    out.append(TextLine(receipt.lookup_text, LineStyle.QR))
    out += [TextLine(line, LineStyle.CENTRED) for line in wrap(QR_CAPTION, columns)]
    out += [TextLine(line) for line in wrap(receipt.progress_hint, columns)]
    out += [TextLine(line) for line in wrap(KEEP_HINT, columns)]
    return out
