"""The fast sweep (bptt.backward) against the textbook recursion written as docs/MATH.md writes it
(core/reference.py): every error, per-source error, flow and gradient, for every cell, head, task
and window."""

import numpy as np
import pytest

from core import HEADS, TASKS, backward, forward
from core.reference import reference_backward

from .helpers import problem

CELLS = ("rnn", "lstm", "gru")


@pytest.mark.parametrize("cell", CELLS)
@pytest.mark.parametrize("output", sorted(HEADS))
@pytest.mark.parametrize("task", TASKS)
@pytest.mark.parametrize("truncate", [None, 1, 2, 4])
def test_the_fast_sweep_computes_what_the_textbook_recursion_computes(cell, output, task, truncate):
    params, seq, h0 = problem(output, task, seed=7, steps=5, hidden=3, cell=cell)
    s0 = np.linspace(-0.3, 0.3, 3) if cell == "lstm" else None
    fwd = forward(params, seq, "tanh", output, h0, s0)
    fast = backward(fwd, truncate, by_source=True)
    ref = reference_backward(params, seq, "tanh", output, h0, s0, truncate)
    close = dict(rtol=1e-10, atol=1e-13)
    np.testing.assert_allclose(fast.dh_by_source, ref.dh_by_source, **close)
    np.testing.assert_allclose(fast.flow, ref.flow, **close)
    np.testing.assert_allclose(fast.dh, ref.dh, **close)
    np.testing.assert_allclose(fast.da, ref.da, **close)
    np.testing.assert_allclose(fast.dx, ref.dx, **close)
    np.testing.assert_allclose(fast.dh0, ref.dh0, **close)
    for name in params.names:
        np.testing.assert_allclose(fast.grads[name], ref.grads[name], err_msg=name, **close)
    if cell == "lstm":
        np.testing.assert_allclose(fast.flow_s, ref.flow_s, **close)
        np.testing.assert_allclose(fast.ds, ref.ds, **close)
        np.testing.assert_allclose(fast.ds0, ref.ds0, **close)


def test_the_reference_can_fail():
    """A judge that agrees with anything judges nothing: a sweep with one wrong sign differs."""
    params, seq, h0 = problem("softmax", "many-to-many", seed=1, steps=4, hidden=3, cell="gru")
    fwd = forward(params, seq, "tanh", "softmax", h0)
    wrong = backward(forward(params.replace(b_hn=-params.b_hn), seq, "tanh", "softmax", h0))
    ref = reference_backward(params, seq, "tanh", "softmax", h0)
    assert np.allclose(backward(fwd).grads["W"], ref.grads["W"], rtol=1e-10)
    assert not np.allclose(wrong.grads["W"], ref.grads["W"], rtol=1e-6)
