"""Custom field definitions typed in English; the campaigns a record counts toward. (The
heritage site and the study groups of the record form are tested in their apps.)"""

import pytest
from django.utils import timezone, translation

from luoshi.ledgers import forms

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_field_definitions_round_trip_in_either_language(language):
    fields = [
        {"key": "book", "label": "书名", "kind": "text", "required": True, "choices": []},
        {"key": "day", "label": "日期", "kind": "date", "required": False, "choices": []},
        {
            "key": "form",
            "label": "形式",
            "kind": "choice",
            "required": False,
            "choices": ["甲", "乙"],
        },
    ]
    with translation.override(language):
        text = forms.fields_to_text(fields)
        assert forms.text_to_fields(text) == fields


def test_campaigns_default_to_the_types_own(world, lecture):
    from luoshi.ledgers.services import record_activity

    lecture.campaign = world.campaign
    lecture.save(update_fields=["campaign"])
    common = {
        "actor": world.liaison,
        "activity_type": lecture,
        "unit": world.unit_a,
        "title": "宣讲",
        "starts_at": timezone.now(),
        "venue_category": "other",
        "values": {"topic": "石油精神"},
    }
    assert list(record_activity(**common).campaigns.all()) == [world.campaign]
    assert not record_activity(**common, campaigns=[]).campaigns.exists()  # e.g. 2022 records
