"""Who may download an attachment: whoever may see the record it belongs to.

Apps register a check per owner model (`register(Model, can_view)`) in their AppConfig.ready().
"""

from collections.abc import Callable

from django.http import Http404

from .models import Attachment

_checks: dict[str, Callable] = {}


def register(model, can_view: Callable) -> None:
    _checks[model._meta.label_lower] = can_view


def get_attachment_for_user(user, pk: int) -> Attachment:
    attachment = Attachment.objects.select_related("owner_type").filter(pk=pk).first()
    if attachment is None or not user.is_authenticated:
        raise Http404
    if attachment.owner_type is None:
        if attachment.uploaded_by_id != user.id:
            raise Http404
        return attachment
    check = _checks.get(f"{attachment.owner_type.app_label}.{attachment.owner_type.model}")
    owner = attachment.owner
    if check is None or owner is None or not check(user, owner):
        raise Http404
    return attachment
