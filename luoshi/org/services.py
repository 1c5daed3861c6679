"""Changes to the organisation: units, people, memberships and role grants.

Unit and person management needs `unit.manage` / `person.manage` (系统管理员); granting roles needs
`role.manage` (安全管理员). An account holding one of the three admin roles holds no other role,
and no administrator resets the password of, or disables, an admin account (三员分立).
"""

import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Lower, Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from luoshi.accounts.access import require_account_manageable
from luoshi.accounts.models import User
from luoshi.accounts.services import withdraw_access
from luoshi.audit.models import AuditEvent
from luoshi.audit.services import diff, record, record_created, snapshot
from luoshi.lib.fieldcrypt import lookup_hash
from luoshi.lib.pinyin import pinyin_keys
from luoshi.lib.text import name_key

from .access import forget_grants, primary_unit, require_perm, scope_for
from .models import ADMIN_ROLES, Membership, Role, RoleGrant, Scope, Unit

PHONE_DIGITS = 11

# Called as hook(unit, old_path) inside update_unit's transaction, after a unit moved in the tree
# and the paths of its subtree were rewritten. org stands below every app, so an app that keeps
# something along the tree registers here from its AppConfig.ready() instead of org importing it
# (luoshi.ledgers registers rollups.unit_moved: its counts roll up along the tree).
UNIT_MOVED_HOOKS: list[Callable[[Unit, str], None]] = []


def _set_path(unit: Unit) -> None:
    parent = unit.parent
    unit.path = f"{parent.path if parent else '/'}{unit.pk}/"
    unit.depth = parent.depth + 1 if parent else 0


@transaction.atomic
def create_unit(
    *,
    actor: User | None,
    name: str,
    kind: str,
    parent: Unit | None = None,
    short_name: str = "",
    sort_order: int = 0,
    audit: bool = True,
) -> Unit:
    """Add a unit under `parent` (or as a root). `actor` None is the system (demo, migrations)."""
    if actor is not None:
        require_perm(actor, "unit.manage", parent)
        if parent is None:
            _require_top_level(actor)
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("请填写单位名称。")})
    if Unit.objects.alive().filter(parent=parent, name=name).exists():
        raise ValidationError({"name": _("上级单位下已有名为“%(name)s”的单位。") % {"name": name}})
    full, initials = pinyin_keys(short_name or name)
    unit = Unit(
        name=name,
        short_name=short_name,
        kind=kind,
        parent=parent,
        sort_order=sort_order,
        pinyin=full,
        initials=initials,
        name_key=name_key(name),
        path="/",
    )
    unit.save()
    _set_path(unit)
    unit.save(update_fields=["path", "depth"])
    if audit:
        record_created(actor=actor, obj=unit)
    return unit


def _require_top_level(actor: User) -> None:
    """Only an administrator whose scope is everything adds or restores a top-level unit."""
    if not scope_for(actor, "unit.manage").everything:
        raise PermissionDenied(_("只有数据范围为“全部”的管理员可以新增顶级单位。"))


@transaction.atomic
def update_unit(*, actor: User, unit: Unit, **values) -> Unit:
    """Rename, re-kind, re-order or move a unit; moving rewrites the paths of its whole subtree."""
    require_perm(actor, "unit.manage", unit)
    allowed = {"name", "short_name", "kind", "sort_order", "parent", "leader"}
    if set(values) - allowed:
        raise ValueError(f"not editable: {sorted(set(values) - allowed)}")
    new_parent = values.get("parent", unit.parent)
    if "parent" in values and new_parent is None and unit.parent_id is not None:
        _require_top_level(actor)
    if "parent" in values and new_parent is not None:
        require_perm(actor, "unit.manage", new_parent)
        if new_parent.path.startswith(unit.path):
            raise ValidationError({"parent": _("不能把单位移到它自己或它的下级单位之下。")})
    fields = list(values)
    before = snapshot(unit, [f if f not in ("parent", "leader") else f + "_id" for f in fields])
    old_path = unit.path
    for key, value in values.items():
        setattr(unit, key, value)
    if "name" in values or "short_name" in values:
        unit.pinyin, unit.initials = pinyin_keys(unit.short_name or unit.name)
        unit.name_key = name_key(unit.name)
        fields += ["pinyin", "initials", "name_key"]
    if "parent" in values:
        _set_path(unit)
        fields += ["path", "depth"]
    unit.save(update_fields=fields)
    if "parent" in values and unit.path != old_path:
        depth_change = unit.depth - old_path.count("/") + 2
        Unit.objects.filter(path__startswith=old_path).exclude(pk=unit.pk).update(
            path=Concat(Value(unit.path), Substr("path", len(old_path) + 1)),
            depth=F("depth") + depth_change,
        )
        for hook in UNIT_MOVED_HOOKS:
            hook(unit, old_path)
    after = snapshot(unit, list(before))
    record(actor=actor, action=AuditEvent.Action.UPDATE, obj=unit, changes=diff(before, after))
    return unit


@transaction.atomic
def delete_unit(*, actor: User, unit: Unit) -> Unit:
    """Soft-delete a unit with no live sub-units, members or tasks."""
    require_perm(actor, "unit.manage", unit)
    if unit.children.alive().exists():
        raise ValidationError(_("“%(unit)s”还有下级单位，不能删除。") % {"unit": unit})
    if unit.memberships.exists():
        raise ValidationError(_("“%(unit)s”还有人员，不能删除。") % {"unit": unit})
    if unit.tasks.filter(deleted_at__isnull=True).exists():
        raise ValidationError(_("“%(unit)s”还有任务，不能删除。") % {"unit": unit})
    unit.deleted_at = timezone.now()
    unit.save(update_fields=["deleted_at"])
    record(actor=actor, action=AuditEvent.Action.DELETE, obj=unit)
    return unit


@transaction.atomic
def restore_unit(*, actor: User, unit: Unit) -> Unit:
    require_perm(actor, "unit.manage", unit.parent)
    if unit.parent is None:
        _require_top_level(actor)
    if unit.parent is not None and unit.parent.deleted_at is not None:
        raise ValidationError(_("请先恢复上级单位“%(unit)s”。") % {"unit": unit.parent})
    if Unit.objects.alive().filter(parent=unit.parent, name=unit.name).exists():
        raise ValidationError(
            _("上级单位下已有同名单位“%(name)s”，不能恢复。") % {"name": unit.name}
        )
    unit.deleted_at = None
    unit.save(update_fields=["deleted_at"])
    record(actor=actor, action=AuditEvent.Action.RESTORE, obj=unit)
    return unit


def normalise_phone(phone: str) -> str:
    digits = "".join(ch for ch in phone if ch.isdigit())
    if phone.strip() and (len(digits) != PHONE_DIGITS or not digits.startswith("1")):
        raise ValidationError({"phone": _("手机号应为 11 位数字，以 1 开头。")})
    return digits


ID_NUMBER = re.compile(r"^\d{17}[\dX]$")
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECKS = "10X98765432"


def normalise_id_number(value: str) -> str:
    """An 18-digit 居民身份证号码 (GB 11643-1999) in capitals and half-width, its check digit
    verified; "" for none."""
    text = unicodedata.normalize("NFKC", value or "").replace(" ", "").upper()
    if not text:
        return ""
    if not ID_NUMBER.match(text):
        raise ValidationError({"id_number": _("身份证号应为 18 位，最后一位可以是 X。")})
    total = sum(int(digit) * weight for digit, weight in zip(text, ID_WEIGHTS, strict=False))
    if ID_CHECKS[total % 11] != text[-1]:
        raise ValidationError({"id_number": _("身份证号的校验位不对，请核对。")})
    return text


def id_number_hash(value: str) -> str:
    """The lookup hash a person's ID number is stored as (never the number itself)."""
    number = normalise_id_number(value)
    return lookup_hash(number, context="accounts.user.id_number") if number else ""


@transaction.atomic
def create_person(
    *,
    actor: User | None,
    username: str,
    name: str,
    unit: Unit,
    position: str = "",
    phone: str = "",
    email: str = "",
    password: str | None = None,
    must_change_password: bool = True,
    is_demo: bool = False,
    audit: bool = True,
) -> User:
    """Create a person with an account and their first membership.

    Without a password the account cannot log in until one is set (no default passwords).
    """
    if actor is not None:
        require_perm(actor, "person.manage", unit)
    username = username.strip()
    if not username:
        raise ValidationError({"username": _("请填写登录账号。")})
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError(
            {"username": _("登录账号“%(username)s”已被使用。") % {"username": username}}
        )
    if not name.strip():
        raise ValidationError({"name": _("请填写姓名。")})
    full, initials = pinyin_keys(name.strip())
    person = User(
        username=username,
        name=name.strip(),
        phone=normalise_phone(phone),
        email=email.strip(),
        pinyin=full,
        initials=initials,
        must_change_password=must_change_password,
        is_demo=is_demo,
    )
    if password:
        if not is_demo:
            validate_password(password, person)
        person.set_password(password)
        person.password_changed_at = timezone.now()
    else:
        person.set_unusable_password()
    person.save()
    Membership.objects.create(person=person, unit=unit, position=position, is_primary=True)
    if audit:
        record_created(actor=actor, obj=person, note=f"{unit} {position}".strip())
    return person


class UsernameTaken(ValidationError):
    def __init__(self, username: str):
        super().__init__(_("登录账号“%(username)s”已被使用。") % {"username": username})
        self.username = username


def new_person(
    *, username: str, name: str, phone: str = "", email: str = "", id_number: str = ""
) -> User:
    """An unsaved account with no usable password, as `create_people` saves it: pinyin keys,
    the normalised phone and the ID number's hash worked out here, outside any transaction."""
    full, initials = pinyin_keys(name.strip())
    person = User(
        username=username.strip(),
        name=name.strip(),
        phone=normalise_phone(phone),
        id_number_hash=id_number_hash(id_number),
        email=email.strip(),
        pinyin=full,
        initials=initials,
        must_change_password=True,
    )
    person.set_unusable_password()
    return person


@transaction.atomic
def create_people(
    *, actor: User, posts: Sequence[tuple[User, Unit, str]], filename: str = ""
) -> list[User]:
    """Save many prepared accounts (`new_person`), each with its first post (unit, position), in
    one short write: two bulk inserts and ONE audit event of action "import" naming how many.

    Raises UsernameTaken when one of the usernames was registered since the caller checked
    (nothing is saved)."""
    for unit in {unit.pk: unit for _person, unit, _position in posts}.values():
        require_perm(actor, "person.manage", unit)
    wanted = [person.username.lower() for person, _unit, _position in posts]
    taken = User.objects.annotate(lower=Lower("username")).filter(lower__in=wanted).first()
    if taken is not None:
        raise UsernameTaken(taken.username)
    people = User.objects.bulk_create([person for person, _unit, _position in posts])
    Membership.objects.bulk_create(
        Membership(person=person, unit=unit, position=position, is_primary=True)
        for person, (_person, unit, position) in zip(people, posts, strict=True)
    )
    record(
        actor=actor,
        action=AuditEvent.Action.IMPORT,
        object_type="accounts.user",
        object_repr=filename,
        note=_("导入人员 %(n)d 人") % {"n": len(people)},
    )
    return people


def note_phones_shown(actor: User, persons: Iterable[User]) -> AuditEvent | None:
    """Audit one request's showing of full phone numbers (安全审计: access to personal data):
    `persons` are those whose phone the request showed unmasked. One event names them and how
    many; none when no one else's phone was shown (an empty phone, or the viewer's own)."""
    shown = [person for person in persons if person.phone and person.pk != actor.pk]
    if not shown:
        return None
    return record(
        actor=actor,
        action=AuditEvent.Action.VIEW_PERSONAL,
        object_type="accounts.user",
        object_id=str(shown[0].pk) if len(shown) == 1 else "",
        object_repr=str(shown[0]) if len(shown) == 1 else "",
        note=_("显示完整手机号：%(names)s（共 %(count)d 人）")
        % {
            "names": "、".join(person.name or person.username for person in shown),
            "count": len(shown),
        },
    )


PERSON_FIELDS = ("name", "phone", "email", "is_active")


@transaction.atomic
def update_person(*, actor: User, person: User, **values) -> User:
    unit = primary_unit(person)
    require_perm(actor, "person.manage", unit)
    if set(values) - set(PERSON_FIELDS):
        raise ValueError(f"not editable: {sorted(set(values) - set(PERSON_FIELDS))}")
    if "is_active" in values and values["is_active"] != person.is_active:
        require_account_manageable(actor, person, "disable")
    if "phone" in values:
        values["phone"] = normalise_phone(values["phone"])
    before = snapshot(person, list(values))
    for key, value in values.items():
        setattr(person, key, value)
    fields = list(values)
    if "name" in values:
        person.pinyin, person.initials = pinyin_keys(person.name)
        fields += ["pinyin", "initials"]
    person.save(update_fields=fields)
    record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=person,
        changes=diff(before, snapshot(person, list(values))),
    )
    if before.get("is_active") and not person.is_active:
        withdraw_access(actor=actor, person=person)  # its sessions end, its tokens are revoked
    return person


@transaction.atomic
def add_membership(
    *, actor: User | None, person: User, unit: Unit, position: str = "", audit: bool = True
) -> Membership:
    """Add a concurrent post (兼职) in another unit."""
    if actor is not None:
        require_perm(actor, "person.manage", unit)
    membership, created = Membership.objects.get_or_create(
        person=person,
        unit=unit,
        defaults={"position": position, "is_primary": not person.memberships.exists()},
    )
    if not created:
        raise ValidationError(
            {"unit": _("%(person)s 已在%(unit)s任职。") % {"person": person, "unit": unit}}
        )
    if audit:
        record_created(actor=actor, obj=membership)
    return membership


@transaction.atomic
def remove_membership(*, actor: User, membership: Membership) -> None:
    require_perm(actor, "person.manage", membership.unit)
    if membership.person.memberships.count() == 1:
        raise ValidationError(_("这是该人员唯一的任职单位，不能移除。"))
    record(actor=actor, action=AuditEvent.Action.DELETE, obj=membership)
    membership.delete()


@transaction.atomic
def grant_role(
    *,
    actor: User | None,
    person: User,
    role: str,
    unit: Unit,
    scope: str = Scope.UNIT,
    custom_units: Sequence[Unit] = (),
    audit: bool = True,
) -> RoleGrant:
    """Grant `role` on `unit` with `scope`. Refuses any role beside an admin role (三员分立)."""
    if actor is not None:
        require_perm(actor, "role.manage")
        if actor.pk == person.pk:
            raise ValidationError({"person": _("不能给自己授权。")})
    if role not in Role.values or scope not in Scope.values:
        raise ValidationError({"role": _("未知的角色或数据范围。")})
    _require_separation_of_duties(person, role)
    if scope == Scope.CUSTOM and not custom_units:
        raise ValidationError({"custom_units": _("自定义数据范围须至少选择一个单位。")})
    if scope != Scope.CUSTOM and custom_units:
        raise ValidationError({"custom_units": _("只有自定义数据范围可以选择单位。")})
    grant, created = RoleGrant.objects.get_or_create(
        person=person, role=role, unit=unit, defaults={"scope": scope, "granted_by": actor}
    )
    before: dict[str, object]
    if not created:
        before = {
            "scope": grant.scope,
            "custom_units": sorted(grant.custom_units.values_list("pk", flat=True)),
        }
        grant.scope = scope
        grant.save(update_fields=["scope"])
    else:
        before = {"scope": None, "custom_units": []}
    grant.custom_units.set(custom_units)
    forget_grants(person)
    if audit:
        record(
            actor=actor,
            action=AuditEvent.Action.GRANT,
            obj=grant,
            changes=diff(
                before, {"scope": scope, "custom_units": sorted(u.pk for u in custom_units)}
            ),
        )
    return grant


def _require_separation_of_duties(person: User, role: str) -> None:
    """三员分立: an account holding 系统管理员, 安全管理员 or 审计管理员 holds no other role at all,
    business roles included, on any unit and with any scope (granting the same admin role again,
    on another unit or with another scope, is allowed)."""
    held = set(person.role_grants.exclude(role=role).values_list("role", flat=True))
    if not held:
        return
    held_admin = held & ADMIN_ROLES
    labels = "、".join(str(Role(r).label) for r in sorted(held_admin or held))
    if role in ADMIN_ROLES:
        message = _(
            "%(person)s 已担任%(held)s，不能再授予%(role)s：三员分立，系统管理员、安全管理员、"
            "审计管理员不得由同一账号兼任，管理员账号也不得兼任任何其他角色。"
            "请先撤销其现有角色，或为管理员另建专用账号。"
        )
    else:
        if not held_admin:
            return
        message = _(
            "%(person)s 是%(held)s账号，不能再授予%(role)s：三员分立要求管理员账号不兼任任何"
            "其他角色（包括业务角色）。请为其另建业务账号。"
        )
    raise ValidationError(
        {"role": message % {"person": person, "held": labels, "role": Role(role).label}}
    )


@transaction.atomic
def revoke_role(*, actor: User, grant: RoleGrant) -> None:
    require_perm(actor, "role.manage")
    if actor.pk == grant.person_id:  # as granting to oneself is refused, so is revoking
        raise ValidationError(_("不能撤销自己的授权。"))
    record(actor=actor, action=AuditEvent.Action.REVOKE, obj=grant)
    person = grant.person
    grant.delete()
    forget_grants(person)


@transaction.atomic
def set_initial_password(*, actor: User, person: User, password: str) -> User:
    """An administrator sets a password that `person` must change at the next login; only for
    business accounts (三员分立: never an admin account, not even one's own)."""
    require_perm(actor, "person.manage", primary_unit(person))
    require_account_manageable(actor, person, "reset_password")
    try:
        validate_password(password, person)
    except ValidationError as exc:
        raise ValidationError({"password1": exc.messages}) from exc
    person.set_password(password)
    person.must_change_password = True
    person.password_changed_at = timezone.now()
    person.save(update_fields=["password", "must_change_password", "password_changed_at"])
    record(
        actor=actor,
        action=AuditEvent.Action.SECURITY,
        obj=person,
        verb="set_initial_password",
        note=_("设置初始密码，首次登录须修改"),
    )
    withdraw_access(actor=actor, person=person, revoke_tokens=False)  # tokens wait for the change
    return person
