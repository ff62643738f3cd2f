"""Activations g and output heads f with their losses, each next to its derivative.

Every function maps float64 arrays to float64 arrays and is numerically stable over the
whole float64 range (no overflow warnings for large |o|).
"""

from collections.abc import Callable
from typing import NamedTuple

import numpy as np

Array = np.ndarray


class Activation(NamedTuple):
    g: Callable[[Array], Array]
    # g'(a) written in terms of a and h = g(a), whichever is cheaper and exact.
    dg: Callable[[Array, Array], Array]


def sigmoid(z: Array, out: Array | None = None) -> Array:
    """Logistic function without overflow: exp is only taken of non-positive numbers,
    1 / (1 + e) for z >= 0 and e / (1 + e) below, e = exp(-|z|). Into ``out`` if given."""
    e = np.abs(z)
    np.negative(e, out=e)
    np.exp(e, out=e)
    top = np.where(z >= 0, 1.0, e)
    e += 1.0
    return np.divide(top, e, out=out)


ACTIVATIONS: dict[str, Activation] = {
    "tanh": Activation(np.tanh, lambda a, h: 1.0 - h * h),
    "relu": Activation(lambda a: np.maximum(a, 0.0), lambda a, h: (a > 0).astype(np.float64)),
    "sigmoid": Activation(sigmoid, lambda a, h: h * (1.0 - h)),
    "identity": Activation(lambda a: a.copy(), lambda a, h: np.ones_like(a)),
}


def log_softmax(o: Array) -> Array:
    """log softmax over the last axis via log-sum-exp."""
    shifted = o - o.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def softplus(z: Array) -> Array:
    """log(1 + exp(z)) without overflow."""
    return np.maximum(z, 0.0) + np.log1p(np.exp(-np.abs(z)))


class Head(NamedTuple):
    f: Callable[[Array], Array]
    # J^(t) for every step at once: (T, K) pre-activations and targets -> (T,) losses.
    # In all three heads dJ^(t)/do^(t) = y_hat - y, which backward relies on.
    loss: Callable[[Array, Array], Array]


HEADS: dict[str, Head] = {
    "softmax": Head(
        lambda o: np.exp(log_softmax(o)),
        lambda o, y: -(y * log_softmax(o)).sum(axis=-1),
    ),
    "identity": Head(
        lambda o: o.copy(),
        lambda o, y: 0.5 * ((o - y) ** 2).sum(axis=-1),
    ),
    "sigmoid": Head(
        sigmoid,
        # -[y log s(o) + (1-y) log(1-s(o))] = softplus(o) - y o
        lambda o, y: (softplus(o) - y * o).sum(axis=-1),
    ),
}


def draw_next(o: Array, temperature: float, rng: np.random.Generator) -> int:
    """The index of the next character drawn from softmax(o / temperature); 0: the most likely."""
    if temperature == 0:
        return int(np.argmax(o))
    z = o / temperature
    p = np.exp(z - z.max())
    return int(rng.choice(len(p), p=p / p.sum()))
