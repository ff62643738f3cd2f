import base64
import json
from urllib.parse import parse_qs, urlparse

import httpx

COLUMNS = "svg.network g.column[data-step]"


def run(page, sequence: str, steps: int, **fields):
    """Type as a user would: fill the labelled fields, press Enter in the Sequence field, wait for the drawing."""
    for name, value in fields.items():
        page.fill(f"#{name}", str(value))
    page.get_by_label("Sequence").fill(sequence)
    page.get_by_label("Sequence").press("Enter")
    drawn(page, steps)


def drawn(page, steps: int | None = None):
    """Wait until no answer is pending and the network is drawn (with ``steps`` columns, if given)."""
    page.wait_for_function(
        "n => (n === null ? document.querySelectorAll('svg.network g.column[data-step]').length > 0"
        " : document.querySelectorAll('svg.network g.column[data-step]').length === n)"
        " && document.getElementById('run').textContent === 'Run'", arg=steps)


def link_state(page) -> dict:
    """What the page's link carries, one value per field."""
    return {k: v[0] for k, v in parse_qs(urlparse(page.url).query, keep_blank_values=True).items()}


def api(page, **body):
    response = httpx.post(f"{page.base}/api/v1/unfold", json=body, timeout=30)
    assert response.status_code == 200, response.text
    return response.json()


def request_body(request) -> dict | None:
    """The JSON a page's API request carries: a POST's body, or a GET's q (base64url)."""
    if request.method == "POST":
        return json.loads(request.post_data or "null")
    q = parse_qs(urlparse(request.url).query).get("q", [None])[0]
    return json.loads(base64.urlsafe_b64decode(q + "=" * (-len(q) % 4))) if q else None
