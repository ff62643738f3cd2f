"""Small problems whose gradients are large enough for finite differences to resolve."""

import numpy as np

from core import Params, encode_numbers, encode_text, param_shapes


def random_params(D: int, H: int, K: int, seed: int = 0, scale: float = 0.8, cell: str = "rnn") -> Params:
    """Non-zero biases and weights of unit order, so no gradient is trivially zero."""
    rng = np.random.default_rng(seed)
    arrays = {
        name: rng.normal(0, 0.3 if len(shape) == 1 else scale, shape)
        for name, shape in param_shapes(cell, D, H, K).items()
    }
    return Params(**arrays, cell=cell)


def problem(output: str, task: str, seed: int = 0, steps: int = 4, hidden: int = 3, cell: str = "rnn"):
    """A sequence suited to the head (text for softmax, values in [0, 1] otherwise) and its params."""
    rng = np.random.default_rng(seed)
    if output == "softmax":
        # every character of the vocabulary appears, then a random tail: steps + 1 characters
        seq = encode_text("abc" + "".join(rng.choice(list("abc"), steps - 2)), task)
    else:
        seq = encode_numbers(rng.uniform(0.1, 0.9, (steps + 1, 2)).tolist(), task=task)
    D, K = seq.x.shape[1], seq.y.shape[1]
    h0 = rng.normal(0, 0.5, hidden)
    # weights of scale 0.5 keep softmax away from saturation, where J ~ 1e-6 drowns finite differences
    return random_params(D, hidden, K, seed, scale=0.5, cell=cell), seq, h0

