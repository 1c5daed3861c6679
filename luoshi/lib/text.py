"""Text that people and files send in, made safe to store and show.

Every text field is normalised the same way before it is validated or saved: Unicode NFC, ends
trimmed of white space including the full-width space (U+3000) and zero-width characters, and
line breaks unified to "\\n". A text is refused — with a message in Chinese that names the
character — when it holds a control character (other than tab and line breaks in multi-line
fields), a lone surrogate (not a character at all) or a bidirectional override/isolate, which
can make "txt.exe" read as "exe.txt" (CVE-2021-42574, "Trojan Source"). A required field that
is empty once trimmed is refused as empty.
"""

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# Bidi embeddings, overrides and isolates (LRE RLE PDF LRO RLO, LRI RLI FSI PDI) and the marks
# that can be abused the same way are refused; ordinary text never needs them.
BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"
EDGE_SPACE = " \t\r\n\u3000\u00a0\u2002\u2003\u2009" + ZERO_WIDTH
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
CONTROL_IN_LINE = re.compile(r"[\x00-\x1f\x7f-\x9f]")
SURROGATE = re.compile(r"[\ud800-\udfff]")
BIDI_CHARS = re.compile(f"[{BIDI}]")


def _describe(char: str) -> str:
    return f"U+{ord(char):04X}"


def clean_text(value: str, *, multiline: bool = False) -> str:
    """`value` normalised (NFC, trimmed, "\\n" line breaks), or ValidationError naming the first
    character that may not be stored. Single-line texts take no tab or line break at all."""
    if SURROGATE.search(value):
        raise ValidationError(
            _("包含无法识别的字符（不完整的编码），请重新输入。"), code="surrogate"
        )
    text = unicodedata.normalize("NFC", value.replace("\r\n", "\n").replace("\r", "\n"))
    text = text.strip(EDGE_SPACE)
    if match := BIDI_CHARS.search(text):
        raise ValidationError(
            _("包含文字方向控制字符（%(char)s），可能使内容显示与实际不符，请删除后重试。")
            % {"char": _describe(match.group())},
            code="bidi",
        )
    if not multiline:
        text = text.replace("\t", " ")
    pattern = CONTROL if multiline else CONTROL_IN_LINE
    if match := pattern.search(text):
        raise ValidationError(
            _("包含不可见的控制字符（%(char)s），请删除后重试。")
            % {"char": _describe(match.group())},
            code="control",
        )
    return text


def clean_required_text(value: str, *, multiline: bool = False) -> str:
    """As clean_text, and refused when nothing is left after trimming (e.g. only spaces)."""
    text = clean_text(value, multiline=multiline)
    if not text:
        raise ValidationError(_("不能为空（仅含空格也视为空）。"), code="blank")
    return text


# Chinese punctuation that NFKC leaves alone, mapped to the ASCII form it stands for, so that
# "市委宣传部【新闻办】" and "市委宣传部[新闻办]" compare equal as "（）" and "()" already do.
_PUNCTUATION = str.maketrans(
    {
        "【": "[",
        "】": "]",
        "〔": "[",
        "〕": "]",
        "〖": "[",
        "〗": "]",
        "《": "<",
        "》": ">",
        "〈": "<",
        "〉": ">",
        "“": '"',
        "”": '"',
        "‘": "'",
        "’": "'",
        "、": ",",
        "。": ".",
        "—": "-",
        "–": "-",
        "•": "·",
        "・": "·",
    }
)
_SPACES = re.compile(r"[\s\u200b\u200c\u200d\u2060\ufeff]+")


def name_key(name: str) -> str:
    """The form in which two names are compared: NFKC (full-width letters, digits and brackets
    become half-width), Chinese punctuation as its ASCII counterpart, no spaces at all, case
    folded. "市委宣传部(新闻办)", "市委宣传部（新闻办）" and "市委宣传部 （新闻办）" share one key."""
    text = unicodedata.normalize("NFKC", name or "").translate(_PUNCTUATION)
    return _SPACES.sub("", text).casefold()
