"""Sums agree with their parts; the batched sweep agrees with one sweep per source; truncation."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core import (
    ACTIVATIONS,
    Params,
    Sequence,
    backward,
    encode_text,
    forward,
    init_params,
    step_contributions,
    step_norms,
)
from core.functions import ACTIVATIONS as G
from core.reference import reference_backward

from .helpers import problem


def flows_one_source_at_a_time(fwd, truncate=None):
    """Reference: MATH.md's recursion, run separately for every source s (core/reference.py)."""
    seq = Sequence(fwd.x, fwd.y, fwd.has_loss)
    return reference_backward(fwd.params, seq, fwd.activation, fwd.output, fwd.h0, None, truncate).dh_by_source


@st.composite
def runs(draw):
    steps = draw(st.integers(1, 7))
    D = draw(st.integers(1, 4))
    H = draw(st.integers(1, 5))
    K = draw(st.integers(1, 4))
    scale = draw(st.floats(0.1, 2.0))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    params = Params(
        U=rng.normal(0, scale, (H, D)), W=rng.normal(0, scale, (H, H)), b=rng.normal(0, scale, H),
        V=rng.normal(0, scale, (K, H)), c=rng.normal(0, scale, K),
    )
    has_loss = rng.random(steps) < 0.7
    seq = Sequence(rng.normal(size=(steps, D)), rng.normal(size=(steps, K)) * has_loss[:, None], has_loss)
    activation = draw(st.sampled_from(sorted(ACTIVATIONS)))
    truncate = draw(st.one_of(st.none(), st.integers(1, steps + 2)))
    return forward(params, seq, activation, "identity", rng.normal(size=H)), truncate


@settings(max_examples=150, deadline=None)
@given(runs())
def test_batched_sweep_equals_one_sweep_per_source(run):
    fwd, truncate = run
    bwd = backward(fwd, truncate, by_source=True)
    expected = flows_one_source_at_a_time(fwd, truncate)
    np.testing.assert_allclose(bwd.dh_by_source, expected, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(bwd.flow, np.linalg.norm(expected, axis=2), rtol=1e-10, atol=1e-12)


@settings(max_examples=150, deadline=None)
@given(runs())
def test_sums_agree_with_their_parts(run):
    fwd, truncate = run
    bwd = backward(fwd, truncate, by_source=True)
    # the flows of all sources add up to the error
    np.testing.assert_allclose(bwd.dh_by_source.sum(axis=0), bwd.dh, rtol=1e-10, atol=1e-12)
    # the step contributions add up to the total, and their norms are what step_norms says
    parts = step_contributions(fwd, bwd)
    norms = step_norms(fwd, bwd)
    for name, total in bwd.grads.items():
        np.testing.assert_allclose(parts[name].sum(axis=0), total, rtol=1e-10, atol=1e-12)
        flat = parts[name].reshape(len(parts[name]), -1)
        np.testing.assert_allclose(norms[name], np.linalg.norm(flat, axis=1), rtol=1e-10, atol=1e-12)
    # each step's contribution splits over sources by the shares
    nonzero = np.linalg.norm(bwd.da, axis=1) > 0
    np.testing.assert_allclose(bwd.share.sum(axis=0)[nonzero], 1.0, rtol=1e-9)
    assert np.all(bwd.share[:, ~nonzero] == 0)
    # errors follow from each other as MATH.md writes them
    p = fwd.params
    dg = G[fwd.activation].dg(fwd.a, fwd.h)
    np.testing.assert_allclose(bwd.da, dg * bwd.dh, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(bwd.dx, bwd.da @ p.U, rtol=1e-12, atol=1e-14)


@settings(max_examples=80, deadline=None)
@given(runs(), st.integers(0, 5))
def test_a_window_as_long_as_the_sequence_is_full_bptt(run, extra):
    fwd, _ = run
    steps = fwd.h.shape[0]
    full, cut = backward(fwd), backward(fwd, steps + extra)
    for name in full.grads:
        np.testing.assert_array_equal(full.grads[name], cut.grads[name])
    np.testing.assert_array_equal(full.flow, cut.flow)
    np.testing.assert_array_equal(full.dh0, cut.dh0)


@settings(max_examples=80, deadline=None)
@given(runs())
def test_window_one_keeps_only_each_losses_own_step(run):
    fwd, _ = run
    bwd = backward(fwd, 1)
    p = fwd.params
    assert np.all(np.triu(bwd.flow, 1) == 0) and np.all(np.tril(bwd.flow, -1) == 0)
    np.testing.assert_allclose(bwd.dh, bwd.do @ p.V, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(bwd.dh0, bwd.da[0] @ p.W, rtol=1e-12, atol=1e-14)


def test_flow_matrix_is_lower_triangular_and_the_band_follows_the_window():
    params, seq, h0 = problem("softmax", "many-to-many", steps=6)
    fwd = forward(params, seq, "tanh", "softmax", h0)
    s, t = np.indices((6, 6))
    for k in (2, 3):
        flow = backward(fwd, k).flow
        assert np.all(flow[(t > s) | (s - t >= k)] == 0)
        assert np.all(flow[(t <= s) & (s - t < k)] > 0)


def test_many_to_one_has_a_single_source():
    params, seq, h0 = problem("softmax", "many-to-one", steps=5)
    bwd = backward(forward(params, seq, "tanh", "softmax", h0))
    assert np.all(bwd.flow[:-1] == 0) and np.all(bwd.flow[-1] > 0)
    assert np.all(bwd.do[:-1] == 0)


@pytest.mark.parametrize("radius,grows", [(0.3, False), (3.0, True)])
def test_flows_vanish_or_explode_with_the_spectral_radius(radius, grows):
    """With identity activation the error of the last loss scales like rho(W)^distance."""
    from core import encode_numbers, init_params, rescale_recurrent

    seq = encode_numbers(np.linspace(-1, 1, 17).tolist(), task="many-to-one")
    params = rescale_recurrent(init_params(1, 8, 1, seed=3), radius)
    flow = backward(forward(params, seq, "identity", "identity")).flow[-1]
    assert (flow[0] > 100 * flow[-1]) == grows and (flow[0] < flow[-1] / 100) == (not grows)


def test_skipping_the_shares_changes_nothing_else():
    seq = encode_text("the shares are optional", "many-to-many")
    fwd = forward(init_params(seq.x.shape[1], 6, seq.y.shape[1], seed=4), seq)
    for k in (None, 3):
        full, lean = backward(fwd, k), backward(fwd, k, shares=False)
        assert lean.share is None and full.share is not None
        for name in ("flow", "dh", "da", "dx", "dh0"):
            np.testing.assert_array_equal(getattr(lean, name), getattr(full, name))
        for name in full.grads:
            np.testing.assert_array_equal(lean.grads[name], full.grads[name])


@pytest.mark.parametrize("radius", [0.9, 40.0])  # 40: the products overflow part way along
def test_jacobian_norms_shared_with_a_pool_are_the_same_numbers(radius):
    from concurrent.futures import ThreadPoolExecutor

    from core import encode_numbers, init_params, rescale_recurrent
    from core.gain import jacobian_norms

    seq = encode_numbers([0.0] * 240, task="many-to-one")  # h stays 0: only the Jacobians grow
    fwd = forward(rescale_recurrent(init_params(1, 5, 1, seed=2), radius), seq, "identity", "identity")
    alone = jacobian_norms(fwd)
    with ThreadPoolExecutor(1) as pool:
        shared = jacobian_norms(fwd, pool=pool)
    assert shared == alone
    reached = [d for d, value in enumerate(alone) if value is not None]
    assert reached == list(range(len(reached))) and (len(reached) < len(alone)) == (radius > 1)
    direct = [np.linalg.norm(np.linalg.matrix_power(fwd.params.W, d), 2) for d in reached]  # identity: g' = 1
    np.testing.assert_allclose([alone[d] for d in reached], direct, rtol=1e-10)


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru", "mingru"])
@pytest.mark.parametrize("truncate", [None, 3])
def test_a_sweep_apart_on_two_cores_gives_the_one_sweeps_numbers(cell, truncate, monkeypatch):
    """sweep_apart (every other source in a second sweep, run at once) against the one sweep; the
    split is forced on a short text, as a long one (APART_SOURCES and more) would have it."""
    import core.sweep

    seq = encode_text("the error flows back along the chain")
    fwd = forward(init_params(seq.x.shape[1], 5, seq.y.shape[1], seed=3, cell=cell), seq)
    one = backward(fwd, truncate, shares=False)
    monkeypatch.setattr(core.sweep, "APART_SOURCES", 4)
    apart = backward(fwd, truncate, shares=False)
    assert apart.share is None
    for name in ("flow", "dh", "da", "dx", "dh0", "ds", "ds0", "flow_s"):
        a, b = getattr(one, name), getattr(apart, name)
        assert (a is None) == (b is None), name
        if a is not None:
            np.testing.assert_allclose(b, a, rtol=1e-12, atol=1e-15, err_msg=name)
    for name, total in one.grads.items():
        np.testing.assert_allclose(apart.grads[name], total, rtol=1e-12, atol=1e-15, err_msg=name)
    # the split matters: half the sources alone give other flows
    half = core.sweep.sweep(fwd, np.flatnonzero(fwd.has_loss)[0::2], truncate, own=one.do @ fwd.params.V, shares=False)
    assert not np.allclose(half.dh, one.dh)


def test_a_second_sweep_waits_its_turn_when_no_core_is_spare(monkeypatch):
    """at_once lends a thread only while a core is spare: with none, the two run in turn, here,
    and give the same answer."""
    import threading

    import core.sweep

    def where():
        return threading.current_thread().name

    monkeypatch.setattr(core.sweep, "SPARE_CORES", threading.BoundedSemaphore(1))
    assert core.sweep.at_once(where, where)[1].startswith("sweep")  # a core spare: a thread of its own
    core.sweep.SPARE_CORES.acquire()  # another computation holds it
    try:
        assert core.sweep.at_once(where, where) == (where(), where())
    finally:
        core.sweep.SPARE_CORES.release()
