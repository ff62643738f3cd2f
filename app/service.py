"""Turns a validated request into core calls and the core's records into response dicts.

Arrays stay NumPy arrays all the way to the JSON encoder (orjson serialises them directly),
rounded to the significant digits the request asks for.
"""

from dataclasses import dataclass

import numpy as np

import core

from .encoding import rounded
from .schemas import UnfoldRequest
from .settings import MAX_GRADCHECK_COST, MAX_HEAVY_NUMBERS, MAX_STEPS


@dataclass(frozen=True)
class Problem:
    """What the core needs for one run, resolved from a request."""

    params: core.Params
    seq: core.Sequence
    activation: str
    output: str
    h0: np.ndarray | None
    truncate: int | None


def _sequence(req: UnfoldRequest) -> core.Sequence:
    if req.is_text:
        return core.encode_text(req.sequence, req.task)
    seq = core.encode_numbers(req.inputs, req.targets, req.task)
    if seq.steps > MAX_STEPS:
        raise core.InputError("inputs", f"gives {seq.steps} steps; the limit is {MAX_STEPS}")
    return seq


def _params(req: UnfoldRequest, seq: core.Sequence) -> core.Params:
    D, K = seq.x.shape[1], seq.y.shape[1]
    if req.weights is not None:
        params = core.params_from_arrays(req.weights.model_dump(), D, K)
    else:
        params = core.init_params(D, req.hidden_size, K, req.seed)
    if req.spectral_radius is not None:
        params = core.rescale_recurrent(params, req.spectral_radius)
    return params


def resolve(req: UnfoldRequest) -> Problem:
    seq = _sequence(req)
    params = _params(req, seq)
    h0 = None if req.h0 is None else np.array(req.h0, dtype=np.float64)
    return Problem(params, seq, req.activation, req.resolved_output, h0, req.truncate)


def _config(req: UnfoldRequest, problem: Problem) -> dict:
    D, H, K = problem.params.sizes
    return {
        "task": req.task, "activation": problem.activation, "output": problem.output,
        "hidden_size": H, "input_size": D, "output_size": K, "steps": problem.seq.steps,
        "seed": req.seed, "spectral_radius": core.spectral_radius(problem.params.W), "truncate": problem.truncate,
        "digits": req.digits,
    }


def _check_heavy(req: UnfoldRequest, problem: Problem) -> None:
    steps = problem.seq.steps
    D, H, K = problem.params.sizes
    sizes = {
        "flow_shares": steps * steps,
        "per_step_gradients": steps * (H * D + H * H + H + K * H + K),
        "flows_by_unit": steps * steps * H,
    }
    for section in req.include:
        if sizes[section] > MAX_HEAVY_NUMBERS:
            raise core.InputError(
                "include",
                f"{section} would return {sizes[section]:,} numbers; the limit is {MAX_HEAVY_NUMBERS:,} "
                "(use fewer steps or hidden units)",
            )


def unfold(req: UnfoldRequest) -> dict:
    """The whole unfolded computation as a dict of arrays, shaped as UnfoldResponse."""
    problem = resolve(req)
    _check_heavy(req, problem)
    fwd = core.forward(problem.params, problem.seq, problem.activation, problem.output, problem.h0)
    bwd = core.backward(
        fwd, problem.truncate, by_source="flows_by_unit" in req.include, shares="flow_shares" in req.include
    )
    gradients = {"total": bwd.grads, "norms": core.step_norms(fwd, bwd)}
    if "per_step_gradients" in req.include:
        gradients["per_step"] = core.step_contributions(fwd, bwd)
    flows = {"h": bwd.flow}
    if "flow_shares" in req.include:
        flows["share"] = bwd.share
    if bwd.dh_by_source is not None:
        flows["by_unit"] = bwd.dh_by_source
    return rounded({
        "config": _config(req, problem),
        "vocab": list(problem.seq.vocab) if problem.seq.vocab else None,
        "weights": problem.params.as_dict(),
        "h0": fwd.h0,
        "forward": {
            "x": fwd.x, "y": fwd.y, "has_loss": fwd.has_loss, "a": fwd.a, "h": fwd.h, "o": fwd.o,
            "y_hat": fwd.y_hat, "loss": fwd.loss, "total_loss": fwd.total_loss,
        },
        "errors": {"o": bwd.do, "h": bwd.dh, "a": bwd.da, "x": bwd.dx, "h0": bwd.dh0},
        "gradients": gradients,
        "flows": flows,
    }, req.digits)


def gradcheck(req: UnfoldRequest, eps: float = 1e-5) -> dict:
    """Largest relative error of every analytic gradient against finite differences."""
    problem = resolve(req)
    steps = problem.seq.steps
    D, H, K = problem.params.sizes
    numbers = H * D + H * H + H + K * H + K + H + steps * D
    cost = numbers * steps * (1 if problem.truncate is None else steps)
    if cost > MAX_GRADCHECK_COST:
        raise core.InputError(
            "sequence" if req.is_text else "inputs",
            f"finite differences here would cost {cost:,} step evaluations; the limit is {MAX_GRADCHECK_COST:,} "
            "(use fewer steps, hidden units or characters)",
        )
    errors = core.gradcheck(
        problem.params, problem.seq, problem.activation, problem.output, problem.h0, problem.truncate, eps
    )
    return rounded({"config": _config(req, problem), "eps": eps, "max_relative_error": errors}, req.digits)
