"""The catalogue: every lemma of every module in ``derivations/``, by key.

Nothing is registered at import time.  :func:`load_catalogue` imports the modules
of the derivations package (shipped as ``symbound.derivations``; in a checkout it
is the top-level ``derivations/`` folder), collects each module's ``LEMMAS`` tuple
and refuses duplicate keys.  A second paper is a new module there.

>>> cat = load_catalogue()
>>> cat["as25.lemma4.1"].form.value
'as stated'
>>> cat["as25.lema4.1"]
Traceback (most recent call last):
  ...
symbound.errors.UnknownLemmaError: no lemma 'as25.lema4.1'; did you mean 'as25.lemma4.1', ...
"""

from __future__ import annotations

import difflib
import functools
import importlib
import pkgutil
from collections.abc import Iterator, Mapping
from types import MappingProxyType
from typing import Any

from symbound._resources import derivations_package
from symbound.errors import InvalidLemmaError, UnknownLemmaError
from symbound.lemmas.experiment import Experiment, Remark
from symbound.lemmas.model import Lemma

__all__ = ["DERIVATIONS_PACKAGE", "Catalogue", "load_catalogue"]

#: The package whose modules hold the paper content.
DERIVATIONS_PACKAGE = "symbound.derivations"


class Catalogue(Mapping[str, Lemma]):
    """An immutable mapping from keys to lemmas, in the order the sources list them.

    ``experiments`` maps keys to the sources' reproducible experiments, ``remarks`` to
    statements recorded but not checkable by evaluation.
    """

    def __init__(
        self,
        lemmas: tuple[Lemma, ...],
        sources: Mapping[str, str],
        experiments: tuple[Experiment, ...] = (),
        remarks: tuple[Remark, ...] = (),
        composed: tuple[Any, ...] = (),
        appendices: Mapping[str, Any] | None = None,
        scalars: tuple[Any, ...] = (),
    ):
        by_key: dict[str, Lemma] = {}
        for lemma in lemmas:
            if lemma.key in by_key:
                raise InvalidLemmaError(
                    f"duplicate lemma key {lemma.key!r} (in {sources[lemma.key]})"
                )
            by_key[lemma.key] = lemma
        for lemma in lemmas:
            if lemma.corrects and lemma.corrects not in by_key:
                raise InvalidLemmaError(
                    f"lemma {lemma.key!r} corrects {lemma.corrects!r}, "
                    "which is not in the catalogue"
                )
        self._lemmas = MappingProxyType(by_key)
        self.sources = MappingProxyType(dict(sources))
        found: dict[str, Experiment] = {}
        for exp in experiments:
            if exp.key in found or exp.key in by_key:
                raise InvalidLemmaError(f"duplicate key {exp.key!r} (an experiment)")
            found[exp.key] = exp
        self.experiments = MappingProxyType(found)
        self.remarks = MappingProxyType({r.key: r for r in remarks})
        #: composed bounds (symbound.compose.ComposedBound) by key
        self.composed = MappingProxyType({c.key: c for c in composed})
        #: scalar claims (symbound.prove.ScalarClaim) the prover can settle, by key
        taken = set(by_key) | set(found)
        for claim in scalars:
            if claim.key in taken:
                raise InvalidLemmaError(f"duplicate key {claim.key!r} (a scalar claim)")
            taken.add(claim.key)
        self.scalars = MappingProxyType({c.key: c for c in scalars})
        #: appendix specifications by the module that declares them
        self.appendices = MappingProxyType(dict(appendices or {}))

    def __getitem__(self, key: str) -> Lemma:
        try:
            return self._lemmas[key]
        except KeyError:
            known = [*self._lemmas, *self.experiments]
            close = difflib.get_close_matches(key, known, n=3, cutoff=0.5)
            names = [repr(c) for c in close]
            if len(names) > 1:
                names = [", ".join(names[:-1]) + " or " + names[-1]]
            hint = f"; did you mean {names[0]}?" if names else ""
            raise UnknownLemmaError(
                f"no lemma {key!r}{hint} ('symbound list' shows all keys)"
            ) from None

    def __contains__(self, key: object) -> bool:  # Mapping's version expects a KeyError
        return key in self._lemmas

    def get(self, key: str, default: Any = None) -> Lemma | Any:
        return self._lemmas.get(key, default)

    def __iter__(self) -> Iterator[str]:
        return iter(self._lemmas)

    def __len__(self) -> int:
        return len(self._lemmas)

    def source_of(self, key: str) -> str:
        """The derivation module a lemma or experiment comes from."""
        return self.sources[key]

    def corrections_of(self, key: str) -> tuple[Lemma, ...]:
        """The lemmas that correct ``key``."""
        return tuple(lemma for lemma in self._lemmas.values() if lemma.corrects == key)


@functools.lru_cache(maxsize=4)
def load_catalogue(package: str = DERIVATIONS_PACKAGE) -> Catalogue:
    """Import every module of ``package`` and collect their ``LEMMAS``."""
    pkg = (
        derivations_package()
        if package == DERIVATIONS_PACKAGE
        else importlib.import_module(package)
    )
    lemmas: list[Lemma] = []
    experiments: list[Experiment] = []
    remarks: list[Remark] = []
    composed: list[Any] = []
    scalars: list[Any] = []
    appendices: dict[str, Any] = {}
    sources: dict[str, str] = {}
    for info in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{package}.{info.name}")
        for exp in getattr(module, "EXPERIMENTS", ()):
            if not isinstance(exp, Experiment):
                raise InvalidLemmaError(f"{module.__name__}.EXPERIMENTS holds {type(exp).__name__}")
            experiments.append(exp)
            sources.setdefault(exp.key, module.__name__)
        for remark in getattr(module, "REMARKS", ()):
            remarks.append(remark)
            sources.setdefault(remark.key, module.__name__)
        for bound in getattr(module, "COMPOSED", ()):
            composed.append(bound)
            sources.setdefault(bound.key, module.__name__)
        for claim in getattr(module, "SCALAR_CLAIMS", ()):
            scalars.append(claim)
            sources.setdefault(claim.key, module.__name__)
        if getattr(module, "APPENDIX", None) is not None:
            appendices[module.__name__] = module.APPENDIX
        found = getattr(module, "LEMMAS", None)
        if found is None:
            continue
        for lemma in found:
            if not isinstance(lemma, Lemma):
                raise InvalidLemmaError(f"{module.__name__}.LEMMAS holds {type(lemma).__name__}")
            lemmas.append(lemma)
            sources.setdefault(lemma.key, module.__name__)
    return Catalogue(
        tuple(lemmas),
        sources,
        tuple(experiments),
        tuple(remarks),
        tuple(composed),
        appendices,
        tuple(scalars),
    )
