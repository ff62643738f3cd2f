"""Central finite differences of J, to check every analytic gradient of the core.

The step eps = 1e-5 sits near the float64 optimum for central differences (about the cube
root of machine epsilon): smaller steps let rounding in J dominate when gradients are small.

With a truncation window k the analytic gradient is no longer dJ/dtheta, so it is checked
against what it claims to be: sum over steps t and sources s with 0 <= s - t < k of
dJ^(s)/dtheta^(t), where theta^(t) is step t's own copy of the shared parameters.
"""

from collections.abc import Callable

import numpy as np

from .bptt import backward
from .cells import CELL_MODULES
from .contract import PARAM_NAMES, STATES
from .encode import Sequence
from .functions import HEADS
from .params import Params
from .unfold import forward


def checked(cell: str) -> tuple[str, ...]:
    """What gradcheck compares: every parameter, the initial states and the inputs."""
    return PARAM_NAMES[cell] + tuple(f"{state}0" for state in STATES[cell]) + ("x",)


def step_losses(
    params: Params, x: np.ndarray, seq: Sequence, activation: str, output: str,
    h0: np.ndarray, s0: np.ndarray | None = None, own: tuple[int, Params] | None = None,
) -> np.ndarray:
    """(T,) losses J^(t) of a plain forward loop with the parameters ``params`` at every step, or,
    with ``own = (t, p)``, ``p`` at step t alone (a perturbed copy of step t's own θ^(t)). Only the
    recurrence is a loop: the inputs' and outputs' products are taken for every step at once."""
    own_step, own_params = own if own is not None else (None, None)
    at = lambda t: own_params if t == own_step else params  # noqa: E731
    inputs = x @ params.U.T + params.b
    if own is not None:
        inputs[own_step] = own_params.U @ x[own_step] + own_params.b
    step = CELL_MODULES[params.cell].step
    h, s = h0, s0
    hs = np.empty((seq.steps, h0.shape[0]))
    for t in range(seq.steps):
        _, _, h, s = step(at(t), inputs[t], h, s, activation)
        hs[t] = h
    o = hs @ params.V.T + params.c
    if own is not None:
        o[own_step] = own_params.c + own_params.V @ hs[own_step]
    losses = np.zeros(seq.steps)
    losses[seq.has_loss] = HEADS[output].loss(o[seq.has_loss], seq.y[seq.has_loss])
    return losses


def relative_error(analytic: np.ndarray, numeric: np.ndarray) -> float:
    """||a - n|| / (||a|| + ||n||), 0 when both are exactly zero."""
    scale = np.linalg.norm(analytic) + np.linalg.norm(numeric)
    return 0.0 if scale == 0 else float(np.linalg.norm(analytic - numeric) / scale)


def numerical_gradients(
    params: Params,
    seq: Sequence,
    activation: str = "tanh",
    output: str = "softmax",
    h0: np.ndarray | None = None,
    truncate: int | None = None,
    eps: float = 1e-5,
    s0: np.ndarray | None = None,
) -> dict[str, np.ndarray]:
    """Finite-difference gradients of every parameter, h0 (and s0) and x, shaped like the analytic ones."""
    steps = seq.steps
    H = params.sizes[1]
    h0 = np.zeros(H) if h0 is None else np.asarray(h0, dtype=np.float64)
    if params.cell == "lstm":
        s0 = np.zeros(H) if s0 is None else np.asarray(s0, dtype=np.float64)
    window = steps + 1 if truncate is None else truncate
    sources = np.arange(steps)

    def reaches(t: int) -> np.ndarray:
        """Which J^(s) count toward the copy at step t."""
        return (sources >= t) & (sources - t < window)

    def slope(run: Callable[[float], np.ndarray]) -> np.ndarray:
        """dJ^(s)/d(delta) for every s, by central differences of run(delta) -> (T,) losses."""
        return (run(eps) - run(-eps)) / (2 * eps)

    def nudge(array: np.ndarray, index: tuple, delta: float) -> np.ndarray:
        moved = array.copy()
        moved[index] += delta
        return moved

    def losses(shared=params, own=None, x=seq.x, h_start=h0, s_start=s0) -> np.ndarray:
        return step_losses(shared, x, seq, activation, output, h_start, s_start, own)

    grads: dict[str, np.ndarray] = {}
    for name in params.names:
        value = getattr(params, name)
        grad = np.zeros_like(value)
        for index in np.ndindex(value.shape):
            def moved(delta, name=name, value=value, index=index):
                return params.replace(**{name: nudge(value, index, delta)})
            if truncate is None:  # one perturbation of the shared theta moves every step
                grad[index] = slope(lambda d, moved=moved: losses(shared=moved(d))).sum()
                continue
            for t in range(steps):  # perturb step t's own copy only
                grad[index] += slope(lambda d, moved=moved, t=t: losses(own=(t, moved(d))))[reaches(t)].sum()
        grads[name] = grad

    def initial(name: str, state: np.ndarray) -> np.ndarray:
        """The initial states get what reaches step 0."""
        moved = lambda d, i: losses(**{name: nudge(state, (i,), d)})  # noqa: E731
        return np.array([slope(lambda d, i=i: moved(d, i))[reaches(0)].sum() for i in range(H)])

    grads["h0"] = initial("h_start", h0)
    if s0 is not None:
        grads["s0"] = initial("s_start", s0)
    grads["x"] = np.zeros_like(seq.x)
    for t, j in np.ndindex(seq.x.shape):
        grads["x"][t, j] = slope(lambda d, t=t, j=j: losses(x=nudge(seq.x, (t, j), d)))[reaches(t)].sum()
    return grads


# An analytic gradient agrees with finite differences when their largest difference stays within
# TOLERANCE of the gradient's largest entry, or within the rounding the central difference carries
# by itself: J is computed to about u |J| (u = 2.2e-16), and that error divided by 2 eps is the
# slope's; ROUNDING_MARGIN allows for the many operations behind J. Without the floor a gradient
# of 1e-8 (a vanishing error reaching h0) read as "wrong" at a relative error of 1e-3, though its
# difference from the finite difference was 2e-11, the differences' own noise.
TOLERANCE = 1e-6
ROUNDING_MARGIN = 10.0


def rounding_floor(J: float, eps: float) -> float:
    """The absolute error a central difference of J carries by itself: 10 u max(|J|, 1) / eps."""
    return ROUNDING_MARGIN * np.finfo(np.float64).eps * max(abs(J), 1.0) / eps


def agreement(analytic: dict, numeric: dict, floor: float) -> dict:
    """Per quantity: the relative error ||a - n|| / (||a|| + ||n||), the largest |a - n|, the
    largest |gradient| and whether they agree (largest |a - n| <= TOLERANCE x largest |gradient|
    + floor)."""
    report = {"relative": {}, "max_abs_error": {}, "largest": {}, "agrees": {}}
    for name, a in analytic.items():
        n = numeric[name]
        error = float(np.max(np.abs(a - n), initial=0.0))
        largest = float(max(np.max(np.abs(a), initial=0.0), np.max(np.abs(n), initial=0.0)))
        report["relative"][name] = relative_error(a, n)
        report["max_abs_error"][name] = error
        report["largest"][name] = largest
        report["agrees"][name] = bool(error <= TOLERANCE * largest + floor)
    return report


def check_gradients(
    params: Params,
    seq: Sequence,
    activation: str = "tanh",
    output: str = "softmax",
    h0: np.ndarray | None = None,
    truncate: int | None = None,
    eps: float = 1e-5,
    s0: np.ndarray | None = None,
) -> dict:
    """Every analytic gradient (each parameter, h0, s0 and x) against central finite differences:
    agreement()'s report, with the rounding floor it allowed."""
    fwd = forward(params, seq, activation, output, h0, s0)
    bwd = backward(fwd, truncate)
    analytic = {**bwd.grads, "h0": bwd.dh0, "s0": bwd.ds0, "x": bwd.dx}
    with np.errstate(over="ignore", invalid="ignore"):  # J moved by eps may overflow where J did not: NaN says so
        numeric = numerical_gradients(params, seq, activation, output, fwd.h0, truncate, eps, fwd.s0)
        floor = rounding_floor(fwd.total_loss, eps)
        report = agreement({name: analytic[name] for name in checked(params.cell)}, numeric, floor)
    return {**report, "floor": floor}


def gradcheck(
    params: Params,
    seq: Sequence,
    activation: str = "tanh",
    output: str = "softmax",
    h0: np.ndarray | None = None,
    truncate: int | None = None,
    eps: float = 1e-5,
    s0: np.ndarray | None = None,
) -> dict[str, float]:
    """Largest relative error between analytic and finite-difference gradients, per quantity."""
    return check_gradients(params, seq, activation, output, h0, truncate, eps, s0)["relative"]


def check_gradients_deep(params, x: np.ndarray, y: np.ndarray, has_loss: np.ndarray, tokens: np.ndarray | None = None,
                         activation: str = "tanh", output: str = "softmax", eps: float = 1e-5) -> dict:
    """A stack's every parameter (core.deep's canonical names, E's included) against central finite
    differences of J, full BPTT: agreement()'s report, with the rounding floor it allowed. A window
    keeps only the paths inside it (MATH.md, "Depth: embeddings, stacked layers, both directions"),
    which finite differences cannot check: the core's tests hold it to reference.reference_deep."""
    from .deep import forward_deep
    from .deep_backward import backward_deep

    def loss(p) -> float:
        return forward_deep(p, x, y, has_loss, tokens=tokens, activation=activation, output=output).total_loss

    fwd = forward_deep(params, x, y, has_loss, tokens=tokens, activation=activation, output=output)
    analytic = backward_deep(fwd).grads
    numeric = {}
    with np.errstate(over="ignore", invalid="ignore"):
        for name, value in params.as_dict().items():
            grad = np.zeros_like(value)
            for index in np.ndindex(value.shape):
                moved = []
                for sign in (1.0, -1.0):
                    shifted = value.copy()
                    shifted[index] += sign * eps
                    moved.append(loss(params.replace({name: shifted})))
                grad[index] = (moved[0] - moved[1]) / (2 * eps)
            numeric[name] = grad
        floor = rounding_floor(fwd.total_loss, eps)
        report = agreement(analytic, numeric, floor)
    return {**report, "floor": floor}
