"""The compliance settings page (learning.configure): values with the last change's reason
beside them, a reason required for every change, changes recorded and audited."""

import pytest

from luoshi.audit.models import AuditEvent
from luoshi.learning import selectors, services
from luoshi.learning.models import LearningSettings, SettingChange


def form_data(world, **changes):
    data = {
        "unit": world.city.pk,
        "person_ranking_visibility": "managers",
        "publish_unit_figures": "on",
        "commend_top_learners": "on",
        "commend_count": "10",
        "active_points": "300",
        "active_hours": "2",
        "registration_rate_threshold": "95",
        "active_rate_threshold": "60",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def test_page_shows_defaults(world, client_for):
    response = client_for(world.office).get("/learning/settings/")
    assert response.status_code == 200
    assert response.context["unit"] == world.city
    items = {item["name"]: item for item in response.context["items"]}
    assert items["person_ranking_visibility"]["value"] == "仅本人和管理者可见"
    assert items["use_in_assessment"]["value"] == "否"
    assert items["active_points"]["value"] == "300"
    assert "默认值，未调整" in response.content.decode()


def test_change_without_reason_is_refused_in_chinese(world, client_for):
    response = client_for(world.office).post(
        "/learning/settings/", form_data(world, remind_units="on", reason="")
    )
    assert response.status_code == 200
    assert "请填写变更理由" in response.content.decode()
    assert not LearningSettings.objects.exists()
    assert not SettingChange.objects.exists()


def test_change_with_reason_is_recorded_shown_and_audited(world, client_for):
    client = client_for(world.office)
    response = client.post(
        "/learning/settings/",
        form_data(world, remind_units="on", commend_count="5", reason="半年通报需提醒后进单位"),
    )
    assert response.status_code == 302
    rules = LearningSettings.objects.get(unit=world.city)
    assert rules.remind_units is True and rules.commend_count == 5
    changes = {change.field: change for change in SettingChange.objects.all()}
    assert set(changes) == {"remind_units", "commend_count"}
    assert changes["remind_units"].old_value == "否"
    assert changes["remind_units"].new_value == "是"
    assert changes["commend_count"].reason == "半年通报需提醒后进单位"
    assert changes["commend_count"].changed_by == world.office
    event = AuditEvent.objects.get(verb="change_settings")
    assert event.actor == world.office and event.note == "半年通报需提醒后进单位"
    assert event.changes["通报提醒未达标单位"] == ["否", "是"]
    page = client.get(response["Location"])
    items = {item["name"]: item for item in page.context["items"]}
    assert items["remind_units"]["value"] == "是"
    assert items["remind_units"]["change"].reason == "半年通报需提醒后进单位"
    assert items["publish_unit_figures"]["change"] is None
    html = page.content.decode()
    assert "半年通报需提醒后进单位" in html and "王建国" in html


def test_unchanged_settings_are_not_saved(world, client_for):
    response = client_for(world.office).post("/learning/settings/", form_data(world, reason="核对"))
    assert response.status_code == 200
    assert "设置没有变化" in response.content.decode()
    assert not SettingChange.objects.exists()


def test_service_requires_reason_and_permission(world):
    from django.core.exceptions import PermissionDenied, ValidationError

    with pytest.raises(ValidationError) as error:
        services.change_settings(
            actor=world.office, unit=world.city, values={"remind_units": True}, reason="  "
        )
    assert "请填写变更理由" in str(error.value)
    with pytest.raises(PermissionDenied):
        services.change_settings(
            actor=world.liaison, unit=world.unit_a, values={"remind_units": True}, reason="想改"
        )


def test_sub_unit_starts_from_inherited_values(world):
    services.change_settings(
        actor=world.office, unit=world.city, values={"commend_count": 3}, reason="压缩表扬人数"
    )
    services.change_settings(
        actor=world.office, unit=world.unit_a, values={"remind_units": True}, reason="试点"
    )
    rules = selectors.settings_for(world.section_a)
    assert rules.unit == world.unit_a
    assert rules.commend_count == 3 and rules.remind_units is True
    assert selectors.settings_for(world.unit_b).remind_units is False


@pytest.mark.parametrize(
    ("who", "url", "status"),
    [
        ("liaison", "/learning/settings/", 403),
        ("liaison", "/learning/settings/?unit={a}", 404),
        ("outsider", "/learning/settings/?unit={city}", 404),
        ("staff", "/learning/settings/", 403),
        ("leader", "/learning/settings/", 403),
        ("office", "/learning/settings/?unit={a}", 200),
    ],
)
def test_settings_access(world, client_for, who, url, status):
    user = getattr(world, who)
    url = url.format(a=world.unit_a.pk, city=world.city.pk)
    assert client_for(user).get(url).status_code == status


def test_outsider_cannot_post_settings_of_another_unit(world, client_for):
    response = client_for(world.outsider).post(
        "/learning/settings/", form_data(world, remind_units="on", reason="越权")
    )
    assert response.status_code == 404
    assert not LearningSettings.objects.exists()
