"""Turn what a user types into the arrays of MATH.md: inputs x, targets y and the loss mask.

A sequence of n items gives T = n - 1 steps: x^(t) is item t and y^(t) is item t + 1.
"""

from collections.abc import Sequence as Seq
from dataclasses import dataclass

import numpy as np

from .errors import InputError

TASKS = ("many-to-many", "many-to-one", "one-to-many")


@dataclass(frozen=True)
class Sequence:
    """The data one unfolded run sees.

    x : (T, D) inputs, zero at the steps the task gives no input.
    y : (T, K) targets, zero at the steps without a loss.
    has_loss : (T,) bool, the set S of MATH.md.
    vocab : the characters behind the one-hot columns, for text; None for numbers.
    """

    x: np.ndarray
    y: np.ndarray
    has_loss: np.ndarray
    vocab: tuple[str, ...] | None = None

    @property
    def steps(self) -> int:
        return self.x.shape[0]


def apply_task(x: np.ndarray, y: np.ndarray, task: str, vocab=None) -> Sequence:
    """Mask inputs and losses as the task says (see MATH.md, "Tasks")."""
    if task not in TASKS:
        raise InputError("task", f"must be one of {', '.join(TASKS)}, not {task!r}")
    steps = x.shape[0]
    x = np.array(x, dtype=np.float64)
    y = np.array(y, dtype=np.float64)
    has_loss = np.ones(steps, dtype=bool)
    if task == "many-to-one":
        has_loss[:-1] = False
        y[:-1] = 0.0
    elif task == "one-to-many":
        x[1:] = 0.0
    return Sequence(x, y, has_loss, vocab)


def encode_text(text: str, task: str = "many-to-many", vocab: Seq[str] | None = None) -> Sequence:
    """One-hot characters over ``vocab`` (default: the text's characters, sorted); predict the
    next character. A model trained elsewhere brings its own vocab, so its one-hot order."""
    if len(text) < 2:
        raise InputError("sequence", "needs at least 2 characters (one step: a character and the next)")
    if vocab is None:
        vocab = sorted(set(text))
    elif len(set(vocab)) != len(vocab) or not set(text) <= set(vocab):
        raise InputError("vocab", "must list each of the text's characters exactly once")
    vocab = tuple(vocab)
    index = {ch: i for i, ch in enumerate(vocab)}
    one_hot = np.eye(len(vocab))[[index[ch] for ch in text]]
    return apply_task(one_hot[:-1], one_hot[1:], task, vocab)


def _as_rows(values, field: str) -> np.ndarray:
    """Numbers become (n, 1); vectors stay (n, D). Ragged or empty lists are refused."""
    if len(values) == 0:
        raise InputError(field, "must not be empty")
    try:
        rows = np.array(values, dtype=np.float64)
    except (ValueError, TypeError):
        raise InputError(field, "must be a list of numbers or a list of equally long lists of numbers") from None
    if rows.ndim == 1:
        rows = rows[:, None]
    if rows.ndim != 2 or rows.shape[1] == 0:
        raise InputError(field, "must be a list of numbers or a list of equally long lists of numbers")
    if not np.isfinite(rows).all():
        raise InputError(field, "must contain only finite numbers")
    return rows


def encode_numbers(inputs: Seq, targets: Seq | None = None, task: str = "many-to-many") -> Sequence:
    """Numbers or vectors; without targets, predict the next value.

    With explicit ``targets`` the inputs are used as they are (T = len(inputs)) and the
    targets give one value or vector per step; for many-to-one a single target is enough.
    """
    x = _as_rows(inputs, "inputs")
    if targets is None:
        if x.shape[0] < 2:
            raise InputError("inputs", "needs at least 2 values when no targets are given")
        return apply_task(x[:-1], x[1:], task)
    y = _as_rows(targets, "targets")
    steps = x.shape[0]
    if task == "many-to-one" and y.shape[0] == 1:
        y = np.vstack([np.zeros((steps - 1, y.shape[1])), y])
    if y.shape[0] != steps:
        raise InputError("targets", f"must give one target per step: {steps} expected, {y.shape[0]} given")
    return apply_task(x, y, task)
