"""POST /convert: weights in any accepted format, out in canonical or a framework's layout."""

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from core.interchange import WEIGHT_FORMATS, Imported, read_weights

from .answers import ImportedOut
from .common import (
    MAX_WEIGHT_KEYS,
    STRICT,
    Array,
    CellName,
)


class ConvertRequest(BaseModel):
    """Weights in any format `weights` accepts, to canonical, a PyTorch state_dict or Keras's weights."""

    model_config = ConfigDict(**STRICT, json_schema_extra={"examples": [
        {"weights": {"U": [[0.5]], "W": [[0.9]], "b": [0.0], "V": [[1.0]], "c": [0.0]}, "to": "pytorch"},
    ]})

    weights: dict[str, Array] = Field(max_length=MAX_WEIGHT_KEYS, description="As UnfoldRequest.weights.")
    cell: CellName | None = Field(None, description="Default: read from the weights.")
    to: Literal[WEIGHT_FORMATS] = Field(
        "pytorch", description="pytorch: {module}.weight_ih_l0 ... and {head}.weight, {head}.bias, for "
        "load_state_dict on a model with an nn.RNN, nn.LSTM or nn.GRU named {module} and an nn.Linear named {head}. "
        "keras: {module}/kernel, {module}/recurrent_kernel, {module}/bias and {head}/kernel, {head}/bias, for "
        "set_weights on a Keras SimpleRNN, LSTM or GRU (reset_after=True, the default) and a Dense (each list "
        "through np.asarray first: set_weights takes arrays).",
    )
    module: str | None = Field(
        None, pattern=r"^[A-Za-z_][A-Za-z0-9_]{0,31}$", description="The recurrent module's attribute name, or "
        "the Keras layer's name (default: rnn, lstm or gru after the cell; Keras: simple_rnn, lstm or gru).",
    )
    head: str | None = Field(
        None, pattern=r"^[A-Za-z_][A-Za-z0-9_]{0,31}$", description="The output layer's name: the nn.Linear's "
        "attribute (default fc) or the Keras Dense's name (default dense).",
    )

    @property
    def imported(self) -> Imported:
        return read_weights(self.weights, self.cell)


class ConvertResponse(BaseModel):
    imported: "ImportedOut"
    weights: dict[str, list] = Field(description="At full precision.")
