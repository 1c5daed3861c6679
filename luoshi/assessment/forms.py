"""Forms of the assessment pages: parsing and normalising only; the services validate and save."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from luoshi.campaigns.access import visible_campaigns
from luoshi.campaigns.forms import MultipleFileField
from luoshi.campaigns.models import AccountabilityKind
from luoshi.learning.models import Platform
from luoshi.ledgers.models import ActivityType, VenueCategory
from luoshi.lib.widgets import DateInput
from luoshi.media.models import Level
from luoshi.org.access import units_for_picker
from luoshi.org.forms import StyledForm

from .access import MANAGE
from .models import Grade, Indicator, IndicatorKind, IndicatorLevel, PeriodKind, Rule
from .sources import (
    PARAM_KINDS,
    PARAM_LEVELS,
    PARAM_PER_HEAD,
    PARAM_PLATFORM,
    PARAM_TYPES,
    PARAM_VENUES,
    SOURCES,
    get_source,
    source_choices,
)


def _parse_tiers(text: str) -> list[list[str]] | None:
    """ "8:100；5:60" → [["8", "100"], ["5", "60"]]; None when a part is not a:b."""
    rows = []
    for part in text.replace("；", ";").replace("，", ";").replace(",", ";").split(";"):
        part = part.strip().replace("：", ":")
        if not part:
            continue
        threshold, sep, percent = part.partition(":")
        try:
            Decimal(threshold.strip())
            Decimal(percent.strip())
        except ArithmeticError:
            return None
        if not sep:
            return None
        rows.append([threshold.strip(), percent.strip()])
    return rows


class IndicatorForm(StyledForm):
    name = forms.CharField(label=_("指标名称"), max_length=100)
    kind = forms.ChoiceField(label=_("类别"), choices=IndicatorKind.choices)
    level = forms.ChoiceField(
        label=_("考核对象"),
        choices=IndicatorLevel.choices,
        initial=IndicatorLevel.UNIT,
        required=False,
        help_text=_(
            "默认考核单位。选“个人”则按本人的记录为参评单位的每个人计分（不计入单位总分，"
            "只对本人和管理其单位考核的人员显示）；可按个人计算的来源：%(sources)s。"
        ),
    )
    source = forms.ChoiceField(label=_("数据来源"))
    rule = forms.ChoiceField(label=_("计分规则"), choices=Rule.choices)
    target = forms.DecimalField(label=_("目标值"), required=False, max_digits=10, decimal_places=2)
    tiers = forms.CharField(
        label=_("分档"),
        required=False,
        help_text=_("每档写“门槛值:得分比例（%）”，用分号隔开，如“8:100；5:60”。"),
    )
    per_item = forms.DecimalField(
        label=_("每项分值"), required=False, max_digits=6, decimal_places=2
    )
    cap = forms.DecimalField(label=_("封顶分值"), required=False, max_digits=6, decimal_places=2)
    types = forms.ModelMultipleChoiceField(
        label=_("活动类型"),
        queryset=ActivityType.objects.filter(is_active=True).order_by("sort_order", "name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("用于“开展活动次数”“活动参学率”；不选则计全部类型。"),
    )
    venues = forms.MultipleChoiceField(
        label=_("场所类别"),
        choices=VenueCategory.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("用于“挎包宣讲覆盖点”；不选则计全部类别。"),
    )
    levels = forms.MultipleChoiceField(
        label=_("刊发级别"),
        choices=Level.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("用于“宣传报道刊发”；不选则计全部级别。"),
    )
    kinds = forms.ModelMultipleChoiceField(
        label=_("问责种类"),
        queryset=AccountabilityKind.objects.filter(is_active=True).order_by("severity", "name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("用于“问责记录”；不选则计全部种类。"),
    )
    per_head = forms.BooleanField(label=_("按人均计算"), required=False)
    platform = forms.ChoiceField(
        label=_("学习平台"), choices=[("", "—"), *Platform.choices], required=False
    )
    description = forms.CharField(
        label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    is_active = forms.BooleanField(label=_("启用"), required=False, initial=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].choices = source_choices()
        self.fields["level"].help_text = self.fields["level"].help_text % {
            "sources": "、".join(str(s.label) for s in SOURCES.values() if s.people)
        }

    @classmethod
    def initial_for(cls, indicator: Indicator) -> dict:
        params = indicator.params or {}
        return {
            "name": indicator.name,
            "kind": indicator.kind,
            "level": indicator.level,
            "source": indicator.source,
            "rule": indicator.rule,
            "target": indicator.target,
            "tiers": "；".join(f"{t}:{p}" for t, p in indicator.tiers or []),
            "per_item": indicator.per_item,
            "cap": indicator.cap,
            "types": params.get(PARAM_TYPES, []),
            "venues": params.get(PARAM_VENUES, []),
            "levels": params.get(PARAM_LEVELS, []),
            "kinds": params.get(PARAM_KINDS, []),
            "per_head": bool(params.get(PARAM_PER_HEAD)),
            "platform": params.get(PARAM_PLATFORM, ""),
            "description": indicator.description,
            "is_active": indicator.is_active,
        }

    def clean_tiers(self):
        text = self.cleaned_data.get("tiers") or ""
        tiers = _parse_tiers(text)
        if tiers is None:
            raise forms.ValidationError(_("分档格式不对：每档写“门槛值:得分比例”，如“8:100”。"))
        return tiers

    def to_fields(self) -> dict:
        """The indicator's fields, with only the params its source reads."""
        data = self.cleaned_data
        source = get_source(data["source"])
        uses = set(source.params) if source else set()
        params: dict = {}
        if PARAM_TYPES in uses and data["types"]:
            params[PARAM_TYPES] = sorted(t.pk for t in data["types"])
        if PARAM_VENUES in uses and data["venues"]:
            params[PARAM_VENUES] = sorted(data["venues"])
        if PARAM_LEVELS in uses and data["levels"]:
            params[PARAM_LEVELS] = sorted(data["levels"])
        if PARAM_KINDS in uses and data["kinds"]:
            params[PARAM_KINDS] = sorted(k.pk for k in data["kinds"])
        if PARAM_PER_HEAD in uses and data["per_head"]:
            params[PARAM_PER_HEAD] = True
        if PARAM_PLATFORM in uses and data["platform"]:
            params[PARAM_PLATFORM] = data["platform"]
        return {
            "name": data["name"],
            "kind": data["kind"],
            "level": data["level"] or IndicatorLevel.UNIT,
            "source": data["source"],
            "rule": data["rule"],
            "target": data["target"],
            "tiers": data["tiers"],
            "per_item": data["per_item"],
            "cap": data["cap"],
            "params": params,
            "description": data["description"],
            "is_active": data["is_active"],
        }


class PlanForm(StyledForm):
    campaign: forms.ModelChoiceField = forms.ModelChoiceField(label=_("专项行动"), queryset=None)  # type: ignore[arg-type]
    name = forms.CharField(label=_("方案名称"), max_length=200)
    period_kind = forms.ChoiceField(label=_("考核周期"), choices=PeriodKind.choices)
    period_start = forms.DateField(label=_("起始日期"), widget=DateInput())
    period_end = forms.DateField(label=_("截止日期"), widget=DateInput())
    cutoff = forms.DateField(
        label=_("数据截止日期"),
        widget=DateInput(),
        help_text=_("此日之后登记或办结的记录不计入本次考核。"),
    )
    publicity_days = forms.IntegerField(label=_("公示天数"), min_value=1, max_value=30, initial=5)
    excellent_quota = forms.IntegerField(
        label=_("优秀比例上限（%）"), min_value=0, max_value=100, initial=30
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = visible_campaigns(user).order_by("-start_date")  # type: ignore[attr-defined]


class CategoryForm(StyledForm):
    """A category's name and units, and a weight per indicator (blank: not in the category)."""

    name = forms.CharField(
        label=_("类别名称"), max_length=50, help_text=_("如：部门、乡镇、企事业、学校。")
    )
    sort_order = forms.IntegerField(label=_("排序"), min_value=0, max_value=999, initial=0)
    units: forms.ModelMultipleChoiceField = forms.ModelMultipleChoiceField(
        label=_("参评单位"),
        queryset=None,  # type: ignore[arg-type]
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, user=None, indicators=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["units"].queryset = units_for_picker(user, MANAGE).order_by("path")  # type: ignore[attr-defined]
        self.indicators = list(indicators)
        for indicator in self.indicators:
            scoring = indicator.kind == IndicatorKind.SCORE
            field: forms.Field
            if scoring:
                field = forms.DecimalField(
                    label=indicator.name,
                    required=False,
                    min_value=0,
                    max_value=100,
                    decimal_places=1,
                )
            else:
                field = forms.BooleanField(label=indicator.name, required=False)
            self.fields[f"w_{indicator.pk}"] = field
        self.style()

    def weight_fields(self):
        return [self[f"w_{indicator.pk}"] for indicator in self.indicators]

    def items(self) -> list[tuple[Indicator, object]]:
        chosen = []
        for indicator in self.indicators:
            value = self.cleaned_data.get(f"w_{indicator.pk}")
            if indicator.kind == IndicatorKind.SCORE:
                if value not in (None, ""):
                    chosen.append((indicator, value))
            elif value:
                chosen.append((indicator, 0))
        return chosen


class AdjustForm(StyledForm):
    score = forms.DecimalField(label=_("得分"), max_digits=6, decimal_places=2)
    reason = forms.CharField(label=_("理由"), widget=forms.Textarea(attrs={"rows": 2}))
    evidence = MultipleFileField(label=_("佐证材料"), required=False)


class SelfAssessmentForm(StyledForm):
    note = forms.CharField(label=_("自评说明"), widget=forms.Textarea(attrs={"rows": 4}))
    evidence = MultipleFileField(label=_("佐证材料"), required=False)


class ReviewForm(StyledForm):
    note = forms.CharField(
        label=_("审核意见"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class AppealForm(StyledForm):
    reason = forms.CharField(label=_("申诉理由"), widget=forms.Textarea(attrs={"rows": 3}))


class AnswerForm(StyledForm):
    answer = forms.CharField(label=_("答复意见"), widget=forms.Textarea(attrs={"rows": 3}))
    item = forms.ChoiceField(label=_("调整指标（可不选）"), required=False)
    score = forms.DecimalField(
        label=_("调整后得分"), required=False, max_digits=6, decimal_places=2
    )
    evidence = MultipleFileField(label=_("佐证材料"), required=False)

    def __init__(self, *args, items=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.items = {str(item.pk): item for item in items}
        self.fields["item"].choices = [("", "—")] + [
            (
                str(item.pk),
                f"{item.indicator_name}（{item.score if item.score is not None else '—'}）",
            )
            for item in items
        ]

    def chosen_item(self):
        return self.items.get(self.cleaned_data.get("item") or "")


class GradeForm(StyledForm):
    grade = forms.ChoiceField(label=_("等次"), choices=Grade.choices)
    reason = forms.CharField(label=_("理由"), widget=forms.Textarea(attrs={"rows": 2}))


class SeriesForm(StyledForm):
    name = forms.CharField(label=_("名称"), max_length=50, help_text=_("如：行动办通报。"))
    number_prefix = forms.CharField(
        label=_("发文字号前缀"), max_length=20, help_text=_("如：茫宣通。")
    )


class NoticeForm(StyledForm):
    series: forms.ModelChoiceField = forms.ModelChoiceField(label=_("发文字号规则"), queryset=None)  # type: ignore[arg-type]
    kind = forms.ChoiceField(label=_("类别"))
    title = forms.CharField(label=_("标题"), max_length=200)
    body = forms.CharField(label=_("正文"), widget=forms.Textarea(attrs={"rows": 10}))
    units: forms.ModelMultipleChoiceField = forms.ModelMultipleChoiceField(
        label=_("主送单位"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,  # type: ignore[arg-type]
    )
    cases: forms.ModelMultipleChoiceField = forms.ModelMultipleChoiceField(
        label=_("推广的典型案例"),
        queryset=None,  # type: ignore[arg-type]
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, user=None, **kwargs):
        from .models import Notice, NoticeSeries

        super().__init__(*args, **kwargs)
        self.fields["series"].queryset = NoticeSeries.objects.filter(  # type: ignore[attr-defined]
            office_unit__in=units_for_picker(user, MANAGE)
        )
        self.fields["kind"].choices = Notice.Kind.choices  # type: ignore[attr-defined]
        self.fields["units"].queryset = units_for_picker(user, MANAGE).order_by("path")  # type: ignore[attr-defined]
        from .models import TypicalCase

        self.fields["cases"].queryset = TypicalCase.objects.filter(  # type: ignore[attr-defined]
            state=TypicalCase.State.PUBLISHED,
            campaign__office_unit__in=units_for_picker(user, MANAGE),
        ).order_by("-pinned", "-reviewed_at")


CASE_RECORDS = 200  # the latest records of the person's units offered to link (no select lists
# more than 200 options: luoshi/demo/tests/test_select_sizes.py)


class CaseForm(StyledForm):
    """A typical case: campaign, unit, title, summary, track and practice, and its records."""

    campaign: forms.ModelChoiceField = forms.ModelChoiceField(label=_("专项行动"), queryset=None)  # type: ignore[arg-type]
    unit: forms.ModelChoiceField = forms.ModelChoiceField(label=_("所属单位"), queryset=None)  # type: ignore[arg-type]
    title = forms.CharField(label=_("标题"), max_length=200)
    summary = forms.CharField(label=_("案例简介"), widget=forms.Textarea(attrs={"rows": 6}))
    track: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("方向"),
        queryset=None,  # type: ignore[arg-type]
        required=False,
    )
    practice = forms.CharField(
        label=_("实践类别"),
        max_length=50,
        required=False,
        help_text=_("如：挎包宣讲、晨读分享、志愿服务、红色教育。"),
    )
    activities: forms.ModelMultipleChoiceField = forms.ModelMultipleChoiceField(
        label=_("依据的记录"),
        queryset=None,  # type: ignore[arg-type]
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("本单位的心得体会、宣讲、活动或志愿服务记录（按住 Ctrl 可多选）。"),
    )

    def __init__(self, *args, user=None, **kwargs):
        from luoshi.campaigns.models import Track
        from luoshi.ledgers.access import visible_activities
        from luoshi.org.access import units_with_any_perm

        from .access import SELF

        super().__init__(*args, **kwargs)
        campaigns = visible_campaigns(user).order_by("-start_date")
        units = units_with_any_perm(user, SELF, MANAGE).order_by("path")
        self.fields["campaign"].queryset = campaigns  # type: ignore[attr-defined]
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]
        self.fields["track"].queryset = Track.objects.filter(  # type: ignore[attr-defined]
            campaign__in=campaigns
        ).select_related("campaign")
        latest = list(
            visible_activities(user)
            .filter(unit__in=units)
            .order_by("-starts_at", "-id")
            .values_list("pk", flat=True)[:CASE_RECORDS]
        )
        self.fields["activities"].queryset = (  # type: ignore[attr-defined]
            visible_activities(user)
            .filter(pk__in=latest)
            .select_related("unit")
            .order_by("-starts_at", "-id")
        )
        self.fields["activities"].label_from_instance = (  # type: ignore[attr-defined]
            lambda a: f"{a.starts_at:%Y-%m-%d} {a.unit.name}：{a.title}"
        )


class CaseReviewForm(StyledForm):
    note = forms.CharField(
        label=_("审核意见"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
