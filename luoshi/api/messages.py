"""pydantic's validation messages ("Field required", "Input should be …") in the UI language.

django-ninja hands the 422 handler pydantic's errors, whose `msg` is English whatever the
language; each error also has a `type` and its `ctx` (the limit, the expected values), from which
the message is written again here through gettext. A type not listed gets a general message rather
than English; our own checks (inputs.py, validators raising ValueError) are already translated.
"""

from collections.abc import Mapping
from typing import Any

from django.utils.translation import get_language, gettext_noop
from django.utils.translation import gettext as _

# type → message; %(name)s is filled from the error's ctx
_MESSAGES = {
    "missing": gettext_noop("此项为必填项。"),
    "missing_argument": gettext_noop("此项为必填项。"),
    "extra_forbidden": gettext_noop("不接受此项。"),
    "string_type": gettext_noop("须为文本。"),
    "string_too_short": gettext_noop("至少须有 %(min_length)s 个字符。"),
    "string_too_long": gettext_noop("最多 %(max_length)s 个字符。"),
    "string_pattern_mismatch": gettext_noop("格式不符合要求。"),
    "int_type": gettext_noop("须为整数。"),
    "int_parsing": gettext_noop("须为整数。"),
    "int_from_float": gettext_noop("须为整数，不能带小数。"),
    "int_parsing_size": gettext_noop("数值超出允许范围。"),
    "float_type": gettext_noop("须为数字。"),
    "float_parsing": gettext_noop("须为数字。"),
    "decimal_type": gettext_noop("须为数字。"),
    "decimal_parsing": gettext_noop("须为数字。"),
    "decimal_max_digits": gettext_noop("最多 %(max_digits)s 位数字。"),
    "decimal_max_places": gettext_noop("最多 %(decimal_places)s 位小数。"),
    "decimal_whole_digits": gettext_noop("整数部分最多 %(whole_digits)s 位。"),
    "finite_number": gettext_noop("须为有限的数字。"),
    "multiple_of": gettext_noop("须为 %(multiple_of)s 的整数倍。"),
    "bool_type": gettext_noop("须为是或否（true/false）。"),
    "bool_parsing": gettext_noop("须为是或否（true/false）。"),
    "less_than": gettext_noop("须小于 %(lt)s。"),
    "less_than_equal": gettext_noop("不能大于 %(le)s。"),
    "greater_than": gettext_noop("须大于 %(gt)s。"),
    "greater_than_equal": gettext_noop("不能小于 %(ge)s。"),
    "date_type": gettext_noop("须为日期（YYYY-MM-DD）。"),
    "date_parsing": gettext_noop("须为日期（YYYY-MM-DD）。"),
    "date_from_datetime_parsing": gettext_noop("须为日期（YYYY-MM-DD）。"),
    "date_from_datetime_inexact": gettext_noop("须为日期，不能带时间。"),
    "date_past": gettext_noop("须为过去的日期。"),
    "date_future": gettext_noop("须为将来的日期。"),
    "datetime_type": gettext_noop("须为日期时间（YYYY-MM-DDTHH:MM）。"),
    "datetime_parsing": gettext_noop("须为日期时间（YYYY-MM-DDTHH:MM）。"),
    "datetime_from_date_parsing": gettext_noop("须为日期时间（YYYY-MM-DDTHH:MM）。"),
    "datetime_past": gettext_noop("须为过去的时间。"),
    "datetime_future": gettext_noop("须为将来的时间。"),
    "time_type": gettext_noop("须为时间（HH:MM）。"),
    "time_parsing": gettext_noop("须为时间（HH:MM）。"),
    "uuid_type": gettext_noop("须为 UUID。"),
    "uuid_parsing": gettext_noop("须为 UUID。"),
    "enum": gettext_noop("须为以下之一：%(expected)s。"),
    "literal_error": gettext_noop("须为以下之一：%(expected)s。"),
    "list_type": gettext_noop("须为列表。"),
    "tuple_type": gettext_noop("须为列表。"),
    "set_type": gettext_noop("须为列表。"),
    "dict_type": gettext_noop("须为对象。"),
    "model_type": gettext_noop("须为对象。"),
    "model_attributes_type": gettext_noop("须为对象。"),
    "too_short": gettext_noop("至少须有 %(min_length)s 项。"),
    "too_long": gettext_noop("最多 %(max_length)s 项。"),
    "json_invalid": gettext_noop("不是有效的 JSON。"),
    "json_type": gettext_noop("不是有效的 JSON。"),
    "url_type": gettext_noop("须为网址。"),
    "url_parsing": gettext_noop("须为有效的网址。"),
    "url_scheme": gettext_noop("网址须以 %(expected_schemes)s 开头。"),
    "value_error": gettext_noop("取值无效。"),
    "assertion_error": gettext_noop("取值无效。"),
}


def translated(error: Mapping[str, Any]) -> str:
    """The message of one pydantic error in the current language."""
    kind = error.get("type", "")
    message = error.get("msg", "")
    if kind == "value_error" and (ctx_error := (error.get("ctx") or {}).get("error")):
        # a validator's own ValueError: its text is ours (translated when raised)
        return str(ctx_error)
    if kind == "value_error" and not message.startswith("Value error"):
        return message  # inputs.py's checks: already in the UI language
    template = _MESSAGES.get(kind)
    if template is None:
        return _("取值无效。")
    ctx = {key: _value(value) for key, value in (error.get("ctx") or {}).items()}
    try:
        return _(template) % ctx
    except (KeyError, TypeError, ValueError):  # a ctx value missing: the general message
        return _("取值无效。")


def _value(value: Any) -> str:
    text = str(value)
    if (get_language() or "zh-hans").startswith("zh"):
        text = text.replace(" or ", "、").replace("'", "")
    return text
