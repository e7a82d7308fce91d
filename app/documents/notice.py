"""The one-time notice of missing materials (一次性告知书), printed on A4 and signed for.

Service rules require that a citizen is told *once*, in writing, everything still missing, so
they do not come back twice. The notice names the item, the (masked) person, every missing
material with what it must be, where and by when to bring it, and carries the lookup QR
code so the station finds the filing again without retyping anything.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace

from app.documents import SERVICE_HOTLINE, FilingFacts, PendingMaterial, china_time, lookup_code
from app.identity import mask_id_number, mask_name

NOTICE_TITLE = "一次性告知书"
NOTICE_SUBTITLE = "医疗保障经办服务"
COPIES_NOTE = "本告知书一式两份，申请人和服务站各执一份。"


def chinese_date(day: dt.date) -> str:
    """2025年6月1日: the form Chinese documents use (no zero padding)."""
    return f"{day.year}年{day.month}月{day.day}日"


@dataclass(frozen=True)
class Notice:
    """What an A4 one-time notice says. Person data is masked; dates are China dates."""

    item_code: str
    item_name: str
    person_masked: str
    id_number_masked: str
    applied_on: dt.date
    issued_on: dt.date
    missing: tuple[PendingMaterial, ...]
    accepted_pending: bool  # 容缺受理: already accepted, the materials follow
    supplement_by: dt.date | None
    station_name: str
    station_code: str
    station_phone: str | None
    operator_code: str
    filing_uid: str | None  # None: given before anything was filed (not accepted)
    receipt_no: str | None
    lookup_text: str | None  # the QR code's text; None when there is no filing to find
    title: str = NOTICE_TITLE
    subtitle: str = NOTICE_SUBTITLE

    def salutation(self) -> str:
        return f"{self.person_masked}（证件号码：{self.id_number_masked}）："

    def intro(self) -> str:
        text = (
            f"您于{chinese_date(self.applied_on)}申请办理的“{self.item_name}”业务，"
            "经审查，申请材料尚不齐全。"
        )
        if self.accepted_pending:
            return text + "本站已先行受理（容缺受理），请您补齐以下材料，补齐后按规定时限办结："
        return text + "请您补齐以下材料后办理："

    def material_lines(self) -> list[str]:
        return [
            f"{n}. {m.name}" + (f"（{m.note}）" if m.note else "")
            for n, m in enumerate(self.missing, 1)
        ]

    def instructions(self) -> list[str]:
        """The paragraphs after the list: deadline, where to bring the materials, questions."""
        out = []
        if self.supplement_by is not None:
            out.append(f"请于{chinese_date(self.supplement_by)}前补齐上述材料。")
        if self.lookup_text:
            out.append(
                f"补齐材料时请携带本告知书到{self.station_name}，"
                "工作人员扫描本告知书上的二维码即可调取您的申请，无需重新填写。"
            )
        else:
            out.append(f"材料齐全后，请携带本告知书、身份证件和上述材料到{self.station_name}办理。")
        phone = f"（电话 {self.station_phone}）" if self.station_phone else ""
        out.append(f"如有疑问，请咨询本站{phone}，或拨打医保服务热线 {SERVICE_HOTLINE}。")
        return out

    def reference_rows(self) -> list[tuple[str, str]]:
        """The identifiers printed under the title, so a call-centre agent can find it too."""
        rows = [("事项", f"{self.item_name}（{self.item_code}）")]
        if self.filing_uid:
            rows.append(("本地编号", self.filing_uid))
        if self.receipt_no:
            rows.append(("受理号", self.receipt_no))
        return rows

    def signature_rows(self) -> list[tuple[str, str]]:
        return [
            ("服务站", f"{self.station_name}（{self.station_code}）"),
            ("经办人", self.operator_code),
            ("告知日期", chinese_date(self.issued_on)),
        ]


def build_notice(
    facts: FilingFacts,
    *,
    missing: Sequence[PendingMaterial] | None = None,
    issued_at: dt.datetime | None = None,
    accepted_pending: bool = True,
    supplement_by: dt.date | None = None,
    station_phone: str | None = None,
) -> Notice:
    """The notice for `facts`; `missing` defaults to the filing's pending materials.

    Raises ValueError when nothing is missing: a notice without a list tells nobody anything.
    """
    items = tuple(facts.materials_pending if missing is None else missing)
    if not items:
        raise ValueError("a one-time notice needs at least one missing material")
    issued = china_time(issued_at or dt.datetime.now(dt.UTC))
    return Notice(
        item_code=facts.item_code,
        item_name=facts.item_name,
        person_masked=mask_name(facts.person_name),
        id_number_masked=mask_id_number(facts.person_id_number),
        applied_on=china_time(facts.created_at).date(),
        issued_on=issued.date(),
        missing=items,
        accepted_pending=accepted_pending,
        supplement_by=supplement_by,
        station_name=facts.station_name,
        station_code=facts.station_code,
        station_phone=station_phone,
        operator_code=facts.operator_code,
        filing_uid=facts.uid or None,
        receipt_no=facts.receipt_no,
        # Nothing filed yet (an advance notice): no local number, nothing for a QR to find.
        lookup_text=lookup_code.encode(facts.uid, facts.receipt_no) if facts.uid else None,
    )


def build_advance_notice(
    facts: FilingFacts,
    missing: Sequence[PendingMaterial],
    *,
    issued_at: dt.datetime | None = None,
    station_phone: str | None = None,
) -> Notice:
    """The notice given when the application is *not* taken yet: the citizen comes back with
    everything. Nothing was filed, so it carries no local number and no lookup QR code;
    `facts.uid` is ignored."""
    notice = build_notice(
        facts,
        missing=missing,
        issued_at=issued_at,
        accepted_pending=False,
        station_phone=station_phone,
    )
    return replace(notice, filing_uid=None, receipt_no=None, lookup_text=None)
