"""Forms of the campaign set-up and the task page: validation and normalisation only."""

import datetime
import re
from typing import cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from luoshi.accounts.models import User
from luoshi.lib.forms import CleanInputsMixin, add_service_errors  # noqa: F401 (the views use it from here)
from luoshi.org.access import units_for_picker
from luoshi.org.forms import PERSON_PICKER, PickerSelect
from luoshi.org.models import Unit

from . import selectors
from .access import visible_campaigns, visible_tasks
from .models import AccountabilityKind, Campaign, LeadingGroupMember, Task, TaskState, Track

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class BootstrapMixin(CleanInputsMixin):
    """Bootstrap classes on every widget, so templates can render fields plainly."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for bound in self.fields.values():
            widget = bound.widget
            if isinstance(widget, forms.CheckboxInput | forms.CheckboxSelectMultiple):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "form-select")
            else:
                widget.attrs.setdefault("class", "form-control")


# --- Campaign set-up -----------------------------------------------------------------------------


class CampaignForm(BootstrapMixin, forms.ModelForm):
    """A campaign's name, period, description and warning thresholds."""

    class Meta:
        model = Campaign
        fields = [
            "name",
            "short_name",
            "office_unit",
            "start_date",
            "end_date",
            "description",
            "status",
            "notice_prefix",
            "blue_working_days",
            "yellow_lag_percent",
            "sign_working_days",
            "reply_working_days",
        ]
        widgets = {
            "start_date": DATE_INPUT,
            "end_date": DATE_INPUT,
            "description": forms.Textarea(attrs={"rows": 4}),
        }

    tracks = forms.CharField(
        label=gettext_lazy("方向"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("每行一个，例如：全员大学习"),
    )

    def __init__(self, *args, units=None, creating=True, **kwargs):
        super().__init__(*args, **kwargs)
        if creating:
            self.fields["office_unit"].queryset = units
            self.fields["office_unit"].empty_label = _("请选择牵头单位")
            del self.fields["status"]
        else:
            del self.fields["office_unit"]
            del self.fields["tracks"]
        self.fields["yellow_lag_percent"].validators.append(_max_100)

    def clean(self):
        data = super().clean()
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("结束日期不能早于开始日期。"))
        return data

    def clean_tracks(self) -> list[str]:
        names = [line.strip() for line in self.cleaned_data["tracks"].splitlines() if line.strip()]
        if len(names) != len(set(names)):
            raise ValidationError(_("方向名称不能重复。"))
        too_long = [name for name in names if len(name) > 100]
        if too_long:
            raise ValidationError(_("方向名称不能超过 100 个字：%(name)s") % {"name": too_long[0]})
        return names

    def _post_clean(self):
        # The service saves; the model's own validation of office_unit etc. is enough here.
        pass


def _max_100(value: int) -> None:
    if value > 100:
        raise ValidationError(_("不能超过 100。"))


class TrackForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label=gettext_lazy("方向名称"), max_length=100)
    description = forms.CharField(
        label=gettext_lazy("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class LeadingGroupRowForm(BootstrapMixin, forms.Form):
    # A searchable picker (only the chosen person is rendered): seventeen rows of every person
    # in reach made the page ~1 s and thousands of <option>s.
    person = forms.ModelChoiceField(
        label=gettext_lazy("人员"),
        queryset=User.objects.none(),
        required=False,
        empty_label=gettext_lazy("请选择人员"),
        widget=PickerSelect(url=PERSON_PICKER, perm="person.view"),
    )
    seat = forms.ChoiceField(
        label=gettext_lazy("职务"),
        choices=LeadingGroupMember.Seat.choices,
        initial=LeadingGroupMember.Seat.MEMBER,
    )
    title = forms.CharField(label=gettext_lazy("职务说明"), max_length=100, required=False)

    def __init__(self, *args, people=None, **kwargs):
        super().__init__(*args, **kwargs)
        if people is not None:
            self.fields["person"].queryset = people
            self.fields["person"].label_from_instance = _person_label


def _person_label(person: User) -> str:
    unit = getattr(person, "primary_unit_name", "")
    return f"{person.name}（{unit}）" if unit else person.name


class BaseLeadingGroupFormSet(forms.BaseFormSet):
    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].widget.attrs["class"] = "form-check-input"

    def clean(self):
        if any(self.errors):
            return
        seen = set()
        for form in self.forms:
            # BaseFormSet._should_delete_form exists in Django; django-stubs leaves it out.
            if self.can_delete and self._should_delete_form(form):  # type: ignore[attr-defined]
                continue
            person, seat = form.cleaned_data.get("person"), form.cleaned_data.get("seat")
            if person is None:
                continue
            if (person.pk, seat) in seen:
                raise ValidationError(
                    _("%(person)s 在同一职务中重复出现。") % {"person": person.name}
                )
            seen.add((person.pk, seat))

    def members(self) -> list[tuple[User, str, str]]:
        rows = []
        for form in self.forms:
            # BaseFormSet._should_delete_form exists in Django; django-stubs leaves it out.
            if self.can_delete and self._should_delete_form(form):  # type: ignore[attr-defined]
                continue
            person = form.cleaned_data.get("person")
            if person is not None:
                rows.append((person, form.cleaned_data["seat"], form.cleaned_data.get("title", "")))
        return rows


# formset_factory returns a subclass of `formset`; the stubs type it as a plain BaseFormSet.
LeadingGroupFormSet = cast(
    type[BaseLeadingGroupFormSet],
    forms.formset_factory(
        LeadingGroupRowForm, formset=BaseLeadingGroupFormSet, extra=3, can_delete=True
    ),
)


# --- Task breakdown ------------------------------------------------------------------------------


def parse_milestones(text: str) -> list[tuple[datetime.date, str]]:
    """Lines like "2027-01-15 完成方案" → [(date, title)], with line-numbered errors."""
    rows, errors = [], []
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        date_text, _sep, title = line.partition(" ")
        try:
            day = datetime.date.fromisoformat(date_text.strip())
        except ValueError:
            errors.append(
                _("第 %(n)d 行：日期“%(text)s”无法识别，应为 2027-01-15 这样的格式。")
                % {"n": number, "text": date_text}
            )
            continue
        if not title.strip():
            errors.append(_("第 %(n)d 行：缺少里程碑名称。") % {"n": number})
            continue
        rows.append((day, title.strip()))
    if errors:
        raise ValidationError(errors)
    return rows


class TaskForm(BootstrapMixin, forms.Form):
    """A task in the breakdown. The deadline is a date, or N working days after issue."""

    DEADLINE_DATE = "date"
    DEADLINE_WORKDAYS = "workdays"

    track = forms.ModelChoiceField(
        label=gettext_lazy("方向"),
        queryset=Track.objects.none(),
        required=False,
        empty_label=gettext_lazy("（不分方向）"),
    )
    title = forms.CharField(label=gettext_lazy("任务名称"), max_length=200)
    description = forms.CharField(
        label=gettext_lazy("任务要求"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    expected_evidence = forms.CharField(
        label=gettext_lazy("佐证材料要求"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    priority = forms.TypedChoiceField(
        label=gettext_lazy("优先级"), choices=Task.Priority.choices, coerce=int, initial=2
    )
    kind = forms.ChoiceField(label=gettext_lazy("类型"), choices=Task.Kind.choices)
    start_date = forms.DateField(label=gettext_lazy("开始日期"), required=False, widget=DATE_INPUT)
    deadline_mode = forms.ChoiceField(
        label=gettext_lazy("完成时限"),
        choices=[
            (DEADLINE_DATE, gettext_lazy("具体日期")),
            (DEADLINE_WORKDAYS, gettext_lazy("下发后若干个工作日")),
        ],
        initial=DEADLINE_DATE,
        widget=forms.RadioSelect,
    )
    deadline = forms.DateField(label=gettext_lazy("完成日期"), required=False, widget=DATE_INPUT)
    deadline_working_days = forms.IntegerField(
        label=gettext_lazy("下发后工作日数"), required=False, min_value=1, max_value=500
    )
    milestones = forms.CharField(
        label=gettext_lazy("里程碑（可选）"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "2027-01-15 完成实施方案"}),
        help_text=gettext_lazy("每行一个：日期 名称"),
    )

    def __init__(self, *args, campaign: Campaign, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["track"]).queryset = campaign.tracks.all()
        self.fields["deadline_mode"].widget.attrs = {"class": "form-check-input"}
        if editing:
            del self.fields["milestones"]
            del self.fields["deadline_mode"]
            del self.fields["deadline_working_days"]

    def clean_milestones(self):
        return parse_milestones(self.cleaned_data.get("milestones", ""))

    def clean(self):
        data = super().clean()
        mode = data.get("deadline_mode")
        if mode == self.DEADLINE_WORKDAYS:
            data["deadline"] = None
            if not data.get("deadline_working_days"):
                self.add_error("deadline_working_days", _("请填写下发后的工作日数。"))
        elif mode == self.DEADLINE_DATE:
            data["deadline_working_days"] = None
            if not data.get("deadline"):
                self.add_error("deadline", _("请填写完成日期。"))
        start, deadline = data.get("start_date"), data.get("deadline")
        if start and deadline and deadline < start:
            self.add_error("deadline", _("完成时限不能早于开始日期。"))
        return data


class TaskEditForm(TaskForm):
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, editing=True, **kwargs)

    def clean(self):
        data = forms.Form.clean(self)
        start, deadline = data.get("start_date"), data.get("deadline")
        if start and deadline and deadline < start:
            self.add_error("deadline", _("完成时限不能早于开始日期。"))
        return data

    def values(self) -> dict:
        data = self.cleaned_data
        track = data.get("track")
        return {
            "title": data["title"],
            "description": data["description"],
            "expected_evidence": data["expected_evidence"],
            "priority": data["priority"],
            "kind": data["kind"],
            "track_id": track.pk if track else None,
            "start_date": data.get("start_date"),
            "deadline": data.get("deadline"),
        }


class IssueForm(CleanInputsMixin, forms.Form):
    """Units chosen in the tree; `under` adds every direct sub-unit of the ticked parents."""

    units: "forms.ModelMultipleChoiceField[Unit]" = forms.ModelMultipleChoiceField(
        queryset=None, required=False
    )
    under: "forms.ModelMultipleChoiceField[Unit]" = forms.ModelMultipleChoiceField(
        queryset=None, required=False
    )
    note = forms.CharField(label=gettext_lazy("下发说明"), required=False, max_length=500)

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["units"].queryset = units
        self.fields["under"].queryset = units
        self.unit_queryset = units

    def chosen(self, skip: frozenset[int] = frozenset()) -> list:
        """The ticked units, plus the direct sub-units of ticked parents (except `skip`: units
        that already have the task)."""
        chosen = {unit.pk: unit for unit in self.cleaned_data["units"]}
        parents = [unit.pk for unit in self.cleaned_data["under"]]
        if parents:
            for unit in self.unit_queryset.filter(parent_id__in=parents):
                if unit.pk not in skip:
                    chosen.setdefault(unit.pk, unit)
        return sorted(chosen.values(), key=lambda unit: unit.path)

    def clean(self):
        data = super().clean()
        if not self.errors and not self.chosen():
            raise ValidationError(_("请至少选择一个责任单位。"))
        return data


# --- Actions on the task page --------------------------------------------------------------------


class NoteForm(BootstrapMixin, forms.Form):
    note = forms.CharField(
        label=gettext_lazy("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ReasonForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(label=gettext_lazy("理由"), widget=forms.Textarea(attrs={"rows": 2}))


class AssignForm(BootstrapMixin, forms.Form):
    owner = forms.ModelChoiceField(
        label=gettext_lazy("责任人"),
        queryset=User.objects.none(),
        empty_label=gettext_lazy("请选择责任人"),
    )
    note = forms.CharField(label=gettext_lazy("说明"), required=False)

    def __init__(self, *args, members=None, **kwargs):
        super().__init__(*args, **kwargs)
        if members is not None:
            self.fields["owner"].queryset = members
            self.fields["owner"].label_from_instance = lambda person: person.name


class SubTaskRowForm(BootstrapMixin, forms.Form):
    title = forms.CharField(label=gettext_lazy("子任务"), max_length=200, required=False)
    owner = forms.ModelChoiceField(
        label=gettext_lazy("责任人"),
        queryset=User.objects.none(),
        required=False,
        empty_label=gettext_lazy("请选择责任人"),
    )
    deadline = forms.DateField(label=gettext_lazy("完成时限"), required=False, widget=DATE_INPUT)

    def __init__(self, *args, members=None, **kwargs):
        super().__init__(*args, **kwargs)
        if members is not None:
            self.fields["owner"].queryset = members
            self.fields["owner"].label_from_instance = lambda person: person.name

    def clean(self):
        data = super().clean()
        if data.get("title") and not data.get("owner"):
            self.add_error("owner", _("请选择责任人。"))
        if data.get("owner") and not data.get("title"):
            self.add_error("title", _("请填写子任务名称。"))
        return data


class BaseSubTaskFormSet(forms.BaseFormSet):
    def clean(self):
        if any(self.errors):
            return
        if not any(form.cleaned_data.get("title") for form in self.forms):
            raise ValidationError(_("请至少填写一项子任务。"))


SubTaskFormSet = forms.formset_factory(SubTaskRowForm, formset=BaseSubTaskFormSet, extra=3)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (Django's documented pattern)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)] if data else []


LINK_RE = re.compile(r"^(?:(?P<title>.+?)\s+)?(?P<url>(?:https?://|/)\S+)$")


def parse_links(text: str) -> list[dict[str, str]]:
    """Lines "标题 URL" or "URL" → [{"title", "url"}]; only http(s) and site-relative URLs."""
    links, errors = [], []
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        match = LINK_RE.match(line)
        if match is None or match["url"].startswith("//"):
            errors.append(
                _("第 %(n)d 行：链接应以 http://、https:// 或 / 开头，可在前面写标题。")
                % {"n": number}
            )
            continue
        links.append({"title": (match["title"] or match["url"]).strip(), "url": match["url"]})
    if errors:
        raise ValidationError(errors)
    return links


class ReportForm(BootstrapMixin, forms.Form):
    percent = forms.IntegerField(label=gettext_lazy("完成进度（%）"), min_value=0, max_value=100)
    text = forms.CharField(label=gettext_lazy("工作进展"), widget=forms.Textarea(attrs={"rows": 3}))
    # The form metaclass moves declared fields into base_fields, so this field does not shadow
    # BaseForm.files (the uploads) as the stubs assume.
    files = MultipleFileField(  # type: ignore[assignment]
        label=gettext_lazy("佐证材料（图片、PDF、Office 文档等，可多选）"), required=False
    )
    links = forms.CharField(
        label=gettext_lazy("关联记录链接（可选）"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": "晨读台账 /ledgers/activities/12/"}),
        help_text=gettext_lazy("每行一个：标题 链接"),
    )
    complete = forms.BooleanField(label=gettext_lazy("报送办结"), required=False)

    def clean_links(self):
        return parse_links(self.cleaned_data.get("links", ""))

    def clean(self):
        data = super().clean()
        if data.get("complete") and data.get("percent") is not None and data["percent"] != 100:
            self.add_error("percent", _("报送办结时进度应为 100%。"))
        return data


class VerifyForm(BootstrapMixin, forms.Form):
    PASS, RETURN = "pass", "return"
    decision = forms.ChoiceField(
        label=gettext_lazy("复核结论"),
        choices=[(PASS, gettext_lazy("通过")), (RETURN, gettext_lazy("退回"))],
        widget=forms.RadioSelect,
    )
    quality = forms.ChoiceField(
        label=gettext_lazy("完成质量"), choices=[("", "—"), *Task.Quality.choices], required=False
    )
    reason = forms.CharField(
        label=gettext_lazy("意见 / 退回理由"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["decision"].widget.attrs = {"class": "form-check-input"}

    def clean(self):
        data = super().clean()
        if data.get("decision") == self.PASS and not data.get("quality"):
            self.add_error("quality", _("请评定完成质量（优、良、中、差）。"))
        if data.get("decision") == self.RETURN and not (data.get("reason") or "").strip():
            self.add_error("reason", _("退回时请填写理由。"))
        return data


class NoticeForm(BootstrapMixin, forms.Form):
    content = forms.CharField(
        label=gettext_lazy("督办事项"), widget=forms.Textarea(attrs={"rows": 3})
    )
    reply_deadline = forms.DateField(label=gettext_lazy("回复时限"), widget=DATE_INPUT)


class ReplyForm(BootstrapMixin, forms.Form):
    reply = forms.CharField(
        label=gettext_lazy("回复内容"), widget=forms.Textarea(attrs={"rows": 2})
    )


class AccountabilityForm(BootstrapMixin, forms.Form):
    kind = forms.ModelChoiceField(
        label=gettext_lazy("问责方式"),
        queryset=AccountabilityKind.objects.filter(is_active=True),
        empty_label=gettext_lazy("请选择问责方式"),
    )
    target_unit = forms.BooleanField(
        label=gettext_lazy("问责责任单位"), required=False, initial=True
    )
    person = forms.ModelChoiceField(
        label=gettext_lazy("被问责人（可选）"),
        queryset=User.objects.none(),
        required=False,
        empty_label=gettext_lazy("（不针对个人）"),
    )
    reason = forms.CharField(
        label=gettext_lazy("问责事由"), widget=forms.Textarea(attrs={"rows": 2})
    )
    document_number = forms.CharField(
        label=gettext_lazy("文件文号"), max_length=100, required=False
    )
    document = forms.FileField(label=gettext_lazy("问责文件（可选）"), required=False)

    def __init__(self, *args, members=None, **kwargs):
        super().__init__(*args, **kwargs)
        if members is not None:
            self.fields["person"].queryset = members
            self.fields["person"].label_from_instance = lambda person: person.name

    def clean(self):
        data = super().clean()
        if not data.get("target_unit") and not data.get("person"):
            self.add_error("person", _("请指定被问责的单位或人员。"))
        return data


class AccountabilityKindForm(BootstrapMixin, forms.Form):
    """A configured kind of accountability action; the service checks uniqueness and ranges."""

    name = forms.CharField(label=gettext_lazy("名称"), max_length=50)
    severity = forms.IntegerField(
        label=gettext_lazy("严重程度"),
        initial=1,
        help_text=gettext_lazy("1 最轻，数字越大越严重；列表和问责表单按此排序。"),
    )
    score_deduction = forms.DecimalField(
        label=gettext_lazy("扣分"),
        initial=0,
        decimal_places=1,
        help_text=gettext_lazy("每记录一次，在该任务考评得分中扣除的分数（0–100）。"),
    )


class CommentForm(BootstrapMixin, forms.Form):
    text = forms.CharField(label=gettext_lazy("批示内容"), widget=forms.Textarea(attrs={"rows": 2}))


class MilestoneForm(BootstrapMixin, forms.Form):
    title = forms.CharField(label=gettext_lazy("里程碑"), max_length=200)
    due_date = forms.DateField(label=gettext_lazy("计划完成日期"), widget=DATE_INPUT)


# --- List filters (the pages and the API read the same forms) -----------------------------------


class UnitPickerField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return "\u3000" * obj.depth + obj.name


def _unit_field(user, perm: str) -> UnitPickerField:
    return UnitPickerField(
        label=gettext_lazy("责任单位"), queryset=units_for_picker(user, perm), required=False
    )


def _small_widgets(form: forms.Form) -> None:
    """The filter bar's compact Bootstrap classes."""
    for bound in form.fields.values():
        widget = bound.widget
        if isinstance(widget, forms.CheckboxInput):
            css = "form-check-input"
        elif isinstance(widget, forms.Select):
            css = "form-select form-select-sm"
        else:
            css = "form-control form-control-sm"
        widget.attrs["class"] = css


def form_errors(form: forms.BaseForm) -> ValidationError:
    """A filter form's errors as one ValidationError by field (what the API answers with 422)."""
    return ValidationError(
        {name: [str(message) for message in messages] for name, messages in form.errors.items()}
    )


class TaskFilterForm(forms.Form):
    """The task list's filters, read into a selectors.TaskFilter (the page and the API)."""

    campaign = forms.ModelChoiceField(
        label=gettext_lazy("专项行动"), queryset=Campaign.objects.none(), required=False
    )
    track = forms.ModelChoiceField(
        label=gettext_lazy("方向"), queryset=Track.objects.none(), required=False
    )
    unit = forms.ModelChoiceField(
        label=gettext_lazy("责任单位"), queryset=Unit.objects.none(), required=False
    )
    subtree = forms.BooleanField(label=gettext_lazy("含下级单位"), required=False)
    state = forms.ChoiceField(label=gettext_lazy("状态"), required=False)
    warning = forms.ChoiceField(label=gettext_lazy("预警"), required=False)
    mine = forms.BooleanField(label=gettext_lazy("仅我负责的"), required=False)
    kind = forms.ChoiceField(
        label=gettext_lazy("类型"),
        required=False,
        choices=[("", gettext_lazy("全部类型")), *Task.Kind.choices],
    )
    level = forms.ChoiceField(
        label=gettext_lazy("层级"),
        required=False,
        choices=[("", gettext_lazy("全部层级")), *selectors.LEVELS.items()],
    )
    deadline_from = forms.DateField(
        label=gettext_lazy("时限起"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    deadline_to = forms.DateField(
        label=gettext_lazy("时限止"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    q = forms.CharField(label=gettext_lazy("关键词"), required=False, max_length=100)
    sort = forms.ChoiceField(
        label=gettext_lazy("排序"),
        required=False,
        choices=[
            ("deadline", gettext_lazy("完成时限（近→远）")),
            ("-deadline", gettext_lazy("完成时限（远→近）")),
            ("warning", gettext_lazy("预警（红→蓝）")),
            ("progress", gettext_lazy("进度（低→高）")),
            ("-progress", gettext_lazy("进度（高→低）")),
            ("unit", gettext_lazy("责任单位")),
            ("title", gettext_lazy("任务名称")),
            ("updated", gettext_lazy("最近更新")),
        ],
    )
    parent = forms.ModelChoiceField(
        label=gettext_lazy("上级任务"),
        queryset=Task.objects.none(),
        required=False,
        widget=forms.HiddenInput,
    )

    def __init__(self, data, *, user):
        super().__init__(data)
        campaigns = visible_campaigns(user)
        self.fields["campaign"].queryset = campaigns
        self.fields["campaign"].empty_label = _("全部专项行动")
        self.fields["track"].queryset = Track.objects.filter(campaign__in=campaigns)
        self.fields["track"].empty_label = _("全部方向")
        self.fields["unit"] = _unit_field(user, "task.view")
        self.fields["parent"].queryset = visible_tasks(user)
        self.fields["state"].choices = [
            ("", _("全部状态（不含已撤回）")),
            *selectors.STATE_SET_LABELS.items(),
            *[(value, label) for value, label in TaskState.choices if value != TaskState.DRAFT],
            (TaskState.DRAFT, TaskState.DRAFT.label),
        ]
        self.fields["warning"].choices = [("", _("全部")), *selectors.WARNING_FILTERS.items()]
        _small_widgets(self)

    def clean(self):
        data = super().clean()
        start, end = data.get("deadline_from"), data.get("deadline_to")
        if start and end and start > end:
            self.add_error("deadline_to", _("结束日期不能早于开始日期。"))
        track, campaign = data.get("track"), data.get("campaign")
        if track and campaign and track.campaign_id != campaign.pk:
            self.add_error("track", _("该方向不属于所选专项行动。"))
        return data

    def to_filter(self) -> selectors.TaskFilter:
        data = self.cleaned_data
        return selectors.TaskFilter(
            campaign=data.get("campaign"),
            track=data.get("track"),
            unit=data.get("unit"),
            subtree=bool(data.get("subtree")),
            state=data.get("state") or "",
            warning=data.get("warning") or "",
            mine=bool(data.get("mine")),
            kind=data.get("kind") or "",
            level=data.get("level") or "",
            deadline_from=data.get("deadline_from"),
            deadline_to=data.get("deadline_to"),
            text=(data.get("q") or "").strip(),
            sort=data.get("sort") or "deadline",
            parent=data.get("parent"),
        )


class CampaignFilterForm(forms.Form):
    """The campaign list's filters, read into a selectors.CampaignFilter."""

    status = forms.ChoiceField(
        label=gettext_lazy("状态"),
        required=False,
        choices=[("", gettext_lazy("全部状态")), *Campaign.Status.choices],
    )
    q = forms.CharField(label=gettext_lazy("关键词"), required=False, max_length=100)

    def __init__(self, data):
        super().__init__(data)
        _small_widgets(self)

    def to_filter(self) -> selectors.CampaignFilter:
        data = self.cleaned_data
        return selectors.CampaignFilter(
            status=data.get("status") or "", text=(data.get("q") or "").strip()
        )


class NoticeFilterForm(forms.Form):
    """The supervision notice list's filters, read into a selectors.NoticeFilter."""

    campaign = forms.ModelChoiceField(
        label=gettext_lazy("专项行动"), queryset=Campaign.objects.none(), required=False
    )
    unit = forms.ModelChoiceField(
        label=gettext_lazy("责任单位"), queryset=Unit.objects.none(), required=False
    )
    subtree = forms.BooleanField(label=gettext_lazy("含下级单位"), required=False)
    state = forms.ChoiceField(
        label=gettext_lazy("状态"),
        required=False,
        choices=[("", gettext_lazy("全部状态")), *selectors.NOTICE_STATES.items()],
    )
    mine = forms.BooleanField(label=gettext_lazy("仅待我回复的"), required=False)
    q = forms.CharField(label=gettext_lazy("关键词"), required=False, max_length=100)
    task = forms.ModelChoiceField(
        label=gettext_lazy("任务"),
        queryset=Task.objects.none(),
        required=False,
        widget=forms.HiddenInput,
    )

    def __init__(self, data, *, user):
        super().__init__(data)
        self.fields["campaign"].queryset = visible_campaigns(user)
        self.fields["campaign"].empty_label = _("全部专项行动")
        self.fields["unit"] = _unit_field(user, "task.view")
        self.fields["task"].queryset = visible_tasks(user)
        _small_widgets(self)

    def to_filter(self) -> selectors.NoticeFilter:
        data = self.cleaned_data
        return selectors.NoticeFilter(
            campaign=data.get("campaign"),
            unit=data.get("unit"),
            subtree=bool(data.get("subtree")),
            state=data.get("state") or "",
            mine=bool(data.get("mine")),
            text=(data.get("q") or "").strip(),
            task=data.get("task"),
        )


class AccountabilityFilterForm(forms.Form):
    """The accountability list's filters, read into a selectors.AccountabilityFilter."""

    campaign = forms.ModelChoiceField(
        label=gettext_lazy("专项行动"), queryset=Campaign.objects.none(), required=False
    )
    unit = forms.ModelChoiceField(
        label=gettext_lazy("被问责单位"), queryset=Unit.objects.none(), required=False
    )
    subtree = forms.BooleanField(label=gettext_lazy("含下级单位"), required=False)
    kind = forms.ModelChoiceField(
        label=gettext_lazy("问责方式"), queryset=AccountabilityKind.objects.all(), required=False
    )
    date_from = forms.DateField(
        label=gettext_lazy("问责日期起"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    date_to = forms.DateField(
        label=gettext_lazy("问责日期止"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    q = forms.CharField(label=gettext_lazy("关键词"), required=False, max_length=100)

    def __init__(self, data, *, user):
        super().__init__(data)
        self.fields["campaign"].queryset = visible_campaigns(user)
        self.fields["campaign"].empty_label = _("全部专项行动")
        self.fields["unit"] = _unit_field(user, "task.view")
        self.fields["unit"].label = gettext_lazy("被问责单位")
        self.fields["kind"].empty_label = _("全部问责方式")
        _small_widgets(self)

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("结束日期不能早于开始日期。"))
        return data

    def to_filter(self) -> selectors.AccountabilityFilter:
        data = self.cleaned_data
        return selectors.AccountabilityFilter(
            campaign=data.get("campaign"),
            unit=data.get("unit"),
            subtree=bool(data.get("subtree")),
            kind=data.get("kind"),
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            text=(data.get("q") or "").strip(),
        )
