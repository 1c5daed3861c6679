"""Fixtures of the campaigns' tests: the API kit's JSON clients, an image upload and unit tasks
walked along the chain to every state."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from luoshi.api.tests.conftest import api_for, token_api  # noqa: F401 (fixtures)
from luoshi.campaigns import services as chain
from luoshi.campaigns.models import Task
from luoshi.testing import World, issued_task


def png_upload(name: str = "photo.png") -> SimpleUploadedFile:
    image = Image.new("RGB", (8, 8), (200, 30, 30))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def task_in_state(world: World, state: str) -> Task:
    """A unit task of unit A walked by the services to `state` (owner: staff)."""
    task = issued_task(world)[0]
    if state == "issued":
        return task
    chain.sign_task(actor=world.liaison, task=task)
    if state == "signed":
        return task
    chain.assign_task(actor=world.liaison, task=task, owner=world.staff)
    if state == "in_progress":
        return task
    if state == "returned":
        chain.report_progress(actor=world.staff, task=task, percent=100, text="完成", complete=True)
        chain.verify_task(actor=world.office, task=task, passed=False, reason="缺少佐证材料")
        return task
    chain.report_progress(actor=world.staff, task=task, percent=100, text="完成", complete=True)
    if state == "submitted":
        return task
    chain.verify_task(actor=world.office, task=task, passed=True, quality=Task.Quality.GOOD)
    if state == "verified":
        return task
    raise ValueError(state)
