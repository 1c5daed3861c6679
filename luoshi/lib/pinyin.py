"""Pinyin keys for finding people and units by name or by initials ("zs" finds 张三)."""

from pypinyin import Style, lazy_pinyin


def pinyin_keys(text: str) -> tuple[str, str]:
    """Return (full pinyin, initials) of `text`, lower-case, without separators.

    Characters with no pinyin (Latin letters, digits) are kept as they are, so "2号楼" → "2hl".
    """
    full = "".join(lazy_pinyin(text, errors="default")).lower()
    initials = "".join(lazy_pinyin(text, style=Style.FIRST_LETTER, errors="default")).lower()
    return full.replace(" ", ""), initials.replace(" ", "")
