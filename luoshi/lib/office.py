"""Office files (.xlsx, .docx) looked at before anything parses them.

An .xlsx or .docx is a zip of XML parts. Before a sheet is read, `inspect_office_file` checks
what the zip would inflate to — the members' total uncompressed size, their number and the
compression ratio (a 400 KB file can hold 400 MB of shared strings) — and, for a workbook, the
sheets' declared dimension and the largest row number actually present (one data row numbered
50,000,000 makes a reader walk fifty million empty rows). It also tells the Office type from the
zip's own `[Content_Types].xml`, never from the file's name. Nothing here holds a database
transaction: callers inspect first, then parse, then write.

The limits come from settings (`LUOSHI_UPLOAD_MAX_UNZIPPED_MB`, `LUOSHI_UPLOAD_MAX_MEMBERS`,
`LUOSHI_UPLOAD_MAX_RATIO`, `LUOSHI_IMPORT_MAX_ROWS`), read at each call so tests can change them.
"""

import io
import re
import zipfile
from dataclasses import dataclass
from typing import IO

from defusedxml import ElementTree
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

CONTENT_TYPES = "[Content_Types].xml"
MAIN_PARTS = {
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": "xlsx",
    "application/vnd.ms-excel.sheet.macroEnabled.main+xml": "xlsm",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": "docx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml": "pptx",
}
WORKSHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
# A member smaller than this may have any ratio (an empty sheet compresses 1,000 to 1).
RATIO_FLOOR = 1024 * 1024
CHUNK = 1024 * 1024
ROW_NUMBER = re.compile(rb"<(?:\w+:)?row\b[^>]*?\br=\"(\d+)\"")
DIMENSION = re.compile(rb"<(?:\w+:)?dimension\b[^>]*?\bref=\"([A-Z]*)(\d*)(?::([A-Z]*)(\d+))?\"")


@dataclass(frozen=True)
class Limits:
    """How far an uploaded Office file may go once inflated."""

    unzipped_bytes: int
    members: int
    ratio: int
    rows: int

    @classmethod
    def from_settings(cls) -> "Limits":
        return cls(
            unzipped_bytes=settings.UPLOAD_MAX_UNZIPPED_BYTES,
            members=settings.UPLOAD_MAX_MEMBERS,
            ratio=settings.UPLOAD_MAX_RATIO,
            rows=settings.IMPORT_MAX_ROWS,
        )


@dataclass(frozen=True)
class Inspection:
    """What an Office file is: its type by content, and (workbooks) the largest row number."""

    kind: str | None
    rows: int


def _refuse(message: str, code: str) -> ValidationError:
    return ValidationError(message, code=code)


def office_kind(archive: zipfile.ZipFile) -> str | None:
    """'xlsx', 'docx', 'pptx' … by the zip's [Content_Types].xml; None when it names no main part."""
    try:
        with archive.open(CONTENT_TYPES) as handle:
            root = ElementTree.fromstring(handle.read(256 * 1024))
    except (KeyError, ElementTree.ParseError, ValueError):
        return None
    for override in root:
        kind = MAIN_PARTS.get(override.get("ContentType", ""))
        if kind:
            return kind
    return None


def _worksheets(archive: zipfile.ZipFile) -> list[str]:
    try:
        with archive.open(CONTENT_TYPES) as handle:
            root = ElementTree.fromstring(handle.read(256 * 1024))
    except (KeyError, ElementTree.ParseError, ValueError):
        return []
    return [
        override.get("PartName", "").lstrip("/")
        for override in root
        if override.get("ContentType") == WORKSHEET
    ]


def _largest_row(archive: zipfile.ZipFile, name: str, limits: Limits) -> int:
    """The largest row number a sheet declares or holds, read in chunks: the scan stops as soon
    as a row number passes the limit, and never inflates more than the zip check allowed."""
    largest = 0
    tail = b""
    with archive.open(name) as handle:
        while chunk := handle.read(CHUNK):
            window = tail + chunk
            if not largest and (dimension := DIMENSION.search(window)):
                largest = int(dimension.group(4) or dimension.group(2) or 0)
                if largest > limits.rows:
                    return largest
            for match in ROW_NUMBER.finditer(window):
                largest = max(largest, int(match.group(1)))
            if largest > limits.rows:
                return largest
            tail = window[-256:]
    return largest


def inspect_office_file(data: bytes | IO[bytes], limits: Limits | None = None) -> Inspection:
    """Check an .xlsx/.docx before parsing; raise ValidationError (in Chinese) when it would
    inflate past the limits or holds more rows than an import takes. Not a zip: kind None."""
    limits = limits or Limits.from_settings()
    source = io.BytesIO(data) if isinstance(data, bytes) else data
    try:
        archive = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, ValueError, OSError):
        return Inspection(kind=None, rows=0)
    with archive:
        members = archive.infolist()
        if len(members) > limits.members:
            raise _refuse(
                _("文件包含 %(n)s 个部件，超过上限 %(max)s 个，疑似压缩炸弹，已拒绝。")
                % {"n": f"{len(members):,}", "max": f"{limits.members:,}"},
                "zip_members",
            )
        total = sum(member.file_size for member in members)
        if total > limits.unzipped_bytes:
            raise _refuse(
                _("文件解压后约 %(mb)s MB，超过上限 %(max)s MB，疑似压缩炸弹，已拒绝。")
                % {
                    "mb": f"{total // (1024 * 1024):,}",
                    "max": f"{limits.unzipped_bytes // (1024 * 1024):,}",
                },
                "zip_size",
            )
        for member in members:
            ratio = member.file_size / max(member.compress_size, 1)
            if member.file_size > RATIO_FLOOR and ratio > limits.ratio:
                raise _refuse(
                    _("文件压缩比异常（%(ratio)s 倍，上限 %(max)s 倍），疑似压缩炸弹，已拒绝。")
                    % {"ratio": f"{int(ratio):,}", "max": f"{limits.ratio:,}"},
                    "zip_ratio",
                )
        kind = office_kind(archive)
        rows = 0
        if kind in ("xlsx", "xlsm"):
            for name in _worksheets(archive):
                try:
                    rows = max(rows, _largest_row(archive, name, limits))
                except KeyError:
                    continue
                if rows > limits.rows:
                    raise _refuse(
                        _("工作表声明了 %(rows)s 行，超过上限 %(max)s 行，已拒绝。")
                        % {"rows": f"{rows:,}", "max": f"{limits.rows:,}"},
                        "too_many_rows",
                    )
    return Inspection(kind=kind, rows=rows)
