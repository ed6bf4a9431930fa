"""Counterexample search, rigorous confirmation and tightness.

- :mod:`~symbound.check.stages`: the stages, each public (sample, optimise, high
  precision, confirm, shrink) and :mod:`~symbound.check.conclude` (the verdict);
- :mod:`~symbound.check.checker`: :func:`check` runs them all on a lemma's search
  ranges; :func:`check_many` on many lemmas, in worker processes if asked;
- :mod:`~symbound.check.sweep`: ``sweep`` runs the evaluating stages on many random
  instances of fixed sizes, on any ``concurrent.futures`` executor (import it from
  there: the module and the function share the name);
- :mod:`~symbound.check.tasks`: what a worker process receives for a lemma;
- :mod:`~symbound.check.evaluate`, :mod:`~symbound.check.shrink`,
  :mod:`~symbound.check.result`: evaluation on a backend, shrinking, results.
"""

from symbound.check.checker import check, check_many
from symbound.check.result import CheckResult, Evaluation, Verdict

__all__ = ["CheckResult", "Evaluation", "Verdict", "check", "check_many"]
