"""Builds the app: routers, static files, error handlers and the body-size limit."""

import threading
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.middleware.gzip import GZipMiddleware
from threadpoolctl import threadpool_limits

from . import api, errors, pages
from .assets import REVALIDATE, CachedStaticFiles, content_id
from .body_limit import BodySizeLimit
from .cache import AnswerCache, Stats
from .pools import AppPools
from .security import SecurityHeaders
from .settings import IMMUTABLE, VERSION, Settings, get_settings

ROOT = Path(__file__).resolve().parent.parent


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    # The core's matrices are small (H <= 128): a second BLAS thread per product costs more than it
    # saves (T = 256, H = 64 forward and BPTT: RNN 17 -> 13 ms, LSTM 52 -> 37 ms on 2 idle cores),
    # and on busy cores its spinning waits made one request in five 3x slower. The processes'
    # parallelism is the computation slots below, one thread each.
    threadpool_limits(1, user_api="blas")
    pools = AppPools(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        yield
        pools.close()  # the executors end with their app (a test's app included)

    app = FastAPI(
        lifespan=lifespan,
        title="rnn-unfolded",
        version=VERSION,
        description="A recurrent network (simple RNN, LSTM or GRU) unfolded in time: forward pass, every "
        "gate, BPTT and the error flows split by source, with exact numbers. The notation and every "
        "formula: [MATH.md](/MATH.md) (docs/MATH.md in the repository).",
        docs_url=None,  # served by pages.docs from static/vendor instead of a CDN
        redoc_url=None,
    )
    app.include_router(api.router)
    app.include_router(pages.router)
    # the page asks for /static/<content id>/...: kept a year; /static/... for links from elsewhere
    static = ROOT / "static"
    app.state.static_id = content_id(static)
    kept = CachedStaticFiles(directory=static, cache_control=IMMUTABLE if settings.static_immutable else REVALIDATE)
    app.mount(f"/static/{app.state.static_id}", kept, name="assets")
    app.mount("/static", CachedStaticFiles(directory=static, cache_control=REVALIDATE), name="static")
    app.state.settings = settings
    app.state.compute_slots = threading.BoundedSemaphore(settings.max_concurrent_computations)
    app.state.pools = pools  # compute, beside and apart (app.pools), made at the first computation
    app.state.queued = 0  # requests waiting for a slot (api.compute)
    app.state.cache = AnswerCache(settings.cache_bytes)
    app.state.stats = Stats()
    app.state.in_flight = {}  # canonical request -> the future of its computation
    errors.install(app, retry_after=settings.retry_after_seconds)
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(SecurityHeaders)
    # the page, its scripts and the API documentation's bundle; answers arrive gzipped already
    app.add_middleware(GZipMiddleware, minimum_size=1024)
    return app


app = create_app()
