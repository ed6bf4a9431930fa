"""Exact integer matrix products through float64 BLAS, and mpf matrices through them.

High-precision matrix products are the bulk of a high-precision attention forward
pass.  ``mpmath.matrix`` multiplies entry by entry in Python (one rounding per
operation, about a microsecond each).  Here an mpf matrix is scaled row by row (or
column by column) to integers of ``prec + 64`` bits, the integer product is computed
*exactly* by splitting every integer into 16-bit limbs and multiplying the limb
matrices with float64 BLAS (every partial sum is an integer below 2**53, so float64
is exact -- the Ozaki splitting scheme), and each entry of the exact result is
rounded once to the target precision.

Accuracy: each entry is the correctly rounded value of an exact dot product of the
inputs.  Inputs are represented exactly unless a row (of the left factor) or column
(of the right factor) spans more than ``prec + 64`` bits; then its smallest entries
are rounded at 2**-(prec+64) relative to its largest, and every output entry whose
value is not safely above that rounding's error bound is recomputed from the exact
inputs (mpmath's ``fdot``).  Short mantissas (float64 inputs) stay short, so their
products are cheap.  This is at least as accurate as ``mpmath.matrix``,
which rounds after every multiplication and addition.
"""

from __future__ import annotations

from collections.abc import Sequence

import mpmath
import numpy as np
from mpmath.libmp import from_rational, fzero, mpf_exp, mpf_sub, round_nearest

from symbound.numeric.backends._fixedexp import _EXP_GUARD, _EXP_MAX_MAG, _exp_fixed, _to_fixed

__all__ = ["int_matmul", "mpf_exp_array", "mpf_matmul", "mpf_softmax_matmul", "round_raw"]

_LIMB = 16
_GUARD = 64
#: Exactness of the limb products needs k * min(limbs) * 2**32 < 2**53.
_MAX_K_TIMES_LIMBS = 1 << 21
#: Entries of the per-chunk limb product kept in memory at once.
_CHUNK_ENTRIES = 1 << 22
#: Below this many multiply-adds the plain object product is faster.
_SMALL = 2048


def _digits(values: Sequence[int], limbs: int) -> np.ndarray:
    """Signed base-2**16 digits of each integer, least significant first, as float64."""
    size = 2 * limbs
    buf = b"".join(abs(v).to_bytes(size, "little") for v in values)
    digits = np.frombuffer(buf, dtype="<u2").astype(np.float64).reshape(len(values), limbs)
    signs = np.fromiter((-1.0 if v < 0 else 1.0 for v in values), dtype=np.float64)
    digits *= signs[:, None]
    return digits


def int_matmul(a: Sequence[Sequence[int]], b: Sequence[Sequence[int]]) -> np.ndarray:
    """The exact product of two integer matrices, as an object array of Python ints.

    >>> int_matmul([[2**200, -3]], [[5], [7]])[0, 0] == 5 * 2**200 - 21
    True
    """
    a_obj = np.array(a, dtype=object)
    b_obj = np.array(b, dtype=object)
    n, k = a_obj.shape
    k2, m = b_obj.shape
    if k != k2:
        raise ValueError(f"inner dimensions differ: {a_obj.shape} @ {b_obj.shape}")
    if n * k * m < _SMALL or k == 0:
        return a_obj @ b_obj
    a_flat = a_obj.ravel().tolist()
    b_flat = b_obj.ravel().tolist()
    la = max(1, -(-max(abs(v).bit_length() for v in a_flat) // _LIMB))
    lb = max(1, -(-max(abs(v).bit_length() for v in b_flat) // _LIMB))
    if k * min(la, lb) >= _MAX_K_TIMES_LIMBS:
        return a_obj @ b_obj
    a_limbs = _digits(a_flat, la).reshape(n, k, la).transpose(0, 2, 1).reshape(n * la, k)
    b_limbs = _digits(b_flat, lb).reshape(k, m * lb)
    width = la + lb - 1
    diag = np.zeros((n, m, width))
    rows = max(1, _CHUNK_ENTRIES // max(1, la * m * lb))
    for i0 in range(0, n, rows):
        i1 = min(n, i0 + rows)
        prod = (a_limbs[i0 * la : i1 * la] @ b_limbs).reshape(i1 - i0, la, m, lb)
        for s in range(la):
            diag[i0:i1, :, s : s + lb] += prod[:, s]
    acc = diag.astype(np.int64)
    for u in range(width - 1):
        carry = acc[..., u] >> _LIMB
        acc[..., u] -= carry << _LIMB
        acc[..., u + 1] += carry
    low = np.ascontiguousarray(acc[..., : width - 1].astype("<u2")).tobytes()
    top = acc[..., width - 1].ravel().tolist()
    step = 2 * (width - 1)
    shift = _LIMB * (width - 1)
    view = memoryview(low)
    out = [
        int.from_bytes(view[i * step : (i + 1) * step], "little") + (top[i] << shift)
        for i in range(n * m)
    ]
    result = np.empty(n * m, dtype=object)
    result[:] = out
    return result.reshape(n, m)


def _shift_round(man: int, sh: int) -> int:
    """``man * 2**-sh`` rounded to the nearest integer (halves up), for ``man >= 0`` and
    ``sh >= 1``; 0 without forming ``2**(sh - 1)`` when ``man`` is below it (a weight
    of e^-1e9 would otherwise build a billion-bit integer only to shift it away).

    >>> [_shift_round(m, 2) for m in (1, 2, 5, 6)], _shift_round(3, 10**12)
    ([0, 1, 1, 2], 0)
    """
    if man.bit_length() < sh:
        return 0
    return (man + (1 << (sh - 1))) >> sh


def round_raw(man: int, exp: int, prec: int) -> tuple:
    """The raw mpf tuple of ``man * 2**exp`` rounded to ``prec`` bits (nearest, ties to even).

    Same result as ``mpmath.libmp.from_man_exp(man, exp, prec, round_nearest)``, with
    the bit counting done by ``int.bit_length``.

    >>> round_raw(12, 0, 53)  # normalised: odd mantissa
    (0, 3, 2, 2)
    >>> round_raw(-0b10111, 0, 2)  # -23 -> -24 = -3 * 2**3
    (1, 3, 3, 2)
    """
    if not man:
        return fzero
    sign = 0
    if man < 0:
        sign, man = 1, -man
    bc = man.bit_length()
    if bc > prec:
        sh = bc - prec
        rem = man & ((1 << sh) - 1)
        half = 1 << (sh - 1)
        man >>= sh
        exp += sh
        if rem > half or (rem == half and man & 1):
            man += 1
    if not man & 1:
        tz = (man & -man).bit_length() - 1
        man >>= tz
        exp += tz
    return (sign, man, exp, man.bit_length())


def _scaled_rows(
    raw_rows: list[list[tuple]], bits: int
) -> tuple[list[list[int]], list[int], list[bool]]:
    """Scale each row of raw mpf tuples to integers, exactly when ``bits`` suffice.

    Returns ``(ints, shifts, rounded)`` with ``value = (ints[i][j] + r) * 2**-shifts[i]``,
    ``|r| <= 1/2``, and ``r = 0`` unless ``rounded[i]``.  A row whose entries span at
    most ``bits`` bits (from the top bit of the largest to the lowest bit of the
    smallest) is represented exactly with as few bits as possible; otherwise its
    largest entry gets ``bits`` bits and the smallest are rounded to nearest.
    """
    ints: list[list[int]] = []
    shifts: list[int] = []
    rounded: list[bool] = []
    for row in raw_rows:
        top = low = None
        for s, man, exp, bc in row:
            if man:
                if top is None:
                    top, low = exp + bc, exp
                else:
                    top = max(top, exp + bc)
                    low = min(low, exp)
            elif (s, man, exp, bc) != fzero:
                raise ValueError("matrix product of non-finite mpf entries (inf or nan)")
        if top is None:
            ints.append([0] * len(row))
            shifts.append(0)
            rounded.append(False)
            continue
        exact = top - low <= bits
        sh = -low if exact else bits - top
        out = []
        for s, man, exp, _bc in row:
            if not man:
                out.append(0)
                continue
            k = exp + sh
            v = man << k if k >= 0 else _shift_round(man, -k)
            out.append(-v if s else v)
        ints.append(out)
        shifts.append(sh)
        rounded.append(not exact)
    return ints, shifts, rounded


def _finish_product(
    c,
    a_sh,
    a_rounded,
    a_max,
    b_sh,
    b_rounded,
    b_max,
    k,
    prec,
    make_mpf,
    exact_entry,
    row_total=None,
) -> np.ndarray:
    """Round the exact integer product ``c`` entry by entry, with the safety net.

    Entry (i, j) is ``c[i, j] * 2**-(a_sh[i] + b_sh[j])``, or, with ``row_total``,
    ``c[i, j] * 2**-b_sh[j] / row_total[i]`` (a row-normalised product whose left
    factor has scale ``2**-a_sh[i]`` like its total).  Where a factor was rounded and
    the error bound of the integer product is not far below the entry, the entry is
    ``exact_entry(i, j)`` instead (a raw mpf from the unrounded inputs).
    """
    n, m = c.shape
    out = np.empty((n, m), dtype=object)
    for i in range(n):
        row = c[i]
        for j in range(m):
            cij = row[j]
            if a_rounded[i] or b_rounded[j]:
                # error of the integer product, in units of 2**-(a_sh + b_sh), times 4
                err4 = k * (
                    (2 * b_max[j] if a_rounded[i] else 0)
                    + (2 * a_max[i] if b_rounded[j] else 0)
                    + (1 if a_rounded[i] and b_rounded[j] else 0)
                )
                if err4 << (prec + 3) > 4 * abs(cij):
                    out[i, j] = make_mpf(exact_entry(i, j))
                    continue
            if row_total is None:
                raw = round_raw(cij, -(a_sh[i] + b_sh[j]), prec)
            elif b_sh[j] >= 0:
                raw = from_rational(cij, row_total[i] << b_sh[j], prec, round_nearest)
            else:
                raw = from_rational(cij << -b_sh[j], row_total[i], prec, round_nearest)
            out[i, j] = make_mpf(raw)
    return out


def _fdot_context(prec: int) -> mpmath.MPContext:
    ctx = mpmath.MPContext()
    ctx.prec = prec
    return ctx


def mpf_matmul(a: np.ndarray, b: np.ndarray, prec: int, make_mpf) -> np.ndarray:
    """Product of two 2-D object arrays of mpf, each entry rounded once to ``prec`` bits.

    ``make_mpf`` turns a raw mpf tuple into a number of the caller's context.  Where
    inputs had to be rounded (a row or column spanning more than ``prec + 64`` bits)
    and the rounding could matter for an output entry (its value is small against
    the error bound: cancellation, or tiny entries meeting large ones), that entry
    is recomputed from the exact inputs with mpmath's ``fdot``.

    >>> import mpmath
    >>> ctx = mpmath.MPContext(); ctx.prec = 200
    >>> A = np.array([[ctx.mpf(1), ctx.mpf(2)]], dtype=object)
    >>> B = np.array([[ctx.mpf(1) / 3], [ctx.mpf(1) / 7]], dtype=object)
    >>> C = mpf_matmul(A, B, 200, ctx.make_mpf)
    >>> abs(C[0, 0] - (ctx.mpf(1) / 3 + ctx.mpf(2) / 7)) < ctx.mpf(2) ** -199
    True
    >>> A = np.array([[ctx.mpf(1), ctx.mpf(2) ** -900]], dtype=object)
    >>> B = np.array([[ctx.mpf(0)], [ctx.mpf(1)]], dtype=object)
    >>> mpf_matmul(A, B, 200, ctx.make_mpf)[0, 0] == ctx.mpf(2) ** -900
    True
    """
    bits = prec + _GUARD
    a_raw = [[x._mpf_ for x in row] for row in a.tolist()]
    b_cols = [[x._mpf_ for x in col] for col in zip(*b.tolist(), strict=True)]
    if not a_raw or not b_cols:
        return np.empty((len(a_raw), len(b_cols)), dtype=object)
    a_int, a_sh, a_rounded = _scaled_rows(a_raw, bits)
    b_int_cols, b_sh, b_rounded = _scaled_rows(b_cols, bits)
    b_int = [list(r) for r in zip(*b_int_cols, strict=True)]
    c = int_matmul(a_int, b_int)
    a_max = [max(map(abs, row)) for row in a_int] if any(b_rounded) else None
    b_max = [max(map(abs, col)) for col in b_int_cols] if any(a_rounded) else None

    def exact_entry(i, j):
        ctx = _fdot_context(prec)
        pairs = zip(a_raw[i], b_cols[j], strict=True)
        return ctx.fdot((ctx.make_mpf(x), ctx.make_mpf(y)) for x, y in pairs)._mpf_

    return _finish_product(
        c, a_sh, a_rounded, a_max, b_sh, b_rounded, b_max, len(b_int), prec, make_mpf, exact_entry
    )


def mpf_softmax_matmul(s: np.ndarray, v: np.ndarray, mask, prec: int, make_mpf) -> np.ndarray:
    r"""``softmax(s) @ v`` row-wise (masked), without forming the probabilities as mpf.

    Each row's shifted logits :math:`s_{ij} - \max_j s_{ij}` are formed exactly in fixed
    point, exponentiated by the array kernel below, kept as integer weights scaled
    so that the row's largest is :math:`2^{\mathrm{prec}+64}`, multiplied by ``v``
    exactly, and each entry of the result divided by its row's total and rounded
    once.  Rows where a weight lost bits below ``prec`` (probabilities under
    :math:`2^{-64}` of the row's largest) get the same safety net as
    :func:`mpf_matmul`: entries whose value is not safely above the error bound are
    recomputed from mpf probabilities with ``fdot``.

    >>> import mpmath
    >>> ctx = mpmath.MPContext(); ctx.prec = 100
    >>> s = np.array([[ctx.mpf(0), ctx.mpf(-1)]], dtype=object)
    >>> v = np.array([[ctx.mpf(1)], [ctx.mpf(0)]], dtype=object)
    >>> out = mpf_softmax_matmul(s, v, None, 100, ctx.make_mpf)
    >>> abs(out[0, 0] - 1 / (1 + ctx.exp(-1))) < ctx.mpf(2) ** -99
    True
    """
    wp = prec + _EXP_GUARD
    scale = prec + _GUARD  # the largest weight of a row is 2**scale
    n, m = s.shape
    s_raw = [[x._mpf_ for x in row] for row in s.tolist()]
    allowed_rows = (
        [list(range(m))] * n
        if mask is None
        else [[j for j, ok in enumerate(row) if ok] for row in np.asarray(mask).tolist()]
    )
    limit = 1 << (_EXP_MAX_MAG + wp)
    weights = [[0] * m for _ in range(n)]
    rounded = [False] * n
    shifted: list[int] = []
    where: list[tuple[int, int]] = []
    for i in range(n):
        row = s_raw[i]
        fixed = {}
        for j in allowed_rows[i]:
            x = row[j]
            if not x[1] and x != fzero:
                raise ValueError("softmax of a non-finite logit (inf or nan)")
            fixed[j] = _to_fixed(x, wp)
        top = max(fixed.values())
        for j, f in fixed.items():
            if f == top:
                weights[i][j] = 1 << scale
            elif f - top > -limit:
                shifted.append(f - top)
                where.append((i, j))
            else:  # below 2**-(2**30) of the row's largest: zero at any working scale
                rounded[i] = True
    exps: dict[tuple[int, int], tuple[int, int]] = {}
    if shifted:
        mans, ks = _exp_fixed(shifted, wp)
        for (i, j), man, k in zip(where, mans, ks, strict=True):
            exps[i, j] = (man, k)
            sh = k + scale - wp  # weight = man * 2**(k - wp) * 2**scale
            if sh >= 0:
                weights[i][j] = man << sh
            else:
                weights[i][j] = _shift_round(man, -sh)
                if -sh > _EXP_GUARD:  # man has prec + 31 bits: fewer than prec are kept
                    rounded[i] = True
    totals = [sum(w) for w in weights]
    v_cols = [[x._mpf_ for x in col] for col in zip(*v.tolist(), strict=True)]
    v_int_cols, v_sh, v_rounded = _scaled_rows(v_cols, prec + _GUARD)
    v_int = [list(r) for r in zip(*v_int_cols, strict=True)]
    c = int_matmul(weights, v_int)
    w_max = [1 << scale] * n
    v_max = [max(map(abs, col)) for col in v_int_cols] if any(rounded) else None

    def exact_entry(i, j):
        ctx = _fdot_context(prec + 20)
        probs = []
        for jj in range(m):
            if (i, jj) in exps:
                man, k = exps[i, jj]
                probs.append(ctx.make_mpf(round_raw(man, k - wp, prec + 20)))
            else:
                probs.append(ctx.mpf(1) if weights[i][jj] == 1 << scale else ctx.mpf(0))
        dot = ctx.fdot((p, ctx.make_mpf(y)) for p, y in zip(probs, v_cols[j], strict=True))
        return round_raw_mpf(dot / ctx.fsum(probs), prec)

    return _finish_product(
        c,
        [scale] * n,
        rounded,
        w_max,
        v_sh,
        v_rounded,
        v_max,
        m,
        prec,
        make_mpf,
        exact_entry,
        row_total=totals,
    )


def round_raw_mpf(x, prec: int) -> tuple:
    """The raw tuple of an mpf rounded to ``prec`` bits."""
    sign, man, exp, _bc = x._mpf_
    return round_raw(-man if sign else man, exp, prec)


def mpf_exp_array(raw: list[tuple], prec: int, shift: list[tuple] | None = None) -> list[tuple]:
    r"""``exp(x - c)`` for raw mpf tuples ``x`` in ``raw`` (and ``c`` in ``shift``, default 0).

    Results are raw tuples rounded to ``prec`` bits.  The difference ``x - c`` is
    formed in fixed point with ``prec + 30`` bits, never rounded to ``prec`` first,
    so a large common offset of the logits (softmax at :math:`|s| \sim 10^6`) costs
    no accuracy.

    >>> from mpmath.libmp import from_int, to_str
    >>> to_str(mpf_exp_array([from_int(1)], 100)[0], 25)
    '2.718281828459045235360287'
    >>> big = from_int(10**6)
    >>> to_str(mpf_exp_array([from_int(10**6 - 1)], 100, [big])[0], 25)
    '0.3678794411714423215955238'
    """
    wp = prec + _EXP_GUARD
    out: list[tuple | None] = [None] * len(raw)
    idx: list[int] = []
    fixed: list[int] = []
    limit = 1 << (_EXP_MAX_MAG + wp)
    shifts: dict[int, int | None] = {}  # the shift repeats along a row: convert it once
    for i, x in enumerate(raw):
        c = shift[i] if shift is not None else fzero
        fc = shifts.get(id(c), 0)
        if fc == 0 and id(c) not in shifts:
            fc = shifts[id(c)] = _to_fixed(c, wp) if (c[1] or c == fzero) else None
        z = _to_fixed(x, wp) - fc if fc is not None and (x[1] or x == fzero) else None
        if z is not None and z and -limit < z < limit:
            idx.append(i)
            fixed.append(z)
        else:  # zero, non-finite or huge: the scalar routine, on the exact difference
            out[i] = mpf_exp(mpf_sub(x, c), prec, round_nearest)
    if idx:
        mans, ks = _exp_fixed(fixed, wp)
        for i, man, k in zip(idx, mans, ks, strict=True):
            out[i] = round_raw(man, k - wp, prec)
    return out  # type: ignore[return-value]
