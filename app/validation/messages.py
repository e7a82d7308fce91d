"""Words for every rule, naming the field: Chinese first, English second.

These live beside the rules rather than in Qt's .ts files because `app/` must not import Qt;
the catalog supplies the field labels in both languages.
"""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    "required": ("请填写“{label}”。", "Please fill in “{label}”."),
    "control_char": (
        "“{label}”含有不可见的控制字符，请重新输入。",
        "“{label}” contains invisible control characters; please type it again.",
    ),
    "too_short": ("“{label}”至少需要 {min} 个字。", "“{label}” needs at least {min} characters."),
    "too_long": ("“{label}”最多 {max} 个字。", "“{label}” takes at most {max} characters."),
    "pattern": ("“{label}”格式不正确。", "“{label}” is not in the expected format."),
    "id_format": (
        "“{label}”应为 18 位公民身份号码（最后一位可为 X）。",
        "“{label}” must be an 18-character resident ID number (the last may be X).",
    ),
    "id_checksum": (
        "“{label}”校验位不正确，请核对号码。",
        "“{label}” fails the check digit; please check the number.",
    ),
    "id_birth_date": (
        "“{label}”中的出生日期不合理。",
        "The birth date inside “{label}” is not plausible.",
    ),
    "birth_cert_format": (
        "“{label}”应为 1 位字母加 9 位数字（如 O430012345）。",
        "“{label}” must be one letter and nine digits (e.g. O430012345).",
    ),
    "phone_format": (
        "“{label}”应为 11 位手机号码或带区号的固定电话。",
        "“{label}” must be an 11-digit mobile number or a landline with its area code.",
    ),
    "bank_card_format": (
        "“{label}”应为 16 至 19 位数字。",
        "“{label}” must have 16 to 19 digits.",
    ),
    "bank_card_checksum": (
        "“{label}”校验不通过，请核对卡号。",
        "“{label}” fails the card check; please check the number.",
    ),
    "date_format": (
        "“{label}”应为日期，格式为 年-月-日（如 2026-01-31）。",
        "“{label}” must be a date as year-month-day (e.g. 2026-01-31).",
    ),
    "date_range": ("“{label}”超出合理的日期范围。", "“{label}” is outside the plausible range."),
    "date_future": ("“{label}”不能晚于今天。", "“{label}” cannot be later than today."),
    "date_past": ("“{label}”不能早于今天。", "“{label}” cannot be earlier than today."),
    "amount_format": (
        "“{label}”应为金额，单位元，最多两位小数。",
        "“{label}” must be an amount in yuan with at most two decimals.",
    ),
    "amount_min": ("“{label}”不能少于 {min} 元。", "“{label}” cannot be less than ¥{min}."),
    "amount_max": ("“{label}”不能超过 {max} 元。", "“{label}” cannot exceed ¥{max}."),
    "integer_format": ("“{label}”应为整数。", "“{label}” must be a whole number."),
    "integer_min": ("“{label}”不能小于 {min}。", "“{label}” cannot be less than {min}."),
    "integer_max": ("“{label}”不能大于 {max}。", "“{label}” cannot be more than {max}."),
    "choice": ("请从列表中选择“{label}”。", "Please choose “{label}” from the list."),
    "boolean": ("“{label}”只能选择是或否。", "“{label}” must be yes or no."),
    "region_format": (
        "“{label}”应为 6 位行政区划代码。",
        "“{label}” must be a six-digit administrative division code.",
    ),
    "uscc_format": (
        "“{label}”应为 18 位统一社会信用代码（数字和大写字母）。",
        "“{label}” must be an 18-character unified social credit code.",
    ),
    "uscc_checksum": (
        "“{label}”校验位不正确，请核对营业执照上的代码。",
        "“{label}” fails its check character; compare it with the business licence.",
    ),
    "prefill_mismatch": (
        "“{label}”须与读卡信息一致，不能手工修改。",
        "“{label}” must match the card that was read and cannot be edited.",
    ),
    "unknown_field": (
        "表单中有未定义的项目“{label}”。",
        "The form has an unknown entry “{label}”.",
    ),
}


def render(code: str, label_zh: str, label_en: str, params: dict[str, object]) -> tuple[str, str]:
    zh, en = MESSAGES[code]
    return zh.format(label=label_zh, **params), en.format(label=label_en, **params)
