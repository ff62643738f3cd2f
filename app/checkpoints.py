"""The experiment's shipped checkpoints (experiment/checkpoints/, written by make models): listed
with what their numbers say, and served whole so the page can open one as imported weights."""

import json
from functools import cache
from pathlib import Path

from core.contract import CELL_TITLES

FOLDER = Path(__file__).resolve().parent.parent / "experiment" / "checkpoints"


@cache
def checkpoints() -> dict[str, dict]:
    """Every shipped checkpoint by name (none where the folder is absent)."""
    return {path.stem: json.loads(path.read_text()) for path in sorted(FOLDER.glob("*.json"))}


def summary(checkpoint: dict) -> dict:
    """A checkpoint without its weights, with a sentence built from its own numbers only."""
    after, before = checkpoint["after"], checkpoint["before"]
    dataset = checkpoint["dataset"]
    if "accuracy" in after:
        chance = 1 / dataset.get("classes", 4)
        score = f"held-out accuracy {after['accuracy']:.3g} (from {before['accuracy']:.3g}; guessing: {chance:.2g})"
    else:
        score = f"held-out loss {after['loss']:.2g} (from {before['loss']:.2g}; always answering 1: 0.083)"
    gain = after["gain_h"]
    reach = "none of the last loss's error" if gain is None else f"{gain:.2g} of the last loss's error"
    along_s = f" ({after['gain_s']:.2g} along the cell state)" if after.get("gain_s") is not None else ""
    title = CELL_TITLES[checkpoint["cell"]]
    biases = {k: v for k, v in checkpoint["init"].items() if k != "name"}
    start = (" started with " + ", ".join(f"{k.replace('_', ' ')} {v:+g}" for k, v in biases.items())
             if checkpoint["init"]["name"] != "default" and biases else "")
    task = f"{dataset['name']} (T = {dataset['length']})"
    text = (f"The {title}{start}, after {checkpoint['steps']:,} updates on {task}: {score}; on held-out sequence 0, "
            f"{reach} reaches {checkpoint['lag']} steps back{along_s}.")
    return {key: value for key, value in checkpoint.items() if key != "weights"} | {"description": text}


# The shipped checkpoints the page's presets open, each at the view that makes its point: the last
# loss traced back to the first steps, where the gated cell's error still arrives and the simple
# RNN's has vanished (along the LSTM's cell state for the LSTM).
PRESET_CHECKPOINTS = [
    ("trained-gru-adding", "adding-T50-gru-seed0", {}),
    ("trained-rnn-adding", "adding-T50-rnn-seed0", {}),
    ("trained-lstm-remember", "remember-first-T50-keep-memory-lstm-seed0", {"flowpath": "s"}),
]


def presets() -> list[dict]:
    """Presets that open a trained checkpoint (its weights come from GET /api/v1/models/{name})."""
    found = checkpoints()
    out = []
    for name, checkpoint_name, view in PRESET_CHECKPOINTS:
        checkpoint = found.get(checkpoint_name)
        if checkpoint is None:
            continue
        title = CELL_TITLES[checkpoint["cell"]]
        out.append({
            "name": name, "title": f"Trained: the {title} on {checkpoint['dataset']['name']}",
            "description": summary(checkpoint)["description"], "checkpoint": checkpoint_name,
            "request": {"dataset": checkpoint["dataset"], "index": 0, "cell": checkpoint["cell"],
                        "hidden_size": checkpoint["hidden_size"]},
            "view": {"colour": "source", "source": "last", "step": 0, **view},
        })
    return out
