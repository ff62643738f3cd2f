"""Backpropagation through time for any cell, split by source, in one sweep (MATH.md,
"Backward pass", "Error flows" and "Truncated BPTT").

Row-vector convention as in unfold.py: ``W^T delta`` is ``delta @ W``.
"""

from dataclasses import dataclass

import numpy as np

from .cells import CELL_MODULES
from .contract import window as window_of
from .errors import InputError, NumericalOverflow
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


CHUNK = 8  # steps whose flows are reduced together (see backward)


def backward(fwd: Forward, truncate: int | None = None, by_source: bool = False, shares: bool = True) -> Backward:
    """BPTT split by source: one sweep from t = tau down to 0 carries all sources at once.

    ``truncate`` is the window k of MATH.md: dh^(t<-s) = 0 (and ds^(t<-s) = 0) when s - t >= k
    (None = full BPTT). ``by_source`` keeps every dh^(t<-s) (T x T x H); ``shares=False`` skips
    the shares (None).

    At step t the sweep holds a block with one row per source s in the window and passes it
    through the cell's local backward rule (cells/): every rule is linear in the errors, so
    the whole block costs one matrix product per step, O(T^2 G H^2) in all. The blocks of
    CHUNK steps are kept, and their sums, norms and shares taken together in a few calls.
    """
    if truncate is not None and truncate < 1:
        raise InputError("truncate", "must be at least 1 (or null for full BPTT)")
    p = fwd.params
    cell = CELL_MODULES[p.cell]
    local = cell.Local(fwd)
    steps, H = fwd.h.shape
    GH = fwd.a.shape[1]
    has_state = fwd.s is not None

    do = (fwd.y_hat - fwd.y) * fwd.has_loss[:, None]
    own = do @ p.V  # dh^(s<-s) = V^T do^(s)
    sources = np.flatnonzero(fwd.has_loss)
    n = len(sources)
    # Rows first[t]:stop[t] of a block are the sources s with t <= s < t + k; older[t] skips s = t.
    step_numbers = np.arange(steps)
    firsts = np.searchsorted(sources, step_numbers).tolist()
    stops = np.searchsorted(sources, step_numbers + window_of(truncate, steps)).tolist()
    olders = np.searchsorted(sources, step_numbers + 1).tolist()

    # blocks_*[t - lo + 1]: one row per source for the chunk lo <= t < hi. Step t sends what
    # reaches h^(t-1) straight into the block of step t - 1, slot 0 for the first step of the
    # next chunk; slot 0 of blocks_s stays unused. The da rows are kept only for the shares;
    # without them the cells do not write them (the simple RNN reuses one scratch block).
    blocks_h = np.zeros((CHUNK + 1, n, H))
    blocks_a = np.zeros((CHUNK + 1, n, GH)) if shares else None
    blocks_s = np.zeros((CHUNK + 1, n, H)) if has_state else None
    carry = np.zeros((n, H)) if has_state else None  # the LSTM's f^(t+1) * ds^(t+1<-s)
    ones = np.ones(n)
    dh = np.zeros((steps, H))
    da = np.zeros((steps, GH))
    ds = np.zeros((steps, H)) if has_state else None
    flow2 = np.zeros((n, steps))  # [i, t]: ||dh^(t<-sources[i])||^2
    flow2_s = np.zeros((n, steps)) if has_state else None
    dots = np.zeros((n, steps)) if shares else None  # [i, t]: <da^(t<-sources[i]), da^(t)>
    by_unit = np.zeros((steps, steps, H)) if by_source else None
    kept = [b for b in (blocks_h, blocks_a, blocks_s) if b is not None]

    with np.errstate(all="ignore"):
        for hi in range(steps, 0, -CHUNK):
            lo = max(hi - CHUNK, 0)
            r0, r1 = firsts[lo], stops[hi - 1]  # every row any step of the chunk uses
            if hi < steps:  # what the step above the chunk sent back
                blocks_h[hi - lo] = blocks_h[0]
            for t in range(hi - 1, lo - 1, -1):
                first, older, stop = firsts[t], olders[t], stops[t]
                k = t - lo + 1
                if first < older:  # the loss at step t itself
                    blocks_h[k, first] = own[t]
                    if has_state:
                        carry[first] = 0.0
                for block in kept:  # rows outside the window count as zero
                    block[k, r0:first] = 0.0
                    block[k, stop:r1] = 0.0
                if first < stop:
                    rows = slice(first, stop)
                    local.at(
                        t, blocks_h[k, rows], blocks_a[k, rows] if shares else None, blocks_h[k - 1, rows],
                        blocks_s[k, rows] if has_state else None, carry[rows] if has_state else None,
                    )
            span = slice(lo, hi)
            chunk_h = blocks_h[1: hi - lo + 1, r0:r1]
            np.matmul(ones[r0:r1], chunk_h, out=dh[span])
            np.vecdot(chunk_h, chunk_h, out=flow2[r0:r1, span].T)
            if has_state:
                chunk_s = blocks_s[1: hi - lo + 1, r0:r1]
                np.matmul(ones[r0:r1], chunk_s, out=ds[span])
                np.vecdot(chunk_s, chunk_s, out=flow2_s[r0:r1, span].T)
            # the rule is linear: applied to the summed errors it gives the summed da
            local.errors(span, dh[span], da[span], ds[span] if has_state else None)
            if shares:
                chunk_a = blocks_a[1: hi - lo + 1, r0:r1]
                np.matmul(chunk_a, da[span][:, :, None], out=dots[r0:r1, span].T[:, :, None])
            if by_unit is not None:
                by_unit[sources[r0:r1], span] = chunk_h.transpose(1, 0, 2)
        # h0 (and s0) receive what reached step 0 (MATH.md: dh0 = W^T da^(0)), so k >= T is full BPTT.
        at_zero = slice(firsts[0], stops[0])
        dh0 = blocks_h[0, at_zero].sum(axis=0)
        ds0 = carry[at_zero].sum(axis=0) if has_state else None
        np.sqrt(flow2, out=flow2)
        if has_state:
            np.sqrt(flow2_s, out=flow2_s)
        if shares:
            norm2 = np.einsum("ij,ij->i", da, da)
            np.divide(dots, norm2, out=dots, where=norm2 > 0)
            dots[:, norm2 == 0] = 0.0
    flow = _by_step(flow2, sources, steps)
    flow_s = _by_step(flow2_s, sources, steps) if has_state else None
    share = _by_step(dots, sources, steps) if shares else None

    for name, values in (("dh", flow), ("ds", flow_s)):
        step = None if values is None else first_nonfinite_row(values.T, reverse=True)
        if step is not None:
            raise NumericalOverflow(name, step)
    if not np.isfinite(dh0).all():
        raise NumericalOverflow("dh0", -1)

    grads = _totals(fwd, cell, do, da)
    return Backward(do, dh, da, da @ p.U, dh0, grads, flow, share, by_unit, truncate, ds, ds0, flow_s)


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


def _by_step(rows: np.ndarray, sources: np.ndarray, steps: int) -> np.ndarray:
    """(sources x T) rows as a T x T matrix indexed [s][t], zero for steps that carry no loss."""
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
