"""Weights from PyTorch and Keras through the API: PyTorch's own numbers, Keras's layout mapped
to the same ones, a named refusal for every malformed dict, and an export torch loads back."""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from .helpers import post

D, H, K, T = 3, 4, 2, 6
MODULES = {"rnn": torch.nn.RNN, "lstm": torch.nn.LSTM, "gru": torch.nn.GRU}


def torch_model(cell: str, seed: int = 0, **options):
    """A one-layer recurrent module and an nn.Linear in float64, biases non-zero."""
    torch.manual_seed(seed)
    recurrent = MODULES[cell](D, H, batch_first=True, **options).double()
    linear = torch.nn.Linear(H, K).double()
    return recurrent, linear


def state_dict(recurrent, linear, prefix: str = "rnn.", head: str = "fc.") -> dict:
    weights = {f"{prefix}{k}": v.tolist() for k, v in recurrent.state_dict().items()}
    return weights | {f"{head}{k}": v.tolist() for k, v in linear.state_dict().items()}


def torch_run(recurrent, linear, inputs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    with torch.no_grad():
        h, _ = recurrent(torch.tensor(inputs)[None])
        return h[0].numpy(), linear(h[0]).numpy()


def inputs(seed: int = 1) -> np.ndarray:
    return np.random.default_rng(seed).normal(size=(T, D))


def numbers(x: np.ndarray) -> dict:
    """x and K-dimensional targets, so that D and K differ as they do in a real model."""
    return {"inputs": x.tolist(), "targets": np.random.default_rng(9).normal(size=(len(x), K)).tolist()}


def unfold(client, **body) -> dict:
    response = client.post("/api/v1/unfold", json={"digits": 17, **body})
    assert response.status_code == 200, response.text
    return response.json()


def refusal(client, path: str = "/api/v1/unfold", **body) -> str:
    response = client.post(path, json=body)
    assert response.status_code == 422, response.text
    return response.json()["detail"][0]["msg"]


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
@pytest.mark.parametrize("prefix,head", [("rnn.", "fc."), ("", "linear."), ("model.encoder.", "model.out.")])
def test_a_pytorch_state_dict_gives_pytorchs_own_states_and_predictions(client, cell, prefix, head):
    recurrent, linear = torch_model(cell)
    x = inputs()
    body = unfold(client, **numbers(x), weights=state_dict(recurrent, linear, prefix, head))
    h, o = torch_run(recurrent, linear, x)
    assert body["config"]["cell"] == cell  # read from weight_hh_l0's shape: no `cell` was sent
    assert np.abs(np.array(body["forward"]["h"]) - h).max() < 1e-12
    assert np.abs(np.array(body["forward"]["y_hat"]) - o).max() < 1e-12
    imported = body["imported"]
    assert (imported["format"], imported["cell"]) == ("pytorch", cell)
    assert imported["mapping"]["V"] == f"{head}weight"
    assert imported["mapping"]["b"].startswith(f"{prefix}bias_ih_l0 + {prefix}bias_hh_l0")


def test_relu_rnn_and_bias_free_layers_read_as_pytorch_runs_them(client):
    recurrent, _ = torch_model("rnn", nonlinearity="relu", bias=False)
    linear = torch.nn.Linear(H, K, bias=False).double()
    x = inputs()
    body = unfold(client, **numbers(x), weights=state_dict(recurrent, linear), activation="relu")
    h, o = torch_run(recurrent, linear, x)
    assert np.abs(np.array(body["forward"]["h"]) - h).max() < 1e-12
    assert np.abs(np.array(body["forward"]["y_hat"]) - o).max() < 1e-12
    assert body["imported"]["mapping"]["c"] == "zeros (bias=False)" and len(body["imported"]["notes"]) == 2


def test_a_text_model_reads_with_its_own_vocabulary(client):
    vocab = list("olhe ")  # the order the model was trained with, not sorted
    recurrent = torch.nn.LSTM(len(vocab), H, batch_first=True).double()
    linear = torch.nn.Linear(H, len(vocab)).double()
    text = "hello hello"
    body = unfold(client, sequence=text, vocab=vocab, weights=state_dict(recurrent, linear))
    one_hot = np.eye(len(vocab))[[vocab.index(ch) for ch in text[:-1]]]
    _, o = torch_run(recurrent, linear, one_hot)
    expected = torch.softmax(torch.tensor(o), dim=1).numpy()
    assert body["vocab"] == vocab
    assert np.abs(np.array(body["forward"]["y_hat"]) - expected).max() < 1e-12


def keras_weights(cell: str, recurrent, linear) -> dict:
    """The Keras layout, written from Keras's documentation independently of the importer:
    kernel (D, G H) and recurrent_kernel (H, G H) are PyTorch's transposed, the GRU stacks z, r, h
    (PyTorch r, z, n) and with reset_after=True its bias is (2, 3 H): input row, recurrent row."""
    sd = {k: v.numpy() for k, v in recurrent.state_dict().items()}
    layer = {"rnn": "simple_rnn/simple_rnn_cell", "lstm": "lstm/lstm_cell", "gru": "gru/gru_cell"}[cell]

    def keras_order(a, axis=0):
        if cell != "gru":
            return a
        r, z, n = np.split(a, 3, axis=axis)
        return np.concatenate([z, r, n], axis=axis)

    kernel, recurrent_kernel = keras_order(sd["weight_ih_l0"]).T, keras_order(sd["weight_hh_l0"]).T
    if cell == "gru":
        bias = np.stack([keras_order(sd["bias_ih_l0"]), keras_order(sd["bias_hh_l0"])])
    else:
        bias = sd["bias_ih_l0"] + sd["bias_hh_l0"]
    return {
        f"{layer}/kernel:0": kernel.tolist(), f"{layer}/recurrent_kernel:0": recurrent_kernel.tolist(),
        f"{layer}/bias:0": bias.tolist(),
        "dense/kernel:0": linear.weight.detach().numpy().T.tolist(), "dense/bias:0": linear.bias.tolist(),
    }


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_keras_weights_give_the_numbers_of_the_same_model_in_pytorch(client, cell):
    recurrent, linear = torch_model(cell, seed=3)
    x = inputs(2)
    from_keras = unfold(client, **numbers(x), weights=keras_weights(cell, recurrent, linear))
    from_torch = unfold(client, **numbers(x), weights=state_dict(recurrent, linear))
    assert from_keras["imported"]["format"] == "keras" and from_keras["config"]["cell"] == cell
    for name, value in from_torch["weights"].items():
        assert np.allclose(from_keras["weights"][name], value, rtol=0, atol=1e-15), name
    h, _ = torch_run(recurrent, linear, x)
    assert np.abs(np.array(from_keras["forward"]["h"]) - h).max() < 1e-12
    assert np.abs(np.array(from_keras["gradients"]["total"]["W"]) - np.array(from_torch["gradients"]["total"]["W"])).max() < 1e-12


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_weights_convert_to_keras_as_keras_lays_them_out(client, cell):
    """The kernels are keras_weights' (written from Keras's documentation, not from the converter);
    the GRU's bias splits between its two rows as Keras allows, so the model is checked by its numbers."""
    recurrent, linear = torch_model(cell, seed=5)
    response = client.post("/api/v1/convert", json={"weights": state_dict(recurrent, linear), "to": "keras"})
    assert response.status_code == 200, response.text
    ours = response.json()["weights"]
    written = keras_weights(cell, recurrent, linear)
    layer = {"rnn": "simple_rnn", "lstm": "lstm", "gru": "gru"}[cell]
    cell_weight = lambda name: next(v for k, v in written.items() if k.endswith(f"_cell/{name}:0"))  # noqa: E731
    theirs = {f"{layer}/{name}": cell_weight(name) for name in ("kernel", "recurrent_kernel", "bias")}
    theirs |= {"dense/kernel": written["dense/kernel:0"], "dense/bias": written["dense/bias:0"]}
    assert set(ours) == set(theirs)
    for key, value in theirs.items():
        if not (cell == "gru" and key.endswith("/bias")):
            assert np.array_equal(np.array(ours[key]), np.array(value)), key
    x = inputs(4)
    h, _ = torch_run(recurrent, linear, x)
    from_keras = unfold(client, **numbers(x), weights=ours)
    assert from_keras["imported"]["format"] == "keras"
    assert np.abs(np.array(from_keras["forward"]["h"]) - h).max() < 1e-12


def good(cell: str = "lstm") -> dict:
    return state_dict(*torch_model(cell))


def without(weights: dict, *keys: str) -> dict:
    return {k: v for k, v in weights.items() if k not in keys}


def keras(cell: str = "gru") -> dict:
    return keras_weights(cell, *torch_model(cell))


MALFORMED = [
    ({"weights": good("gru"), "cell": "lstm"},
     "weights.rnn.weight_hh_l0: expected (16, 4) for an LSTM with H = 4, got (12, 4): is this a GRU?"),
    ({"weights": good("lstm"), "cell": "rnn"},
     "weights.rnn.weight_hh_l0: expected (4, 4) for a simple RNN with H = 4, got (16, 4): is this an LSTM?"),
    # a second layer or a reverse direction makes a stack (issue 28), which needs all of each layer's weights
    ({"weights": {**good(), "rnn.weight_hh_l1": [[0.0]]}}, "weights: missing rnn.weight_ih_l1"),
    ({"weights": {**good(), "rnn.weight_hh_l0_reverse": [[0.0]]}}, "weights: missing rnn.weight_ih_l0_reverse"),
    ({"weights": {**good(), "rnn.weight_hr_l0": [[0.0]]}}, "weights.rnn.weight_hr_l0: belongs to an LSTM with proj_size"),
    ({"weights": without(good(), "rnn.bias_hh_l0")}, "weights: has rnn.bias_ih_l0 but not its partner bias_hh_l0"),
    ({"weights": without(good(), "rnn.weight_ih_l0")}, "weights: missing rnn.weight_ih_l0"),
    ({"weights": without(good(), "fc.weight", "fc.bias")}, "weights: has no output layer"),
    ({"weights": without(good(), "fc.weight")}, "weights.fc.bias: has no fc.weight beside it"),
    ({"weights": {**good(), "out.weight": [[0.0] * 4] * 2}}, "weights: has 2 candidate output layers (fc.weight, out.weight)"),
    ({"weights": {**good(), "embedding.table": [[0.0]]}}, "weights.embedding.table: is not part of a model read here"),
    ({"weights": {**good(), "U": [[0.0]]}}, "weights: mixes formats: U (canonical), rnn.weight_ih_l0 (pytorch)"),
    ({"weights": {**good(), "fc.weight": [[0.0] * 5] * 2}}, "weights.fc.weight: expected (K, 4): the output layer reads the H = 4"),
    ({"weights": {**good(), "rnn.bias_ih_l0": [0.0] * 3}}, "weights.rnn.bias_ih_l0: expected (16) for nn.LSTM with H = 4, got (3)"),
    # the odd part is named, with the cell the layer's other parts imply (issue 25, item 13)
    ({"weights": {**good(), "rnn.weight_hh_l0": [[0.0] * 4] * 10}}, "weights.rnn.weight_hh_l0: expected (16, 4) for an LSTM with H = 4, got (10, 4) (rnn.weight_ih_l0, rnn.bias_ih_l0 and rnn.bias_hh_l0 say nn.LSTM)"),
    ({"weights": {"rnn.weight_hh_l0": [[0.0] * 4] * 10, "rnn.weight_ih_l0": [[0.0] * 3] * 10, "fc.weight": [[0.0] * 4]}}, "weights.rnn.weight_hh_l0: has shape (10, 4), which is no cell's"),
    ({"weights": {**good(), "rnn.weight_ih_l0": [[0.0] * 5] * 16}}, "weights.rnn.weight_ih_l0: expected (16, 3): the data has 3 inputs (D), got (16, 5)"),
    ({"weights": {**good(), "fc.weight": [[0.0] * 4] * 5, "fc.bias": [0.0] * 5}}, "weights.fc.weight: expected (2, 4): the data has 2 outputs (K), got (5, 4)"),
    ({"weights": good(), "hidden_size": 8}, "weights.rnn.weight_hh_l0: means H = 4, but hidden_size is 8"),
    ({"weights": {**good(), "rnn.weight_ih_l0": [[1.0, "x"]]}}, "weights.rnn.weight_ih_l0"),
    ({"weights": {"rnn.weight_ih_l0": [[1.0]]}}, "weights: missing rnn.weight_hh_l0"),
    ({"weights": {"fc.weight": [[1.0]]}}, "weights: no recurrent weights found"),
    ({"weights": {**keras(), "gru/gru_cell/bias:0": [0.0] * 12}}, "weights.gru/gru_cell/bias:0: has shape (3H,): a GRU with reset_after=False"),
    ({"weights": without(keras(), "gru/gru_cell/bias:0")}, "reset_after"),
    ({"weights": {**keras("lstm"), "dense/kernel:0": [[0.0] * 2] * 5}}, "weights.dense/kernel:0: expected (4, K)"),
    ({"weights": {**keras("lstm"), "dense/kernel:0": [[0.0] * 5] * 4, "dense/bias:0": [0.0] * 5}}, "weights.dense/kernel:0: expected (4, 2): the data has 2 outputs (K), got (4, 5)"),
    ({"weights": {**keras("lstm"), "lstm/lstm_cell/kernel:0": [[0.0] * 16] * 5}}, "weights.lstm/lstm_cell/kernel:0: expected (3, 16): the data has 3 inputs (D), got (5, 16)"),
    ({"weights": {**good(), "rnn.weight_ih_l0": [[0.0] * 3] * 5}}, "weights.rnn.weight_ih_l0: expected (16, D) for nn.LSTM with H = 4, got (5, 3)"),
    ({"weights": {**keras("lstm"), "lstm/lstm_cell/kernel:0": [[0.0] * 12] * 3}}, "weights.lstm/lstm_cell/kernel:0: expected (D, 16) for a Keras LSTM with H = 4, got (3, 12)"),
    ({"weights": {**keras("lstm"), "lstm/lstm_cell/gamma:0": [0.0]}}, "weights.lstm/lstm_cell/gamma:0: is not a weight of a Keras"),
    # a second recurrent layer makes a Keras stack (issue 28), which needs all of each layer's weights
    ({"weights": {**keras("lstm"), "lstm2/recurrent_kernel": [[0.0]]}}, "weights: missing lstm2/kernel beside lstm2/recurrent_kernel"),
]


@pytest.mark.parametrize("body,message", MALFORMED, ids=[str(i) for i in range(len(MALFORMED))])
def test_a_malformed_or_ambiguous_dict_is_refused_naming_the_key(client, body, message):
    text = refusal(client, **numbers(inputs()), **body)
    assert message in text


@pytest.mark.parametrize("body,message", [
    ({"sequence": "hello", "vocab": list("hel")}, "vocab: lacks 'o', which the sequence has"),
    ({"sequence": "hello", "vocab": list("helol")}, "vocab: has 'l' twice"),
    ({"inputs": [1.0, 2.0], "vocab": ["a"]}, "vocab: orders a text's characters"),
    ({"sequence": "hello", "vocab": ["he"]}, "vocab.0: String should have at most 1 character"),
])
def test_a_vocabulary_that_does_not_fit_the_text_is_refused(client, body, message):
    assert message in refusal(client, **body)


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_exported_pytorch_weights_load_into_torch_and_reproduce_the_answer(client, cell):
    x = inputs(4)
    answer = unfold(client, **numbers(x), cell=cell, hidden_size=H, seed=5)
    response = client.post("/api/v1/convert", json={"weights": answer["weights"], "to": "pytorch", "module": "net"})
    assert response.status_code == 200, response.text
    exported = response.json()["weights"]
    recurrent, linear = MODULES[cell](D, H, batch_first=True).double(), torch.nn.Linear(H, K).double()
    recurrent.load_state_dict({k.removeprefix("net."): torch.tensor(v, dtype=torch.float64) for k, v in exported.items() if k.startswith("net.")})
    linear.load_state_dict({k.removeprefix("fc."): torch.tensor(v, dtype=torch.float64) for k, v in exported.items() if k.startswith("fc.")})
    h, o = torch_run(recurrent, linear, x)
    assert np.abs(np.array(answer["forward"]["h"]) - h).max() < 1e-12
    assert np.abs(np.array(answer["forward"]["y_hat"]) - o).max() < 1e-12
    back = client.post("/api/v1/convert", json={"weights": exported, "to": "canonical"}).json()
    assert back["imported"]["format"] == "pytorch" and back["imported"]["cell"] == cell
    for name, value in answer["weights"].items():
        assert np.array_equal(back["weights"][name], value), name


def test_convert_refuses_what_unfold_refuses(client):
    text = refusal(client, "/api/v1/convert", weights={"U": [[1.0]], "W": [[1.0]], "b": [0.0], "V": [[1.0]]})
    assert text.startswith("weights: missing c")
    assert "module" in refusal(client, "/api/v1/convert", weights=good(), module="fc; rm -rf")


WEIGHT_NAMES = ["U", "W", "b", "V", "c", "b_hn", "rnn.weight_ih_l0", "rnn.weight_hh_l0", "rnn.bias_ih_l0",
                "rnn.bias_hh_l0", "fc.weight", "fc.bias", "out.weight", "rnn.weight_hh_l1", "lstm/lstm_cell/kernel",
                "lstm/lstm_cell/recurrent_kernel", "lstm/lstm_cell/bias", "dense/kernel", "dense/bias:0"]
entries = st.floats(-2, 2, allow_nan=False)
arrays = st.one_of(st.lists(entries, max_size=6),
                   st.integers(0, 5).flatmap(lambda n: st.lists(st.lists(entries, min_size=n, max_size=n), max_size=13)))


@given(weights=st.dictionaries(st.sampled_from(WEIGHT_NAMES), arrays, min_size=1, max_size=8))
@settings(max_examples=150, deadline=None)
def test_any_dict_of_weight_names_is_answered_or_refused_never_a_500(client, weights):
    for path, body in [("/api/v1/unfold", {"inputs": [[0.5, 1.0, 0.0]] * 3, "weights": weights}),
                       ("/api/v1/convert", {"weights": weights})]:
        response = client.post(path, json=body)
        assert response.status_code in (200, 422), (path, response.text)
        if response.status_code == 422:
            assert response.json()["detail"][0]["msg"].startswith(("weights", "inputs", "targets", "cell"))


def test_the_exported_head_takes_the_name_the_users_model_gives_it(client):
    """Issue 25, item 15: the PyTorch export always named the head fc, so a model whose Linear is
    `decoder` could not load it strictly; the Keras export always named its Dense dense."""
    class Model(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.encoder = torch.nn.GRU(D, H, batch_first=True).double()
            self.decoder = torch.nn.Linear(H, K).double()

    answer = unfold(client, **numbers(inputs(4)), cell="gru", hidden_size=H, seed=2)
    exported = client.post("/api/v1/convert", json={"weights": answer["weights"], "to": "pytorch", "module": "encoder",
                                                    "head": "decoder"}).json()["weights"]
    model = Model()
    model.load_state_dict({k: torch.tensor(v, dtype=torch.float64) for k, v in exported.items()}, strict=True)
    keras = client.post("/api/v1/convert", json={"weights": answer["weights"], "to": "keras", "head": "out"}).json()
    assert {"out/kernel", "out/bias"} <= set(keras["weights"]) and "dense/kernel" not in keras["weights"]
    assert "head" in refusal(client, "/api/v1/convert", weights=good(), head="fc.bias")


def test_a_wrong_shape_is_named_on_the_key_that_is_wrong_with_the_cell_the_rest_imply(client):
    """Issue 25, item 13: an LSTM dict whose weight_hh had a GRU's rows (24 x 8) was refused as
    'lstm.weight_ih_l0: expected (24, D) for nn.GRU', the wrong key and the wrong cell."""
    rng = np.random.default_rng(0)
    weights = {"lstm.weight_ih_l0": rng.normal(size=(32, 5)).tolist(), "lstm.weight_hh_l0": rng.normal(size=(24, 8)).tolist(),
               "lstm.bias_ih_l0": [0.0] * 32, "lstm.bias_hh_l0": [0.0] * 32, "fc.weight": rng.normal(size=(5, 8)).tolist(),
               "fc.bias": [0.0] * 5}
    text = refusal(client, sequence="hello", weights=weights, vocab=list("ehlox"))
    assert text.startswith("weights.lstm.weight_hh_l0: expected (32, 8) for an LSTM with H = 8, got (24, 8)")
    assert "the name 'lstm.'" in text and "GRU" not in text


def test_an_embedding_is_read_as_one_not_as_a_second_output_layer(client):
    """Issue 25, item 14 refused a char model with nn.Embedding as 'has 2 candidate output layers';
    issue 28 reads it: its rows are the tokens, so the text's characters must be as many (vocab)."""
    rng = np.random.default_rng(1)
    weights = {"embed.weight": rng.normal(size=(5, 4)).tolist(), "rnn.weight_ih_l0": rng.normal(size=(8, 4)).tolist(),
               "rnn.weight_hh_l0": rng.normal(size=(8, 8)).tolist(), "rnn.bias_ih_l0": [0.0] * 8, "rnn.bias_hh_l0": [0.0] * 8,
               "fc.weight": rng.normal(size=(5, 8)).tolist(), "fc.bias": [0.0] * 5}
    text = refusal(client, sequence="hello", weights=weights)
    assert text.startswith("weights.embed.weight: has 5 rows, but the text has 4 characters: give vocab")
    answer = post(client, "unfold", sequence="hello", weights=weights, vocab=list("ehlox"))
    assert answer["imported"]["mapping"]["E"] == "embed.weight"
    assert (answer["config"]["embedding"], answer["config"]["layers"]) == (4, 1)
