"""Administrative divisions (GB/T 2260) for choosing a region without typing a code.

The kiosk asks "where will you get care?" as three taps: a province, then a city, then
optionally a county ("the whole city" is a valid answer: 异地就医备案 is filed to the city or
the county). The data is the GB2260 package's newest revision; codes that have since changed
are still six-digit codes the centre can map.

Hong Kong, Macao and Taiwan are left out: mainland medical insurance does not cover care there
through 异地就医备案.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from gb2260.data import data as _revisions

_LATEST = _revisions[None]
MUNICIPALITIES = frozenset({"11", "12", "31", "50"})  # 北京 天津 上海 重庆: no city level
_OUTSIDE = frozenset({"71", "81", "82"})
_PLACEHOLDERS = frozenset({"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"})


@dataclass(frozen=True)
class Region:
    code: str  # six digits
    name: str


def _code(n: int) -> str:
    return f"{n:06d}"


@cache
def provinces() -> tuple[Region, ...]:
    return tuple(
        Region(_code(c), name)
        for c, name in sorted(_LATEST.items())
        if c % 10000 == 0 and _code(c)[:2] not in _OUTSIDE
    )


@cache
def children(code: str) -> tuple[Region, ...]:
    """The divisions directly below `code`: a province's cities (a municipality's districts),
    a city's counties. Placeholder rows (市辖区, 县) are skipped; their members are listed."""
    if len(code) != 6 or not code.isdigit():
        return ()
    if code.endswith("0000"):
        prefix = code[:2]
        if prefix in MUNICIPALITIES:
            return _named(c for c in _LATEST if _code(c)[:2] == prefix and c % 100 != 0)
        cities = [c for c in _LATEST if _code(c)[:2] == prefix and c % 100 == 0 and c % 10000]
        # Counties directly under the province (省直辖县级行政区划, e.g. 429004 仙桃市).
        direct = [
            c
            for c in _LATEST
            if _code(c)[:4] in {_code(p)[:4] for p in cities if _LATEST[p] in _PLACEHOLDERS}
            and c % 100 != 0
        ]
        return _named([*cities, *direct])
    if code.endswith("00"):
        return _named(c for c in _LATEST if _code(c)[:4] == code[:4] and c % 100 != 0)
    return ()


def _named(codes: Iterable[int]) -> tuple[Region, ...]:
    return tuple(
        Region(_code(c), _LATEST[c]) for c in sorted(set(codes)) if _LATEST[c] not in _PLACEHOLDERS
    )


def region_name(code: str) -> str:
    """`"441802"` → `"广东省 清远市 清城区"`; the code itself when it is not in the table."""
    try:
        n = int(code)
    except ValueError:
        return code
    if n not in _LATEST:
        return code
    parts = [_LATEST.get(int(code[:2] + "0000"))]
    city = int(code[:4] + "00")
    if city != int(code[:2] + "0000") and _LATEST.get(city) not in _PLACEHOLDERS:
        parts.append(_LATEST.get(city))
    if not code.endswith("00"):
        parts.append(_LATEST[n])
    return " ".join(p for p in parts if p)
