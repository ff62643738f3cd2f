"""Training, generated datasets and sampling: their requests (each an unfold request and more)
and their answers."""

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from core import CLIP_MODES, InputError

from ..settings import (
    DEFAULT_TRAIN,
    MAX_CLIP,
    MAX_LEARNING_RATE,
    MAX_SAMPLE_LENGTH,
    MAX_SEED,
    MAX_TEMPERATURE,
    MAX_TRAIN_STEPS,
)
from .answers import Config, UnfoldResponse
from .common import MAX_WEIGHT_KEYS, STRICT, Array, Optimizer, OutputName, Vector
from .unfold import DatasetIn, UnfoldRequest


class ClipIn(BaseModel):
    """value: every gradient entry into [-threshold, threshold]; norm: all gradients rescaled
    together when their joint norm exceeds threshold."""

    model_config = STRICT
    mode: Literal[CLIP_MODES]
    threshold: float = Field(gt=0, le=MAX_CLIP)


# arrays by the parameters' names: one layer's (U, W, b, ...) or a stack's (U_l1, ..., V, c, E)
NamedArrays = Annotated[dict[str, Array], Field(max_length=MAX_WEIGHT_KEYS)]


class OptimizerStateIn(BaseModel):
    """What the optimizer carries between requests, exactly as an answer gave it."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)
    optimizer: Optimizer
    step: int = Field(ge=0, description="Updates done so far (Adam's bias correction counts them).")
    m: NamedArrays | None = Field(
        None, description="adagrad: the summed squared gradients; adam: the first moment. By the parameters' names, "
        "as the answer's weights (a stack's canonical ones: U_l1, ..., V, c, E).")
    v: NamedArrays | None = Field(None, description="adam: the second moment.")


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
