r"""Writing output without ever leaving it half-written.

- :func:`atomic_write` writes one file through a temporary sibling and
  :func:`os.replace`: a reader sees the old file or the new one.
- :func:`write_folder` writes a whole output folder (the appendix, the experiments)
  the same way: every file goes into a temporary sibling folder, which is then
  exchanged with the old folder in one ``renameat2(RENAME_EXCHANGE)`` call (Linux),
  so a reader sees the old folder or the new one, never a mixture of two runs.
  Where the exchange is not available, two renames leave the old folder in a
  ``.NAME.old-*`` sibling for the moment between them.  Leftovers of a killed run
  (``.NAME.new-*``, ``.NAME.old-*``, ``.FILE.*.tmp``) are removed by the next one.
- :func:`check_output_file` and :func:`check_output_folder` refuse, in one line and
  before any computing, a target that cannot be written (a directory where a file
  is asked for, a read-only place, a folder holding files symbound did not write).

Written files get the usual mode (``0666`` less the umask, ``0644`` under umask
``022``), not the ``0600`` of :func:`tempfile.mkstemp`.

>>> import tempfile, pathlib
>>> root = pathlib.Path(tempfile.mkdtemp())
>>> write_folder({"a.txt": "1\n", "sub/b.txt": b"2"}, root / "out")
[PosixPath('.../out/a.txt'), PosixPath('.../out/sub/b.txt')]
>>> write_folder({"a.txt": "3\n"}, root / "out")  # replaces the whole folder
[PosixPath('.../out/a.txt')]
>>> sorted(p.name for p in (root / "out").rglob("*")), sorted(p.name for p in root.iterdir())
(['.symbound-output', 'a.txt'], ['out'])
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import shutil
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path

from symbound.errors import UsageError

__all__ = [
    "atomic_write",
    "check_output_file",
    "check_output_folder",
    "write_files",
    "write_folder",
]

#: Names LaTeX leaves beside the files symbound writes (``--pdf``); an output folder
#: holding only these and symbound's own files may be replaced.
LATEX_BYPRODUCTS = (".aux", ".log", ".out", ".pdf", ".toc", ".fls", ".fdb_latexmk", ".synctex.gz")
#: Marks a folder symbound wrote, so that it may be replaced by the next run.
MANIFEST = ".symbound-output"


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _file_mode() -> int:
    return 0o666 & ~_umask()


def _dir_mode() -> int:
    return 0o777 & ~_umask()


def atomic_write(path: Path | str, content: str | bytes) -> None:
    """Write ``content`` to ``path`` through a temporary sibling (text as UTF-8, ``\\n``)."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, _file_mode())
        if isinstance(content, bytes):
            handle = os.fdopen(fd, "wb")
        else:
            handle = os.fdopen(fd, "w", encoding="utf-8", newline="\n")
        with handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def _nearest_existing(path: Path) -> Path:
    path = path.absolute()
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def _writable_dir(path: Path, what: str) -> None:
    """The nearest existing ancestor of ``path`` is a folder a file can be created in
    (tried, not guessed from permission bits: root ignores them, read-only mounts do not)."""
    base = _nearest_existing(path)
    if not base.is_dir():
        raise UsageError(f"{what}: {base} is a file, not a folder; choose another path")
    try:
        fd, probe = tempfile.mkstemp(prefix=".symbound-probe.", dir=base)
    except OSError as exc:
        raise UsageError(
            f"{what}: cannot write in {base} ({exc.strerror or exc}); choose another path"
        ) from None
    os.close(fd)
    os.unlink(probe)


def check_output_file(path: Path | str, what: str = "--cert") -> Path:
    """Refuse, in one line, a file target that cannot be written: a directory, a
    read-only file or folder.  Returns the path.  Nothing is created."""
    path = Path(path)
    if path.is_dir():
        raise UsageError(f"{what}: {path} is a folder; give a file name (e.g. {path}/proof.json)")
    _writable_dir(path.parent, what)  # the file is replaced, so its folder decides
    return path


def _ours(entry: Path, expected: set[str]) -> bool:
    name = entry.name
    return (
        name in expected
        or name == MANIFEST
        or name.endswith(LATEX_BYPRODUCTS)
        or (name.startswith(".") and name.endswith(".tmp"))
    )


def check_output_folder(
    path: Path | str,
    known: Iterable[str] = (),
    *,
    signature: Iterable[str] = (),
    what: str = "--out",
) -> Path:
    """Refuse, in one line, an output folder that cannot be (re)written: an existing
    file, a place where nothing can be created, or a folder holding files symbound did
    not write (replacing the folder would delete them).

    A folder may be replaced when it carries symbound's marker (written since the
    marker exists), holds every file of ``signature`` (an output written before it,
    e.g. ``main.tex`` and ``claims.json`` for an appendix), or holds nothing but
    ``known`` names, LaTeX's byproducts and temporaries.  Returns the path; nothing is
    created.
    """
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise UsageError(f"{what}: {path} is a file, not a folder; choose another path")
    _writable_dir(path.parent, what)  # the folder is replaced, so its parent decides
    signature = tuple(signature)
    if (
        path.is_dir()
        and not (path / MANIFEST).exists()
        and not (signature and all((path / name).exists() for name in signature))
    ):
        names = set(known)
        foreign = sorted(e.name for e in path.iterdir() if not _ours(e, names))
        if foreign:
            shown = ", ".join(foreign[:3]) + (", ..." if len(foreign) > 3 else "")
            raise UsageError(
                f"{what}: {path} holds files symbound did not write ({shown}); "
                "the folder is replaced as a whole, so choose a new or empty folder"
            )
    return path


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically (Linux renameat2 with RENAME_EXCHANGE); False if the
    system cannot."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p]
    renameat2.argtypes += [ctypes.c_uint]
    rc = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange)
    return rc == 0


def _clean_leftovers(path: Path) -> None:
    parent = path.parent if path.parent != Path("") else Path(".")
    for stale in parent.glob(f".{path.name}.new-*"):
        shutil.rmtree(stale, ignore_errors=True)
    for stale in parent.glob(f".{path.name}.old-*"):
        shutil.rmtree(stale, ignore_errors=True)
    if path.is_dir():
        for stale in path.rglob(".*.tmp"):
            with contextlib.suppress(OSError):
                stale.unlink()


def write_files(files: Mapping[str, str | bytes], out: Path | str) -> list[Path]:
    """Write files (relative path -> content) into the folder ``out``, each atomically,
    beside whatever else the folder holds (the audit's two files); their paths."""
    out = Path(out)
    _writable_dir(out, "--out")
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, content in sorted(files.items()):
        path = out / name
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, content)
        written.append(path)
    return written


def write_folder(
    files: Mapping[str, str | bytes], out: Path | str, *, signature: Iterable[str] = ()
) -> list[Path]:
    """Write ``files`` (relative path -> content) as the whole folder ``out``, replacing
    any previous one in one step (see the module notes; ``signature`` as in
    :func:`check_output_folder`).  Returns the files' paths."""
    out = Path(out)
    check_output_folder(out, {Path(name).parts[0] for name in files}, signature=signature)
    out.parent.mkdir(parents=True, exist_ok=True)
    _clean_leftovers(out)
    new = Path(tempfile.mkdtemp(prefix=f".{out.name}.new-", dir=out.parent))
    try:
        os.chmod(new, _dir_mode())  # mkdtemp's 0700 would hide the folder from others
        for name, content in sorted(files.items()):
            path = new / name
            for parent in reversed(path.relative_to(new).parents[:-1]):
                (new / parent).mkdir(mode=_dir_mode(), exist_ok=True)
            atomic_write(path, content)
        atomic_write(new / MANIFEST, "written by symbound; the folder is replaced as a whole\n")
        if not out.exists():
            os.rename(new, out)
        elif _exchange(new, out):
            shutil.rmtree(new)  # now the old folder
        else:
            old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
            os.rename(out, old / "x")
            os.rename(new, out)
            shutil.rmtree(old)
    except BaseException:
        shutil.rmtree(new, ignore_errors=True)
        raise
    return [out / name for name in sorted(files)]
