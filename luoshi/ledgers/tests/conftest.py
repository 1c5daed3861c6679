"""Ledger fixtures: activity types configured through the services, a PNG upload."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from luoshi.ledgers import services
from luoshi.ledgers.models import ActivityType, Category


def png_upload(name: str = "photo.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


@pytest.fixture
def lecture(world) -> ActivityType:
    """挎包宣讲: venue category, audience, a required topic and a choice field."""
    return services.create_activity_type(
        actor=world.office,
        name="挎包宣讲",
        category=Category.LECTURE,
        has_venue_category=True,
        has_audience=True,
        fields=[
            {"key": "topic", "label": "宣讲主题", "kind": "text", "required": True},
            {"key": "copies", "label": "发放资料（份）", "kind": "number", "required": False},
            {"key": "held_on", "label": "备案日期", "kind": "date", "required": False},
            {
                "key": "form",
                "label": "宣讲形式",
                "kind": "choice",
                "required": False,
                "choices": ["集中宣讲", "入户宣讲"],
            },
            {"key": "speaker", "label": "主讲人", "kind": "person", "required": False},
        ],
    )


@pytest.fixture
def meeting(world) -> ActivityType:
    """周例会 with QR check-in."""
    return services.create_activity_type(
        actor=world.office,
        name="周例会",
        category=Category.MEETING,
        takes_attendance=True,
        takes_checkin=True,
    )


@pytest.fixture
def reading(world) -> ActivityType:
    """每月读一本好书: a personal record."""
    return services.create_activity_type(
        actor=world.office,
        name="每月读一本好书",
        category=Category.STUDY,
        is_personal=True,
        fields=[{"key": "book", "label": "书名", "kind": "text", "required": True}],
    )


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Check-in failure counters live in the cache: every test starts without any."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
