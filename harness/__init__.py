"""A real server on loopback and the system Chromium, shared by the browser tests, the load
run and the benchmarks (none of them ships with the app)."""

import contextlib
import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
# Chromium as this machine runs it: headless, no sandbox (root), and no background traffic to
# a network that is closed anyway.
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ServerDidNotStart(RuntimeError):
    pass


@contextlib.contextmanager
def running_server(log_level: str = "warning", wait_seconds: float = 15.0, workers: int = 1) -> Iterator[str]:
    """uvicorn serving app.main:app (with ``workers`` processes) on a free 127.0.0.1 port;
    yields its base URL once healthy."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "app.main:app", "--host", "127.0.0.1", "--port", str(port),
         "--log-level", log_level, "--workers", str(workers), "--timeout-keep-alive", "30"],
        cwd=ROOT,
    )
    try:
        deadline = time.monotonic() + wait_seconds
        while True:
            try:
                if httpx.get(f"{base}/api/v1/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise ServerDidNotStart(f"uvicorn on port {port} did not answer /api/v1/health")
            time.sleep(0.1)
        yield base
    finally:
        # as Ctrl+C would: uvicorn then exits through Python's own exit, which also shuts the
        # gradient check's process down (after a SIGTERM it re-raises the signal, and that
        # process's resource tracker warns of leaked semaphores)
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def chromium_path() -> str | None:
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return None


def machine() -> str:
    """The machine a benchmark ran on, for its report: CPU model, cores, Python and NumPy."""
    import numpy as np

    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, NumPy {np.__version__}"
