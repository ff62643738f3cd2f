"""Every refusal has FastAPI's shape, {"detail": [{"loc", "msg", "type"}]}, and a message that
starts with the field it is about. Nothing of the input is echoed back."""

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from core import InputError, NumericalOverflow


def _is_union_tag(part) -> bool:
    # pydantic puts the tag of a union member ("list[float]") into loc; users never wrote it
    return isinstance(part, str) and ("[" in part or part in {"float", "int", "str"})


def _most_specific(errors) -> list[dict]:
    """A value that fits no member of a union gets one error per member: keep the one that
    got deepest into the value (the first on a tie), which is the member the user meant."""
    kept: dict[tuple, dict] = {}
    for index, error in enumerate(errors):
        loc = tuple(error["loc"])
        tag = next((i for i, part in enumerate(loc) if _is_union_tag(part)), None)
        key = loc[:tag] if tag is not None else (index,)
        if key not in kept or len(loc) > len(kept[key]["loc"]):
            kept[key] = error
    return [{**e, "loc": [p for p in e["loc"] if not _is_union_tag(p)]} for e in kept.values()]


def _item(loc: list, msg: str, kind: str, **extra) -> dict:
    fields = [str(p) for p in loc if p != "body"]
    name = ".".join(fields) if fields else "body"
    return {"loc": loc, "msg": f"{name}: {msg}", "type": kind, **extra}


NOT_AN_OBJECT = (
    "must be a JSON object such as {\"sequence\": \"hello\"}, sent with the header "
    "Content-Type: application/json"
)


def _worded(error: dict) -> dict:
    """One validation error in our words: the field first, then what is wrong and the limit."""
    cause = (error.get("ctx") or {}).get("error")
    if isinstance(cause, InputError):  # a rule across fields, raised by a model validator
        return _item(["body", *cause.field.split(".")], cause.message, "value_error")
    if error["type"] == "json_invalid":
        where = f"at character {error['loc'][-1]}"
        return _item(["body"], f"is not valid JSON: {cause or 'cannot be parsed'} {where}", "json_invalid")
    if error["type"] == "model_attributes_type" and list(error["loc"]) == ["body"]:
        return _item(["body"], NOT_AN_OBJECT, "model_attributes_type")
    return _item(error["loc"], error["msg"].removeprefix("Value error, "), error["type"])


def validation_body(errors) -> dict:
    return {"detail": [_worded(e) for e in _most_specific(errors)]}


class ServerBusy(Exception):
    """Every computation slot is taken."""


def install(app: FastAPI, retry_after: int) -> None:
    @app.exception_handler(ServerBusy)
    async def _busy(request: Request, exc: ServerBusy):
        msg = f"server: every computation slot is busy; retry after {retry_after} s"
        return JSONResponse(
            {"detail": [{"loc": ["server"], "msg": msg, "type": "busy"}]},
            status_code=503, headers={"Retry-After": str(retry_after)},
        )

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError):
        return JSONResponse(validation_body(exc.errors()), status_code=422)

    @app.exception_handler(HTTPException)
    async def _http(request: Request, exc: HTTPException):
        # e.g. a body that is not UTF-8 text (400) or an unknown path (404), in the one error shape
        item = {"loc": ["body"] if exc.status_code == 400 else ["path"], "msg": str(exc.detail), "type": "http_error"}
        headers = exc.headers
        if exc.status_code == 405:  # every method of the path (Starlette names only the first route's)
            methods = {m for r in request.app.routes if getattr(r, "path", None) == request.url.path
                       for m in getattr(r, "methods", None) or ()}
            headers = {**(headers or {}), "Allow": ", ".join(sorted(methods))}
        return JSONResponse({"detail": [item]}, status_code=exc.status_code, headers=headers)

    @app.exception_handler(InputError)
    async def _input(request: Request, exc: InputError):
        loc = ["body", *exc.field.split(".")]
        return JSONResponse({"detail": [_item(loc, exc.message, "value_error")]}, status_code=422)

    @app.exception_handler(NumericalOverflow)
    async def _overflow(request: Request, exc: NumericalOverflow):
        item = {"loc": ["body"], "msg": str(exc), "type": "overflow", "step": exc.step, "quantity": exc.quantity}
        return JSONResponse({"detail": [item]}, status_code=422)
