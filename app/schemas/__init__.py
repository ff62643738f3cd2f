"""Request and response shapes of the JSON API (pydantic v2), a module per job: what they share
(common), the unfold request (unfold), training, datasets and sampling (training), weight
conversion (convert) and the answers' shapes (answers). Everything is importable from here."""

from .answers import (
    Config,
    ErrorItem,
    ErrorResponse,
    ErrorsOut,
    FlowsOut,
    ForwardOut,
    GainOut,
    GradcheckResponse,
    GradientsOut,
    Health,
    ImportedOut,
    Meta,
    ParamArrays,
    Preset,
    PresetView,
    TruncationOut,
    UnfoldResponse,
)
from .common import SECTIONS, STRICT, Weights
from .convert import ConvertRequest, ConvertResponse
from .training import (
    ClipIn,
    DatasetRequest,
    DatasetResponse,
    EvalOut,
    OptimizerStateIn,
    SampleRequest,
    SampleResponse,
    TrainRequest,
    TrainResponse,
)
from .unfold import DatasetIn, UnfoldRequest

# Answers that name a shape of another module by a string resolve it once every module is loaded.
TrainResponse.model_rebuild()
DatasetResponse.model_rebuild()
ConvertResponse.model_rebuild()

__all__ = [
    "SECTIONS", "STRICT", "ClipIn", "Config", "ConvertRequest", "ConvertResponse", "DatasetIn", "DatasetRequest",
    "DatasetResponse", "ErrorItem", "ErrorResponse", "ErrorsOut", "EvalOut", "FlowsOut", "ForwardOut", "GainOut",
    "GradcheckResponse", "GradientsOut", "Health", "ImportedOut", "Meta", "OptimizerStateIn", "ParamArrays", "Preset",
    "PresetView", "SampleRequest", "SampleResponse", "TrainRequest", "TrainResponse", "TruncationOut", "UnfoldRequest",
    "UnfoldResponse", "Weights",
]
