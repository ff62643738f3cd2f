"""Canonical weights (U, W, b, V, c[, b_hn]) as the API answers them; the cell read from W's
blocks, or for the min cells (no W) from U's blocks of V's H columns."""

import numpy as np

from ..contract import MIN_CELLS, PARAM_NAMES, blocks
from ..params import read_array
from .common import (
    CELL_OF_BLOCKS,
    Imported,
)


def read_canonical(weights: dict, cell: str | None) -> Imported:
    arrays = {name: read_array(name, value) for name, value in weights.items()}
    from .stack import read_canonical_stack, stack_shape  # a stack's names: U_l1, W_l1, ...

    if stack_shape(arrays) is not None:
        return read_canonical_stack(arrays, cell)
    if cell is None:
        cell = cell_of_arrays(arrays)
    # in the cell's own order whatever order the request gave them in (then any stranger, for its
    # refusal): an answer is a function of its request's content, which the answer cache keys by
    known = PARAM_NAMES.get(cell, ())
    arrays = {name: arrays[name] for name in [*[n for n in known if n in arrays], *sorted(set(arrays) - set(known))]}
    return Imported("canonical", cell, arrays, {name: name for name in arrays})


def cell_of_arrays(arrays: dict[str, np.ndarray]) -> str:
    """W's shape says which cell; without W (and b_hn), U's blocks of V's H columns say which min
    cell. One that fits none is the simple RNN's to refuse."""
    W = arrays.get("W")
    rows, cols = W.shape if W is not None and W.ndim == 2 else (0, 0)
    cell = CELL_OF_BLOCKS.get(rows // cols, "rnn") if cols and rows % cols == 0 else "rnn"
    if W is None and "b_hn" not in arrays:
        cell = _min_cell_of(arrays) or cell
    return cell


MIN_CELL_OF_BLOCKS = {blocks(cell): cell for cell in MIN_CELLS}


def _min_cell_of(arrays: dict[str, np.ndarray]) -> str | None:
    """Weights without W are a min cell's when U's rows are 2 or 3 blocks of V's H columns
    (minGRU, minLSTM); None when they are not."""
    U, V = arrays.get("U"), arrays.get("V")
    if U is None or V is None or U.ndim != 2 or V.ndim != 2 or V.shape[1] == 0 or U.shape[0] % V.shape[1]:
        return None
    return MIN_CELL_OF_BLOCKS.get(U.shape[0] // V.shape[1])
