"""An answer is a function of its request's content: canonical weights given in any key order
are read in the cell's own order (the answer cache keys requests by content; the pinned-answer
test once saw a /convert answer cached from a request with its keys in another order)."""

from core.contract import PARAM_NAMES
from core.interchange import read_weights


def test_canonical_weights_are_read_in_the_cells_order_whatever_order_they_came_in():
    gru = {"c": [0.0], "V": [[1.0]], "b_hn": [0.0], "b": [0.0, 0.0, 0.0], "W": [[0.1], [0.2], [0.3]],
           "U": [[0.5], [0.6], [0.7]]}
    found = read_weights(gru)
    assert found.cell == "gru"
    assert list(found.arrays) == list(PARAM_NAMES["gru"]) == list(found.mapping)
    assert list(read_weights(dict(reversed(gru.items()))).mapping) == list(PARAM_NAMES["gru"])
