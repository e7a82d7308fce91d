"""Expected failures that carry a message for people, in Chinese first and English."""

from __future__ import annotations


class UserFacingError(Exception):
    """An expected error (bad input, missing device, full disk) with text fit for the screen.

    Anything else that escapes is our bug: it is logged with its traceback and the person sees
    a generic apology, never the traceback.
    """

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(en)
        self.zh = zh
        self.en = en

    def text(self, language: str) -> str:
        return self.zh if language.startswith("zh") else self.en
