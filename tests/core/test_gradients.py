"""Every analytic gradient of MATH.md against central finite differences."""

import itertools

import numpy as np
import pytest

import core
from core import ACTIVATIONS, HEADS, TASKS, backward, forward, gradcheck, numerical_gradients

from .helpers import problem

COMBINATIONS = list(itertools.product(ACTIVATIONS, HEADS, TASKS, (None, 1, 2)))
GATED = list(itertools.product(("lstm", "gru", "mingru", "minlstm"), HEADS, TASKS, (None, 1, 2)))


@pytest.mark.parametrize("activation,output,task,truncate", COMBINATIONS)
def test_every_gradient_agrees_with_finite_differences(activation, output, task, truncate):
    params, seq, h0 = problem(output, task, seed=len(activation) + len(output))
    errors = gradcheck(params, seq, activation, output, h0, truncate)
    assert set(errors) == {"U", "W", "b", "V", "c", "h0", "x"}
    assert max(errors.values()) < 1e-6, errors


@pytest.mark.parametrize("cell,output,task,truncate", GATED)
def test_every_gradient_of_the_gated_cells_agrees_with_finite_differences(cell, output, task, truncate):
    params, seq, h0 = problem(output, task, seed=len(cell) + len(output), steps=5, cell=cell)
    s0 = np.random.default_rng(1).normal(0, 0.5, h0.shape) if cell == "lstm" else None
    errors = gradcheck(params, seq, "tanh", output, h0, truncate, s0=s0)
    expected = {"U", "b", "V", "c", "h0", "x"} | {"lstm": {"W", "s0"}, "gru": {"W", "b_hn"}}.get(cell, set())
    assert set(errors) == expected
    assert max(errors.values()) < 1e-6, errors


def test_gradcheck_notices_a_wrong_gradient():
    """The check itself can fail: a gradient off by a little is reported as a large error."""
    params, seq, h0 = problem("softmax", "many-to-many")
    fwd = forward(params, seq, "tanh", "softmax", h0)
    numeric = numerical_gradients(params, seq, "tanh", "softmax", h0)
    wrong = backward(fwd).grads["W"] * 1.01
    from core.gradcheck import relative_error

    assert relative_error(wrong, numeric["W"]) > 1e-3


def test_truncated_gradient_differs_from_the_full_one():
    """Truncation changes the numbers (so the truncated checks above are not trivially full)."""
    params, seq, h0 = problem("softmax", "many-to-many", steps=5)
    fwd = forward(params, seq, "tanh", "softmax", h0)
    full, cut = backward(fwd).grads["W"], backward(fwd, truncate=2).grads["W"]
    assert not np.allclose(full, cut)


@pytest.mark.parametrize("output", sorted(HEADS))
def test_loss_matches_the_textbook_formula_of_each_head(output):
    params, seq, h0 = problem(output, "many-to-many")
    fwd = forward(params, seq, "tanh", output, h0)
    o, y = fwd.o, fwd.y
    if output == "softmax":
        p = np.exp(o) / np.exp(o).sum(axis=1, keepdims=True)
        expected = -(y * np.log(p)).sum(axis=1)
    elif output == "identity":
        p = o
        expected = 0.5 * ((o - y) ** 2).sum(axis=1)
    else:
        p = 1 / (1 + np.exp(-o))
        expected = -(y * np.log(p) + (1 - y) * np.log(1 - p)).sum(axis=1)
    np.testing.assert_allclose(fwd.y_hat, p, rtol=1e-12)
    np.testing.assert_allclose(fwd.loss, expected, rtol=1e-12)
    assert fwd.total_loss == pytest.approx(expected.sum(), rel=1e-12)


@pytest.mark.parametrize("cell", core.CELLS)
def test_the_finite_differences_forward_loop_gives_the_forward_passs_losses(cell):
    """step_losses takes the inputs' and outputs' products for all steps at once: with one
    parameter set they are the forward pass's losses, and a step with its own set is its own."""
    from core import HEADS
    from core.cells import CELL_MODULES
    from core.gradcheck import step_losses

    params, seq, h0 = problem("softmax", "many-to-many", seed=3, steps=6, cell=cell)
    s0 = np.zeros_like(h0) if cell == "lstm" else None
    fwd = forward(params, seq, "tanh", "softmax", h0, s0)
    same = step_losses(params, seq.x, seq, "tanh", "softmax", h0, s0)
    np.testing.assert_allclose(same, fwd.loss, rtol=1e-13)
    other = params.replace(U=params.U * 1.5, V=params.V - 0.2, b=params.b + 0.1)
    h, s, want = h0, s0, []
    for t in range(seq.steps):
        p = other if t == 2 else params
        _, _, h, s = CELL_MODULES[cell].step(p, p.U @ seq.x[t] + p.b, h, s, "tanh")
        want.append(HEADS["softmax"].loss((p.c + p.V @ h)[None, :], seq.y[t][None, :])[0])
    got = step_losses(params, seq.x, seq, "tanh", "softmax", h0, s0, own=(2, other))
    np.testing.assert_allclose(got, want, rtol=1e-13)
    assert not np.allclose(got, fwd.loss)


def test_the_check_tells_a_tiny_right_gradient_from_a_wrong_one():
    """A vanishing error reaching h0 (about 1e-8) agrees with finite differences within their own
    rounding, though its relative error is about 1e-3; the same gradient moved by a part in 10^4
    of the largest parameter gradient does not (issue 25, item 1)."""
    from core.gradcheck import agreement, check_gradients, numerical_gradients, rounding_floor

    seq = core.encode_text("the first letter decides this!", "many-to-one")
    D = len(seq.vocab)
    params = core.rescale_recurrent(core.init_params(D, 8, D, seed=3), 0.6)
    report = check_gradients(params, seq)
    assert report["relative"]["h0"] > 1e-4 and report["largest"]["h0"] < 1e-6
    assert all(report["agrees"].values())
    fwd = core.forward(params, seq)
    bwd = core.backward(fwd)
    numeric = numerical_gradients(params, seq)
    floor = rounding_floor(fwd.total_loss, 1e-5)
    wrong = bwd.grads["W"].copy()
    wrong[0, 0] += 1e-4 * np.abs(wrong).max()
    assert not agreement({"W": wrong}, numeric, floor)["agrees"]["W"]
    tiny_wrong = bwd.dh0 * 3  # three times a tiny gradient is wrong, tiny or not
    assert not agreement({"h0": tiny_wrong}, numeric, floor)["agrees"]["h0"]
