"""Accepting uploads: size limit, type by content (never by name), images re-encoded."""

import hashlib
import io
import time
from datetime import timedelta
from pathlib import Path, PurePath

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from PIL import Image, ImageOps

from luoshi.audit.models import AuditEvent
from luoshi.audit.services import record
from luoshi.lib.office import inspect_office_file

from .models import Attachment
from .storage import ATTACHMENT_NAME, STAGING, PublishOnCommit, get_attachment_storage

# Detected type → extension we store. Office files are zip (docx/xlsx/pptx) or OLE (doc/xls).
ALLOWED = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/webp": "webp",
    "image/gif": "gif",
    "application/pdf": "pdf",
    "application/zip": None,  # docx/xlsx/pptx, by the zip's [Content_Types].xml (lib.office)
    "application/x-ole-storage": None,  # doc/xls/ppt
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "pptx",
    "application/msword": "doc",
    "application/vnd.ms-excel": "xls",
    "video/mp4": "mp4",
}
OLE_EXTENSIONS = {"doc", "xls", "ppt", "wps", "et", "dps"}
OFFICE_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}
OFFICE_NAMES = {
    "docx": _lazy("Word 文档"),
    "xlsx": _lazy("Excel 工作簿"),
    "pptx": _lazy("PowerPoint 演示文稿"),
}
# The names a kind of Office file may carry (WPS Office saves the same formats as .wps/.et/.dps).
NAMES_OF_KIND = {"docx": {"docx", "wps"}, "xlsx": {"xlsx", "et"}, "pptx": {"pptx", "dps"}}
TEXT_EXTENSIONS = {"txt", "csv"}
IMAGE_TYPES = {"image/jpeg", "image/png", "image/webp", "image/gif"}


def _kind(data: bytes, name: str) -> tuple[str, str]:
    """(content type, extension) decided by the bytes; raises ValidationError when not allowed."""
    suffix = PurePath(name).suffix.lower().lstrip(".")
    guess = filetype.guess(data[:8192])
    if guess is None:
        if suffix in TEXT_EXTENSIONS:
            try:
                data[:65536].decode("utf-8")
            except UnicodeDecodeError:
                data[:65536].decode("gb18030", errors="strict")
            return "text/plain", suffix
        raise ValidationError(_("文件“%(name)s”的类型无法识别，不能上传。") % {"name": name})
    mime = guess.mime
    if mime not in ALLOWED:
        raise ValidationError(
            _("不允许上传此类文件：“%(name)s”（%(mime)s）。允许图片、PDF、Office 文档和 MP4 视频。")
            % {"name": name, "mime": mime}
        )
    if mime in ("application/zip", *OFFICE_TYPES.values()):
        return _office_kind(data, name, suffix)
    extension = ALLOWED[mime]
    if extension is None:
        if suffix not in OLE_EXTENSIONS:
            raise ValidationError(_("文件“%(name)s”的内容与扩展名不符。") % {"name": name})
        extension = suffix
    return mime, extension


def _office_kind(data: bytes, name: str, suffix: str) -> tuple[str, str]:
    """An Office Open XML file, known by the zip's own content types (never by its name) and
    checked against zip bombs before anything reads it."""
    kind = inspect_office_file(data).kind
    if kind not in OFFICE_TYPES:
        raise ValidationError(
            _("文件“%(name)s”不是可识别的 Office 文档，不能上传。") % {"name": name}
        )
    if suffix not in NAMES_OF_KIND[kind]:
        raise ValidationError(
            _("文件“%(name)s”的内容是%(kind)s，与扩展名不符，请改正扩展名后重新上传。")
            % {"name": name, "kind": OFFICE_NAMES[kind]}
        )
    return OFFICE_TYPES[kind], kind


def _reencode(data: bytes, mime: str) -> bytes:
    """Re-encode an image from its pixels: drops EXIF (GPS included) and anything smuggled."""
    try:
        with Image.open(io.BytesIO(data)) as opened:
            image = ImageOps.exif_transpose(opened)
            out = io.BytesIO()
            fmt = {
                "image/jpeg": "JPEG",
                "image/png": "PNG",
                "image/webp": "WEBP",
                "image/gif": "GIF",
            }[mime]
            if fmt == "JPEG" and image.mode not in ("RGB", "L"):
                image = image.convert("RGB")
            image.save(out, format=fmt, quality=88)
            return out.getvalue()
    except (OSError, ValueError, Image.DecompressionBombError) as exc:
        raise ValidationError(_("图片已损坏或无法读取。")) from exc


def store_upload(*, actor, upload: UploadedFile, owner: models.Model | None = None) -> Attachment:
    """Check and store one uploaded file. The caller's transaction covers it: the file reaches
    the media root only when that transaction commits, and a rollback leaves no file."""
    if upload.size is None or upload.size > settings.UPLOAD_MAX_BYTES:
        raise ValidationError(
            _("文件“%(name)s”超过 %(mb)d MB 的大小限制。")
            % {"name": upload.name, "mb": settings.UPLOAD_MAX_BYTES // (1024 * 1024)}
        )
    data = upload.read()
    mime, extension = _kind(data, upload.name or "")
    if mime in IMAGE_TYPES:
        data = _reencode(data, mime)
    attachment = Attachment(
        original_name=PurePath(upload.name or "file").name[:200],
        extension=extension,
        content_type_name=mime,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        uploaded_by=actor,
    )
    if owner is not None:
        attachment.owner = owner
    storage = get_attachment_storage()
    name = attachment.file.field.generate_filename(attachment, f"upload.{extension}")
    storage.stage(name, data)
    try:
        attachment.file.name = name
        attachment.save()
    except BaseException:
        storage.staged_path(name).unlink(missing_ok=True)
        raise
    # Published when the caller's transaction commits; gone if it rolls back (storage.py). A
    # failed move after the commit is logged, not raised: the record is saved, the file is still
    # read from staging, and the sweeper finishes the move.
    transaction.on_commit(PublishOnCommit(storage, name), robust=True)
    return attachment


def attach(*, attachments: list[Attachment], owner: models.Model) -> None:
    """Point already stored attachments at the record they belong to."""
    for attachment in attachments:
        attachment.owner = owner
        attachment.save(update_fields=["owner_type", "owner_id"])


def owner_description(attachment: Attachment) -> str:
    """Which record the file belongs to, as the audit log names it: 类型 #编号「名称」."""
    if attachment.owner_type is None or attachment.owner_id is None:
        return _("未关联记录")
    model = attachment.owner_type.model_class()
    kind = str(model._meta.verbose_name) if model is not None else attachment.owner_type.model
    owner = attachment.owner
    name = str(owner)[:100] if owner is not None else _("已删除")
    return _("%(kind)s #%(id)s「%(name)s」") % {
        "kind": kind,
        "id": attachment.owner_id,
        "name": name,
    }


@transaction.atomic
def record_download(*, actor, attachment: Attachment, channel: str) -> AuditEvent:
    """One audit row for each download: who, which file, and the record it belongs to.

    `channel` says where it was fetched (the page or the API). The caller has already checked
    that `actor` may see the owning record (files.access.get_attachment_for_user).
    """
    owner = owner_description(attachment)
    return record(
        actor=actor,
        action=AuditEvent.Action.DOWNLOAD,
        obj=attachment,
        verb=_("下载附件"),
        object_repr=attachment.original_name,
        note=_("所属记录：%(owner)s；途径：%(channel)s") % {"owner": owner, "channel": channel},
    )


def sweep_orphan_files(*, older_than: timedelta = timedelta(days=1)) -> list[str]:
    """Remove attachment files that no attachment row references and that are older than
    `older_than`: uploads of a process killed mid-request (left in staging) and files whose row
    is gone. A staged file whose row was committed but never moved (a crash between the commit
    and the rename) is moved to its place instead. Only names of the attachments' own pattern
    are touched; whatever else lives under the media root belongs to other apps. Returns the
    removed names, relative to the media root."""
    storage = get_attachment_storage()
    root = Path(storage.location)
    if not root.is_dir():
        return []
    cutoff = time.time() - older_than.total_seconds()
    referenced = set(Attachment.objects.values_list("file", flat=True))
    removed = []
    for path in sorted(root.rglob("*")):
        if not path.is_file() or path.stat().st_mtime > cutoff:
            continue
        relative = path.relative_to(root).as_posix()
        staged = relative.startswith(f"{STAGING}/")
        name = relative.removeprefix(f"{STAGING}/")
        if not ATTACHMENT_NAME.match(name):
            continue
        if name in referenced and staged and not (root / name).exists():
            storage.publish(name)
        elif name not in referenced or staged:
            path.unlink(missing_ok=True)
            removed.append(relative)
    return removed
