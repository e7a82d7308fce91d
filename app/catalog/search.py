"""Finding an item by typing: its Chinese name, English name, code, or pinyin.

Agents type pinyin initials (异地就医 by `ydjy`) faster than they pick from a tree, so each
item's haystack holds its name and its category's in characters, in full pinyin and in
initials, plus the English names and the code. pypinyin resolves polyphones by phrase
(长期 is chang, not zhang). Building the index imports pypinyin's dictionaries (about 0.2 s),
so callers build it off the GUI thread, once per catalog.
"""

from __future__ import annotations

from pypinyin import Style, lazy_pinyin

from app.catalog.schema import Catalog


def _pinyin(text: str) -> tuple[str, str]:
    full = "".join(lazy_pinyin(text, errors="ignore"))
    initials = "".join(lazy_pinyin(text, style=Style.FIRST_LETTER, errors="ignore"))
    return full.lower(), initials.lower()


def build_index(catalog: Catalog) -> dict[str, str]:
    """Item code -> lower-case text to search in."""
    categories = {c.key: c for c in catalog.categories}
    index: dict[str, str] = {}
    for item in catalog.items:
        parts = [item.code, item.name, item.name_en, *_pinyin(item.name)]
        category = categories.get(item.category)
        if category is not None:
            parts += [category.name, category.name_en, *_pinyin(category.name)]
        index[item.code] = "\n".join(parts).lower()
    return index


def matches(haystack: str, typed: str) -> bool:
    """Whether what was typed (any case; spaces optional for pinyin) is in the haystack."""
    spaced = " ".join(typed.split()).lower()
    compact = spaced.replace(" ", "")
    return not compact or spaced in haystack or compact in haystack
