"""Issue 28 on the page: a stack drawn through depth and time, a loss traced through every layer
and both directions, each layer's flow matrix, and the single-layer views back for one layer.
Every number checked is read off the page and compared with the JSON API's answer."""

import numpy as np

from .helpers import api, drawn

STACK = {"sequence": "hello world", "cell": "lstm", "layers": 2, "bidirectional": True, "embedding": 4,
         "hidden_size": 6}
LINK = "/?sequence=hello%20world&cell=lstm&layers=2&bidirectional=1&embedding=4&hidden_size=6"


def stack_drawn(page, nodes: int):
    page.wait_for_function(
        "n => document.querySelectorAll('svg.stack circle.stack-node').length === n"
        " && document.getElementById('run').textContent === 'Run' && document.getElementById('stale').hidden", arg=nodes)


def node_errors(page) -> dict:
    """{(layer, direction, step): the error the page coloured the state by}."""
    rows = page.eval_on_selector_all("svg.stack circle.stack-node", "cs => cs.map(c => [+c.dataset.layer, "
                                     "c.dataset.direction, +c.dataset.step, +c.dataset.error])")
    return {(layer, direction, step): value for layer, direction, step, value in rows}


def test_a_two_layer_bidirectional_lstm_is_drawn_with_the_apis_errors(page):
    page.goto(page.base + LINK)
    stack_drawn(page, 2 * 2 * 10)
    answer = api(page, **STACK, include=["auto"])
    assert page.locator("#stack-panel").is_visible() and page.locator("#network-panel").is_hidden()
    names = page.eval_on_selector_all("svg.stack text.row-name", "ts => ts.map(t => t.textContent)")
    assert names == ["J", "layer 2 ←", "layer 2 →", "layer 1 ←", "layer 1 →", "x = E[token]"]
    shown = node_errors(page)
    for layer in answer["depth"]["layers"]:
        for direction in layer["directions"]:
            expected = np.linalg.norm(direction["errors"]["h"], axis=1)
            got = [shown[(layer["layer"], direction["direction"], t)] for t in range(10)]
            np.testing.assert_allclose(got, expected, rtol=1e-6)
    inputs = page.eval_on_selector_all("svg.stack text.stack-input", "ts => ts.map(t => t.textContent)")
    assert "".join(inputs) == "hello␣worl"
    assert page.locator("#summary").text_content().startswith("2-layer bidirectional LSTM, H = 6, embedding 4")


def test_a_loss_is_traced_through_both_layers_and_both_directions(page):
    page.goto(page.base + LINK)
    stack_drawn(page, 40)
    answer = api(page, **STACK, include=["auto"])
    page.click("svg.stack rect.stack-loss[data-step='4']")
    page.wait_for_selector("svg.stack rect.stack-loss.traced[data-step='4']")
    shown = node_errors(page)
    for layer in answer["depth"]["layers"]:
        for direction in layer["directions"]:
            got = [shown[(layer["layer"], direction["direction"], t)] for t in range(10)]
            np.testing.assert_allclose(got, direction["flows"]["h"][4], rtol=1e-6)
    # the top's forward direction has nothing after the loss, its reverse nothing before
    assert all(shown[(2, "forward", t)] == 0 for t in range(5, 10))
    assert all(shown[(2, "reverse", t)] == 0 for t in range(4))
    assert page.locator("svg.stack circle.unreached").count() == 5 + 4
    below = np.array(answer["depth"]["layers"][0]["flows"]["h"][4])
    assert (below[5:] > 0).all()  # below the top, the error also reaches steps after the loss
    caption = page.locator("p.stack-caption").text_content()
    assert "layer 1: steps 0–9 (5 of them after step 4)" in caption
    assert "the layer above's reverse direction, which reads the text from its end, hands it to later steps" in caption
    ratio = below[4] / answer["depth"]["layers"][1]["flows"]["h"][4][4]
    assert f"layer 1 receives {float(f'{ratio:.3g}'):g} times" in caption
    # each layer's flow matrix marks the traced row; Enter on another loss traces it instead
    assert page.locator(".stack-flow rect.traced-row").count() == 2
    page.focus("svg.stack rect.stack-loss[data-step='7']")
    page.keyboard.press("Enter")
    page.wait_for_selector("svg.stack rect.stack-loss.traced[data-step='7']")
    assert "J⁽⁷⁾'s error reaches" in page.locator("p.stack-caption").text_content()


def test_a_one_way_truncated_stack_keeps_its_window_and_one_layer_brings_the_network_back(page):
    page.goto(page.base + "/?sequence=abcdefgh&cell=gru&layers=3&truncate=2&hidden_size=3")
    stack_drawn(page, 3 * 7)
    page.click("svg.stack rect.stack-loss[data-step='5']")
    page.wait_for_selector("svg.stack rect.stack-loss.traced[data-step='5']")
    shown = node_errors(page)
    reached = sorted({t for (_, _, t), v in shown.items() if v > 0})
    assert reached == [4, 5]  # one way, a window of 2: the loss's own step and the one before, in every layer
    assert "layer 1: steps 4–5; layer 2: steps 4–5; layer 3: steps 4–5." in page.locator("p.stack-caption").text_content()
    page.fill("#layers", "1")
    page.get_by_label("Sequence").press("Enter")
    drawn(page, 7)
    assert page.locator("#stack-panel").is_hidden()
    assert page.locator("#network-panel").is_visible()


def test_the_stack_at_projector_size(browser, server):
    """A lecture hall's screen: the stack and its flow matrices at 1920 x 1080 in projector mode."""
    from .conftest import ARTIFACTS

    context = browser.new_context(viewport={"width": 1920, "height": 1080})
    page = context.new_page()
    page.goto(server + LINK + "&projector=1")
    stack_drawn(page, 40)
    page.click("svg.stack rect.stack-loss[data-step='6']")
    page.wait_for_selector("svg.stack rect.stack-loss.traced[data-step='6']")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "stack-projector.png", full_page=True)
    box = page.locator("svg.stack").bounding_box()
    assert box["width"] <= 1920 and box["height"] > 300
    context.close()


def test_each_layers_gain_is_plotted_with_the_apis_numbers(page):
    page.goto(page.base + LINK)
    stack_drawn(page, 40)
    answer = api(page, **STACK, include=["auto"])
    ways = page.eval_on_selector_all("svg.stack-gain path.gain-line", "ps => ps.map(p => [+p.dataset.layer, p.dataset.way])")
    assert sorted(map(tuple, ways)) == [(1, "ahead"), (1, "back"), (2, "ahead"), (2, "back")]
    caption = page.locator("p.stack-gain-caption").text_content()
    for layer in answer["depth"]["layers"]:
        value = layer["gain"]["back"][5]
        assert f"layer {layer['layer']} {float(f'{value:.3g}'):g}" in caption


def test_the_trained_stack_preset_opens_its_checkpoint_drawn_as_a_stack(page):
    """Issue 28's preset: a 2-layer LSTM trained on a text by make models, opened with its weights."""
    page.goto(page.base + "/")
    drawn(page)
    page.select_option("#preset", "trained-stack-text-lstm-L2")
    stack_drawn(page, 2 * 47)
    names = page.eval_on_selector_all("svg.stack text.row-name", "ts => ts.map(t => t.textContent)")
    assert names == ["J", "layer 2 →", "layer 1 →", "x = E[token]"]
    assert page.locator("#preset-description").text_content().startswith("A 2-layer LSTM reading an embedding of 8")
    loss = float(page.locator("#summary").text_content().rsplit("J = ", 1)[1])
    checkpoint = page.request.get(f"{page.base}/api/v1/models/stack-text-lstm-L2-seed0").json()
    assert loss == float(f"{checkpoint['after']['loss']:.4g}")


def test_a_picked_state_is_explained_term_by_term_with_the_losses_it_needs(page):
    """Issue 28: a (layer, t) contribution framed, the errors it needs lit, and δh^(l,t) written as
    MATH.md writes it for a stack, each term's size computed from the answer."""
    page.goto(page.base + LINK)
    stack_drawn(page, 40)
    answer = api(page, **STACK, include=["auto"], digits=17)
    page.click("svg.stack circle.stack-node[data-layer='1'][data-direction='forward'][data-step='4']")
    page.wait_for_selector("svg.stack circle.stack-node.picked")
    text = " ".join(page.locator("div.stack-pick p").all_text_contents())
    layer1, layer2 = answer["depth"]["layers"]
    flows = np.array(layer1["directions"][0]["flows"]["h"])
    needed = [s for s in range(10) if flows[s, 4] > 0]
    lit = sorted(int(t) for t in page.eval_on_selector_all("svg.stack rect.stack-loss.needed", "rs => rs.map(r => r.dataset.step)"))
    assert lit == needed and f"the errors of {len(needed)} of the 10 losses" in text
    # the layer above's term: both directions' U_2^T da^(2,4), this direction's (forward) half
    above = sum(np.array(answer["weights"][name]).T @ np.array(direction["errors"]["a"][4])
                for name, direction in zip(["U_l2", "U_l2_reverse"], layer2["directions"], strict=True))[:6]
    dh = np.array(layer1["directions"][0]["errors"]["h"][4])
    assert f"from layer 2 (‖·‖ = {float(f'{np.linalg.norm(above):.3g}'):g})" in text
    assert f"(‖·‖ = {float(f'{np.linalg.norm(dh - above):.3g}'):g})" in text  # the recurrent term: the rest
    norm_w = answer["gradients"]["norms"]["W_l1"][4]
    assert f"= {float(f'{norm_w:.3g}'):g}" in text
    page.click("svg.stack circle.stack-node.picked")  # again: no state picked
    page.wait_for_function("() => !document.querySelector('svg.stack circle.stack-node.picked')")


def test_a_stack_trains_on_the_page_and_is_redrawn_after_each_chunk(page):
    """Issue 28: the training bar trains a stack too; each chunk's answer is drawn as a stack."""
    page.goto(page.base + "/?sequence=hello%20hello%20hello&cell=gru&layers=2&bidirectional=1&hidden_size=8")
    stack_drawn(page, 2 * 2 * 16)
    before = float(page.locator("#summary").text_content().rsplit("J = ", 1)[1])
    page.click("#train")
    page.wait_for_function("() => /step ([2-9]\\d|\\d{3})/.test(document.getElementById('train-step').textContent)")
    page.click("#train")  # pause
    page.wait_for_function("() => document.getElementById('train').getAttribute('aria-pressed') === 'false'")
    after = float(page.locator("#summary").text_content().rsplit("J = ", 1)[1])
    assert after < before
    assert page.locator("svg.stack circle.stack-node").count() == 64
    assert "does not write text" in page.locator("#train-sample").text_content()


def test_the_stack_is_also_drawn_folded_with_its_layers_and_loops(page):
    page.goto(page.base + LINK)
    stack_drawn(page, 40)
    labels = page.eval_on_selector_all("svg.stack-folded text.fold-label", "ts => ts.map(t => t.textContent)")
    assert labels == ["ŷ = softmax(V h⁽²⁾ + c), K = 8", "LSTM 2 →, H = 6", "LSTM 2 ←, H = 6", "LSTM 1 →, H = 6",
                      "LSTM 1 ←, H = 6", "x = E[token], D = 4"]
    assert page.locator("svg.stack-folded path.fold-loop").count() == 4


def test_a_picked_state_at_its_directions_last_step_has_no_recurrent_term(page):
    """At t = T - 1 of a forward row nothing reads h^(l,t) along the row: the sentence names no step T."""
    page.goto(page.base + LINK)
    stack_drawn(page, 40)
    page.click("svg.stack circle.stack-node[data-layer='2'][data-direction='forward'][data-step='9']")
    page.wait_for_selector("svg.stack circle.stack-node.picked")
    text = " ".join(page.locator("div.stack-pick p").all_text_contents())
    assert "Vᵀδo⁽⁹⁾" in text and "recurrent term" not in text
