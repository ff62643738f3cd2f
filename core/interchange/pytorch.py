"""PyTorch: a state_dict of one nn.RNN, nn.LSTM or nn.GRU layer plus an nn.Linear, in and out.
From PyTorch, b = bias_ih + bias_hh, except the GRU's candidate, whose recurrent bias stays
apart as b_hn."""

import re

import numpy as np

from ..contract import PARAM_NAMES, blocks
from ..deep import param_key
from ..errors import InputError
from ..params import read_array
from .common import (
    CELL_OF_BLOCKS,
    TORCH_MODULES,
    TORCH_RECURRENT,
    Imported,
    expect,
    read_head,
    recurrent_bias,
    recurrent_layer,
    refuse_min_cells,
    split_key,
)
from .stack import read_torch_stack


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


def embedding_key(weights: dict, keys: list, D: int, H: int) -> str | None:
    """The key of an nn.Embedding among the keys left over: rows of D numbers (D the first layer's
    input size), named so or not shaped as the output layer's H columns. None without one."""
    for key in keys:
        if not key.endswith("weight"):
            continue
        try:
            shape = np.shape(np.asarray(weights[key], dtype=np.float64))
        except (ValueError, TypeError):
            continue
        if len(shape) == 2 and shape[1] == D and ("emb" in key.lower() or shape[1] != H):
            return key
    return None


def torch_layer(weights: dict, recurrent: dict, cell: str | None, because: str, suffix: str = "_l0") -> tuple:
    """One layer and direction of an nn.RNN, nn.LSTM or nn.GRU, by its keys (weight_ih ... -> key):
    (cell, H, the canonical arrays U, W, b (b_hn), where each came from, notes, sources)."""
    prefix = re.sub(r"(weight|bias)_(ih|hh).*$", "", next(iter(recurrent.values())))
    for name in ("weight_ih", "weight_hh"):
        if name not in recurrent:
            raise InputError("weights", f"missing {prefix}{name}{suffix}")
    if ("bias_ih" in recurrent) != ("bias_hh" in recurrent):
        have, lack = ("bias_ih", "bias_hh") if "bias_ih" in recurrent else ("bias_hh", "bias_ih")
        raise InputError("weights", f"has {recurrent[have]} but not its partner {lack}{suffix} (a PyTorch layer has "
                         "both biases or, with bias=False, neither)")
    W_key, U_key = recurrent["weight_hh"], recurrent["weight_ih"]
    cell, H, W, U = recurrent_layer(weights, W_key, U_key, cell, keras=False, because=because)
    G = blocks(cell)
    module = TORCH_MODULES[cell]
    arrays = {"U": U, "W": W}
    mapping = {"U": U_key, "W": W_key}
    notes = []
    if "bias_ih" in recurrent:
        b_ih, b_hh = (read_array(recurrent[n], weights[recurrent[n]]) for n in ("bias_ih", "bias_hh"))
        for name, bias in (("bias_ih", b_ih), ("bias_hh", b_hh)):
            expect(recurrent[name], bias, (G * H,), f"for {module} with H = {H}")
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
    return cell, H, arrays, mapping, notes, {"U": (U_key, False), "W": (W_key, False)}


def read_pytorch(weights: dict, cell: str | None) -> Imported:
    """One layer, one way, one-hot: the canonical U, W, b, V, c; a stack (num_layers > 1,
    bidirectional or an nn.Embedding in front) is read by interchange.stack."""
    groups, rest, prefixes = {}, [], set()  # groups[(layer, reverse)]: {weight_ih: key, ...}
    for key in weights:
        match = TORCH_RECURRENT.match(key)
        if not match:
            rest.append(key)
            continue
        if match["name"] == "weight_hr":
            raise InputError(f"weights.{key}", "belongs to an LSTM with proj_size; only proj_size=0 is supported")
        prefixes.add(match["prefix"])
        groups.setdefault((int(match["layer"]), bool(match["reverse"])), {})[match["name"]] = key
    if len(prefixes) > 1:
        raise InputError("weights", f"has two recurrent layers ({', '.join(sorted(prefixes))}); send one")
    recurrent = groups.get((0, False), {})
    for name in ("weight_ih", "weight_hh"):
        if name not in recurrent:
            raise InputError("weights", f"missing {next(iter(prefixes))}{name}_l0")
    because = ""
    if cell is None:
        cell, because = _torch_cell_by_evidence(weights, recurrent, next(iter(prefixes)))
    cell, H, arrays, mapping, notes, sources = torch_layer(weights, recurrent, cell, because)
    embedded = embedding_key(weights, rest, arrays["U"].shape[1], H)
    if set(groups) != {(0, False)} or embedded is not None:
        return read_torch_stack(weights, groups, rest, cell, embedded, torch_layer)
    read_head(weights, rest, lambda key: split_key(key, "."), "weight", "an nn.Linear (e.g. fc.weight, fc.bias)",
              H, mapping["W"], arrays, mapping, notes, sources, keras=False)
    return Imported("pytorch", cell, arrays, mapping, tuple(notes), sources)


def to_pytorch(
    arrays: dict[str, np.ndarray], cell: str, module: str | None = None, head: str | None = None
) -> dict[str, np.ndarray]:
    """A state_dict of ``module`` (an nn.RNN, nn.LSTM or nn.GRU, default named after the cell)
    plus an nn.Linear named ``head`` (default fc), that reproduces ``arrays`` exactly: bias_ih
    carries b and bias_hh is zero, but for the GRU's candidate, whose recurrent bias is b_hn.
    The min cells are refused: no torch.nn module computes them."""
    refuse_min_cells(cell, "pytorch")
    prefix = f"{module or cell}."
    linear = head or "fc"
    return {
        f"{prefix}weight_ih_l0": arrays["U"], f"{prefix}weight_hh_l0": arrays["W"],
        f"{prefix}bias_ih_l0": arrays["b"], f"{prefix}bias_hh_l0": recurrent_bias(arrays, cell),
        f"{linear}.weight": arrays["V"], f"{linear}.bias": arrays["c"],
    }


def to_pytorch_stack(arrays: dict[str, np.ndarray], cell: str, layers: int, bidirectional: bool,
                     module: str | None = None, head: str | None = None) -> dict[str, np.ndarray]:
    """A state_dict of ``module`` with num_layers=layers and bidirectional, an nn.Linear ``head``
    and, with E, an nn.Embedding named embedding, that reproduces ``arrays`` exactly (each layer
    and direction as pytorch.to_pytorch writes one)."""
    refuse_min_cells(cell, "pytorch")
    prefix, out = f"{module or cell}.", {}
    if "E" in arrays:
        out["embedding.weight"] = arrays["E"]
    for layer in range(layers):
        for d in range(2 if bidirectional else 1):
            one = {name: arrays[param_key(name, layer + 1, d)] for name in PARAM_NAMES[cell] if name not in ("V", "c")}
            suffix = f"_l{layer}" + ("_reverse" if d else "")
            out |= {f"{prefix}weight_ih{suffix}": one["U"], f"{prefix}weight_hh{suffix}": one["W"],
                    f"{prefix}bias_ih{suffix}": one["b"], f"{prefix}bias_hh{suffix}": recurrent_bias(one, cell)}
    linear = head or "fc"
    return out | {f"{linear}.weight": arrays["V"], f"{linear}.bias": arrays["c"]}
