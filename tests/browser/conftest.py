"""Browser tests: Playwright driving Debian's Chromium against Django's live server.

Playwright's own browser download does not work on our machines, so the tests launch the system
Chromium (`apt-get install chromium fonts-noto-cjk`; without a CJK font every Chinese character
renders as a box). Where no Chromium is found the tests are skipped with a plain reason, unless
LUOSHI_REQUIRE_BROWSER=1 (CI), which turns the skip into a failure.
"""

import os
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import expect

# Playwright's sync API runs an event loop in the test thread; Django's ORM refuses to run inside
# one unless told that this is deliberate (the live server thread does the real work). Set at
# import because the database fixtures run before any fixture of ours could set it.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

# One timeout for every wait, and a generous one: a test waits for the state it needs with
# Playwright's auto-waiting `expect(...)` (never a sleep), and on a loaded 2-core machine a page
# can take far longer than expect's 5 s default to render. Actions and navigations already wait
# up to Playwright's 30 s default; expect now waits as long.
TIMEOUT_MS = 30_000
expect.set_options(timeout=TIMEOUT_MS)

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
MISSING = (
    "Chromium not found: browser tests skipped. Install Debian's `chromium` and `fonts-noto-cjk` "
    "packages to run them (.ci/run does)."
)


def pytest_collection_modifyitems(config, items):
    browser_items = [item for item in items if item.get_closest_marker("browser")]
    if CHROMIUM or not browser_items:
        return
    if os.environ.get("LUOSHI_REQUIRE_BROWSER") == "1":
        raise pytest.UsageError(MISSING + " LUOSHI_REQUIRE_BROWSER=1 forbids skipping them.")
    for item in browser_items:
        item.add_marker(pytest.mark.skip(reason=MISSING))


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "headless": True,
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "zh-CN", "timezone_id": "Asia/Shanghai"}


@pytest.fixture
def shoot():
    """shoot(page, name): keep a full-page screenshot under test-artifacts/screenshots/."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def _shoot(page, name: str) -> Path:
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return _shoot


@pytest.fixture
def login(live_server):
    """login(page, username): sign in through the login form."""
    from luoshi.testing import PASSWORD

    def _login(page, username: str, password: str = PASSWORD):
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", password)
        with page.expect_navigation():  # the answer to the form: the workbench or the refusal
            page.click("button[type=submit]")
        return page

    return _login


@pytest.fixture
def pick():
    """pick(select, query, text): choose in a searchable picker (Tom Select over `select`, a
    locator of the <select>): type `query`, wait for the server's answer, click the option
    holding `text`."""

    def _pick(select, query: str, text: str) -> None:
        wrapper = select.locator("xpath=following-sibling::div[contains(@class, 'ts-wrapper')][1]")
        wrapper.locator(".ts-control").click()
        wrapper.locator(".ts-control input").fill(query)
        wrapper.locator(".ts-dropdown .option", has_text=text).first.click()

    return _pick
