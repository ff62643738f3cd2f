"""The min cells' forward pass as a parallel scan (MATH.md, "minGRU and minLSTM").

A min cell's step is the affine map h -> alpha * h + beta, with alpha and beta read from x
alone, so every step's pair can be computed at once and the steps composed in any grouping:

    (alpha1, beta1) o (alpha2, beta2) = (alpha1 alpha2, alpha2 beta1 + beta2)    (1 first, then 2)

The inclusive prefixes (A_t, B_t) = (alpha^(0), beta^(0)) o ... o (alpha^(t), beta^(t)) give
h^(t) = A_t h^(-1) + B_t. Hillis and Steele's scan finds every prefix in ceil(log2 T) rounds, each
one vectorised operation over all the steps: O(log T) depth, O(T log T) work. The step loop of
unfold.forward_batch is the other way to the same numbers; a test holds them together.
"""

import numpy as np

from .cells import CELL_MODULES
from .contract import MIN_CELLS
from .errors import InputError
from .params import Params


def scan(alpha: np.ndarray, beta: np.ndarray, h0: np.ndarray) -> np.ndarray:
    """Every h^(t) = alpha^(t) * h^(t-1) + beta^(t), h^(-1) = h0, by an inclusive scan along the
    first axis. alpha and beta (T, ...), h0 broadcast against one step: (T, ...) out."""
    A, B = np.array(alpha, dtype=np.float64), np.array(beta, dtype=np.float64)
    steps = A.shape[0]
    offset = 1
    while offset < steps:
        # step t takes in the prefix that ends offset steps earlier (read before this round writes)
        earlier_A, earlier_B = A[:-offset].copy(), B[:-offset]
        B[offset:] += A[offset:] * earlier_B
        A[offset:] *= earlier_A
        offset *= 2
    return A * h0 + B


def scan_states(params: Params, x: np.ndarray, h0: np.ndarray | None = None) -> np.ndarray:
    """The hidden states of a min cell over x, (T, D) for one sequence or (B, T, D) for a batch,
    through the scan: (T, H) or (B, T, H), as the step loop gives them (forward, forward_batch)."""
    if params.cell not in MIN_CELLS:
        raise InputError("cell", f"a scan needs h = alpha * h' + beta with alpha and beta free of h, which only "
                         f"{' and '.join(MIN_CELLS)} have, not {params.cell}")
    steps_first = np.moveaxis(np.asarray(x, dtype=np.float64), -2, 0)  # (T, D) or (T, B, D)
    alpha, beta, _ = CELL_MODULES[params.cell].coefficients(steps_first @ params.U.T + params.b)
    start = np.zeros(params.sizes[1]) if h0 is None else np.asarray(h0, dtype=np.float64)
    return np.moveaxis(scan(alpha, beta, start), 0, -2)
