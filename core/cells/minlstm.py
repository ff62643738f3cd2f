"""The minLSTM (Feng et al., 2024; MATH.md, "minGRU and minLSTM"): forget and input gates read only
x and are normalised to sum to 1, so a step is h = alpha * h' + beta with alpha and beta free of h,
and there is no W (and no cell state apart from h).

    a = U x + b                                   blocks a_f, a_i, a_h
    f = sigma(a_f)   i = sigma(a_i)   h~ = a_h
    f' = f / (f + i)   i' = i / (f + i)           alpha = f'   beta = i' * h~
    h = f' * h' + i' * h~

f' is computed as sigma(log f - log i), log sigma(a) = -softplus(-a): the same number, without
0 / 0 when both gates underflow.
"""

import numpy as np

from ..functions import sigmoid, softplus
from .diagonal import DiagonalLocal, extra_grads, weight_errors  # noqa: F401 (the cell interface)
from .step import Step


def coefficients(xu: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rows: xu (..., 3H) = U x + b -> alpha, beta (..., H) and the gates [f; i; h~; f'; i']
    (..., 5H), for one step or for every step at once (core/scan.py)."""
    H = xu.shape[-1] // 3
    a_f, a_i, candidate = xu[..., :H], xu[..., H:2 * H], xu[..., 2 * H:]
    log_ratio = softplus(-a_i) - softplus(-a_f)  # log f - log i
    f_norm, i_norm = sigmoid(log_ratio), sigmoid(-log_ratio)
    gates = np.concatenate([sigmoid(a_f), sigmoid(a_i), candidate, f_norm, i_norm], axis=-1)
    return f_norm, i_norm * candidate, gates


def step(p, xu: np.ndarray, h_prev: np.ndarray, s_prev, activation: str):
    """h^(t) = alpha * h^(t-1) + beta.  Rows: xu (..., 3H), h_prev (..., H)."""
    alpha, beta, gates = coefficients(xu)
    h = alpha * h_prev
    h += beta
    return Step(xu, gates, h, None)


class Local(DiagonalLocal):
    """With dh = dh^(t<-s):

        da_f = dh * (h' - h~) * f' i' (1-f)     da_i = dh * (h~ - h') * f' i' (1-i)
        da_h = dh * i'
        dh^(t-1<-s) = f' * dh                   (a diagonal Jacobian, free of h: no W to go through)
    """

    def __init__(self, fwd):
        """Every step's factors at once, from a Forward (T, ...) or a BatchForward (T, B, ...)."""
        H = fwd.h.shape[-1]
        f, i, candidate, f_norm, i_norm = (fwd.gates[..., k * H:(k + 1) * H] for k in range(5))
        gap = (candidate - fwd.h_prev) * f_norm * i_norm  # (h~ - h') f' i'
        self.H = H
        self.alpha = f_norm
        self.from_h = np.stack([-gap * (1.0 - f), gap * (1.0 - i), i_norm], axis=-2)  # da per unit of dh
