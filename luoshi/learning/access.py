"""Who reaches which imports, summaries, settings and notices: 404 outside scope.

Imports: an import belongs to the unit whose scope it covers. Whoever holds `learning.view` on
that unit sees it (the history, the preview); changing it (mapping, matches, confirm, undo)
needs `learning.import` on it — PermissionDenied where visible but not writable.

Reports: unit figures follow `learning.view` (and the settings' "publish unit figures");
per-person rankings follow the settings (selectors.Viewer); settings and notices are written by
the office (`learning.configure`). A notice is read by the units it covers: whoever belongs to or
has `learning.view` on a unit within it, or reaches the issuing unit.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from luoshi.org.access import scope_for, units_for_picker, visible_people
from luoshi.org.models import Membership, RoleGrant, Unit

from .models import HalfYearNotice, ImportRow, NoticeTemplate, PointImport
from .selectors import path_ids

# --- Imports -------------------------------------------------------------------------------------


def visible_imports(user) -> QuerySet[PointImport]:
    """Imports for units in `user`'s `learning.view` scope."""
    scope = scope_for(user, "learning.view")
    if not scope.covers_units():
        return PointImport.objects.none()
    return PointImport.objects.filter(scope.units_q("unit__"))


def can_import_for(user, unit: Unit) -> bool:
    return scope_for(user, "learning.import").contains(unit)


def get_import_for_user(user, pk: int, *, write: bool = False) -> PointImport:
    """The import, or 404 outside `user`'s scope; PermissionDenied for `write` without
    `learning.import` on its unit."""
    point_import = (
        visible_imports(user)
        .select_related("unit", "created_by", "confirmed_by", "undone_by", "attachment")
        .filter(pk=pk)
        .first()
    )
    if point_import is None:
        raise Http404
    if write and not can_import_for(user, point_import.unit):
        raise PermissionDenied(_("您不能修改该单位的平台数据导入。"))
    return point_import


def get_row_for_user(user, pk: int, *, write: bool = False) -> ImportRow:
    """A preview row of an import `user` sees, or 404; PermissionDenied for `write` without
    `learning.import` on the import's unit. Callers that reach the row under an import's URL
    check that it is that import's row."""
    row = (
        ImportRow.objects.filter(point_import__in=visible_imports(user), pk=pk)
        .select_related("point_import__unit", "point_import__attachment")
        .first()
    )
    if row is None:
        raise Http404
    if write and not can_import_for(user, row.point_import.unit):
        raise PermissionDenied(_("您不能修改该单位的平台数据导入。"))
    return row


def import_units(user) -> QuerySet[Unit]:
    """Units `user` may import platform figures for."""
    return units_for_picker(user, "learning.import")


def get_import_unit_for_user(user, pk: int) -> Unit:
    """A unit `user` may import platform figures for (the scope of an upload, the unit a
    platform organisation maps to), else 404."""
    unit = import_units(user).filter(pk=pk).first()
    if unit is None:
        raise Http404
    return unit


def get_import_person_for_user(user, pk: int):
    """A person `user` may match an import row to (in their learning.import reach), else 404."""
    person = visible_people(user, "learning.import").filter(pk=pk).first()
    if person is None:
        raise Http404
    return person


def history_unit(user, pk: int | None) -> Unit | None:
    """The unit the import history is narrowed to (?unit=), if `user` has learning.view on it;
    None otherwise, and the list shows the whole scope."""
    if pk is None:
        return None
    scope = scope_for(user, "learning.view")
    if not scope.covers_units():
        return None
    return Unit.objects.filter(scope.units_q(), pk=pk).first()


# --- Summaries and settings ----------------------------------------------------------------------


def get_summary_unit_for_user(user, pk: int, *, write: bool = False) -> Unit:
    """A unit whose summary and ranking `user` may open (learning.view on it); with `write`, a
    unit whose settings and notices they manage (learning.configure on it). 404 outside either:
    the office pages list only the units the user configures, and another is not there for them.
    """
    perm = "learning.configure" if write else "learning.view"
    unit = Unit.objects.alive().filter(pk=pk).first()
    if unit is None or not scope_for(user, perm).contains(unit):
        raise Http404
    return unit


def get_unit_page_for_user(user, pk: int) -> Unit:
    """A unit whose own page (figures, people) `user` may open: learning.view on it, or one of
    the units they belong to (whether its figures show is the settings' call), else 404. Read
    only: nothing is written through a unit page."""
    unit = Unit.objects.alive().filter(pk=pk).first()
    if unit is None:
        raise Http404
    if scope_for(user, "learning.view").contains(unit):
        return unit
    if Membership.objects.filter(person_id=user.pk, unit=unit).exists():
        return unit
    raise Http404


def default_unit(user, perm: str = "learning.view") -> Unit | None:
    """The highest unit `user` reaches for `perm` (where a summary page opens by default)."""
    scope = scope_for(user, perm)
    if not scope.covers_units():
        return None
    return Unit.objects.alive().filter(scope.units_q()).order_by("depth", "path").first()


# --- Notices -------------------------------------------------------------------------------------


def _reached_ancestors(user) -> set[int]:
    """Every unit on the path of a unit `user` belongs to or holds a role on."""
    units = Unit.objects.filter(
        Q(pk__in=Membership.objects.filter(person_id=user.pk).values("unit_id"))
        | Q(pk__in=RoleGrant.objects.filter(person_id=user.pk).values("unit_id"))
    )
    ids: set[int] = set()
    for unit in units.only("id", "path"):
        ids.update(path_ids(unit))
    return ids


def visible_notices(user) -> QuerySet[HalfYearNotice]:
    """Notices issued for a subtree `user` is part of, or for units in their learning.view scope."""
    if not getattr(user, "is_authenticated", False):
        return HalfYearNotice.objects.none()
    scope = scope_for(user, "learning.view")
    if scope.everything:
        return HalfYearNotice.objects.all()
    condition = Q(unit_id__in=_reached_ancestors(user))
    if scope.covers_units():
        condition |= Q(unit__in=Unit.objects.filter(scope.units_q()).values("id"))
    return HalfYearNotice.objects.filter(condition)


def can_manage_notice(user, notice: HalfYearNotice) -> bool:
    """The office that may issue notices for the unit sees who has read it."""
    return scope_for(user, "learning.configure").contains(notice.unit)


def get_notice_for_user(user, pk: int, *, write: bool = False) -> HalfYearNotice:
    """The notice, or 404 where `user` does not read it; PermissionDenied for `write` without
    learning.configure on the issuing unit."""
    notice = (
        visible_notices(user).select_related("unit", "issued_by", "document").filter(pk=pk).first()
    )
    if notice is None:
        raise Http404
    if write and not can_manage_notice(user, notice):
        raise PermissionDenied
    return notice


def can_view_notice(user, notice: HalfYearNotice) -> bool:
    return visible_notices(user).filter(pk=notice.pk).exists()


def can_view_template(user, template: NoticeTemplate) -> bool:
    return scope_for(user, "learning.configure").contains(template.unit)


def register_files() -> None:
    """Let files.views.download serve notice documents and templates to those who may see them.
    Called from LearningConfig.ready()."""
    from luoshi.files.access import register

    register(HalfYearNotice, can_view_notice)
    register(NoticeTemplate, can_view_template)
