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


def _load(params: core.Params, weight_ih, weight_hh, bias_ih, bias_hh) -> None:
    """Our weights into a torch recurrent layer's (MATH.md's mapping: bias_hh carries only b_hn)."""
    H = params.sizes[1]
    with torch.no_grad():
        weight_ih.copy_(torch.tensor(params.U))
        weight_hh.copy_(torch.tensor(params.W))
        bias_ih.copy_(torch.tensor(params.b))
        bias_hh.zero_()
        if params.cell == "gru":
            bias_hh[2 * H:] = torch.tensor(params.b_hn)


def _cell_module(params: core.Params):
    """torch.nn.LSTMCell / GRUCell holding our weights."""
    D, H, _ = params.sizes
    module = {"lstm": torch.nn.LSTMCell, "gru": torch.nn.GRUCell}[params.cell](D, H)
    _load(params, module.weight_ih, module.weight_hh, module.bias_ih, module.bias_hh)
    return module


def gated_batched(params: core.Params, seq: core.Sequence) -> tuple[np.ndarray, np.ndarray | None, dict]:
    """The LSTM or GRU stepped one input at a time, every h^(t) (and cell state) a node of the
    graph; all sources in one vmapped backward pass. Returns F along h, F along s (LSTM: the
    total dJ^(s)/ds^(t), its own path plus the one through h^(t)) and the gradients."""
    module = _cell_module(params)
    V, c = torch.tensor(params.V, requires_grad=True), torch.tensor(params.c, requires_grad=True)
    x, y = torch.tensor(seq.x), torch.tensor(seq.y)
    H = params.sizes[1]
    lstm = params.cell == "lstm"
    h, s = torch.zeros(H), torch.zeros(H)
    hs, ss = [], []
    for t in range(seq.steps):
        if lstm:
            h, s = (v[0] for v in module(x[t][None], (h[None], s[None])))
            ss.append(s)
        else:
            h = module(x[t][None], h[None])[0]
        hs.append(h)
    o = torch.stack(hs) @ V.T + c
    losses = -(y * torch.log_softmax(o, dim=1)).sum(dim=1)
    steps = seq.steps
    nodes = hs + ss
    grads = torch.autograd.grad(losses, nodes, grad_outputs=torch.eye(steps), is_grads_batched=True,
                                retain_graph=True, allow_unused=True, materialize_grads=True)
    dh = torch.stack(grads[:steps], dim=1)  # [s, t, unit]
    flow_s = None
    if lstm:
        with torch.no_grad():
            h_prev = torch.vstack([torch.zeros(1, H), torch.stack(hs[:-1])])
            q = torch.sigmoid((x @ module.weight_ih.T + module.bias_ih + h_prev @ module.weight_hh.T)[:, 3 * H:])
            through_h = dh * q * (1 - torch.tanh(torch.stack(ss)) ** 2)
        # The fused cell computes h from its gates, not from its own s output: the path through
        # h^(t) is added by hand, and the last s (used by nothing) comes back without a batch.
        along_s = [g if g.dim() == 2 else torch.zeros(steps, H, dtype=g.dtype) for g in grads[steps:]]
        flow_s = (through_h + torch.stack(along_s, dim=1)).norm(dim=2).numpy()
    named = {"U": module.weight_ih, "W": module.weight_hh, "b": module.bias_ih, "V": V, "c": c}
    if not lstm:
        named["b_hn"] = module.bias_hh
    totals = dict(zip(named, torch.autograd.grad(losses.sum(), list(named.values())), strict=True))
    out = {name: g.numpy() for name, g in totals.items()}
    if not lstm:
        out["b_hn"] = out["b_hn"][2 * H:]
    return dh.norm(dim=2).numpy(), flow_s, out


def min_batched(params: core.Params, seq: core.Sequence) -> tuple[np.ndarray, dict]:
    """The minGRU or minLSTM written from MATH.md in torch, stepped one input at a time (no
    torch.nn module computes them), every h^(t) a node; all sources in one vmapped backward."""
    P = {name: torch.tensor(value, requires_grad=True) for name, value in params.as_dict().items()}
    x, y = torch.tensor(seq.x), torch.tensor(seq.y)
    H = params.sizes[1]
    a = x @ P["U"].T + P["b"]
    if params.cell == "mingru":
        z = torch.sigmoid(a[:, :H])
        alpha, beta = 1 - z, z * a[:, H:]
    else:
        f, i = torch.sigmoid(a[:, :H]), torch.sigmoid(a[:, H:2 * H])
        alpha, beta = f / (f + i), i / (f + i) * a[:, 2 * H:]
    h = torch.zeros(H)
    hs = []
    for t in range(seq.steps):
        h = alpha[t] * h + beta[t]
        hs.append(h)
    o = torch.stack(hs) @ P["V"].T + P["c"]
    losses = -(y * torch.log_softmax(o, dim=1)).sum(dim=1)
    steps = seq.steps
    grads = torch.autograd.grad(losses, hs, grad_outputs=torch.eye(steps), is_grads_batched=True, retain_graph=True)
    flow = torch.stack(grads, dim=1).norm(dim=2)
    totals = torch.autograd.grad(losses.sum(), list(P.values()))
    return flow.numpy(), {name: g.numpy() for name, g in zip(P, totals, strict=True)}


def batch_trainer(params: core.Params, dataset: core.Dataset, learning_rate: float, dtype=torch.float64):
    """PyTorch's own nn.RNN / nn.LSTM / nn.GRU (batch_first) and nn.Linear holding our weights,
    trained by torch.optim.Adam on the same batches (seed [seed, n]) with the loss of MATH.md:
    the batch mean of each sequence's loss summed over its loss steps. Returns step() -> J and
    weights() -> our parameters' names."""
    D, H, K = params.sizes
    kind = {"rnn": torch.nn.RNN, "lstm": torch.nn.LSTM, "gru": torch.nn.GRU}[params.cell]
    rnn = kind(D, H, batch_first=True).to(dtype)
    head = torch.nn.Linear(H, K).to(dtype)
    _load(params, rnn.weight_ih_l0, rnn.weight_hh_l0, rnn.bias_ih_l0, rnn.bias_hh_l0)
    with torch.no_grad():
        head.weight.copy_(torch.tensor(params.V))
        head.bias.copy_(torch.tensor(params.c))
    # bias_hh stays zero in our mapping (b carries both), but for the GRU's candidate block: freeze
    # the part the canonical model does not have by zeroing its gradient
    optimizer = torch.optim.Adam([*rnn.parameters(), *head.parameters()], lr=learning_rate, eps=1e-8)
    mask = torch.zeros(rnn.bias_hh_l0.shape, dtype=dtype)
    if params.cell == "gru":
        mask[2 * H:] = 1
    count = [0]

    def step() -> float:
        count[0] += 1
        batch = dataset.update_batch(count[0])
        x = torch.tensor(batch.x, dtype=dtype)
        steps = torch.tensor(np.flatnonzero(batch.has_loss))
        out, _ = rnn(x)
        o = head(out[:, steps])
        if batch.output == "softmax":
            loss = torch.nn.functional.cross_entropy(o.reshape(-1, K), torch.tensor(batch.labels).reshape(-1),
                                                     reduction="sum") / x.shape[0]
        else:
            loss = 0.5 * ((o[..., 0] - torch.tensor(batch.labels, dtype=dtype)) ** 2).sum() / x.shape[0]
        optimizer.zero_grad()
        loss.backward()
        rnn.bias_hh_l0.grad.mul_(mask)
        optimizer.step()
        return float(loss.detach())

    def weights() -> dict:
        with torch.no_grad():
            out = {"U": rnn.weight_ih_l0, "W": rnn.weight_hh_l0, "b": rnn.bias_ih_l0, "V": head.weight, "c": head.bias}
            out = {name: value.double().numpy().copy() for name, value in out.items()}
            if params.cell == "gru":
                out["b_hn"] = rnn.bias_hh_l0[2 * H:].double().numpy().copy()
        return out

    return step, weights


def deep_batched(params, seq: core.Sequence, tokens: np.ndarray) -> tuple[list, dict]:
    """A stack (issue 28): nn.Embedding's lookup, then each layer and direction an LSTMCell or
    GRUCell stepped one input at a time (a reverse direction from the last step), every h^(l,t) a
    node of the graph; all sources in one vmapped backward pass. Returns F_l per layer (the norm
    over both directions' states) and every gradient by core.deep's canonical names."""
    from core.deep import param_key

    E = torch.tensor(params.E, requires_grad=True)
    V, c = torch.tensor(params.V, requires_grad=True), torch.tensor(params.c, requires_grad=True)
    below = list(E[torch.tensor(tokens)])
    steps, H = seq.steps, params.hidden_size
    named, nodes = {}, []
    for i, layer in enumerate(params.layers):
        runs = []
        for d, p in enumerate(layer):
            module = {"lstm": torch.nn.LSTMCell, "gru": torch.nn.GRUCell}[p.cell](p.sizes[0], H)
            _load(p, module.weight_ih, module.weight_hh, module.bias_ih, module.bias_hh)
            h, s, hs = torch.zeros(H), torch.zeros(H), [None] * steps
            for t in (range(steps - 1, -1, -1) if d else range(steps)):
                if p.cell == "lstm":
                    h, s = (v[0] for v in module(below[t][None], (h[None], s[None])))
                else:
                    h = module(below[t][None], h[None])[0]
                hs[t] = h
            runs.append(hs)
            named |= {param_key("U", i + 1, d): module.weight_ih, param_key("W", i + 1, d): module.weight_hh,
                      param_key("b", i + 1, d): module.bias_ih}
            if p.cell == "gru":
                named[param_key("b_hn", i + 1, d)] = module.bias_hh
        nodes.append(runs)
        below = [torch.cat([hs[t] for hs in runs]) for t in range(steps)]
    o = torch.stack(below) @ V.T + c
    losses = -(torch.tensor(seq.y) * torch.log_softmax(o, dim=1)).sum(dim=1)
    flat = [h for runs in nodes for hs in runs for h in hs]
    grads = torch.autograd.grad(losses, flat, grad_outputs=torch.eye(steps), is_grads_batched=True,
                                retain_graph=True)
    flows, k = [], 0
    for runs in nodes:
        squared = 0
        for _ in runs:
            squared = squared + (torch.stack(grads[k:k + steps], dim=1) ** 2).sum(dim=2)  # [s, t]
            k += steps
        flows.append(squared.sqrt().numpy())
    named |= {"V": V, "c": c, "E": E}
    totals = dict(zip(named, torch.autograd.grad(losses.sum(), list(named.values())), strict=True))
    out = {name: g.numpy() for name, g in totals.items()}
    for name in [n for n in out if n.startswith("b_hn")]:
        out[name] = out[name][2 * H:]
    return flows, out
