"""A stack in and out (issue 28; MATH.md, "Depth: embeddings, stacked layers, both directions"):
a PyTorch state_dict of an nn.RNN, nn.LSTM or nn.GRU with num_layers > 1 or bidirectional=True,
an nn.Embedding in front and an nn.Linear on top, and the canonical names of core.deep (U_l1,
W_l1, b_l1, ..., U_l1_reverse, ..., V, c, E). Each layer and direction is read and written as
one layer is (pytorch.torch_layer, pytorch.to_pytorch)."""

import re

import numpy as np

from ..deep import LAYER_PARAMS, param_key
from ..errors import InputError
from ..params import read_array
from .common import Imported, cell_of_arrays, read_head, split_key

CANONICAL_STACK = re.compile(r"^(?P<name>U|W|b|b_hn)_l(?P<layer>[1-9]\d*)(?P<reverse>_reverse)?$")


def read_torch_stack(weights: dict, groups: dict, rest: list, cell: str, embedded: str | None,
                     read_layer) -> Imported:
    """groups[(layer, reverse)]: each layer and direction's keys; ``embedded`` the nn.Embedding's key;
    read_layer(weights, keys, cell, because, suffix): one layer read as pytorch.torch_layer reads it."""
    layers = max(layer for layer, _ in groups) + 1
    bidirectional = any(reverse for _, reverse in groups)
    dirs = 2 if bidirectional else 1
    for layer in range(layers):
        for d in range(dirs):
            if (layer, bool(d)) not in groups:
                other = next(iter(groups[next(k for k in groups if k[0] == layer)].values())) if any(
                    k[0] == layer for k in groups) else None
                what = f"layer {layer}" + (" in reverse" if d else "")
                raise InputError(f"weights.{other}" if other else "weights",
                                 f"belongs to a stack of {layers} layers{', both ways' if bidirectional else ''}, "
                                 f"but there are no weights of {what} (weight_ih_l{layer}{'_reverse' if d else ''}, "
                                 "...): send every layer and direction")
    arrays, mapping, notes, sources, size = {}, {}, [], {}, None
    for layer in range(layers):
        for d in range(dirs):
            suffix = f"_l{layer}" + ("_reverse" if d else "")
            found, H, parts, where, said, keys = read_layer(weights, groups[(layer, bool(d))], cell, "", suffix)
            if found != cell:
                raise InputError(f"weights.{keys['W'][0]}", f"is a {found} layer's, but layer 0 is a {cell}'s")
            if size is not None and H != size:
                raise InputError(f"weights.{keys['W'][0]}", f"means H = {H}, but layer 0 has H = {size}: every "
                                 "layer and direction has the same hidden size")
            size = H
            U = parts["U"]
            if layer and U.shape[1] != dirs * H:
                raise InputError(f"weights.{keys['U'][0]}", f"expected ({U.shape[0]}, {dirs * H}): layer {layer} "
                                 f"reads the {dirs * H} states of the layer below, got ({U.shape[0]}, {U.shape[1]})")
            for name, value in parts.items():
                key = param_key(name, layer + 1, d)
                arrays[key], mapping[key] = value, where[name]
            for name, source in keys.items():
                sources[param_key(name, layer + 1, d)] = source
            notes += [note for note in said if note not in notes]
    remaining = [key for key in rest if key != embedded]
    head = {}
    read_head(weights, remaining, lambda key: split_key(key, "."), "weight", "an nn.Linear (e.g. fc.weight, fc.bias)",
              dirs * size, mapping[param_key("W", layers, dirs - 1)], head, mapping, notes, sources, keras=False)
    arrays |= head
    embedding = None
    if embedded is not None:
        arrays["E"] = read_array(embedded, weights[embedded])
        mapping["E"] = embedded
        sources["E"] = (embedded, False)
        embedding = arrays["E"].shape[1]
    order = [*[n for n in arrays if n not in ("V", "c", "E")], "V", "c", *(["E"] if embedded else [])]
    return Imported("pytorch", cell, {n: arrays[n] for n in order}, {n: mapping[n] for n in order}, tuple(notes),
                    sources, layers, bidirectional, embedding)


def _keras_directions(recurrent: dict) -> list[tuple[str, str | None]]:
    """The recurrent layers in the weights' order, each (its forward prefix, its backward twin or
    None): a Bidirectional keeps its two layers as .../forward_<name>/... and .../backward_<name>/..."""
    order, paired = [], set()
    for prefix in recurrent:
        parts = prefix.split("/")
        if any(part.startswith("backward_") for part in parts):
            continue
        at = next((i for i, part in enumerate(parts) if part.startswith("forward_")), None)
        if at is None:
            order.append((prefix, None))
            continue
        twin = "/".join([*parts[:at], "backward_" + parts[at].removeprefix("forward_"), *parts[at + 1:]])
        if twin not in recurrent:
            raise InputError(f"weights.{recurrent[prefix]['recurrent_kernel']}", f"belongs to a Bidirectional whose "
                             f"backward layer is missing (no {twin}recurrent_kernel)")
        order.append((prefix, twin))
        paired.add(twin)
    for prefix in recurrent:
        if any(part.startswith("backward_") for part in prefix.split("/")) and prefix not in paired:
            raise InputError(f"weights.{recurrent[prefix]['recurrent_kernel']}", "belongs to a Bidirectional whose "
                             "forward layer is missing")
    if len({twin is None for _, twin in order}) > 1:
        raise InputError("weights", "mixes Bidirectional and one-way recurrent layers: a stack here runs every layer "
                         "both ways or every layer one way")
    return order


def read_keras_stack(weights: dict, layers: dict, recurrent: dict, cell: str | None, keras_layer,
                     keras_parts) -> Imported:
    """Keras: stacked SimpleRNN, LSTM or GRU layers (return_sequences), each maybe a Bidirectional,
    an Embedding in front and a Dense on top, by weight path, in the weights' order; keras_layer and
    keras_parts read one layer and split a path as keras.py does."""
    order = _keras_directions(recurrent)
    dirs = 2 if order[0][1] is not None else 1
    arrays, mapping, notes, sources, size = {}, {}, [], {}, None
    for layer, pair in enumerate(order):
        for d, prefix in enumerate(pair[:dirs]):
            found, H, parts, where, said, keys = keras_layer(weights, prefix, recurrent[prefix], cell)
            if cell is not None and found != cell or size is not None and H != size:
                raise InputError(f"weights.{keys['W'][0]}", f"is a {found} layer with H = {H}, but the first is a "
                                 f"{cell} with H = {size}: a stack here is of one cell and one hidden size")
            cell, size = found, H
            if layer and parts["U"].shape[1] != dirs * H:
                raise InputError(f"weights.{keys['U'][0]}", f"expected ({dirs * H}, {parts['U'].shape[0]}): layer "
                                 f"{layer} reads the {dirs * H} states of the layer below, got "
                                 f"({parts['U'].shape[1]}, {parts['U'].shape[0]})")
            for name, value in parts.items():
                arrays[param_key(name, layer + 1, d)], mapping[param_key(name, layer + 1, d)] = value, where[name]
            for name, source in keys.items():
                sources[param_key(name, layer + 1, d)] = source
            notes += [note for note in said if note not in notes]
    embedded = [keys["embeddings"] for keys in layers.values() if "embeddings" in keys]
    if len(embedded) > 1:
        raise InputError("weights", f"has {len(embedded)} Embedding layers ({', '.join(embedded)}); send one")
    used = {key for prefix in recurrent for key in recurrent[prefix].values()} | set(embedded)
    head = {}
    top = mapping[param_key("W", len(order), dirs - 1)]
    read_head(weights, [key for key in weights if key not in used], keras_parts, "kernel",
              "a Keras Dense (e.g. dense/kernel, dense/bias)", dirs * size, top, head, mapping, notes, sources,
              keras=True)
    arrays |= head
    embedding = None
    if embedded:
        arrays["E"] = read_array(embedded[0], weights[embedded[0]])
        mapping["E"], sources["E"] = embedded[0], (embedded[0], False)
        embedding = arrays["E"].shape[1]
    names = [*[n for n in arrays if n not in ("V", "c", "E")], "V", "c", *(["E"] if embedded else [])]
    return Imported("keras", cell, {n: arrays[n] for n in names}, {n: mapping[n] for n in names}, tuple(notes),
                    sources, len(order), dirs == 2, embedding)


def stack_shape(arrays: dict) -> tuple[int, bool] | None:
    """(layers, both ways) of arrays under the canonical stack names; None if they hold none."""
    found = [CANONICAL_STACK.match(name) for name in arrays]
    found = [match for match in found if match]
    if not found:
        return None
    return max(int(match["layer"]) for match in found), any(match["reverse"] for match in found)


def read_canonical_stack(arrays: dict[str, np.ndarray], cell: str | None) -> Imported:
    """Arrays under core.deep's names, as an answer's `weights` gives them; the cell from W_l1's
    blocks (or U_l1's, of V's columns, for the cells without W)."""
    layers, bidirectional = stack_shape(arrays)
    if cell is None:  # the one-layer rule, applied to layer 1
        first = {name: arrays.get(param_key(name, 1, 0)) for name in ("U", "W", "b_hn")}
        H = arrays["V"].shape[1] // (2 if bidirectional else 1) if arrays.get("V") is not None and np.ndim(
            arrays["V"]) == 2 else 0
        cell = cell_of_arrays({**{k: v for k, v in first.items() if v is not None},
                               "V": np.zeros((1, H))})
    dirs = 2 if bidirectional else 1
    names = [param_key(name, layer, d) for layer in range(1, layers + 1) for d in range(dirs)
             for name in LAYER_PARAMS[cell]]
    missing = [name for name in [*names, "V", "c"] if name not in arrays]
    if missing:
        raise InputError("weights", f"missing {', '.join(missing)}: a stack of {layers} layers"
                         f"{', both ways,' if bidirectional else ''} of the {cell} cell needs each layer's "
                         f"{', '.join(LAYER_PARAMS[cell])} and V, c (E for an embedding)")
    extra = [name for name in arrays if name not in (*names, "V", "c", "E")]
    if extra:
        raise InputError(f"weights.{extra[0]}", f"is not a parameter of a stack of the {cell} cell (it has "
                         f"{', '.join(LAYER_PARAMS[cell])} per layer and direction, V, c and E)")
    order = [*names, "V", "c", *(["E"] if "E" in arrays else [])]
    embedding = arrays["E"].shape[1] if "E" in arrays and np.ndim(arrays["E"]) == 2 else None
    return Imported("canonical", cell, {n: arrays[n] for n in order}, {n: n for n in order}, (),
                    {n: (n, False) for n in order}, layers, bidirectional, embedding)
