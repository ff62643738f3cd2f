"""The answer for a stack: layers, both directions or an embedding (issue 28; docs/MATH.md,
section 19). Its top-level sections describe the model as the output layer sees it: the first
layer's input x, the top layer's states h (both directions side by side), o, y_hat and the
losses, their errors, every parameter's gradient by its canonical name and the top layer's flow
matrix. `depth` holds each layer and direction: its forward numbers, its errors and its flows."""

import numpy as np

import core
from core.bptt import by_step
from core.contract import DEFAULT_FORGET_BIAS, GATE_VALUES, GATES, blocks
from core.deep import DIRECTIONS, DeepForward, DeepParams, deep_from_arrays, forward_deep, init_deep, sample_deep
from core.deep_backward import DeepBackward, backward_deep, step_norms_deep
from core.gain import layer_gains
from core.gradcheck import TOLERANCE, check_gradients_deep

from .encoding import rounded
from .optimizer import optimizer_state_of, state_out
from .resolve import sequence_of
from .schemas import TrainRequest, UnfoldRequest
from .settings import MAX_DEPTH_NUMBERS, MAX_GRADCHECK_COST, MAX_TRAIN_COST


def resolve_deep(req: UnfoldRequest) -> tuple[DeepParams, core.Sequence, np.ndarray | None]:
    """The seeded stack, the sequence and its tokens (with an embedding), within the limit of
    numbers the layers hand down."""
    seq = sequence_of(req)
    dirs = 2 if req.bidirectional else 1
    layers, H = req.layers, req.hidden_size
    if req.imported is not None:
        found = req.imported
        dirs, layers = 2 if found.bidirectional else 1, found.layers
        H = found.arrays["V"].shape[-1] // dirs if found.arrays["V"].ndim == 2 else 0
    handed = seq.steps * seq.steps * dirs * H
    if layers > 1 and handed > MAX_DEPTH_NUMBERS:
        raise core.InputError(req.data_field, f"a stack of {seq.steps} steps and {dirs * H} states a "
                              f"step hands {handed:,} numbers down each layer; the limit is {MAX_DEPTH_NUMBERS:,} "
                              "(use fewer steps or hidden units)")
    D, K = seq.x.shape[1], seq.y.shape[1]
    if req.imported is not None:
        return _imported_stack(req, seq, D, K), seq, seq.x.argmax(axis=1) if req.imported.embedding else None
    params = init_deep(D, req.hidden_size, K, cell=req.cell, layers=req.layers, bidirectional=req.bidirectional,
                       embedding=req.embedding, seed=req.seed, forget_bias=req.forget_bias,
                       input_bias=req.input_bias or 0.0, update_bias=req.update_bias or 0.0)
    tokens = seq.x.argmax(axis=1) if req.embedding is not None else None
    return params, seq, tokens


def _imported_stack(req: UnfoldRequest, seq: core.Sequence, D: int, K: int) -> DeepParams:
    """The stack the weights hold, checked against the data; a refusal names the key it was sent as."""
    found = req.imported
    try:
        params = deep_from_arrays(found.arrays, found.cell, found.layers, found.bidirectional, D, K, tokens=D)
    except core.InputError as refusal:
        name = refusal.field.removeprefix("weights.")
        key = found.sources.get(name, (name, False))[0]
        raise core.InputError(f"weights.{key}", refusal.message) from None
    if req.explicit_hidden_size is not None and req.explicit_hidden_size != params.hidden_size:
        raise core.InputError("hidden_size", f"is {req.explicit_hidden_size}, but the weights have H = "
                              f"{params.hidden_size}: leave it out with imported weights, or make them agree")
    return params


def _config(req: UnfoldRequest, params: DeepParams, seq: core.Sequence) -> dict:
    cell = params.cell
    forget_bias = None
    if cell in DEFAULT_FORGET_BIAS:
        forget_bias = DEFAULT_FORGET_BIAS[cell] if req.forget_bias is None else req.forget_bias
    echo = {name: getattr(req, name) for name in ("input_bias", "update_bias") if getattr(req, name) is not None}
    return {
        **echo, "task": req.task, "cell": cell, "gates": list(GATES[cell]),
        "activation": req.resolved_activation if cell == "rnn" else None, "output": req.resolved_output,
        "hidden_size": params.hidden_size, "input_size": params.input_size, "output_size": seq.y.shape[1],
        "steps": seq.steps, "seed": req.seed, "spectral_radius": None, "forget_bias": forget_bias,
        "truncate": req.truncate, "digits": req.digits, "include": [],
        "gradcheck_cost": gradcheck_cost_deep(params, seq.steps),
        "layers": len(params.layers), "bidirectional": params.directions == 2,
        "embedding": None if params.E is None else params.E.shape[1],
    }


def _layers(fwd: DeepForward, bwd: DeepBackward) -> list[dict]:
    steps = fwd.h.shape[0]
    gains = layer_gains(bwd.flow, fwd.has_loss, fwd.params.directions == 2)
    layers = []
    for i, (runs, directions) in enumerate(zip(fwd.layers, bwd.layers, strict=True)):
        shown = []
        for d, (run, direction) in enumerate(zip(runs, directions, strict=True)):
            turn = lambda values: None if values is None else np.ascontiguousarray(values[::-1] if d else values)  # noqa: E731, B023
            H = run.h.shape[1]
            gates = None if run.gates is None else {
                name: turn(run.gates[:, k * H:(k + 1) * H]) for k, name in enumerate(GATE_VALUES[run.params.cell])}
            shown.append({
                "direction": DIRECTIONS[d],
                "forward": {key: value for key, value in (("a", turn(run.a)), ("gates", gates), ("h", turn(run.h)),
                                                          ("s", turn(run.s))) if value is not None},
                "errors": {key: value for key, value in (("h", direction.dh), ("a", direction.da), ("s", direction.ds),
                                                          ("h0", direction.dh0), ("s0", direction.ds0))
                           if value is not None},
                "flows": {key: by_step(np.sqrt(value), np.flatnonzero(fwd.has_loss), steps) for key, value in
                          (("h", direction.flow2), ("s", direction.flow2_s)) if value is not None},
            })
        layers.append({"layer": i + 1, "flows": {"h": bwd.flow[i]}, "gain": gains[i], "directions": shown})
    return layers


def unfold_deep(req: UnfoldRequest, params: DeepParams | None = None) -> dict:
    """The stack's whole unfolded computation, shaped as UnfoldResponse with `depth` (of ``params``,
    trained ones, if given; else the request's)."""
    resolved, seq, tokens = resolve_deep(req)
    params = params or resolved
    fwd = forward_deep(params, seq.x, seq.y, seq.has_loss, tokens=tokens, activation=req.resolved_activation,
                       output=req.resolved_output)
    bwd = backward_deep(fwd, req.truncate)
    answer = {
        "config": _config(req, params, seq),
        "vocab": list(seq.vocab) if seq.vocab else None,
        "weights": params.as_dict(),
        "forward": {"x": fwd.x, "y": fwd.y, "has_loss": fwd.has_loss, "h": fwd.h, "o": fwd.o, "y_hat": fwd.y_hat,
                    "loss": fwd.loss, "total_loss": fwd.total_loss},
        "errors": {"o": bwd.do, "h": np.hstack([direction.dh for direction in bwd.layers[-1]]), "x": bwd.dx},
        "gradients": {"total": bwd.grads, "norms": step_norms_deep(fwd, bwd)},
        "flows": {"h": bwd.flow[-1]},
        "depth": {"layers": _layers(fwd, bwd), "directions": list(DIRECTIONS[:params.directions])},
    }
    if tokens is not None:  # what the embedding looked up, step by step
        answer["depth"]["tokens"] = tokens
    if req.imported is not None:
        found = req.imported
        answer["imported"] = {"format": found.format, "cell": found.cell, "mapping": found.mapping,
                              "notes": list(found.notes)}
    return rounded(answer, req.digits)


def gradcheck_cost_deep(params: DeepParams, steps: int) -> int:
    """Step evaluations a stack's finite differences need: two forward passes of every layer and
    direction for each number of its parameters."""
    count = sum(value.size for value in params.as_dict().values())
    return 2 * count * steps * len(params.layers) * params.directions


def gradcheck_deep(req: UnfoldRequest, pools=None, eps: float = 1e-5) -> dict:
    """A stack's every gradient against central finite differences, full BPTT (a window keeps only
    the paths inside it, which differences cannot check: the core's tests hold it to the reference)."""
    if req.truncate is not None:
        raise core.InputError("truncate", "finite differences check a stack's full BPTT; a window keeps only the "
                              "paths inside it, which they cannot check (leave truncate out)")
    params, seq, tokens = resolve_deep(req)
    cost = gradcheck_cost_deep(params, seq.steps)
    if cost > MAX_GRADCHECK_COST:
        raise core.InputError(req.data_field, f"finite differences here would cost {cost:,} step evaluations; the "
                              f"limit is {MAX_GRADCHECK_COST:,} (use fewer steps, layers, hidden units or characters)")
    args = (params, seq.x, seq.y, seq.has_loss, tokens, req.resolved_activation, req.resolved_output, eps)
    report = check_gradients_deep(*args) if pools is None else pools.apart.submit(check_gradients_deep, *args).result()
    return rounded({
        "config": _config(req, params, seq), "eps": eps, "max_relative_error": report["relative"],
        "max_abs_error": report["max_abs_error"], "largest_gradient": report["largest"], "agrees": report["agrees"],
        "tolerance": TOLERANCE, "rounding_floor": report["floor"],
    }, req.digits)


def train_cost_deep(req: TrainRequest, params: DeepParams, steps: int) -> int:
    """settings.MAX_TRAIN_COST's units for a stack: every update sweeps every source through every
    layer and direction, about T^2 G H^2 / 20 units each, and 2000 G a step (measured here: 5 to
    10 ns a unit, as one layer's)."""
    G, H = blocks(params.cell), params.hidden_size
    return req.steps * len(params.layers) * params.directions * steps * (steps * G * H * H // 20 + 2000 * G)


def train_deep(req: TrainRequest, pools=None) -> dict:
    """`steps` updates of every parameter of a stack on its sequence; the weights and the
    optimizer's state come back at full precision under the canonical names, to resume exactly."""
    if req.dataset is not None:
        raise core.InputError(req.deep_field, "a stack trains on a typed sequence; training on a generated task is "
                              "for one layer, one way (leave it out, or type a sequence)")
    params, seq, _ = resolve_deep(req)
    cost = train_cost_deep(req, params, seq.steps)
    if cost > MAX_TRAIN_COST:
        raise core.InputError("steps", f"{req.steps} steps of this stack and sequence cost {cost:,} units; the limit "
                              f"is {MAX_TRAIN_COST:,} a request (ask for fewer steps per request, or use a shorter "
                              "sequence, fewer layers or fewer hidden units)")
    clip = None if req.clip is None else core.Clip(req.clip.mode, req.clip.threshold)
    trained = core.train(params, seq, req.steps, req.resolved_learning_rate, optimizer_state_of(req, params),
                         activation=req.resolved_activation, output=req.resolved_output, truncate=req.truncate,
                         clip=clip)
    tokens = seq.x.argmax(axis=1) if trained.params.E is not None else None
    final = forward_deep(trained.params, seq.x, seq.y, seq.has_loss, tokens=tokens,
                         activation=req.resolved_activation, output=req.resolved_output)
    return {
        "config": rounded(_config(req, trained.params, seq), req.digits),
        "optimizer": req.optimizer, "learning_rate": req.resolved_learning_rate,
        "clip": None if req.clip is None else req.clip.model_dump(),
        "losses": rounded(trained.losses, req.digits), "grad_norms": rounded(trained.grad_norms, req.digits),
        "clipped": trained.clipped.tolist(), "step": trained.state.step, "final_loss": final.total_loss,
        "weights": trained.params.as_dict(), "optimizer_state": state_out(trained.state),
        "unfold": unfold_deep(req, trained.params) if req.unfold else None,
    }


def sample_stack(req) -> dict:
    """Text a one-way stack would write (a SampleRequest), drawn as one layer's is."""
    params, seq, _ = resolve_deep(req)
    start = req.start if req.start is not None else req.sequence[0]
    text = sample_deep(params, seq.vocab, start, req.length, req.temperature, req.sample_seed,
                       activation=req.resolved_activation)
    return {"start": start, "text": text, "temperature": req.temperature, "vocab": list(seq.vocab)}
