"""Builders shared by the tests, the browser tests and the benchmarks: a small organisation with
one person per persona. Nothing here is imported by the application itself."""

import datetime
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from luoshi.accounts.models import User
from luoshi.campaigns import services as chain
from luoshi.campaigns.models import Campaign, Task
from luoshi.org import services as org
from luoshi.org.models import Role, Scope, Unit, UnitKind

PASSWORD = "Test@2026pass"


@dataclass
class World:
    """茫崖市 with its office (市委宣传部), unit A (市文体旅游广电局) and unit B (冷湖镇)."""

    city: Unit
    office_unit: Unit
    unit_a: Unit
    section_a: Unit
    unit_b: Unit
    office: User
    liaison: User
    staff: User
    staff2: User
    leader: User
    outsider: User
    sysadmin: User
    secadmin: User
    auditor: User
    campaign: Campaign


def person(
    username: str, name: str, unit: Unit, *, position: str = "", phone: str = "13800001234"
) -> User:
    return org.create_person(
        actor=None,
        username=username,
        name=name,
        unit=unit,
        position=position,
        phone=phone,
        password=PASSWORD,
        must_change_password=False,
        is_demo=True,
        audit=False,
    )


def build_world() -> World:
    prefecture = org.create_unit(actor=None, name="海西州", kind=UnitKind.PREFECTURE, audit=False)
    city = org.create_unit(
        actor=None, name="茫崖市", kind=UnitKind.CITY, parent=prefecture, audit=False
    )
    office_unit = org.create_unit(
        actor=None, name="市委宣传部", kind=UnitKind.DEPARTMENT, parent=city, audit=False
    )
    unit_a = org.create_unit(
        actor=None, name="市文体旅游广电局", kind=UnitKind.DEPARTMENT, parent=city, audit=False
    )
    section_a = org.create_unit(
        actor=None, name="办公室", kind=UnitKind.SECTION, parent=unit_a, audit=False
    )
    unit_b = org.create_unit(
        actor=None, name="冷湖镇", kind=UnitKind.TOWN, parent=city, audit=False
    )

    office = person("office", "王建国", office_unit, position="宣传部办公室主任")
    liaison = person("wtl", "李晓梅", unit_a, position="办公室主任", phone="13812345678")
    staff = person("staff", "张三", unit_a, position="科员", phone="13900005678")
    staff2 = person("staff2", "赵敏", section_a, position="科员")
    leader = person("leader", "陈志强", city, position="市委副书记")
    outsider = person("outsider", "马海燕", unit_b, position="党政办主任")
    sysadmin = person("sysadmin", "系统管理员", office_unit)
    secadmin = person("secadmin", "安全管理员", office_unit)
    auditor = person("auditor", "审计管理员", office_unit)
    org.add_membership(actor=None, person=staff2, unit=unit_a, position="科员", audit=False)

    org.grant_role(
        actor=None, person=office, role=Role.OFFICE, unit=city, scope=Scope.SUBTREE, audit=False
    )
    org.grant_role(
        actor=None, person=liaison, role=Role.LIAISON, unit=unit_a, scope=Scope.SUBTREE, audit=False
    )
    for staff_person in (liaison, staff, staff2):
        org.grant_role(
            actor=None,
            person=staff_person,
            role=Role.STAFF,
            unit=unit_a,
            scope=Scope.SELF,
            audit=False,
        )
    org.grant_role(
        actor=None, person=leader, role=Role.LEADER, unit=city, scope=Scope.SUBTREE, audit=False
    )
    org.grant_role(
        actor=None, person=outsider, role=Role.LIAISON, unit=unit_b, scope=Scope.UNIT, audit=False
    )
    org.grant_role(
        actor=None,
        person=sysadmin,
        role=Role.SYSADMIN,
        unit=prefecture,
        scope=Scope.ALL,
        audit=False,
    )
    org.grant_role(
        actor=None,
        person=secadmin,
        role=Role.SECADMIN,
        unit=prefecture,
        scope=Scope.ALL,
        audit=False,
    )
    org.grant_role(
        actor=None, person=auditor, role=Role.AUDITOR, unit=prefecture, scope=Scope.ALL, audit=False
    )

    today = timezone.localdate()
    campaign = chain.create_campaign(
        actor=office,
        name="“全员大学习、业务大比拼、作风大转变、能力大提升”专项行动",
        short_name="“四大”专项行动",
        office_unit=office_unit,
        start_date=today - datetime.timedelta(days=60),
        end_date=today + datetime.timedelta(days=300),
        tracks=["全员大学习", "业务大比拼", "作风大转变", "能力大提升"],
        notice_prefix="茫宣督",
    )
    return World(
        city,
        office_unit,
        unit_a,
        section_a,
        unit_b,
        office,
        liaison,
        staff,
        staff2,
        leader,
        outsider,
        sysadmin,
        secadmin,
        auditor,
        campaign,
    )


def issued_task(
    world: World, *, title: str = "组织“晨读+分享”学习会", days: int = 30, units=None
) -> list[Task]:
    """A plan in the first track issued to unit A (and any further `units`); returns the unit tasks."""
    plan = chain.create_task(
        actor=world.office,
        campaign=world.campaign,
        track=world.campaign.tracks.first(),
        title=title,
        description="每周组织一次晨读分享。",
        deadline=timezone.localdate() + datetime.timedelta(days=days),
    )
    return chain.issue_task(actor=world.office, task=plan, units=units or [world.unit_a])


@contextmanager
def demo_loaded(django_db_blocker, media) -> Iterator[object]:
    """The demo loaded once (for a module-scoped fixture) inside a transaction rolled back at
    the end, its files under `media`, with fast password hashing."""
    from luoshi.demo.data import load_demo

    fast = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=media, PASSWORD_HASHERS=fast),
        transaction.atomic(),
    ):
        try:
            yield load_demo()
        finally:
            transaction.set_rollback(True)
