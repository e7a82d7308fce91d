"""The text in a receipt's or notice's QR code, which lets staff look the filing up by scanning.

Format, version 1::

    YBF1:<filing uid, upper case>                e.g. YBF1:0190A3F2-6B1C-7D4E-8F00-1234567890AB
    YBF1:<filing uid, upper case>:<receipt no>   once the centre has given a 受理号

Why this shape:

* The ``YBF1:`` prefix says "a Yibao filing, format 1", so the same scanner that reads
  medical-insurance e-vouchers can tell the two apart, and a later format can coexist.
* Every character is in the QR *alphanumeric* set (0-9, A-Z, space, ``$%*+-./:``), which
  packs 5.5 bits a character instead of 8: the code stays at version 3-4 (29-33 modules),
  large modules on an 80 mm receipt, easy for a worn scanner. Hence upper case.
* `parse` accepts either case, because a keyboard-wedge scanner types what it reads and
  Caps Lock inverts the case; it also drops the Enter or spaces a scanner appends.
  Anything else, including a damaged code of ours, is rejected (None): a wrong filing is
  worse than asking to scan again.
* It carries only identifiers, no personal data: a photographed receipt reveals nothing.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

import qrcode  # type: ignore[import-untyped]

PREFIX = "YBF1"

_UID = r"[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}"
_RECEIPT = r"[A-Z0-9]{6,40}"  # the centre's 受理号: "YB" + region + YYMMDD + sequence
_PATTERN = re.compile(rf"{PREFIX}:({_UID})(?::({_RECEIPT}))?")


@dataclass(frozen=True)
class LookupCode:
    """A filing reference read from (or put into) a document's QR code."""

    filing_uid: str  # lower case, as the store keeps it
    receipt_no: str | None = None

    def text(self) -> str:
        return encode(self.filing_uid, self.receipt_no)


def encode(filing_uid: str, receipt_no: str | None = None) -> str:
    """The QR text for a filing; raises ValueError for a uid or receipt number it cannot carry."""
    try:
        canonical = str(uuid.UUID(filing_uid))
    except ValueError:
        raise ValueError(f"not a filing uid: {filing_uid!r}") from None
    text = f"{PREFIX}:{canonical.upper()}"
    if receipt_no:
        if not re.fullmatch(_RECEIPT, receipt_no):
            raise ValueError(f"receipt number {receipt_no!r} is not 6-40 letters A-Z and digits")
        text += f":{receipt_no}"
    return text


def parse(text: str) -> LookupCode | None:
    """The filing a scanned text refers to, or None when it is not one of our lookup codes."""
    match = _PATTERN.fullmatch(text.strip().upper())
    if match is None:
        return None
    return LookupCode(match.group(1).lower(), match.group(2))


def qr_matrix(text: str, border: int = 4) -> list[list[bool]]:
    """The QR modules for `text` (True = dark), with a quiet zone of `border` modules.

    Error correction M (15 %): enough for a creased receipt or a worn thermal print while
    keeping a lookup code at version 3-4, large modules on a small print.
    """
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=border)
    code.add_data(text)
    code.make(fit=True)
    return [[bool(module) for module in row] for row in code.get_matrix()]
