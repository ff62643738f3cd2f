"""Canonical weights (U, W, b, V, c[, b_hn]) as the API answers them; the cell read from W's
blocks, or for the min cells (no W) from U's blocks of V's H columns."""


from ..contract import PARAM_NAMES
from ..params import read_array
from .common import Imported, cell_of_arrays
from .stack import read_canonical_stack, stack_shape


def read_canonical(weights: dict, cell: str | None) -> Imported:
    arrays = {name: read_array(name, value) for name, value in weights.items()}
    if stack_shape(arrays) is not None:
        return read_canonical_stack(arrays, cell)
    if cell is None:
        cell = cell_of_arrays(arrays)
    # in the cell's own order whatever order the request gave them in (then any stranger, for its
    # refusal): an answer is a function of its request's content, which the answer cache keys by
    known = PARAM_NAMES.get(cell, ())
    arrays = {name: arrays[name] for name in [*[n for n in known if n in arrays], *sorted(set(arrays) - set(known))]}
    return Imported("canonical", cell, arrays, {name: name for name in arrays})
