"""Browser tests: a real uvicorn on a free loopback port, driven by the system Chromium."""

import os

import pytest

from harness import CHROMIUM_FLAGS, ROOT, chromium_path, running_server

ARTIFACTS = ROOT / "test-artifacts"


@pytest.fixture(scope="session")
def server():
    with running_server() as base:
        yield base


@pytest.fixture(scope="session")
def browser():
    path = chromium_path()
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("Chromium is missing in CI: `make test` installs the Debian package chromium")
        pytest.skip("no Chromium on this machine (install the Debian package chromium to run the browser tests)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=path, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, server, request):
    """A fresh page at 1280x720. Fails the test if anything is logged as an error; saves a screenshot."""
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    page = context.new_page()
    problems = []
    page.allowed_errors = []  # a test that provokes an error response lists what it expects here

    def on_console(message):
        if message.type == "error" and not any(allowed in message.text for allowed in page.allowed_errors):
            problems.append(f"console {message.type}: {message.text}")

    page.on("console", on_console)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("dialog", lambda d: (problems.append(f"dialog: {d.message}"), d.dismiss()))
    page.base = server
    yield page
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"{request.node.name}.png", full_page=True)
    context.close()
    assert not problems, problems
