"""The OpenAPI schema at /api/openapi.json describes every area and both ways to authenticate,
and no two schema classes share a component name."""

from typing import get_args

import pytest
from django.test import Client
from pydantic import BaseModel

from luoshi.api.api import api

pytestmark = pytest.mark.django_db

EXPECTED_PATHS = {
    "/api/units": {"get"},
    "/api/units/{unit_id}": {"get"},
    "/api/people": {"get"},
    "/api/people/{person_id}": {"get"},
    "/api/people/me": {"get"},
    "/api/campaigns": {"get"},
    "/api/campaigns/{campaign_id}": {"get"},
    "/api/tasks": {"get", "post"},
    "/api/tasks/{task_id}": {"get", "patch"},
    "/api/tasks/{task_id}/issue": {"post"},
    "/api/tasks/{task_id}/sign": {"post"},
    "/api/tasks/{task_id}/withdraw": {"post"},
    "/api/tasks/{task_id}/assign": {"post"},
    "/api/tasks/{task_id}/decompose": {"post"},
    "/api/tasks/{task_id}/reports": {"get", "post"},
    "/api/tasks/{task_id}/verify": {"post"},
    "/api/tasks/{task_id}/close": {"post"},
    "/api/tasks/{task_id}/notices": {"post"},
    "/api/tasks/{task_id}/remind": {"post"},
    "/api/tasks/{task_id}/accountability": {"post"},
    "/api/tasks/{task_id}/comments": {"post"},
    "/api/notices": {"get"},
    "/api/notices/{notice_id}": {"get"},
    "/api/notices/{notice_id}/reply": {"post"},
    "/api/files/{attachment_id}": {"get"},
}


def test_openapi_schema_lists_every_path():
    response = Client().get("/api/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    for path, methods in EXPECTED_PATHS.items():
        assert path in schema["paths"], path
        assert methods <= set(schema["paths"][path]), path


def test_schema_declares_token_and_session_auth_and_multipart_upload():
    schema = Client().get("/api/openapi.json").json()
    schemes = schema["components"]["securitySchemes"]
    assert {"type": "http", "scheme": "bearer"}.items() <= schemes["TokenAuth"].items()
    assert schemes["SessionAuth"]["in"] == "cookie"
    upload = schema["paths"]["/api/tasks/{task_id}/reports"]["post"]["requestBody"]["content"]
    assert "multipart/form-data" in upload
    edit = schema["paths"]["/api/tasks/{task_id}"]["patch"]["responses"]
    assert "409" in edit


def _schema_classes(annotation, found: dict[str, set[str]], seen: set) -> None:
    """Every pydantic model reachable from `annotation` (through list[...], X | None, nested
    fields), by its component name: ninja names a component by the class's `__name__`."""
    if annotation in seen:
        return
    seen.add(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        # ninja's own wrappers (NinjaResponseSchema, QueryParams, BodyParams…) live in "abc"
        if annotation.__module__ not in {"abc", "ninja.schema"}:
            name = f"{annotation.__module__}.{annotation.__qualname__}"
            found.setdefault(annotation.__name__, set()).add(name)
        for field in annotation.model_fields.values():
            _schema_classes(field.annotation, found, seen)
        return
    for argument in get_args(annotation):
        _schema_classes(argument, found, seen)


def test_no_two_schema_classes_share_a_component_name():
    """ninja registers every schema under its class name and lets the last one win silently, so
    two `PersonOut`s make the operations of one document the other's shape."""
    api.get_openapi_schema()
    found: dict[str, set[str]] = {}
    seen: set = set()
    for _prefix, router in api._routers:
        for path_view in router.path_operations.values():
            for operation in path_view.operations:
                for model in [*operation.response_models.values(), *operation.models]:
                    _schema_classes(model, found, seen)
    assert found  # the walk reached the apps' schemas
    collisions = {name: sorted(classes) for name, classes in found.items() if len(classes) > 1}
    assert not collisions, "\n".join(
        f"{name}: {', '.join(classes)}" for name, classes in sorted(collisions.items())
    )
