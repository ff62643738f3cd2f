"""Forward pass and backpropagation through time for the simple RNN of MATH.md.

Row-vector convention: a (T, H) array holds one step per row, so ``W h`` in MATH.md is
``h @ W.T`` here and ``W^T delta`` is ``delta @ W``.
"""

from dataclasses import dataclass

import numpy as np

from .encode import Sequence
from .errors import InputError, NumericalOverflow
from .functions import ACTIVATIONS, HEADS
from .params import Params


@dataclass(frozen=True)
class Forward:
    """Everything the forward pass computed; arrays indexed by step first.

    x (T, D), y (T, K), has_loss (T,), h0 (H,), a and h (T, H), o and y_hat (T, K),
    loss (T,) with J^(t) (zero where there is no loss), total_loss J.
    """

    params: Params
    x: np.ndarray
    y: np.ndarray
    has_loss: np.ndarray
    h0: np.ndarray
    a: np.ndarray
    h: np.ndarray
    o: np.ndarray
    y_hat: np.ndarray
    loss: np.ndarray
    total_loss: float
    activation: str
    output: str

    @property
    def h_prev(self) -> np.ndarray:
        """(T, H): h^(t-1) for every step, h0 first."""
        return np.vstack([self.h0[None, :], self.h[:-1]])


def _first_nonfinite_row(values: np.ndarray, reverse: bool = False) -> int | None:
    bad = ~np.isfinite(values.reshape(values.shape[0], -1)).all(axis=1)
    if not bad.any():
        return None
    rows = np.flatnonzero(bad)
    return int(rows[-1] if reverse else rows[0])


def _check_targets(y: np.ndarray, has_loss: np.ndarray, output: str) -> None:
    y = y[has_loss]
    if output == "softmax" and not (np.all(y >= 0) and np.allclose(y.sum(axis=1), 1.0, atol=1e-9)):
        raise InputError(
            "targets", "with the softmax head every target must be a probability vector (non-negative, summing to 1)"
        )
    if output == "sigmoid" and not np.all((y >= 0) & (y <= 1)):
        raise InputError("targets", "with the sigmoid head every target must lie in [0, 1]")


def forward(
    params: Params,
    seq: Sequence,
    activation: str = "tanh",
    output: str = "softmax",
    h0: np.ndarray | None = None,
) -> Forward:
    """Run the RNN over ``seq``: a = b + W h_prev + U x, h = g(a), o = c + V h, y_hat = f(o)."""
    if activation not in ACTIVATIONS:
        raise InputError("activation", f"must be one of {', '.join(ACTIVATIONS)}, not {activation!r}")
    if output not in HEADS:
        raise InputError("output", f"must be one of {', '.join(HEADS)}, not {output!r}")
    D, H, K = params.sizes
    if seq.x.shape[1] != D or seq.y.shape[1] != K:
        raise InputError(
            "weights",
            f"expect inputs of size {D} and targets of size {K}, the data has {seq.x.shape[1]} and {seq.y.shape[1]}",
        )
    h0 = np.zeros(H) if h0 is None else np.asarray(h0, dtype=np.float64)
    if h0.shape != (H,) or not np.isfinite(h0).all():
        raise InputError("h0", f"must be {H} finite numbers (one per hidden unit)")
    _check_targets(seq.y, seq.has_loss, output)

    g = ACTIVATIONS[activation].g
    steps = seq.steps
    a = np.empty((steps, H))
    h = np.empty((steps, H))
    input_part = seq.x @ params.U.T + params.b
    W = params.W
    with np.errstate(all="ignore"):
        h_prev = h0
        for t in range(steps):
            a_t = a[t]
            np.dot(W, h_prev, out=a_t)
            a_t += input_part[t]
            h[t] = h_prev = g(a_t)
        o = h @ params.V.T + params.c
        head = HEADS[output]
        y_hat = head.f(o)
        loss = np.where(seq.has_loss, head.loss(o, seq.y), 0.0)
    for name, values in (("a", a), ("h", h), ("o", o), ("loss", loss)):
        step = _first_nonfinite_row(values)
        if step is not None:
            raise NumericalOverflow(name, step)
    return Forward(
        params, seq.x, seq.y, seq.has_loss, h0, a, h, o, y_hat, loss,
        float(loss.sum()), activation, output,
    )


@dataclass(frozen=True)
class Backward:
    """Errors, gradients and error flows of one BPTT sweep.

    do (T, K), dh, da (T, H), dx (T, D), dh0 (H,): the errors of MATH.md (truncated if asked).
    grads: the totals dJ/dtheta, shaped like the parameters.
    flow (T, T): F[s][t] = ||dh^(t<-s)||, zero for t > s, for s outside S and outside the window.
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


CHUNK = 8  # steps whose flows are reduced together (see backward)


def backward(fwd: Forward, truncate: int | None = None, by_source: bool = False, shares: bool = True) -> Backward:
    """BPTT split by source: one sweep from t = tau down to 0 carries all sources at once.

    ``truncate`` is the window k of MATH.md: dh^(t<-s) = 0 when s - t >= k (None = full BPTT).
    ``by_source`` keeps every dh^(t<-s) (T x T x H); ``shares=False`` skips the shares (None).

    At step t the sweep holds a block with one row dh^(t<-s) per source s in the window, and
    makes the next block with a single matrix product: dh^(t-1<-s) = W^T (g'(a^(t)) * dh^(t<-s)).
    That product, O(T^2 H^2) in all, is the only work per step; the blocks of CHUNK steps are
    kept, and their sums, norms and shares are taken together in a few vectorised calls.
    """
    if truncate is not None and truncate < 1:
        raise InputError("truncate", "must be at least 1 (or null for full BPTT)")
    p = fwd.params
    steps, H = fwd.h.shape
    window = steps + 1 if truncate is None else truncate
    dg = ACTIVATIONS[fwd.activation].dg(fwd.a, fwd.h)

    do = (fwd.y_hat - fwd.y) * fwd.has_loss[:, None]
    own = do @ p.V  # dh^(s<-s) = V^T do^(s)
    sources = np.flatnonzero(fwd.has_loss)
    n = len(sources)
    # Rows first[t]:stop[t] of a block are the sources s with t <= s < t + k; older[t] skips s = t.
    step_numbers = np.arange(steps)
    firsts = np.searchsorted(sources, step_numbers).tolist()
    stops = np.searchsorted(sources, step_numbers + window).tolist()
    olders = np.searchsorted(sources, step_numbers + 1).tolist()

    blocks = np.zeros((CHUNK, n, H))  # blocks[t - lo]: rows dh^(t<-s) for the chunk lo <= t < hi
    above = np.zeros((n, H))  # the block of step hi, from the chunk before
    scaled = np.empty((max(n, H), H))
    ones = np.ones(n)
    dh = np.zeros((steps, H))
    da = np.zeros((steps, H))
    flow2 = np.zeros((n, steps))  # [i, t]: ||dh^(t<-sources[i])||^2
    dots = np.zeros((n, steps)) if shares else None  # [i, t]: <da^(t<-sources[i]), da^(t)>
    by_unit = np.zeros((steps, steps, H)) if by_source else None

    with np.errstate(all="ignore"):
        for hi in range(steps, 0, -CHUNK):
            lo = max(hi - CHUNK, 0)
            r0, r1 = firsts[lo], stops[hi - 1]  # every row any step of the chunk uses
            for t in range(hi - 1, lo - 1, -1):
                first, older, stop = firsts[t], olders[t], stops[t]
                block = blocks[t - lo]
                if older < stop:
                    prev = (above if t == hi - 1 else blocks[t - lo + 1])[older:stop]
                    # (rows * g') @ W, scaling whichever of the two is smaller
                    if stop - older < H:
                        np.multiply(prev, dg[t + 1], out=scaled[: stop - older])
                        np.matmul(scaled[: stop - older], p.W, out=block[older:stop])
                    else:
                        np.multiply(dg[t + 1][:, None], p.W, out=scaled[:H])
                        np.matmul(prev, scaled[:H], out=block[older:stop])
                if first < older:
                    block[first] = own[t]
                block[r0:first] = 0.0  # rows outside this step's window count as zero below
                block[stop:r1] = 0.0
            chunk = blocks[: hi - lo, r0:r1]
            np.matmul(ones[r0:r1], chunk, out=dh[lo:hi])
            np.multiply(dg[lo:hi], dh[lo:hi], out=da[lo:hi])
            np.vecdot(chunk, chunk, out=flow2[r0:r1, lo:hi].T)
            if shares:
                np.matmul(chunk, (dg[lo:hi] * da[lo:hi])[:, :, None], out=dots[r0:r1, lo:hi].T[:, :, None])
            if by_unit is not None:
                by_unit[sources[r0:r1], lo:hi] = chunk.transpose(1, 0, 2)
            above[r0:r1] = blocks[0, r0:r1]
        # h0 receives what reached step 0 (MATH.md: dh0 = W^T da^(0)), so k >= T is full BPTT.
        dh0 = da[0] @ p.W
        np.sqrt(flow2, out=flow2)
        if shares:
            norm2 = np.einsum("ij,ij->i", da, da)
            np.divide(dots, norm2, out=dots, where=norm2 > 0)
            dots[:, norm2 == 0] = 0.0
    flow = _by_step(flow2, sources, steps)
    share = _by_step(dots, sources, steps) if shares else None

    step = _first_nonfinite_row(flow.T, reverse=True)
    if step is not None:
        raise NumericalOverflow("dh", step)
    if not np.isfinite(dh0).all():
        raise NumericalOverflow("dh0", -1)

    grads = {
        "U": da.T @ fwd.x,
        "W": da.T @ fwd.h_prev,
        "b": da.sum(axis=0),
        "V": do.T @ fwd.h,
        "c": do.sum(axis=0),
    }
    return Backward(do, dh, da, da @ p.U, dh0, grads, flow, share, by_unit, truncate)


def _by_step(rows: np.ndarray, sources: np.ndarray, steps: int) -> np.ndarray:
    """(sources x T) rows as a T x T matrix indexed [s][t], zero for steps that carry no loss."""
    if len(sources) == steps:
        return rows
    full = np.zeros((steps, steps))
    full[sources] = rows
    return full


def step_contributions(fwd: Forward, bwd: Backward) -> dict[str, np.ndarray]:
    """(dJ/dtheta)^(t) for every step: U (T, H, D), W (T, H, H), b (T, H), V (T, K, H), c (T, K)."""
    return {
        "U": np.einsum("ti,tj->tij", bwd.da, fwd.x),
        "W": np.einsum("ti,tj->tij", bwd.da, fwd.h_prev),
        "b": bwd.da.copy(),
        "V": np.einsum("ti,tj->tij", bwd.do, fwd.h),
        "c": bwd.do.copy(),
    }


def step_norms(fwd: Forward, bwd: Backward) -> dict[str, np.ndarray]:
    """Frobenius norms of the step contributions, (T,) each, without forming them:
    the norm of an outer product u v^T is ||u|| ||v||."""
    norm = lambda rows: np.linalg.norm(rows, axis=1)  # noqa: E731
    da, do = norm(bwd.da), norm(bwd.do)
    return {
        "U": da * norm(fwd.x),
        "W": da * norm(fwd.h_prev),
        "b": da,
        "V": do * norm(fwd.h),
        "c": do,
    }
