/* One attention head, softmax(beta^-1 X W_Q W_K^T X^T) X W_V, in Arb balls in one C call.

   The optional compiled kernel behind symbound.numeric.backends.arb.ArbBackend.fused_head
   (symbound/numeric/backends/arb.py falls back to python-flint when not built).  It is
   built against Arb's C library (Debian's libflint-arb-dev) and shares no objects with
   python-flint: floats come in as buffers, every operation is an outward-rounded Arb
   operation at the working precision `prec` or exact integer arithmetic, and the balls
   go out as integers on a common power of two, so that Python rebuilds them exactly:

       ball_ij  is contained in  [mid_ij - rad_ij, mid_ij + rad_ij] * 2^e

   (a midpoint rounded to the integer grid adds its rounding error to the radius, and a
   radius is rounded up).  Inputs must be finite; where the kernel does not apply (a
   logit above 2^40 in size, a row with nothing to attend to, inputs spanning more than
   4096 binary orders, a result that is not finite) it returns None and the caller
   takes the general path. */

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <flint/flint.h>
#include <flint/fmpz.h>
#include <flint/fmpz_vec.h>
#include <gmp.h>

#include "arb.h"

#define MAX_PREC (1L << 24) /* the largest working precision taken (bits) */

/* ---- exact integer matrices as dense limbs --------------------------------------

   Entry (i, j) of an r x c matrix is (-1)^neg[i c + j] times the L-limb magnitude at
   d + (i c + j) L (least significant limb first).  Products are exact (GMP's mpn_addmul_1
   per limb of the right factor), positive and negative terms in two accumulators. */
typedef struct {
    slong r, c, L;
    mp_limb_t *d;
    unsigned char *neg;
} lmat;

static int
lmat_init(lmat *A, slong r, slong c, slong L)
{
    A->r = r;
    A->c = c;
    A->L = L;
    A->d = calloc((size_t) (r * c * L), sizeof(mp_limb_t));
    A->neg = calloc((size_t) (r * c), 1);
    return A->d != NULL && A->neg != NULL;
}

static void
lmat_clear(lmat *A)
{
    free(A->d);
    free(A->neg);
    A->d = NULL;
    A->neg = NULL;
}

#define LENTRY(A, i, j) ((A)->d + ((i) * (A)->c + (j)) * (A)->L)

/* the number of limbs an entry needs at most (>= 1) */
static slong
lmat_used(const lmat *A)
{
    slong used = 1;
    for (slong i = 0; i < A->r * A->c; i++) {
        slong k = A->L;
        while (k > used && A->d[i * A->L + k - 1] == 0)
            k--;
        used = FLINT_MAX(used, k);
    }
    return used;
}

/* acc += a b, with a of an limbs, b of bn limbs and acc of accn > an + bn limbs (no
   overflow by the caller's sizing): GMP's mpn_addmul_1 per limb of b (measured: at 2
   to 6 limbs this beats one mpn_mul per term and an inline __int128 loop). */
static inline void
addmul(mp_limb_t *acc, slong accn, const mp_limb_t *a, slong an, const mp_limb_t *b, slong bn)
{
    for (slong l = 0; l < bn; l++) {
        if (b[l] == 0)
            continue;
        mp_limb_t carry = mpn_addmul_1(acc + l, a, an, b[l]);
        mpn_add_1(acc + l + an, acc + l + an, accn - l - an, carry);
    }
}

/* C = A B (A: r x s, B: s x t), exact; C is initialised here, with only the limbs used */
static int
lmat_mul(lmat *C, const lmat *A, const lmat *B, int transpose_b)
{
    slong r = A->r, s = A->c, t = transpose_b ? B->r : B->c, L = A->L + B->L + 1;
    lmat W;
    mp_limb_t *pos = calloc((size_t) L, sizeof(mp_limb_t));
    mp_limb_t *neg = calloc((size_t) L, sizeof(mp_limb_t));
    if (pos == NULL || neg == NULL || !lmat_init(&W, r, t, L)) {
        free(pos);
        free(neg);
        return 0;
    }
    for (slong i = 0; i < r; i++)
        for (slong k = 0; k < t; k++) {
            memset(pos, 0, (size_t) L * sizeof(mp_limb_t));
            memset(neg, 0, (size_t) L * sizeof(mp_limb_t));
            for (slong j = 0; j < s; j++) {
                const mp_limb_t *a = LENTRY(A, i, j);
                slong bj = transpose_b ? k * B->c + j : j * B->c + k;
                const mp_limb_t *b = B->d + bj * B->L;
                addmul((A->neg[i * s + j] ^ B->neg[bj]) ? neg : pos, L, a, A->L, b, B->L);
            }
            mp_limb_t *out = LENTRY(&W, i, k);
            if (mpn_cmp(pos, neg, L) >= 0) {
                mpn_sub_n(out, pos, neg, L);
            } else {
                mpn_sub_n(out, neg, pos, L);
                W.neg[i * t + k] = 1;
            }
        }
    free(pos);
    free(neg);
    /* keep only the limbs in use */
    slong used = lmat_used(&W);
    if (!lmat_init(C, r, t, used)) {
        lmat_clear(&W);
        return 0;
    }
    for (slong i = 0; i < r * t; i++) {
        memcpy(C->d + i * used, W.d + i * L, (size_t) used * sizeof(mp_limb_t));
        C->neg[i] = W.neg[i];
    }
    lmat_clear(&W);
    return 1;
}

/* T = |A|^T */
static int
lmat_abs_transpose(lmat *T, const lmat *A)
{
    if (!lmat_init(T, A->c, A->r, A->L))
        return 0;
    for (slong i = 0; i < A->r; i++)
        for (slong j = 0; j < A->c; j++)
            memcpy(LENTRY(T, j, i), LENTRY(A, i, j), (size_t) A->L * sizeof(mp_limb_t));
    return 1;
}

/* y = entry * 2^e, exactly */
static void
arb_set_lentry(arb_t y, const lmat *A, slong i, slong j, slong e)
{
    const mp_limb_t *x = LENTRY(A, i, j);
    slong n = A->L;
    while (n > 0 && x[n - 1] == 0)
        n--;
    if (n == 0) {
        arb_zero(y);
        return;
    }
    arf_set_mpn(arb_midref(y), x, n, A->neg[i * A->c + j]);
    mag_zero(arb_radref(y));
    arb_mul_2exp_si(y, y, e);
}

static void
fmpz_set_lentry_abs(fmpz_t z, const lmat *A, slong i, slong j)
{
    fmpz_set_ui_array(z, LENTRY(A, i, j), A->L);
}

/* A = M * 2^e exactly with an integer matrix M: every double is a 53-bit integer times
   a power of two, and all of them are brought to the smallest of those powers.  -1
   (and a Python error) for a non-finite entry, a wrong buffer size or no memory, 1
   when the entries span more than 4096 binary orders (the caller takes the general
   path). */
static int
dyadic(lmat *A, slong *e, const Py_buffer *buf, slong rows, slong cols, const char *name)
{
    if (buf->len != (Py_ssize_t) (rows * cols * sizeof(double))) {
        PyErr_Format(PyExc_ValueError, "%s: expected %zd float64 entries, got %zd bytes",
                     name, (Py_ssize_t) (rows * cols), buf->len);
        return -1;
    }
    const double *x = (const double *) buf->buf;
    int lo = INT_MAX, hi = INT_MIN, ex;
    for (slong i = 0; i < rows * cols; i++) {
        if (!isfinite(x[i])) {
            PyErr_Format(PyExc_ValueError, "%s: entries must be finite", name);
            return -1;
        }
        if (x[i] != 0) {
            frexp(x[i], &ex);
            lo = FLINT_MIN(lo, ex);
            hi = FLINT_MAX(hi, ex);
        }
    }
    if (lo != INT_MAX && hi - lo > 4096)
        return 1;
    *e = lo == INT_MAX ? 0 : (slong) lo - 53;
    if (!lmat_init(A, rows, cols, lo == INT_MAX ? 1 : (hi - lo + 53) / FLINT_BITS + 1)) {
        PyErr_NoMemory();
        return -1;
    }
    for (slong i = 0; i < rows * cols; i++) {
        if (x[i] == 0)
            continue;
        double f = frexp(x[i], &ex); /* x = f 2^ex, 1/2 <= |f| < 1 */
        mp_limb_t mant = (mp_limb_t) ldexp(fabs(f), 53); /* below 2^53: exact */
        slong shift = ex - lo, w = shift / FLINT_BITS, bit = shift % FLINT_BITS;
        mp_limb_t *z = A->d + i * A->L;
        z[w] = mant << bit;
        if (bit > 0 && w + 1 < A->L)
            z[w + 1] = mant >> (FLINT_BITS - bit);
        A->neg[i] = f < 0;
    }
    return 0;
}

/* y as integers on the grid 2^g: y lies in [mid - rad, mid + rad] 2^g (the midpoint
   rounded to nearest with its error, at most 1/2, added to the radius; the radius
   rounded up).  t and u are scratch. */
static void
ball_on_grid(fmpz_t mid, fmpz_t rad, arb_srcptr y, slong g, arf_t t, mag_t u)
{
    arf_mul_2exp_si(t, arb_midref(y), -g);
    int inexact = arf_get_fmpz(mid, t, ARF_RND_NEAR);
    mag_mul_2exp_si(u, arb_radref(y), -g);
    mag_get_fmpz(rad, u);
    if (inexact)
        fmpz_add_ui(rad, rad, 1);
}

/* the least e with |y| < 2^e for every point of y, or WORD_MIN when y is exactly 0 */
static slong
upper_exponent(arb_srcptr y, arf_t t)
{
    arb_get_abs_ubound_arf(t, y, 30);
    return arf_is_zero(t) ? WORD_MIN : arf_abs_bound_lt_2exp_si(t);
}

/* a Python int from an fmpz (small ones directly, big ones from their limbs; z is
   left as |z|) */
static PyObject *
int_from_fmpz(fmpz_t z, mp_limb_t *scratch, slong room)
{
    if (!COEFF_IS_MPZ(*z))
        return PyLong_FromLongLong((long long) *z);
    slong size = (slong) fmpz_size(z);
    if (size > room)
        return PyErr_NoMemory();
    int negative = fmpz_sgn(z) < 0;
    fmpz_abs(z, z);
    fmpz_get_ui_array(scratch, size, z); /* least significant limb first */
    PyObject *mag = _PyLong_FromByteArray((const unsigned char *) scratch,
                                          (size_t) size * sizeof(mp_limb_t), PY_LITTLE_ENDIAN,
                                          0);
    if (mag == NULL || !negative)
        return mag;
    PyObject *out = PyNumber_Negative(mag);
    Py_DECREF(mag);
    return out;
}

/* The attention head.  Logits and values are exact integers (products of the dyadic
   inputs); each weight exp(s_ij) is an Arb ball at prec bits; row i of the weights goes
   to a fixed-point integer grid 2^f_i, M_ij with error at most rho_ij (in units of the
   grid, rounded up: the ball's radius and the rounding to the grid), so that with the
   exact products P = M V and Q = rho |V| (computed as its transpose, |V|^T rho^T),

       out_ic  in  2^(ex + ev) (P_ic +- Q_ic) / (sum_j M_ij +- sum_j rho_ij),

   the 2^f_i cancelling; numerator and denominator are balls and the quotient is Arb's.
   The balls then go out on one common grid 2^e (see the module comment). */
static PyObject *
head(PyObject *self, PyObject *args)
{
    (void) self;
    Py_buffer bx, bq, bk, bv, bm = {0};
    Py_ssize_t n, m, k, v;
    double beta;
    PyObject *mask_obj;
    long prec;
    if (!PyArg_ParseTuple(args, "y*y*y*y*nnnndOl", &bx, &bq, &bk, &bv, &n, &m, &k, &v,
                          &beta, &mask_obj, &prec))
        return NULL;

    PyObject *result = NULL;
    int have_mask = 0;
    if (n < 1 || m < 1 || k < 1 || v < 1 || prec < 2 || prec > MAX_PREC
        || !(isfinite(beta) && beta > 0)) {
        PyErr_SetString(PyExc_ValueError,
                        "head: sizes >= 1, 2 <= prec <= 2^24, finite beta > 0");
        goto release;
    }
    if (mask_obj != Py_None) {
        if (PyObject_GetBuffer(mask_obj, &bm, PyBUF_SIMPLE) < 0)
            goto release;
        have_mask = 1;
        if (bm.len != n * n) {
            PyErr_SetString(PyExc_ValueError, "mask: expected n*n bytes");
            goto release;
        }
    }

    lmat X = {0}, WQ = {0}, WK = {0}, WV = {0}, XQ = {0}, XK = {0}, S = {0}, V = {0},
         M = {0}, P = {0}, R = {0}, VT = {0}, Q = {0};
    slong ML = (prec + 10) / FLINT_BITS + 1, room = 0;
    arb_ptr w = _arb_vec_init(n), den = _arb_vec_init(n), out = _arb_vec_init(n * v);
    fmpz *rho = _fmpz_vec_init(n * n), *rhosum = _fmpz_vec_init(n);
    mp_limb_t *scratch = NULL;
    fmpz_t z, r;
    fmpz_init(z);
    fmpz_init(r);
    arf_t t;
    arf_init(t);
    mag_t u;
    mag_init(u);
    arb_t b;
    arb_init(b);
    slong ex = 0, eq = 0, ek = 0, ev = 0;

    int status = dyadic(&X, &ex, &bx, n, m, "X");
    if (!status)
        status = dyadic(&WQ, &eq, &bq, m, k, "W_Q");
    if (!status)
        status = dyadic(&WK, &ek, &bk, m, k, "W_K");
    if (!status)
        status = dyadic(&WV, &ev, &bv, m, v, "W_V");
    if (status) {
        if (status > 0)
            result = Py_NewRef(Py_None);
        goto clear;
    }
    if (!lmat_init(&M, n, n, ML)) {
        PyErr_NoMemory();
        goto clear;
    }

    const unsigned char *keep = have_mask ? (const unsigned char *) bm.buf : NULL;
    int finite = 1, memory = 1;
    Py_BEGIN_ALLOW_THREADS
    memory = lmat_mul(&XQ, &X, &WQ, 0) && lmat_mul(&XK, &X, &WK, 0)
             && lmat_mul(&S, &XQ, &XK, 1) /* logits * 2^-(2 ex + eq + ek), exact */
             && lmat_mul(&V, &X, &WV, 0); /* values * 2^-(ex + ev), exact */
    if (beta != 1.0)
        arb_set_d(b, beta);
    for (slong i = 0; memory && i < n && finite; i++) {
        /* the row's weights exp(s_ij) as balls (no shift: Arb's exponents are unbounded) */
        slong top = WORD_MIN;
        for (slong j = 0; j < n; j++) {
            if (keep != NULL && !keep[i * n + j]) {
                arb_zero(w + j);
                continue;
            }
            arb_set_lentry(w + j, &S, i, j, 2 * ex + eq + ek);
            if (beta != 1.0)
                arb_div(w + j, w + j, b, prec);
            if (arf_cmpabs_2exp_si(arb_midref(w + j), 40) > 0) {
                finite = 0; /* |s| > 2^40: exponents beyond the grid arithmetic below */
                break;
            }
            arb_exp(w + j, w + j, prec);
            if (!arb_is_finite(w + j)) {
                finite = 0;
                break;
            }
            top = FLINT_MAX(top, upper_exponent(w + j, t));
        }
        if (!finite || top == WORD_MIN) { /* a logit too large, or nothing to attend to */
            finite = 0;
            break;
        }
        /* the grid 2^f, prec + 8 bits below the row's largest weight: M_ij < 2^(prec+9) */
        slong f = top - prec - 8;
        fmpz_zero(z);
        for (slong j = 0; j < n; j++) {
            fmpz *rij = rho + i * n + j;
            ball_on_grid(r, rij, w + j, f, t, u);
            fmpz_add(z, z, r);
            fmpz_get_ui_array(LENTRY(&M, i, j), ML, r); /* weights are positive */
            fmpz_add(rhosum + i, rhosum + i, rij);
        }
        arb_set_fmpz(den + i, z);
        mag_set_fmpz(u, rhosum + i);
        arb_add_error_mag(den + i, u);
    }
    if (memory && finite) {
        /* the errors as a matrix, and |V| */
        slong RL = 1;
        for (slong i = 0; i < n * n; i++)
            RL = FLINT_MAX(RL, (slong) fmpz_size(rho + i));
        memory = lmat_init(&R, n, n, RL) && lmat_mul(&P, &M, &V, 0);
        for (slong i = 0; memory && i < n * n; i++)
            fmpz_get_ui_array(R.d + i * RL, RL, rho + i); /* nonnegative */
        /* Q^T = |V|^T R^T: the short entries of R as the multipliers */
        memory = memory && lmat_abs_transpose(&VT, &V) && lmat_mul(&Q, &VT, &R, 1);
        for (slong i = 0; memory && i < n; i++)
            for (slong c = 0; c < v; c++) {
                arb_ptr y = out + i * v + c;
                arb_set_lentry(y, &P, i, c, 0);
                fmpz_set_lentry_abs(z, &Q, c, i);
                mag_set_fmpz(u, z);
                arb_add_error_mag(y, u);
                arb_div(y, y, den + i, prec);
                arb_mul_2exp_si(y, y, ex + ev);
                if (!arb_is_finite(y))
                    finite = 0;
            }
    }
    Py_END_ALLOW_THREADS
    if (!memory) {
        PyErr_NoMemory();
        goto clear;
    }
    if (!finite) {
        result = Py_NewRef(Py_None);
        goto clear;
    }

    /* the common grid: prec + 4 bits below the smallest nonzero midpoint, but never more
       than prec + 1024 bits below the largest magnitude (coarser is still an enclosure) */
    slong hi = WORD_MIN, lo = WORD_MAX;
    for (slong i = 0; i < n * v; i++) {
        hi = FLINT_MAX(hi, upper_exponent(out + i, t));
        if (!arf_is_zero(arb_midref(out + i)))
            lo = FLINT_MIN(lo, arf_abs_bound_lt_2exp_si(arb_midref(out + i)));
    }
    slong e = 0;
    if (hi != WORD_MIN)
        e = FLINT_MAX((lo == WORD_MAX ? hi : lo) - prec - 4, hi - prec - 1024);
    room = (hi == WORD_MIN ? 0 : hi - e) / FLINT_BITS + 2;
    scratch = malloc((size_t) room * sizeof(mp_limb_t));
    PyObject *mids = PyList_New(n * v), *rads = PyList_New(n * v);
    if (mids == NULL || rads == NULL || scratch == NULL) {
        Py_XDECREF(mids);
        Py_XDECREF(rads);
        if (!PyErr_Occurred())
            PyErr_NoMemory();
        goto clear;
    }
    for (slong i = 0; i < n * v; i++) {
        ball_on_grid(z, r, out + i, e, t, u);
        PyObject *pz = int_from_fmpz(z, scratch, room), *pr = int_from_fmpz(r, scratch, room);
        if (pz == NULL || pr == NULL) {
            Py_XDECREF(pz);
            Py_XDECREF(pr);
            Py_DECREF(mids);
            Py_DECREF(rads);
            goto clear;
        }
        PyList_SET_ITEM(mids, i, pz);
        PyList_SET_ITEM(rads, i, pr);
    }
    result = Py_BuildValue("NNn", mids, rads, (Py_ssize_t) e);

clear:
    free(scratch);
    arb_clear(b);
    mag_clear(u);
    arf_clear(t);
    fmpz_clear(r);
    fmpz_clear(z);
    _fmpz_vec_clear(rhosum, n);
    _fmpz_vec_clear(rho, n * n);
    _arb_vec_clear(out, n * v);
    _arb_vec_clear(den, n);
    _arb_vec_clear(w, n);
    lmat_clear(&Q);
    lmat_clear(&VT);
    lmat_clear(&R);
    lmat_clear(&P);
    lmat_clear(&M);
    lmat_clear(&V);
    lmat_clear(&S);
    lmat_clear(&XK);
    lmat_clear(&XQ);
    lmat_clear(&WV);
    lmat_clear(&WK);
    lmat_clear(&WQ);
    lmat_clear(&X);
release:
    PyBuffer_Release(&bx);
    PyBuffer_Release(&bq);
    PyBuffer_Release(&bk);
    PyBuffer_Release(&bv);
    if (have_mask)
        PyBuffer_Release(&bm);
    return result;
}

static PyMethodDef methods[] = {
    {"head", head, METH_VARARGS,
     "head(X, W_Q, W_K, W_V, n, m, k, v, beta, mask, prec) -> (mids, rads, e) or None\n\n"
     "softmax(X W_Q W_K^T X^T / beta) X W_V in Arb balls at prec bits; float64 buffers in\n"
     "row-major order, mask None or n*n bytes (nonzero = attend).  Entry (i, j) lies in\n"
     "[mids[i*v+j] - rads[i*v+j], mids[i*v+j] + rads[i*v+j]] * 2**e; None if not finite."},
    {NULL, NULL, 0, NULL}};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_arbkernel",
                                    "Arb attention head in one C call (see symbound.numeric.backends.arb).",
                                    -1, methods, NULL, NULL, NULL, NULL};

PyMODINIT_FUNC
PyInit__arbkernel(void)
{
    PyObject *mod = PyModule_Create(&module);
    if (mod == NULL)
        return NULL;
    if (PyModule_AddStringConstant(mod, "arb_version", arb_version) < 0
        || PyModule_AddIntConstant(mod, "MAX_PREC", MAX_PREC) < 0) {
        Py_DECREF(mod);
        return NULL;
    }
    return mod;
}
