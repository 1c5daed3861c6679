"""Forms of the volunteer pages: parsing and normalising only; the services validate and save."""

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from luoshi.lib.widgets import DateInput, DateTimeInput
from luoshi.org.forms import StyledForm
from luoshi.org.models import Unit

from . import throttle
from .access import (
    managed_units,
    organising_teams,
    publishing_units,
    registration_units,
    service_types,
    visible_actions,
    visible_orders,
    visible_volunteers,
)
from .models import (
    IdType,
    PoliticalStatus,
    Skill,
    Theme,
    Volunteer,
)
from .services import PositionSpec


def _skills_field() -> forms.ModelMultipleChoiceField:
    return forms.ModelMultipleChoiceField(
        queryset=Skill.objects.all(),
        label=_("技能特长"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


class VolunteerForm(StyledForm):
    """Registering (oneself or, for a manager, anyone) and correcting a volunteer."""

    unit: forms.ModelChoiceField = forms.ModelChoiceField(queryset=None, label=_("注册单位"))
    real_name = forms.CharField(label=_("真实姓名"), max_length=50)
    phone = forms.CharField(label=_("手机号"), max_length=20, required=False)
    id_type = forms.ChoiceField(label=_("证件类型"), choices=IdType.choices)
    id_number = forms.CharField(label=_("证件号码"), max_length=30)
    political_status = forms.ChoiceField(
        label=_("政治面貌"), choices=PoliticalStatus.choices, initial=PoliticalStatus.MASSES
    )
    skills = _skills_field()
    areas = forms.CharField(label=_("服务区域"), max_length=200, required=False)
    availability = forms.CharField(
        label=_("可服务时间"),
        max_length=200,
        required=False,
        help_text=_("如：周末全天、工作日晚间"),
    )
    consent = forms.BooleanField(
        label=_("本人同意按《志愿服务记录与证明出具办法》记录、保存和使用本人的志愿服务信息"),
        required=False,
    )

    def __init__(self, *args, user, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = registration_units(user).order_by("path")  # type: ignore[attr-defined]
        if editing:
            del self.fields["unit"]
            del self.fields["consent"]
            self.fields["is_active"] = forms.BooleanField(
                label=_("在册"), required=False, initial=True
            )
            self.style()


class VolunteerFilterForm(forms.Form):
    unit = forms.IntegerField(required=False)
    skill = forms.ModelChoiceField(queryset=Skill.objects.all(), required=False)
    q = forms.CharField(required=False, max_length=50)


class TeamForm(StyledForm):
    unit: forms.ModelChoiceField = forms.ModelChoiceField(queryset=None, label=_("所属单位"))
    name = forms.CharField(label=_("名称"), max_length=100)
    description = forms.CharField(
        label=_("服务内容"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    leaders: forms.ModelMultipleChoiceField = forms.ModelMultipleChoiceField(
        queryset=None, label=_("队长"), required=False
    )
    members: forms.ModelMultipleChoiceField = forms.ModelMultipleChoiceField(
        queryset=None, label=_("队员"), required=False
    )
    is_active = forms.BooleanField(label=_("启用"), required=False, initial=True)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = managed_units(user).order_by("path")  # type: ignore[attr-defined]
        people = visible_volunteers(user).filter(is_active=True).order_by("masked_name")
        self.fields["leaders"].queryset = people  # type: ignore[attr-defined]
        self.fields["members"].queryset = people  # type: ignore[attr-defined]
        self.fields["leaders"].label_from_instance = _volunteer_label  # type: ignore[attr-defined]
        self.fields["members"].label_from_instance = _volunteer_label  # type: ignore[attr-defined]


def _volunteer_label(volunteer) -> str:
    return f"{volunteer.masked_name}（{volunteer.number}，{volunteer.unit.name}）"


# --- Themes ---------------------------------------------------------------------------------------


class ThemeForm(StyledForm):
    campaign: forms.ModelChoiceField = forms.ModelChoiceField(queryset=None, label=_("专项行动"))
    year = forms.IntegerField(label=_("年份"), min_value=2000, max_value=2100)
    month = forms.IntegerField(label=_("月份"), min_value=1, max_value=12)
    title = forms.CharField(label=_("主题"), max_length=100)
    description = forms.CharField(
        label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = centre_campaigns(user)  # type: ignore[attr-defined]


def centre_campaigns(user):
    from luoshi.campaigns.models import Campaign
    from luoshi.org.access import scope_for

    scope = scope_for(user, "task.issue")
    if not scope.covers_units():
        return Campaign.objects.none()
    return Campaign.objects.filter(scope.units_q("office_unit__")).order_by("-start_date")


class ActionForm(StyledForm):
    title = forms.CharField(label=_("规定动作"), max_length=200)
    description = forms.CharField(
        label=_("要求"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    expected_activities = forms.IntegerField(
        label=_("每个单位应开展活动（场）"), min_value=1, max_value=100, initial=1
    )
    deadline = forms.DateField(label=_("完成时限"), widget=DateInput)


# --- Activities -----------------------------------------------------------------------------------


def parse_positions(text: str) -> list[PositionSpec]:
    """One position a line: 名称 人数 [说明] (separated by spaces, commas or tabs)."""
    specs: list[PositionSpec] = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        parts = [p for p in re.split(r"[\s,，、]+", line, maxsplit=2) if p]
        if len(parts) < 2 or not parts[1].isdigit():
            raise forms.ValidationError(
                _("第 %(n)d 行“%(line)s”：请写成“岗位名称 人数 说明”，如“秩序引导 10”。")
                % {"n": number, "line": line}
            )
        specs.append(
            PositionSpec(
                name=parts[0],
                capacity=int(parts[1]),
                description=parts[2] if len(parts) > 2 else "",
            )
        )
    return specs


class ActivityForm(StyledForm):
    type: forms.ModelChoiceField = forms.ModelChoiceField(queryset=None, label=_("活动类型"))
    unit: forms.ModelChoiceField = forms.ModelChoiceField(queryset=None, label=_("组织单位"))
    team: forms.ModelChoiceField = forms.ModelChoiceField(
        queryset=None, label=_("志愿服务队"), required=False
    )
    action: forms.ModelChoiceField = forms.ModelChoiceField(
        queryset=None,
        label=_("规定动作"),
        required=False,
        help_text=_("不选则为自选动作。"),
    )
    theme: forms.ModelChoiceField = forms.ModelChoiceField(
        queryset=None, label=_("月度主题"), required=False
    )
    order: forms.ModelChoiceField = forms.ModelChoiceField(
        queryset=None, label=_("群众点单"), required=False
    )
    title = forms.CharField(label=_("活动名称"), max_length=200)
    place = forms.CharField(label=_("地点"), max_length=200)
    starts_at = forms.DateTimeField(label=_("开始时间"), widget=DateTimeInput)
    ends_at = forms.DateTimeField(label=_("结束时间"), widget=DateTimeInput)
    planned_hours = forms.DecimalField(
        label=_("计划时长（小时）"), max_digits=4, decimal_places=1, min_value=0
    )
    recruit_until = forms.DateTimeField(label=_("报名截止"), widget=DateTimeInput)
    positions = forms.CharField(
        label=_("岗位及人数"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("每行一个岗位：岗位名称 人数 说明，如“秩序引导 10 负责入口引导”。"),
    )
    skills = _skills_field()
    requirements = forms.CharField(
        label=_("招募要求"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    needs_approval = forms.BooleanField(label=_("报名须组织方审核"), required=False)
    notes = forms.CharField(
        label=_("活动内容"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["type"].queryset = service_types()  # type: ignore[attr-defined]
        self.fields["unit"].queryset = publishing_units(user).order_by("path")  # type: ignore[attr-defined]
        self.fields["team"].queryset = organising_teams(user)  # type: ignore[attr-defined]
        self.fields["action"].queryset = visible_actions(user).order_by(  # type: ignore[attr-defined]
            "-theme__year", "-theme__month", "sort_order"
        )
        self.fields["action"].label_from_instance = lambda a: (
            f"{a.theme.year}.{a.theme.month} {a.title}"
        )  # type: ignore[attr-defined]
        self.fields["theme"].queryset = Theme.objects.all()  # type: ignore[attr-defined]
        self.fields["order"].queryset = visible_orders(user).filter(status="taken")  # type: ignore[attr-defined]
        self.fields["order"].label_from_instance = lambda o: f"{o.code} {o.category}：{o.need[:20]}"  # type: ignore[attr-defined]

    def clean_positions(self) -> list[PositionSpec]:
        return parse_positions(self.cleaned_data.get("positions", ""))


class ActivityFilterForm(forms.Form):
    month = forms.CharField(required=False, max_length=7)
    place = forms.CharField(required=False, max_length=50)
    team = forms.IntegerField(required=False)
    skill = forms.ModelChoiceField(queryset=Skill.objects.all(), required=False)
    open = forms.BooleanField(required=False)

    def clean_month(self):
        value = self.cleaned_data.get("month") or ""
        if value and not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", value):
            raise forms.ValidationError(_("月份请写成 2026-03 的形式。"))
        return value


class CodeForm(StyledForm):
    code = forms.CharField(
        label=_("签到码"),
        max_length=6,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )


class AddHoursForm(StyledForm):
    volunteer: forms.ModelChoiceField = forms.ModelChoiceField(queryset=None, label=_("志愿者"))
    hours = forms.DecimalField(label=_("服务时长（小时）"), max_digits=4, decimal_places=1)
    reason = forms.CharField(label=_("补录理由"), max_length=300)
    proof = forms.FileField(label=_("证明材料"), required=False)

    def __init__(self, *args, service, **kwargs):
        super().__init__(*args, **kwargs)
        accepted = service.signups.filter(status="accepted").values("volunteer_id")
        field = self.fields["volunteer"]
        field.queryset = Volunteer.objects.filter(pk__in=accepted).order_by("masked_name")  # type: ignore[attr-defined]
        field.label_from_instance = _volunteer_label  # type: ignore[attr-defined]


class ObjectionForm(StyledForm):
    text = forms.CharField(label=_("异议理由"), widget=forms.Textarea(attrs={"rows": 2}))
    claimed_hours = forms.DecimalField(
        label=_("应为（小时）"), max_digits=4, decimal_places=1, required=False
    )


class ReplyForm(StyledForm):
    uphold = forms.TypedChoiceField(
        label=_("处理意见"),
        choices=[("1", _("采纳")), ("0", _("不采纳"))],
        coerce=lambda value: value == "1",
    )
    reply = forms.CharField(label=_("答复"), widget=forms.Textarea(attrs={"rows": 2}))


# --- Orders ---------------------------------------------------------------------------------------


ORDER_CATEGORIES = [
    "助老助残",
    "医疗健康",
    "法律咨询",
    "环境整治",
    "文化文艺",
    "教育辅导",
    "理论宣讲",
    "应急救援",
    "其他",
]


class OrderForm(StyledForm):
    """点单 on the public page (with a sum to solve) or entered by a community worker."""

    name = forms.CharField(label=_("联系人"), max_length=50)
    phone = forms.CharField(
        label=_("联系电话"), max_length=20, widget=forms.TextInput(attrs={"inputmode": "tel"})
    )
    community = forms.CharField(label=_("所在社区或村"), max_length=100)
    need = forms.CharField(
        label=_("需要什么服务"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )
    preferred_time = forms.CharField(label=_("期望时间"), max_length=100, required=False)


class PublicOrderForm(OrderForm):
    challenge = forms.CharField(widget=forms.HiddenInput)
    answer = forms.IntegerField(
        label=_("验证：请计算"), widget=forms.TextInput(attrs={"inputmode": "numeric"})
    )

    def clean(self):
        from django.core import signing

        data = super().clean()
        try:
            wanted = signing.loads(
                data.get("challenge") or "", salt=throttle.CHALLENGE_SALT, max_age=1800
            )
        except signing.BadSignature:
            raise forms.ValidationError(_("验证已过期，请重新计算。")) from None
        if data.get("answer") != wanted:
            self.add_error("answer", _("计算结果不对，请重新计算。"))
        return data


class ReviewForm(StyledForm):
    accept = forms.TypedChoiceField(
        label=_("审核"),
        choices=[("1", _("受理")), ("0", _("不予受理"))],
        coerce=lambda value: value == "1",
    )
    category = forms.ChoiceField(
        label=_("服务类别"),
        choices=[("", "—")] + [(c, c) for c in ORDER_CATEGORIES],
        required=False,
    )
    reason = forms.CharField(label=_("不予受理理由"), max_length=300, required=False)


class DispatchForm(StyledForm):
    team: forms.ModelChoiceField = forms.ModelChoiceField(queryset=None, label=_("承接队伍"))
    campaign: forms.ModelChoiceField = forms.ModelChoiceField(
        queryset=None, label=_("计入专项行动")
    )
    deadline = forms.DateField(label=_("办理时限"), widget=DateInput)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = organising_teams(user)  # type: ignore[attr-defined]
        campaigns = centre_campaigns(user)
        self.fields["campaign"].queryset = campaigns  # type: ignore[attr-defined]
        self.fields["campaign"].initial = campaigns.first()


class HandBackForm(StyledForm):
    reason = forms.CharField(label=_("退回理由"), max_length=300)


class CloseOrderForm(StyledForm):
    service: forms.ModelChoiceField = forms.ModelChoiceField(
        queryset=None, label=_("为该点单开展的活动")
    )

    def __init__(self, *args, order, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["service"]
        field.queryset = order.activities.filter(activity__deleted_at__isnull=True).select_related(
            "activity"
        )  # type: ignore[attr-defined]
        field.label_from_instance = lambda s: (
            f"{s.activity.title}（{s.activity.starts_at:%Y-%m-%d}）"
        )  # type: ignore[attr-defined]


class RateForm(StyledForm):
    code = forms.CharField(widget=forms.HiddenInput)
    rating = forms.TypedChoiceField(
        label=_("评价"),
        choices=[(str(n), "★" * n) for n in range(5, 0, -1)],
        coerce=int,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(label=_("评价意见"), max_length=300, required=False)


class CertificateForm(StyledForm):
    issuer: forms.ModelChoiceField = forms.ModelChoiceField(queryset=None, label=_("出具单位"))
    date_from = forms.DateField(label=_("服务起始日期"), widget=DateInput)
    date_to = forms.DateField(label=_("服务截止日期"), widget=DateInput)

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["issuer"].queryset = Unit.objects.filter(pk__in=[u.pk for u in units])  # type: ignore[attr-defined]
