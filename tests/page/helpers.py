import base64
import json
import re
import time
from urllib.parse import parse_qs, urlparse

import httpx

from app.encoding import MSGPACK, read_msgpack

COLUMNS = "svg.network g.column[data-step]"
# How long a Promise evaluated in the page may take to settle. Playwright's evaluate has no
# timeout of its own: a Promise that never settles (an idle callback that never fires on a busy
# page) held `make test` for good. Every wait in the tests has a bound; this is the evaluate's.
SETTLE_MS = 20_000


def settled(target, function: str, arg=None, ms: int = SETTLE_MS):
    """``target.evaluate(function, arg)`` (a page or a locator) for a ``function`` that returns a
    Promise, failing with a clear error if it has not settled within ``ms``."""
    bounded = (
        f"(arg) => Promise.race([({function})(arg), new Promise((_, fail) => setTimeout("
        f"() => fail(new Error('did not settle within {ms} ms')), {ms}))])"
    )
    return target.evaluate(bounded, arg)


def frames(page, count: int = 2) -> None:
    """Wait for ``count`` animation frames (bounded, as every wait)."""
    settled(page, "(n) => new Promise((done) => { const next = (k) => k ? requestAnimationFrame(() => next(k - 1)) : done(); next(n); })", count)


def run(page, sequence: str, steps: int, **fields):
    """Type as a user would: fill the labelled fields, press Enter in the Sequence field, wait for the drawing."""
    for name, value in fields.items():
        page.fill(f"#{name}", str(value))
    page.get_by_label("Sequence").fill(sequence)
    page.get_by_label("Sequence").press("Enter")
    drawn(page, steps)


def drawn(page, steps: int | None = None):
    """Wait until no answer is pending, the one drawn is the form's (the stale notice is down)
    and the network is drawn (with ``steps`` columns, if given)."""
    page.wait_for_function(
        "n => (n === null ? document.querySelectorAll('svg.network g.column[data-step]').length > 0"
        " : document.querySelectorAll('svg.network g.column[data-step]').length === n)"
        " && document.getElementById('run').textContent === 'Run' && document.getElementById('stale').hidden", arg=steps)


def panels_current(page):
    """Wait until every panel shows the page's state: a new answer's panels are drawn in the
    frame after the network's, and a panel out of view catches up with a selection when it comes
    into view or the page is idle; each says it is behind with aria-busy until then."""
    page.wait_for_function("() => !document.querySelector('.panel [aria-busy=\"true\"]')")


def marked_cells(page) -> list[tuple[int, int]]:
    """The flow matrix's marked cells as (row, column), read from their outline."""
    cell = float(page.locator("#flow-panel-body .heatmap").get_attribute("data-cell"))
    outline = page.locator("#flow-panel-body path.mark")
    d = outline.get_attribute("d") if outline.count() else ""
    return sorted((round(float(y) / cell), round(float(x) / cell)) for x, y in re.findall(r"M([-0-9.e]+),([-0-9.e]+)", d))


def link_has(page, *parts: str):
    """Wait until the page's link carries every part ("step=2"): the page writes its link once
    it is idle after the change."""
    page.wait_for_function("parts => parts.every(p => location.search.includes(p))", arg=list(parts))


def link_state(page) -> dict:
    """What the page's link carries, one value per field, once a write of a change just made has
    happened (the page writes its link once it is idle: idle callbacks run in the order asked)."""
    search = settled(page, "() => new Promise((done) => requestIdleCallback(() => setTimeout(() => done(location.search)), { timeout: 2000 }))")
    return {k: v[0] for k, v in parse_qs(search.lstrip("?"), keep_blank_values=True).items()}


def api(page, **body):
    """The API's answer, asked beside the page (whose own requests may hold both computation
    slots for a moment): a 503 is asked again after its Retry-After, as the page does."""
    for _ in range(10):
        response = httpx.post(f"{page.base}/api/v1/unfold", json=body, timeout=30)
        if response.status_code != 503:
            break
        time.sleep(float(response.headers.get("retry-after", 1)))
    assert response.status_code == 200, response.text
    return response.json()


def answer_of(response) -> dict:
    """A page's API answer as its JSON reads: the page asks for MessagePack (binary.js), which
    app.encoding.read_msgpack reads back to exactly the JSON answer."""
    if response.headers.get("content-type", "").startswith(MSGPACK):
        return read_msgpack(response.body())
    return response.json()


def request_body(request) -> dict | None:
    """The JSON a page's API request carries: a POST's body, or a GET's q (base64url)."""
    if request.method == "POST":
        return json.loads(request.post_data or "null")
    q = parse_qs(urlparse(request.url).query).get("q", [None])[0]
    return json.loads(base64.urlsafe_b64decode(q + "=" * (-len(q) % 4))) if q else None


def strip_values(node) -> list[float]:
    """The values a strip (a g.node of the network) shows, one per cell."""
    return node.evaluate("g => g.__data__.values.slice(0, +g.dataset.cells)")


def hover_cell(node, i: int) -> None:
    """Hover the middle of cell i of a strip (a g.node), as a pointer would."""
    node.scroll_into_view_if_needed()
    box = node.locator("image.cells").bounding_box()
    n = int(node.get_attribute("data-cells"))
    node.page.mouse.move(box["x"] + (i + 0.5) * box["width"] / n, box["y"] + box["height"] / 2)


# The colour painted at the middle of every cell of a strip, against its scale's colour of the value.
PAINTED = """async (g) => {
  const image = g.querySelector('image.cells');
  const img = new Image();
  img.src = image.getAttribute('href');
  await img.decode();
  const canvas = document.createElement('canvas');
  canvas.width = img.width; canvas.height = img.height;
  const ctx = canvas.getContext('2d');
  ctx.drawImage(img, 0, 0);
  const n = +g.dataset.cells;
  const { values, scale } = g.__data__;
  return values.slice(0, n).map((v, i) => {
    const [r, gr, b] = ctx.getImageData(Math.floor((i + 0.4) * img.width / n), img.height >> 1, 1, 1).data;
    const want = window.d3.color(scale(v));
    return [[r, gr, b], [want.r, want.g, want.b]];
  });
}"""


def painted(node) -> list:
    """[(painted rgb, expected rgb)] for every cell of a strip."""
    return settled(node, PAINTED)


def input_labels(page) -> str:
    """Every step's input label in order, read as a user reads them: scrolling the network from
    its start to its end (a column is drawn when it comes into view)."""
    panel = page.locator("#network-panel")
    width, total = panel.evaluate("el => [el.clientWidth, el.scrollWidth]")
    labels = {}
    for left in range(0, total + width // 2, max(1, width // 2)):
        panel.evaluate("(el, x) => { el.scrollLeft = x; }", left)
        frames(page)
        labels.update(page.locator("svg.network g.column[data-step]:has(.input-label)").evaluate_all(
            "gs => gs.map(g => [+g.dataset.step, g.querySelector('.input-label').textContent])"))
    return "".join(labels[t] for t in sorted(labels))
