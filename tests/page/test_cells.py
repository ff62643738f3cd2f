"""The three cells on the page: switching, the gates and the cell state, the carousel, the
compare view. Numbers drawn are the API's."""

import json
import re

import pytest

from .conftest import ARTIFACTS
from .helpers import COLUMNS, api, frames, hover_cell, link_has, panels_current, run, settled, strip_values

pytestmark = pytest.mark.browser


def wait_for_cell(page, cell, steps):
    page.wait_for_function(
        "([cell, n]) => document.querySelector('svg.network')?.getAttribute('aria-label')?.startsWith(cell)"
        " && document.querySelectorAll('svg.network g.column[data-step]').length === n"
        " && document.getElementById('run').textContent === 'Run'",
        arg=[{"rnn": "simple RNN", "lstm": "LSTM", "gru": "GRU"}[cell], steps])


def chips(page):
    return page.locator("#param-chips button").all_text_contents()


def test_switching_cells_keeps_the_sequence_and_the_selection(page):
    page.goto(page.base)
    run(page, "hello world", 10)
    page.locator("#param-chips button", has_text=re.compile("^U$")).click()
    page.locator('g.column[data-step="4"] rect.column-bg').click(force=True)
    page.get_by_label("LSTM", exact=True).check()
    wait_for_cell(page, "lstm", 10)
    assert page.get_by_label("Sequence").input_value() == "hello world"
    assert page.locator("g.column.selected").get_attribute("data-step") == "4"
    link_has(page, "cell=lstm", "step=4", "param=U")
    assert chips(page) == ["U", "W", "b", "V", "c"]
    column = page.locator('g.column[data-step="4"]')
    assert column.locator("g.node.gate").count() == 4 and column.locator("g.node.s").count() == 1
    assert "LSTM" in page.locator("#summary").text_content()
    # the simple RNN's fields hide; the LSTM's forget bias shows
    assert page.get_by_label("ρ(W)").is_hidden() and page.get_by_label("Activation g").is_hidden()
    assert page.get_by_label("Forget bias").is_visible()
    page.get_by_label("GRU", exact=True).check()
    wait_for_cell(page, "gru", 10)
    assert chips(page) == ["U", "W", "b", "b_hn", "V", "c"]
    assert column.locator("g.node.gate").count() == 3 and column.locator("g.node.s").count() == 0
    assert page.get_by_label("Forget bias").is_hidden()
    page.get_by_label("simple RNN").check()
    wait_for_cell(page, "rnn", 10)
    assert column.locator("g.node.gate").count() == 0 and page.get_by_label("ρ(W)").is_visible()


def test_gates_and_cell_state_are_the_apis_numbers_with_their_formulas(page):
    page.goto(page.base + "/?sequence=abcabcab&cell=lstm&hidden_size=5&seed=2")
    wait_for_cell(page, "lstm", 7)
    body = api(page, sequence="abcabcab", cell="lstm", hidden_size=5, seed=2)
    for name in ("input", "forget", "candidate", "output"):
        shown = strip_values(page.locator(f'g.column[data-step="3"] g.node.gate-{name}'))
        assert shown == body["forward"]["gates"][name][3]
    assert strip_values(page.locator('g.column[data-step="3"] g.node.s')) == body["forward"]["s"][3]
    assert strip_values(page.locator('g.column[data-step="3"] g.node.ds')) == body["errors"]["s"][3]
    hover_cell(page.locator('g.column[data-step="3"] g.node.gate-forget'), 2)
    tip = page.locator(".tooltip").text_content()
    assert "f⁽³⁾[2] = " in tip and "forget gate: f = σ(a_f)" in tip and "δa_f⁽³⁾[2]" in tip
    hover_cell(page.locator('g.column[data-step="3"] g.node.s'), 1)
    assert "s = f ⊙ s⁽ᵗ⁻¹⁾ + i ⊙ g" in page.locator(".tooltip").text_content()
    # the equations panel shows the LSTM's equations with the step's numbers
    page.locator('g.column[data-step="3"] rect.column-bg').click(force=True)
    panels_current(page)
    equations = page.locator("#details-panel-body").text_content()
    assert "s(3)=f⊙s(2)+i⊙g" in re.sub(r"\s+", "", equations)
    ds = page.locator("#details-panel-body .eq").filter(has_text=re.compile(r"^\s*δs\(3\)\s*=")).locator(".eq-value")
    assert json.loads(ds.get_attribute("data-values")) == body["errors"]["s"][3]


def test_colour_by_source_traces_a_loss_along_the_carousel(page):
    page.goto(page.base + "/?sequence=the%20first%20letter&cell=lstm&colour=source&forget_bias=3")
    wait_for_cell(page, "lstm", 15)
    frames(page, 3)  # the network's scroll is written a frame after it is drawn: click where it settled
    page.locator('g.loss[data-source="9"]').click()  # by source, a click keeps tracing that loss
    flow = page.locator('g.flow[data-source="9"]')
    link_has(page, "source=9")
    page.wait_for_function("() => document.querySelector('g.flow[data-source=\"9\"]').classList.contains('hovered')")
    along_h, along_s = flow.locator("path.band-h"), flow.locator("path.band-s")
    assert along_h.count() == 1 and along_s.count() == 1
    # the carousel's lane is its own: below the h lane, dashed, and it runs back to step 0
    box_h, box_s = along_h.bounding_box(), along_s.bounding_box()
    assert box_s["y"] > box_h["y"] + box_h["height"]
    assert along_s.evaluate("p => getComputedStyle(p).strokeDasharray") not in ("none", "")
    first = page.locator('g.column[data-step="0"] g.node.s').bounding_box()
    assert box_s["x"] <= first["x"] + first["width"]
    faded = page.locator("g.flow.faded").evaluate_all("gs => gs.map(g => +g.dataset.source)")
    assert set(faded) == set(range(15)) - {9}
    along_s.hover(position={"x": box_s["width"] / 2, "y": box_s["height"] / 2})
    assert "along the cell state" in page.locator(".tooltip").text_content()


def test_the_flow_matrix_switches_to_the_cell_state(page):
    page.goto(page.base + "/?sequence=abcabcabc&cell=lstm")
    wait_for_cell(page, "lstm", 8)
    assert page.locator("#flow-path").is_visible()
    page.get_by_label("s (cell state)").check()
    link_has(page, "flowpath=s")
    assert "δs" in page.locator("#flow-panel-body .legend-title").text_content()
    heatmap = page.locator("#flow-panel-body .heatmap")
    cell = int(heatmap.get_attribute("data-cell"))
    heatmap.locator("svg").hover(position={"x": 1 * cell + cell / 2, "y": 6 * cell + cell / 2})
    body = api(page, sequence="abcabcabc", cell="lstm")
    tip = page.locator(".tooltip").text_content()
    assert "F[6][1] = ‖δs⁽¹←⁶⁾‖ = " in tip and f"{body['flows']['s'][6][1]:.6g}"[:6] in tip
    page.get_by_label("GRU", exact=True).check()
    wait_for_cell(page, "gru", 8)
    assert page.locator("#flow-path").is_hidden()
    assert "δh" in page.locator("#flow-panel-body .legend-title").text_content()


def test_the_compare_view_opens_on_trained_cells_and_says_what_their_numbers_are(page):
    """Issue 27: the compare view defaults to the experiment's trained models of one task (the one
    on the page if it shipped), each with its numbers; untrained weights stay a choice."""
    page.goto(page.base + "/?kind=dataset&dataset=remember-first&length=20&cell=gru")
    wait_for_cell(page, "gru", 20)
    page.get_by_label("compare cells").check()
    page.wait_for_function("() => document.querySelectorAll('#compare-body path.gain').length === 4")
    assert page.locator("#compare-weights").input_value() == "remember-first-T20"
    said = page.locator("#compare-body .compare-conditions").text_content()
    assert "Held-out sequence 0 of remember-first (T = 20)" in said and "untrained" not in said
    models = {m["cell"]: m for m in page.request.get(page.base + "/api/v1/models").json() if m["family"] == "remember-first-T20"}
    for cell, title in (("rnn", "simple RNN"), ("lstm", "LSTM"), ("gru", "GRU")):
        m = models[cell]
        assert re.search(rf"{title}( \([^)]*\))?: {m['steps']:,} updates, held-out accuracy {m['after']['accuracy']:.3g}", said), title
        weights = page.request.get(page.base + f"/api/v1/models/{m['name']}").json()["weights"]
        answer = page.request.post(page.base + "/api/v1/unfold", data={
            "cell": cell, "weights": weights, "dataset": m["dataset"], "index": 0, "include": ["gain"]}).json()
        written = settled(page, """async (v) => {
            const src = document.querySelector('script[type=module]').src.replace('main.js', 'blocks/format.js');
            return (await import(src)).formatNumber(v, 2); }""", answer["gain"]["h"][19])
        assert f"{title} {written}" in said
    page.screenshot(path=ARTIFACTS / "compare-trained-1366.png", full_page=True)
    # untrained, on the page's own sequence, and said so
    page.select_option("#compare-weights", "untrained")
    link_has(page, "against=untrained")
    page.wait_for_function("() => document.querySelector('#compare-body .compare-conditions')?.textContent.includes('untrained, seed')")


def test_the_compare_view_shows_three_cells_on_one_scale(page):
    page.goto(page.base + "/?against=untrained")
    page.select_option("#preset", "carousel")
    wait_for_cell(page, "lstm", 29)
    page.get_by_label("compare cells").check()
    page.wait_for_function("() => document.querySelectorAll('#compare-body path.gain').length === 4")
    # it opens far below the network: ticking it brings it into view (issue 25, item 9)
    page.wait_for_function("() => { const r = document.getElementById('compare-panel').getBoundingClientRect();"
                           " return r.top >= 0 && r.top < innerHeight / 2; }")
    # and it says what it compares: untrained networks, with the numbers of their answers (issue 27)
    said = page.locator("#compare-body .compare-conditions").text_content()
    rnn = api(page, sequence=page.locator("#sequence").input_value(), cell="rnn", hidden_size=int(page.locator("#hidden_size").input_value()),
              seed=int(page.locator("#seed").input_value()))
    assert "untrained, seed" in said and "learned nothing" in said
    assert f"ρ(W) = {rnn['config']['spectral_radius']:.3g}" in said
    figures = page.locator("#compare-body figure.compare-matrix")
    assert [(f.get_attribute("data-cell"), f.get_attribute("data-path")) for f in figures.all()] == [
        ("rnn", "h"), ("lstm", "h"), ("lstm", "s"), ("gru", "h")]
    assert page.locator("#compare-body .legend-title").first.text_content().startswith("one scale for every matrix")
    # many-to-one: the one loss's row, not a 29 x 29 square with one useful row
    assert {h.get_attribute("data-rows") for h in page.locator("#compare-body .heatmap").all()} == {"1"}
    # many-to-one: one row per matrix carries the loss, and the plot shows how it fades with distance
    paths = {(p.get_attribute("data-cell"), p.get_attribute("data-path")): p for p in page.locator("#compare-body path.gain").all()}
    carried, faded = paths[("lstm", "s")].bounding_box(), paths[("rnn", "h")].bounding_box()
    assert carried["y"] + carried["height"] < faded["y"] + faded["height"]  # the carousel ends higher: less lost
    link_has(page, "compare=1")
    page.screenshot(path=ARTIFACTS / "compare-1280.png", full_page=True)


@pytest.mark.parametrize("width,height", [(1280, 800), (1024, 768), (1440, 900)])
def test_screenshots_of_each_cell(page, width, height):
    page.set_viewport_size({"width": width, "height": height})
    ARTIFACTS.mkdir(exist_ok=True)
    for cell in ("lstm", "gru"):
        page.goto(page.base + f"/?sequence=hello%20world&cell={cell}&step=5&param=W")
        wait_for_cell(page, cell, 10)
        assert page.locator(COLUMNS).count() == 10
        page.screenshot(path=ARTIFACTS / f"cell-{cell}-{width}x{height}.png")
    page.goto(page.base + "/?sequence=hello%20world&cell=lstm&colour=source")
    wait_for_cell(page, "lstm", 10)
    page.screenshot(path=ARTIFACTS / f"cell-lstm-source-{width}x{height}.png")


@pytest.mark.parametrize(("cell", "gates"), [("lstm", ["input", "forget", "candidate", "output"]),
                                              ("gru", ["reset", "update", "candidate"]), ("rnn", [])])
def test_the_folded_view_draws_each_cells_own_diagram(page, cell, gates):
    """Issue 25, item 11: the GRU's folded view drew the plain RNN cell, no gates."""
    page.goto(f"{page.base}/?sequence=hello&cell={cell}&folded=1")
    page.wait_for_function("() => document.querySelector('#folded-panel svg.folded') !== null")
    drawn_gates = page.locator("#folded-panel g.gate").evaluate_all("gs => gs.map(g => g.dataset.gate)")
    assert drawn_gates == gates
    assert (page.locator("#folded-panel g.state-s").count() == 1) == (cell == "lstm")
    caption = page.locator("#folded-panel .folded-caption").text_content()
    assert ("h⁽ᵗ⁾ = (1 − z) ⊙ n" in caption) == (cell == "gru")
    page.locator("#folded-panel").screenshot(path=ARTIFACTS / f"folded-{cell}.png")


@pytest.mark.parametrize(("cell", "letters"), [("lstm", ["i", "f", "g", "q"]), ("gru", ["r", "z", "n"])])
def test_a_gated_cells_gradient_matrices_are_drawn_one_block_a_gate(page, cell, letters):
    """Issue 25, item 7: a 4H x H tile was a blank sliver; each gate's block is drawn apart, legible,
    with its letter, and its numbers are the answer's."""
    page.goto(page.base + f"/?sequence=hello%20world&cell={cell}&step=4&param=W")
    wait_for_cell(page, cell, 10)
    figure = page.locator(".matrices .matrix.step.selected")
    blocks = figure.locator(".gate-block")
    assert blocks.locator(".block-letter").all_text_contents() == letters
    H = 8
    for block in blocks.all():
        heatmap = block.locator(".heatmap")
        assert (heatmap.get_attribute("data-rows"), heatmap.get_attribute("data-cols")) == (str(H), str(H))
        assert int(float(heatmap.get_attribute("data-cell"))) >= 5  # pixels a number: legible
    answer = api(page, sequence="hello world", cell=cell, include=["per_step_gradients"])
    third = blocks.nth(2).locator(".heatmap")
    size = float(third.get_attribute("data-cell"))
    third.locator("svg").hover(position={"x": 1 * size + size / 2, "y": 3 * size + size / 2})
    tip = page.locator(".tooltip").text_content()
    value = answer["gradients"]["per_step"]["W"][4][2 * H + 3][1]
    assert f"[{2 * H + 3}][1] = " in tip and f"the {letters[2]} gate's block, its row 3" in tip
    written = re.search(r"= ([−\-0-9.e×⁻⁰¹²³⁴⁵⁶⁷⁸⁹]+)", tip).group(1)
    assert float(written.replace("−", "-").replace("×10", "e").translate(str.maketrans("⁻⁰¹²³⁴⁵⁶⁷⁸⁹", "-0123456789"))) \
        == pytest.approx(value, rel=1e-8)
    page.locator(".matrices").screenshot(path=ARTIFACTS / f"gradient-blocks-{cell}.png")
