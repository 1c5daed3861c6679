"""Reads of the accounts app: lockouts, and a person's tokens and sessions (their own, or the
security administrator's view)."""

from dataclasses import dataclass
from datetime import timedelta

from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Count, Max, QuerySet, Sum
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from luoshi.org.access import has_perm, roles_of
from luoshi.org.models import Role

from .access import may_manage_account, require_account_manageable
from .models import AccessToken, LoginSession, User


def current_lockouts(user) -> list[dict]:
    """Account + address pairs locked out now, newest first; 404 unless `user` is 安全管理员.

    Each row: username, ip_address, failures, last (time of the last failure), until.
    """
    if not has_perm(user, "security.manage"):
        raise Http404
    cool_off = get_cool_off()
    rows = (
        AccessAttempt.objects.filter(attempt_time__gte=timezone.now() - cool_off)
        .values("username", "ip_address")
        .annotate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
        .filter(failures__gte=settings.AXES_FAILURE_LIMIT)
        .order_by("-last")
    )
    names = {row["username"] for row in rows}
    users = {u.username.lower(): u for u in User.objects.filter(username__in=names)}
    return [
        {
            **row,
            "until": row["last"] + cool_off,
            "may_release": (target := users.get(row["username"].lower())) is None
            or may_manage_account(user, target, "unlock"),
        }
        for row in rows
    ]


def tokens_of(actor, person) -> QuerySet[AccessToken]:
    """`person`'s personal access tokens, newest first, as the 安全管理员 sees them (their own
    too); 404 for everyone else, PermissionDenied for another administrator's (三员分立)."""
    if actor.pk != person.pk:
        if not has_perm(actor, "security.manage"):
            raise Http404
        require_account_manageable(actor, person, "tokens")
    return person.access_tokens.order_by("revoked_at", "-created_at")


def sessions_of(actor, person) -> QuerySet[LoginSession]:
    """`person`'s active sessions (neither idle past the timeout nor past the absolute lifetime),
    most recently seen first; their own, or the 安全管理员's view (404 for everyone else,
    PermissionDenied for another administrator's, 三员分立)."""
    if actor.pk != person.pk:
        if not has_perm(actor, "security.manage"):
            raise Http404
        require_account_manageable(actor, person, "sessions")
    now = timezone.now()
    return person.login_sessions.filter(
        created_at__gt=now - timedelta(hours=settings.LUOSHI_SESSION_MAX_HOURS),
        last_seen_at__gt=now - timedelta(seconds=settings.SESSION_COOKIE_AGE),
    ).order_by("-last_seen_at", "-id")


def address_failures(ip: str) -> int:
    """Failed logins from `ip` within the lockout window, over every account tried."""
    total = AccessAttempt.objects.filter(
        ip_address=ip, attempt_time__gte=timezone.now() - get_cool_off()
    ).aggregate(total=Sum("failures_since_start"))["total"]
    return total or 0


def address_throttled(ip: str | None) -> bool:
    """Whether `ip` has used up its failure budget (LUOSHI_LOGIN_ADDRESS_FAILURE_LIMIT)."""
    limit = settings.LUOSHI_LOGIN_ADDRESS_FAILURE_LIMIT
    return bool(ip and limit and address_failures(ip) >= limit)


def throttled_addresses(user) -> list[dict]:
    """Addresses over their failure budget now (ip_address, failures, accounts, last); 404 unless
    `user` is 安全管理员."""
    if not has_perm(user, "security.manage"):
        raise Http404
    limit = settings.LUOSHI_LOGIN_ADDRESS_FAILURE_LIMIT
    if not limit:
        return []
    return list(
        AccessAttempt.objects.filter(attempt_time__gte=timezone.now() - get_cool_off())
        .values("ip_address")
        .annotate(
            failures=Sum("failures_since_start"),
            accounts=Count("username", distinct=True),
            last=Max("attempt_time"),
        )
        .filter(failures__gte=limit)
        .order_by("-last")
    )


# The consoles of the three separated administrators (三员分立), by the permission that makes each
# one's work: the auditor's audit log, the security administrator's role grants (with lockouts and
# the MFA policy beside them), the system administrator's units and accounts.
ADMIN_CONSOLES = (
    ("audit.view", "audit:event-list"),
    ("security.manage", "org:grant-list"),
    ("role.manage", "org:grant-list"),
    ("unit.manage", "org:unit-list"),
    # not an administrator: a resident who only volunteers (志愿者) lands on their own
    # volunteering page — sign-ups, hours, certificates — not on an empty task workbench
    ("volunteer.join", "volunteering:home"),
)


def console_url(user) -> str | None:
    """Where a persona with no task work of its own (no task.view and no task it owns) lands
    instead of the task workbench (after login, on `/` and on the workbench): an
    administrator's console, a volunteer's own page. None for everyone else, who keep the
    workbench."""
    if has_perm(user, "task.view") or user.owned_tasks.exists():
        return None
    for perm, url_name in ADMIN_CONSOLES:
        if has_perm(user, perm):
            return reverse(url_name)
    return None


def landing_url(user) -> str:
    """The page a signed-in person lands on: an administrator's console, else the workbench."""
    return console_url(user) or reverse("campaigns:workbench")


@dataclass(frozen=True)
class FirstStep:
    """One link of a first-steps card, shown only when `menu` (a flag of the menu the context
    processor computes) or `perm` lets the person open it — the same test the menu makes."""

    label: Promise
    url_name: str
    menu: str = ""
    perm: str = ""


@dataclass(frozen=True)
class FirstStepsCard:
    """What one kind of persona does first, with the pages it opens for that."""

    role: str
    title: Promise
    text: Promise
    steps: tuple[FirstStep, ...]


# One card per role, the first role a person holds in this order choosing the card (a liaison
# who is also staff of the unit gets the liaison's card).
FIRST_STEPS = (
    FirstStepsCard(
        Role.OFFICE,
        _("行动办：从专项行动开始"),
        _(
            "先建立专项行动、分解任务并下发到责任单位，再从任务列表跟踪签收和进展，用台账和考核核实成效。"
        ),
        (
            FirstStep(_("专项行动"), "campaigns:campaign-list", menu="tasks"),
            FirstStep(_("任务"), "campaigns:task-list", menu="tasks"),
            FirstStep(_("台账统计"), "ledgers:ledger", menu="ledger"),
            FirstStep(_("考核"), "assessment:plan-list", menu="assessment"),
        ),
    ),
    FirstStepsCard(
        Role.CENTRE,
        _("文明实践中心：从志愿服务开始"),
        _("先在志愿服务中安排每月主题和规定动作，审核群众点单，再在任务中查看各所、站的落实情况。"),
        (
            FirstStep(_("志愿服务"), "volunteering:home", menu="volunteer"),
            FirstStep(_("专项行动"), "campaigns:campaign-list", menu="tasks"),
            FirstStep(_("任务"), "campaigns:task-list", menu="tasks"),
        ),
    ),
    FirstStepsCard(
        Role.LEADER,
        _("领导：从总览开始"),
        _("先查看专项行动的总体进展和预警，再阅读台账统计、工作简报和考核结果。"),
        (
            FirstStep(_("专项行动"), "campaigns:campaign-list", menu="tasks"),
            FirstStep(_("台账统计"), "ledgers:ledger", menu="ledger"),
            FirstStep(_("工作简报"), "reports:briefing", menu="briefing"),
            FirstStep(_("考核"), "assessment:plan-list", menu="assessment"),
        ),
    ),
    FirstStepsCard(
        Role.LIAISON,
        _("联络员：从本单位的任务开始"),
        _(
            "先签收本单位的任务并分派责任人，按时报送进展和佐证材料；开展的活动登记进台账，平台学习数据按月导入。"
        ),
        (
            FirstStep(_("任务"), "campaigns:task-list", menu="tasks"),
            FirstStep(_("登记活动"), "ledgers:activity-record", menu="ledger_record"),
            FirstStep(_("导入平台数据"), "learning:import-list", menu="learning_import"),
            FirstStep(_("组织机构"), "org:unit-list", menu="org"),
        ),
    ),
    FirstStepsCard(
        Role.STAFF,
        _("干部职工：从本人的任务和学习开始"),
        _("先查看分派给您的任务，记录本人的读书和心得体会，参加活动时扫码签到。"),
        (
            FirstStep(_("任务"), "campaigns:task-list", menu="tasks"),
            FirstStep(_("我的学习"), "study:home", menu="ledger"),
            FirstStep(_("签到"), "ledgers:checkin", menu="ledger"),
            FirstStep(_("志愿服务"), "volunteering:home", menu="volunteer"),
        ),
    ),
    FirstStepsCard(
        Role.VOLUNTEER,
        _("志愿者：从志愿服务开始"),
        _("先在志愿服务中找到近期的活动并报名，参加时签到；服务时长和证书在本页查看。"),
        (
            FirstStep(_("志愿服务活动"), "volunteering:activity-list", menu="volunteer"),
            FirstStep(_("消息"), "accounts:notifications"),
            FirstStep(_("个人设置"), "accounts:profile"),
        ),
    ),
    FirstStepsCard(
        Role.SYSADMIN,
        _("系统管理员：从组织机构开始"),
        _(
            "先在本页维护单位树，再建立人员账号，都可从 Excel 模板批量导入；角色授权由安全管理员负责。"
        ),
        (
            FirstStep(_("新增单位"), "org:unit-create", menu="org_manage"),
            FirstStep(_("导入单位"), "org:unit-import", menu="org_manage"),
            FirstStep(_("导入人员"), "org:person-import", perm="person.manage"),
        ),
    ),
    FirstStepsCard(
        Role.SECADMIN,
        _("安全管理员：从角色授权开始"),
        _("先在本页为人员授予角色并设定数据权限，再查看登录锁定和双因素认证策略。"),
        (
            FirstStep(_("新增授权"), "org:grant-create", menu="roles"),
            FirstStep(_("登录锁定"), "accounts:lockout-list", perm="security.manage"),
            FirstStep(_("双因素认证策略"), "mfa:policy", perm="security.manage"),
        ),
    ),
    FirstStepsCard(
        Role.AUDITOR,
        _("审计管理员：从审计日志开始"),
        _("所有登录和数据变更都记录在本页的审计日志中，可按人员、对象和时间筛选并导出 Excel。"),
        (
            FirstStep(_("导出审计日志"), "audit:event-export", menu="audit"),
            FirstStep(_("修改密码"), "accounts:password-change"),
        ),
    ),
)


def first_steps(user, nav: dict[str, bool]) -> dict | None:
    """The first-steps card for `user` — title, text and the links it may open (checked as the
    menu `nav` checks them) — or None once dismissed or for a person without a role."""
    if user.first_steps_dismissed_at is not None:
        return None
    roles = roles_of(user)
    card = next((card for card in FIRST_STEPS if card.role in roles), None)
    if card is None:
        return None
    links = [
        (step.label, reverse(step.url_name))
        for step in card.steps
        if (nav.get(step.menu, False) if step.menu else True)
        and (has_perm(user, step.perm) if step.perm else True)
    ]
    return {"title": card.title, "text": card.text, "links": links}
