"""A classroom at once (issue 15), in the browser: the page asks with GET when the request fits
a URL (so the browser and anything between cache it) and with POST when it does not, reads a
view it has seen from its cache, and rides out a busy server: "retrying", never an error."""

from urllib.parse import parse_qs, urlparse

import httpx
import pytest

from .conftest import ARTIFACTS
from .helpers import drawn, request_body, run

pytestmark = pytest.mark.browser


def unfold_requests(page):
    seen = []
    page.on("request", lambda r: seen.append(r) if urlparse(r.url).path == "/api/v1/unfold" else None)
    return seen


def served(page) -> int:
    return httpx.get(f"{page.base}/api/v1/stats").json()["requests"]


def test_the_page_asks_with_get_when_it_fits_and_reads_a_seen_view_from_its_cache(page):
    seen = unfold_requests(page)
    page.goto(page.base)
    run(page, "a shared link", 12)
    ask = seen[-1]
    assert ask.method == "GET" and request_body(ask)["sequence"] == "a shared link"
    assert parse_qs(urlparse(ask.url).query)["v"] == [page.evaluate("() => JSON.parse(document.getElementById('meta').textContent).version")]
    assert ask.response().headers["cache-control"] == "public, max-age=31536000, immutable"
    before = served(page)
    page.reload()
    drawn(page, 12)
    assert served(page) == before  # the browser's cache answered: the server computed nothing
    # a request too long for a URL goes as POST
    numbers = ", ".join(f"{0.001 * i:.6f}" for i in range(1000))
    page.allowed_errors.append("422")  # the text typed so far is refused as numbers until the numbers are in
    page.get_by_label("Numbers").check()
    run(page, numbers, 999)
    assert seen[-1].method == "POST" and len(request_body(seen[-1])["inputs"]) == 1000


def test_a_busy_server_is_retried_and_the_page_says_so(page):
    page.allowed_errors.append("503")
    refusals = {"left": 2}

    def busy_twice(route):
        if refusals["left"] > 0:
            refusals["left"] -= 1
            route.fulfill(status=503, headers={"Retry-After": "1", "Content-Type": "application/json"},
                          body='{"detail":[{"loc":["server"],"msg":"server: every computation slot is busy","type":"busy"}]}')
        else:
            route.continue_()

    page.goto(page.base)
    run(page, "hello", 4)
    page.route("**/api/v1/unfold**", busy_twice)
    page.get_by_label("Sequence").fill("busy class")
    page.get_by_label("Sequence").press("Enter")
    page.locator("#loading-text").filter(has_text="Server busy, retrying…").wait_for()
    # the old picture is marked as not matching, without asking to fix a field: none is wrong
    assert page.locator("#stale").is_visible() and page.locator("#stale-fields").is_hidden()
    page.screenshot(path=ARTIFACTS / "server-busy-retrying-1280x720.png")
    drawn(page, 9)
    assert refusals["left"] == 0
    assert page.locator("#error-general").text_content() == "" and page.locator("#stale").is_hidden()


def test_the_working_notice_waits_a_moment_so_quick_answers_do_not_flash_it(page):
    page.goto(page.base)
    run(page, "hello", 4)
    page.evaluate("""() => { window.noticeShown = 0;
        new MutationObserver(() => { if (!document.getElementById('loading').hidden) window.noticeShown += 1; })
          .observe(document.getElementById('loading'), { attributes: true }); }""")
    run(page, "quick", 4)  # the page's own server answers in milliseconds
    assert page.evaluate("() => window.noticeShown") == 0
    page.route("**/api/v1/unfold**", lambda route: (page.wait_for_timeout(900), route.continue_()))
    page.get_by_label("Sequence").fill("a slow answer")
    page.get_by_label("Sequence").press("Enter")
    page.locator("#loading").wait_for()  # shown while the answer is still on its way
    assert page.locator("#loading-text").text_content().startswith("Computing the forward pass")
    drawn(page, 12)
    assert page.locator("#loading").is_hidden() and page.evaluate("() => window.noticeShown") == 1
