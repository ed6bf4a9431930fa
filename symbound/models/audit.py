r"""Audit a real checkpoint: the catalogue's depth bounds at real weights, beside the truth.

The paper's bounds are stated for a model of attention that real encoders extend
(biases, LayerNorm, MLPs).  The audit keeps the part the bounds speak about -- the
*attention-only stack*
:math:`X^{(\ell)} = X^{(\ell-1)} + \sum_h \mathrm{SAtt}_{\ell,h}(X^{(\ell-1)})`
with the checkpoint's real :math:`W_Q, W_K, W_V, W_O` (biases, LayerNorms and MLPs
left out) -- and feeds it a real input: the embeddings of a fixed sentence
(word + position + token type, then the embedding LayerNorm).

Per layer it reports η under both conventions (the largest entry and the largest
row sum of :math:`W_V^h W_O^h`, maximised over heads) and
:math:`\kappa = \max_h \|W_Q^h {W_K^h}^\top\|_{\max} / \beta` with
:math:`\beta = \sqrt{d_{head}}`.  Then every network lemma of the catalogue (those
whose instances are ``X, M, V``) is evaluated: its hypotheses' quantities measured
on the real network give the parameter values (φ₀, η, κ: the tightest values for
which the hypotheses hold), its bound is evaluated there, and its left-hand side
measured.  The composed depth bounds are evaluated at the same values.

A bound is **vacuous** when it is at least the trivial bound on the same quantity
(for a distance ‖A(X) − B(X)‖: ‖A(X)‖ + ‖B(X)‖, from the triangle inequality) or
overestimates the measured value more than 1000-fold; otherwise **informative**.
A bound below the measured value is **VIOLATED**; for one-head lemmas the violation
is then re-established rigorously in Arb (the float32-born weights enter exactly).

One-head lemmas (``M``, ``V`` of one head) are evaluated on every head of every
layer, fed that layer's input in the attention-only stack, and reported at the head
closest to (or furthest beyond) its bound.

Lemmas stated on the factors (``X, WQ, WK, V`` with square ``d x d`` weights, as
Theorem 5.3 is) see the same network (:func:`factored_instance`): each
:math:`W_Q^h / \beta` and :math:`W_K^h` (``d x d_head``) padded with zero columns to
``d x d``, which changes neither :math:`W_Q W_K^\top` nor any row sum or entry, and
:math:`W_V^h W_O^h` as the value matrix; η is then the largest norm of the three.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import mpmath
import numpy as np

from symbound.check.evaluate import measured_parameters
from symbound.compose import ComposedBound
from symbound.lemmas.catalogue import Catalogue, load_catalogue
from symbound.lemmas.model import Lemma
from symbound.models.checkpoint import BertCheckpoint, embed
from symbound.numeric.backends import Float64Backend, MpmathBackend
from symbound.numeric.expr import compile_expr
from symbound.numeric.norms import max_norm, row_sum_norm

__all__ = [
    "Audit",
    "BoundRow",
    "LayerStats",
    "audit",
    "audit_files",
    "factored_instance",
    "network_instance",
    "trivial_bound",
]

_F64 = Float64Backend()
_HP = MpmathBackend(dps=30)
#: a bound more than this many times the measured value says nothing useful
OVERESTIMATE = 1000


@dataclass(frozen=True)
class LayerStats:
    """η (largest entry and largest row sum of W_V W_O over heads) and κ = ‖W_Q W_Kᵀ‖_max/β."""

    layer: int
    eta_entry: float
    eta_rowsum: float
    kappa: float


@dataclass(frozen=True)
class BoundRow:
    """One bound at real weights: its value, the measured quantity, the verdict."""

    key: str
    kind: str  # "lemma" or "composed"
    quantity: str
    norm: str
    values: dict[str, float]
    bound: str  # a decimal (bounds overflow floats: (1 + 12 * 17)^18)
    measured: float
    trivial: float | None
    verdict: str
    quantity_latex: str = ""

    @property
    def slack(self) -> str:
        """bound / measured, as a short decimal."""
        with mpmath.workdps(20):
            if self.measured <= 0:
                return "inf"
            return mpmath.nstr(mpmath.mpf(self.bound) / self.measured, 3)

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "kind": self.kind,
            "quantity": self.quantity,
            "norm": self.norm,
            "values": {k: _round(v) for k, v in sorted(self.values.items())},
            "bound": self.bound,
            "measured": _round(self.measured),
            "trivial": None if self.trivial is None else _round(self.trivial),
            "slack": self.slack,
            "verdict": self.verdict,
        }


def _round(x: float) -> float:
    return float(f"{x:.6g}")


@dataclass(frozen=True)
class Audit:
    """Everything :func:`audit` measured (JSON via :meth:`to_dict`, text via :meth:`summary`)."""

    model: str
    config: dict[str, int]
    token_ids: tuple[int, ...]
    phi0_entry: float
    phi0_rowsum: float
    layers: tuple[LayerStats, ...]
    rows: tuple[BoundRow, ...]
    measured: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "config": dict(self.config),
            "token_ids": list(self.token_ids),
            "phi0": {"entry": _round(self.phi0_entry), "row_sum": _round(self.phi0_rowsum)},
            "layers": [
                {
                    "layer": s.layer,
                    "eta_entry": _round(s.eta_entry),
                    "eta_row_sum": _round(s.eta_rowsum),
                    "kappa": _round(s.kappa),
                }
                for s in self.layers
            ],
            "attention_only_stack": {k: _round(v) for k, v in sorted(self.measured.items())},
            "bounds": [r.to_dict() for r in self.rows],
        }

    def summary(self) -> str:
        c = self.config
        lines = [
            f"audit of {self.model}: {c['layers']} layers, {c['heads']} heads, d = {c['d']}, "
            f"n = {len(self.token_ids)} tokens",
            f"input: phi0 = {self.phi0_rowsum:.4g} (largest row sum), "
            f"{self.phi0_entry:.4g} (largest entry)",
            "layer  eta (entry)  eta (row sum)  kappa = |W_Q W_K^T|_max / beta",
        ]
        for s in self.layers:
            lines.append(f"{s.layer:5d}  {s.eta_entry:11.4g}  {s.eta_rowsum:13.4g}  {s.kappa:.4g}")
        width = max(len(r.key) for r in self.rows)
        lines.append(f"{'bound':<{width}}  {'value':>10}  {'measured':>10}  {'slack':>9}  verdict")
        for r in self.rows:
            with mpmath.workdps(20):
                value = mpmath.nstr(mpmath.mpf(r.bound), 4)
            lines.append(
                f"{r.key:<{width}}  {value:>10}  {r.measured:10.4g}  {r.slack:>9}  {r.verdict}"
            )
        informative = sum(r.verdict == "informative" for r in self.rows)
        lines.append(f"{informative} of {len(self.rows)} bounds informative at these weights")
        return "\n".join(lines)


def network_instance(ckpt: BertCheckpoint, X: np.ndarray) -> dict[str, Any]:
    """The attention-only stack as a catalogue network instance (``X, M, V``).

    ``M = W_Q W_Kᵀ / β`` per head (β = √d_head folded in, so the network's own β is 1)
    and ``V = W_V W_O`` per head; biases are left out (the lemmas have none).
    """
    beta = math.sqrt(ckpt.d // ckpt.heads)
    M = np.stack(
        [np.stack([h.W_Q @ h.W_K.T / beta for h in layer.heads]) for layer in ckpt.attention]
    )
    V = np.stack([np.stack([h.W_V @ h.W_O for h in layer.heads]) for layer in ckpt.attention])
    n = X.shape[0]
    return {
        "n": n,
        "d": ckpt.d,
        "H": ckpt.heads,
        "L": ckpt.layers,
        "ell": ckpt.layers - 1,
        "X": X,
        "M": M,
        "V": V,
        "beta": 1,
    }


def factored_instance(ckpt: BertCheckpoint, X: np.ndarray) -> dict[str, Any]:
    """The attention-only stack as an instance of a lemma on the factors (``X, WQ, WK,
    V``, each weight ``d x d``): ``W_Q / β`` and ``W_K`` padded with zero columns (β =
    √d_head folded into W_Q, so the network's own β is 1), ``V = W_V W_O``, and their
    logit matrices ``M`` (which a lemma on the factors would otherwise form itself)."""
    beta = math.sqrt(ckpt.d // ckpt.heads)
    inst = network_instance(ckpt, X)

    def padded(W):
        return np.pad(W, ((0, 0), (0, ckpt.d - W.shape[1])))

    heads = [[(h.W_Q / beta, h.W_K) for h in layer.heads] for layer in ckpt.attention]
    inst["WQ"] = np.stack([np.stack([padded(q) for q, _ in layer]) for layer in heads])
    inst["WK"] = np.stack([np.stack([padded(k) for _, k in layer]) for layer in heads])
    # the logit matrices once, for every such lemma: (W_Q/β) W_Kᵀ from the unpadded
    # factors, the padded product's value (its extra terms are zeros) at d_head/d its cost
    inst["M"] = np.stack([np.stack([q @ k.T for q, k in layer]) for layer in heads])
    return inst


def _kind(lemma) -> str | None:
    """ "network" (M, V of shape (layers, heads, d, d)), "factored" (WQ, WK, V so),
    "head" (one head's M, V), or None."""
    shapes = {v.name: v.shape for v in lemma.variables}
    if set(shapes) == {"X", "WQ", "WK", "V"} and all(
        len(shapes[k]) == 4 for k in shapes if k != "X"
    ):
        return "factored"
    if set(shapes) != {"X", "M", "V"}:
        return None
    return "network" if len(shapes["M"]) == 4 else "head" if len(shapes["M"]) == 2 else None


def _measure_parameters(lemma, inst) -> dict[str, float]:
    """The tightest parameter values for which the lemma's hypotheses hold on ``inst``."""
    return {k: float(v) for k, v in measured_parameters(lemma, inst, _F64).items()}


def _bound(expr, inst, values) -> str:
    point = {k: v for k, v in inst.items() if isinstance(v, int)}
    point.update({k: Fraction(v) for k, v in values.items()})
    value = compile_expr(expr)(point, _HP)
    return _HP.ctx.nstr(value, 12)


def _worst_head(lemma, inst, states):
    """A one-head lemma on every head (fed its layer's input): the head closest to its bound."""
    best = None
    layers, heads = inst["M"].shape[:2]
    for ell in range(layers):
        for h in range(heads):
            one = {"n": inst["n"], "d": inst["d"], "X": states[ell]}
            one.update(M=inst["M"][ell, h], V=inst["V"][ell, h], beta=1)
            values = _measure_parameters(lemma, one)
            lhs = float(lemma.conclusion.lhs.evaluate({**one, **values}, _F64))
            bound = _bound(lemma.conclusion.rhs, one, values)
            with mpmath.workdps(30):
                ratio = lhs / mpmath.mpf(bound) if mpmath.mpf(bound) > 0 else mpmath.inf
            if best is None or ratio > best[0]:
                best = (ratio, lhs, values, bound, f"layer {ell + 1}, head {h + 1}", one)
    return best[1:]


def _exceeds(measured: float, bound: str) -> bool:
    with mpmath.workdps(30):
        return measured > mpmath.mpf(bound)


def _certified_violation(lemma, inst, prec: int = 128) -> bool:
    """Whether lhs > rhs holds rigorously on ``inst`` (float weights enter Arb exactly).

    The parameters are set to the upper ends of their hypotheses' enclosures (so the
    hypotheses hold) and the bound, increasing in them, is evaluated there.
    """
    from symbound.numeric.backends import ArbBackend

    arb = ArbBackend(prec=prec)
    point = {k: (arb.asarray(v) if isinstance(v, np.ndarray) else v) for k, v in inst.items()}
    point.update(measured_parameters(lemma, point, arb))
    with arb.scope():
        lhs = lemma.conclusion.lhs.evaluate(point, arb)
        rhs = compile_expr(lemma.conclusion.rhs)(point, arb)
        return bool(lhs.lower() > rhs.upper())


def trivial_bound(lemma, point) -> float | None:
    """The triangle-inequality bound on a distance, None for other quantities.

    A distance is a quantity of the claim language that is the norm of a difference,
    ``norm(A - B, kind)``; its trivial bound is ``norm(A, kind) + norm(B, kind)``, in the
    same norm, evaluated at ``point`` (the instance and its measured parameters).
    """
    from symbound.claims.evaluation import evaluate
    from symbound.claims.terms import Apply

    term = getattr(lemma.conclusion.lhs.evaluate, "term", None)
    if not (isinstance(term, Apply) and term.op == "norm" and isinstance(term.args[0], Apply)):
        return None
    if term.args[0].op != "sub":
        return None
    sides = (Apply.of("norm", side, options=term.options) for side in term.args[0].args)
    return float(sum(float(evaluate(side, point, _F64)) for side in sides))


def _verdict(bound: str, measured: float, trivial: float | None) -> str:
    with mpmath.workdps(30):
        b = mpmath.mpf(bound)
        if measured > b:
            return "VIOLATED"
        if trivial is not None and b >= trivial:
            return "vacuous"
        if measured > 0 and b > OVERESTIMATE * measured:
            return "vacuous"
        return "informative"


def audit(
    ckpt: BertCheckpoint,
    ids: Sequence[int],
    *,
    catalogue: Catalogue | None = None,
    lemmas: Iterable[Lemma] | None = None,
    composed: Iterable[ComposedBound] | None = None,
    model_name: str | None = None,
) -> Audit:
    """Audit ``ckpt`` on the input ``ids`` (see the module notes): the network lemmas of
    ``lemmas`` and the bounds of ``composed`` composed from them (default: every claim
    and composed bound of ``catalogue``, by default the built-in one)."""
    from symbound.lemmas.networks import run, surrogate_one_layer

    if lemmas is None or composed is None:
        cat = catalogue or load_catalogue()
        lemmas = cat.claims.values() if lemmas is None else lemmas
        composed = cat.composed.values() if composed is None else composed
    by_key = {lemma.key: lemma for lemma in lemmas}
    X = embed(ckpt, ids)
    inst = network_instance(ckpt, X)
    layers = tuple(
        LayerStats(
            layer=ell + 1,
            eta_entry=float(np.max(max_norm(inst["V"][ell]))),
            eta_rowsum=float(np.max(row_sum_norm(inst["V"][ell]))),
            kappa=float(np.max(max_norm(inst["M"][ell]))),
        )
        for ell in range(ckpt.layers)
    )
    states = run(inst, _F64)
    SX = states[-1]
    SpX = surrogate_one_layer(inst, _F64)
    measured = {
        "phi_L (row sum of S(X))": float(row_sum_norm(SX)),
        "distance to the input |S(X) - X|": float(row_sum_norm(SX - X)),
        "distance to the surrogate |S(X) - S'(X)|": float(row_sum_norm(SX - SpX)),
    }
    rows: list[BoundRow] = []
    measured_by_key: dict[str, tuple[float, dict[str, float], float | None]] = {}
    factored = None
    for key, lemma in by_key.items():
        kind = _kind(lemma)
        if kind is None:
            continue
        if kind in ("network", "factored"):
            if kind == "factored" and factored is None:
                factored = factored_instance(ckpt, X)
            on = inst if kind == "network" else factored
            values = _measure_parameters(lemma, on)
            lhs = float(lemma.conclusion.lhs.evaluate({**on, **values}, _F64))
            bound = _bound(lemma.conclusion.rhs, on, values)
            trivial = trivial_bound(lemma, {**on, **values})
            measured_by_key[key] = (lhs, values, trivial)
            label = "lemma" if kind == "network" else "lemma, on W_Q/β and W_K zero-padded to d × d"
        else:
            lhs, values, bound, where, one = _worst_head(lemma, inst, states)
            trivial = None
            label = f"lemma, worst head ({where})"
            if _exceeds(lhs, bound) and _certified_violation(lemma, one):
                label += "; violation certified in Arb"
        rows.append(
            BoundRow(
                key=key,
                kind=label,
                quantity=lemma.conclusion.lhs.text,
                norm=lemma.norm,
                values=values,
                bound=bound,
                measured=lhs,
                trivial=trivial,
                verdict=_verdict(bound, lhs, trivial),
                quantity_latex=lemma.conclusion.lhs.latex,
            )
        )
    for through_depth in composed:
        key = through_depth.key
        source = next((u for u in through_depth.uses if u in measured_by_key), None)
        if source is None:
            continue
        lhs, values, trivial = measured_by_key[source]
        depth = inst["ell"] if "ell" in {p.name for p in by_key[source].parameters} else inst["L"]
        point = {**inst, through_depth.depth.name: depth}
        names = {p.name for p in through_depth.parameters}
        if not names <= set(point) | set(values):
            continue  # a reading with parameters the network does not measure
        bound = _bound(through_depth.closed_form, point, values)
        rows.append(
            BoundRow(
                key=key,
                kind="composed",
                quantity=through_depth.quantity,
                norm=by_key[source].norm,
                values=values,
                bound=bound,
                measured=lhs,
                trivial=trivial,
                verdict=_verdict(bound, lhs, trivial),
                quantity_latex=through_depth.quantity_latex,
            )
        )
    return Audit(
        model=model_name or ckpt.path.name,
        config={"layers": ckpt.layers, "heads": ckpt.heads, "d": ckpt.d},
        token_ids=tuple(int(i) for i in ids),
        phi0_entry=float(max_norm(X)),
        phi0_rowsum=float(row_sum_norm(X)),
        layers=layers,
        rows=tuple(rows),
        measured=measured,
    )


def _sci(text_or_float) -> str:
    """A number for a LaTeX table cell: 4 significant digits, exponents as \\num does."""
    with mpmath.workdps(30):
        x = mpmath.mpf(text_or_float)
        return r"\num{" + mpmath.nstr(x, 4, min_fixed=-3, max_fixed=5) + "}"


def audit_files(result: Audit) -> dict[str, str]:
    """``audit.tex`` (through the Jinja template) and ``audit.json``, rendered in memory."""
    import json

    from symbound.render.latex import environment
    from symbound.render.tex import tex_escape, tex_key

    rows = [
        {
            "key": tex_key(r.key),
            "kind": tex_escape(r.kind),
            "quantity": f"${r.quantity_latex}$" if r.quantity_latex else tex_escape(r.quantity),
            "bound": _sci(r.bound),
            "measured": _sci(r.measured),
            "slack": _sci(r.slack) if r.slack != "inf" else "--",
            "verdict": tex_escape(r.verdict),
        }
        for r in result.rows
    ]
    tex = (
        environment()
        .get_template("appendix/audit.tex.j2")
        .render(
            model=tex_escape(result.model),
            layers=result.config["layers"],
            heads=result.config["heads"],
            d=result.config["d"],
            n=len(result.token_ids),
            phi0_rowsum=f"{result.phi0_rowsum:.4g}",
            phi0_entry=f"{result.phi0_entry:.4g}",
            stats=[
                {
                    "layer": s.layer,
                    "eta_entry": f"{s.eta_entry:.4f}",
                    "eta_rowsum": f"{s.eta_rowsum:.3f}",
                    "kappa": f"{s.kappa:.4f}",
                }
                for s in result.layers
            ],
            rows=rows,
            informative=sum(r.verdict == "informative" for r in result.rows),
            total=len(result.rows),
        )
    )
    doc = json.dumps(result.to_dict(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    return {"audit.tex": tex, "audit.json": doc}
