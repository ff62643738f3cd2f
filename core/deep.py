"""Real architectures: an embedding, stacked layers and both directions (MATH.md, "Depth:
embeddings, stacked layers, both directions").

A model is L layers of one cell, each with one or two directions of its own parameters, an
optional embedding E in front and the output layer V, c on top. Every layer and direction runs
the one recurrence (unfold.recur) and the one BPTT sweep (sweep.py): a reverse direction is the
same cell run on the sequence read backwards, so it is swept backwards in its own time and its
numbers turned back to step order. The sweep goes from the top layer down; each layer hands the
one below the error every source sends to its input, U_l^T da^(l,t<-s).

Parameters go by their one-layer names with the layer (from 1) and direction, as the canonical
weights of such a model: U_l1, W_l1, b_l1 (b_hi1 for the GRU), U_l1_reverse, ..., then V, c
and E.
"""

from dataclasses import dataclass

import numpy as np

from .cells import CELL_MODULES
from .contract import PARAM_NAMES
from .errors import InputError, NumericalOverflow
from .params import Params, init_params
from .sweep import sweep
from .unfold import Forward, check_targets_fit, first_nonfinite_row, head, recur

DIRECTIONS = ("forward", "reverse")
MAX_LAYERS = 4
LAYER_PARAMS = {cell: tuple(name for name in names if name not in ("V", "c")) for cell, names in PARAM_NAMES.items()}


def param_key(name: str, layer: int, direction: int) -> str:
    """'U_l1', 'W_l2_reverse': a layer's parameter by its canonical name (layers from 1)."""
    return f"{name}_l{layer}" + ("_reverse" if direction else "")


@dataclass(frozen=True)
class DeepParams:
    """layers[l][d]: the cell's parameters of layer l + 1, direction d (0 forward, 1 reverse), as
    Params with an empty output layer (V is 0 x H); V (K, dirs H) and c (K,) read the top layer,
    both directions concatenated; E (tokens, D_e) the embedding, or None for one-hot inputs."""

    cell: str
    layers: tuple[tuple[Params, ...], ...]
    V: np.ndarray
    c: np.ndarray
    E: np.ndarray | None = None

    @property
    def directions(self) -> int:
        return len(self.layers[0])

    @property
    def hidden_size(self) -> int:
        return self.layers[0][0].sizes[1]

    @property
    def input_size(self) -> int:
        """D: what the first layer reads (the embedding's width, or the one-hot size)."""
        return self.layers[0][0].sizes[0]

    def as_dict(self) -> dict[str, np.ndarray]:
        """Every parameter by its canonical name, layer by layer, then V, c and E."""
        arrays = {param_key(name, i + 1, d): getattr(p, name)
                  for i, layer in enumerate(self.layers) for d, p in enumerate(layer)
                  for name in LAYER_PARAMS[self.cell]}
        arrays |= {"V": self.V, "c": self.c}
        if self.E is not None:
            arrays["E"] = self.E
        return arrays

    def replace(self, arrays: dict[str, np.ndarray]) -> "DeepParams":
        """The same model with the arrays of ``arrays`` (canonical names) in place of its own."""
        merged = {**self.as_dict(), **arrays}
        layers = tuple(
            tuple(p.replace(**{name: merged[param_key(name, i + 1, d)] for name in LAYER_PARAMS[self.cell]})
                  for d, p in enumerate(layer))
            for i, layer in enumerate(self.layers))
        return DeepParams(self.cell, layers, merged["V"], merged["c"], merged.get("E"))


def init_deep(
    input_size: int, hidden_size: int, output_size: int, *, cell: str = "rnn", layers: int = 1,
    bidirectional: bool = False, embedding: int | None = None, tokens: int | None = None, seed: int = 0,
    **biases,
) -> DeepParams:
    """Seeded as init_params, each layer and direction from its own stream [seed, l, d]; E ~ N(0, 1)
    as nn.Embedding (``tokens`` rows of ``embedding`` numbers); V ~ N(0, 1/(dirs H))."""
    if not 1 <= layers <= MAX_LAYERS:
        raise InputError("layers", f"must be 1 to {MAX_LAYERS}, not {layers}")
    dirs = 2 if bidirectional else 1
    H = hidden_size
    D = input_size if embedding is None else embedding
    stack = tuple(
        tuple(_layer(init_params(D if i == 0 else dirs * H, H, 0, seed=[seed, i, d], cell=cell, **biases))
              for d in range(dirs))
        for i in range(layers))
    rng = np.random.default_rng([seed, layers, dirs])
    V = rng.normal(0.0, 1.0 / np.sqrt(dirs * H), (output_size, dirs * H))
    E = None if embedding is None else rng.normal(0.0, 1.0, (tokens or input_size, embedding))
    return DeepParams(cell, stack, V, np.zeros(output_size), E)


def _layer(p: Params) -> Params:
    """A layer's parameters: the cell's own, with an empty output layer."""
    H = p.sizes[1]
    return p.replace(V=np.zeros((0, H)), c=np.zeros(0))


@dataclass(frozen=True)
class DeepForward:
    """x (T, D): what the first layer reads (E[token] rows with an embedding); tokens (T,) or None;
    layers[l][d]: each direction's Forward in its own time (a reverse direction's arrays run from
    t = tau to 0); h (T, dirs H): the top layer, directions concatenated in step order; o, y_hat,
    loss (T, ...) and total_loss as for one layer."""

    params: DeepParams
    tokens: np.ndarray | None
    x: np.ndarray
    y: np.ndarray
    has_loss: np.ndarray
    layers: tuple[tuple[Forward, ...], ...]
    h: np.ndarray
    o: np.ndarray
    y_hat: np.ndarray
    loss: np.ndarray
    total_loss: float
    activation: str
    output: str

    def outputs(self, layer: int) -> np.ndarray:
        """h^(l,t) for every step, (T, dirs H): layer ``layer`` (from 0), directions concatenated."""
        return np.concatenate([_in_steps(fwd.h, d) for d, fwd in enumerate(self.layers[layer])], axis=1)


def _in_steps(values: np.ndarray, direction: int) -> np.ndarray:
    """A direction's per-step rows in step order (a reverse direction's run backwards)."""
    return values[::-1] if direction else values


def _layer_forward(p: Params, x: np.ndarray, activation: str) -> Forward:
    """One layer and direction over x (T, D) in its own time, as a Forward with no output layer."""
    a, gates, h, s = recur(p, np.ascontiguousarray(x[:, None]), None, None, activation)
    steps = x.shape[0]
    nothing = np.zeros((steps, 0))
    one = lambda values: None if values is None else values[:, 0]  # noqa: E731
    return Forward(p, x, nothing, np.zeros(steps, dtype=bool), h[0, 0], a[:, 0], h[1:, 0], nothing, nothing,
                   np.zeros(steps), 0.0, activation, "identity", one(gates), None if s is None else s[1:, 0],
                   None if s is None else s[0, 0])


def forward_deep(params: DeepParams, x: np.ndarray | None, y: np.ndarray, has_loss: np.ndarray, *,
                 tokens: np.ndarray | None = None, activation: str = "tanh", output: str = "softmax") -> DeepForward:
    """Layer by layer from the input (one-hot rows x (T, D), or ``tokens`` looked up in E), each
    direction reading the layer below in its own time; then the output layer on the top."""
    if params.E is not None:
        if tokens is None:
            raise InputError("embedding", "reads token ids; give a text sequence")
        x = params.E[tokens]
    check_targets_fit(y, has_loss, output)
    below, stack = x, []
    with np.errstate(all="ignore"):
        for layer in params.layers:
            runs = tuple(_layer_forward(p, _in_steps(below, d), activation) for d, p in enumerate(layer))
            stack.append(runs)
            below = np.concatenate([_in_steps(fwd.h, d) for d, fwd in enumerate(runs)], axis=1)
        o, y_hat, loss = head(below, params.V, params.c, y, has_loss, output)
    for name, values in (("h", below), ("o", o), ("loss", loss)):
        step = first_nonfinite_row(values)
        if step is not None:
            raise NumericalOverflow(name, step)
    return DeepForward(params, tokens, x, y, has_loss, tuple(stack), below, o, y_hat, loss, float(loss.sum()),
                       activation, output)


@dataclass(frozen=True)
class Direction:
    """One layer and direction's share of the backward pass, in step order: dh, da (and ds for the
    LSTM) summed over the sources; dh0 (ds0) what reaches its initial state (a reverse direction's
    starts at step tau); flow2 (n, T) ||dh^(t<-s)||^2, a row per source (the steps with a loss, in
    order) and a column per step (flow2_s the same along the LSTM's s); grads its parameters'."""

    dh: np.ndarray
    da: np.ndarray
    ds: np.ndarray | None
    dh0: np.ndarray
    ds0: np.ndarray | None
    flow2: np.ndarray
    flow2_s: np.ndarray | None
    grads: dict


@dataclass(frozen=True)
class DeepBackward:
    """do (T, K); layers[l][d] each Direction; flow[l] (T, T): F_l[s][t] = ||dh^(l,t<-s)||, the
    whole dirs H vector; dx (T, D) the error reaching the first layer's input (both directions);
    grads: every parameter by its canonical name (DeepParams.as_dict), E's included."""

    do: np.ndarray
    layers: tuple[tuple[Direction, ...], ...]
    flow: tuple[np.ndarray, ...]
    dx: np.ndarray
    grads: dict
    truncate: int | None


def backward_deep(fwd: DeepForward, truncate: int | None = None) -> DeepBackward:
    """From the top layer down: the top's sources enter at their own step (V^T do^(s), each
    direction its half of V's columns); a lower layer's at every step, from the errors the layer
    above sends to its input. Below the top of a bidirectional stack the window is |s - t| < k."""
    if truncate is not None and truncate < 1:
        raise InputError("truncate", "must be at least 1 (or null for full BPTT)")
    p = fwd.params
    H, steps = p.hidden_size, fwd.h.shape[0]
    do = (fwd.y_hat - fwd.y) * fwd.has_loss[:, None]
    sources = np.flatnonzero(fwd.has_loss)
    from_above = None  # (T, n, dirs H): U_{l+1}^T da^(l+1,t<-s), in step and source order
    layers, flows, grads = [], [], {}
    for i in range(len(p.layers) - 1, -1, -1):
        sends = np.zeros((steps, len(sources), p.layers[i][0].sizes[0]))
        done = []
        for d, fwd_d in enumerate(fwd.layers[i]):
            part = slice(d * H, (d + 1) * H)
            own = inject = None
            if from_above is None:
                own = _in_steps(do @ p.V[:, part], d)
            else:
                inject = _turned(from_above[:, :, part], d)
            swept = sweep(fwd_d, _sources_in(sources, steps, d), truncate, own=own, inject=inject,
                          both_ways=from_above is not None and p.directions == 2, shares=False,
                          below=fwd_d.params.U)
            sends += _turned(swept.below, d)
            done.append(_direction(fwd_d, swept, d))
            for name, value in done[-1].grads.items():
                grads[param_key(name, i + 1, d)] = value
        flows.append(sum(direction.flow2 for direction in done))
        layers.append(tuple(done))
        from_above = sends
    layers.reverse()
    flows.reverse()
    dx = sum(direction.da @ fwd_d.params.U for direction, fwd_d in zip(layers[0], fwd.layers[0], strict=True))
    grads |= {"V": do.T @ fwd.h, "c": do.sum(axis=0)}
    if p.E is not None:
        grads["E"] = np.zeros_like(p.E)
        np.add.at(grads["E"], fwd.tokens, dx)
    for i, flow in enumerate(flows):
        step = first_nonfinite_row(flow.T, reverse=True)
        if step is not None:
            raise NumericalOverflow(f"dh (layer {i + 1})", step)
    ordered = {name: grads[name] for name in p.as_dict()}
    return DeepBackward(do, tuple(layers), tuple(_by_step(np.sqrt(f), sources, steps) for f in flows), dx, ordered,
                        truncate)


def _sources_in(sources: np.ndarray, steps: int, direction: int) -> np.ndarray:
    """The steps with a loss in a direction's own time, ascending (a reverse direction's t is tau - t)."""
    return (steps - 1 - sources[::-1]) if direction else sources


def _turned(values: np.ndarray, direction: int) -> np.ndarray:
    """(T, n, ...) rows by step and source, into or out of a reverse direction's own time and
    source order (both reversed; its own inverse)."""
    return values[::-1, ::-1] if direction else values


def _direction(fwd: Forward, swept, direction: int) -> Direction:
    """A sweep's sums, its parameters' gradients and its flows, back in step order."""
    cell = CELL_MODULES[fwd.params.cell]
    da = swept.da
    grads = {"U": da.T @ fwd.x, "b": da.sum(axis=0),
             **{name: part.sum(axis=0) for name, part in cell.extra_grads(fwd, da).items()}}
    if fwd.params.W is not None:
        grads["W"] = cell.weight_errors(fwd, da).T @ fwd.h_prev
    grads = {name: grads[name] for name in LAYER_PARAMS[fwd.params.cell]}
    turn = lambda values: None if values is None else _in_steps(values, direction)  # noqa: E731
    flow2 = swept.flow2[::-1, ::-1] if direction else swept.flow2  # [source row, step], both in step order
    flow2_s = None if swept.flow2_s is None else (swept.flow2_s[::-1, ::-1] if direction else swept.flow2_s)
    return Direction(turn(swept.dh), turn(da), turn(swept.ds), swept.dh0, swept.ds0, flow2, flow2_s, grads)


def _by_step(rows: np.ndarray, sources: np.ndarray, steps: int) -> np.ndarray:
    full = np.zeros((steps, steps))
    full[sources] = rows
    return full


__all__ = ["DIRECTIONS", "DeepBackward", "DeepForward", "DeepParams", "Direction", "backward_deep",
           "forward_deep", "init_deep", "param_key"]
