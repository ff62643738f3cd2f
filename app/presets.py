"""Named example requests, each chosen to show one thing."""

import math

from .checkpoints import presets as trained_presets

# One loss at the end of a sentence whose first letter decides it: the long-range case the
# vanishing, edge, sigmoid, truncation and carousel presets each vary in one field.
LONG_RANGE = {"sequence": "the first letter decides this!", "task": "many-to-one", "hidden_size": 8, "seed": 3}
# ... opened on the last loss, traced back in its own colour.
TRACE_LAST = {"colour": "source", "source": "last", "step": "last"}

PRESETS = [
    {
        "name": "hello",
        "title": "A short word",
        "description": "Predict the next character of 'hello': four steps, every step has a loss.",
        "request": {"sequence": "hello", "hidden_size": 8, "seed": 0},
        "view": {"step": 1},
    },
    {
        "name": "pattern",
        "title": "A repeating pattern",
        "description": "'abcabc…': each loss's error reaches back through the W edges to every earlier step.",
        "request": {"sequence": "abcabcabcabc", "hidden_size": 6, "seed": 1},
        "view": {"step": 5},
    },
    {
        "name": "sine",
        "title": "A sine wave",
        "description": "Numbers: predict the next sample of a sine wave with a squared-error head.",
        "request": {
            "inputs": [round(math.sin(2 * math.pi * i / 12), 6) for i in range(25)],
            "hidden_size": 8, "output": "identity", "seed": 2,
        },
        "view": {"step": 12},
    },
    {
        "name": "vanishing",
        "title": "Vanishing gradients",
        "description": "Many-to-one over 29 steps with ρ(W) = 0.6: the single loss's error dies out "
        "long before it reaches the first input.",
        "request": {**LONG_RANGE, "spectral_radius": 0.6},
        "view": TRACE_LAST,
    },
    {
        "name": "exploding",
        "title": "Exploding gradients",
        "description": "Many-to-one over 20 steps with a linear activation and ρ(W) = 1.5: the error grows "
        "as it travels back.",
        "request": {
            "inputs": [round(0.1 * math.cos(i), 6) for i in range(21)], "task": "many-to-one",
            "activation": "identity", "output": "identity", "hidden_size": 8, "spectral_radius": 1.5, "seed": 4,
        },
        "view": TRACE_LAST,
    },
    {
        "name": "carousel",
        "title": "LSTM: the cell state carries the error",
        "description": "The vanishing sequence through an LSTM with its forget gates held open (forget bias 3): "
        "the loss's error travels back along the cell state s and still reaches the first input. "
        "Switch the cell to RNN to see it fade.",
        "request": {**LONG_RANGE, "cell": "lstm", "forget_bias": 3.0},
        "view": {**TRACE_LAST, "flowpath": "s"},
    },
    {
        "name": "gru",
        "title": "GRU: the update gate's shortcut",
        "description": "A repeating pattern through a GRU: where its update gate z is near 1 the state, and the "
        "error, pass through a step almost unchanged.",
        "request": {"sequence": "abcabcabcabc", "cell": "gru", "hidden_size": 6, "seed": 1},
        "view": {"step": 5},
    },
    {
        "name": "edge",
        "title": "The edge: ρ(W) = 1",
        "description": "The vanishing sequence at ρ(W) = 1, the border between shrinking and growing: tanh "
        "still saturates, so the error fades, but far more slowly than at 0.6. Drag the ρ(W) slider in the "
        "explorer across it.",
        "request": {**LONG_RANGE, "spectral_radius": 1.0},
        "view": TRACE_LAST,
    },
    {
        "name": "sigmoid",
        "title": "Sigmoid's 1/4",
        "description": "The same sequence with a sigmoid, whose slope is at most 1/4: even at ρ(W) = 1.5 "
        "the error is gone within a few steps, where tanh's would still carry (γ = 1/4, so "
        "‖W‖₂ < 4 is enough to vanish).",
        "request": {**LONG_RANGE, "activation": "sigmoid", "spectral_radius": 1.5},
        "view": TRACE_LAST,
    },
    {
        "name": "truncation_hurts",
        "title": "Truncation that hurts",
        "description": "The loss is at the end and the letter that decides it 28 steps back: a window k = 5 "
        "throws away most of ∂J/∂W (the explorer says how much). On the repeating pattern a window costs "
        "far less.",
        "request": {**LONG_RANGE, "truncate": 5},
        "view": TRACE_LAST,
    },
    {
        "name": "truncated",
        "title": "Truncated BPTT",
        "description": "The same pattern with a window k = 3: no error travels back more than two steps.",
        "request": {"sequence": "abcabcabcabc", "hidden_size": 6, "seed": 1, "truncate": 3},
        "view": {"step": 5},
    },
]
# ... and the experiment's trained models, each opened at the view that makes its point
PRESETS += trained_presets()
