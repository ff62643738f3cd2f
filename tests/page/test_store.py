"""The page's one store and its one vocabulary: every URL field round-trips, a bad link falls
back with a message, one URL write per change, names and limits agree with the server's, and
a changed field asks for a new answer without Run."""

from urllib.parse import urlencode

import httpx
import pytest

from .helpers import COLUMNS, link_state, run

pytestmark = pytest.mark.browser

# A value other than the default for every field a link carries.
EVERY_FIELD = {
    "kind": "numbers", "sequence": "0.1, 0.5, 0.9, 0.3, 0.7", "cell": "lstm", "task": "many-to-one",
    "hidden_size": "5", "activation": "relu", "output": "sigmoid", "seed": "7", "rho": "0.8",
    "forget_bias": "2.5", "truncate": "3", "colour": "source", "param": "U", "step": "2", "neurons": "1",
    "folded": "1", "flowpath": "s", "compare": "1", "against": "untrained", "source": "3", "split": "signed",
}

COUNT_URL_WRITES = """
  window.__urlWrites = 0;
  const replace = history.replaceState.bind(history);
  history.replaceState = (...args) => { window.__urlWrites += 1; return replace(...args); };
"""


def settled(page):
    page.wait_for_function("() => document.getElementById('run').textContent === 'Run'"
                           " && document.getElementById('summary').textContent !== ''")


def test_every_field_round_trips_through_the_link(page):
    page.goto(f"{page.base}/?{urlencode(EVERY_FIELD)}")
    settled(page)
    carried = link_state(page)
    assert carried == EVERY_FIELD
    assert page.locator('input[name="kind"]:checked').get_attribute("value") == "numbers"
    assert page.locator('input[name="cell"]:checked').get_attribute("value") == "lstm"
    for field in ("hidden_size", "seed", "rho", "forget_bias", "truncate", "activation", "output"):
        assert page.locator(f"#{field}").input_value() == EVERY_FIELD[field], field
    assert page.locator('input[name="colour"]:checked').get_attribute("value") == "source"
    assert page.locator('input[name="flowpath"]:checked').get_attribute("value") == "s"
    assert all(page.locator(f"#{name}").is_checked() for name in ("neurons", "folded", "compare"))
    assert page.locator("#url-notice").is_hidden()


def test_bad_values_in_a_link_fall_back_to_the_defaults_with_a_message(page):
    page.allowed_errors.append("status of 422")
    page.goto(f"{page.base}/?sequence=&hidden_size=999&cell=transformer&step=-1&compare=maybe")
    page.wait_for_function("() => document.querySelectorAll('svg.network g.column[data-step]').length === 4")
    notice = page.locator("#url-notice")
    assert notice.is_visible()
    for name in ("sequence", "hidden_size", "cell", "step", "compare"):
        assert f"{name}=" in notice.text_content()
    assert page.get_by_label("Sequence").input_value() == "hello"
    assert "H = 8" in page.locator("#summary").text_content()


def test_one_url_write_per_change(page):
    page.add_init_script(COUNT_URL_WRITES)
    page.goto(page.base)
    run(page, "hello world", 10)
    writes = lambda: page.evaluate("() => window.__urlWrites")  # noqa: E731
    # the link is written once the page is idle after the change: wait for it, then count
    written = lambda part: page.wait_for_function("p => location.search.includes(p)", arg=part)  # noqa: E731
    page.wait_for_timeout(200)
    before = writes()
    page.locator("#param-chips button", has_text="U").click()
    written("param=U")
    assert writes() == before + 1
    page.locator('g.column[data-step="6"] rect.column-bg').click(force=True)
    written("step=6")
    assert writes() == before + 2
    page.get_by_label("source", exact=True).check()
    written("colour=source")
    assert writes() == before + 3
    page.locator('g.column[data-step="6"] rect.column-bg').click(force=True)  # the same step again: no change
    page.locator('g.loss[data-source="6"]').hover()  # hovering a source is not carried by the link
    page.wait_for_function("() => document.querySelector('g.flow.hovered') !== null")
    page.wait_for_timeout(600)  # longer than the page waits for an idle moment to write
    assert writes() == before + 3
    # two changes before the page is idle: one write carries both
    page.evaluate("""() => {
        [...document.querySelectorAll('#param-chips button')].find((b) => b.textContent === 'W').click();
        document.querySelector('g.column[data-step="2"] rect.column-bg').dispatchEvent(new MouseEvent('click', { bubbles: true }));
    }""")
    written("step=2")
    page.wait_for_timeout(600)
    assert writes() == before + 4 and "param=" not in page.url  # W is the default: not carried


def test_the_pages_names_and_limits_are_the_servers(page):
    meta = httpx.get(f"{page.base}/api/v1/meta").json()
    page.goto(page.base)
    settled(page)
    assert page.evaluate("() => JSON.parse(document.getElementById('meta').textContent)") == meta
    options = lambda sel: page.locator(f"{sel} option").evaluate_all("os => os.map(o => o.value)")  # noqa: E731
    assert options("#activation") == [a["name"] for a in meta["activations"]]
    assert options("#output") == ["auto", *[h["name"] for h in meta["heads"]]]
    assert options("#preset")[1:] == [p["name"] for p in meta["presets"]]
    radios = lambda name: page.locator(f'input[name="{name}"]').evaluate_all("rs => rs.map(r => r.value)")  # noqa: E731
    assert radios("cell") == [c["name"] for c in meta["cells"]]
    assert radios("task-choice") == meta["tasks"]
    limits = meta["limits"]
    assert page.locator("#hidden_size").get_attribute("max") == str(limits["hidden_size"])
    assert page.locator("#seed").get_attribute("max") == str(limits["seed"])
    assert page.locator("#truncate").get_attribute("max") == str(limits["truncate"])
    assert float(page.locator("#forget_bias").get_attribute("max")) == limits["forget_bias"]
    # the link's bounds are the same limits: the largest H is taken, one more is refused
    for hidden, taken in ((limits["hidden_size"], True), (limits["hidden_size"] + 1, False)):
        page.goto(f"{page.base}/?hidden_size={hidden}")
        settled(page)
        assert (page.locator("#hidden_size").input_value() == str(hidden)) == taken
    # the default letters are listed in the chips' order
    chips = page.locator("#param-chips button").all_text_contents()
    assert page.locator('#notation option[value="textbook"]').text_content() == ", ".join(chips)
    # the parameter chips are the cell's parameters as the server names them
    page.goto(f"{page.base}/?cell=gru")
    settled(page)
    gru = next(c for c in meta["cells"] if c["name"] == "gru")
    assert page.locator("#param-chips button").all_text_contents() == gru["params"]


def test_a_changed_field_asks_for_a_new_answer_and_marks_the_old_one_until_then(page):
    page.goto(page.base)
    run(page, "hello world", 10)
    page.fill("#hidden_size", "3")
    assert page.locator("#stale").is_visible()  # at once: the picture is the old settings'
    page.wait_for_function("() => document.getElementById('summary').textContent.includes('H = 3')")
    assert page.locator("#stale").is_hidden()
    # a refused value keeps the old picture, marked, and says why beside the field
    page.allowed_errors.append("status of 422")
    page.fill("#truncate", "5000")
    page.wait_for_function("() => document.getElementById('error-truncate').textContent !== ''")
    assert page.locator("#stale").is_visible()
    assert page.locator(COLUMNS).count() == 10


def test_a_sequence_too_long_for_the_shares_still_draws_every_panel(page):
    # T = 500: T^2 is over the budget of include "auto", so the answer has no flows.share
    text = ("abcdefghij" * 60)[:501]
    page.goto(page.base)
    run(page, text, 500)
    assert page.locator("#error-general").text_content() == ""
    assert page.locator("#gradient-panel-body canvas.bars-canvas").count() == 1
    assert "not split by source" in page.locator("#gradient-panel-body .update-note").text_content()
    assert page.locator("#flow-panel-body .heatmap").get_attribute("data-rows") == "500"
    # the 500 x 500 matrix is scaled to fit its panel, not cut off
    fits = page.evaluate("""() => {
        const panel = document.getElementById('flow-panel-body').getBoundingClientRect();
        const map = document.querySelector('#flow-panel-body .heatmap').getBoundingClientRect();
        return map.width > 100 && map.right <= panel.right + 1;
    }""")
    assert fits


def test_an_answer_for_a_form_changed_since_keeps_the_picture_marked_until_the_latest_arrives(page):
    """H = 3 is asked for, then H = 5 while its answer is on the way: the H = 3 answer is drawn
    when it comes, but it is not the form's, so the notice stays up until the H = 5 one is in.
    (CI once saw the notice dropped at the older answer, and a test read that as drawn.)"""
    page.goto(page.base)
    run(page, "hello", 4)
    held = []
    page.route("**/api/v1/unfold**", lambda route: held.append(route))

    def release_next():
        for _ in range(200):
            if held:
                held.pop(0).continue_()
                return
            page.wait_for_timeout(25)
        raise AssertionError("the page did not ask for an answer")

    page.fill("#hidden_size", "3")
    page.wait_for_function("() => document.getElementById('run').textContent === 'Running…'")  # asked, held
    page.fill("#hidden_size", "5")
    release_next()
    page.wait_for_function("() => document.getElementById('summary').textContent.includes('H = 3')")
    assert page.locator("#stale").is_visible()
    release_next()
    page.wait_for_function("() => document.getElementById('summary').textContent.includes('H = 5')")
    assert page.locator("#stale").is_hidden()
