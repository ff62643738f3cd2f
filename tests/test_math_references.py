"""Every 'MATH.md, "…"' in the code names a heading of docs/MATH.md (issue 26): a reader who
follows a citation finds the section. A citation may give a heading's title whole, or the part
before its first ':' or ',' ("Error flows" for "Error flows: splitting each error by its source")."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
HEADING = re.compile(r"^##+\s+(?:\d+\.\s+)?(.+?)\s*$", re.M)
CITATION = re.compile(r'MATH\.md,\s*((?:"[^"]+"(?:,\s*|\s+and\s+)?)+)')
SOURCES = sorted([*ROOT.glob("core/**/*.py"), *ROOT.glob("app/*.py"), *ROOT.glob("static/js/**/*.js")])


def titles() -> set[str]:
    found = set()
    for title in HEADING.findall((ROOT / "docs" / "MATH.md").read_text()):
        found.add(title)
        found.add(re.split(r"[:,]", title, maxsplit=1)[0].strip())
    return found


def citations(path: Path) -> list[str]:
    text = re.sub(r"\s*\n\s*(?:#\s*)?", " ", path.read_text())  # a citation may run over a line break
    return [name for group in CITATION.findall(text) for name in re.findall(r'"([^"]+)"', group)]


def test_there_are_citations_to_check():
    assert sum(len(citations(path)) for path in SOURCES) >= 10


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_citation_names_a_heading_of_docs_math(path):
    unknown = [name for name in citations(path) if name not in titles()]
    assert not unknown, f"{path.relative_to(ROOT)} cites {unknown}, which docs/MATH.md has no heading for"
