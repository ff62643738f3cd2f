"""The fast sweep (bptt.backward) against the textbook recursion written as docs/MATH.md writes it
(core/reference.py): every error, per-source error, flow and gradient, for every cell, head, task
and window."""

import numpy as np
import pytest

import core
from core import HEADS, TASKS, backward, forward
from core.reference import reference_backward

from .helpers import problem

CELLS = core.CELLS


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
    # the shares by their definition, from every source's own da^(t<-s)
    norm2 = np.einsum("tg,tg->t", ref.da, ref.da)
    dots = np.einsum("stg,tg->st", ref.da_by_source, ref.da)
    share = np.divide(dots, norm2, out=np.zeros_like(dots), where=norm2 > 0)
    np.testing.assert_allclose(fast.share, share, rtol=1e-9, atol=1e-12)


def test_the_comparison_catches_a_sweep_with_one_wrong_local_rule(monkeypatch):
    """A judge that agrees with anything judges nothing: a GRU sweep whose step back forgets the
    update gate's direct path (z * dh) is caught."""
    from core.cells import gru

    params, seq, h0 = problem("softmax", "many-to-many", seed=1, steps=4, hidden=3, cell="gru")
    ref = reference_backward(params, seq, "tanh", "softmax", h0)
    right = backward(forward(params, seq, "tanh", "softmax", h0))
    assert np.allclose(right.grads["W"], ref.grads["W"], rtol=1e-10)
    at = gru.Local.at

    def without_the_shortcut(self, t, dh, reaching, ds=None, carry=None):
        at(self, t, dh, reaching)
        reaching -= self.z[t] * dh  # the rule without its z * dh^(t<-s) term

    monkeypatch.setattr(gru.Local, "at", without_the_shortcut)
    wrong = backward(forward(params, seq, "tanh", "softmax", h0))
    assert not np.allclose(wrong.grads["W"], ref.grads["W"], rtol=1e-6)
