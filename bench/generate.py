"""Generate a province for the benchmarks: 5,000 units in five levels, 200,000 people, one
campaign with 100,000 unit tasks spread over every state and warning.

Rows are bulk-inserted (the services would audit and notify 100,000 times; what the benchmark
measures is reading). Run through bench/run.py, which points Django at its own database.
"""

import datetime
import random
import time

from django.db import connection, transaction
from django.utils import timezone

from luoshi.accounts.models import User
from luoshi.campaigns.models import Campaign, Task, TaskEvent, Track
from luoshi.lib.pinyin import pinyin_keys
from luoshi.lib.text import name_key
from luoshi.org.models import Membership, Role, RoleGrant, Scope, Unit, UnitKind

LEVELS = [  # (kind, children per parent, name pattern)
    (UnitKind.PREFECTURE, 10, "第{n}州"),
    (UnitKind.CITY, 10, "第{n}市"),
    (UnitKind.DEPARTMENT, 10, "第{n}局"),
    (UnitKind.SECTION, 4, "第{n}科"),
]
PEOPLE = 200_000
PLANS = 20
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蔡蒋余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉兰萍红鹏辉建华飞鑫波斌宇浩凯健俊帆帅旭宁龙林欢佳阳晨瑞雪"
STATES = [
    "issued",
    "signed",
    "in_progress",
    "in_progress",
    "in_progress",
    "submitted",
    "verified",
    "closed",
]
WARNINGS = ["", "", "", "blue", "yellow", "red"]


def _units() -> list[Unit]:
    root = Unit.objects.create(name="青海省", kind=UnitKind.PREFECTURE, path="/", depth=0)
    root.path = f"/{root.pk}/"
    root.save(update_fields=["path"])
    level, all_units = [root], [root]
    for depth, (kind, per_parent, pattern) in enumerate(LEVELS, start=1):
        budget = 5000 - len(all_units)
        new = []
        for parent in level:
            for index in range(per_parent):
                if len(new) >= budget:
                    break
                name = pattern.format(n=index + 1)
                full, initials = pinyin_keys(name)
                unit_name = f"{parent.name}{name}" if depth <= 2 else name
                new.append(
                    Unit(
                        name=unit_name,
                        name_key=name_key(unit_name),
                        kind=kind,
                        parent=parent,
                        depth=depth,
                        path="",
                        pinyin=full,
                        initials=initials,
                    )
                )
        Unit.objects.bulk_create(new, batch_size=2000)
        new = list(Unit.objects.filter(depth=depth).select_related("parent").order_by("id"))
        for unit in new:
            unit.path = f"{unit.parent.path}{unit.pk}/"
        Unit.objects.bulk_update(new, ["path"], batch_size=2000)
        level = new
        all_units += new
    return all_units


def _people(units: list[Unit], rng: random.Random) -> tuple[list[User], dict[int, list[int]]]:
    now = timezone.now()
    users = []
    for index in range(PEOPLE):
        name = (
            rng.choice(SURNAMES)
            + rng.choice(GIVEN)
            + (rng.choice(GIVEN) if rng.random() < 0.6 else "")
        )
        full, initials = pinyin_keys(name)
        users.append(
            User(
                username=f"u{index:06d}",
                name=name,
                pinyin=full,
                initials=initials,
                phone=f"138{index:08d}",
                password="!",
                must_change_password=False,
                password_changed_at=now,
                is_demo=True,
            )
        )
    User.objects.bulk_create(users, batch_size=5000)
    ids = list(
        User.objects.filter(username__startswith="u").order_by("id").values_list("id", flat=True)
    )
    members: dict[int, list[int]] = {}
    memberships, grants = [], []
    for index, user_id in enumerate(ids):
        unit = units[index % len(units)]
        members.setdefault(unit.pk, []).append(user_id)
        memberships.append(Membership(person_id=user_id, unit_id=unit.pk, position="科员"))
        grants.append(
            RoleGrant(person_id=user_id, role=Role.STAFF, unit_id=unit.pk, scope=Scope.SELF)
        )
    Membership.objects.bulk_create(memberships, batch_size=5000)
    RoleGrant.objects.bulk_create(grants, batch_size=5000)
    return ids, members


def generate(seed: int = 2022) -> dict[str, int]:
    rng = random.Random(seed)
    started = time.perf_counter()
    with transaction.atomic():
        units = _units()
        ids, members = _people(units, rng)
        root = units[0]
        office = User.objects.get(pk=members[root.pk][0])
        RoleGrant.objects.create(person=office, role=Role.OFFICE, unit=root, scope=Scope.ALL)
        liaison_grants = [
            RoleGrant(
                person_id=members[unit.pk][1],
                role=Role.LIAISON,
                unit_id=unit.pk,
                scope=Scope.SUBTREE,
            )
            for unit in units
        ]
        RoleGrant.objects.bulk_create(liaison_grants, batch_size=5000)
        today = timezone.localdate()
        campaign = Campaign.objects.create(
            name="“四大”专项行动（基准）",
            office_unit=root,
            start_date=today - datetime.timedelta(days=120),
            end_date=today + datetime.timedelta(days=240),
        )
        tracks = Track.objects.bulk_create(
            Track(campaign=campaign, name=name, sort_order=i)
            for i, name in enumerate(["全员大学习", "业务大比拼", "作风大转变", "能力大提升"])
        )
        now = timezone.now()
        plans = Task.objects.bulk_create(
            Task(
                campaign=campaign,
                track=tracks[i % 4],
                title=f"基准任务{i + 1}",
                state="issued",
                start_date=today - datetime.timedelta(days=60),
                deadline=today + datetime.timedelta(days=rng.randint(-20, 90)),
                issued_at=now,
                created_at=now,
                updated_at=now,
            )
            for i in range(PLANS)
        )
        children = []
        for plan in plans:
            for unit in units:
                state = rng.choice(STATES)
                children.append(
                    Task(
                        campaign=campaign,
                        track_id=plan.track_id,
                        parent=plan,
                        title=plan.title,
                        unit_id=unit.pk,
                        owner_id=None
                        if state in ("issued", "signed")
                        else rng.choice(members[unit.pk]),
                        state=state,
                        warning=rng.choice(WARNINGS)
                        if state in ("issued", "signed", "in_progress")
                        else "",
                        progress=rng.randint(0, 100)
                        if state == "in_progress"
                        else (100 if state in ("submitted", "verified", "closed") else 0),
                        start_date=plan.start_date,
                        deadline=plan.deadline,
                        sign_deadline=plan.start_date + datetime.timedelta(days=3),
                        issued_at=now,
                        created_at=now,
                        updated_at=now,
                    )
                )
        Task.objects.bulk_create(children, batch_size=5000)
        child_ids = Task.objects.filter(parent__isnull=False).values_list("id", "state")
        TaskEvent.objects.bulk_create(
            (
                TaskEvent(task_id=pk, action="issue", from_state="draft", to_state=state, at=now)
                for pk, state in child_ids
            ),
            batch_size=5000,
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {
        "units": Unit.objects.count(),
        "people": User.objects.count(),
        "tasks": Task.objects.count(),
        "seconds": round(time.perf_counter() - started),
        "office_id": office.pk,
        "liaison_id": members[units[-1].parent_id][1],
        "campaign_id": campaign.pk,
    }
