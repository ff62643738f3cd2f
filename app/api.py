"""The JSON API, /api/v1."""

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from . import meta as meta_module
from . import service
from .encoding import encode
from .errors import ServerBusy
from .presets import PRESETS
from .schemas import (
    ConvertRequest,
    ConvertResponse,
    ErrorResponse,
    GradcheckResponse,
    Health,
    Meta,
    Preset,
    SampleRequest,
    SampleResponse,
    TrainRequest,
    TrainResponse,
    UnfoldRequest,
    UnfoldResponse,
)

VERSION = "0.1.0"


class NumpyJSONResponse(JSONResponse):
    """A body already encoded by encoding.encode (a JSONResponse so that OpenAPI documents it as JSON)."""

    def render(self, content: bytes) -> bytes:
        return content


def _accepts_gzip(request: Request) -> bool:
    return "gzip" in request.headers.get("accept-encoding", "").lower()


async def compute(request: Request, work, *args) -> NumpyJSONResponse:
    """Run work(*args), its JSON encoding and any gzip in the thread pool, if a slot is free.

    Slots are taken without waiting, so a saturated server answers 503 at once instead of
    queueing, and the event loop (and /health) stays free.
    """
    slots = request.app.state.compute_slots
    if not slots.acquire(blocking=False):
        raise ServerBusy
    try:
        gzipped = _accepts_gzip(request)
        body, headers = await run_in_threadpool(lambda: encode(work(*args), gzipped))
        return NumpyJSONResponse(body, headers=headers)
    finally:
        slots.release()


REFUSALS = {
    400: {"model": ErrorResponse, "description": "The body could not be read as text."},
    413: {"model": ErrorResponse, "description": "The body is over the size limit."},
    503: {"model": ErrorResponse, "description": "Every computation slot is busy; retry after Retry-After seconds."},
    422: {
        "model": ErrorResponse,
        "description": "A field is invalid or over its limit, or the computation overflowed.",
    },
}

router = APIRouter(prefix="/api/v1", tags=["rnn"])


@router.post("/unfold", response_model=UnfoldResponse, responses=REFUSALS, response_class=NumpyJSONResponse)
async def unfold(req: UnfoldRequest, request: Request):
    """Forward pass, errors, step-by-step gradients and error flows of the unfolded RNN."""
    return await compute(request, service.unfold, req)


@router.post("/gradcheck", response_model=GradcheckResponse, responses=REFUSALS, response_class=NumpyJSONResponse)
async def gradcheck(req: UnfoldRequest, request: Request):
    """Largest relative error between the analytic and finite-difference gradients, per parameter."""
    return await compute(request, service.gradcheck, req)


@router.post("/train", response_model=TrainResponse, responses=REFUSALS, response_class=NumpyJSONResponse)
async def train(req: TrainRequest, request: Request):
    """`steps` updates (sgd, adagrad or adam; clipping optional), the loss before each, and the
    new weights and optimizer state at full precision: send them back to continue exactly.
    With `unfold: true` the answer also carries the unfold of the new weights."""
    return await compute(request, service.train, req)


@router.post("/sample", response_model=SampleResponse, responses=REFUSALS, response_class=NumpyJSONResponse)
async def sample(req: SampleRequest, request: Request):
    """Text the model would write after `start`, drawn from softmax(o / temperature), seeded."""
    return await compute(request, service.sample, req)


@router.post("/convert", response_model=ConvertResponse, responses=REFUSALS, response_class=NumpyJSONResponse)
async def convert(req: ConvertRequest, request: Request):
    """Weights in any accepted format (canonical, PyTorch, Keras) to canonical or to a PyTorch
    state_dict that load_state_dict takes, at full precision, with what was recognised."""
    return await compute(request, service.convert, req)


@router.get("/presets", response_model=list[Preset])
def presets():
    """Named example requests: a word, a pattern, a sine wave, vanishing and exploding gradients."""
    return PRESETS


@router.get("/meta", response_model=Meta)
def meta():
    """The vocabulary and limits the page is built from: cells with their gates and parameters,
    activations, heads, tasks, sections, defaults, limits and the presets."""
    return meta_module.meta()


@router.get("/health", response_model=Health)
async def health():
    return {"status": "ok", "version": VERSION}
