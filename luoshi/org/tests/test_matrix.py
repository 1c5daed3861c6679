"""Who may open which organisation page: persona × page → status, and the pickers' scope."""

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db

PERSONAS = ["office", "liaison", "staff", "leader", "outsider", "sysadmin", "secadmin", "auditor"]

# page → (url name, the world attribute of its object or None, expected status per persona)
MATRIX = {
    "unit-list": ("org:unit-list", None, dict.fromkeys(PERSONAS, 200) | {"auditor": 403}),
    "unit-detail A": (
        "org:unit-detail",
        "unit_a",
        {
            "office": 200,
            "liaison": 200,
            "staff": 404,
            "leader": 200,
            "outsider": 404,
            "sysadmin": 200,
            "secadmin": 200,
            "auditor": 404,
        },
    ),
    "unit-detail B": (
        "org:unit-detail",
        "unit_b",
        {
            "office": 200,
            "liaison": 404,
            "staff": 404,
            "leader": 200,
            "outsider": 200,
            "sysadmin": 200,
            "secadmin": 200,
            "auditor": 404,
        },
    ),
    "unit-create": ("org:unit-create", None, dict.fromkeys(PERSONAS, 403) | {"sysadmin": 200}),
    "unit-edit A": (
        "org:unit-edit",
        "unit_a",
        {
            "office": 403,
            "liaison": 403,
            "staff": 404,
            "leader": 403,
            "outsider": 404,
            "sysadmin": 200,
            "secadmin": 403,
            "auditor": 404,
        },
    ),
    "unit-import": ("org:unit-import", None, dict.fromkeys(PERSONAS, 403) | {"sysadmin": 200}),
    "person-list": ("org:person-list", None, dict.fromkeys(PERSONAS, 200) | {"auditor": 403}),
    "person-detail staff": (
        "org:person-detail",
        "staff",
        {
            "office": 200,
            "liaison": 200,
            "staff": 200,
            "leader": 200,
            "outsider": 404,
            "sysadmin": 200,
            "secadmin": 200,
            "auditor": 404,
        },
    ),
    "person-detail liaison": (
        "org:person-detail",
        "liaison",
        {
            "office": 200,
            "liaison": 200,
            "staff": 404,
            "leader": 200,
            "outsider": 404,
            "sysadmin": 200,
            "secadmin": 200,
            "auditor": 404,
        },
    ),
    "person-create": ("org:person-create", None, dict.fromkeys(PERSONAS, 403) | {"sysadmin": 200}),
    "person-edit staff": (
        "org:person-edit",
        "staff",
        {
            "office": 403,
            "liaison": 403,
            "staff": 403,
            "leader": 403,
            "outsider": 404,
            "sysadmin": 200,
            "secadmin": 403,
            "auditor": 404,
        },
    ),
    "person-password staff": (
        "org:person-password",
        "staff",
        {
            "office": 403,
            "liaison": 403,
            "staff": 403,
            "leader": 403,
            "outsider": 404,
            "sysadmin": 200,
            "secadmin": 403,
            "auditor": 404,
        },
    ),
    "person-import": ("org:person-import", None, dict.fromkeys(PERSONAS, 403) | {"sysadmin": 200}),
    "grant-list": ("org:grant-list", None, dict.fromkeys(PERSONAS, 403) | {"secadmin": 200}),
    "grant-create": ("org:grant-create", None, dict.fromkeys(PERSONAS, 403) | {"secadmin": 200}),
}
CASES = [(page, persona) for page in MATRIX for persona in PERSONAS]


def _url(world, page: str) -> str:
    name, attribute, _expected = MATRIX[page]
    return reverse(name, args=[getattr(world, attribute).pk]) if attribute else reverse(name)


@pytest.mark.parametrize(("page", "persona"), CASES)
def test_permission_matrix(world, client_for, page, persona):
    response = client_for(getattr(world, persona)).get(_url(world, page))
    assert response.status_code == MATRIX[page][2][persona]


@pytest.mark.parametrize("page", list(MATRIX))
def test_anonymous_is_sent_to_login(world, page):
    response = Client().get(_url(world, page))
    assert response.status_code == 302 and "/accounts/" in response["Location"]


@pytest.mark.parametrize(
    ("name", "attribute"),
    [
        ("org:unit-delete", "unit_a"),
        ("org:unit-delete", "section_a"),
        ("org:membership-add", "staff"),
    ],
)
def test_outsider_gets_404_on_unit_a_actions(world, client_for, name, attribute):
    response = client_for(world.outsider).post(reverse(name, args=[getattr(world, attribute).pk]))
    assert response.status_code == 404


def test_outsider_gets_404_on_unit_a_membership(world, client_for):
    membership = world.staff.memberships.get()
    response = client_for(world.outsider).post(
        reverse("org:membership-remove", args=[membership.pk])
    )
    assert response.status_code == 404


# --- Pickers ---------------------------------------------------------------------------------


def _texts(response) -> set[str]:
    return {item["text"] for item in response.json()["results"]}


def test_unit_picker_returns_only_units_in_scope(world, client_for):
    url = reverse("org:unit-picker")
    assert _texts(client_for(world.outsider).get(url, {"perm": "task.sign"})) == {"冷湖镇"}
    assert _texts(client_for(world.outsider).get(url, {"perm": "task.sign", "q": "wtl"})) == set()
    assert _texts(client_for(world.liaison).get(url, {"perm": "task.sign", "q": "wtl"})) == {
        "市文体旅游广电局"
    }
    office = _texts(client_for(world.office).get(url, {"perm": "task.issue"}))
    assert office == {"茫崖市", "市委宣传部", "市文体旅游广电局", "办公室", "冷湖镇"}
    assert _texts(client_for(world.staff).get(url, {"perm": "task.issue"})) == set()
    assert _texts(client_for(world.office).get(url, {"perm": "no.such.perm"})) == set()


def test_unit_picker_labels_show_the_path(world, client_for):
    results = (
        client_for(world.office)
        .get(reverse("org:unit-picker"), {"perm": "task.issue", "q": "bgs"})
        .json()["results"]
    )
    assert [item["label"] for item in results] == ["茫崖市 / 市文体旅游广电局 / 办公室"]


def test_person_picker_returns_only_people_in_scope(world, client_for):
    url = reverse("org:person-picker")
    assert _texts(client_for(world.liaison).get(url, {"perm": "task.assign", "q": "zs"})) == {
        "张三"
    }
    assert _texts(client_for(world.outsider).get(url, {"perm": "task.assign", "q": "zs"})) == set()
    assert _texts(client_for(world.outsider).get(url, {"perm": "task.assign"})) == {"马海燕"}
    members = client_for(world.liaison).get(
        url, {"perm": "task.assign", "unit": world.section_a.pk}
    )
    assert _texts(members) == {"赵敏"}


def test_person_picker_404_for_a_unit_out_of_scope(world, client_for):
    response = client_for(world.outsider).get(
        reverse("org:person-picker"), {"perm": "task.assign", "unit": world.unit_a.pk}
    )
    assert response.status_code == 404


def test_picker_answers_htmx_with_options(world, client_for):
    response = client_for(world.office).get(
        reverse("org:unit-picker"),
        {"perm": "task.issue", "q": "lhz"},
        headers={"HX-Request": "true"},
    )
    body = response.content.decode()
    assert body.strip().startswith("<option") and "冷湖镇" in body


def test_picker_needs_login(world):
    assert Client().get(reverse("org:unit-picker")).status_code == 302


def test_pickers_never_reveal_what_the_user_cannot_open(world, client_for):
    client = client_for(world.auditor)  # audit.view everywhere, but no unit.view / person.view
    assert _texts(client.get(reverse("org:unit-picker"), {"perm": "audit.view"})) == set()
    assert _texts(client.get(reverse("org:person-picker"), {"perm": "audit.view"})) == set()
