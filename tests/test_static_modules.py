"""The page's JavaScript stays in small modules, the generic building blocks apart from the
domain views (issue 10), and every import names something its module exports."""

import re
from pathlib import Path

import pytest

JS = Path(__file__).resolve().parents[1] / "static" / "js"
MODULES = sorted(JS.rglob("*.js"))
MAX_LINES = 300  # STYLE.md: a JS module under ~300 lines

IMPORT = re.compile(r"^import\s+(?:\{([^}]*)\}|\*\s+as\s+\w+)\s+from\s+'([^']+)';", re.M)
EXPORT = re.compile(r"^export\s+(?:async\s+)?(?:function\*?|const|let|class)\s+(\w+)", re.M)
EXPORT_LIST = re.compile(r"^export\s+\{([^}]*)\}", re.M)


def imports(path: Path) -> list[tuple[Path, list[str]]]:
    found = []
    for names, target in IMPORT.findall(path.read_text()):
        wanted = [n.split(" as ")[0].strip() for n in names.split(",") if n.strip()]
        found.append(((path.parent / target).resolve(), wanted))
    return found


def exports(path: Path) -> set[str]:
    text = path.read_text()
    listed = {n.split(" as ")[-1].strip() for group in EXPORT_LIST.findall(text) for n in group.split(",")}
    return set(EXPORT.findall(text)) | listed


def test_there_are_modules_to_check():
    assert len(MODULES) > 30
    assert (JS / "main.js") in MODULES


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(JS)))
def test_a_module_stays_small(path):
    lines = len(path.read_text().splitlines())
    assert lines <= MAX_LINES, f"{path.relative_to(JS)} has {lines} lines (the guide is {MAX_LINES})"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(JS)))
def test_every_import_names_an_export(path):
    for target, names in imports(path):
        assert target.exists(), f"{path.relative_to(JS)} imports {target.name}, which does not exist"
        missing = set(names) - exports(target)
        assert not missing, f"{path.relative_to(JS)} imports {sorted(missing)} from {target.name}, which does not export them"


@pytest.mark.parametrize("path", sorted((JS / "blocks").glob("*.js")), ids=lambda p: p.name)
def test_a_building_block_knows_nothing_of_the_domain(path):
    # generic pieces import each other and the visual constants, never a view, the model or the page
    allowed = {JS / "config.js"} | set((JS / "blocks").glob("*.js"))
    for target, _ in imports(path):
        assert target in allowed, f"blocks/{path.name} imports {target.relative_to(JS)}"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(JS)))
def test_every_imported_name_is_used(path):
    text = path.read_text()
    body = IMPORT.sub("", text)
    for match in IMPORT.finditer(text):
        names = [n.split(" as ")[-1].strip() for n in (match.group(1) or "").split(",") if n.strip()]
        if match.group(1) is None:  # import * as name
            names = [re.search(r"\*\s+as\s+(\w+)", match.group(0)).group(1)]
        # used: the name on its own or spread (...name), not a property of something else (x.name)
        unused = [n for n in names if not re.search(rf"(?:^|[^\w$.]|\.\.\.){re.escape(n)}(?![\w$])", body, re.M)]
        assert not unused, f"{path.relative_to(JS)} imports {unused} and does not use them"


def test_the_modules_live_in_folders_that_name_their_roles():
    """Issue 26: twenty loose modules hid the page's architecture; a few stay at the top (the
    entry, the runner, the schedule, the visual constants), the rest in folders by role."""
    loose = sorted(p.name for p in JS.glob("*.js"))
    assert len(loose) <= 10, loose
    roles = {p.name for p in JS.iterdir() if p.is_dir()}
    assert {"blocks", "views", "state", "io", "controls", "lesson", "race"} <= roles
