"""Issue 28: an embedding, stacked layers and both directions (MATH.md, "Depth: embeddings,
stacked layers, both directions"). The sweep of every layer and direction is held to PyTorch's
nn.Embedding + nn.RNN/nn.LSTM/nn.GRU(num_layers, bidirectional) + nn.Linear, to the plain
reference of the window rule (core.reference.reference_deep) and to finite differences."""

import numpy as np
import pytest
import torch

from core import backward, encode_text, forward
from core.deep import DeepParams, forward_deep, init_deep, param_key
from core.deep_backward import backward_deep, step_norms_deep
from core.errors import InputError
from core.reference import reference_deep

torch.set_default_dtype(torch.float64)
MODULES = {"rnn": torch.nn.RNN, "lstm": torch.nn.LSTM, "gru": torch.nn.GRU}
TEXT = "hello world, hello"


def model(cell: str, layers: int, bidirectional: bool, embedding: int | None, H: int = 5, seed: int = 3,
          text: str = TEXT):
    """A text, its tokens, and a seeded model with biases of unit order (no gradient trivially zero)."""
    seq = encode_text(text)
    K = len(seq.vocab)
    p = init_deep(K, H, K, cell=cell, layers=layers, bidirectional=bidirectional, embedding=embedding, seed=seed)
    rng = np.random.default_rng(seed)
    p = p.replace({name: rng.normal(0, 0.4, value.shape) for name, value in p.as_dict().items()
                   if name.startswith(("b_", "c"))})
    return seq, seq.x.argmax(axis=1), p


def run(p: DeepParams, seq, tokens, truncate=None):
    fwd = forward_deep(p, seq.x, seq.y, seq.has_loss, tokens=tokens if p.E is not None else None)
    return fwd, backward_deep(fwd, truncate)


def torch_state_dict(p: DeepParams) -> dict:
    """MATH.md's mapping, both ways: bias_ih carries b, bias_hh is zero but for the GRU's b_hn."""
    H, state = p.hidden_size, {}
    for li, layer in enumerate(p.layers):
        for d, q in enumerate(layer):
            key = f"_l{li}" + ("_reverse" if d else "")
            recurrent_bias = np.zeros_like(q.b)
            if p.cell == "gru":
                recurrent_bias[2 * H:] = q.b_hn
            state |= {"weight_ih" + key: q.U, "weight_hh" + key: q.W, "bias_ih" + key: q.b,
                      "bias_hh" + key: recurrent_bias}
    return {name: torch.tensor(value) for name, value in state.items()}


CASES = [(cell, layers, bi) for cell in MODULES for layers in (2, 3) for bi in (False, True)]


@pytest.mark.parametrize(("cell", "layers", "bidirectional"), CASES)
def test_an_embedded_stack_agrees_with_pytorchs_modules(cell, layers, bidirectional):
    """nn.Embedding + the cell's module with num_layers and bidirectional + nn.Linear: the same
    outputs, the same loss and every gradient, dJ/dE included, to 1e-10."""
    seq, tokens, p = model(cell, layers, bidirectional, embedding=4)
    fwd, bwd = run(p, seq, tokens)
    module = MODULES[cell](4, p.hidden_size, num_layers=layers, bidirectional=bidirectional)
    module.load_state_dict(torch_state_dict(p))
    E, V, c = (torch.tensor(a, requires_grad=True) for a in (p.E, p.V, p.c))
    out, _ = module(E[torch.tensor(tokens)][:, None])
    o = out[:, 0] @ V.T + c
    loss = -(torch.tensor(seq.y) * torch.log_softmax(o, -1)).sum()
    loss.backward()
    np.testing.assert_allclose(fwd.o, o.detach().numpy(), atol=1e-12)
    assert fwd.total_loss == pytest.approx(loss.item(), abs=1e-10)
    theirs = {"V": V.grad, "c": c.grad, "E": E.grad}
    for li in range(layers):
        for d in range(2 if bidirectional else 1):
            key = f"_l{li}" + ("_reverse" if d else "")
            theirs[param_key("U", li + 1, d)] = getattr(module, "weight_ih" + key).grad
            theirs[param_key("W", li + 1, d)] = getattr(module, "weight_hh" + key).grad
            b_ih, b_hh = getattr(module, "bias_ih" + key).grad, getattr(module, "bias_hh" + key).grad
            theirs[param_key("b", li + 1, d)] = b_ih  # b = bias_ih + bias_hh: the same gradient as each
            if cell == "gru":  # but the GRU's candidate, whose recurrent bias b_hn stays apart
                theirs[param_key("b_hn", li + 1, d)] = b_hh[2 * p.hidden_size:]
    assert set(theirs) == set(bwd.grads)
    for name, grad in theirs.items():
        np.testing.assert_allclose(bwd.grads[name], grad.numpy(), atol=1e-10, err_msg=name)


def torch_direction(cell: str, state: dict, key: str, inputs: list, H: int) -> list:
    """One layer and direction stepped one input at a time by a one-layer module with its weights,
    so that every h^(l,t) is a node of the graph (a module's output sequence is not what its next
    step reads). A reverse direction (key ending in _reverse) steps from t = tau down to 0.
    Returns h^(l,t) in step order."""
    module = MODULES[cell](inputs[0].shape[0], H)
    module.load_state_dict({name.removesuffix(key) + "_l0": value for name, value in state.items()
                            if name.endswith(key)})
    h, s = torch.zeros(H), torch.zeros(H)
    steps = range(len(inputs) - 1, -1, -1) if key.endswith("_reverse") else range(len(inputs))
    hs = [None] * len(inputs)
    for t in steps:
        if cell == "lstm":
            _, (h, s) = module(inputs[t][None, None], (h[None, None], s[None, None]))
            h, s = h[0, 0], s[0, 0]
        else:
            _, h = module(inputs[t][None, None], h[None, None])
            h = h[0, 0]
        h.retain_grad()
        hs[t] = h
    return hs


@pytest.mark.parametrize(("cell", "layers", "bidirectional"), CASES)
def test_every_layers_error_is_pytorchs_gradient_of_that_layers_state(cell, layers, bidirectional):
    """PyTorch's dJ/dh^(l,t), every h^(l,t) a node of the graph, is our dh^(l,t): every layer,
    both directions, every step, to 1e-10."""
    seq, tokens, p = model(cell, layers, bidirectional, embedding=None)
    _, bwd = run(p, seq, tokens)
    state = torch_state_dict(p)
    H = p.hidden_size
    inputs = list(torch.tensor(seq.x))
    nodes = []
    for li in range(layers):
        runs = [torch_direction(cell, state, f"_l{li}" + ("_reverse" if d else ""), inputs, H)
                for d in range(2 if bidirectional else 1)]
        nodes.append(runs)
        inputs = [torch.cat([states[t] for states in runs]) for t in range(seq.steps)]
    o = torch.stack(inputs) @ torch.tensor(p.V).T + torch.tensor(p.c)
    (-(torch.tensor(seq.y) * torch.log_softmax(o, -1)).sum()).backward()
    for li, runs in enumerate(nodes):
        for d, states in enumerate(runs):
            theirs = np.array([h.grad.numpy() for h in states])
            np.testing.assert_allclose(bwd.layers[li][d].dh, theirs, atol=1e-10, err_msg=f"layer {li + 1}, {d}")


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru", "mingru", "minlstm"])
@pytest.mark.parametrize("bidirectional", [False, True])
@pytest.mark.parametrize("truncate", [1, 2, 4, None])
def test_the_sweep_keeps_exactly_the_paths_inside_the_window(cell, bidirectional, truncate):
    """Against the plain reference of MATH.md's window rule, one source at a time: every layer's
    error by direction, F_l, dx and every gradient. A bidirectional window keeps only the paths that
    stay in |s - t| < k, which finite differences cannot check."""
    seq, tokens, p = model(cell, 2, bidirectional, embedding=3, text="abcabdca")
    fwd, bwd = run(p, seq, tokens, truncate)
    ref = reference_deep(p, fwd.x, seq.y, seq.has_loss, truncate=truncate, tokens=tokens)
    for li, layer in enumerate(bwd.layers):
        for d, ours in enumerate(layer):
            np.testing.assert_allclose(ours.dh, ref["dh"][li][d], atol=1e-12)
        np.testing.assert_allclose(bwd.flow[li], ref["flow"][li], atol=1e-12)
    np.testing.assert_allclose(bwd.dx, ref["dx"], atol=1e-12)
    for name, grad in ref["grads"].items():
        np.testing.assert_allclose(bwd.grads[name], grad, atol=1e-12, err_msg=name)


def test_a_bidirectional_window_cuts_what_a_one_way_window_keeps():
    """The reference itself is not vacuous: below the top of a bidirectional stack the error of
    J^(s) reaches steps after s (the reverse direction above carried it there), and a window of 2
    removes the part that travelled three steps or more."""
    seq, tokens, p = model("rnn", 2, True, embedding=None, text="abcabdca")
    full = reference_deep(p, seq.x, seq.y, seq.has_loss)
    cut = reference_deep(p, seq.x, seq.y, seq.has_loss, truncate=2)
    forward_below = full["dh_by_source"][0][0]
    assert np.abs(forward_below[0, 3]).max() > 1e-3  # J^(0) reaches step 3 of layer 1's forward direction
    assert np.abs(cut["dh_by_source"][0][0][0, 3]).max() == 0.0
    assert np.abs(full["dh_by_source"][1][0][0, 3]).max() == 0.0  # not at the top's forward direction


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru", "mingru", "minlstm"])
@pytest.mark.parametrize("bidirectional", [False, True])
def test_every_gradient_agrees_with_finite_differences(cell, bidirectional):
    """Central differences of J for every entry of every parameter, E included, without a window."""
    seq, tokens, p = model(cell, 2, bidirectional, embedding=3, H=3, text="abcab")
    _, bwd = run(p, seq, tokens)
    eps = 1e-6
    for name, value in p.as_dict().items():
        numeric = np.zeros_like(value)
        for index in np.ndindex(value.shape):
            moved = []
            for sign in (1, -1):
                shifted = value.copy()
                shifted[index] += sign * eps
                moved.append(run(p.replace({name: shifted}), seq, tokens)[0].total_loss)
            numeric[index] = (moved[0] - moved[1]) / (2 * eps)
        np.testing.assert_allclose(bwd.grads[name], numeric, atol=1e-7, err_msg=name)


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru", "mingru", "minlstm"])
def test_one_layer_one_direction_is_the_single_layer_sweep(cell):
    """A stack of one is the cell of the sections above: the same loss, errors, flows and gradients
    as core.backward, to the last digits."""
    seq, tokens, p = model(cell, 1, False, embedding=None)
    fwd, bwd = run(p, seq, tokens, truncate=3)
    q = p.layers[0][0].replace(V=p.V, c=p.c)
    one = backward(forward(q, seq), 3)
    assert fwd.total_loss == pytest.approx(forward(q, seq).total_loss, rel=1e-14)
    exact = {"rtol": 1e-13, "atol": 1e-15}  # the same sums; BLAS may group a (T, 1, H) product apart
    np.testing.assert_allclose(bwd.layers[0][0].dh, one.dh, **exact)
    np.testing.assert_allclose(bwd.flow[0], one.flow, **exact)
    for name, grad in one.grads.items():
        np.testing.assert_allclose(bwd.grads[param_key(name, 1, 0) if name not in ("V", "c") else name], grad,
                                   **exact)


def test_a_stack_of_five_is_refused_naming_the_field():
    with pytest.raises(InputError, match="layers"):
        init_deep(3, 4, 3, layers=5)


@pytest.mark.parametrize("cell", ["lstm", "gru", "minlstm"])
def test_each_steps_contribution_norm_is_the_norm_of_that_steps_outer_product(cell):
    """gradients.norms of a stack: at each step, ||da^(l,t) x^(l,t)^T|| for U in step order (the
    reverse direction's too), and the norms sum to no less than the total's norm."""
    seq, tokens, p = model(cell, 2, True, embedding=3)
    fwd, bwd = run(p, seq, tokens)
    norms = step_norms_deep(fwd, bwd)
    assert set(norms) == set(bwd.grads)
    layer_input = fwd.outputs(0)  # layer 2 reads layer 1's states, both directions
    for d in (0, 1):
        da = bwd.layers[1][d].da
        by_step = [np.linalg.norm(np.outer(da[t], layer_input[t])) for t in range(seq.steps)]
        np.testing.assert_allclose(norms[param_key("U", 2, d)], by_step, rtol=1e-12)
    for name, total in bwd.grads.items():
        assert norms[name].sum() >= np.linalg.norm(total) * (1 - 1e-12), name


def test_each_layers_gain_is_the_geometric_mean_of_its_flows_over_the_tops():
    """G_l(d) = exp(mean over the losses s >= d of log(F_l[s][s-d] / F_L[s][s])); ahead, with s + d."""
    from core.gain import gain_curve, layer_gains

    seq, tokens, p = model("gru", 2, True, embedding=None, text="abcabdcab")
    fwd, bwd = run(p, seq, tokens)
    gains = layer_gains(bwd.flow, seq.has_loss, True)
    top, below = bwd.flow[1], bwd.flow[0]
    steps = seq.steps
    for d in (0, 1, 3):
        back = [below[s, s - d] / top[s, s] for s in range(d, steps)]
        ahead = [below[s, s + d] / top[s, s] for s in range(steps - d)]
        assert gains[0]["back"][d] == pytest.approx(np.exp(np.mean(np.log(back))), rel=1e-12)
        assert gains[0]["ahead"][d] == pytest.approx(np.exp(np.mean(np.log(ahead))), rel=1e-12)
    assert gains[1]["back"] == gain_curve(top, seq.has_loss)  # the top against itself: one layer's G(d)


@pytest.mark.parametrize("cell", ["lstm", "gru", "minlstm"])
def test_a_stack_writes_the_text_its_forward_pass_predicts(cell):
    """Greedy sampling (temperature 0) steps every layer once a character; the oracle re-runs the
    whole stack over the text written so far and takes the most likely next character."""
    from core.deep import sample_deep

    seq, _, p = model(cell, 2, False, embedding=3, text="abcabdca")
    vocab = seq.vocab
    written = sample_deep(p, vocab, "a", 6, 0.0, seed=0)
    text = "a"
    for _ in range(6):
        tokens = np.array([vocab.index(ch) for ch in text])
        x = np.eye(len(vocab))[tokens]
        fwd = forward_deep(p, x, np.full_like(x, 1 / len(vocab)), np.zeros(len(text), dtype=bool), tokens=tokens)
        text += vocab[int(np.argmax(fwd.o[-1]))]
    assert written == text[1:]
