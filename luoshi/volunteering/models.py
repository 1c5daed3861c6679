"""Volunteer service (新时代文明实践志愿服务).

A `Volunteer` is a registered person (optionally 1:1 with an account) whose real name, phone and
ID number are stored SM4-encrypted and shown masked. Volunteers belong to teams (`Team`) of a
unit; the 新时代文明实践中心/所/站 are units marked by `PracticeUnit`. The centre sets a monthly
`Theme` (一月一主题) with `PrescribedAction`s (规定动作), each a plan task of the centre's
campaign issued to every participating unit. A volunteer activity is a ledger `Activity` of
category 志愿服务 with a `ServiceActivity` (1:1) holding its positions (`Position`), sign-ups
(`SignUp`) and the hours they earn (`ServiceHours`, 计时 or 补录, final after publicity).
Residents' orders (`ServiceOrder`: 点单-派单-接单-评单) and certificates (`Certificate`, 民政部令
第67号) complete it.
"""

import decimal

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from luoshi.lib.fieldcrypt import EncryptedCharField, LookupHashField

DEFAULT_STAR_THRESHOLDS = [100, 300, 600, 1000, 1500]
# The national system's (中国志愿) bulk import: column header and the value it takes.
DEFAULT_NATIONAL_COLUMNS = [
    ["姓名", "name"],
    ["证件类型", "id_type"],
    ["证件号码", "id_number"],
    ["活动名称", "activity"],
    ["服务日期", "date"],
    ["服务时长（小时）", "hours"],
]
NATIONAL_COLUMN_KEYS = {
    "name": _("姓名"),
    "id_type": _("证件类型"),
    "id_number": _("证件号码"),
    "activity": _("活动名称"),
    "date": _("服务日期"),
    "hours": _("服务时长（小时）"),
    "organiser": _("组织单位"),
    "method": _("记录方式"),
    "phone": _("手机号"),
}


class VolunteerSettings(models.Model):
    """The centre's rules, one row (pk 1, written by the app's data migration)."""

    star_thresholds = models.JSONField(
        _("星级时长门槛（小时）"),
        default=list,
        help_text=_("一星至五星所需的累计服务时长，由低到高。"),
    )
    min_attendance_percent = models.PositiveSmallIntegerField(_("最低出勤比例（%）"), default=60)
    publicity_days = models.PositiveSmallIntegerField(_("公示期（天）"), default=7)
    cancel_cutoff_hours = models.PositiveSmallIntegerField(_("开始前多少小时停止取消"), default=24)
    national_columns = models.JSONField(_("全国志愿服务信息系统导出列"), default=list)

    class Meta:
        verbose_name = _("志愿服务设置")
        verbose_name_plural = _("志愿服务设置")

    def __str__(self) -> str:
        return str(_("志愿服务设置"))

    @staticmethod
    def load() -> "VolunteerSettings":
        found = VolunteerSettings.objects.filter(pk=1).first()
        if found is None:
            return VolunteerSettings(
                pk=1,
                star_thresholds=DEFAULT_STAR_THRESHOLDS,
                national_columns=DEFAULT_NATIONAL_COLUMNS,
            )
        return found

    def star_for(self, hours: decimal.Decimal | float | int) -> int:
        """一星 … 五星 (1–5) from accumulated hours; 0 below the first threshold."""
        return sum(1 for limit in self.star_thresholds if hours >= limit)


class PracticeUnit(models.Model):
    """A unit that is part of the 新时代文明实践 network: the 中心 (city), a 所 (town), a 站
    (community or village)."""

    class Level(models.TextChoices):
        CENTRE = "centre", _("新时代文明实践中心")
        INSTITUTE = "institute", _("新时代文明实践所")
        STATION = "station", _("新时代文明实践站")

    unit = models.OneToOneField(
        "org.Unit", primary_key=True, on_delete=models.CASCADE, related_name="practice"
    )
    level = models.CharField(_("层级"), max_length=10, choices=Level)
    takes_part = models.BooleanField(_("承接规定动作"), default=True)

    class Meta:
        verbose_name = _("文明实践阵地")
        verbose_name_plural = _("文明实践阵地")

    def __str__(self) -> str:
        return f"{self.unit} ({self.get_level_display()})"


class Skill(models.Model):
    """A skill a volunteer offers and an activity may ask for (医疗, 法律, 文艺, 翻译 …)."""

    name = models.CharField(_("名称"), max_length=50, unique=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("志愿服务技能")
        verbose_name_plural = _("志愿服务技能")
        ordering = ["sort_order", "id"]

    def __str__(self) -> str:
        return self.name


class IdType(models.TextChoices):
    RESIDENT = "resident", _("居民身份证")
    HKMO = "hkmo", _("港澳居民来往内地通行证")
    TAIWAN = "taiwan", _("台湾居民来往大陆通行证")
    PASSPORT = "passport", _("护照")
    PERMANENT = "permanent", _("外国人永久居留身份证")


class PoliticalStatus(models.TextChoices):
    MEMBER = "member", _("中共党员")
    PROBATIONARY = "probationary", _("中共预备党员")
    LEAGUE = "league", _("共青团员")
    DEMOCRATIC = "democratic", _("民主党派")
    MASSES = "masses", _("群众")


def mask_name(name: str) -> str:
    """李晓梅 → 李*梅, 张三 → 张*: the family name kept."""
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return f"{name[0]}*"
    return f"{name[0]}{'*' * (len(name) - 2)}{name[-1]}"


def mask_id(number: str) -> str:
    """630102199001011234 → 6301**********1234."""
    if len(number) <= 8:
        return "*" * len(number)
    return f"{number[:4]}{'*' * (len(number) - 8)}{number[-4:]}"


class Volunteer(models.Model):
    """A registered volunteer: a cadre with an account, or a resident (an account with the
    volunteer role only, or none when the liaison keeps the record). Real name, phone and ID
    number are encrypted at rest; `masked_name` is what lists show and sort by."""

    person = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("账号"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="volunteer",
    )
    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("注册单位"), on_delete=models.PROTECT, related_name="+"
    )
    real_name = EncryptedCharField(_("真实姓名"), max_length=50)
    masked_name = models.CharField(_("姓名（脱敏）"), max_length=50, editable=False)
    phone = EncryptedCharField(_("手机号"), max_length=20, blank=True)
    phone_hash = LookupHashField(source="phone")
    id_type = models.CharField(
        _("证件类型"), max_length=10, choices=IdType, default=IdType.RESIDENT
    )
    id_number = EncryptedCharField(_("证件号码"), max_length=30)
    id_hash = LookupHashField(source="id_number")
    political_status = models.CharField(
        _("政治面貌"), max_length=15, choices=PoliticalStatus, default=PoliticalStatus.MASSES
    )
    skills = models.ManyToManyField(Skill, verbose_name=_("技能特长"), blank=True)
    areas = models.CharField(_("服务区域"), max_length=200, blank=True)
    availability = models.CharField(_("可服务时间"), max_length=200, blank=True)
    consent_at = models.DateTimeField(_("同意记录时间"))
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    number = models.CharField(_("志愿者编号"), max_length=20, unique=True)
    is_active = models.BooleanField(_("在册"), default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("志愿者")
        verbose_name_plural = _("志愿者")
        ordering = ["unit", "masked_name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["id_hash"], condition=~models.Q(id_hash=""), name="volunteer_id_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.masked_name

    @property
    def masked_id(self) -> str:
        return mask_id(self.id_number or "")

    @property
    def masked_phone(self) -> str:
        from luoshi.lib.phones import mask_phone

        return mask_phone(self.phone or "")


class Team(models.Model):
    """A volunteer team (志愿服务队) of a unit (a department or a 所/站), with its leaders."""

    name = models.CharField(_("名称"), max_length=100, unique=True)
    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("所属单位"), on_delete=models.PROTECT, related_name="+"
    )
    description = models.TextField(_("服务内容"), blank=True)
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("志愿服务队")
        verbose_name_plural = _("志愿服务队")
        ordering = ["unit__path", "name", "id"]

    def __str__(self) -> str:
        return self.name


class TeamMember(models.Model):
    """A volunteer in a team; `is_leader` for its 队长/副队长."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="members")
    volunteer = models.ForeignKey(Volunteer, on_delete=models.CASCADE, related_name="teams")
    is_leader = models.BooleanField(_("队长"), default=False)
    joined_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("志愿服务队队员")
        verbose_name_plural = _("志愿服务队队员")
        ordering = ["team", "-is_leader", "volunteer__masked_name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["team", "volunteer"], name="volunteer_member_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.volunteer} @ {self.team}"


class Theme(models.Model):
    """一月一主题: the theme of one month, set by the centre on its campaign."""

    campaign = models.ForeignKey(
        "campaigns.Campaign",
        verbose_name=_("专项行动"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    year = models.PositiveSmallIntegerField(_("年份"))
    month = models.PositiveSmallIntegerField(_("月份"))
    title = models.CharField(_("主题"), max_length=100)
    description = models.TextField(_("说明"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("月度主题")
        verbose_name_plural = _("月度主题")
        ordering = ["-year", "-month"]
        constraints = [
            models.UniqueConstraint(fields=["year", "month"], name="volunteer_theme_month"),
        ]

    def __str__(self) -> str:
        return f"{self.year}年{self.month}月 {self.title}"


class PrescribedAction(models.Model):
    """A 规定动作 of a theme: a plan task of the centre's campaign, issued to every participating
    unit, each unit to hold `expected_activities` volunteer activities under it."""

    theme = models.ForeignKey(Theme, on_delete=models.CASCADE, related_name="actions")
    title = models.CharField(_("规定动作"), max_length=200)
    description = models.TextField(_("要求"), blank=True)
    expected_activities = models.PositiveSmallIntegerField(_("应开展活动（场）"), default=1)
    deadline = models.DateField(_("完成时限"))
    plan_task = models.OneToOneField(
        "campaigns.Task",
        verbose_name=_("任务"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="prescribed_action",
    )
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("规定动作")
        verbose_name_plural = _("规定动作")
        ordering = ["theme", "sort_order", "id"]

    def __str__(self) -> str:
        return self.title


class ServiceActivity(models.Model):
    """The volunteer-service part of a ledger activity of category 志愿服务: theme and action,
    team, recruitment and the hours it plans. A prescribed action's activity points at the
    unit's task as the ledger record's evidence (`Activity.evidence_task`)."""

    class Kind(models.TextChoices):
        PRESCRIBED = "prescribed", _("规定动作")
        CHOSEN = "chosen", _("自选动作")

    activity = models.OneToOneField(
        "ledgers.Activity", primary_key=True, on_delete=models.CASCADE, related_name="service"
    )
    kind = models.CharField(_("类别"), max_length=10, choices=Kind, default=Kind.CHOSEN)
    theme = models.ForeignKey(
        Theme,
        verbose_name=_("月度主题"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="activities",
    )
    action = models.ForeignKey(
        PrescribedAction,
        verbose_name=_("规定动作"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="activities",
    )
    team = models.ForeignKey(
        Team,
        verbose_name=_("志愿服务队"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="activities",
    )
    order = models.ForeignKey(
        "ServiceOrder",
        verbose_name=_("群众点单"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="activities",
    )
    planned_hours = models.DecimalField(_("计划时长（小时）"), max_digits=5, decimal_places=1)
    requirements = models.TextField(_("招募要求"), blank=True)
    skills = models.ManyToManyField(Skill, verbose_name=_("所需技能"), blank=True)
    recruit_until = models.DateTimeField(_("报名截止"))
    needs_approval = models.BooleanField(_("报名须审核"), default=False)

    class Meta:
        verbose_name = _("志愿服务活动")
        verbose_name_plural = _("志愿服务活动")

    def __str__(self) -> str:
        return str(self.activity_id)


class Position(models.Model):
    """A post (岗位) of an activity with the number of volunteers it takes."""

    service = models.ForeignKey(ServiceActivity, on_delete=models.CASCADE, related_name="positions")
    name = models.CharField(_("岗位"), max_length=100)
    capacity = models.PositiveSmallIntegerField(_("招募人数"))
    description = models.CharField(_("岗位说明"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("志愿服务岗位")
        verbose_name_plural = _("志愿服务岗位")
        ordering = ["service", "id"]

    def __str__(self) -> str:
        return self.name


class SignUp(models.Model):
    """A volunteer's sign-up for a position: pending (awaiting approval), accepted, wait-listed
    (promoted in order when a place frees), cancelled or rejected. Check-in and check-out times
    are the volunteer's own, by the activity's code."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待审核")
        ACCEPTED = "accepted", _("已录用")
        WAITLISTED = "waitlisted", _("候补")
        CANCELLED = "cancelled", _("已取消")
        REJECTED = "rejected", _("未录用")

    service = models.ForeignKey(ServiceActivity, on_delete=models.CASCADE, related_name="signups")
    position = models.ForeignKey(Position, on_delete=models.CASCADE, related_name="signups")
    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="signups")
    status = models.CharField(_("状态"), max_length=10, choices=Status)
    created_at = models.DateTimeField(_("报名时间"), default=timezone.now)
    decided_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    checked_in_at = models.DateTimeField(_("签到时间"), null=True, blank=True)
    checked_out_at = models.DateTimeField(_("签退时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("报名")
        verbose_name_plural = _("报名")
        ordering = ["service", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["service", "volunteer"],
                condition=~models.Q(status__in=["cancelled", "rejected"]),
                name="volunteer_signup_once",
            ),
        ]
        indexes = [models.Index(fields=["position", "status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.volunteer} → {self.position}"


class ServiceHours(models.Model):
    """The hours one volunteer earned at one activity, kept by the organising unit (谁组织谁记录):
    timed (计时, from check-in and check-out) or added by the organiser with a reason and proof
    (补录). Final once the publicity period has passed without an open objection."""

    class Method(models.TextChoices):
        TIMED = "timed", _("计时")
        ADDED = "added", _("补录")

    service = models.ForeignKey(ServiceActivity, on_delete=models.PROTECT, related_name="hours")
    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="hours")
    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("记录单位"), on_delete=models.PROTECT, related_name="+"
    )
    hours = models.DecimalField(_("服务时长（小时）"), max_digits=5, decimal_places=1)
    method = models.CharField(_("记录方式"), max_length=5, choices=Method)
    reason = models.CharField(_("补录理由"), max_length=300, blank=True)
    served_on = models.DateField(_("服务日期"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("记录时间"), default=timezone.now)
    public_until = models.DateTimeField(_("公示截止"))

    class Meta:
        verbose_name = _("服务时长")
        verbose_name_plural = _("服务时长")
        ordering = ["-served_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["service", "volunteer"], name="volunteer_hours_once"),
        ]
        indexes = [
            models.Index(fields=["volunteer", "served_on"]),
            models.Index(fields=["unit", "served_on"]),
            # The monthly return reads a month of every unit in scope, and the month's distinct
            # volunteers, from this index alone (no row of the table is read).
            models.Index(
                fields=["served_on", "unit", "volunteer", "hours", "method"],
                name="volunteer_hours_by_day",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.volunteer} {self.hours}h"

    def is_final(self, now=None) -> bool:
        now = now or timezone.now()
        return self.public_until <= now and not any(o.is_open for o in self.objections.all())


class MonthlyHours(models.Model):
    """The hour records of a unit and every unit below it in one month (by service date), kept by
    luoshi.volunteering.rollups in the transaction of each recording and correction: the
    monthly return of a province reads one row per city instead of counting its records."""

    unit = models.ForeignKey("org.Unit", on_delete=models.CASCADE, related_name="+")
    month = models.DateField()  # the first day
    records = models.PositiveIntegerField(default=0)  # 人次
    volunteers = models.PositiveIntegerField(default=0)  # distinct: its MonthlyVolunteer rows
    hours = models.DecimalField(max_digits=12, decimal_places=1, default=decimal.Decimal(0))
    added_hours = models.DecimalField(max_digits=12, decimal_places=1, default=decimal.Decimal(0))

    class Meta:
        verbose_name = _("志愿服务时长月计数")
        verbose_name_plural = _("志愿服务时长月计数")
        constraints = [
            models.UniqueConstraint(fields=["month", "unit"], name="volunteer_month_hours_unique")
        ]

    def __str__(self) -> str:
        return f"{self.unit_id}/{self.month:%Y-%m}: {self.records} {self.hours}h"


class MonthlyVolunteer(models.Model):
    """A volunteer with hour records in a unit's subtree in one month (`records` of them), kept
    with MonthlyHours: a new row is a volunteer new to the subtree that month, which is how
    `MonthlyHours.volunteers` (distinct volunteers, which do not add up) is kept."""

    unit = models.ForeignKey("org.Unit", on_delete=models.CASCADE, related_name="+")
    month = models.DateField()
    volunteer = models.ForeignKey(Volunteer, on_delete=models.CASCADE, related_name="+")
    records = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("志愿服务月参与志愿者")
        verbose_name_plural = _("志愿服务月参与志愿者")
        constraints = [
            models.UniqueConstraint(
                fields=["month", "unit", "volunteer"], name="volunteer_month_volunteer_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit_id}/{self.month:%Y-%m}: {self.volunteer_id}×{self.records}"


class Objection(models.Model):
    """A volunteer's objection to recorded hours in the publicity period: the organiser answers
    first; an objection the organiser rejects may go to the centre, whose ruling is final."""

    class Status(models.TextChoices):
        OPEN = "open", _("待组织方处理")
        ESCALATED = "escalated", _("待文明实践中心处理")
        UPHELD = "upheld", _("已采纳")
        REJECTED = "rejected", _("未采纳")

    hours = models.ForeignKey(ServiceHours, on_delete=models.CASCADE, related_name="objections")
    text = models.TextField(_("异议内容"))
    claimed_hours = models.DecimalField(
        _("申请时长（小时）"), max_digits=5, decimal_places=1, null=True, blank=True
    )
    status = models.CharField(_("状态"), max_length=10, choices=Status, default=Status.OPEN)
    organiser_reply = models.TextField(_("组织方答复"), blank=True)
    centre_reply = models.TextField(_("中心答复"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("时长异议")
        verbose_name_plural = _("时长异议")
        ordering = ["-created_at", "id"]

    def __str__(self) -> str:
        return f"{self.hours_id}: {self.get_status_display()}"

    @property
    def is_open(self) -> bool:
        return self.status in {self.Status.OPEN, self.Status.ESCALATED}


class ServiceOrder(models.Model):
    """A resident's order (点单), reviewed by the centre, dispatched (派单) to a team as a task of
    its unit, accepted or handed back (接单), closed with the activity as evidence and rated
    (评单) with its code. The resident's name and phone are encrypted and never shown back."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("待审核")
        DECLINED = "declined", _("未受理")
        ACCEPTED = "accepted", _("已受理")
        DISPATCHED = "dispatched", _("已派单")
        TAKEN = "taken", _("已接单")
        CLOSED = "closed", _("已办结")

    code = models.CharField(_("点单编号"), max_length=12, unique=True)
    name = EncryptedCharField(_("联系人"), max_length=50)
    phone = EncryptedCharField(_("联系电话"), max_length=20)
    phone_hash = LookupHashField(source="phone")
    community = models.CharField(_("所在社区"), max_length=100)
    need = models.TextField(_("服务需求"))
    preferred_time = models.CharField(_("期望时间"), max_length=100, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("代录人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(_("状态"), max_length=10, choices=Status, default=Status.SUBMITTED)
    category = models.CharField(_("服务类别"), max_length=50, blank=True)
    decline_reason = models.CharField(_("不予受理理由"), max_length=300, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    team = models.ForeignKey(
        Team,
        verbose_name=_("承接队伍"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="orders",
    )
    task = models.OneToOneField(
        "campaigns.Task",
        verbose_name=_("派单任务"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="service_order",
    )
    deadline = models.DateField(_("办理时限"), null=True, blank=True)
    dispatched_at = models.DateTimeField(null=True, blank=True)
    taken_at = models.DateTimeField(null=True, blank=True)
    handback_reason = models.CharField(_("退回理由"), max_length=300, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    rating = models.PositiveSmallIntegerField(_("评价（1–5）"), null=True, blank=True)
    rating_comment = models.CharField(_("评价意见"), max_length=300, blank=True)
    rated_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(_("点单时间"), default=timezone.now)

    class Meta:
        verbose_name = _("群众点单")
        verbose_name_plural = _("群众点单")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.code


class Certificate(models.Model):
    """A certificate of volunteer service (志愿服务证明) issued by the organisation that recorded
    the hours (谁记录谁证明), for one volunteer and a period. What it states is stored as issued;
    `token` is the random part of the public verification address."""

    number = models.CharField(_("证明编号"), max_length=30, unique=True)
    token = models.CharField(max_length=32, unique=True)
    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="certificates")
    issuer = models.ForeignKey(
        "org.Unit", verbose_name=_("出具单位"), on_delete=models.PROTECT, related_name="+"
    )
    date_from = models.DateField(_("服务起始日期"))
    date_to = models.DateField(_("服务截止日期"))
    services = models.PositiveIntegerField(_("服务次数"))
    hours = models.DecimalField(_("服务时长（小时）"), max_digits=7, decimal_places=1)
    masked_name = models.CharField(_("姓名（脱敏）"), max_length=50)
    masked_id = models.CharField(_("证件号码（脱敏）"), max_length=40)
    lines = models.JSONField(_("服务明细"), default=list)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    issued_at = models.DateTimeField(_("出具时间"), default=timezone.now)

    class Meta:
        verbose_name = _("志愿服务证明")
        verbose_name_plural = _("志愿服务证明")
        ordering = ["-issued_at", "-id"]

    def __str__(self) -> str:
        return self.number
