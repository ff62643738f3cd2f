"""The simple RNN: a = b + W h' + U x, h = g(a) (MATH.md, "Forward pass of the simple RNN" and
"Backward pass")."""

import numpy as np

from ..functions import ACTIVATIONS
from .step import Step


def step(p, xu: np.ndarray, h_prev: np.ndarray, s_prev, activation: str):
    """a^(t) = U x^(t) + b + W h^(t-1);  h^(t) = g(a^(t)).  Rows: xu (..., H), h_prev (..., H)."""
    a = h_prev @ p.W.T
    a += xu
    return Step(a, None, ACTIVATIONS[activation].g(a), None)


class Local:
    """da^(t<-s) = g'(a^(t)) * dh^(t<-s);  dh^(t-1<-s) = W^T da^(t<-s)."""

    def __init__(self, fwd):
        self.dg = ACTIVATIONS[fwd.activation].dg(fwd.a, fwd.h)
        self.W = fwd.params.W
        self._da = np.empty((fwd.h.shape[0], fwd.h.shape[-1]))  # one step's da, a row per source (not kept)

    def errors(self, t, dh, da, ds=None) -> None:
        """da at step(s) t from dh: rows of sources at one step, or totals over a span of steps."""
        np.multiply(dh, self.dg[t], out=da)

    def share_weights(self, span, dh, ds=None) -> tuple:
        """(w_h, None) with <da^(t<-s), da^(t)> = <dh^(t<-s), w_h> for the summed dh of a span:
        da = g' * dh, so w_h = g'^2 * dh."""
        return self.dg[span] ** 2 * dh, None

    def at(self, t: int, dh, reaching, ds=None, carry=None) -> None:
        da = self._da[: len(dh)]
        self.errors(t, dh, da)
        np.matmul(da, self.W, out=reaching)

    def input_maps(self, t: int, U: np.ndarray) -> tuple:
        """U^T da^(t<-s) = dh @ (diag(g'(a)) U): the error a step sends to its input, per unit of dh."""
        return self.dg[t][:, None] * U, None

    def rows(self, t: int, dh, da, w_errors, carry=None) -> tuple:
        """One step back for rows that each have their own a^(t) (a batch of sequences): da into
        ``da``; returns dh^(t-1) = W^T da (and no carry)."""
        self.errors(t, dh, da)
        return da @ self.W, None


def weight_errors(fwd, da: np.ndarray) -> np.ndarray:
    return da


def extra_grads(fwd, da: np.ndarray) -> dict:
    return {}
