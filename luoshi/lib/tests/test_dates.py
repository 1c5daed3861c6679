"""The deadline rule: a date before today, or a date-time before the current minute, is refused
with the field named; `replaying` judges by the replayed moment only inside its block."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import override

from luoshi.lib import dates


def test_a_date_before_today_is_refused_and_today_is_not():
    today = timezone.localdate()
    assert dates.past_error(today, label="完成时限") is None
    assert dates.past_error(today + datetime.timedelta(days=1), label="完成时限") is None
    assert dates.past_error(None, label="完成时限") is None
    assert dates.past_error(today - datetime.timedelta(days=1), label="整改时限") == (
        f"整改时限不能早于今天（{today.isoformat()}）。"
    )
    with pytest.raises(ValidationError) as caught:
        dates.require_not_past(
            today - datetime.timedelta(days=1), field="reply_deadline", label="回复时限"
        )
    assert caught.value.message_dict == {
        "reply_deadline": [f"回复时限不能早于今天（{today.isoformat()}）。"]
    }


def test_a_date_time_counts_to_the_minute(monkeypatch):
    moment = timezone.now().replace(second=40, microsecond=0)
    monkeypatch.setattr(timezone, "now", lambda: moment)
    minute = moment.replace(second=0)
    assert dates.past_error(minute, label="报名截止时间") is None
    shown = timezone.localtime(minute).strftime("%Y-%m-%d %H:%M")
    assert dates.past_error(minute - datetime.timedelta(seconds=1), label="报名截止时间") == (
        f"报名截止时间不能早于当前时间（{shown}）。"
    )


def test_replaying_judges_by_the_replayed_day_inside_the_block_only():
    today = timezone.localdate()
    month_ago = timezone.now() - datetime.timedelta(days=30)
    deadline = today - datetime.timedelta(days=10)
    assert dates.past_error(deadline, label="完成时限") is not None
    with dates.replaying(month_ago):
        assert dates.today() == timezone.localdate(month_ago)
        assert dates.now() == month_ago
        assert dates.past_error(deadline, label="完成时限") is None
    assert dates.today() == today
    assert dates.past_error(deadline, label="完成时限") is not None


def test_the_message_is_english_in_english():
    today = timezone.localdate()
    with override("en"):
        message = dates.past_error(today - datetime.timedelta(days=1), label="Deadline")
    assert message == f"Deadline cannot be earlier than today ({today.isoformat()})."
