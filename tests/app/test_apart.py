"""The gradient check's process (the app's pools.apart) ends with the server's, however that ends."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# a server process: runs a check, says its APART process's pid, and is killed without any exit hook
KILLED_SERVER = """
import os, signal
from app import service
from app.pools import Pools
from app.schemas import UnfoldRequest
from app.settings import get_settings
if __name__ == "__main__":
    pools = Pools.create(get_settings())
    service.gradcheck(UnfoldRequest(sequence="hello", hidden_size=3), pools)
    print(pools.apart.submit(os.getpid).result(), flush=True)
    os.kill(os.getpid(), signal.SIGKILL)
"""


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the watch is for POSIX parents")
def test_the_gradient_checks_process_ends_when_the_server_is_killed(tmp_path):
    script = tmp_path / "server.py"
    script.write_text(KILLED_SERVER)
    server = subprocess.Popen([sys.executable, str(script)], cwd=ROOT, stdout=subprocess.PIPE, text=True,
                              env={**os.environ, "PYTHONPATH": str(ROOT)})
    apart = int(server.stdout.readline())  # not read to its end: an orphan would hold it open
    server.wait(timeout=60)
    deadline = time.monotonic() + 10
    while alive(apart) and time.monotonic() < deadline:
        time.sleep(0.2)
    if alive(apart):
        os.kill(apart, 9)
        pytest.fail("the check's process outlived the server's")


def _priority() -> int:
    return os.getpriority(os.PRIO_PROCESS, 0)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="a thread's own nice value is Linux's")
def test_each_app_has_its_own_executors_from_its_settings_and_closes_them(tmp_path):
    """Issue 26: the executors were built at import from the environment's settings, so an app
    made with other settings (a test's compute_nice) computed with the first ones, and nothing
    shut them down."""
    from fastapi.testclient import TestClient

    from app.main import create_app
    from app.settings import Settings

    base = _priority()
    app = create_app(Settings(max_concurrent_computations=3, compute_nice=3))
    other = create_app(Settings(compute_nice=0))
    with TestClient(app) as client:
        assert client.post("/api/v1/gradcheck", json={"sequence": "hello", "hidden_size": 2}).status_code == 200
        pools = app.state.pools.get()
        assert pools is not other.state.pools.get()
        assert pools.compute.submit(_priority).result() == base + 3
        assert pools.apart.submit(_priority).result() == base + 3
        assert other.state.pools.get().compute.submit(_priority).result() == base
    with pytest.raises(RuntimeError):  # shut down with the app
        pools.compute.submit(_priority)
    other.state.pools.close()
