"""Weights in the shapes people already have: PyTorch and Keras state dicts in, PyTorch and Keras out.

The mapping is MATH.md's "Cells": U, W, b stack one block per gate in PyTorch's order; from
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

import re
from dataclasses import dataclass, field

import numpy as np

from .contract import CELL_TITLES, CELLS, MIN_CELLS, PARAM_NAMES, blocks
from .errors import InputError

FORMATS = ("canonical", "pytorch", "keras")
CELL_OF_BLOCKS = {1: "rnn", 4: "lstm", 3: "gru"}
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
            raise InputError(f"weights.{key}", f"expected {_shape(want)}: the data has {size} {what}, "
                             f"got {_shape(have)}")


def _array(key: str, value) -> np.ndarray:
    try:
        array = np.array(value, dtype=np.float64)
    except (ValueError, TypeError):
        raise InputError(f"weights.{key}", "must be a (nested) list of numbers with equal-length rows") from None
    if not np.isfinite(array).all():
        raise InputError(f"weights.{key}", "must contain only finite numbers")
    return array


def _shape(array_or_shape) -> str:
    """'(32, 8)': shapes written as PyTorch and Keras print them."""
    return "(" + ", ".join(str(n) for n in getattr(array_or_shape, "shape", array_or_shape)) + ")"


def _expect(key: str, array: np.ndarray, shape: tuple[int, ...], why: str) -> None:
    if array.shape != shape:
        raise InputError(f"weights.{key}", f"expected {_shape(shape)} {why}, got {_shape(array)}")


def _guess(rows: int, cols: int) -> str:
    """What a recurrent matrix of this shape would be, as a hint in a refusal."""
    if cols and rows % cols == 0 and rows // cols in CELL_OF_BLOCKS:
        cell = CELL_OF_BLOCKS[rows // cols]
        return f": is this {'an' if cell == 'lstm' else 'a'} {CELL_TITLES[cell]}?"
    return ""


def _cell_of(key: str, recurrent: np.ndarray, cell: str | None, stacked_rows: bool,
             because: str = "") -> tuple[str, int]:
    """(cell, H) from the recurrent matrix: (G H, H) in PyTorch's layout, (H, G H) in Keras's.
    ``because``: why ``cell`` is expected, when it was read from the layer's other parts."""
    if recurrent.ndim != 2 or 0 in recurrent.shape:
        raise InputError(f"weights.{key}", f"must be a matrix, got shape {_shape(recurrent)}")
    stacked, H = recurrent.shape if stacked_rows else recurrent.shape[::-1]
    if cell is not None:
        G = blocks(cell)
        if stacked != G * H:
            want = (G * H, H) if stacked_rows else (H, G * H)
            title = CELL_TITLES[cell]
            raise InputError(
                f"weights.{key}", f"expected {_shape(want)} for {'an' if cell == 'lstm' else 'a'} {title} "
                f"with H = {H}, got {_shape(recurrent)}{because or _guess(stacked, H)}",
            )
        return cell, H
    if stacked % H or stacked // H not in CELL_OF_BLOCKS:
        raise InputError(
            f"weights.{key}", f"has shape {_shape(recurrent)}, which is no cell's: the rows of the recurrent matrix "
            "are 1, 4 or 3 blocks of H (RNN, LSTM, GRU)" if stacked_rows else
            f"has shape {_shape(recurrent)}, which is no cell's: its columns are 1, 4 or 3 blocks of H "
            "(SimpleRNN, LSTM, GRU)",
        )
    return CELL_OF_BLOCKS[stacked // H], H


def _recurrent_layer(weights: dict, recurrent_key: str, input_key: str, cell: str | None, keras: bool,
                     because: str = ""):
    """(cell, H, recurrent matrix, input matrix) as stored: PyTorch stacks the gates' blocks in
    rows, (G H, H) and (G H, D); Keras in columns, (H, G H) and (D, G H)."""
    recurrent = _array(recurrent_key, weights[recurrent_key])
    cell, H = _cell_of(recurrent_key, recurrent, cell, stacked_rows=not keras, because=because)
    G = blocks(cell)
    inputs = _array(input_key, weights[input_key])
    if inputs.ndim != 2 or inputs.shape[1 if keras else 0] != G * H:
        want = f"(D, {G * H})" if keras else f"({G * H}, D)"
        owner = f"a Keras {KERAS_LAYERS[cell]}" if keras else TORCH_MODULES[cell]
        raise InputError(f"weights.{input_key}", f"expected {want} for {owner} with H = {H}, got {_shape(inputs)}")
    return cell, H, recurrent, inputs


def detect(weights: dict) -> str:
    """Which format a weights dict is in, from its keys alone; refuses a mixture."""
    if not isinstance(weights, dict) or not weights:
        raise InputError("weights", "must be an object of named arrays")
    canonical = {name for names in PARAM_NAMES.values() for name in names}
    kinds = {}
    for key in weights:
        if key in canonical:
            kinds[key] = "canonical"
        elif TORCH_RECURRENT.match(key):
            kinds[key] = "pytorch"
        elif _keras_parts(key)[1] == "recurrent_kernel":
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
        return _canonical(weights, cell)
    if cell in MIN_CELLS:
        raise InputError("cell", f"is {cell}, but the weights are {'PyTorch' if kind == 'pytorch' else 'Keras'}'s, "
                         f"and {_no_library_layer(cell)}: send its canonical weights (U, b, V, c)")
    if kind == "pytorch":
        return _pytorch(weights, cell)
    return _keras(weights, cell)


def _canonical(weights: dict, cell: str | None) -> Imported:
    arrays = {name: _array(name, value) for name, value in weights.items()}
    if cell is None:  # W's shape says which cell; one that fits none is the simple RNN's to refuse
        W = arrays.get("W")
        rows, cols = W.shape if W is not None and W.ndim == 2 else (0, 0)
        cell = CELL_OF_BLOCKS.get(rows // cols, "rnn") if cols and rows % cols == 0 else "rnn"
        if W is None and "b_hn" not in arrays:
            cell = _min_cell_of(arrays) or cell
    return Imported("canonical", cell, arrays, {name: name for name in arrays})


MIN_CELL_OF_BLOCKS = {blocks(cell): cell for cell in MIN_CELLS}


def _min_cell_of(arrays: dict[str, np.ndarray]) -> str | None:
    """Weights without W are a min cell's when U's rows are 2 or 3 blocks of V's H columns
    (minGRU, minLSTM); None when they are not."""
    U, V = arrays.get("U"), arrays.get("V")
    if U is None or V is None or U.ndim != 2 or V.ndim != 2 or V.shape[1] == 0 or U.shape[0] % V.shape[1]:
        return None
    return MIN_CELL_OF_BLOCKS.get(U.shape[0] // V.shape[1])


def _no_library_layer(cell: str) -> str:
    return f"no torch.nn module or Keras layer computes the {CELL_TITLES[cell]} (Feng et al., 2024)"


def _refuse_min_cells(cell: str, library: str) -> None:
    """The min cells have no layer to convert to: said, rather than a state dict no layer loads."""
    if cell in MIN_CELLS:
        raise InputError("to", f"cannot be {library}: {_no_library_layer(cell)}; its weights stay canonical "
                         "(U, b, V, c)")


def _output_layer(rest: list[str], parts, weight: str, example: str) -> tuple[str, str | None]:
    """The one output layer among the keys left over: (its weight key, its bias key or None).
    ``parts`` splits a key into its layer's prefix and the weight's name."""
    layers: dict[str, dict[str, str]] = {}
    for key in rest:
        prefix, name = parts(key)
        if name not in (weight, "bias"):
            raise InputError(f"weights.{key}", f"is not part of a one-layer recurrent model plus {example}")
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


def _torch_cell_by_evidence(weights: dict, recurrent: dict, prefix: str) -> tuple[str | None, str]:
    """The cell most of a PyTorch layer's parts point to, and which parts say so: each of
    weight_hh, weight_ih and the biases (their rows, in blocks of H = weight_hh's columns) and the
    module's name (lstm, gru) is a vote. One wrong shape is then named as the odd one out, with
    the cell the rest imply, rather than the cell its own shape implies blaming the parts that are
    right. (None, "") when nothing can be read (the usual checks then say why)."""
    try:
        W = np.asarray(weights[recurrent["weight_hh"]], dtype=np.float64)
    except (ValueError, TypeError):
        return None, ""
    if W.ndim != 2 or W.shape[1] == 0:
        return None, ""
    H = W.shape[1]
    votes = []  # (cell, who says so)
    for name in ("weight_hh", "weight_ih", "bias_ih", "bias_hh"):
        if name not in recurrent:
            continue
        try:
            rows = np.asarray(weights[recurrent[name]], dtype=np.float64).shape[0]
        except (ValueError, TypeError, IndexError):
            continue
        if rows % H == 0 and rows // H in CELL_OF_BLOCKS:
            votes.append((CELL_OF_BLOCKS[rows // H], recurrent[name]))
    words = set(re.findall(r"[a-z]+", prefix.lower()))
    votes += [(cell, f"the name {prefix!r}") for cell in ("lstm", "gru") if cell in words]
    cells = [cell for cell, _ in votes]
    if not cells:
        return None, ""
    best = max(set(cells), key=cells.count)
    if cells.count(best) <= len(cells) / 2:
        return None, ""
    who = [source for cell, source in votes if cell == best]
    said = who[0] if len(who) == 1 else ", ".join(who[:-1]) + " and " + who[-1]
    return best, f" ({said} say{'s' if len(who) == 1 else ''} {TORCH_MODULES[best]})"


def _refuse_embeddings(weights: dict, keys: list, input_key: str, D: int, H: int) -> None:
    """An nn.Embedding (rows of D numbers, D the recurrent layer's input size, and named so or
    not shaped as the output layer's H columns) is said to be one, not taken for a second output
    layer: the one-hot models read here have none (issue 28 makes them readable)."""
    for key in keys:
        if not key.endswith("weight"):
            continue
        try:
            shape = np.shape(np.asarray(weights[key], dtype=np.float64))
        except (ValueError, TypeError):
            continue
        if len(shape) == 2 and shape[1] == D and ("emb" in key.lower() or shape[1] != H):
            raise InputError(f"weights.{key}", f"is an embedding ({shape[0]} tokens of {D} numbers each, the input "
                             f"size of {input_key}): rnn-unfolded reads one-hot inputs and does not read "
                             "nn.Embedding yet. A model that embeds its tokens cannot be unfolded here as it is")


def _split(key: str, separator: str) -> tuple[str, str]:
    head, sep, tail = key.rpartition(separator)
    return head + sep, tail


def _pytorch(weights: dict, cell: str | None) -> Imported:
    recurrent, rest, prefixes = {}, [], set()
    for key in weights:
        match = TORCH_RECURRENT.match(key)
        if not match:
            rest.append(key)
            continue
        if match["reverse"]:
            raise InputError(f"weights.{key}", "belongs to a bidirectional layer; rnn-unfolded unfolds one direction")
        if match["layer"] != "0":
            raise InputError(f"weights.{key}", f"belongs to layer {match['layer']}; rnn-unfolded unfolds one layer "
                             "(num_layers=1)")
        if match["name"] == "weight_hr":
            raise InputError(f"weights.{key}", "belongs to an LSTM with proj_size; only proj_size=0 is supported")
        prefixes.add(match["prefix"])
        recurrent[match["name"]] = key
    if len(prefixes) > 1:
        raise InputError("weights", f"has two recurrent layers ({', '.join(sorted(prefixes))}); send one")
    for name in ("weight_ih", "weight_hh"):
        if name not in recurrent:
            raise InputError("weights", f"missing {next(iter(prefixes))}{name}_l0")
    if ("bias_ih" in recurrent) != ("bias_hh" in recurrent):
        have, lack = ("bias_ih", "bias_hh") if "bias_ih" in recurrent else ("bias_hh", "bias_ih")
        raise InputError("weights", f"has {recurrent[have]} but not its partner {lack}_l0 (a PyTorch layer has "
                         "both biases or, with bias=False, neither)")
    W_key, U_key = recurrent["weight_hh"], recurrent["weight_ih"]
    because = ""
    if cell is None:
        cell, because = _torch_cell_by_evidence(weights, recurrent, next(iter(prefixes)))
    cell, H, W, U = _recurrent_layer(weights, W_key, U_key, cell, keras=False, because=because)
    _refuse_embeddings(weights, rest, U_key, U.shape[1], H)
    G = blocks(cell)
    module = TORCH_MODULES[cell]
    arrays = {"U": U, "W": W}
    mapping = {"U": U_key, "W": W_key}
    notes = []
    if "bias_ih" in recurrent:
        b_ih, b_hh = (_array(recurrent[n], weights[recurrent[n]]) for n in ("bias_ih", "bias_hh"))
        for name, bias in (("bias_ih", b_ih), ("bias_hh", b_hh)):
            _expect(recurrent[name], bias, (G * H,), f"for {module} with H = {H}")
        arrays["b"] = b_ih + b_hh
        mapping["b"] = f"{recurrent['bias_ih']} + {recurrent['bias_hh']}"
        if cell == "gru":
            arrays["b"][2 * H:] = b_ih[2 * H:]
            arrays["b_hn"] = b_hh[2 * H:].copy()
            mapping["b"] += f" (the candidate's rows: {recurrent['bias_ih']} only)"
            mapping["b_hn"] = f"{recurrent['bias_hh']}[{2 * H}:{3 * H}]"
    else:
        arrays["b"] = np.zeros(G * H)
        mapping["b"] = "zeros (bias=False)"
        notes.append("The recurrent layer has no biases (bias=False): b is zero.")
        if cell == "gru":
            arrays["b_hn"] = np.zeros(H)
            mapping["b_hn"] = "zeros (bias=False)"
    V_key, c_key = _output_layer(rest, lambda key: _split(key, "."), "weight", "an nn.Linear (e.g. fc.weight, fc.bias)")
    V = _array(V_key, weights[V_key])
    if V.ndim != 2 or V.shape[1] != H:
        raise InputError(f"weights.{V_key}", f"expected (K, {H}): the output layer reads the H = {H} hidden units "
                         f"of {W_key}, got {_shape(V)}")
    arrays["V"], mapping["V"] = V, V_key
    arrays["c"], mapping["c"] = _bias(weights, c_key, V.shape[0], notes)
    sources = {"U": (U_key, False), "W": (W_key, False), "V": (V_key, False)}
    if c_key is not None:
        sources["c"] = (c_key, False)
    return Imported("pytorch", cell, arrays, mapping, tuple(notes), sources)


def _bias(weights: dict, key: str | None, size: int, notes: list) -> tuple[np.ndarray, str]:
    if key is None:
        notes.append("The output layer has no bias (bias=False): c is zero.")
        return np.zeros(size), "zeros (bias=False)"
    c = _array(key, weights[key])
    _expect(key, c, (size,), "(one per output)")
    return c, key


def _keras_parts(key: str) -> tuple[str, str]:
    """('lstm/lstm_cell/', 'kernel') from 'lstm/lstm_cell/kernel:0' (Keras 2 names) or its Keras 3 path."""
    return _split(key.removesuffix(":0"), "/")


def _keras_blocks(array: np.ndarray, cell: str, axis: int) -> np.ndarray:
    """Keras's GRU stacks z, r, h; ours stacks r, z, n (PyTorch's order). Other cells agree.
    The swap of the first two blocks is its own inverse: it also takes ours to Keras's."""
    if cell != "gru":
        return array
    z, r, n = np.split(array, 3, axis=axis)
    return np.concatenate([r, z, n], axis=axis)


def _keras(weights: dict, cell: str | None) -> Imported:
    layers: dict[str, dict[str, str]] = {}
    for key in weights:
        prefix, name = _keras_parts(key)
        layers.setdefault(prefix, {})[name] = key
    recurrent = {prefix: keys for prefix, keys in layers.items() if "recurrent_kernel" in keys}
    if len(recurrent) > 1:
        raise InputError("weights", f"has {len(recurrent)} recurrent layers ({', '.join(recurrent)}); send one")
    prefix, keys = next(iter(recurrent.items()))
    for name in keys:
        if name not in KERAS_NAMES:
            raise InputError(f"weights.{keys[name]}", "is not a weight of a Keras SimpleRNN, LSTM or GRU")
    if "kernel" not in keys:
        raise InputError("weights", f"missing {prefix}kernel beside {keys['recurrent_kernel']}")
    R_key, K_key = keys["recurrent_kernel"], keys["kernel"]
    cell, H, R, kernel = _recurrent_layer(weights, R_key, K_key, cell, keras=True)
    G = blocks(cell)
    layer = KERAS_LAYERS[cell]
    arrays = {"U": _keras_blocks(kernel, cell, 1).T.copy(), "W": _keras_blocks(R, cell, 1).T.copy()}
    order = " (blocks z, r, h reordered to r, z, n)" if cell == "gru" else ""
    mapping = {"U": f"{K_key}ᵀ{order}", "W": f"{R_key}ᵀ{order}"}
    notes = []
    B_key = keys.get("bias")
    if B_key is None:
        if cell == "gru":
            raise InputError("weights", f"{prefix}bias is missing: without it a Keras GRU does not say whether "
                             "reset_after is True; send the bias, zeros of shape (2, 3H) if it has none")
        arrays["b"], mapping["b"] = np.zeros(G * H), "zeros (use_bias=False)"
        notes.append("The recurrent layer has no bias (use_bias=False): b is zero.")
    else:
        bias = _array(B_key, weights[B_key])
        if cell == "gru":
            if bias.shape == (G * H,):
                raise InputError(f"weights.{B_key}", "has shape (3H,): a GRU with reset_after=False, which applies "
                                 "the reset gate before W (W_n (r ⊙ h′)); PyTorch's GRU and ours apply it after. "
                                 "Use reset_after=True, the Keras default")
            _expect(B_key, bias, (2, G * H), f"for a Keras GRU (reset_after=True) with H = {H}")
            b_in, b_rec = _keras_blocks(bias[0], cell, 0), _keras_blocks(bias[1], cell, 0)
            arrays["b"] = np.concatenate([b_in[:2 * H] + b_rec[:2 * H], b_in[2 * H:]])
            arrays["b_hn"] = b_rec[2 * H:].copy()
            mapping["b"] = f"{B_key}[0] + {B_key}[1]{order} (the candidate's rows: {B_key}[0] only)"
            mapping["b_hn"] = f"{B_key}[1], the h block"
        else:
            _expect(B_key, bias, (G * H,), f"for a Keras {layer} with H = {H}")
            arrays["b"], mapping["b"] = bias, B_key
    if cell == "gru" and "b_hn" not in arrays:
        arrays["b_hn"] = np.zeros(H)
    rest = [key for other, keys in layers.items() if other != prefix for key in keys.values()]
    V_key, c_key = _output_layer(rest, _keras_parts, "kernel", "a Keras Dense (e.g. dense/kernel, dense/bias)")
    kernel_out = _array(V_key, weights[V_key])
    if kernel_out.ndim != 2 or kernel_out.shape[0] != H:
        raise InputError(f"weights.{V_key}", f"expected ({H}, K): the Dense layer reads the H = {H} hidden units of "
                         f"{R_key}, got {_shape(kernel_out)}")
    arrays["V"], mapping["V"] = kernel_out.T.copy(), f"{V_key}ᵀ"
    arrays["c"], mapping["c"] = _bias(weights, c_key, kernel_out.shape[1], notes)
    sources = {"U": (K_key, True), "W": (R_key, True), "V": (V_key, True)}
    if c_key is not None:
        sources["c"] = (c_key, False)
    return Imported("keras", cell, arrays, mapping, tuple(notes), sources)


def _recurrent_bias(arrays: dict[str, np.ndarray], cell: str) -> np.ndarray:
    """The bias a library keeps beside the recurrent weights: zero, but for the GRU's candidate
    block, which is b_hn (applied inside the reset gate's product, so it cannot join b)."""
    bias = np.zeros_like(arrays["b"])
    if cell == "gru":
        bias[2 * arrays["W"].shape[1]:] = arrays["b_hn"]
    return bias


def to_pytorch(
    arrays: dict[str, np.ndarray], cell: str, module: str | None = None, head: str | None = None
) -> dict[str, np.ndarray]:
    """A state_dict of ``module`` (an nn.RNN, nn.LSTM or nn.GRU, default named after the cell)
    plus an nn.Linear named ``head`` (default fc), that reproduces ``arrays`` exactly: bias_ih
    carries b and bias_hh is zero, but for the GRU's candidate, whose recurrent bias is b_hn.
    The min cells are refused: no torch.nn module computes them."""
    _refuse_min_cells(cell, "pytorch")
    prefix = f"{module or cell}."
    linear = head or "fc"
    return {
        f"{prefix}weight_ih_l0": arrays["U"], f"{prefix}weight_hh_l0": arrays["W"],
        f"{prefix}bias_ih_l0": arrays["b"], f"{prefix}bias_hh_l0": _recurrent_bias(arrays, cell),
        f"{linear}.weight": arrays["V"], f"{linear}.bias": arrays["c"],
    }


def to_keras(
    arrays: dict[str, np.ndarray], cell: str, layer: str | None = None, head: str | None = None
) -> dict[str, np.ndarray]:
    """The weights of a Keras SimpleRNN, LSTM or GRU (reset_after=True, the default) named
    ``layer`` (default: Keras's own, simple_rnn, lstm or gru) and a Dense named ``head`` (default
    dense), that
    reproduce ``arrays`` exactly, for layer.set_weights in the order kernel, recurrent_kernel,
    bias: the kernels are ours transposed, the GRU's blocks in Keras's z, r, h order, and its
    bias the two rows Keras keeps, b on the input row and b_hn on the recurrent row. The min cells
    are refused: no Keras layer computes them."""
    _refuse_min_cells(cell, "keras")
    prefix = f"{layer or KERAS_NAMES_OF[cell]}/"
    U, W, bias = (_keras_blocks(arrays[name], cell, 0) for name in ("U", "W", "b"))
    if cell == "gru":
        bias = np.stack([bias, _keras_blocks(_recurrent_bias(arrays, cell), cell, 0)])
    return {
        f"{prefix}kernel": U.T.copy(), f"{prefix}recurrent_kernel": W.T.copy(), f"{prefix}bias": bias,
        f"{head or 'dense'}/kernel": arrays["V"].T.copy(), f"{head or 'dense'}/bias": arrays["c"],
    }
