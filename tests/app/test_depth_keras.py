"""Issue 28: real Keras 3 stacks read by their weight paths. keras_stacks.json was written by Keras
3.15 itself (torch backend, float32): an Embedding + two Bidirectional LSTMs + a Dense, an Embedding
+ two stacked GRUs (reset_after) + a Dense, and two Bidirectional SimpleRNNs on one-hot inputs + a
Dense, each with random weights and Keras's own outputs on the text. The API's outputs are Keras's
(to float32's rounding), and a stack that mixes cells or directions is refused, naming why."""

import json
from pathlib import Path

import numpy as np
import pytest

from .helpers import post, refused

FIXTURE = json.loads((Path(__file__).parent / "keras_stacks.json").read_text())
EXPECTED = {"bi-lstm": ("lstm", 2, True, 3), "gru-2": ("gru", 2, False, 3), "bi-rnn": ("rnn", 2, True, None)}


@pytest.mark.parametrize("kind", sorted(FIXTURE["models"]))
def test_a_keras_stack_gives_keras_own_outputs(client, kind):
    model = FIXTURE["models"][kind]
    answer = post(client, "unfold", sequence=FIXTURE["text"], weights=model["weights"], digits=17)
    config = answer["config"]
    assert (config["cell"], config["layers"], config["bidirectional"], config["embedding"]) == EXPECTED[kind]
    assert answer["imported"]["format"] == "keras"
    np.testing.assert_allclose(answer["forward"]["o"], model["outputs"], atol=2e-5)


def test_a_keras_stack_of_two_kinds_is_refused(client):
    weights = dict(FIXTURE["models"]["gru-2"]["weights"])
    lstm = {k.replace("bidirectional/forward_lstm", "lstm_9"): v for k, v in FIXTURE["models"]["bi-lstm"]["weights"].items()
            if "bidirectional/forward_lstm" in k and "bidirectional_1" not in k}
    detail = refused(client, "unfold", sequence=FIXTURE["text"], weights={**weights, **lstm})
    # the first layer says the stack is a GRU's; the LSTM's layer is named, as the odd one out
    assert detail[0]["msg"].startswith("weights.sequential/lstm_9/lstm_cell/recurrent_kernel: expected (4, 12) for a GRU")
    assert "is this an LSTM?" in detail[0]["msg"]


def test_a_keras_bidirectional_without_its_backward_layer_is_refused(client):
    weights = {k: v for k, v in FIXTURE["models"]["bi-lstm"]["weights"].items() if "backward_lstm" not in k
               or "bidirectional_1" in k}
    detail = refused(client, "unfold", sequence=FIXTURE["text"], weights=weights)
    assert "whose backward layer is missing" in detail[0]["msg"]


@pytest.mark.parametrize("kind", sorted(FIXTURE["models"]))
def test_a_keras_stack_converts_back_to_the_arrays_keras_holds_in_its_order(client, kind):
    """/convert to Keras writes a stack's weights in the order model.weights lists them, so that
    model.set_weights([np.asarray(w) for w in weights.values()]) loads them: Keras's own arrays,
    but a GRU's bias, whose r and z parts come back on its input row (the same model); read again,
    they give Keras's outputs."""
    model = FIXTURE["models"][kind]
    written = post(client, "convert", weights=model["weights"], to="keras")["weights"]
    assert len(written) == len(model["weights"])
    for (key, ours), theirs in zip(written.items(), model["weights"].values(), strict=True):
        assert np.shape(ours) == np.shape(theirs), key
        if not (kind == "gru-2" and key.endswith("bias")):
            np.testing.assert_array_equal(ours, theirs, err_msg=key)
    again = post(client, "unfold", sequence=FIXTURE["text"], weights=written, digits=17)
    np.testing.assert_allclose(again["forward"]["o"], model["outputs"], atol=2e-5)
    names = [key.split("/", 1)[1] if key.startswith("sequential") else key for key in model["weights"]]
    assert [key.rsplit("/", 1)[-1] for key in written] == [name.rsplit("/", 1)[-1] for name in names]
