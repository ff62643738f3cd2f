"""Backpropagation through time for any cell, split by source, in one sweep (MATH.md,
"Backward pass", "Error flows" and "Truncated BPTT").

Row-vector convention as in unfold.py: ``W^T delta`` is ``delta @ W``.
"""

from dataclasses import dataclass

import numpy as np

from .cells import CELL_MODULES
from .errors import InputError, NumericalOverflow
from .sweep import sweep, sweep_apart
from .unfold import BatchForward, Forward, first_nonfinite_row, forward_batch


@dataclass(frozen=True)
class Backward:
    """Errors, gradients and error flows of one BPTT sweep.

    do (T, K), dh (T, H), da (T, G H), dx (T, D), dh0 (H,): the errors of MATH.md (truncated
    if asked); ds (T, H) and ds0 (H,) for the LSTM's cell state, None otherwise.
    grads: the totals dJ/dtheta, shaped like the parameters.
    flow (T, T): F[s][t] = ||dh^(t<-s)||, zero for t > s, for s outside S and outside the window.
    flow_s (T, T): the same for the LSTM's ds^(t<-s); None for the other cells.
    share (T, T): share[s][t] = <da^(t<-s), da^(t)> / ||da^(t)||^2, the part of step t's
        contribution to dJ/dU, dJ/dW and dJ/db that source s accounts for; columns sum to 1
        (to 0 where da^(t) = 0); None when not asked for.
    dh_by_source (T, T, H) or None: dh^(t<-s) itself, indexed [s, t], when asked for.
    """

    do: np.ndarray
    dh: np.ndarray
    da: np.ndarray
    dx: np.ndarray
    dh0: np.ndarray
    grads: dict
    flow: np.ndarray
    share: np.ndarray | None
    dh_by_source: np.ndarray | None
    truncate: int | None
    ds: np.ndarray | None = None
    ds0: np.ndarray | None = None
    flow_s: np.ndarray | None = None


def backward(fwd: Forward, truncate: int | None = None, by_source: bool = False, shares: bool = True) -> Backward:
    """BPTT split by source: one sweep from t = tau down to 0 carries all sources at once
    (sweep.py), each entering at its own step as dh^(s<-s) = V^T do^(s).

    ``truncate`` is the window k of MATH.md: dh^(t<-s) = 0 (and ds^(t<-s) = 0) when s - t >= k
    (None = full BPTT). ``by_source`` keeps every dh^(t<-s) (T x T x H); ``shares=False`` skips
    the shares (None).
    """
    if truncate is not None and truncate < 1:
        raise InputError("truncate", "must be at least 1 (or null for full BPTT)")
    p = fwd.params
    steps = fwd.h.shape[0]
    do = (fwd.y_hat - fwd.y) * fwd.has_loss[:, None]
    sources = np.flatnonzero(fwd.has_loss)
    if by_source or shares:
        swept = sweep(fwd, sources, truncate, own=do @ p.V, by_source=by_source, shares=shares)
    else:  # a long sequence's sources on two cores
        swept = sweep_apart(fwd, sources, truncate, do @ p.V)
    dh, da, ds, dh0, ds0 = swept.dh, swept.da, swept.ds, swept.dh0, swept.ds0
    flow2, flow2_s, dots = swept.flow2, swept.flow2_s, swept.dots
    with np.errstate(all="ignore"):
        np.sqrt(flow2, out=flow2)
        if flow2_s is not None:
            np.sqrt(flow2_s, out=flow2_s)
        if shares:
            norm2 = np.einsum("ij,ij->i", da, da)
            np.divide(dots, norm2, out=dots, where=norm2 > 0)
            dots[:, norm2 == 0] = 0.0
    flow = by_step(flow2, sources, steps)
    flow_s = None if flow2_s is None else by_step(flow2_s, sources, steps)
    share = by_step(dots, sources, steps) if shares else None

    for name, values in (("dh", flow), ("ds", flow_s)):
        step = None if values is None else first_nonfinite_row(values.T, reverse=True)
        if step is not None:
            raise NumericalOverflow(name, step)
    if not np.isfinite(dh0).all():
        raise NumericalOverflow("dh0", -1)

    grads = _totals(fwd, CELL_MODULES[p.cell], do, da)
    return Backward(do, dh, da, da @ p.U, dh0, grads, flow, share, swept.by_unit, truncate, ds, ds0, flow_s)


def _totals(fwd: Forward, cell, do: np.ndarray, da: np.ndarray) -> dict:
    """dJ/dtheta from the summed errors: each parameter's contributions summed over the steps."""
    return _in_order(fwd, {
        "U": da.T @ fwd.x,
        "b": da.sum(axis=0),
        **{name: part.sum(axis=0) for name, part in cell.extra_grads(fwd, da).items()},
        "V": do.T @ fwd.h,
        "c": do.sum(axis=0),
    }, lambda: cell.weight_errors(fwd, da).T @ fwd.h_prev)


def _in_order(fwd, grads: dict, recurrent) -> dict:
    """``grads`` in the order of the cell's parameters, with W = recurrent() for the cells that have
    one (the min cells do not)."""
    if fwd.params.W is not None:
        grads["W"] = recurrent()
    return {name: grads[name] for name in fwd.params.names}


def gradients(fwd: Forward, truncate: int | None = None) -> dict:
    """The totals dJ/dtheta alone, for one sequence (batch_gradients with B = 1). A window
    k < T cuts each source at its own distance, so it keeps the split (backward, without the
    shares)."""
    if truncate is not None and truncate < fwd.h.shape[0]:
        return backward(fwd, truncate, shares=False).grads
    one = forward_batch(fwd.params, fwd.x[None], fwd.y[None], fwd.has_loss, fwd.activation, fwd.output, fwd.h0, fwd.s0)
    return batch_gradients(one)


def batch_gradients(fwd: BatchForward) -> dict[str, np.ndarray]:
    """dJ/dtheta of the batch's J = (1/B) sum_b J_b, full BPTT (MATH.md, "Training on a generated
    task").

    No split by source: every rule being linear, one row per sequence carrying its summed error
    through the cell's local rule (cells/, ``Local.rows``) gives the totals at O(T B G H^2) instead of
    the split's O(T^2 G H^2)."""
    p = fwd.params
    cell = CELL_MODULES[p.cell]
    steps, B, H = fwd.h.shape
    do = (fwd.y_hat - fwd.y) * (fwd.has_loss[:, None, None] / B)  # dJ/do^(t) of the batch mean
    own = do @ p.V  # V^T do^(t): each sequence's own loss at step t
    da = np.empty_like(fwd.a)
    w_errors = np.empty_like(fwd.a) if p.cell == "gru" else da  # the errors multiplying h'^T in W's (if any)
    dh = np.zeros((B, H))  # the error reaching h^(t) from step t + 1
    carry = np.zeros((B, H)) if fwd.s is not None else None  # the LSTM's f^(t+1) ds^(t+1)
    with np.errstate(all="ignore"):
        local = cell.Local(fwd)  # every step's local derivatives at once
        for t in range(steps - 1, -1, -1):
            dh += own[t]
            dh, carry = local.rows(t, dh, da[t], w_errors[t], carry)
    step = first_nonfinite_row(da, reverse=True)
    if step is not None or not np.isfinite(dh).all():
        raise NumericalOverflow("dh", -1 if step is None else step)
    rows = lambda values: values.reshape(steps * B, -1)  # noqa: E731  (every step of every sequence)
    grads = {"U": rows(da).T @ rows(fwd.x), "b": rows(da).sum(axis=0), "V": rows(do).T @ rows(fwd.h),
             "c": rows(do).sum(axis=0)}
    if p.cell == "gru":
        grads["b_hn"] = rows(w_errors[:, :, 2 * H:]).sum(axis=0)  # r * da_n
    return _in_order(fwd, grads, lambda: rows(w_errors).T @ rows(fwd.h_prev))


def by_step(rows: np.ndarray, sources: np.ndarray, steps: int) -> np.ndarray:
    """(sources x T) rows as a T x T matrix indexed [s][t], zero for steps that carry no loss (a
    stack's layers and directions too: deep_backward.py, app/depth.py)."""
    if len(sources) == steps:
        return rows
    full = np.zeros((steps, steps))
    full[sources] = rows
    return full


def step_contributions(fwd: Forward, bwd: Backward) -> dict[str, np.ndarray]:
    """(dJ/dtheta)^(t) for every step: U (T, G H, D), W (T, G H, H) but for the min cells,
    b (T, G H), b_hn (T, H) for the GRU, V (T, K, H), c (T, K)."""
    cell = CELL_MODULES[fwd.cell]
    return _in_order(fwd, {
        "U": np.einsum("ti,tj->tij", bwd.da, fwd.x),
        "b": bwd.da.copy(),
        **cell.extra_grads(fwd, bwd.da),
        "V": np.einsum("ti,tj->tij", bwd.do, fwd.h),
        "c": bwd.do.copy(),
    }, lambda: np.einsum("ti,tj->tij", cell.weight_errors(fwd, bwd.da), fwd.h_prev))


def step_norms(fwd: Forward, bwd: Backward) -> dict[str, np.ndarray]:
    """Frobenius norms of the step contributions, (T,) each, without forming them:
    the norm of an outer product u v^T is ||u|| ||v||."""
    cell = CELL_MODULES[fwd.cell]
    norm = lambda rows: np.linalg.norm(rows, axis=1)  # noqa: E731
    da, do = norm(bwd.da), norm(bwd.do)
    return _in_order(fwd, {
        "U": da * norm(fwd.x),
        "b": da,
        **{name: norm(part) for name, part in cell.extra_grads(fwd, bwd.da).items()},
        "V": do * norm(fwd.h),
        "c": do,
    }, lambda: norm(cell.weight_errors(fwd, bwd.da)) * norm(fwd.h_prev))
