"""Generated long-lag tasks: batches of sequences drawn from a seed (MATH.md, "Training on a
generated task").

    remember-first  x^(0) a class, then noise; at tau say which class came first (lag T - 1)
    adding          (u, m) pairs, m marks two steps; at tau say the sum of the two marked u
    copy            random symbols; from step d on, say the symbol of d steps before

A batch is a pure function of (task, seed, B, T, options): update n of a run trains on the
batch of seed [seed, n], and the held-out batch is seed [seed, 0].
"""

from dataclasses import dataclass

import numpy as np

from .errors import InputError

DATASETS = ("remember-first", "adding", "copy")
# What each task reads of the options, and their defaults (MATH.md's make_batch).
DATASET_OPTIONS = {"remember-first": ("classes", "noise"), "adding": (), "copy": ("classes", "delay")}
DATASET_DEFAULTS = {"classes": 4, "noise": 4, "delay": 1}
DATASET_HEADS = {"remember-first": "softmax", "adding": "identity", "copy": "softmax"}
EVAL_BATCH = 512  # sequences of the held-out batch


@dataclass(frozen=True)
class Dataset:
    """One generated task: its name, sequence length T, batch size B, seed and options."""

    name: str
    length: int
    batch: int
    seed: int
    classes: int = DATASET_DEFAULTS["classes"]
    noise: int = DATASET_DEFAULTS["noise"]
    delay: int = DATASET_DEFAULTS["delay"]

    def __post_init__(self):
        if self.name not in DATASETS:
            raise InputError("dataset.name", f"must be one of {', '.join(DATASETS)}, not {self.name!r}")
        if self.length < 2:
            raise InputError("dataset.length", "must be at least 2 steps")
        if self.batch < 1:
            raise InputError("dataset.batch", "must be at least 1 sequence")
        if self.name == "copy" and not 1 <= self.delay < self.length:
            raise InputError("dataset.delay", f"must satisfy 1 <= delay < length ({self.length})")
        if self.classes < 2:
            raise InputError("dataset.classes", "must be at least 2")
        if self.noise < 1:
            raise InputError("dataset.noise", "must be at least 1")

    @property
    def output(self) -> str:
        """The head the task's loss uses."""
        return DATASET_HEADS[self.name]

    @property
    def sizes(self) -> tuple[int, int]:
        """(D, K): input and output sizes."""
        if self.name == "remember-first":
            return self.classes + self.noise, self.classes
        if self.name == "adding":
            return 2, 1
        return self.classes, self.classes

    @property
    def loss_steps(self) -> np.ndarray:
        """S, the steps that carry a loss, in order."""
        first = self.delay if self.name == "copy" else self.length - 1
        return np.arange(first, self.length)

    @property
    def lag(self) -> int:
        """How far back the answer's evidence lies: T - 1 (remember-first), d (copy); for adding,
        up to T - 1."""
        return self.delay if self.name == "copy" else self.length - 1

    @property
    def chance(self) -> dict:
        """What guessing scores: accuracy 1/C for the classification tasks; for adding, the loss of
        always predicting 1 (1/12, MATH.md)."""
        if self.name == "adding":
            return {"loss": 1.0 / 12.0}
        return {"accuracy": 1.0 / self.classes}

    def described(self) -> dict:
        """The dataset as /train takes it, with every option its task reads."""
        return {"name": self.name, "length": self.length, "batch": self.batch, "seed": self.seed, **self.options()}

    def options(self) -> dict:
        """The options this task uses, by name."""
        return {name: getattr(self, name) for name in DATASET_OPTIONS[self.name]}

    def draw(self, seed, batch: int | None = None) -> "Batch":
        """The batch of ``seed`` (an int or a list of ints): B = ``batch`` or the dataset's own."""
        return make_batch(self.name, seed, batch or self.batch, self.length, **self.options())

    def update_batch(self, n: int) -> "Batch":
        """The batch update n (1, 2, ...) trains on: seed [seed, n]."""
        return self.draw([self.seed, n])

    def held_out(self, batch: int = EVAL_BATCH, keep=None) -> "Batch":
        """The fixed held-out batch: seed [seed, 0] (only the sequences ``keep`` if given)."""
        return make_batch(self.name, [self.seed, 0], batch, self.length, **self.options(), keep=keep)

    def example(self, index: int, batch: int = EVAL_BATCH) -> "Batch":
        """Sequence ``index`` of the held-out batch, as a batch of one."""
        if not 0 <= index < batch:
            raise InputError("index", f"must be from 0 to {batch - 1} (a sequence of the held-out batch)")
        return self.held_out(batch, keep=[index])


@dataclass(frozen=True)
class Batch:
    """B sequences of one task, batch-first.

    x (B, T, D) inputs; y (B, T, K) targets as the head reads them (one-hot classes or the sum),
    zero at steps without a loss; has_loss (T,) the set S; labels (B, |S|) the targets of the
    steps of S as MATH.md's make_batch returns them (a class, or the sum).
    """

    x: np.ndarray
    y: np.ndarray
    has_loss: np.ndarray
    labels: np.ndarray
    output: str

    @property
    def size(self) -> int:
        return self.x.shape[0]


def make_batch(
    task: str, seed, B: int, T: int, classes: int = 4, noise: int = 4, delay: int = 1, keep=None
) -> Batch:
    """MATH.md's make_batch: NumPy's default_rng(seed) (PCG64), drawing in the order it lists.
    ``keep`` (indices) keeps only those sequences of the B drawn (one example of a large batch
    without its one-hot inputs for all B)."""
    C, N, d = classes, noise, delay
    rng = np.random.default_rng(seed)
    rows = slice(None) if keep is None else np.asarray(keep)
    if task == "remember-first":
        first = rng.integers(0, C, size=B)
        tokens = np.concatenate([first[:, None], rng.integers(C, C + N, size=(B, T - 1))], axis=1)
        x = _one_hot(tokens[rows], C + N)
        labels = first[rows, None]
        steps, y_size = [T - 1], C
    elif task == "adding":
        u = rng.random((B, T))
        marks = np.zeros((B, T))
        every = np.arange(B)
        marks[every, rng.integers(0, T // 2, size=B)] = 1.0
        marks[every, rng.integers(T // 2, T, size=B)] = 1.0
        u, marks = u[rows], marks[rows]
        x = np.stack([u, marks], axis=2)
        labels = (u * marks).sum(axis=1)[:, None]
        steps, y_size = [T - 1], 1
    elif task == "copy":
        tokens = rng.integers(0, C, size=(B, T))[rows]
        x = _one_hot(tokens, C)
        labels = tokens[:, : T - d]
        steps, y_size = list(range(d, T)), C
    else:
        raise InputError("dataset.name", f"must be one of {', '.join(DATASETS)}, not {task!r}")
    has_loss = np.zeros(T, dtype=bool)
    has_loss[steps] = True
    y = np.zeros((x.shape[0], T, y_size))
    if task == "adding":
        y[:, steps, 0] = labels
    else:
        y[:, steps] = _one_hot(labels, y_size)
    return Batch(x, y, has_loss, labels, DATASET_HEADS[task])


def _one_hot(tokens: np.ndarray, size: int) -> np.ndarray:
    out = np.zeros((*tokens.shape, size))
    np.put_along_axis(out, tokens[..., None], 1.0, axis=-1)
    return out
