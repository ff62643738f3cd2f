"""A validated request resolved into what the core runs (Problem): the sequence, the weights,
the head and the window; the answer's sections that fit; and the cost models every limit
uses. The service (service.py) runs a Problem and shapes its answer."""

from dataclasses import dataclass

import numpy as np

import core

from .schemas import SECTIONS, TrainRequest, UnfoldRequest
from .settings import (
    AUTO_SECTIONS,
    AUTO_TRUNCATED_SECTIONS,
    MAX_AUTO_NUMBERS,
    MAX_HEAVY_NUMBERS,
    MAX_STEPS,
)


@dataclass(frozen=True)
class Problem:
    """What the core needs for one run, resolved from a request."""

    params: core.Params
    seq: core.Sequence
    activation: str
    output: str
    h0: np.ndarray | None
    s0: np.ndarray | None
    truncate: int | None


def sequence_of(req: UnfoldRequest) -> core.Sequence:
    if req.dataset is not None:  # one sequence of the held-out batch, with its own loss steps
        example = req.dataset.resolved().example(req.index or 0)
        return core.Sequence(example.x[0], example.y[0], example.has_loss)
    if req.is_text:
        return core.encode_text(req.sequence, req.task, req.vocab)
    seq = core.encode_numbers(req.inputs, req.targets, req.task)
    if seq.steps > MAX_STEPS:
        raise core.InputError("inputs", f"gives {seq.steps} steps; the limit is {MAX_STEPS}")
    return seq


def params_of(req: UnfoldRequest, seq: core.Sequence) -> core.Params:
    D, K = seq.x.shape[1], seq.y.shape[1]
    if req.imported is not None:
        req.imported.check_sizes(D, K, req.explicit_hidden_size)
        params = core.params_from_arrays(req.imported.arrays, D, K, req.cell, req.explicit_hidden_size)
    else:
        params = core.init_params(D, req.hidden_size, K, req.seed, req.cell, req.forget_bias,
                                  req.input_bias or 0.0, req.update_bias or 0.0)
    if req.spectral_radius is not None:
        params = core.rescale_recurrent(params, req.spectral_radius)
    return params


def vector_of(values) -> np.ndarray | None:
    return None if values is None else np.array(values, dtype=np.float64)


def resolve(req: UnfoldRequest) -> Problem:
    seq = sequence_of(req)
    params = params_of(req, seq)
    return Problem(
        params, seq, req.resolved_activation, req.resolved_output, vector_of(req.h0), vector_of(req.s0), req.truncate
    )


def parameter_count(problem: Problem) -> int:
    """How many numbers the cell's parameters hold (U, W, b, ... for its D, H and K)."""
    D, H, K = problem.params.sizes
    return sum(int(np.prod(shape)) for shape in core.param_shapes(problem.params.cell, D, H, K).values())


def sections_of(req: UnfoldRequest, problem: Problem) -> tuple[str, ...]:
    """The opt-in sections of the answer: every section asked for by name (refused past
    MAX_HEAVY_NUMBERS), and with "auto" each of AUTO_SECTIONS that fits MAX_AUTO_NUMBERS."""
    steps = problem.seq.steps
    H = problem.params.sizes[1]
    sizes = {
        "flow_shares": steps * steps,
        "per_step_gradients": steps * parameter_count(problem),
        "flows_by_unit": steps * steps * H,
        "gain": steps,
        "truncation": 2 * len(core.PARAM_NAMES[problem.params.cell]),
    }
    named = [section for section in req.include if section != "auto"]
    for section in named:
        if sizes[section] > MAX_HEAVY_NUMBERS:
            raise core.InputError(
                "include",
                f"{section} would return {sizes[section]:,} numbers; the limit is {MAX_HEAVY_NUMBERS:,} "
                "(use fewer steps or hidden units)",
            )
    if "auto" in req.include:
        wanted = AUTO_SECTIONS + (AUTO_TRUNCATED_SECTIONS if req.truncate is not None else ())
        named += [section for section in wanted if sizes[section] <= MAX_AUTO_NUMBERS]
    return tuple(section for section in SECTIONS if section in named)


def gradcheck_cost(problem: Problem) -> int:
    """Step evaluations finite differences need: every parameter, state and input, each a forward
    pass of T steps (truncated, one per step)."""
    steps = problem.seq.steps
    D, H, _ = problem.params.sizes
    states = H * len(core.STATES[problem.params.cell])
    return (parameter_count(problem) + states + steps * D) * steps * (1 if problem.truncate is None else steps)


def train_cost(req: TrainRequest, problem: Problem) -> int:
    """settings.MAX_TRAIN_COST's units: steps x T x (G H (H + D + K) + 2000 G), x k if truncated;
    with a dataset, B sequences' products a step, taken together (an eighth of a unit a row), and
    the held-out evaluation's B_eval."""
    D, H, K = problem.params.sizes
    G = len(core.GATES[problem.params.cell]) or 1
    steps = problem.seq.steps
    products = G * H * (H + D + K)
    if req.dataset is not None:  # a product's row costs about a tenth of a unit in a batch (measured)
        update = req.dataset.batch * products // 8 + 2000 * G
        return steps * (req.steps * update + core.tasks.EVAL_BATCH * products // 8)
    rows = 1 if problem.truncate is None or problem.truncate >= steps else problem.truncate
    return req.steps * steps * (products + 2000 * G) * rows
