"""The filters of the import history and the notice list, one each for the page, its export and
the API, so that all three list the same rows for the same filter and user."""

import datetime
from dataclasses import dataclass

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from luoshi.org.access import scope_for
from luoshi.org.models import Unit

from ..models import HalfYearNotice, ImportRow, OrgAlias, Platform, PointImport

# The tabs of an import's preview (page) and its `match` filter (API): the rows of each.
ROW_GROUPS: dict[str, tuple[str, ...]] = {
    "pending": (ImportRow.Match.UNMATCHED, ImportRow.Match.AMBIGUOUS),
    "matched": (ImportRow.Match.MATCHED,),
    "outside": (ImportRow.Match.OUTSIDE,),
    "skipped": (ImportRow.Match.SKIPPED,),
}


@dataclass(frozen=True)
class ImportFilter:
    """The import history narrowed by platform, status, month (imports whose period touches it)
    and unit (imports for it and the units below). `unit` is one the user reaches (access)."""

    platform: str = ""
    status: str = ""
    month: datetime.date | None = None
    unit: Unit | None = None

    def apply(self, imports: QuerySet[PointImport]) -> QuerySet[PointImport]:
        if self.platform:
            imports = imports.filter(platform=self.platform)
        if self.status:
            imports = imports.filter(status=self.status)
        if self.month is not None:
            imports = imports.filter(
                period_start__lte=self.month.replace(day=28), period_end__gte=self.month
            )
        if self.unit is not None:
            imports = imports.filter(unit__path__startswith=self.unit.path)
        return imports

    def query(self) -> dict[str, str]:
        """The filter as query parameters (for the pages' links)."""
        params = {"platform": self.platform, "status": self.status}
        if self.month is not None:
            params["month"] = f"{self.month:%Y-%m}"
        if self.unit is not None:
            params["unit"] = str(self.unit.pk)
        return {key: value for key, value in params.items() if value}

    def describe(self) -> list[str]:
        """The filter in words, for the head of an export."""
        parts = []
        if self.platform:
            parts.append(_("平台：%(v)s") % {"v": Platform(self.platform).label})
        if self.status:
            parts.append(_("状态：%(v)s") % {"v": PointImport.Status(self.status).label})
        if self.month is not None:
            parts.append(_("统计月份：%(v)s") % {"v": f"{self.month:%Y-%m}"})
        if self.unit is not None:
            parts.append(_("导入范围：%(v)s") % {"v": self.unit.name} + _("（含下级）"))
        return parts


@dataclass(frozen=True)
class NoticeFilter:
    """The half-year notices of a year and a platform."""

    year: int | None = None
    platform: str = ""

    def apply(self, notices: QuerySet[HalfYearNotice]) -> QuerySet[HalfYearNotice]:
        if self.year:
            notices = notices.filter(year=self.year)
        if self.platform:
            notices = notices.filter(platform=self.platform)
        return notices

    def describe(self) -> list[str]:
        parts = []
        if self.year:
            parts.append(_("年度：%(v)s") % {"v": self.year})
        if self.platform:
            parts.append(_("平台：%(v)s") % {"v": Platform(self.platform).label})
        return parts


def visible_org_aliases(user) -> QuerySet[OrgAlias]:
    """The organisation mappings `user` sees: those whose scope lies in their
    `learning.import` scope (and the unscoped ones from before scopes, which apply to all).
    Each is annotated with `units`, how many different units the same platform organisation
    maps to across all scopes — more than one is a conflict the office sees."""
    scope = scope_for(user, "learning.import")
    if not scope.covers_units():
        return OrgAlias.objects.none()
    same = (
        OrgAlias.objects.filter(platform=OuterRef("platform"), name=OuterRef("name"))
        .order_by()
        .values("platform")
        .annotate(n=Count("unit_id", distinct=True))
        .values("n")
    )
    return (
        OrgAlias.objects.filter(scope.units_q("scope_unit__") | Q(scope_unit__isnull=True))
        .select_related("unit", "scope_unit", "created_by")
        .annotate(units=Coalesce(Subquery(same), 1))
        .order_by("platform", "name", "scope_unit__path")
    )


@dataclass(frozen=True)
class OrgAliasFilter:
    """The mapping list narrowed by platform, organisation name, and conflicts only."""

    platform: str = ""
    q: str = ""
    conflicts: bool = False

    def apply(self, aliases: QuerySet[OrgAlias]) -> QuerySet[OrgAlias]:
        if self.platform:
            aliases = aliases.filter(platform=self.platform)
        if self.q:
            aliases = aliases.filter(Q(name__icontains=self.q) | Q(unit__name__icontains=self.q))
        if self.conflicts:
            aliases = aliases.filter(units__gt=1)  # type: ignore[misc]  # annotated above
        return aliases

    def describe(self) -> list[str]:
        parts = []
        if self.platform:
            parts.append(_("平台：%(v)s") % {"v": Platform(self.platform).label})
        if self.q:
            parts.append(_("搜索：%(v)s") % {"v": self.q})
        if self.conflicts:
            parts.append(_("仅看有冲突的对应"))
        return parts
