"""The page tells the truth (issue 16): what it draws agrees with the maths it writes, and the
player shows nothing the playhead has not reached."""

import json
import re

import httpx
import numpy as np
import pytest

from .conftest import ARTIFACTS
from .helpers import api, drawn, link_has, link_state, panels_current, settled

pytestmark = pytest.mark.browser



def open_view(page, query):
    page.goto(f"{page.base}/?{query}")
    drawn(page)


def equation_values(page):
    """{left side's text: values} for every equation of the panel that shows a vector."""
    return page.locator("#details-panel-body .eq").evaluate_all("""es => es.flatMap(e => {
        const v = e.querySelector('.eq-value');
        return v ? [[e.querySelector('math').textContent.split('=')[0], JSON.parse(v.dataset.values), e.className]] : [];
    })""")


def test_a_truncated_step_writes_delta_h_as_the_sum_of_the_sources_that_reach_it(page):
    open_view(page, "sequence=hello%20world&truncate=2&step=3")
    rows = equation_values(page)
    total = [values for lhs, values, _ in rows if lhs.startswith("δh(3)")]
    terms = [(lhs, values) for lhs, values, cls in rows if "term" in cls]
    assert len(total) == 1, rows
    # k = 2: the losses at steps 3 and 4 still reach step 3, and nothing else
    assert [lhs for lhs, _ in terms] == ["δh(3←3)", "δh(3←4)"]
    np.testing.assert_allclose(np.sum([v for _, v in terms], axis=0), total[0], rtol=1e-7, atol=1e-9)
    # and it is the API's truncated total, which the untruncated recursion does not give
    answer = api(page, sequence="hello world", truncate=2)
    np.testing.assert_allclose(total[0], answer["errors"]["h"][3], rtol=1e-8)
    math = page.locator("#details-panel-body").text_content()
    assert "∑" in math and "Wᵀ" not in math.split("δh(3)")[1].split("δa")[0]


def test_numbers_are_written_one_way_and_long_vectors_stay_inside_the_panel(page):
    # exploding: relu with rho(W) = 3 over a long sequence gives values far beyond 10^4
    open_view(page, "sequence=" + "ab" * 20 + "&activation=relu&rho=3&step=2")
    text = page.locator("#details-panel-body").text_content()
    assert not re.search(r"\de[+-]?\d", text), "a number printed as 1.2e+31"
    assert "×10" in text
    assert page.locator("#details-panel-body mi", has_text="g′").count() == 1  # one symbol, not g with a raised mark
    panel = page.locator("#details-panel-body").bounding_box()
    for box in page.locator("#details-panel-body .eq-value").evaluate_all(
            "es => es.map(e => { const r = e.getBoundingClientRect(); return [r.left, r.right]; })"):
        assert panel["x"] - 1 <= box[0] and box[1] <= panel["x"] + panel["width"] + 1, (box, panel)


def painted_steps(page):
    """The steps of the gradient panel whose bar has a painted pixel on its canvas."""
    return page.evaluate("""() => {
        const canvas = document.querySelector('.bars-canvas');
        const ratio = canvas.width / canvas.getBoundingClientRect().width;
        const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
        const ticks = [...document.querySelectorAll('svg.bars .axis-x .tick')];
        return ticks.flatMap(tick => {
            const x = Math.round(+tick.getAttribute('transform').match(/translate\\(([-\\d.]+)/)[1] * ratio);
            for (let y = 0; y < canvas.height; y += 1) if (data[(y * canvas.width + x) * 4 + 3] > 0) return [+tick.textContent];
            return [];
        });
    }""")


def test_reselecting_a_step_moves_the_bars_outline_and_keeps_the_rest(page):
    """A new step outlines its bar and un-outlines the old one, and no other bar changes (the
    bars are laid out once per parameter; a step only moves the outline)."""
    open_view(page, "sequence=" + "abcd" * 8 + "&param=W&step=5")
    before = page.evaluate("""() => {
        const c = document.querySelector('.bars-canvas');
        return Array.from(c.getContext('2d').getImageData(0, 0, c.width, c.height).data);
    }""")
    page.locator('g.column[data-step="9"] rect.column-bg').click(force=True)
    panels_current(page)
    changed = page.evaluate("""(before) => {
        const c = document.querySelector('.bars-canvas');
        const ratio = c.width / c.getBoundingClientRect().width;
        const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        const columns = new Set();
        for (let i = 0; i < data.length; i += 1) if (data[i] !== before[i]) columns.add(Math.floor(i / 4) % c.width);
        // each changed pixel column as a step: the ticks sit at the bars' middles, evenly spaced
        const ticks = [...document.querySelectorAll('svg.bars .axis-x .tick')].map(t =>
            [+t.textContent, +t.getAttribute('transform').match(/translate\\(([-\\d.]+)/)[1] * ratio]);
        const [[t0, x0], [t1, x1]] = ticks;
        const step = (x) => t0 + (x - x0) * (t1 - t0) / (x1 - x0);
        return [...columns].map(step);
    }""", before)
    # the outline's 2 px reach a little past its bar, not to the middle of the next one
    near = {t: [p for p in changed if abs(p - t) < 0.85] for t in (5, 9)}
    assert near[5] and near[9] and len(near[5]) + len(near[9]) == len(changed), sorted(changed)


def test_at_the_playhead_no_later_value_or_contribution_is_shown(page):
    open_view(page, "sequence=hello&param=W&step=1")
    assert painted_steps(page) == [1, 2, 3]  # (∂J/∂W)⁽⁰⁾ is zero: h⁽⁻¹⁾ = 0
    # forward pass, playhead at step 2: forward equations of step 2 only, no contribution anywhere
    page.locator("#scrubber").fill("2")
    panels_current(page)
    assert page.locator("#details-panel-body h3").text_content().startswith("At step t = 2")
    phases = page.locator("#details-panel-body .eq-phase").all_text_contents()
    assert phases == ["forward"]
    assert painted_steps(page) == []
    assert page.locator(".matrices .matrix.step:not(.pending)").count() == 0
    assert page.locator(".matrices .matrix.total").count() == 0
    assert page.locator(".contribution-frame rect").count() == 0  # no backward frame in the forward pass
    cover = page.locator("#flow-panel-body rect.pending-cover")
    assert cover.count() == 1
    # backward pass, errors have reached step 2: contributions 2 and 3 only, no total yet
    page.locator("#scrubber").fill("5")
    panels_current(page)
    assert page.locator("#details-panel-body h3").text_content().startswith("At step t = 2")
    assert "backward" in page.locator("#details-panel-body .eq-phase").all_text_contents()
    assert painted_steps(page) == [2, 3]
    shown = page.locator(".matrices .matrix.step:not(.pending) figcaption").all_text_contents()
    assert shown == ["(∂J/∂W)⁽²⁾", "(∂J/∂W)⁽³⁾"]
    assert page.locator(".matrices .matrix.total").count() == 0
    # the sum: everything, the total in view inside its panel
    page.locator("#scrubber").fill("8")
    panels_current(page)
    assert page.locator(".matrices .matrix.total.summing").count() == 1
    assert cover.count() == 0
    in_view = page.evaluate("""() => {
        const panel = document.querySelector('.matrix.total').closest('.panel').getBoundingClientRect();
        const total = document.querySelector('.matrix.total').getBoundingClientRect();
        return total.top >= panel.top - 1 && total.bottom <= panel.bottom + 1;
    }""")
    assert in_view


def test_the_details_vector_tooltip_holds_every_value(page):
    open_view(page, "sequence=hello&hidden_size=12&step=1")
    line = page.locator("#details-panel-body .eq-value").first
    values = json.loads(line.get_attribute("data-values"))
    assert len(values) == 12 and "more" in line.text_content()
    assert len(line.get_attribute("title").splitlines()) == 12


def test_the_selected_contribution_is_framed_in_its_steps_colour_everywhere(page):
    open_view(page, "sequence=hello%20world&param=W&step=4")
    colours = page.evaluate("""() => {
        const css = (c) => { const e = document.createElement('i'); e.style.color = c; document.body.append(e);
                             const v = getComputedStyle(e).color; e.remove(); return v; };
        const legend = [...document.querySelectorAll('#legends .swatch')].find(s => s.textContent === 't=4');
        return {
            network: css(document.querySelector('.contribution-frame rect').getAttribute('stroke')),
            matrix: getComputedStyle(document.querySelector('.matrix.step.selected .heatmap canvas')).outlineColor,
            legend: getComputedStyle(legend.querySelector('i')).backgroundColor,
        };
    }""")
    assert colours["network"] == colours["matrix"] == colours["legend"], colours


def in_view(page, selector):
    """Is the element fully inside the network panel's visible area (right of the row labels)?
    The network scrolls in the next animation frame, so this waits a little for it."""
    try:
        page.wait_for_function("""(selector) => {
            const panel = document.getElementById('network-panel').getBoundingClientRect();
            const labels = document.querySelector('.row-labels').getBoundingClientRect();
            const box = document.querySelector(selector).getBoundingClientRect();
            return box.left >= labels.right - 1 && box.right <= panel.right + 1;
        }""", arg=selector, timeout=3000)
    except Exception:  # noqa: BLE001 - a timeout means: not in view
        return False
    return True


def test_a_preset_opens_on_the_view_that_makes_its_point(page):
    page.goto(page.base)
    drawn(page)
    page.select_option("#preset", "vanishing")
    page.wait_for_function("() => document.querySelectorAll('svg.network g.column[data-step]').length === 29"
                           " && document.getElementById('run').textContent === 'Run'")
    # its one loss, at the far right, is on screen and traced
    assert in_view(page, "g.loss.has-loss")
    assert page.locator('input[name="colour"][value="source"]').is_checked()
    assert page.locator("g.flow.hovered").evaluate_all("gs => gs.map(g => +g.dataset.source)") == [28]
    link_has(page, "source=28")


def test_the_network_follows_the_selection_the_player_and_a_new_answer(page):
    text = "abcdefghij" * 4
    open_view(page, f"sequence={text}&step=0")
    assert page.locator("#network-panel").evaluate("p => p.scrollLeft") == 0
    # a far step chosen in the flow matrix comes into view
    cell = page.locator("#flow-panel-body .heatmap")
    size = float(cell.get_attribute("data-cell"))
    cell.locator("svg").click(position={"x": 35.5 * size, "y": 36.5 * size})
    page.wait_for_function("() => new URLSearchParams(location.search).get('step') === '35'")
    assert in_view(page, 'g.column[data-step="35"] rect.column-bg')
    # the row labels stay at the left edge while the columns scroll under them
    labels = page.locator(".row-labels")
    assert abs(labels.bounding_box()["x"] - page.locator("#network-panel").bounding_box()["x"]) <= 2
    assert {"J", "ŷ", "δo", "δh", "h", "x"} <= set(labels.locator("text").all_text_contents())
    # the player's playhead is kept in view
    page.locator("#scrubber").fill("3")
    assert in_view(page, 'g.column[data-step="3"] rect.column-bg')
    page.locator("#scrubber").fill("38")
    assert in_view(page, 'g.column[data-step="38"] rect.column-bg')
    # a new answer opens on the selected step, not on the old scroll position
    page.locator('g.column[data-step="38"] rect.column-bg').click(force=True)
    page.locator("#scrubber").fill(str(2 * 39))
    page.locator("#network-panel").evaluate("p => { p.scrollLeft = 0; }")
    page.fill("#seed", "5")
    page.wait_for_function("() => document.getElementById('summary').textContent.includes('T = 39')"
                           " && new URLSearchParams(location.search).get('seed') === '5'"
                           " && document.getElementById('stale').hidden")
    assert in_view(page, 'g.column[data-step="38"] rect.column-bg')


def test_the_playhead_moved_again_in_the_frame_after_a_scroll_is_still_shown(page):
    """Step 3, then in the next frame step 38: the scroll event of the write for step 3 comes
    after step 38 has asked for its own scroll, and had put the network back at step 3 (the
    column that CI twice found missing)."""
    open_view(page, "sequence=" + "abcdefghij" * 4 + "&step=35")
    assert in_view(page, 'g.column[data-step="35"] rect.column-bg')
    settled(page, """() => new Promise((done) => {
        const scrubber = document.getElementById('scrubber');
        const go = (v) => { scrubber.value = v; scrubber.dispatchEvent(new Event('input', { bubbles: true })); };
        go(3);
        requestAnimationFrame(() => { go(38); requestAnimationFrame(() => requestAnimationFrame(done)); });
    })""")
    assert in_view(page, 'g.column[data-step="38"] rect.column-bg')


def test_a_link_can_trace_one_loss(page):
    open_view(page, "sequence=hello%20world&colour=source&source=6")
    assert page.locator("g.flow.hovered").evaluate_all("gs => gs.map(g => +g.dataset.source)") == [6]
    faded = page.locator("g.flow.faded").evaluate_all("gs => gs.map(g => +g.dataset.source)")
    assert 6 not in faded and len(faded) == 9


@pytest.mark.parametrize("param", ["W", "V"])
def test_by_gradient_the_needed_errors_are_marked_on_the_strips_in_the_steps_colour(page, param):
    open_view(page, f"sequence=abcabcabcab&truncate=3&step=2&param={param}")
    marked = page.locator(".error-path rect.needed-error").evaluate_all(
        "rs => rs.map(r => r.dataset.quantity + r.dataset.step).sort()")
    arrows = page.locator(".error-path line.error-arrow.back")
    if param == "W":  # the losses 2, 3, 4 reach step 2 (k = 3), through δh at 2, 3, 4
        assert marked == sorted(["δo2", "δo3", "δo4", "δh2", "δh3", "δh4"])
        assert arrows.count() == 2
        x1, x2 = arrows.first.get_attribute("x1"), arrows.first.get_attribute("x2")
        assert float(x2) < float(x1)  # pointing back in time
    else:  # V acts after h: only its own step's δo
        assert marked == ["δo2"] and arrows.count() == 0
    strokes = set(page.locator(".error-path rect.needed-error").evaluate_all("rs => rs.map(r => r.getAttribute('stroke'))"))
    assert strokes == {page.locator(".contribution-frame rect").get_attribute("stroke")}
    # by source, nothing is marked
    page.locator('input[name="colour"][value="source"]').check()
    assert page.locator(".error-path rect.needed-error").count() == 0


@pytest.mark.parametrize("width,height", [(1024, 768), (1280, 800), (1440, 900)])
def test_screenshots_of_every_preset_in_both_colourings(page, width, height):
    """Saved for a person to look at (test-artifacts/preset-*); asserts what a machine can: each
    preset draws, its selected step is in view, and the page never scrolls sideways."""
    presets = httpx.get(f"{page.base}/api/v1/presets").json()
    page.set_viewport_size({"width": width, "height": height})
    page.goto(page.base)
    drawn(page)
    ARTIFACTS.mkdir(exist_ok=True)
    for preset in presets:
        page.select_option("#preset", preset["name"])
        page.wait_for_function("(name) => document.getElementById('run').textContent === 'Run'"
                               " && document.getElementById('stale').hidden"
                               " && document.getElementById('preset-description').textContent !== ''", arg=preset["name"])
        page.wait_for_function("() => !document.getElementById('loading') || document.getElementById('loading').hidden")
        if preset["request"].get("layers", 1) > 1:  # a stack (issue 28): its own panel, no colouring to choose
            assert page.locator("svg.stack circle.stack-node").count() > 0, preset["name"]
            assert page.evaluate("() => document.scrollingElement.scrollWidth <= window.innerWidth"), preset["name"]
            page.screenshot(path=ARTIFACTS / f"preset-{preset['name']}-{width}x{height}.png")
            continue
        step = link_state(page).get("step", "0")  # the preset's step, once the page has written its link
        assert in_view(page, f'g.column[data-step="{step}"] rect.column-bg'), preset["name"]
        assert page.evaluate("() => document.scrollingElement.scrollWidth <= window.innerWidth"), preset["name"]
        for colour in ("gradient", "source"):
            page.locator(f'input[name="colour"][value="{colour}"]').check()
            page.screenshot(path=ARTIFACTS / f"preset-{preset['name']}-{colour}-{width}x{height}.png")


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_the_last_steps_error_has_nothing_from_a_step_after_it(page, cell):
    open_view(page, f"sequence=hello&cell={cell}&step=3")
    maths = [re.sub(r"\s+", "", m) for m in page.locator("#details-panel-body .eq math").all_text_contents()]
    dh = next(m for m in maths if m.startswith("δh(3)="))
    assert "(4)" not in dh and "Vᵀδo(3)" in dh.replace("VTδo", "Vᵀδo"), dh
    assert not any("(4)" in m for m in maths), maths


def test_the_flow_matrix_has_axes_and_draws_only_the_rows_that_have_a_loss(page):
    open_view(page, "sequence=abcabcabcab")
    axes = page.locator("#flow-panel-body .heatmap-axes")
    cols = [int(t) for t in axes.locator(".axis-cols .tick text").all_text_contents()]
    rows = [int(t) for t in axes.locator(".axis-rows .tick text").all_text_contents()]
    assert cols[0] == 0 and cols == sorted(cols) and cols[-1] <= 9 and rows == cols
    assert "step t" in axes.locator(".axis-title-cols").text_content()
    assert "loss s" in axes.locator(".axis-title-rows").text_content()
    caption = page.locator(".flow-caption").text_content()  # no truncation to speak of
    assert "full BPTT" in caption and "truncation" not in caption
    legend_ticks = page.locator("#flow-panel-body .legend .tick").count()
    assert legend_ticks >= 2
    # many-to-one: one loss, one row (labelled with its step), not a T x T square
    open_view(page, "sequence=the%20first%20letter%20decides%20this!&task=many-to-one")
    heatmap = page.locator("#flow-panel-body .heatmap")
    assert heatmap.get_attribute("data-rows") == "1" and heatmap.get_attribute("data-cols") == "29"
    assert axes.locator(".axis-rows .tick text").all_text_contents() == ["28"]
    # hovering the row traces that loss; its band covers the whole row (full BPTT)
    cell = float(heatmap.get_attribute("data-cell"))
    heatmap.locator("svg").hover(position={"x": 3.5 * cell, "y": 0.5 * cell})
    assert "F[28][3]" in page.locator(".tooltip").text_content()


def test_the_gradient_bars_have_labelled_axes_whose_labels_never_run_together(page):
    open_view(page, "sequence=" + "abcdefghij" * 4)
    bars = page.locator("svg.bars")
    assert "‖(∂J/∂W)⁽ᵗ⁾‖" in bars.locator(".axis-title-y").text_content()
    assert bars.locator(".axis-title-x").text_content() == "step t"
    boxes = bars.locator(".axis-x .tick text").evaluate_all(
        "ts => ts.map(t => { const r = t.getBoundingClientRect(); return [r.left, r.right]; })")
    assert len(boxes) >= 4
    assert all(a[1] < b[0] for a, b in zip(boxes, boxes[1:], strict=False)), "x labels overlap"
    assert not any(re.search(r"e[+-]", t) for t in bars.locator(".axis-y .tick text").all_text_contents())
    # by size (the default) a bar is the contribution's size, nothing below 0; signed shows the parts' signs
    assert "in proportion" in page.locator("#gradient-panel-body .update-note").text_content()
    lowest = lambda: min(float(t.replace("−", "-").replace("×10", "e")) for t in bars.locator(".axis-y .tick text").all_text_contents())  # noqa: E731
    assert lowest() == 0
    page.get_by_role("radio", name="signed").check()
    panels_current(page)
    assert "below 0" in page.locator("#gradient-panel-body .update-note").text_content()
    assert lowest() < 0
    assert bars.locator(".axis-title-y").text_content() == "(∂J/∂W)⁽ᵗ⁾ along itself"  # not a norm: it goes below 0
    link_has(page, "split=signed")


def test_numbers_mode_shows_each_prediction_and_target_as_numbers(page):
    numbers = [0.1, 0.5, 0.9, 0.3, 0.7]
    open_view(page, "kind=numbers&sequence=" + "%2C%20".join(map(str, numbers)))
    answer = api(page, inputs=numbers)
    targets = page.locator("g.prediction.numeric .target").all_text_contents()
    predicted = page.locator("g.prediction.numeric .predicted").all_text_contents()
    # every target is shown, the last number of the sequence (never an input) included
    assert targets == [f"y {v}" for v in numbers[1:]]
    assert len(predicted) == 4
    for text, value in zip(predicted, answer["forward"]["y_hat"], strict=True):
        assert abs(float(text.split()[1].replace("−", "-")) - value[0]) < 5e-3 * max(1, abs(value[0]))
    assert "ŷ, y" in page.locator(".row-labels").text_content()


def boxes_overlap(page, first, second):
    return page.evaluate("""([first, second]) => {
        const boxes = (s) => [...document.querySelectorAll(s)].filter(e => e.getBBox().width > 0)
            .map(e => e.getBoundingClientRect());
        const a = boxes(first), b = boxes(second);
        return a.some(p => b.some(q => p.left < q.right && q.left < p.right && p.top < q.bottom && q.top < p.bottom));
    }""", [first, second])


def test_neurons_labels_stand_clear_of_the_units_and_the_folded_caption_is_whole(page):
    open_view(page, "sequence=hello&hidden_size=8&neurons=1")
    assert page.locator("svg.network circle.unit").count() > 0
    assert not boxes_overlap(page, "svg.network .input-label", "svg.network circle.unit")
    assert not boxes_overlap(page, "svg.network .h0-label", "svg.network circle.unit")
    assert not boxes_overlap(page, "svg.network .input-label", "svg.network .step-label")
    page.get_by_role("checkbox", name="folded").check()
    caption = page.locator("#folded-panel .folded-caption")
    assert "5 times" not in caption.text_content() and "4 times" in caption.text_content()
    panel = page.locator("#folded-panel").bounding_box()
    box = caption.bounding_box()
    assert box["x"] + box["width"] <= panel["x"] + panel["width"] + 1


def test_steps_sources_and_matrix_cells_can_be_chosen_with_the_keyboard_alone(page):
    open_view(page, "sequence=hello%20world&step=2")
    # Tab reaches the network; the arrows move the selected step; its summary says what is selected
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.matches('svg.network')"):
            break
    assert page.evaluate("() => document.activeElement.matches('svg.network')")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    page.wait_for_function("() => new URLSearchParams(location.search).get('step') === '4'")
    assert page.locator(".column.selected").get_attribute("data-step") == "4"
    assert page.locator("#network-summary").text_content().startswith("Step 4 of 9 selected")
    assert "Forward" not in page.locator("#phase-label").text_content()  # the player did not take the keys
    # by source, the arrows move the traced loss
    page.locator('input[name="colour"][value="source"]').check()
    page.locator("svg.network").focus()
    page.keyboard.press("End")
    link_has(page, "source=9")
    page.keyboard.press("ArrowLeft")
    link_has(page, "source=8")
    assert "tracing the error of J⁽⁸⁾" in page.locator("#network-summary").text_content()
    # the flow matrix: a cursor moved by the arrows, Enter selects its step and loss
    page.locator("#flow-panel-body .heatmap svg").focus()
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowUp")
    assert page.locator("#flow-summary").text_content().startswith("F[7][7]")
    page.keyboard.press("Enter")
    page.wait_for_function("() => new URLSearchParams(location.search).get('step') === '7'")
    link_has(page, "source=7")
    # the gradient bars: the arrows move the step
    page.locator("svg.bars").focus()
    page.keyboard.press("ArrowLeft")
    page.wait_for_function("() => new URLSearchParams(location.search).get('step') === '6'")
    assert page.locator("#gradient-summary").text_content().startswith("(∂J/∂W)⁽⁶⁾")


@pytest.mark.parametrize("preset,trend", [("vanishing", "thins"), ("exploding", "swells")])
def test_a_losss_band_thins_as_its_error_vanishes_and_swells_as_it_explodes(page, preset, trend):
    page.goto(page.base)
    drawn(page)
    page.select_option("#preset", preset)
    page.wait_for_function("() => document.getElementById('run').textContent === 'Run'"
                           " && new URLSearchParams(location.search).get('colour') === 'source'")
    d = page.locator("g.flow.hovered path.band-h").get_attribute("d")
    points = [tuple(map(float, p.split(","))) for p in re.findall(r"[ML]([-0-9.]+,[-0-9.]+)", d)]
    half = len(points) // 2  # the area runs along its top edge, then back along its bottom edge
    width = {x: abs(y - y2) for (x, y), (_, y2) in zip(points[:half], reversed(points[half:]), strict=True)}
    at_loss, far_back = width[max(width)], width[min(width)]
    assert (far_back < at_loss / 3) if trend == "thins" else (far_back > at_loss * 1.3), (at_loss, far_back)


def test_the_traced_losss_band_is_labelled_with_the_fraction_of_its_error_left_at_each_step(page):
    """Width is a log scale a learner cannot read off; the numbers are F[s][t] / F[s][s], for the
    steps the error reaches (none past the truncation window) and for no loss not traced."""
    query = dict(sequence="the first letter", task="many-to-one", hidden_size=6, seed=3, spectral_radius=0.7, truncate=9)
    open_view(page, "&".join(f"{k if k != 'spectral_radius' else 'rho'}={v}" for k, v in query.items()) + "&colour=source&step=14")
    assert page.locator(".left-marks text:not([display=none])").count() == 0  # nothing traced yet
    page.locator("g.loss.has-loss").hover()
    flows = api(page, **query)["flows"]["h"]
    s = len(flows) - 1
    labels = page.locator(".left-marks text:not([display=none])").evaluate_all("ts => ts.map(t => [+t.dataset.step, t.textContent])")
    assert sorted(t for t, _ in labels) == list(range(s - 8, s))  # k = 9: the loss's own step and 8 before it
    for t, text in labels:
        shown = float(text.replace("×10", "e").translate(str.maketrans("⁻⁰¹²³⁴⁵⁶⁷⁸⁹", "-0123456789")))
        assert shown == pytest.approx(flows[s][t] / flows[s][s], rel=0.05), (t, text)
    page.mouse.move(5, 5)
    page.wait_for_function("() => document.querySelectorAll('.left-marks text:not([display=none])').length === 0")


def test_a_new_answer_without_the_traced_loss_draws_without_its_labels(page):
    """Loss 11 traced, then a shorter sequence: the new answer is drawn before the selection is
    fitted to it, and it has no loss 11 (the lesson walk once hit this as a TypeError)."""
    open_view(page, "sequence=abcdefghijklm&colour=source&source=11&step=11")
    assert page.locator(".left-marks text:not([display=none])").count() == 11
    page.get_by_label("Sequence").fill("abcdef")
    page.get_by_label("Sequence").press("Enter")
    drawn(page, 5)
    assert page.locator(".left-marks text:not([display=none])").count() == 0


def test_the_error_bands_of_a_long_sequence_are_drawn_where_the_columns_are(page):
    """A long sequence's bands hold T^2 / 2 points: only their parts over the drawn columns are
    drawn, a loss whose error does not reach them has no band, and what is drawn is exact."""
    text = "abcdefghij" * 12
    steps = len(text) - 1
    open_view(page, f"sequence={text}&step=0&colour=source")
    bands = """() => [...document.querySelectorAll('svg.network g.flow')].map(g => {
        const d = g.querySelector('path.band-h')?.getAttribute('d') ?? '';
        const xs = [...d.matchAll(/[ML]([-0-9.]+),/g)].map(m => +m[1]);
        return { s: +g.dataset.source, n: xs.length, left: Math.min(...xs), right: Math.max(...xs) };
    })"""
    columns = """() => [...document.querySelectorAll('svg.network g.column[data-step]')]
        .filter(g => g.querySelector('rect.column-bg')).map(g => g.transform.baseVal[0].matrix.e)"""
    at_start = page.evaluate(bands)
    drawn_x = page.evaluate(columns)
    column = (max(drawn_x) - min(drawn_x)) / (len(drawn_x) - 1)
    # every loss reaches back to step 0 (full BPTT): each has a band, a short one
    assert sorted(b["s"] for b in at_start) == list(range(steps))
    assert max(b["n"] for b in at_start) <= 2 * (len(drawn_x) + 2 * 16 + 2)
    assert all(b["left"] >= min(drawn_x) - 17 * column and b["right"] <= max(drawn_x) + 17 * column for b in at_start if b["n"])
    # a loss's own band is drawn once it is traced (summarised, the others are not seen)
    assert [b["s"] for b in at_start if b["n"]] == []
    page.locator('g.loss[data-source="10"]').hover()
    page.wait_for_function("() => document.querySelector('g.flow[data-source=\"10\"] path.band-h') !== null")
    # what is drawn is the API's: the tooltip of loss 10's band over step 3
    flows = api(page, sequence=text)["flows"]["h"]
    page.evaluate("""() => {
        const band = document.querySelector('g.flow[data-source="10"] path.band-h');
        const column = document.querySelector('g.column[data-step="3"]').getBoundingClientRect();
        const box = band.getBoundingClientRect();
        band.dispatchEvent(new MouseEvent('mousemove', { bubbles: true, clientX: column.left + column.width / 2, clientY: box.top + box.height / 2 }));
    }""")
    tip = page.locator(".tooltip").text_content()
    written = settled(page, """async (v) => {
        const src = document.querySelector('script[type=module]').src.replace('main.js', 'blocks/format.js');
        return (await import(src)).exact(v);
    }""", flows[10][3])  # the API's number, written the way the page writes every number
    assert f"‖δh⁽³←¹⁰⁾‖ = {written}" in tip
    # at the end, only the losses near it
    page.locator("#network-panel").evaluate("p => { p.scrollLeft = p.scrollWidth; }")
    page.wait_for_function("n => document.querySelector(`g.column[data-step='${n}'] rect.column-bg`) !== null", arg=steps - 1)
    page.wait_for_function("() => !document.querySelector('svg.network g.flow[data-source=\"0\"]')")
    at_end = page.evaluate(bands)
    assert steps - 1 in [b["s"] for b in at_end] and len(at_end) < steps / 2


def _rgb(colour: str) -> tuple[int, ...]:
    """'#a1caf1' or 'rgb(161, 202, 241)' as (r, g, b)."""
    if colour.startswith("#"):
        return tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return tuple(int(v) for v in re.findall(r"\d+", colour)[:3])


def _contrast_on_white(colour: str) -> float:
    def lin(v):
        u = v / 255
        return u / 12.92 if u <= 0.03928 else ((u + 0.055) / 1.055) ** 2.4
    r, g, b = (lin(v) for v in _rgb(colour))
    return 1.05 / (0.2126 * r + 0.7152 * g + 0.0722 * b + 0.05)


def test_the_legend_shows_the_selected_steps_colour_and_its_labels_stay_readable(page):
    # 12 steps: one hue each; step 5's cyan marks a frame (3.5:1 on white) but is too pale for text
    open_view(page, "sequence=abcdefghijklm&step=5")
    for step in (5, 7):
        if step != 5:
            page.locator(f'g.column[data-step="{step}"] rect.column-bg').click(force=True)
            panels_current(page)
        stroke = page.locator(".contribution-frame rect").get_attribute("stroke")
        swatch = page.locator("#legends .needed-swatch i").evaluate("i => getComputedStyle(i).backgroundColor")
        assert _rgb(swatch) == _rgb(stroke), step  # the swatch is the colour the errors are lit in
        label = page.locator(".contribution-frame text").get_attribute("fill")
        caption = page.locator(".matrices .matrix.selected figcaption").evaluate("f => getComputedStyle(f).color")
        assert _contrast_on_white(label) >= 4.5 and _contrast_on_white(caption) >= 4.5, step
        if step == 5:  # the presets' usual selection: its frame must stand out on white
            assert _contrast_on_white(stroke) >= 3
    assert _contrast_on_white(stroke) < 3  # the stroke keeps the palette's own pale colour
    # the columns' shadings are in the legend, in the colour the selected column is shaded
    page.mouse.move(0, 0)  # not the hover's shading
    selected = page.locator('g.column.selected rect.column-bg').evaluate("r => getComputedStyle(r).fill")
    assert page.locator("#legends .shade-selected i").evaluate("i => getComputedStyle(i).backgroundColor") == selected
    assert "selected step" in page.locator("#legends .shade-selected").text_content()


def test_a_step_without_a_loss_says_its_output_error_is_zero_and_why(page):
    """Issue 25, item 3: δo(0) of a many-to-one sequence was written ŷ(0) − y(0) = [0, 0, …]
    though ŷ(0) is not 0: J(0) is not part of the loss, and that is why δo(0) is 0."""
    open_view(page, "sequence=hello&task=many-to-one&step=0")
    panels_current(page)
    rows = {lhs: (values, cls) for lhs, values, cls in equation_values(page)}
    text = page.locator("#details-panel-body").text_content()
    assert "not part of the loss" in text
    zero = next(values for lhs, (values, _) in rows.items() if lhs.startswith("δo(0)"))
    y_hat = next(values for lhs, (values, _) in rows.items() if lhs.startswith("ŷ(0)"))
    assert not any(zero) and any(y_hat)  # zero, while the prediction is not
    assert "ŷ(0)−y(0)" not in text.replace(" ", "")
    open_view(page, "sequence=hello&task=many-to-one&step=3")  # the step with the loss keeps ŷ − y
    panels_current(page)
    assert "ŷ(3)−y(3)" in page.locator("#details-panel-body").text_content().replace(" ", "")


def test_every_number_between_a_thousand_and_ten_thousand_is_written_whole(page):
    """Issue 25, item 5: loss pills mixed '4.74e+3' (toPrecision's exponent form, for a number of
    more whole digits than the digits asked) with '1.2×10⁴'. One way everywhere: whole below 10⁴,
    ×10ⁿ from 10⁴ on."""
    open_view(page, "sequence=hello")
    written = settled(page, """async () => {
        const src = document.querySelector('script[type=module]').src.replace('main.js', 'blocks/format.js');
        const { formatNumber } = await import(src);
        return [4740.3, 234.5, 99.94, 12345, -4740.3].map((v) => formatNumber(v, 3));
    }""")
    assert written == ["4740", "235", "99.9", "1.23×10⁴", "−4740"]
    # and on the page: J pills of an exploding network hold no exponent written with an e
    open_view(page, "sequence=" + "ab" * 20 + "&activation=relu&rho=3&colour=source")
    pills = " ".join(page.locator("svg.network .loss-value").all_text_contents())
    assert pills and not re.search(r"\de[+-]?\d", pills)


def test_tracing_a_loss_brings_it_in_at_the_right_with_its_past_before_it(page):
    """Issue 25, item 6: opening source=9 scrolled step 8 to the left edge, hiding steps 0-7 where
    the loss's error travels. A traced loss now comes in at the right, as much of its past as fits
    to its left; a click on a loss does the same."""
    text = "the quick brown fox jumps over"
    open_view(page, f"sequence={text.replace(' ', '%20')}&colour=source&source=20&step=20")
    assert in_view(page, 'g.column[data-step="20"] rect.column-bg')
    assert in_view(page, 'g.column[data-step="13"] rect.column-bg')  # seven steps of its past
    assert not in_view(page, 'g.column[data-step="22"] rect.column-bg')
    page.screenshot(path=ARTIFACTS / "trace-a-loss-1280x720.png")
    # a click on a loss in view, near the left edge, brings it to the right the same way
    box = page.locator('g.column[data-step="14"] .loss-value').bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    link_has(page, "source=14")
    assert in_view(page, 'g.column[data-step="14"] rect.column-bg')
    assert in_view(page, 'g.column[data-step="7"] rect.column-bg')  # its past, off screen before the click
    # the scroll brought another loss under the pointer, which did not move: the one clicked stays
    # traced (CI once saw the trace jump to the loss that scrolled under it)
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_function("() => document.querySelector('g.flow[data-source=\"14\"]')?.classList.contains('hovered')")
    assert page.locator("g.flow.hovered").evaluate_all("gs => gs.map(g => +g.dataset.source)") == [14]


@pytest.mark.parametrize("cell", ["lstm", "gru"])
@pytest.mark.parametrize("width", [1366, 1024])
def test_in_projector_mode_a_short_screen_shows_a_gated_cells_whole_network(page, width, cell):
    """Issue 25, item 10: the LSTM's and the GRU's networks are taller than what a 768 px projector
    shows under the header and the toolbar: the page scrolls just enough to show all of it."""
    page.set_viewport_size({"width": width, "height": 768})
    open_view(page, f"projector=1&sequence=hello%20world&cell={cell}")
    page.wait_for_function("() => { const r = document.querySelector('svg.network').getBoundingClientRect();"
                           " return r.top >= 0 && r.bottom <= innerHeight; }")
    assert page.evaluate("() => scrollY") > 0 or cell == "gru"  # the LSTM needs the scroll on both screens
    page.screenshot(path=ARTIFACTS / f"projector-{cell}-{width}x768.png")


@pytest.mark.parametrize("width", [1366, 1024])
def test_in_projector_mode_a_short_screen_shows_the_whole_network_above_the_fold(page, width):
    """Issue 25, item 10: projector mode at 1366 x 768 showed only the top half of the network. On
    a short screen it zooms a little less and moves the training bar below the network."""
    page.set_viewport_size({"width": width, "height": 768})
    open_view(page, "projector=1&sequence=hello%20world")
    box = page.evaluate("() => { const r = document.querySelector('svg.network').getBoundingClientRect();"
                        " return [r.top, r.bottom, innerHeight]; }")
    assert box[1] <= box[2], box
    train = page.locator("#train-panel").bounding_box()
    assert train["y"] > box[1] - 1  # below the network, still there
    if width == 1366:  # its controls on one line: the clip threshold no longer wraps alone
        button, clip = page.locator("#train").bounding_box(), page.locator("#clip_threshold").bounding_box()
        assert abs(button["y"] + button["height"] / 2 - (clip["y"] + clip["height"] / 2)) < 12
    page.screenshot(path=ARTIFACTS / f"projector-{width}x768.png")
