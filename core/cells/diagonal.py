"""What the min cells share: a step back that is diagonal (MATH.md, "minGRU and minLSTM").

Their gates read only x, so dh^(t-1<-s) = alpha^(t) * dh^(t<-s), an element-wise product, and
da^(t) = dh * from_h^(t), one factor per block. A cell's Local sets ``alpha`` (T, H) and
``from_h`` (T, G, H) under its own forward rule; the rest is here. There is no W: no errors
behind its contribution and no extra parameters.
"""

import numpy as np


class DiagonalLocal:
    H: int
    alpha: np.ndarray
    from_h: np.ndarray

    def errors(self, t, dh, da, ds=None) -> None:
        """da at step(s) t from dh: rows of sources at one step, or totals over a span."""
        np.multiply(dh[:, None, :], self.from_h[t], out=da.reshape(-1, self.from_h.shape[-2], self.H))

    def share_weights(self, span, dh, ds=None) -> tuple:
        """(w_h, None) with <da^(t<-s), da^(t)> = <dh^(t<-s), w_h> for the summed dh of a span:
        each block of da is from_h_k * dh, so w_h = sum_k from_h_k^2 * dh."""
        return np.einsum("tkh,th->th", self.from_h[span] ** 2, dh), None

    def at(self, t: int, dh, reaching, ds=None, carry=None) -> None:
        """One step back is an element-wise product for every source."""
        np.multiply(dh, self.alpha[t], out=reaching)

    def input_maps(self, t: int, U: np.ndarray) -> tuple:
        """U^T da^(t<-s) = dh @ (sum_k diag(from_h_k) U_k): the error a step sends to its input."""
        return np.einsum("kh,khd->hd", self.from_h[t], U.reshape(self.from_h.shape[-2], self.H, -1)), None

    def rows(self, t: int, dh, da, w_errors, carry=None) -> tuple:
        """One step back for rows that each have their own gates (a batch of sequences): da into
        ``da``; returns dh^(t-1) = alpha dh (and no carry). ``w_errors`` is unused: there is no W."""
        self.errors(t, dh, da)
        return dh * self.alpha[t], None


def weight_errors(fwd, da: np.ndarray) -> None:
    """None: there is no W, so no errors behind its contribution."""
    return None


def extra_grads(fwd, da: np.ndarray) -> dict:
    return {}
