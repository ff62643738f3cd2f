"""Training (MATH.md, "Training"): each optimizer's update against PyTorch's own (SGD, Adam) or
the formula written out (Adagrad, min-char-rnn's ε inside the root), clipping, exact
resumption, sampling, and a text that actually gets learned."""

import numpy as np
import pytest
import torch

import core

torch.set_default_dtype(torch.float64)
TEXT = "hello hello hello "


def setup(cell="rnn", hidden=6, seed=0):
    seq = core.encode_text(TEXT)
    D = len(seq.vocab)
    return core.init_params(D, hidden, D, seed, cell), seq


def gradients(params, seq):
    return core.backward(core.forward(params, seq)).grads


@pytest.mark.parametrize("cell", core.CELLS)
@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
def test_sgd_and_adam_take_pytorchs_steps(cell, optimizer):
    params, seq = setup(cell)
    lr = 0.03
    names = params.names
    tensors = {name: torch.tensor(value, requires_grad=True) for name, value in params.as_dict().items()}
    torch_optimizer = {"sgd": torch.optim.SGD, "adam": torch.optim.Adam}[optimizer](list(tensors.values()), lr=lr)
    ours, state = params, core.new_optimizer_state(optimizer, params)
    for _ in range(5):
        # the same gradients into both: ours of PyTorch's current weights (equal to ours, step by step)
        current = params.replace(**{name: tensors[name].detach().numpy().copy() for name in names})
        for name, g in gradients(current, seq).items():
            tensors[name].grad = torch.tensor(g)
        torch_optimizer.step()
        trained = core.train(ours, seq, 1, lr, state)
        ours, state = trained.params, trained.state
        for name in names:
            np.testing.assert_allclose(getattr(ours, name), tensors[name].detach().numpy(), rtol=1e-12, atol=1e-14)
    assert state.step == 5


def test_adagrad_is_min_char_rnns_update():
    params, seq = setup()
    lr = 0.1
    m = {name: np.zeros_like(v) for name, v in params.as_dict().items()}
    expected = params.as_dict()
    for _ in range(3):
        g = gradients(params.replace(**expected), seq)
        for name in expected:
            m[name] = m[name] + g[name] * g[name]
            expected[name] = expected[name] - lr * g[name] / np.sqrt(m[name] + 1e-8)
    trained = core.train(params, seq, 3, lr, core.new_optimizer_state("adagrad", params))
    for name, value in expected.items():
        np.testing.assert_allclose(getattr(trained.params, name), value, rtol=1e-13, atol=1e-15)
        np.testing.assert_allclose(trained.state.m[name], m[name], rtol=1e-13)


def test_the_record_is_the_loss_and_gradient_norm_before_each_update():
    params, seq = setup()
    trained = core.train(params, seq, 2, 0.1, core.new_optimizer_state("sgd", params))
    fwd = core.forward(params, seq)
    assert trained.losses[0] == fwd.total_loss
    joint = np.sqrt(sum(np.sum(g * g) for g in core.backward(fwd).grads.values()))
    assert trained.grad_norms[0] == pytest.approx(joint, rel=1e-14)
    after_one = core.train(params, seq, 1, 0.1, core.new_optimizer_state("sgd", params)).params
    assert trained.losses[1] == core.forward(after_one, seq).total_loss


def test_clipping_by_value_and_by_norm():
    params, seq = setup()
    g = gradients(params, seq)
    c = 0.05
    by_value = core.train(params, seq, 1, 1.0, core.new_optimizer_state("sgd", params), clip=core.Clip("value", c))
    for name, grad in g.items():
        np.testing.assert_allclose(getattr(params, name) - getattr(by_value.params, name), np.clip(grad, -c, c), atol=1e-15)
    assert by_value.clipped[0]
    joint = np.sqrt(sum(np.sum(v * v) for v in g.values()))
    by_norm = core.train(params, seq, 1, 1.0, core.new_optimizer_state("sgd", params), clip=core.Clip("norm", joint / 2))
    step = np.sqrt(sum(np.sum((getattr(params, n) - getattr(by_norm.params, n)) ** 2) for n in params.names))
    assert step == pytest.approx(joint / 2, rel=1e-12) and by_norm.clipped[0]
    loose = core.train(params, seq, 1, 1.0, core.new_optimizer_state("sgd", params), clip=core.Clip("norm", joint * 2))
    assert not loose.clipped[0]


@pytest.mark.parametrize("cell", core.CELLS)
@pytest.mark.parametrize("optimizer", core.OPTIMIZERS)
def test_two_halves_give_exactly_the_weights_of_one_run(cell, optimizer):
    params, seq = setup(cell)
    whole = core.train(params, seq, 10, 0.05, core.new_optimizer_state(optimizer, params), truncate=4)
    first = core.train(params, seq, 5, 0.05, core.new_optimizer_state(optimizer, params), truncate=4)
    second = core.train(first.params, seq, 5, 0.05, first.state, truncate=4)
    for name in params.names:
        assert np.array_equal(getattr(whole.params, name), getattr(second.params, name)), name
    assert np.array_equal(whole.losses, np.concatenate([first.losses, second.losses]))
    assert whole.state.step == second.state.step == 10


@pytest.mark.parametrize("cell", core.CELLS)
def test_a_repeated_word_is_learned(cell):
    params, seq = setup(cell, hidden=16)
    trained = core.train(params, seq, 300, 0.05, core.new_optimizer_state("adam", params))
    assert trained.losses[-1] < 0.05 * trained.losses[0]
    assert core.sample(trained.params, seq.vocab, "h", 11, 0.0, 0) == "ello hello "


def test_sampling_is_seeded_and_temperature_zero_is_the_likeliest_path():
    params, seq = setup(hidden=8)
    a = core.sample(params, seq.vocab, "h", 40, 1.0, seed=3)
    assert a == core.sample(params, seq.vocab, "h", 40, 1.0, seed=3)
    assert len(a) == 40 and set(a) <= set(seq.vocab)
    assert a != core.sample(params, seq.vocab, "h", 40, 1.0, seed=4)
    # temperature 0 by hand: each next character is the argmax of o, fed back
    greedy = core.sample(params, seq.vocab, "h", 5, 0.0, seed=0)
    x, h, text = "h", None, ""
    for _ in range(5):
        one = core.Sequence(np.eye(len(seq.vocab))[[seq.vocab.index(x)]], np.zeros((1, len(seq.vocab))),
                            np.zeros(1, dtype=bool), seq.vocab)
        fwd = core.forward(params, one, h0=h)
        x, h = seq.vocab[int(np.argmax(fwd.o[0]))], fwd.h[0]
        text += x
    assert greedy == text
    with pytest.raises(core.InputError, match="start"):
        core.sample(params, seq.vocab, "z", 5, 1.0, 0)


def test_a_diverging_run_says_at_which_training_step():
    params, seq = setup()
    with pytest.raises(core.NumericalOverflow, match="training step"):
        core.train(params, seq, 50, 1e6, core.new_optimizer_state("sgd", params), activation="identity")


def test_a_resumed_state_must_fit_the_weights():
    params, seq = setup()
    state = core.new_optimizer_state("adam", params)
    bad = core.OptimizerState("adam", 3, m={**state.m, "W": np.zeros((2, 2))}, v=state.v)
    with pytest.raises(core.InputError, match="optimizer_state.m.W"):
        core.train(params, seq, 1, 0.1, bad)


@pytest.mark.parametrize("cell", core.CELLS)
@pytest.mark.parametrize("task", core.TASKS)
@pytest.mark.parametrize("truncate", [None, 3, 40])
def test_trainings_one_row_sweep_gives_the_split_sweeps_totals(cell, task, truncate):
    from core.bptt import gradients as totals

    seq = core.encode_text("hello world, hello there", task)
    D = len(seq.vocab)
    fwd = core.forward(core.init_params(D, 7, D, 1, cell), seq)
    split = core.backward(fwd, truncate).grads
    fast = totals(fwd, truncate)
    assert fast.keys() == split.keys()
    for name, value in split.items():
        np.testing.assert_allclose(fast[name], value, rtol=1e-12, atol=1e-14 * np.abs(value).max())
