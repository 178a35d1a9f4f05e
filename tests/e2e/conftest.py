"""A real browser against a live WebAdmin: Playwright driving Debian's chromium, headless.

The tests run inside `make test` when chromium is installed (.ci/run installs it and sets
CGADMIN_REQUIRE_BROWSER=1, so a missing browser fails CI instead of skipping). When a test fails,
a screenshot of the page is saved in test-artifacts/."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
# Playwright's sync API runs an event loop in this thread; the test still talks to the database
# directly (pytest-django fixtures), which Django refuses near an event loop unless told it is safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
# The chromium flags that keep it off the network (this machine's network is closed) and quiet.
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)
            if CHROMIUM is None and not os.environ.get("CGADMIN_REQUIRE_BROWSER"):
                item.add_marker(pytest.mark.skip(reason="chromium is not installed (apt-get install chromium)"))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()
    if report.when == "call":
        item.call_failed = report.failed


@pytest.fixture(scope="session")
def browser():
    if CHROMIUM is None:
        pytest.fail("CGADMIN_REQUIRE_BROWSER is set but chromium is not installed")
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=20_000)  # a busy CI machine can take seconds to answer a page

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser, request: pytest.FixtureRequest):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(20_000)
    tab = context.new_page()
    yield tab
    if getattr(request.node, "call_failed", False):
        ARTIFACTS.mkdir(exist_ok=True)
        tab.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()
