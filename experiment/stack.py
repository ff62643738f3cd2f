"""make models, for a stack (issue 28): a 2-layer LSTM reading an embedding, trained on a short
text with the project's own training (core.train on a stack), one JSON checkpoint beside the
experiment's. What it measures before and after training is what its preset says: the loss, and
each layer's gain G_l(d) at d = DISTANCE (core.gain.layer_gains: how much of a loss's error, as
the top layer receives it at its own step, reaches layer l d steps back)."""

import numpy as np
from threadpoolctl import threadpool_limits

import core
from core.deep import forward_deep, init_deep
from core.deep_backward import backward_deep
from core.gain import layer_gains

TEXT = "the cat sat on the mat. the dog sat on the log. "
RUN = {"cell": "lstm", "layers": 2, "bidirectional": False, "embedding": 8, "hidden_size": 16, "seed": 0,
       "steps": 300, "optimizer": "adam", "learning_rate": 0.01}
DISTANCE = 5
NAME = "stack-text-lstm-L2-seed0"


def measure(params, seq: core.Sequence) -> dict:
    """The loss J and each layer's G_l(DISTANCE) on the text (None where no error reaches)."""
    fwd = forward_deep(params, seq.x, seq.y, seq.has_loss, tokens=seq.x.argmax(axis=1))
    gains = layer_gains(backward_deep(fwd).flow, seq.has_loss, params.directions == 2)
    return {"loss": fwd.total_loss, "gain_back": [g["back"][DISTANCE] for g in gains]}


def run_stack() -> dict:
    """Deterministic: seeded weights, the same text every update, float64 on one BLAS thread."""
    with threadpool_limits(1, user_api="blas"):
        seq = core.encode_text(TEXT)
        K = len(seq.vocab)
        params = init_deep(K, RUN["hidden_size"], K, cell=RUN["cell"], layers=RUN["layers"],
                           bidirectional=RUN["bidirectional"], embedding=RUN["embedding"], seed=RUN["seed"])
        before = measure(params, seq)
        trained = core.train(params, seq, RUN["steps"], RUN["learning_rate"],
                             core.new_optimizer_state(RUN["optimizer"], params))
        after = measure(trained.params, seq)
    weights = {name: np.asarray(value).tolist() for name, value in trained.params.as_dict().items()}
    return {"name": NAME, "kind": "stack", **RUN, "text": TEXT, "vocab": list(seq.vocab), "distance": DISTANCE,
            "before": before, "after": after, "weights": weights, "numpy": np.__version__}
