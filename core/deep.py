"""Real architectures: an embedding, stacked layers and both directions (MATH.md, "Depth:
embeddings, stacked layers, both directions").

A model is L layers of one cell, each with one or two directions of its own parameters, an
optional embedding E in front and the output layer V, c on top. Every layer and direction runs
the one recurrence (unfold.recur) and the one BPTT sweep (sweep.py): a reverse direction is the
same cell run on the sequence read backwards, so it is swept backwards in its own time and its
numbers turned back to step order. The backward pass is deep_backward.py.

Parameters go by their one-layer names with the layer (from 1) and direction, as the canonical
weights of such a model: U_l1, W_l1, b_l1 (b_hi1 for the GRU), U_l1_reverse, ..., then V, c
and E.
"""

from dataclasses import dataclass

import numpy as np

from .contract import GATES, PARAM_NAMES
from .errors import InputError, NumericalOverflow
from .functions import draw_next
from .params import Params, init_params, params_from_arrays
from .sweep import at_once
from .unfold import Forward, check_targets_fit, first_nonfinite_row, head, recur

DIRECTIONS = ("forward", "reverse")
MAX_LAYERS = 4
LAYER_PARAMS = {cell: tuple(name for name in names if name not in ("V", "c")) for cell, names in PARAM_NAMES.items()}


# The canonical weight layout of a stack, as /api/v1/meta documents it (stack_weights).
STACK_LAYOUT = {
    "per_layer": {cell: [f"{name}_l{{l}}" for name in names] for cell, names in LAYER_PARAMS.items()},
    "reverse": "each layer's names ending in _reverse, for its reverse direction (bidirectional)",
    "head": ["V", "c"],
    "embedding": "E",
    "layers_from": 1,
    "shapes": {
        "U_l1": "G·H × D (D = D_e with an embedding, else the one-hot size)",
        "U_l{l}, l > 1": "G·H × dirs·H (the layer below's states, both directions side by side)",
        "W_l{l}": "G·H × H", "b_l{l}": "G·H", "b_hn_l{l}": "H (gru)",
        "V": "K × dirs·H", "c": "K", "E": "tokens × D_e",
    },
    "order": "layer by layer from 1, the forward direction before the reverse, each layer's names in the "
             "cell's order; then V, c and E",
}


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

    def replace(self, arrays: dict[str, np.ndarray] | None = None, /, **named: np.ndarray) -> "DeepParams":
        """The same model with the arrays of ``arrays`` or ``named`` (canonical names) in place of its own."""
        merged = {**self.as_dict(), **(arrays or {}), **named}
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


def deep_from_arrays(arrays: dict[str, np.ndarray], cell: str, layers: int, bidirectional: bool, input_size: int,
                     output_size: int, tokens: int | None = None) -> DeepParams:
    """A stack's canonical arrays (DeepParams.as_dict's names) checked against the data: layer 1
    reads D = ``input_size`` (or E's width, with E of ``tokens`` rows), every other layer the dirs H
    states below, V is K x dirs H. A refusal names the canonical key (weights.U_l2, ...)."""
    dirs = 2 if bidirectional else 1
    stack, H = [], None
    D = input_size
    if "E" in arrays:
        E = arrays["E"]
        if E.ndim != 2 or E.shape[0] != tokens:
            raise InputError("weights.E", f"has {E.shape[0] if E.ndim else 0} rows, but the text has {tokens} "
                             "characters: give vocab, the characters in the order the model was trained on")
        D = E.shape[1]
    for i in range(layers):
        runs = []
        for d in range(dirs):
            own = {name: arrays[param_key(name, i + 1, d)] for name in LAYER_PARAMS[cell]}
            width = own["U"].shape[0] // max(1, len(GATES[cell])) if own["U"].ndim == 2 else 0
            size = H or (own["W"].shape[1] if "W" in own and own["W"].ndim == 2 else width)
            try:
                reads = D if i == 0 else dirs * size
                p = params_from_arrays({**own, "V": np.zeros((0, size)), "c": np.zeros(0)}, reads, 0, cell, H)
            except InputError as refusal:
                name = refusal.field.removeprefix("weights.")
                raise InputError(f"weights.{param_key(name, i + 1, d)}", refusal.message) from None
            H = p.sizes[1]
            runs.append(p)
        stack.append(tuple(runs))
    V, c = arrays["V"], arrays["c"]
    if V.shape != (output_size, dirs * H):
        raise InputError("weights.V", f"must have shape [{output_size}, {dirs * H}]: the data has {output_size} "
                         f"outputs and the top layer {dirs * H} states, got {list(V.shape)}")
    if c.shape != (output_size,):
        raise InputError("weights.c", f"must have shape [{output_size}], got {list(c.shape)}")
    return DeepParams(cell, tuple(stack), V, c, arrays.get("E"))


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
        return np.concatenate([in_steps(fwd.h, d) for d, fwd in enumerate(self.layers[layer])], axis=1)


def each_direction(run, directions: int) -> tuple:
    """(run(0), run(1)) for a layer's two directions, the reverse on a thread of its own: they are
    apart, and NumPy's products let go of the GIL, so two cores share a backward sweep (a forward
    pass, many small steps, gains nothing); (run(0),) for one direction."""
    return (run(0),) if directions == 1 else at_once(lambda: run(0), lambda: run(1))


def in_steps(values: np.ndarray, direction: int) -> np.ndarray:
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
            runs = tuple(_layer_forward(p, in_steps(below, d), activation) for d, p in enumerate(layer))
            stack.append(runs)
            below = np.concatenate([in_steps(fwd.h, d) for d, fwd in enumerate(runs)], axis=1)
        o, y_hat, loss = head(below, params.V, params.c, y, has_loss, output)
    for name, values in (("h", below), ("o", o), ("loss", loss)):
        step = first_nonfinite_row(values)
        if step is not None:
            raise NumericalOverflow(name, step)
    return DeepForward(params, tokens, x, y, has_loss, tuple(stack), below, o, y_hat, loss, float(loss.sum()),
                       activation, output)


def sample_deep(params: DeepParams, vocab: tuple[str, ...], start: str, length: int, temperature: float, seed: int,
                *, activation: str = "tanh") -> str:
    """``length`` characters after ``start`` from a one-way stack, as core.sample draws them from one
    layer: each character read (its E row, or one-hot), every layer stepped once from its own
    state, the next character drawn from softmax(o / temperature) and fed back."""
    if params.directions == 2:
        raise InputError("bidirectional", "a reverse direction reads a text from its end, which a text being "
                         "written does not have yet: sampling needs one direction")
    if start not in vocab:
        raise InputError("start", f"{start!r} is not in the model's vocabulary")
    rng = np.random.default_rng(seed)
    token, states, out = vocab.index(start), [(None, None)] * len(params.layers), []
    for _ in range(length):
        below = params.E[token] if params.E is not None else np.eye(params.input_size)[token]
        below = below[None, None]  # one step of one sequence
        for i, layer in enumerate(params.layers):
            _, _, h, s = recur(layer[0], below, *states[i], activation)
            states[i] = (h[1, 0], None if s is None else s[1, 0])
            below = h[1:]
        token = draw_next(params.V @ below[0, 0] + params.c, temperature, rng)
        out.append(vocab[token])
    return "".join(out)


__all__ = ["DIRECTIONS", "DeepForward", "DeepParams", "forward_deep", "init_deep", "param_key", "sample_deep"]
