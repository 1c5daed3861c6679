"""考责: the indicator library, assessment plans (考核方案) and the frozen score runs.

An `Indicator` reads one figure per unit from a registered source (`assessment.sources`) and
turns it into points by its rule. A `Plan` is one campaign's assessment of one period: unit
categories (部门, 乡镇 …), each with its indicators and weights (summing to 100), and a data
cut-off. A `ScoreRun` is one computation at the cut-off: every `UnitScore` and `ItemScore` keeps
the figure, the formula and the records behind it as they were, so a run re-renders identically
whatever happens to the records later. Manual scores and adjustments are `Adjustment`s with a
reason and evidence; objections during 公示 are `Appeal`s.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Rule(models.TextChoices):
    LINEAR = "linear", _("按目标值线性得分")
    TIERS = "tiers", _("分档得分")
    BEST = "best", _("与最优单位之比")
    PASS_FAIL = "pass_fail", _("达标得分")
    MANUAL = "manual", _("考核组评分")
    PER_ITEM = "per_item", _("按项计分（封顶）")


class IndicatorKind(models.TextChoices):
    SCORE = "score", _("计分指标")
    DEDUCTION = "deduction", _("扣分项")
    BONUS = "bonus", _("加分项")


class IndicatorLevel(models.TextChoices):
    UNIT = "unit", _("单位")
    PERSON = "person", _("个人")


class Indicator(models.Model):
    """An indicator of the library: a source (what is counted) and a rule (how it scores).

    `level` person (off by default) scores each person of the assessed units on their own
    records, outside the unit's total: a person's scores are seen by the person and by those who
    manage the assessment of their unit.

    `params` narrows the source (activity types, venue categories, media levels, accountability
    kinds); `target`, `tiers` ([[threshold, percent], …]), `per_item` and `cap` are the rule's
    figures. A deduction or bonus scores `value × per_item`, at most `cap`, outside the 100.
    """

    name = models.CharField(_("指标名称"), max_length=100, unique=True)
    description = models.TextField(_("说明"), blank=True)
    kind = models.CharField(
        _("类别"), max_length=10, choices=IndicatorKind, default=IndicatorKind.SCORE
    )
    level = models.CharField(
        _("考核对象"), max_length=10, choices=IndicatorLevel, default=IndicatorLevel.UNIT
    )
    source = models.CharField(_("数据来源"), max_length=50)
    params = models.JSONField(_("来源参数"), default=dict, blank=True)
    rule = models.CharField(_("计分规则"), max_length=10, choices=Rule, default=Rule.LINEAR)
    target = models.DecimalField(
        _("目标值"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    tiers = models.JSONField(_("分档"), default=list, blank=True)
    per_item = models.DecimalField(
        _("每项分值"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    cap = models.DecimalField(_("封顶分值"), max_digits=6, decimal_places=2, null=True, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("考核指标")
        verbose_name_plural = _("考核指标")
        ordering = ["kind", "name", "id"]

    def __str__(self) -> str:
        return self.name


class PeriodKind(models.TextChoices):
    MONTH = "month", _("月度")
    QUARTER = "quarter", _("季度")
    HALF = "half", _("半年")
    YEAR = "year", _("年度")


class Stage(models.TextChoices):
    DRAFT = "draft", _("编制中")
    SELF = "self", _("单位自评")
    REVIEW = "review", _("审核")
    PUBLICITY = "publicity", _("公示")
    GRADING = "grading", _("定档")
    PUBLISHED = "published", _("已发布")


STAGE_ORDER = [stage.value for stage in Stage]


class Plan(models.Model):
    """A campaign's assessment of one period (考核方案)."""

    campaign = models.ForeignKey(
        "campaigns.Campaign",
        verbose_name=_("专项行动"),
        on_delete=models.PROTECT,
        related_name="assessment_plans",
    )
    name = models.CharField(_("方案名称"), max_length=200)
    period_kind = models.CharField(_("考核周期"), max_length=10, choices=PeriodKind)
    period_start = models.DateField(_("起始日期"))
    period_end = models.DateField(_("截止日期"))
    cutoff = models.DateField(_("数据截止日期"))
    publicity_days = models.PositiveSmallIntegerField(_("公示天数"), default=5)
    excellent_quota = models.PositiveSmallIntegerField(_("优秀比例上限（%）"), default=30)
    good_line = models.DecimalField(_("良好分数线"), max_digits=5, decimal_places=1, default=80)
    fair_line = models.DecimalField(_("一般分数线"), max_digits=5, decimal_places=1, default=60)
    stage = models.CharField(_("阶段"), max_length=10, choices=Stage, default=Stage.DRAFT)
    publicity_until = models.DateField(_("公示截止"), null=True, blank=True)
    copied_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("考核方案")
        verbose_name_plural = _("考核方案")
        ordering = ["-period_start", "-id"]

    def __str__(self) -> str:
        return self.name


class UnitCategory(models.Model):
    """A category of the assessed units (部门, 乡镇, 企事业, 学校) with its own indicators."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="categories")
    name = models.CharField(_("类别名称"), max_length=50)
    units = models.ManyToManyField("org.Unit", verbose_name=_("参评单位"), related_name="+")
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("参评单位类别")
        verbose_name_plural = _("参评单位类别")
        ordering = ["plan", "sort_order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "name"], name="assessment_category_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class PlanItem(models.Model):
    """An indicator in a category of a plan, with its weight (deductions and bonuses: 0)."""

    category = models.ForeignKey(UnitCategory, on_delete=models.CASCADE, related_name="items")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="+")
    weight = models.DecimalField(_("权重（分）"), max_digits=5, decimal_places=1, default=0)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("方案指标")
        verbose_name_plural = _("方案指标")
        ordering = ["category", "sort_order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["category", "indicator"], name="assessment_item_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator}（{self.weight}）"


class ScoreRun(models.Model):
    """One computation of a plan at its cut-off, done in the background; frozen once done."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("计算中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="runs")
    status = models.CharField(max_length=10, choices=Status, default=Status.QUEUED)
    cutoff = models.DateField(_("数据截止日期"))
    total = models.PositiveIntegerField(_("参评单位数"), default=0)
    done = models.PositiveIntegerField(_("已计算"), default=0)
    error = models.TextField(blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("计分批次")
        verbose_name_plural = _("计分批次")
        ordering = ["-requested_at", "-id"]

    def __str__(self) -> str:
        return f"{self.plan} #{self.pk}"

    @property
    def percent(self) -> int:
        return int(self.done * 100 / self.total) if self.total else 0


class Grade(models.TextChoices):
    EXCELLENT = "excellent", _("优秀")
    GOOD = "good", _("良好")
    FAIR = "fair", _("一般")
    POOR = "poor", _("较差")


class UnitScore(models.Model):
    """A unit's assessment in one run: its total, rank in its category, grade and 自评."""

    run = models.ForeignKey(ScoreRun, on_delete=models.CASCADE, related_name="unit_scores")
    unit = models.ForeignKey("org.Unit", verbose_name=_("单位"), on_delete=models.PROTECT)
    category = models.ForeignKey(UnitCategory, on_delete=models.CASCADE, related_name="+")
    unit_name = models.CharField(_("单位名称"), max_length=100)
    computed_total = models.DecimalField(_("计算得分"), max_digits=6, decimal_places=2)
    total = models.DecimalField(_("总分"), max_digits=6, decimal_places=2)
    rank = models.PositiveIntegerField(_("类别内名次"), default=0)
    grade = models.CharField(_("等次"), max_length=10, choices=Grade, blank=True)
    self_note = models.TextField(_("自评说明"), blank=True)
    self_submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    self_submitted_at = models.DateTimeField(_("自评提交时间"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    review_note = models.TextField(_("审核意见"), blank=True)

    class Meta:
        verbose_name = _("单位考核得分")
        verbose_name_plural = _("单位考核得分")
        ordering = ["run", "category__sort_order", "rank", "unit__path"]
        constraints = [
            models.UniqueConstraint(fields=["run", "unit"], name="assessment_unit_score_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.unit_name} {self.total}"


class ItemScore(models.Model):
    """One indicator of one unit in one run, frozen: the figure, how it scored, the records."""

    unit_score = models.ForeignKey(UnitScore, on_delete=models.CASCADE, related_name="items")
    plan_item = models.ForeignKey(PlanItem, on_delete=models.CASCADE, related_name="+")
    indicator_name = models.CharField(_("指标"), max_length=100)
    kind = models.CharField(_("类别"), max_length=10, choices=IndicatorKind)
    weight = models.DecimalField(_("权重（分）"), max_digits=5, decimal_places=1)
    value = models.DecimalField(_("实际值"), max_digits=12, decimal_places=2, null=True)
    value_text = models.CharField(_("实际值说明"), max_length=300, blank=True)
    formula = models.TextField(_("计分办法"))
    computed = models.DecimalField(
        _("计算得分"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    score = models.DecimalField(_("得分"), max_digits=6, decimal_places=2, null=True, blank=True)
    records = models.JSONField(_("依据记录"), default=list)
    record_count = models.PositiveIntegerField(_("记录数"), default=0)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("指标得分")
        verbose_name_plural = _("指标得分")
        ordering = ["unit_score", "sort_order", "id"]

    def __str__(self) -> str:
        return f"{self.indicator_name} {self.score}"

    @property
    def is_adjusted(self) -> bool:
        return self.score != self.computed

    @property
    def signed_score(self) -> Decimal:
        score = self.score or Decimal(0)
        return -score if self.kind == IndicatorKind.DEDUCTION else score


class PersonScore(models.Model):
    """A person's score in one run, on the person-level indicators of their unit's category:
    computed with the unit's, frozen with it, outside the unit's total."""

    run = models.ForeignKey(ScoreRun, on_delete=models.CASCADE, related_name="person_scores")
    unit_score = models.ForeignKey(
        UnitScore, on_delete=models.CASCADE, related_name="person_scores"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("人员"), on_delete=models.PROTECT, related_name="+"
    )
    person_name = models.CharField(_("姓名"), max_length=100)
    total = models.DecimalField(_("个人得分"), max_digits=6, decimal_places=2)
    rank = models.PositiveIntegerField(_("类别内名次"), default=0)

    class Meta:
        verbose_name = _("个人考核得分")
        verbose_name_plural = _("个人考核得分")
        ordering = ["run", "rank", "person_name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit_score", "person"], name="assessment_person_score_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_name} {self.total}"


class PersonItemScore(models.Model):
    """One person-level indicator of one person in one run, frozen as `ItemScore` is."""

    person_score = models.ForeignKey(PersonScore, on_delete=models.CASCADE, related_name="items")
    plan_item = models.ForeignKey(PlanItem, on_delete=models.CASCADE, related_name="+")
    indicator_name = models.CharField(_("指标"), max_length=100)
    weight = models.DecimalField(_("权重（分）"), max_digits=5, decimal_places=1)
    value = models.DecimalField(_("实际值"), max_digits=12, decimal_places=2, null=True)
    value_text = models.CharField(_("实际值说明"), max_length=300, blank=True)
    formula = models.TextField(_("计分办法"))
    score = models.DecimalField(_("得分"), max_digits=6, decimal_places=2)
    records = models.JSONField(_("依据记录"), default=list)
    record_count = models.PositiveIntegerField(_("记录数"), default=0)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("个人指标得分")
        verbose_name_plural = _("个人指标得分")
        ordering = ["person_score", "sort_order", "id"]

    def __str__(self) -> str:
        return f"{self.indicator_name} {self.score}"


class Adjustment(models.Model):
    """A manual score or a change of a computed one: who, why, from → to, with evidence."""

    class Step(models.TextChoices):
        MANUAL = "manual", _("考核组评分")
        SELF = "self", _("单位自评")
        REVIEW = "review", _("审核调整")
        APPEAL = "appeal", _("申诉答复调整")

    item = models.ForeignKey(ItemScore, on_delete=models.CASCADE, related_name="adjustments")
    step = models.CharField(_("环节"), max_length=10, choices=Step)
    old_score = models.DecimalField(
        _("原分值"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    new_score = models.DecimalField(_("新分值"), max_digits=6, decimal_places=2)
    reason = models.TextField(_("理由"))
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("得分调整")
        verbose_name_plural = _("得分调整")
        ordering = ["item", "at", "id"]

    def __str__(self) -> str:
        return f"{self.item} {self.old_score} → {self.new_score}"


class Appeal(models.Model):
    """A unit's objection during 公示 and the office's answer."""

    unit_score = models.ForeignKey(UnitScore, on_delete=models.CASCADE, related_name="appeals")
    reason = models.TextField(_("申诉理由"))
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    filed_at = models.DateTimeField(default=timezone.now)
    answer = models.TextField(_("答复意见"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("考核申诉")
        verbose_name_plural = _("考核申诉")
        ordering = ["-filed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.unit_score.unit_name}：{self.reason[:20]}"


# --- 通报 (notices) -------------------------------------------------------------------------------


class NoticeSeries(models.Model):
    """A numbering rule for notices (发文字号): prefix, year and sequence, e.g. 茫宣通〔2026〕3号.
    Numbers are given when a notice is issued, one after another, and never reused."""

    name = models.CharField(_("名称"), max_length=50)
    prefix = models.CharField(_("发文字号前缀"), max_length=20, unique=True)
    office_unit = models.ForeignKey(
        "org.Unit", verbose_name=_("发文单位"), on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("发文字号规则")
        verbose_name_plural = _("发文字号规则")
        ordering = ["prefix", "id"]

    def __str__(self) -> str:
        return self.prefix


class NoticeCounter(models.Model):
    """The last number given in a series and year (locked while a notice is issued)."""

    series = models.ForeignKey(NoticeSeries, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    last_serial = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["series", "year"], name="assessment_notice_counter_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.series} {self.year}: {self.last_serial}"


class Notice(models.Model):
    """A circulated notice (通报): drafted by the office, numbered when issued, read by the
    circulated units (each reader's first opening is a `NoticeReceipt`)."""

    class Kind(models.TextChoices):
        PRAISE = "praise", _("通报表扬")
        CRITICISM = "criticism", _("通报批评")
        SITUATION = "situation", _("情况通报")
        SUPERVISION = "supervision", _("督查通报")

    class State(models.TextChoices):
        DRAFT = "draft", _("草稿")
        ISSUED = "issued", _("已印发")

    series = models.ForeignKey(
        NoticeSeries,
        verbose_name=_("发文字号规则"),
        on_delete=models.PROTECT,
        related_name="notices",
    )
    kind = models.CharField(_("类别"), max_length=20, choices=Kind)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("正文"))
    units = models.ManyToManyField("org.Unit", verbose_name=_("主送单位"), related_name="+")
    cases: models.ManyToManyField = models.ManyToManyField(
        "TypicalCase", verbose_name=_("推广的典型案例"), blank=True, related_name="notices"
    )
    state = models.CharField(_("状态"), max_length=10, choices=State, default=State.DRAFT)
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    serial = models.PositiveIntegerField(null=True, blank=True)
    number = models.CharField(_("发文字号"), max_length=50, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    issued_at = models.DateTimeField(_("印发时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("通报")
        verbose_name_plural = _("通报")
        ordering = ["-issued_at", "-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["series", "year", "serial"],
                condition=models.Q(serial__isnull=False),
                name="assessment_notice_number_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}" if self.number else self.title


class NoticeReceipt(models.Model):
    """The first time a person of a circulated unit opened an issued notice."""

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="receipts")
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    read_at = models.DateTimeField(_("阅读时间"), default=timezone.now)

    class Meta:
        verbose_name = _("阅读回执")
        verbose_name_plural = _("阅读回执")
        ordering = ["notice", "unit", "read_at"]
        constraints = [
            models.UniqueConstraint(fields=["notice", "person"], name="assessment_receipt_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.notice} {self.person} {self.read_at}"


# --- 典型推广 (the case library) --------------------------------------------------------------------


class TypicalCase(models.Model):
    """A typical case (典型案例) of a campaign: submitted by a unit (or by the office, picking an
    essay, a lecture, an activity or a volunteer story), linked to the ledger records it tells
    of, reviewed by the office, published, tagged by track and practice, and promoted — pinned on
    the dashboard, cited in notices (the places it was used are counted)."""

    class State(models.TextChoices):
        SUBMITTED = "submitted", _("待审核")
        PUBLISHED = "published", _("已发布")
        RETURNED = "returned", _("已退回")

    campaign = models.ForeignKey(
        "campaigns.Campaign", verbose_name=_("专项行动"), on_delete=models.PROTECT, related_name="+"
    )
    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("所属单位"), on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("标题"), max_length=200)
    summary = models.TextField(_("案例简介"))
    track = models.ForeignKey(
        "campaigns.Track",
        verbose_name=_("方向"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    practice = models.CharField(_("实践类别"), max_length=50, blank=True)
    activities = models.ManyToManyField(
        "ledgers.Activity", verbose_name=_("依据的记录"), related_name="+"
    )
    state = models.CharField(_("状态"), max_length=10, choices=State, default=State.SUBMITTED)
    review_note = models.TextField(_("审核意见"), blank=True)
    pinned = models.BooleanField(_("驾驶舱置顶"), default=False)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(_("报送时间"), default=timezone.now)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("典型案例")
        verbose_name_plural = _("典型案例")
        ordering = ["-pinned", "-reviewed_at", "-submitted_at", "-id"]

    def __str__(self) -> str:
        return self.title
