"""app/encoding.py: significant-digit rounding, and the gzip that large answers get."""

import gzip

import numpy as np
import pytest

from app.encoding import GZIP_MIN_BYTES, _round_by_frexp, encode, round_significant, rounded


def significant_digits(number: float) -> int:
    return len(repr(abs(float(number))).split("e")[0].replace(".", "").strip("0"))


@pytest.mark.parametrize("digits", [9, 10, 12, 15])
def test_rounding_keeps_the_digits_asked_for_over_the_whole_float64_range(digits):
    rng = np.random.default_rng(digits)
    x = rng.standard_normal(20_000) * 10.0 ** rng.integers(-290, 290, 20_000)
    r = round_significant(x, digits)
    assert r.dtype == np.float64 and r.shape == x.shape
    assert np.all(np.abs(r - x) <= 0.5 * 10.0 ** (1 - digits) * np.abs(x) * (1 + 1e-12))
    assert np.all(np.sign(r) == np.sign(x))
    # short where the power of ten is exact: `digits` digits, or one more
    ordinary = r[(np.abs(r) > 10.0 ** (digits - 22)) & (np.abs(r) < 1e22)]
    assert max(significant_digits(v) for v in ordinary) <= digits + 1


def test_rounding_is_idempotent_and_leaves_edge_values_alone():
    x = np.array([[0.0, -0.0, 5e-324, -1e-310, 1.7976931348623157e308, 1.0, -2.5, 123456789.123456789]])
    r = round_significant(x, 9)
    assert r.shape == x.shape
    np.testing.assert_array_equal(r[0, :5], x[0, :5])
    assert r[0, 5] == 1.0 and r[0, 6] == -2.5 and r[0, 7] in (123456789.0, 123456789.1)  # 9 digits, or 10
    np.testing.assert_array_equal(round_significant(r, 9), r)
    np.testing.assert_array_equal(round_significant(x, 17), x)  # 17 digits: every bit kept


@pytest.mark.parametrize("digits", range(9, 17))
def test_the_powers_looked_up_by_binary_exponent_give_the_general_rule_bit_for_bit(digits):
    """round_significant finds each number's power of ten in a table by its binary exponent; the
    general rule (frexp, for every number) gives the same bits, over every exponent a double has."""
    rng = np.random.default_rng(digits)
    with np.errstate(over="ignore"):
        x = rng.standard_normal(200_000) * 10.0 ** rng.uniform(-325, 309, 200_000)
    edges = [0.0, -0.0, 5e-324, -1e-310, 2.2250738585072014e-308, 1e-300, np.inf, -np.inf, np.nan,
             1.7976931348623157e308, 1e22, 1e23, 999999999.5, 9999999995.0, 0.5, -2.5, 123456789.123456789]
    with np.errstate(over="ignore"):  # past the largest double: inf
        x = np.concatenate([x, edges, np.nextafter(edges, np.inf)])
    got = round_significant(x, digits)
    assert got.view(np.uint64).tolist() == _round_by_frexp(x, digits).view(np.uint64).tolist()
    # each exponent seen, ordinary and not: the table's edges are crossed
    assert len(np.unique(np.frexp(x[np.isfinite(x)])[1])) > 2000


def test_rounded_walks_an_answer_and_touches_only_floats():
    answer = {"config": {"steps": 3, "seed": 7, "task": "many-to-many", "rho": 1.23456789012},
              "vocab": ["a", "b"], "mask": np.array([True, False]), "h": np.array([[0.1234567890123, 2.0]])}
    out = rounded(answer, 9)
    assert out["config"] == {"steps": 3, "seed": 7, "task": "many-to-many", "rho": 1.23456789}
    assert out["vocab"] == ["a", "b"] and out["mask"] is answer["mask"]
    assert out["h"].tolist() == [[0.123456789, 2.0]]
    assert rounded(answer, 17) is answer


def test_a_list_of_floats_is_rounded_as_each_float_would_be():
    """Curves (lists of floats and None) are rounded in one call: the same numbers as one by one."""
    rng = np.random.default_rng(5)
    curve = [float(v) for v in rng.standard_normal(50) * 10.0 ** rng.integers(-300, 300, 50)]
    curve[3] = curve[17] = None
    curve += [0.0, -0.0, 5e-324, 1.7976931348623157e308, 1.0]
    out = rounded(curve, 9)
    one_by_one = [None if v is None else rounded(v, 9) for v in curve]
    assert [repr(v) for v in out] == [repr(v) for v in one_by_one]
    assert all(type(v) is float for v in out if v is not None) and out[3] is None and out[17] is None
    mixed = [1.23456789012, 2, "a"]  # not all floats: item by item, ints and strings untouched
    assert rounded(mixed, 9) == [1.23456789, 2, "a"]


def test_large_bodies_are_gzipped_for_clients_that_accept_it():
    content = {"h": np.linspace(0, 1, 2_000)}
    body, headers = encode(content, gzipped=True)
    assert headers["Content-Encoding"] == "gzip"
    plain, plain_headers = encode(content, gzipped=False)
    assert "Content-Encoding" not in plain_headers and gzip.decompress(body) == plain
    small, small_headers = encode({"h": [1.0]}, gzipped=True)
    assert len(small) < GZIP_MIN_BYTES and "Content-Encoding" not in small_headers
