"""Password rules beyond Django's own: three of the four character classes (等保)."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

CLASSES = (r"[a-z]", r"[A-Z]", r"[0-9]", r"[^a-zA-Z0-9]")


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
