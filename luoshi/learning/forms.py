"""Forms of the learning pages: the import (upload, mapping, matches, confirm, undo, history),
the compliance settings, the half-year notice and its template. Parsing and normalising only;
the services validate and save."""

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from luoshi.lib.forms import CleanInputsForm, CleanInputsMixin
from luoshi.org.access import visible_people
from luoshi.org.forms import CHOOSE_PERSON, PERSON_PICKER, PickerSelect, StyledForm, unit_field

from .models import AbsentPolicy, Field, LearningSettings, Platform, PointImport
from .services import SETTING_FIELDS

# --- Imports -------------------------------------------------------------------------------------


class UploadForm(StyledForm):
    """Platform, the unit whose scope the import covers, the file, and the period if the file
    does not name it (a month, or a from–to range)."""

    platform = forms.ChoiceField(label=_("平台"), choices=Platform.choices)
    file = forms.FileField(
        label=_("平台导出文件"),
        help_text=_("支持 .xlsx、.xls、.csv（UTF-8 或 GBK 编码）；标题行、合并表头可保留。"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.xls,.csv"}),
    )
    month = forms.CharField(
        label=_("统计月份"),
        required=False,
        help_text=_("文件标题或文件名中没有统计期间时填写，如 2026-10。"),
        widget=forms.TextInput(attrs={"type": "month"}),
    )
    period_start = forms.DateField(
        label=_("或起始日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    period_end = forms.DateField(
        label=_("截止日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"] = unit_field(
            user,
            "learning.import",
            label=_("导入范围（单位）"),
            help_text=_("文件中属于该单位及其下级的人员才会导入。"),
        )
        self.order_fields(["platform", "unit", "file", "month", "period_start", "period_end"])
        self.style()

    def clean(self):
        data = super().clean()
        month = (data.get("month") or "").strip()
        if month:
            try:
                first = datetime.datetime.strptime(month, "%Y-%m").date()  # noqa: DTZ007
            except ValueError:
                self.add_error("month", _("请按 2026-10 的格式填写月份。"))
                return data
            following = (first.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
            data["period_start"] = first
            data["period_end"] = following - datetime.timedelta(days=1)
        elif bool(data.get("period_start")) != bool(data.get("period_end")):
            raise ValidationError(_("请同时填写起始日期和截止日期。"))
        return data


class MappingForm(StyledForm):
    """One choice per column heading of the file: which field it holds."""

    def __init__(self, *args, point_import: PointImport, **kwargs):
        super().__init__(*args, **kwargs)
        # Sorted: PostgreSQL's jsonb does not keep the file's column order, and the field names
        # must mean the same columns when the form comes back.
        self.headings = sorted(point_import.mapping)
        for index, heading in enumerate(self.headings):
            self.fields[f"col{index}"] = forms.ChoiceField(
                label=heading,
                choices=Field.choices,
                initial=point_import.mapping[heading],
            )
        self.style()

    def mapping(self) -> dict[str, str]:
        return {
            heading: self.cleaned_data[f"col{index}"] for index, heading in enumerate(self.headings)
        }


class OrganisationForm(StyledForm):
    """Map a platform organisation name to a unit (remembered for the platform)."""

    org_name = forms.CharField(widget=forms.HiddenInput, max_length=200)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"] = unit_field(user, "learning.import", label=_("对应单位"))
        self.style()


class RowForm(StyledForm):
    """Match one preview row to a person by hand, or skip it."""

    action = forms.ChoiceField(choices=[("match", "match"), ("skip", "skip")])

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"] = forms.ModelChoiceField(
            label=_("对应人员"),
            queryset=visible_people(user, "learning.import").filter(is_active=True),
            required=False,
            empty_label=CHOOSE_PERSON,
            widget=PickerSelect(url=PERSON_PICKER, perm="learning.import"),
        )
        self.style()

    def clean(self):
        data = super().clean()
        if data.get("action") == "match" and not data.get("person"):
            self.add_error("person", _("请选择对应的人员，或选择跳过。"))
        return data


class ConfirmForm(StyledForm):
    replace = forms.BooleanField(label=_("替换该期间已导入的数据"), required=False)
    skip_pending = forms.BooleanField(label=_("其余未匹配的行跳过，不导入"), required=False)
    absent_policy = forms.ChoiceField(
        label=_("文件中没有的人员"),
        choices=AbsentPolicy.choices,
        initial=AbsentPolicy.NOT_EXPORTED,
        required=False,
        widget=forms.RadioSelect,
    )

    def clean_absent_policy(self) -> str:
        return self.cleaned_data.get("absent_policy") or AbsentPolicy.NOT_EXPORTED


class UndoForm(StyledForm):
    reason = forms.CharField(label=_("撤销原因"), max_length=200, required=False)


class HistoryFilterForm(StyledForm):
    platform = forms.ChoiceField(
        label=_("平台"), choices=[("", _("全部平台")), *Platform.choices], required=False
    )
    status = forms.ChoiceField(
        label=_("状态"),
        choices=[("", _("全部状态")), *PointImport.Status.choices],
        required=False,
    )
    month = forms.CharField(
        label=_("统计月份"), required=False, widget=forms.TextInput(attrs={"type": "month"})
    )


# --- Settings and notices ------------------------------------------------------------------------


class SettingsForm(CleanInputsMixin, forms.ModelForm):
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


class NoticeForm(CleanInputsForm):
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
    confirm_missing = forms.BooleanField(
        label=_("仍然印发（末月数据未导入的单位按无数据计算）"), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # shown once issuing found units without the half's last month (see issue_notice)
        self.needs_confirm = bool(self.data.get("confirm_missing"))
        today = timezone.localdate()
        self.fields["year"].initial = today.year if today.month > 6 else today.year - 1
        self.fields["half"].initial = 1 if today.month > 6 else 2
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            if isinstance(field.widget, forms.CheckboxInput):
                css = "form-check-input"
            field.widget.attrs["class"] = css


class TemplateForm(CleanInputsForm):
    file = forms.FileField(
        label=_("通报模板（.docx）"), error_messages={"required": _("请选择要上传的模板文件。")}
    )
