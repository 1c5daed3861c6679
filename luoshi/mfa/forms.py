"""The code a person types, and the unit the 安全管理员 chooses."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from luoshi.lib.text import clean_text
from luoshi.org.forms import StyledForm, unit_field


class CodeForm(StyledForm):
    """A six-digit code from the authenticator app, or (where `recovery` allows) a recovery
    code."""

    code = forms.CharField(label=_("验证码"), max_length=40)

    def __init__(self, *args, recovery: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.recovery = recovery
        field = self.fields["code"]
        field.widget.attrs.update(
            {"autocomplete": "one-time-code", "autofocus": True, "spellcheck": "false"}
        )
        if recovery:
            field.help_text = _("身份验证器上的 6 位动态验证码，或一个恢复码（每个只能用一次）。")
        else:
            field.widget.attrs["inputmode"] = "numeric"
            field.help_text = _("身份验证器上当前显示的 6 位动态验证码。")

    def clean_code(self) -> str:
        code = clean_text(self.cleaned_data["code"])
        compact = "".join(ch for ch in code if ch not in " -\u3000")
        if not compact:
            raise ValidationError(_("请输入验证码。"))
        if not self.recovery and not (compact.isdigit() and len(compact) == 6):
            raise ValidationError(_("请输入身份验证器上的 6 位数字验证码。"))
        return code


class UnitRequirementForm(StyledForm):
    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"] = unit_field(
            user,
            "security.manage",
            label=_("单位"),
            help_text=_("该单位及其下级单位的人员登录时须使用双因素鉴别。"),
        )
        self.style()
