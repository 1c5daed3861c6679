"""Helpers for the API tests of every app: JSON calls and personal access tokens."""

import json

import pytest
from django.test import Client

from luoshi.accounts.models import AccessToken


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
