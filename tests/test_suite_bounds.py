"""The suite never waits for ever: a hung CI run lands nothing (issue 25, item 16)."""

import ast
import subprocess
import sys
import textwrap
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_every_test_has_a_time_limit_well_inside_ci():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    options = config["tool"]["pytest"]["ini_options"]
    assert 60 <= int(options["timeout"]) <= 900
    assert int(options["session_timeout"]) < 5400  # CI's own limit
    assert any(dep.startswith("pytest-timeout") for dep in config["project"]["optional-dependencies"]["test"])


def _promise_scripts(tree: ast.AST, constants: dict) -> list[int]:
    """Lines where a page or locator evaluates a script that returns a Promise directly
    (Playwright's evaluate then waits without a bound) instead of through helpers.settled."""
    lines = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr in ("evaluate", "evaluate_all") and node.args):
            continue
        script = node.args[0]
        text = script.value if isinstance(script, ast.Constant) else constants.get(getattr(script, "id", None), "")
        if isinstance(text, str) and ("Promise" in text or "await " in text or text.lstrip().startswith("async")):
            lines.append(node.lineno)
    return lines


def test_no_browser_test_waits_on_a_promise_without_a_bound():
    found = {}
    for path in sorted((ROOT / "tests" / "page").glob("*.py")):
        tree = ast.parse(path.read_text())
        constants = {target.id: node.value.value for node in tree.body if isinstance(node, ast.Assign)
                     and isinstance(node.value, ast.Constant) for target in node.targets if isinstance(target, ast.Name)}
        if lines := _promise_scripts(tree, constants):
            found[path.name] = lines
    assert not found, f"evaluate a Promise through helpers.settled (it has a bound): {found}"


def test_a_test_that_never_ends_fails_with_its_traceback_and_the_next_one_runs(tmp_path):
    """The project's timeout plugin, as configured, turns a wait without end into a failure."""
    (tmp_path / "test_hang.py").write_text(textwrap.dedent("""
        import threading

        def test_waits_for_ever():
            threading.Event().wait()

        def test_after_it():
            assert True
    """))
    (tmp_path / "pytest.ini").write_text("[pytest]\ntimeout = 2\n")
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)],
                          cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1, done.stdout
    assert "Timeout" in done.stdout and "test_waits_for_ever" in done.stdout
    assert "1 failed, 1 passed" in done.stdout
