"""Generated tasks and training on batches of them (docs/MATH.md, "17. Training on a generated task")."""

import re
from pathlib import Path

import numpy as np
import pytest

import core
from core import Dataset, InputError, make_batch

MATH = Path(__file__).resolve().parents[2] / "docs" / "MATH.md"
CELLS = core.CELLS
TASKS = ("remember-first", "adding", "copy")


def reference_generator():
    """docs/MATH.md's make_batch, run as written there: the contract the core must draw exactly."""
    section = MATH.read_text().split("## 17.", 1)[1]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    scope = {}
    exec(code, scope)  # our own documentation's code, not anything a user sent
    return scope["make_batch"]


@pytest.mark.parametrize("task", TASKS)
@pytest.mark.parametrize("seed", [0, 7, [3, 1], [12345, 0]])
def test_batches_are_drawn_exactly_as_the_reference_generator_draws_them(task, seed):
    X, Y, S = reference_generator()(task, seed, 5, 9, C=3, N=2, d=4)
    ours = make_batch(task, seed, 5, 9, classes=3, noise=2, delay=4)
    np.testing.assert_array_equal(ours.x, X)
    np.testing.assert_array_equal(ours.labels, Y)
    assert np.flatnonzero(ours.has_loss).tolist() == list(S)
    # the targets the head reads are the labels, at the steps of S only
    if task == "adding":
        np.testing.assert_array_equal(ours.y[:, S, 0], Y)
    else:
        np.testing.assert_array_equal(ours.y[:, S].argmax(axis=2), Y)
        np.testing.assert_array_equal(ours.y[:, S].sum(axis=2), np.ones_like(Y))
    assert not ours.y[:, ~ours.has_loss].any()


def test_the_documented_check_value():
    tokens = make_batch("copy", [0, 1], 2, 6, classes=4, delay=2).x.argmax(axis=2)
    assert tokens.tolist() == [[2, 3, 3, 2, 1, 3], [0, 3, 3, 0, 0, 0]]


def problem(cell, task, B=3, T=6, H=4, seed=2):
    dataset = Dataset(task, T, B, seed, classes=3, noise=2, delay=2)
    batch = dataset.update_batch(1)
    D, K = dataset.sizes
    return core.init_params(D, H, K, seed=seed, cell=cell), dataset, batch


@pytest.mark.parametrize("cell", CELLS)
@pytest.mark.parametrize("task", TASKS)
def test_the_batch_gradient_is_the_mean_of_the_sequences_gradients(cell, task):
    params, _, batch = problem(cell, task)
    fwd = core.forward_batch(params, batch.x, batch.y, batch.has_loss, output=batch.output)
    grads = core.batch_gradients(fwd)
    each = []
    for b in range(batch.size):
        one = core.forward(params, core.Sequence(batch.x[b], batch.y[b], batch.has_loss), output=batch.output)
        each.append((one.total_loss, core.backward(one).grads))
    assert fwd.J == pytest.approx(np.mean([loss for loss, _ in each]), rel=1e-14)
    for name in params.names:
        np.testing.assert_allclose(grads[name], np.mean([g[name] for _, g in each], axis=0), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("cell", CELLS)
@pytest.mark.parametrize("task", TASKS)
def test_the_batch_gradient_agrees_with_central_differences(cell, task):
    params, _, batch = problem(cell, task, B=2, T=5, H=3)
    J = lambda p: core.forward_batch(p, batch.x, batch.y, batch.has_loss, output=batch.output).J  # noqa: E731
    grads = core.batch_gradients(core.forward_batch(params, batch.x, batch.y, batch.has_loss, output=batch.output))
    eps = 1e-6
    for name in params.names:
        value = getattr(params, name)
        numeric = np.zeros_like(value)
        for index in np.ndindex(value.shape):
            up, down = value.copy(), value.copy()
            up[index] += eps
            down[index] -= eps
            numeric[index] = (J(params.replace(**{name: up})) - J(params.replace(**{name: down}))) / (2 * eps)
        scale = np.linalg.norm(grads[name]) + np.linalg.norm(numeric)
        assert np.linalg.norm(grads[name] - numeric) <= 1e-6 * scale + 1e-10, name


@pytest.mark.parametrize("cell", CELLS)
def test_training_on_a_dataset_resumes_bit_for_bit(cell):
    params, dataset, _ = problem(cell, "adding", B=4, T=8)
    state = core.new_optimizer_state("adam", params)
    whole = core.train(params, dataset, 6, 0.01, state)
    first = core.train(params, dataset, 3, 0.01, state)
    second = core.train(first.params, dataset, 3, 0.01, first.state)
    for name in params.names:
        np.testing.assert_array_equal(getattr(whole.params, name), getattr(second.params, name))
    np.testing.assert_array_equal(whole.losses, np.concatenate([first.losses, second.losses]))
    assert second.state.step == 6


def test_update_n_trains_on_the_batch_of_seed_s_n():
    params, dataset, _ = problem("gru", "copy")
    state = core.new_optimizer_state("sgd", params)
    first = core.train(params, dataset, 1, 0.1, state)
    second = core.train(first.params, dataset, 1, 0.1, first.state)
    for n, (before, trained) in enumerate([(params, first), (first.params, second)], start=1):
        batch = make_batch("copy", [dataset.seed, n], dataset.batch, dataset.length, classes=3, delay=2)
        fwd = core.forward_batch(before, batch.x, batch.y, batch.has_loss, output="softmax")
        assert trained.losses[0] == fwd.J
        grads = core.batch_gradients(fwd)
        for name in params.names:
            np.testing.assert_allclose(getattr(trained.params, name), getattr(before, name) - 0.1 * grads[name],
                                       rtol=0, atol=1e-15)


@pytest.mark.parametrize("task", TASKS)
def test_the_held_out_numbers_are_the_mean_loss_and_the_share_of_right_answers(task):
    params, dataset, _ = problem("lstm", task)
    got = core.evaluate(params, dataset, 16)
    held_out = make_batch(task, [dataset.seed, 0], 16, dataset.length, classes=3, noise=2, delay=2)
    losses, right, pairs = [], 0, 0
    for b in range(16):
        one = core.forward(params, core.Sequence(held_out.x[b], held_out.y[b], held_out.has_loss),
                           output=held_out.output)
        losses.append(one.total_loss)
        for j, s in enumerate(np.flatnonzero(held_out.has_loss)):
            right += int(np.argmax(one.o[s]) == held_out.labels[b, j])
            pairs += 1
    assert got["loss"] == pytest.approx(np.mean(losses), rel=1e-13)
    assert got["batch"] == 16
    if task == "adding":
        assert "accuracy" not in got
    else:
        assert got["accuracy"] == right / pairs


@pytest.mark.parametrize(("fields", "field"), [
    ({"name": "parity"}, "dataset.name"),
    ({"length": 1}, "dataset.length"),
    ({"batch": 0}, "dataset.batch"),
    ({"name": "copy", "delay": 8}, "dataset.delay"),
    ({"name": "copy", "delay": 0}, "dataset.delay"),
    ({"classes": 1}, "dataset.classes"),
])
def test_a_dataset_that_cannot_be_drawn_is_refused_naming_its_field(fields, field):
    with pytest.raises(InputError) as refused:
        Dataset(**{"name": "remember-first", "length": 8, "batch": 2, "seed": 0, **fields})
    assert refused.value.field == field


def test_a_window_is_refused_on_a_dataset():
    params, dataset, _ = problem("rnn", "adding")
    with pytest.raises(InputError) as refused:
        core.train(params, dataset, 1, 0.1, core.new_optimizer_state("sgd", params), truncate=2)
    assert refused.value.field == "truncate"
