"""Watch it learn (issue 11): Train runs chunks on the server and the whole page follows the
weights; the loss curve grows; snapshots go back in time; Reset gives the same run again; an
error keeps what was learned."""

import re

import pytest

from .conftest import ARTIFACTS
from .helpers import run

pytestmark = pytest.mark.browser
TEXT = "hello hello hello "


def summary_loss(page):
    return float(re.search(r"J = ([0-9.]+)", page.locator("#summary").text_content()).group(1))


def wait_for_step(page, at_least):
    page.wait_for_function(
        "n => { const m = document.getElementById('train-step').textContent.match(/^step (\\d+)/);"
        " return m && +m[1] >= n; }", arg=at_least, timeout=30000)


def train_then_pause(page, at_least: int):
    """Train the network on screen for at least ``at_least`` steps, then pause and wait for it."""
    page.get_by_role("button", name="▶ Train").click()
    wait_for_step(page, at_least)
    page.locator("#train").click()  # pause
    page.wait_for_function("() => document.getElementById('train').textContent.includes('Continue')")


def test_training_lowers_the_loss_and_redraws_the_page_after_each_chunk(page):
    page.goto(page.base)
    run(page, TEXT, 17, hidden_size=16)
    initial = summary_loss(page)
    right_before = page.locator("text.prediction.right").count()
    train_then_pause(page, 100)
    steps = int(re.search(r"step (\d+)", page.locator("#train-step").text_content()).group(1))
    assert steps >= 100 and steps % 25 == 0
    trained = summary_loss(page)
    assert trained < 0.1 * initial
    assert page.locator("text.prediction.right").count() > right_before  # the ✓ marks follow the weights
    # the curve has one point per step, falling, on a log axis (a linear one flattens the tail)
    assert "(log)" in page.locator("#train-curve text.axis-title").text_content()
    path = page.locator("#train-curve path.loss-line").get_attribute("d")
    ys = [float(v) for v in re.findall(r"[ML][0-9.]+,([0-9.]+)", path)]
    assert len(ys) == steps and ys[-1] > ys[0]  # SVG y grows downwards: a lower loss sits lower
    assert re.match(rf"At step {steps} it would write: h", page.locator("#train-sample").text_content())
    # one J for one moment: the counter's is the summary's, and it says it is after the update (issue 25, item 4)
    written = re.search(r"J = (\S+)", page.locator("#summary").text_content()).group(1)
    assert page.locator("#train-step").text_content() == f"step {steps} · J = {written} after this update"
    page.set_viewport_size({"width": 1280, "height": 800})
    page.screenshot(path=ARTIFACTS / "training-1280x800.png")
    # the first snapshot takes the whole page back to the untrained network, the next to step 25
    page.locator("#train-scrubber").fill("0")
    assert page.locator("#train-step").text_content().startswith("showing step 0 of")
    assert summary_loss(page) == initial
    page.locator("#train-scrubber").fill("1")
    assert page.locator("#train-step").text_content().startswith("showing step 25 of")
    # the sample line follows the weights on screen, not the newest ones
    page.wait_for_function("() => document.getElementById('train-sample').textContent.startsWith('At step 25 ')")
    assert initial > summary_loss(page) > trained
    # Reset: the initial weights again, the same seed
    page.get_by_role("button", name="Reset").click()
    page.wait_for_function("(j) => document.getElementById('summary').textContent.includes('J = ' + j)",
                           arg=f"{initial:g}"[:6])
    assert page.locator("#train-step").text_content() == "step 0"
    assert page.locator("#train-curve path.loss-line").count() == 0


def test_an_error_while_training_keeps_what_was_learned(page):
    page.allowed_errors.append("status of 422")
    page.goto(page.base)
    run(page, TEXT, 17, hidden_size=8)
    train_then_pause(page, 25)
    steps = page.locator("#train-step").text_content()
    # a clip threshold the API refuses: the message names it, the run and its curve stay
    page.select_option("#clip_mode", "norm")
    page.fill("#clip_threshold", "0")
    page.locator("#train").click()
    page.wait_for_function("() => document.getElementById('train-message').textContent.includes('clip')")
    message = page.locator("#train-message").text_content()
    assert "threshold" in message and "kept" in message
    assert page.locator("#train-step").text_content() == steps
    assert page.locator("#train-curve path.loss-line").count() == 1
    # changing the network resets the training, and says so
    page.fill("#hidden_size", "9")
    page.wait_for_function("() => document.getElementById('train-message').textContent.includes('reset')")
    assert page.locator("#train-step").text_content() == "step 0"


def curve_points(page) -> int:
    return len(re.findall(r"[ML]", page.locator("#train-curve path.loss-line").get_attribute("d")))


def test_a_reload_keeps_the_training_run_and_continue_goes_on_from_it(page):
    """Trained weights are work: a reload of the same request draws them again, with their
    curve and step, and training goes on from them; Reset, or another request, drops them."""
    page.goto(page.base)
    run(page, TEXT, 17, hidden_size=8)
    initial = summary_loss(page)
    train_then_pause(page, 50)
    steps = int(re.search(r"step (\d+)", page.locator("#train-step").text_content()).group(1))
    trained = summary_loss(page)
    assert trained < initial and curve_points(page) == steps
    page.reload()
    page.wait_for_function("() => document.getElementById('train-message').textContent.startsWith('Kept from before the reload')")
    page.wait_for_function("(j) => document.getElementById('summary').textContent.includes('J = ' + j)", arg=f"{trained:g}")
    assert page.locator("#train-step").text_content().startswith(f"step {steps} · J")
    assert curve_points(page) == steps and page.locator("#train").text_content() == "▶ Continue"
    page.locator("#train-panel").screenshot(path=ARTIFACTS / "training-kept-after-a-reload.png")
    # Continue goes on from the kept weights and the optimizer's state: the step count does too
    page.locator("#train").click()
    wait_for_step(page, steps + 25)
    page.locator("#train").click()
    page.wait_for_function("() => document.getElementById('train').textContent.includes('Continue')")
    assert summary_loss(page) < trained and curve_points(page) > steps
    # another request does not take them
    page.goto(page.base + "/?sequence=" + TEXT.replace(" ", "%20") + "&hidden_size=9")
    page.wait_for_function("() => document.getElementById('summary').textContent.includes('H = 9')")
    assert page.locator("#train-step").text_content() == "step 0" and page.locator("#train-message").text_content() == ""
    # Reset drops them: the same request then opens on the initial weights
    page.goto(page.base + "/?sequence=" + TEXT.replace(" ", "%20") + "&hidden_size=8")
    page.wait_for_function("() => document.getElementById('train-message').textContent.startsWith('Kept')")
    page.get_by_role("button", name="Reset").click()
    page.reload()
    page.wait_for_function("(j) => document.getElementById('summary').textContent.includes('J = ' + j)", arg=f"{initial:g}")
    assert page.locator("#train-step").text_content() == "step 0"


def test_a_kept_run_that_is_not_a_run_is_dropped_and_the_page_still_opens(page):
    """sessionStorage is the reader's (or an extension's) to edit: a record that is not a run is
    forgotten, and the page opens on its seeded network as if nothing had been kept."""
    page.goto(page.base)
    run(page, TEXT, 17, hidden_size=8)
    train_then_pause(page, 25)
    # the record of the paused run itself: a chunk that landed after an earlier write is written
    # again when the page is idle (or left), and would overwrite the edit below on the reload
    paused = int(re.search(r"step (\d+)", page.locator("#train-step").text_content()).group(1))
    page.wait_for_function("step => JSON.parse(sessionStorage.getItem('rnn-unfolded:training'))?.value?.step === step",
                           arg=paused)
    page.evaluate("""() => {
        const record = JSON.parse(sessionStorage.getItem('rnn-unfolded:training'));
        sessionStorage.setItem('rnn-unfolded:training', JSON.stringify({ ...record, value: 'x' }));
    }""")
    page.reload()
    run_drawn = "() => document.getElementById('run').textContent === 'Run' && document.getElementById('summary').textContent !== ''"
    page.wait_for_function(run_drawn)
    assert page.locator("#train-step").text_content() == "step 0" and page.locator("#train").text_content() == "▶ Train"
    assert page.evaluate("() => sessionStorage.getItem('rnn-unfolded:training')") is None


def test_a_rate_that_blows_the_loss_up_is_said_to_and_why(page):
    """Issue 25, item 4: SGD at a rate of 10 took J from about 3 to about 10^6 without a word."""
    page.goto(page.base)
    run(page, "the quick brown fox jumps over the lazy dog, again and again", 59, hidden_size=16)
    page.select_option("#optimizer", "sgd")
    page.fill("#learning_rate", "10")
    page.get_by_role("button", name="▶ Train").click()
    page.wait_for_function("() => /diverging|overflowed/.test(document.getElementById('train-message').textContent)",
                           timeout=30000)
    said = page.locator("#train-message").text_content()
    if "diverging" in said:  # the loss rose a hundredfold and is still finite
        assert "summed over all 59 steps" in said and "lower the learning rate" in said
    else:  # or it left float64 first: the server says where, and what to lower
        assert "learning_rate" in said
    page.screenshot(path=ARTIFACTS / "training-diverging.png")
