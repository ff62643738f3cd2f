"""The LSTM and the GRU against PyTorch's own nn.LSTM and nn.GRU: the same weights give the
same states, the same gradients and the same per-source errors (MATH.md, "Cells")."""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from core import (
    CELLS,
    Params,
    Sequence,
    backward,
    encode_text,
    forward,
    init_params,
    param_shapes,
    step_contributions,
    step_norms,
)

torch.set_default_dtype(torch.float64)
D, H, K, T = 3, 4, 3, 6


def torch_cell(cell: str, seed: int):
    """A PyTorch module with random weights and biases (both biases, as PyTorch keeps them)."""
    torch.manual_seed(seed)
    module = {"lstm": torch.nn.LSTM, "gru": torch.nn.GRU}[cell](D, H)
    with torch.no_grad():
        for p in module.parameters():
            p.uniform_(-0.8, 0.8)
    return module


def ours_from_torch(cell: str, module, V: np.ndarray, c: np.ndarray) -> Params:
    """MATH.md's mapping: b = bias_ih + bias_hh, except the GRU's candidate (b_n = b_in, b_hn apart)."""
    sd = {k: v.detach().numpy().copy() for k, v in module.state_dict().items()}
    b = sd["bias_ih_l0"] + sd["bias_hh_l0"]
    b_hn = None
    if cell == "gru":
        b[2 * H:] = sd["bias_ih_l0"][2 * H:]
        b_hn = sd["bias_hh_l0"][2 * H:]
    return Params(U=sd["weight_ih_l0"], W=sd["weight_hh_l0"], b=b, V=V, c=c, cell=cell, b_hn=b_hn)


def problem(cell: str, seed: int = 0):
    rng = np.random.default_rng(seed)
    module = torch_cell(cell, seed)
    V, c = rng.normal(0, 0.7, (K, H)), rng.normal(0, 0.3, K)
    x = rng.normal(0, 1, (T, D))
    y = rng.normal(0, 1, (T, K))
    h0, s0 = rng.normal(0, 0.5, H), rng.normal(0, 0.5, H)
    seq = Sequence(x, y, np.ones(T, dtype=bool))
    return module, ours_from_torch(cell, module, V, c), seq, h0, s0


def torch_steps(cell: str, module, seq: Sequence, h0, s0, V, c):
    """Step the PyTorch module one input at a time so that every h^(t) (and the LSTM's cell
    state) is a node of the graph; squared-error losses J^(t) as the identity head."""
    x = torch.tensor(seq.x)
    h = torch.tensor(h0, requires_grad=True)
    s = torch.tensor(s0, requires_grad=True) if cell == "lstm" else None
    starts = [h] + ([s] if s is not None else [])
    hs, ss = [], []
    for t in range(seq.steps):  # h and s enter each step as the very nodes the losses see
        if cell == "lstm":
            _, (h, s) = module(x[t][None, None], (h[None, None], s[None, None]))
            h, s = h[0, 0], s[0, 0]
            ss.append(s)
        else:
            _, h = module(x[t][None, None], h[None, None])
            h = h[0, 0]
        hs.append(h)
    o = torch.stack(hs) @ torch.tensor(V).T + torch.tensor(c)
    losses = 0.5 * ((o - torch.tensor(seq.y)) ** 2).sum(dim=1)
    return starts, x, hs, ss, losses


@pytest.mark.parametrize("cell", ["lstm", "gru"])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_forward_pass_equals_pytorch(cell, seed):
    module, params, seq, h0, s0 = problem(cell, seed)
    ours = forward(params, seq, output="identity", h0=h0, s0=s0 if cell == "lstm" else None)
    x = torch.tensor(seq.x)[:, None, :]
    state = (torch.tensor(h0)[None, None], torch.tensor(s0)[None, None]) if cell == "lstm" else torch.tensor(h0)[None, None]
    out, last = module(x, state)
    np.testing.assert_allclose(ours.h, out[:, 0].detach().numpy(), rtol=0, atol=1e-13)
    if cell == "lstm":
        np.testing.assert_allclose(ours.s[-1], last[1][0, 0].detach().numpy(), rtol=0, atol=1e-13)


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_gradients_equal_pytorch_autograd(cell):
    module, params, seq, h0, s0 = problem(cell, seed=5)
    fwd = forward(params, seq, output="identity", h0=h0, s0=s0 if cell == "lstm" else None)
    bwd = backward(fwd)
    starts, _, _, _, losses = torch_steps(cell, module, seq, h0, s0, params.V, params.c)
    weights = dict(module.named_parameters())
    grads = torch.autograd.grad(losses.sum(), [*weights.values(), *starts])
    theirs = dict(zip([*weights, "h0", "s0"][: len(grads)], [g.numpy() for g in grads], strict=True))
    np.testing.assert_allclose(bwd.grads["U"], theirs["weight_ih_l0"], rtol=1e-11, atol=1e-13)
    np.testing.assert_allclose(bwd.grads["W"], theirs["weight_hh_l0"], rtol=1e-11, atol=1e-13)
    np.testing.assert_allclose(bwd.dh0, theirs["h0"], rtol=1e-11, atol=1e-13)
    if cell == "lstm":
        # both PyTorch biases enter a as the one b
        np.testing.assert_allclose(bwd.grads["b"], theirs["bias_ih_l0"], rtol=1e-11, atol=1e-13)
        np.testing.assert_allclose(bwd.grads["b"], theirs["bias_hh_l0"], rtol=1e-11, atol=1e-13)
        np.testing.assert_allclose(bwd.ds0, theirs["s0"], rtol=1e-11, atol=1e-13)
    else:
        np.testing.assert_allclose(bwd.grads["b"], theirs["bias_ih_l0"], rtol=1e-11, atol=1e-13)
        np.testing.assert_allclose(bwd.grads["b"][: 2 * H], theirs["bias_hh_l0"][: 2 * H], rtol=1e-11, atol=1e-13)
        np.testing.assert_allclose(bwd.grads["b_hn"], theirs["bias_hh_l0"][2 * H:], rtol=1e-11, atol=1e-13)


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_errors_split_by_source_equal_pytorch(cell):
    """dh^(t<-s) = dJ^(s)/dh^(t) and, for the LSTM, ds^(t<-s) = dJ^(s)/ds^(t), one source at a time."""
    module, params, seq, h0, s0 = problem(cell, seed=7)
    fwd = forward(params, seq, output="identity", h0=h0, s0=s0 if cell == "lstm" else None)
    bwd = backward(fwd, by_source=True)
    _, _, hs, ss, losses = torch_steps(cell, module, seq, h0, s0, params.V, params.c)
    for s in range(T):
        dh = torch.autograd.grad(losses[s], hs[: s + 1], retain_graph=True)
        np.testing.assert_allclose(bwd.dh_by_source[s, : s + 1], torch.stack(dh).numpy(), rtol=1e-11, atol=1e-13)
        if cell == "lstm":
            # PyTorch's cell-state output feeds only the later steps (its h comes out of the same
            # op), so its gradient is the carried part; MATH.md's ds adds the path through h^(t).
            grads = torch.autograd.grad(losses[s], ss[: s + 1], retain_graph=True, allow_unused=True)
            carried = np.array([np.zeros(H) if g is None else g.numpy() for g in grads])  # None: the last state
            q = fwd.gates[: s + 1, 3 * H:]
            through_h = bwd.dh_by_source[s, : s + 1] * q * (1 - np.tanh(fwd.s[: s + 1]) ** 2)
            np.testing.assert_allclose(bwd.flow_s[s, : s + 1], np.linalg.norm(through_h + carried, axis=1), rtol=1e-11)
    assert np.all(bwd.flow[np.triu_indices(T, 1)] == 0)


@pytest.mark.parametrize("cell", CELLS)
@pytest.mark.parametrize("truncate", [None, 2])
def test_step_contributions_sum_to_the_gradient_of_every_parameter(cell, truncate):
    seq = encode_text("abcabcaab")
    D = seq.x.shape[1]
    fwd = forward(init_params(D, 3, D, seed=3, cell=cell), seq)
    bwd = backward(fwd, truncate, by_source=True)
    parts = step_contributions(fwd, bwd)
    assert set(parts) == set(fwd.params.names)
    for name, total in bwd.grads.items():
        assert total.shape == getattr(fwd.params, name).shape
        np.testing.assert_allclose(parts[name].sum(axis=0), total, rtol=1e-10, atol=1e-13)
    np.testing.assert_allclose(bwd.dh_by_source.sum(axis=0), bwd.dh, rtol=1e-10, atol=1e-13)


def test_lstm_cell_path_follows_the_forget_gates():
    """Along the carousel the error is scaled by the forget gates: with forget_bias large the
    cell-state flow of a far source stays within a few percent; the simple RNN's h flow dies."""
    seq = encode_text("x" + "abcdefghij" * 3, "many-to-one")
    D = seq.x.shape[1]
    lstm = backward(forward(init_params(D, 8, D, seed=0, cell="lstm", forget_bias=6.0), seq))
    rnn = backward(forward(init_params(D, 8, D, seed=0), seq))
    last = seq.steps - 1
    assert lstm.flow_s[last, 0] > 0.5 * lstm.flow_s[last, last]
    assert rnn.flow[last, 0] < 1e-3 * rnn.flow[last, last]


@st.composite
def gated_runs(draw):
    cell = draw(st.sampled_from(["lstm", "gru", "mingru", "minlstm"]))
    steps, D, Hh, Kk = draw(st.integers(1, 7)), draw(st.integers(1, 3)), draw(st.integers(1, 4)), draw(st.integers(1, 3))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    scale = draw(st.floats(0.1, 2.0))
    params = Params(**{n: rng.normal(0, scale, s) for n, s in param_shapes(cell, D, Hh, Kk).items()}, cell=cell)
    has_loss = rng.random(steps) < 0.7
    seq = Sequence(rng.normal(size=(steps, D)), rng.normal(size=(steps, Kk)) * has_loss[:, None], has_loss)
    s0 = rng.normal(size=Hh) if cell == "lstm" else None
    truncate = draw(st.one_of(st.none(), st.integers(1, steps + 2)))
    return forward(params, seq, output="identity", h0=rng.normal(size=Hh), s0=s0), truncate


@settings(max_examples=120, deadline=None)
@given(gated_runs())
def test_gated_sums_agree_with_their_parts(run):
    fwd, truncate = run
    bwd = backward(fwd, truncate, by_source=True)
    np.testing.assert_allclose(bwd.dh_by_source.sum(axis=0), bwd.dh, rtol=1e-10, atol=1e-12)
    parts, norms = step_contributions(fwd, bwd), step_norms(fwd, bwd)
    for name, total in bwd.grads.items():
        np.testing.assert_allclose(parts[name].sum(axis=0), total, rtol=1e-10, atol=1e-12)
        flat = parts[name].reshape(len(parts[name]), -1)
        np.testing.assert_allclose(norms[name], np.linalg.norm(flat, axis=1), rtol=1e-10, atol=1e-12)
    nonzero = np.linalg.norm(bwd.da, axis=1) > 0
    np.testing.assert_allclose(bwd.share.sum(axis=0)[nonzero], 1.0, rtol=1e-9)
    window = fwd.h.shape[0] + 1 if truncate is None else truncate
    s, t = np.indices(bwd.flow.shape)
    for flow in (bwd.flow, bwd.flow_s) if fwd.cell == "lstm" else (bwd.flow,):
        assert np.all(flow[(t > s) | (s - t >= window) | ~fwd.has_loss[:, None]] == 0)


@settings(max_examples=60, deadline=None)
@given(gated_runs(), st.integers(0, 3))
def test_gated_window_as_long_as_the_sequence_is_full_bptt(run, extra):
    fwd, _ = run
    full, cut = backward(fwd), backward(fwd, fwd.h.shape[0] + extra)
    for name in full.grads:
        np.testing.assert_array_equal(full.grads[name], cut.grads[name])
    np.testing.assert_array_equal(full.dh0, cut.dh0)
    if fwd.cell == "lstm":
        np.testing.assert_array_equal(full.flow_s, cut.flow_s)
        np.testing.assert_array_equal(full.ds0, cut.ds0)
