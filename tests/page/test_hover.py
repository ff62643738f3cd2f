"""Hovering any drawn element says what it is (issue 14): every kind of mark the page draws, in
every panel and for every cell, answers the pointer with a tooltip.

The page's SVG marks are grouped by kind (the panel, the drawing, the element, its class and
its parent's class); one of each kind is scrolled into view and hovered at a point on it (the
middle of a line or a path's length, the centre of anything else), as a user's pointer would.
"""

import pytest

from .conftest import ARTIFACTS
from .helpers import drawn

# Every kind of drawn mark, with a point on it; kept in window.__marks for the next call.
MARKS = """() => {
  const shown = (el) => {
    for (let n = el; n && n.nodeType === 1; n = n.parentElement) {
      const style = getComputedStyle(n);
      if (n.hidden || style.display === 'none' || style.visibility === 'hidden' || Number(style.opacity) === 0) return false;
    }
    const box = el.getBoundingClientRect();
    return box.width > 0 || box.height > 0;
  };
  const kinds = new Map();
  for (const el of document.querySelectorAll('svg rect, svg circle, svg path, svg line, svg text, svg polygon, svg polyline, svg image')) {
    if (el.closest('defs, marker, clipPath, mask, button, label, a') || !shown(el)) continue;
    const region = el.closest('[data-region], section, [id]');
    const kind = [region ? region.dataset.region || region.id : '?', el.closest('svg').getAttribute('class') || '',
      el.tagName, el.getAttribute('class') || '', el.parentElement.getAttribute('class') || ''].join(' | ');
    if (!kinds.has(kind)) kinds.set(kind, []);
    kinds.get(kind).push(el);
  }
  window.__marks = [...kinds.values()];
  return [...kinds.keys()];
}"""

# Scrolls mark [kind][k] into view and returns a point on it in the viewport's pixels.
POINT = """([kind, k]) => {
  const el = window.__marks[kind][k];
  if (!el) return null;
  el.scrollIntoView({ block: 'center', inline: 'center' });
  if (el.getTotalLength && el.tagName !== 'text' && el.tagName !== 'rect') {
    const p = el.getPointAtLength(el.getTotalLength() / 2);
    const m = el.getScreenCTM();
    return { x: m.a * p.x + m.c * p.y + m.e, y: m.b * p.x + m.d * p.y + m.f };
  }
  const box = el.getBoundingClientRect();
  return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
}"""

TIP = """() => {
  const tip = document.querySelector('.tooltip');
  return tip && tip.style.opacity === '1' ? tip.textContent : '';
}"""


def unexplained(page, tries: int = 2) -> list[str]:
    """The kinds of mark of which none of the first ``tries`` answers a hover."""
    silent = []
    for index, kind in enumerate(page.evaluate(MARKS)):
        for k in range(tries):
            point = page.evaluate(POINT, [index, k])
            if point is None:
                break
            page.mouse.move(0, 0)
            page.mouse.move(point["x"], point["y"])
            if page.evaluate(TIP).strip():
                break
        else:
            silent.append(kind)
    return silent


@pytest.mark.parametrize("query", [
    "",
    "?cell=lstm&colour=source&truncate=2",
    "?cell=gru&sequence=hello%20world&source=5",
    "?neurons=1&folded=1&compare=1",
    "?kind=numbers&sequence=0.1,0.5,0.9,0.3,0.7",
], ids=["rnn", "lstm-by-source-truncated", "gru-traced", "neurons-folded-compare", "numbers"])
def test_every_drawn_mark_answers_a_hover(page, query):
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(page.base + "/" + query)
    drawn(page)
    assert unexplained(page) == []


def test_the_training_curve_answers_a_hover(page):
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(page.base + "/?sequence=hello%20hello%20")
    drawn(page)
    page.locator("#train").click()
    page.wait_for_function("() => Number(document.getElementById('train-scrubber').max) >= 2", timeout=30000)
    page.locator("#train").click()  # pause
    page.wait_for_function("() => document.getElementById('train').textContent.includes('Continue')")
    drawn(page)
    assert unexplained(page) == []
    page.screenshot(path=ARTIFACTS / "hover-training.png")


def test_the_column_says_which_arrow_or_step_is_under_the_pointer(page):
    """Between the squares, the column answers: on an arrow, the weights it stands for; elsewhere,
    the step with its input, target, loss and contribution."""
    page.goto(page.base + "/?sequence=hello")
    drawn(page, 4)
    column = page.locator("svg.network g.column[data-step='2'] rect.column-bg")
    box = column.bounding_box()
    centre = box["x"] + box["width"] / 2
    edge = page.evaluate("""() => {
      const line = document.querySelector("svg.network line.edge-V[data-step='2']");
      const r = line.getBoundingClientRect();
      return { y: r.y + r.height / 2 };
    }""")
    page.mouse.move(centre, edge["y"])
    assert "hidden → output" in page.evaluate(TIP)
    page.mouse.move(box["x"] + 4, box["y"] + 8)
    tip = page.evaluate(TIP)
    assert "step 2 of 3" in tip and "input 'l', target 'l'" in tip and "J⁽²⁾ = " in tip and "‖(∂J/∂W)⁽²⁾‖ = " in tip
