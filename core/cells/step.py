"""What one step of any cell computes forward."""

from typing import NamedTuple

import numpy as np


class Step(NamedTuple):
    a: np.ndarray  # (G H,) pre-activations, gates stacked in PyTorch's order
    gates: np.ndarray | None  # the gates' values, H each (contract.GATE_VALUES); None for the simple RNN
    h: np.ndarray  # (H,)
    s: np.ndarray | None  # (H,) the LSTM's cell state
