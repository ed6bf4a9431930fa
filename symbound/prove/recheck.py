r"""Re-verify a certificate independently: mpmath interval arithmetic, reductions redone.

Nothing of the prover is trusted.  From the certificate's text, :func:`recheck`

1. parses the claim with the safe parser and forms ``f = lhs - rhs``;
2. redoes each reduction and checks what it needs: for ``power-exp``, that the
   coefficient is >= 0, the base > 0 and the exponent >= 0 on the box (so the
   new ``f`` is pointwise larger); for ``substitute``, that the monomial's
   enclosure lies in the new variable's range and that substituting back gives the
   previous ``f`` exactly (SymPy), and that the goal's box contains every value;
3. walks the tree: the root is the goal's box, splits partition their box
   (integer parameters only between integers), monotone steps have derivatives of
   the stated sign (derivatives taken here, by SymPy), and every leaf's bound --
   an enclosure, a mean-value form, or a point value -- is <= 0;
4. for a refutation, evaluates ``f`` at the exact witness: its lower end is > 0.

All arithmetic is mpmath's interval context (a private one, at the certificate's
precision plus 64 bits; the global ``mpmath.iv`` is untouched) -- different code
from the Arb endpoints the prover used.  Decisions compare exact rationals.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import mpmath
import sympy as sp
from mpmath.ctx_iv import MPIntervalContext
from mpmath.libmp.libmpf import to_rational

from symbound.errors import UsageError
from symbound.notation import SYMBOLS, g
from symbound.parse import parse_bound
from symbound.prove.interval import approx

__all__ = ["RecheckResult", "iv_lower_at", "recheck", "recheck_file"]


def _context(prec: int) -> MPIntervalContext:
    ctx = MPIntervalContext()
    ctx._mp = mpmath.mp
    ctx._iv = ctx
    ctx.prec = prec
    return ctx


def _q(x) -> Fraction:
    """An exact endpoint (a thin ivmpf or an mpf tuple) as a Fraction; inf is refused."""
    mpf = x._mpi_[0] if hasattr(x, "_mpi_") else x
    try:
        p, q = to_rational(mpf)
    except (ValueError, OverflowError):
        raise _Fail("an enclosure is unbounded") from None
    return Fraction(int(p), int(q))


def _ends(x) -> tuple[Fraction, Fraction]:
    a, b = x._mpi_
    return _q(a), _q(b)


class _Fail(Exception):
    pass


def _iv_rational(ctx, q: Fraction):
    return ctx.mpf(q.numerator) / ctx.mpf(q.denominator)


def _iv_interval(ctx, lo: Fraction, hi: Fraction):
    a, b = _iv_rational(ctx, lo), _iv_rational(ctx, hi)
    return ctx.mpf([a.a, b.b])


def _tanh(ctx, x):
    def at(v):  # tanh(v) = 1 - 2 / (exp(2 v) + 1), an enclosure at a thin point
        return 1 - 2 / (ctx.exp(2 * v) + 1)

    return ctx.mpf([at(x.a).a, at(x.b).b])  # increasing: endpoints to endpoints


def _evaluate(expr: sp.Basic, env: Mapping[str, object], ctx):
    if isinstance(expr, sp.Symbol):
        return env[expr.name]
    if isinstance(expr, sp.Rational):
        return _iv_rational(ctx, Fraction(int(expr.p), int(expr.q)))
    if expr is sp.pi:
        return ctx.pi
    if expr is sp.E:
        return ctx.exp(1)
    if isinstance(expr, sp.Add):
        out = _evaluate(expr.args[0], env, ctx)
        for a in expr.args[1:]:
            out = out + _evaluate(a, env, ctx)
        return out
    if isinstance(expr, sp.Mul):
        out = _evaluate(expr.args[0], env, ctx)
        for a in expr.args[1:]:
            out = out * _evaluate(a, env, ctx)
        return out
    if isinstance(expr, sp.Pow):
        base = _evaluate(expr.base, env, ctx)
        k = expr.exp
        if k.is_Integer:
            ki = int(k)
            if ki < 0:
                if _q(base.a) <= 0 <= _q(base.b):
                    raise _Fail("division by an interval containing 0")
                return 1 / base ** (-ki)
            return base**ki
        if k.is_Rational and k.q == 2:
            if _q(base.a) < 0:
                raise _Fail("square root of a negative interval")
            root = ctx.sqrt(base)
            if k.p < 0 and _q(base.a) <= 0:
                raise _Fail("division by an interval containing 0")
            return root ** int(k.p) if k.p > 0 else 1 / root ** int(-k.p)
        if _q(base.a) <= 0:
            raise _Fail("a real power of an interval reaching 0")
        return ctx.exp(_evaluate(k, env, ctx) * ctx.log(base))
    if isinstance(expr, sp.exp):
        return ctx.exp(_evaluate(expr.args[0], env, ctx))
    if isinstance(expr, sp.log):
        x = _evaluate(expr.args[0], env, ctx)
        if _q(x.a) <= 0:
            raise _Fail("logarithm of an interval reaching 0")
        return ctx.log(x)
    if isinstance(expr, sp.tanh):
        return _tanh(ctx, _evaluate(expr.args[0], env, ctx))
    if isinstance(expr, g):
        return ctx.expm1(_evaluate(expr.args[0], env, ctx))
    raise _Fail(f"cannot evaluate {type(expr).__name__} with intervals")


def _enclose(expr, box: Mapping[str, tuple[Fraction, Fraction]], ctx) -> tuple[Fraction, Fraction]:
    env = {n: _iv_interval(ctx, lo, hi) for n, (lo, hi) in box.items()}
    return _ends(_evaluate(expr, env, ctx))


def iv_lower_at(f: sp.Expr, where: Mapping[str, Fraction], prec: int = 256) -> Fraction:
    """Lower end of mpmath's interval enclosure of ``f`` at an exact point."""
    try:
        return _enclose(f, {n: (q, q) for n, q in where.items()}, _context(prec))[0]
    except _Fail:
        return Fraction(-1)


def _monomial_image(mono: sp.Expr, box) -> tuple[Fraction, Fraction]:
    """Exact image of a product of non-negative parameters' integer powers over a box."""
    lo = hi = Fraction(1)
    for factor in sp.Mul.make_args(mono):
        base, e = factor.as_base_exp()
        if not isinstance(base, sp.Symbol) or not e.is_Integer or base.name not in box:
            raise _Fail(f"substitute: {mono} is not a monomial of the box's parameters")
        a, b = box[base.name]
        k = int(e)
        if a < 0 or (k < 0 and a == 0):
            raise _Fail(f"substitute: {base} is not positive on its range")
        lo, hi = (lo * a**k, hi * b**k) if k > 0 else (lo * b**k, hi * a**k)
    return lo, hi


@dataclass(frozen=True)
class RecheckResult:
    ok: bool
    verdict: str
    nodes: int
    message: str


def _symbols(names) -> dict[str, sp.Symbol]:
    return {n: SYMBOLS.get(n, sp.Symbol(n, real=True)) for n in names}


def _box(doc: Mapping, where: str) -> dict[str, tuple[Fraction, Fraction]]:
    try:
        return {n: (Fraction(lo), Fraction(hi)) for n, (lo, hi) in doc.items()}
    except (ValueError, TypeError, ZeroDivisionError):
        raise UsageError(f"malformed box in the certificate's {where}: {doc!r}") from None


def _same(a: sp.Expr, b: sp.Expr) -> bool:
    diff = sp.expand(a - b)
    return diff == 0 or sp.simplify(diff) == 0


class _Checker:
    def __init__(self, f: sp.Expr, integers: set[str], ctx):
        self.f, self.integers, self.ctx = f, integers, ctx
        self.syms = {s.name: s for s in f.free_symbols}
        self.grads: dict[str, sp.Expr] = {}
        self.nodes = 0

    def grad(self, name: str) -> sp.Expr:
        if name not in self.grads:
            self.grads[name] = sp.diff(self.f, self.syms[name]) if name in self.syms else sp.S(0)
        return self.grads[name]

    def node(self, node: Mapping, box: dict[str, tuple[Fraction, Fraction]], path: str) -> None:
        self.nodes += 1
        given = _box(node.get("box", {}), path)
        if given != box:
            raise _Fail(f"{path}: the box is not the one its parent covers")
        by = node.get("by")
        if by == "enclosure":
            hi = _enclose(self.f, box, self.ctx)[1]
            if hi > 0:
                raise _Fail(f"{path}: enclosure upper end {approx(hi)} > 0")
        elif by == "mean-value":
            center = {n: Fraction(v) for n, v in node["center"].items()}
            if set(center) != set(box) or any(
                not (box[n][0] <= c <= box[n][1]) for n, c in center.items()
            ):
                raise _Fail(f"{path}: the mean-value centre is not in the box")
            total = _enclose(self.f, {n: (c, c) for n, c in center.items()}, self.ctx)[1]
            for n, (lo, hi) in box.items():
                if lo == hi:
                    continue
                glo, ghi = _enclose(self.grad(n), box, self.ctx)
                c = center[n]
                total += max(glo * (lo - c), glo * (hi - c), ghi * (lo - c), ghi * (hi - c))
            if total > 0:
                raise _Fail(f"{path}: mean-value bound {approx(total)} > 0")
        elif by == "monotone":
            face = dict(box)
            for n, spec in node["fixed"].items():
                lo, hi = box[n]
                glo, ghi = _enclose(self.grad(n), box, self.ctx)
                if spec["at"] == "hi" and glo >= 0:
                    face[n] = (hi, hi)
                elif spec["at"] == "lo" and ghi <= 0:
                    face[n] = (lo, lo)
                else:
                    raise _Fail(f"{path}: d/d{n} has no sign fixing {n} at its {spec['at']} end")
            self.node(node["face"], face, path + ".face")
        elif by == "split":
            n, at = node["variable"], Fraction(node["at"])
            lo, hi = box[n]
            if not lo <= at < hi if n in self.integers else not lo < at < hi:
                raise _Fail(f"{path}: split point {at} is not inside [{lo}, {hi}]")
            if n in self.integers:
                if at.denominator != 1:
                    raise _Fail(f"{path}: integer parameter {n} split at {at}")
                halves = ((lo, at), (at + 1, hi))
            else:
                halves = ((lo, at), (at, hi))
            children = node["children"]
            if len(children) != 2:
                raise _Fail(f"{path}: a split has two children")
            for i, (child, half) in enumerate(zip(children, halves, strict=True)):
                self.node(child, {**box, n: half}, f"{path}.{i}")
        else:
            raise _Fail(f"{path}: a box settled by {by!r} proves nothing")


def recheck(doc: Mapping) -> RecheckResult:
    """Re-verify a certificate (as loaded from JSON); see the module notes."""
    try:
        return _recheck(doc)
    except _Fail as exc:
        return RecheckResult(False, str(doc.get("verdict")), 0, str(exc))
    except (KeyError, TypeError, AttributeError) as exc:
        raise UsageError(f"malformed certificate: missing or wrong field ({exc})") from None


def _recheck(doc: Mapping) -> RecheckResult:
    if doc.get("certificate") != 1:
        raise UsageError("not a symbound certificate (no 'certificate': 1 field)")
    claim = doc["claim"]
    box0 = _box(claim["box"], "claim")
    integers = set(claim.get("integers", []))
    for n in integers:
        lo, hi = box0[n]
        if lo.denominator != 1 or hi.denominator != 1:
            raise _Fail(f"integer parameter {n} has non-integer bounds")
    prec = int(doc.get("precision_bits", 128)) + 64
    ctx = _context(prec)
    names = set(box0)
    for r in doc.get("reductions", []):
        if r["rule"] == "substitute":
            names.add(r["variable"])
    symbols = _symbols(names)
    f = parse_bound(claim["lhs"], symbols) - parse_bound(claim["rhs"], symbols)
    if {s.name for s in f.free_symbols} - set(box0):
        raise _Fail("the claim has a parameter without a range")
    verdict = doc.get("verdict")
    if verdict == "refuted":
        where = {n: Fraction(v) for n, v in doc["witness"].items()}
        for n, v in where.items():
            lo, hi = box0[n]
            if not lo <= v <= hi or (n in integers and v.denominator != 1):
                raise _Fail(f"the witness {n} = {v} is outside the claim's box")
        low = _enclose(f, {n: (v, v) for n, v in where.items()}, ctx)[0]
        if low <= 0:
            raise _Fail("at the witness, lhs - rhs is not certainly > 0")
        return RecheckResult(True, "refuted", 1, f"witness confirmed: lhs - rhs >= {approx(low)}")
    if verdict == "inconclusive":
        return RecheckResult(True, verdict, 0, "nothing to re-check: no proof and no witness")
    if verdict != "proved":
        raise UsageError(f"only proved or refuted verdicts can be re-checked, not {verdict!r}")

    stage_box = dict(box0)
    subs: list[tuple[sp.Symbol, sp.Expr]] = []
    strengthened = f
    for r in doc.get("reductions", []):
        if r["rule"] == "power-exp":
            term = parse_bound(r["term"], symbols)
            coeff = parse_bound(r["coefficient"], symbols)
            if not isinstance(term, sp.Pow):
                raise _Fail(f"power-exp: {term} is not a power")
            base, k = term.base, term.exp
            if _enclose(coeff, stage_box, ctx)[0] < 0:
                raise _Fail(f"power-exp: coefficient {coeff} may be negative")
            if _enclose(base, stage_box, ctx)[0] <= 0:
                raise _Fail(f"power-exp: base {base} may be <= 0")
            if _enclose(k, stage_box, ctx)[0] < 0:
                raise _Fail(f"power-exp: exponent {k} may be negative")
            strengthened = strengthened + coeff * (sp.exp(k * (base - 1)) - term)
        elif r["rule"] == "substitute":
            var = symbols[r["variable"]]
            mono = parse_bound(r["monomial"], symbols)
            lo, hi = (Fraction(x) for x in r["range"])
            mlo, mhi = _monomial_image(mono, stage_box)
            if mlo < lo or mhi > hi:
                raise _Fail(f"substitute: {mono} ranges over [{mlo}, {mhi}], beyond [{lo}, {hi}]")
            stage_box[var.name] = (lo, hi)
            subs.append((var, mono))
        else:
            raise UsageError(f"unknown reduction rule {r['rule']!r}")
    goal_doc = doc["goal"]
    goal_box = _box(goal_doc["box"], "goal")
    goal_f = parse_bound(goal_doc["f"], symbols)
    back = goal_f
    for var, mono in reversed(subs):
        back = back.subs(var, mono)
    if not _same(back, strengthened):
        raise _Fail("the goal, substituted back, is not the (strengthened) claim")
    for n in {s.name for s in goal_f.free_symbols}:
        if n not in goal_box:
            raise _Fail(f"the goal has no range for {n}")
        lo, hi = goal_box[n]
        slo, shi = stage_box[n]
        if lo > slo or hi < shi:
            raise _Fail(f"the goal's range for {n} misses part of [{slo}, {shi}]")
    goal_integers = set(goal_doc.get("integers", []))
    if not goal_integers <= integers:
        raise _Fail("the goal splits a parameter between integers that the claim calls real")
    checker = _Checker(goal_f, goal_integers, ctx)
    checker.node(doc["tree"], goal_box, "tree")
    return RecheckResult(
        True,
        "proved",
        checker.nodes,
        f"certificate re-verified: {checker.nodes} nodes, mpmath intervals at {prec} bits",
    )


def recheck_file(path: str | Path) -> RecheckResult:
    """Load a certificate file and :func:`recheck` it (one-line errors if unreadable)."""
    p = Path(path)
    try:
        doc = json.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UsageError(f"no certificate at {p}") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UsageError(f"cannot read the certificate {p}: {exc}") from None
    if not isinstance(doc, dict):
        raise UsageError(f"{p} is not a symbound certificate (a JSON object is expected)")
    return recheck(doc)
