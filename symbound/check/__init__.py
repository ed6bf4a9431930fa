"""Counterexample search, rigorous confirmation and tightness: :func:`check`."""

from symbound.check.checker import check, check_many
from symbound.check.result import CheckResult, Evaluation, Verdict

__all__ = ["CheckResult", "Evaluation", "Verdict", "check", "check_many"]
