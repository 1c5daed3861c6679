"""Each persona's first visit shows a first-steps card on its landing page (the workbench, or an
administrator's console) with links only to pages it may open, until it dismisses the card — a
POST that is remembered in the database for that person alone."""

import pytest
from django.urls import reverse

from luoshi.org import services as org
from luoshi.org.models import Role, Scope
from luoshi.testing import person

pytestmark = pytest.mark.django_db

DISMISS = reverse("accounts:first-steps-dismiss")
PERSONAS = ("office", "liaison", "staff", "leader", "outsider", "sysadmin", "secadmin", "auditor")


def _landing(client) -> tuple[str, str]:
    response = client.get("/", follow=True)
    assert response.status_code == 200
    return response.redirect_chain[-1][0], response.content.decode()


def _links(html: str) -> list[str]:
    """The hrefs inside the card."""
    start = html.index('id="first-steps"')
    card = html[start : html.index("</section>", start)]
    return [part.split('"', 1)[0] for part in card.split('href="')[1:]]


def _extra_personas(world) -> dict:
    """The two demo personas the test world lacks: the volunteer service centre and a resident."""
    centre = person("wmzx", "文明实践中心", world.city)
    org.grant_role(
        actor=None,
        person=centre,
        role=Role.CENTRE,
        unit=world.city,
        scope=Scope.SUBTREE,
        audit=False,
    )
    volunteer = person("volunteer", "志愿者", world.unit_b)
    org.grant_role(
        actor=None,
        person=volunteer,
        role=Role.VOLUNTEER,
        unit=world.unit_b,
        scope=Scope.SELF,
        audit=False,
    )
    return {"centre": centre, "volunteer": volunteer}


@pytest.mark.parametrize("persona", PERSONAS + ("centre", "volunteer"))
def test_first_visit_shows_the_card_with_links_that_open(world, client_for, persona):
    extra = _extra_personas(world)
    user = extra.get(persona) or getattr(world, persona)
    client = client_for(user)
    landing, html = _landing(client)
    assert 'id="first-steps"' in html, f"{persona}: no card on {landing}"
    links = _links(html)
    assert 2 <= len(links) <= 4, f"{persona}: {links}"
    for url in links:
        assert client.get(url).status_code == 200, f"{persona}: {url}"


def test_the_card_is_only_on_the_landing_page(world, client_for):
    client = client_for(world.office)
    assert 'id="first-steps"' in _landing(client)[1]
    assert 'id="first-steps"' not in client.get(reverse("campaigns:task-list")).content.decode()


@pytest.mark.parametrize("persona", ["office", "auditor"])
def test_dismissed_card_stays_away(world, client_for, persona):
    user = getattr(world, persona)
    client = client_for(user)
    landing, _html = _landing(client)
    response = client.post(DISMISS, {"next": landing})
    assert response.status_code == 302 and response["Location"] == landing
    user.refresh_from_db()
    assert user.first_steps_dismissed_at is not None
    assert 'id="first-steps"' not in _landing(client)[1]
    assert 'id="first-steps"' not in _landing(client_for(user))[1]  # a new session too


def test_dismiss_by_htmx_removes_the_card_in_place(world, client_for):
    response = client_for(world.staff).post(DISMISS, headers={"HX-Request": "true"})
    assert response.status_code == 200 and response.content == b""
    world.staff.refresh_from_db()
    assert world.staff.first_steps_dismissed_at is not None


def test_one_persons_dismissal_leaves_the_others_card(world, client_for):
    client_for(world.liaison).post(DISMISS, {"next": "https://elsewhere.example/"})
    for user in (world.staff, world.office, world.sysadmin):
        user.refresh_from_db()
        assert user.first_steps_dismissed_at is None
        assert 'id="first-steps"' in _landing(client_for(user))[1]


def test_dismiss_goes_back_only_inside_the_site(world, client_for):
    response = client_for(world.liaison).post(DISMISS, {"next": "https://elsewhere.example/"})
    assert response["Location"] == reverse("campaigns:workbench")


def test_dismiss_is_post_only_and_needs_a_login(client, world, client_for):
    assert client_for(world.staff).get(DISMISS).status_code == 405
    response = client.post(DISMISS)
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]
