"""Personal data shown or recorded only as much as the reader needs (个人信息最小化)."""

import re

_MOBILE = re.compile(r"^(?:\+?86)?(1\d{10})$")


def mask_phone(phone: str | None) -> str:
    """13812345678 → 138****5678: enough to recognise a number, not to call it.

    A mainland mobile number (with or without +86, spaces or hyphens) keeps its first three
    and last four digits; any other number keeps its first three and last four characters,
    and a short one (an extension) only its last two.
    """
    text = (phone or "").strip()
    if not text:
        return ""
    mobile = _MOBILE.match(re.sub(r"[\s-]", "", text))
    if mobile:
        digits = mobile.group(1)
        return f"{digits[:3]}****{digits[-4:]}"
    if len(text) >= 8:
        return f"{text[:3]}{'*' * (len(text) - 7)}{text[-4:]}"
    keep = 2 if len(text) > 2 else 0
    return "*" * (len(text) - keep) + text[len(text) - keep :]
