"""The unfold request: one sequence (text, numbers or a generated task's example) through one
cell, and every check of a field that the core does not make itself."""

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator, model_validator

import core
import core.tasks
from core import InputError
from core.contract import CELL_FIELDS, DEFAULT_ACTIVATION
from core.interchange import Imported, read_weights

from ..settings import (
    DEFAULT_DIGITS,
    MAX_BATCH,
    MAX_CLASSES,
    MAX_DATASET_LENGTH,
    MAX_DIGITS,
    MAX_FORGET_BIAS,
    MAX_HIDDEN,
    MAX_SEED,
    MAX_STEPS,
    MAX_VOCAB,
)
from .common import (
    HAS_NOT,
    MAX_WEIGHT_KEYS,
    NOT_OF_THE_CELL,
    STRICT,
    ActivationName,
    Array,
    CellName,
    OutputName,
    Section,
    Task,
    Values,
    Vector,
    declared,
    hint_for,
)


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
    hidden_size: int = declared("hidden_size")
    activation: ActivationName | None = declared("activation")
    output: OutputName | None = declared("output")
    seed: int = declared("seed")
    spectral_radius: float | None = declared("spectral_radius")
    forget_bias: float | None = declared("forget_bias")
    input_bias: float | None = Field(
        None, ge=-MAX_FORGET_BIAS, le=MAX_FORGET_BIAS,
        description="Initial input-gate bias (default 0); below 0 the cell state is kept rather than "
        "overwritten at first. lstm and minlstm only.",
    )
    update_bias: float | None = declared("update_bias")
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
    truncate: int | None = declared("truncate")
    layers: int = declared("layers")
    bidirectional: bool = declared("bidirectional")
    embedding: int | None = declared("embedding")
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

    @model_validator(mode="after")
    def _what_a_stack_reads(self) -> "UnfoldRequest":
        """A stack, both directions or an embedding (issue 28): what they do not read yet is refused."""
        if self.embedding is not None and not self.is_text:
            raise InputError("embedding", "looks up a text's characters; numbers and generated tasks are read as "
                             "they are (leave it out)")
        if not self.is_deep:
            return self
        for name in ("h0", "s0"):
            if getattr(self, name) is not None:
                raise InputError(name, "is one layer's initial state; a stack starts every layer and direction at "
                                 "zeros (leave it out)")
        if self.spectral_radius is not None:
            raise InputError("spectral_radius", "rescales one W; a stack has one per layer and direction (leave it "
                             "out)")
        if self.imported is not None:
            self._agrees_with_the_weights()
        named = [section for section in self.include if section != "auto"]
        if named:
            raise InputError("include", f"{named[0]} is not computed for a stack yet; use auto or leave it out")
        return self

    def _agrees_with_the_weights(self) -> None:
        """layers, bidirectional and embedding are read from imported weights; one also given must agree."""
        found = self.imported
        read = {"layers": found.layers, "bidirectional": found.bidirectional, "embedding": found.embedding}
        for name, value in read.items():
            if name in self.model_fields_set and getattr(self, name) != value:
                raise InputError(name, f"is {getattr(self, name)}, but the weights have {name} = {value}: leave it "
                                 "out with imported weights, or make them agree")
        if found.embedding is not None and not self.is_text:
            raise InputError("weights", "have an embedding, which looks up a text's characters: send a sequence")

    @property
    def is_deep(self) -> bool:
        """A stack of layers, both directions or an embedding (asked for, or read from the weights):
        the answer adds `depth`."""
        stacked = self.imported is not None and self.imported.is_stack
        return stacked or self.layers > 1 or self.bidirectional or self.embedding is not None

    @property
    def deep_field(self) -> str:
        """The field that makes the model a stack, for a refusal."""
        if self.imported is not None and self.imported.is_stack:
            return "weights"
        if self.layers > 1:
            return "layers"
        return "bidirectional" if self.bidirectional else "embedding"

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

