"""The engine's shape: no import cycles, private names kept private, files of a size.

Every import in ``symbound/`` counts, at module level or inside a function: a lazy
import is still a dependency a reader has to follow.
"""

from __future__ import annotations

import ast
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ENGINE = ROOT / "symbound"

#: The longest a file of code may be.
MOST_LINES = 500
#: Files over the limit that are to be split (each must still be over it: when one is
#: split, its line here goes too).
TO_SPLIT: set[str] = set()


def _modules(folder: Path = ENGINE) -> dict[str, Path]:
    """Every module of the package in ``folder``, by dotted name (packages by their own)."""
    out = {}
    for path in folder.rglob("*.py"):
        parts = path.relative_to(folder.parent).with_suffix("").parts
        out[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return out


def _imports(modules: dict[str, Path]):
    """(importer, imported module, imported name or None, line) for every import."""
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    yield name, alias.name, None, node.lineno
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*anchor, base] if base else anchor)
                for alias in node.names:
                    yield name, base, alias.name, node.lineno


def _target(modules: dict[str, Path], module: str, name: str | None) -> str | None:
    """The module of this project an import reaches (a submodule if ``name`` is one;
    None for a compiled extension, which imports nothing of ours)."""
    if name is not None and f"{module}.{name}" in modules:
        return f"{module}.{name}"
    init = modules.get(module)
    package = init is not None and init.name == "__init__.py"
    if name is not None and package and (init.parent / f"{name}.c").is_file():
        return None
    return module if module in modules else None


def _graph(modules: dict[str, Path]) -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for importer, module, name, _ in _imports(modules):
        target = _target(modules, module, name)
        if target is not None and target != importer:
            graph[importer].add(target)
    return graph


def _private_uses(modules: dict[str, Path]) -> list[str]:
    """Imports of a private name (``_x``, module or attribute) from outside the package
    that owns it."""
    found = []
    for importer, module, name, line in _imports(modules):
        dotted = module.split(".") + ([name] if name else [])
        for i, part in enumerate(dotted):
            if part.startswith("_") and not part.startswith("__"):
                owner = ".".join(dotted[:i])  # the private name belongs to this module
                if owner in modules and modules[owner].name != "__init__.py":
                    owner = owner.rpartition(".")[0]  # ... and so to its package
                if not (importer == owner or importer.startswith(owner + ".")):
                    found.append(f"{importer}:{line} imports {'.'.join(dotted)}")
                break
    return found


def test_the_import_graph_has_no_cycle():
    try:
        order = list(TopologicalSorter(_graph(_modules())).static_order())
    except CycleError as exc:
        pytest.fail(f"import cycle: {' -> '.join(exc.args[1])}")
    assert "symbound.cli.app" in order


def test_the_cycle_check_sees_lazy_imports(tmp_path):
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "a.py").write_text("from pkg.b import f\n")
    (pkg / "b.py").write_text("def f():\n    from pkg import a\n")
    with pytest.raises(CycleError):
        list(TopologicalSorter(_graph(_modules(pkg))).static_order())


def test_private_names_stay_inside_their_package(tmp_path):
    assert _private_uses(_modules()) == []
    pkg = tmp_path / "pkg"
    (pkg / "inner").mkdir(parents=True)
    for init in (pkg / "__init__.py", pkg / "inner" / "__init__.py"):
        init.write_text("")
    (pkg / "_kernel.py").write_text("x = 1\n")
    (pkg / "inner" / "tools.py").write_text("_helper = 1\nfrom pkg._kernel import x\n")
    (pkg / "user.py").write_text("from pkg.inner.tools import _helper\n")
    assert _private_uses(_modules(pkg)) == ["pkg.user:1 imports pkg.inner.tools._helper"]


def _code_files():
    for folder in ("symbound", "derivations", "tests", "benchmarks"):
        yield from (ROOT / folder).rglob("*.py")


def test_files_of_code_stay_under_the_limit():
    sizes = {
        path.relative_to(ROOT).as_posix(): len(path.read_text().splitlines())
        for path in _code_files()
    }
    over = {path for path, lines in sizes.items() if lines > MOST_LINES}
    assert over - TO_SPLIT == set(), {p: sizes[p] for p in over - TO_SPLIT}
    assert TO_SPLIT - over == set(), "split already: strike these from TO_SPLIT"
