"""POST /api/v1/train and /api/v1/sample: stateless chunks that continue exactly, through JSON,
the snapshot of the new weights, and a clear refusal for every bad field."""

import numpy as np
import pytest

import core
from app.settings import MAX_TRAIN_COST

from .helpers import post, refused

TEXT = "hello hello hello "


@pytest.mark.parametrize("cell", core.CELLS)
@pytest.mark.parametrize("optimizer", core.OPTIMIZERS)
def test_two_requests_of_n_continue_exactly_as_one_of_2n(client, cell, optimizer):
    base = {"sequence": TEXT, "cell": cell, "hidden_size": 6, "optimizer": optimizer, "learning_rate": 0.05,
            "clip": {"mode": "norm", "threshold": 5.0}}
    whole = post(client, "train", **base, steps=12)
    first = post(client, "train", **base, steps=6)
    second = post(client, "train", **base, steps=6, weights=first["weights"], optimizer_state=first["optimizer_state"])
    assert second["weights"] == whole["weights"]  # bit for bit, through JSON both ways
    assert second["optimizer_state"] == whole["optimizer_state"]
    assert first["losses"] + second["losses"] == whole["losses"]
    assert whole["step"] == second["step"] == 12


def test_the_answer_records_the_run_and_its_snapshot_is_the_unfold_of_the_new_weights(client):
    answer = post(client, "train", sequence=TEXT, hidden_size=6, steps=3, digits=17, unfold=True, include=["auto"])
    before = post(client, "unfold", sequence=TEXT, hidden_size=6, digits=17)
    assert answer["losses"][0] == before["forward"]["total_loss"]
    assert len(answer["losses"]) == len(answer["grad_norms"]) == len(answer["clipped"]) == 3
    assert answer["clipped"] == [False] * 3 and answer["clip"] is None
    after = post(client, "unfold", sequence=TEXT, weights=answer["weights"], digits=17, include=["auto"])
    assert answer["unfold"]["forward"]["h"] == after["forward"]["h"]
    assert answer["unfold"]["gradients"]["total"] == after["gradients"]["total"]
    assert answer["final_loss"] == after["forward"]["total_loss"]
    assert answer["unfold"]["config"]["include"] == after["config"]["include"]


@pytest.mark.parametrize("cell", core.CELLS)
@pytest.mark.parametrize("optimizer", core.OPTIMIZERS)
def test_each_optimizer_learns_a_repeated_word_within_the_documented_steps(client, cell, optimizer):
    meta = client.get("/api/v1/meta").json()["defaults"]["train"]
    body = {"sequence": TEXT, "cell": cell, "hidden_size": 16, "optimizer": optimizer, "steps": meta["learning_steps"]}
    answer = post(client, "train", **body)
    assert answer["learning_rate"] == meta["learning_rates"][optimizer]
    assert answer["final_loss"] <= 0.1 * answer["losses"][0]


def test_the_defaults_learn_a_repeated_word_in_a_few_requests(client):
    answer = post(client, "train", sequence=TEXT, hidden_size=16)
    first_loss = answer["losses"][0]
    for _ in range(3):
        answer = post(client, "train", sequence=TEXT, hidden_size=16, weights=answer["weights"],
                      optimizer_state=answer["optimizer_state"])
    assert answer["final_loss"] < 0.05 * first_loss
    sampled = post(client, "sample", sequence=TEXT, weights=answer["weights"], start="h", length=11, temperature=0)
    assert sampled["text"] == "ello hello "


def test_clipping_is_reported_where_it_acted(client):
    answer = post(client, "train", sequence=TEXT, hidden_size=6, steps=4, clip={"mode": "value", "threshold": 1e-3})
    assert answer["clipped"] == [True] * 4
    loose = post(client, "train", sequence=TEXT, hidden_size=6, steps=2, clip={"mode": "norm", "threshold": 1e5})
    assert loose["clipped"] == [False, False]


def test_sampling_is_seeded(client):
    body = {"sequence": TEXT, "hidden_size": 6, "length": 30, "temperature": 1.5}
    a = post(client, "sample", **body, sample_seed=1)
    assert a == post(client, "sample", **body, sample_seed=1)
    assert a["text"] != post(client, "sample", **body, sample_seed=2)["text"]
    assert a["start"] == "h" and len(a["text"]) == 30 and set(a["text"]) <= set(TEXT)


@pytest.mark.parametrize("body,where,words", [
    ({"steps": 1000, "hidden_size": 128}, ["body", "steps"], f"the limit is {MAX_TRAIN_COST:,}"),
    ({"steps": -1}, ["body", "steps"], "greater than or equal to 0"),
    ({"learning_rate": 0}, ["body", "learning_rate"], "greater than 0"),
    ({"optimizer": "rmsprop"}, ["body", "optimizer"], "'sgd', 'adagrad' or 'adam'"),
    ({"clip": {"mode": "value", "threshold": 0}}, ["body", "clip", "threshold"], "greater than 0"),
    ({"optimizer": "sgd", "optimizer_state": {"optimizer": "sgd", "step": 1}}, ["body", "optimizer_state"], "send the weights"),
    ({"optimizer": "adam", "optimizer_state": {"optimizer": "sgd", "step": 1}},
     ["body", "optimizer_state", "optimizer"], "start again"),
])
def test_bad_training_fields_are_refused_by_name(client, body, where, words):
    detail = refused(client, "train", sequence=TEXT * 20, **body)
    assert detail[0]["loc"] == where, detail
    assert words in detail[0]["msg"], detail


@pytest.mark.parametrize("state,where", [
    ({"optimizer": "adam", "step": -1}, ["body", "optimizer_state", "step"]),
    ({"optimizer": "adam", "step": 1, "m": {"U": "not numbers"}}, ["body", "optimizer_state", "m", "U"]),
    ({"optimizer": "adam", "step": 1}, ["body", "optimizer_state", "m"]),
    ({"optimizer": "adam", "step": 1, "extra": 1}, ["body", "optimizer_state", "extra"]),
])
def test_a_malformed_optimizer_state_is_refused_by_name(client, state, where):
    first = post(client, "train", sequence=TEXT, hidden_size=4, steps=1)
    detail = refused(client, "train", sequence=TEXT, hidden_size=4, weights=first["weights"], optimizer_state=state)
    assert detail[0]["loc"][:len(where)] == where, detail


def test_a_resumed_state_that_does_not_fit_is_refused_by_name(client):
    first = post(client, "train", sequence=TEXT, hidden_size=4, steps=1)
    state = first["optimizer_state"]
    state["m"]["W"] = [[0.0]]
    detail = refused(client, "train", sequence=TEXT, hidden_size=4, weights=first["weights"], optimizer_state=state)
    assert detail[0]["loc"] == ["body", "optimizer_state", "m", "W"] and "expected shape (4, 4)" in detail[0]["msg"]
    detail = refused(client, "train", sequence=TEXT, weights=first["weights"], optimizer_state=first["optimizer_state"],
                     spectral_radius=1.0)
    assert detail[0]["loc"] == ["body", "spectral_radius"]


def test_a_diverging_run_is_a_422_naming_the_training_step(client):
    detail = refused(client, "train", inputs=[0.5, -0.3, 0.9, 0.1, -0.7] * 4, activation="identity",
                     optimizer="sgd", learning_rate=10, steps=200, spectral_radius=3)
    assert "training step" in detail[0]["msg"] and detail[0]["type"] == "overflow"


def test_sampling_needs_text_and_a_start_it_knows(client):
    assert refused(client, "sample", inputs=[0.1, 0.2, 0.3])[0]["loc"] == ["body", "sequence"]
    assert refused(client, "sample", sequence=TEXT, start="z")[0]["loc"] == ["body", "start"]
    assert refused(client, "sample", sequence=TEXT, length=10**6)[0]["loc"] == ["body", "length"]


def test_the_weights_come_back_at_full_precision(client):
    answer = post(client, "train", sequence=TEXT, hidden_size=4, steps=2)  # default digits: 9
    W = np.array(answer["weights"]["W"])
    assert any(len(repr(v)) > 12 for v in W.ravel()), "rounded to the answer's digits"
