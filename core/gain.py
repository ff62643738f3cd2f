"""The error gain against distance (MATH.md, "Error gain against distance" and "Jacobians").

G(d): how much of a loss's error is left d steps back, as the geometric mean over the sources
of F[s][s-d] / F[s][s]. For the simple RNN also the exact spectral norm of the Jacobian
dh^(tau)/dh^(tau-d) and the bound (||W||_2 gamma)^d; for the min cells, whose Jacobian is
diagonal, its exact norm at every distance, and its smallest singular value.
"""

from concurrent.futures import Executor

import numpy as np

from .cells import CELL_MODULES
from .contract import ACTIVATION_GAIN, MIN_CELLS
from .functions import ACTIVATIONS


def gain_curve(flow: np.ndarray, has_loss: np.ndarray, reference: np.ndarray | None = None) -> list[float | None]:
    """G(d) for d = 0 .. T-1 from a flow matrix F[s][t]; None where a term is 0 or no source
    reaches that far. Each term is over the loss's own error F[s][s], or over ``reference``'s
    diagonal (a stack's lower layer against its top: MATH.md, "Depth: embeddings, stacked layers,
    both directions")."""
    steps = flow.shape[0]
    own = np.diagonal(flow if reference is None else reference)
    counted = has_loss & (own > 0)
    # row s, column d: source s's term d steps back, F[s][s-d] / F[s][s] (where s - d >= 0)
    back = np.arange(steps)[:, None] - np.arange(steps)[None, :]
    used = counted[:, None] & (back >= 0)
    with np.errstate(all="ignore"):
        ratio = flow[np.arange(steps)[:, None], np.maximum(back, 0)] / np.where(counted, own, 1.0)[:, None]
        logs = np.log(np.where(used, ratio, 1.0))
        count = used.sum(axis=0)
        values = np.exp(logs.sum(axis=0) / np.maximum(count, 1))
    usable = (count > 0) & ~np.any(used & ~(ratio > 0), axis=0) & np.isfinite(values)
    return [float(v) if ok else None for v, ok in zip(values, usable, strict=True)]


def jacobian_norms(fwd, distances: int | None = None, pool: Executor | None = None) -> list[float | None]:
    """||dh^(tau)/dh^(tau-d)||_2 for d = 0 .. T-1 (simple RNN), the product
    prod_{j=tau-d+1..tau} diag(g'(a^(j))) W taken from the last step back. Only the first
    ``distances`` are computed (all by default); None beyond, and past an overflow.

    The singular values are most of the work: with a ``pool``, half of them are computed there
    while this thread computes the other half."""
    dg = ACTIVATIONS[fwd.activation].dg(fwd.a, fwd.h)
    steps, H = fwd.h.shape
    W = fwd.params.W
    products = np.empty((min(steps, distances or steps), H, H))
    products[0] = np.eye(H)
    finite = 1
    with np.errstate(all="ignore"):
        while finite < len(products):
            products[finite] = products[finite - 1] @ (dg[steps - finite][:, None] * W)
            if not np.isfinite(products[finite]).all():
                break
            finite += 1
        early, late = products[: finite // 2], products[finite // 2 : finite]
        later = pool.submit(_largest_singular_values, late) if pool is not None else None
        values = np.concatenate([_largest_singular_values(early),
                                 later.result() if later is not None else _largest_singular_values(late)])
    norms: list[float | None] = [None] * steps
    for d, value in enumerate(values):
        if not np.isfinite(value):
            break
        norms[d] = float(value)
    return norms


def _largest_singular_values(matrices: np.ndarray) -> np.ndarray:
    return np.linalg.svd(matrices, compute_uv=False)[:, 0] if len(matrices) else np.empty(0)


def diagonal_jacobian_norms(fwd) -> tuple[list[float], list[float]]:
    """For the min cells, dh^(tau)/dh^(tau-d) = prod_{j=tau-d+1..tau} diag(alpha^(j)) (MATH.md,
    "minGRU and minLSTM"), for d = 0 .. T-1: its spectral norm, the largest unit's product, and
    its smallest singular value, the smallest unit's. Both are exact and cheap: the products are
    running products of alpha in (0, 1), which cannot overflow. The last source's error ratio
    F[tau][tau-d] / F[tau][tau] lies between them."""
    H = fwd.h.shape[1]
    alpha, _, _ = CELL_MODULES[fwd.cell].coefficients(fwd.a)
    products = np.ones((fwd.h.shape[0], H))
    np.cumprod(np.abs(alpha[:0:-1]), axis=0, out=products[1:])  # alpha^(tau), then times alpha^(tau-1), ...
    return products.max(axis=1).tolist(), products.min(axis=1).tolist()


def bound(fwd) -> list[float | None]:
    """(||W||_2 gamma)^d for d = 0 .. T-1, gamma = max |g'|; None past overflow."""
    rate = float(np.linalg.norm(fwd.params.W, 2)) * ACTIVATION_GAIN[fwd.activation]
    with np.errstate(over="ignore"):
        values = rate ** np.arange(fwd.h.shape[0], dtype=np.float64)
    return [float(v) if np.isfinite(v) else None for v in values]


def error_gain(fwd, bwd, jacobian_distances: int | None = None, pool: Executor | None = None) -> dict:
    """The gain section: G(d) along h for every cell, along s for the LSTM, for the simple
    RNN the exact Jacobian norms (for the first ``jacobian_distances``), the bound and the
    threshold 1/gamma for ||W||_2, and for the min cells the exact Jacobian norms at every
    distance with the smallest singular values (``jacobian_min``)."""
    out = {"distance": list(range(fwd.h.shape[0])), "h": gain_curve(bwd.flow, fwd.has_loss)}
    if bwd.flow_s is not None:
        out["s"] = gain_curve(bwd.flow_s, fwd.has_loss)
    if fwd.cell in MIN_CELLS:
        largest, smallest = diagonal_jacobian_norms(fwd)
        out.update({"jacobian": largest, "jacobian_min": smallest, "jacobian_distances": fwd.h.shape[0]})
    if fwd.cell == "rnn":
        gamma = ACTIVATION_GAIN[fwd.activation]
        distances = min(fwd.h.shape[0], jacobian_distances or fwd.h.shape[0])
        out.update({
            "jacobian": jacobian_norms(fwd, distances, pool), "jacobian_distances": distances, "bound": bound(fwd),
            "gamma": gamma,
            "w_norm": float(np.linalg.norm(fwd.params.W, 2)), "threshold": 1.0 / gamma,
        })
    return out


def layer_gains(flows: tuple[np.ndarray, ...], has_loss: np.ndarray, both_ways: bool) -> list[dict]:
    """Per layer of a stack, G_l(d) = the geometric mean over the losses of F_l[s][s-d] / F_L[s][s]:
    how much of a loss's error, as the top layer receives it at its own step, reaches layer l d
    steps back ("back"); with both directions also d steps ahead ("ahead")."""
    top = flows[-1]
    out = []
    for flow in flows:
        gains = {"back": gain_curve(flow, has_loss, top)}
        if both_ways:  # read backwards in time, "ahead" is "back"
            gains["ahead"] = gain_curve(flow[::-1, ::-1], has_loss[::-1], top[::-1, ::-1])
        out.append(gains)
    return out
