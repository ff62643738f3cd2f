"""What the readers and writers of every format share: the canonical arrays read (Imported),
the checks of a recurrent layer's shapes, its output layer, and the words of a refusal."""

import re
from dataclasses import dataclass, field

import numpy as np

from ..contract import CELL_TITLES, MIN_CELLS, blocks
from ..errors import InputError
from ..params import read_array

CELL_OF_BLOCKS = {1: "rnn", 4: "lstm", 3: "gru"}
MIN_CELL_OF_BLOCKS = {blocks(cell): cell for cell in MIN_CELLS}
TORCH_MODULES = {"rnn": "nn.RNN", "lstm": "nn.LSTM", "gru": "nn.GRU"}
KERAS_LAYERS = {"rnn": "SimpleRNN", "lstm": "LSTM", "gru": "GRU"}
KERAS_NAMES_OF = {"rnn": "simple_rnn", "lstm": "lstm", "gru": "gru"}  # a layer's default name
TORCH_RECURRENT = re.compile(r"^(?P<prefix>.*?)(?P<name>weight_ih|weight_hh|weight_hr|bias_ih|bias_hh)_l(?P<layer>\d+)"
                             r"(?P<reverse>_reverse)?$")
KERAS_NAMES = ("kernel", "recurrent_kernel", "bias")


@dataclass(frozen=True)
class Imported:
    """Canonical arrays (U, W, b, V, c[, b_hn]) read from a dict, and where each came from."""

    format: str
    cell: str
    arrays: dict[str, np.ndarray]
    mapping: dict[str, str] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    # canonical name -> (the key it came from, whether the source stores it transposed)
    sources: dict[str, tuple[str, bool]] = field(default_factory=dict)
    # a stack (issue 28): its layers, whether each runs both ways, and its embedding's width
    layers: int = 1
    bidirectional: bool = False
    embedding: int | None = None

    @property
    def is_stack(self) -> bool:
        """Several layers, both directions or an embedding: arrays under core.deep's canonical names."""
        return self.layers > 1 or self.bidirectional or self.embedding is not None

    def check_sizes(self, input_size: int, output_size: int, hidden_size: int | None = None) -> None:
        """Refuse, in the source's own names and layout, weights that do not fit the data's D and K
        (or a hidden_size the request also set)."""
        W = self.arrays.get("W")
        if W is None or W.ndim != 2:
            return  # params_from_arrays names what is missing or malformed
        H = W.shape[1]
        if hidden_size is not None and hidden_size != H and self.format != "canonical":
            key, _ = self.sources["W"]
            raise InputError(f"weights.{key}", f"means H = {H}, but hidden_size is {hidden_size}: leave hidden_size "
                             "out with imported weights, or make them agree")
        wanted = {"U": (1, input_size, "inputs (D)"), "V": (0, output_size, "outputs (K)"),
                  "c": (0, output_size, "outputs (K)")}
        for name, (axis, size, what) in wanted.items():
            if name not in self.sources or self.arrays[name].ndim <= axis or self.arrays[name].shape[axis] == size:
                continue
            key, transposed = self.sources[name]
            have = self.arrays[name].shape
            want = list(have)
            want[axis] = size
            if transposed:
                have, want = have[::-1], want[::-1]
            raise InputError(f"weights.{key}", f"expected {shape_of(want)}: the data has {size} {what}, "
                             f"got {shape_of(have)}")


def shape_of(array_or_shape) -> str:
    """'(32, 8)': shapes written as PyTorch and Keras print them."""
    return "(" + ", ".join(str(n) for n in getattr(array_or_shape, "shape", array_or_shape)) + ")"


def expect(key: str, array: np.ndarray, shape: tuple[int, ...], why: str) -> None:
    if array.shape != shape:
        raise InputError(f"weights.{key}", f"expected {shape_of(shape)} {why}, got {shape_of(array)}")


def guess(rows: int, cols: int) -> str:
    """What a recurrent matrix of this shape would be, as a hint in a refusal."""
    if cols and rows % cols == 0 and rows // cols in CELL_OF_BLOCKS:
        cell = CELL_OF_BLOCKS[rows // cols]
        return f": is this {'an' if cell == 'lstm' else 'a'} {CELL_TITLES[cell]}?"
    return ""


def cell_of(key: str, recurrent: np.ndarray, cell: str | None, stacked_rows: bool,
             because: str = "") -> tuple[str, int]:
    """(cell, H) from the recurrent matrix: (G H, H) in PyTorch's layout, (H, G H) in Keras's.
    ``because``: why ``cell`` is expected, when it was read from the layer's other parts."""
    if recurrent.ndim != 2 or 0 in recurrent.shape:
        raise InputError(f"weights.{key}", f"must be a matrix, got shape {shape_of(recurrent)}")
    stacked, H = recurrent.shape if stacked_rows else recurrent.shape[::-1]
    if cell is not None:
        G = blocks(cell)
        if stacked != G * H:
            want = (G * H, H) if stacked_rows else (H, G * H)
            title = CELL_TITLES[cell]
            raise InputError(
                f"weights.{key}", f"expected {shape_of(want)} for {'an' if cell == 'lstm' else 'a'} {title} "
                f"with H = {H}, got {shape_of(recurrent)}{because or guess(stacked, H)}",
            )
        return cell, H
    if stacked % H or stacked // H not in CELL_OF_BLOCKS:
        raise InputError(
            f"weights.{key}", f"has shape {shape_of(recurrent)}, which is no cell's: the rows of the recurrent matrix "
            "are 1, 4 or 3 blocks of H (RNN, LSTM, GRU)" if stacked_rows else
            f"has shape {shape_of(recurrent)}, which is no cell's: its columns are 1, 4 or 3 blocks of H "
            "(SimpleRNN, LSTM, GRU)",
        )
    return CELL_OF_BLOCKS[stacked // H], H


def recurrent_layer(weights: dict, recurrent_key: str, input_key: str, cell: str | None, keras: bool,
                     because: str = ""):
    """(cell, H, recurrent matrix, input matrix) as stored: PyTorch stacks the gates' blocks in
    rows, (G H, H) and (G H, D); Keras in columns, (H, G H) and (D, G H)."""
    recurrent = read_array(recurrent_key, weights[recurrent_key])
    cell, H = cell_of(recurrent_key, recurrent, cell, stacked_rows=not keras, because=because)
    G = blocks(cell)
    inputs = read_array(input_key, weights[input_key])
    if inputs.ndim != 2 or inputs.shape[1 if keras else 0] != G * H:
        want = f"(D, {G * H})" if keras else f"({G * H}, D)"
        owner = f"a Keras {KERAS_LAYERS[cell]}" if keras else TORCH_MODULES[cell]
        raise InputError(f"weights.{input_key}", f"expected {want} for {owner} with H = {H}, got {shape_of(inputs)}")
    return cell, H, recurrent, inputs


def no_library_layer(cell: str) -> str:
    return f"no torch.nn module or Keras layer computes the {CELL_TITLES[cell]} (Feng et al., 2024)"


def refuse_min_cells(cell: str, library: str) -> None:
    """The min cells have no layer to convert to: said, rather than a state dict no layer loads."""
    if cell in MIN_CELLS:
        raise InputError("to", f"cannot be {library}: {no_library_layer(cell)}; its weights stay canonical "
                         "(U, b, V, c)")


def output_layer(rest: list[str], parts, weight: str, example: str) -> tuple[str, str | None]:
    """The one output layer among the keys left over: (its weight key, its bias key or None).
    ``parts`` splits a key into its layer's prefix and the weight's name."""
    layers: dict[str, dict[str, str]] = {}
    for key in rest:
        prefix, name = parts(key)
        if name not in (weight, "bias"):
            raise InputError(f"weights.{key}", "is not part of a model read here: an RNN, LSTM or GRU (its layers and "
                             f"directions), an embedding in front, and {example}; attention, convolutions and "
                             "other layers are not read")
        layers.setdefault(prefix, {})[name] = key
    with_weight = {prefix: keys for prefix, keys in layers.items() if weight in keys}
    for prefix, keys in layers.items():
        if weight not in keys:
            raise InputError(f"weights.{keys['bias']}", f"has no {prefix}{weight} beside it (the output layer's "
                             "weight and bias go together)")
    if not with_weight:
        raise InputError("weights", f"has no output layer: add the weights of the {example} after the recurrent "
                         "layer")
    if len(with_weight) > 1:
        shown = ", ".join(keys[weight] for keys in with_weight.values())
        raise InputError("weights", f"has {len(with_weight)} candidate output layers ({shown}); keep the one "
                         "that reads the hidden state")
    keys = next(iter(with_weight.values()))
    return keys[weight], keys.get("bias")


def read_head(weights: dict, rest: list[str], parts, weight: str, example: str, H: int, reads: str,
              arrays: dict, mapping: dict, notes: list, sources: dict, keras: bool) -> None:
    """Read the output layer among the keys left over into V and c (their arrays, where each came
    from, and the keys an answer's refusal can name). A Keras Dense kernel is (H, K), V
    transposed; a PyTorch nn.Linear's weight is V itself."""
    V_key, c_key = output_layer(rest, parts, weight, example)
    V = read_array(V_key, weights[V_key])
    expected = f"({H}, K)" if keras else f"(K, {H})"
    if V.ndim != 2 or V.shape[0 if keras else 1] != H:
        layer = "the Dense layer" if keras else "the output layer"
        raise InputError(f"weights.{V_key}", f"expected {expected}: {layer} reads the H = {H} hidden units of "
                         f"{reads}, got {shape_of(V)}")
    arrays["V"], mapping["V"] = (V.T.copy(), f"{V_key}ᵀ") if keras else (V, V_key)
    arrays["c"], mapping["c"] = output_bias(weights, c_key, arrays["V"].shape[0], notes)
    sources["V"] = (V_key, keras)
    if c_key is not None:
        sources["c"] = (c_key, False)


def split_key(key: str, separator: str) -> tuple[str, str]:
    head, sep, tail = key.rpartition(separator)
    return head + sep, tail


def output_bias(weights: dict, key: str | None, size: int, notes: list) -> tuple[np.ndarray, str]:
    if key is None:
        notes.append("The output layer has no bias (bias=False): c is zero.")
        return np.zeros(size), "zeros (bias=False)"
    c = read_array(key, weights[key])
    expect(key, c, (size,), "(one per output)")
    return c, key


def recurrent_bias(arrays: dict[str, np.ndarray], cell: str) -> np.ndarray:
    """The bias a library keeps beside the recurrent weights: zero, but for the GRU's candidate
    block, which is b_hn (applied inside the reset gate's product, so it cannot join b)."""
    bias = np.zeros_like(arrays["b"])
    if cell == "gru":
        bias[2 * arrays["W"].shape[1]:] = arrays["b_hn"]
    return bias


def cell_of_arrays(arrays: dict[str, np.ndarray]) -> str:
    """W's shape says which cell; without W (and b_hn), U's blocks of V's H columns say which min
    cell. One that fits none is the simple RNN's to refuse."""
    W = arrays.get("W")
    rows, cols = W.shape if W is not None and W.ndim == 2 else (0, 0)
    cell = CELL_OF_BLOCKS.get(rows // cols, "rnn") if cols and rows % cols == 0 else "rnn"
    if W is None and "b_hn" not in arrays:
        cell = _min_cell_of(arrays) or cell
    return cell


def _min_cell_of(arrays: dict[str, np.ndarray]) -> str | None:
    """Weights without W are a min cell's when U's rows are 2 or 3 blocks of V's H columns
    (minGRU, minLSTM); None when they are not."""
    U, V = arrays.get("U"), arrays.get("V")
    if U is None or V is None or U.ndim != 2 or V.ndim != 2 or V.shape[1] == 0 or U.shape[0] % V.shape[1]:
        return None
    return MIN_CELL_OF_BLOCKS.get(U.shape[0] // V.shape[1])
