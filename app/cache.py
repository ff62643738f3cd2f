"""Answers are pure functions of their request: the same request gives the same bytes. So an
answer is kept, encoded (and gzipped), under its canonical request, and a classroom opening
one shared link costs one computation and then lookups.

The key is the whole canonical request (the version of the maths, the endpoint, every field
with its default filled in, keys sorted), not a hash of it: two different requests can never
share an entry. The ETag is a hash of the same key.
"""

import hashlib
import threading
from collections import OrderedDict, deque
from dataclasses import dataclass, field

import orjson
from pydantic import BaseModel

from .settings import VERSION


def canonical(endpoint: str, req: BaseModel) -> bytes:
    """The request as the server understands it: defaults filled in, keys sorted."""
    return orjson.dumps({"version": VERSION, "endpoint": endpoint, "request": req.model_dump(mode="json")},
                        option=orjson.OPT_SORT_KEYS)


def etag_of(key: bytes) -> str:
    return '"' + hashlib.blake2b(key, digest_size=16).hexdigest() + '"'


@dataclass
class AnswerCache:
    """A least-recently-used cache bounded by bytes (bodies and keys), safe across threads."""

    max_bytes: int
    hits: int = 0
    misses: int = 0
    bytes: int = 0
    _entries: OrderedDict = field(default_factory=OrderedDict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def get(self, key: tuple, count: bool = True) -> tuple[bytes, dict] | None:
        """The entry of ``key``, or None; counted as a hit or a miss unless ``count`` is false
        (a request looking again while it waits for a slot is still one request)."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                self.misses += count
                return None
            self._entries.move_to_end(key)
            self.hits += count
            return entry

    def put(self, key: tuple, body: bytes, headers: dict) -> None:
        size = len(body) + sum(len(part) for part in key if isinstance(part, bytes))
        if size > self.max_bytes:
            return  # larger than the whole cache: not worth evicting everything for
        with self._lock:
            if key in self._entries:
                return
            self._entries[key] = (body, headers)
            self.bytes += size
            while self.bytes > self.max_bytes:
                old_key, (old_body, _) = self._entries.popitem(last=False)
                self.bytes -= len(old_body) + sum(len(part) for part in old_key if isinstance(part, bytes))

    def summary(self) -> dict:
        with self._lock:
            return {"hits": self.hits, "misses": self.misses, "entries": len(self._entries), "bytes": self.bytes,
                    "max_bytes": self.max_bytes}


@dataclass
class Stats:
    """What /api/v1/stats reports: requests, refusals for lack of a slot, computation times."""

    requests: int = 0
    shed: int = 0
    _times: deque = field(default_factory=lambda: deque(maxlen=2000))
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def computed(self, seconds: float) -> None:
        with self._lock:
            self._times.append(seconds)

    def summary(self) -> dict:
        with self._lock:
            times = sorted(self._times)
        at = lambda q: round(1000 * times[min(len(times) - 1, int(q * len(times)))], 3) if times else None  # noqa: E731
        return {"requests": self.requests, "shed": self.shed,
                "compute_ms": {"count": len(times), "p50": at(0.5), "p90": at(0.9), "p99": at(0.99)}}
