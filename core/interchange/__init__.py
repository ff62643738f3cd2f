"""Weights in the shapes people already have: PyTorch and Keras state dicts in, PyTorch and Keras out.

One module a format (canonical, pytorch, keras) and what they share (common). The mapping is
MATH.md's "Cells": U, W, b stack one block per gate in PyTorch's order; from
PyTorch, b = bias_ih + bias_hh, except the GRU's candidate, whose recurrent bias stays apart
as b_hn. Keras's kernels are PyTorch's transposed and its GRU orders the blocks z, r, h.

>>> import numpy as np
>>> rng = np.random.default_rng(0)
>>> torch_like = {"lstm.weight_ih_l0": rng.normal(size=(8, 3)), "lstm.weight_hh_l0": rng.normal(size=(8, 2)),
...               "fc.weight": rng.normal(size=(3, 2)), "fc.bias": np.zeros(3)}
>>> found = read_weights(torch_like)
>>> found.format, found.cell, found.arrays["U"].shape, found.mapping["V"]
('pytorch', 'lstm', (8, 3), 'fc.weight')
"""

from ..contract import CELLS, MIN_CELLS, PARAM_NAMES
from ..errors import InputError
from .canonical import read_canonical
from .common import TORCH_RECURRENT, Imported, no_library_layer
from .keras import keras_parts, read_keras, to_keras, to_keras_stack
from .pytorch import read_pytorch, to_pytorch, to_pytorch_stack
from .stack import CANONICAL_STACK

__all__ = ["WEIGHT_FORMATS", "Imported", "detect", "read_weights", "to_keras", "to_keras_stack", "to_pytorch",
           "to_pytorch_stack"]

# The formats weights are read in and written to, each a module of this package.
WEIGHT_FORMATS = ("canonical", "pytorch", "keras")


def detect(weights: dict) -> str:
    """Which format a weights dict is in, from its keys alone; refuses a mixture."""
    if not isinstance(weights, dict) or not weights:
        raise InputError("weights", "must be an object of named arrays")
    canonical = {name for names in PARAM_NAMES.values() for name in names} | {"E"}
    kinds = {}
    for key in weights:
        if key in canonical or CANONICAL_STACK.match(key):
            kinds[key] = "canonical"
        elif TORCH_RECURRENT.match(key):
            kinds[key] = "pytorch"
        elif keras_parts(key)[1] == "recurrent_kernel":
            kinds[key] = "keras"
    found = sorted(set(kinds.values()))
    if len(found) > 1:
        first = {kind: next(k for k, v in kinds.items() if v == kind) for kind in found}
        shown = ", ".join(f"{first[kind]} ({kind})" for kind in found)
        raise InputError("weights", f"mixes formats: {shown}; send one model's weights in one format")
    if not found:
        raise InputError(
            "weights", "no recurrent weights found: give U, W, b, V, c (canonical), a PyTorch state_dict "
            "(weight_ih_l0, weight_hh_l0, ...) or Keras weights (kernel, recurrent_kernel, bias)",
        )
    return found[0]


def read_weights(weights: dict, cell: str | None = None) -> Imported:
    """Canonical arrays from canonical, PyTorch or Keras weights; ``cell`` None infers it.

    Shapes are checked against each other here (H from the recurrent matrix); against the data's
    D and K by params.params_from_arrays.
    """
    if cell is not None and cell not in CELLS:
        raise InputError("cell", f"must be one of {', '.join(CELLS)}, not {cell!r}")
    kind = detect(weights)
    if kind == "canonical":
        return read_canonical(weights, cell)
    if cell in MIN_CELLS:
        raise InputError("cell", f"is {cell}, but the weights are {'PyTorch' if kind == 'pytorch' else 'Keras'}'s, "
                         f"and {no_library_layer(cell)}: send its canonical weights (U, b, V, c)")
    if kind == "pytorch":
        return read_pytorch(weights, cell)
    return read_keras(weights, cell)
