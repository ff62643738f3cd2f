"""Turns a validated request into core calls and the core's records into response dicts.

Arrays stay NumPy arrays all the way to the JSON encoder (orjson serialises them directly),
rounded to the significant digits the request asks for.
"""

from collections.abc import Iterator
from dataclasses import replace

import numpy as np

import core
from core.contract import DEFAULT_FORGET_BIAS
from core.deep import deep_from_arrays, param_key
from core.gradcheck import TOLERANCE, check_gradients
from core.interchange import to_keras_stack, to_pytorch_stack

from .depth import gradcheck_deep, sample_stack, train_deep, unfold_deep
from .encoding import rounded
from .optimizer import optimizer_state_of, state_out
from .pools import Pools
from .resolve import Problem, gradcheck_cost, resolve, sections_of, train_cost
from .schemas import ConvertRequest, DatasetRequest, SampleRequest, TrainRequest, UnfoldRequest
from .settings import (
    LATE_SECTIONS,
    MAX_GRADCHECK_COST,
    MAX_HEAVY_NUMBERS,
    MAX_JACOBIAN_COST,
    MAX_TRAIN_COST,
)


def _config(req: UnfoldRequest, problem: Problem, sections: tuple[str, ...] = ()) -> dict:
    D, H, K = problem.params.sizes
    cell = problem.params.cell
    seeded_forget = cell in DEFAULT_FORGET_BIAS and req.weights is None
    forget_bias = (DEFAULT_FORGET_BIAS[cell] if req.forget_bias is None else req.forget_bias) if seeded_forget else None
    task = req.task
    if req.dataset is not None:  # the dataset's own loss steps; its config says which
        task = "many-to-many" if req.dataset.name == "copy" else "many-to-one"
        echo = {"dataset": req.dataset.resolved().described(), "index": req.index or 0}
    else:
        echo = {}
    for name in ("input_bias", "update_bias"):  # echoed only when asked for: older answers keep their bytes
        if getattr(req, name) is not None:
            echo[name] = getattr(req, name)
    return {
        **echo,
        "task": task, "cell": cell, "gates": list(core.GATES[cell]),
        "activation": problem.activation if cell == "rnn" else None, "output": problem.output,
        "hidden_size": H, "input_size": D, "output_size": K, "steps": problem.seq.steps, "seed": req.seed,
        "spectral_radius": core.spectral_radius(problem.params.W) if cell == "rnn" else None,
        "forget_bias": forget_bias, "truncate": problem.truncate, "digits": req.digits, "include": list(sections),
        "gradcheck_cost": gradcheck_cost(problem),
    }


def _present(**sections) -> dict:
    """The sections that apply: a quantity the cell does not have is left out, not null."""
    return {name: value for name, value in sections.items() if value is not None}


def _gates(fwd: core.Forward) -> dict | None:
    if fwd.gates is None:
        return None
    return {name: np.ascontiguousarray(values) for name, values in fwd.gates_by_name().items()}


def unfold(req: UnfoldRequest, pools: Pools | None = None) -> dict:
    """The whole unfolded computation as a dict of arrays, shaped as UnfoldResponse. ``pools``:
    the app's executors (the Jacobian norms' SVDs share pools.beside); None computes inline."""
    return _joined(unfold_parts(req, pools))


def _joined(parts: Iterator) -> dict:
    answer, _ = next(parts)
    for late in parts:
        answer |= late
    return answer


def unfold_parts(req: UnfoldRequest, pools: Pools | None = None, problem: Problem | None = None) -> Iterator:
    """The answer in the order it is computed: first (entries, names of those still to come),
    every entry the network is drawn from; then a dict of the flows (and what was imported);
    then one of the late sections, if any (none for a stack, both directions or an embedding,
    which depth.py answers whole, in one part). ``problem``: the resolved request, when the
    caller has it (a trained network's)."""
    if problem is None and req.is_deep:
        yield unfold_deep(req), ()
        return
    problem = problem or resolve(req)
    sections = sections_of(req, problem)
    fwd = core.forward(problem.params, problem.seq, problem.activation, problem.output, problem.h0, problem.s0)
    bwd = core.backward(
        fwd, problem.truncate, by_source="flows_by_unit" in sections, shares="flow_shares" in sections
    )
    gradients = {"total": bwd.grads, "norms": core.step_norms(fwd, bwd)}
    if "per_step_gradients" in sections:
        gradients["per_step"] = core.step_contributions(fwd, bwd)
    flows = _present(
        h=bwd.flow, s=bwd.flow_s, share=bwd.share if "flow_shares" in sections else None, by_unit=bwd.dh_by_source
    )
    answer = _present(
        config=_config(req, problem, sections),
        vocab=list(problem.seq.vocab) if problem.seq.vocab else None,
        weights=problem.params.as_dict(),
        h0=fwd.h0,
        s0=fwd.s0,
        forward=_present(
            x=fwd.x, y=fwd.y, has_loss=fwd.has_loss, a=fwd.a, gates=_gates(fwd), h=fwd.h, s=fwd.s, o=fwd.o,
            y_hat=fwd.y_hat, loss=fwd.loss, total_loss=fwd.total_loss,
        ),
        errors=_present(o=bwd.do, h=bwd.dh, s=bwd.ds, a=bwd.da, x=bwd.dx, h0=bwd.dh0, s0=bwd.ds0),
        gradients=gradients,
    )
    # the flows (T x T: at T = 1024, two thirds of the bytes) go out after what the network is
    # drawn from, rounded and packed while that is on its way; the entries keep their order
    after = {"flows": flows} | ({} if "vocab" in answer else {"vocab": None})
    if req.imported is not None:
        after["imported"] = _imported(req.imported)
    late = tuple(section for section in LATE_SECTIONS if section in sections)
    yield rounded(answer, req.digits), (*after, *late)
    yield rounded(after, req.digits)
    if not late:
        return
    later = {}
    if "gain" in sections:
        later["gain"] = core.error_gain(fwd, bwd, max(1, MAX_JACOBIAN_COST // fwd.h.shape[1] ** 3),
                                        None if pools is None else pools.beside)
    if "truncation" in sections:
        later["truncation"] = _truncation(fwd, bwd, problem.truncate)
    yield rounded(later, req.digits)


def _imported(found: core.Imported) -> dict:
    return {"format": found.format, "cell": found.cell, "mapping": found.mapping, "notes": list(found.notes)}


def _truncation(fwd: core.Forward, bwd: core.Backward, truncate: int | None) -> dict:
    """||truncated - full|| / ||full|| per parameter; the full gradient from the one-row sweep."""
    full = core.gradients(fwd) if truncate is not None else bwd.grads
    relative, full_norm = {}, {}
    for name, value in full.items():
        size = float(np.linalg.norm(value))
        full_norm[name] = size
        relative[name] = float(np.linalg.norm(bwd.grads[name] - value)) / size if size > 0 else 0.0
    return {"window": truncate, "relative": relative, "full_norm": full_norm}


def gradcheck(req: UnfoldRequest, pools: Pools | None = None, eps: float = 1e-5) -> dict:
    """Largest relative error of every analytic gradient against finite differences."""
    if req.is_deep:
        return gradcheck_deep(req, pools, eps)
    problem = resolve(req)
    cost = gradcheck_cost(problem)
    if cost > MAX_GRADCHECK_COST:
        raise core.InputError(
            req.data_field,
            f"finite differences here would cost {cost:,} step evaluations; the limit is {MAX_GRADCHECK_COST:,} "
            "(use fewer steps, hidden units or characters)",
        )
    args = (problem.params, problem.seq, problem.activation, problem.output, problem.h0, problem.truncate, eps,
            problem.s0)
    # in the app's process of its own (pools.apart), so that its GIL-bound loops slow no answer
    report = check_gradients(*args) if pools is None else pools.apart.submit(check_gradients, *args).result()
    errors = report["relative"]
    if not all(np.isfinite(value) for value in errors.values()):  # J(θ ± ε) overflowed where J did not
        raise core.InputError(
            req.data_field,
            "finite differences overflow here (J moved by ε is not a finite number): the check needs smaller "
            "inputs, a smaller spectral_radius or a bounded activation",
        )
    return rounded({
        "config": _config(req, problem), "eps": eps, "max_relative_error": errors,
        "max_abs_error": report["max_abs_error"], "largest_gradient": report["largest"], "agrees": report["agrees"],
        "tolerance": TOLERANCE, "rounding_floor": report["floor"],
    }, req.digits)


def train(req: TrainRequest, pools: Pools | None = None) -> dict:
    """`steps` updates; the weights and the optimizer's state come back at full precision, so
    the next request continues exactly (MATH.md, "Training")."""
    if req.is_deep:
        return train_deep(req, pools)
    problem = resolve(req)
    cost = train_cost(req, problem)
    if cost > MAX_TRAIN_COST:
        raise core.InputError(
            "steps", f"{req.steps} steps of this network and {'dataset' if req.dataset else 'sequence'} cost "
            f"{cost:,} units; the limit is "
            f"{MAX_TRAIN_COST:,} a request (ask for fewer steps per request, or use a shorter sequence or fewer "
            "hidden units)",
        )
    clip = None if req.clip is None else core.Clip(req.clip.mode, req.clip.threshold)
    dataset = None if req.dataset is None else req.dataset.resolved()
    trained = core.train(
        problem.params, dataset or problem.seq, req.steps, req.resolved_learning_rate,
        optimizer_state_of(req, problem.params), activation=problem.activation, output=problem.output,
        h0=problem.h0, s0=problem.s0, truncate=problem.truncate, clip=clip,
    )
    now = replace(problem, params=trained.params)
    if dataset is not None:
        held_out = core.evaluate(now.params, dataset, h0=now.h0, s0=now.s0)
        final_loss = held_out["loss"]
    else:
        held_out = None
        final_loss = core.forward(now.params, now.seq, now.activation, now.output, now.h0, now.s0).total_loss
    answer = {
        "config": rounded(_config(req, now), req.digits),
        "optimizer": req.optimizer, "learning_rate": req.resolved_learning_rate,
        "clip": None if req.clip is None else req.clip.model_dump(),
        "losses": rounded(trained.losses, req.digits), "grad_norms": rounded(trained.grad_norms, req.digits),
        "clipped": trained.clipped.tolist(), "step": trained.state.step, "final_loss": final_loss,
        # at full precision: the next request continues from exactly these numbers
        "weights": trained.params.as_dict(), "optimizer_state": state_out(trained.state),
        "unfold": _joined(unfold_parts(req, pools, now)) if req.unfold else None,
    }
    if held_out is not None:
        answer["eval"] = rounded(held_out, req.digits)
    return answer


def dataset(req: DatasetRequest, pools: Pools | None = None) -> dict:
    """A batch of the task exactly as training draws it: update n's, or (step 0) the held-out one."""
    data = req.dataset.resolved()
    size = core.tasks.EVAL_BATCH if req.step == 0 else data.batch
    D, _ = data.sizes
    if size * data.length * D > MAX_HEAVY_NUMBERS:
        raise core.InputError("dataset", f"this batch holds {size * data.length * D:,} input numbers; the limit is "
                              f"{MAX_HEAVY_NUMBERS:,} (use a shorter length, a smaller batch or fewer classes)")
    batch = data.update_batch(req.step) if req.step else data.held_out()
    labels = batch.labels if data.output == "identity" else batch.labels.astype(np.int64)
    return {
        "dataset": data.described(),
        "step": req.step, "seed": [data.seed, req.step], "output": data.output,
        "input_size": D, "output_size": data.sizes[1], "loss_steps": data.loss_steps.tolist(), "chance": data.chance,
        "inputs": batch.x, "targets": labels,
    }


def sample(req: SampleRequest, pools: Pools | None = None) -> dict:
    if req.is_deep:
        return sample_stack(req)
    problem = resolve(req)
    start = req.start if req.start is not None else req.sequence[0]
    text = core.sample(
        problem.params, problem.seq.vocab, start, req.length, req.temperature, req.sample_seed,
        activation=problem.activation, h0=problem.h0, s0=problem.s0,
    )
    return {"start": start, "text": text, "temperature": req.temperature, "vocab": list(problem.seq.vocab)}


def convert(req: ConvertRequest, pools: Pools | None = None) -> dict:
    """The same weights in another format, checked as an unfold would check them (D and K read
    from the weights themselves)."""
    found = req.imported
    if found.is_stack:
        return _convert_stack(req, found)
    U, V = found.arrays.get("U"), found.arrays.get("V")
    D = U.shape[1] if U is not None and U.ndim == 2 else 0  # 0: params_from_arrays names what is wrong
    K = V.shape[0] if V is not None and V.ndim == 2 else 0
    params = core.params_from_arrays(found.arrays, D, K, found.cell)
    arrays = params.as_dict()
    weights = arrays
    if req.to == "pytorch":
        weights = core.to_pytorch(arrays, params.cell, req.module, req.head)
    elif req.to == "keras":
        weights = core.to_keras(arrays, params.cell, req.module, req.head)
    return {"imported": _imported(found), "weights": weights}


def _convert_stack(req: ConvertRequest, found: core.Imported) -> dict:
    """A stack's weights, checked as an unfold would check them (D, K and the tokens read from the
    weights), to canonical, PyTorch or Keras."""
    arrays = found.arrays
    first, V, E = arrays.get(param_key("U", 1, 0)), arrays.get("V"), arrays.get("E")
    D = first.shape[1] if first is not None and first.ndim == 2 else 0
    K = V.shape[0] if V is not None and V.ndim == 2 else 0
    tokens = E.shape[0] if E is not None and E.ndim == 2 else None
    if E is not None:
        D = tokens  # the one-hot size the embedding's rows stand for
    params = deep_from_arrays(arrays, found.cell, found.layers, found.bidirectional, D, K, tokens=tokens)
    weights = params.as_dict()
    if req.to == "pytorch":
        weights = to_pytorch_stack(weights, params.cell, len(params.layers), params.directions == 2, req.module,
                                   req.head)
    elif req.to == "keras":
        weights = to_keras_stack(weights, params.cell, len(params.layers), params.directions == 2, req.module,
                                 req.head)
    return {"imported": _imported(found), "weights": weights}
