from django.contrib.auth.decorators import login_required
from django.http import FileResponse

from luoshi.accounts.http import AuthenticatedRequest

from .access import get_attachment_for_user


@login_required
def download(request: AuthenticatedRequest, pk: int) -> FileResponse:
    attachment = get_attachment_for_user(request.user, pk)
    inline = attachment.is_image or attachment.content_type_name == "application/pdf"
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=not inline,
        filename=attachment.original_name,
        content_type=attachment.content_type_name,
    )
    response["Cache-Control"] = "private, max-age=3600"
    return response
