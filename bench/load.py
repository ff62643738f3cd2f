"""Load test: many concurrent clients against a real uvicorn on loopback, then a report.

Starts the server itself on a free 127.0.0.1 port, sends a mix of small and large /unfold
requests from --clients concurrent clients for at most --seconds (and --max-requests), polls
/api/v1/health throughout, stops the server and prints throughput, latency percentiles, the
errors (any 5xx but the 503 of a full server, any transport failure) and health latency.
"""

import argparse
import asyncio
import multiprocessing
import random
import ssl
import statistics
import sys
import time

import httpx

from harness import running_server

SMALL = {"sequence": "hello world", "hidden_size": 8}
LARGE = {"sequence": ("the quick brown fox jumps over the lazy dog. " * 12)[:513], "hidden_size": 64}


# One TLS context for every client. The loopback is plain HTTP, but httpx builds a context per
# client unless given one: ~50 ms of CPU each, which for the classroom's 200 students stalled the
# load's own event loop for seconds at the start, and that stall was counted as server latency.
TLS = ssl.create_default_context()


def http_client(base: str, timeout: float = 30) -> httpx.AsyncClient:
    """One simulated browser: a connection pool of its own, sharing the TLS context."""
    return httpx.AsyncClient(base_url=base, timeout=timeout, verify=TLS)


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


async def client(base: str, deadline: float, budget: list[int], large_share: float, results: dict) -> None:
    async with http_client(base) as http:
        while time.monotonic() < deadline and budget[0] > 0:
            budget[0] -= 1
            kind = "large" if random.random() < large_share else "small"
            start = time.perf_counter()
            try:
                response = await http.post("/api/v1/unfold", json=LARGE if kind == "large" else SMALL)
                status = response.status_code
            except httpx.HTTPError as error:
                status = type(error).__name__
            elapsed = time.perf_counter() - start
            if status == 200:
                results[kind].append(elapsed)
            elif status == 503:
                results["shed"] += 1
                await asyncio.sleep(random.uniform(0.1, 0.3))  # back off, as Retry-After asks
            else:
                results["errors"].append(status)


def health(base: str, seconds: float, queue) -> None:
    """In a process of its own, so that the load clients' work does not delay the probe."""
    latencies, failures = [], 0
    deadline = time.monotonic() + seconds
    with httpx.Client(base_url=base, timeout=5) as http:
        while time.monotonic() < deadline:
            start = time.perf_counter()
            try:
                ok = http.get("/api/v1/health").status_code == 200
            except httpx.HTTPError:
                ok = False
            latencies.append(time.perf_counter() - start)
            failures += not ok
            time.sleep(0.1)
    queue.put((latencies, failures))


async def main(args) -> int:
    with running_server(log_level="error") as base:
        results = {"small": [], "large": [], "shed": 0, "errors": []}
        budget = [args.max_requests]
        queue = multiprocessing.Queue()
        probe = multiprocessing.Process(target=health, args=(base, args.seconds, queue))
        probe.start()
        started = time.monotonic()
        deadline = started + args.seconds
        await asyncio.gather(*(client(base, deadline, budget, args.large_share, results) for _ in range(args.clients)))
        wall = time.monotonic() - started
        health_latency, health_failures = queue.get(timeout=30)
        probe.join(timeout=10)

    done = len(results["small"]) + len(results["large"])
    ms = lambda seconds: f"{1000 * seconds:7.1f} ms"  # noqa: E731
    print(f"load: {args.clients} clients, {wall:.1f} s, {args.large_share:.0%} large (T=512, H=64) requests")
    print(f"  answered      {done} ({done / wall:.1f}/s), shed with 503: {results['shed']}, "
          f"errors: {len(results['errors'])}")
    for kind in ("small", "large"):
        xs = results[kind]
        if xs:
            print(f"  {kind:<6} p50 {ms(statistics.median(xs))}   p99 {ms(percentile(xs, 0.99))}   n={len(xs)}")
    print(f"  health p50 {ms(statistics.median(health_latency))}   p99 {ms(percentile(health_latency, 0.99))}"
          f"   max {ms(max(health_latency))}   failures {health_failures}")
    ok = not results["errors"] and not health_failures and percentile(health_latency, 0.99) < 0.1
    print("  verdict: " + ("zero errors, health under 100 ms at p99" if ok else f"FAILED {results['errors'][:5]}"))
    return 0 if ok else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--max-requests", type=int, default=20_000)
    parser.add_argument("--large-share", type=float, default=0.2)
    sys.exit(asyncio.run(main(parser.parse_args())))
