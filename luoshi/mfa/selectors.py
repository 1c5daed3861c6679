"""What the 安全管理员's page lists: the units that require a second factor, and people with
whether they have enrolled."""

from dataclasses import dataclass

from django.db.models import QuerySet
from django_otp.plugins.otp_totp.models import TOTPDevice

from luoshi.accounts.models import User
from luoshi.org.access import require_perm, visible_people
from luoshi.org.models import ADMIN_ROLES, RoleGrant

from .models import EnrolmentDemand, UnitRequirement


@dataclass(frozen=True)
class PersonStatus:
    person: User
    enrolled: bool
    demanded: bool
    is_admin: bool


def unit_requirements(user) -> QuerySet[UnitRequirement]:
    require_perm(user, "security.manage")
    return UnitRequirement.objects.select_related("unit", "required_by").order_by("unit__path")


def people_status(user, text: str = "", *, limit: int = 50) -> list[PersonStatus]:
    """People in `user`'s security scope matching `text` (by default: those enrolled or made to
    enrol again), each with their two-factor state, in three queries."""
    require_perm(user, "security.manage")
    people = visible_people(user, "security.manage").filter(is_active=True)
    if text.strip():
        people = people.search(text)
    else:
        enrolled = TOTPDevice.objects.filter(confirmed=True).values("user_id")
        demanded = EnrolmentDemand.objects.values("user_id")
        people = people.filter(pk__in=enrolled) | people.filter(pk__in=demanded)
    found = list(people.order_by("pinyin", "id")[:limit])
    ids = [person.pk for person in found]
    enrolled_ids = set(
        TOTPDevice.objects.filter(user_id__in=ids, confirmed=True).values_list("user_id", flat=True)
    )
    demanded_ids = set(
        EnrolmentDemand.objects.filter(user_id__in=ids).values_list("user_id", flat=True)
    )
    admin_ids = set(
        RoleGrant.objects.filter(person_id__in=ids, role__in=ADMIN_ROLES).values_list(
            "person_id", flat=True
        )
    )
    return [
        PersonStatus(
            person=person,
            enrolled=person.pk in enrolled_ids,
            demanded=person.pk in demanded_ids,
            is_admin=person.pk in admin_ids,
        )
        for person in found
    ]
