"""Bad input: a 422 (413 for a body over the limit) whose message names the field and the limit."""

import pytest

from app.settings import MAX_GRADCHECK_COST, MAX_HEAVY_NUMBERS


def refused(client, body, status=422, path="/api/v1/unfold"):
    response = client.post(path, json=body) if not isinstance(body, bytes) else client.post(
        path, content=body, headers={"content-type": "application/json"})
    assert response.status_code == status, response.text
    detail = response.json()["detail"]
    assert detail and all(set(item) >= {"loc", "msg", "type"} for item in detail)
    return " | ".join(item["msg"] for item in detail), detail


WEIGHTS_OK = {"U": [[0.1, 0.2]], "W": [[0.5]], "b": [0.0], "V": [[1.0], [0.5]], "c": [0.0, 0.0]}

CASES = [
    ({"sequence": ""}, "sequence: String should have at least 2 characters"),
    ({"sequence": "a"}, "sequence: String should have at least 2 characters"),
    ({"sequence": "x" * 1026}, "sequence: String should have at most 1025 characters"),
    ({"sequence": "".join(chr(0x4E00 + i) for i in range(130))}, "sequence: has 130 distinct characters; the limit is 128"),
    ({}, "exactly one of sequence (text), inputs (numbers) or dataset"),
    ({"sequence": "ab", "inputs": [1, 2]}, "exactly one of sequence"),
    ({"sequence": "abc", "targets": [1, 2]}, "targets go with inputs"),
    ({"sequence": "hello", "activation": "softsign"}, "activation: Input should be 'tanh', 'relu', 'sigmoid' or 'identity'"),
    ({"sequence": "hello", "output": "linear"}, "output: Input should be 'softmax', 'identity' or 'sigmoid'"),
    ({"sequence": "hello", "task": "one-to-one"}, "task: Input should be 'many-to-many'"),
    ({"sequence": "hello", "hidden_size": 0}, "hidden_size: Input should be greater than or equal to 1"),
    ({"sequence": "hello", "hidden_size": 129}, "hidden_size: Input should be less than or equal to 128"),
    ({"sequence": "hello", "hidden_size": "8"}, "hidden_size: Input should be a valid integer"),
    ({"sequence": "hello", "seed": -1}, "seed: Input should be greater than or equal to 0"),
    ({"sequence": "hello", "spectral_radius": 0}, "spectral_radius: Input should be greater than 0"),
    ({"sequence": "hello", "spectral_radius": 1000}, "spectral_radius: Input should be less than or equal to 100"),
    ({"sequence": "hello", "truncate": 0}, "truncate: Input should be greater than or equal to 1"),
    ({"sequence": "hello", "include": ["everything"]},
     "include.0: Input should be 'flow_shares', 'per_step_gradients', 'flows_by_unit', 'gain', 'truncation' or 'auto'"),
    ({"sequence": "hello", "colour": "red"}, "colour: Extra inputs are not permitted"),
    ({"inputs": []}, "inputs: List should have at least 1 item"),
    ({"inputs": [1]}, "inputs: needs at least 2 values"),
    ({"inputs": [1, "2"]}, "inputs.1: Input should be a valid number"),
    ({"inputs": [[1, 2], [3]]}, "inputs: must be a list of numbers or a list of equally long lists"),
    ({"inputs": [[1, None]]}, "inputs.0.1: Input should be a valid number"),
    ({"inputs": [1, 2, 3], "targets": [1]}, "targets: must give one target per step: 3 expected, 1 given"),
    ({"inputs": list(range(1100))}, "inputs: List should have at most 1025 items"),
    ({"inputs": [0.1, 0.2], "output": "softmax", "hidden_size": 2}, "targets: with the softmax head"),
    ({"inputs": [0.5, 2.0], "output": "sigmoid"}, "targets: with the sigmoid head every target must lie in [0, 1]"),
    ({"inputs": [0.1, 0.2, 0.3], "h0": [0, 0]}, "h0: must be 8 finite numbers"),
    ({"inputs": [[1, 2], [3, 4], [5, 6]], "weights": {**WEIGHTS_OK, "U": [[0.1, 0.2, 0.3]]}},
     "weights.U: must have shape [1, 2]"),
    ({"inputs": [[1, 2], [3, 4], [5, 6]], "weights": {**WEIGHTS_OK, "W": [[0.5, 0.1]]}},
     "weights.W: must be a square H x H matrix"),
    ({"inputs": [[1, 2], [3, 4], [5, 6]], "weights": {**WEIGHTS_OK, "V": [[1.0, 0.2], [0.5]]}},
     "weights.V: must be a (nested) list of numbers with equal-length rows"),
    ({"inputs": [[1, 2], [3, 4], [5, 6]], "weights": {k: v for k, v in WEIGHTS_OK.items() if k != "c"}},
     "weights: missing c: the rnn cell needs all of U, W, b, V, c"),
    ({"inputs": [[1, 2], [3, 4], [5, 6]], "weights": {**WEIGHTS_OK, "b": ["x"]}}, "weights.b.0: Input should be a valid number"),
    ({"sequence": "x" + "ab" * 512, "hidden_size": 128, "include": ["flows_by_unit"]},
     f"include: flows_by_unit would return 134,217,728 numbers; the limit is {MAX_HEAVY_NUMBERS:,}"),
    ({"sequence": "x" + "ab" * 512, "cell": "lstm", "hidden_size": 128, "include": ["per_step_gradients"]},
     f"include: per_step_gradients would return {1024 * (4 * 128 * (3 + 128 + 1) + 3 * 128 + 3):,} numbers"),
    # the cells: a field that does not apply to the chosen cell says why
    ({"sequence": "hello", "cell": "transformer"}, "cell: Input should be 'rnn', 'lstm', 'gru', 'mingru' or 'minlstm'"),
    ({"sequence": "hello", "cell": "lstm", "activation": "relu"}, "activation: is the simple RNN's g; the lstm cell has gates of its own instead (leave it out, or use cell rnn)"),
    ({"sequence": "hello", "cell": "gru", "activation": "tanh"}, "activation: is the simple RNN's g; the gru cell has gates"),
    ({"sequence": "hello", "cell": "lstm", "spectral_radius": 2}, "spectral_radius: rescales the simple RNN's W; the lstm cell has no W to rescale this way (use forget_bias"),
    ({"sequence": "hello", "cell": "gru", "spectral_radius": 2}, "spectral_radius: rescales the simple RNN's W; the gru cell has no W to rescale this way"),
    ({"sequence": "hello", "forget_bias": 2}, "forget_bias: is the forget gate's initial bias; the rnn cell has no forget gate (leave it out, or use cell lstm or minlstm)"),
    ({"sequence": "hello", "cell": "gru", "forget_bias": 2}, "forget_bias: is the forget gate's initial bias; the gru cell"),
    ({"sequence": "hello", "cell": "mingru", "forget_bias": 2}, "forget_bias: is the forget gate's initial bias; the mingru cell has no forget gate"),
    ({"sequence": "hello", "cell": "minlstm", "s0": [0] * 8}, "s0: is the LSTM's initial cell state; the minlstm cell has no cell state"),
    ({"inputs": [[1, 2], [3, 4], [5, 6]], "weights": {**WEIGHTS_OK, "U": [[0.5, 0.1]] * 2}, "cell": "mingru"},
     "weights.W: is not a parameter of the minGRU: its gates read only x, so it has no recurrent weights"),
    ({"sequence": "hello", "cell": "lstm", "forget_bias": 21}, "forget_bias: Input should be less than or equal to 20"),
    ({"sequence": "hello", "cell": "lstm", "forget_bias": "1"}, "forget_bias: Input should be a valid number"),
    ({"sequence": "hello", "s0": [0] * 8}, "s0: is the LSTM's initial cell state; the rnn cell has no cell state"),
    ({"sequence": "hello", "cell": "lstm", "s0": [0, 0]}, "s0: must be 8 finite numbers"),
    ({"inputs": [[1, 2], [3, 4], [5, 6]], "weights": WEIGHTS_OK, "cell": "lstm"},
     "weights.W: must be a 4H x H matrix (one H x H block per gate) for the lstm cell, got shape [1, 1]"),
    ({"inputs": [[1, 2], [3, 4], [5, 6]], "weights": {**WEIGHTS_OK, "W": [[0.5]] * 3}, "cell": "gru"},
     "weights: missing b_hn: the gru cell needs all of U, W, b, b_hn, V, c"),
    ({"inputs": [[1, 2], [3, 4], [5, 6]], "weights": {**WEIGHTS_OK, "b_hn": [0.0]}},
     "weights.b_hn: is not a parameter of the rnn cell"),
    ({"inputs": [[1, 2], [3, 4], [5, 6]], "weights": WEIGHTS_OK, "hidden_size": 4},
     "weights.W: has shape [1, 1], which means H = 1, but hidden_size is 4"),
    ({"inputs": [[1, 2], [3, 4], [5, 6]], "weights": WEIGHTS_OK, "cell": "lstm", "forget_bias": 2},
     "forget_bias: initialises the forget gate; with explicit weights set it in b"),
    # worded for a person, not by the validation library or the JSON parser
    ({"inputs": [list(range(129))] * 2}, "inputs: has a vector of 129 numbers; the limit is 128"),
    ({"inputs": [1, [2]]}, "inputs: give numbers or vectors (lists of numbers), not both"),
    ({"inputs": [1, 2], "targets": [[1] * 130] * 2}, "targets: has a vector of 130 numbers; the limit is 128"),
]


@pytest.mark.parametrize("body,message", CASES, ids=[str(i) for i in range(len(CASES))])
def test_bad_input_is_refused_with_a_message_naming_the_field(client, body, message):
    text, _ = refused(client, body)
    assert message in text


@pytest.mark.parametrize("literal", [b"NaN", b"Infinity", b"-Infinity", b"1e999"])
def test_non_finite_numbers_are_refused(client, literal):
    text, detail = refused(client, b'{"inputs": [0.5, ' + literal + b', 0.1]}')
    assert "inputs.1: Input should be a finite number" in text
    text, _ = refused(client, b'{"sequence": "hello", "h0": [0, 0, 0, 0, 0, 0, 0, ' + literal + b"]}")
    assert "h0.7: Input should be a finite number" in text


def test_malformed_json_is_a_422_that_says_where(client):
    text, detail = refused(client, b'{"sequence": "hello" "x"}')
    assert text == "body: is not valid JSON: Expecting ',' delimiter at character 21"
    assert detail[0]["loc"] == ["body"]


@pytest.mark.parametrize("content,content_type", [
    (b'{"sequence": "hello"}', "text/plain"), (b"sequence=hello", "application/x-www-form-urlencoded"),
    (b'["hello"]', "application/json"),
])
def test_a_body_that_is_not_a_json_object_says_what_to_send(client, content, content_type):
    response = client.post("/api/v1/unfold", content=content, headers={"content-type": content_type})
    assert response.status_code == 422
    assert response.json()["detail"][0]["msg"].startswith("body: must be a JSON object such as")
    assert "Content-Type: application/json" in response.json()["detail"][0]["msg"]


def test_overflow_names_the_step_and_quantity(client):
    text, detail = refused(client, {"sequence": "ab" * 300, "activation": "relu", "spectral_radius": 100})
    assert detail[0]["type"] == "overflow" and detail[0]["quantity"] == "a"
    assert f"overflowed in a at step {detail[0]['step']}" in text


def test_body_over_the_limit_is_a_413(client):
    big = b'{"sequence": "' + b"a" * (5 * 1024 * 1024) + b'"}'
    text, _ = refused(client, big, status=413)
    assert "over the limit of 4,194,304 bytes" in text


def test_gradcheck_refuses_work_over_its_limit(client):
    text, _ = refused(client, {"sequence": "abcdefghij" * 5, "hidden_size": 32}, path="/api/v1/gradcheck")
    assert f"the limit is {MAX_GRADCHECK_COST:,}" in text and text.startswith("sequence:")


def test_gradcheck_says_so_when_finite_differences_overflow_where_the_answer_does_not(client):
    """Found by the fuzzer: J is finite, J moved by ε is not; the check has no number to give."""
    values = [-1.9, -7.438176035604411e80, -1.559914775078633e-136]
    request = {"inputs": values, "targets": values, "activation": "identity", "hidden_size": 33, "seed": 33,
               "spectral_radius": 61.88556050590145}
    assert client.post("/api/v1/unfold", json=request).status_code == 200
    text, _ = refused(client, request, path="/api/v1/gradcheck")
    assert text.startswith("inputs:") and "finite differences overflow" in text


def test_refusals_do_not_echo_the_input(client):
    response = client.post("/api/v1/unfold", json={"sequence": "<script>alert(1)</script>", "hidden_size": 999})
    assert response.status_code == 422 and "<script>" not in response.text
