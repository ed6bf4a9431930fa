"""Checks over the whole repository: lint, the wheel's contents, the public API."""

import shutil
import subprocess
import sys
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


def test_every_exported_name_is_documented():
    for name in symbound.__all__:
        obj = getattr(symbound, name)
        assert getattr(obj, "__doc__", None), f"symbound.{name} has no docstring"
