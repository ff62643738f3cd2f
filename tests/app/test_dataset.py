"""Generated tasks through the API: /train on a dataset, /unfold of one of its sequences, /dataset
(docs/MATH.md, section 17)."""

import numpy as np
import pytest

import core
from app.settings import MAX_HEAVY_NUMBERS

from .helpers import post, refused

ADDING = {"name": "adding", "length": 12, "batch": 8, "seed": 3}


def refusal(client, path, **body):
    """(the refused field's dotted name, its message)."""
    detail = refused(client, path, **body)[0]
    return ".".join(str(part) for part in detail["loc"][1:]), detail["msg"]


@pytest.mark.parametrize("cell", core.CELLS)
@pytest.mark.parametrize("dataset", [
    ADDING, {"name": "remember-first", "length": 8, "batch": 4, "classes": 3, "noise": 2},
    {"name": "copy", "length": 7, "batch": 4, "delay": 3},
])
def test_two_requests_on_a_dataset_continue_exactly_as_one(client, cell, dataset):
    base = {"dataset": dataset, "cell": cell, "hidden_size": 5, "optimizer": "adam", "learning_rate": 0.01}
    whole = post(client, "train", **base, steps=6)
    first = post(client, "train", **base, steps=3)
    second = post(client, "train", **base, steps=3, weights=first["weights"], optimizer_state=first["optimizer_state"])
    assert second["weights"] == whole["weights"]
    assert first["losses"] + second["losses"] == whole["losses"]
    assert second["eval"] == whole["eval"] and whole["eval"]["batch"] == 512
    assert ("accuracy" in whole["eval"]) == (dataset["name"] != "adding")


def test_the_answer_is_the_core_run_on_the_batches_of_seed_s_n(client):
    answer = post(client, "train", dataset=ADDING, cell="lstm", hidden_size=4, steps=2, optimizer="sgd",
                  learning_rate=0.1, digits=17)
    dataset = core.Dataset("adding", 12, 8, 3)
    params = core.init_params(2, 4, 1, seed=0, cell="lstm")
    trained = core.train(params, dataset, 2, 0.1, core.new_optimizer_state("sgd", params))
    assert answer["losses"] == trained.losses.tolist()
    np.testing.assert_array_equal(np.array(answer["weights"]["W"]), trained.params.W)
    held_out = core.evaluate(trained.params, dataset)
    assert answer["eval"]["loss"] == held_out["loss"] == answer["final_loss"]


def test_an_unfold_of_a_dataset_shows_one_held_out_sequence_with_its_own_loss_steps(client):
    dataset = {"name": "copy", "length": 9, "batch": 4, "seed": 1, "delay": 3}
    answer = post(client, "unfold", dataset=dataset, index=5, cell="gru", hidden_size=4)
    batch = core.make_batch("copy", [1, 0], 512, 9, classes=4, delay=3)
    np.testing.assert_array_equal(np.array(answer["forward"]["x"]), batch.x[5])
    assert answer["forward"]["has_loss"] == [False] * 3 + [True] * 6
    assert answer["config"]["dataset"] == {**dataset, "classes": 4}
    assert answer["config"]["index"] == 5 and answer["config"]["output"] == "softmax"
    targets = np.array(answer["forward"]["y"])[3:].argmax(axis=1)
    assert targets.tolist() == batch.labels[5].tolist()


def test_train_with_unfold_answers_the_example_under_the_new_weights(client):
    answer = post(client, "train", dataset=ADDING, hidden_size=4, steps=2, unfold=True, index=2, digits=17)
    again = post(client, "unfold", dataset=ADDING, index=2, weights=answer["weights"], digits=17)
    assert answer["unfold"]["forward"] == again["forward"]


def test_the_dataset_endpoint_gives_the_batches_training_draws(client):
    answer = post(client, "dataset", dataset={"name": "copy", "length": 6, "batch": 2, "seed": 0, "delay": 2}, step=1)
    assert answer["seed"] == [0, 1] and answer["loss_steps"] == [2, 3, 4, 5]
    assert np.array(answer["inputs"]).argmax(axis=2).tolist() == [[2, 3, 3, 2, 1, 3], [0, 3, 3, 0, 0, 0]]
    assert answer["targets"] == [[2, 3, 3, 2], [0, 3, 3, 0]]
    held_out = post(client, "dataset", dataset=ADDING)
    batch = core.make_batch("adding", [3, 0], 512, 12)
    assert len(held_out["inputs"]) == 512 and held_out["step"] == 0
    np.testing.assert_array_equal(np.array(held_out["targets"]), batch.labels)
    assert held_out["chance"] == {"loss": 1 / 12}


@pytest.mark.parametrize(("path", "body", "field", "words"), [
    ("train", {"dataset": {"name": "adding", "length": 10, "noise": 3}}, "dataset.noise", "not an option of adding"),
    ("train", {"dataset": {"name": "copy", "length": 5, "delay": 5}}, "dataset.delay", "delay < length"),
    ("train", {"dataset": {"name": "parity", "length": 5}}, "dataset.name", "remember-first"),
    ("train", {"dataset": {"name": "adding", "length": 1000}}, "dataset.length", "256"),
    ("train", {"dataset": {"name": "adding", "length": 10, "batch": 1000}}, "dataset.batch", "256"),
    ("train", {"dataset": {"name": "copy", "length": 10, "classes": 99}}, "dataset.classes", "32"),
    ("train", {"dataset": {"name": "adding", "length": 10}, "output": "softmax"}, "output", "set by the dataset"),
    ("train", {"dataset": {"name": "adding", "length": 10}, "task": "many-to-one"}, "task", "set by the dataset"),
    ("train", {"dataset": {"name": "adding", "length": 10}, "truncate": 3}, "truncate", "full BPTT"),
    ("unfold", {"sequence": "hello", "index": 2}, "index", "give dataset"),
    ("unfold", {"dataset": {"name": "adding", "length": 10}, "index": 512}, "index", "512"),
    ("unfold", {"dataset": {"name": "adding", "length": 10}, "sequence": "hi"}, "", "exactly one of"),
    ("train", {"dataset": {"name": "adding", "length": 256, "batch": 256}, "hidden_size": 128, "cell": "lstm",
               "steps": 1000}, "steps", "the limit is"),
    ("sample", {"dataset": {"name": "adding", "length": 10}}, "sequence", "sampling writes characters"),
    ("dataset", {"dataset": {"name": "remember-first", "length": 256, "classes": 32, "noise": 32}}, "dataset",
     f"{MAX_HEAVY_NUMBERS:,}"),
])
def test_every_dataset_field_is_refused_by_name(client, path, body, field, words):
    where, message = refusal(client, path, **body)
    assert where == field and words in message, (where, message)


@pytest.mark.parametrize(("cell", "field", "block"), [("lstm", "input_bias", 0), ("gru", "update_bias", 1)])
def test_a_gate_can_start_open_or_shut(client, cell, field, block):
    """remember-first is learned by the gated cells when they start keeping memory (issue 27)."""
    answer = post(client, "unfold", dataset={"name": "remember-first", "length": 6}, cell=cell, hidden_size=3,
                  **{field: -2.5 if field == "input_bias" else 3.0})
    b = np.array(answer["weights"]["b"])
    assert b[block * 3:(block + 1) * 3].tolist() == [-2.5 if field == "input_bias" else 3.0] * 3
    assert answer["config"][field] == (-2.5 if field == "input_bias" else 3.0)
    others = np.delete(b, np.s_[block * 3:(block + 1) * 3])
    assert set(others.tolist()) <= {0.0, 1.0}  # the rest as before (the LSTM's forget bias 1)
    where, message = refusal(client, "unfold", sequence="hello", cell="rnn", **{field: 1.0})
    assert where == field and "use cell" in message


def test_zero_updates_measure_the_starting_weights(client):
    answer = post(client, "train", dataset=ADDING, cell="gru", hidden_size=4, steps=0, unfold=True, digits=17)
    assert answer["step"] == 0 and answer["losses"] == []
    start = core.init_params(2, 4, 1, seed=0, cell="gru")
    assert answer["eval"]["loss"] == core.evaluate(start, core.Dataset("adding", 12, 8, 3))["loss"]
    np.testing.assert_array_equal(np.array(answer["weights"]["U"]), start.U)
