"""The optimizer's state between two training requests: read from a request, written into an
answer (one layer's, or a stack's by its canonical names)."""

import numpy as np

import core

from .schemas import TrainRequest


def optimizer_state_of(req: TrainRequest, params) -> core.OptimizerState:
    """The optimizer's state a request resumes (its arrays by the parameters' names), or a new one."""
    state = req.optimizer_state
    if state is None:
        return core.new_optimizer_state(req.optimizer, params)
    def arrays(w) -> dict | None:  # a stack's come as a plain dict of its canonical names
        if w is None:
            return None
        named = w if isinstance(w, dict) else w.model_dump(exclude_none=True)
        return {name: np.array(value, dtype=np.float64) for name, value in named.items()}

    return core.OptimizerState(state.optimizer, state.step, arrays(state.m), arrays(state.v))


def state_out(state: core.OptimizerState) -> dict:
    """The optimizer's state as an answer gives it, at full precision."""
    out = {"optimizer": state.optimizer, "step": state.step}
    if state.m is not None:
        out["m"] = state.m
    if state.v is not None:
        out["v"] = state.v
    return out
