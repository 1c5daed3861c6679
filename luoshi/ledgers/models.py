"""The ledger (台账): every activity recorded once, by the unit that did it, and counted from here.

An `ActivityType` is configured by the campaign office (category, the track it counts toward,
switches and extra fields); an `Activity` is one occurrence recorded by a unit, with its
participants (`Participation`: by hand, by QR/six-digit check-in or by import) and attachments
(luoshi.files, owner = the activity). A deleted activity leaves every count and stays restorable.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from luoshi.lib.choices import CachedChoiceDisplay


class Category(models.TextChoices):
    STUDY = "study", _("学习")
    LECTURE = "lecture", _("宣讲")
    INSPECTION = "inspection", _("检查")
    MEDIA = "media", _("宣传报道")
    MEETING = "meeting", _("会议")
    VOLUNTEER = "volunteer", _("志愿服务")
    OTHER = "other", _("其他")


class VenueCategory(models.TextChoices):
    PASTORAL = "pastoral", _("牧区")
    COMMUNITY = "community", _("社区")
    ENTERPRISE = "enterprise", _("企业")
    CAMPUS = "campus", _("校园")
    GOVERNMENT = "government", _("机关")
    OTHER = "other", _("其他")


class FieldKind(models.TextChoices):
    TEXT = "text", _("文本")
    NUMBER = "number", _("数字")
    DATE = "date", _("日期")
    CHOICE = "choice", _("选项")
    PERSON = "person", _("人员")
    UNIT = "unit", _("单位")
    FILE = "file", _("文件")


class ActivityType(CachedChoiceDisplay, models.Model):
    """A kind of activity the office configures (晨读+分享, 挎包宣讲, 文化市场检查, 周例会, …).

    `fields` lists the type's own fields as dicts {key, label, kind, required, choices}; kind is
    one of FieldKind, `choices` a list of strings for kind "choice". The switches decide which
    common parts the record form shows. Types are deactivated, never deleted.
    """

    name = models.CharField(_("名称"), max_length=100, unique=True)
    category = models.CharField(_("类别"), max_length=20, choices=Category, default=Category.OTHER)
    campaign = models.ForeignKey(
        "campaigns.Campaign",
        verbose_name=_("计入专项行动"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    track = models.ForeignKey(
        "campaigns.Track",
        verbose_name=_("计入方向"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    takes_attendance = models.BooleanField(_("记录参加人员"), default=True)
    takes_checkin = models.BooleanField(_("扫码签到"), default=False)
    records_hours = models.BooleanField(_("记录时长"), default=False)
    has_venue_category = models.BooleanField(_("区分场所类别"), default=False)
    has_audience = models.BooleanField(_("记录受众人数"), default=False)
    is_personal = models.BooleanField(_("个人记录"), default=False)
    fields = models.JSONField(_("自定义字段"), default=list, blank=True)
    description = models.TextField(_("说明"), blank=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("活动类型")
        verbose_name_plural = _("活动类型")
        ordering = ["sort_order", "id"]

    def __str__(self) -> str:
        return self.name


class LocalMonth(models.Func):
    """The first day of a moment's month in China Standard Time (UTC+8, no daylight saving).

    Written out per database in SQL: Django's TruncMonth with a time zone calls a Python
    function for every row on SQLite. The offset is fixed at +8 hours (Asia/Shanghai, the
    project's TIME_ZONE); selectors use TruncMonth should TIME_ZONE ever change.
    """

    arity = 1
    output_field = models.DateField()

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler,
            connection,
            template="date(%(expressions)s, '+8 hours', 'start of month')",
            **extra_context,
        )

    def as_postgresql(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler,
            connection,
            template="(date_trunc('month', %(expressions)s AT TIME ZONE 'Asia/Shanghai'))::date",
            **extra_context,
        )


LOCAL_MONTH_ZONE = "Asia/Shanghai"


class ActivityQuerySet(models.QuerySet):
    def alive(self) -> "ActivityQuerySet":
        return self.filter(deleted_at__isnull=True)


class Activity(CachedChoiceDisplay, models.Model):
    """One activity in the ledger, recorded once by the organising unit.

    `values` holds the type's extra fields by key (numbers as numbers, dates as ISO strings, people
    and units as ids, files as attachment ids). `campaigns` are the running campaigns it counts
    toward (one record, several campaigns: 强化结合驱动). `commended_at` marks a record the liaison
    rated 优秀 (a reflection essay). `checkin_code` is six digits, valid between `checkin_opens_at`
    and `checkin_closes_at`. What higher apps keep with a record (the heritage site it was held
    at, a meeting's minutes, …) lives in their own one-to-one models (see luoshi.ledgers.hooks).
    """

    type = models.ForeignKey(
        ActivityType,
        verbose_name=_("活动类型"),
        on_delete=models.PROTECT,
        related_name="activities",
    )
    title = models.CharField(_("名称"), max_length=200)
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    place = models.CharField(_("地点"), max_length=200, blank=True)
    venue_category = models.CharField(
        _("场所类别"), max_length=20, choices=VenueCategory, blank=True
    )
    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("组织单位"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    audience = models.PositiveIntegerField(_("受众人数"), null=True, blank=True)
    hours = models.DecimalField(
        _("时长（小时）"), max_digits=6, decimal_places=1, null=True, blank=True
    )
    values = models.JSONField(_("自定义字段值"), default=dict, blank=True)
    notes = models.TextField(_("内容摘要"), blank=True)
    evidence_task = models.ForeignKey(
        "campaigns.Task",
        verbose_name=_("作为佐证的任务"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    campaigns = models.ManyToManyField(
        "campaigns.Campaign", verbose_name=_("计入专项行动"), blank=True, related_name="+"
    )
    commended_at = models.DateTimeField(_("评为优秀时间"), null=True, blank=True)
    commended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("评为优秀的人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    checkin_code = models.CharField(_("签到码"), max_length=6, blank=True, db_index=True)
    checkin_opens_at = models.DateTimeField(_("签到开始"), null=True, blank=True)
    checkin_closes_at = models.DateTimeField(_("签到截止"), null=True, blank=True)
    import_key = models.CharField(
        _("导入指纹"),
        max_length=64,
        blank=True,
        db_index=True,
        help_text=_("由导入行内容算出：同一文件再次导入时，已导入的行不再重复登记。"),
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    deleted_at = models.DateTimeField(null=True, blank=True)

    objects = ActivityQuerySet.as_manager()

    class Meta:
        verbose_name = _("活动")
        verbose_name_plural = _("活动")
        ordering = ["-starts_at", "-id"]
        indexes = [
            models.Index(fields=["unit", "starts_at"]),
            models.Index(fields=["type", "starts_at"]),
            # Covers the ledger pivot: live records of a unit (or of every unit, by skip-scan)
            # within a period, counted by type and by month ranges of starts_at, without reading
            # the table. deleted_at is listed so SQLite treats the partial index as covering.
            models.Index(
                fields=["unit", "starts_at", "type", "deleted_at"],
                condition=models.Q(deleted_at__isnull=True),
                name="activity_live_by_unit",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Participation(CachedChoiceDisplay, models.Model):
    """A person's attendance of an activity: by hand, by check-in or by import."""

    class Source(models.TextChoices):
        HAND = "hand", _("登记")
        CHECKIN = "checkin", _("签到")
        IMPORT = "import", _("导入")

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="participations")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="participations"
    )
    source = models.CharField(_("来源"), max_length=10, choices=Source, default=Source.HAND)
    checked_in_at = models.DateTimeField(_("签到时间"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("参加人员")
        verbose_name_plural = _("参加人员")
        ordering = ["activity", "id"]
        constraints = [
            models.UniqueConstraint(fields=["activity", "person"], name="participation_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.person} @ {self.activity}"


class LedgerCount(models.Model):
    """Live records per (unit, activity type, month), kept by luoshi.ledgers.rollups.

    `month` is the first day of the Asia/Shanghai month of the records' start. `own` counts the
    unit's own records, `subtree` those of the unit and every unit below it: the ledger view reads
    one row per child unit (逐级汇总) instead of counting a province's records on every page.
    """

    unit = models.ForeignKey("org.Unit", on_delete=models.CASCADE, related_name="+")
    type = models.ForeignKey(ActivityType, on_delete=models.CASCADE, related_name="+")
    month = models.DateField()
    own = models.PositiveIntegerField(default=0)
    subtree = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("台账计数")
        verbose_name_plural = _("台账计数")
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "type", "month"], name="ledger_count_unit_type_month"
            )
        ]
        indexes = [models.Index(fields=["unit", "month"], name="ledger_count_unit_month")]

    def __str__(self) -> str:
        return f"{self.unit_id}/{self.type_id}/{self.month:%Y-%m}: {self.own}/{self.subtree}"
