"""The last stage: a verdict and its notes from what the search found.

One rule for :func:`symbound.check.check` and :func:`symbound.check.sweep.sweep`:

- **refuted** when a violation was confirmed rigorously at an exact witness;
- **inconclusive** when a violation was confirmed rigorously but has no
  high-precision ratio to report with it, when nothing could be evaluated, when a
  high-precision ratio exceeds 1 (by more than :math:`10^{-\\lfloor dps/2 \\rfloor}`)
  that rigorous arithmetic could not confirm, or when the filtered hypotheses were
  met by under :data:`RARE_HYPOTHESES` of the samples;
- **survived** otherwise: no counterexample in the region searched.

>>> c = conclude(refuted=False, best_ratio=None, dps=50, nothing_evaluated="nothing here")
>>> c.verdict.value, c.notes
('inconclusive', ('nothing here',))
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from symbound.check.result import Verdict
from symbound.numeric.backends import MpmathBackend
from symbound.numeric.precision import Agreement

__all__ = ["RARE_HYPOTHESES", "Conclusion", "conclude"]

#: Below this share of sampled instances meeting the filtered hypotheses, a claim that
#: was not refuted is inconclusive, not "survived".
RARE_HYPOTHESES = 0.01


@dataclass(frozen=True)
class Conclusion:
    """A verdict and the notes that qualify it, in the order they are reported."""

    verdict: Verdict
    notes: tuple[str, ...]


def conclude(
    *,
    refuted: bool,
    best_ratio: Any,
    dps: int,
    nothing_evaluated: str,
    unrated_violation: str | None = None,
    sampled: int = 0,
    filtered: int = 0,
    cancellation: Agreement | None = None,
    float64_above: int = 0,
    float64_seen: str = "none held",
) -> Conclusion:
    """The verdict of a search (see the module notes).

    - ``refuted``: a rigorously confirmed witness was found;
    - ``best_ratio``: the largest high-precision ratio lhs/rhs evaluated (an mpf at
      ``dps`` digits), None if nothing was evaluated (``nothing_evaluated`` says why);
    - ``unrated_violation``: a note when a rigorous violation has no ratio;
    - ``sampled``, ``filtered``: samples drawn and those discarded for breaking a
      hypothesis the instance space does not build in;
    - ``cancellation``: the first agreement that lost digits, if any;
    - ``float64_above``: float64 ratios above 1 seen, with ``float64_seen`` saying
      which of them were evaluated again.
    """
    notes: list[str] = []
    if refuted:
        verdict = Verdict.REFUTED
    elif unrated_violation is not None:
        verdict = Verdict.INCONCLUSIVE
        notes.append(unrated_violation)
    elif best_ratio is None:
        verdict = Verdict.INCONCLUSIVE
        notes.append(nothing_evaluated)
    elif best_ratio > 1 + MpmathBackend(dps=dps).ctx.mpf(10) ** (-(dps // 2)):
        verdict = Verdict.INCONCLUSIVE
        notes.append(
            f"a ratio above 1 at {dps} digits could not be confirmed rigorously; try a larger --dps"
        )
    else:
        verdict = Verdict.SURVIVED
    if filtered and filtered < sampled:
        share = (sampled - filtered) / sampled
        notes.append(
            f"{filtered} of {sampled} sampled instances broke a hypothesis the "
            f"instance space does not build in and were discarded ({share:.1%} kept)"
        )
        if verdict is Verdict.SURVIVED and share < RARE_HYPOTHESES:
            verdict = Verdict.INCONCLUSIVE
            notes.append(
                f"the hypotheses were met by under {RARE_HYPOTHESES:.0%} of the samples: "
                "surviving so few instances says little; build the hypothesis into the "
                "space (a ball, a spread bound, a domain)"
            )
    if cancellation is not None:
        ag = cancellation
        notes.append(
            f"only {ag.digits} of {ag.dps} digits of a reported ratio survive at {ag.check_dps} "
            "digits (cancellation); it is printed with those digits only"
        )
    if verdict is not Verdict.REFUTED and float64_above:
        notes.append(
            f"float64 showed lhs/rhs > 1 at {float64_above} instance(s); "
            f"{float64_seen} at {dps} digits (float rounding, not violations)"
        )
    return Conclusion(verdict, tuple(notes))
