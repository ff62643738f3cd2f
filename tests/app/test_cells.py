"""The LSTM and the GRU through the API: their sections, numbers equal to the core's, the
gain section, and every guarantee the simple RNN has (limits, no NaN, same bytes)."""

import math

import numpy as np
import pytest

import core


def unfold(client, **body):
    response = client.post("/api/v1/unfold", json=body)
    assert response.status_code == 200, response.text
    return response.json()


@pytest.mark.parametrize("cell,gates", [("lstm", ["input", "forget", "candidate", "output"]),
                                        ("gru", ["reset", "update", "candidate"])])
def test_gated_answer_has_the_cells_sections_and_the_cores_numbers(client, cell, gates):
    body = unfold(client, sequence="hello world", cell=cell, hidden_size=5, seed=2, digits=17,
                  include=["per_step_gradients"])
    config = body["config"]
    assert (config["cell"], config["gates"], config["activation"], config["spectral_radius"]) == (cell, gates, None, None)
    seq = core.encode_text("hello world")
    D = seq.x.shape[1]
    params = core.init_params(D, 5, D, seed=2, cell=cell)
    fwd = core.forward(params, seq)
    bwd = core.backward(fwd)
    H = 5
    assert list(body["forward"]["gates"]) == gates
    for k, name in enumerate(gates):
        assert np.array_equal(np.array(body["forward"]["gates"][name]), fwd.gates[:, k * H:(k + 1) * H])
    assert np.array(body["forward"]["a"]).shape == (10, len(gates) * H)
    assert np.array_equal(np.array(body["forward"]["h"]), fwd.h)
    assert np.array_equal(np.array(body["errors"]["a"]), bwd.da)
    assert set(body["weights"]) == set(params.names) == set(body["gradients"]["total"]) == set(body["gradients"]["per_step"])
    for name in params.names:
        assert np.array_equal(np.array(body["gradients"]["total"][name]), bwd.grads[name])
        assert np.array(body["gradients"]["per_step"][name]).shape == (10, *getattr(params, name).shape)
    if cell == "lstm":
        assert config["forget_bias"] == 1.0
        assert np.array_equal(np.array(body["forward"]["s"]), fwd.s)
        assert np.array_equal(np.array(body["errors"]["s"]), bwd.ds)
        assert np.array_equal(np.array(body["errors"]["s0"]), bwd.ds0)
        assert np.array_equal(np.array(body["flows"]["s"]), bwd.flow_s)
        assert body["s0"] == [0.0] * H
    else:
        assert "s" not in body["forward"] and "s" not in body["flows"] and "s0" not in body["errors"]
        assert len(body["weights"]["b_hn"]) == H


def test_the_rnn_answer_has_no_gated_sections(client):
    body = unfold(client, sequence="hello")
    assert "gates" not in body["forward"] and "s" not in body["forward"] and "s" not in body["flows"]
    assert "b_hn" not in body["weights"] and "s0" not in body


def test_forget_bias_sets_the_forget_gate_and_keeps_the_cell_state_longer(client):
    request = {"sequence": "x" + "abcdefgh" * 3, "cell": "lstm", "task": "many-to-many"}
    low, high = unfold(client, **request, forget_bias=-2), unfold(client, **request, forget_bias=5)
    assert np.all(np.array(low["weights"]["b"])[8:16] == -2) and np.all(np.array(high["weights"]["b"])[8:16] == 5)
    assert np.mean(high["forward"]["gates"]["forget"]) > 0.95 > 0.2 > np.mean(low["forward"]["gates"]["forget"])
    # the cell-state error of the last loss reaches the first step far stronger with the gate open
    far = lambda body: np.array(body["flows"]["s"])[-1, 0] / np.array(body["flows"]["s"])[-1, -1]  # noqa: E731
    assert far(high) > 1e3 * far(low)


def test_explicit_gated_weights_and_initial_states_are_used(client):
    rng = np.random.default_rng(0)
    H, D = 3, 2
    weights = {"U": rng.normal(size=(3 * H, D)), "W": rng.normal(size=(3 * H, H)), "b": rng.normal(size=3 * H),
               "b_hn": rng.normal(size=H), "V": rng.normal(size=(D, H)), "c": rng.normal(size=D)}
    inputs = rng.uniform(size=(5, D)).tolist()
    body = unfold(client, inputs=inputs, cell="gru", weights={k: v.tolist() for k, v in weights.items()},
                  h0=[0.1, -0.2, 0.3], digits=17)
    fwd = core.forward(core.Params(**weights, cell="gru"), core.encode_numbers(inputs), "tanh", "identity",
                       np.array([0.1, -0.2, 0.3]))
    assert np.array_equal(np.array(body["forward"]["h"]), fwd.h)
    assert body["config"]["hidden_size"] == H


def test_gain_section_equals_a_direct_computation_from_the_flow_matrix(client):
    for cell in core.CELLS:
        body = unfold(client, sequence="the gain of every cell", cell=cell, include=["gain"], digits=17)
        F = np.array(body["flows"]["h"])
        T = len(F)
        for d in (0, 1, 5, T - 1):
            ratios = [F[s][s - d] / F[s][s] for s in range(d, T)]
            assert body["gain"]["h"][d] == pytest.approx(math.exp(np.mean(np.log(ratios))), rel=1e-12)
        assert ("s" in body["gain"]) == (cell == "lstm") and ("jacobian" in body["gain"]) == (cell in ("rnn", "mingru", "minlstm"))


def test_rnn_gain_has_the_exact_jacobian_norms_and_the_bound(client):
    body = unfold(client, sequence="abcdefg", hidden_size=4, include=["gain"], digits=17)
    W = np.array(body["weights"]["W"])
    dg = 1 - np.array(body["forward"]["h"]) ** 2
    T = 6
    product = np.eye(4)
    for d in range(T):
        if d:
            product = product @ np.diag(dg[T - d]) @ W
        assert body["gain"]["jacobian"][d] == pytest.approx(np.linalg.norm(product, 2), rel=1e-10)
        assert body["gain"]["bound"][d] == pytest.approx(np.linalg.norm(W, 2) ** d, rel=1e-12)
        assert body["gain"]["jacobian"][d] <= body["gain"]["bound"][d] * (1 + 1e-12)
    assert body["gain"]["threshold"] == 1.0 and body["gain"]["gamma"] == 1.0


def test_an_exploding_gain_is_null_past_overflow_never_infinite(client):
    # 30^d passes the largest double at d = 209: the bound and the Jacobian norms stop there
    body = unfold(client, inputs=[0.0] * 301, activation="identity", spectral_radius=30, hidden_size=2,
                  task="many-to-one", include=["gain"])
    gain = body["gain"]
    for curve in (gain["bound"], gain["jacobian"]):
        assert curve[150] > 1e200 and curve[-1] is None
        assert all(v is None or math.isfinite(v) for v in curve)
    assert gain["h"][0] is None  # the all-zero targets leave no error to measure a gain by


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_the_limits_are_admitted_for_every_cell(client, cell):
    rng = np.random.default_rng(1)
    text = "".join(rng.choice(list("abcdefghijklmnopqrstuvwxyz .,"), 1025))
    response = client.post("/api/v1/unfold", json={"sequence": text, "hidden_size": 128, "cell": cell},
                           headers={"accept-encoding": "gzip"})
    assert response.status_code == 200
    assert b"NaN" not in response.content and b"Infinity" not in response.content
    body = response.json()
    assert body["config"]["steps"] == 1024 and len(body["flows"]["h"]) == 1024
    assert all(math.isfinite(v) for row in body["flows"]["h"] for v in row)


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_same_request_same_bytes(client, cell):
    request = {"sequence": "same bytes", "cell": cell, "include": ["flow_shares", "gain"]}
    first, second = (client.post("/api/v1/unfold", json=request) for _ in range(2))
    assert first.status_code == 200 and first.content == second.content


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_gradcheck_for_the_gated_cells(client, cell):
    for extra in ({}, {"truncate": 2}, {"task": "many-to-one"}):
        response = client.post("/api/v1/gradcheck", json={"sequence": "abcab", "hidden_size": 3, "cell": cell, **extra})
        assert response.status_code == 200, response.text
        errors = response.json()["max_relative_error"]
        assert set(errors) == {"U", "W", "b", "V", "c", "h0", "x"} | ({"s0"} if cell == "lstm" else {"b_hn"})
        assert max(errors.values()) < 1e-6


def test_the_maths_the_api_docs_link_to_is_served_from_the_repository(client):
    description = client.get("/openapi.json").json()["info"]["description"]
    assert "(/MATH.md)" in description
    response = client.get("/MATH.md")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/markdown")
    text = response.text
    for cell_heading in ("LSTM", "GRU", "b_hn", "δs"):
        assert cell_heading in text


@pytest.mark.parametrize("seed", range(6))
def test_the_gain_never_exceeds_the_bound_on_random_cases(client, seed):
    rng = np.random.default_rng(seed)
    activation = ["tanh", "relu", "sigmoid", "identity"][seed % 4]
    body = unfold(client, sequence="".join(rng.choice(list("abcdef"), 14)), hidden_size=int(rng.integers(2, 9)),
                  seed=seed, activation=activation, spectral_radius=float(rng.uniform(0.3, 2.5)),
                  task=["many-to-many", "many-to-one"][seed % 2], include=["gain"], digits=17)
    gain, bound = body["gain"]["h"], body["gain"]["bound"]
    checked = [(g, b) for g, b in zip(gain, bound, strict=True) if g is not None and b is not None]
    assert len(checked) >= 3
    assert all(g <= b * (1 + 1e-9) for g, b in checked), checked


@pytest.mark.parametrize("cell,gates", [("mingru", ["update", "candidate"]),
                                        ("minlstm", ["forget", "input", "candidate", "f_norm", "i_norm"])])
def test_a_min_cell_answers_its_gates_no_w_and_its_exact_diagonal_jacobian(client, cell, gates):
    """Issue 29: the min cells through the API, their numbers the core's (forward, gates, alpha)."""
    body = unfold(client, sequence="minimal cells", cell=cell, hidden_size=4, include=["gain"], digits=17)
    assert list(body["forward"]["gates"]) == gates and "W" not in body["weights"] and "W" not in body["gradients"]["total"]
    g = {k: np.array(v) for k, v in body["forward"]["gates"].items()}
    h = np.array(body["forward"]["h"])
    h_prev = np.vstack([np.zeros(4), h[:-1]])
    alpha, beta = ((1 - g["update"], g["update"] * g["candidate"]) if cell == "mingru"
                   else (g["f_norm"], g["i_norm"] * g["candidate"]))
    np.testing.assert_allclose(h, alpha * h_prev + beta, rtol=1e-12, atol=1e-15)
    if cell == "minlstm":
        np.testing.assert_allclose(g["f_norm"], g["forget"] / (g["forget"] + g["input"]), rtol=1e-12)
    # the Jacobian dh^(tau)/dh^(tau-d) is diag(prod of alpha): its norm the largest product
    T = len(h)
    for d in (1, 3, T - 1):
        assert body["gain"]["jacobian"][d] == pytest.approx(np.prod(alpha[T - d:], axis=0).max(), rel=1e-12)


@pytest.mark.parametrize("to", ["pytorch", "keras"])
def test_a_min_cell_is_not_converted_to_a_layer_that_does_not_exist(client, to):
    weights = unfold(client, sequence="hello", cell="mingru", hidden_size=2)["weights"]
    response = client.post("/api/v1/convert", json={"weights": weights, "cell": "mingru", "to": to})
    assert response.status_code == 422
    detail = response.json()["detail"][0]
    assert detail["loc"][-1] == "to" and "minGRU" in detail["msg"]
    same = client.post("/api/v1/convert", json={"weights": weights, "cell": "mingru", "to": "canonical"})
    assert same.status_code == 200 and same.json()["weights"]["U"] == weights["U"]
