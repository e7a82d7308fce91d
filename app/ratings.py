"""The citizen's rating of a service (好差评): three levels and the reasons offered for each.

The national 好差评 scheme asks for a level and, for anything below good, why. The reasons are
a fixed list (no free text at the counter or the kiosk), so the centre can count them; each has
a stable code that travels in the rating command and labels in Chinese and English.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Rating(StrEnum):
    GOOD = "good"  # 好评
    FAIR = "fair"  # 中评
    POOR = "poor"  # 差评


RATING_LABELS: dict[Rating, tuple[str, str]] = {
    Rating.GOOD: ("好评", "Good"),
    Rating.FAIR: ("中评", "Fair"),
    Rating.POOR: ("差评", "Poor"),
}


@dataclass(frozen=True)
class RatingReason:
    code: str
    zh: str
    en: str


RATING_REASONS: dict[Rating, tuple[RatingReason, ...]] = {
    Rating.GOOD: (
        RatingReason("fast", "办理快捷", "Quick"),
        RatingReason("friendly", "态度热情", "Friendly staff"),
        RatingReason("clear", "讲解清楚", "Clearly explained"),
        RatingReason("one_visit", "一次办好", "Done in one visit"),
    ),
    Rating.FAIR: (
        RatingReason("waited", "等候时间较长", "Waited a long time"),
        RatingReason("unclear", "讲解不够清楚", "Not clearly explained"),
        RatingReason("many_materials", "材料要求较多", "Too many documents asked for"),
        RatingReason("device_trouble", "设备不好用", "Devices did not work well"),
    ),
    Rating.POOR: (
        RatingReason("waited", "等候时间过长", "Waited far too long"),
        RatingReason("unfriendly", "服务态度差", "Unfriendly staff"),
        RatingReason("not_done", "没有办成", "Not done"),
        RatingReason("come_again", "需要多次跑腿", "Had to come back again"),
        RatingReason("device_trouble", "设备不好用", "Devices did not work well"),
    ),
}


def reason_codes(rating: Rating) -> frozenset[str]:
    return frozenset(r.code for r in RATING_REASONS[rating])


def check_reasons(rating: Rating, reasons: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """The reasons, deduplicated in order; ValueError for a code not offered at this level."""
    allowed = reason_codes(rating)
    out: list[str] = []
    for code in reasons:
        if code not in allowed:
            raise ValueError(f"reason {code!r} is not offered for a {rating.value} rating")
        if code not in out:
            out.append(code)
    return tuple(out)
