"""Phone numbers as people who do not manage their owner see them: 138****5678."""

import re

# A mainland mobile (1[3-9] and nine more digits), optionally with +86/86 in front and written in
# groups of 3-4-4 with spaces or hyphens, standing alone (not part of a longer digit run).
MOBILE = re.compile(r"(?<![\d])(?:(?:\+|00)?86[ -]?)?1[3-9]\d(?:[ -]?\d{4}){2}(?![\d])")


def mask_phone(phone: str) -> str:
    """The first three and last four digits kept, the middle starred; a short number all starred."""
    if len(phone) < 7:
        return "*" * len(phone)
    return f"{phone[:3]}****{phone[-4:]}"


def mask_phones(text: str) -> str:
    """`text` with every mainland mobile number in it masked (13812345678 → 138****5678)."""
    return MOBILE.sub(lambda match: _mask_mobile(match.group()), text)


def _mask_mobile(found: str) -> str:
    digits = re.sub(r"\D", "", found)
    return mask_phone(digits[-11:])
