"""A classroom at once (issue 15): the GET form of unfold gives the POST's bytes and is
cacheable (ETag, 304, immutable), the server keeps answers in an LRU bounded by bytes and keyed
by the whole request, a cached answer needs no computation slot, /stats counts it all, and
static files go out compressed."""

import base64
import json
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

import app.api as api_module
import app.cache as cache_module
from app.assets import content_id
from app.cache import AnswerCache
from app.main import create_app
from app.settings import IMMUTABLE, MAX_QUERY_CHARS, Settings


@pytest.fixture
def fresh():
    """An app of its own: an empty cache, zeroed counters, two computation slots."""
    return TestClient(create_app(Settings()))


def q_of(body: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(body).encode()).decode().rstrip("=")


@pytest.mark.parametrize("encoding", ["gzip", "identity"])
def test_get_and_post_give_the_same_bytes(encoding):
    fresh = TestClient(create_app(Settings(cache_bytes=0)))  # no cache: each computes its own answer
    body = {"sequence": "hello world", "hidden_size": 6, "include": ["auto"]}
    headers = {"Accept-Encoding": encoding}
    post = fresh.post("/api/v1/unfold", json=body, headers=headers)
    get = fresh.get(f"/api/v1/unfold?q={q_of(body)}", headers=headers)
    assert post.status_code == get.status_code == 200
    assert post.headers.get("content-encoding") == get.headers.get("content-encoding")
    assert (post.headers.get("content-encoding") == "gzip") == (encoding == "gzip")
    assert post.content == get.content
    assert fresh.app.state.stats.summary()["compute_ms"]["count"] == 2  # two computations, one answer
    assert get.headers["cache-control"] == "public, max-age=31536000, immutable"


def test_the_etag_answers_304_and_names_the_request_and_the_version(fresh, monkeypatch):
    body = {"sequence": "hello", "hidden_size": 3}
    first = fresh.get(f"/api/v1/unfold?q={q_of(body)}")
    etag = first.headers["etag"]
    again = fresh.get(f"/api/v1/unfold?q={q_of(body)}", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == etag
    # the same request written otherwise (defaults spelled out, keys reordered) is the same answer
    same = {"hidden_size": 3, "seed": 0, "sequence": "hello", "task": "many-to-many"}
    assert fresh.get(f"/api/v1/unfold?q={q_of(same)}").headers["etag"] == etag
    assert fresh.get(f"/api/v1/unfold?q={q_of({**body, 'seed': 1})}").headers["etag"] != etag
    # a release with other numbers: other ETags, and the cache does not serve the old answer
    monkeypatch.setattr(cache_module, "VERSION", "9.9.9")
    newer = fresh.get(f"/api/v1/unfold?q={q_of(body)}", headers={"If-None-Match": etag})
    assert newer.status_code == 200 and newer.headers["etag"] != etag


def test_the_cache_keys_by_the_whole_request_not_its_hash(fresh, monkeypatch):
    monkeypatch.setattr(api_module, "etag_of", lambda key: '"one-tag-for-all"')
    answers = {}
    for seed in (1, 2):
        response = fresh.get(f"/api/v1/unfold?q={q_of({'sequence': 'hello', 'seed': seed})}")
        assert response.headers["etag"] == '"one-tag-for-all"'
        answers[seed] = response.json()
    direct = {seed: fresh.post("/api/v1/unfold", json={"sequence": "hello", "seed": seed}).json() for seed in (1, 2)}
    assert answers == direct and answers[1] != answers[2]


def test_the_lru_is_bounded_by_bytes_and_keeps_the_recent():
    cache = AnswerCache(max_bytes=1000)
    for i in range(5):
        cache.put((b"k%d" % i, False), b"x" * 300, {})
    assert cache.bytes <= 1000 and cache.summary()["entries"] == 3
    assert cache.get((b"k0", False)) is None and cache.get((b"k4", False)) is not None
    cache.get((b"k2", False))  # used: now the most recent
    cache.put((b"k5", False), b"y" * 300, {})
    assert cache.get((b"k2", False)) is not None and cache.get((b"k3", False)) is None
    cache.put((b"huge", False), b"z" * 2000, {})  # larger than the cache: not kept, nothing evicted
    assert cache.get((b"huge", False)) is None and cache.summary()["entries"] == 3


def test_a_cached_answer_needs_no_slot_and_stats_count_it_all(fresh):
    body = {"sequence": "hello there", "hidden_size": 5}
    assert fresh.post("/api/v1/unfold", json=body).status_code == 200
    slots = fresh.app.state.compute_slots
    assert slots.acquire(blocking=False) and slots.acquire(blocking=False)  # a busy server
    try:
        assert fresh.post("/api/v1/unfold", json=body).status_code == 200  # from the cache
        busy = fresh.post("/api/v1/unfold", json={**body, "seed": 7})
        assert busy.status_code == 503 and busy.headers["retry-after"] == "1"
    finally:
        slots.release()
        slots.release()
    stats = fresh.get("/api/v1/stats").json()
    assert (stats["requests"], stats["shed"]) == (3, 1)
    assert (stats["cache"]["hits"], stats["cache"]["misses"], stats["cache"]["entries"]) == (1, 2, 1)
    assert stats["compute_ms"]["count"] == 1 and stats["compute_ms"]["p50"] > 0


@pytest.mark.parametrize("q,message", [
    ("not*base64", "q: is not base64url"),
    (q_of({"sequence": "hello", "hidden_size": 0}), "hidden_size: Input should be greater than or equal to 1"),
    (base64.urlsafe_b64encode(b"{nope").decode(), "is not valid JSON"),
    ("A" * (MAX_QUERY_CHARS + 1), f"q: String should have at most {MAX_QUERY_CHARS} characters"),
])
def test_a_bad_query_is_refused_naming_it(client, q, message):
    response = client.get(f"/api/v1/unfold?q={q}")
    assert response.status_code == 422
    assert message in response.json()["detail"][0]["msg"]


def test_static_files_and_the_page_go_out_compressed(client):
    for path in ["/static/vendor/d3-7.9.2.min.js", "/", "/static/js/main.js"]:
        response = client.get(path, headers={"Accept-Encoding": "gzip"})
        assert response.status_code == 200 and response.headers.get("content-encoding") == "gzip", path
    answer = client.post("/api/v1/unfold", json={"sequence": "hello world hello"}, headers={"Accept-Encoding": "gzip"})
    assert answer.headers["content-encoding"] == "gzip" and answer.json()["config"]["steps"] == 16  # gzipped once


def test_the_servers_settings_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("RNN_UNFOLDED_CACHE_BYTES", "12345")
    monkeypatch.setenv("RNN_UNFOLDED_MAX_CONCURRENT_COMPUTATIONS", "3")
    served = create_app(Settings())
    assert served.state.cache.max_bytes == 12345
    slots = served.state.compute_slots
    assert all(slots.acquire(blocking=False) for _ in range(3)) and not slots.acquire(blocking=False)
    monkeypatch.setenv("RNN_UNFOLDED_MAX_CONCURRENT_COMPUTATIONS", "0")
    with pytest.raises(ValueError, match="max_concurrent_computations"):
        Settings()


def test_a_served_app_runs_each_computation_on_one_blas_thread():
    """The slots are the parallelism: a BLAS thread pool under each would oversubscribe the cores."""
    from threadpoolctl import threadpool_info, threadpool_limits

    with threadpool_limits(2, user_api="blas"):
        assert all(pool["num_threads"] == 2 for pool in threadpool_info() if pool["user_api"] == "blas")
        create_app(Settings())
        pools = [pool for pool in threadpool_info() if pool["user_api"] == "blas"]
        assert pools and all(pool["num_threads"] == 1 for pool in pools)


def test_identical_requests_at_once_share_one_computation():
    """Twenty students open the same link in the same instant: one computation, twenty answers,
    no 503 although the server has two slots; a refusal is shared the same way."""
    import asyncio

    import httpx

    served = create_app(Settings())
    body = {"sequence": "the same link for everyone", "hidden_size": 16, "include": ["auto"]}

    async def class_at_once(request_body):
        transport = httpx.ASGITransport(app=served)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
            return await asyncio.gather(*(http.post("/api/v1/unfold", json=request_body) for _ in range(20)))

    answers = asyncio.run(class_at_once(body))
    assert [a.status_code for a in answers] == [200] * 20
    assert len({a.content for a in answers}) == 1
    assert served.state.stats.summary()["compute_ms"]["count"] == 1 and served.state.stats.shed == 0
    refused = asyncio.run(class_at_once({"inputs": [[1.0], [2.0]], "weights": {"U": [[1.0, 2.0]]}}))
    assert {a.status_code for a in refused} == {422}
    assert not served.state.in_flight


def _asset_urls(page_html: str) -> list[str]:
    return re.findall(r'(?:src|href)="(/static/[^"]+)"', page_html)


def test_the_pages_name_their_assets_by_path_so_they_load_over_the_pages_own_scheme(client):
    """Behind a proxy that ends TLS the app sees http: an absolute http:// asset URL on an https
    page is mixed content, which the browser blocks, leaving a page without style or script."""
    for path in ("/", "/docs"):
        page = client.get(path).text
        assert re.findall(r'(?:src|href)="(https?:[^"]*)"', page) == [], path
        assert len(_asset_urls(page)) >= 2, path


def test_the_page_names_its_assets_by_content_and_they_are_kept_a_year(client):
    page = client.get("/")
    assert page.headers["cache-control"] == "no-cache"  # the page is asked for again: it names the assets
    urls = _asset_urls(page.text)
    assert len(urls) >= 3 and len({url.split("/")[2] for url in urls}) == 1
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200 and response.headers["cache-control"] == IMMUTABLE, url
        plain = client.get("/static/" + url.split("/", 3)[3])  # the same file under the plain path
        assert plain.content == response.content and plain.headers["cache-control"] == "no-cache"
    assert _asset_urls(client.get("/docs").text)[0].split("/")[2] == urls[0].split("/")[2]


def test_the_content_id_changes_with_any_file(tmp_path):
    (tmp_path / "js").mkdir()
    (tmp_path / "js" / "a.js").write_text("one")
    (tmp_path / "b.css").write_text("two")
    first = content_id(tmp_path)
    assert content_id(tmp_path) == first and len(first) == 12
    (tmp_path / "js" / "a.js").write_text("one!")
    changed = content_id(tmp_path)
    (tmp_path / "js" / "a.js").write_text("one")
    (tmp_path / "js" / "a.js").rename(tmp_path / "js" / "c.js")  # same bytes, another name
    assert len({first, changed, content_id(tmp_path)}) == 3


def test_assets_can_be_revalidated_while_they_are_edited(monkeypatch):
    monkeypatch.setenv("RNN_UNFOLDED_STATIC_IMMUTABLE", "false")
    client = TestClient(create_app(Settings()))
    url = _asset_urls(client.get("/").text)[0]
    assert client.get(url).headers["cache-control"] == "no-cache"


def test_every_setting_is_in_readmes_table():
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    for name in Settings.model_fields:
        assert f"`RNN_UNFOLDED_{name.upper()}`" in readme, name
