"""The forward pass of any cell over a sequence, then the output layer and the losses.

Row-vector convention: a (T, H) array holds one step per row, so ``W h`` in MATH.md is
``h @ W.T`` here and ``W^T delta`` is ``delta @ W``.
"""

from dataclasses import dataclass

import numpy as np

from .cells import CELL_MODULES
from .contract import GATE_VALUES
from .encode import Sequence
from .errors import InputError, NumericalOverflow
from .functions import ACTIVATIONS, HEADS, log_softmax
from .params import Params


@dataclass(frozen=True)
class Forward:
    """Everything the forward pass computed; arrays indexed by step first.

    x (T, D), y (T, K), has_loss (T,), h0 (H,), a (T, G H) pre-activations (gates stacked in
    PyTorch's order), h (T, H), o and y_hat (T, K), loss (T,) with J^(t) (zero where there is
    no loss), total_loss J. gates the gates' values, H columns for each of contract.GATE_VALUES
    (T, G H but for the minLSTM's normalised gates; None for the simple RNN); s (T, H) and s0 (H,)
    the LSTM's cell state (None otherwise).
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

    def gates_by_name(self) -> dict[str, np.ndarray] | None:
        """The gates' values by name (contract.GATE_VALUES), (T, H) each; None for the simple RNN."""
        if self.gates is None:
            return None
        H = self.h.shape[1]
        return {name: self.gates[:, k * H:(k + 1) * H] for k, name in enumerate(GATE_VALUES[self.cell])}

    @property
    def h_prev(self) -> np.ndarray:
        """(T, H): h^(t-1) for every step, h0 first."""
        return np.vstack([self.h0[None, :], self.h[:-1]])

    @property
    def s_prev(self) -> np.ndarray | None:
        """(T, H): the LSTM's s^(t-1) for every step, s0 first; None for the other cells."""
        return None if self.s is None else np.vstack([self.s0[None, :], self.s[:-1]])


def first_nonfinite_row(values: np.ndarray, reverse: bool = False) -> int | None:
    with np.errstate(over="ignore", invalid="ignore"):  # an overflowing sum only means: look closer
        if np.isfinite(values.sum()):  # one pass: a sum with an inf or a NaN in it is never finite
            return None
    bad = ~np.isfinite(values.reshape(values.shape[0], -1)).all(axis=1)
    if not bad.any():
        return None
    rows = np.flatnonzero(bad)
    return int(rows[-1] if reverse else rows[0])


def check_inputs(params: Params, input_size: int, target_size: int, activation: str, output: str, s0) -> None:
    """What any forward pass checks first: the names, the data's sizes against the weights', and
    an initial cell state only for the LSTM."""
    if activation not in ACTIVATIONS:
        raise InputError("activation", f"must be one of {', '.join(ACTIVATIONS)}, not {activation!r}")
    if output not in HEADS:
        raise InputError("output", f"must be one of {', '.join(HEADS)}, not {output!r}")
    D, H, K = params.sizes
    if input_size != D or target_size != K:
        raise InputError(
            "weights",
            f"expect inputs of size {D} and targets of size {K}, the data has {input_size} and {target_size}",
        )
    if s0 is not None and params.cell != "lstm":
        raise InputError("s0", "is the LSTM's initial cell state; the other cells have none")


def check_targets_fit(y: np.ndarray, has_loss: np.ndarray, output: str) -> None:
    """Targets the head can read: probability vectors for softmax, numbers in [0, 1] for sigmoid."""
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


@dataclass(frozen=True)
class BatchForward:
    """The forward pass over B sequences at once, step-first (one step is one contiguous block):
    x (T, B, D), y (T, B, K), has_loss (T,), a (T, B, G H), gates (T, B, G H) or None, h and
    h_prev (T, B, H): the state after each step and the one it read (h0 first); s and s_prev the
    same for the LSTM's cell state (None otherwise); o and y_hat (T, B, K); loss (T, B), J_b^(t).
    The gates are contract.GATE_VALUES, H columns each (the minLSTM adds f' and i' to its 3H)."""

    params: Params
    activation: str
    output: str
    x: np.ndarray
    y: np.ndarray
    has_loss: np.ndarray
    a: np.ndarray
    gates: np.ndarray | None
    h: np.ndarray
    h_prev: np.ndarray
    s: np.ndarray | None
    s_prev: np.ndarray | None
    o: np.ndarray
    y_hat: np.ndarray
    loss: np.ndarray

    @property
    def J(self) -> float:
        """The batch's loss: the mean over the sequences of each one's summed loss J_b."""
        return float(self.loss.sum()) / self.loss.shape[1]


def recur(
    params: Params, xs: np.ndarray, h0: np.ndarray | None, s0: np.ndarray | None, activation: str
) -> tuple[np.ndarray, np.ndarray | None, np.ndarray, np.ndarray | None]:
    """The cell of ``params`` over B sequences, xs (T, B, D) step-first: (a, gates, h, s), with
    h[t + 1] = h^(t) and h[0] = h0 (T + 1, B, H), and the LSTM's s the same way (None otherwise).
    Each step is the cell's rule (cells/) applied to B rows at once."""
    steps, B, _ = xs.shape
    H = params.sizes[1]
    cell = CELL_MODULES[params.cell]
    xu = xs @ params.U.T + params.b  # the inputs' part of every pre-activation at once
    a = np.empty((steps, B, params.b.shape[0]))
    h = np.empty((steps + 1, B, H))  # h[t + 1] = h^(t); h[0] = h0
    h[0] = initial_state("h0", h0, H)
    gate_values = len(GATE_VALUES[params.cell])
    gates = np.empty((steps, B, gate_values * H)) if gate_values else None
    s = None
    if params.cell == "lstm":
        s = np.empty((steps + 1, B, H))
        s[0] = initial_state("s0", s0, H)
    with np.errstate(all="ignore"):
        if hasattr(cell, "coefficients"):
            # the min cells' gates read x alone: every step's at once, then cell.step's h = alpha h' + beta
            alpha, beta, gates[:] = cell.coefficients(xu)
            a[:] = xu
            for t in range(steps):
                np.multiply(alpha[t], h[t], out=h[t + 1])
                h[t + 1] += beta[t]
        else:
            for t in range(steps):
                out = cell.step(params, xu[t], h[t], None if s is None else s[t], activation)
                a[t], h[t + 1] = out.a, out.h
                if gates is not None:
                    gates[t] = out.gates
                if s is not None:
                    s[t + 1] = out.s
    return a, gates, h, s


def head(h: np.ndarray, V: np.ndarray, c: np.ndarray, y: np.ndarray, has_loss: np.ndarray, output: str):
    """The output layer over every step (rows of h, step first): o = c + V h, y_hat = f(o) and the
    losses J^(t) (zero at the steps without a loss)."""
    with np.errstate(all="ignore"):
        o = h @ V.T + c
        if output == "softmax":  # the head's f and loss, sharing one log_softmax
            log_p = log_softmax(o)
            y_hat = np.exp(log_p)
            loss = -(y * log_p).sum(axis=-1)
        else:
            y_hat = HEADS[output].f(o)
            loss = HEADS[output].loss(o, y)
        loss *= has_loss.reshape(-1, *([1] * (loss.ndim - 1)))
    return o, y_hat, loss


def forward_batch(
    params: Params, x: np.ndarray, y: np.ndarray, has_loss: np.ndarray, activation: str = "tanh",
    output: str = "softmax", h0: np.ndarray | None = None, s0: np.ndarray | None = None,
) -> BatchForward:
    """The cell of ``params`` over B sequences, x (B, T, D) with targets y (B, T, K), each from
    the same h0 (and s0): each step is the cell's rule (cells/) applied to B rows at once, then
    o = c + V h and y_hat = f(o) at every step. One sequence is the case B = 1 (forward)."""
    check_inputs(params, x.shape[2], y.shape[2], activation, output, s0)
    xs = np.ascontiguousarray(x.transpose(1, 0, 2))
    a, gates, h, s = recur(params, xs, h0, s0, activation)
    ys = y.transpose(1, 0, 2)
    o, y_hat, loss = head(h[1:], params.V, params.c, ys, has_loss, output)
    for name, values in (("a", a), ("s", None if s is None else s[1:]), ("h", h[1:]), ("o", o), ("loss", loss)):
        step = None if values is None else first_nonfinite_row(values)
        if step is not None:
            raise NumericalOverflow(name, step)
    return BatchForward(
        params, activation, output, xs, ys, has_loss, a, gates, h[1:], h[:-1],
        None if s is None else s[1:], None if s is None else s[:-1], o, y_hat, loss,
    )


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
    """Run the cell of ``params`` over ``seq``, then o = c + V h and y_hat = f(o): the batch of
    one sequence.

    ``activation`` is the simple RNN's g; the gated cells use sigma and tanh. ``s0`` is the
    LSTM's initial cell state (zeros if absent). ``check_targets=False`` skips checking the
    targets against the head (training checks them once, not at every step).
    """
    if check_targets:
        check_targets_fit(seq.y, seq.has_loss, output)
    one = forward_batch(params, seq.x[None], seq.y[None], seq.has_loss, activation, output, h0, s0)
    sequence = lambda values: None if values is None else values[:, 0]  # noqa: E731
    loss = one.loss[:, 0]
    return Forward(
        params, seq.x, seq.y, seq.has_loss, one.h_prev[0, 0], one.a[:, 0], one.h[:, 0], one.o[:, 0],
        one.y_hat[:, 0], loss, float(loss.sum()), activation, output, sequence(one.gates), sequence(one.s),
        None if one.s is None else one.s_prev[0, 0],
    )
