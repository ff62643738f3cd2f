"""Issue 28: the models people train, brought in and taken back out. A PyTorch state_dict of
nn.Embedding + nn.RNN/nn.LSTM/nn.GRU(num_layers, bidirectional) + nn.Linear gives PyTorch's own
loss, outputs and gradients through /unfold; /convert writes a state_dict the same model loads
with strict=True; a stack's answer's weights, sent back, give the same answer; and every part
that does not fit is refused naming its key."""

import numpy as np
import pytest
import torch

from .helpers import post, refused

torch.set_default_dtype(torch.float64)
TEXT = "hello world"
VOCAB = sorted(set(TEXT))


class CharModel(torch.nn.Module):
    """As a PyTorch user writes a char model: embed, recur, read out."""

    def __init__(self, cell: str, layers: int, bidirectional: bool, embedded: bool, H: int = 5):
        super().__init__()
        D = 4 if embedded else len(VOCAB)
        self.embedding = torch.nn.Embedding(len(VOCAB), D) if embedded else None
        self.rnn = getattr(torch.nn, cell)(D, H, num_layers=layers, bidirectional=bidirectional)
        self.fc = torch.nn.Linear(H * (2 if bidirectional else 1), len(VOCAB))

    def forward(self, tokens):
        x = self.embedding(tokens) if self.embedding is not None else \
            torch.nn.functional.one_hot(tokens, len(VOCAB)).double()
        out, _ = self.rnn(x[:, None])
        return self.fc(out[:, 0])


def tokens_of(text: str) -> torch.Tensor:
    return torch.tensor([VOCAB.index(ch) for ch in text])


def trained_like(cell, layers, bidirectional, embedded, seed=0) -> CharModel:
    torch.manual_seed(seed)
    model = CharModel(cell, layers, bidirectional, embedded)
    with torch.no_grad():  # biases of unit order, so no gradient is trivially zero
        for name, value in model.named_parameters():
            if "bias" in name:
                value.uniform_(-0.5, 0.5)
    return model


def state(model) -> dict:
    return {key: value.tolist() for key, value in model.state_dict().items()}


CASES = [("RNN", 2, True, True), ("LSTM", 2, True, True), ("GRU", 2, True, True),
         ("LSTM", 3, False, True), ("GRU", 1, True, False), ("RNN", 2, False, False)]


@pytest.mark.parametrize(("cell", "layers", "bidirectional", "embedded"), CASES)
def test_a_pytorch_stack_gives_pytorchs_own_numbers(client, cell, layers, bidirectional, embedded):
    model = trained_like(cell, layers, bidirectional, embedded)
    answer = post(client, "unfold", sequence=TEXT, weights=state(model), digits=17)
    o = model(tokens_of(TEXT[:-1]))
    loss = torch.nn.functional.cross_entropy(o, tokens_of(TEXT[1:]), reduction="sum")
    loss.backward()
    assert answer["forward"]["total_loss"] == pytest.approx(loss.item(), abs=1e-10)
    np.testing.assert_allclose(answer["forward"]["o"], o.detach().numpy(), atol=1e-10)
    config = answer["config"]
    assert (config["cell"], config["layers"], config["bidirectional"]) == (cell.lower(), layers, bidirectional)
    assert config["embedding"] == (4 if embedded else None)
    grads = {key: value.grad.numpy() for key, value in model.named_parameters()}
    mapping = answer["imported"]["mapping"]
    H = 5
    for name, source in mapping.items():
        ours = np.array(answer["gradients"]["total"][name])
        if source in grads:  # U, W, V, c and E come from one key each
            np.testing.assert_allclose(ours, grads[source], atol=1e-10, err_msg=name)
        elif name.startswith("b_hn"):  # the GRU's candidate recurrent bias: bias_hh's last block
            np.testing.assert_allclose(ours, grads[source.split("[")[0]][2 * H:], atol=1e-10, err_msg=name)
        else:  # b = bias_ih + bias_hh: the gradient of either, bias_ih's
            np.testing.assert_allclose(ours, grads[source.split(" + ")[0]], atol=1e-10, err_msg=name)
    assert len(mapping) == len(answer["gradients"]["total"])


@pytest.mark.parametrize(("cell", "layers", "bidirectional", "embedded"), CASES[:3] + CASES[4:5])
def test_a_stack_converts_back_to_a_state_dict_pytorch_loads_strictly(client, cell, layers, bidirectional, embedded):
    model = trained_like(cell, layers, bidirectional, embedded, seed=1)
    converted = post(client, "convert", weights=state(model), to="pytorch", module="rnn", head="fc")["weights"]
    fresh = trained_like(cell, layers, bidirectional, embedded, seed=2)
    fresh.load_state_dict({key: torch.tensor(value) for key, value in converted.items()}, strict=True)
    tokens = tokens_of(TEXT)
    with torch.no_grad():
        np.testing.assert_allclose(fresh(tokens).numpy(), model(tokens).numpy(), atol=1e-12)


def test_an_answers_weights_sent_back_give_the_same_answer(client):
    """The canonical names of a stack (U_l1, ..., U_l2_reverse, V, c, E) read back as they are written."""
    asked = {"sequence": TEXT, "cell": "gru", "layers": 2, "bidirectional": True, "embedding": 3, "hidden_size": 4,
             "digits": 17}
    first = post(client, "unfold", **asked)
    again = post(client, "unfold", sequence=TEXT, weights=first["weights"], digits=17)
    assert again["imported"]["format"] == "canonical"
    assert again["gradients"] == first["gradients"]
    assert again["depth"] == first["depth"]
    as_torch = post(client, "convert", weights=first["weights"], to="pytorch")["weights"]
    assert {"embedding.weight", "gru.weight_ih_l1_reverse", "gru.bias_hh_l1_reverse", "fc.weight"} <= set(as_torch)


def with_changes(model, **changes) -> dict:
    weights = state(model)
    for key, value in changes.items():
        if value is None:
            del weights[key]
        else:
            weights[key] = value
    return weights


@pytest.mark.parametrize(("changes", "field", "words"), [
    ({"rnn.weight_ih_l1_reverse": None, "rnn.weight_hh_l1_reverse": None, "rnn.bias_ih_l1_reverse": None,
      "rnn.bias_hh_l1_reverse": None}, "weights.rnn.weight_ih_l1", "no weights of layer 1 in reverse"),
    ({"rnn.weight_ih_l1": [[0.0] * 7] * 20}, "weights.rnn.weight_ih_l1", "layer 1 reads the 10 states of the layer below"),
    ({"rnn.weight_hh_l1": [[0.0] * 3] * 12, "rnn.weight_ih_l1": [[0.0] * 10] * 12, "rnn.bias_ih_l1": [0.0] * 12,
      "rnn.bias_hh_l1": [0.0] * 12}, "weights.rnn.weight_hh_l1", "every layer and direction has the same hidden size"),
    ({"fc.weight": [[0.0] * 5] * 8}, "weights.fc.weight", "the output layer reads the H = 10 hidden units"),
    ({"rnn.weight_hr_l1": [[0.0]]}, "weights.rnn.weight_hr_l1", "proj_size"),
])
def test_a_stack_that_does_not_fit_is_refused_naming_its_key(client, changes, field, words):
    model = trained_like("LSTM", 2, True, True)
    detail = refused(client, "unfold", sequence=TEXT, weights=with_changes(model, **changes))
    assert detail[0]["msg"].startswith(field + ":"), detail[0]["msg"]
    assert words in detail[0]["msg"]


@pytest.mark.parametrize(("extra", "field", "words"), [
    ({"layers": 3}, "layers", "the weights have layers = 2"),
    ({"bidirectional": False}, "bidirectional", "the weights have bidirectional = True"),
    ({"sequence": "hello"}, "weights.embedding.weight", "give vocab"),
    ({"hidden_size": 7}, "hidden_size", "the weights have H = 5"),
])
def test_fields_that_disagree_with_the_weights_are_refused(client, extra, field, words):
    model = trained_like("GRU", 2, True, True)
    detail = refused(client, "unfold", **{"sequence": TEXT, "weights": state(model), **extra})
    assert detail[0]["msg"].startswith(field + ":"), detail[0]["msg"]
    assert words in detail[0]["msg"]


def test_a_pytorch_stack_converts_to_keras_and_back_to_the_same_numbers(client):
    model = trained_like("GRU", 2, True, True)
    as_keras = post(client, "convert", weights=state(model), to="keras")["weights"]
    assert list(as_keras)[:2] == ["embedding/embeddings", "bidirectional/forward_gru/kernel"]
    back = post(client, "convert", weights=as_keras, to="canonical")["weights"]
    direct = post(client, "convert", weights=state(model), to="canonical")["weights"]
    assert back.keys() == direct.keys()
    for name, value in direct.items():
        np.testing.assert_allclose(back[name], value, rtol=0, atol=0, err_msg=name)


def test_a_layer_that_is_not_read_is_refused_naming_its_key(client):
    """Issue 28: an attention block is not read; the refusal names its key."""
    model = trained_like("GRU", 2, False, True)
    weights = {**state(model), "attn.in_proj_weight": [[0.0] * 5] * 15}
    detail = refused(client, "unfold", sequence=TEXT, weights=weights)
    assert detail[0]["msg"].startswith("weights.attn.in_proj_weight: is not part of a model read here")
    assert "attention, convolutions and other layers are not read" in detail[0]["msg"]
