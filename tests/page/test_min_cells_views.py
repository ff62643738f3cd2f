"""The minGRU and the minLSTM in the folded view and the equations panel: their gates read only x,
so no arrow runs from h into a gate and no W is written anywhere; the loop goes through the gate
α (1 − z, or f′), and the equations carry the API's numbers (MATH.md, "minGRU and minLSTM")."""

import json
import re

import pytest

from .conftest import ARTIFACTS
from .helpers import api, drawn, panels_current, request_body
from .test_hover import MARKS, unexplained

pytestmark = pytest.mark.browser

H_EQUATION = {"mingru": "h⁽ᵗ⁾ = (1 − z) ⊙ h⁽ᵗ⁻¹⁾ + z ⊙ h̃", "minlstm": "h⁽ᵗ⁾ = f′ ⊙ h⁽ᵗ⁻¹⁾ + i′ ⊙ h̃"}
ALPHA = {"mingru": "1 − z", "minlstm": "f′"}

# Every arrow of the folded drawing as [the box it leaves, the box it enters]: a box is a main
# node (data-node: J, o, h, x) or a gate (data-gate), found by the ends of the line or path.
ARROWS = """svg => {
  const boxes = [...svg.querySelectorAll('g.fnode')].map((g) => {
    const r = g.querySelector('rect').getBoundingClientRect();
    return { name: g.dataset.gate ? `gate:${g.dataset.gate}` : g.dataset.node, r };
  });
  const at = (p) => boxes.find(({ r }) => p.x >= r.left - 4 && p.x <= r.right + 4 && p.y >= r.top - 4 && p.y <= r.bottom + 4)?.name ?? null;
  const screen = (el, p) => { const m = el.getScreenCTM(); return { x: m.a * p.x + m.c * p.y + m.e, y: m.b * p.x + m.d * p.y + m.f }; };
  return [...svg.querySelectorAll('line.edge, path.edge')].map((el) => {
    const ends = el.tagName === 'line'
      ? [{ x: +el.getAttribute('x1'), y: +el.getAttribute('y1') }, { x: +el.getAttribute('x2'), y: +el.getAttribute('y2') }]
      : [el.getPointAtLength(0), el.getPointAtLength(el.getTotalLength())];
    return [at(screen(el, ends[0])), at(screen(el, ends[1])), el.getAttribute('class')];
  });
}"""


def page_answer(page, seen):
    """The answer to the last request the page itself sent, asked again beside it."""
    asked = [request_body(r) for r in seen if "/api/v1/unfold" in r.url]
    assert asked, "the page asked nothing"
    return api(page, **asked[-1])


def folded_arrows(page):
    return page.locator("#folded-panel svg.folded").evaluate(ARROWS)


def test_the_grus_gates_read_h_so_the_arrow_check_can_see_one(page):
    """The check below means something: the GRU's loop W runs from h into its gates."""
    page.goto(f"{page.base}/?sequence=hello&cell=gru&folded=1")
    page.wait_for_function("() => document.querySelector('#folded-panel svg.folded')?.dataset.cell === 'gru'")
    into_gates = [a for a in folded_arrows(page) if a[0] == "h" and (a[1] or "").startswith("gate:")]
    assert len(into_gates) == 1 and "h-to-gates" in into_gates[0][2]
    assert page.locator("#folded-panel .h-to-gates").count() == 1


@pytest.mark.parametrize("cell", ["mingru", "minlstm"])
def test_the_folded_min_cell_has_gates_fed_by_x_only_and_a_loop_through_alpha(page, cell):
    page.set_viewport_size({"width": 1366, "height": 768})
    seen = []
    page.on("request", lambda r: seen.append(r))
    page.goto(f"{page.base}/?sequence=hello&cell={cell}&folded=1")
    page.wait_for_function("c => document.querySelector('#folded-panel svg.folded')?.dataset.cell === c", arg=cell)
    page.wait_for_function("() => document.getElementById('run').textContent === 'Run'")
    body = page_answer(page, seen)
    meta = {c["name"]: c for c in page.request.get(page.base + "/api/v1/meta").json()["cells"]}[cell]
    names = list(body["forward"]["gates"])
    assert names == [g["name"] for g in meta["gates"]]
    drawn_gates = page.locator("#folded-panel g.gate").evaluate_all("gs => gs.map(g => g.dataset.gate)")
    assert drawn_gates == names
    # no arrow from h into a gate (the loop W of the GRU and the LSTM): the gates read x alone
    assert page.locator("#folded-panel .h-to-gates").count() == 0
    arrows = folded_arrows(page)
    assert not [a for a in arrows if a[0] == "h" and (a[1] or "").startswith("gate:")], arrows
    # every gate that is not made of other gates is fed by x, and by nothing else
    fed = {}
    for start, end, _ in arrows:
        if (end or "").startswith("gate:"):
            fed.setdefault(end[5:], set()).add(start)
    blocks = body["config"]["gates"]
    assert {name: fed.get(name) for name in blocks} == {name: {"x"} for name in blocks}
    # the state's own loop, h back into h through α, labelled with the gate
    assert [a[:2] for a in arrows if "alpha" in a[2]] == [["h", "h"]]
    assert ALPHA[cell] in page.locator("#folded-panel text.alpha").text_content()
    assert page.locator("#folded-panel .main.edge-label").all_text_contents().count("W") == 0
    caption = page.locator("#folded-panel .folded-caption").text_content()
    assert H_EQUATION[cell] in caption
    assert "gates read only x" in caption and "product of d gate values" in caption
    assert re.search(r"\bW\b", caption.replace("no W", "")) is None  # W only as what it lacks
    ARTIFACTS.mkdir(exist_ok=True)
    page.locator("#folded-panel").screenshot(path=ARTIFACTS / f"folded-{cell}-1366.png")


# The equations panel, by the text of a row's left side, as MathML writes it without spaces.
def equation(page, lhs: str):
    rows = page.locator("#details-panel-body .eq").all()
    found = [r for r in rows if re.sub(r"\s+", "", r.locator("math").text_content()).startswith(lhs + "=")]
    assert len(found) == 1, (lhs, [re.sub(r"\s+", "", r.text_content()) for r in rows])
    row = found[0]
    return re.sub(r"\s+", "", row.locator("math").text_content()), json.loads(row.locator(".eq-value").get_attribute("data-values"))


@pytest.mark.parametrize("cell", ["mingru", "minlstm"])
def test_the_equations_of_a_min_cell_carry_the_answers_numbers(page, cell):
    page.set_viewport_size({"width": 1366, "height": 768})
    seen = []
    page.on("request", lambda r: seen.append(r))
    page.goto(f"{page.base}/?sequence=hello&cell={cell}&step=2")
    drawn(page, 4)
    page.locator("#details-panel-body").scroll_into_view_if_needed()
    panels_current(page)
    page.wait_for_function("() => document.querySelector('#details-panel-body h3')?.textContent === 'At step t = 2'")
    body = page_answer(page, seen)
    f, e, H = body["forward"], body["errors"], body["config"]["hidden_size"]
    gates = f["gates"]
    h_text, h_values = equation(page, "h(2)")
    assert h_text == {"mingru": "h(2)=(1−z)⊙h(1)+z⊙h˜", "minlstm": "h(2)=f′⊙h(1)+i′⊙h˜"}[cell]
    assert h_values == f["h"][2]
    assert equation(page, "a(2)") == ("a(2)=b+Ux(2)", f["a"][2])
    assert equation(page, "h˜(2)") == ("h˜(2)=ah", gates["candidate"][2])
    if cell == "mingru":
        assert equation(page, "z(2)") == ("z(2)=σ(az)", gates["update"][2])
        assert equation(page, "δh(2)") == ("δh(2)=VTδo(2)+(1−z(3))⊙δh(3)", e["h"][2])
        blocks = {"δaz": "δaz=δh(2)⊙(h˜−h(1))⊙z(1−z)", "δah": "δah=δh(2)⊙z"}
    else:
        assert equation(page, "f(2)") == ("f(2)=σ(af)", gates["forget"][2])
        assert equation(page, "i(2)") == ("i(2)=σ(ai)", gates["input"][2])
        assert equation(page, "f′(2)") == ("f′(2)=f/(f+i)", gates["f_norm"][2])
        assert equation(page, "i′(2)") == ("i′(2)=i/(f+i)", gates["i_norm"][2])
        assert equation(page, "δh(2)") == ("δh(2)=VTδo(2)+f′(3)⊙δh(3)", e["h"][2])
        blocks = {"δaf": "δaf=δh(2)⊙(h(1)−h˜)⊙f′i′(1−f)", "δai": "δai=δh(2)⊙(h˜−h(1))⊙f′i′(1−i)", "δah": "δah=δh(2)⊙i′"}
    # the δa blocks, in the order of a's blocks
    for k, (lhs, text) in enumerate(blocks.items()):
        assert equation(page, lhs) == (text, e["a"][2][k * H:(k + 1) * H])
    # no W anywhere: the gates read x alone
    panel = page.locator("#details-panel-body").text_content()
    assert "W" not in panel
    ARTIFACTS.mkdir(exist_ok=True)
    page.locator("section[data-region=equations]").screenshot(path=ARTIFACTS / f"equations-{cell}-1366.png")


@pytest.mark.parametrize("cell", ["mingru", "minlstm"])
def test_every_mark_of_the_folded_min_cell_answers_a_hover(page, cell):
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(f"{page.base}/?sequence=hello&cell={cell}&folded=1")
    page.wait_for_function("c => document.querySelector('#folded-panel svg.folded')?.dataset.cell === c", arg=cell)
    page.wait_for_function("() => document.getElementById('run').textContent === 'Run'")
    kinds = [kind for kind in page.evaluate(MARKS) if "| folded |" in kind]
    assert any("| line | edge gate-mix" in kind for kind in kinds) == (cell == "minlstm") and len(kinds) > 8, kinds
    assert [kind for kind in unexplained(page) if "| folded |" in kind] == []
