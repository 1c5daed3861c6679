"""Forms of the organisation pages: validation and normalisation only; services do the rest."""

from django import forms
from django.conf import settings
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.urls import reverse_lazy
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from luoshi.accounts.models import User
from luoshi.lib.forms import CleanInputsMixin

from .access import scope_for, units_for_picker, visible_people
from .models import Role, Scope, Unit, UnitKind
from .selectors import PersonFilter, UnitFilter


def picker_attrs(url: str) -> dict[str, str]:
    """The attributes that make a <select> a searchable picker (org/org.js, Tom Select) asking
    `url` — a picker endpoint, which answers only what the viewer's data scope reaches."""
    return {
        "data-picker-url": url,
        "data-picker-placeholder": str(_("输入姓名、名称或拼音首字母搜索")),
        "data-picker-empty": str(_("没有找到，请换个关键词")),
    }


class PickerSelect(forms.Select):
    """A select that renders only its chosen option(s); Tom Select (org/org.js) turns it into a
    search box asking the picker endpoint for matches in the user's scope, so a province of units
    or a city of people never ships as thousands of <option>s. Validation still uses the field's
    scoped queryset."""

    template_name = "org/widgets/picker_select.html"

    def __init__(
        self, *, url: str | Promise, perm: str, multiple: bool = False, params: str = "", attrs=None
    ):
        super().__init__(attrs)
        self.url, self.perm, self.params = url, perm, params
        self.allow_multiple_selected = multiple

    def optgroups(self, name, value, attrs=None):
        chosen = [v for v in value if v]
        if hasattr(self.choices, "queryset"):
            self.choices.queryset = self.choices.queryset.filter(pk__in=chosen)
        else:
            self.choices = [c for c in self.choices if str(c[0]) in chosen or not c[0]]
        return super().optgroups(name, value, attrs)

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["attrs"].update(picker_attrs(f"{self.url}?perm={self.perm}{self.params}"))
        context["widget"]["multiple"] = self.allow_multiple_selected
        return context

    def value_from_datadict(self, data, files, name):
        if self.allow_multiple_selected:
            return data.getlist(name)
        return data.get(name)


class StyledForm(CleanInputsMixin, forms.Form):
    """Bootstrap classes on every widget, so templates can render fields in a loop."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style()

    def style(self) -> None:
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select | forms.SelectMultiple):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = css


UNIT_PICKER = reverse_lazy("org:unit-picker")
PERSON_PICKER = reverse_lazy("org:person-picker")
CHOOSE_UNIT = _("请选择单位")
CHOOSE_PERSON = _("请选择人员")


def unit_field(
    user,
    perm: str,
    *,
    label,
    required: bool = True,
    multiple: bool = False,
    empty_label=CHOOSE_UNIT,
    help_text="",
) -> forms.ModelChoiceField:
    """A unit chooser for `user` acting under `perm`, for any app's form: only units in scope
    validate, and the widget searches them through the unit picker as the user types."""
    units = units_for_picker(user, perm)
    widget = PickerSelect(url=UNIT_PICKER, perm=perm, multiple=multiple)
    if multiple:
        return forms.ModelMultipleChoiceField(
            queryset=units, label=label, required=required, widget=widget, help_text=help_text
        )
    return forms.ModelChoiceField(
        queryset=units,
        label=label,
        required=required,
        widget=widget,
        empty_label=empty_label,
        help_text=help_text,
    )


def person_field(
    user,
    perm: str,
    *,
    label,
    unit: Unit | None = None,
    required: bool = True,
    empty_label=CHOOSE_PERSON,
) -> forms.ModelChoiceField:
    """A person chooser for `user` acting under `perm` (optionally among `unit`'s members)."""
    people = visible_people(user, perm).filter(is_active=True)
    if perm != "person.view":
        people = people.filter(pk__in=visible_people(user).values("pk"))
    if unit is not None:
        people = people.filter(memberships__unit=unit)
    params = f"&unit={unit.pk}" if unit is not None else ""
    return forms.ModelChoiceField(
        queryset=people,
        label=label,
        required=required,
        widget=PickerSelect(url=PERSON_PICKER, perm=perm, params=params),
        empty_label=empty_label,
    )


class UnitFilterForm(StyledForm):
    q = forms.CharField(label=_("名称或拼音首字母"), required=False)
    kind = forms.ChoiceField(
        label=_("类型"), choices=[("", _("全部类型")), *UnitKind.choices], required=False
    )

    def to_filter(self, *, deleted: bool = False) -> UnitFilter:
        """The valid part of the query as the list's filter (a bad value is ignored)."""
        self.is_valid()
        data = self.cleaned_data
        return UnitFilter(q=data.get("q", ""), kind=data.get("kind", ""), deleted=deleted)


class UnitForm(StyledForm):
    name = forms.CharField(label=_("单位名称"), max_length=100)
    short_name = forms.CharField(label=_("简称"), max_length=50, required=False)
    kind = forms.ChoiceField(label=_("单位类型"), choices=UnitKind.choices)
    parent = forms.ModelChoiceField(label=_("上级单位"), queryset=Unit.objects.none())
    sort_order = forms.IntegerField(label=_("排序"), initial=0, help_text=_("数字小的排在前面。"))

    def __init__(self, *args, user, unit: Unit | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.may_add_root = scope_for(user, "unit.manage").everything
        self.unit = unit
        self.fields["parent"] = unit_field(
            user,
            "unit.manage",
            label=_("上级单位"),
            required=False,
            empty_label=_("（无上级，顶级单位）"),
        )
        if unit is not None:  # the head of a unit is one of its members
            self.fields["leader"] = person_field(
                user,
                "person.view",
                label=_("主要负责人"),
                unit=unit,
                required=False,
                empty_label=_("（未指定）"),
            )
        self.style()

    def clean_parent(self):
        parent = self.cleaned_data["parent"]
        moved_to_top = self.unit is None or self.unit.parent_id is not None
        if parent is None and moved_to_top and not self.may_add_root:
            raise ValidationError(
                _("请选择上级单位；只有数据范围为“全部”的管理员可以新增顶级单位。")
            )
        return parent


class PersonFilterForm(StyledForm):
    q = forms.CharField(label=_("姓名、账号或拼音"), required=False)
    unit = forms.ModelChoiceField(label=_("所在单位（含下级）"), queryset=Unit.objects.none())

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"] = unit_field(
            user,
            "person.view",
            label=_("所在单位（含下级）"),
            required=False,
            empty_label=_("全部单位"),
        )
        self.style()

    def to_filter(self) -> PersonFilter:
        """The valid part of the query as the list's filter (a bad value is ignored)."""
        self.is_valid()
        data = self.cleaned_data
        return PersonFilter(q=data.get("q", ""), unit=data.get("unit"))


def _phone_field():
    return forms.CharField(label=_("手机号"), max_length=20, required=False)


class PersonCreateForm(StyledForm):
    name = forms.CharField(label=_("姓名"), max_length=50)
    username = forms.CharField(
        label=_("登录账号"), max_length=150, validators=[UnicodeUsernameValidator()]
    )
    unit = forms.ModelChoiceField(label=_("所在单位"), queryset=Unit.objects.none())
    position = forms.CharField(label=_("职务"), max_length=100, required=False)
    phone = _phone_field()
    email = forms.EmailField(label=_("电子邮箱"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"] = unit_field(user, "person.manage", label=_("所在单位"))
        self.style()


class PersonEditForm(StyledForm):
    name = forms.CharField(label=_("姓名"), max_length=50)
    phone = _phone_field()
    email = forms.EmailField(label=_("电子邮箱"), required=False)
    is_active = forms.BooleanField(label=_("账号启用"), required=False)


class MembershipForm(StyledForm):
    unit = forms.ModelChoiceField(label=_("兼职单位"), queryset=Unit.objects.none())
    position = forms.CharField(label=_("职务"), max_length=100, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"] = unit_field(user, "person.manage", label=_("兼职单位"))
        self.style()


class InitialPasswordForm(StyledForm):
    password1 = forms.CharField(
        label=_("初始密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("至少 8 位，包含大写字母、小写字母、数字、符号中的三类；本人首次登录须修改。"),
    )
    password2 = forms.CharField(
        label=_("再次输入"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("password1") != cleaned.get("password2"):
            self.add_error("password2", _("两次输入的密码不一致。"))
        return cleaned


class ImportForm(StyledForm):
    file = forms.FileField(
        label=_("Excel 文件"),
        help_text=_("请使用导入模板（.xlsx）。全部行校验通过才会导入。"),
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        ),
    )
    # The SHA-256 of the file whose warnings the importer has read and confirms.
    confirmed = forms.CharField(required=False, widget=forms.HiddenInput, max_length=64)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.UPLOAD_MAX_BYTES:
            raise ValidationError(_("文件过大。"))
        if not upload.name.lower().endswith(".xlsx"):
            raise ValidationError(_("请上传 .xlsx 格式的 Excel 文件。"))
        return upload


class GrantFilterForm(StyledForm):
    role = forms.ChoiceField(
        label=_("角色"), choices=[("", _("全部角色")), *Role.choices], required=False
    )
    unit = forms.CharField(label=_("单位"), required=False)
    person = forms.CharField(label=_("人员"), required=False)


class GrantForm(StyledForm):
    person = forms.ModelChoiceField(label=_("人员"), queryset=User.objects.none())
    role = forms.ChoiceField(label=_("角色"), choices=Role.choices)
    unit = forms.ModelChoiceField(label=_("授权单位"), queryset=Unit.objects.none())
    scope = forms.ChoiceField(label=_("数据范围"), choices=Scope.choices, initial=Scope.UNIT)
    custom_units = forms.ModelMultipleChoiceField(
        label=_("自定义单位"), queryset=Unit.objects.none()
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"] = person_field(user, "person.view", label=_("人员"))
        self.fields["unit"] = unit_field(user, "role.manage", label=_("授权单位"))
        self.fields["custom_units"] = unit_field(
            user,
            "role.manage",
            label=_("自定义单位"),
            required=False,
            multiple=True,
            help_text=_("仅当数据范围为“自定义单位”时选择。"),
        )
        self.style()


def apply_errors(form: forms.Form, exc: ValidationError) -> None:
    """Put a service's ValidationError on the form's fields (or on the form when it names none)."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)
