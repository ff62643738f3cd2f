import httpx

COLUMNS = "svg.network g.column[data-step]"


def run(page, sequence: str, steps: int, **fields):
    """Type as a user would: fill the labelled fields, press Enter in the Sequence field, wait for the drawing."""
    for name, value in fields.items():
        page.fill(f"#{name}", str(value))
    page.get_by_label("Sequence").fill(sequence)
    page.get_by_label("Sequence").press("Enter")
    page.wait_for_function(
        "n => document.querySelectorAll('svg.network g.column[data-step]').length === n"
        " && document.getElementById('run').textContent === 'Run'", arg=steps)


def api(page, **body):
    response = httpx.post(f"{page.base}/api/v1/unfold", json=body, timeout=30)
    assert response.status_code == 200, response.text
    return response.json()
