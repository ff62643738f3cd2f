"""The page reads its answers in MessagePack (issue 30): binary.js turns them into exactly the
JSON answer, and the page's own request is answered in MessagePack."""

import pytest

from .conftest import ARTIFACTS
from .helpers import run, settled

SAME = """async (body) => {
  const { readMsgpack, MSGPACK } = await import('/static/js/io/binary.js');
  const ask = (accept) => fetch('/api/v1/unfold', { method: 'POST', body: JSON.stringify(body),
    headers: { 'Content-Type': 'application/json', Accept: accept } });
  const [asJson, asBinary] = await Promise.all([ask('application/json'), ask(MSGPACK)]);
  const type = asBinary.headers.get('Content-Type');
  const read = readMsgpack(await asBinary.arrayBuffer());
  const json = await asJson.json();
  return { type, same: JSON.stringify(read) === JSON.stringify(json), keys: Object.keys(read).sort(),
           nulls: JSON.stringify(read).split('null').length };
}"""


@pytest.mark.parametrize("body", [
    {"sequence": "hello world, hello", "hidden_size": 6, "include": ["auto"]},
    {"sequence": "hello world, hello", "hidden_size": 5, "cell": "lstm", "truncate": 3, "include": ["auto"]},
    {"sequence": "the cat sat", "hidden_size": 4, "cell": "gru", "layers": 2, "bidirectional": True, "embedding": 3},
])
def test_binary_js_reads_an_answer_to_exactly_its_json(page, body):
    page.goto(page.base + "/")
    got = settled(page, SAME, body)
    assert got["type"] == "application/msgpack"
    assert got["same"], got
    assert "forward" in got["keys"] and "flows" in got["keys"]


def test_the_page_asks_for_msgpack_and_draws_its_answer(page):
    types = []
    page.on("response", lambda r: types.append(r.headers.get("content-type")) if "/api/v1/unfold" in r.url else None)
    page.goto(page.base + "/")
    run(page, "abcabc", 5, hidden_size=3)
    assert types and types[-1] == "application/msgpack"


# The page's own answer is read as it arrives (io/binary.js readMsgpackParts): the first part,
# every entry but the late sections (app/settings.py LATE_SECTIONS, META.late_sections), before the rest.
PARTS = """async (body) => {
  const { readMsgpack, readMsgpackParts, MSGPACK } = await import('/static/js/io/binary.js');
  const { META } = await import('/static/js/state/meta.js');
  const response = await fetch('/api/v1/unfold', { method: 'POST', body: JSON.stringify(body),
    headers: { 'Content-Type': 'application/json', Accept: MSGPACK } });
  const bytes = new Uint8Array(await response.arrayBuffer());
  const at = (cut, chunk) => { // the bytes up to cut, in chunks, then (unless cut) the rest
    let source;
    const parts = readMsgpackParts(new ReadableStream({ start(c) { source = c; } }), META.late_sections);
    const seen = { first: null, whole: false, error: null };
    parts.first.then((a) => { seen.first = Object.keys(a); }, (e) => { seen.error = e.message; });
    parts.whole.then(() => { seen.whole = true; }, (e) => { seen.error = e.message; });
    return { parts, seen, source };
  };
  const tick = () => new Promise((done) => setTimeout(done, 0));
  // fed 97 bytes at a time until the first part is read: the late sections are still to come
  const fed = at();
  let sent = 0;
  while (fed.seen.first === null && sent < bytes.length) {
    fed.source.enqueue(bytes.slice(sent, sent + 97));
    sent += 97;
    await tick();
  }
  const atFirst = { keys: fed.seen.first, whole: fed.seen.whole, left: bytes.length - sent };
  fed.source.enqueue(bytes.slice(sent));
  fed.source.close();
  const read = await fed.parts.whole;
  // cut short: one byte missing (the late part's), or most of the first part missing
  const cut = async (length) => {
    const short = at();
    short.source.enqueue(bytes.slice(0, length));
    short.source.close();
    await short.parts.whole.catch(() => {});
    await tick();
    return short.seen;
  };
  return { atFirst, same: JSON.stringify(read) === JSON.stringify(readMsgpack(bytes.buffer)),
           last: Object.keys(read).slice(-2), lastByte: await cut(bytes.length - 1), early: await cut(100) };
}"""


def test_an_answer_is_read_as_it_arrives_its_late_sections_last(page):
    page.goto(page.base + "/")
    body = {"sequence": "hello world, hello again", "hidden_size": 5, "cell": "lstm", "truncate": 3, "include": ["auto"]}
    got = settled(page, PARTS, body)
    first = got["atFirst"]
    # read before the last bytes were sent (the same object gains the rest as it comes: a chunk
    # that ends the first part may hold the gain too, never the truncation after it)
    assert first["whole"] is False and first["left"] > 0
    assert {"config", "forward", "errors", "gradients", "flows"} <= set(first["keys"]) and "truncation" not in first["keys"]
    assert got["same"] and got["last"] == ["gain", "truncation"]
    # a body one byte short: its first part reads, the whole refuses; cut within the first part, both refuse
    assert got["lastByte"]["first"] is not None and got["lastByte"]["whole"] is False
    assert got["lastByte"]["error"] == "the answer ended before it was whole"
    assert got["early"]["first"] is None and got["early"]["error"] == "the answer ended before it was whole"


# An answer of several megabytes read in chunks of uneven sizes: the reader's buffer grows to what
# an entry's head says it needs, and drops (or moves down) what it has read, and gives the same
# answer as reading it whole and as its JSON.
CHUNKED = """async (body) => {
  const { readMsgpack, readMsgpackParts, MSGPACK } = await import('/static/js/io/binary.js');
  const ask = (accept) => fetch('/api/v1/unfold', { method: 'POST', body: JSON.stringify(body),
    headers: { 'Content-Type': 'application/json', Accept: accept } });
  const bytes = new Uint8Array(await (await ask(MSGPACK)).arrayBuffer());
  const json = JSON.stringify(await (await ask('application/json')).json());
  const read = async (sizes) => {
    let [at, k] = [0, 0];
    const stream = new ReadableStream({ pull(c) {
      if (at >= bytes.length) { c.close(); return; }
      const size = sizes[k++ % sizes.length];
      c.enqueue(bytes.slice(at, at + size));
      at += size;
    } });
    return JSON.stringify(await readMsgpackParts(stream, []).whole);
  };
  return { size: bytes.length, whole: JSON.stringify(readMsgpack(bytes.buffer)) === json,
           uneven: (await read([65537, 3, 1 << 20, 777])) === json, big: (await read([(3 << 20) + 5])) === json,
           small: (await read([4093])) === json };
}"""


def test_a_long_answer_read_in_uneven_chunks_is_its_json(page):
    page.goto(page.base + "/")
    body = {"sequence": "abcdefghij" * 60, "hidden_size": 64, "include": ["auto"]}
    got = settled(page, CHUNKED, body)
    assert got["size"] > 3 << 20, got  # past the reader's first buffer, several times
    assert got == {**got, "whole": True, "uneven": True, "big": True, "small": True}


# Even when every byte is in at once (an answer from the cache), what follows the network's part
# is read only once the page has painted the network: a frame passes between the two.
PAUSE = """async (body) => {
  const { readMsgpackParts, MSGPACK } = await import('/static/js/io/binary.js');
  const response = await fetch('/api/v1/unfold', { method: 'POST', body: JSON.stringify(body),
    headers: { 'Content-Type': 'application/json', Accept: MSGPACK } });
  const bytes = new Uint8Array(await response.arrayBuffer());
  let [frames, counting] = [0, true];
  const count = () => { frames += 1; if (counting) requestAnimationFrame(count); };
  requestAnimationFrame(count);
  const stream = new ReadableStream({ start(c) { c.enqueue(bytes); c.close(); } });
  const parts = readMsgpackParts(stream, [], (key) => key === 'gradients');
  const keys = Object.keys(await parts.drawable);
  const at = frames;
  const first = await parts.first;
  counting = false;
  return { keys, frames: frames - at, flows: 'flows' in first };
}"""


def test_what_follows_the_network_s_part_is_read_after_a_frame(page):
    page.goto(page.base + "/")
    got = settled(page, PAUSE, {"sequence": "hello world, hello again", "hidden_size": 5})
    assert got["keys"][-1] == "gradients" and "flows" not in got["keys"]
    assert got["frames"] >= 1 and got["flows"]


# The page's answers pass through a fetch that holds back their last byte while window.__hold is
# set, until window.__release(): the late sections cannot be read before it.
HOLD = """
  window.__hold = false;
  const fetch0 = window.fetch.bind(window);
  window.fetch = async (url, options) => {
    const response = await fetch0(url, options);
    if (!window.__hold || !String(url).includes('/api/v1/unfold')) return response;
    const reader = response.body.getReader();
    const released = new Promise((done) => { window.__release = done; });
    let kept = null;
    const body = new ReadableStream({ async pull(out) {
      const { done, value } = await reader.read();
      if (done) { await released; if (kept) out.enqueue(kept); out.close(); return; }
      if (kept) out.enqueue(kept);
      out.enqueue(value.slice(0, -1));
      kept = value.slice(-1);
    } });
    return new Response(body, { status: response.status, headers: response.headers });
  };
"""

MEASURES = "(name) => performance.getEntriesByName(name).length"


def test_the_network_is_drawn_before_the_late_sections_and_the_explorer_once_they_come(page):
    page.add_init_script(HOLD)
    page.goto(page.base + "/?" + "sequence=hello+world%2C+hello+again&hidden_size=5")
    page.wait_for_function(f"() => ({MEASURES})('rnn-unfolded:complete') === 1")
    before = page.locator("svg.explorer-gain path.gain-h").get_attribute("d")
    page.evaluate("() => { window.__hold = true; }")
    page.fill("#seed", "7")
    page.click("#run")
    page.wait_for_function(f"() => ({MEASURES})('rnn-unfolded:draw') === 2")  # the network, from the first part
    page.wait_for_timeout(300)  # time enough to draw everything, were it not held
    explorer = page.locator("#explorer-panel-body")
    assert explorer.get_attribute("aria-busy") == "true"
    assert page.evaluate(MEASURES, "rnn-unfolded:complete") == 1
    assert page.locator("#flow-panel-body").get_attribute("aria-busy") is None  # the other panels are drawn
    assert page.locator("svg.explorer-gain path.gain-h").get_attribute("d") == before
    # the toast, up after 300 ms, says what is left
    page.wait_for_function("() => !document.getElementById('loading').hidden")
    assert page.locator("#loading-text").text_content().startswith("Drawing the panels…")
    # what it shows is not the new answer's yet, and looks it
    assert float(explorer.evaluate("e => getComputedStyle(e).opacity")) < 0.5
    assert float(page.locator("#flow-panel-body").evaluate("e => getComputedStyle(e).opacity")) == 1
    explorer.scroll_into_view_if_needed()
    page.screenshot(path=ARTIFACTS / "explorer-waiting-for-the-gain.png")
    page.evaluate("() => window.__release()")
    page.wait_for_function(f"() => ({MEASURES})('rnn-unfolded:complete') === 2")
    assert explorer.get_attribute("aria-busy") is None
    assert page.locator("svg.explorer-gain path.gain-h").get_attribute("d") != before  # the new seed's gain
    assert float(explorer.evaluate("e => getComputedStyle(e).opacity")) == 1


# The page's answers pass through a fetch that, while window.__holdFlows is set, holds back the
# bytes from the middle of the answer's "flows" key (0xa5 "flows") on until window.__releaseFlows().
HOLD_FLOWS = """
  window.__holdFlows = false;
  const fetch0 = window.fetch.bind(window);
  window.fetch = async (url, options) => {
    const response = await fetch0(url, options);
    if (!window.__holdFlows || !String(url).includes('/api/v1/unfold')) return response;
    const bytes = new Uint8Array(await response.arrayBuffer());
    const key = [0xa5, ...new TextEncoder().encode('flows')];
    let at = 0;
    while (at < bytes.length && !key.every((b, k) => bytes[at + k] === b)) at += 1;
    window.__heldFrom = at / bytes.length;
    const released = new Promise((done) => { window.__releaseFlows = done; });
    const body = new ReadableStream({ async start(out) {
      out.enqueue(bytes.slice(0, at + 3));
      await released;
      out.enqueue(bytes.slice(at + 3));
      out.close();
    } });
    return new Response(body, { status: response.status, headers: response.headers });
  };
"""

ARROWS = "() => document.querySelectorAll('svg.network line.error-arrow.back').length"


def test_the_network_is_drawn_before_the_flows_come_and_its_error_path_once_they_do(page):
    """The flows (T x T) are sent after what the network is drawn from (app/service.py): the network
    is drawn without them, the error path's arrows (whose widths follow them) and the panels after."""
    page.add_init_script(HOLD_FLOWS)
    page.goto(page.base + "/?" + "sequence=hello+world%2C+hello+again&hidden_size=5")
    page.wait_for_function(f"() => ({MEASURES})('rnn-unfolded:complete') === 1")
    assert page.evaluate(ARROWS) > 0  # the opening view frames a contribution: its path has arrows
    summary = page.locator("#summary").text_content()
    page.evaluate("() => { window.__holdFlows = true; }")
    page.fill("#seed", "7")
    page.click("#run")
    page.wait_for_function(f"() => ({MEASURES})('rnn-unfolded:draw') === 2")  # the network, without the flows
    assert 0.3 < page.evaluate("() => window.__heldFrom") < 1  # held: the flows' key and all after it
    page.wait_for_timeout(300)  # time enough to draw everything, were it not held
    assert page.locator("#summary").text_content() != summary  # the new answer is on screen
    assert page.evaluate(ARROWS) == 0  # its path waits for the flows
    assert page.evaluate(MEASURES, "rnn-unfolded:complete") == 1
    for panel in ("flow", "gradient", "explorer"):
        assert page.locator(f"#{panel}-panel-body").get_attribute("aria-busy") == "true"
    page.screenshot(path=ARTIFACTS / "network-before-its-flows.png")
    page.evaluate("() => window.__releaseFlows()")
    page.wait_for_function(f"() => ({MEASURES})('rnn-unfolded:complete') === 2")
    assert page.evaluate(ARROWS) > 0
    assert page.locator("#flow-panel-body").get_attribute("aria-busy") is None


def test_a_stack_is_drawn_whole_not_before_its_flows(page):
    """A stack's answer has flows too, before its depth: it is drawn once whole, not from its start."""
    page.add_init_script(HOLD_FLOWS)
    page.goto(page.base + "/?sequence=hello%20world&cell=gru&layers=2&hidden_size=4")
    page.wait_for_function(f"() => ({MEASURES})('rnn-unfolded:complete') === 1")
    page.evaluate("() => { window.__holdFlows = true; }")
    page.fill("#seed", "7")
    page.click("#run")
    page.wait_for_function("() => window.__releaseFlows !== undefined")
    page.wait_for_timeout(300)
    assert page.evaluate(MEASURES, "rnn-unfolded:draw") == 1  # nothing drawn from a part of a stack
    page.evaluate("() => window.__releaseFlows()")
    page.wait_for_function(f"() => ({MEASURES})('rnn-unfolded:complete') === 2")
    assert page.locator("body.stack-mode").count() == 1 and page.locator("#error-general").text_content() == ""


# The page's answers pass through a fetch that, once window.__cut is set, ends their body with a
# network error: after 100 bytes ('first': inside the first part) or before the last byte
# ('late': the late sections never come whole).
CUT = """
  window.__cut = null;
  const fetch0 = window.fetch.bind(window);
  window.fetch = async (url, options) => {
    const response = await fetch0(url, options);
    const cut = window.__cut;
    if (!cut || !String(url).includes('/api/v1/unfold')) return response;
    const bytes = new Uint8Array(await response.arrayBuffer());
    const keep = cut === 'first' ? 100 : bytes.length - 1;
    const body = new ReadableStream({ start(out) { out.enqueue(bytes.slice(0, keep)); },
      pull(out) { out.error(new TypeError('network error')); } });
    return new Response(body, { status: response.status, headers: response.headers });
  };
"""


@pytest.mark.parametrize("cut", ["first", "late"])
def test_an_answer_cut_short_says_so_and_keeps_what_it_could(page, cut):
    page.add_init_script(CUT)
    page.goto(page.base + "/?" + "sequence=hello+world%2C+hello+again&hidden_size=5")
    page.wait_for_function(f"() => ({MEASURES})('rnn-unfolded:complete') === 1")
    summary = page.locator("#summary").text_content()
    page.evaluate("(cut) => { window.__cut = cut; }", cut)
    page.fill("#seed", "7")
    page.click("#run")
    page.wait_for_function("() => document.getElementById('run').textContent === 'Run'"
                           " && document.getElementById('error-general').textContent !== ''")
    assert "cut off before it was whole" in page.locator("#error-general").text_content()
    assert "report" not in page.locator("#error-general").text_content()  # not a bug of ours
    assert page.locator("#stale").is_visible()
    assert page.evaluate(MEASURES, "rnn-unfolded:complete") == 1
    if cut == "first":  # nothing of it came: the last picture stays, whole
        assert page.evaluate(MEASURES, "rnn-unfolded:draw") == 1
        assert page.locator("#summary").text_content() == summary
    else:  # its network came; the explorer, still the last answer's, stays dimmed
        assert page.evaluate(MEASURES, "rnn-unfolded:draw") == 2
        assert page.locator("#explorer-panel-body").get_attribute("aria-busy") == "true"
    page.evaluate("() => { window.__cut = null; }")  # the user runs again, and it comes whole
    page.click("#run")
    page.wait_for_function(f"() => ({MEASURES})('rnn-unfolded:complete') === 2")
    assert page.locator("#error-general").text_content() == "" and not page.locator("#stale").is_visible()
