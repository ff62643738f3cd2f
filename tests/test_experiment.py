"""The experiment's shipped checkpoints (make models, experiment/): their numbers are what their
weights give, one is rebuilt byte for byte, and each carries a dataset /train takes as it is."""

import numpy as np
import pytest

import core
from app.schemas import DatasetIn
from experiment import CHECKPOINTS, Plan, encode, load, run

NAMES = sorted(path.stem for path in CHECKPOINTS.glob("*.json"))


def test_the_experiment_ships_each_cell_on_each_task():
    assert len(NAMES) >= 9
    assert {load(name)["cell"] for name in NAMES} == {"rnn", "lstm", "gru"}
    assert {load(name)["dataset"]["name"] for name in NAMES} == {"adding", "remember-first"}


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
    plan = Plan(checkpoint["dataset"]["name"], checkpoint["dataset"]["length"], checkpoint["cell"], checkpoint["steps"],
                checkpoint["init"]["name"], seed=checkpoint["seed"])
    again = run(plan)
    if checkpoint["numpy"] == np.__version__:
        assert encode(again) == stored
    else:  # another NumPy may round a product differently: the same run, to rounding
        for key, value in checkpoint["weights"].items():
            np.testing.assert_allclose(again["weights"][key], value, rtol=1e-6, atol=1e-9)
