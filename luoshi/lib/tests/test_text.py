"""Text normalisation: what may be stored, and the Chinese message for what may not."""

import pytest
from django.core.exceptions import ValidationError

from luoshi.lib.text import clean_required_text, clean_text


def test_trims_full_width_and_zero_width_spaces_and_normalises():
    assert clean_text("\u3000 专项行动 \u200b\n") == "专项行动"
    assert clean_text("Cafe\u0301") == "Café"  # NFC
    assert clean_text("第一行\r\n第二行\r第三行", multiline=True) == "第一行\n第二行\n第三行"
    assert clean_text("a\tb") == "a b"
    assert clean_text("a\tb", multiline=True) == "a\tb"


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("x\x00y", "control"),
        ("x\x01y", "control"),
        ("x\x7fy", "control"),
        ("标题\n第二行", "control"),
        ("invoice\u202etxt.exe", "bidi"),
        ("a\u2066b", "bidi"),
        ("a\ud800b", "surrogate"),
    ],
)
def test_refuses_what_may_not_be_stored(value, code):
    with pytest.raises(ValidationError) as caught:
        clean_text(value)
    assert caught.value.code == code
    assert caught.value.messages[0]


def test_the_message_names_the_character():
    with pytest.raises(ValidationError) as caught:
        clean_text("x\x01y")
    assert "U+0001" in caught.value.messages[0]


def test_a_required_text_of_only_spaces_is_empty():
    with pytest.raises(ValidationError) as caught:
        clean_required_text("   \u3000 ")
    assert caught.value.code == "blank"
    assert clean_required_text(" 会议 ") == "会议"


def test_a_form_names_a_null_character_as_the_control_character_it_is():
    """Django's own null-character check would answer first, in Chinese "不允许是用空字符串"
    (a mistranslation: "using an empty string is not allowed")."""
    from django import forms

    from luoshi.lib.forms import CleanInputsForm

    class Form(CleanInputsForm):
        name = forms.CharField(label="方案名称")
        note = forms.CharField(label="说明", widget=forms.Textarea, required=False)

    form = Form({"name": "测试\x00方案", "note": "第一行\n\x00"})
    assert not form.is_valid()
    assert form.errors["name"] == ["方案名称：包含不可见的控制字符（U+0000），请删除后重试。"]
    assert form.errors["note"] == ["说明：包含不可见的控制字符（U+0000），请删除后重试。"]
