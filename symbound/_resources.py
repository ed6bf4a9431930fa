"""Where the shipped data lives: the derivations package and the templates folder.

Installed (editable or not), they are the packages ``symbound.derivations`` and
``symbound.templates``.  Run from a bare checkout (``PYTHONPATH=.``, no install),
they are the top-level ``derivations/`` and ``templates/`` folders beside
``symbound/``; this module finds them there too.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

__all__ = ["derivations_package", "templates_dir"]

_ROOT = Path(__file__).resolve().parent.parent


def _import_or_checkout(name: str, folder: str) -> ModuleType:
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name != name:
            raise
        init = _ROOT / folder / "__init__.py"
        if not init.is_file():
            raise
        spec = importlib.util.spec_from_file_location(
            name, init, submodule_search_locations=[str(init.parent)]
        )
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
        return module


def derivations_package() -> ModuleType:
    """The package holding the paper modules."""
    return _import_or_checkout("symbound.derivations", "derivations")


def templates_dir() -> Path:
    """The folder holding the Jinja templates."""
    module = _import_or_checkout("symbound.templates", "templates")
    return Path(next(iter(module.__path__)))
