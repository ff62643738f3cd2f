"""Limits and settings. The limits are part of the API contract: they appear in the OpenAPI
schema and in README, and keep any single request under about a second on two cores."""

from functools import lru_cache

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

import core.deep

# The version of the API and of its numbers: part of every cache key and ETag, so a release that
# computes differently never serves an answer of the one before (pyproject.toml carries it too).
VERSION = "0.2.0"
# GET /api/v1/unfold?q=<base64url of the request JSON>: at most this many characters of q, so
# the whole URL stays within what browsers, proxies and CDNs pass on (8 KB is the common floor).
MAX_QUERY_CHARS = 7000
# An answer never changes for a given version: a year, and never revalidated.
IMMUTABLE = "public, max-age=31536000, immutable"

MAX_STEPS = 1024  # time steps T (a text of up to MAX_STEPS + 1 characters)
MAX_HIDDEN = 128  # hidden units H
MAX_VOCAB = 128  # distinct characters of a text, and the size D of input or target vectors
MAX_SPECTRAL_RADIUS = 100.0
MAX_FORGET_BIAS = 20.0  # sigma(20) is 1 - 2e-9: the forget gate is as open as float64 tells apart
MAX_SEED = 2**32 - 1
# A stack (issue 28): its layers, the embedding's width, and the errors every source sends down a
# layer at every step, T x T x dirs H numbers (about 130 MB at this limit: T = 256, H = 128, both ways)
MAX_LAYERS = core.deep.MAX_LAYERS
MAX_EMBEDDING = 128
MAX_DEPTH_NUMBERS = 2**24
# Opt-in heavy sections return T * (number of parameters) or T * T * H numbers.
MAX_HEAVY_NUMBERS = 2_000_000
# include "auto": the sections the page draws (the shares, the per-step matrices), each only
# when it fits this smaller budget, so an answer stays quick to send, parse and draw.
AUTO_SECTIONS = ("flow_shares", "per_step_gradients", "gain")
# ... and, with a truncation window, the per-source errors (the equations of a truncated step
# write delta h^(t) as the sum of the sources that still reach it and show each term) and what
# the window costs against full BPTT.
AUTO_TRUNCATED_SECTIONS = ("flows_by_unit", "truncation")
# The sections a single layer's answer ends with when it has them, computed after the rest: a
# client reading a MessagePack answer as it arrives (the page) draws the rest first.
LATE_SECTIONS = ("gain", "truncation")
MAX_AUTO_NUMBERS = 200_000
# Numbers in answers keep DEFAULT_DIGITS significant digits unless a request asks for more;
# MAX_DIGITS (17) is enough for every float64 to read back exactly.
DEFAULT_DIGITS = 9
MAX_DIGITS = 17
# Finite differences re-run the forward pass for every parameter (and, truncated, every step).
MAX_GRADCHECK_COST = 40_000
# The gain's exact Jacobian norms (rnn) cost about H^3 per distance: computed for the first
# MAX_JACOBIAN_COST / H^3 distances, null beyond.
MAX_JACOBIAN_COST = 2**26


# Training: one request stays short (about a second and a half here). Its work is counted as
# steps x T x (G H (H + D + K) + 2000 G): the matrix products of a step and the fixed cost of
# each time step, about 10 ns a unit measured; a window k < T multiplies it by k.
MAX_TRAIN_STEPS = 1000
MAX_TRAIN_COST = 150_000_000
MAX_LEARNING_RATE = 10.0
MAX_CLIP = 1e6
# Training on a generated task (docs/MATH.md, section 17): sequences per batch, their length, and
# classes and noise symbols (the one-hot input size C + N stays small).
MAX_DATASET_LENGTH = 256
MAX_BATCH = 256
MAX_CLASSES = 32
# The race (/race, issue 27): the three cells trained side by side on one task. Its defaults are
# the setting where the textbook picture holds robustly in the study behind the issue (adding,
# T = 50, H = 32, B = 32, Adam: the GRU at 1e-2, the LSTM at 3e-3 with forget bias 1), and each
# task's starting length; `chunk` updates go in each request (each also measures the held-out
# batch, about 60-100 ms for the LSTM here against some 300 ms of 40 updates; 50 points a curve).
RACE = {
    "task": "adding", "hidden_size": 32, "batch": 32, "seed": 0, "steps": 2000, "chunk": 40,
    "lengths": {"adding": 50, "remember-first": 50, "copy": 20},
    "delay": 10,
    "cells": {
        "rnn": {"optimizer": "adam", "learning_rate": 0.01},
        "lstm": {"optimizer": "adam", "learning_rate": 0.003, "forget_bias": 1.0, "input_bias": 0.0},
        "gru": {"optimizer": "adam", "learning_rate": 0.01, "update_bias": 0.0},
        "mingru": {"optimizer": "adam", "learning_rate": 0.01, "update_bias": 0.0},
        "minlstm": {"optimizer": "adam", "learning_rate": 0.01, "forget_bias": 0.0, "input_bias": 0.0},
    },
    # the cells that race unless the reader ticks others (the min cells are a choice: issue 29)
    "racing": ["rnn", "lstm", "gru"],
}
MAX_RACE_STEPS = 20_000
MAX_SAMPLE_LENGTH = 1000
MAX_TEMPERATURE = 10.0
# Each optimizer's default learning rate: with them, every cell learns "hello hello hello " to
# under a tenth of its first loss within DEFAULT_LEARNING_STEPS (8 requests of 25), in seconds.
DEFAULT_TRAIN = {"steps": 25, "optimizer": "adam", "learning_rates": {"sgd": 0.1, "adagrad": 0.1, "adam": 0.02}}
DEFAULT_LEARNING_STEPS = 200


# Every limit by the name /api/v1/meta gives it (meta.limits) and core.contract.REQUEST_FIELDS
# refers to: the schemas' rules and the page's form read their largest values from here.
LIMITS = {
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
    "layers": MAX_LAYERS,
    "embedding": MAX_EMBEDDING,
    "depth_numbers": MAX_DEPTH_NUMBERS,
}

class Settings(BaseSettings):
    """How one server process runs, from the environment (RNN_UNFOLDED_<NAME>, e.g.
    RNN_UNFOLDED_CACHE_BYTES=67108864); README's "Deploying" table lists them. The number of
    worker processes is uvicorn's own WEB_CONCURRENCY."""

    model_config = SettingsConfigDict(env_prefix="RNN_UNFOLDED_")

    max_body_bytes: int = Field(4 * 1024 * 1024, ge=1024, description="Largest request body; larger gets 413.")
    # Computations that may run at once; past that a request gets 503 and Retry-After rather
    # than a place in an unbounded queue. Two cores: two at a time keeps each one fast.
    max_concurrent_computations: int = Field(2, ge=1, description="Computation slots of this process.")
    # Computations run at a lower CPU priority than the event loop (Linux, where a thread has its
    # own nice value): on saturated cores the loop still answers cached links and /health at
    # once (classroom, 2 cores: shared links p99 209 -> 67 ms; own texts' p99 unchanged).
    compute_nice: int = Field(10, ge=0, le=19, description="Nice value added to computation threads (0: none).")
    retry_after_seconds: int = Field(1, ge=1, description="Retry-After of a 503.")
    # A burst a little longer than a computation waits for a slot instead of being shed: at most
    # max_queued requests, each for at most queue_seconds (0: shed at once).
    queue_seconds: float = Field(0.5, ge=0, le=30, description="Longest wait for a computation slot before a 503.")
    max_queued: int = Field(16, ge=0, description="Requests of this process that may wait for a slot at once.")
    # Encoded answers kept per process (bytes of bodies and keys), least recently used out first.
    cache_bytes: int = Field(256 * 1024 * 1024, ge=0, description="The answer cache's size in bytes (0: none).")
    static_immutable: bool = Field(
        True, description="Static files kept a year by browsers under a content id (false while editing them)."
    )


@lru_cache
def get_settings() -> Settings:
    return Settings()
