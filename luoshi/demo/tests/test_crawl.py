"""Nothing shown leads nowhere (issue 11): a generated crawl of the demo, as each of its eight
personas, through every page its menu offers and every link, HTMX request and form those pages
show, fails on any 403, 404, 405 or 500 behind something the persona was shown.

Bounded to stay fast on one demo load: the menu's pages, then every link and form they show, at
most PER_ROUTE addresses of each URL name (the 25th task page tells nothing the first did not).
A form is sent as the persona would send it unfilled — its own hidden fields, default values and
selected options — inside a savepoint that is rolled back, so nothing it does stays for the next
request; what matters is that the answer is not a refusal or an error. Logging out and switching
the language are left out (they end or change the session the crawl runs in).
"""

import re
from collections import defaultdict
from html.parser import HTMLParser
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest
from django.db import transaction
from django.test import Client
from django.urls import Resolver404, resolve

from luoshi.accounts.models import User
from luoshi.demo.people import DEMO_ACCOUNTS

from .test_demo import demo  # noqa: F401 (the module's one demo load)

pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("demo")]

USERNAMES = [username for username, *_rest in DEMO_ACCOUNTS]
DEAD = {403, 404, 405, 500}
PER_ROUTE = 2
SKIPPED_ROUTES = {"logout", "set_language"}
SKIPPED_PREFIXES = ("/static/", "/django-admin/", "/media-files/", "/api/")


class _Page(HTMLParser):
    """The links (a[href], hx-get) and forms (action, method, default values) of a page; with
    `menu_only`, only those inside the main menu (#mainnav)."""

    def __init__(self, menu_only: bool = False):
        super().__init__()
        self.menu_only = menu_only
        self.depth_in_menu = 0
        self.links: list[str] = []
        self.forms: list[dict] = []
        self._form: dict | None = None
        self._select: str | None = None
        self._select_first: str | None = None
        self._select_chosen = False

    def _counts(self) -> bool:
        return not self.menu_only or self.depth_in_menu > 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        entering = self.depth_in_menu or a.get("id") == "mainnav"
        if self.menu_only and entering and tag not in ("input", "img", "br", "hr", "meta", "link"):
            self.depth_in_menu += 1
        if not self._counts():
            return
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        for verb in ("hx-get",):
            if a.get(verb):
                self.links.append(a[verb])
        if a.get("hx-post") and tag != "form":
            self.forms.append({"action": a["hx-post"], "method": "post", "data": {}})
        if tag == "form":
            self._form = {
                "action": a.get("action", ""),
                "method": (a.get("method") or "get").lower(),
                "data": defaultdict(list),
            }
        elif self._form is not None and tag in ("input", "button") and a.get("name"):
            kind = (a.get("type") or "text").lower()
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            if kind in ("submit", "button", "file"):
                return
            self._form["data"][a["name"]].append(a.get("value", ""))
        elif self._form is not None and tag == "textarea" and a.get("name"):
            self._form["data"][a["name"]].append("")
        elif self._form is not None and tag == "select" and a.get("name"):
            self._select, self._select_first, self._select_chosen = a["name"], None, False
        elif self._form is not None and tag == "option" and self._select:
            value = a.get("value", "")
            if self._select_first is None:
                self._select_first = value
            if "selected" in a:
                self._form["data"][self._select].append(value)
                self._select_chosen = True

    def handle_endtag(self, tag):
        if self.menu_only and self.depth_in_menu and tag not in ("input", "img", "br", "hr"):
            self.depth_in_menu -= 1
        if tag == "select" and self._form is not None and self._select:
            if not self._select_chosen and self._select_first is not None:
                self._form["data"][self._select].append(self._select_first)
            self._select = None
        if tag == "form" and self._form is not None:
            self.forms.append(self._form)
            self._form = None


def _parse(html: str, *, menu_only: bool = False) -> _Page:
    page = _Page(menu_only=menu_only)
    page.feed(html)
    return page


def _local(base: str, href: str) -> str | None:
    """The site path (with query) an href leads to, or None for another site, an anchor, a
    script, a file or a part of the site the crawl leaves out."""
    if not href or href.startswith(("#", "javascript:", "mailto:", "tel:", "{")):
        return None
    url, _fragment = urldefrag(urljoin(base, href))
    parts = urlsplit(url)
    if parts.netloc not in ("", "testserver"):
        return None
    path = parts.path or "/"
    if path.startswith(SKIPPED_PREFIXES):
        return None
    return path + (f"?{parts.query}" if parts.query else "")


def _route(path: str) -> str | None:
    try:
        match = resolve(urlsplit(path).path)
    except Resolver404:
        return "(unresolved)"
    if match.url_name in SKIPPED_ROUTES:
        return None
    return f"{match.namespace}:{match.url_name}"


def _crawl(username: str) -> tuple[list[str], int]:
    """Crawl as `username`; return the dead ends found ("status method path ← page") and how
    many requests were made."""
    user = User.objects.get(username=username)
    client = Client()
    client.force_login(user)
    dead: list[str] = []
    seen_per_route: dict[str, int] = defaultdict(int)
    visited: set[str] = set()
    requests = 0

    def get(path: str, source: str) -> str | None:
        nonlocal requests
        requests += 1
        response = client.get(path)
        if response.status_code in DEAD:
            dead.append(f"{response.status_code} GET {path} ← {source}")
            return None
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            return None
        return response.content.decode()

    # where the persona lands: the workbench, or an administrator's own console
    landing = client.get("/", follow=True).redirect_chain
    home = landing[-1][0] if landing else "/workbench/"
    start = get(home, "login")
    assert start is not None, f"{username}: the landing page {home} did not open"
    menu = [p for p in (_local(home, h) for h in _parse(start, menu_only=True).links) if p]
    pages: list[tuple[str, str]] = [(home, "login")]
    for path in dict.fromkeys(menu):
        if path not in visited and _route(path):
            pages.append((path, "menu"))
    for path, source in pages:
        visited.add(path)
        html = start if path == home else get(path, source)
        if html is None:
            continue
        page = _parse(html)
        for href in page.links:
            target = _local(path, href)
            if target is None or target in visited:
                continue
            route = _route(target)
            if route is None or seen_per_route[route] >= PER_ROUTE:
                continue
            seen_per_route[route] += 1
            visited.add(target)
            get(target, path)
        for form in page.forms:
            action = _local(path, form["action"] or path)
            if action is None:
                continue
            route = _route(action)
            key = f"form {form['method']} {route}"
            if route is None or seen_per_route[key] >= PER_ROUTE:
                continue
            seen_per_route[key] += 1
            data = dict(form["data"].items())
            if form["method"] != "post":
                if action.split("?")[0] not in visited:
                    get(action.split("?")[0], path)
                continue
            requests += 1
            with transaction.atomic():
                response = client.post(action, data)
                transaction.set_rollback(True)
            if response.status_code in DEAD:
                dead.append(f"{response.status_code} POST {action} ← {path}")
    return dead, requests


@pytest.mark.parametrize("username", USERNAMES)
def test_no_dead_ends(demo, username):  # noqa: F811 (the fixture)
    dead, requests = _crawl(username)
    print(f"crawl {username}: {requests} requests, {len(dead)} dead ends")
    assert requests > 10, f"{username}: only {requests} requests — the crawl found nothing"
    assert not dead, f"{username}: {len(dead)} dead ends\n" + "\n".join(sorted(set(dead)))


def test_the_crawl_sees_forms_and_htmx():
    html = (
        '<nav id="mainnav"><a href="/tasks/">任务</a></nav><main><a href="/x/">x</a>'
        '<form method="post" action="/tasks/1/sign/"><input type="hidden" name="a" value="1">'
        '<select name="s"><option value="2">二</option></select><button>签收</button></form>'
        '<button hx-get="/tasks/?page=2">更多</button></main>'
    )
    assert _parse(html, menu_only=True).links == ["/tasks/"]
    page = _parse(html)
    assert page.links == ["/tasks/", "/x/", "/tasks/?page=2"]
    assert page.forms[0]["action"] == "/tasks/1/sign/" and page.forms[0]["method"] == "post"
    assert dict(page.forms[0]["data"]) == {"a": ["1"], "s": ["2"]}
    assert re.match(r"^/", _local("/a/", "b/") or "")
