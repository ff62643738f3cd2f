"""Request and response shapes of the JSON API (pydantic v2)."""

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator, model_validator

import core
import core.tasks
from core import InputError
from core.contract import ACTIVATION_NAMES, CELL_FIELDS, CELLS, DEFAULT_ACTIVATION, HEAD_NAMES, TASK_NAMES
from core.interchange import Imported, read_weights

from .settings import (
    DEFAULT_DIGITS,
    DEFAULT_TRAIN,
    MAX_BATCH,
    MAX_CLASSES,
    MAX_CLIP,
    MAX_DATASET_LENGTH,
    MAX_DIGITS,
    MAX_FORGET_BIAS,
    MAX_HIDDEN,
    MAX_LEARNING_RATE,
    MAX_SAMPLE_LENGTH,
    MAX_SEED,
    MAX_SPECTRAL_RADIUS,
    MAX_STEPS,
    MAX_TEMPERATURE,
    MAX_TRAIN_STEPS,
    MAX_VOCAB,
)

# Built from core.contract, the one place that names them.
Task = Literal[TASK_NAMES]
CellName = Literal[CELLS]
ActivationName = Literal[ACTIVATION_NAMES]
OutputName = Literal[HEAD_NAMES]
SECTIONS = ("flow_shares", "per_step_gradients", "flows_by_unit", "gain", "truncation")
Section = Literal[(*SECTIONS, "auto")]
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
MAX_WEIGHT_KEYS = 16

STRICT = ConfigDict(extra="forbid", allow_inf_nan=False, strict=True)


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


class DatasetIn(BaseModel):
    """A generated task (docs/MATH.md, section 17): B sequences of length T drawn from a seed.
    Each task reads only its own options: remember-first classes and noise, copy classes and
    delay, adding none."""

    model_config = STRICT
    name: Literal[core.DATASETS] = Field(description="remember-first, adding or copy.")
    length: int = Field(ge=2, le=MAX_DATASET_LENGTH, description="T, the steps of every sequence.")
    batch: int = Field(32, ge=1, le=MAX_BATCH, description="B, the sequences of each update's batch.")
    seed: int = Field(0, ge=0, le=MAX_SEED, description="Update n trains on the batch of seed [seed, n]; "
                      "the held-out batch is [seed, 0].")
    classes: int | None = Field(None, ge=2, le=MAX_CLASSES, description="C (default 4): remember-first, copy.")
    noise: int | None = Field(None, ge=1, le=MAX_CLASSES, description="N noise symbols (default 4): remember-first.")
    delay: int | None = Field(None, ge=1, le=MAX_DATASET_LENGTH - 1,
                              description="d, 1 <= d < length (default 1): copy.")

    @model_validator(mode="after")
    def _options_of_the_task(self) -> "DatasetIn":
        for option in ("classes", "noise", "delay"):
            if getattr(self, option) is not None and option not in core.tasks.DATASET_OPTIONS[self.name]:
                uses = ", ".join(core.tasks.DATASET_OPTIONS[self.name]) or "no options"
                raise InputError(f"dataset.{option}", f"is not an option of {self.name} (it reads {uses})")
        self.resolved()  # the core's own checks (delay < length), worded with the field
        return self

    def resolved(self) -> "core.Dataset":
        options = {name: value for name in ("classes", "noise", "delay") if (value := getattr(self, name)) is not None}
        return core.Dataset(self.name, self.length, self.batch, self.seed, **options)


class UnfoldRequest(BaseModel):
    """Give `sequence` (text), `inputs` (numbers or vectors) or `dataset` (a generated task: the answer
    unfolds sequence `index` of its held-out batch); everything else has a default."""

    model_config = ConfigDict(
        **STRICT,
        json_schema_extra={"examples": [{"sequence": "hello", "hidden_size": 8}]},
    )

    sequence: str | None = Field(
        None, min_length=2, max_length=MAX_STEPS + 1,
        description=f"Text; n characters give T = n - 1 steps. At most {MAX_VOCAB} distinct characters.",
    )
    inputs: Values | None = Field(None, description="Numbers or equally long vectors, one per step.")
    targets: Values | None = Field(
        None, description="One target per input (for many-to-one, a single target is enough). "
        "Without targets, each input predicts the next one.",
    )
    dataset: DatasetIn | None = Field(None, description="A generated task instead of a sequence; the "
                                      "unfold shows sequence `index` of its held-out batch (seed [seed, 0]).")
    index: int | None = Field(None, ge=0, lt=core.tasks.EVAL_BATCH,
                              description="Which sequence of the dataset's held-out batch to unfold (default 0).")
    task: Task = "many-to-many"
    cell: CellName = Field("rnn", description="rnn (simple RNN), lstm or gru, as PyTorch's nn.RNN, nn.LSTM, nn.GRU; "
                          "mingru or minlstm (Feng et al. 2024: gates that read only x, no W).")
    hidden_size: int = Field(8, ge=1, le=MAX_HIDDEN)
    activation: ActivationName | None = Field(None, description="The simple RNN's g (default tanh); rnn only.")
    output: OutputName | None = Field(None, description="Default: softmax for text, identity for numbers.")
    seed: int = Field(0, ge=0, le=MAX_SEED)
    spectral_radius: float | None = Field(
        None, gt=0, le=MAX_SPECTRAL_RADIUS, description="Rescale W to this spectral radius rho(W); rnn only."
    )
    forget_bias: float | None = Field(
        None, ge=-MAX_FORGET_BIAS, le=MAX_FORGET_BIAS,
        description="Initial forget-gate bias of the LSTM (default 1); larger keeps its cell state longer. lstm only.",
    )
    input_bias: float | None = Field(
        None, ge=-MAX_FORGET_BIAS, le=MAX_FORGET_BIAS,
        description="Initial input-gate bias of the LSTM (default 0); below 0 its cell state is kept rather than "
        "overwritten at first. lstm only.",
    )
    update_bias: float | None = Field(
        None, ge=-MAX_FORGET_BIAS, le=MAX_FORGET_BIAS,
        description="Initial update-gate bias of the GRU (default 0); larger keeps h, and its error, longer. gru only.",
    )
    weights: dict[str, Array] | None = Field(
        None, max_length=MAX_WEIGHT_KEYS,
        description="Explicit parameters instead of the seeded initialisation, in one of three formats: "
        "canonical (U, W, b, V, c and, for gru, b_hn: see Weights); a PyTorch state_dict of a one-layer "
        "nn.RNN, nn.LSTM or nn.GRU plus an nn.Linear ({k: v.tolist()}: weight_ih_l0, weight_hh_l0, bias_ih_l0, "
        "bias_hh_l0 and e.g. fc.weight, fc.bias, under any prefix); or Keras SimpleRNN, LSTM or GRU "
        "(reset_after=True) plus Dense weights by path (e.g. lstm/lstm_cell/kernel, recurrent_kernel, bias, "
        "dense/kernel, dense/bias). The cell is read from the weights unless `cell` is given; the answer's "
        "`imported` says what was recognised and how each parameter was mapped.",
    )
    vocab: list[Annotated[str, Field(min_length=1, max_length=1)]] | None = Field(
        None, min_length=1, max_length=MAX_VOCAB,
        description="The one-hot order of a text model's characters (default: the sequence's characters, "
        "sorted). Give it with imported weights so that they read the text as they were trained to.",
    )
    h0: Vector | None = Field(None, max_length=MAX_HIDDEN, description="Initial hidden state (zeros if absent).")
    s0: Vector | None = Field(
        None, max_length=MAX_HIDDEN, description="Initial cell state (zeros if absent); lstm only."
    )
    truncate: int | None = Field(None, ge=1, le=MAX_STEPS, description="Truncated BPTT window k; null = full.")
    include: list[Section] = Field(
        default_factory=list,
        description="Opt-in sections: flow_shares (T x T), per_step_gradients (T x |theta|), "
        "flows_by_unit (T x T x H), gain (the error gain G(d); for rnn also Jacobian norms and the bound), "
        "truncation (how far the truncated gradient is from full BPTT's, per parameter); "
        "auto: flow_shares, per_step_gradients and gain (and flows_by_unit and truncation when truncated), "
        "each only if it fits a page-sized budget (what the page asks). "
        "config.include says which sections the answer has.",
    )
    digits: int = Field(
        DEFAULT_DIGITS, ge=DEFAULT_DIGITS, le=MAX_DIGITS,
        description=f"Significant digits of every number in the answer; {MAX_DIGITS} gives float64 exactly.",
    )

    @field_validator("inputs", "targets", mode="before")
    @classmethod
    def _numbers_or_vectors(cls, values):
        """Say plainly what the union of its two shapes would word as a type error."""
        if not isinstance(values, list) or not values:
            return values
        vectors = [isinstance(v, list) for v in values]
        if any(vectors) and not all(vectors):
            raise ValueError("give numbers or vectors (lists of numbers), not both")
        longest = max((len(v) for v in values if isinstance(v, list)), default=0)
        if longest > MAX_VOCAB:
            raise ValueError(f"has a vector of {longest} numbers; the limit is {MAX_VOCAB} (the input size D)")
        return values

    @field_validator("sequence")
    @classmethod
    def _vocabulary_size(cls, text: str | None) -> str | None:
        if text is not None and len(set(text)) > MAX_VOCAB:
            raise ValueError(f"has {len(set(text))} distinct characters; the limit is {MAX_VOCAB}")
        return text

    @model_validator(mode="after")
    def _one_source_of_data(self) -> "UnfoldRequest":
        if sum(source is not None for source in (self.sequence, self.inputs, self.dataset)) != 1:
            raise ValueError("give exactly one of sequence (text), inputs (numbers) or dataset (a generated task)")
        if self.index is not None and self.dataset is None:
            raise InputError("index", "picks a sequence of a dataset's held-out batch; give dataset as well")
        if self.dataset is not None:
            for name in ("task", "output"):
                if name in self.model_fields_set:
                    raise InputError(name, f"is set by the dataset ({self.dataset.name}); leave it out")
        if self.targets is not None and self.inputs is None:
            raise ValueError("targets go with inputs; a text sequence predicts its next character")
        return self

    _imported: Imported | None = PrivateAttr(None)

    @model_validator(mode="after")
    def _import_weights(self) -> "UnfoldRequest":
        """Read explicit weights in any format; without `cell` they say which cell they are."""
        if self.weights is not None:
            self._imported = read_weights(self.weights, self.cell if "cell" in self.model_fields_set else None)
            self.cell = self._imported.cell
        if self.vocab is not None:
            if self.sequence is None:
                raise InputError("vocab", "orders a text's characters; numbers (inputs) have no vocabulary")
            if len(set(self.vocab)) != len(self.vocab):
                twice = next(ch for ch in self.vocab if self.vocab.count(ch) > 1)
                raise InputError("vocab", f"has {twice!r} twice; each character once")
            unknown = sorted(set(self.sequence) - set(self.vocab))
            if unknown:
                raise InputError("vocab", f"lacks {''.join(unknown)!r}, which the sequence has")
        return self

    @property
    def imported(self) -> Imported | None:
        return self._imported

    @model_validator(mode="after")
    def _fields_of_the_cell(self) -> "UnfoldRequest":
        """A field that does not apply to the chosen cell (contract.CELL_FIELDS) is refused, not ignored."""
        for name, cells in CELL_FIELDS.items():
            if self.cell not in cells and getattr(self, name) is not None:
                raise InputError(name, f"{NOT_OF_THE_CELL[name]}; the {self.cell} cell has {HAS_NOT[name]} "
                                       f"({hint_for(name, self.cell, cells)})")
        gate = {"forget_bias": "forget", "input_bias": "input", "update_bias": "update"}
        for name, which in gate.items():
            if self.weights is not None and getattr(self, name) is not None:
                raise InputError(name, f"initialises the {which} gate; with explicit weights set it in b")
        return self

    @property
    def is_text(self) -> bool:
        return self.sequence is not None

    @property
    def data_field(self) -> str:
        """The field that holds the request's data, for a refusal about its size."""
        return "sequence" if self.is_text else "dataset" if self.dataset is not None else "inputs"

    @property
    def resolved_output(self) -> str:
        if self.dataset is not None:
            return core.tasks.DATASET_HEADS[self.dataset.name]
        return self.output or ("softmax" if self.is_text else "identity")

    @property
    def resolved_activation(self) -> str:
        return self.activation or DEFAULT_ACTIVATION

    @property
    def explicit_hidden_size(self) -> int | None:
        """hidden_size if the request set it, for checking against explicit weights."""
        return self.hidden_size if "hidden_size" in self.model_fields_set else None


Optimizer = Literal["sgd", "adagrad", "adam"]


class ClipIn(BaseModel):
    """value: every gradient entry into [-threshold, threshold]; norm: all gradients rescaled
    together when their joint norm exceeds threshold."""

    model_config = STRICT
    mode: Literal["value", "norm"]
    threshold: float = Field(gt=0, le=MAX_CLIP)


class OptimizerStateIn(BaseModel):
    """What the optimizer carries between requests, exactly as an answer gave it."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)
    optimizer: Optimizer
    step: int = Field(ge=0, description="Updates done so far (Adam's bias correction counts them).")
    m: Weights | None = Field(None, description="adagrad: the summed squared gradients; adam: the first moment.")
    v: Weights | None = Field(None, description="adam: the second moment.")


class TrainRequest(UnfoldRequest):
    """An unfold request plus the training: `steps` updates of every parameter. Resume with the
    answer's `weights` and `optimizer_state` (and without `spectral_radius`, which would rescale
    them): N steps in one request give exactly the weights of N/2 and N/2 in two."""

    model_config = ConfigDict(**STRICT, json_schema_extra={"examples": [
        {"sequence": "hello hello hello ", "hidden_size": 16, "steps": 25, "optimizer": "adam"},
    ]})

    steps: int = Field(DEFAULT_TRAIN["steps"], ge=0, le=MAX_TRAIN_STEPS,
                       description="Updates in this request (0: none; the answer measures the weights as they are).")
    learning_rate: float | None = Field(
        None, gt=0, le=MAX_LEARNING_RATE,
        description="Default by optimizer: "
        + ", ".join(f"{name} {rate}" for name, rate in DEFAULT_TRAIN["learning_rates"].items()) + ".",
    )
    optimizer: Optimizer = DEFAULT_TRAIN["optimizer"]
    clip: ClipIn | None = Field(None, description="Off by default.")
    optimizer_state: OptimizerStateIn | None = Field(None, description="To resume: the previous answer's.")
    unfold: bool = Field(False, description="Also answer the unfold of the new weights (with `include`).")

    @property
    def resolved_learning_rate(self) -> float:
        return self.learning_rate if self.learning_rate is not None else DEFAULT_TRAIN["learning_rates"][self.optimizer]

    @model_validator(mode="after")
    def _a_resumable_run(self) -> "TrainRequest":
        state = self.optimizer_state
        if state is None:
            return self
        if state.optimizer != self.optimizer:
            raise InputError("optimizer_state.optimizer", f"is {state.optimizer}; this request trains with "
                             f"{self.optimizer} (start again without optimizer_state to switch)")
        if self.weights is None:
            raise InputError("optimizer_state", "continues a run: send the weights it belongs to as well")
        if self.spectral_radius is not None:
            raise InputError("spectral_radius", "would rescale the weights being resumed; leave it out")
        return self


class TrainResponse(BaseModel):
    config: "Config"
    optimizer: Optimizer
    learning_rate: float
    clip: ClipIn | None
    losses: Vector = Field(description="J before each update of this request.")
    grad_norms: Vector = Field(description="The joint norm of all the gradients of each update, before clipping.")
    clipped: list[bool] = Field(description="Whether clipping changed the gradients of each update.")
    step: int = Field(description="Updates done so far, this request's included.")
    final_loss: float = Field(description="J after the last update (with a dataset: the held-out loss, eval.loss).")
    eval: "EvalOut | None" = Field(
        None, description="With a dataset: the held-out numbers after this request's updates."
    )
    weights: dict = Field(description="The new weights at full precision (send them back to continue).")
    optimizer_state: dict = Field(description="The optimizer's state at full precision (send it back to continue).")
    unfold: "UnfoldResponse | None" = Field(None, description="The unfold of the new weights, if asked.")


class EvalOut(BaseModel):
    """The held-out batch (seed [seed, 0]) under the weights of the answer."""

    loss: float = Field(description="(1/B_eval) sum_b J_b.")
    accuracy: float | None = Field(None, description="Share of (sequence, loss step) pairs whose largest logit is "
                                   "the target's class; absent for adding.")
    batch: int = Field(description="B_eval, the held-out sequences.")


class DatasetRequest(BaseModel):
    """A batch of a generated task, to inspect or reproduce the data a run trains on."""

    model_config = ConfigDict(**STRICT, json_schema_extra={"examples": [
        {"dataset": {"name": "adding", "length": 10, "batch": 4, "seed": 0}, "step": 1},
    ]})
    dataset: DatasetIn
    step: int = Field(0, ge=0, le=2**31 - 1, description="The batch of update n (seed [seed, n], dataset.batch "
                      "sequences); 0, the default, is the held-out batch (seed [seed, 0], 512 sequences).")


class DatasetResponse(BaseModel):
    dataset: dict = Field(description="The dataset with every option its task reads.")
    step: int
    seed: list[int] = Field(description="The generator's seed: [dataset.seed, step].")
    output: OutputName = Field(description="The head the task's loss uses.")
    input_size: int
    output_size: int
    loss_steps: list[int] = Field(description="S: the steps that carry a loss.")
    chance: dict = Field(description="What guessing scores: accuracy 1/C, or (adding) the loss of predicting 1.")
    inputs: list = Field(description="X, (B, T, D).")
    targets: list = Field(description="Y, (B, |S|): the target of each loss step, a class or the sum.")


class SampleRequest(UnfoldRequest):
    """Text a model would write: `length` characters after `start`, each drawn from
    softmax(o / temperature) and fed back. The vocabulary is `sequence`'s characters."""

    model_config = ConfigDict(**STRICT, json_schema_extra={"examples": [
        {"sequence": "hello hello hello ", "hidden_size": 16, "start": "h", "length": 40, "temperature": 0.5},
    ]})

    start: str | None = Field(None, min_length=1, max_length=1, description="Default: the sequence's first character.")
    length: int = Field(100, ge=1, le=MAX_SAMPLE_LENGTH)
    temperature: float = Field(1.0, ge=0, le=MAX_TEMPERATURE, description="0: always the most likely character.")
    sample_seed: int = Field(0, ge=0, le=MAX_SEED, description="Seeds the draws (seed seeds the weights).")

    @model_validator(mode="after")
    def _text_only(self) -> "SampleRequest":
        if self.sequence is None:
            raise InputError("sequence", "sampling writes characters: give the text whose characters the model reads")
        return self


class SampleResponse(BaseModel):
    start: str
    text: str
    temperature: float
    vocab: list[str]


class ConvertRequest(BaseModel):
    """Weights in any format `weights` accepts, to canonical, a PyTorch state_dict or Keras's weights."""

    model_config = ConfigDict(**STRICT, json_schema_extra={"examples": [
        {"weights": {"U": [[0.5]], "W": [[0.9]], "b": [0.0], "V": [[1.0]], "c": [0.0]}, "to": "pytorch"},
    ]})

    weights: dict[str, Array] = Field(max_length=MAX_WEIGHT_KEYS, description="As UnfoldRequest.weights.")
    cell: CellName | None = Field(None, description="Default: read from the weights.")
    to: Literal["canonical", "pytorch", "keras"] = Field(
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
    a: Matrix = Field(description="Pre-activations, (T, G H), gates stacked as in the weights.")
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
    h: Matrix = Field(description="delta h^(t), (T, H)")
    s: Matrix | None = Field(None, description="delta s^(t), (T, H), the cell state's error; lstm only.")
    a: Matrix = Field(description="delta a^(t), (T, G H)")
    x: Matrix = Field(description="delta x^(t), (T, D)")
    h0: Vector = Field(description="dJ/dh^(-1), (H)")
    s0: Vector | None = Field(None, description="dJ/ds^(-1), (H); lstm only.")


class GradientsOut(BaseModel):
    total: ParamArrays
    norms: ParamArrays = Field(description="Frobenius norm of each step's contribution, (T) per parameter.")
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

    format: Literal["canonical", "pytorch", "keras"]
    cell: CellName
    mapping: dict[str, str] = Field(description="Each parameter and where it came from (b: bias_ih_l0 + bias_hh_l0).")
    notes: list[str] = Field(description="Anything filled in, such as zero biases of a layer with bias=False.")


class UnfoldResponse(BaseModel):
    config: Config
    vocab: list[str] | None
    imported: ImportedOut | None = Field(None, description="With explicit weights: their format and mapping.")
    weights: ParamArrays
    h0: Vector
    s0: Vector | None = Field(None, description="lstm only")
    forward: ForwardOut
    errors: ErrorsOut
    gradients: GradientsOut
    flows: FlowsOut
    gain: GainOut | None = Field(None, description="Opt-in: include gain.")
    truncation: "TruncationOut | None" = Field(None, description="Opt-in: include truncation.")


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
    cell_only: dict[str, list[str]] = Field(description="Fields that apply to some cells only, and those cells.")
    defaults: dict
    limits: dict
    optimizers: list[str]
    notations: list[dict] = Field(description="The names each notation gives the parameters; the page "
                                  "relabels with them.")
    presets: list[Preset]
    datasets: list[dict] = Field(description="The generated tasks, the options each reads and its head.")
    race: dict = Field(description="The race's defaults: the task, sizes, and each cell's optimizer and gate biases.")


class Health(BaseModel):
    status: Literal["ok"]
    version: str


TrainResponse.model_rebuild()
DatasetResponse.model_rebuild()
ConvertResponse.model_rebuild()
