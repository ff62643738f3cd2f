"""Encoders, initialisation, validation and overflow reporting."""

import numpy as np
import pytest

from core import (
    InputError,
    NumericalOverflow,
    backward,
    encode_numbers,
    encode_text,
    forward,
    init_params,
    params_from_arrays,
    rescale_recurrent,
    spectral_radius,
)


def test_text_gives_one_hot_inputs_and_next_character_targets():
    seq = encode_text("hello")
    assert seq.vocab == ("e", "h", "l", "o")
    assert seq.steps == 4
    assert [seq.vocab[i] for i in seq.x.argmax(axis=1)] == list("hell")
    assert [seq.vocab[i] for i in seq.y.argmax(axis=1)] == list("ello")
    assert np.all(seq.x.sum(axis=1) == 1) and seq.has_loss.all()


def test_tasks_mask_inputs_and_losses():
    m2o = encode_text("hello", "many-to-one")
    assert m2o.has_loss.tolist() == [False, False, False, True]
    assert np.all(m2o.y[:-1] == 0) and np.all(m2o.x.sum(axis=1) == 1)
    o2m = encode_text("hello", "one-to-many")
    assert o2m.has_loss.all() and o2m.x[0].sum() == 1 and np.all(o2m.x[1:] == 0)
    with pytest.raises(InputError, match="task"):
        encode_text("hello", "one-to-one")


def test_numbers_and_vectors_predict_the_next_value():
    seq = encode_numbers([1, 2, 3])
    assert seq.x.tolist() == [[1], [2]] and seq.y.tolist() == [[2], [3]]
    seq = encode_numbers([[1, 0], [0, 1], [1, 1]])
    assert seq.x.shape == (2, 2) and seq.y.tolist() == [[0, 1], [1, 1]]


def test_explicit_targets():
    seq = encode_numbers([1, 2, 3], targets=[[0.5], [0.1], [0.2]])
    assert seq.steps == 3 and seq.y[:, 0].tolist() == [0.5, 0.1, 0.2]
    seq = encode_numbers([1, 2, 3], targets=[7], task="many-to-one")
    assert seq.y[:, 0].tolist() == [0, 0, 7] and seq.has_loss.tolist() == [False, False, True]
    with pytest.raises(InputError, match="one target per step: 3 expected, 2 given"):
        encode_numbers([1, 2, 3], targets=[1, 2])


@pytest.mark.parametrize("bad,field", [
    ("a", "sequence"), ("", "sequence"),
])
def test_too_short_text_is_refused(bad, field):
    with pytest.raises(InputError) as info:
        encode_text(bad)
    assert info.value.field == field and "at least 2" in info.value.message


@pytest.mark.parametrize("inputs,message", [
    ([], "must not be empty"), ([[1, 2], [3]], "equally long"), ([1, float("nan")], "finite"), ([5], "at least 2"),
])
def test_bad_numbers_are_refused(inputs, message):
    with pytest.raises(InputError, match=message):
        encode_numbers(inputs)


def test_initialisation_is_seeded_and_rescaling_hits_the_radius():
    a, b, c = init_params(3, 5, 3, seed=7), init_params(3, 5, 3, seed=7), init_params(3, 5, 3, seed=8)
    assert np.array_equal(a.W, b.W) and not np.array_equal(a.W, c.W)
    assert np.all(a.b == 0) and np.all(a.c == 0)
    assert spectral_radius(rescale_recurrent(a, 1.7).W) == pytest.approx(1.7, rel=1e-12)


def test_supplied_weights_are_checked_against_the_data():
    good = init_params(3, 4, 3).as_dict()
    params = params_from_arrays({k: v.tolist() for k, v in good.items()}, 3, 3)
    assert np.array_equal(params.W, good["W"])
    with pytest.raises(InputError, match=r"weights.U: must have shape \[4, 3\]"):
        params_from_arrays({**good, "U": np.zeros((4, 2))}, 3, 3)
    with pytest.raises(InputError, match="weights.W: must be a square"):
        params_from_arrays({**good, "W": np.zeros((4, 3))}, 3, 3)
    with pytest.raises(InputError, match="missing V"):
        params_from_arrays({k: v for k, v in good.items() if k != "V"}, 3, 3)
    with pytest.raises(InputError, match="weights.b: must contain only finite"):
        params_from_arrays({**good, "b": [0, 0, float("inf"), 0]}, 3, 3)


def test_forward_overflow_names_the_step_and_quantity():
    seq = encode_text("ab" * 200)
    params = rescale_recurrent(init_params(2, 8, 2, seed=1), 1e3)
    params = params.replace(b=np.ones(8))
    with pytest.raises(NumericalOverflow) as info:
        forward(params, seq, "relu", "softmax")
    assert info.value.quantity == "a" and 0 < info.value.step < 200


def test_backward_overflow_names_the_step_and_quantity():
    """h stays 0 forward (no input after step 0, zero input weights), but errors explode backward."""
    seq = encode_text("ab" * 200, "one-to-many")
    params = rescale_recurrent(init_params(2, 8, 2, seed=1), 1e3).replace(U=np.zeros((8, 2)))
    fwd = forward(params, seq, "identity", "softmax")
    with pytest.raises(NumericalOverflow) as info:
        backward(fwd)
    assert info.value.quantity == "dh" and 0 < info.value.step < 398


def test_the_first_nonfinite_row_is_found_even_when_the_sum_overflows():
    """The check's shortcut (a finite sum means no inf or NaN) must not hide a row, nor report
    one when only the sum of finite values overflows."""
    from core.unfold import first_nonfinite_row

    big = np.full((4, 3), 1e308)  # every entry finite, their sum is not
    assert first_nonfinite_row(big) is None
    for bad in (np.nan, np.inf, -np.inf):
        values = np.zeros((4, 3))
        values[1, 2] = values[3, 0] = bad
        assert first_nonfinite_row(values) == 1 and first_nonfinite_row(values, reverse=True) == 3
        big[2, 1] = bad
        assert first_nonfinite_row(big) == 2
        big[2, 1] = 1e308


def test_softmax_targets_must_be_distributions():
    seq = encode_numbers([0.2, 0.5, 0.9])
    with pytest.raises(InputError, match="probability vector"):
        forward(init_params(1, 3, 1), seq, "tanh", "softmax")
    with pytest.raises(InputError, match=r"h0: must be 3 finite"):
        forward(init_params(1, 3, 1), seq, "tanh", "identity", h0=[0, 0])


def test_extreme_pre_activations_give_finite_losses():
    from core.functions import HEADS

    o = np.array([[1e4, -1e4, 0.0]])
    for name, head in HEADS.items():
        y = np.array([[0.0, 1.0, 0.0]])
        assert np.isfinite(head.f(o)).all(), name
        if name != "identity":
            assert np.isfinite(head.loss(o, y)).all() and head.loss(o, y)[0] > 1e3, name


def test_the_cores_refusals_cross_a_process_boundary_intact():
    """Computations run in other processes (app/workers.py): a refusal must arrive as it left."""
    import pickle

    from core import InputError, NumericalOverflow

    refusal = pickle.loads(pickle.dumps(InputError("weights.U", "must be a matrix")))
    assert (type(refusal), refusal.field, refusal.message, str(refusal)) == (InputError, "weights.U", "must be a matrix", "weights.U: must be a matrix")
    overflow = pickle.loads(pickle.dumps(NumericalOverflow("h", 7, 3)))
    assert (overflow.quantity, overflow.step, overflow.training_step) == ("h", 7, 3) and "training step 3" in str(overflow)
