"""Who sees and works on which platform imports: 404 outside scope.

An import belongs to the unit whose scope it covers. Whoever holds `learning.view` on that unit
sees it (the history, the preview); changing it (mapping, matches, confirm, undo) needs
`learning.import` on it — PermissionDenied where visible but not writable.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from luoshi.org.access import scope_for, units_for_picker
from luoshi.org.models import Unit

from .models import ImportRow, PointImport


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


def get_row_for_user(user, point_import: PointImport, pk: int) -> ImportRow:
    """A preview row of an import already fetched through `get_import_for_user`."""
    row = ImportRow.objects.filter(point_import=point_import, pk=pk).first()
    if row is None:
        raise Http404
    return row


def import_units(user) -> QuerySet[Unit]:
    """Units `user` may import platform figures for."""
    return units_for_picker(user, "learning.import")
