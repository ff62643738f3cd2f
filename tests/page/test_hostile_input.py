"""Links and sequences carrying script and markup: shown as text, never run, and the page works."""

import json
from urllib.parse import quote

import pytest

from .helpers import COLUMNS, hover_cell, input_labels, run

pytestmark = pytest.mark.browser

PAYLOADS = [
    "<script>window.__pwned=1</script>",
    '"><img src=x onerror="window.__pwned=1">',
    "<svg onload=window.__pwned=1>",
    "javascript:window.__pwned=1",
    "{{7*7}}${7*7}<math><mi xlink:href=javascript:window.__pwned=1>x</mi></math>",
]


def assert_nothing_ran(page):
    assert page.evaluate("() => window.__pwned") is None
    # the one inline script is the server's vocabulary, data that never runs (type application/json)
    injected = page.evaluate("""() => [...document.querySelectorAll(
        'img, iframe, object, embed, script:not([src]):not(#meta[type="application/json"])')].map(e => e.outerHTML)""")
    assert injected == []
    assert page.locator("script#meta").count() == 1


@pytest.mark.parametrize("payload", PAYLOADS)
def test_a_link_carrying_a_payload_runs_nothing(page, payload):
    page.allowed_errors.append("status of 422")  # some payloads are not valid for the chosen kind
    link = f"{page.base}/?sequence={quote(payload)}&param={quote(payload)}&kind={quote(payload)}&step={quote(payload)}"
    page.goto(link)
    page.wait_for_function("() => document.getElementById('run').textContent === 'Run'")
    page.wait_for_timeout(300)
    assert_nothing_ran(page)
    steps = len(payload) - 1
    assert page.locator(COLUMNS).count() == steps  # the text was used as data, in full
    assert page.get_by_label("Sequence").input_value() == payload


def test_typed_payloads_show_as_text_in_every_view(page):
    page.goto(page.base)
    payload = PAYLOADS[1]
    run(page, payload, len(payload) - 1)
    hover_cell(page.locator('g.column[data-step="1"] g.node.x'), 0)
    assert_nothing_ran(page)
    assert input_labels(page) == payload[:-1].replace(" ", "␣")


def test_a_numbers_link_with_markup_shows_the_message_as_text(page):
    page.allowed_errors.append("status of 422")
    page.goto(f"{page.base}/?kind=numbers&sequence={quote('1, 2, <b>x</b>')}")
    alert = page.locator("#error-sequence")
    alert.wait_for()
    assert "inputs" in alert.text_content()
    assert alert.locator("b").count() == 0
    assert_nothing_ran(page)


def test_an_imported_file_carrying_markup_is_shown_as_text(page, tmp_path):
    """File names, keys and messages from an import are data: a refused file's key and an
    accepted file's name appear as typed, and nothing runs."""
    page.goto(page.base)
    run(page, "hello", 4)
    page.allowed_errors.append("status of 422")
    payload = PAYLOADS[1]
    page.locator("#import summary").click()
    page.fill("#import-text", json.dumps({"rnn.weight_hh_l0": [[1.0]], f"{payload}.weight_ih_l0": [[1.0]]}))
    page.get_by_role("button", name="Use these weights").click()
    page.locator("#error-import").filter(has_text="weights").wait_for()
    assert_nothing_ran(page)
    weights = {"U": [[0.1] * 4], "W": [[0.5]], "b": [0.0], "V": [[1.0]] * 4, "c": [0.0] * 4}
    path = tmp_path / f"{payload.replace('/', '')}.json"
    path.write_text(json.dumps({"weights": weights}))
    page.set_input_files("#import-file", path)
    page.locator("#import-status").filter(has_text="canonical").wait_for()
    assert path.name in page.locator("#import-status").text_content()
    assert_nothing_ran(page)
