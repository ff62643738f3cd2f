"""A classroom at once: 200 students for 60 s against a real server on loopback, then a table.

The teacher opens the five links once, then shares them. Each student opens a page every few
seconds: four times in five one of the shared links (GET, as the page asks), once in five a
text of their own (T up to 256, POST). A 503 is retried as the page retries it (up to 5 times,
waiting min(Retry-After, 150 ms * 2^attempt) * U(0.5, 1.5)); a request that still fails, or
fails otherwise, has failed the student. /health is probed from a process of its own. Then the
throughput of shared links alone, with 1 and with 2 worker processes. Goals (issue 15):
nothing failed, shared links p99 <= 200 ms, own sequences p99 <= 2 s, health p99 <= 50 ms.
The load's own clients run on the same machine and take their share of its cores.
"""

import argparse
import asyncio
import base64
import json
import multiprocessing
import random
import statistics
import string
import sys
import time

import httpx

from harness import machine, running_server

from .load import health, http_client, percentile

SHARED = [
    {"sequence": "hello world", "include": ["auto"]},
    {"sequence": "the first letter decides this!", "task": "many-to-one", "spectral_radius": 0.6, "seed": 3,
     "include": ["auto"]},
    {"sequence": "hello hello hello ", "hidden_size": 16, "include": ["auto"]},
    {"sequence": "abcabcabcabcabc", "cell": "lstm", "include": ["auto"]},
    {"sequence": "hello world", "truncate": 2, "include": ["auto"]},
]
RETRIES = 5


def link(body: dict) -> str:
    return "/api/v1/unfold?q=" + base64.urlsafe_b64encode(json.dumps(body).encode()).decode().rstrip("=")


def own_sequence(rng: random.Random) -> dict:
    text = "".join(rng.choice(string.ascii_lowercase + " ") for _ in range(rng.randint(20, 257)))
    return {"sequence": text, "hidden_size": rng.choice([8, 16]), "include": ["auto"]}


async def ask(http: httpx.AsyncClient, method: str, path: str, body: dict | None) -> tuple[int | str, int]:
    """(final status, 503s retried), retrying as the page does."""
    for attempt in range(RETRIES + 1):
        try:
            response = await (http.get(path) if method == "GET" else http.post(path, json=body))
        except httpx.HTTPError as error:
            return type(error).__name__, attempt
        if response.status_code != 503 or attempt == RETRIES:
            return response.status_code, attempt
        after = float(response.headers.get("retry-after", "1"))
        await asyncio.sleep(min(after, 0.15 * 2 ** attempt) * random.uniform(0.5, 1.5))
    raise AssertionError("unreachable")


async def student(base: str, deadline: float, seed: int, results: dict) -> None:
    rng = random.Random(seed)
    async with http_client(base) as http:
        await asyncio.sleep(rng.uniform(0, 3))  # they do not all click in the same millisecond
        while time.monotonic() < deadline:
            shared = rng.random() < 0.8
            method, path, body = ("GET", link(rng.choice(SHARED)), None) if shared else \
                ("POST", "/api/v1/unfold", own_sequence(rng))
            start = time.perf_counter()
            status, retried = await ask(http, method, path, body)
            results["retried"] += retried
            if status == 200:
                results["shared" if shared else "own"].append(time.perf_counter() - start)
            else:
                results["failed"].append(status)
            await asyncio.sleep(rng.uniform(2, 5))  # reading the page


async def classroom(students: int, seconds: float, workers: int) -> dict:
    with running_server(log_level="error", workers=workers) as base:
        results = {"shared": [], "own": [], "failed": [], "retried": 0}
        # the teacher opens each link before sharing it, on fresh connections (one kept-alive
        # connection stays with one worker process) so that every worker has probably seen it
        for body in SHARED:
            for _ in range(2 * workers):
                async with http_client(base, timeout=60) as teacher:
                    await teacher.get(link(body))
        queue = multiprocessing.Queue()
        probe = multiprocessing.Process(target=health, args=(base, seconds, queue))
        probe.start()
        deadline = time.monotonic() + seconds
        await asyncio.gather(*(student(base, deadline, i, results) for i in range(students)))
        results["health"], results["health_failures"] = queue.get(timeout=60)
        probe.join(timeout=10)
    return results


async def throughput(workers: int, seconds: float, clients: int = 32) -> float:
    """Shared links as fast as the clients can ask (the server's cache answers)."""
    with running_server(log_level="error", workers=workers) as base:
        done = [0]

        async def hammer():
            async with http_client(base) as http:
                end = time.monotonic() + seconds
                i = 0
                while time.monotonic() < end:
                    if (await http.get(link(SHARED[i % len(SHARED)]))).status_code == 200:
                        done[0] += 1
                    i += 1

        await asyncio.gather(*(hammer() for _ in range(clients)))
    return done[0] / seconds


async def main(args) -> int:
    r = await classroom(args.students, args.seconds, args.workers)
    ms = lambda seconds: f"{1000 * seconds:7.1f} ms"  # noqa: E731
    p99 = {kind: percentile(r[kind], 0.99) for kind in ("shared", "own", "health")}
    checks = {
        "failed after retries": (len(r["failed"]) == 0, f"{len(r['failed'])}", "0"),
        "shared links p99": (p99["shared"] <= 0.2, ms(p99["shared"]), "<= 200 ms"),
        "own sequences p99": (p99["own"] <= 2.0, ms(p99["own"]), "<= 2 s"),
        "health p99": (p99["health"] <= 0.05 and not r["health_failures"], ms(p99["health"]), "<= 50 ms"),
    }
    print(f"classroom: {args.students} students, {args.seconds:.0f} s, {args.workers} worker processes")
    print(f"  machine: {machine()}")
    for kind, title in (("shared", "shared links"), ("own", "own sequences"), ("health", "health")):
        print(f"  {title:<14} n={len(r[kind]):5d}   p50 {ms(statistics.median(r[kind]))}   p99 {ms(p99[kind])}")
    print(f"  503s retried: {r['retried']}; failed after retries: {len(r['failed'])} {r['failed'][:5]}")
    for name, (ok, value, goal) in checks.items():
        print(f"  {'ok  ' if ok else 'MISS'} {name:<22} {value:>12}   goal {goal}")
    rates = {workers: await throughput(workers, args.throughput_seconds) for workers in (1, 2)}
    print(f"  shared links as fast as 32 clients ask: {rates[1]:.0f} req/s with 1 worker, {rates[2]:.0f} with 2")
    return 0 if all(ok for ok, _, _ in checks.values()) else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--throughput-seconds", type=float, default=10.0)
    sys.exit(asyncio.run(main(parser.parse_args())))
