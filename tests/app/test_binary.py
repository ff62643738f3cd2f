"""The page's answers in MessagePack (issue 30): asked by Accept: application/msgpack, every float
array travels as raw float64 (app/encoding.py, FLOAT_ARRAY) and reads back to exactly the JSON
answer; a client that does not ask gets the JSON bytes it always had."""

import base64
import json

import msgpack
import numpy as np
import orjson
import pytest
from fastapi.testclient import TestClient

from app.encoding import FLOAT_ARRAY, MSGPACK, encode, encode_json, encode_msgpack, read_msgpack
from app.main import create_app
from app.settings import Settings

BINARY = {"Accept": MSGPACK}


@pytest.fixture
def client():
    return TestClient(create_app(Settings()))


def both(client, path: str, body: dict):
    """The JSON answer and the MessagePack one, read back, for one request."""
    as_json = client.post(path, json=body)
    as_binary = client.post(path, json=body, headers=BINARY)
    assert as_json.status_code == as_binary.status_code == 200, as_json.text
    assert as_json.headers["content-type"] == "application/json"
    assert as_binary.headers["content-type"] == MSGPACK
    return as_json, as_binary


@pytest.mark.parametrize("body", [
    {"sequence": "hello world, hello", "hidden_size": 6, "include": ["auto"]},
    {"sequence": "hello world, hello", "hidden_size": 5, "cell": "lstm", "truncate": 3, "include": ["auto"]},
    {"sequence": "hello world", "hidden_size": 4, "cell": "gru", "digits": 17, "include": ["per_step_gradients"]},
    {"sequence": "hello world", "hidden_size": 4, "cell": "lstm", "layers": 2, "bidirectional": True,
     "embedding": 3},
])
def test_an_unfold_in_msgpack_reads_back_to_its_json(client, body):
    as_json, as_binary = both(client, "/api/v1/unfold", body)
    assert read_msgpack(as_binary.content) == as_json.json()
    # the float arrays went as raw doubles: the message is no JSON in disguise
    kinds = []
    msgpack.unpackb(as_binary.content, ext_hook=lambda code, data: kinds.append(code), strict_map_key=False)
    assert kinds and set(kinds) == {FLOAT_ARRAY}


def test_training_and_the_gradient_check_in_msgpack_read_back_to_their_json(client):
    body = {"sequence": "abcabcabc", "hidden_size": 4, "cell": "gru", "steps": 3, "optimizer": "adam"}
    as_json, as_binary = both(client, "/api/v1/train", body)
    answer = read_msgpack(as_binary.content)
    assert answer == as_json.json()
    assert answer["weights"]["W"] == as_json.json()["weights"]["W"]  # full precision survives, bit for bit
    as_json, as_binary = both(client, "/api/v1/gradcheck", {"sequence": "abcab", "hidden_size": 3})
    assert read_msgpack(as_binary.content) == as_json.json()


def test_json_stays_the_default_and_a_refusal_stays_json(client):
    body = {"sequence": "hello", "hidden_size": 3}
    plain = client.post("/api/v1/unfold", json=body)
    assert plain.headers["content-type"] == "application/json"
    assert "Accept" in plain.headers["vary"]  # a cache keeps the two apart
    assert client.post("/api/v1/unfold", json=body, headers={"Accept": "application/json"}).content == plain.content
    refused = client.post("/api/v1/unfold", json={**body, "hidden_size": 10**6}, headers=BINARY)
    assert refused.status_code == 422
    assert refused.headers["content-type"] == "application/json"
    assert refused.json()["detail"][0]["loc"][-1] == "hidden_size"


def test_the_get_form_names_its_format_in_the_url_with_an_etag_per_representation(client):
    q = base64.urlsafe_b64encode(json.dumps({"sequence": "hello", "hidden_size": 3}).encode()).decode().rstrip("=")
    as_json = client.get(f"/api/v1/unfold?q={q}")
    as_binary = client.get(f"/api/v1/unfold?q={q}&format=msgpack")
    assert as_binary.headers["content-type"] == MSGPACK
    assert read_msgpack(as_binary.content) == as_json.json()
    # a cache that ignores Vary keys on the URL: Accept alone never changes a GET's format
    assert client.get(f"/api/v1/unfold?q={q}", headers=BINARY).content == as_json.content
    tag_json, tag_binary = as_json.headers["etag"], as_binary.headers["etag"]
    assert tag_json != tag_binary
    not_modified = client.get(f"/api/v1/unfold?q={q}&format=msgpack", headers={"If-None-Match": tag_binary})
    assert not_modified.status_code == 304
    assert not_modified.headers["vary"] == as_binary.headers["vary"] == "Accept-Encoding"  # RFC 9110: a 304's Vary
    # the JSON's tag does not stand for the MessagePack body
    again = client.get(f"/api/v1/unfold?q={q}&format=msgpack", headers={"If-None-Match": tag_json})
    assert again.status_code == 200 and again.headers["content-type"] == MSGPACK
    refused = client.get(f"/api/v1/unfold?q={q}&format=xml")
    assert refused.status_code == 422 and refused.json()["detail"][0]["loc"][-1] == "format"


@pytest.mark.parametrize(("accept", "binary"), [
    ("application/msgpack", True),
    ("application/msgpack, application/json;q=0.5", True),
    ("application/json, application/msgpack;q=0", False),
    ("application/msgpack;q=0.4, application/json", False),
    ("application/json;q=0.9, application/msgpack;q=0.9", True),
    ("*/*", False),
    ("Application/MsgPack; q=1.0, */*;q=0.1", True),
    ("application/msgpack;q=oops", False),
    ("", False),
])
def test_msgpack_is_chosen_by_the_weights_of_accept(client, accept, binary):
    answer = client.post("/api/v1/unfold", json={"sequence": "hello", "hidden_size": 3}, headers={"Accept": accept})
    assert answer.status_code == 200
    assert answer.headers["content-type"] == (MSGPACK if binary else "application/json")


def test_non_finite_numbers_read_as_json_writes_them():
    content = {
        "curve": np.array([1.5, np.nan, -np.inf, np.inf]),
        "scalar": float("nan"), "numpy_scalar": np.float64(np.inf), "list": [0.25, float("nan"), None],
        "grid": np.arange(24, dtype=np.float32).reshape(2, 3, 4) / 7,  # float32 travels as float64
        "empty": np.zeros((0, 3)), "ints": np.arange(3), "flags": np.array([True, False]),
    }
    assert read_msgpack(encode_msgpack(content)) == orjson.loads(encode_json(content))
    assert read_msgpack(encode_msgpack({"zero_d": np.array(2.5)})) == {"zero_d": 2.5}  # (orjson refuses 0-d)
    turned = np.arange(24.0).reshape(2, 3, 4).transpose(2, 0, 1)  # not C-ordered: packed in its own order
    assert read_msgpack(encode_msgpack(turned)) == turned.tolist()


def test_every_float_array_starts_eight_byte_aligned_in_its_extension():
    """A reader may view the data as float64 in place (binary.js copies it; NumPy reads it)."""
    for shape in [(), (1,), (7,), (2, 3), (2, 3, 5), (1, 1, 1, 1)]:
        array = np.asarray(np.random.default_rng(0).standard_normal(shape))
        ext = msgpack.unpackb(encode_msgpack(array), ext_hook=lambda code, data: (code, data))
        code, data = ext
        assert code == FLOAT_ARRAY
        assert (1 + data[0]) % 8 == 0 and data[1] == len(shape)
        assert np.frombuffer(data, "<f8", offset=1 + data[0]).tobytes() == array.tobytes()


def test_a_large_binary_answer_is_gzipped_when_the_client_accepts_it():
    content = {"h": np.linspace(0, 1, 4096)}
    body, headers = encode(content, gzipped=True, binary=True)
    assert headers["Content-Encoding"] == "gzip" and headers["Content-Type"] == MSGPACK
    import gzip

    assert read_msgpack(gzip.decompress(body)) == orjson.loads(encode_json(content))
