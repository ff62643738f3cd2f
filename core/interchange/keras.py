"""Keras: a SimpleRNN, LSTM or GRU (reset_after=True) plus a Dense, by weight path, in and out.
Keras's kernels are PyTorch's transposed, and its GRU orders the blocks z, r, h."""


import numpy as np

from ..contract import PARAM_NAMES, blocks
from ..deep import param_key
from ..errors import InputError
from ..params import read_array
from .common import (
    KERAS_LAYERS,
    KERAS_NAMES,
    KERAS_NAMES_OF,
    Imported,
    expect,
    read_head,
    recurrent_bias,
    recurrent_layer,
    refuse_min_cells,
    split_key,
)
from .stack import read_keras_stack


def keras_parts(key: str) -> tuple[str, str]:
    """('lstm/lstm_cell/', 'kernel') from 'lstm/lstm_cell/kernel:0' (Keras 2 names) or its Keras 3 path."""
    return split_key(key.removesuffix(":0"), "/")


def keras_blocks(array: np.ndarray, cell: str, axis: int) -> np.ndarray:
    """Keras's GRU stacks z, r, h; ours stacks r, z, n (PyTorch's order). Other cells agree.
    The swap of the first two blocks is its own inverse: it also takes ours to Keras's."""
    if cell != "gru":
        return array
    z, r, n = np.split(array, 3, axis=axis)
    return np.concatenate([r, z, n], axis=axis)


def keras_layer(weights: dict, prefix: str, keys: dict, cell: str | None) -> tuple:
    """One Keras SimpleRNN, LSTM or GRU (or one direction of a Bidirectional) by its keys (kernel ->
    key, ...): (cell, H, the canonical arrays U, W, b (b_hn), where each came from, notes, sources)."""
    for name in keys:
        if name not in KERAS_NAMES:
            raise InputError(f"weights.{keys[name]}", "is not a weight of a Keras SimpleRNN, LSTM or GRU")
    if "kernel" not in keys:
        raise InputError("weights", f"missing {prefix}kernel beside {keys['recurrent_kernel']}")
    R_key, K_key = keys["recurrent_kernel"], keys["kernel"]
    cell, H, R, kernel = recurrent_layer(weights, R_key, K_key, cell, keras=True)
    G = blocks(cell)
    layer = KERAS_LAYERS[cell]
    arrays = {"U": keras_blocks(kernel, cell, 1).T.copy(), "W": keras_blocks(R, cell, 1).T.copy()}
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
        bias = read_array(B_key, weights[B_key])
        if cell == "gru":
            if bias.shape == (G * H,):
                raise InputError(f"weights.{B_key}", "has shape (3H,): a GRU with reset_after=False, which applies "
                                 "the reset gate before W (W_n (r ⊙ h′)); PyTorch's GRU and ours apply it after. "
                                 "Use reset_after=True, the Keras default")
            expect(B_key, bias, (2, G * H), f"for a Keras GRU (reset_after=True) with H = {H}")
            b_in, b_rec = keras_blocks(bias[0], cell, 0), keras_blocks(bias[1], cell, 0)
            arrays["b"] = np.concatenate([b_in[:2 * H] + b_rec[:2 * H], b_in[2 * H:]])
            arrays["b_hn"] = b_rec[2 * H:].copy()
            mapping["b"] = f"{B_key}[0] + {B_key}[1]{order} (the candidate's rows: {B_key}[0] only)"
            mapping["b_hn"] = f"{B_key}[1], the h block"
        else:
            expect(B_key, bias, (G * H,), f"for a Keras {layer} with H = {H}")
            arrays["b"], mapping["b"] = bias, B_key
    if cell == "gru" and "b_hn" not in arrays:
        arrays["b_hn"] = np.zeros(H)
    return cell, H, arrays, mapping, notes, {"U": (K_key, True), "W": (R_key, True)}


def read_keras(weights: dict, cell: str | None) -> Imported:
    """One layer, one way, one-hot: the canonical U, W, b, V, c; several recurrent layers or an
    Embedding make a stack, read by interchange.stack."""
    layers: dict[str, dict[str, str]] = {}
    for key in weights:
        prefix, name = keras_parts(key)
        layers.setdefault(prefix, {})[name] = key
    recurrent = {prefix: keys for prefix, keys in layers.items() if "recurrent_kernel" in keys}
    if len(recurrent) > 1 or any("embeddings" in keys for keys in layers.values()):
        return read_keras_stack(weights, layers, recurrent, cell, keras_layer, keras_parts)
    prefix, keys = next(iter(recurrent.items()))
    cell, H, arrays, mapping, notes, sources = keras_layer(weights, prefix, keys, cell)
    rest = [key for other, keys in layers.items() if other != prefix for key in keys.values()]
    read_head(weights, rest, keras_parts, "kernel", "a Keras Dense (e.g. dense/kernel, dense/bias)",
              H, sources["W"][0], arrays, mapping, notes, sources, keras=True)
    return Imported("keras", cell, arrays, mapping, tuple(notes), sources)


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
    refuse_min_cells(cell, "keras")
    prefix = f"{layer or KERAS_NAMES_OF[cell]}/"
    U, W, bias = (keras_blocks(arrays[name], cell, 0) for name in ("U", "W", "b"))
    if cell == "gru":
        bias = np.stack([bias, keras_blocks(recurrent_bias(arrays, cell), cell, 0)])
    return {
        f"{prefix}kernel": U.T.copy(), f"{prefix}recurrent_kernel": W.T.copy(), f"{prefix}bias": bias,
        f"{head or 'dense'}/kernel": arrays["V"].T.copy(), f"{head or 'dense'}/bias": arrays["c"],
    }


def to_keras_stack(arrays: dict[str, np.ndarray], cell: str, layers: int, bidirectional: bool,
                   module: str | None = None, head: str | None = None) -> dict[str, np.ndarray]:
    """A stack's weights by Keras path, in the order a Keras model of the same layers lists
    model.weights (so ``model.set_weights([np.asarray(w) for w in weights.values()])`` loads them):
    an Embedding named embedding, then each layer as Keras names it by default (lstm, lstm_1, ...;
    bidirectional, bidirectional_1, ... holding forward_lstm and backward_lstm), then a Dense
    ``head`` (default dense). Each layer and direction is written as to_keras writes one."""
    refuse_min_cells(cell, "keras")
    base = module or KERAS_NAMES_OF[cell]
    out = {"embedding/embeddings": arrays["E"]} if "E" in arrays else {}
    for layer in range(layers):
        suffix = f"_{layer}" if layer else ""
        for d in range(2 if bidirectional else 1):
            name = (f"bidirectional{suffix}/{('forward_', 'backward_')[d]}{base}" if bidirectional
                    else f"{base}{suffix}")
            one = {p: arrays[param_key(p, layer + 1, d)] for p in PARAM_NAMES[cell] if p not in ("V", "c")}
            written = to_keras({**one, "V": arrays["V"], "c": arrays["c"]}, cell, name)
            out |= {key: value for key, value in written.items() if key.startswith(f"{name}/")}
    linear = head or "dense"
    return out | {f"{linear}/kernel": arrays["V"].T.copy(), f"{linear}/bias": arrays["c"]}
