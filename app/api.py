"""The JSON API, /api/v1."""

import asyncio
import base64
import binascii
import time
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response, StreamingResponse
from pydantic import ValidationError

from core import InputError

from . import checkpoints, service
from . import meta as meta_module
from .cache import canonical, etag_of
from .encoding import MSGPACK, encode, encode_parts
from .errors import ServerBusy
from .presets import PRESETS
from .schemas import (
    ConvertRequest,
    ConvertResponse,
    DatasetRequest,
    DatasetResponse,
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
from .settings import IMMUTABLE, MAX_QUERY_CHARS, VERSION


class NumpyJSONResponse(JSONResponse):
    """A body already encoded by encoding.encode (a JSONResponse so that OpenAPI documents it as JSON)."""

    def render(self, content: bytes) -> bytes:
        return content


def _accepts_gzip(request: Request) -> bool:
    return "gzip" in request.headers.get("accept-encoding", "").lower()


def _asks_binary(request: Request) -> bool:
    """MessagePack only when the client's Accept names it with a weight above zero and no lower
    than JSON's (application/json, application/* or */*); JSON otherwise (RFC 9110, 12.5.1)."""
    weights = {}
    for part in request.headers.get("accept", "").lower().split(","):
        media, *params = (piece.strip() for piece in part.split(";"))
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        weights[media] = max(q, weights.get(media, 0.0))
    binary = weights.get(MSGPACK, 0.0)
    return binary > 0 and binary >= max(weights.get(m, 0.0) for m in ("application/json", "application/*", "*/*"))


QUEUE_POLL_SECONDS = 0.02


async def compute(request: Request, work, req, binary: bool | None = None) -> NumpyJSONResponse:
    """work(req), its JSON encoding and any gzip, from the cache or in a computation thread
    (below the event loop's priority: app.main) once a slot is free.

    An answer in the cache needs no slot, and a request already being computed waits for that
    computation instead of starting another (a class clicking one link at once costs one
    computation). Without a free slot a request waits in a short queue (queue_seconds, at most
    max_queued requests), looking again for its answer and for a slot every QUEUE_POLL_SECONDS:
    a burst that outlasts a computation or two is served, not shed; past the queue a saturated
    server answers 503 at once, and the event loop (and /health) stays free throughout.
    """
    state = request.app.state
    state.stats.requests += 1
    gzipped = _accepts_gzip(request)
    binary = _asks_binary(request) if binary is None else binary
    key = (canonical(work.__name__, req), gzipped, binary)
    deadline = None  # set once the request joins the queue
    got = False
    try:
        while True:
            cached = state.cache.get(key, count=deadline is None)
            waiting = state.in_flight.get(key)
            if cached is None and waiting is not None:  # the same request is being computed: share it
                await asyncio.wait([waiting])
                if not waiting.cancelled():
                    cached = waiting.result()  # or the same refusal
            if cached is not None:
                break
            got = state.compute_slots.acquire(blocking=False)
            if got:
                break
            if deadline is None:
                if state.queued >= state.settings.max_queued:
                    break
                deadline = time.perf_counter() + state.settings.queue_seconds
                state.queued += 1
            if time.perf_counter() >= deadline:
                break
            await asyncio.sleep(QUEUE_POLL_SECONDS)
    finally:
        if deadline is not None:
            state.queued -= 1
    if cached is not None:
        return NumpyJSONResponse(cached[0], headers=cached[1])
    if not got:
        state.stats.shed += 1
        raise ServerBusy
    shared = state.in_flight[key] = asyncio.get_running_loop().create_future()
    pools = state.pools.get()
    if binary and work in IN_PARTS:
        return await _stream(state, key, shared, lambda: encode_parts(IN_PARTS[work](req, pools), gzipped))
    job = asyncio.get_running_loop().run_in_executor(pools.compute, lambda: encode(work(req, pools), gzipped, binary))
    _settle_when_done(state, key, shared, job)
    try:
        body, headers = await asyncio.shield(shared)  # or its refusal, raised
    except asyncio.CancelledError:  # the client left: the computation goes on, is kept and frees its slot
        await asyncio.wait([job])
        raise
    return NumpyJSONResponse(body, headers=headers)


def _settle_when_done(state, key, shared: asyncio.Future, job: asyncio.Future, then=None) -> None:
    """Once ``job`` (a computation thread's (body, headers)) is done, whether or not its client is
    still there: its slot is freed, the answer cached and handed to whoever waits on ``shared``
    (or the same refusal), then ``then()``."""
    start = time.perf_counter()

    def done(job: asyncio.Future) -> None:
        state.compute_slots.release()
        del state.in_flight[key]
        if job.cancelled():  # the pools were shut down: whoever waited computes for themselves
            shared.cancel()
        elif job.exception() is not None:
            shared.set_exception(job.exception())
            shared.exception()  # retrieved: nobody waiting is not an unhandled error
        else:
            state.stats.computed(time.perf_counter() - start)
            state.cache.put(key, *job.result())
            shared.set_result(job.result())
        if then is not None:
            then()

    job.add_done_callback(done)


# Answers sent as they are computed, in MessagePack (issue 30): the page draws the network from
# the first part while the server computes the rest (settings.LATE_SECTIONS). The gain's SVDs
# stay split across two cores: a dragged slider waits for its gain plot (T = 256: 139-148 ms
# against 160-166 on one core), and a click on Run gained only 5-14 ms from one core (noise-level).
IN_PARTS = {service.unfold: service.unfold_parts}
_DONE = object()


async def _stream(state, key, shared: asyncio.Future, produce) -> Response:
    """The parts of produce() (encoding.encode_parts: headers, then chunks of the body), each
    sent as soon as the computation thread has it. A refusal found before the first part is an
    error answer as usual; once the headers are out, a failure can only end the connection short.
    The computation finishes, is cached and frees its slot whether or not the client stays."""
    loop = asyncio.get_running_loop()
    parts: asyncio.Queue = asyncio.Queue()

    def run():
        chunks, produced = [], produce()
        headers = next(produced)
        loop.call_soon_threadsafe(parts.put_nowait, headers)
        for chunk in produced:
            chunks.append(chunk)
            loop.call_soon_threadsafe(parts.put_nowait, chunk)
        return b"".join(chunks), headers

    job = loop.run_in_executor(state.pools.get().compute, run)
    _settle_when_done(state, key, shared, job, then=lambda: parts.put_nowait(_DONE))
    first = await parts.get()
    if first is _DONE:  # refused (or failed) before any byte went out: the error handlers answer
        return job.result()  # raises the job's error

    async def body():
        while (chunk := await parts.get()) is not _DONE:
            yield chunk
        if job.exception() is not None:  # the connection ends short: no client reads a cut answer as whole
            raise job.exception()

    return StreamingResponse(body(), headers=first)


def _from_query(q: str) -> UnfoldRequest:
    """The request behind a GET: base64url of its JSON (padding optional), checked as a POST body is."""
    try:
        text = base64.b64decode(q + "=" * (-len(q) % 4), altchars=b"-_", validate=True)
    except (binascii.Error, ValueError):
        raise InputError("q", "is not base64url: encode the request's JSON with base64url (RFC 4648, "
                         "section 5)") from None
    try:
        return UnfoldRequest.model_validate_json(text)
    except ValidationError as error:  # worded as the POST's refusals are
        raise RequestValidationError([{**e, "loc": ("body", *e["loc"])} for e in error.errors()]) from None


REFUSALS = {
    400: {"model": ErrorResponse, "description": "The body could not be read as text."},
    413: {"model": ErrorResponse, "description": "The body is over the size limit."},
    503: {"model": ErrorResponse, "description": "Every computation slot is busy; retry after Retry-After seconds."},
    422: {
        "model": ErrorResponse,
        "description": "A field is invalid or over its limit, or the computation overflowed.",
    },
}

# Every computed answer also comes in MessagePack for a client that asks (Accept: application/msgpack):
# the same content, float64 arrays as raw doubles (README, "Answers in MessagePack").
ANSWERS = {
    200: {"description": "The answer: JSON, or MessagePack when Accept names application/msgpack (the GET form of "
                         "/unfold: when its URL says format=msgpack).",
          "content": {MSGPACK: {"schema": {"type": "string", "format": "binary",
                                           "description": "The JSON answer's content in MessagePack; every float64 "
                                           "array is extension type 1: [offset][ndim][shape as uint32][zeros]"
                                           "[float64 data], little-endian, offset counting from after itself to "
                                           "the data; a NaN or an infinity stands where JSON has null."}}}},
    **REFUSALS,
}

router = APIRouter(prefix="/api/v1", tags=["rnn"])


@router.post("/unfold", response_model=UnfoldResponse, responses=ANSWERS, response_class=NumpyJSONResponse)
async def unfold(req: UnfoldRequest, request: Request):
    """Forward pass, errors, step-by-step gradients and error flows of the unfolded RNN. In
    MessagePack the answer is sent as it is computed: its `gain` and `truncation` come last,
    a moment after the rest (README, "Answers in MessagePack")."""
    return await compute(request, service.unfold, req)


@router.get("/unfold", response_model=UnfoldResponse, responses={**ANSWERS, 304: {"description": "Not modified."}},
            response_class=NumpyJSONResponse)
async def unfold_get(
    request: Request,
    q: Annotated[str, Query(
        min_length=1, max_length=MAX_QUERY_CHARS,
        description=f"The unfold request's JSON in base64url (RFC 4648, section 5; padding optional), at most "
        f"{MAX_QUERY_CHARS} characters: larger requests use POST.",
    )],
    format: Annotated[Literal["json", "msgpack"], Query(
        description="The answer's format. The GET form is chosen by the URL alone, not by Accept, so that a cache "
        "that ignores Vary never hands one format to a client that asked for the other.",
    )] = "json",
):
    """The same answer as POST, byte for byte, for a request small enough to fit a URL: cacheable
    by the browser, a proxy or a CDN. Its ETag names the request and the version of the maths;
    If-None-Match with it answers 304 without computing anything."""
    req = _from_query(q)
    binary = format == "msgpack"
    # one ETag a representation: the JSON's names the request, MessagePack's adds its own suffix
    tag = etag_of(canonical("unfold", req))
    cache_headers = {"ETag": tag[:-1] + '-msgpack"' if binary else tag, "Cache-Control": IMMUTABLE,
                     "Vary": "Accept-Encoding"}  # the format is in the URL; a 304 carries the Vary its 200 has
    if cache_headers["ETag"] in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=cache_headers)
    response = await compute(request, service.unfold, req, binary)
    response.headers.update(cache_headers)
    return response


@router.post("/gradcheck", response_model=GradcheckResponse, responses=ANSWERS, response_class=NumpyJSONResponse)
async def gradcheck(req: UnfoldRequest, request: Request):
    """Largest relative error between the analytic and finite-difference gradients, per parameter."""
    return await compute(request, service.gradcheck, req)


@router.post("/train", response_model=TrainResponse, responses=ANSWERS, response_class=NumpyJSONResponse)
async def train(req: TrainRequest, request: Request):
    """`steps` updates (sgd, adagrad or adam; clipping optional), the loss before each, and the
    new weights and optimizer state at full precision: send them back to continue exactly.
    With `unfold: true` the answer also carries the unfold of the new weights."""
    return await compute(request, service.train, req)


@router.post("/dataset", response_model=DatasetResponse, responses=ANSWERS, response_class=NumpyJSONResponse)
async def dataset(req: DatasetRequest, request: Request):
    """A batch of a generated task (inputs, targets, the steps that carry a loss), exactly as
    /train draws it: update n's batch (seed [seed, n]) or, for step 0, the held-out batch."""
    return await compute(request, service.dataset, req)


@router.post("/sample", response_model=SampleResponse, responses=ANSWERS, response_class=NumpyJSONResponse)
async def sample(req: SampleRequest, request: Request):
    """Text the model would write after `start`, drawn from softmax(o / temperature), seeded."""
    return await compute(request, service.sample, req)


@router.post("/convert", response_model=ConvertResponse, responses=ANSWERS, response_class=NumpyJSONResponse)
async def convert(req: ConvertRequest, request: Request):
    """Weights in any accepted format (canonical, PyTorch, Keras) to canonical or to a PyTorch
    state_dict that load_state_dict takes, at full precision, with what was recognised."""
    return await compute(request, service.convert, req)


@router.get("/models")
def models():
    """The experiment's trained checkpoints (make models), without their weights: each cell, task,
    initialisation, updates and held-out numbers, with a sentence built from them."""
    return [checkpoints.summary(c) for c in checkpoints.checkpoints().values()]


@router.get("/models/{name}", responses={404: {"model": ErrorResponse, "description": "No such checkpoint."}})
def model(name: str):
    """One checkpoint whole: its weights at full precision and the dataset /train takes."""
    found = checkpoints.shipped().get(name)
    if found is None:
        known = ", ".join(checkpoints.shipped()) or "none"
        return JSONResponse({"detail": [{"loc": ["path", "name"], "msg": f"name: no checkpoint {name!r}; the shipped "
                                         f"ones are {known}", "type": "not_found"}]}, status_code=404)
    return found


@router.get("/presets", response_model=list[Preset])
def presets():
    """Named example requests: a word, a pattern, a sine wave, vanishing and exploding gradients."""
    return PRESETS


@router.get("/meta", response_model=Meta)
def meta():
    """The vocabulary and limits the page is built from: cells with their gates and parameters,
    activations, heads, tasks, sections, defaults, limits and the presets."""
    return meta_module.meta()


@router.get("/stats")
def stats(request: Request):
    """This process's counters: requests, those shed for lack of a computation slot (503), the
    answer cache's hits and misses, and how long computations took (milliseconds)."""
    state = request.app.state
    return {"version": VERSION, **state.stats.summary(), "cache": state.cache.summary()}


@router.get("/health", response_model=Health)
async def health():
    return {"status": "ok", "version": VERSION}
