"""Helpers for the API tests: JSON calls, personal access tokens, tasks in every state."""

import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from luoshi.accounts.models import AccessToken
from luoshi.campaigns import services as chain
from luoshi.campaigns.models import Task
from luoshi.testing import World, issued_task


def make_token(user, **fields) -> str:
    """A personal access token for `user`; returns the secret (only its hash is stored)."""
    secret = AccessToken.new_secret()
    AccessToken.objects.create(
        user=user,
        name="测试令牌",
        prefix=secret[:8],
        token_hash=AccessToken.hash(secret),
        **fields,
    )
    return secret


class Api:
    """A test client that speaks JSON to /api/."""

    def __init__(self, client: Client, headers: dict | None = None):
        self.client = client
        self.headers = headers or {}

    def get(self, path: str, params: dict | None = None):
        return self.client.get(f"/api{path}", params or {}, headers=self.headers)

    def post(self, path: str, body: dict | None = None):
        return self.client.post(
            f"/api{path}",
            json.dumps(body or {}),
            content_type="application/json",
            headers=self.headers,
        )

    def patch(self, path: str, body: dict):
        return self.client.patch(
            f"/api{path}", json.dumps(body), content_type="application/json", headers=self.headers
        )

    def put(self, path: str, body: dict):
        return self.client.put(
            f"/api{path}", json.dumps(body), content_type="application/json", headers=self.headers
        )

    def delete(self, path: str, body: dict | None = None):
        return self.client.delete(
            f"/api{path}",
            json.dumps(body or {}),
            content_type="application/json",
            headers=self.headers,
        )

    def upload(self, path: str, data: dict):
        return self.client.post(f"/api{path}", data, headers=self.headers)


@pytest.fixture
def api_for(client_for):
    """api_for(user): a JSON client logged in as `user` by session (CSRF not enforced)."""
    return lambda user: Api(client_for(user))


@pytest.fixture
def token_api():
    """token_api(user): a JSON client that authenticates with a fresh access token."""
    return lambda user: Api(Client(), {"Authorization": f"Bearer {make_token(user)}"})


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
