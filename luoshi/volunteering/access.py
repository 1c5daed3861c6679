"""Who sees and manages volunteers, teams, activities, hours and orders.

Volunteers and their hours follow the registering (or recording) unit: `volunteer.view` over
the unit's scope (the liaison of the unit, the leader above it, the centre over its subtree);
`volunteer.manage` registers volunteers, sets up teams and publishes activities on the unit;
`volunteer.centre` sets the monthly themes, handles orders and rules on objections. A volunteer
always sees their own record. A team's leaders manage its members and its activities'
sign-ups. Recruiting activities are open to everyone who may join (`volunteer.join`).
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from luoshi.ledgers.models import Activity, ActivityType, Category
from luoshi.org.access import has_perm, scope_for
from luoshi.org.models import Unit

from .models import (
    Certificate,
    Objection,
    PracticeUnit,
    PrescribedAction,
    ServiceActivity,
    ServiceHours,
    ServiceOrder,
    SignUp,
    Skill,
    Team,
    Theme,
    Volunteer,
)


def _authenticated(user) -> bool:
    return getattr(user, "is_authenticated", False)


def _reach(scope, prefix: str) -> Q:
    """The scope as a condition to OR with others: "everything" is Q() in `units_q`, which an OR
    would drop, so it is spelled as a condition that holds for every row."""
    if scope.everything:
        return Q(**{f"{prefix}isnull": False})
    return scope.units_q(prefix)


def own_volunteer(user) -> Volunteer | None:
    """The volunteer record of `user`'s own account, if they registered."""
    if not _authenticated(user):
        return None
    if not hasattr(user, "_luoshi_volunteer"):
        user._luoshi_volunteer = Volunteer.objects.filter(person=user).first()
    found: Volunteer | None = user._luoshi_volunteer
    return found


def forget_own_volunteer(user) -> None:
    if hasattr(user, "_luoshi_volunteer"):
        delattr(user, "_luoshi_volunteer")


def may_use(user) -> bool:
    """Whether the volunteer pages are for `user` at all."""
    return any(
        has_perm(user, perm)
        for perm in ("volunteer.join", "volunteer.view", "volunteer.manage", "volunteer.centre")
    )


def require_use(user) -> None:
    """PermissionDenied for a person with none of the volunteer permissions."""
    if not may_use(user):
        raise PermissionDenied(_("您没有使用志愿服务的权限。"))


def visible_skills(user) -> QuerySet[Skill]:
    if not may_use(user):
        return Skill.objects.none()
    return Skill.objects.all()


def registration_units(user) -> QuerySet[Unit]:
    """Where `user` may register volunteers: the units they manage, the 文明实践 所/站 and their
    own units (for themself)."""
    units = managed_units(user) | Unit.objects.alive().filter(
        pk__in=PracticeUnit.objects.values("unit_id")
    )
    units = units | Unit.objects.alive().filter(memberships__person=user)
    return units.distinct()


def is_centre(user) -> bool:
    return has_perm(user, "volunteer.centre")


def can_view_unit(user, unit: Unit | None) -> bool:
    return unit is not None and scope_for(user, "volunteer.view").contains(unit)


def can_manage_unit(user, unit: Unit | None) -> bool:
    return unit is not None and scope_for(user, "volunteer.manage").contains(unit)


def can_publish(user, unit: Unit | None, team: Team | None = None) -> bool:
    """Publishing records a ledger activity of `unit`: its managers who keep its ledger
    (volunteer.manage and ledger.record there) for any of its activities, and a leader of the
    unit's active `team` for that team's activities."""
    if unit is None:
        return False
    if can_manage_unit(user, unit) and scope_for(user, "ledger.record").contains(unit):
        return True
    return (
        team is not None
        and team.is_active
        and team.unit_id == unit.pk
        and led_teams(user).filter(pk=team.pk).exists()
    )


def managed_units(user) -> QuerySet[Unit]:
    scope = scope_for(user, "volunteer.manage")
    if not scope.covers_units():
        return Unit.objects.none()
    return Unit.objects.alive().filter(scope.units_q())


def publishing_units(user) -> QuerySet[Unit]:
    """The units `user` may publish activities of: those they manage and keep the ledger of,
    and those of the active teams they lead."""
    led = Unit.objects.alive().filter(
        pk__in=led_teams(user).filter(is_active=True).values("unit_id")
    )
    ledger = scope_for(user, "ledger.record")
    if not ledger.covers_units():
        return led
    return managed_units(user).filter(ledger.units_q()) | led


# --- Volunteers -----------------------------------------------------------------------------------


def visible_volunteers(user) -> QuerySet[Volunteer]:
    """Volunteers registered at units in `volunteer.view` scope, and one's own record."""
    if not _authenticated(user):
        return Volunteer.objects.none()
    scope = scope_for(user, "volunteer.view")
    condition = Q(person=user)
    if scope.covers_units():
        condition |= _reach(scope, "unit__")
    return Volunteer.objects.filter(condition).select_related("unit", "person")


def can_edit_volunteer(user, volunteer: Volunteer) -> bool:
    return volunteer.person_id == user.pk or can_manage_unit(user, volunteer.unit)


def can_see_identity(user, volunteer: Volunteer) -> bool:
    """The full name, phone and ID number: the volunteer and the managers of their unit."""
    return can_edit_volunteer(user, volunteer)


def get_volunteer_for_user(user, pk: int, *, write: bool = False) -> Volunteer:
    volunteer = visible_volunteers(user).filter(pk=pk).first()
    if volunteer is None:
        raise Http404
    if write and not can_edit_volunteer(user, volunteer):
        raise PermissionDenied(_("您不能修改这名志愿者的信息。"))
    return volunteer


# --- Teams ----------------------------------------------------------------------------------------


def led_teams(user) -> QuerySet[Team]:
    """The teams `user` leads (队长)."""
    volunteer = own_volunteer(user)
    if volunteer is None:
        return Team.objects.none()
    return Team.objects.filter(
        members__volunteer=volunteer, members__is_leader=True
    ).select_related("unit")


def visible_teams(user) -> QuerySet[Team]:
    """Teams are public to everyone who uses volunteering (volunteers pick activities by team)."""
    if not may_use(user):
        return Team.objects.none()
    return Team.objects.select_related("unit")


def can_manage_team(user, team: Team) -> bool:
    return can_manage_unit(user, team.unit)


def can_lead_team(user, team: Team) -> bool:
    """Team leaders and the unit's managers handle the team's sign-ups and members, its
    activities and the orders dispatched to it."""
    return can_manage_team(user, team) or led_teams(user).filter(pk=team.pk).exists()


def organising_teams(user) -> QuerySet[Team]:
    """The active teams `user` may publish activities for: those of the units they manage and
    those they lead."""
    led = Q(pk__in=led_teams(user).values("pk"))
    scope = scope_for(user, "volunteer.manage")
    condition = led | _reach(scope, "unit__") if scope.covers_units() else led
    return Team.objects.filter(condition, is_active=True).select_related("unit")


def records_for_team(user, activity_type: ActivityType, unit: Unit) -> bool:
    """The ledger's recorder hook: a leader of an active team of `unit` records its volunteer
    activities there (the publishing service checks which team)."""
    return (
        activity_type.category == Category.VOLUNTEER
        and led_teams(user).filter(unit=unit, is_active=True).exists()
    )


def get_team_for_user(user, pk: int, *, write: bool = False) -> Team:
    team = visible_teams(user).filter(pk=pk).first()
    if team is None:
        raise Http404
    if write and not can_lead_team(user, team):
        raise PermissionDenied(_("您不能管理这支志愿服务队。"))
    return team


# --- Themes and activities ------------------------------------------------------------------------


def visible_actions(user) -> QuerySet[PrescribedAction]:
    """Prescribed actions that were set up as tasks (any unit may see the month's actions)."""
    if not may_use(user):
        return PrescribedAction.objects.none()
    return PrescribedAction.objects.filter(plan_task__isnull=False).select_related("theme")


def visible_themes(user) -> QuerySet[Theme]:
    if not may_use(user):
        return Theme.objects.none()
    return Theme.objects.all()


def get_theme_for_user(user, pk: int, *, write: bool = False) -> Theme:
    theme = visible_themes(user).filter(pk=pk).first()
    if theme is None:
        raise Http404
    if write and not has_perm(user, "task.issue", theme.campaign.office_unit):
        raise PermissionDenied(_("只有文明实践中心可以维护月度主题。"))
    return theme


def visible_services(user) -> QuerySet[ServiceActivity]:
    """Volunteer activities are published to every volunteer (to sign up)."""
    if not may_use(user):
        return ServiceActivity.objects.none()
    return ServiceActivity.objects.filter(activity__deleted_at__isnull=True).select_related(
        "activity", "activity__unit", "team", "theme", "action"
    )


def can_organise(user, service: ServiceActivity) -> bool:
    """The organiser: the managers of the activity's unit, and the leaders of its team."""
    if can_manage_unit(user, service.activity.unit):
        return True
    return service.team_id is not None and led_teams(user).filter(pk=service.team_id).exists()


def get_service_for_user(user, pk: int, *, write: bool = False) -> ServiceActivity:
    service = visible_services(user).filter(pk=pk).first()
    if service is None:
        raise Http404
    if write and not can_organise(user, service):
        raise PermissionDenied(_("只有活动组织方可以管理此活动。"))
    return service


def service_types() -> QuerySet[ActivityType]:
    return ActivityType.objects.filter(category=Category.VOLUNTEER, is_active=True).order_by(
        "sort_order", "id"
    )


def activity_of(service: ServiceActivity) -> Activity:
    return service.activity


# --- Sign-ups, hours, objections ------------------------------------------------------------------


def get_signup_for_user(user, pk: int, *, write: bool = False) -> SignUp:
    """One's own sign-up, or one of an activity one organises (or sees by scope)."""
    signup = (
        SignUp.objects.select_related("service__activity__unit", "service__team", "volunteer")
        .filter(pk=pk)
        .first()
    )
    if signup is None:
        raise Http404
    mine = signup.volunteer.person_id == getattr(user, "pk", None)
    organiser = can_organise(user, signup.service)
    if not (mine or organiser or can_view_unit(user, signup.service.activity.unit)):
        raise Http404
    if write and not (mine or organiser):
        raise PermissionDenied(_("您不能处理这条报名。"))
    return signup


def visible_hours(user) -> QuerySet[ServiceHours]:
    """Hours recorded by units in `volunteer.view` scope, and one's own."""
    if not _authenticated(user):
        return ServiceHours.objects.none()
    scope = scope_for(user, "volunteer.view")
    condition = Q(volunteer__person=user)
    if scope.covers_units():
        condition |= _reach(scope, "unit__")
    return ServiceHours.objects.filter(condition).select_related(
        "volunteer", "unit", "service__activity"
    )


def get_hours_for_user(user, pk: int, *, write: bool = False) -> ServiceHours:
    hours = visible_hours(user).filter(pk=pk).first()
    if hours is None:
        raise Http404
    if write and not can_organise(user, hours.service):
        raise PermissionDenied(_("只有活动组织方可以修改服务时长。"))
    return hours


def get_objection_for_user(user, pk: int) -> Objection:
    objection = (
        Objection.objects.select_related("hours__volunteer", "hours__service__activity__unit")
        .filter(pk=pk, hours__in=visible_hours(user))
        .first()
    )
    if objection is None:
        raise Http404
    return objection


# --- Orders and certificates ----------------------------------------------------------------------


def visible_orders(user) -> QuerySet[ServiceOrder]:
    """The centre sees every order; a team's leaders and unit managers see those dispatched to
    the team."""
    if not _authenticated(user):
        return ServiceOrder.objects.none()
    if is_centre(user):
        return ServiceOrder.objects.select_related("team", "task")
    scope = scope_for(user, "volunteer.manage")
    condition = Q(team__in=led_teams(user))
    if scope.covers_units():
        condition |= _reach(scope, "team__unit__")
    return ServiceOrder.objects.filter(condition).select_related("team", "task")


def can_handle_order(user, order: ServiceOrder) -> bool:
    """接单, hand back, close: the leaders of the team the order was dispatched to and the
    managers of its unit."""
    return order.team is not None and can_lead_team(user, order.team)


def moves_order_task(user, perm: str, task) -> bool:
    """The chain's delegate hook: the leaders of the team an order was dispatched to sign and
    take on its task (接单), as the unit's liaison would."""
    return perm in ("task.sign", "task.assign") and (
        ServiceOrder.objects.filter(task=task, team__in=led_teams(user)).exists()
    )


def get_order_for_user(user, pk: int) -> ServiceOrder:
    order = visible_orders(user).filter(pk=pk).first()
    if order is None:
        raise Http404
    return order


def visible_certificates(user) -> QuerySet[Certificate]:
    if not _authenticated(user):
        return Certificate.objects.none()
    scope = scope_for(user, "volunteer.view")
    condition = Q(volunteer__person=user)
    if scope.covers_units():
        condition |= _reach(scope, "issuer__")
    return Certificate.objects.filter(condition).select_related("volunteer", "issuer")


def get_certificate_for_user(user, pk: int) -> Certificate:
    certificate = visible_certificates(user).filter(pk=pk).first()
    if certificate is None:
        raise Http404
    return certificate
