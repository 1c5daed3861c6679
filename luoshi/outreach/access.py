"""Who sees and manages lecture teams and targets; lectures follow the ledger's scope.

Teams and targets are configuration, like activity types: whoever has ledger access sees them (a
team lectures across units, and any recorder must be able to pick the place reached). A team is
managed by the liaison of its leading unit (`ledger.record`) and by the office
(`ledger.configure`); targets by the office. The lectures themselves are ledger activities and
are seen only within `ledger.view` scope.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from luoshi.ledgers.models import ActivityType, Category
from luoshi.org.access import scope_for
from luoshi.org.models import Unit

from .models import LectureTarget, LectureTeam

# A team is managed by its leading unit's liaison (record) or the office (configure); the units
# where a user may lead one are `org.access.units_with_any_perm(user, *TEAM_PERMS)`.
TEAM_PERMS = ("ledger.record", "ledger.configure")


def can_record_lectures(user) -> bool:
    """A lecture is the unit's record: plain staff record only their own personal study."""
    return scope_for(user, "ledger.record").covers_units()


def _has_ledger(user) -> bool:
    return getattr(user, "is_authenticated", False) and not scope_for(user, "ledger.view").is_empty


def visible_teams(user) -> QuerySet[LectureTeam]:
    if not _has_ledger(user):
        return LectureTeam.objects.none()
    return LectureTeam.objects.select_related("unit", "leader")


def visible_lecture_targets(user) -> QuerySet[LectureTarget]:
    if not _has_ledger(user):
        return LectureTarget.objects.none()
    return LectureTarget.objects.select_related("unit")


def can_manage_team(user, unit: Unit | None) -> bool:
    if unit is None:
        return False
    return any(scope_for(user, perm).contains(unit) for perm in TEAM_PERMS)


def can_manage_target(user, unit: Unit | None) -> bool:
    return unit is not None and scope_for(user, "ledger.configure").contains(unit)


def get_team_for_user(user, pk: int, *, write: bool = False) -> LectureTeam:
    team = visible_teams(user).filter(pk=pk).first()
    if team is None:
        raise Http404
    if write and not can_manage_team(user, team.unit):
        raise PermissionDenied(_("您不能管理这支宣讲队。"))
    return team


def get_lecture_target_for_user(user, pk: int, *, write: bool = False) -> LectureTarget:
    target = visible_lecture_targets(user).filter(pk=pk).first()
    if target is None:
        raise Http404
    if write and not can_manage_target(user, target.unit):
        raise PermissionDenied(_("只有行动办可以维护宣讲覆盖点。"))
    return target


def lecture_types() -> QuerySet[ActivityType]:
    """Active lecture-category activity types (挎包宣讲 in the demo)."""
    return ActivityType.objects.filter(category=Category.LECTURE, is_active=True).order_by(
        "sort_order", "id"
    )
