"""The HTML page."""

from pathlib import Path

import orjson
from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse
from fastapi.templating import Jinja2Templates

from .meta import meta

ROOT = Path(__file__).resolve().parent.parent
templates = Jinja2Templates(directory=ROOT / "templates")
router = APIRouter(tags=["page"])


def _embedded(data) -> str:
    """JSON to sit inside <script type="application/json">: "<" escaped, so no "</script>" can close it."""
    return orjson.dumps(data).decode().replace("<", "\\u003c")


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def index(request: Request):
    vocabulary = meta()
    page = templates.TemplateResponse(request, "index.html", {"meta": vocabulary, "meta_json": _embedded(vocabulary),
                                                               "script": "main.js"})
    page.headers["Cache-Control"] = "no-cache"  # asked again each time: it names the current assets
    return page


@router.get("/race", response_class=HTMLResponse, include_in_schema=False)
def race(request: Request):
    """The three cells trained side by side on one generated task."""
    vocabulary = meta()
    page = templates.TemplateResponse(request, "race.html", {"meta": vocabulary, "meta_json": _embedded(vocabulary),
                                                              "script": "race/main.js"})
    page.headers["Cache-Control"] = "no-cache"
    return page


@router.get("/docs", response_class=HTMLResponse, include_in_schema=False)
def docs(request: Request):
    """Swagger UI from static/vendor, so the API documentation works offline."""
    return templates.TemplateResponse(request, "docs.html", {"openapi_url": request.app.openapi_url})


@router.get("/MATH.md", include_in_schema=False)
def math():
    """docs/MATH.md, every formula, so the API documentation can link to it."""
    return FileResponse(ROOT / "docs" / "MATH.md", media_type="text/markdown; charset=utf-8")
