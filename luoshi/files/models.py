"""Uploaded files: checked by content, images re-encoded, served only through a permission check."""

import uuid

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .storage import get_attachment_storage


def _upload_to(instance: "Attachment", filename: str) -> str:
    now = timezone.now()
    return f"{now:%Y/%m}/{uuid.uuid4().hex}.{instance.extension}"


class Attachment(models.Model):
    """A stored file and the record it belongs to (a progress report, a notice, …).

    Whoever may see the owning record may download the file; nobody else, and the file is never
    reachable by a guessable URL (see files.views.download).
    """

    file = models.FileField(upload_to=_upload_to, max_length=200, storage=get_attachment_storage)
    original_name = models.CharField(_("文件名"), max_length=200)
    extension = models.CharField(max_length=10)
    content_type_name = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64, db_index=True)
    owner_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    owner_id = models.PositiveBigIntegerField(null=True, blank=True)
    owner = GenericForeignKey("owner_type", "owner_id")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = _("附件")
        indexes = [models.Index(fields=["owner_type", "owner_id"])]

    def __str__(self) -> str:
        return self.original_name

    @property
    def is_image(self) -> bool:
        return self.content_type_name.startswith("image/")
