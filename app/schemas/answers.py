"""The answers' shapes: the unfold and its sections, the gradient check, errors, presets, meta
and health (what /docs shows)."""

from typing import Literal

from pydantic import BaseModel, Field

from core.interchange import WEIGHT_FORMATS

from .common import (
    ActivationName,
    CellName,
    Matrix,
    OutputName,
    Task,
    Vector,
)


class ErrorItem(BaseModel):
    loc: list[str | int]
    msg: str = Field(description="Names the field and, for a limit, the limit.")
    type: str


class ErrorResponse(BaseModel):
    detail: list[ErrorItem]


class Config(BaseModel):
    dataset: dict | None = Field(None, description="With a dataset: the dataset, every option its task reads.")
    index: int | None = Field(None, description="With a dataset: the held-out sequence unfolded.")
    task: Task
    cell: CellName
    gates: list[str] = Field(description="The gates stacked in U, W, b and a, in order; empty for rnn.")
    activation: ActivationName | None = Field(description="The simple RNN's g; null for the gated cells.")
    output: OutputName
    hidden_size: int
    input_size: int
    output_size: int
    steps: int
    seed: int
    spectral_radius: float | None = Field(description="rho(W) of the weights used (after any rescaling); rnn only.")
    forget_bias: float | None = Field(description="The forget-gate bias used at initialisation; lstm only.")
    input_bias: float | None = Field(None, description="The input-gate bias used at initialisation, when given; lstm.")
    update_bias: float | None = Field(None, description="The update-gate bias used at initialisation, when given; gru.")
    truncate: int | None
    digits: int = Field(description="Significant digits kept in this answer's numbers.")
    include: list[str] = Field(description="The opt-in sections this answer has ('auto' resolved).")
    gradcheck_cost: int = Field(description="What /gradcheck would cost for this request (limits.gradcheck_cost).")
    layers: int | None = Field(None, description="A stack: its layers (present only for a stack, both directions "
                               "or an embedding).")
    bidirectional: bool | None = Field(None, description="A stack: whether each layer runs both ways.")
    embedding: int | None = Field(None, description="A stack: the embedding's width D_e, or null for one-hot.")


class ParamArrays(BaseModel):
    U: list
    W: list | None = Field(None, description="absent for mingru and minlstm")
    b: list
    b_hn: list | None = Field(None, description="gru only")
    V: list
    c: list


class ForwardOut(BaseModel):
    x: Matrix
    y: Matrix
    has_loss: list[bool]
    a: Matrix | None = Field(None, description="Pre-activations, (T, G H), gates stacked as in the weights; for a "
                             "stack, in depth.")
    gates: dict[str, Matrix] | None = Field(
        None, description="The gates' values by name, (T, H) each: input, forget, candidate, output (lstm) "
        "or reset, update, candidate (gru). Absent for rnn.",
    )
    h: Matrix
    s: Matrix | None = Field(None, description="The LSTM's cell state s^(t), (T, H); lstm only.")
    o: Matrix
    y_hat: Matrix
    loss: Vector
    total_loss: float


class ErrorsOut(BaseModel):
    o: Matrix = Field(description="delta o^(t), (T, K)")
    h: Matrix = Field(description="delta h^(t), (T, H); for a stack, the top layer's (T, dirs H)")
    s: Matrix | None = Field(None, description="delta s^(t), (T, H), the cell state's error; lstm only.")
    a: Matrix | None = Field(None, description="delta a^(t), (T, G H); for a stack, in depth.")
    x: Matrix = Field(description="delta x^(t), (T, D)")
    h0: Vector | None = Field(None, description="dJ/dh^(-1), (H); for a stack, in depth.")
    s0: Vector | None = Field(None, description="dJ/ds^(-1), (H); lstm only.")


class GradientsOut(BaseModel):
    total: ParamArrays | dict[str, list] = Field(description="dJ/dtheta per parameter; for a stack by canonical "
                                                 "name (U_l1, W_l1, ..., U_l1_reverse, ..., V, c, E).")
    norms: ParamArrays | dict[str, list] = Field(description="Frobenius norm of each step's contribution, (T) per "
                                                 "parameter.")
    per_step: ParamArrays | None = Field(None, description="(dJ/dtheta)^(t), indexed by step first; opt-in.")


class FlowsOut(BaseModel):
    h: Matrix = Field(description="F[s][t] = ||delta h^(t<-s)||, (T, T), zero for t > s and outside the window.")
    s: Matrix | None = Field(
        None, description="||delta s^(t<-s)||, the error along the LSTM's cell state, (T, T); lstm only."
    )
    share: Matrix | None = Field(
        None, description="share[s][t]: the part of step t's U, W and b contribution due to J^(s); opt-in."
    )
    by_unit: list[Matrix] | None = Field(None, description="delta h^(t<-s) itself, [s][t][unit]; opt-in.")


class GainOut(BaseModel):
    distance: list[int]
    h: list[float | None] = Field(
        description="G(d): geometric mean over the sources of F[s][s-d] / F[s][s]; null where a term is 0."
    )
    s: list[float | None] | None = Field(None, description="The same along the LSTM's cell state; lstm only.")
    jacobian: list[float | None] | None = Field(
        None, description="||dh^(tau)/dh^(tau-d)||_2 (rnn only); null beyond jacobian_distances or past overflow."
    )
    jacobian_distances: int | None = Field(None, description="How many distances the Jacobian norms cover (rnn).")
    bound: list[float | None] | None = Field(None, description="(||W||_2 gamma)^d (rnn only); null past overflow.")
    gamma: float | None = Field(None, description="max |g'|: 1 for tanh, relu and identity, 1/4 for sigmoid (rnn).")
    w_norm: float | None = Field(None, description="||W||_2 (rnn).")
    threshold: float | None = Field(None, description="1/gamma: ||W||_2 below it is enough to vanish (rnn).")


class TruncationOut(BaseModel):
    """What the window k costs: how far the truncated gradient is from full BPTT's."""

    window: int | None = Field(description="k; null for full BPTT (then every difference is 0).")
    relative: dict[str, float] = Field(
        description="||dJ/dtheta truncated - full|| / ||full|| per parameter (0 where the full gradient is 0)."
    )
    full_norm: dict[str, float] = Field(description="||dJ/dtheta|| of full BPTT, per parameter.")


class ImportedOut(BaseModel):
    """What explicit weights were read as."""

    format: Literal[WEIGHT_FORMATS]
    cell: CellName
    mapping: dict[str, str] = Field(description="Each parameter and where it came from (b: bias_ih_l0 + bias_hh_l0).")
    notes: list[str] = Field(description="Anything filled in, such as zero biases of a layer with bias=False.")


class DirectionOut(BaseModel):
    """One layer and direction of a stack, in step order (a reverse direction's too)."""

    direction: Literal["forward", "reverse"]
    forward: dict[str, Matrix | dict[str, Matrix]] = Field(
        description="a (T, G H), gates by name, h (T, H), and the LSTM's s.")
    errors: dict[str, Matrix | Vector] = Field(
        description="delta h, a (and s): every source's error summed; h0 (s0): what reaches the direction's "
        "initial state (a reverse direction's starts after the last step).")
    flows: dict[str, Matrix] = Field(description="h (and s): F[s][t] = ||delta h^(t<-s)|| of this direction alone.")


class LayerOut(BaseModel):
    layer: int = Field(description="From 1 (reads the input) to L (read by the output layer).")
    flows: dict[str, Matrix] = Field(description="h: F_l[s][t] = ||delta h^(l,t<-s)||, both directions' 2H vector.")
    gain: dict[str, list[float | None]] = Field(
        description="back[d]: G_l(d), the geometric mean over the losses of F_l[s][s-d] / F_L[s][s], how much of a "
        "loss's error (as the top layer receives it at its own step) reaches this layer d steps back; ahead[d]: the "
        "same d steps after the loss (both directions only); null where a term is 0 or no loss reaches that far.")
    directions: list[DirectionOut]


class DepthOut(BaseModel):
    """Each layer and direction of a stack (docs/MATH.md, section 19)."""

    layers: list[LayerOut]
    directions: list[str]
    tokens: list[int] | None = Field(None, description="With an embedding: the token (the vocab's index) of each step.")


class UnfoldResponse(BaseModel):
    config: Config
    vocab: list[str] | None
    imported: ImportedOut | None = Field(None, description="With explicit weights: their format and mapping.")
    weights: ParamArrays | dict[str, list] = Field(description="The parameters; for a stack by canonical name.")
    h0: Vector | None = Field(None, description="The initial state; absent for a stack (zeros).")
    s0: Vector | None = Field(None, description="lstm only")
    forward: ForwardOut
    errors: ErrorsOut
    gradients: GradientsOut
    flows: FlowsOut
    gain: GainOut | None = Field(None, description="Opt-in: include gain.")
    truncation: "TruncationOut | None" = Field(None, description="Opt-in: include truncation.")
    depth: DepthOut | None = Field(None, description="A stack, both directions or an embedding: each layer and "
                                   "direction. The sections above then describe the model as its output layer sees "
                                   "it: x the first layer's input, h the top layer's (T, dirs H), flows.h its F_L.")


class GradcheckResponse(BaseModel):
    config: Config
    eps: float
    max_relative_error: dict[str, float] = Field(
        description="||analytic - numeric|| / (||analytic|| + ||numeric||) for every parameter, h0 (and s0) and x."
    )
    max_abs_error: dict[str, float] = Field(description="max |analytic - numeric| per quantity.")
    largest_gradient: dict[str, float] = Field(description="max |gradient| per quantity (analytic or numeric).")
    agrees: dict[str, bool] = Field(
        description="Per quantity: max_abs_error <= tolerance x largest_gradient + rounding_floor. A tiny gradient (a "
        "vanishing error) can have a large relative error from the finite differences' own rounding and still agree.",
    )
    tolerance: float = Field(description="The relative tolerance, 1e-6.")
    rounding_floor: float = Field(description="The error a central difference of J carries by itself: "
                                  "10 u max(|J|, 1) / eps, u = 2.2e-16.")


class PresetView(BaseModel):
    """What the page shows first for a preset: the view that makes its point."""

    colour: Literal["gradient", "source"] = "gradient"
    param: str = "W"
    step: int | Literal["last"] = Field(0, description="The selected step; 'last': the last step with a loss.")
    source: int | Literal["last"] | None = Field(None, description="A loss J^(s) to trace; 'last': the last one.")
    flowpath: Literal["h", "s"] = "h"


class Preset(BaseModel):
    name: str
    title: str
    description: str
    request: dict
    view: PresetView = PresetView()
    checkpoint: str | None = Field(None, description="A trained model's checkpoint: the page opens the request with "
                                   "its weights (GET /api/v1/models/{checkpoint}).")


class Meta(BaseModel):
    """Names, labels, defaults and limits, built from core.contract and the settings."""

    version: str = Field(description="The API's and its numbers' version (part of every ETag).")
    cells: list[dict]
    activations: list[dict]
    heads: list[dict]
    tasks: list[str]
    sections: list[str]
    auto_sections: list[str]
    late_sections: list[str] = Field(description="The sections an /unfold answer ends with when config.include "
                                     "names them, sent in MessagePack a moment after the rest.")
    cell_only: dict[str, list[str]] = Field(description="Fields that apply to some cells only, and those cells.")
    fields: list[dict] = Field(description="The model's fields of the page's form (core.contract.REQUEST_FIELDS): "
                               "the API's name, the page's (link) name, label, kind, cells, least value, limit.")
    defaults: dict
    limits: dict
    optimizers: list[str]
    notations: list[dict] = Field(description="The names each notation gives the parameters; the page "
                                  "relabels with them.")
    presets: list[Preset]
    datasets: list[dict] = Field(description="The generated tasks, the options each reads and its head.")
    race: dict = Field(description="The race's defaults: the task, sizes, and each cell's optimizer and gate biases.")
    stack_weights: dict = Field(description="The canonical weight layout of a stack (layers, both directions, an "
                                "embedding): each layer's names per cell, the reverse direction's, the head's, E's, "
                                "their shapes and order.")


class Health(BaseModel):
    status: Literal["ok"]
    version: str

