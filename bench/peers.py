"""The peer: PyTorch autograd computing what the core computes (float64, CPU), the best ways
it offers. Imported only by the benchmark; torch is never a runtime dependency."""

import numpy as np
import torch

import core

torch.set_default_dtype(torch.float64)


def _graph(params: core.Params, seq: core.Sequence):
    """Forward pass of the tanh / softmax RNN, keeping every h^(t) as its own graph node."""
    P = {name: torch.tensor(value, requires_grad=True) for name, value in params.as_dict().items()}
    x, y = torch.tensor(seq.x), torch.tensor(seq.y)
    inputs = x @ P["U"].T + P["b"]
    h = torch.zeros(params.W.shape[0])
    hs = []
    for t in range(seq.steps):
        h = torch.tanh(inputs[t] + P["W"] @ h)
        hs.append(h)
    o = torch.stack(hs) @ P["V"].T + P["c"]
    losses = -(y * torch.log_softmax(o, dim=1)).sum(dim=1)
    return P, hs, losses


def loop(params: core.Params, seq: core.Sequence) -> tuple[np.ndarray, dict]:
    """One torch.autograd.grad per source s, retaining the graph: F[s][t] = ||dJ^(s)/dh^(t)||."""
    P, hs, losses = _graph(params, seq)
    steps = seq.steps
    flow = torch.zeros(steps, steps)
    for s in range(steps):
        grads = torch.autograd.grad(losses[s], hs[: s + 1], retain_graph=True)
        flow[s, : s + 1] = torch.stack([g.norm() for g in grads])
    totals = torch.autograd.grad(losses.sum(), list(P.values()))
    return flow.numpy(), {name: g.numpy() for name, g in zip(P, totals, strict=True)}


def batched(params: core.Params, seq: core.Sequence) -> tuple[np.ndarray, dict]:
    """All sources in one vmapped backward pass (is_grads_batched=True, one-hot grad_outputs)."""
    P, hs, losses = _graph(params, seq)
    steps = seq.steps
    grads = torch.autograd.grad(losses, hs, grad_outputs=torch.eye(steps), is_grads_batched=True, retain_graph=True)
    flow = torch.stack(grads, dim=1).norm(dim=2)  # [s, t]
    totals = torch.autograd.grad(losses.sum(), list(P.values()))
    return flow.numpy(), {name: g.numpy() for name, g in zip(P, totals, strict=True)}


def versions() -> str:
    return f"torch {torch.__version__} ({torch.get_num_threads()} threads)"
