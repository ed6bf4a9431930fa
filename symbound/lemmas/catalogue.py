"""The catalogue: every entry of every module in ``derivations/``, by key, with its kind.

Nothing is registered at import time.  :func:`load_catalogue` imports the modules
of the derivations package (shipped as ``symbound.derivations``; in a checkout it
is the top-level ``derivations/`` folder) and collects what each declares: claims
(``LEMMAS``), composed bounds (``COMPOSED``), scalar claims (``SCALAR_CLAIMS``),
experiments (``EXPERIMENTS``), remarks (``REMARKS``) and an ``APPENDIX``.  A second
paper is a new module there.

Every entry has one :class:`Kind`, and the kinds share one key space: a key names
one entry, and a lookup that finds an entry of another kind says so, with keys of
the kind asked for.  The catalogue itself is the mapping of its claims; each kind
is a :class:`Section` (``cat.claims``, ``cat.composed``, ``cat.scalars``,
``cat.experiments``, ``cat.remarks``), and :meth:`Catalogue.entry` finds any.

>>> cat = load_catalogue()
>>> cat["as25.lemma4.1"].form.value
'as stated'
>>> cat["as25.lema4.1"]
Traceback (most recent call last):
  ...
symbound.errors.UnknownLemmaError: no claim 'as25.lema4.1'; did you mean 'as25.lemma4.1', ...
>>> cat["dcl21.doubly-exponential"]
Traceback (most recent call last):
  ...
symbound.errors.UnknownLemmaError: 'dcl21.doubly-exponential' is an experiment, not a claim ...
>>> cat.kind_of("as25.collapse-L").label
'composed bound'
"""

from __future__ import annotations

import difflib
import enum
import functools
import importlib
import pkgutil
from collections.abc import Iterable, Iterator, Mapping
from types import MappingProxyType
from typing import Any, Generic, TypeVar

from symbound._resources import derivations_package
from symbound.errors import InvalidLemmaError, UnknownLemmaError, UsageError
from symbound.lemmas.experiment import Experiment, Remark
from symbound.lemmas.model import Lemma

__all__ = [
    "BUILT_IN_PAPER",
    "DERIVATIONS_PACKAGE",
    "Catalogue",
    "Kind",
    "Section",
    "load_catalogue",
]

#: The package whose modules hold the paper content.
DERIVATIONS_PACKAGE = "symbound.derivations"
#: The paper whose appendix commands build when none is named (a derivation module).
BUILT_IN_PAPER = "alman_song_2025"

T = TypeVar("T")


class Kind(enum.Enum):
    """What a catalogue entry is, with the name a derivation module declares it under.

    ``label`` is how messages name it, ``section`` the catalogue attribute holding it.
    """

    CLAIM = ("claim", "claims", "LEMMAS")
    COMPOSED = ("composed bound", "composed", "COMPOSED")
    SCALAR = ("scalar claim", "scalars", "SCALAR_CLAIMS")
    EXPERIMENT = ("experiment", "experiments", "EXPERIMENTS")
    REMARK = ("remark", "remarks", "REMARKS")

    def __init__(self, label: str, section: str, declared: str):
        self.label, self.section, self.declared = label, section, declared

    @property
    def article(self) -> str:
        """``a claim``, ``an experiment``."""
        return ("an " if self.label[0] in "aeiou" else "a ") + self.label

    @property
    def plural(self) -> str:
        return self.label + "s"


def kinds_text(kinds: Iterable[Kind], plural: bool = False) -> str:
    """``claim or experiment`` (``claims and experiments`` with ``plural``).

    >>> kinds_text([Kind.CLAIM, Kind.EXPERIMENT]), kinds_text([Kind.SCALAR], plural=True)
    ('claim or experiment', 'scalar claims')
    """
    names = [k.plural if plural else k.label for k in kinds]
    joint = " and " if plural else " or "
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + joint + names[-1]


class Section(Mapping[str, T], Generic[T]):
    """The entries of one kind, by key, in the order the sources list them; a missing
    key is an :class:`~symbound.errors.UnknownLemmaError` that says what the key is."""

    def __init__(self, catalogue: Catalogue, kind: Kind, entries: Mapping[str, T]):
        self._catalogue, self.kind = catalogue, kind
        self._entries = MappingProxyType(dict(entries))

    def __getitem__(self, key: str) -> T:
        try:
            return self._entries[key]
        except (KeyError, TypeError):
            raise self._catalogue.missing(key, (self.kind,)) from None

    def __contains__(self, key: object) -> bool:
        return key in self._entries

    def get(self, key: str, default: Any = None) -> T | Any:
        return self._entries.get(key, default)

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)

    def __repr__(self) -> str:
        return f"<{len(self)} {self.kind.plural}>"


class Catalogue(Mapping[str, Lemma]):
    """Every entry of the sources, by kind; as a mapping, the claims (lemmas).

    ``sources`` maps every key to the derivation module declaring it, ``appendices``
    each module that declares an ``APPENDIX`` to its specification.
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
        self.sources = MappingProxyType(dict(sources))
        self._kinds: dict[str, Kind] = {}
        by_kind = {}
        for kind, entries in (
            (Kind.CLAIM, lemmas),
            (Kind.EXPERIMENT, experiments),
            (Kind.SCALAR, scalars),
            (Kind.COMPOSED, composed),
            (Kind.REMARK, remarks),
        ):
            found = {}
            for entry in entries:
                if entry.key in self._kinds:
                    taken = self._kinds[entry.key]
                    both = (
                        f"two {kind.plural}"
                        if taken is kind
                        else f"{taken.article} and {kind.article}"
                    )
                    where = self.sources.get(entry.key, "?")
                    raise InvalidLemmaError(f"duplicate key {entry.key!r}: {both} (in {where})")
                self._kinds[entry.key] = kind
                found[entry.key] = entry
            by_kind[kind] = Section(self, kind, found)
        self.claims: Section[Lemma] = by_kind[Kind.CLAIM]
        self.experiments: Section[Experiment] = by_kind[Kind.EXPERIMENT]
        #: scalar claims (symbound.prove.ScalarClaim) the prover can settle, by key
        self.scalars: Section[Any] = by_kind[Kind.SCALAR]
        #: composed bounds (symbound.compose.ComposedBound) by key
        self.composed: Section[Any] = by_kind[Kind.COMPOSED]
        self.remarks: Section[Remark] = by_kind[Kind.REMARK]
        for lemma in lemmas:
            if lemma.corrects and lemma.corrects not in self.claims:
                raise InvalidLemmaError(
                    f"lemma {lemma.key!r} corrects {lemma.corrects!r}, "
                    "which is not in the catalogue"
                )
        #: appendix specifications by the module that declares them
        self.appendices = MappingProxyType(dict(appendices or {}))

    # -- the claims, as a mapping --------------------------------------------------------
    def __getitem__(self, key: str) -> Lemma:
        return self.claims[key]

    def __contains__(self, key: object) -> bool:  # Mapping's version expects a KeyError
        return key in self.claims

    def get(self, key: str, default: Any = None) -> Lemma | Any:
        return self.claims.get(key, default)

    def __iter__(self) -> Iterator[str]:
        return iter(self.claims)

    def __len__(self) -> int:
        return len(self.claims)

    def __repr__(self) -> str:
        sizes = ", ".join(f"{len(self.section(k))} {k.plural}" for k in Kind)
        return f"<Catalogue: {sizes}>"

    # -- every kind ----------------------------------------------------------------------
    def section(self, kind: Kind) -> Section:
        """The entries of ``kind``."""
        return getattr(self, kind.section)

    def kind_of(self, key: str) -> Kind | None:
        """The kind of the entry ``key``, or None if no entry has it."""
        return self._kinds.get(key)

    def entry(self, key: str, kinds: Iterable[Kind] = tuple(Kind), *, command: str = ""):
        """The entry ``key`` if it is of one of ``kinds`` (default: any), else an
        :class:`~symbound.errors.UnknownLemmaError` naming its kind (``command``: what
        asked, e.g. ``'symbound prove'``, for the message)."""
        kinds = tuple(kinds)
        kind = self.kind_of(key)
        if kind is None or kind not in kinds:
            raise self.missing(key, kinds, command=command)
        return self.section(kind)[key]

    def missing(self, key: str, kinds: Iterable[Kind], *, command: str = "") -> UnknownLemmaError:
        """The one-line error for ``key`` looked up among ``kinds``: what it is if another
        kind has it, and the closest keys of the kinds asked for."""
        kinds = tuple(kinds)
        known = [k for kind in kinds for k in self.section(kind)]
        close = [repr(c) for c in difflib.get_close_matches(str(key), known, n=3, cutoff=0.5)]
        if len(close) > 1:
            close = [", ".join(close[:-1]) + " or " + close[-1]]
        hint = f"; did you mean {close[0]}?" if close else ""
        wanted = kinds_text(kinds)
        if len(kinds) == len(Kind):
            wanted = "entry"
        found = self.kind_of(key) if isinstance(key, str) else None
        if found is None:
            return UnknownLemmaError(f"no {wanted} {key!r}{hint} ('symbound list' shows all keys)")
        if command:
            where = f"{command} takes {kinds_text(kinds, plural=True)}"
        else:
            where = f"it is in cat.{found.section}"
        return UnknownLemmaError(
            f"{key!r} is {found.article}, not {'an' if wanted[0] in 'aeiou' else 'a'} "
            f"{wanted}{hint} ({where}; 'symbound show {key}' shows it)"
        )

    def source_of(self, key: str) -> str:
        """The derivation module an entry comes from."""
        return self.sources[key]

    @property
    def papers(self) -> dict[str, str]:
        """The papers, those sources that declare an appendix: short name -> module."""
        return {module.rpartition(".")[2]: module for module in self.appendices}

    def paper(self, name: str | None = None) -> str:
        """The module of the paper ``name`` (its module's short name, or its full name);
        by default :data:`BUILT_IN_PAPER`, or the only paper of a catalogue without it."""
        papers = self.papers
        if name is None:
            if BUILT_IN_PAPER in papers or len(papers) != 1:
                name = BUILT_IN_PAPER
            else:
                (name,) = papers
        for short, module in papers.items():
            if name in (short, module):
                return module
        known = ", ".join(sorted(papers)) or "none"
        raise UsageError(
            f"no paper {name!r} with an appendix; the papers are: {known} (a paper is a "
            "derivation module that declares an APPENDIX)"
        )

    def corrections_of(self, key: str) -> tuple[Lemma, ...]:
        """The lemmas that correct ``key``."""
        return tuple(lemma for lemma in self.claims.values() if lemma.corrects == key)


def _declared(module, kind: Kind, cls: type | None) -> tuple:
    entries = tuple(getattr(module, kind.declared, ()) or ())
    for entry in entries:
        if cls is not None and not isinstance(entry, cls):
            raise InvalidLemmaError(
                f"{module.__name__}.{kind.declared} holds {type(entry).__name__}, "
                f"not {cls.__name__}"
            )
    return entries


@functools.lru_cache(maxsize=4)
def load_catalogue(package: str = DERIVATIONS_PACKAGE) -> Catalogue:
    """Import every module of ``package`` and collect what each declares (claims,
    experiments and remarks are checked to be of their class; composed bounds and scalar
    claims, whose classes live above this package, are taken as declared)."""
    pkg = (
        derivations_package()
        if package == DERIVATIONS_PACKAGE
        else importlib.import_module(package)
    )
    classes = {
        Kind.CLAIM: Lemma,
        Kind.EXPERIMENT: Experiment,
        Kind.REMARK: Remark,
        Kind.COMPOSED: None,
        Kind.SCALAR: None,
    }
    found: dict[Kind, list] = {kind: [] for kind in Kind}
    appendices: dict[str, Any] = {}
    sources: dict[str, str] = {}
    for info in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{package}.{info.name}")
        for kind in (Kind.EXPERIMENT, Kind.REMARK, Kind.COMPOSED, Kind.SCALAR, Kind.CLAIM):
            for entry in _declared(module, kind, classes[kind]):
                found[kind].append(entry)
                sources.setdefault(entry.key, module.__name__)
        if getattr(module, "APPENDIX", None) is not None:
            appendices[module.__name__] = module.APPENDIX
    return Catalogue(
        tuple(found[Kind.CLAIM]),
        sources,
        tuple(found[Kind.EXPERIMENT]),
        tuple(found[Kind.REMARK]),
        tuple(found[Kind.COMPOSED]),
        appendices,
        tuple(found[Kind.SCALAR]),
    )
