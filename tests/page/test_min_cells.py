"""Issue 29: the minGRU and the minLSTM in the page: their own gates, no W anywhere, the step
back drawn as the gate alpha, and the explorer's words computed from the gates on screen."""

import re

import pytest

from .conftest import ARTIFACTS
from .helpers import api, settled

pytestmark = pytest.mark.browser

GATES = {"mingru": ["update", "candidate"], "minlstm": ["forget", "input", "candidate", "f_norm", "i_norm"]}
TITLES = {"mingru": "minGRU", "minlstm": "minLSTM"}


def drawn(page, cell, steps):
    page.wait_for_function(
        "([title, n]) => document.querySelector('svg.network')?.getAttribute('aria-label')?.startsWith(title)"
        " && document.querySelectorAll('svg.network g.column[data-step]').length === n"
        " && document.getElementById('run').textContent === 'Run'", arg=[TITLES[cell], steps])


def formatted(page, value, digits):
    return settled(page, """async ([v, digits]) => {
        const src = document.querySelector('script[type=module]').src.replace('main.js', 'blocks/format.js');
        return (await import(src)).formatNumber(v, digits); }""", [value, digits])


@pytest.mark.parametrize("cell", ["mingru", "minlstm"])
def test_a_min_cell_draws_its_gates_and_carries_h_by_its_gate_alone(page, cell):
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(f"{page.base}/?sequence=hello%20world&cell={cell}&step=4")
    drawn(page, cell, 10)
    column = page.locator("svg.network g.column[data-step='4']")
    assert column.locator("g.gate").evaluate_all("gs => gs.map(g => g.dataset.gate)") == GATES[cell]
    # no W: h crosses from step to step along alpha, and no chip offers W
    assert page.locator("svg.network line.edge-W").count() == 0
    assert page.locator("svg.network line.edge-alpha").count() > 0
    label = page.locator("svg.network text.edge-label-alpha").first.text_content()
    assert label == {"mingru": "1−z", "minlstm": "f′"}[cell]
    assert "W" not in page.locator("#param-chips button").all_text_contents()
    assert TITLES[cell] in page.locator("#summary").text_content()
    # the explorer says which alphas this sequence has, from the answer's gates
    answer = api(page, sequence="hello world", cell=cell)
    gates = answer["forward"]["gates"]
    alpha = [1 - z for row in gates["update"] for z in row] if cell == "mingru" else [f for row in gates["f_norm"] for f in row]
    page.wait_for_function("() => document.querySelector('.explorer-readout')?.textContent.includes('α')")
    readout = page.locator(".explorer-readout").text_content()
    assert f"between {formatted(page, min(alpha), 3)} and {formatted(page, max(alpha), 3)}" in readout
    assert "all 10 states in 4 rounds instead of 10 steps" in readout  # the scan, ceil(log2 T) rounds
    assert (page.locator("#forget-slider").is_visible()) == (cell == "minlstm")  # the minLSTM's b_f moves at initialisation
    page.screenshot(path=ARTIFACTS / f"min-cell-{cell}-1366.png")


def test_the_minlstm_forget_bias_starts_at_its_own_default_and_moves(page):
    page.goto(f"{page.base}/?sequence=hello%20world&cell=minlstm")
    drawn(page, "minlstm", 10)
    assert page.locator("#forget_bias").get_attribute("placeholder") == "0"
    assert re.search(r"forget bias 0\b", page.locator("#summary").text_content())
    page.locator("#forget_bias").fill("3")
    page.locator("#forget_bias").press("Enter")
    page.wait_for_function("() => document.getElementById('summary').textContent.includes('forget bias 3')")
    answer = api(page, sequence="hello world", cell="minlstm", forget_bias=3)
    H = answer["config"]["hidden_size"]
    assert answer["weights"]["b"][:H] == [3.0] * H


@pytest.mark.parametrize(("against", "pair"), [("min-gru", ("gru", "mingru")), ("min-lstm", ("lstm", "minlstm"))])
def test_the_compare_view_puts_a_min_cell_beside_its_classic_cell(page, against, pair):
    """Issue 29: GRU beside minGRU (LSTM beside minLSTM) on the page's sequence, one scale, one plot,
    and a caption whose numbers are the answers'."""
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(f"{page.base}/?sequence=the%20cat%20sat%20on%20the%20mat&compare=1&against={against}")
    page.wait_for_function("() => document.querySelector('#compare-body .compare-pair')")
    figures = page.locator("#compare-body figure.compare-matrix")
    assert [f.get_attribute("data-cell") for f in figures.all() if f.get_attribute("data-path") == "h"] == list(pair)
    assert page.locator("#compare-body path.gain").count() == (3 if pair[0] == "lstm" else 2)
    assert page.locator("#compare-weights").input_value() == against
    gains = {cell: api(page, sequence="the cat sat on the mat", cell=cell, include=["gain"])["gain"]["h"] for cell in pair}
    d = max(k for k in range(len(gains[pair[0]])) if gains[pair[0]][k] and gains[pair[1]][k])
    said = page.locator("#compare-body .compare-pair").text_content()
    for cell in pair:
        assert f"{TITLES.get(cell, cell.upper())} {formatted(page, gains[cell][d], 2)}" in said.replace("keeps ", "")
    assert said.startswith(f"{d} steps back, G({d})")
    more = pair[1] if gains[pair[1]][d] > gains[pair[0]][d] else pair[0]
    assert f"so here the {TITLES.get(more, more.upper())} carries more" in said
    page.locator("#compare-panel").screenshot(path=ARTIFACTS / f"compare-{against}.png")


def test_the_update_gate_bias_slider_moves_the_mingru_and_its_alphas(page):
    """Issue 29: the explorer's slider for the minGRU moves its update gate's bias b_z at
    initialisation; a negative b_z keeps memory (alpha = 1 - z near 1), and the readout follows."""
    page.goto(f"{page.base}/?sequence=hello%20world&cell=mingru")
    drawn(page, "mingru", 10)
    assert page.locator("#update-slider").is_visible() and page.locator("#forget-slider").is_hidden()
    page.locator("#update-slider").fill("-3")
    page.wait_for_function("() => new URLSearchParams(location.search).get('update_bias') === '-3'"
                           " && document.getElementById('summary').textContent.includes('update bias -3')")
    answer = api(page, sequence="hello world", cell="mingru", update_bias=-3)
    H = answer["config"]["hidden_size"]
    assert answer["weights"]["b"][:H] == [-3.0] * H
    alpha = [1 - z for row in answer["forward"]["gates"]["update"] for z in row]
    page.wait_for_function("(low) => document.querySelector('.explorer-readout').textContent.includes('between ' + low)",
                           arg=formatted(page, min(alpha), 3))
    assert page.locator("#update_bias").input_value() == "-3"
    assert page.locator("#update_bias").is_visible()
