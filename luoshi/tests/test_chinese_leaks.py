"""Chinese mode speaks Chinese: the pages the office's menu leads to, in every app, carry none of
the English leaks once found (issue 11 item 6). Visible text only (tags, scripts, styles dropped)."""

import re

import pytest
from django.urls import reverse

from luoshi.testing import issued_task

pytestmark = pytest.mark.django_db

LEAKS = [
    "Select an option",
    "Field required",
    "Input should",
    "verified",
    "closed",
    "outreach",
    "PriorityMedium",
    "None",
]


def visible_text(html: str) -> str:
    html = re.sub(r"(?is)<(script|style|template)\b.*?</\1>", " ", html)
    return re.sub(r"<[^>]+>", " ", html)


def test_office_pages_have_no_known_english_leaks(world, client_for):
    issued_task(world)
    office = client_for(world.office)
    home = office.get(reverse("home"), follow=True).content.decode()
    links = sorted(
        {href for href in re.findall(r'href="(/[^"#?]*)"', home) if not href.startswith("/static")}
    )
    assert len(links) > 10
    found = []
    pages = []
    for link in links:  # the menu's pages, then the forms ("…/new/") they offer
        response = office.get(link)
        if response.status_code == 200 and "html" in response.get("Content-Type", ""):
            pages += re.findall(r'href="(/[^"#?]*/new/)"', response.content.decode())
    for link in links + sorted(set(pages) - set(links)):
        response = office.get(link)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        text = visible_text(response.content.decode())
        found += [(link, word) for word in LEAKS if re.search(rf"\b{word}\b", text)]
    assert found == []
