"""The experiment of issue 27, with the project's own training: the simple RNN, the LSTM and the
GRU trained on generated long-lag tasks, each run a small JSON checkpoint (``make models``).

A run is a pure function of its plan (task, length, cell, initial gate biases, optimizer, rate,
updates, seeds): the core's batches are drawn from the seed and its arithmetic is float64 on one
BLAS thread, so running it again writes the same bytes on the same machine and NumPy. Each
checkpoint carries the ``dataset`` object exactly as POST /api/v1/train takes it, the weights at
full precision, and what was measured on the held-out batch after training.
"""

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

import core

CHECKPOINTS = Path(__file__).resolve().parent / "checkpoints"
# Each cell's optimizer and rate, as the race's defaults (app.settings.RACE): Adam at 1e-2 for the
# simple RNN and the GRU, 3e-3 for the LSTM (its forget bias 1 unless the plan says otherwise).
RATES = {"rnn": 0.01, "lstm": 0.003, "gru": 0.01}
# "keep memory" at initialisation: the GRU's update gate and the LSTM's forget gate open, its input
# gate shut (the study behind issue 27 found the gated cells learn remember-first at long lags
# only so).
KEEP_MEMORY = {"rnn": {}, "lstm": {"forget_bias": 3.0, "input_bias": -3.0}, "gru": {"update_bias": 3.0}}
# The held-out numbers are measured every EVERY updates (the checkpoint's curve).
EVERY = 50
DEFAULT_INIT = {"rnn": {}, "lstm": {"forget_bias": 1.0}, "gru": {}}


@dataclass(frozen=True)
class Plan:
    """One run: a cell on a task, from a seeded initialisation, for ``steps`` updates."""

    task: str
    length: int
    cell: str
    steps: int
    init: str = "default"  # or "keep-memory"
    hidden_size: int = 32
    batch: int = 32
    seed: int = 0
    options: dict = field(default_factory=dict)

    @property
    def name(self) -> str:
        init = "" if self.init == "default" else f"-{self.init}"
        delay = f"-d{self.options['delay']}" if "delay" in self.options else ""
        return f"{self.task}-T{self.length}{delay}{init}-{self.cell}-seed{self.seed}"

    @property
    def dataset(self) -> dict:
        return {"name": self.task, "length": self.length, "batch": self.batch, "seed": self.seed, **self.options}

    @property
    def biases(self) -> dict:
        return (KEEP_MEMORY if self.init == "keep-memory" else DEFAULT_INIT)[self.cell]


def run(plan: Plan) -> dict:
    """Train, measure, and answer the checkpoint as a dict (arrays as lists, full precision)."""
    with threadpool_limits(1, user_api="blas"):
        dataset = core.Dataset(**plan.dataset)
        D, K = dataset.sizes
        params = core.init_params(D, plan.hidden_size, K, plan.seed, plan.cell, **plan.biases)
        state = core.new_optimizer_state("adam", params)
        before = _measure(params, dataset)
        curve = []
        for _ in range(0, plan.steps, EVERY):  # resumption is bit-exact: chunks change no number
            trained = core.train(params, dataset, min(EVERY, plan.steps - state.step), RATES[plan.cell], state)
            params, state = trained.params, trained.state
            held_out = core.evaluate(params, dataset)
            curve.append({"update": state.step, **{k: v for k, v in held_out.items() if k != "batch"}})
        after = _measure(params, dataset)
    return {
        "name": plan.name, "cell": plan.cell, "hidden_size": plan.hidden_size, "seed": plan.seed,
        "init": {"name": plan.init, **plan.biases}, "dataset": plan.dataset,
        "optimizer": "adam", "learning_rate": RATES[plan.cell], "steps": plan.steps,
        "lag": dataset.lag, "before": before, "after": after, "curve": curve, "reached": reached(curve, dataset),
        "numpy": np.__version__, "weights": {name: value.tolist() for name, value in params.as_dict().items()},
    }


def reached(curve: list[dict], dataset: core.Dataset) -> dict:
    """The first update (of the curve's, every EVERY) at which the held-out numbers met the bar:
    accuracy 0.95, or for adding a loss a tenth of always answering 1's; None if never."""
    key, bar = ("loss", 0.1 * dataset.chance["loss"]) if dataset.name == "adding" else ("accuracy", 0.95)
    met = [point["update"] for point in curve if (point[key] <= bar if key == "loss" else point[key] >= bar)]
    return {"measure": key, "bar": bar, "update": met[0] if met else None}


def _measure(params: core.Params, dataset: core.Dataset) -> dict:
    """The held-out loss (and accuracy), and G(lag) along h (and s) on held-out sequence 0."""
    held_out = core.evaluate(params, dataset)
    example = dataset.example(0)
    fwd = core.forward(params, core.Sequence(example.x[0], example.y[0], example.has_loss), output=dataset.output)
    gain = core.error_gain(fwd, core.backward(fwd, shares=False), 1)
    out = {"loss": held_out["loss"], "gain_h": gain["h"][dataset.lag]}
    if "accuracy" in held_out:
        out["accuracy"] = held_out["accuracy"]
    if "s" in gain:
        out["gain_s"] = gain["s"][dataset.lag]
    return out


def encode(checkpoint: dict) -> bytes:
    """The checkpoint's bytes: keys in order, every float written exactly (repr), one line a key."""
    return (json.dumps(checkpoint, indent=1, sort_keys=True) + "\n").encode()


def load(name: str) -> dict:
    return json.loads((CHECKPOINTS / f"{name}.json").read_text())
