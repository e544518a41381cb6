"""The house rules: the core never imports streamlit; pages and UI helpers hold no maths."""

import ast

import pytest

from tests.paths import ROOT


def imported_modules(path):
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield node.module.split(".")[0]


@pytest.mark.parametrize("path", sorted((ROOT / "rnn_core").rglob("*.py")), ids=str)
def test_core_never_imports_streamlit(path):
    assert "streamlit" not in set(imported_modules(path))


FACE = sorted([ROOT / "app.py", *(ROOT / "pages").glob("*.py"), *(ROOT / "ui").glob("*.py")])


@pytest.mark.parametrize("path", FACE, ids=str)
def test_the_face_builds_no_tensors_or_figures(path):
    assert not {"torch", "plotly"} & set(imported_modules(path))
