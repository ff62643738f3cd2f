"""The JSON API, /api/v1."""

import orjson
from fastapi import APIRouter
from fastapi.responses import Response

from . import service
from .presets import PRESETS
from .schemas import ErrorResponse, GradcheckResponse, Health, Preset, UnfoldRequest, UnfoldResponse

VERSION = "0.1.0"


class NumpyJSONResponse(Response):
    """orjson straight from NumPy arrays: no Python lists on the way, floats kept exactly."""

    media_type = "application/json"

    def render(self, content) -> bytes:
        return orjson.dumps(content, option=orjson.OPT_SERIALIZE_NUMPY)


REFUSALS = {
    413: {"model": ErrorResponse, "description": "The body is over the size limit."},
    422: {
        "model": ErrorResponse,
        "description": "A field is invalid or over its limit, or the computation overflowed.",
    },
}

router = APIRouter(prefix="/api/v1", tags=["rnn"])


# Plain `def` routes: FastAPI runs them in its thread pool, off the event loop.
@router.post("/unfold", response_model=UnfoldResponse, responses=REFUSALS, response_class=NumpyJSONResponse)
def unfold(req: UnfoldRequest):
    """Forward pass, errors, step-by-step gradients and error flows of the unfolded RNN."""
    return NumpyJSONResponse(service.unfold(req))


@router.post("/gradcheck", response_model=GradcheckResponse, responses=REFUSALS, response_class=NumpyJSONResponse)
def gradcheck(req: UnfoldRequest):
    """Largest relative error between the analytic and finite-difference gradients, per parameter."""
    return NumpyJSONResponse(service.gradcheck(req))


@router.get("/presets", response_model=list[Preset])
def presets():
    """Named example requests: a word, a pattern, a sine wave, vanishing and exploding gradients."""
    return PRESETS


@router.get("/health", response_model=Health)
async def health():
    return {"status": "ok", "version": VERSION}
