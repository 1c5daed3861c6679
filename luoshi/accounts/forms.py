"""Forms of the accounts pages: login, password change, personal access tokens."""

from axes.helpers import get_cool_off
from django import forms
from django.contrib.auth import forms as auth_forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from luoshi.lib.forms import CleanInputsForm, CleanInputsMixin

from . import selectors, services
from .access import AddressNotAllowed, require_admin_address
from .middleware import client_ip


def _bootstrap(form: forms.Form) -> None:
    for field in form.fields.values():
        css = (
            "form-check-input" if isinstance(field.widget, forms.CheckboxInput) else "form-control"
        )
        if isinstance(field.widget, forms.Select):
            css = "form-select"
        field.widget.attrs.setdefault("class", css)


class LoginForm(CleanInputsMixin, auth_forms.AuthenticationForm):
    error_messages = {
        "invalid_login": _("账号或密码不正确。连续输错 5 次，该账号在本机地址将被锁定 15 分钟。"),
        "inactive": _("该账号已停用，请联系系统管理员。"),
        "address_throttled": _(
            "本机地址登录失败次数过多，已暂停从该地址登录，请 %(minutes)d 分钟后再试；"
            "如有疑问请联系安全管理员。"
        ),
    }

    def clean(self):
        # Before any password is checked: an address past its failure budget tries nothing.
        ip = client_ip(self.request) if self.request is not None else None
        if selectors.address_throttled(ip):
            services.record_login_failed(
                username=self.data.get("username", ""), address_throttled=True
            )
            raise ValidationError(
                self.error_messages["address_throttled"],
                code="address_throttled",
                params={"minutes": int(get_cool_off().total_seconds() // 60)},
            )
        return super().clean()

    def confirm_login_allowed(self, user) -> None:
        super().confirm_login_allowed(user)
        ip = client_ip(self.request) if self.request is not None else None
        try:
            require_admin_address(user, ip)
        except AddressNotAllowed as refused:
            raise ValidationError(str(refused), code="address_not_allowed") from refused

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("账号")
        self.fields["username"].widget.attrs.update(
            {"autocomplete": "username", "autocapitalize": "none", "placeholder": _("登录账号")}
        )
        self.fields["password"].widget.attrs.update({"placeholder": _("密码")})
        _bootstrap(self)


class PasswordChangeForm(auth_forms.PasswordChangeForm):
    """Django's own (old password, the validators of settings), for validation only: saving goes
    through `services.change_password`, which also records the change."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _bootstrap(self)


VALIDITY_CHOICES = [
    ("30", _("30 天")),
    ("90", _("90 天")),
    ("180", _("180 天")),
    ("365", _("一年")),
    ("", _("长期有效")),
]


class TokenForm(CleanInputsForm):
    name = forms.CharField(
        label=_("令牌名称"),
        max_length=100,
        help_text=_("写明用途，例如“数据对接脚本”。"),
    )
    valid_days = forms.TypedChoiceField(
        label=_("有效期"),
        choices=VALIDITY_CHOICES,
        coerce=int,
        empty_value=None,
        required=False,
        initial="90",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _bootstrap(self)


class UnlockForm(CleanInputsForm):
    username = forms.CharField(max_length=255)
    ip = forms.GenericIPAddressField(required=False)
