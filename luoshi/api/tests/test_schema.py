"""The OpenAPI schema at /api/openapi.json describes every area and both ways to authenticate."""

import pytest
from django.test import Client

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
