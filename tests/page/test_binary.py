"""The page reads its answers in MessagePack (issue 30): binary.js turns them into exactly the
JSON answer, and the page's own request is answered in MessagePack."""

import pytest

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
