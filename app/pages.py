"""The HTML page."""

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from core.contract import ACTIVATION_NAMES, CELL_TITLES, CELLS

from .settings import MAX_FORGET_BIAS, MAX_HIDDEN, MAX_STEPS, MAX_VOCAB

templates = Jinja2Templates(directory=Path(__file__).resolve().parent.parent / "templates")
router = APIRouter(tags=["page"])


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def index(request: Request):
    limits = {"steps": MAX_STEPS, "hidden": MAX_HIDDEN, "vocab": MAX_VOCAB, "forget_bias": int(MAX_FORGET_BIAS)}
    cells = [(name, CELL_TITLES[name]) for name in CELLS]
    return templates.TemplateResponse(
        request, "index.html", {"limits": limits, "cells": cells, "activations": ACTIVATION_NAMES}
    )


@router.get("/docs", response_class=HTMLResponse, include_in_schema=False)
def docs(request: Request):
    """Swagger UI from static/vendor, so the API documentation works offline."""
    return templates.TemplateResponse(request, "docs.html", {"openapi_url": request.app.openapi_url})
