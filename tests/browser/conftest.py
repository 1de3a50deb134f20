"""A real Chromium (Debian's, at /usr/bin/chromium) driven by Playwright against live_server.

Without that binary the browser tests skip, unless ZZIP_REQUIRE_BROWSER=1 (as `.ci/run` sets),
where a missing browser is a failure: CI must never go green by skipping its journeys.

The data is the demo command's, loaded into live_server's database for each test.
Screenshots go to /tmp/browser-shots/ for a person to look at; nothing asserts on them.
"""

import io
import os
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connections

from tests.fixtures.blank import restore_migrated

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
SHOTS = Path("/tmp/browser-shots")
DEMO_PASSWORD = "Zzip@2023demo"
DESKTOP = {"width": 1280, "height": 900}


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """Runs the browser tests after every other test, keeping the order of the rest.

    pytest-django already puts tests on a transactional database after those that declare
    `db`, but a test that reaches the database only through `request.getfixturevalue` is
    sorted with the database-free ones, after ours; by then the flush at the end of a
    transactional test has emptied every table, the five indicators included.
    """
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)


@pytest.fixture
def demo_data(live_server, transactional_db):
    """The demo command's units, people and figures in live_server's database.

    live_server runs on a transactional database, which is emptied after each test, rows
    from data migrations (the five indicators) included; they are put back first, as the
    session found them (tests.fixtures.blank), so the demo command finds them.
    """
    restore_migrated()
    call_command("demo", stdout=io.StringIO())


@pytest.fixture(scope="session")
def chromium():
    """One Playwright and one Chromium for the session's journeys: starting them costs about
    a second a test, more than most journeys' own setup."""
    if not CHROMIUM.exists():
        message = f"Chromium not found at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("ZZIP_REQUIRE_BROWSER") == "1":
            pytest.fail(f"ZZIP_REQUIRE_BROWSER=1 but {message}", pytrace=False)
        pytest.skip(message)
    # Imported here so that collecting the other tests never needs Playwright.
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop running in the test thread, and Django refuses
    # ORM calls from a thread with a running loop. Here the test thread only loads data and
    # reads it back while the live server's own thread serves the pages, so the guard is
    # lifted from the first journey to the end of the session: the journeys run after every
    # other test (above), and each one restores the migrations' rows and loads the demo
    # itself (demo_data), with no serialized rollback, which the running loop would defeat.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            yield browser
            browser.close()
    finally:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.fixture
def browser(chromium):
    yield chromium
    # While the loop runs, Django keeps this thread's connections apart from the usual
    # thread-local ones (asgiref treats the thread as async), so the ORM calls made during
    # the test opened a second connection that nothing else will close; left open, it stops
    # PostgreSQL from dropping the test database at the end of the run.
    connections.close_all()


@pytest.fixture
def console_errors():
    """Console errors and uncaught exceptions of every page opened with `open_page`."""
    return []


@pytest.fixture
def open_page(browser, console_errors):
    """open_page(viewport=DESKTOP) → a page in a fresh browser context (its own cookies)."""
    contexts = []

    def make(viewport=DESKTOP):
        context = browser.new_context(
            viewport=viewport, locale="zh-CN", timezone_id="Asia/Shanghai", accept_downloads=True
        )
        contexts.append(context)
        page = context.new_page()
        page.on(
            "console",
            lambda m: m.type == "error" and console_errors.append(f"{page.url}: {m.text}"),
        )
        page.on("pageerror", lambda exc: console_errors.append(f"{page.url}: {exc}"))
        # A person answers 确定 to the questions before an irreversible step (confirm.js).
        page.on("dialog", lambda dialog: dialog.accept())
        return page

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def shot(request):
    """shot(page, "name") → a full-page screenshot in /tmp/browser-shots/, named by test."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    counter = iter(range(1, 100))

    def take(page, name):
        path = SHOTS / f"{request.node.name}-{next(counter):02d}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def log_in(live_server):
    """log_in(page, username) signs in through the login page and lands on 首页."""

    def sign_in(page, username):
        page.goto(f"{live_server.url}/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", DEMO_PASSWORD)
        page.locator("form button[type=submit]", has_text="登录").click()
        page.wait_for_url(f"{live_server.url}/")

    return sign_in
