"""No page renders a huge drop-down (issue 11): with more people in reach than a select may list,
every page the campaign office reaches from its menu (and the pages those link to, as far as the
leading group's pages) offers people and units through the searchable picker, so no <select>
holds more than MAX_OPTIONS options."""

import re
from collections import defaultdict

import pytest
from django.test import Client

from luoshi.accounts.models import User
from luoshi.campaigns.models import Campaign
from luoshi.org.models import Membership, Unit

from .test_crawl import _local, _parse, _route
from .test_demo import demo  # noqa: F401 (the module's one demo load)

pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("demo")]

MAX_OPTIONS = 200
EXTRA_PEOPLE = 250  # the demo's 150 people plus these: more than any select may list
SELECT = re.compile(r"<select\b([^>]*)>(.*?)</select>", re.S)
NAME = re.compile(r'name="([^"]*)"')


def _more_people() -> None:
    """EXTRA_PEOPLE more staff in the office's reach (rolled back with the test)."""
    unit = Unit.objects.get(name="市文体旅游广电局")
    people = User.objects.bulk_create(
        User(username=f"extra{n:03d}", name=f"测试人员{n:03d}", pinyin=f"ceshi{n:03d}")
        for n in range(EXTRA_PEOPLE)
    )
    Membership.objects.bulk_create(Membership(person=p, unit=unit, position="科员") for p in people)


def _oversized(html: str) -> list[str]:
    found = []
    for attrs, body in SELECT.findall(html):
        options = body.count("<option")
        if options > MAX_OPTIONS:
            name = NAME.search(attrs)
            found.append(f"{name.group(1) if name else '?'} ({options} options)")
    return found


def test_no_select_of_the_office_lists_more_than_200_options(demo):  # noqa: F811 (the fixture)
    _more_people()
    client = Client(raise_request_exception=False)
    client.force_login(User.objects.get(username="office"))
    home = client.get("/", follow=True).redirect_chain[-1][0]
    start = client.get(home).content.decode()
    queue = [(home, 0)] + [
        (path, 0)
        for path in dict.fromkeys(_local(home, h) for h in _parse(start, menu_only=True).links)
        if path and path != home and _route(path)
    ]
    # and the page that listed seventeen rows of every person: each campaign's leading group
    queue += [
        (f"/campaigns/{pk}/leading-group/", 2)
        for pk in Campaign.objects.values_list("pk", flat=True)
    ]
    seen = {path for path, _depth in queue}
    per_route: dict[str, int] = defaultdict(int)
    oversized: list[str] = []
    pages = leading_groups = 0
    for path, depth in queue:
        response = client.get(path)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        pages += 1
        leading_groups += path.endswith("/leading-group/")
        html = response.content.decode()
        oversized += [f"{path}: {select}" for select in _oversized(html)]
        if depth >= 2:
            continue
        for href in _parse(html).links:
            target = _local(path, href)
            route = _route(target) if target else None
            if target is None or target in seen or route is None or per_route[route] >= 2:
                continue
            per_route[route] += 1
            seen.add(target)
            queue.append((target, depth + 1))
    assert pages > 50, f"only {pages} pages crawled"
    assert leading_groups, "no leading group's page opened"
    assert not oversized, "selects over the limit:\n" + "\n".join(oversized)
