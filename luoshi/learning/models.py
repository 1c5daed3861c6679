"""Learning platforms (学习强国 points, 干部网络学院 hours): imports, figures and their reports.

Neither platform has an API, so a liaison or the office uploads the platform's admin export.
A `PointImport` is one uploaded file for one platform and period: parsed into `ImportRow`s
(the preview: each row matched to a person, or not), then confirmed into `PointRecord`s, the
figures every summary, ranking and notice is computed from. Matches made once are remembered:
platform organisation names → units (`OrgAlias`), hand-matched names → people (`PersonAlias`),
and column headings → fields (`ColumnMapping`).

Compliance (国办函〔2026〕12号; 整治形式主义为基层减负若干规定): `LearningSettings` holds what may be
shown and used — by default per-person rankings only to the person and their managers, unit
figures published, top learners commended, platform figures kept out of assessment — and every
change carries a reason (`SettingChange`), shown beside the setting.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Platform(models.TextChoices):
    """The learning platforms whose exports are imported. The stored values are the ones the
    first release wrote ("xuexi" for 学习强国); they stay, so old rows and links keep working."""

    STRONG_NATION = "xuexi", _("学习强国")
    CADRE = "cadre", _("干部网络学院")


class Field(models.TextChoices):
    """What a column of an export can hold."""

    NAME = "name", _("姓名")
    ORG = "org", _("所属组织")
    PHONE = "phone", _("手机号")
    TOTAL = "total", _("总积分")
    YEAR = "year", _("年度积分")
    MONTH = "month", _("月度积分")
    DAILY_AVERAGE = "daily_average", _("日均分")
    HOURS = "hours", _("学时")
    IGNORE = "ignore", _("不导入")


class ColumnMapping(models.Model):
    """The column headings → fields a platform's exports use, remembered from the last import."""

    platform = models.CharField(_("平台"), max_length=10, choices=Platform, unique=True)
    mapping = models.JSONField(_("列对应"), default=dict)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("列对应")
        verbose_name_plural = _("列对应")

    def __str__(self) -> str:
        return self.get_platform_display()


class OrgAlias(models.Model):
    """A platform organisation name (中共茫崖市委宣传部支部) mapped to a unit, within a scope.

    `scope_unit` is the top of the scope of whoever made it: a liaison's mapping applies to
    imports within their unit's subtree only, and targets a unit in it; the office's (made on a
    city-wide import) applies city-wide. Where several apply, the narrowest scope wins. Saved
    only when an import is confirmed (a preview keeps its mappings on `PointImport.staged`);
    blank `scope_unit` is a mapping from before scopes, applying everywhere.
    """

    platform = models.CharField(_("平台"), max_length=10, choices=Platform)
    name = models.CharField(_("平台组织名称"), max_length=200)
    unit = models.ForeignKey("org.Unit", verbose_name=_("单位"), on_delete=models.CASCADE)
    scope_unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("适用范围"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("平台组织对应")
        verbose_name_plural = _("平台组织对应")
        constraints = [
            models.UniqueConstraint(
                fields=["platform", "name", "scope_unit"], name="org_alias_unique_in_scope"
            ),
            models.UniqueConstraint(
                fields=["platform", "name"],
                condition=models.Q(scope_unit__isnull=True),
                name="org_alias_unique_unscoped",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} → {self.unit}"


class PersonAlias(models.Model):
    """A name as the platform writes it, matched by hand to a person and remembered.

    `org_name` is the platform organisation it appeared under (blank: under any)."""

    platform = models.CharField(_("平台"), max_length=10, choices=Platform)
    name = models.CharField(_("平台姓名"), max_length=100)
    org_name = models.CharField(_("平台组织名称"), max_length=200, blank=True)
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("人员"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("人员别名")
        verbose_name_plural = _("人员别名")
        constraints = [
            models.UniqueConstraint(
                fields=["platform", "org_name", "name"], name="person_alias_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} → {self.person}"


class AbsentPolicy(models.TextChoices):
    """What a confirmed import does to people of its scope who are not in the file."""

    NOT_EXPORTED = "absent", _("记为“未在导出中”（不计为已注册，积分为 0）")
    KEEP = "keep", _("保留此前导入的数据")


class PointImport(models.Model):
    """One uploaded export for one platform and period, from preview to confirmed (or undone).

    `unit` is the unit whose scope the import covers (the liaison's unit, or the office's root);
    confirming replaces a confirmed import of the same platform, unit and period (`replaces`),
    never doubling it.
    """

    class Status(models.TextChoices):
        PREVIEW = "preview", _("待确认")
        CONFIRMED = "confirmed", _("已导入")
        REPLACED = "replaced", _("已被替换")
        UNDONE = "undone", _("已撤销")
        DISCARDED = "discarded", _("已放弃")

    platform = models.CharField(_("平台"), max_length=10, choices=Platform)
    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("导入范围"), on_delete=models.PROTECT, related_name="+"
    )
    period_start = models.DateField(_("起始日期"))
    period_end = models.DateField(_("截止日期"))
    status = models.CharField(
        _("状态"), max_length=10, choices=Status, default=Status.PREVIEW, db_index=True
    )
    file_name = models.CharField(_("文件名"), max_length=200)
    file_sha256 = models.CharField(_("文件指纹"), max_length=64, db_index=True)
    attachment = models.ForeignKey(
        "files.Attachment",
        verbose_name=_("上传文件"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    title = models.CharField(_("文件标题"), max_length=200, blank=True)
    period_from_file = models.BooleanField(_("期间取自文件"), default=False)
    header_row = models.PositiveIntegerField(_("表头所在行"), default=1)
    mapping = models.JSONField(_("列对应"), default=dict)
    is_cumulative = models.BooleanField(
        _("仅有累计数"),
        default=False,
        help_text=_("文件只给出累计数时，本期数由上一次导入的累计数推算。"),
    )
    # What the preview decided that outlives it, saved only on confirm: {"orgs": {platform
    # organisation: unit id}, "people": [[organisation, name, person id], …]}.
    staged = models.JSONField(_("待保存的对应"), default=dict, blank=True)
    absent_policy = models.CharField(
        _("文件中没有的人员"),
        max_length=10,
        choices=AbsentPolicy,
        default=AbsentPolicy.NOT_EXPORTED,
    )
    # People of the import's scope absent from the file, as confirmed (their ids).
    absent_people = models.JSONField(_("未在导出中的人员"), default=list, blank=True)
    absent_count = models.PositiveIntegerField(_("未在导出中"), default=0)
    row_count = models.PositiveIntegerField(_("数据行数"), default=0)
    matched_count = models.PositiveIntegerField(_("已匹配"), default=0)
    unmatched_count = models.PositiveIntegerField(_("未匹配"), default=0)
    skipped_count = models.PositiveIntegerField(_("跳过"), default=0)
    outside_count = models.PositiveIntegerField(_("范围外"), default=0)
    ignored_count = models.PositiveIntegerField(_("空行及合计行"), default=0)
    record_count = models.PositiveIntegerField(_("入库条数"), default=0)
    derived_count = models.PositiveIntegerField(_("推算条数"), default=0)
    replaces = models.ForeignKey(
        "self",
        verbose_name=_("替换的导入"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("上传时间"), default=timezone.now)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    undone_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("平台数据导入")
        verbose_name_plural = _("平台数据导入")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["platform", "unit", "period_start", "status"])]

    def __str__(self) -> str:
        return f"{self.get_platform_display()} {self.period_start}–{self.period_end}"


class ImportRow(models.Model):
    """A parsed row of an import awaiting confirmation, with its match (the preview)."""

    class Match(models.TextChoices):
        MATCHED = "matched", _("已匹配")
        AMBIGUOUS = "ambiguous", _("同名待选")
        UNMATCHED = "unmatched", _("未匹配")
        SKIPPED = "skipped", _("跳过")
        OUTSIDE = "outside", _("不在导入范围")

    point_import = models.ForeignKey(
        PointImport, on_delete=models.CASCADE, related_name="rows", db_index=False
    )  # the index (point_import, match) serves it
    row_number = models.PositiveIntegerField(_("行号"))
    name = models.CharField(_("姓名"), max_length=100)
    org_name = models.CharField(_("所属组织"), max_length=200, blank=True)
    phone = models.CharField(_("手机号"), max_length=20, blank=True)
    values = models.JSONField(_("数值"), default=dict)
    # The figures as parsed, in the columns PointRecord has, so that confirming is one
    # INSERT … SELECT rather than 200,000 objects.
    value = models.DecimalField(_("本期"), max_digits=12, decimal_places=2, null=True, blank=True)
    total = models.DecimalField(_("累计"), max_digits=12, decimal_places=2, null=True, blank=True)
    year_value = models.DecimalField(
        _("年度"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    daily_average = models.DecimalField(
        _("日均"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    match = models.CharField(_("匹配"), max_length=10, choices=Match, default=Match.UNMATCHED)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    # No index of their own on person and unit: rows are only ever read by import, and every
    # B-tree less is time saved when a province's 200,000 rows are staged.
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
    )
    unit = models.ForeignKey(
        "org.Unit",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
    )
    candidates = models.JSONField(_("候选人员"), default=list, blank=True)

    class Meta:
        verbose_name = _("导入预览行")
        verbose_name_plural = _("导入预览行")
        ordering = ["point_import", "row_number"]
        indexes = [models.Index(fields=["point_import", "match"])]

    def __str__(self) -> str:
        return f"{self.row_number}: {self.name}"


class PointRecord(models.Model):
    """One person's figures on one platform for one period, from a confirmed import.

    `value` is what the period brought (points gained, hours earned) — given by the export, or
    derived from two consecutive cumulative totals (`is_derived`); `total` the cumulative figure
    where the export gives one. `unit` is the unit the person was matched in, kept so that a
    past month stays as it was when people move.
    """

    # point_import and person have no single-column index: the unique constraint
    # (point_import, person) and the index (person, platform, period_start) start with them.
    point_import = models.ForeignKey(
        PointImport, on_delete=models.CASCADE, related_name="records", db_index=False
    )
    platform = models.CharField(_("平台"), max_length=10, choices=Platform)
    period_start = models.DateField(_("起始日期"))
    period_end = models.DateField(_("截止日期"))
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("人员"),
        on_delete=models.CASCADE,
        related_name="point_records",
        db_index=False,
    )
    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("单位"), on_delete=models.PROTECT, related_name="+"
    )
    value = models.DecimalField(_("本期"), max_digits=12, decimal_places=2, null=True, blank=True)
    total = models.DecimalField(_("累计"), max_digits=12, decimal_places=2, null=True, blank=True)
    year_value = models.DecimalField(
        _("年度"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    daily_average = models.DecimalField(
        _("日均"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    is_derived = models.BooleanField(_("由累计推算"), default=False)

    class Meta:
        verbose_name = _("平台学习数据")
        verbose_name_plural = _("平台学习数据")
        constraints = [
            models.UniqueConstraint(
                fields=["point_import", "person"], name="point_record_unique_person"
            ),
        ]
        indexes = [
            models.Index(fields=["platform", "period_start", "unit"]),
            models.Index(fields=["person", "platform", "period_start"]),
        ]

    def __str__(self) -> str:
        return f"{self.person} {self.period_start}: {self.value}"


class LearningSettings(models.Model):
    """What platform figures may be shown and used, for the units under `unit` (nearest wins).

    The defaults follow the 2026 rules: per-person rankings seen only by the person and their
    managers, unit figures published, top learners commended, no reminders naming units, and
    platform figures kept out of assessment scores.
    """

    class RankingVisibility(models.TextChoices):
        SELF_AND_MANAGERS = "managers", _("仅本人和管理者可见")
        UNIT = "unit", _("本单位可见")
        SCOPE = "scope", _("有权查看该单位的人员可见")

    unit = models.OneToOneField(
        "org.Unit", verbose_name=_("适用单位"), on_delete=models.CASCADE, related_name="+"
    )
    person_ranking_visibility = models.CharField(
        _("个人排名可见范围"),
        max_length=10,
        choices=RankingVisibility,
        default=RankingVisibility.SELF_AND_MANAGERS,
    )
    publish_unit_figures = models.BooleanField(_("公布单位数据"), default=True)
    commend_top_learners = models.BooleanField(_("表扬学习先进个人"), default=True)
    commend_count = models.PositiveSmallIntegerField(_("表扬人数"), default=10)
    remind_units = models.BooleanField(_("通报提醒未达标单位"), default=False)
    use_in_assessment = models.BooleanField(_("计入考核评分"), default=False)
    active_points = models.DecimalField(
        _("活跃标准（月积分）"), max_digits=8, decimal_places=2, default=300
    )
    active_hours = models.DecimalField(
        _("活跃标准（月学时）"), max_digits=8, decimal_places=2, default=2
    )
    registration_rate_threshold = models.DecimalField(
        _("注册率提醒线（%）"), max_digits=5, decimal_places=2, default=95
    )
    active_rate_threshold = models.DecimalField(
        _("活跃率提醒线（%）"), max_digits=5, decimal_places=2, default=60
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("平台数据使用设置")
        verbose_name_plural = _("平台数据使用设置")

    def __str__(self) -> str:
        return str(self.unit)


class SettingChange(models.Model):
    """A change of one setting, with the reason the office gave (shown beside the setting)."""

    rules = models.ForeignKey(LearningSettings, on_delete=models.CASCADE, related_name="changes")
    field = models.CharField(_("设置项"), max_length=50)
    old_value = models.CharField(_("原值"), max_length=100)
    new_value = models.CharField(_("新值"), max_length=100)
    reason = models.TextField(_("理由"))
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("设置变更")
        verbose_name_plural = _("设置变更")
        ordering = ["-changed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.field}: {self.old_value} → {self.new_value}"


class MonthlySummary(models.Model):
    """The monthly summary (一月一汇总) as generated for a unit subtree, month and platform.

    The scheduled job writes one on the 1st for the month before and notifies the liaisons:
    that is the summary as published (`published`: the per-unit figures of the month and of the
    month before, and the imports counted; `published_at`), kept as it was and never written
    again. `data` is the latest count, stored again after each import of the month, from which
    the pages read today's figures.
    """

    platform = models.CharField(_("平台"), max_length=10, choices=Platform)
    unit = models.ForeignKey("org.Unit", verbose_name=_("单位"), on_delete=models.CASCADE)
    month = models.DateField(_("月份"))
    data = models.JSONField(_("汇总数据"), default=dict)
    generated_at = models.DateTimeField(_("生成时间"), default=timezone.now)
    published = models.JSONField(_("发布时的数据"), default=dict, blank=True)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("月度汇总")
        verbose_name_plural = _("月度汇总")
        ordering = ["-month", "platform"]
        constraints = [
            models.UniqueConstraint(
                fields=["platform", "unit", "month"], name="monthly_summary_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.month:%Y-%m}"


class NoticeTemplate(models.Model):
    """The office's Word template of the half-year notice (downloaded, edited, uploaded again)."""

    attachment = models.ForeignKey(
        "files.Attachment", verbose_name=_("模板文件"), on_delete=models.PROTECT, related_name="+"
    )
    unit = models.ForeignKey("org.Unit", verbose_name=_("单位"), on_delete=models.CASCADE)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("通报模板")
        verbose_name_plural = _("通报模板")
        ordering = ["-uploaded_at", "-id"]

    def __str__(self) -> str:
        return str(self.attachment)


class HalfYearNotice(models.Model):
    """The half-year notice (半年一通报) issued by an office for its units."""

    platform = models.CharField(_("平台"), max_length=10, choices=Platform)
    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("发文单位"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    half = models.PositiveSmallIntegerField(_("半年"), choices=[(1, _("上半年")), (2, _("下半年"))])
    number = models.CharField(_("文号"), max_length=50)
    title = models.CharField(_("标题"), max_length=200)
    recipients = models.CharField(_("主送"), max_length=500)
    data = models.JSONField(_("通报数据"), default=dict)
    document = models.ForeignKey(
        "files.Attachment",
        verbose_name=_("通报文件"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    issued_at = models.DateTimeField(_("印发时间"), default=timezone.now)

    class Meta:
        verbose_name = _("半年通报")
        verbose_name_plural = _("半年通报")
        ordering = ["-issued_at", "-id"]

    def __str__(self) -> str:
        return self.title


class NoticeReceipt(models.Model):
    """A unit's read receipt of a half-year notice: who of the unit read it first, and when."""

    notice = models.ForeignKey(HalfYearNotice, on_delete=models.CASCADE, related_name="receipts")
    unit = models.ForeignKey("org.Unit", on_delete=models.CASCADE, related_name="+")
    read_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    read_at = models.DateTimeField(_("阅读时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("阅读回执")
        verbose_name_plural = _("阅读回执")
        constraints = [
            models.UniqueConstraint(fields=["notice", "unit"], name="notice_receipt_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.notice} / {self.unit}"
