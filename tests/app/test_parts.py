"""A MessagePack answer is sent as it is computed (issue 30): the map's header and every entry but
the late sections (settings.LATE_SECTIONS, listed in /meta: the gain's SVDs, the truncation's second sweep) go out
first, so the page draws the network while the server computes the rest. The bytes are those of
the whole answer; only their timing changes.

Streaming shows only over a real connection (the test client collects a body whole), so these
tests run uvicorn in a thread of this process, where the gain can be held back."""

import gzip
import threading
import time

import httpx
import msgpack
import pytest
import uvicorn

from app import service
from app.encoding import MSGPACK, encode_msgpack, read_msgpack
from app.main import create_app
from app.schemas import UnfoldRequest
from app.settings import Settings
from harness import free_port

WAIT = 20  # seconds: a bound on every wait, so that a server that never sends fails, not hangs
BODY = {"sequence": "hello world, hello again", "hidden_size": 8, "cell": "lstm", "truncate": 4, "include": ["auto"]}


@pytest.fixture
def server():
    """uvicorn serving a fresh app in a thread of this process; yields its base URL."""
    port = free_port()
    instance = uvicorn.Server(uvicorn.Config(create_app(Settings()), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=instance.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + WAIT
    while not instance.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    instance.should_exit = True
    thread.join(WAIT)


@pytest.fixture
def held_gain(monkeypatch):
    """The gain waits until the test lets it go (at most WAIT seconds, then it fails)."""
    go, started = threading.Event(), threading.Event()
    compute = service.core.error_gain

    def held(*args, **kwargs):
        started.set()
        if not go.wait(WAIT):
            raise RuntimeError("the gain was never let go")
        return compute(*args, **kwargs)

    monkeypatch.setattr(service.core, "error_gain", held)
    return go, started


def test_the_first_part_arrives_while_the_gain_is_still_being_computed(server, held_gain):
    go, started = held_gain
    headers = {"Accept": MSGPACK, "Accept-Encoding": "identity"}
    with httpx.Client(timeout=WAIT) as client, client.stream("POST", f"{server}/api/v1/unfold", json=BODY,
                                                             headers=headers) as response:
        assert response.status_code == 200 and response.headers["content-type"] == MSGPACK
        reader = msgpack.Unpacker(strict_map_key=False, raw=False)
        chunks, raw = response.iter_raw(), bytearray()

        def more():
            raw.extend(chunk := next(chunks))
            reader.feed(chunk)

        more()
        size = reader.read_map_header()
        items = []  # keys and values, one object at a time
        while len(items) < 2 * (size - 2):  # every entry but gain and truncation, before the gain is let go
            try:
                items.append(reader.unpack())
            except msgpack.OutOfData:
                more()
        first = list(zip(items[::2], items[1::2], strict=True))
        assert started.is_set() and not go.is_set()  # the gain is being computed, held back
        names = [name for name, _ in first]
        assert names[0] == "config" and {"forward", "errors", "flows"} <= set(names)
        assert not {"gain", "truncation"} & set(names)
        # the flows after what the network is drawn from
        assert names.index("flows") > max(names.index(name) for name in ("forward", "errors", "gradients"))
        go.set()
        rest = b"".join(chunks)
    reader.feed(rest)
    last = [(reader.unpack(), reader.unpack()), (reader.unpack(), reader.unpack())]
    late = httpx.get(f"{server}/api/v1/meta", timeout=WAIT).json()["late_sections"]  # what the page splits by
    assert [name for name, _ in last] == late == ["gain", "truncation"]
    assert bytes(raw) + rest == encode_msgpack(service.unfold(UnfoldRequest(**BODY)))  # the whole answer's bytes


def test_a_gzipped_stream_is_the_whole_answer_and_is_cached(server):
    headers = {"Accept": MSGPACK, "Accept-Encoding": "gzip"}
    with httpx.Client(timeout=WAIT) as client:
        first = client.post(f"{server}/api/v1/unfold", json=BODY, headers=headers)
        again = client.post(f"{server}/api/v1/unfold", json=BODY, headers=headers)
        stats = client.get(f"{server}/api/v1/stats").json()
    assert first.headers["content-encoding"] == "gzip" and "content-length" not in first.headers  # sent in parts
    assert again.headers["content-length"]  # from the cache, whole
    assert first.content == again.content == encode_msgpack(service.unfold(UnfoldRequest(**BODY)))  # httpx gunzips
    assert stats["cache"]["hits"] == 1 and stats["compute_ms"]["count"] == 1
    assert gzip.decompress(client_raw(server, headers)) == first.content


def client_raw(server: str, headers: dict) -> bytes:
    with httpx.Client(timeout=WAIT) as client, client.stream("POST", f"{server}/api/v1/unfold", json=BODY,
                                                             headers=headers) as response:
        return b"".join(response.iter_raw())


def test_a_refusal_found_before_the_first_part_is_a_json_error(server):
    with httpx.Client(timeout=WAIT) as client:
        refused = client.post(f"{server}/api/v1/unfold", json={**BODY, "sequence": "x"}, headers={"Accept": MSGPACK})
    assert refused.status_code == 422 and refused.headers["content-type"] == "application/json"
    assert refused.json()["detail"][0]["loc"][-1] == "sequence"


def test_a_failure_after_the_first_part_ends_the_connection_short_and_is_not_cached(server, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("a bug in the gain")

    monkeypatch.setattr(service.core, "error_gain", broken)
    headers = {"Accept": MSGPACK, "Accept-Encoding": "identity"}
    with httpx.Client(timeout=WAIT) as client:
        with pytest.raises(httpx.RemoteProtocolError):  # the chunked body never ends properly
            client.post(f"{server}/api/v1/unfold", json=BODY, headers=headers)
        monkeypatch.undo()
        answer = client.post(f"{server}/api/v1/unfold", json=BODY, headers=headers)
        stats = client.get(f"{server}/api/v1/stats").json()
    assert answer.status_code == 200 and "gain" in read_msgpack(answer.content)
    assert stats["cache"]["hits"] == 0  # the broken one was not kept


@pytest.mark.parametrize("body", [BODY, {"sequence": "hello world", "hidden_size": 4, "cell": "gru"},
                                  {"inputs": [0.5, -1.0, 2.0], "targets": [1.0, 0.0, -1.0], "hidden_size": 3}])
def test_the_network_s_part_ends_with_the_gradients_and_the_flows_come_next(body):
    """The page draws the network once the gradients are in (static/js/io/api.js): what it is drawn
    from comes first, the flows (T x T) in a part of their own, flushed after it; the entries keep
    the order of the whole answer."""
    parts = list(service.unfold_parts(UnfoldRequest(**body)))
    (first, to_come), rest = parts[0], parts[1:]
    assert list(first)[-1] == "gradients" and {"config", "weights", "forward", "errors"} <= set(first)
    assert list(rest[0])[0] == "flows" and list(to_come) == [name for part in rest for name in part]
    assert list(service.unfold(UnfoldRequest(**body))) == [*first, *to_come]
