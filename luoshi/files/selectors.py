"""Reads about stored files."""

from .models import Attachment


def text_charset(attachment: Attachment) -> str:
    """utf-8 or gb18030: how a stored .txt/.csv is encoded (uploads accept both)."""
    with attachment.file.open("rb") as handle:
        head = handle.read(65536)
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as error:
        # A multi-byte character cut at the 64 KB boundary is still UTF-8.
        if error.start < len(head) - 4:
            return "gb18030"
    return "utf-8"
