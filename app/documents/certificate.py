"""Certificates printed at the kiosk (参保证明, 个人权益记录): what the centre certified, with
the verification code and the link anyone can open to check that the paper is genuine.

Built from the centre's answer to a document request (protocol §13) as plain values; the
name is printed as issued (the certificate is the citizen's own), the ID number masked.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from app.china_clock import china_time
from app.documents import SERVICE_HOTLINE
from app.documents.notice import chinese_date
from app.validation.rules import format_fen


@dataclass(frozen=True)
class Certificate:
    title: str
    name: str
    id_number_masked: str
    as_of: dt.date
    lines: tuple[str, ...]  # what is certified, one sentence or row each
    code: str
    verify_url: str
    issued_on: dt.date
    station_name: str

    def __repr__(self) -> str:  # the citizen's name stays out of logs
        return f"Certificate(title={self.title}, code={self.code})"

    def footer(self) -> list[str]:
        return [
            f"验证码：{self.code}",
            f"扫描右上角二维码或访问 {self.verify_url} 可核验本证明真伪。",
            f"出具：{self.station_name}（自助服务终端）　{chinese_date(self.issued_on)}",
            f"医保服务热线 {SERVICE_HOTLINE}",
        ]


def build_certificate(
    code: str, verify_url: str, issued_at: str, certified: Mapping[str, Any], station_name: str
) -> Certificate:
    """From the centre's `certified` facts (titles and labels already in Chinese)."""
    lines: list[str] = []
    for c in certified.get("coverage", []):
        until = f"至{chinese_date(dt.date.fromisoformat(c['until']))}" if c.get("until") else "至今"
        lines.append(
            f"{c['insurance_type_label']}：{chinese_date(dt.date.fromisoformat(c['since']))}"
            f"{until}，{c['status_label']}（{c['region_name']}）"
        )
    for year in certified.get("payments_by_year", []):
        total = format_fen(year["amount_fen"])
        lines.append(f"{year['year']}年：缴费 {year['payments']} 次，合计 {total} 元")
    issued = china_time(dt.datetime.fromisoformat(issued_at.replace("Z", "+00:00")))
    return Certificate(
        title=str(certified.get("title", "证明")),
        name=str(certified.get("name", "")),
        id_number_masked=str(certified.get("id_number_masked", "")),
        as_of=dt.date.fromisoformat(str(certified.get("as_of"))),
        lines=tuple(lines),
        code=code,
        verify_url=verify_url,
        issued_on=issued.date(),
        station_name=station_name,
    )
