"""Issue 28 through the API: a stack, both directions or an embedding gives the core's numbers,
each layer and direction under `depth`; what a stack does not read yet is refused, naming the
field; a one-layer, one-way, one-hot answer keeps its bytes (test_pinned_answers)."""

import numpy as np
import pytest

from app.schemas import UnfoldResponse
from core import encode_text
from core.contract import DEPTH_FIELDS
from core.deep import forward_deep, init_deep
from core.deep_backward import backward_deep
from core.gain import layer_gains

from .helpers import post, refused

STACK = {"sequence": "hello world", "cell": "lstm", "layers": 2, "bidirectional": True, "embedding": 4,
         "hidden_size": 4, "seed": 5, "digits": 17}


def core_answer(cell="lstm", layers=2, bidirectional=True, embedding=4, hidden_size=4, seed=5, truncate=None,
                text="hello world"):
    seq = encode_text(text)
    K = len(seq.vocab)
    params = init_deep(K, hidden_size, K, cell=cell, layers=layers, bidirectional=bidirectional,
                       embedding=embedding, seed=seed)
    fwd = forward_deep(params, seq.x, seq.y, seq.has_loss, tokens=seq.x.argmax(axis=1) if embedding else None)
    return fwd, backward_deep(fwd, truncate)


def test_a_stack_answers_the_cores_numbers_layer_by_layer(client):
    answer = post(client, "unfold", **STACK)
    fwd, bwd = core_answer()
    config = answer["config"]
    assert (config["layers"], config["bidirectional"], config["embedding"], config["input_size"]) == (2, True, 4, 4)
    assert answer["forward"]["total_loss"] == fwd.total_loss
    np.testing.assert_array_equal(answer["forward"]["x"], fwd.x)  # the embedded rows E[token]
    np.testing.assert_array_equal(answer["forward"]["h"], fwd.h)
    assert list(answer["gradients"]["total"]) == list(bwd.grads)
    for name, grad in bwd.grads.items():
        np.testing.assert_array_equal(answer["gradients"]["total"][name], grad, err_msg=name)
    np.testing.assert_array_equal(answer["errors"]["x"], bwd.dx)
    np.testing.assert_array_equal(answer["flows"]["h"], bwd.flow[-1])
    layers = answer["depth"]["layers"]
    assert [layer["layer"] for layer in layers] == [1, 2]
    assert answer["depth"]["directions"] == ["forward", "reverse"]
    for i, layer in enumerate(layers):
        np.testing.assert_array_equal(layer["flows"]["h"], bwd.flow[i])
        assert layer["gain"] == layer_gains(bwd.flow, fwd.has_loss, True)[i]
        for d, shown in enumerate(layer["directions"]):
            ours = bwd.layers[i][d]
            assert shown["direction"] == ("forward", "reverse")[d]
            np.testing.assert_array_equal(shown["errors"]["h"], ours.dh)
            np.testing.assert_array_equal(shown["errors"]["s"], ours.ds)
            # a reverse direction's states in step order: what the layer above reads at step t
            half = slice(d * 4, (d + 1) * 4)
            np.testing.assert_array_equal(shown["forward"]["h"], fwd.outputs(i)[:, half])
            assert set(shown["forward"]["gates"]) == {"input", "forget", "candidate", "output"}
            # F_l is the norm over both directions' parts
            np.testing.assert_allclose(np.square(layer["flows"]["h"]),
                                       sum(np.square(part["flows"]["h"]) for part in layer["directions"]), rtol=1e-12)
    UnfoldResponse.model_validate(answer)


def test_a_truncated_one_way_stack_cuts_each_layer_at_the_window(client):
    answer = post(client, "unfold", sequence="abcdefgh", cell="gru", layers=3, hidden_size=3, truncate=2, digits=17)
    _, bwd = core_answer(cell="gru", layers=3, bidirectional=False, embedding=None, hidden_size=3, seed=0,
                         truncate=2, text="abcdefgh")
    for i, layer in enumerate(answer["depth"]["layers"]):
        flow = np.array(layer["flows"]["h"])
        np.testing.assert_array_equal(flow, bwd.flow[i])
        s, t = np.nonzero(flow)
        assert ((s - t >= 0) & (s - t < 2)).all()  # one way, inside the window
        assert (s - t == 1).any()
    assert "depth" not in post(client, "unfold", sequence="abcdefgh", cell="gru", hidden_size=3)


@pytest.mark.parametrize(("body", "field", "words"), [
    ({"inputs": [1, 2, 3], "embedding": 3}, "embedding", "looks up a text's characters"),
    ({"sequence": "hello", "layers": 2, "h0": [0.0] * 8}, "h0", "starts every layer and direction at zeros"),
    ({"sequence": "hello", "bidirectional": True, "spectral_radius": 1.0}, "spectral_radius", "one per layer"),
    ({"sequence": "hello", "layers": 2, "include": ["gain"]}, "include", "gain is not computed for a stack"),
    ({"sequence": "hello", "layers": 5}, "layers", "less than or equal to 4"),
    ({"sequence": "hello", "embedding": 0}, "embedding", "greater than or equal to 1"),
    ({"sequence": "hello", "embedding": 129}, "embedding", "less than or equal to 128"),
    ({"sequence": "hello", "layers": 2, "weights": {"U": [[1.0]], "W": [[1.0]], "b": [0.0], "V": [[1.0]],
                                                    "c": [0.0]}}, "layers", "the weights have layers = 1"),
    ({"sequence": "ab" * 150 + "c", "layers": 2, "bidirectional": True, "hidden_size": 128}, "sequence",
     "the limit is 16,777,216"),
])
def test_what_a_stack_does_not_read_is_refused_naming_the_field(client, body, field, words):
    detail = refused(client, "unfold", **body)
    assert detail[0]["loc"][-1] == field
    assert words in detail[0]["msg"]


def test_a_one_way_stack_writes_text_and_a_bidirectional_one_is_refused(client):
    written = post(client, "sample", sequence="hello world", layers=2, embedding=3, length=20, temperature=0)
    assert len(written["text"]) == 20 and set(written["text"]) <= set("hello world")
    detail = refused(client, "sample", sequence="hello", layers=2, bidirectional=True)
    assert detail[0]["loc"][-1] == "bidirectional" and "sampling needs one direction" in detail[0]["msg"]


def test_meta_lists_the_stacks_fields_as_declared(client):
    listed = client.get("/api/v1/meta").json()
    assert [(f["name"], f["kind"], f["default"]) for f in listed["fields"][-3:]] == [
        (f.name, f.kind, f.default) for f in DEPTH_FIELDS]
    assert listed["limits"]["layers"] == 4


@pytest.mark.parametrize(("cell", "bidirectional"), [("lstm", True), ("gru", False), ("minlstm", True)])
def test_the_gradient_check_of_a_stack_agrees_for_every_parameter(client, cell, bidirectional):
    answer = post(client, "gradcheck", sequence="abcab", cell=cell, layers=2, bidirectional=bidirectional,
                  embedding=2, hidden_size=2)
    names = set(core_answer(cell=cell, layers=2, bidirectional=bidirectional, embedding=2, hidden_size=2, seed=0,
                            text="abcab")[1].grads)
    assert set(answer["agrees"]) == names and "E" in names
    assert all(answer["agrees"].values()), answer["max_abs_error"]
    assert max(answer["max_relative_error"].values()) < 1e-6


def test_the_gradient_check_of_a_stack_refuses_a_window_and_a_large_stack(client):
    detail = refused(client, "gradcheck", sequence="abcab", layers=2, truncate=2)
    assert detail[0]["loc"][-1] == "truncate" and "cannot check" in detail[0]["msg"]
    detail = refused(client, "gradcheck", sequence="the quick brown fox", layers=3, bidirectional=True, hidden_size=16)
    assert detail[0]["loc"][-1] == "sequence" and "the limit is 40,000" in detail[0]["msg"]


def test_meta_documents_a_stacks_canonical_weights_as_answers_name_them(client):
    layout = client.get("/api/v1/meta").json()["stack_weights"]
    answer = post(client, "unfold", sequence="hello", cell="gru", layers=2, bidirectional=True, embedding=2,
                  hidden_size=2)
    per_layer = layout["per_layer"]["gru"]
    expected = [name.format(l=layer) + suffix for layer in (1, 2) for suffix in ("", "_reverse") for name in per_layer]
    assert list(answer["weights"]) == expected + layout["head"] + [layout["embedding"]]
