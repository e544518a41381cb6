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


FACE = sorted([ROOT / "app.py", *(ROOT / "app_pages").glob("*.py"), *(ROOT / "ui").glob("*.py")])


@pytest.mark.parametrize("path", FACE, ids=str)
def test_the_face_builds_no_tensors_or_figures(path):
    assert not {"torch", "plotly"} & set(imported_modules(path))


# Each group of the core may import only the groups below it: data and models know nothing of
# training, training nothing of the runtime, analysis or figures.
BELOW = {
    "datasets": {"datasets", "bounds"},
    "training": {"datasets", "bounds", "models", "training", "units"},  # units: a leaf, as bounds
    "analysis": {"datasets", "bounds", "models", "training", "analysis"},
    "export": {
        "datasets",
        "bounds",
        "models",
        "training",
        "export",
        "checkpoint",
        "live",
        "evaluation",
    },
    "evaluation": {
        "datasets",
        "bounds",
        "models",
        "training",
        "analysis",
        "evaluation",
        "checkpoint",
        "untrusted",  # the checks of what a saved model's file holds
    },
    # a sweep runs trainings (live) and summarises them; figures draw it, never the reverse
    "sweeps": {
        "datasets",
        "bounds",
        "models",
        "training",
        "evaluation",
        "live",
        "sweeps",
    },
}


def core_groups(path):
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("rnn_core."):
            yield node.module.split(".")[1]


@pytest.mark.parametrize("group", sorted(BELOW))
def test_core_groups_import_only_what_lies_below(group):
    upward = {
        (path.name, imported)
        for path in (ROOT / "rnn_core" / group).rglob("*.py")
        for imported in core_groups(path)
        if imported not in BELOW[group]
    }
    assert not upward
