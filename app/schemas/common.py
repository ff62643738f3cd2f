"""What every request and answer shares: the vocabularies as types (built from core.contract),
the weights' shape, and the words of a cell-only field's refusal."""

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

import core
import core.tasks
from core.contract import ACTIVATION_NAMES, CELLS, HEAD_NAMES, REQUEST_FIELDS, TASK_NAMES

from ..settings import LIMITS, MAX_LAYERS, MAX_STEPS, MAX_VOCAB

# Built from core.contract, the one place that names them.
Task = Literal[TASK_NAMES]
CellName = Literal[CELLS]
ActivationName = Literal[ACTIVATION_NAMES]
OutputName = Literal[HEAD_NAMES]
SECTIONS = ("flow_shares", "per_step_gradients", "flows_by_unit", "gain", "truncation")
Section = Literal[(*SECTIONS, "auto")]
Optimizer = Literal[core.OPTIMIZERS]
# The length limits sit on each member of the union so that they appear in the OpenAPI schema.
Values = (
    Annotated[list[float], Field(min_length=1, max_length=MAX_STEPS + 1)]
    | Annotated[
        list[Annotated[list[float], Field(min_length=1, max_length=MAX_VOCAB)]],
        Field(min_length=1, max_length=MAX_STEPS + 1),
    ]
)
Matrix = list[list[float]]
Vector = list[float]
Array = Vector | Matrix
# a stack of MAX_LAYERS layers both ways: 4 arrays a layer and direction, then the head and E
MAX_WEIGHT_KEYS = 4 * 2 * MAX_LAYERS + 3

STRICT = ConfigDict(extra="forbid", allow_inf_nan=False, strict=True)

DECLARED = {field.name: field for field in REQUEST_FIELDS}


def declared(name: str):
    """The pydantic rule of a field of core.contract.REQUEST_FIELDS, built from its declaration:
    its default, its least and largest values (the largest from settings.LIMITS) and its
    description, which ends with the cells it applies to when it is not every cell's."""
    field = DECLARED[name]
    rules = {}
    if field.limit is not None:
        top = LIMITS[field.limit]
        rules["le"] = top
        rules["gt" if field.above else "ge"] = field.low if field.low is not None else -top
    doc = field.doc
    if field.cells != CELLS:
        doc = f"{doc} {' and '.join(field.cells)} only.".strip()
    return Field(field.default, description=doc or None, **rules)


# What a cell-only field is, and what the other cells lack, for its refusal.
NOT_OF_THE_CELL = {
    "activation": "is the simple RNN's g", "spectral_radius": "rescales the simple RNN's W",
    "forget_bias": "is the forget gate's initial bias", "input_bias": "is the input gate's initial bias",
    "update_bias": "is the update gate's initial bias", "s0": "is the LSTM's initial cell state",
}
HAS_NOT = {"activation": "gates of its own instead", "spectral_radius": "no W to rescale this way",
           "forget_bias": "no forget gate", "input_bias": "no input gate", "update_bias": "no update gate",
           "s0": "no cell state"}


def hint_for(name: str, cell: str, cells: tuple[str, ...]) -> str:
    if name == "spectral_radius" and cell == "lstm":
        return "use forget_bias to keep its cell state longer"
    return "leave it out, or use cell " + " or ".join(cells)


class Weights(BaseModel):
    """Explicit parameters. U (G H, D), W (G H, H), b (G H), V (K, H), c (K), with G = 1 for rnn,
    4 for lstm (blocks input, forget, candidate, output) and 3 for gru (reset, update,
    candidate); b_hn (H) for gru only."""

    model_config = STRICT
    U: Matrix
    W: Matrix | None = Field(None, description="Absent for mingru and minlstm, whose gates read only x.")
    b: Vector
    V: Matrix
    c: Vector
    b_hn: Vector | None = Field(None, description="The GRU's candidate recurrent bias (gru only).")
