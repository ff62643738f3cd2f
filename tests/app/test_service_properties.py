"""Properties of the service as a whole: headers, determinism, no CDN."""

import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_every_response_carries_the_security_headers(client):
    for response in (client.get("/"), client.get("/docs"), client.get("/api/v1/health"),
                     client.post("/api/v1/unfold", json={"sequence": "a"})):
        csp = response.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "no-referrer"


def test_the_same_request_gives_byte_identical_responses(client):
    body = {"sequence": "determinism", "hidden_size": 7, "seed": 11, "include": ["per_step_gradients"]}
    first = client.post("/api/v1/unfold", json=body)
    second = client.post("/api/v1/unfold", json=body)
    assert first.status_code == 200 and first.content == second.content


def test_pages_load_nothing_from_another_origin_and_have_no_inline_script():
    for page in (ROOT / "templates").glob("*.html"):
        html = page.read_text()
        assert not re.search(r"""(src|href)=["']https?://""", html), page.name
        # data only: the vocabulary as JSON (type application/json never runs), and nothing else inline
        scripts = re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html)
        assert scripts in ([], ['<script type="application/json" id="meta">']), f"inline script in {page.name}"
        assert not re.search(r"<[^>]+\s(on\w+|style)\s*=", html, re.IGNORECASE), f"inline handler or style in {page.name}"


def test_a_saturated_server_answers_503_and_health_keeps_answering():
    from fastapi.testclient import TestClient

    from app.main import create_app
    from app.settings import Settings

    app = create_app(Settings(max_concurrent_computations=2))
    client = TestClient(app)
    slots = app.state.compute_slots
    assert slots.acquire(blocking=False) and slots.acquire(blocking=False)  # two long computations
    try:
        busy = client.post("/api/v1/unfold", json={"sequence": "hello"})
        assert busy.status_code == 503 and busy.headers["retry-after"] == "1"
        assert busy.json()["detail"][0]["msg"].startswith("server: every computation slot is busy")
        assert client.get("/api/v1/health").status_code == 200
    finally:
        slots.release()
        slots.release()
    assert client.post("/api/v1/unfold", json={"sequence": "hello"}).status_code == 200


def test_large_answers_are_gzipped_for_clients_that_accept_it(client):
    import gzip
    import json

    body = {"sequence": "a longer sequence, to make a large answer", "hidden_size": 16}
    zipped = client.post("/api/v1/unfold", json=body, headers={"Accept-Encoding": "gzip"})
    plain = client.post("/api/v1/unfold", json=body, headers={"Accept-Encoding": "identity"})
    assert zipped.headers["content-encoding"] == "gzip" and "content-encoding" not in plain.headers
    assert int(zipped.headers["content-length"]) < len(plain.content) / 2
    assert json.loads(zipped.content) == json.loads(plain.content)  # httpx decoded it
    with client.stream("POST", "/api/v1/unfold", json=body, headers={"Accept-Encoding": "gzip"}) as response:
        wire = b"".join(response.iter_raw())
    assert len(wire) == int(zipped.headers["content-length"]) and gzip.decompress(wire) == plain.content


def test_a_request_waits_a_moment_for_a_slot_instead_of_being_shed():
    """A burst that outlasts a computation is served: the request waits in the short queue and
    computes once a slot frees; with no room in the queue the answer is 503 at once."""
    import threading
    import time

    from fastapi.testclient import TestClient

    from app.main import create_app
    from app.settings import Settings

    app = create_app(Settings(max_concurrent_computations=1, queue_seconds=5))
    client = TestClient(app)
    slots = app.state.compute_slots
    assert slots.acquire(blocking=False)  # one long computation
    freed = threading.Timer(0.3, slots.release)
    freed.start()
    start = time.perf_counter()
    answer = client.post("/api/v1/unfold", json={"sequence": "hello"})
    assert answer.status_code == 200 and time.perf_counter() - start >= 0.25
    assert client.get("/api/v1/stats").json()["shed"] == 0 and app.state.queued == 0

    full = create_app(Settings(max_concurrent_computations=1, queue_seconds=5, max_queued=0))
    slots = full.state.compute_slots
    assert slots.acquire(blocking=False)
    start = time.perf_counter()
    busy = TestClient(full).post("/api/v1/unfold", json={"sequence": "hello"})
    assert busy.status_code == 503 and time.perf_counter() - start < 2
    slots.release()


def _nice_of_this_thread() -> dict:
    import os

    return {"nice": os.getpriority(os.PRIO_PROCESS, 0)}


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="a thread's own nice value is Linux's")
def test_computations_run_below_the_event_loops_priority(monkeypatch):
    """On saturated cores the event loop (cached answers, /health) must win the CPU: the
    computation threads run compute_nice below it, and the server's other threads do not."""
    import os

    from fastapi.testclient import TestClient

    from app import service
    from app.main import create_app
    from app.settings import Settings

    monkeypatch.setattr(service, "unfold", lambda req, pools: _nice_of_this_thread())
    loop_nice = os.getpriority(os.PRIO_PROCESS, 0)
    for nice in (7, 0):
        client = TestClient(create_app(Settings(compute_nice=nice, cache_bytes=0)))
        assert client.post("/api/v1/unfold", json={"sequence": "ab"}).json() == {"nice": loop_nice + nice}
    assert os.getpriority(os.PRIO_PROCESS, 0) == loop_nice  # the caller's thread is untouched


def test_a_request_whose_client_left_keeps_its_slot_until_the_computation_ends():
    """Cancelling the request cannot stop its thread: the slot must stay taken until the thread is
    done, or the slots would no longer bound the computations running at once."""
    import asyncio
    import threading

    from starlette.requests import Request

    from app import api
    from app.main import create_app
    from app.schemas import UnfoldRequest
    from app.settings import Settings

    app = create_app(Settings(max_concurrent_computations=1))
    started, release = threading.Event(), threading.Event()

    def slow(req, pools):
        started.set()
        release.wait(10)
        return {"done": True}

    async def scenario():
        request = Request({"type": "http", "app": app, "headers": [], "method": "POST", "path": "/"})
        task = asyncio.create_task(api.compute(request, slow, UnfoldRequest(sequence="ab")))
        await asyncio.to_thread(started.wait, 10)
        task.cancel()
        await asyncio.sleep(0.1)
        held = not app.state.compute_slots.acquire(blocking=False)  # cancelled, still computing
        release.set()
        with pytest.raises(asyncio.CancelledError):
            await task
        freed = app.state.compute_slots.acquire(blocking=False)
        return held, freed

    held, freed = asyncio.run(scenario())
    assert held and freed
