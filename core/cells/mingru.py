"""The minGRU (Feng et al., 2024; MATH.md, "minGRU and minLSTM"): the update gate and the candidate
read only x, so a step is h = alpha * h' + beta with alpha and beta free of h, and there is no W.

    a = U x + b                  blocks a_z, a_h
    z = sigma(a_z)   h~ = a_h    alpha = 1 - z   beta = z * h~
    h = (1 - z) * h' + z * h~
"""

import numpy as np

from ..functions import sigmoid
from .diagonal import DiagonalLocal, extra_grads, weight_errors  # noqa: F401 (the cell interface)
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


class Local(DiagonalLocal):
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
