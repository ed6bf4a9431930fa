r"""Repairs of scalar claims, proved on the holding side by the prover.

A scalar claim :math:`\mathrm{lhs} \le \mathrm{rhs}` over a box
(:class:`~symbound.prove.ScalarClaim`, or typed with a box) is settled by
:func:`symbound.prove.prove`: *proved* over exactly the box given, or *refuted* with
an exact witness confirmed by Arb and by exact rational intervals.  So both ends of a
bracket are rigorous here:

- **constant** (:func:`scalar_constant`): :math:`c^* = \sup \mathrm{lhs}/f` over the
  box.  Every witness gives :math:`c^* \ge \mathrm{lhs}/f` at an exact point
  (enclosed by Arb); every proof of :math:`\mathrm{lhs} \le K f` gives
  :math:`c^* \le K`.  Doubling, then bisection, then a closed form proposed for the
  bracket and proved in its turn;
- **threshold** (:func:`scalar_threshold`): the claim proved on
  :math:`x \in [lo, t_{hold}]` and refuted at a witness :math:`x \le t_{fail}`, by
  :func:`~symbound.repair.threshold.find_threshold` with the prover as its probe, to
  about twelve digits.

>>> import sympy as sp
>>> from symbound.prove import Box
>>> from symbound.repair.session import Session
>>> box = Box.parse(["x=0..2"])
>>> (x,) = box.symbols()
>>> r = scalar_threshold(Session(0, 1, 50), sp.exp(x), 1 + 2 * x, box, "x", key="mine.exp")
>>> r.outcome, r.upper.value[:8], r.lower.kind, r.upper.kind
('repaired', '1.256431', 'proved', 'certified')
"""

from __future__ import annotations

from fractions import Fraction

import sympy as sp

from symbound.errors import UsageError
from symbound.lemmas.model import Citation, Form, Provenance
from symbound.notation import to_text
from symbound.repair.evidence import decimal
from symbound.repair.identify import digits_of, identify_constant, simplest_between
from symbound.repair.result import Bound, Repair
from symbound.repair.session import Session
from symbound.repair.threshold import Probe, find_threshold

__all__ = ["scalar_constant", "scalar_threshold"]

#: Proofs a scalar repair may spend, and the relative width it stops at.
PROOFS = 60
REL_WIDTH = Fraction(1, 10**12)


def _q(q: Fraction) -> sp.Rational:
    return sp.Rational(q.numerator, q.denominator)


def _text(q: Fraction) -> str:
    return str(q.numerator) if q.denominator == 1 else f"{q.numerator}/{q.denominator}"


def _entry(key: str, lhs, rhs, box, what: str, how: str, title: str):
    from symbound.prove import ScalarClaim

    return ScalarClaim(
        key=f"{key}.repaired",
        title=f"{title} ({what})",
        citation=Citation("symbound repair", f"repair of {key}: {how}"),
        provenance=Provenance.REPAIRED,
        form=Form.CORRECTED,
        lhs=lhs,
        rhs=rhs,
        box=box,
        corrects=key,
        notes=f"Repaired here from {key}: {what}.",
    )


def _with_range(box, name: str, lo: Fraction, hi: Fraction):
    from symbound.prove import Box

    ranges = tuple((n, lo, hi) if n == name else (n, a, b) for n, a, b in box.ranges)
    return Box(ranges, box.integers)


def scalar_threshold(
    session: Session, lhs, rhs, box, name: str, *, key: str, title: str = "", statement=""
) -> Repair:
    """The range of the box parameter ``name`` on which ``lhs <= rhs`` holds (see the
    module notes): refuted as given, proved up to the threshold."""
    if name not in box.names:
        raise UsageError(
            f"--parameter {name!r}: a scalar claim's threshold is on one of its box's "
            f"parameters ({', '.join(box.names)})"
        )
    if name in box.integers:
        raise UsageError(f"--parameter {name!r}: an integer parameter has no threshold to bracket")
    statement = statement or f"{to_text(lhs)} ≤ {to_text(rhs)} for {box.text}"
    first = session.prove(lhs, rhs, box, "the claim as given", key=key)
    if first.verdict != "refuted":
        return _settled(first, key, statement, session, "t* for " + name)
    lo, hi = box[name]

    def probe_at(side):
        def probe(m: Fraction) -> Probe:
            sub = _with_range(box, name, lo, m) if side == "<=" else _with_range(box, name, m, hi)
            proof = session.prove(lhs, rhs, sub, f"over {sub.text}", key=key)
            if proof.verdict == "proved":
                return Probe(True, None, session.figures[-1])
            if proof.verdict == "refuted":
                return Probe(False, proof.witness[name], session.figures[-1])
            return Probe(None, None, session.figures[-1])

        return probe

    found = None
    x0 = first.witness[name]
    for side in ("<=", ">="):
        found = find_threshold(
            probe_at(side), side, x0, session.figures[0], lo=lo, hi=hi, probes=PROOFS,
            rel_width=REL_WIDTH,
        )  # fmt: skip
        if found is not None:
            break
    quantity = f"t* for {name}"
    if found is None:
        return session.result(
            key,
            statement,
            "not applicable",
            "no threshold",
            quantity=quantity,
            evidence=(f"no part of {name}'s range next to the witness was proved",),
        )
    b = found
    digits = digits_of(float(b.rel_width))
    mid = (b.hold + b.fail) / 2
    guess = identify_constant(mid, max(float(b.rel_width) * 2, 1e-15))
    sub = (
        _with_range(box, name, lo, b.hold) if b.side == "<=" else _with_range(box, name, b.hold, hi)
    )
    entry = _entry(
        key, lhs, rhs, sub, f"{name} {b.side} {_text(b.hold)}",
        f"threshold bracketed by proofs and witnesses ({b.probes} proofs)", title or key,
    )  # fmt: skip
    proof = session.prove(entry.lhs, entry.rhs, entry.box, "the repaired claim", key=entry.key)
    figure = session.figures[-1]
    proved = Bound(
        decimal(b.hold, 15, rounding="down" if b.side == "<=" else "up"),
        "proved",
        f"proved over {sub.text} ({b.hold_by.searched})",
    )
    wproof = b.fail_by.result
    refuted = Bound(
        decimal(b.fail, 15, rounding="up" if b.side == "<=" else "down"),
        "certified",
        f"witness {', '.join(f'{k} = {v}' for k, v in wproof.witness.items())}: lhs − rhs ≥ "
        f"{decimal(wproof.witness_lower, 3)} (confirmed by {' and '.join(wproof.confirmed_by)})",
    )
    lower, upper = (proved, refuted) if b.side == "<=" else (refuted, proved)
    sign = "≤" if b.side == "<=" else "≥"
    evidence = [
        f"{b.probes} proofs; holds for {name} {sign} {_text(b.hold)} (proved), fails at "
        f"{name} = {_text(b.fail)} (witness): t* is known to {digits} digits"
    ]
    closed = None
    if guess is not None and guess.expr != 0:
        closed = guess.text
        evidence.append(f"closed form {guess.text}: {guess.how}, resting on {digits} digits")
    else:
        evidence.append(
            f"no closed form a + b K (a, b rational, K = 1, log(2), pi, E, sqrt(2)) "
            f"matches the {digits} digits; t* is where lhs - rhs changes sign in {name}"
        )
    ok = proof.verdict == "proved"
    return session.result(
        key,
        statement,
        "repaired" if ok else "inconclusive",
        "hypothesis",
        quantity=quantity + f": the claim holds with {name} {sign} t*",
        lower=lower,
        upper=upper,
        closed_form=closed,
        evidence=tuple(evidence),
        repaired=entry if ok else None,
        repaired_statement=entry.text if ok else None,
        repaired_check=figure,
    )


def _settled(first, key, statement, session, quantity) -> Repair:
    outcome = "nothing to repair" if first.verdict == "proved" else "inconclusive"
    why = (
        "the claim is proved over its box: nothing to repair"
        if first.verdict == "proved"
        else "the prover could neither prove nor refute the claim as given"
    )
    return session.result(key, statement, outcome, "constant", quantity=quantity, evidence=(why,))


def _ratio_lower(lhs, f, where: dict[str, Fraction]) -> Fraction | None:
    """A rigorous lower bound of ``lhs/f`` at an exact point (Arb), if ``f > 0`` there."""
    from symbound.prove.interval import Unbounded, compile_interval, flint_precision, point

    for prec in (128, 512):
        with flint_precision(prec):
            try:
                args = {n: point(q) for n, q in where.items()}
                fv = compile_interval(f)(args)
                if not fv.lo > 0:
                    return None
                v = compile_interval(lhs / f)(args)
            except (Unbounded, ValueError, ZeroDivisionError):
                return None
        from symbound.prove.interval import to_fraction

        low = to_fraction(v.lo)
        if low > 0:
            return low
    return None


def scalar_constant(
    session: Session, lhs, rhs, box, *, key: str, constant: str | None = None, title="",
    statement="",
) -> Repair:  # fmt: skip
    """The tight constant of ``lhs <= c f`` over ``box`` (see the module notes)."""
    statement = statement or f"{to_text(lhs)} ≤ {to_text(rhs)} for {box.text}"
    if constant is not None:
        symbol = sp.Symbol(constant, real=True)
        f = sp.cancel(rhs / symbol)
        if not rhs.has(symbol) or f.has(symbol):
            raise UsageError(
                f"--constant {constant}: the bound {rhs} is not {constant} times a factor "
                f"free of {constant}"
            )
        if constant in box.names:  # the constant is bracketed, not ranged over
            from symbound.prove import Box

            box = Box(
                tuple(r for r in box.ranges if r[0] != constant),
                tuple(i for i in box.integers if i != constant),
            )
            statement = f"{to_text(lhs)} ≤ {to_text(rhs)} for {box.text}"
        c = sp.Integer(1)
    else:
        c, f = sp.factor_terms(rhs).as_coeff_Mul()
        if not (c.is_number and c > 0):
            c, f = sp.Integer(1), rhs
    quantity = f"c* = sup lhs/({to_text(f)}) over {box.text}"
    first = session.prove(lhs, c * f, box, "the claim as given", key=key)
    if first.verdict != "refuted":
        return _settled(first, key, statement, session, quantity)
    low = _ratio_lower(lhs, f, first.witness)
    if low is None:
        return session.result(
            key,
            statement,
            "not applicable",
            "structural",
            quantity=quantity,
            evidence=(
                f"at the witness {first.witness} the factor {to_text(f)} is not positive for "
                "certain: no constant multiple of it bounds a positive quantity there",
            ),
        )
    lower_by, upper, upper_by = session.figures[0], None, None
    K = simplest_between(low * 2, low * 3)
    used = 1
    while used < PROOFS and upper is None:  # doubling until a constant is proved
        proof = session.prove(lhs, _q(K) * f, box, f"with c = {_text(K)}", key=key)
        used += 1
        if proof.verdict == "proved":
            upper, upper_by = K, session.figures[-1]
        elif proof.verdict == "refuted":
            got = _ratio_lower(lhs, f, proof.witness)
            if got is not None and got > low:
                low, lower_by = got, session.figures[-1]
            K = simplest_between(max(K, low) * 2, max(K, low) * 3)
        else:
            break
    if upper is None:
        return session.result(
            key,
            statement,
            "inconclusive",
            "constant",
            quantity=quantity,
            lower=Bound(decimal(low, 15), "certified", lower_by.witness or ""),
            evidence=("no constant could be proved",),
        )
    while used < PROOFS and (upper - low) > REL_WIDTH * upper:
        m = simplest_between(
            low + (upper - low) * Fraction(9, 20), low + (upper - low) * Fraction(11, 20)
        )
        proof = session.prove(lhs, _q(m) * f, box, f"with c = {_text(m)}", key=key)
        used += 1
        if proof.verdict == "proved":
            upper, upper_by = m, session.figures[-1]
        elif proof.verdict == "refuted":
            got = _ratio_lower(lhs, f, proof.witness)
            if got is None or got <= low:
                break
            low, lower_by = got, session.figures[-1]
        else:
            break
    digits = digits_of(float((upper - low) / upper))
    value: sp.Expr = _q(upper)
    evidence = [f"{used} proofs: c* in [{decimal(low, 15)}, {decimal(upper, 15, rounding='up')}]"]
    guess = identify_constant((low + upper) / 2, max(float((upper - low) / upper), 1e-15))
    closed = None
    if guess is not None and sp.N(guess.expr, 40) >= _q(low):
        proof = session.prove(lhs, guess.expr * f, box, f"with c = {guess.text}", key=key)
        if proof.verdict == "proved":
            value, upper_by, closed = guess.expr, session.figures[-1], guess.text
            evidence.append(
                f"closed form {guess.text}: {guess.how} on {digits} digits, then proved"
            )
        else:
            evidence.append(
                f"closed form {guess.text} proposed ({guess.how} on {digits} digits) but not "
                f"proved ({proof.verdict}); the proved upper bound is kept"
            )
    entry = _entry(
        key, lhs, value * f, box, f"constant {value}",
        f"c* bracketed by proofs and witnesses ({used} proofs)", title or key,
    )  # fmt: skip
    return session.result(
        key,
        statement,
        "repaired",
        "constant",
        entry=entry,
        figure=upper_by,
        quantity=quantity,
        lower=Bound(
            decimal(low, 15),
            "certified",
            f"lhs/f >= {decimal(low, 15)} at {lower_by.witness}: no smaller constant works",
        ),
        upper=Bound(
            str(value), "proved", f"proved with c = {value} over {box.text} ({upper_by.searched})"
        ),
        closed_form=closed,
        evidence=tuple(evidence),
    )
