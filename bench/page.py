"""Page timings in the real page: the system Chromium (Playwright) against a real server.

Reads the page's own User Timing measures (static/js/runner.js and main.js):
  rnn-unfolded:parse  the answer's headers arrived -> its body read (MessagePack, io/binary.js; for
                      the page's own request, the part the network is drawn from: all but the
                      flows, which follow, and the late sections, which come last)
  rnn-unfolded:draw   body read -> the network drawn, styled, laid out and painted (the panels
                      below it are drawn in the next frame)
  rnn-unfolded:complete body read -> every panel drawn and painted too
  rnn-unfolded:frame  one animation frame while the player runs: the update and its rendering
  rnn-unfolded:select a click on a step or a parameter -> what is in view updated and painted
                      (a panel out of view catches up when it comes into view or the page is idle)
  rnn-unfolded:slider the rho(W) slider's input event -> its answer's picture painted (in view)
"""

import statistics
from urllib.parse import urlencode

from harness import CHROMIUM_FLAGS, chromium_path, running_server

FRAME_BUDGET_MS = 1000 / 60
TEXT = (
    "Recurrent networks share one set of weights across every step: W, U and V. Backpropagation "
    "through time (BPTT) sends each loss's error back along the unfolded chain; a gradient is the "
    "sum of what every step contributes, and the parameters are updated once. Why do errors "
    "vanish? Because 0.9^50 is small! "
)


def sample_text(characters: int) -> str:
    return (TEXT * (characters // len(TEXT) + 1))[:characters]


def _measures(page, name: str) -> list[float]:
    return page.evaluate("name => performance.getEntriesByName(name).map(e => e.duration)", name)


def _open(page, base: str, steps: int, hidden: int) -> None:
    query = urlencode({"sequence": sample_text(steps + 1), "hidden_size": hidden})
    page.goto(f"{base}/?{query}")
    page.wait_for_function("() => performance.getEntriesByName('rnn-unfolded:draw').length === 1", timeout=60_000)


def draw_times(page, base: str, steps: int, hidden: int, runs: int) -> dict:
    """Answer arrived -> drawn, over `runs` runs of the same request (the first one included)."""
    _open(page, base, steps, hidden)
    for n in range(2, runs + 1):
        page.click("#run")
        page.wait_for_function(
            "n => performance.getEntriesByName('rnn-unfolded:draw').length === n", arg=n, timeout=60_000)
    page.wait_for_function(
        "n => performance.getEntriesByName('rnn-unfolded:complete').length === n", arg=runs, timeout=60_000)
    parse, draw = _measures(page, "rnn-unfolded:parse"), _measures(page, "rnn-unfolded:draw")
    complete = _measures(page, "rnn-unfolded:complete")
    totals = [p + d for p, d in zip(parse, draw, strict=True)]
    return {"parse_ms": statistics.median(parse), "draw_ms": statistics.median(draw),
            "complete_ms": statistics.median(complete), "total_ms": statistics.median(totals), "runs": len(totals)}


def select_times(page, base: str, steps: int, hidden: int) -> dict:
    """Click steps across the sequence and the parameters, as a user re-selects."""
    _open(page, base, steps, hidden)
    for t in (steps // 8, steps // 4, steps // 2, 3, 5, 7):
        # scrolled to first, as a user scrolls to a step (a column is drawn when it comes into view)
        page.locator("#network-panel").evaluate(
            "(el, t) => { const g = document.querySelector(`g.column[data-step='${t}']`);"
            " el.scrollLeft = g.transform.baseVal[0].matrix.e - el.clientWidth / 2; }", t)
        page.wait_for_selector(f'g.column[data-step="{t}"] rect.column-bg')
        page.locator(f'g.column[data-step="{t}"] rect.column-bg').click(force=True)
    for name in ("U", "W", "b", "V", "c", "W"):
        page.locator("#param-chips button", has_text=name).first.click()
    page.wait_for_timeout(300)
    times = sorted(_measures(page, "rnn-unfolded:select"))
    return {"n": len(times), "p50_ms": statistics.median(times), "max_ms": times[-1]}


def frame_times(page, base: str, steps: int, hidden: int) -> dict:
    """Play the whole animation at the fastest speed (a new position every frame)."""
    _open(page, base, steps, hidden)
    page.select_option("#speed", "8")
    page.click("#play")
    page.wait_for_function("() => document.getElementById('play').getAttribute('aria-pressed') === 'false'",
                           timeout=120_000)
    frames = sorted(_measures(page, "rnn-unfolded:frame"))
    if not frames:
        raise RuntimeError("the player drew no frames")
    return {
        "frames": len(frames),
        "p50_ms": frames[len(frames) // 2],
        "p95_ms": frames[min(len(frames) - 1, int(0.95 * len(frames)))],
        "max_ms": frames[-1],
        "over_budget": sum(f > FRAME_BUDGET_MS for f in frames),
    }


def slider_times(page, base: str, steps: int, hidden: int, moves: int = 8) -> dict:
    """Move the explorer's rho(W) slider one value at a time, each answered before the next (the
    latency a learner feels while dragging): input event -> the new picture painted."""
    _open(page, base, steps, hidden)
    for n, value in enumerate((0.6, 0.9, 1.2, 1.5, 0.7, 1.1, 1.4, 0.8)[:moves], start=1):
        page.locator("#rho-slider").fill(str(value))
        page.wait_for_function(
            "n => performance.getEntriesByName('rnn-unfolded:slider').length === n", arg=n, timeout=60_000)
    times = sorted(_measures(page, "rnn-unfolded:slider"))
    return {"n": len(times), "p50_ms": statistics.median(times), "max_ms": times[-1]}


# Where the time between a click on Run and the whole picture goes (issue 30), from the page's own
# measures and the Resource Timing of the answer's request: the click's event time -> the request
# sent (the page's own work first), -> its first byte (the server's compute of the answer's first
# part, its encoding and gzip), -> that first part read (its transfer and its reading overlap: the
# page decodes each entry as it arrives), -> the network painted (draw), -> every panel; beside
# them, when the answer's last byte (its late sections, computed meanwhile) came.
LATENCY = """() => {
  const last = (name) => performance.getEntriesByName(name).slice(-1)[0];
  const sent = performance.getEntriesByType('resource').filter((e) => e.name.includes('/api/v1/unfold')).slice(-1)[0];
  const complete = last('rnn-unfolded:complete'), draw = last('rnn-unfolded:draw'), parse = last('rnn-unfolded:parse');
  const click = window.__clicked;
  return {
    complete_ms: complete.startTime + complete.duration - click, draw_ms: draw.startTime + draw.duration - click,
    before_ms: sent.requestStart - click, server_ms: sent.responseStart - sent.requestStart,
    read_ms: parse.startTime + parse.duration - sent.responseStart, last_byte_ms: sent.responseEnd - click,
    paint_ms: draw.duration,
    panels_ms: complete.duration - draw.duration, bytes: sent.encodedBodySize,
    ...Object.fromEntries(performance.getEntriesByType('measure')
      .filter((e) => e.name.startsWith('rnn-unfolded:panel:')).slice(-4)
      .map((e) => [`${e.name.split(':').pop()}_ms`, e.duration])),
  };
}"""


def latency(page, base: str, cell: str, steps: int, hidden: int, seed: int) -> dict:
    """A fresh page: its first answer drawn, then a request no cache holds (another seed) asked by
    a click on Run, timed from the click event to the page's rnn-unfolded:complete mark."""
    page.goto(f"{base}/?" + urlencode({"sequence": sample_text(steps + 1), "hidden_size": hidden, "cell": cell,
                                       "seed": seed}))
    page.wait_for_function("() => performance.getEntriesByName('rnn-unfolded:complete').length === 1", timeout=60_000)
    page.fill("#seed", str(seed + 1))
    page.evaluate("() => document.getElementById('run').addEventListener('click', "
                  "(event) => { window.__clicked = event.timeStamp; }, { once: true })")
    page.click("#run")
    page.wait_for_function("() => performance.getEntriesByName('rnn-unfolded:complete').length === 2", timeout=60_000)
    return page.evaluate(LATENCY)


def measure(base: str, draw_steps: int = 256, frame_steps: int = 64, hidden: int = 64, runs: int = 5) -> dict:
    from playwright.sync_api import sync_playwright

    path = chromium_path()
    if path is None:
        raise RuntimeError("no Chromium: install the Debian package chromium (make browser)")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=path, args=CHROMIUM_FLAGS)

        def alone(measure, *args):
            """One measurement on a page of its own, closed after it: a page left open goes on
            working (its gradient check, a moment after its last answer) beside the next one."""
            context = browser.new_context(viewport={"width": 1280, "height": 800})
            try:
                return measure(context.new_page(), base, *args)
            finally:
                context.close()

        try:
            draw = alone(draw_times, draw_steps, hidden, runs)
            draw_large = alone(draw_times, 1024, hidden, 3)
            select = alone(select_times, draw_steps, hidden)
            frames = alone(frame_times, frame_steps, hidden)
            sizes = ((32, 16), (draw_steps, hidden))  # issue 12's two
            sliders = {(steps, units): alone(slider_times, steps, units) for steps, units in sizes}
            clicks = {}  # issue 30's three cases, the median of 4 fresh pages each
            for cell, steps in (("rnn", draw_steps), ("lstm", draw_steps), ("rnn", 1024)):
                runs = [alone(latency, cell, steps, hidden, 2 * n + 100) for n in range(4)]
                clicks[(cell, steps)] = {key: statistics.median(r[key] for r in runs) for key in runs[0]}
        finally:
            browser.close()
    return {"draw": draw, "draw_large": draw_large, "select": select, "frames": frames, "sliders": sliders,
            "clicks": clicks}


if __name__ == "__main__":
    with running_server() as base:
        result = measure(base)
    print(result)
