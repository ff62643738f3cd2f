"""The gradient check's process (app.service.APART) ends with the server's, however that ends."""

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
from app.schemas import UnfoldRequest
if __name__ == "__main__":
    service.gradcheck(UnfoldRequest(sequence="hello", hidden_size=3))
    print(service.APART.submit(os.getpid).result(), flush=True)
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
