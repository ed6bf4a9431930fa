"""Output folders are written whole or not at all, with the usual file modes."""

from __future__ import annotations

import os
import stat

import pytest

import symbound.io as sio
from symbound.errors import UsageError
from symbound.io import atomic_write, write_folder


def tree(folder):
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def test_a_failure_while_writing_leaves_the_old_folder_whole(tmp_path, monkeypatch):
    out = tmp_path / "appendix"
    write_folder({"claims.json": "seed 0\n", "main.tex": "seed 0\n", "figures/a.png": b"0"}, out)
    before = tree(out)
    calls = []

    def dies_on_the_second_file(path, content):
        calls.append(path)
        if len(calls) == 2:
            raise KeyboardInterrupt  # as a kill would, in the middle of the write phase
        atomic_write(path, content)

    monkeypatch.setattr(sio, "atomic_write", dies_on_the_second_file)
    with pytest.raises(KeyboardInterrupt):
        write_folder({"claims.json": "seed 1\n", "main.tex": "seed 1\n"}, out)
    assert tree(out) == before  # the old appendix, not a mixture of two seeds
    assert sorted(p.name for p in tmp_path.iterdir()) == ["appendix"]  # no temporaries left


def test_leftovers_of_a_killed_run_are_cleaned_by_the_next(tmp_path):
    out = tmp_path / "appendix"
    write_folder({"main.tex": "a\n"}, out)
    (tmp_path / ".appendix.new-abc123").mkdir()  # what SIGKILL leaves behind
    (tmp_path / ".appendix.new-abc123" / "claims.json").write_text("half")
    (out / ".claims.tex.xyz.tmp").write_text("half")
    write_folder({"main.tex": "b\n"}, out)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["appendix"]
    assert tree(out) == {".symbound-output": tree(out)[".symbound-output"], "main.tex": b"b\n"}


def test_the_new_folder_replaces_the_old_one_whole(tmp_path):
    out = tmp_path / "appendix"
    write_folder({"main.tex": "1\n", "old-regime.tex": "1\n"}, out)
    write_folder({"main.tex": "2\n"}, out)
    assert set(tree(out)) == {".symbound-output", "main.tex"}


def test_a_folder_with_foreign_files_is_never_replaced(tmp_path):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    with pytest.raises(UsageError, match="did not write"):
        write_folder({"main.tex": "x"}, out)
    assert (out / "notes.txt").read_text() == "mine"


def test_an_appendix_written_before_the_marker_may_be_replaced(tmp_path):
    out = tmp_path / "appendix"
    out.mkdir()
    for name in ("main.tex", "claims.json", "as25.regime.tex"):
        (out / name).write_text("old")
    write_folder({"main.tex": "new"}, out, signature=("main.tex", "claims.json"))
    assert tree(out)["main.tex"] == b"new"


def test_written_files_get_the_usual_mode(tmp_path):
    old = os.umask(0o022)
    try:
        write_folder({"a.txt": "x", "sub/b.txt": "y"}, tmp_path / "out")
        atomic_write(tmp_path / "c.txt", "z")
    finally:
        os.umask(old)
    for path in (
        tmp_path / "out" / "a.txt",
        tmp_path / "out" / "sub" / "b.txt",
        tmp_path / "c.txt",
    ):
        assert stat.S_IMODE(path.stat().st_mode) == 0o644
    for folder in (tmp_path / "out", tmp_path / "out" / "sub"):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o755
