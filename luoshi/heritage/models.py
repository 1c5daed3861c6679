"""Heritage (红色资源): sites, routes as ordered sites and exhibitions.

A `Site` is a place of the region's red and industrial heritage (狮20井, 英雄地中四井, …); an
ledger activity held there has a `SiteVisit` naming it (one to one on the activity, as meetings,
lectures and publications keep theirs) and is counted per site.
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SiteKind(models.TextChoices):
    OIL_WELL = "oil_well", _("石油工业遗址")
    MILITARY = "military", _("军事设施")
    INDUSTRIAL = "industrial", _("工业遗址")
    MEMORIAL = "memorial", _("纪念场馆")
    EDUCATION = "education", _("教育基地")
    OTHER = "other", _("其他")


class Site(models.Model):
    """A heritage site: where it is, what it tells, who looks after it."""

    name = models.CharField(_("名称"), max_length=100, unique=True)
    kind = models.CharField(_("类别"), max_length=20, choices=SiteKind, default=SiteKind.OTHER)
    location = models.CharField(_("位置"), max_length=200, blank=True)
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(
        _("经度"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    description = models.TextField(_("简介"), blank=True)
    unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("管理单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("红色资源点位")
        verbose_name_plural = _("红色资源点位")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class SiteVisit(models.Model):
    """The heritage site a ledger activity was held at. Set with the record through the ledger's
    record part (luoshi.ledgers.hooks, registered in HeritageConfig.ready) or by
    services.set_activity_site."""

    activity = models.OneToOneField(
        "ledgers.Activity",
        verbose_name=_("活动"),
        on_delete=models.CASCADE,
        related_name="site_visit",
    )
    site = models.ForeignKey(
        Site, verbose_name=_("红色资源点位"), on_delete=models.PROTECT, related_name="visits"
    )

    class Meta:
        verbose_name = _("点位活动")
        verbose_name_plural = _("点位活动")
        ordering = ["activity"]

    def __str__(self) -> str:
        return f"{self.activity} @ {self.site}"


class RouteKind(models.TextChoices):
    RED_TOURISM = "red_tourism", _("红色旅游线路")
    STUDY = "study", _("学习体验线路")


class Route(models.Model):
    """A route through heritage sites in order (a 红色旅游线路 or a 学习体验线路)."""

    name = models.CharField(_("名称"), max_length=100, unique=True)
    kind = models.CharField(_("类别"), max_length=20, choices=RouteKind)
    description = models.TextField(_("简介"), blank=True)
    unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("管理单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("线路")
        verbose_name_plural = _("线路")
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.name


class RouteStop(models.Model):
    """One stop of a route: the site, its place in the order, what is done or told there."""

    route = models.ForeignKey(Route, on_delete=models.CASCADE, related_name="stops")
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="stops")
    position = models.PositiveSmallIntegerField(_("顺序"))
    notes = models.CharField(_("说明"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("线路站点")
        verbose_name_plural = _("线路站点")
        ordering = ["route", "position"]
        constraints = [
            models.UniqueConstraint(fields=["route", "position"], name="route_stop_position"),
        ]

    def __str__(self) -> str:
        return f"{self.route} {self.position}. {self.site}"


class Exhibition(models.Model):
    """An exhibition at a site or another venue, with its dates."""

    title = models.CharField(_("名称"), max_length=200)
    site = models.ForeignKey(
        Site,
        verbose_name=_("所在点位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="exhibitions",
    )
    venue = models.CharField(_("展出地点"), max_length=200, blank=True)
    starts_on = models.DateField(_("开展日期"))
    ends_on = models.DateField(_("闭展日期"), null=True, blank=True)
    description = models.TextField(_("简介"), blank=True)
    unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("主办单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("展览")
        verbose_name_plural = _("展览")
        ordering = ["-starts_on", "-id"]

    def __str__(self) -> str:
        return self.title

    @property
    def where(self) -> str:
        return self.venue or (self.site.name if self.site_id and self.site else "")
