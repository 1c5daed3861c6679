"""Study fixtures: the ledger's study types and the campaign's study settings, as the office
configures them."""

from dataclasses import dataclass

import pytest

from luoshi.ledgers import services as ledger
from luoshi.ledgers.models import ActivityType, Category
from luoshi.study import services


@dataclass
class StudyTypes:
    morning: ActivityType
    reading: ActivityType
    essay: ActivityType


@pytest.fixture
def study(world) -> StudyTypes:
    """晨读+分享, 每月读一本好书 and 心得体会 (as in the demo), set as the campaign's study types,
    and two designated readings."""
    office = world.office
    morning = ledger.create_activity_type(
        actor=office, name="晨读+分享", category=Category.STUDY, sort_order=10
    )
    reading = ledger.create_activity_type(
        actor=office,
        name="每月读一本好书",
        category=Category.STUDY,
        is_personal=True,
        fields=[
            {"key": "book", "label": "书名", "kind": "text", "required": True},
            {"key": "author", "label": "作者", "kind": "text"},
            {"key": "designated", "label": "指定读本", "kind": "choice", "choices": ["是", "否"]},
        ],
    )
    essay = ledger.create_activity_type(
        actor=office,
        name="心得体会",
        category=Category.STUDY,
        is_personal=True,
        fields=[{"key": "manuscript", "label": "文稿", "kind": "file"}],
    )
    services.set_study_settings(
        actor=office, campaign=world.campaign, reading_type=reading, essay_type=essay
    )
    services.add_reading(
        actor=office, campaign=world.campaign, title="中国共产党简史", author="本书编写组"
    )
    services.add_reading(actor=office, campaign=world.campaign, title="论中国共产党历史")
    return StudyTypes(morning, reading, essay)
