"""/api/docs: django-ninja's Swagger page, every file of it served by luoshi (no CDN)."""

import re

import pytest

pytestmark = pytest.mark.django_db


def test_api_docs_page_is_served_locally(world, client_for):
    response = client_for(world.staff).get("/api/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger" in html.lower()
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources and all(not s.startswith(("http://", "https://", "//")) for s in sources), (
        sources
    )
    assert any(s.endswith("swagger-ui-bundle.js") for s in sources)
