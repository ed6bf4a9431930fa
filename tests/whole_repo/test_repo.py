"""Checks over the whole repository: lint, the wheel's contents, the public API."""

import ast
import dataclasses
import importlib
import inspect
import shutil
import subprocess
import sys
import sysconfig
import textwrap
import zipfile
from pathlib import Path

import pytest

import symbound

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.skipif(shutil.which("ruff") is None, reason="ruff is installed by the test extra")
def test_ruff_lint_and_format_are_clean():
    for args in (["check", "."], ["format", "--check", "."]):
        out = subprocess.run(["ruff", *args], cwd=ROOT, capture_output=True, text=True)
        assert out.returncode == 0, out.stdout + out.stderr


def test_the_wheel_ships_derivations_and_templates(tmp_path):
    out = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(ROOT)],
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stderr
    (wheel,) = tmp_path.glob("symbound-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "symbound/derivations/alman_song_2025.py" in names
    assert "symbound/templates/lemma.tex.j2" in names
    # every module and template of the checkout ships (a package left out of pyproject fails)
    for path in (ROOT / "symbound").rglob("*.py"):
        assert f"symbound/{path.relative_to(ROOT / 'symbound').as_posix()}" in names, path
    for path in (ROOT / "templates").rglob("*.j2"):
        assert f"symbound/templates/{path.relative_to(ROOT / 'templates').as_posix()}" in names
    for path in (ROOT / "derivations").glob("*.py"):
        assert f"symbound/derivations/{path.name}" in names, path


def _arb_headers_compile() -> bool:
    """Whether this machine's C compiler finds Arb's headers (what the build needs)."""
    compiler = (sysconfig.get_config_var("CC") or "cc").split()[0]
    if shutil.which(compiler) is None:
        pytest.skip(f"no C compiler {compiler!r}: the build cannot compile the kernel either")
    out = subprocess.run(
        [compiler, "-fsyntax-only", "-x", "c", "-"],
        input="#include <flint/flint.h>\n#include <arb.h>\n",
        capture_output=True,
        text=True,
    )
    return out.returncode == 0


def test_the_kernel_was_built_where_arb_is_installed():
    """The build skips the compiled Arb head silently without Arb's headers; where they
    compile, it must have been built (and import)."""
    from symbound.numeric.backends import arb

    if _arb_headers_compile():
        assert arb.COMPILED is not None, "Arb's headers are here but the kernel is not built"


def _documented(obj) -> bool:
    """Whether ``obj`` has a docstring of its own in its source (not one a decorator or
    ``dataclass`` generated, nor one inherited)."""
    obj = inspect.unwrap(obj)
    if inspect.ismodule(obj):
        return bool(ast.get_docstring(ast.parse(inspect.getsource(obj))))
    lines, _ = inspect.getsourcelines(obj)
    return bool(ast.get_docstring(ast.parse(textwrap.dedent("".join(lines))).body[0]))


#: The public faces whose every export must be documented.
FACES = ("symbound", "symbound.check", "symbound.cli", "symbound.lemmas", "symbound.numeric")


@pytest.mark.parametrize("face", FACES)
def test_every_exported_name_is_documented(face):
    module = importlib.import_module(face)
    for name in module.__all__:
        obj = getattr(module, name)
        if inspect.isclass(obj) or inspect.isroutine(obj) or inspect.ismodule(obj):
            assert _documented(obj), f"{face}.{name} has no docstring"


@dataclasses.dataclass
class _Bare:
    x: int


def test_a_dataclass_without_a_docstring_is_not_documented():
    assert _Bare.__doc__  # dataclass wrote "_Bare(x: int)": the old check passed it
    assert not _documented(_Bare)
    assert _documented(symbound.CheckResult) and _documented(symbound.load_catalogue)
