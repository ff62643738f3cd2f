"""Issue 28: training a stack through /train. Its updates are PyTorch's own optimizer's on the
same model (nn.Embedding + a 2-layer bidirectional nn.LSTM + nn.Linear, SGD and Adam), a run
resumes exactly from an answer's weights and optimizer state, and what a stack cannot train on
is refused, naming the field."""

import numpy as np
import pytest
import torch

from .helpers import post, refused

torch.set_default_dtype(torch.float64)
TEXT = "hello world"
VOCAB = sorted(set(TEXT))


def torch_stack(seed: int = 0):
    torch.manual_seed(seed)
    embedding = torch.nn.Embedding(len(VOCAB), 3)
    lstm = torch.nn.LSTM(3, 4, num_layers=2, bidirectional=True)
    fc = torch.nn.Linear(8, len(VOCAB))
    with torch.no_grad():  # b = bias_ih + bias_hh: one parameter here, so bias_hh is held at zero
        for name, value in lstm.named_parameters():
            if name.startswith("bias_hh"):
                value.zero_()
                value.requires_grad_(False)
    return embedding, lstm, fc


def weights_of(embedding, lstm, fc) -> dict:
    named = {f"emb.{k}": v for k, v in embedding.state_dict().items()}
    named |= {f"lstm.{k}": v for k, v in lstm.state_dict().items()}
    named |= {f"fc.{k}": v for k, v in fc.state_dict().items()}
    return {k: v.tolist() for k, v in named.items()}


@pytest.mark.parametrize(("optimizer", "rate"), [("sgd", 0.1), ("adam", 0.01)])
def test_a_stack_trains_as_pytorchs_optimizer_trains_it(client, optimizer, rate):
    embedding, lstm, fc = torch_stack()
    answer = post(client, "train", sequence=TEXT, weights=weights_of(embedding, lstm, fc), steps=3,
                  optimizer=optimizer, learning_rate=rate, digits=17)
    params = [p for module in (embedding, lstm, fc) for p in module.parameters() if p.requires_grad]
    step = torch.optim.SGD(params, lr=rate) if optimizer == "sgd" else torch.optim.Adam(params, lr=rate, eps=1e-8)
    tokens = torch.tensor([VOCAB.index(ch) for ch in TEXT[:-1]])
    targets = torch.tensor([VOCAB.index(ch) for ch in TEXT[1:]])
    losses = []
    for _ in range(3):
        step.zero_grad()
        out, _ = lstm(embedding(tokens)[:, None])
        loss = torch.nn.functional.cross_entropy(fc(out[:, 0]), targets, reduction="sum")
        losses.append(loss.item())
        loss.backward()
        step.step()
    np.testing.assert_allclose(answer["losses"], losses, rtol=1e-12)
    weights = answer["weights"]
    np.testing.assert_allclose(weights["E"], embedding.weight.detach().numpy(), atol=1e-12)
    np.testing.assert_allclose(weights["U_l2_reverse"], lstm.weight_ih_l1_reverse.detach().numpy(), atol=1e-12)
    np.testing.assert_allclose(weights["b_l1"], lstm.bias_ih_l0.detach().numpy(), atol=1e-12)
    np.testing.assert_allclose(weights["V"], fc.weight.detach().numpy(), atol=1e-12)
    assert answer["config"]["layers"] == 2 and answer["step"] == 3


def test_a_stacks_run_resumes_exactly(client):
    asked = {"sequence": TEXT, "cell": "gru", "layers": 2, "bidirectional": True, "embedding": 3, "hidden_size": 4,
             "optimizer": "adam"}
    whole = post(client, "train", **asked, steps=4)
    first = post(client, "train", **asked, steps=2)
    rest = {key: value for key, value in asked.items() if key not in ("layers", "bidirectional", "embedding",
                                                                       "hidden_size")}
    second = post(client, "train", **rest, steps=2, weights=first["weights"], optimizer_state=first["optimizer_state"])
    assert second["weights"] == whole["weights"]
    assert second["losses"] == whole["losses"][2:]
    unfolded = post(client, "train", **rest, steps=0, weights=whole["weights"], unfold=True)["unfold"]
    assert unfolded["forward"]["total_loss"] == pytest.approx(whole["final_loss"], rel=1e-8)  # 9 digits
    assert len(unfolded["depth"]["layers"]) == 2


def test_what_a_stack_cannot_train_on_is_refused(client):
    detail = refused(client, "train", dataset={"name": "adding", "length": 10}, layers=2)
    assert detail[0]["loc"][-1] == "layers" and "trains on a typed sequence" in detail[0]["msg"]
    detail = refused(client, "train", sequence="ab" * 100, layers=4, bidirectional=True, hidden_size=128, steps=1000)
    assert detail[0]["loc"][-1] == "steps" and "the limit is 150,000,000" in detail[0]["msg"]


def test_an_optimizer_state_naming_another_parameter_is_refused(client):
    first = post(client, "train", sequence=TEXT, layers=2, hidden_size=3, optimizer="adam", steps=1)
    state = first["optimizer_state"]
    state["m"]["U_l3"] = state["m"]["U_l2"]
    detail = refused(client, "train", sequence=TEXT, weights=first["weights"], optimizer="adam", optimizer_state=state)
    assert detail[0]["msg"].startswith("optimizer_state.m.U_l3: is not a parameter")
