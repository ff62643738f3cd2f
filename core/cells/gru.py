"""The GRU as PyTorch's nn.GRU (MATH.md, "The GRU"): gates reset r, update z, candidate n.

    r = sigma(U_r x + W_r h' + b_r)      z = sigma(U_z x + W_z h' + b_z)
    n = tanh(a_n),   a_n = U_n x + b_n + r * (W_n h' + b_hn)
    h = (1 - z) * n + z * h'
"""

import numpy as np

from ..functions import sigmoid
from .step import Step


def step(p, xu: np.ndarray, h_prev: np.ndarray, s_prev, activation: str):
    """Rows: xu (..., 3H), h_prev (..., H)."""
    H = h_prev.shape[-1]
    recurrent = h_prev @ p.W.T  # W_r h', W_z h', W_n h'
    a = xu + recurrent
    r, z = sigmoid(a[..., :H]), sigmoid(a[..., H: 2 * H])
    a[..., 2 * H:] = xu[..., 2 * H:] + r * (recurrent[..., 2 * H:] + p.b_hn)
    n = np.tanh(a[..., 2 * H:])
    return Step(a, np.concatenate([r, z, n], axis=-1), (1.0 - z) * n + z * h_prev, None)


def _blocks(fwd):
    H = fwd.h.shape[-1]
    return (fwd.gates[..., k * H:(k + 1) * H] for k in range(3))


class Local:
    """With dh = dh^(t<-s):

        da_n = dh * (1-z) * (1-n^2)    da_z = dh * (h' - n) * z(1-z)
        da_r = da_n * (W_n h' + b_hn) * r(1-r)
        dh^(t-1<-s) = z * dh + W_r^T da_r + W_z^T da_z + W_n^T (r * da_n)
    """

    def __init__(self, fwd):
        """Every step's factors at once, from a Forward (T, ...) or a BatchForward (T, B, ...)."""
        r, z, n = _blocks(fwd)
        p = fwd.params
        H = fwd.h.shape[-1]
        h_prev = fwd.h_prev
        from_n = (1.0 - z) * (1.0 - n * n)
        candidate_recurrent = h_prev @ p.W[2 * H:].T + p.b_hn
        # da = dh * from_h (blocks r, z, n); the W side multiplies the n block by r
        self.from_h = np.stack([from_n * candidate_recurrent * r * (1.0 - r), (h_prev - n) * z * (1.0 - z), from_n], -2)
        self.w_side = self.from_h * np.stack([np.ones_like(r), np.ones_like(z), r], axis=-2)
        self.z = z
        self.W = p.W
        self.H = H
        self._W_blocks = p.W.reshape(3, H, H)
        self._diagonal = np.arange(H)

    def errors(self, t, dh, da, ds=None) -> None:
        """da at step(s) t from dh: rows of sources at one step, or totals over a span."""
        np.multiply(dh[:, None, :], self.from_h[t], out=da.reshape(-1, 3, self.H))

    def share_weights(self, span, dh, ds=None) -> tuple:
        """(w_h, None) with <da^(t<-s), da^(t)> = <dh^(t<-s), w_h> for the summed dh of a span:
        each block of da is from_h_k * dh, so w_h = sum_k from_h_k^2 * dh."""
        return np.einsum("tkh,th->th", self.from_h[span] ** 2, dh), None

    def at(self, t: int, dh, reaching, ds=None, carry=None) -> None:
        """The rule above is linear in dh, so one step is one H x H matrix for every source:
        dh^(t-1<-s) = dh @ M,  M = sum_k diag(w_side_k) W_k + diag(z), a third of the products
        of applying W^T to all three blocks. No source's da is formed."""
        M = np.einsum("kh,khj->hj", self.w_side[t], self._W_blocks)
        M[self._diagonal, self._diagonal] += self.z[t]
        np.matmul(dh, M, out=reaching)

    def input_maps(self, t: int, U: np.ndarray) -> tuple:
        """U^T da^(t<-s) = dh @ (sum_k diag(from_h_k) U_k): the error a step sends to its input."""
        return np.einsum("kh,khd->hd", self.from_h[t], U.reshape(3, self.H, -1)), None

    def rows(self, t: int, dh, da, w_errors, carry=None) -> tuple:
        """One step back for rows that each have their own gates (a batch of sequences): da into
        ``da`` and [da_r; da_z; r da_n] into ``w_errors``; returns dh^(t-1) = z dh + W^T w_errors."""
        self.errors(t, dh, da)
        np.multiply(dh[:, None, :], self.w_side[t], out=w_errors.reshape(-1, 3, self.H))
        reaching = w_errors @ self.W
        reaching += self.z[t] * dh
        return reaching, None


def weight_errors(fwd, da: np.ndarray) -> np.ndarray:
    """[da_r; da_z; r * da_n]: the errors behind W's contribution (r scales W_n h')."""
    H = fwd.h.shape[1]
    r, _, _ = _blocks(fwd)
    out = da.copy()
    out[:, 2 * H:] *= r
    return out


def extra_grads(fwd, da: np.ndarray) -> dict:
    """(dJ/db_hn)^(t) = r * da_n."""
    H = fwd.h.shape[1]
    r, _, _ = _blocks(fwd)
    return {"b_hn": r * da[:, 2 * H:]}
