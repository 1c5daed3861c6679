"""Forms of the report pages: the compliance settings, the half-year notice and its template."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import LearningSettings, Platform
from .services_reports import SETTING_FIELDS


class SettingsForm(forms.ModelForm):
    """Every setting at once, and the reason for changing it (required)."""

    reason = forms.CharField(
        label=_("变更理由"),
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("请填写变更理由：每项设置的变更都须说明理由。")},
        help_text=_("理由将显示在所改设置旁，并记入操作日志。"),
    )

    class Meta:
        model = LearningSettings
        fields = SETTING_FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if isinstance(field.widget, forms.CheckboxInput):
                field.widget.attrs["class"] = "form-check-input"
            elif isinstance(field.widget, forms.Select):
                field.widget.attrs["class"] = "form-select form-select-sm"
            else:
                field.widget.attrs["class"] = "form-control form-control-sm"
            field.widget.attrs["id"] = f"id_{name}"


class NoticeForm(forms.Form):
    platform = forms.ChoiceField(label=_("平台"), choices=Platform.choices)
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    half = forms.TypedChoiceField(
        label=_("半年"), choices=[(1, _("上半年")), (2, _("下半年"))], coerce=int
    )
    number = forms.CharField(
        label=_("文号"), max_length=50, error_messages={"required": _("请填写文号。")}
    )
    title = forms.CharField(
        label=_("标题"), max_length=200, error_messages={"required": _("请填写标题。")}
    )
    recipients = forms.CharField(
        label=_("主送"),
        max_length=500,
        error_messages={"required": _("请填写主送单位。")},
    )
    body = forms.CharField(
        label=_("补充正文"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    closing = forms.CharField(
        label=_("结束语"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    signature = forms.CharField(label=_("落款"), max_length=100, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["year"].initial = today.year if today.month > 6 else today.year - 1
        self.fields["half"].initial = 1 if today.month > 6 else 2
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs["class"] = css


class TemplateForm(forms.Form):
    file = forms.FileField(
        label=_("通报模板（.docx）"), error_messages={"required": _("请选择要上传的模板文件。")}
    )
