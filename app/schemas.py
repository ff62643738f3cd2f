"""Request and response shapes of the JSON API (pydantic v2)."""

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from .settings import DEFAULT_DIGITS, MAX_DIGITS, MAX_HIDDEN, MAX_SEED, MAX_SPECTRAL_RADIUS, MAX_STEPS, MAX_VOCAB

Task = Literal["many-to-many", "many-to-one", "one-to-many"]
ActivationName = Literal["tanh", "relu", "sigmoid", "identity"]
OutputName = Literal["softmax", "identity", "sigmoid"]
Section = Literal["flow_shares", "per_step_gradients", "flows_by_unit"]
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

STRICT = ConfigDict(extra="forbid", allow_inf_nan=False, strict=True)


class Weights(BaseModel):
    """Explicit parameters; shapes U (H, D), W (H, H), b (H), V (K, H), c (K)."""

    model_config = STRICT
    U: Matrix
    W: Matrix
    b: Vector
    V: Matrix
    c: Vector


class UnfoldRequest(BaseModel):
    """Give `sequence` (text) or `inputs` (numbers or vectors); everything else has a default."""

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
    task: Task = "many-to-many"
    hidden_size: int = Field(8, ge=1, le=MAX_HIDDEN)
    activation: ActivationName = "tanh"
    output: OutputName | None = Field(None, description="Default: softmax for text, identity for numbers.")
    seed: int = Field(0, ge=0, le=MAX_SEED)
    spectral_radius: float | None = Field(
        None, gt=0, le=MAX_SPECTRAL_RADIUS, description="Rescale W to this spectral radius rho(W)."
    )
    weights: Weights | None = Field(None, description="Explicit parameters instead of the seeded initialisation.")
    h0: Vector | None = Field(None, max_length=MAX_HIDDEN, description="Initial hidden state (zeros if absent).")
    truncate: int | None = Field(None, ge=1, le=MAX_STEPS, description="Truncated BPTT window k; null = full.")
    include: list[Section] = Field(
        default_factory=list,
        description="Opt-in sections: flow_shares (T x T), per_step_gradients (T x |theta|), "
        "flows_by_unit (T x T x H).",
    )
    digits: int = Field(
        DEFAULT_DIGITS, ge=DEFAULT_DIGITS, le=MAX_DIGITS,
        description=f"Significant digits of every number in the answer; {MAX_DIGITS} gives float64 exactly.",
    )

    @field_validator("sequence")
    @classmethod
    def _vocabulary_size(cls, text: str | None) -> str | None:
        if text is not None and len(set(text)) > MAX_VOCAB:
            raise ValueError(f"has {len(set(text))} distinct characters; the limit is {MAX_VOCAB}")
        return text

    @model_validator(mode="after")
    def _one_source_of_data(self) -> "UnfoldRequest":
        if (self.sequence is None) == (self.inputs is None):
            raise ValueError("give exactly one of sequence (text) or inputs (numbers)")
        if self.targets is not None and self.inputs is None:
            raise ValueError("targets go with inputs; a text sequence predicts its next character")
        return self

    @property
    def is_text(self) -> bool:
        return self.sequence is not None

    @property
    def resolved_output(self) -> str:
        return self.output or ("softmax" if self.is_text else "identity")


class ErrorItem(BaseModel):
    loc: list[str | int]
    msg: str = Field(description="Names the field and, for a limit, the limit.")
    type: str


class ErrorResponse(BaseModel):
    detail: list[ErrorItem]


class Config(BaseModel):
    task: Task
    activation: ActivationName
    output: OutputName
    hidden_size: int
    input_size: int
    output_size: int
    steps: int
    seed: int
    spectral_radius: float = Field(description="rho(W) of the weights used (after any rescaling).")
    truncate: int | None
    digits: int = Field(description="Significant digits kept in this answer's numbers.")


class ParamArrays(BaseModel):
    U: list
    W: list
    b: list
    V: list
    c: list


class ParamNumbers(BaseModel):
    U: float
    W: float
    b: float
    V: float
    c: float


class ForwardOut(BaseModel):
    x: Matrix
    y: Matrix
    has_loss: list[bool]
    a: Matrix
    h: Matrix
    o: Matrix
    y_hat: Matrix
    loss: Vector
    total_loss: float


class ErrorsOut(BaseModel):
    o: Matrix = Field(description="delta o^(t), (T, K)")
    h: Matrix = Field(description="delta h^(t), (T, H)")
    a: Matrix = Field(description="delta a^(t), (T, H)")
    x: Matrix = Field(description="delta x^(t), (T, D)")
    h0: Vector = Field(description="dJ/dh^(-1), (H)")


class GradientsOut(BaseModel):
    total: ParamArrays
    norms: ParamArrays = Field(description="Frobenius norm of each step's contribution, (T) per parameter.")
    per_step: ParamArrays | None = Field(None, description="(dJ/dtheta)^(t), indexed by step first; opt-in.")


class FlowsOut(BaseModel):
    h: Matrix = Field(description="F[s][t] = ||delta h^(t<-s)||, (T, T), zero for t > s and outside the window.")
    share: Matrix | None = Field(
        None, description="share[s][t]: the part of step t's U, W and b contribution due to J^(s); opt-in."
    )
    by_unit: list[Matrix] | None = Field(None, description="delta h^(t<-s) itself, [s][t][unit]; opt-in.")


class UnfoldResponse(BaseModel):
    config: Config
    vocab: list[str] | None
    weights: ParamArrays
    h0: Vector
    forward: ForwardOut
    errors: ErrorsOut
    gradients: GradientsOut
    flows: FlowsOut


class GradcheckResponse(BaseModel):
    config: Config
    eps: float
    max_relative_error: dict[str, float] = Field(
        description="||analytic - numeric|| / (||analytic|| + ||numeric||) for U, W, b, V, c, h0 and x."
    )


class Preset(BaseModel):
    name: str
    title: str
    description: str
    request: dict


class Health(BaseModel):
    status: Literal["ok"]
    version: str
