"""The experiment's shipped checkpoints (make models, experiment/): their numbers are what their
weights give, one is rebuilt byte for byte, and each carries a dataset /train takes as it is."""

import numpy as np
import pytest

import core
from app.schemas import DatasetIn
from experiment import CHECKPOINTS, Plan, encode, load, run

KINDS = {path.stem: load(path.stem).get("kind", "task") for path in CHECKPOINTS.glob("*.json")}
NAMES = sorted(name for name, kind in KINDS.items() if kind == "task")  # one layer on a generated task
STACKS = sorted(name for name, kind in KINDS.items() if kind == "stack")  # issue 28: a stack on a text


def test_the_experiment_ships_each_cell_on_each_task():
    assert len(NAMES) >= 9
    assert {load(name)["cell"] for name in NAMES} == {"rnn", "lstm", "gru"}
    assert {load(name)["dataset"]["name"] for name in NAMES} == {"adding", "remember-first", "copy"}


@pytest.mark.parametrize("name", NAMES)
def test_a_checkpoints_curve_ends_where_it_stands_and_says_when_it_met_its_bar(name):
    checkpoint = load(name)
    curve, met = checkpoint["curve"], checkpoint["reached"]
    assert [point["update"] for point in curve] == list(range(50, checkpoint["steps"] + 1, 50))
    assert curve[-1]["loss"] == checkpoint["after"]["loss"]
    key = met["measure"]
    good = [p["update"] for p in curve if (p[key] >= met["bar"] if key == "accuracy" else p[key] <= met["bar"])]
    assert met["update"] == (good[0] if good else None)


@pytest.mark.parametrize("name", NAMES)
def test_a_checkpoints_held_out_numbers_are_what_its_weights_give(name):
    checkpoint = load(name)
    dataset = DatasetIn.model_validate(checkpoint["dataset"]).resolved()  # as /train takes it
    D, K = dataset.sizes
    params = core.params_from_arrays({k: np.array(v) for k, v in checkpoint["weights"].items()}, D, K,
                                     checkpoint["cell"])
    measured = core.evaluate(params, dataset)
    assert measured["loss"] == checkpoint["after"]["loss"]
    if "accuracy" in measured:
        assert measured["accuracy"] == checkpoint["after"]["accuracy"]


def test_make_models_rebuilds_a_checkpoint_byte_for_byte():
    name = "remember-first-T20-rnn-seed0"
    stored = (CHECKPOINTS / f"{name}.json").read_bytes()
    checkpoint = load(name)
    dataset = checkpoint["dataset"]
    options = {k: v for k, v in dataset.items() if k not in ("name", "length", "batch", "seed")}
    plan = Plan(dataset["name"], dataset["length"], checkpoint["cell"], checkpoint["steps"],
                checkpoint["init"]["name"], seed=checkpoint["seed"], options=options)
    again = run(plan)
    if checkpoint["numpy"] == np.__version__:
        assert encode(again) == stored
    else:  # another NumPy may round a product differently: the same run, to rounding
        for key, value in checkpoint["weights"].items():
            np.testing.assert_allclose(again["weights"][key], value, rtol=1e-6, atol=1e-9)


def test_the_trained_presets_say_what_their_checkpoints_numbers_are(client):
    """A preset's sentence about a trained model is built from its checkpoint's numbers, and they
    are what the API computes from its weights."""
    presets = [p for p in client.get("/api/v1/presets").json() if p.get("checkpoint") in NAMES]
    assert {p["checkpoint"] for p in presets} >= {"adding-T50-gru-seed0", "adding-T50-rnn-seed0"}
    for preset in presets:
        checkpoint = client.get(f"/api/v1/models/{preset['checkpoint']}").json()
        answer = client.post("/api/v1/unfold", json={**preset["request"], "weights": checkpoint["weights"],
                                                     "include": ["gain"], "digits": 17}).json()
        lag = checkpoint["lag"]
        gain = answer["gain"]["h"][lag]
        assert (f"{gain:.2g} of the last loss's error reaches {lag} steps back" if gain <= 1 else
                f"the last loss's error is {gain:.2g} times as large {lag} steps back") in preset["description"]
        dataset = DatasetIn.model_validate(checkpoint["dataset"]).resolved()
        D, K = dataset.sizes
        params = core.params_from_arrays({k: np.array(v) for k, v in checkpoint["weights"].items()}, D, K,
                                         checkpoint["cell"])
        held_out = core.evaluate(params, dataset)
        said = f"accuracy {held_out['accuracy']:.3g}" if "accuracy" in held_out else f"loss {held_out['loss']:.2g}"
        assert said in preset["description"]
        if preset["name"] == "trained-rnn-copy":  # who learned first, from the same run's checkpoints
            for cell, title in (("lstm", "LSTM"), ("gru", "GRU")):
                update = load(preset["checkpoint"].replace("-rnn-", f"-{cell}-"))["reached"]["update"]
                assert f"the {title} " + ("never" if update is None else f"at update {update:,}") in preset["description"]
            assert f"first reached held-out accuracy 0.95 at update {checkpoint['reached']['update']:,}" in preset["description"]
    assert client.get("/api/v1/models/nope").status_code == 404
    listed = client.get("/api/v1/models").json()
    assert len(listed) == len(NAMES) and all("weights" not in item for item in listed)


def test_the_stack_checkpoint_is_rebuilt_and_its_preset_says_what_its_weights_give(client):
    """Issue 28: make models trains a 2-layer LSTM on a text with the project's own training; its
    preset's sentence is built from the checkpoint's numbers, and they are what the API computes."""
    from experiment.stack import run_stack

    assert STACKS == ["stack-text-lstm-L2-seed0"]
    name = STACKS[0]
    again, checkpoint = run_stack(), client.get(f"/api/v1/models/{name}").json()
    if checkpoint["numpy"] == np.__version__:
        assert encode(again) == (CHECKPOINTS / f"{name}.json").read_bytes()
    else:  # another NumPy may round a product differently: the same run, to rounding
        for key, value in checkpoint["weights"].items():
            np.testing.assert_allclose(again["weights"][key], value, rtol=1e-6, atol=1e-9)
    assert name not in {m["name"] for m in client.get("/api/v1/models").json()}  # the task runs' list
    preset = next(p for p in client.get("/api/v1/presets").json() if p.get("checkpoint") == name)
    answer = client.post("/api/v1/unfold", json={**preset["request"], "weights": checkpoint["weights"],
                                                 "digits": 17}).json()
    assert answer["forward"]["total_loss"] == pytest.approx(checkpoint["after"]["loss"], rel=1e-12)
    gains = [layer["gain"]["back"][checkpoint["distance"]] for layer in answer["depth"]["layers"]]
    assert gains == pytest.approx(checkpoint["after"]["gain_back"], rel=1e-12)
    said = preset["description"]
    assert f"J fell from {checkpoint['before']['loss']:.3g} to {answer['forward']['total_loss']:.2g}" in said
    assert f"5 steps back layer 1 receives {gains[0]:.2g}, layer 2 {gains[1]:.2g}" in said
