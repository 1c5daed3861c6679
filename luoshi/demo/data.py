"""Build the Mangya (茫崖) demo of the seed article through the services, then back-date it.

Every move goes through the same services the pages use (so the timelines, notifications and audit
log look real); each move runs inside `Clock.at(day)`, which afterwards moves every timestamp
that move wrote to that day. The audit log is append-only and keeps the real time of the load.
Warnings are computed at the end by `refresh_warnings`, never set.
"""

import datetime
import io
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib import import_module

from django.apps import apps
from django.contrib.auth.hashers import make_password
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.module_loading import module_has_submodule
from PIL import Image, ImageDraw

from luoshi.accounts.models import Notification, User
from luoshi.campaigns import rollups
from luoshi.campaigns import services as chain
from luoshi.campaigns.models import (
    AccountabilityAction,
    AccountabilityKind,
    Campaign,
    LeadingGroupMember,
    NoticeCounter,
    ProgressReport,
    SupervisionNotice,
    Task,
    TaskEvent,
)
from luoshi.files.models import Attachment
from luoshi.lib.dates import replaying
from luoshi.lib.pinyin import pinyin_keys
from luoshi.org import services as org
from luoshi.org.models import Membership, Role, RoleGrant, Scope, Unit
from luoshi.workdays.selectors import Calendar, load_calendar

from .people import ORGANISATION, NameMaker, Post
from .plans import CAMPAIGN, LEADING_GROUP, PLANS, TRACKS, Plan, Step, Sub

PASSWORD = "Luoshi@2022"
MARKER_USERNAME = "office"
CAMPAIGN_START_DAYS_AGO = 120
CAMPAIGN_END_DAYS_AHEAD = 240

# Timestamps a move may write, per model: Clock.at moves those written during the move. The audit
# log is not among them: it is append-only and keeps the real time of the load.
TASK_STAMPS: list[tuple[type[models.Model], tuple[str, ...]]] = [
    (TaskEvent, ("at",)),
    (ProgressReport, ("at",)),
    (SupervisionNotice, ("issued_at", "replied_at")),
    (AccountabilityAction, ("recorded_at",)),
    (Attachment, ("uploaded_at",)),
    (Notification, ("created_at",)),
    (
        Task,
        (
            "created_at",
            "updated_at",
            "issued_at",
            "signed_at",
            "submitted_at",
            "verified_at",
            "closed_at",
        ),
    ),
]
SETUP_STAMPS = [
    *TASK_STAMPS,
    (Campaign, ("created_at",)),
    (User, ("date_joined", "password_changed_at")),
    (RoleGrant, ("granted_at",)),
]


def demo_exists() -> bool:
    return User.objects.filter(username=MARKER_USERNAME).exists()


class Clock:
    """Runs moves 'in the past': whatever a move stamps with the real time is moved to its day,
    and a deadline the move sets is judged by that day (lib.dates.replaying)."""

    def __init__(self, today: datetime.date, calendar: Calendar, campaign_settings: dict):
        self.today = today
        self.real_today = timezone.localdate()
        self.calendar = calendar
        self.sign_working_days = campaign_settings.get("sign_working_days", 2)
        self.reply_working_days = campaign_settings.get("reply_working_days", 3)
        self.tz = timezone.get_current_timezone()

    def moment(self, day: int, slot: int = 0) -> datetime.datetime:
        date = self.today - datetime.timedelta(days=day)
        minutes = 9 * 60 + min(slot * 37, 8 * 60)
        when = datetime.datetime.combine(
            date, datetime.time(minutes // 60, minutes % 60), tzinfo=self.tz
        )
        latest = timezone.now() - datetime.timedelta(minutes=5)
        return min(when, latest)

    @contextmanager
    def at(
        self, day: int, slot: int = 0, *, setup: bool = False, dates: bool = False
    ) -> Iterator[datetime.datetime]:
        """Run a move on `day` (days ago); `dates`: the move issues tasks or notices, whose
        start dates and sign/reply deadlines count from that day too."""
        when = self.moment(day, slot)
        start = timezone.now()
        # the services judge a deadline set in the move by that day, not by the day of the load
        with replaying(when):
            yield when
        if dates or setup:
            self._backdate_dates(start, when.date())
        self._backdate(start, when, SETUP_STAMPS if setup else TASK_STAMPS)

    def _backdate_dates(self, start: datetime.datetime, date: datetime.date) -> None:
        fresh = Task.objects.filter(created_at__gte=start) | Task.objects.filter(
            issued_at__gte=start
        )
        fresh.filter(start_date=self.real_today).update(start_date=date)
        sign_deadline = self.calendar.add_working_days(date, self.sign_working_days)
        for task in Task.objects.filter(created_at__gte=start, sign_deadline__isnull=False):
            Task.objects.filter(pk=task.pk).update(
                sign_deadline=min(sign_deadline, task.deadline or sign_deadline)
            )
        reply_deadline = self.calendar.add_working_days(date, self.reply_working_days)
        for notice in SupervisionNotice.objects.filter(issued_at__gte=start):
            # the notification asks for the same date as the notice (issue_notice wrote today's)
            messages = list(
                Notification.objects.filter(task_id=notice.task_id, title__contains=notice.number)
            )
            for message in messages:
                message.body = message.body.replace(str(notice.reply_deadline), str(reply_deadline))
            Notification.objects.bulk_update(messages, ["body"])
        SupervisionNotice.objects.filter(issued_at__gte=start).update(
            reply_deadline=reply_deadline, year=date.year
        )

    def _backdate(self, start: datetime.datetime, when: datetime.datetime, stamps) -> None:
        # Plain SQL: a few hundred moves times a dozen tables, and only the database's work counts.
        start_value = connection.ops.adapt_datetimefield_value(start)
        when_value = connection.ops.adapt_datetimefield_value(when)
        quote = connection.ops.quote_name
        with connection.cursor() as cursor:
            for model, names in stamps:
                columns = [quote(model._meta.get_field(name).column) for name in names]
                assignments = ", ".join(
                    f"{column} = CASE WHEN {column} >= %s THEN %s ELSE {column} END"
                    for column in columns
                )
                condition = " OR ".join(f"{column} >= %s" for column in columns)
                cursor.execute(
                    f"UPDATE {quote(model._meta.db_table)} SET {assignments} WHERE {condition}",
                    [start_value, when_value] * len(columns) + [start_value] * len(columns),
                )


def evidence_file(kind: str, title: str) -> SimpleUploadedFile:
    """A small generated photo (PNG) or scan (PDF) to stand for real evidence."""
    image = Image.new("RGB", (640, 400), (236, 240, 245))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, 640, 56), fill=(180, 30, 40))
    draw.rectangle((40, 96, 600, 360), outline=(120, 120, 120), width=3)
    for row in range(6):
        draw.line((70, 130 + row * 36, 570 - row * 30, 130 + row * 36), fill=(90, 90, 90), width=6)
    draw.ellipse((470, 250, 580, 350), outline=(200, 40, 40), width=5)
    buffer = io.BytesIO()
    if kind == "pdf":
        image.save(buffer, format="PDF", resolution=72)
        return SimpleUploadedFile(f"{title}.pdf", buffer.getvalue(), "application/pdf")
    image.save(buffer, format="PNG")
    return SimpleUploadedFile(f"{title}.png", buffer.getvalue(), "image/png")


@dataclass
class Built:
    """What the builder made, by key, for the steps and for the tests."""

    units: dict[str, Unit] = field(default_factory=dict)
    people: dict[str, User] = field(default_factory=dict)
    members: dict[str, list[User]] = field(default_factory=dict)
    workers: dict[str, User] = field(default_factory=dict)
    liaisons: dict[str, User] = field(default_factory=dict)
    campaign: Campaign | None = None
    counts: dict[str, int] = field(default_factory=dict)


class DemoBuilder:
    """Builds the demo in three passes: the organisation, the campaign, then each plan issued to
    its units and every unit task walked through its script (see plans.py)."""

    def __init__(self, *, today: datetime.date | None = None, password: str = PASSWORD):
        self.today = today or timezone.localdate()
        self.password = password
        self.built = Built()
        self.calendar = load_calendar()
        self.clock = Clock(self.today, self.calendar, {})
        self.names = NameMaker()
        self.usernames: set[str] = set()
        self._post_people: dict[tuple[str, int], User] = {}
        self._password_hash: str | None = None

    # --- The organisation ----------------------------------------------------------------------

    def build_organisation(self) -> None:
        fixed = {post.name for spec in ORGANISATION for post in spec.posts if post.name}
        self.names.taken |= fixed
        with self.clock.at(CAMPAIGN_START_DAYS_AGO + 10, setup=True):
            for order, spec in enumerate(ORGANISATION, start=1):
                parent = self.built.units.get(spec.parent) if spec.parent else None
                self.built.units[spec.key] = org.create_unit(
                    actor=None,
                    name=spec.name,
                    kind=spec.kind,
                    parent=parent,
                    short_name=spec.short_name,
                    sort_order=order,
                )
            for spec in ORGANISATION:
                unit = self.built.units[spec.key]
                self.built.members.setdefault(spec.key, [])
                for post in spec.posts:
                    self._add_person(spec.key, unit, post)
            for spec in ORGANISATION:
                for post in spec.posts:
                    for unit_key, position in post.also:
                        person = self._person_of(spec.key, post)
                        org.add_membership(
                            actor=None,
                            person=person,
                            unit=self.built.units[unit_key],
                            position=position,
                        )
                        self.built.members[unit_key].append(person)
        self._grant_admins()

    def _person_of(self, unit_key: str, post: Post) -> User:
        return self._post_people[(unit_key, id(post))]

    def _add_person(self, unit_key: str, unit: Unit, post: Post) -> None:
        name = post.name or self.names.name(post.female)
        username = post.username or self._username(name)
        is_demo = bool(post.username)
        person = org.create_person(
            actor=None,
            username=username,
            name=name,
            unit=unit,
            position=post.position,
            phone=self.names.phone(),
            must_change_password=not is_demo,
            is_demo=is_demo,
        )
        if is_demo:
            # One published password for every demo account: hash it once (Argon2 is slow on
            # purpose), then give each account that hash.
            if self._password_hash is None:
                self._password_hash = make_password(self.password)
            person.password = self._password_hash
            person.password_changed_at = timezone.now()
            person.save(update_fields=["password", "password_changed_at"])
        self._post_people[(unit_key, id(post))] = person
        self.built.members[unit_key].append(person)
        if post.key:
            self.built.people[post.key] = person
        if post.worker or (unit_key not in self.built.workers and not post.head):
            self.built.workers[unit_key] = person
        city = self.built.units["city"]
        if post.head:
            unit.leader = person
            unit.save(update_fields=["leader"])
        if post.leader_role:
            org.grant_role(
                actor=None, person=person, role=Role.LEADER, unit=unit, scope=Scope.SUBTREE
            )
        if post.liaison:
            scope = Scope.UNIT if post.username == "outsider" else Scope.SUBTREE
            org.grant_role(actor=None, person=person, role=Role.LIAISON, unit=unit, scope=scope)
            self.built.liaisons.setdefault(unit_key, person)
        if post.office:
            org.grant_role(
                actor=None, person=person, role=Role.OFFICE, unit=city, scope=Scope.SUBTREE
            )
        if post.username not in {"sysadmin", "secadmin", "auditor"}:
            org.grant_role(actor=None, person=person, role=Role.STAFF, unit=unit, scope=Scope.SELF)

    def _username(self, name: str) -> str:
        base = pinyin_keys(name)[0] or "user"
        candidate, n = base, 1
        while (
            candidate in self.usernames
            or candidate in {"office", "staff", "leader"}
            or User.objects.filter(username__iexact=candidate).exists()
        ):
            n += 1
            candidate = f"{base}{n}"
        self.usernames.add(candidate)
        return candidate

    def _grant_admins(self) -> None:
        haixi = self.built.units["haixi"]
        for key, role in (
            ("sysadmin", Role.SYSADMIN),
            ("secadmin", Role.SECADMIN),
            ("auditor", Role.AUDITOR),
        ):
            with self.clock.at(CAMPAIGN_START_DAYS_AGO + 9, setup=True):
                org.grant_role(
                    actor=None,
                    person=self.built.people[key],
                    role=role,
                    unit=haixi,
                    scope=Scope.ALL,
                )

    # --- The campaign --------------------------------------------------------------------------

    def build_campaign(self) -> Campaign:
        office = self.built.people["office"]
        with self.clock.at(CAMPAIGN_START_DAYS_AGO + 5, setup=True):
            campaign = chain.create_campaign(
                actor=office,
                office_unit=self.built.units["xcb"],
                start_date=self.today - datetime.timedelta(days=CAMPAIGN_START_DAYS_AGO),
                end_date=self.today + datetime.timedelta(days=CAMPAIGN_END_DAYS_AHEAD),
                tracks=[name for name, _description in TRACKS],
                **CAMPAIGN,
            )
            for track in campaign.tracks.all():
                track.description = dict(TRACKS)[track.name]
                track.save(update_fields=["description"])
        with self.clock.at(CAMPAIGN_START_DAYS_AGO + 4):
            chain.set_leading_group(
                actor=office,
                campaign=campaign,
                members=[
                    (self.built.people[key], LeadingGroupMember.Seat(seat), title)
                    for key, seat, title in LEADING_GROUP
                ],
            )
        self.clock.sign_working_days = campaign.sign_working_days
        self.clock.reply_working_days = campaign.reply_working_days
        self.built.campaign = campaign
        return campaign

    # --- Tasks ---------------------------------------------------------------------------------

    def build_tasks(self) -> None:
        campaign = self.built.campaign
        assert campaign is not None
        tracks = {track.name: track for track in campaign.tracks.all()}
        office = self.built.people["office"]
        for plan in PLANS:
            with self.clock.at(plan.issued + 2):
                deadline = (
                    self.calendar.add_working_days(self.today, plan.deadline_working_days)
                    if plan.deadline_working_days
                    else self.today + datetime.timedelta(days=plan.deadline or 0)
                )
                task = chain.create_task(
                    actor=office,
                    campaign=campaign,
                    track=tracks[plan.track],
                    title=plan.title,
                    description=plan.description,
                    expected_evidence=plan.evidence,
                    priority=plan.priority,
                    kind=plan.kind,
                    deadline=deadline,
                )
            with self.clock.at(plan.issued, dates=True):
                children = chain.issue_task(
                    actor=office,
                    task=task,
                    units=[self.built.units[key] for key in plan.to],
                    note="请按要求签收并抓好落实。",
                )
            for step_no, step in enumerate(plan.plan_steps, start=1):
                self._run_step(plan, task, "", step, step_no)
            by_unit = {child.unit_id: child for child in children}
            for key in plan.to:
                child = by_unit[self.built.units[key].pk]
                steps = plan.scripts.get(key, plan.default)
                self._run(plan, child, key, steps)

    def _run(self, plan: Plan, task: Task, unit_key: str, steps: tuple[Step, ...]) -> None:
        for step_no, step in enumerate(steps, start=1):
            subtasks = self._run_step(plan, task, unit_key, step, step_no)
            for sub, subtask in subtasks:
                self._run(plan, subtask, unit_key, sub.steps)

    def _actor(self, step: Step, default: User | None) -> User:
        if step.who:
            return self.built.people[step.who]
        if default is None:
            raise ValueError(f"demo step {step.kind!r} on day {step.day} has nobody to act")
        return default

    def _liaison(self, liaison: User | None, step: Step) -> User:
        if liaison is None:
            raise ValueError(f"demo step {step.kind!r} on day {step.day} needs the unit's liaison")
        return liaison

    def _text(self, text: str, template: str, task: Task) -> str:
        return text or template.format(unit=task.unit.name if task.unit else "")

    def _run_step(
        self, plan: Plan, task: Task, unit_key: str, step: Step, slot: int
    ) -> list[tuple[Sub, Task]]:
        office = self.built.people["office"]
        liaison = self.built.liaisons.get(unit_key)
        made: list[tuple[Sub, Task]] = []
        with self.clock.at(step.day, slot, dates=step.kind in {"decompose", "notice"}):
            task.refresh_from_db()
            match step.kind:
                case "sign":
                    chain.sign_task(actor=self._actor(step, liaison), task=task)
                case "assign":
                    owner = self._actor(step, self.built.workers[unit_key])
                    chain.assign_task(actor=self._liaison(liaison, step), task=task, owner=owner)
                case "decompose":
                    specs = [
                        chain.SubTaskSpec(
                            title=sub.title,
                            owner=self.built.people[sub.owner],
                            description=sub.description,
                            deadline=(
                                self.today + datetime.timedelta(days=sub.deadline)
                                if sub.deadline is not None
                                else None
                            ),
                        )
                        for sub in step.subtasks
                    ]
                    created = chain.decompose_task(
                        actor=self._liaison(liaison, step), task=task, items=specs
                    )
                    made = list(zip(step.subtasks, created, strict=True))
                case "report" | "submit":
                    complete = step.kind == "submit"
                    text = self._text(
                        step.text, plan.done_text if complete else plan.report_text, task
                    )
                    chain.report_progress(
                        actor=self._actor(step, task.owner),
                        task=task,
                        percent=step.percent,
                        text=text,
                        files=[evidence_file(kind, task.title[:20]) for kind in step.files],
                        complete=complete,
                    )
                case "return":
                    chain.verify_task(
                        actor=self._actor(step, office), task=task, passed=False, reason=step.text
                    )
                case "verify":
                    chain.verify_task(
                        actor=self._actor(step, office),
                        task=task,
                        passed=True,
                        quality=step.quality,
                        reason=step.text,
                    )
                case "close":
                    chain.close_task(actor=self._actor(step, office), task=task)
                case "notice":
                    chain.issue_notice(
                        actor=self._actor(step, office), task=task, content=step.text
                    )
                case "reply":
                    open_notice = task.notices.filter(state=SupervisionNotice.State.OPEN).latest(
                        "issued_at"
                    )
                    chain.reply_notice(
                        actor=self._actor(step, liaison), notice=open_notice, reply=step.text
                    )
                case "remind":
                    chain.remind_task(actor=self._actor(step, office), task=task, note=step.text)
                case "comment":
                    chain.comment_task(
                        actor=self.built.people[step.who or "leader"], task=task, text=step.text
                    )
                case "withdraw":
                    chain.withdraw_task(
                        actor=self._actor(step, office), task=task, reason=step.text
                    )
                case "accountability":
                    chain.record_accountability(
                        actor=office,
                        task=task,
                        kind=AccountabilityKind.objects.get(name=step.quality),
                        reason=step.text,
                        unit=task.unit,
                        person=self.built.people[step.who] if step.who else None,
                        document_number=step.number,
                    )
                case _:
                    raise ValueError(f"unknown demo step {step.kind!r}")
        return made

    # --- Finishing -----------------------------------------------------------------------------

    def finish(self) -> None:
        self._renumber_notices()
        chain.refresh_warnings(today=self.today)
        rollups.rebuild()  # dates were moved behind the services' back
        # What happened more than a week ago has been read.
        week_ago = timezone.now() - datetime.timedelta(days=7)
        Notification.objects.filter(created_at__lt=week_ago, read_at__isnull=True).update(
            read_at=F("created_at") + datetime.timedelta(hours=3)
        )
        self.built.counts = {
            "units": Unit.objects.count(),
            "people": User.objects.count(),
            "memberships": Membership.objects.count(),
            "tasks": Task.objects.count(),
            "notices": SupervisionNotice.objects.count(),
        }

    def _renumber_notices(self) -> None:
        """Notices were numbered in load order; number them in the order they were issued, and
        carry the new numbers into the timelines and the messages that quote them."""
        campaign = self.built.campaign
        if campaign is None:  # no campaign built, so no notices to renumber
            return
        notices = list(SupervisionNotice.objects.filter(task__campaign=campaign))
        notices.sort(key=lambda notice: (notice.issued_at, notice.pk))
        serials: dict[int, int] = {}
        old_numbers = {notice.pk: notice.number for notice in notices}
        for notice in notices:
            notice.number = f"tmp-{notice.pk}"
        SupervisionNotice.objects.bulk_update(notices, ["number"])
        for notice in notices:
            year = notice.issued_at.astimezone(self.clock.tz).year
            serials[year] = serials.get(year, 0) + 1
            notice.year, notice.serial = year, serials[year]
            notice.number = f"{campaign.notice_prefix}〔{year}〕{serials[year]}号"
        SupervisionNotice.objects.bulk_update(notices, ["year", "serial", "number"])
        for notice in notices:
            old = old_numbers[notice.pk]
            events = list(TaskEvent.objects.filter(task_id=notice.task_id, data__notice=notice.pk))
            for event in events:
                event.data = {**event.data, "number": notice.number}
            TaskEvent.objects.bulk_update(events, ["data"])
            messages = list(
                Notification.objects.filter(task_id=notice.task_id, title__contains=old)
            )
            for message in messages:
                message.title = message.title.replace(old, notice.number)
            Notification.objects.bulk_update(messages, ["title"])
        NoticeCounter.objects.filter(campaign=campaign).delete()
        NoticeCounter.objects.bulk_create(
            NoticeCounter(campaign=campaign, year=year, last_serial=serial)
            for year, serial in serials.items()
        )


@transaction.atomic
def load_demo() -> Built | None:
    """Load the demo in one transaction; None (and nothing written) when it is already there."""
    if demo_exists():
        return None
    builder = DemoBuilder()
    builder.build_organisation()
    builder.build_campaign()
    builder.build_tasks()
    builder.finish()
    load_parts(builder)
    return builder.built


def load_parts(builder: DemoBuilder) -> None:
    """Each app's own part of the demo: `<app>.demo.load(builder)`, in INSTALLED_APPS order
    (the ledger's activity types come before the records of the apps that build on them)."""
    for config in apps.get_app_configs():
        if config.name.startswith("luoshi.") and module_has_submodule(config.module, "demo"):
            import_module(f"{config.name}.demo").load(builder)
