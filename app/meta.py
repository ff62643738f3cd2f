"""The page's vocabulary and limits, from the same places the schemas use (core.contract,
settings, the request's own defaults): GET /api/v1/meta serves it and the page embeds it, so
no name, label, default or limit is typed twice."""

from dataclasses import asdict
from functools import cache

import core
import core.contract as contract
import core.tasks

from .presets import PRESETS
from .schemas import SECTIONS, Preset, UnfoldRequest
from .settings import (
    AUTO_SECTIONS,
    DEFAULT_DIGITS,
    DEFAULT_LEARNING_STEPS,
    DEFAULT_TRAIN,
    MAX_AUTO_NUMBERS,
    MAX_BATCH,
    MAX_CLASSES,
    MAX_CLIP,
    MAX_DATASET_LENGTH,
    MAX_DIGITS,
    MAX_FORGET_BIAS,
    MAX_GRADCHECK_COST,
    MAX_HEAVY_NUMBERS,
    MAX_HIDDEN,
    MAX_LEARNING_RATE,
    MAX_QUERY_CHARS,
    MAX_RACE_STEPS,
    MAX_SAMPLE_LENGTH,
    MAX_SEED,
    MAX_SPECTRAL_RADIUS,
    MAX_STEPS,
    MAX_TEMPERATURE,
    MAX_TRAIN_STEPS,
    MAX_VOCAB,
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
        "limits": {
            "steps": MAX_STEPS,
            "hidden_size": MAX_HIDDEN,
            "vocab": MAX_VOCAB,
            "seed": MAX_SEED,
            "spectral_radius": MAX_SPECTRAL_RADIUS,
            "forget_bias": MAX_FORGET_BIAS,
            "truncate": MAX_STEPS,
            "digits": MAX_DIGITS,
            "heavy_numbers": MAX_HEAVY_NUMBERS,
            "auto_numbers": MAX_AUTO_NUMBERS,
            "train_steps": MAX_TRAIN_STEPS,
            "gradcheck_cost": MAX_GRADCHECK_COST,
            "learning_rate": MAX_LEARNING_RATE,
            "clip": MAX_CLIP,
            "sample_length": MAX_SAMPLE_LENGTH,
            "temperature": MAX_TEMPERATURE,
            "query_chars": MAX_QUERY_CHARS,
            "dataset_length": MAX_DATASET_LENGTH,
            "batch": MAX_BATCH,
            "classes": MAX_CLASSES,
            "race_steps": MAX_RACE_STEPS,
        },
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
