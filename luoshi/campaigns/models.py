"""Campaigns, their tracks and leading group, and the tasks that walk the responsibility chain.

明责 (issue, sign, assign) → 履责 (progress, completion) → 督责 (warnings, notices, reminders) →
考责 (verify, grade, close off) → 问责 (accountability actions). See docs/architecture.md.
"""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from luoshi.lib.choices import CachedChoiceDisplay


class Campaign(CachedChoiceDisplay, models.Model):
    """A special action campaign (专项行动) with a period, an owning office and warning thresholds."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("筹备中")
        ACTIVE = "active", _("进行中")
        CLOSED = "closed", _("已结束")

    name = models.CharField(_("名称"), max_length=200)
    short_name = models.CharField(_("简称"), max_length=50, blank=True)
    office_unit = models.ForeignKey(
        "org.Unit", verbose_name=_("牵头单位（行动办）"), on_delete=models.PROTECT, related_name="+"
    )
    start_date = models.DateField(_("开始日期"))
    end_date = models.DateField(_("结束日期"))
    description = models.TextField(_("说明"), blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status, default=Status.ACTIVE)
    notice_prefix = models.CharField(
        _("督办单字号"),
        max_length=20,
        default="督办",
        help_text=_("例如“茫宣督”，编号为 茫宣督〔2026〕3号"),
    )
    blue_working_days = models.PositiveSmallIntegerField(_("蓝色预警：距截止（工作日）"), default=3)
    yellow_lag_percent = models.PositiveSmallIntegerField(
        _("黄色预警：落后序时进度（百分点）"), default=20
    )
    sign_working_days = models.PositiveSmallIntegerField(_("签收时限（工作日）"), default=2)
    reply_working_days = models.PositiveSmallIntegerField(_("督办回复时限（工作日）"), default=3)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("专项行动")
        verbose_name_plural = _("专项行动")
        ordering = ["-start_date", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")),
                name="campaign_period_valid",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        return self.short_name or self.name


class Track(models.Model):
    """A strand of a campaign (全员大学习, 业务大比拼, …)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="tracks")
    name = models.CharField(_("名称"), max_length=100)
    description = models.TextField(_("说明"), blank=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("方向")
        verbose_name_plural = _("方向")
        ordering = ["campaign", "sort_order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "name"], name="track_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class LeadingGroupMember(models.Model):
    """A seat in a campaign's leading group (领导小组): 组长, 副组长, 成员 or 办公室."""

    class Seat(models.TextChoices):
        LEADER = "leader", _("组长")
        DEPUTY = "deputy", _("副组长")
        MEMBER = "member", _("成员")
        OFFICE = "office", _("办公室")

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="leading_group")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    seat = models.CharField(_("职务"), max_length=10, choices=Seat)
    title = models.CharField(_("职务说明"), max_length=100, blank=True)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("领导小组成员")
        verbose_name_plural = _("领导小组成员")
        ordering = ["campaign", "sort_order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "person", "seat"], name="lg_unique_seat"),
        ]

    def __str__(self) -> str:
        return f"{self.get_seat_display()} {self.person}"


class TaskState(models.TextChoices):
    DRAFT = "draft", _("草稿")
    ISSUED = "issued", _("待签收")
    SIGNED = "signed", _("待分派")
    IN_PROGRESS = "in_progress", _("办理中")
    SUBMITTED = "submitted", _("待复核")
    VERIFIED = "verified", _("已办结")
    CLOSED = "closed", _("已销号")
    WITHDRAWN = "withdrawn", _("已撤回")


OPEN_STATES = frozenset({TaskState.ISSUED, TaskState.SIGNED, TaskState.IN_PROGRESS})
DONE_STATES = frozenset({TaskState.VERIFIED, TaskState.CLOSED})


class WarningLevel(models.TextChoices):
    NONE = "", _("正常")
    BLUE = "blue", _("蓝色预警")
    YELLOW = "yellow", _("黄色预警")
    RED = "red", _("红色预警")


class TaskQuerySet(models.QuerySet["Task"]):
    def alive(self) -> "TaskQuerySet":
        return self.filter(deleted_at__isnull=True)

    def plans(self) -> "TaskQuerySet":
        """The office's task breakdown: tasks that are not issued to one unit."""
        return self.filter(parent__isnull=True)

    def for_units(self) -> "TaskQuerySet":
        return self.filter(unit__isnull=False)


class Task(CachedChoiceDisplay, models.Model):
    """A task walking the responsibility chain.

    The office writes a task in the breakdown (a *plan*: no unit) and issues it to one or many
    units; each unit gets its own child task, which walks the chain, and the plan shows the
    rolled-up progress. A liaison may break a unit task into sub-tasks for people of the unit
    (children with the same unit). `version` guards against lost updates; `warning` is computed
    (campaigns.warnings), stored only so that lists can filter and count by it.
    """

    class Kind(models.TextChoices):
        CAMPAIGN = "campaign", _("专项任务")
        RECTIFICATION = "rectification", _("整改")
        DECISION = "decision", _("督办事项")
        PRESCRIBED = "prescribed", _("规定动作")

    class Priority(models.IntegerChoices):
        HIGH = 1, _("高")
        NORMAL = 2, _("中")
        LOW = 3, _("低")

    class Timeliness(models.TextChoices):
        ON_TIME = "on_time", _("按时")
        LATE = "late", _("逾期")

    class Quality(models.TextChoices):
        EXCELLENT = "excellent", _("优")
        GOOD = "good", _("良")
        FAIR = "fair", _("中")
        POOR = "poor", _("差")

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="tasks")
    track = models.ForeignKey(
        Track,
        verbose_name=_("方向"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tasks",
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    kind = models.CharField(_("类型"), max_length=20, choices=Kind, default=Kind.CAMPAIGN)
    title = models.CharField(_("任务名称"), max_length=200)
    description = models.TextField(_("任务要求"), blank=True)
    expected_evidence = models.TextField(_("佐证材料要求"), blank=True)
    priority = models.PositiveSmallIntegerField(
        _("优先级"), choices=Priority, default=Priority.NORMAL
    )
    unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("责任单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tasks",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("责任人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="owned_tasks",
    )
    state = models.CharField(_("状态"), max_length=20, choices=TaskState, default=TaskState.DRAFT)
    start_date = models.DateField(_("开始日期"), null=True, blank=True)
    deadline = models.DateField(_("完成时限"), null=True, blank=True)
    deadline_working_days = models.PositiveSmallIntegerField(
        _("完成时限（下发后工作日）"), null=True, blank=True
    )
    sign_deadline = models.DateField(_("签收时限"), null=True, blank=True)
    progress = models.PositiveSmallIntegerField(_("进度（%）"), default=0)
    warning = models.CharField(
        _("预警"),
        max_length=10,
        choices=WarningLevel,
        default=WarningLevel.NONE,
        blank=True,
        db_index=True,
    )
    returned_count = models.PositiveSmallIntegerField(_("退回次数"), default=0)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    issued_at = models.DateTimeField(_("下发时间"), null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    signed_at = models.DateTimeField(_("签收时间"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("报结时间"), null=True, blank=True)
    verified_at = models.DateTimeField(_("复核时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("销号时间"), null=True, blank=True)
    timeliness = models.CharField(_("时效"), max_length=10, choices=Timeliness, blank=True)
    quality = models.CharField(_("质量"), max_length=10, choices=Quality, blank=True)
    score = models.DecimalField(_("得分"), max_digits=5, decimal_places=1, null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)
    deleted_at = models.DateTimeField(null=True, blank=True)

    objects = TaskQuerySet.as_manager()

    class Meta:
        verbose_name = _("任务")
        verbose_name_plural = _("任务")
        ordering = ["deadline", "id"]
        indexes = [
            models.Index(fields=["campaign", "state"]),
            models.Index(fields=["unit", "state"]),
            models.Index(fields=["owner", "state"]),
            models.Index(fields=["parent"]),
            models.Index(fields=["deadline", "id"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(progress__gte=0, progress__lte=100), name="task_progress_range"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_plan(self) -> bool:
        return self.unit_id is None

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES


class TaskRollup(models.Model):
    """Counts of one campaign's unit tasks per unit and track, for overviews at province scale.

    Derived data: `campaigns.rollups` recomputes a unit's rows whenever one of its tasks moves
    (every move writes a TaskEvent, and that is where the refresh is hooked), and rebuilds all of
    them in the daily job; a test holds them equal to counting the tasks themselves. The tasks
    counted are the units' own tasks (issued from a plan), withdrawn and deleted ones left out.
    """

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey("org.Unit", on_delete=models.CASCADE, related_name="+")
    track = models.ForeignKey(Track, null=True, on_delete=models.CASCADE, related_name="+")
    total = models.PositiveIntegerField(default=0)
    issued = models.PositiveIntegerField(default=0)
    signed = models.PositiveIntegerField(default=0)
    in_progress = models.PositiveIntegerField(default=0)
    submitted = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    red = models.PositiveIntegerField(default=0)
    yellow = models.PositiveIntegerField(default=0)
    blue = models.PositiveIntegerField(default=0)
    progress_sum = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "unit", "track"], name="rollup_unique_cell"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id}/{self.unit_id}/{self.track_id}: {self.total}"


class Milestone(models.Model):
    """A checkpoint on the way to a task's deadline (里程碑), ticked off when reached."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(_("里程碑"), max_length=200)
    due_date = models.DateField(_("计划完成日期"))
    done = models.BooleanField(_("已完成"), default=False)
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("里程碑")
        verbose_name_plural = _("里程碑")
        ordering = ["task", "due_date", "id"]

    def __str__(self) -> str:
        return f"{self.due_date} {self.title}"


class TaskEvent(CachedChoiceDisplay, models.Model):
    """One step on a task's timeline: who did what, when, why, and the state before and after."""

    class Action(models.TextChoices):
        CREATE = "create", _("创建")
        EDIT = "edit", _("修改")
        ISSUE = "issue", _("下发")
        SIGN = "sign", _("签收")
        ASSIGN = "assign", _("分派责任人")
        DECOMPOSE = "decompose", _("分解")
        REPORT = "report", _("填报进度")
        SUBMIT = "submit", _("报送办结")
        RETURN = "return", _("退回")
        VERIFY = "verify", _("复核通过")
        CLOSE = "close", _("销号")
        WITHDRAW = "withdraw", _("撤回")
        SUPERVISE = "supervise", _("督办")
        REPLY = "reply", _("回复督办")
        REMIND = "remind", _("催办")
        WARN = "warn", _("预警")
        ACCOUNTABILITY = "accountability", _("问责")
        COMMENT = "comment", _("批示")
        DELETE = "delete", _("删除")
        RESTORE = "restore", _("恢复")
        MILESTONE = "milestone", _("里程碑")

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(max_length=20, choices=Action)
    from_state = models.CharField(max_length=20, choices=TaskState, blank=True)
    to_state = models.CharField(max_length=20, choices=TaskState, blank=True)
    note = models.TextField(_("说明"), blank=True)
    data = models.JSONField(default=dict, blank=True)

    # Set by the task page for its template: (field label, before, after) of an edit.
    change_rows: list[tuple]

    class Meta:
        verbose_name = _("任务轨迹")
        verbose_name_plural = _("任务轨迹")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.task} · {self.get_action_display()}"


class ProgressReport(models.Model):
    """A progress report (进度填报) or, with `is_completion`, the completion report (办结报告)."""

    task = models.ForeignKey(Task, on_delete=models.PROTECT, related_name="reports")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    percent = models.PositiveSmallIntegerField(_("完成进度（%）"))
    text = models.TextField(_("工作进展"))
    is_completion = models.BooleanField(_("办结报告"), default=False)
    links = models.JSONField(_("关联记录"), default=list, blank=True)
    attachments = GenericRelation(
        "files.Attachment", content_type_field="owner_type", object_id_field="owner_id"
    )

    class Meta:
        verbose_name = _("进度报告")
        verbose_name_plural = _("进度报告")
        ordering = ["-at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(percent__gte=0, percent__lte=100), name="report_percent_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.task} {self.percent}%"


class SupervisionNotice(CachedChoiceDisplay, models.Model):
    """A numbered supervision notice (督办单) on a task, with a reply deadline and the reply."""

    class State(models.TextChoices):
        OPEN = "open", _("待回复")
        REPLIED = "replied", _("已回复")

    task = models.ForeignKey(Task, on_delete=models.PROTECT, related_name="notices")
    year = models.PositiveSmallIntegerField()
    serial = models.PositiveIntegerField()
    number = models.CharField(_("编号"), max_length=50, unique=True)
    content = models.TextField(_("督办事项"))
    reply_deadline = models.DateField(_("回复时限"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    issued_at = models.DateTimeField(default=timezone.now)
    state = models.CharField(max_length=10, choices=State, default=State.OPEN)
    reply = models.TextField(_("回复内容"), blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    replied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("督办单")
        verbose_name_plural = _("督办单")
        ordering = ["-issued_at", "-id"]

    def __str__(self) -> str:
        return self.number


class NoticeCounter(models.Model):
    """The running serial of supervision notices per campaign and year (督办单编号)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    last_serial = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["campaign", "year"], name="notice_counter_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id}/{self.year}: {self.last_serial}"


class AccountabilityKind(models.Model):
    """A configurable kind of accountability action (提醒谈话, 约谈, 通报批评, …)."""

    name = models.CharField(_("名称"), max_length=50, unique=True)
    severity = models.PositiveSmallIntegerField(_("严重程度"), default=1)
    score_deduction = models.DecimalField(_("扣分"), max_digits=4, decimal_places=1, default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("问责方式")
        verbose_name_plural = _("问责方式")
        ordering = ["severity", "id"]

    def __str__(self) -> str:
        return self.name


class AccountabilityAction(CachedChoiceDisplay, models.Model):
    """An accountability action (问责) taken on a red or returned task, against a unit and/or person."""

    task = models.ForeignKey(Task, on_delete=models.PROTECT, related_name="accountability_actions")
    kind = models.ForeignKey(
        AccountabilityKind, verbose_name=_("问责方式"), on_delete=models.PROTECT
    )
    unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("被问责单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="accountability_actions",
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("被问责人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="accountability_actions",
    )
    reason = models.TextField(_("问责事由"))
    document_number = models.CharField(_("文件文号"), max_length=100, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)
    attachments = GenericRelation(
        "files.Attachment", content_type_field="owner_type", object_id_field="owner_id"
    )

    class Meta:
        verbose_name = _("问责记录")
        verbose_name_plural = _("问责记录")
        ordering = ["-recorded_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(unit__isnull=False) | models.Q(person__isnull=False),
                name="accountability_has_target",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} · {self.unit or self.person}"
