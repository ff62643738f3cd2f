"""The README's Python that checks an import against PyTorch runs as written, against a real
server, and prints what the README says it prints."""

import contextlib
import io
import re

from harness import ROOT, running_server


def readme_block(after_heading: str) -> str:
    text = (ROOT / "README.md").read_text()
    section = text[text.index(after_heading):]
    return re.search(r"```python\n(.*?)```", section, re.S).group(1)


def test_the_readmes_pytorch_check_prints_agreement_to_float64():
    code = readme_block("### Your own model")
    assert "http://127.0.0.1:8000" in code
    with running_server() as base:
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            exec(compile(code.replace("http://127.0.0.1:8000", base), "README.md", "exec"), {})
    difference = float(re.search(r"tensor\(([0-9.e+-]+)", printed.getvalue()).group(1))
    assert difference < 1e-14


def test_the_readmes_stack_example_prints_what_it_says():
    """Issue 28: nn.Embedding + a 2-layer bidirectional nn.LSTM + nn.Linear, as the README sends it."""
    code = readme_block("### Real models")
    with running_server() as base:
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            exec(compile(code.replace("http://127.0.0.1:8000", base), "README.md", "exec"), {})
    lines = printed.getvalue().splitlines()
    assert float(re.search(r"tensor\(([0-9.e+-]+)", lines[0]).group(1)) < 1e-14
    assert lines[1] == "[2, 2]"
