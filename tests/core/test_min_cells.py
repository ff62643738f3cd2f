"""The minGRU and minLSTM (docs/MATH.md, section 18): against a few lines of torch written from the
formulas (autograd gives every error and gradient), the step loop against the parallel scan, the
diagonal Jacobian's closed forms, and what is refused."""

import numpy as np
import pytest
import torch

import core
from core import InputError, Sequence, backward, forward, forward_batch, init_params, params_from_arrays, scan_states
from core.gain import error_gain
from core.interchange import read_weights, to_keras, to_pytorch

from .helpers import problem, random_params

torch.set_default_dtype(torch.float64)
MIN_CELLS = ("mingru", "minlstm")
CLOSE = dict(rtol=1e-10, atol=1e-12)


def torch_step(cell: str, a: torch.Tensor, h_prev: torch.Tensor) -> tuple[torch.Tensor, dict]:
    """One step of MATH.md's formulas, written out: h = alpha * h' + beta, and the gates by name."""
    if cell == "mingru":
        a_z, a_h = a.chunk(2)
        z = torch.sigmoid(a_z)
        return (1 - z) * h_prev + z * a_h, {"update": z, "candidate": a_h}
    a_f, a_i, a_h = a.chunk(3)
    f, i = torch.sigmoid(a_f), torch.sigmoid(a_i)
    f_norm, i_norm = f / (f + i), i / (f + i)
    gates = {"forget": f, "input": i, "candidate": a_h, "f_norm": f_norm, "i_norm": i_norm}
    return f_norm * h_prev + i_norm * a_h, gates


def torch_losses(o: torch.Tensor, y: torch.Tensor, output: str) -> torch.Tensor:
    """J^(t) of each head (MATH.md, section 3), one per step."""
    if output == "softmax":
        return -(y * torch.log_softmax(o, dim=1)).sum(dim=1)
    if output == "identity":
        return 0.5 * ((o - y) ** 2).sum(dim=1)
    return (torch.nn.functional.softplus(o) - y * o).sum(dim=1)


def torch_unfold(params, seq: Sequence, h0, output: str) -> dict:
    """The whole unfolded graph, with every a^(t), h^(t) and the inputs as nodes autograd can
    differentiate J (or one J^(s)) against."""
    leaves = {name: torch.tensor(value, requires_grad=True) for name, value in params.as_dict().items()}
    x = torch.tensor(seq.x, requires_grad=True)
    h0 = torch.tensor(h0, requires_grad=True)
    a = x @ leaves["U"].T + leaves["b"]
    h, hs, gates = h0, [], []
    for t in range(seq.steps):
        h, step_gates = torch_step(params.cell, a[t], h)
        hs.append(h)
        gates.append(step_gates)
    o = torch.stack(hs) @ leaves["V"].T + leaves["c"]
    losses = torch_losses(o, torch.tensor(seq.y), output) * torch.tensor(seq.has_loss, dtype=torch.float64)
    gates = {name: torch.stack([g[name] for g in gates]).detach().numpy() for name in gates[0]}
    return {"leaves": leaves, "x": x, "h0": h0, "a": a, "hs": hs, "o": o, "losses": losses, "gates": gates}


@pytest.mark.parametrize("cell", MIN_CELLS)
@pytest.mark.parametrize("output", sorted(core.HEADS))
@pytest.mark.parametrize("task", core.TASKS)
def test_forward_errors_and_gradients_equal_autograd(cell, output, task):
    params, seq, h0 = problem(output, task, seed=3, steps=6, hidden=4, cell=cell)
    fwd = forward(params, seq, "tanh", output, h0)
    bwd = backward(fwd)
    ref = torch_unfold(params, seq, h0, output)
    np.testing.assert_allclose(fwd.h, torch.stack(ref["hs"]).detach().numpy(), **CLOSE)
    np.testing.assert_allclose(fwd.loss, ref["losses"].detach().numpy(), **CLOSE)
    named = fwd.gates_by_name()
    assert tuple(named) == core.GATE_VALUES[cell] == tuple(ref["gates"])
    for name, values in ref["gates"].items():
        np.testing.assert_allclose(named[name], values, err_msg=name, **CLOSE)
    J = ref["losses"].sum()
    names = [*ref["leaves"], "x", "h0", "a"]
    found = torch.autograd.grad(J, [*ref["leaves"].values(), ref["x"], ref["h0"], ref["a"], *ref["hs"]])
    grads = dict(zip(names, found[: len(names)], strict=True))
    dh = torch.stack(found[len(names):]).numpy()  # dJ/dh^(t) along every path
    assert set(bwd.grads) == set(params.names) == {"U", "b", "V", "c"}
    for name in params.names:
        np.testing.assert_allclose(bwd.grads[name], grads[name].numpy(), err_msg=name, **CLOSE)
    np.testing.assert_allclose(bwd.dh, dh, **CLOSE)
    np.testing.assert_allclose(bwd.da, grads["a"].numpy(), **CLOSE)
    np.testing.assert_allclose(bwd.dx, grads["x"].numpy(), **CLOSE)
    np.testing.assert_allclose(bwd.dh0, grads["h0"].numpy(), **CLOSE)


@pytest.mark.parametrize("cell", MIN_CELLS)
@pytest.mark.parametrize("truncate", [None, 1, 3])
def test_errors_split_by_source_equal_autograd_one_loss_at_a_time(cell, truncate):
    """dh^(t<-s) = dJ^(s)/dh^(t), each loss term backpropagated on its own; a window keeps those
    with s - t < k exactly and zeroes the rest."""
    params, seq, h0 = problem("softmax", "many-to-many", seed=5, steps=7, hidden=3, cell=cell)
    bwd = backward(forward(params, seq, "tanh", "softmax", h0), truncate, by_source=True)
    ref = torch_unfold(params, seq, h0, "softmax")
    k = core.contract.window(truncate, seq.steps)
    for s in range(seq.steps):
        dh = torch.stack(torch.autograd.grad(ref["losses"][s], ref["hs"][: s + 1], retain_graph=True)).numpy()
        dh[: max(s - k + 1, 0)] = 0.0
        np.testing.assert_allclose(bwd.dh_by_source[s, : s + 1], dh, **CLOSE)
        np.testing.assert_allclose(bwd.flow[s, : s + 1], np.linalg.norm(dh, axis=1), **CLOSE)
    assert np.all(bwd.dh_by_source[np.triu_indices(seq.steps, 1)] == 0)


@pytest.mark.parametrize("cell", MIN_CELLS)
def test_each_sources_error_is_its_own_error_times_the_products_of_alpha(cell):
    """MATH.md: dh^(t<-s) = (prod_{j=t+1..s} alpha^(j)) * V^T do^(s), no W and no squashing."""
    params, seq, h0 = problem("identity", "many-to-many", seed=2, steps=6, hidden=4, cell=cell)
    fwd = forward(params, seq, "tanh", "identity", h0)
    bwd = backward(fwd, by_source=True)
    alpha, _, _ = core.cells.CELL_MODULES[cell].coefficients(fwd.a)
    own = bwd.do @ params.V
    for s in range(seq.steps):
        for t in range(s + 1):
            np.testing.assert_allclose(bwd.dh_by_source[s, t], np.prod(alpha[t + 1: s + 1], axis=0) * own[s], **CLOSE)
    np.testing.assert_allclose(bwd.dh0, alpha[0] * bwd.dh[0], **CLOSE)


@pytest.mark.parametrize("cell", MIN_CELLS)
@pytest.mark.parametrize("steps", [1, 2, 3, 5, 8, 13, 64, 100])
def test_the_step_loop_and_the_parallel_scan_agree(cell, steps):
    rng = np.random.default_rng(steps)
    B, D, H, K = 3, 2, 4, 2
    params = random_params(D, H, K, seed=steps, scale=1.0, cell=cell).replace(b=rng.normal(0, 1.0, core.contract.blocks(cell) * H))
    x, h0 = rng.normal(size=(B, steps, D)), rng.normal(size=H)
    y, has_loss = np.zeros((B, steps, K)), np.ones(steps, dtype=bool)
    loop = forward_batch(params, x, y, has_loss, output="identity", h0=h0).h  # (T, B, H)
    np.testing.assert_allclose(scan_states(params, x, h0), loop.transpose(1, 0, 2), rtol=0, atol=1e-12)
    one = forward(params, Sequence(x[0], y[0], has_loss), output="identity", h0=h0)
    np.testing.assert_allclose(scan_states(params, x[0], h0), one.h, rtol=0, atol=1e-12)
    np.testing.assert_allclose(scan_states(params, x[0]), forward(params, Sequence(x[0], y[0], has_loss),
                                                                  output="identity").h, rtol=0, atol=1e-12)


def test_the_scan_composes_the_pairs_first_to_last():
    """h^(t) = sum_k (prod_{j=k+1..t} alpha^(j)) beta^(k) + (prod_{j=0..t} alpha^(j)) h^(-1), written
    out; the composition is not commutative, so an order mistake shows."""
    rng = np.random.default_rng(0)
    alpha, beta, h0 = rng.uniform(0.2, 1.5, (11, 3)), rng.normal(size=(11, 3)), rng.normal(size=3)
    expected = [sum(np.prod(alpha[k + 1: t + 1], axis=0) * beta[k] for k in range(t + 1))
                + np.prod(alpha[: t + 1], axis=0) * h0 for t in range(11)]
    np.testing.assert_allclose(core.scan(alpha, beta, h0), expected, rtol=1e-13)
    np.testing.assert_allclose(core.scan(alpha, beta, 0.0), np.array(expected) - np.cumprod(alpha, axis=0) * h0,
                               rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("cell", MIN_CELLS)
@pytest.mark.parametrize("truncate", [None, 2])
def test_flows_and_step_contributions_sum_to_the_totals(cell, truncate):
    seq = core.encode_text("abcabcaabcb")
    D = len(seq.vocab)
    fwd = forward(init_params(D, 5, D, seed=1, cell=cell), seq)
    bwd = backward(fwd, truncate, by_source=True)
    np.testing.assert_allclose(bwd.dh_by_source.sum(axis=0), bwd.dh, **CLOSE)
    parts = core.step_contributions(fwd, bwd)
    assert tuple(parts) == fwd.params.names
    for name, total in bwd.grads.items():
        np.testing.assert_allclose(parts[name].sum(axis=0), total, **CLOSE)
    nonzero = np.linalg.norm(bwd.da, axis=1) > 0
    np.testing.assert_allclose(bwd.share.sum(axis=0)[nonzero], 1.0, rtol=1e-9)


@pytest.mark.parametrize("cell", MIN_CELLS)
def test_the_exact_jacobian_norms_bracket_the_last_losss_error(cell):
    """The Jacobian is diagonal: its norm is the largest unit's product of alpha, its smallest
    singular value the smallest unit's, and the one source's error ratio lies between them."""
    seq = core.encode_text("a" + "bcdbcdbcdbcdbcd", "many-to-one")
    D = len(seq.vocab)
    fwd = forward(init_params(D, 6, D, seed=4, cell=cell), seq)
    gain = error_gain(fwd, backward(fwd))
    alpha, _, _ = core.cells.CELL_MODULES[cell].coefficients(fwd.a)
    tau = seq.steps - 1
    products = [np.prod(alpha[tau - d + 1: tau + 1], axis=0) for d in range(seq.steps)]
    assert gain["jacobian_distances"] == seq.steps
    np.testing.assert_allclose(gain["jacobian"], [p.max() for p in products], rtol=1e-13)
    np.testing.assert_allclose(gain["jacobian_min"], [p.min() for p in products], rtol=1e-13)
    assert all(low * (1 - 1e-12) <= g <= high * (1 + 1e-12)
               for g, low, high in zip(gain["h"], gain["jacobian_min"], gain["jacobian"], strict=True))
    assert "bound" not in gain and "w_norm" not in gain


def test_initialisation_has_no_W_and_sets_the_gates_biases():
    H = 3
    gru = init_params(4, H, 2, seed=5, cell="mingru", update_bias=-2.0)
    assert gru.W is None and gru.sizes == (4, H, 2) and gru.names == ("U", "b", "V", "c")
    assert gru.U.shape == (2 * H, 4) and np.all(gru.b[:H] == -2.0) and np.all(gru.b[H:] == 0)
    assert np.array_equal(gru.U, np.random.default_rng(5).normal(0, 0.5, (2 * H, 4)))  # U first, N(0, 1/D)
    lstm = init_params(4, H, 2, seed=5, cell="minlstm")
    assert lstm.U.shape == (3 * H, 4) and np.all(lstm.b == 0)  # the forget bias starts at 0
    lstm = init_params(4, H, 2, seed=5, cell="minlstm", forget_bias=2.0, input_bias=-1.0)
    assert lstm.b.tolist() == [2.0] * H + [-1.0] * H + [0.0] * H
    assert np.all(init_params(4, H, 2, seed=5, cell="lstm").b[H:2 * H] == 1.0)  # the LSTM keeps its 1


@pytest.mark.parametrize("cell", MIN_CELLS)
def test_canonical_weights_go_in_and_out_and_the_cell_is_read_from_them(cell):
    params = init_params(3, 4, 2, seed=0, cell=cell)
    found = read_weights({name: value.tolist() for name, value in params.as_dict().items()})
    assert (found.format, found.cell) == ("canonical", cell)
    again = params_from_arrays(found.arrays, 3, 2, found.cell)
    for name in params.names:
        np.testing.assert_array_equal(getattr(again, name), getattr(params, name))


def refused(call) -> InputError:
    with pytest.raises(InputError) as info:
        call()
    return info.value


@pytest.mark.parametrize("cell", MIN_CELLS)
def test_what_a_min_cell_does_not_have_is_refused_naming_the_field(cell):
    params = init_params(3, 4, 2, seed=0, cell=cell)
    good = params.as_dict()
    G = core.contract.blocks(cell)
    assert refused(lambda: params_from_arrays({**good, "W": np.eye(4)}, 3, 2, cell)).field == "weights.W"
    assert refused(lambda: params_from_arrays({**good, "b_hn": np.zeros(4)}, 3, 2, cell)).field == "weights.b_hn"
    assert refused(lambda: params_from_arrays({**good, "U": np.zeros((G * 4 + 1, 3))}, 3, 2, cell)).field == "weights.U"
    assert refused(lambda: params_from_arrays({**good, "U": np.zeros((G * 4, 2))}, 3, 2, cell)).field == "weights.U"
    assert refused(lambda: params_from_arrays({**good, "b": np.zeros(4)}, 3, 2, cell)).field == "weights.b"
    assert refused(lambda: params_from_arrays({**good, "V": np.zeros((2, 5))}, 3, 2, cell)).field == "weights.V"
    mismatch = refused(lambda: params_from_arrays(good, 3, 2, cell, hidden_size=5))
    assert mismatch.field == "weights.U" and "H = 4" in mismatch.message
    assert refused(lambda: core.rescale_recurrent(params, 0.9)).field == "spectral_radius"
    for convert in (to_pytorch, to_keras):
        refusal = refused(lambda convert=convert: convert(good, cell))
        assert refusal.field == "to" and "no torch.nn module or Keras layer" in refusal.message
    torch_dict = to_pytorch(init_params(3, 4, 2, cell="gru").as_dict(), "gru")
    assert refused(lambda: read_weights(torch_dict, cell)).field == "cell"
    seq = core.encode_numbers([[0.1, 0.2, 0.3]] * 4, targets=[[0.1, 0.2]] * 4)  # D = 3, K = 2
    assert refused(lambda: forward(params, seq, output="identity", s0=np.zeros(4))).field == "s0"
    assert refused(lambda: scan_states(init_params(3, 4, 2), seq.x)).field == "cell"
