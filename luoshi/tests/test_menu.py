"""The menu bar is rendered once per language and menu (accounts' main_menu tag): each person
still gets the menu of their own roles, in their own language."""

import pytest
from django.conf import settings
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _menu(client) -> str:
    page = client.get(reverse("accounts:notifications")).content.decode()
    return page[
        page.index('<ul class="navbar-nav me-auto">') : page.index('<ul class="navbar-nav">')
    ]


def test_each_person_gets_the_menu_of_their_roles_in_their_language(world, client_for):
    audit_link = f'href="{reverse("audit:event-list")}"'
    task_link = f'href="{reverse("campaigns:task-list")}"'
    office, auditor = client_for(world.office), client_for(world.auditor)

    for _round in range(2):  # the second round is served from the kept menus
        office_menu, auditor_menu = _menu(office), _menu(auditor)
        assert task_link in office_menu and audit_link not in office_menu
        assert audit_link in auditor_menu and task_link not in auditor_menu
        assert "审计日志" in auditor_menu

    auditor.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = _menu(auditor)
    assert "Audit log" in english and "审计日志" not in english
    assert "审计日志" in _menu(client_for(world.auditor))  # Chinese again for a Chinese page
