"""The house rules: the core never imports streamlit; pages and UI helpers hold no maths; the core
groups import only what lies below them and make no circle; `ui/` is wings over a session kernel:
a wing imports the kernel, never another wing, and the kernel never imports a wing; every package
opens with a map that names its modules."""

import ast
import re

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


FACE = sorted([ROOT / "app.py", *(ROOT / "app_pages").glob("*.py"), *(ROOT / "ui").rglob("*.py")])


@pytest.mark.parametrize("path", FACE, ids=str)
def test_the_face_builds_no_tensors_or_figures(path):
    assert not {"torch", "plotly"} & set(imported_modules(path))


# Each group of the core may import only the groups below it: data and models know nothing of
# training, training nothing of the runtime, analysis or figures.
BELOW = {
    "datasets": {"datasets", "bounds"},
    # vocabulary and units: leaves, as bounds
    "training": {"datasets", "bounds", "models", "training", "vocabulary", "units"},
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
        "units",  # the loss's unit in history.csv's headers
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
    # the live phone: the lab's readers and filters below it, and the models it follows
    "phone": {"phone", "datasets", "models", "niceness"},
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


def module_name(path) -> str:
    """rnn_core/training/state.py -> rnn_core.training.state (a package: its __init__)."""
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _only_for_annotations(node) -> bool:
    return isinstance(node, ast.If) and getattr(node.test, "id", "") == "TYPE_CHECKING"


def core_imports(path, modules: set[str], root: str = "rnn_core") -> set[str]:
    """The modules of `root` (rnn_core, ui) that `path` imports, at load or inside a function (a
    circle either way: two modules that need each other are one). `from package import module`
    names the module; a package above `path` is already loading, so it is no edge."""
    found, tree = set(), ast.parse(path.read_text())
    for node in ast.walk(tree):
        if _only_for_annotations(node):
            node.body = []  # `if TYPE_CHECKING:` imports never run
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == root:
            subs = {f"{node.module}.{a.name}" for a in node.names} & modules
            found |= subs or {node.module}
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.split(".")[0] == root}
    me = module_name(path)
    return {m for m in found if not me.startswith(m + ".")}


def assert_no_circle(graph: dict[str, set[str]]) -> None:
    """No module of `graph` (module -> the modules it imports) reaches itself."""
    done, path = set(), []

    def visit(module: str) -> None:
        assert module not in path, " -> ".join([*path[path.index(module) :], module])
        if module in done or module not in graph:
            return
        path.append(module)
        for target in sorted(graph[module]):
            visit(target)
        path.pop()
        done.add(module)

    for module in sorted(graph):
        visit(module)


def test_the_core_has_no_circle_of_imports():
    paths = sorted((ROOT / "rnn_core").rglob("*.py"))
    modules = {module_name(p) for p in paths}
    assert_no_circle({module_name(p): core_imports(p, modules) for p in paths})


UI_FILES = sorted((ROOT / "ui").rglob("*.py"))
UI_MODULES = {module_name(p) for p in UI_FILES}
WINGS = sorted(
    p.parent.name for p in (ROOT / "ui").glob("*/__init__.py") if p.parent.name != "session"
)


def ui_imports(path) -> set[str]:
    """The ui modules `path` imports (at load or in a function), its own package excluded."""
    return {m for m in core_imports(path, UI_MODULES, "ui") if m != "ui"}


@pytest.mark.parametrize("path", sorted((ROOT / "ui" / "session").glob("*.py")), ids=str)
def test_the_kernel_never_imports_a_wing(path):
    assert {m for m in ui_imports(path) if not m.startswith("ui.session")} == set()


@pytest.mark.parametrize("wing", WINGS)
def test_a_wing_imports_the_kernel_and_itself_only(wing):
    outside = {
        (path.name, imported)
        for path in (ROOT / "ui" / wing).glob("*.py")
        for imported in ui_imports(path)
        if not imported.startswith(("ui.session", f"ui.{wing}"))
    }
    assert not outside


def test_ui_is_wings_over_the_kernel_and_the_app():
    """Every module of ui/ is in the kernel or a wing, but the app's assembly (navigation)."""
    loose = {p.name for p in (ROOT / "ui").glob("*.py")} - {"__init__.py", "navigation.py"}
    assert not loose and len(WINGS) >= 7


def test_ui_has_no_circle_of_imports():
    assert_no_circle({module_name(p): ui_imports(p) for p in UI_FILES})


PACKAGES = sorted(
    p.parent for root in ("rnn_core", "ui") for p in (ROOT / root).rglob("__init__.py")
)


@pytest.mark.parametrize("package", PACKAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_each_package_map_names_its_modules(package):
    """A package's docstring is its map: it names each of its modules and subpackages."""
    words = set(
        re.findall(
            r"[a-z_]+",
            ast.get_docstring(ast.parse(package.joinpath("__init__.py").read_text())) or "",
        )
    )
    modules = {p.stem for p in package.glob("*.py")} - {"__init__"}
    modules |= {p.name for p in package.iterdir() if (p / "__init__.py").exists()}
    assert modules <= words, sorted(modules - words)


def test_the_shared_vocabulary_is_one_and_torch_free():
    """The run store and the history read one tuple of columns; the module holding it imports
    nothing, so the Home page and the store read it without torch."""
    from rnn_core.runs import store
    from rnn_core.training import history

    assert store.COLUMNS is history.COLUMNS
    assert not list(imported_modules(ROOT / "rnn_core" / "vocabulary.py"))
