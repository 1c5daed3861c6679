"""The 422 for a request that does not match the schema speaks the UI language: pydantic's own
English ("Field required", "Input should be less than or equal to 100") never reaches the user."""

import re
from datetime import date

import pytest
from django.conf import settings
from django.utils import translation
from pydantic import BaseModel, Field, ValidationError

from luoshi.api.messages import translated
from luoshi.testing import issued_task

pytestmark = pytest.mark.django_db

ENGLISH_WORDS = re.compile(r"Field required|Input should|valid integer|less than|greater than")


def test_missing_and_out_of_range_fields_in_chinese(world, api_for):
    task = issued_task(world)[0]
    liaison = api_for(world.liaison)
    liaison.post(f"/tasks/{task.pk}/sign", {"note": "已签收"})
    response = liaison.upload(f"/tasks/{task.pk}/reports", {"percent": 150})
    assert response.status_code == 422, response.content
    errors = response.json()["errors"]
    assert errors["percent"] == ["不能大于 100。"]
    assert errors["text"] == ["此项为必填项。"]
    assert not ENGLISH_WORDS.search(response.content.decode())


def test_a_word_where_a_number_goes_in_chinese(world, api_for):
    response = api_for(world.office).post("/tasks", {"campaign_id": "一", "title": "晨读"})
    assert response.status_code == 422
    assert response.json()["errors"]["campaign_id"] == ["须为整数。"]


def test_the_same_messages_in_english(world, api_for):
    task = issued_task(world)[0]
    liaison = api_for(world.liaison)
    liaison.client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = liaison.upload(f"/tasks/{task.pk}/reports", {"percent": -1})
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert errors["percent"] == ["Must not be less than 0."]
    assert errors["text"] == ["This field is required."]
    assert not re.search(r"[\u4e00-\u9fff]", "".join(errors["percent"] + errors["text"]))


class Sample(BaseModel):
    name: str = Field(..., max_length=3)
    count: int = Field(..., gt=0, lt=10)
    day: date
    kind: str = Field(..., pattern="^[a-z]+$")
    tags: list[str] = Field(..., min_length=1)


def sample_errors(**data) -> dict[str | int, str]:
    with pytest.raises(ValidationError) as caught:
        Sample(**data)
    return {error["loc"][0]: translated(error) for error in caught.value.errors()}


def test_each_kind_of_error_with_its_limit():
    with translation.override("zh-hans"):
        errors = sample_errors(name="四个字符", count=0, day="明天", kind="A", tags=[])
        assert errors == {
            "name": "最多 3 个字符。",
            "count": "须大于 0。",
            "day": "须为日期（YYYY-MM-DD）。",
            "kind": "格式不符合要求。",
            "tags": "至少须有 1 项。",
        }
        assert sample_errors(name="a", count=10, day=date(2026, 12, 3), kind="a", tags=["x"]) == {
            "count": "须小于 10。"
        }
    with translation.override("en"):
        errors = sample_errors(name="abcd", count="x", day="x", kind="A", tags="x")
        assert errors["name"] == "At most 3 characters."
        assert errors["count"] == "Must be a whole number."


def test_an_unknown_kind_gets_a_general_message_not_english():
    with translation.override("zh-hans"):
        assert translated({"type": "something_new", "msg": "Input should be new"}) == "取值无效。"
        # our own checks (inputs.py) are already in the UI language and kept
        assert (
            translated({"type": "value_error", "msg": "title：不能为空。"}) == "title：不能为空。"
        )
