"""Applying for someone else (代办): who the applicant is to the citizen.

The relationship travels with a filing as a stable code, so the centre can count and check
代办 without parsing words; the labels are for screens and receipts. A newborn, who has no ID
card yet (BRIEF §4), is not entered here: the catalog's newborn item carries the child's
details and the guardian relation as form fields, checked with the rest of the form.
"""

from __future__ import annotations

from dataclasses import dataclass


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
