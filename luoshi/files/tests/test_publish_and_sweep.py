"""An upload reaches the media root only when the record that owns it is committed; a rolled
back upload leaves no file; the sweeper removes orphans older than a day and nothing else."""

import io
import os
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import transaction

from luoshi.files import tasks
from luoshi.files.models import Attachment
from luoshi.files.services import store_upload
from luoshi.files.storage import STAGING

PDF = b"%PDF-1.4\n%%EOF\n"


def _files() -> list[str]:
    root = Path(settings.MEDIA_ROOT)
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def _upload(world) -> Attachment:
    return store_upload(actor=world.staff, upload=SimpleUploadedFile("方案.pdf", PDF))


@pytest.mark.django_db
def test_file_is_staged_until_commit_and_readable_meanwhile(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        attachment = _upload(world)
        assert _files() == [f"{STAGING}/{attachment.file.name}"]
        with attachment.file.open("rb") as handle:
            assert handle.read() == PDF
    assert len(callbacks) == 1
    assert _files() == [attachment.file.name]
    with Attachment.objects.get(pk=attachment.pk).file.open("rb") as handle:
        assert handle.read() == PDF


@pytest.mark.django_db
def test_raise_inside_the_transaction_after_the_upload_leaves_no_file(world):
    with pytest.raises(RuntimeError), transaction.atomic():
        _upload(world)
        assert len(_files()) == 1
        raise RuntimeError("保存记录失败")
    assert _files() == []
    assert not Attachment.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_committed_and_rolled_back_transactions(world):
    with transaction.atomic():
        kept = _upload(world)
    assert _files() == [kept.file.name]
    with pytest.raises(RuntimeError), transaction.atomic():
        _upload(world)
        raise RuntimeError("保存记录失败")
    assert _files() == [kept.file.name]
    assert list(Attachment.objects.values_list("pk", flat=True)) == [kept.pk]


def _age(path: Path, hours: float) -> None:
    then = time.time() - hours * 3600
    os.utime(path, (then, then))


def _put(name: str, hours: float) -> Path:
    path = Path(settings.MEDIA_ROOT) / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(PDF)
    _age(path, hours)
    return path


@pytest.mark.django_db
def test_sweeper_removes_only_old_orphans(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        referenced = _upload(world)
    _age(Path(settings.MEDIA_ROOT) / referenced.file.name, 48)
    with django_capture_on_commit_callbacks(execute=False):
        # Committed row whose rename never happened (a crash right after the commit).
        unmoved = _upload(world)
    _age(Path(settings.MEDIA_ROOT) / STAGING / unmoved.file.name, 48)
    hex_name = "0123456789abcdef0123456789abcdef"
    _put(f"2026/11/{hex_name}.pdf", 48)  # its row is gone
    _put(f"{STAGING}/2026/11/{'f' * 32}.docx", 30)  # a worker killed mid-upload
    _put(f"2026/12/{'a' * 32}.pdf", 2)  # too young: may belong to a transaction under way
    _put("learning/rankings/douyin-1-202611.bin", 48)  # another app's file
    out = io.StringIO()
    call_command("sweep_uploads", stdout=out)
    assert "共删除 2 个孤立文件" in out.getvalue()
    assert _files() == sorted(
        [
            referenced.file.name,
            unmoved.file.name,
            f"2026/12/{'a' * 32}.pdf",
            "learning/rankings/douyin-1-202611.bin",
        ]
    )


@pytest.mark.django_db
def test_nightly_task_sweeps():
    _put(f"2026/11/{'b' * 32}.pdf", 25)
    assert tasks.sweep_uploads.call_local() == 1
    assert _files() == []
