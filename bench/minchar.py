"""The training peer: Karpathy's min-char-rnn (2015), its lossFun and its Adagrad update with
clipping to [-5, 5], written out from the well-known algorithm for the benchmark. The same
model as the core's simple RNN (Wxh = U, Whh = W, Why = V, bh = b, by = c; tanh, softmax, the
summed cross-entropy), run on the same sequence from h = 0 at every step."""

import numpy as np

import core

VOCAB = 65  # tiny Shakespeare's characters
T, H = 25, 100
TEXT = "First Citizen: Before we p"  # 26 characters: 25 steps


def problem(seed: int = 0):
    """A 65-character vocabulary and a 25-step window of text in it, as min-char-rnn trains."""
    extra = [chr(c) for c in range(33, 127) if chr(c) not in TEXT]
    chars = sorted(set(TEXT) | set(extra[: VOCAB - len(set(TEXT))]))
    index = {ch: i for i, ch in enumerate(chars)}
    ids = [index[ch] for ch in TEXT]
    eye = np.eye(VOCAB)
    seq = core.Sequence(eye[ids[:-1]], eye[ids[1:]], np.ones(T, dtype=bool), tuple(chars))
    rng = np.random.default_rng(seed)
    params = core.Params(  # min-char-rnn's initialisation: N(0, 0.01^2), zero biases
        U=rng.normal(0, 0.01, (H, VOCAB)), W=rng.normal(0, 0.01, (H, H)), b=np.zeros(H),
        V=rng.normal(0, 0.01, (VOCAB, H)), c=np.zeros(VOCAB),
    )
    return params, seq, ids


def loss_fun(inputs, targets, hprev, Wxh, Whh, Why, bh, by):
    xs, hs, ys, ps = {}, {}, {}, {}
    hs[-1] = np.copy(hprev)
    loss = 0.0
    for t in range(len(inputs)):
        xs[t] = np.zeros((VOCAB, 1))
        xs[t][inputs[t]] = 1
        hs[t] = np.tanh(np.dot(Wxh, xs[t]) + np.dot(Whh, hs[t - 1]) + bh)
        ys[t] = np.dot(Why, hs[t]) + by
        ps[t] = np.exp(ys[t]) / np.sum(np.exp(ys[t]))
        loss += -np.log(ps[t][targets[t], 0])
    dWxh, dWhh, dWhy = np.zeros_like(Wxh), np.zeros_like(Whh), np.zeros_like(Why)
    dbh, dby = np.zeros_like(bh), np.zeros_like(by)
    dhnext = np.zeros_like(hs[0])
    for t in reversed(range(len(inputs))):
        dy = np.copy(ps[t])
        dy[targets[t]] -= 1
        dWhy += np.dot(dy, hs[t].T)
        dby += dy
        dh = np.dot(Why.T, dy) + dhnext
        dhraw = (1 - hs[t] * hs[t]) * dh
        dbh += dhraw
        dWxh += np.dot(dhraw, xs[t].T)
        dWhh += np.dot(dhraw, hs[t - 1].T)
        dhnext = np.dot(Whh.T, dhraw)
    for dparam in [dWxh, dWhh, dWhy, dbh, dby]:
        np.clip(dparam, -5, 5, out=dparam)
    return loss, dWxh, dWhh, dWhy, dbh, dby, hs[len(inputs) - 1]


def trainer(params: core.Params, ids, learning_rate: float):
    """A closure taking one min-char-rnn step (lossFun, then Adagrad); returns its weights."""
    Wxh, Whh, Why = params.U.copy(), params.W.copy(), params.V.copy()
    bh, by = params.b[:, None].copy(), params.c[:, None].copy()
    mem = [np.zeros_like(p) for p in (Wxh, Whh, Why, bh, by)]
    inputs, targets = ids[:-1], ids[1:]

    def step():
        loss, *grads, _ = loss_fun(inputs, targets, np.zeros((H, 1)), Wxh, Whh, Why, bh, by)
        for param, dparam, m in zip((Wxh, Whh, Why, bh, by), grads, mem, strict=True):
            m += dparam * dparam
            param += -learning_rate * dparam / np.sqrt(m + 1e-8)
        return loss

    def weights():
        return {"U": Wxh, "W": Whh, "V": Why, "b": bh[:, 0], "c": by[:, 0]}

    return step, weights
