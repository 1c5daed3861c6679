from django.contrib.auth.decorators import login_required
from django.http import FileResponse
from django.utils.translation import gettext as _

from luoshi.accounts.http import AuthenticatedRequest

from .access import get_attachment_for_user
from .selectors import text_charset
from .services import record_download


@login_required
def download(request: AuthenticatedRequest, pk: int) -> FileResponse:
    attachment = get_attachment_for_user(request.user, pk)
    inline = attachment.is_image or attachment.content_type_name == "application/pdf"
    content_type = attachment.content_type_name
    if content_type == "text/plain":
        # Text evidence is never rendered by the browser (it could carry HTML): a download,
        # with its encoding named and sniffing off (SecurityMiddleware sets nosniff).
        content_type = f"text/plain; charset={text_charset(attachment)}"
    handle = attachment.file.open("rb")
    record_download(actor=request.user, attachment=attachment, channel=_("页面"))
    response = FileResponse(
        handle,
        as_attachment=not inline,
        filename=attachment.original_name,
        content_type=content_type,
    )
    response["Cache-Control"] = "private, max-age=3600"
    return response
