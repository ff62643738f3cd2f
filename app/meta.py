"""The page's vocabulary and limits, from the same places the schemas use (core.contract,
settings, the request's own defaults): GET /api/v1/meta serves it and the page embeds it, so
no name, label, default or limit is typed twice."""

from dataclasses import asdict
from functools import cache

import core
import core.contract as contract
import core.tasks
from core.deep import STACK_LAYOUT

from .presets import PRESETS
from .schemas import SECTIONS, Preset, UnfoldRequest
from .settings import (
    AUTO_SECTIONS,
    DEFAULT_DIGITS,
    DEFAULT_LEARNING_STEPS,
    DEFAULT_TRAIN,
    LATE_SECTIONS,
    LIMITS,
    RACE,
    VERSION,
)


def _cell(name: str) -> dict:
    return {
        "name": name,
        "title": contract.CELL_TITLES[name],
        "gates": [
            {"name": gate, "letter": contract.gate_letter(name, gate), "fn": contract.gate_function(name, gate)}
            for gate in contract.GATE_VALUES[name]
        ],
        "params": list(contract.PARAM_NAMES[name]),
        "states": list(contract.STATES[name]),
    }


@cache
def meta() -> dict:
    fields = UnfoldRequest.model_fields
    return {
        "version": VERSION,
        "cells": [_cell(name) for name in contract.CELLS],
        "activations": [
            {"name": name, "symbol": contract.ACTIVATION_SYMBOLS[name], "gain": contract.ACTIVATION_GAIN[name]}
            for name in contract.ACTIVATION_NAMES
        ],
        "heads": [
            {"name": name, "symbol": contract.HEAD_SYMBOLS[name], "title": contract.HEAD_TITLES[name]}
            for name in contract.HEAD_NAMES
        ],
        "tasks": list(contract.TASK_NAMES),
        "sections": list(SECTIONS),
        "auto_sections": list(AUTO_SECTIONS),
        "late_sections": list(LATE_SECTIONS),
        "cell_only": {name: list(cells) for name, cells in contract.CELL_FIELDS.items()},
        "fields": [{**asdict(field), "cells": list(field.cells)} for field in contract.REQUEST_FIELDS],
        "defaults": {
            "task": fields["task"].default,
            "cell": fields["cell"].default,
            "hidden_size": fields["hidden_size"].default,
            "seed": fields["seed"].default,
            "activation": contract.DEFAULT_ACTIVATION,
            "notation": contract.DEFAULT_NOTATION,
            "forget_bias": contract.DEFAULT_FORGET_BIAS["lstm"],
            "forget_bias_by_cell": contract.DEFAULT_FORGET_BIAS,
            "digits": DEFAULT_DIGITS,
            "train": {**DEFAULT_TRAIN, "learning_steps": DEFAULT_LEARNING_STEPS},
        },
        "limits": LIMITS,
        "stack_weights": STACK_LAYOUT,
        "datasets": [
            {"name": name, "options": list(core.tasks.DATASET_OPTIONS[name]), "output": core.tasks.DATASET_HEADS[name]}
            for name in core.DATASETS
        ],
        "race": RACE,
        "optimizers": list(core.OPTIMIZERS),
        "notations": [
            {"name": name, "title": n["title"],
             "params": {param: {"letter": letter, "sub": sub} for param, (letter, sub) in n["params"].items()}}
            for name, n in contract.NOTATIONS.items()
        ],
        "presets": [Preset.model_validate(p).model_dump() for p in PRESETS],  # with each view's defaults
    }
