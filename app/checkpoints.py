"""The experiment's shipped checkpoints (experiment/checkpoints/, written by make models): listed
with what their numbers say, and served whole so the page can open one as imported weights."""

import json
from functools import cache
from pathlib import Path

from core.contract import CELL_TITLES

FOLDER = Path(__file__).resolve().parent.parent / "experiment" / "checkpoints"


@cache
def shipped() -> dict[str, dict]:
    """Every shipped checkpoint by name (none where the folder is absent)."""
    return {path.stem: json.loads(path.read_text()) for path in sorted(FOLDER.glob("*.json"))}


def checkpoints() -> dict[str, dict]:
    """The experiment's checkpoints of one layer on a generated task (GET /api/v1/models)."""
    return {name: c for name, c in shipped().items() if c.get("kind") != "stack"}


def stacks() -> dict[str, dict]:
    """The stacks trained on a text (issue 28, experiment/stack.py), opened by their presets."""
    return {name: c for name, c in shipped().items() if c.get("kind") == "stack"}


def stack_sentence(checkpoint: dict) -> str:
    """What a stack's checkpoint measured, in words built from its own numbers only."""
    before, after, d = checkpoint["before"], checkpoint["after"], checkpoint["distance"]
    layers = len(after["gain_back"])
    number = lambda g: "none" if g is None else f"{g:.2g}"  # noqa: E731
    share = lambda gains, how: ", ".join(  # noqa: E731
        f"layer {i + 1}{how if i == 0 else ''} {number(g)}" for i, g in enumerate(gains))
    ways = "bidirectional " if checkpoint["bidirectional"] else ""
    cell = CELL_TITLES[checkpoint["cell"]]
    model = f"A {layers}-layer {ways}{cell} reading an embedding of {checkpoint['embedding']}"
    return (f"{model}, after {checkpoint['steps']:,} updates on this text: J fell from {before['loss']:.3g} to "
            f"{after['loss']:.2g}. Of a loss's error as the top layer receives it at its own step, {d} steps back "
            f"{share(after['gain_back'], ' receives')} (the geometric mean over the losses; untrained: "
            f"{share(before['gain_back'], '')}).")


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
    if gain is None:
        reach = f"none of the last loss's error reaches {checkpoint['lag']} steps back"
    elif gain > 1:  # the error grew on its way back: not a share
        reach = f"the last loss's error is {gain:.2g} times as large {checkpoint['lag']} steps back"
    else:
        reach = f"{gain:.2g} of the last loss's error reaches {checkpoint['lag']} steps back"
    along_s = f" ({after['gain_s']:.2g} along the cell state)" if after.get("gain_s") is not None else ""
    title = CELL_TITLES[checkpoint["cell"]]
    biases = {k: v for k, v in checkpoint["init"].items() if k != "name"}
    start = (" started with " + ", ".join(f"{k.replace('_', ' ')} {v:+g}" for k, v in biases.items())
             if checkpoint["init"]["name"] != "default" and biases else "")
    task = f"{dataset['name']} (T = {dataset['length']})"
    text = (f"The {title}{start}, after {checkpoint['steps']:,} updates on {task}: {score}; {reached(checkpoint)}; "
            f"on held-out sequence 0, {reach}{along_s}.")
    return {key: value for key, value in checkpoint.items() if key != "weights"} | {
        "description": text, **family(checkpoint)}


def bar(checkpoint: dict) -> str:
    """The bar a run's curve is held to (experiment.reached), in words."""
    met = checkpoint["reached"]
    return f"held-out accuracy {met['bar']:g}" if met["measure"] == "accuracy" else f"held-out loss {met['bar']:.2g}"


def reached(checkpoint: dict) -> str:
    """When the run first met its bar, of the held-out numbers measured every 50 updates."""
    update = checkpoint["reached"]["update"]
    if update is None:
        return f"it did not reach {bar(checkpoint)} within {checkpoint['steps']:,} updates"
    return f"it first reached {bar(checkpoint)} at update {update:,}"


def siblings(checkpoint: dict) -> str:
    """The same run's other cells, when each first met the bar: who learned first, as measured."""
    found = checkpoints()
    others = [c for c in found.values() if c is not checkpoint and c["seed"] == checkpoint["seed"]
              and family(c)["family"] == family(checkpoint)["family"]]
    parts = [f"the {CELL_TITLES[c['cell']]} " + ("never" if c["reached"]["update"] is None
                                                 else f"at update {c['reached']['update']:,}") for c in others]
    return f" Trained alike on the same batches, {' and '.join(parts)}." if parts else ""


def family(checkpoint: dict) -> dict:
    """The run a checkpoint belongs to whatever its cell (task, length, lag, initialisation): the
    compare view puts the cells of one family side by side."""
    dataset = checkpoint["dataset"]
    key = checkpoint["name"].rsplit(f"-{checkpoint['cell']}-seed", 1)[0]
    title = f"{dataset['name']}, T = {dataset['length']}"
    if "delay" in dataset:
        title += f", d = {dataset['delay']}"
    if checkpoint["init"]["name"] != "default":
        title += f", {checkpoint['init']['name'].replace('-', ' ')} start"
    return {"family": key, "family_title": title}


# The shipped checkpoints the page's presets open, each at the view that makes its point: the last
# loss traced back to the first steps, where the gated cell's error still arrives and the simple
# RNN's has vanished (along the LSTM's cell state for the LSTM).
# The last one is where the simple RNN learns first (copy at d = 10), which its sentence says with
# when each cell of the same run met the bar.
PRESET_CHECKPOINTS = [
    ("trained-gru-adding", "adding-T50-gru-seed0", {}, False),
    ("trained-rnn-adding", "adding-T50-rnn-seed0", {}, False),
    ("trained-lstm-remember", "remember-first-T50-keep-memory-lstm-seed0", {"flowpath": "s"}, False),
    ("trained-rnn-copy", "copy-T30-d10-rnn-seed0", {}, True),
]


def presets() -> list[dict]:
    """Presets that open a trained checkpoint (its weights come from GET /api/v1/models/{name})."""
    found = checkpoints()
    out = []
    for name, checkpoint_name, view, compared in PRESET_CHECKPOINTS:
        checkpoint = found.get(checkpoint_name)
        if checkpoint is None:
            continue
        title = CELL_TITLES[checkpoint["cell"]]
        out.append({
            "name": name, "title": f"Trained: the {title} on {checkpoint['dataset']['name']}",
            "description": summary(checkpoint)["description"] + (siblings(checkpoint) if compared else ""),
            "checkpoint": checkpoint_name,
            "request": {"dataset": checkpoint["dataset"], "index": 0, "cell": checkpoint["cell"],
                        "hidden_size": checkpoint["hidden_size"]},
            "view": {"colour": "source", "source": "last", "step": 0, **view},
        })
    for name, checkpoint in stacks().items():
        layers = len(checkpoint["after"]["gain_back"])
        out.append({
            "name": f"trained-{name.removesuffix('-seed0')}",
            "title": f"Trained: a {layers}-layer {CELL_TITLES[checkpoint['cell']]} on a text",
            "description": stack_sentence(checkpoint), "checkpoint": name,
            "request": {"sequence": checkpoint["text"], "cell": checkpoint["cell"], "layers": layers,
                        "embedding": checkpoint["embedding"], "hidden_size": checkpoint["hidden_size"]},
            "view": {},
        })
    return out
