"""rnn-unfolded core: a simple RNN unfolded in time, its BPTT and its error flows, in NumPy.

>>> from core import encode_text, init_params, forward, backward
>>> seq = encode_text("hello")
>>> D = len(seq.vocab)
>>> fwd = forward(init_params(D, 8, D, seed=0), seq)
>>> bwd = backward(fwd)
>>> bwd.flow.shape
(4, 4)
"""

from .encode import TASKS, Sequence, encode_numbers, encode_text
from .errors import InputError, NumericalOverflow
from .functions import ACTIVATIONS, HEADS
from .gradcheck import gradcheck, numerical_gradients
from .params import PARAM_NAMES, Params, init_params, params_from_arrays, rescale_recurrent, spectral_radius
from .rnn import Backward, Forward, backward, forward, step_contributions, step_norms

__all__ = [
    "ACTIVATIONS", "HEADS", "PARAM_NAMES", "TASKS",
    "Backward", "Forward", "InputError", "NumericalOverflow", "Params", "Sequence",
    "backward", "encode_numbers", "encode_text", "forward", "gradcheck", "init_params",
    "numerical_gradients", "params_from_arrays", "rescale_recurrent", "spectral_radius",
    "step_contributions", "step_norms",
]
