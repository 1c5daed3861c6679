"""Who reaches which summaries, settings and notices: 404 outside scope.

Unit figures follow `learning.view` (and the settings' "publish unit figures"); per-person
rankings follow the settings (selectors.Viewer); settings and notices are written by the office
(`learning.configure`). A notice is read by the units it covers: whoever belongs to or has
`learning.view` on a unit within it, or reaches the issuing unit.
"""

from django.db.models import Q, QuerySet
from django.http import Http404

from luoshi.org.access import get_unit_in_scope, scope_for
from luoshi.org.models import Membership, RoleGrant, Unit

from .models import HalfYearNotice, NoticeTemplate
from .selectors import path_ids


def get_summary_unit_for_user(user, pk: int) -> Unit:
    """A unit whose summary `user` may open (learning.view on it), else 404."""
    return get_unit_in_scope(user, pk, perm="learning.view")


def get_unit_page_for_user(user, pk: int) -> Unit:
    """A unit whose own page (figures, people) `user` may open: learning.view on it, or one of
    the units they belong to (whether its figures show is the settings' call), else 404."""
    unit = Unit.objects.alive().filter(pk=pk).first()
    if unit is None:
        raise Http404
    if scope_for(user, "learning.view").contains(unit):
        return unit
    if Membership.objects.filter(person_id=user.pk, unit=unit).exists():
        return unit
    raise Http404


def get_settings_unit_for_user(user, pk: int) -> Unit:
    """A unit whose settings `user` may change (learning.configure on it), else 404."""
    return get_unit_in_scope(user, pk, perm="learning.configure")


def default_unit(user, perm: str = "learning.view") -> Unit | None:
    """The highest unit `user` reaches for `perm` (where a summary page opens by default)."""
    scope = scope_for(user, perm)
    if not scope.covers_units():
        return None
    return Unit.objects.alive().filter(scope.units_q()).order_by("depth", "path").first()


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


def get_notice_for_user(user, pk: int) -> HalfYearNotice:
    notice = (
        visible_notices(user).select_related("unit", "issued_by", "document").filter(pk=pk).first()
    )
    if notice is None:
        raise Http404
    return notice


def can_manage_notice(user, notice: HalfYearNotice) -> bool:
    """The office that may issue notices for the unit sees who has read it."""
    return scope_for(user, "learning.configure").contains(notice.unit)


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
