"""The shared parameters theta = {U, W, b, V, c}: initialisation, rescaling and validation."""

from dataclasses import dataclass, fields

import numpy as np

from .errors import InputError

PARAM_NAMES = ("U", "W", "b", "V", "c")


@dataclass(frozen=True)
class Params:
    """U (H, D) input->hidden, W (H, H) hidden->hidden, b (H,), V (K, H) hidden->output, c (K,)."""

    U: np.ndarray
    W: np.ndarray
    b: np.ndarray
    V: np.ndarray
    c: np.ndarray

    @property
    def sizes(self) -> tuple[int, int, int]:
        """(D, H, K)."""
        return self.U.shape[1], self.W.shape[0], self.V.shape[0]

    def as_dict(self) -> dict[str, np.ndarray]:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    def replace(self, **arrays: np.ndarray) -> "Params":
        return Params(**{**self.as_dict(), **arrays})


def spectral_radius(W: np.ndarray) -> float:
    """rho(W): the largest |eigenvalue|."""
    return float(np.abs(np.linalg.eigvals(W)).max())


def init_params(input_size: int, hidden_size: int, output_size: int, seed: int = 0) -> Params:
    """Seeded Gaussian initialisation (LeCun scaling), biases zero.

    U ~ N(0, 1/D), W ~ N(0, 1/H), V ~ N(0, 1/H): each pre-activation starts with unit-order
    variance, and rho(W) is close to 1, the edge between vanishing and exploding.
    """
    rng = np.random.default_rng(seed)
    D, H, K = input_size, hidden_size, output_size
    return Params(
        U=rng.normal(0.0, 1.0 / np.sqrt(D), (H, D)),
        W=rng.normal(0.0, 1.0 / np.sqrt(H), (H, H)),
        b=np.zeros(H),
        V=rng.normal(0.0, 1.0 / np.sqrt(H), (K, H)),
        c=np.zeros(K),
    )


def rescale_recurrent(params: Params, radius: float) -> Params:
    """Scale W so that rho(W) equals ``radius``: the quickest way to make gradients vanish or explode."""
    if not (np.isfinite(radius) and radius > 0):
        raise InputError("spectral_radius", "must be a positive finite number")
    current = spectral_radius(params.W)
    if current == 0.0:
        raise InputError("spectral_radius", "W has spectral radius 0 and cannot be rescaled")
    return params.replace(W=params.W * (radius / current))


def params_from_arrays(arrays: dict, input_size: int, output_size: int) -> Params:
    """Validate caller-supplied weights against D and K; H is read from W."""
    missing = [n for n in PARAM_NAMES if n not in arrays]
    if missing:
        raise InputError("weights", f"missing {', '.join(missing)}: give all of U, W, b, V, c")
    converted = {}
    for name in PARAM_NAMES:
        try:
            converted[name] = np.array(arrays[name], dtype=np.float64)
        except (ValueError, TypeError):
            raise InputError(f"weights.{name}", "must be a (nested) list of numbers with equal-length rows") from None
        if not np.isfinite(converted[name]).all():
            raise InputError(f"weights.{name}", "must contain only finite numbers")
    W = converted["W"]
    if W.ndim != 2 or W.shape[0] != W.shape[1] or W.shape[0] == 0:
        raise InputError("weights.W", f"must be a square H x H matrix, got shape {list(W.shape)}")
    H = W.shape[0]
    expected = {"U": (H, input_size), "W": (H, H), "b": (H,), "V": (output_size, H), "c": (output_size,)}
    for name, shape in expected.items():
        if converted[name].shape != shape:
            raise InputError(
                f"weights.{name}",
                f"must have shape {list(shape)} (H={H}, D={input_size}, K={output_size}), "
                f"got {list(converted[name].shape)}",
            )
    return Params(**converted)
