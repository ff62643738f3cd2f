"""POST /api/v1/unfold: every field, and the numbers against the core."""

import math
import re
import sys

import numpy as np
import pytest

import core


def unfold(client, **body):
    response = client.post("/api/v1/unfold", json=body)
    assert response.status_code == 200, response.text
    return response.json()


def test_text_response_has_every_section_and_agrees_with_the_core(client):
    body = unfold(client, sequence="hello", hidden_size=5, seed=3, digits=17)
    assert body["config"] == {
        "task": "many-to-many", "cell": "rnn", "gates": [], "activation": "tanh", "output": "softmax",
        "hidden_size": 5, "input_size": 4, "output_size": 4, "steps": 4, "seed": 3, "truncate": None, "digits": 17,
        "spectral_radius": pytest.approx(body["config"]["spectral_radius"]), "forget_bias": None,
        "include": [], "gradcheck_cost": body["config"]["gradcheck_cost"],
    }
    assert body["vocab"] == ["e", "h", "l", "o"]
    seq = core.encode_text("hello")
    params = core.init_params(4, 5, 4, seed=3)
    fwd = core.forward(params, seq)
    bwd = core.backward(fwd)
    # with digits=17 every number survives JSON exactly
    assert np.array_equal(np.array(body["weights"]["W"]), params.W)
    assert np.array_equal(np.array(body["forward"]["h"]), fwd.h)
    assert np.array_equal(np.array(body["forward"]["y_hat"]), fwd.y_hat)
    assert body["forward"]["total_loss"] == fwd.total_loss
    assert np.array_equal(np.array(body["errors"]["h"]), bwd.dh)
    assert np.array_equal(np.array(body["errors"]["h0"]), bwd.dh0)
    assert np.array_equal(np.array(body["gradients"]["total"]["W"]), bwd.grads["W"])
    assert np.array_equal(np.array(body["flows"]["h"]), bwd.flow)
    assert body["forward"]["has_loss"] == [True] * 4
    assert len(body["gradients"]["norms"]["U"]) == 4
    assert "per_step" not in body["gradients"] and set(body["flows"]) == {"h"}


def significant_digits(number: float) -> int:
    mantissa = repr(abs(float(number))).split("e")[0].replace(".", "")
    return len(mantissa.strip("0"))


def test_numbers_keep_nine_significant_digits_by_default(client):
    body = unfold(client, sequence="hello world", hidden_size=6, seed=2)
    assert body["config"]["digits"] == 9
    seq = core.encode_text("hello world")
    fwd = core.forward(core.init_params(seq.x.shape[1], 6, seq.y.shape[1], seed=2), seq)
    bwd = core.backward(fwd)
    for served, exact in [(body["forward"]["h"], fwd.h), (body["errors"]["a"], bwd.da),
                          (body["gradients"]["total"]["W"], bwd.grads["W"]), (body["flows"]["h"], bwd.flow)]:
        served = np.array(served)
        np.testing.assert_allclose(served, exact, rtol=5e-9, atol=0)
        assert not np.array_equal(served, exact)  # rounded, not the full float64
        # and printed short: 9 digits, or 10 where the decimal exponent was under-estimated
        assert max(significant_digits(v) for v in served.ravel() if abs(v) > 1e-13) <= 10
    assert body["forward"]["total_loss"] == pytest.approx(fwd.total_loss, rel=5e-9)


def test_the_default_answer_for_256_steps_is_under_a_megabyte_gzipped(client):
    text = (core.__doc__ or "") + " ".join(sorted(dir(np)))
    body = {"sequence": text[:257], "hidden_size": 64}
    response = client.post("/api/v1/unfold", json=body, headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200 and response.headers["content-encoding"] == "gzip"
    assert response.json()["config"]["steps"] == 256
    assert int(response.headers["content-length"]) < 1_000_000


def test_the_response_reproduces_elsewhere(client):
    """weights and h0 in a response, sent back as explicit weights, give the same numbers."""
    first = unfold(client, sequence="abcab", seed=9, hidden_size=3, h0=[0.1, -0.2, 0.3], digits=17)
    again = unfold(client, sequence="abcab", weights=first["weights"], h0=first["h0"], seed=0, digits=17)
    assert again["forward"] == first["forward"] and again["flows"] == first["flows"]


def test_numbers_default_to_identity_head_and_next_value_targets(client):
    body = unfold(client, inputs=[0.0, 0.5, 1.0, 0.5])
    assert body["config"]["output"] == "identity" and body["config"]["steps"] == 3
    assert body["vocab"] is None
    assert body["forward"]["y"] == [[0.5], [1.0], [0.5]]


def test_vectors_with_explicit_targets_and_sigmoid_head(client):
    body = unfold(client, inputs=[[1, 0], [0, 1], [1, 1]], targets=[[1], [0], [1]], output="sigmoid", hidden_size=3)
    assert body["config"]["input_size"] == 2 and body["config"]["output_size"] == 1
    y_hat = np.array(body["forward"]["y_hat"])
    assert np.all((y_hat > 0) & (y_hat < 1))


@pytest.mark.parametrize("task,losses", [
    ("many-to-many", [True, True, True]), ("many-to-one", [False, False, True]), ("one-to-many", [True, True, True]),
])
def test_task(client, task, losses):
    body = unfold(client, sequence="abcd", task=task)
    assert body["config"]["task"] == task and body["forward"]["has_loss"] == losses
    flow = np.array(body["flows"]["h"])
    assert np.all((flow.sum(axis=1) > 0) == np.array(losses))
    if task == "one-to-many":
        assert np.all(np.array(body["forward"]["x"])[1:] == 0)


@pytest.mark.parametrize("activation", ["tanh", "relu", "sigmoid", "identity"])
def test_activation(client, activation):
    body = unfold(client, sequence="hello", activation=activation)
    a, h = np.array(body["forward"]["a"]), np.array(body["forward"]["h"])
    assert np.allclose(h, core.ACTIVATIONS[activation].g(a))


def test_spectral_radius_rescales_w(client):
    body = unfold(client, sequence="hello", spectral_radius=1.7)
    assert core.spectral_radius(np.array(body["weights"]["W"])) == pytest.approx(1.7)
    assert body["config"]["spectral_radius"] == pytest.approx(1.7)


def test_truncate_cuts_the_flow_matrix_to_a_band(client):
    body = unfold(client, sequence="abcabcab", truncate=2)
    flow = np.array(body["flows"]["h"])
    s, t = np.indices(flow.shape)
    assert body["config"]["truncate"] == 2
    assert np.all(flow[s - t >= 2] == 0) and np.all(flow[(s - t >= 0) & (s - t < 2)] > 0)


def test_seed_changes_the_weights(client):
    w0 = unfold(client, sequence="hello", seed=0)["weights"]["W"]
    assert unfold(client, sequence="hello", seed=0)["weights"]["W"] == w0
    assert unfold(client, sequence="hello", seed=1)["weights"]["W"] != w0


def test_heavy_sections_are_opt_in_and_add_up(client):
    body = unfold(client, sequence="abcab", include=["per_step_gradients", "flows_by_unit"], digits=17)
    for name, total in body["gradients"]["total"].items():
        parts = np.array(body["gradients"]["per_step"][name])
        assert np.allclose(parts.sum(axis=0), total, rtol=1e-12, atol=1e-15)
    by_unit = np.array(body["flows"]["by_unit"])
    assert np.allclose(by_unit.sum(axis=0), body["errors"]["h"])
    assert np.allclose(np.linalg.norm(by_unit, axis=2), body["flows"]["h"])


def test_shares_split_each_step(client):
    body = unfold(client, sequence="hello world", include=["flow_shares"])
    share = np.array(body["flows"]["share"])
    assert np.allclose(share.sum(axis=0), 1.0)


def test_the_limit_is_admitted_and_every_number_is_finite(client):
    rng = np.random.default_rng(0)
    text = "".join(rng.choice(list("abcdefghijklmnopqrstuvwxyz .,"), 1025))
    response = client.post("/api/v1/unfold", json={"sequence": text, "hidden_size": 128})
    assert response.status_code == 200
    assert b"NaN" not in response.content and b"Infinity" not in response.content
    body = response.json()
    assert body["config"]["steps"] == 1024 and len(body["flows"]["h"]) == 1024
    assert all(math.isfinite(v) for row in body["flows"]["h"] for v in row)


def test_gradcheck_reports_small_errors_for_every_parameter(client):
    for extra in ({}, {"truncate": 2}, {"task": "many-to-one", "activation": "sigmoid"}):
        response = client.post("/api/v1/gradcheck", json={"sequence": "abcab", "hidden_size": 4, **extra})
        assert response.status_code == 200, response.text
        errors = response.json()["max_relative_error"]
        assert set(errors) == {"U", "W", "b", "V", "c", "h0", "x"}
        assert max(errors.values()) < 1e-6


def test_gradcheck_agrees_with_the_core_function(client):
    body = client.post("/api/v1/gradcheck", json={"inputs": [0.1, 0.4, -0.3, 0.8], "hidden_size": 3}).json()
    seq = core.encode_numbers([0.1, 0.4, -0.3, 0.8])
    expected = core.gradcheck(core.init_params(1, 3, 1, 0), seq, "tanh", "identity")
    assert body["max_relative_error"] == pytest.approx(expected, rel=1e-6)


def test_the_gradient_check_is_computed_in_a_process_of_its_own(client, monkeypatch):
    """Its thousands of small NumPy calls would hold this process's GIL against the answers
    computed beside it. The check's BPTT broken here, and only here, does not touch it."""
    def broken(*args, **kwargs):
        raise AssertionError("the check ran in the server's process")

    monkeypatch.setattr(sys.modules["core.gradcheck"], "backward", broken)
    response = client.post("/api/v1/gradcheck", json={"sequence": "abcab", "hidden_size": 3})
    assert response.status_code == 200, response.text
    assert max(response.json()["max_relative_error"].values()) < 1e-6


def test_presets_each_run_and_show_what_they_say(client):
    response = client.get("/api/v1/presets")
    assert response.status_code == 200
    presets = {p["name"]: p for p in response.json()}
    assert {"hello", "pattern", "sine", "vanishing", "exploding", "carousel", "gru"} <= set(presets)
    results = {name: unfold(client, **p["request"]) for name, p in presets.items()}
    vanishing = np.array(results["vanishing"]["flows"]["h"])[-1]
    assert vanishing[0] < 1e-3 * vanishing[-1]
    exploding = np.array(results["exploding"]["flows"]["h"])[-1]
    assert exploding[0] > 100 * exploding[-1]
    assert results["sine"]["vocab"] is None and results["truncated"]["config"]["truncate"] == 3
    # the carousel: the LSTM's cell state carries the loss's error back to the first input, where the
    # simple RNN's dies on the same sequence
    carried = np.array(results["carousel"]["flows"]["s"])[-1]
    assert carried[0] > 0.1 * carried[-1] and results["gru"]["config"]["cell"] == "gru"
    rnn = unfold(client, **{**presets["carousel"]["request"], "cell": "rnn", "forget_bias": None})["flows"]["h"][-1]
    assert rnn[0] < 0.1 * carried[0] / carried[-1] * rnn[-1]
    # the teaching presets: rho = 1 fades far more slowly than 0.6; sigmoid's 1/4 vanishes faster
    # than tanh at the same rho; a window of 5 on a long dependency loses more than on the pattern
    def gain(name, **extra):
        return unfold(client, **{**presets[name]["request"], **extra, "include": ["gain"]})["gain"]["h"]

    def cost(name):
        return unfold(client, **{**presets[name]["request"], "include": ["truncation"]})["truncation"]["relative"]["W"]

    assert gain("edge")[12] > 10 * gain("vanishing")[12]
    assert gain("sigmoid")[6] < 1e-2 * gain("sigmoid", activation="tanh")[6]
    assert cost("truncation_hurts") > 0.5 and cost("truncated") < 0.35
    # the counts a description gives are the answer's: T steps, and a letter at t = 0 is T - 1 back
    for name, preset in presets.items():
        steps = len(results[name]["forward"]["h"])
        for over in re.findall(r"over (\d+) steps", preset["description"]):
            assert int(over) == steps, name
        # a trained model's lag is its task's: T - 1 but for copy, whose answer lies d steps back
        # (a stack's checkpoint says how far back it measured its layers' gain: its distance)
        checkpoint = client.get(f"/api/v1/models/{preset['checkpoint']}").json() if preset.get("checkpoint") else {}
        lag = checkpoint.get("lag", checkpoint.get("distance", steps - 1))
        for back in re.findall(r"(\d+) steps back", preset["description"]):
            assert int(back) == lag, name
    # what a learner reads is written in the page's symbols, not ASCII stand-ins for them
    for preset in presets.values():
        words = f"{preset['title']} {preset['description']}"
        assert not re.search(r"rho\(|gamma|\|\||dJ/d", words), preset["name"]


def test_health_page_and_docs(client):
    response = client.get("/api/v1/health")
    assert response.status_code == 200 and response.json()["status"] == "ok"
    assert client.get("/").status_code == 200
    schema = client.get("/openapi.json").json()
    assert {"/api/v1/unfold", "/api/v1/gradcheck", "/api/v1/presets", "/api/v1/health"} <= set(schema["paths"])
    limits = schema["components"]["schemas"]["UnfoldRequest"]["properties"]["hidden_size"]
    assert limits["maximum"] == 128


@pytest.mark.parametrize("cell", core.CELLS)
def test_the_truncation_section_is_the_distance_to_full_bptt(client, cell):
    base = {"sequence": "abcabcabcabc", "cell": cell, "hidden_size": 5, "digits": 17}
    full = unfold(client, **base)["gradients"]["total"]
    for k in (1, 3, 11, 50):
        answer = unfold(client, **base, truncate=k, include=["truncation"])
        cut = answer["truncation"]
        assert cut["window"] == k
        for name, value in full.items():
            difference = np.linalg.norm(np.array(answer["gradients"]["total"][name]) - np.array(value))
            size = np.linalg.norm(value)
            assert cut["full_norm"][name] == pytest.approx(size, rel=1e-12)
            assert cut["relative"][name] == pytest.approx(difference / size if size else 0.0, rel=1e-9, abs=1e-15)
            if k >= answer["config"]["steps"] or name in ("V", "c"):
                assert cut["relative"][name] < 1e-13  # nothing is cut (V and c need only their own step)
    assert unfold(client, **base, include=["truncation"])["truncation"]["relative"]["b"] == 0.0
