"""The minGRU (Feng et al., 2024; MATH.md, "minGRU and minLSTM"): the update gate and the candidate
read only x, so a step is h = alpha * h' + beta with alpha and beta free of h, and there is no W.

    a = U x + b                  blocks a_z, a_h
    z = sigma(a_z)   h~ = a_h    alpha = 1 - z   beta = z * h~
    h = (1 - z) * h' + z * h~
"""

import numpy as np

from ..functions import sigmoid
from .step import Step


def coefficients(xu: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rows: xu (..., 2H) = U x + b -> alpha, beta (..., H) and the gates [z; h~] (..., 2H), for
    one step or for every step at once (core/scan.py)."""
    H = xu.shape[-1] // 2
    z = sigmoid(xu[..., :H])
    candidate = xu[..., H:]
    return 1.0 - z, z * candidate, np.concatenate([z, candidate], axis=-1)


def step(p, xu: np.ndarray, h_prev: np.ndarray, s_prev, activation: str):
    """h^(t) = alpha * h^(t-1) + beta.  Rows: xu (..., 2H), h_prev (..., H)."""
    alpha, beta, gates = coefficients(xu)
    h = alpha * h_prev
    h += beta
    return Step(xu, gates, h, None)


class Local:
    """With dh = dh^(t<-s):

        da_z = dh * (h~ - h') * z(1-z)      da_h = dh * z
        dh^(t-1<-s) = (1 - z) * dh          (a diagonal Jacobian, free of h: no W to go through)
    """

    def __init__(self, fwd):
        """Every step's factors at once, from a Forward (T, ...) or a BatchForward (T, B, ...)."""
        H = fwd.h.shape[-1]
        z, candidate = fwd.gates[..., :H], fwd.gates[..., H:]
        self.H = H
        self.alpha = 1.0 - z
        self.from_h = np.stack([(candidate - fwd.h_prev) * z * (1.0 - z), z], axis=-2)  # da per unit of dh

    def errors(self, t, dh, da, ds=None) -> None:
        """da at step(s) t from dh: rows of sources at one step, or totals over a span."""
        np.multiply(dh[:, None, :], self.from_h[t], out=da.reshape(-1, 2, self.H))

    def at(self, t: int, dh, da, reaching, ds=None, carry=None) -> None:
        """One step back is an element-wise product for every source; da only when asked."""
        if da is not None:
            self.errors(t, dh, da)
        np.multiply(dh, self.alpha[t], out=reaching)

    def rows(self, t: int, dh, da, w_errors, carry=None) -> tuple:
        """One step back for rows that each have their own gates (a batch of sequences): da into
        ``da``; returns dh^(t-1) = (1 - z) dh (and no carry). ``w_errors`` is unused: there is no W."""
        self.errors(t, dh, da)
        return dh * self.alpha[t], None


def weight_errors(fwd, da: np.ndarray) -> None:
    """None: there is no W, so no errors behind its contribution."""
    return None


def extra_grads(fwd, da: np.ndarray) -> dict:
    return {}
