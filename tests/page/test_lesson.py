"""The lesson (issue 14): walked with the keyboard from the first step to the last, each step's
state checked; a step opened from its link; every panel's "?"; a first view whose framed
contribution is not zero; the projector mode. Every step is saved as a screenshot at a
laptop's 1280x800 and a projector's 1024x768."""

import re

import pytest

from .conftest import ARTIFACTS
from .helpers import api, drawn, link_state

pytestmark = pytest.mark.browser

# step: (regions in focus, what the link carries, words the card must say, the player's phase)
STEPS = {
    1: ({"folded"}, {"folded": "1"}, ["loop W", "U, W, V"], None),
    2: ({"network"}, {}, ["4 steps"], "Forward: step 3 of 3"),
    3: ({"network", "equations"}, {"step": "0"}, ["h⁽⁰⁾ = tanh(b + W h⁽⁻¹⁾ + U x⁽⁰⁾) = ["], "Forward: step 0 of 3"),
    4: ({"network"}, {"step": "3"}, ["ŷ⁽³⁾ = ["], "Forward: step 3 of 3"),
    5: ({"network"}, {"step": "0"}, ["J = J⁽⁰⁾ + J⁽¹⁾ + J⁽²⁾ + J⁽³⁾ = "], "Forward: step 3 of 3"),
    6: ({"network", "equations"}, {"step": "3"}, ["δo⁽³⁾ = ŷ⁽³⁾ − y⁽³⁾", "Errors, written δ", "step 8 comes back to it"], "Backward: errors reach step 3"),
    7: ({"network", "equations"}, {"step": "1"}, ["δh⁽¹⁾ = Vᵀ δo⁽¹⁾ + Wᵀ δa⁽²⁾"], "Backward: errors reach step 1"),
    8: ({"network"}, {"step": "1"}, ["(∂J/∂W)⁽¹⁾ = δa⁽¹⁾ h⁽⁰⁾ᵀ", "J⁽¹⁾, J⁽²⁾ and J⁽³⁾"], "Sum"),
    9: ({"gradient"}, {"step": "1"}, ["∂J/∂W = (∂J/∂W)⁽⁰⁾ + (∂J/∂W)⁽¹⁾"], "Sum"),
    10: ({"network", "flows"}, {"colour": "source"}, ["F[3][0] = ‖δh⁽⁰←³⁾‖ = "], "Sum"),
    11: ({"flows", "explorer"}, {"truncate": "2", "sequence": "hello world"}, ["k = 2: ∂J/∂W is ", "“hello world”"], "Sum"),
    12: ({"network", "explorer"}, {"task": "many-to-one", "rho": "0.6", "step": "0"}, ["G(10) = "], "Sum"),
    13: ({"training", "network"}, {"sequence": "hello hello hello ", "hidden_size": "16"}, ["Press ▶ Train"], "Sum"),
    14: ({"network", "explorer"}, {"cell": "lstm", "flowpath": "s", "step": "0"}, ["δs⁽ᵗ⁾", "cell state s", "output gate"], "Sum"),
}
LESSON = len(STEPS)
LINK_DEFAULTS = {"step": "0"}  # a link leaves out a value that is the default


def wait_for_step(page, n):
    page.wait_for_function(
        "n => document.getElementById('lesson-progress').textContent === `Step ${n} of 14`"
        " && document.getElementById('lesson-text').textContent !== 'Computing…'"
        " && document.getElementById('run').textContent === 'Run'", arg=n)


def check_step(page, n):
    regions, carried, words, phase = STEPS[n]
    focused = set(page.eval_on_selector_all(".lesson-focus", "els => els.map((e) => e.dataset.region)"))
    dimmed = set(page.eval_on_selector_all(".lesson-dim", "els => els.map((e) => e.dataset.region)"))
    assert focused == regions, n
    assert dimmed and not dimmed & regions, n
    state = link_state(page)
    assert state["lesson"] == str(n)
    for key, value in carried.items():
        assert state.get(key, LINK_DEFAULTS.get(key)) == value, (n, key, state)
    card = page.locator("#lesson-text").text_content() + " " + page.locator("#lesson-equation").text_content()
    for word in words:
        assert word in card, (n, word, card)
    assert "NaN" not in card and "undefined" not in card
    if phase:
        assert page.locator("#phase-label").text_content().startswith(phase), (n, page.locator("#phase-label").text_content())


def test_the_whole_lesson_walked_with_the_keyboard(page):
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(page.base)
    drawn(page)
    assert page.locator("#welcome").is_visible()  # a first visit is invited
    page.get_by_role("button", name="Learn BPTT step by step").click()
    for n in range(1, LESSON + 1):
        wait_for_step(page, n)
        check_step(page, n)
        for width, height in [(1280, 800), (1024, 768)]:
            page.set_viewport_size({"width": width, "height": height})
            page.wait_for_timeout(250)  # a new size scrolls the step's region under the card again
            # the card is whole and its buttons inside the window; a region of the step starts under it
            card = page.locator("#lesson").bounding_box()
            assert card["x"] >= 0 and card["x"] + card["width"] <= width, (n, width, card)
            assert page.locator("#lesson-next").bounding_box()["y"] + 20 < height
            tops = page.eval_on_selector_all(".lesson-focus", "els => els.map((e) => e.getBoundingClientRect().top)")
            assert any(card["y"] + card["height"] - 4 <= top < height - 100 for top in tops), (n, width, card, tops)
            page.screenshot(path=ARTIFACTS / f"lesson-{n:02d}-{width}x{height}.png")
        page.set_viewport_size({"width": 1280, "height": 800})
        page.keyboard.press("ArrowRight")
    wait_for_step(page, LESSON)  # past the last step the arrow does nothing
    page.keyboard.press("ArrowLeft")
    wait_for_step(page, LESSON - 1)
    page.keyboard.press("Escape")
    page.wait_for_function("() => document.getElementById('lesson').hidden")
    assert "lesson" not in link_state(page)
    assert page.locator(".lesson-dim").count() == 0


def test_a_step_opens_from_its_link(page):
    page.goto(page.base + "/?lesson=8")
    wait_for_step(page, 8)
    check_step(page, 8)
    assert page.locator("svg.network g.contribution-frame text").first.text_content().startswith("(∂J/∂W)⁽¹⁾")
    page.get_by_role("button", name="‹ Back").first.click()
    wait_for_step(page, 7)
    page.get_by_role("button", name="Lesson step 2", exact=True).click()
    wait_for_step(page, 2)
    check_step(page, 2)


def test_every_panels_help_opens_and_closes(page):
    page.goto(page.base)
    drawn(page)
    buttons = page.locator(".help-toggle")
    assert buttons.count() >= 6
    for i in range(buttons.count()):
        button = buttons.nth(i)
        if not button.is_visible():
            continue  # the compare panel's, while the panel is closed
        text = page.locator("#" + button.get_attribute("aria-controls"))
        button.click()
        assert text.is_visible() and len(text.text_content()) > 100 and button.get_attribute("aria-expanded") == "true"
        button.click()
        assert not text.is_visible()
    buttons.first.click()
    page.keyboard.press("Escape")
    assert page.locator(".panel-help:visible").count() == 0


def test_the_first_view_frames_a_contribution_that_is_not_zero(page):
    page.goto(page.base)
    drawn(page, 4)
    assert link_state(page).get("step") == "1"  # the middle of "hello", not step 0
    summary = page.locator("#gradient-panel-body").text_content()
    size = float(re.search(r"\(∂J/∂W\)⁽¹⁾: size ([0-9.e−-]+)", summary).group(1).replace("−", "-"))
    assert size > 0
    assert "s ≥ 1" in page.locator("#mode-explanation").text_content()  # it needs the losses from step 1 on


def test_projector_mode_is_larger_and_in_the_link(page):
    page.set_viewport_size({"width": 1024, "height": 768})
    page.goto(page.base + "/?projector=1&lesson=8")
    wait_for_step(page, 8)
    assert page.evaluate("() => document.body.classList.contains('projector')")
    size = page.evaluate("() => document.getElementById('lesson-title').getBoundingClientRect().height")
    page.locator("#projector").uncheck()
    assert "projector" not in link_state(page)
    assert page.evaluate("() => document.getElementById('lesson-title').getBoundingClientRect().height") < size
    page.locator("#projector").check()
    page.screenshot(path=ARTIFACTS / "projector-lesson-08-1024x768.png")
    # on this short screen the card leaves room for the network: scrolled to it, at least half of
    # the screen below the (sticky) card shows the network, and the card's pager is in sight
    page.locator("#network-panel").scroll_into_view_if_needed()
    card, network = (page.locator(sel).bounding_box() for sel in ("#lesson", "#network-panel"))
    assert card["height"] < 0.5 * 768 and network["y"] + network["height"] > card["y"] + card["height"] + 200
    assert page.get_by_role("button", name="Next ›").first.is_visible()
    # the card's text that does not fit fades out, and a button says there is more and scrolls it
    # on, until its last line is in sight
    text = page.locator("#lesson-text")
    page.wait_for_function("() => document.getElementById('lesson-text').classList.contains('more')")
    more = page.get_by_role("button", name="↓ more of this step")
    for _ in range(6):
        if not more.is_visible():
            break
        more.click()
        page.wait_for_timeout(400)  # a smooth scroll
    assert not more.is_visible()
    page.wait_for_function("() => !document.getElementById('lesson-text').classList.contains('more')")
    text.evaluate("t => { t.scrollTop = 0; }")
    page.screenshot(path=ARTIFACTS / "projector-lesson-08-network-1024x768.png")


def test_the_arrows_say_which_shared_weights_they_are(page):
    page.goto(page.base + "/?cell=lstm")
    drawn(page, 4)
    for name, words in [("W", "hidden → hidden"), ("U", "input → hidden"), ("V", "hidden → output"), ("f", "forget gate")]:
        page.locator(f"svg.network text.edge-label-{name}").nth(1).hover()
        tip = page.locator(".tooltip").text_content()
        assert words in tip, (name, tip)
        if name != "f":
            assert "the same at every step" in tip and (f"{4 * 8} × " if name != "V" else "× 8") in tip


def test_a_step_about_two_regions_brings_each_under_the_card(page):
    """At 1024x768 step 10's network fills the screen under the card; its flow matrix, which the
    text talks about, is one click away and lands just under the card, then the network again."""
    page.set_viewport_size({"width": 1024, "height": 768})
    page.goto(page.base + "/?lesson=10")
    wait_for_step(page, 10)
    jumps = page.locator("#lesson-go button")
    assert jumps.all_text_contents() == ["the network", "the flow matrix"]
    below_card = "() => document.getElementById('lesson').getBoundingClientRect().bottom"
    top_of = "name => document.querySelector(`[data-region='${name}']`).getBoundingClientRect().top"
    assert page.evaluate(top_of, "flows") > 768  # below the fold at first
    jumps.nth(1).click()
    page.wait_for_function(f"() => Math.abs(({top_of})('flows') - ({below_card})()) < 20")
    page.screenshot(path=ARTIFACTS / "lesson-10-flow-matrix-1024x768.png")
    jumps.nth(0).click()
    page.wait_for_function(f"() => Math.abs(({top_of})('network') - ({below_card})()) < 20")
    assert page.locator("#lesson-go").is_visible()
    page.goto(page.base + "/?lesson=2")  # a step about one region offers nothing
    wait_for_step(page, 2)
    assert page.locator("#lesson-go button").count() == 0


def test_the_vanishing_card_follows_the_slider_and_says_what_the_numbers_show(page):
    """Issue 25, item 2: step 12 kept saying 'ρ(W) = 0.6 here … a thread' after the learner did
    what it asked and dragged ρ(W) above 1. Its sentence is now computed from the answer shown."""
    page.goto(f"{page.base}/?lesson=12")
    wait_for_step(page, 12)
    card = page.locator("#lesson-text").text_content()
    assert "ρ(W) = 0.6 now" in card and "a thread" in card
    page.locator("#rho-slider").fill("3")
    page.wait_for_function("() => document.getElementById('lesson-text').textContent.includes('ρ(W) = 3 now')",
                           timeout=20000)
    card = page.locator("#lesson-text").text_content()
    assert "a thread" not in card
    gain = api(page, sequence="the first letter decides this!", task="many-to-one", hidden_size=8, seed=3,
               spectral_radius=3, include=["gain"])["gain"]["h"]
    far = len(gain) - 1
    if gain[far] is not None and gain[far] > 1:
        assert "explodes" in card
    elif gain[far] is not None and gain[far] >= 0.01:
        assert "keeps" in card
    if max(g for g in gain if g is not None) > 1 and (gain[far] or 0) < max(g for g in gain if g is not None):
        assert "first grew" in card and "saturation" in card
