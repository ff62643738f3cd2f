"""The shared parameters theta of each cell: initialisation, rescaling and validation.

Every cell has U, b (one H-row block per gate, PyTorch's order), V and c; all but the min cells
have W, and the GRU also has b_hn. See contract.PARAM_NAMES and contract.param_shapes.
"""

from dataclasses import dataclass

import numpy as np

from .contract import (
    CELL_TITLES,
    CELLS,
    DEFAULT_FORGET_BIAS,
    GATES,
    MIN_CELLS,
    PARAM_NAMES,
    blocks,
    gate_letter,
    param_shapes,
)
from .errors import InputError


@dataclass(frozen=True, kw_only=True)
class Params:
    """U (G H, D) input->hidden, W (G H, H) hidden->hidden, b (G H,), V (K, H) hidden->output,
    c (K,); b_hn (H,) for the GRU only; no W (None) for the min cells. G = 1, 4, 3, 2, 3 for rnn,
    lstm, gru, mingru, minlstm."""

    U: np.ndarray
    W: np.ndarray | None = None
    b: np.ndarray
    V: np.ndarray
    c: np.ndarray
    cell: str = "rnn"
    b_hn: np.ndarray | None = None

    @property
    def sizes(self) -> tuple[int, int, int]:
        """(D, H, K); H from W, or from V for the cells without W."""
        H = self.V.shape[1] if self.W is None else self.W.shape[1]
        return self.U.shape[1], H, self.V.shape[0]

    @property
    def names(self) -> tuple[str, ...]:
        return PARAM_NAMES[self.cell]

    def as_dict(self) -> dict[str, np.ndarray]:
        return {name: getattr(self, name) for name in self.names}

    def replace(self, **arrays: np.ndarray) -> "Params":
        return Params(**{**self.as_dict(), **arrays}, cell=self.cell)


def spectral_radius(W: np.ndarray) -> float:
    """rho(W): the largest |eigenvalue|."""
    return float(np.abs(np.linalg.eigvals(W)).max())


# The forget-gate bias when none is given: the LSTM's 1 (see init_params); the minLSTM's forget
# gate shares the state with its input gate (f' = f/(f+i)), so it starts even with it.


def init_params(
    input_size: int, hidden_size: int, output_size: int, seed: int = 0, cell: str = "rnn",
    forget_bias: float | None = None,
    input_bias: float = 0.0,
    update_bias: float = 0.0,
) -> Params:
    """Seeded Gaussian initialisation (LeCun scaling), biases zero but the LSTM's forget gate.

    U ~ N(0, 1/D), W ~ N(0, 1/H), V ~ N(0, 1/H): each pre-activation starts with unit-order
    variance, and for the simple RNN rho(W) is close to 1, the edge between vanishing and
    exploding. The LSTM's forget-gate bias starts at ``forget_bias`` (default 1): 1 keeps f near
    0.73 and lets the cell state carry its error a while (Jozefowicz et al., 2015); larger values
    carry it further; with ``input_bias`` below 0 the input gate starts mostly shut, so the state
    is kept rather than overwritten. The GRU's update gate starts at ``update_bias``: z near 1
    (a large bias) keeps h^(t-1) and its error. The min cells draw no W (U, then V) and read the
    same options: the minGRU's update gate ``update_bias`` (z near 1 now writes h~ over h^(t-1)),
    the minLSTM's forget and input gates ``forget_bias`` (default 0) and ``input_bias``. The simple
    RNN draws exactly what it always did for the same seed.
    """
    if cell not in CELLS:
        raise InputError("cell", f"must be one of {', '.join(CELLS)}, not {cell!r}")
    rng = np.random.default_rng(seed)
    D, H, K = input_size, hidden_size, output_size
    G = blocks(cell)
    U = rng.normal(0.0, 1.0 / np.sqrt(D), (G * H, D))
    W = None if cell in MIN_CELLS else rng.normal(0.0, 1.0 / np.sqrt(H), (G * H, H))
    b = np.zeros(G * H)
    if cell == "rnn":  # the historical draw order: U, W, V
        return Params(U=U[:H], W=W[:H], b=b, V=rng.normal(0.0, 1.0 / np.sqrt(H), (K, H)), c=np.zeros(K))
    if forget_bias is None:
        forget_bias = DEFAULT_FORGET_BIAS.get(cell, 0.0)
    for option, gate in ((forget_bias, "forget"), (input_bias, "input"), (update_bias, "update")):
        if gate in GATES[cell]:
            k = GATES[cell].index(gate)
            b[k * H:(k + 1) * H] = option
    return Params(
        U=U, W=W, b=b, V=rng.normal(0.0, 1.0 / np.sqrt(H), (K, H)), c=np.zeros(K), cell=cell,
        b_hn=np.zeros(H) if cell == "gru" else None,
    )


def rescale_recurrent(params: Params, radius: float) -> Params:
    """Scale W so that rho(W) equals ``radius``: the quickest way to make gradients vanish or explode."""
    if params.cell != "rnn":
        raise InputError("spectral_radius", "applies to the simple RNN only (cell rnn)")
    if not (np.isfinite(radius) and radius > 0):
        raise InputError("spectral_radius", "must be a positive finite number")
    current = spectral_radius(params.W)
    if current == 0.0:
        raise InputError("spectral_radius", "W has spectral radius 0 and cannot be rescaled")
    return params.replace(W=params.W * (radius / current))


def read_array(key: str, value) -> np.ndarray:
    """``value`` (nested lists or an array) as float64, refused in the words of ``weights.<key>``
    when it is ragged, not numbers, or not finite. Every reader of weights uses it."""
    try:
        array = np.array(value, dtype=np.float64)
    except (ValueError, TypeError):
        raise InputError(f"weights.{key}", "must be a (nested) list of numbers with equal-length rows") from None
    if not np.isfinite(array).all():
        raise InputError(f"weights.{key}", "must contain only finite numbers")
    return array


def params_from_arrays(
    arrays: dict, input_size: int, output_size: int, cell: str = "rnn", hidden_size: int | None = None
) -> Params:
    """Validate caller-supplied weights of ``cell`` against D and K; H is read from W (from U's
    G blocks for the cells without W).

    With ``hidden_size`` given, W (U) must agree with it: weights and a hidden size that disagree
    are refused rather than one silently winning.
    """
    names = PARAM_NAMES[cell]
    missing = [n for n in names if arrays.get(n) is None]
    if missing:
        raise InputError("weights", f"missing {', '.join(missing)}: the {cell} cell needs all of {', '.join(names)}")
    extra = [n for n, v in arrays.items() if n not in names and v is not None]
    if "W" in extra and cell in MIN_CELLS:
        raise InputError("weights.W", f"is not a parameter of the {CELL_TITLES[cell]}: its gates read only x, so it "
                         f"has no recurrent weights (it has {', '.join(names)})")
    if extra:
        raise InputError(f"weights.{extra[0]}", f"is not a parameter of the {cell} cell (it has {', '.join(names)})")
    converted = {name: read_array(name, arrays[name]) for name in names}
    H, source = _hidden_size(converted, cell)
    if hidden_size is not None and hidden_size != H:
        raise InputError(
            f"weights.{source}", f"has shape {list(converted[source].shape)}, which means H = {H}, but hidden_size "
            f"is {hidden_size}: leave hidden_size out with explicit weights, or make them agree",
        )
    for name, shape in param_shapes(cell, input_size, H, output_size).items():
        if converted[name].shape != shape:
            raise InputError(
                f"weights.{name}",
                f"must have shape {list(shape)} for the {cell} cell (H={H}, D={input_size}, K={output_size}), "
                f"got {list(converted[name].shape)}",
            )
    return Params(**converted, cell=cell)


def _hidden_size(converted: dict[str, np.ndarray], cell: str) -> tuple[int, str]:
    """(H, the parameter it was read from): W's columns, or for the cells without W the rows of
    U's G blocks; a matrix that cannot hold them is refused, naming it."""
    G = blocks(cell)
    if cell in MIN_CELLS:
        U = converted["U"]
        if U.ndim != 2 or U.shape[0] == 0 or U.shape[0] % G:
            letters = ", ".join(gate_letter(cell, gate) for gate in GATES[cell])
            raise InputError("weights.U", f"must be a {G}H x D matrix for the {cell} cell (one block of H rows per "
                             f"gate: {letters}), got shape {list(U.shape)}")
        return U.shape[0] // G, "U"
    W = converted["W"]
    if W.ndim != 2 or W.shape[1] == 0 or W.shape[0] != G * W.shape[1]:
        what = "a square H x H matrix" if G == 1 else f"a {G}H x H matrix (one H x H block per gate)"
        raise InputError("weights.W", f"must be {what} for the {cell} cell, got shape {list(W.shape)}")
    return W.shape[1], "W"
