"""The filters of the import history and the notice list, one each for the page, its export and
the API, so that all three list the same rows for the same filter and user."""

import datetime
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from luoshi.org.models import Unit

from ..models import HalfYearNotice, ImportRow, Platform, PointImport

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
