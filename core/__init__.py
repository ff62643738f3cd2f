"""rnn-unfolded core: a simple RNN, an LSTM, a GRU, a minGRU and a minLSTM unfolded in time,
their BPTT and their error flows, in NumPy.

>>> from core import encode_text, init_params, forward, backward
>>> seq = encode_text("hello")
>>> D = len(seq.vocab)
>>> fwd = forward(init_params(D, 8, D, seed=0, cell="lstm"), seq)
>>> bwd = backward(fwd)
>>> bwd.flow.shape, bwd.flow_s.shape
((4, 4), (4, 4))
"""

from .bptt import Backward, backward, batch_gradients, gradients, step_contributions, step_norms
from .contract import CELLS, GATE_VALUES, GATES, MIN_CELLS, PARAM_NAMES, STATES, param_shapes
from .encode import TASKS, Sequence, encode_numbers, encode_text
from .errors import InputError, NumericalOverflow
from .functions import ACTIVATIONS, HEADS
from .gain import error_gain
from .gradcheck import gradcheck, numerical_gradients
from .interchange import Imported, read_weights, to_keras, to_pytorch
from .params import Params, init_params, params_from_arrays, rescale_recurrent, spectral_radius
from .scan import scan, scan_states
from .tasks import DATASETS, Batch, Dataset, make_batch
from .train import CLIP_MODES, OPTIMIZERS, Clip, OptimizerState, Trained, evaluate, new_optimizer_state, sample, train
from .unfold import BatchForward, Forward, forward, forward_batch

__all__ = [
    "ACTIVATIONS", "CELLS", "CLIP_MODES", "OPTIMIZERS", "Clip", "OptimizerState", "Trained",
    "GATE_VALUES", "GATES", "HEADS", "MIN_CELLS", "PARAM_NAMES", "STATES", "TASKS",
    "Backward", "Forward", "Imported", "InputError", "NumericalOverflow", "Params", "Sequence",
    "backward", "gradients", "encode_numbers", "encode_text", "error_gain", "forward", "gradcheck", "init_params",
    "numerical_gradients", "param_shapes", "params_from_arrays", "rescale_recurrent", "spectral_radius",
    "step_contributions", "step_norms", "new_optimizer_state", "read_weights", "sample", "to_keras", "to_pytorch",
    "train", "BatchForward", "batch_gradients", "forward_batch", "DATASETS", "Batch", "Dataset", "evaluate",
    "make_batch", "scan", "scan_states",
]
