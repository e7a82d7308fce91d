"""Applying for someone else (代办) and for a newborn: who the applicant is to the citizen.

The relationship travels with a filing as a stable code, so the centre can count and check
代办 without parsing words; the labels are for screens and receipts. A newborn has no ID card
yet (BRIEF §4): it is identified by its 出生医学证明 number and a guardian's card, and what the
guardian types about the child is checked here, in both languages, so the counter and any
other front end refuse the same things.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from app.validation.messages import render
from app.validation.rules import FieldInvalid, birth_cert, clean_text


@dataclass(frozen=True)
class Relationship:
    """What the applicant (代办人) is to the citizen the filing is for."""

    code: str
    zh: str
    en: str


RELATIONSHIPS: tuple[Relationship, ...] = (
    Relationship("parent", "父母", "Parent"),
    Relationship("child", "子女", "Child"),
    Relationship("spouse", "配偶", "Spouse"),
    Relationship("grandparent", "祖父母", "Paternal grandparent"),
    Relationship("maternal_grandparent", "外祖父母", "Maternal grandparent"),
    Relationship("grandchild", "孙子女", "Grandchild"),
    Relationship("sibling", "兄弟姐妹", "Sibling"),
    Relationship("other_relative", "其他亲属", "Other relative"),
    Relationship("entrusted", "受委托人", "Authorised agent"),
)

_BY_CODE = {r.code: r for r in RELATIONSHIPS}


def relationship_label(code: str, language: str) -> str:
    """The label in `language` ('zh_CN' or 'en'); an unknown code is shown as it is."""
    found = _BY_CODE.get(code)
    if found is None:
        return code
    return found.zh if language.startswith("zh") else found.en


NEWBORN_NAME_MAX = 60
SEXES = ("1", "2")  # GB/T 2261.1, as PersonRead.sex

# (zh, en) labels of the newborn's fields, named in the messages.
NEWBORN_LABELS: dict[str, tuple[str, str]] = {
    "birth_cert_number": ("出生医学证明编号", "Birth certificate number"),
    "name": ("新生儿姓名", "Newborn's name"),
    "sex": ("新生儿性别", "Newborn's sex"),
    "birth_date": ("出生日期", "Date of birth"),
}


@dataclass(frozen=True)
class NewbornEntry:
    """A newborn as the guardian declared it; `sex` is '1' (male) or '2' (female)."""

    birth_cert_number: str
    name: str
    sex: str
    birth_date: dt.date

    def __repr__(self) -> str:  # a child's name and certificate never reach a log
        return "NewbornEntry(...)"

    __str__ = __repr__


@dataclass(frozen=True)
class NewbornProblem:
    """One thing wrong with a newborn entry, worded Chinese first, English second."""

    field: str
    zh: str
    en: str

    def text(self, language: str) -> str:
        return self.zh if language.startswith("zh") else self.en


def newborn_earliest_birth(today: dt.date) -> dt.date:
    """The earliest date of birth still enrolled as a newborn: one year before `today` (a
    29 February maps to the 28th, as QDate.addYears does). Older children enrol with a card."""
    try:
        return today.replace(year=today.year - 1)
    except ValueError:
        return today.replace(year=today.year - 1, day=28)


def _problem(field: str, code: str, **params: object) -> NewbornProblem:
    zh_label, en_label = NEWBORN_LABELS[field]
    zh, en = render(code, zh_label, en_label, params)
    return NewbornProblem(field, zh, en)


def check_newborn(
    birth_cert_number: str,
    name: str,
    sex: str | None,
    birth_date: dt.date | None,
    today: dt.date,
) -> tuple[NewbornEntry | None, list[NewbornProblem]]:
    """The cleaned entry when every field is right, else None and what is wrong, in field order.

    The certificate number is folded (full-width, lower case, spaces) before the check, so
    what an input method typed is stored as the capital letter and nine ASCII digits.
    """
    problems: list[NewbornProblem] = []
    number = ""
    if not birth_cert_number.strip():
        problems.append(_problem("birth_cert_number", "required"))
    else:
        try:
            number = birth_cert(birth_cert_number)
        except FieldInvalid as exc:
            problems.append(_problem("birth_cert_number", exc.code, **exc.params))
    clean_name = ""
    if not name.strip():
        problems.append(_problem("name", "required"))
    else:
        try:
            clean_name = clean_text(name, max_length=NEWBORN_NAME_MAX)
        except FieldInvalid as exc:
            problems.append(_problem("name", exc.code, **exc.params))
    if sex not in SEXES:
        problems.append(_problem("sex", "choice"))
    if birth_date is None:
        problems.append(_problem("birth_date", "required"))
    elif birth_date > today:
        problems.append(_problem("birth_date", "date_future"))
    elif birth_date < (earliest := newborn_earliest_birth(today)):
        problems.append(
            NewbornProblem(
                "birth_date",
                f"新生儿参保须在出生一年内办理，出生日期不能早于 {earliest.isoformat()}。",
                "A newborn is enrolled within a year of birth; the date of birth cannot be "
                f"before {earliest.isoformat()}.",
            )
        )
    if problems:
        return None, problems
    assert sex is not None and birth_date is not None
    return NewbornEntry(number, clean_name, sex, birth_date), []
