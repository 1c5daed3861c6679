"""The organisation tree, who belongs where, and which roles people hold on which units."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from luoshi.lib.text import name_key


class UnitKind(models.TextChoices):
    PREFECTURE = "prefecture", _("州")
    CITY = "city", _("市/县")
    DEPARTMENT = "department", _("部门")
    SECTION = "section", _("科室")
    TOWN = "town", _("乡镇")
    COMMUNITY = "community", _("社区/村")
    SCHOOL = "school", _("学校")
    ENTERPRISE = "enterprise", _("企业")
    OTHER = "other", _("其他")


class UnitQuerySet(models.QuerySet):
    def alive(self) -> "UnitQuerySet":
        return self.filter(deleted_at__isnull=True)

    def subtree_of(self, unit: "Unit") -> "UnitQuerySet":
        return self.filter(path__startswith=unit.path)

    def search(self, text: str) -> "UnitQuerySet":
        text = text.strip().lower()
        if not text:
            return self
        return self.filter(
            models.Q(name__icontains=text)
            | models.Q(name_key__contains=name_key(text) or text)
            | models.Q(short_name__icontains=text)
            | models.Q(initials__startswith=text)
            | models.Q(pinyin__startswith=text)
        )


class Unit(models.Model):
    """A node of the organisation tree (州 > 市 > 部门 > 科室; 镇 > 社区; 学校; 企业).

    `path` is the materialised path of ids ("/1/4/17/"): a subtree is one indexed prefix query,
    whatever its depth, which is what data scopes, roll-ups and pickers need most.
    """

    name = models.CharField(_("名称"), max_length=100)
    short_name = models.CharField(_("简称"), max_length=50, blank=True)
    kind = models.CharField(_("类型"), max_length=20, choices=UnitKind, default=UnitKind.DEPARTMENT)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(max_length=255, db_index=True, editable=False)
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    sort_order = models.IntegerField(_("排序"), default=0)
    pinyin = models.CharField(max_length=300, blank=True, db_index=True, editable=False)
    initials = models.CharField(max_length=100, blank=True, db_index=True, editable=False)
    # lib.text.name_key(name): what imports match and searches look in, so that
    # "市委宣传部(新闻办)" finds "市委宣传部（新闻办）".
    # A database default too, so that a row written without it (an older migration's code) is valid.
    name_key = models.CharField(
        max_length=100, blank=True, db_default="", db_index=True, editable=False
    )
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("主要负责人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    deleted_at = models.DateTimeField(null=True, blank=True)

    objects = UnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("单位")
        verbose_name_plural = _("单位")
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(
                fields=["parent", "name"],
                condition=models.Q(deleted_at__isnull=True),
                name="unit_unique_name_per_parent",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        return self.short_name or self.name


class Membership(models.Model):
    """A person's place in a unit, with their position there; a person may hold several (兼职)."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="memberships")
    position = models.CharField(_("职务"), max_length=100, blank=True)
    is_primary = models.BooleanField(_("主职"), default=True)
    sort_order = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("任职")
        verbose_name_plural = _("任职")
        constraints = [
            models.UniqueConstraint(fields=["person", "unit"], name="membership_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.person} @ {self.unit}"


class Role(models.TextChoices):
    OFFICE = "office", _("行动办")
    LIAISON = "liaison", _("联络员")
    LEADER = "leader", _("领导")
    STAFF = "staff", _("干部职工")
    CENTRE = "centre", _("文明实践中心")
    VOLUNTEER = "volunteer", _("志愿者")
    SYSADMIN = "sysadmin", _("系统管理员")
    SECADMIN = "secadmin", _("安全管理员")
    AUDITOR = "auditor", _("审计管理员")


ADMIN_ROLES = frozenset({Role.SYSADMIN, Role.SECADMIN, Role.AUDITOR})


class Scope(models.TextChoices):
    SELF = "self", _("仅本人")
    UNIT = "unit", _("本单位")
    SUBTREE = "subtree", _("本单位及下级")
    ALL = "all", _("全部")
    CUSTOM = "custom", _("自定义单位")


class RoleGrant(models.Model):
    """One role held by one person on one unit, with the data scope it reaches (数据权限).

    Permissions are resolved per feature: what a grant allows is what its role allows, over the
    units its scope reaches, never the union of every grant's scope with every grant's powers.
    """

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="role_grants"
    )
    role = models.CharField(_("角色"), max_length=20, choices=Role)
    unit = models.ForeignKey(Unit, verbose_name=_("所在单位"), on_delete=models.PROTECT)
    scope = models.CharField(_("数据范围"), max_length=10, choices=Scope, default=Scope.UNIT)
    custom_units = models.ManyToManyField(
        Unit, verbose_name=_("自定义单位"), blank=True, related_name="+"
    )
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    granted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("角色授权")
        verbose_name_plural = _("角色授权")
        constraints = [
            models.UniqueConstraint(fields=["person", "role", "unit"], name="grant_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.get_role_display()} · {self.unit}"
