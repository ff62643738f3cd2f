"""The forward pass of any cell over a sequence, then the output layer and the losses.

Row-vector convention: a (T, H) array holds one step per row, so ``W h`` in MATH.md is
``h @ W.T`` here and ``W^T delta`` is ``delta @ W``.
"""

from dataclasses import dataclass

import numpy as np

from .cells import CELL_MODULES
from .encode import Sequence
from .errors import InputError, NumericalOverflow
from .functions import ACTIVATIONS, HEADS, log_softmax
from .params import Params


@dataclass(frozen=True)
class Forward:
    """Everything the forward pass computed; arrays indexed by step first.

    x (T, D), y (T, K), has_loss (T,), h0 (H,), a (T, G H) pre-activations (gates stacked in
    PyTorch's order), h (T, H), o and y_hat (T, K), loss (T,) with J^(t) (zero where there is
    no loss), total_loss J. gates (T, G H) the gates' values (None for the simple RNN); s (T, H)
    and s0 (H,) the LSTM's cell state (None otherwise).
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
    gates: np.ndarray | None = None
    s: np.ndarray | None = None
    s0: np.ndarray | None = None

    @property
    def cell(self) -> str:
        return self.params.cell

    @property
    def h_prev(self) -> np.ndarray:
        """(T, H): h^(t-1) for every step, h0 first."""
        return np.vstack([self.h0[None, :], self.h[:-1]])


def first_nonfinite_row(values: np.ndarray, reverse: bool = False) -> int | None:
    with np.errstate(over="ignore", invalid="ignore"):  # an overflowing sum only means: look closer
        if np.isfinite(values.sum()):  # one pass: a sum with an inf or a NaN in it is never finite
            return None
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


def initial_state(name: str, given, H: int) -> np.ndarray:
    """h0 or s0: zeros unless given, and then H finite numbers."""
    state = np.zeros(H) if given is None else np.asarray(given, dtype=np.float64)
    if state.shape != (H,) or not np.isfinite(state).all():
        raise InputError(name, f"must be {H} finite numbers (one per hidden unit)")
    return state


def forward(
    params: Params,
    seq: Sequence,
    activation: str = "tanh",
    output: str = "softmax",
    h0: np.ndarray | None = None,
    s0: np.ndarray | None = None,
    *,
    check_targets: bool = True,
) -> Forward:
    """Run the cell of ``params`` over ``seq``, then o = c + V h and y_hat = f(o).

    ``activation`` is the simple RNN's g; the gated cells use sigma and tanh. ``s0`` is the
    LSTM's initial cell state (zeros if absent). ``check_targets=False`` skips checking the
    targets against the head (training checks them once, not at every step).
    """
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
    h0 = initial_state("h0", h0, H)
    lstm = params.cell == "lstm"
    if s0 is not None and not lstm:
        raise InputError("s0", "is the LSTM's initial cell state; the other cells have none")
    s0 = initial_state("s0", s0, H) if lstm else None
    if check_targets:
        _check_targets(seq.y, seq.has_loss, output)

    cell = CELL_MODULES[params.cell]
    steps = seq.steps
    xu = seq.x @ params.U.T + params.b  # the inputs' part of every pre-activation at once
    a = np.empty((steps, params.W.shape[0]))
    h = np.empty((steps, H))
    gates = None if params.cell == "rnn" else np.empty_like(a)
    s = np.empty((steps, H)) if lstm else None
    with np.errstate(all="ignore"):
        h_prev, s_prev = h0, s0
        if params.cell == "rnn":  # the same sums as cells.rnn.step, without a call per step (training's loop)
            g, W = ACTIVATIONS[activation].g, params.W
            for t in range(steps):
                at = np.matmul(W, h_prev, out=a[t])
                at += xu[t]
                if g is np.tanh:
                    h_prev = np.tanh(at, out=h[t])
                else:
                    h[t] = g(at)
                    h_prev = h[t]
        for t in range(steps if params.cell != "rnn" else 0):
            out = cell.step(params, xu[t], h_prev, s_prev, activation)
            a[t], h[t] = out.a, out.h
            if gates is not None:
                gates[t] = out.gates
            if s is not None:
                s[t] = out.s
            h_prev, s_prev = out.h, out.s
        o = h @ params.V.T + params.c
        if output == "softmax":  # the head's f and loss, sharing one log_softmax
            log_p = log_softmax(o)
            y_hat = np.exp(log_p)
            loss = np.where(seq.has_loss, -(seq.y * log_p).sum(axis=-1), 0.0)
        else:
            head = HEADS[output]
            y_hat = head.f(o)
            loss = np.where(seq.has_loss, head.loss(o, seq.y), 0.0)
    checked = [("a", a), ("s", s), ("h", h), ("o", o), ("loss", loss)]
    for name, values in checked:
        step = None if values is None else first_nonfinite_row(values)
        if step is not None:
            raise NumericalOverflow(name, step)
    return Forward(
        params, seq.x, seq.y, seq.has_loss, h0, a, h, o, y_hat, loss,
        float(loss.sum()), activation, output, gates, s, s0,
    )
