"""Attachment downloads for token clients (the page URL files:download needs a session).

The same permission check as the page: whoever may see the record the file belongs to.
"""

from django.http import FileResponse, HttpRequest
from ninja import Router

from luoshi.api.auth import current_user
from luoshi.api.schemas import ERRORS

from .access import get_attachment_for_user
from .services import record_download

router = Router(tags=["附件"])


@router.get(
    "/{int:attachment_id}",
    response={200: None, **ERRORS},
    summary="下载附件（需有权查看其所属记录）",
    url_name="file-download",
)
def download(request: HttpRequest, attachment_id: int):
    user = current_user(request)
    attachment = get_attachment_for_user(user, attachment_id)
    handle = attachment.file.open("rb")
    record_download(actor=user, attachment=attachment, channel="API")
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type_name,
    )
    response["Cache-Control"] = "private, max-age=3600"
    return response
