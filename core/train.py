"""Training: repeated forward passes, BPTT and one update of every parameter (MATH.md, "Training").

A run is a sequence of chunks that can be split anywhere: everything a chunk needs to continue
(the weights and the optimizer's state, step count included) comes back with it, so N steps in
one call give exactly, bit for bit, the weights of N/2 and then N/2 from the first call's answer.
Sampling from a text model draws each next character from softmax(o / temperature).
"""

from dataclasses import dataclass

import numpy as np

from .bptt import gradients
from .encode import Sequence
from .errors import InputError, NumericalOverflow
from .params import Params
from .unfold import forward

OPTIMIZERS = ("sgd", "adagrad", "adam")
CLIP_MODES = ("value", "norm")
ADAGRAD_EPS = 1e-8
ADAM_BETA1, ADAM_BETA2, ADAM_EPS = 0.9, 0.999, 1e-8


@dataclass(frozen=True)
class Clip:
    """value: every gradient entry into [-threshold, threshold]; norm: all gradients rescaled
    together when their joint norm exceeds threshold."""

    mode: str
    threshold: float


@dataclass(frozen=True)
class OptimizerState:
    """What an optimizer carries between steps: the step count, and per parameter the
    accumulated squares (adagrad: ``m``) or the two moments (adam: ``m``, ``v``)."""

    optimizer: str
    step: int = 0
    m: dict | None = None
    v: dict | None = None


@dataclass(frozen=True)
class Trained:
    """losses[n]: J before update n; grad_norms[n]: the joint norm of the gradients of update n
    (before clipping); clipped[n]: whether clipping changed them."""

    params: Params
    state: OptimizerState
    losses: np.ndarray
    grad_norms: np.ndarray
    clipped: np.ndarray


def initial_state(optimizer: str, params: Params) -> OptimizerState:
    if optimizer not in OPTIMIZERS:
        raise InputError("optimizer", f"must be one of {', '.join(OPTIMIZERS)}, not {optimizer!r}")
    zeros = lambda: {name: np.zeros_like(value) for name, value in params.as_dict().items()}  # noqa: E731
    if optimizer == "sgd":
        return OptimizerState("sgd")
    if optimizer == "adagrad":
        return OptimizerState("adagrad", m=zeros())
    return OptimizerState("adam", m=zeros(), v=zeros())


# The arrays each optimizer carries, and whether they are squares (never negative).
CARRIED = {"sgd": {}, "adagrad": {"m": True}, "adam": {"m": False, "v": True}}


def check_state(state: OptimizerState, params: Params) -> None:
    """A resumed state must fit the parameters it continues: the same names and shapes."""
    for field, squares in CARRIED[state.optimizer].items():
        arrays = getattr(state, field)
        if arrays is None:
            raise InputError(f"optimizer_state.{field}", f"{state.optimizer} needs {field} for every parameter")
        for name, value in params.as_dict().items():
            if name not in arrays:
                raise InputError(f"optimizer_state.{field}.{name}", "missing")
            if np.shape(arrays[name]) != value.shape:
                raise InputError(
                    f"optimizer_state.{field}.{name}", f"expected shape {value.shape}, got {np.shape(arrays[name])}"
                )
            if not np.all(np.isfinite(arrays[name])) or squares and np.any(arrays[name] < 0):
                raise InputError(f"optimizer_state.{field}.{name}", "must be finite (and non-negative for squares)")


def _joint_norm(grads: dict) -> float:
    """The norm of all the gradients together, as one vector."""
    return float(np.sqrt(sum(float(np.vdot(g, g)) for g in grads.values())))


def _clip(grads: dict, clip: Clip | None) -> tuple[dict, bool]:
    if clip is None:
        return grads, False
    if clip.mode == "value":
        acted = any(float(np.abs(g).max(initial=0.0)) > clip.threshold for g in grads.values())
        if not acted:
            return grads, False
        return {name: np.clip(g, -clip.threshold, clip.threshold) for name, g in grads.items()}, True
    norm = _joint_norm(grads)
    if norm <= clip.threshold:
        return grads, False
    scale = clip.threshold / norm
    return {name: g * scale for name, g in grads.items()}, True


def _descend(theta: np.ndarray, g: np.ndarray, lr: float, denominator: np.ndarray | None = None) -> np.ndarray:
    """theta - lr g [/ denominator], with one temporary (the updates are most of a small step's time)."""
    step = g * lr
    if denominator is not None:
        step /= denominator
    np.subtract(theta, step, out=step)
    return step


def _update(params: Params, grads: dict, state: OptimizerState, lr: float) -> tuple[Params, OptimizerState]:
    step = state.step + 1
    theta = params.as_dict()
    if state.optimizer == "sgd":
        new = {name: _descend(theta[name], grads[name], lr) for name in theta}
        return params.replace(**new), OptimizerState("sgd", step)
    if state.optimizer == "adagrad":
        m, new = {}, {}
        for name, g in grads.items():
            m[name] = g * g
            m[name] += state.m[name]
            root = m[name] + ADAGRAD_EPS
            np.sqrt(root, out=root)
            new[name] = _descend(theta[name], g, lr, root)
        return params.replace(**new), OptimizerState("adagrad", step, m=m)
    correct1, correct2 = 1 - ADAM_BETA1**step, 1 - ADAM_BETA2**step
    m, v, new = {}, {}, {}
    for name, g in grads.items():
        m[name] = state.m[name] * ADAM_BETA1
        m[name] += (1 - ADAM_BETA1) * g
        v[name] = state.v[name] * ADAM_BETA2
        v[name] += (1 - ADAM_BETA2) * (g * g)
        root = v[name] / correct2
        np.sqrt(root, out=root)
        root += ADAM_EPS
        new[name] = _descend(theta[name], m[name] / correct1, lr, root)
    return params.replace(**new), OptimizerState("adam", step, m=m, v=v)


def train(
    params: Params,
    seq: Sequence,
    steps: int,
    learning_rate: float,
    state: OptimizerState,
    *,
    activation: str = "tanh",
    output: str = "softmax",
    h0: np.ndarray | None = None,
    s0: np.ndarray | None = None,
    truncate: int | None = None,
    clip: Clip | None = None,
) -> Trained:
    """``steps`` training steps from ``params`` and ``state``. Raises NumericalOverflow (with
    the training step in its message) if the weights or the loss stop being finite."""
    check_state(state, params)
    losses, norms, clipped = np.zeros(steps), np.zeros(steps), np.zeros(steps, dtype=bool)
    for n in range(steps):
        try:
            fwd = forward(params, seq, activation, output, h0, s0, check_targets=n == 0)
            grads = gradients(fwd, truncate)
        except NumericalOverflow as overflow:
            raise NumericalOverflow(overflow.quantity, overflow.step, state.step + 1) from None
        losses[n] = fwd.total_loss
        norms[n] = _joint_norm(grads)
        grads, clipped[n] = _clip(grads, clip)
        params, state = _update(params, grads, state, learning_rate)
    # non-finite weights make the next forward pass overflow (and say so); the last ones are checked here
    if not all(np.all(np.isfinite(value)) for value in params.as_dict().values()):
        raise NumericalOverflow("the updated weights", 0, state.step)
    return Trained(params, state, losses, norms, clipped)


def sample(
    params: Params,
    vocab: tuple[str, ...],
    start: str,
    length: int,
    temperature: float,
    seed: int,
    *,
    activation: str = "tanh",
    h0: np.ndarray | None = None,
    s0: np.ndarray | None = None,
) -> str:
    """``length`` characters after ``start``, each drawn from softmax(o / temperature) (0: the
    most likely) and fed back as the next input; seeded, so the same call gives the same text."""
    if start not in vocab:
        raise InputError("start", f"{start!r} is not in the model's vocabulary")
    rng = np.random.default_rng(seed)
    D, H, _ = params.sizes
    index = {ch: i for i, ch in enumerate(vocab)}
    x = np.zeros((1, D))
    x[0, index[start]] = 1.0
    out = []
    state_h = None if h0 is None else np.asarray(h0, dtype=np.float64)
    state_s = None if s0 is None else np.asarray(s0, dtype=np.float64)
    no_loss = np.zeros(1, dtype=bool)
    for _ in range(length):
        one_step = Sequence(x, np.zeros((1, params.sizes[2])), no_loss, vocab)
        fwd = forward(params, one_step, activation, "softmax", state_h, state_s)
        o = fwd.o[0]
        if temperature == 0:
            nxt = int(np.argmax(o))
        else:
            z = o / temperature
            p = np.exp(z - z.max())
            nxt = int(rng.choice(len(p), p=p / p.sum()))
        out.append(vocab[nxt])
        x = np.zeros((1, D))
        x[0, nxt] = 1.0
        state_h, state_s = fwd.h[0], (fwd.s[0] if fwd.s is not None else None)
    return "".join(out)


__all__ = ["CLIP_MODES", "OPTIMIZERS", "Clip", "OptimizerState", "Trained", "initial_state", "sample",
           "train"]
