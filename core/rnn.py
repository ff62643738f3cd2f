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
    with np.errstate(all="ignore"):
        h_prev = h0
        for t in range(steps):
            a[t] = input_part[t] + params.W @ h_prev
            h[t] = h_prev = g(a[t])
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
        (to 0 where da^(t) = 0).
    dh_by_source (T, T, H) or None: dh^(t<-s) itself, indexed [s, t], when asked for.
    """

    do: np.ndarray
    dh: np.ndarray
    da: np.ndarray
    dx: np.ndarray
    dh0: np.ndarray
    grads: dict
    flow: np.ndarray
    share: np.ndarray
    dh_by_source: np.ndarray | None
    truncate: int | None


def backward(fwd: Forward, truncate: int | None = None, by_source: bool = False) -> Backward:
    """BPTT split by source: one sweep from t = tau down to 0 carries all sources at once.

    ``truncate`` is the window k of MATH.md: dh^(t<-s) = 0 when s - t >= k (None = full BPTT).
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
    carried = np.zeros((len(sources), H))  # row i: dh^(t<-sources[i]) at the current t
    dh = np.zeros((steps, H))
    da = np.zeros((steps, H))
    flow = np.zeros((steps, steps))
    share = np.zeros((steps, steps))
    by_unit = np.zeros((steps, steps, H)) if by_source else None

    with np.errstate(all="ignore"):
        for t in reversed(range(steps)):
            first = np.searchsorted(sources, t)  # sources s >= t ...
            stop = np.searchsorted(sources, t + window)  # ... and s - t < k
            starts_here = first < len(sources) and sources[first] == t
            older = first + starts_here
            if older < stop:
                # dh^(t<-s) = W^T (g'(a^(t+1)) * dh^(t+1<-s))
                carried[older:stop] = (carried[older:stop] * dg[t + 1]) @ p.W
            if starts_here:
                carried[first] = own[t]
            block = carried[first:stop]
            rows = sources[first:stop]
            dh[t] = block.sum(axis=0)
            da[t] = dg[t] * dh[t]
            flow[rows, t] = np.sqrt(np.einsum("ij,ij->i", block, block))
            norm2 = da[t] @ da[t]
            if norm2 > 0:
                share[rows, t] = ((block * dg[t]) @ da[t]) / norm2
            if by_unit is not None:
                by_unit[rows, t] = block
        # h0 receives what reached step 0 (MATH.md: dh0 = W^T da^(0)), so k >= T is full BPTT.
        dh0 = da[0] @ p.W

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
