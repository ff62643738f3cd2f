"""The race (/race, issue 27): three cells trained side by side on one generated task, drawn from
the API's answers."""

import json
import re

import httpx
import pytest

from .conftest import ARTIFACTS

pytestmark = pytest.mark.browser


def open_race(page, **fields):
    page.goto(f"{page.base}/race")
    page.wait_for_function("() => document.getElementById('task-help').textContent.length > 0")
    for name, value in fields.items():
        if name == "task":
            page.select_option("#task", value)
        else:
            page.fill(f"#{name}", str(value))


def series(page, chart: str) -> dict:
    """What a chart draws: {series key: [[x, y], ...]}."""
    return {key: json.loads(points) for key, points in page.locator(f"#{chart} path.series").evaluate_all(
        "ps => ps.map(p => [p.dataset.series, p.dataset.points])")}


def racer_steps(page) -> dict:
    return dict(page.locator("#race-progress .racer").evaluate_all("rs => rs.map(r => [r.dataset.cell, +r.dataset.step])"))


def test_a_race_trains_the_three_cells_and_every_number_on_screen_is_the_apis(page):
    page.set_viewport_size({"width": 1366, "height": 768})
    open_race(page, length=12, hidden_size=6, batch=8, steps=50)
    assert "up to 11 steps" in page.locator("#task-help").text_content()
    page.get_by_role("button", name="▶ Start").click()
    page.wait_for_function("() => [...document.querySelectorAll('#race-progress .racer')]"
                           ".every(r => +r.dataset.step >= 50)", timeout=60_000)
    page.wait_for_function("() => document.getElementById('race-caption').textContent.startsWith('Finished')")
    loss = series(page, "loss-chart")
    assert set(loss) == {"rnn", "lstm", "gru"}
    # the starting weights, then 40 updates a request
    assert all([x for x, _ in points] == [0, 40, 50] for points in loss.values())
    reach = series(page, "reach-chart")
    assert {"rnn", "lstm", "gru", "lstm-s"} <= set(reach)
    gains = series(page, "gain-chart")
    assert len(gains["gru"]) == 12 and gains["gru"][0] == [0, 1]  # G(0) = 1: a loss's own error
    # the same run asked of the API in one request lands on the numbers drawn (resumption is exact)
    for cell, defaults in (("rnn", {}), ("lstm", {"forget_bias": 1.0, "input_bias": 0.0}), ("gru", {"update_bias": 0.0})):
        learning_rate = {"rnn": 0.01, "lstm": 0.003, "gru": 0.01}[cell]
        answer = httpx.post(f"{page.base}/api/v1/train", timeout=60, json={
            "dataset": {"name": "adding", "length": 12, "batch": 8, "seed": 0}, "cell": cell, "hidden_size": 6,
            "optimizer": "adam", "learning_rate": learning_rate, "steps": 50, "unfold": True, "include": ["gain"],
            **defaults}).json()
        assert loss[cell][-1][1] == answer["eval"]["loss"]
        assert reach[cell][-1][1] == answer["unfold"]["gain"]["h"][11]
        assert gains[cell] == [[d, g] for d, g in enumerate(answer["unfold"]["gain"]["h"])]
        words = page.locator("#race-caption").text_content()
        held_out = answer["eval"]["loss"]
        assert 1e-3 <= held_out < 1e4  # written with 3 significant digits, as Python's g writes it here
        title = {"rnn": "simple RNN", "lstm": "LSTM", "gru": "GRU"}[cell]
        assert f"{title} after 50 updates: loss {held_out:.3g}" in words
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "race-adding-1366x768.png")


def test_a_race_can_be_paused_and_goes_on_where_it_stopped(page):
    open_race(page, task="remember-first", length=10, hidden_size=4, batch=4, steps=4000)
    assert not page.locator("#accuracy-panel").is_hidden()
    page.locator("#start").click()
    page.wait_for_function("() => [...document.querySelectorAll('#race-progress .racer')].some(r => +r.dataset.step >= 40)")
    page.keyboard.press("Space")  # pauses (the page's key), as the button does
    assert page.locator("#pause").text_content() == "▶ Go on"
    page.wait_for_timeout(1500)  # what was in flight lands; nothing more is asked
    held = racer_steps(page)
    page.wait_for_timeout(1000)
    assert racer_steps(page) == held
    assert page.locator("#race-caption").text_content().startswith("Paused.")
    accuracy = series(page, "accuracy-chart")
    assert all(0 <= y <= 1 for points in accuracy.values() for _, y in points)
    page.locator("#pause").click()
    page.wait_for_function("held => [...document.querySelectorAll('#race-progress .racer')]"
                           ".some(r => +r.dataset.step > held[r.dataset.cell])", arg=held)
    page.locator("#stop").click()
    assert page.locator("#start").text_content() == "▶ Start"
    assert page.locator("#race-caption").text_content().startswith("Stopped.")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "race-remember-first-paused.png", full_page=True)


def test_a_cell_refused_by_the_server_says_why_and_the_others_go_on(page):
    page.allowed_errors.append("status of 422")  # the refusal this test provokes
    open_race(page, length=12, hidden_size=4, batch=4, steps=50)
    page.fill("tr[data-cell='gru'] .learning_rate", "0")  # the form admits it; the API wants a rate above 0
    page.locator("#start").click()
    page.wait_for_function("() => document.querySelector(\"#race-progress .racer[data-cell='gru'] .racer-error\")"
                           ".textContent.includes('learning_rate')")
    page.wait_for_function("() => [...document.querySelectorAll('#race-progress .racer')]"
                           ".filter(r => r.dataset.cell !== 'gru').every(r => +r.dataset.step >= 50)")
    assert racer_steps(page)["gru"] == 0
    assert page.locator("#race-caption").text_content().startswith("Finished")


def test_a_field_out_of_its_range_is_named_before_anything_is_asked(page):
    open_race(page)
    asked = []
    page.on("request", lambda request: asked.append(request.url) if "/api/v1/train" in request.url else None)
    page.fill("tr[data-cell='gru'] .update_bias", "999")
    page.locator("#start").click()
    assert "update bias" in page.locator("#race-error").text_content()
    assert page.locator("#start").text_content() == "▶ Start" and not asked


def test_a_cells_weights_open_in_the_full_page_on_a_sequence_of_the_task(page):
    """Issue 27: pause, and any cell's current weights open in the page: the network, the bands,
    the flow matrix, on held-out sequence 0, with the numbers of those weights."""
    open_race(page, length=10, hidden_size=4, batch=4, steps=40)
    page.locator("#start").click()
    page.wait_for_function("() => [...document.querySelectorAll('#race-progress .racer')].every(r => +r.dataset.step >= 40)")
    with page.context.expect_page() as opened:
        page.locator("#race-progress .racer[data-cell='gru'] .racer-open").click()
    full = opened.value
    full.wait_for_function("() => document.querySelectorAll('svg.network g.column[data-step]').length > 0"
                           " && document.getElementById('summary').textContent.includes('GRU')", timeout=20000)
    assert "the race, GRU after 40 updates" in full.locator("#import-status").text_content()
    assert full.locator("#hidden_size").is_disabled()  # set by the weights, as an import
    trained = httpx.post(f"{page.base}/api/v1/train", timeout=60, json={
        "dataset": {"name": "adding", "length": 10, "batch": 4, "seed": 0}, "cell": "gru", "hidden_size": 4,
        "optimizer": "adam", "learning_rate": 0.01, "update_bias": 0.0, "steps": 40, "unfold": True, "digits": 17}).json()
    written = full.locator("#summary").text_content()
    assert f"J = {trained['unfold']['forward']['total_loss']:.6g}" in written
    full.screenshot(path=ARTIFACTS / "race-opened-in-the-page.png")
    full.close()


@pytest.mark.parametrize(("preset", "name", "title"), [
    ("trained-gru-adding", "adding-T50-gru-seed0", "GRU"),
    ("trained-lstm-remember", "remember-first-T50-keep-memory-lstm-seed0", "LSTM"),
])
def test_a_trained_preset_opens_its_checkpoint_in_the_page(page, preset, name, title):
    """Issue 27: presets open the shipped trained models, at the view that makes their point, and
    their captions' numbers are the answer's."""
    page.goto(page.base)
    page.wait_for_function("() => document.querySelectorAll('svg.network g.column[data-step]').length > 0")
    page.select_option("#preset", preset)
    page.wait_for_function("(title) => document.getElementById('summary').textContent.includes('T = 50')"
                           " && document.getElementById('summary').textContent.includes(title)", arg=title, timeout=20000)
    assert page.locator("#hidden_size").is_disabled()
    checkpoint = httpx.get(f"{page.base}/api/v1/models/{name}").json()
    answer = httpx.post(f"{page.base}/api/v1/unfold", timeout=30, json={
        "dataset": checkpoint["dataset"], "index": 0, "cell": checkpoint["cell"], "weights": checkpoint["weights"],
        "include": ["gain"]}).json()
    written = re.search(r"J = (\S+)", page.locator("#summary").text_content()).group(1)
    mantissa, _, exponent = written.partition("×10")
    value = float(mantissa) * 10 ** int(exponent.translate(str.maketrans("⁻⁰¹²³⁴⁵⁶⁷⁸⁹", "-0123456789")) or 0)
    assert value == pytest.approx(answer["forward"]["total_loss"], rel=1e-5)
    said = page.locator("#preset-description").text_content()
    lag = checkpoint["lag"]
    assert f"{answer['gain']['h'][lag]:.2g} of the last loss's error reaches {lag} steps back" in said
    if "s" in answer["gain"]:
        assert f"({answer['gain']['s'][lag]:.2g} along the cell state)" in said
    page.screenshot(path=ARTIFACTS / f"preset-{preset}.png")


def test_the_preset_where_the_simple_rnn_learns_first_says_when_each_cell_did(page):
    """Issue 27: where the simple RNN wins (copy at d = 10), the page says so with the run's numbers."""
    page.goto(page.base)
    page.wait_for_function("() => document.querySelectorAll('svg.network g.column[data-step]').length > 0")
    page.select_option("#preset", "trained-rnn-copy")
    page.wait_for_function("() => document.getElementById('summary').textContent.includes('T = 30')"
                           " && document.getElementById('summary').textContent.includes('ρ(W)')", timeout=20000)
    said = page.locator("#preset-description").text_content()
    models = {m["cell"]: m for m in httpx.get(f"{page.base}/api/v1/models").json() if m["family"] == "copy-T30-d10"}
    met = {cell: m["reached"]["update"] for cell, m in models.items()}
    assert f"first reached held-out accuracy 0.95 at update {met['rnn']:,}" in said
    for cell, title in (("lstm", "LSTM"), ("gru", "GRU")):
        assert f"the {title} " + ("never" if met[cell] is None else f"at update {met[cell]:,}") in said
    assert all(met[cell] is None or met[cell] > met["rnn"] for cell in ("lstm", "gru"))  # what the preset is for
    page.screenshot(path=ARTIFACTS / "preset-trained-rnn-copy.png")


def test_the_min_cells_race_when_ticked_and_their_numbers_are_the_apis(page):
    """Issue 29: the minGRU and the minLSTM may join the race (ticked); unticked cells stay out."""
    page.set_viewport_size({"width": 1366, "height": 768})
    open_race(page, length=12, hidden_size=6, batch=8, steps=40)
    assert not page.get_by_label("minGRU: races").is_checked() and page.get_by_label("GRU: races", exact=True).is_checked()
    for cell in ("simple RNN", "LSTM", "GRU"):
        page.get_by_label(f"{cell}: races", exact=True).uncheck()
    page.get_by_role("button", name="▶ Start").click()
    assert page.locator("#race-error").text_content() == "Tick at least one cell to race."
    page.get_by_label("minGRU: races").check()
    page.get_by_label("minLSTM: races").check()
    page.get_by_role("button", name="▶ Start").click()
    page.wait_for_function("() => [...document.querySelectorAll('#race-progress .racer')]"
                           ".every(r => +r.dataset.step >= 40)", timeout=60_000)
    assert set(racer_steps(page)) == {"mingru", "minlstm"}
    loss = series(page, "loss-chart")
    assert set(loss) == {"mingru", "minlstm"}
    for cell, defaults in (("mingru", {"update_bias": 0.0}), ("minlstm", {"forget_bias": 0.0, "input_bias": 0.0})):
        answer = httpx.post(f"{page.base}/api/v1/train", timeout=60, json={
            "dataset": {"name": "adding", "length": 12, "batch": 8, "seed": 0}, "cell": cell, "hidden_size": 6,
            "optimizer": "adam", "learning_rate": 0.01, "steps": 40, **defaults}).json()
        assert loss[cell][-1][1] == answer["eval"]["loss"]
    page.screenshot(path=ARTIFACTS / "race-min-cells-1366x768.png")
