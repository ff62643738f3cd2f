"""The shared parameters theta of each cell: initialisation, rescaling and validation.

Every cell has U, W, b (one H-row block per gate, PyTorch's order), V and c; the GRU also
has b_hn. See contract.PARAM_NAMES and contract.param_shapes.
"""

from dataclasses import dataclass

import numpy as np

from .contract import CELLS, GATES, PARAM_NAMES, blocks, param_shapes
from .errors import InputError


@dataclass(frozen=True)
class Params:
    """U (G H, D) input->hidden, W (G H, H) hidden->hidden, b (G H,), V (K, H) hidden->output,
    c (K,); b_hn (H,) for the GRU only. G = 1, 4, 3 for rnn, lstm, gru."""

    U: np.ndarray
    W: np.ndarray
    b: np.ndarray
    V: np.ndarray
    c: np.ndarray
    cell: str = "rnn"
    b_hn: np.ndarray | None = None

    @property
    def sizes(self) -> tuple[int, int, int]:
        """(D, H, K)."""
        return self.U.shape[1], self.W.shape[1], self.V.shape[0]

    @property
    def names(self) -> tuple[str, ...]:
        return PARAM_NAMES[self.cell]

    def as_dict(self) -> dict[str, np.ndarray]:
        return {name: getattr(self, name) for name in self.names}

    def replace(self, **arrays: np.ndarray) -> "Params":
        return Params(**{**self.as_dict(), **arrays}, cell=self.cell)

    def block(self, name: str, gate: str) -> np.ndarray:
        """The rows of U, W or b that belong to one gate."""
        H = self.sizes[1]
        i = GATES[self.cell].index(gate)
        return getattr(self, name)[i * H:(i + 1) * H]


def spectral_radius(W: np.ndarray) -> float:
    """rho(W): the largest |eigenvalue|."""
    return float(np.abs(np.linalg.eigvals(W)).max())


def init_params(
    input_size: int, hidden_size: int, output_size: int, seed: int = 0, cell: str = "rnn",
    forget_bias: float = 1.0,
    input_bias: float = 0.0,
    update_bias: float = 0.0,
) -> Params:
    """Seeded Gaussian initialisation (LeCun scaling), biases zero but the LSTM's forget gate.

    U ~ N(0, 1/D), W ~ N(0, 1/H), V ~ N(0, 1/H): each pre-activation starts with unit-order
    variance, and for the simple RNN rho(W) is close to 1, the edge between vanishing and
    exploding. The LSTM's forget-gate bias starts at ``forget_bias``: 1 keeps f near 0.73 and
    lets the cell state carry its error a while (Jozefowicz et al., 2015); larger values carry it
    further; with ``input_bias`` below 0 the input gate starts mostly shut, so the state is
    kept rather than overwritten. The GRU's update gate starts at ``update_bias``: z near 1
    (a large bias) keeps h^(t-1) and its error. The simple RNN draws exactly what it always did
    for the same seed.
    """
    if cell not in CELLS:
        raise InputError("cell", f"must be one of {', '.join(CELLS)}, not {cell!r}")
    rng = np.random.default_rng(seed)
    D, H, K = input_size, hidden_size, output_size
    G = blocks(cell)
    U = rng.normal(0.0, 1.0 / np.sqrt(D), (G * H, D))
    W = rng.normal(0.0, 1.0 / np.sqrt(H), (G * H, H))
    b = np.zeros(G * H)
    if cell == "rnn":  # the historical draw order: U, W, V
        return Params(U=U[:H], W=W[:H], b=b, V=rng.normal(0.0, 1.0 / np.sqrt(H), (K, H)), c=np.zeros(K))
    if cell == "lstm":
        b[:H] = input_bias
        b[H:2 * H] = forget_bias
    if cell == "gru":
        b[H:2 * H] = update_bias
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


def params_from_arrays(
    arrays: dict, input_size: int, output_size: int, cell: str = "rnn", hidden_size: int | None = None
) -> Params:
    """Validate caller-supplied weights of ``cell`` against D and K; H is read from W.

    With ``hidden_size`` given, W must agree with it: weights and a hidden size that disagree
    are refused rather than one silently winning.
    """
    names = PARAM_NAMES[cell]
    missing = [n for n in names if arrays.get(n) is None]
    if missing:
        raise InputError("weights", f"missing {', '.join(missing)}: the {cell} cell needs all of {', '.join(names)}")
    extra = [n for n, v in arrays.items() if n not in names and v is not None]
    if extra:
        raise InputError(f"weights.{extra[0]}", f"is not a parameter of the {cell} cell (it has {', '.join(names)})")
    converted = {}
    for name in names:
        try:
            converted[name] = np.array(arrays[name], dtype=np.float64)
        except (ValueError, TypeError):
            raise InputError(f"weights.{name}", "must be a (nested) list of numbers with equal-length rows") from None
        if not np.isfinite(converted[name]).all():
            raise InputError(f"weights.{name}", "must contain only finite numbers")
    G = blocks(cell)
    W = converted["W"]
    if W.ndim != 2 or W.shape[1] == 0 or W.shape[0] != G * W.shape[1]:
        what = "a square H x H matrix" if G == 1 else f"a {G}H x H matrix (one H x H block per gate)"
        raise InputError("weights.W", f"must be {what} for the {cell} cell, got shape {list(W.shape)}")
    H = W.shape[1]
    if hidden_size is not None and hidden_size != H:
        raise InputError(
            "weights.W", f"has shape {list(W.shape)}, which means H = {H}, but hidden_size is {hidden_size}: "
            "leave hidden_size out with explicit weights, or make them agree",
        )
    for name, shape in param_shapes(cell, input_size, H, output_size).items():
        if converted[name].shape != shape:
            raise InputError(
                f"weights.{name}",
                f"must have shape {list(shape)} for the {cell} cell (H={H}, D={input_size}, K={output_size}), "
                f"got {list(converted[name].shape)}",
            )
    return Params(**converted, cell=cell)
