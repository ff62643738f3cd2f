"""Training: repeated forward passes, BPTT and one update of every parameter (MATH.md, "Training").

A run is a sequence of chunks that can be split anywhere: everything a chunk needs to continue
(the weights and the optimizer's state, step count included) comes back with it, so N steps in
one call give exactly, bit for bit, the weights of N/2 and then N/2 from the first call's answer.
Sampling from a text model draws each next character from softmax(o / temperature).
"""

from dataclasses import dataclass

import numpy as np

from .bptt import backward, batch_gradients
from .deep import forward_deep
from .deep_backward import backward_deep
from .encode import Sequence
from .errors import InputError, NumericalOverflow
from .functions import draw_next
from .params import Params
from .tasks import EVAL_BATCH, Dataset
from .unfold import check_targets_fit, forward, forward_batch

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


def new_optimizer_state(optimizer: str, params: Params) -> OptimizerState:
    """An optimizer's state before its first update: step 0 and zero accumulators."""
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
        strangers = sorted(set(arrays) - set(params.as_dict()))
        if strangers:
            raise InputError(f"optimizer_state.{field}.{strangers[0]}",
                             "is not a parameter of the weights it continues")
        for name, value in params.as_dict().items():
            if name not in arrays:
                raise InputError(f"optimizer_state.{field}.{name}", "missing")
            if np.shape(arrays[name]) != value.shape:
                raise InputError(
                    f"optimizer_state.{field}.{name}", f"expected shape {value.shape}, got {np.shape(arrays[name])}"
                )
            if not np.all(np.isfinite(arrays[name])) or squares and np.any(arrays[name] < 0):
                raise InputError(f"optimizer_state.{field}.{name}", "must be finite (and non-negative for squares)")


class _Flat:
    """Every parameter laid end to end in one vector, so that the norm, the clipping and the
    update are a few whole-vector operations per step instead of a few per parameter (at
    min-char-rnn's size the per-call overhead of 5 parameters x 7 operations was a fifth of a
    step). The element-wise arithmetic is the same, so the weights are the same to the bit."""

    def __init__(self, params):
        arrays = params.as_dict()
        self.names = tuple(arrays)
        self.shapes = [arrays[name].shape for name in self.names]
        self.ends = np.cumsum([int(np.prod(shape)) for shape in self.shapes])

    def join(self, arrays: dict) -> np.ndarray:
        """A new vector holding ``arrays`` (never a view of them)."""
        return np.concatenate([np.ravel(arrays[name]) for name in self.names])

    def split(self, vector: np.ndarray, copy: bool = False) -> dict:
        """The parameters as views of ``vector`` (or copies, to hand out)."""
        parts = np.split(vector, self.ends[:-1])
        return {name: (part.copy() if copy else part).reshape(shape)
                for name, part, shape in zip(self.names, parts, self.shapes, strict=True)}


def _clip(g: np.ndarray, norm: float, clip: Clip | None) -> bool:
    """Clips the joined gradients in place; returns whether clipping changed them."""
    if clip is None:
        return False
    if clip.mode == "value":
        if float(np.abs(g).max(initial=0.0)) <= clip.threshold:
            return False
        np.clip(g, -clip.threshold, clip.threshold, out=g)
        return True
    if norm <= clip.threshold:
        return False
    g *= clip.threshold / norm
    return True


def _update(theta: np.ndarray, g: np.ndarray, optimizer: str, step: int, lr: float, m, v) -> None:
    """One update of the joined weights ``theta`` and the optimizer's ``m`` and ``v``, in place:
    theta - lr g (sgd), theta - lr g / sqrt(m + eps) with m += g^2 (adagrad), or Adam's
    bias-corrected moments (MATH.md, "Training")."""
    if optimizer == "adam":
        m *= ADAM_BETA1
        m += (1 - ADAM_BETA1) * g
        v *= ADAM_BETA2
        v += (1 - ADAM_BETA2) * (g * g)
        root = v / (1 - ADAM_BETA2**step)
        np.sqrt(root, out=root)
        root += ADAM_EPS
        delta = m / (1 - ADAM_BETA1**step)
        delta *= lr
        delta /= root
    else:
        delta = g * lr
        if optimizer == "adagrad":
            m += g * g
            root = m + ADAGRAD_EPS
            np.sqrt(root, out=root)
            delta /= root
    theta -= delta


def train(
    params: Params,
    data: Sequence | Dataset,
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
    """``steps`` training steps from ``params`` and ``state`` on a sequence (every step the same
    one: a batch of B = 1) or on a generated task (update n on the batch of seed [seed, n], so a
    resumed run sees the batches an uninterrupted one would). Raises NumericalOverflow (with the
    training step in its message) if the weights or the loss stop being finite. ``params`` may be
    a stack (core.deep.DeepParams), trained on a sequence."""
    check_state(state, params)
    if isinstance(data, Dataset) and not isinstance(params, Params):
        raise InputError("dataset", "trains one layer, one way; a stack trains on a typed sequence")
    if isinstance(data, Dataset):
        if truncate is not None:
            raise InputError("truncate", "applies to a typed sequence; training on a dataset uses full BPTT")
        output = data.output
    else:
        check_targets_fit(data.y, data.has_loss, output)
    flat = _Flat(params)
    theta = flat.join(params.as_dict())
    m = None if state.m is None else flat.join(state.m)
    v = None if state.v is None else flat.join(state.v)
    count = state.step
    losses, norms, clipped = np.zeros(steps), np.zeros(steps), np.zeros(steps, dtype=bool)
    for n in range(steps):
        now = params.replace(**flat.split(theta))
        try:
            losses[n], grads = _loss_and_gradients(now, data, count + 1, activation, output, h0, s0, truncate)
        except NumericalOverflow as overflow:
            raise NumericalOverflow(overflow.quantity, overflow.step, count + 1) from None
        g = flat.join(grads)
        norms[n] = np.sqrt(np.dot(g, g))
        clipped[n] = _clip(g, norms[n], clip)
        count += 1
        _update(theta, g, state.optimizer, count, learning_rate, m, v)
    # non-finite weights make the next forward pass overflow (and say so); the last ones are checked here
    if not np.isfinite(theta).all():
        raise NumericalOverflow("the updated weights", 0, count)
    carried = {name: None if vector is None else flat.split(vector, copy=True) for name, vector in (("m", m), ("v", v))}
    state = OptimizerState(state.optimizer, count, **carried)
    return Trained(params.replace(**flat.split(theta, copy=True)), state, losses, norms, clipped)


def _loss_and_gradients(params, data, update, activation, output, h0, s0, truncate) -> tuple[float, dict]:
    """J before update number ``update`` and its gradient. A window k shorter than the sequence
    cuts each source at its own distance, so it needs bptt's split by source; so does a stack
    (core.deep), whose sweep carries every source at once."""
    if not isinstance(params, Params):  # a stack: a sequence, its tokens looked up in E if it has one
        tokens = data.x.argmax(axis=1) if params.E is not None else None
        fwd = forward_deep(params, data.x, data.y, data.has_loss, tokens=tokens, activation=activation, output=output)
        return fwd.total_loss, backward_deep(fwd, truncate).grads
    if isinstance(data, Dataset):
        batch = data.update_batch(update)
        x, y, has_loss = batch.x, batch.y, batch.has_loss
    else:
        if truncate is not None and truncate < data.steps:
            fwd = forward(params, data, activation, output, h0, s0, check_targets=False)
            return fwd.total_loss, backward(fwd, truncate, shares=False).grads
        x, y, has_loss = data.x[None], data.y[None], data.has_loss
    fwd = forward_batch(params, x, y, has_loss, activation, output, h0, s0)
    return fwd.J, batch_gradients(fwd)


EVAL_NUMBERS = 1_000_000  # pre-activations of the held-out sequences run together (8 MB): bounds the memory


def evaluate(params: Params, dataset: Dataset, batch: int = EVAL_BATCH, *, h0=None, s0=None) -> dict:
    """The held-out numbers of MATH.md: the mean loss (1/B_eval) sum_b J_b over the batch of seed
    [seed, 0] and, for the softmax tasks, the accuracy: the share of pairs (b, s in S) whose
    largest logit (the lowest k on a tie) is the target's class."""
    held_out = dataset.held_out(batch)
    total, right = 0.0, 0
    together = max(1, EVAL_NUMBERS // (dataset.length * params.b.shape[0]))
    for lo in range(0, batch, together):
        part = slice(lo, lo + together)
        fwd = forward_batch(params, held_out.x[part], held_out.y[part], held_out.has_loss, "tanh", held_out.output,
                            h0, s0)
        total += float(fwd.loss.sum())
        if held_out.output == "softmax":
            right += int((fwd.o[held_out.has_loss].argmax(axis=-1) == held_out.labels[part].T).sum())
    out = {"loss": total / batch, "batch": batch}
    if held_out.output == "softmax":
        out["accuracy"] = right / held_out.labels.size
    return out


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
        nxt = draw_next(fwd.o[0], temperature, rng)
        out.append(vocab[nxt])
        x = np.zeros((1, D))
        x[0, nxt] = 1.0
        state_h, state_s = fwd.h[0], (fwd.s[0] if fwd.s is not None else None)
    return "".join(out)


__all__ = ["CLIP_MODES", "OPTIMIZERS", "Clip", "OptimizerState", "Trained", "evaluate", "new_optimizer_state",
           "sample", "train"]
