"""Password rules beyond Django's own (等保2.0 身份鉴别, ASVS 6.1 / NIST SP 800-63B):

- three of the four character classes;
- not the account name, nor containing it;
- not a common password with digits and symbols stuck on or letters swapped for look-alikes
  (`Password123!`, `P@ssw0rd`): Django's list of 20,000 common passwords checks the word at the core;
- none of the last five passwords of the account (the hashes are kept in PasswordHistory by
  `password_changed`, which Django calls whenever a password is saved).
"""

import re

from django.contrib.auth.hashers import check_password
from django.contrib.auth.password_validation import CommonPasswordValidator
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

CLASSES = (r"[a-z]", r"[A-Z]", r"[0-9]", r"[^a-zA-Z0-9]")
LOOK_ALIKES = str.maketrans(
    {"@": "a", "4": "a", "0": "o", "1": "i", "!": "i", "3": "e", "$": "s", "5": "s", "7": "t"}
)
EDGES = re.compile(r"^[\W\d_]+|[\W\d_]+$")


class CharacterClassesValidator:
    def __init__(self, required: int = 3):
        self.required = required

    def validate(self, password: str, user=None) -> None:
        found = sum(1 for pattern in CLASSES if re.search(pattern, password))
        if found < self.required:
            raise ValidationError(
                _("密码须包含大写字母、小写字母、数字、符号中的至少 %(n)d 类。")
                % {"n": self.required},
                code="password_classes",
            )

    def get_help_text(self) -> str:
        return _("密码须包含大写字母、小写字母、数字、符号中的至少 %(n)d 类。") % {
            "n": self.required
        }


class NotContainingUsernameValidator:
    """The password may not contain the account name (of three characters or more)."""

    def validate(self, password: str, user=None) -> None:
        username = (getattr(user, "username", "") or "").casefold()
        if len(username) >= 3 and username in password.casefold():
            raise ValidationError(_("密码不能包含账号名。"), code="password_contains_username")

    def get_help_text(self) -> str:
        return _("密码不能包含账号名。")


class CommonBaseWordValidator:
    """A common password does not become strong by adding digits and symbols around it or by
    writing @ for a and 0 for o: the word at its core is looked up in Django's common list."""

    def __init__(self) -> None:
        self.common = CommonPasswordValidator().passwords

    def _cores(self, password: str) -> set[str]:
        lowered = password.casefold()
        stripped = EDGES.sub("", lowered)
        return {
            stripped,
            EDGES.sub("", lowered.translate(LOOK_ALIKES)),
            lowered.translate(LOOK_ALIKES),
        }

    def validate(self, password: str, user=None) -> None:
        if any(len(core) >= 4 and core in self.common for core in self._cores(password)):
            raise ValidationError(
                _("密码过于常见（常见单词加数字或符号），请换一个不易猜到的密码。"),
                code="password_common_base",
            )

    def get_help_text(self) -> str:
        return _("不能是常见密码加数字或符号的组合。")


class PasswordHistoryValidator:
    """None of the last `keep` passwords of the account may be chosen again."""

    def __init__(self, keep: int = 5):
        self.keep = keep

    def _recent(self, user) -> list[str]:
        from .models import PasswordHistory

        return list(
            PasswordHistory.objects.filter(user=user)
            .order_by("-created_at", "-pk")
            .values_list("password", flat=True)[: self.keep]
        )

    def validate(self, password: str, user=None) -> None:
        if user is None or user.pk is None:
            return
        hashes = self._recent(user)
        if user.password and user.password not in hashes:
            hashes = [user.password, *hashes][: self.keep]
        if any(check_password(password, encoded) for encoded in hashes):
            raise ValidationError(
                _("不能与最近 %(n)d 次使用过的密码相同。") % {"n": self.keep},
                code="password_reused",
            )

    def password_changed(self, password: str, user=None) -> None:
        """Keep the new password's hash; older ones beyond `keep` are removed."""
        from .models import PasswordHistory

        if user is None or user.pk is None or not user.password:
            return
        PasswordHistory.objects.create(user=user, password=user.password)
        stale = PasswordHistory.objects.filter(user=user).order_by("-created_at", "-pk")[
            self.keep :
        ]
        PasswordHistory.objects.filter(pk__in=[entry.pk for entry in stale]).delete()

    def get_help_text(self) -> str:
        return _("不能与最近 %(n)d 次使用过的密码相同。") % {"n": self.keep}
