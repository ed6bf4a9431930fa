"""One repair's searches: each check gets its own seed, derived from the repair's seed.

The first check (the claim as given) runs with the repair's seed itself, so it is the
check ``symbound check KEY --seed S --samples N`` runs; check ``k`` runs with seed
``S + k``: a fresh search, not the same one rescaled (a check of ``lhs <= 2 c f`` with
the seed of ``lhs <= c f`` retraces the same samples and would find nothing new).
Everything is recorded as :class:`~symbound.repair.evidence.CheckFigure` values, in
order, so the same seed gives the same repair, byte for byte.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from symbound.repair.evidence import CheckFigure

__all__ = ["Session", "slug"]

_SEED_LIMIT = 2**63


def slug(key: str, label: str) -> str:
    """A valid lemma key for a variant: ``key`` + ``.`` + the label in lowercase letters,
    digits and dashes.

    >>> slug("as25.lemma4.1", "n = 3")
    'as25.lemma4.1.n-3'
    """
    tail = re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-") or "variant"
    return f"{key}.{tail}"


@dataclass
class Session:
    """The repair's settings and the record of every search and proof it ran."""

    seed: int
    samples: int
    dps: int
    figures: list[CheckFigure] = field(default_factory=list)
    jobs: int = 1

    def check(self, lemma, purpose: str, *, samples: int | None = None):
        """:func:`symbound.check.check` with the next seed; the result is recorded."""
        (result,) = self.ahead([(lemma, samples)])
        return self.record(result, purpose)

    def ahead(self, tasks) -> Iterator:
        """The checks of each ``(lemma, samples)``, in order, with the seeds they get if
        checked in turn from here (``samples`` None: the session's), up to :attr:`jobs`
        run ahead in worker processes; nothing is recorded.  :meth:`record` the results
        used, in order: a prefix of them (close the iterator where the rest is not needed:
        its searches are stopped, and the next ones keep their seeds), so a repair is the
        same with any number of jobs."""
        from symbound.check.checker import check_task
        from symbound.parallel import fork_imap

        start = self.seed + len(self.figures)
        options = [
            (lemma, {"seed": (start + i) % _SEED_LIMIT, "samples": n or self.samples,
                     "dps": self.dps})
            for i, (lemma, n) in enumerate(tasks)
        ]  # fmt: skip
        if len(options) == 1:  # one search: the jobs go to its Nelder-Mead runs instead
            options[0][1]["jobs"] = self.jobs
        return fork_imap(check_task, options, self.jobs)

    def record(self, result, purpose: str):
        """Record a result of :meth:`ahead` (the next one in turn); return it."""
        self.figures.append(CheckFigure.of_check(result, purpose))
        return result

    def prove(self, lhs, rhs, box, purpose: str, *, key: str | None = None, max_boxes=4000):
        """:func:`symbound.prove.prove` (no randomness); the proof is recorded."""
        from symbound.prove import prove

        proof = prove(lhs, rhs, box, key=key, max_boxes=max_boxes)
        self.figures.append(CheckFigure.of_proof(proof, purpose))
        return proof

    def result(self, key, statement, outcome, kind, *, entry=None, figure=None, **fields):
        """The :class:`~symbound.repair.result.Repair` of this session: every search and
        proof run so far, and ``entry`` (the repaired claim, checked by ``figure``)."""
        from symbound.repair.result import Repair

        if entry is not None:
            text = getattr(entry, "statement_text", None) or entry.text
            fields.update(repaired=entry, repaired_statement=text, repaired_check=figure)
        return Repair(key, statement, outcome, kind, checks=tuple(self.figures), **fields)

    @property
    def profile_samples(self) -> int:
        """Samples for a search at one size: a quarter, at least 200."""
        return max(200, self.samples // 4)

    @property
    def stage_samples(self) -> int:
        """Samples for the intermediate searches (profiles, probes): half, at least 200."""
        return max(200, self.samples // 2)
