"""The backward pass of a stack (MATH.md, "Depth: embeddings, stacked layers, both directions"):
the one sweep (sweep.py) for every layer and direction, from the top layer down. Each layer hands
the one below the error every source sends to its input, U_l^T da^(l,t<-s); a reverse direction
is swept in its own time and its numbers turned back to step order.
"""

from dataclasses import dataclass

import numpy as np

from .bptt import by_step
from .cells import CELL_MODULES
from .deep import LAYER_PARAMS, DeepForward, each_direction, in_steps, param_key
from .errors import InputError, NumericalOverflow
from .sweep import sweep
from .unfold import Forward, first_nonfinite_row


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
    steps = fwd.h.shape[0]
    do = (fwd.y_hat - fwd.y) * fwd.has_loss[:, None]
    sources = np.flatnonzero(fwd.has_loss)
    from_above = None  # (T, n, dirs H): U_{l+1}^T da^(l+1,t<-s), in step and source order
    layers, flows, grads = [], [], {}
    for i in range(len(p.layers) - 1, -1, -1):
        into = _sends(fwd, i, len(sources), from_above is None)
        done = each_direction(lambda d, i=i, above=from_above, into=into: _swept(
            fwd, i, d, do, sources, above, into[d], truncate), p.directions)
        sends = _sent(into, sources)
        for d, direction in enumerate(done):
            for name, value in direction.grads.items():
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
    return DeepBackward(do, tuple(layers), tuple(by_step(np.sqrt(f), sources, steps) for f in flows), dx, ordered,
                        truncate)


def _sends(fwd: DeepForward, i: int, n: int, top: bool) -> tuple:
    """Where layer i + 1's directions put what they send to its input, one (array, own rows) each,
    run at once: (T, n, D) by step and source. The top layer's directions reach the same rows
    only at each source's own step (forward in time s >= t, the reverse s <= t; below the top
    both reach |s - t| < k): they share one array they write, each source's own row apart. Below,
    each direction adds into a zeroed array of its own. Layer 1 sends nothing."""
    if i == 0:
        return (None,) * fwd.params.directions
    shape = (fwd.h.shape[0], n, fwd.params.layers[i][0].sizes[0])
    if top:
        shared = np.empty(shape)  # every row the layer below reads is written
        return tuple((shared, np.zeros((shape[0], shape[2]))) for _ in range(fwd.params.directions))
    return tuple((np.zeros(shape), None) for _ in range(fwd.params.directions))


def _sent(into: tuple, sources: np.ndarray) -> np.ndarray | None:
    """What the layer sends, whole, in step and source order: the directions' arrays summed, or the
    shared one with each source's own row the sum of the directions' (a reverse direction's own
    rows turned to step order)."""
    if into[0] is None:
        return None
    arrays = [array for array, _ in into]
    if into[0][1] is None:
        if len(arrays) == 2:
            arrays[0] += arrays[1]
        return arrays[0]
    sends = arrays[0]
    sends[sources, np.arange(len(sources))] = sum(in_steps(own, d)[sources] for d, (_, own) in enumerate(into))
    return sends


def _swept(fwd: DeepForward, i: int, d: int, do: np.ndarray, sources: np.ndarray, from_above: np.ndarray | None,
           into: tuple, truncate: int | None) -> Direction:
    """Layer i + 1's direction d swept: the top's sources enter at their own step, a lower layer's
    from what the layer above sends (``from_above``, in step order); what this one sends to its
    input goes to ``into`` (_sends; None for layer 1)."""
    p, steps = fwd.params, fwd.h.shape[0]
    run = fwd.layers[i][d]
    part = slice(d * p.hidden_size, (d + 1) * p.hidden_size)
    own = in_steps(do @ p.V[:, part], d) if from_above is None else None
    inject = None if from_above is None else _turned(from_above[:, :, part], d)
    swept = sweep(run, _sources_in(sources, steps, d), truncate, own=own, inject=inject,
                  both_ways=from_above is not None and p.directions == 2, shares=False,
                  below=None if into is None else (run.params.U, _turned(into[0], d), into[1]))
    return _direction(run, swept, d)


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
    turn = lambda values: None if values is None else np.ascontiguousarray(in_steps(values, direction))  # noqa: E731
    both = lambda rows: None if rows is None else np.ascontiguousarray(rows[::-1, ::-1] if direction else rows)  # noqa: E731
    flow2, flow2_s = both(swept.flow2), both(swept.flow2_s)  # [source row, step], both in step order
    return Direction(turn(swept.dh), turn(da), turn(swept.ds), swept.dh0, swept.ds0, flow2, flow2_s, grads)



def step_norms_deep(fwd: DeepForward, bwd: DeepBackward) -> dict[str, np.ndarray]:
    """The Frobenius norm of every parameter's contribution at each step, (T,) in step order, by
    canonical name, without forming them (the norm of u v^T is ||u|| ||v||). E's contribution at
    step t is dx^(t) in the row of token t."""
    norm = lambda rows: np.linalg.norm(rows, axis=1)  # noqa: E731
    out = {}
    for i, (runs, directions) in enumerate(zip(fwd.layers, bwd.layers, strict=True)):
        for d, (run, direction) in enumerate(zip(runs, directions, strict=True)):
            cell = CELL_MODULES[run.params.cell]
            da = in_steps(direction.da, d)  # in the direction's own time, as its Forward's arrays
            parts = {"U": norm(da) * norm(run.x), "b": norm(da),
                     **{name: norm(part) for name, part in cell.extra_grads(run, da).items()}}
            if run.params.W is not None:
                parts["W"] = norm(cell.weight_errors(run, da)) * norm(run.h_prev)
            for name in LAYER_PARAMS[run.params.cell]:
                out[param_key(name, i + 1, d)] = np.ascontiguousarray(in_steps(parts[name], d))
    out |= {"V": norm(bwd.do) * norm(fwd.h), "c": norm(bwd.do)}
    if fwd.params.E is not None:
        out["E"] = norm(bwd.dx)
    return {name: out[name] for name in fwd.params.as_dict()}
