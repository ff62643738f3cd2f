"""Issue 26: a restructuring changes no byte of an answer. A few answers of every kind (each
cell's unfold, training on a sequence and on a dataset, the gradient check, a refusal, a
conversion, /openapi.json) are hashed on one BLAS thread and held to the hashes pinned in
pinned_answers.json, written on this machine's kind with the locked NumPy: any change of
behaviour, however small, fails here and must be pinned again on purpose
(``python -m tests.app.test_pinned_answers --write``) with a commit that says why."""

import hashlib
import json
import platform
import sys
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient
from threadpoolctl import threadpool_limits

from app.main import app

PINNED = Path(__file__).with_name("pinned_answers.json")
REQUESTS = {
    "unfold-rnn": ("/api/v1/unfold", {"sequence": "hello world", "include": ["auto"]}),
    "unfold-lstm": ("/api/v1/unfold", {"sequence": "hello world", "cell": "lstm", "include": ["auto", "flows_by_unit"]}),
    "unfold-gru-copy": ("/api/v1/unfold", {"dataset": {"name": "copy", "length": 12, "delay": 3}, "cell": "gru",
                                           "include": ["gain", "truncation"], "truncate": 4}),
    "unfold-minlstm": ("/api/v1/unfold", {"sequence": "abc", "cell": "minlstm", "include": ["gain"]}),
    "unfold-mingru": ("/api/v1/unfold", {"inputs": [0.1, 0.5, 0.9, 0.3], "cell": "mingru", "include": ["auto"]}),
    "train-gru": ("/api/v1/train", {"sequence": "hello hello", "cell": "gru", "steps": 5}),
    "train-lstm-adding": ("/api/v1/train", {"dataset": {"name": "adding", "length": 10, "batch": 4}, "cell": "lstm",
                                            "steps": 3}),
    "gradcheck-mingru": ("/api/v1/gradcheck", {"sequence": "hello", "cell": "mingru"}),
    "refusal": ("/api/v1/unfold", {"sequence": "hello", "cell": "gru", "forget_bias": 2}),
    "convert": ("/api/v1/convert", {"weights": {"U": [[0.5]], "W": [[0.9]], "b": [0.0], "V": [[1.0]], "c": [0.0]},
                                    "to": "pytorch"}),
    "openapi": ("/openapi.json", None),
}


def fingerprint() -> dict:
    return {"numpy": np.__version__, "machine": platform.machine(), "python": platform.python_version_tuple()[0]}


def hashes() -> dict:
    with threadpool_limits(1, user_api="blas"), TestClient(app) as client:
        out = {}
        for name, (path, body) in REQUESTS.items():
            response = client.post(path, json=body) if body is not None else client.get(path)
            out[name] = f"{response.status_code} {hashlib.sha256(response.content).hexdigest()}"
        return out


def test_the_pinned_answers_keep_their_bytes():
    pinned = json.loads(PINNED.read_text())
    if pinned["fingerprint"] != fingerprint():
        pytest.skip(f"pinned on {pinned['fingerprint']}, this is {fingerprint()}: another NumPy or machine may "
                    "round differently")
    assert hashes() == pinned["answers"]


if __name__ == "__main__" and "--write" in sys.argv:
    PINNED.write_text(json.dumps({"fingerprint": fingerprint(), "answers": hashes()}, indent=1) + "\n")
