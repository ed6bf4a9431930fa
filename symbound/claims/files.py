r"""Claims from declarations in text: the command line's options and TOML claims files.

One claim, as ``symbound check --claim ... --given ... --matrix A=n,n`` would give it:

>>> lemma = claim_from_text(
...     "mine.softmax-l1",
...     then="norm(softmax(A + D) - softmax(A), 'row') <= 2*tanh(t/2)",
...     given=["norm(D, 'max') <= t"],
...     matrices={"A": "n,n", "D": "n,n"},
...     parameters={"t": "0..4"},
... )
>>> lemma.statement_text
'If ‖D‖_max ≤ t, then ‖softmax(A + D) − softmax(A)‖_∞ ≤ 2*tanh(t/2).'

A claims file holds many, with their citations and provenance (TOML, read with the
standard library's ``tomllib``)::

    [source]
    name = "Me 2026, My paper"

    [[claims]]
    key = "me26.lemma2"
    title = "Softmax moves by at most 2 tanh(t/2)"
    citation = "Lemma 2"
    matrices = { A = "n,n", D = "n,n" }
    parameters = { t = "0..4" }
    sizes = { n = "2..6" }
    given = ["norm(D, 'max') <= t"]
    then = "norm(softmax(A + D) - softmax(A), 'row') <= 2*tanh(t/2)"

Ranges: ``"0..4"`` is the open interval, ``"[0, 4]"`` the closed one, ``"0.."`` is
:math:`(0, \infty)`; sizes ``"2..6"`` are inclusive.  Every problem is one line
naming the claim and the field.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import sympy as sp

from symbound.claims.domains import Interval
from symbound.claims.statement import claim
from symbound.claims.text import declared, parse_relation
from symbound.errors import UsageError
from symbound.lemmas.model import Choice, Citation, Form, Lemma, Provenance
from symbound.notation import SYMBOLS
from symbound.parse import exact_number

__all__ = ["MAX_FILE_BYTES", "claim_from_text", "load_claims", "parse_range", "parse_sizes"]

#: The largest claims file read (a thousand claims take about 300 kB).
MAX_FILE_BYTES = 2_000_000
MAX_CLAIMS = 2000

_CLOSED = re.compile(r"^\[\s*(?P<lo>[^,\]]+)\s*,\s*(?P<hi>[^\]]+)\s*\]$")


def parse_range(text: str, name: str) -> Interval:
    """A real parameter's range: ``"0..4"`` (open), ``"[0, 4]"`` (closed), ``"0.."``."""
    if not isinstance(text, str):
        raise UsageError(f"the range of {name} is text like '0..4' or '[0, 4]', got {text!r}")
    s = text.strip()
    m = _CLOSED.match(s)
    if m:
        return Interval.closed(exact_number(m["lo"], name), exact_number(m["hi"], name))
    lo, dots, hi = s.partition("..")
    if not dots:
        raise UsageError(f"the range of {name} is 'lo..hi' (open) or '[lo, hi]', got {text!r}")
    lo_q = exact_number(lo, name) if lo.strip() else None
    hi_q = exact_number(hi, name) if hi.strip() else None
    return Interval.open(lo_q, hi_q)


def parse_sizes(spec: Mapping[str, str]) -> dict[str, tuple[int, int]]:
    """Size search ranges from ``{"n": "2..6"}`` (or ``"4"`` for one size)."""
    out = {}
    for name, text in spec.items():
        lo, dots, hi = str(text).partition("..")
        try:
            a, b = (int(lo), int(hi)) if dots else (int(lo), int(lo))
        except ValueError:
            raise UsageError(f"the size {name} takes 'lo..hi' (integers), got {text!r}") from None
        out[name] = (a, b)
    return out


def _symbol(name: str, interval: Interval | None) -> sp.Symbol:
    """The notation's symbol when its assumptions fit the range, else a plain real one."""
    known = SYMBOLS.get(name)
    if known is not None and not known.is_integer:
        if interval is None:
            return known
        lo = interval.lo
        if known.is_positive and lo is not None and (lo > 0 or (lo == 0 and interval.left_open)):
            return known
        if not (known.is_positive or known.is_nonnegative):
            return known
    return sp.Symbol(name, real=True)


def claim_from_text(
    key: str,
    *,
    then: str,
    given: Sequence[str] = (),
    matrices: Mapping[str, str] | None = None,
    vectors: Mapping[str, str] | None = None,
    tensors: Mapping[str, str] | None = None,
    domains: Mapping[str, str] | None = None,
    parameters: Mapping[str, str] | None = None,
    sizes: Mapping[str, str] | None = None,
    **metadata: Any,
) -> Lemma:
    """A lemma from text: relations and declarations (see the module notes).

    ``metadata`` goes to :func:`~symbound.claims.statement.claim` (``title``,
    ``citation``, ``provenance``, ``form``, ``corrects``, ``reading``, ``notes``).
    """
    domains = dict(domains or {})
    names: dict[str, Any] = {}
    for kind, table in (("matrix", matrices), ("vector", vectors), ("tensor", tensors)):
        for name, shape in (table or {}).items():
            if name in names:
                raise UsageError(f"{name} is declared twice")
            names[name] = declared(name, str(shape), kind, domains.pop(name, None))
    if domains:
        raise UsageError(f"domains given for undeclared variables: {', '.join(sorted(domains))}")
    ranges = {}
    for name, text in (parameters or {}).items():
        if name in names:
            raise UsageError(f"{name} is declared as a variable and as a parameter")
        interval = parse_range(text, name)
        names[name] = _symbol(name, interval)
        ranges[name] = interval
    hypotheses = [parse_relation(h, names) for h in given]
    conclusion = parse_relation(then, names)
    return claim(
        key,
        then=conclusion,
        given=hypotheses,
        ranges=ranges,
        sizes=parse_sizes(sizes or {}),
        **metadata,
    )


_FIELDS = {
    "key", "title", "citation", "source", "provenance", "form", "corrects", "reading",
    "matrices", "vectors", "tensors", "domains", "parameters", "sizes", "given", "then",
    "notes",
}  # fmt: skip


def _enum(cls, value: str, where: str):
    for member in cls:
        if value in (member.value, member.name.lower(), member.name):
            return member
    choices = ", ".join(repr(m.value) for m in cls)
    raise UsageError(f"{where}: unknown {cls.__name__.lower()} {value!r}; one of {choices}")


def _table(entry: Mapping, field: str, where: str) -> dict[str, str]:
    value = entry.get(field, {})
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise UsageError(f'{where}: {field} is a table of text, e.g. {{ A = "n,n" }}')
    return value


def _claim_of(entry: Mapping, source: str, index: int) -> Lemma:
    where = f"claim {index + 1}"
    if not isinstance(entry, dict):
        raise UsageError(f"{where}: a claim is a table ([[claims]])")
    key = entry.get("key")
    if not isinstance(key, str):
        raise UsageError(f"{where}: every claim needs a key (text)")
    where = f"claim {key!r}"
    unknown = set(entry) - _FIELDS
    if unknown:
        raise UsageError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}")
    then = entry.get("then")
    given = entry.get("given", [])
    if not isinstance(then, str):
        raise UsageError(f"{where}: 'then' is the conclusion, as text")
    if not isinstance(given, list) or not all(isinstance(g, str) for g in given):
        raise UsageError(f"{where}: 'given' is a list of relations, as text")
    provenance = _enum(Provenance, entry.get("provenance", Provenance.USER.value), where)
    form = _enum(Form, entry.get("form", Form.AS_STATED.value), where)
    reading = entry.get("reading", {})
    if not isinstance(reading, dict) or not all(isinstance(v, str) for v in reading.values()):
        raise UsageError(f"{where}: 'reading' is a table of choices, e.g. {{ norm = \"row-sum\" }}")
    primary = provenance in (Provenance.VERBATIM, Provenance.REVIEWER, Provenance.USER)
    citation = Citation(
        str(entry.get("source", source)), str(entry.get("citation", key)), primary=primary
    )
    for field in ("title", "notes", "corrects"):
        if field in entry and not isinstance(entry[field], str):
            raise UsageError(f"{where}: {field} is text")
    try:
        return claim_from_text(
            key,
            then=then,
            given=given,
            matrices=_table(entry, "matrices", where),
            vectors=_table(entry, "vectors", where),
            tensors=_table(entry, "tensors", where),
            domains=_table(entry, "domains", where),
            parameters=_table(entry, "parameters", where),
            sizes=_table(entry, "sizes", where),
            title=entry.get("title", ""),
            citation=citation,
            provenance=provenance,
            form=form,
            corrects=entry.get("corrects"),
            notes=entry.get("notes", ""),
            reading=tuple(Choice(k, v) for k, v in reading.items()),
        )
    except UsageError as exc:
        raise UsageError(f"{where}: {exc}") from None


def load_claims(path: str | Path) -> list[Lemma]:
    """Every claim of a TOML claims file, validated (one-line errors naming the claim)."""
    from symbound.errors import InvalidLemmaError

    p = Path(path)
    if not p.is_file():
        raise UsageError(f"no claims file at {p}")
    if p.stat().st_size > MAX_FILE_BYTES:
        raise UsageError(f"{p} is larger than {MAX_FILE_BYTES // 1_000_000} MB")
    try:
        doc = tomllib.loads(p.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise UsageError(f"{p} is not UTF-8 text ({exc.reason})") from None
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"{p}: not valid TOML: {exc}") from None
    source = doc.get("source", {})
    if not isinstance(source, dict):
        raise UsageError(f'{p}: [source] is a table (name = "...")')
    name = str(source.get("name", p.stem))
    entries = doc.get("claims", [])
    if not isinstance(entries, list) or not entries:
        raise UsageError(f"{p}: no [[claims]] tables")
    if len(entries) > MAX_CLAIMS:
        raise UsageError(f"{p}: {len(entries)} claims; at most {MAX_CLAIMS} per file")
    unknown = set(doc) - {"source", "claims"}
    if unknown:
        raise UsageError(f"{p}: unknown top-level table(s) {', '.join(sorted(unknown))}")
    out, keys = [], set()
    for i, entry in enumerate(entries):
        try:
            lemma = _claim_of(entry, name, i)
        except InvalidLemmaError as exc:
            raise UsageError(f"{p}: {exc}") from None
        except UsageError as exc:
            raise UsageError(f"{p}: {exc}") from None
        if lemma.key in keys:
            raise UsageError(f"{p}: the key {lemma.key!r} is used twice")
        keys.add(lemma.key)
        out.append(lemma)
    return out
