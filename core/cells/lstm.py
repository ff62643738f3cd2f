"""The LSTM as PyTorch's nn.LSTM (MATH.md, "The LSTM"): gates input i, forget f, candidate g,
output q (PyTorch's o), cell state s.

    a = b + W h' + U x                   blocks a_i, a_f, a_g, a_q
    i = sigma(a_i)  f = sigma(a_f)  g = tanh(a_g)  q = sigma(a_q)
    s = f * s' + i * g
    h = q * tanh(s)
"""

import numpy as np

from ..functions import sigmoid
from .step import Step


def step(p, xu: np.ndarray, h_prev: np.ndarray, s_prev: np.ndarray, activation: str):
    """Rows: xu (..., 4H), h_prev and s_prev (..., H)."""
    H = h_prev.shape[-1]
    a = h_prev @ p.W.T
    a += xu
    gates = sigmoid(a)  # i, f and q; the candidate block is tanh
    np.tanh(a[..., 2 * H: 3 * H], out=gates[..., 2 * H: 3 * H])
    i, f, g, q = (gates[..., k * H:(k + 1) * H] for k in range(4))
    s = f * s_prev
    s += i * g
    h = np.tanh(s)
    h *= q
    return Step(a, gates, h, s)


class Local:
    """With dh = dh^(t<-s) (every path) and carry = f^(t+1) * ds^(t+1<-s):

        ds   = dh * q * (1 - tanh^2 s) + carry
        da_i = ds * g * i(1-i)    da_f = ds * s' * f(1-f)    da_g = ds * i * (1-g^2)
        da_q = dh * tanh(s) * q(1-q)
        dh^(t-1<-s) = W^T da,   carry for t-1 = f * ds   (the constant error carousel)
    """

    def __init__(self, fwd):
        """Every step's factors at once, from a Forward (T, ...) or a BatchForward (T, B, ...)."""
        H = fwd.h.shape[-1]
        i, f, g, q = (fwd.gates[..., k * H:(k + 1) * H] for k in range(4))
        tanh_s = np.tanh(fwd.s)
        s_prev = fwd.s_prev
        self.H = H
        self.f = f
        self.W = fwd.params.W
        self._W_blocks = fwd.params.W.reshape(4, H, H)
        self.to_s = q * (1.0 - tanh_s**2)  # ds/dh along h = q tanh(s)
        # da_i, da_f, da_g per unit of ds; da_q per unit of dh
        self.from_s = np.stack([g * i * (1.0 - i), s_prev * f * (1.0 - f), i * (1.0 - g * g)], axis=-2)
        self.from_h = tanh_s * q * (1.0 - q)

    def errors(self, t, dh, da, ds) -> None:
        """da at step(s) t from dh and ds: rows of sources at one step, or totals over a span."""
        blocks = da.reshape(-1, 4, self.H)
        np.multiply(ds[:, None, :], self.from_s[t], out=blocks[:, :3])
        np.multiply(dh, self.from_h[t], out=blocks[:, 3])

    def share_weights(self, span, dh, ds) -> tuple:
        """(w_h, w_s) with <da^(t<-s), da^(t)> = <dh^(t<-s), w_h> + <ds^(t<-s), w_s> for the summed
        dh and ds of a span: da_q = from_h * dh and da_k = from_s_k * ds (k = i, f, g)."""
        return self.from_h[span] ** 2 * dh, np.einsum("tkh,th->th", self.from_s[span] ** 2, ds)

    def at(self, t: int, dh, reaching, ds, carry) -> None:
        """The rule above is linear in (dh, ds), so W^T da is two H x H matrices for every
        source: dh^(t-1<-s) = ds @ B + dh @ C, B = sum_{i,f,g} diag(from_s) W_k, C = diag(from_h) W_q;
        half the products of applying W^T to all four blocks. No source's da is formed."""
        np.multiply(dh, self.to_s[t], out=ds)
        ds += carry
        B = np.einsum("kh,khj->hj", self.from_s[t], self._W_blocks[:3])
        np.matmul(ds, B, out=reaching)
        reaching += dh @ (self.from_h[t][:, None] * self._W_blocks[3])
        np.multiply(ds, self.f[t], out=carry)

    def input_maps(self, t: int, U: np.ndarray) -> tuple:
        """U^T da^(t<-s) = dh @ (diag(from_h) U_q) + ds @ (sum_{i,f,g} diag(from_s) U_k): the error a
        step sends to its input, from dh and ds, without forming da."""
        blocks = U.reshape(4, self.H, -1)
        return self.from_h[t][:, None] * blocks[3], np.einsum("kh,khd->hd", self.from_s[t], blocks[:3])

    def rows(self, t: int, dh, da, w_errors, carry) -> tuple:
        """One step back for rows that each have their own gates (a batch of sequences): ds and
        da as above, da into ``da``; returns dh^(t-1) = W^T da and the carry f * ds for t - 1."""
        ds = dh * self.to_s[t]
        ds += carry
        self.errors(t, dh, da, ds)
        ds *= self.f[t]
        return da @ self.W, ds


def weight_errors(fwd, da: np.ndarray) -> np.ndarray:
    return da


def extra_grads(fwd, da: np.ndarray) -> dict:
    return {}
