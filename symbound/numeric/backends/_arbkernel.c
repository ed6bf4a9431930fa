/* One attention head, softmax(beta^-1 X W_Q W_K^T X^T) X W_V, in Arb balls in one C call.

   The optional compiled kernel behind symbound.numeric.backends.arb.ArbBackend.fused_head
   (symbound/numeric/backends/arb.py falls back to python-flint when not built).  It is
   built against Arb's C library (Debian's libflint-arb-dev) and shares no objects with
   python-flint: floats come in as buffers, every operation is an outward-rounded Arb
   operation at the working precision `prec` or exact integer arithmetic, and the balls
   go out as integers on a common power of two, so that Python rebuilds them exactly:

       ball_ij  is contained in  [mid_ij - rad_ij, mid_ij + rad_ij] * 2^e

   (a midpoint rounded to the integer grid adds its rounding error to the radius, and a
   radius is rounded up).  The integer products are exact whatever their order, so the
   kernel picks the order with fewer digit products (see lmat_mul); the balls do not
   depend on it.  Inputs must be finite; where the kernel does not apply (a
   logit above 2^40 in size, a row with nothing to attend to, inputs spanning more than
   4096 binary orders, a result that is not finite) it returns None and the caller
   takes the general path. */

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <flint/flint.h>
#include <flint/fmpz.h>
#include <flint/fmpz_vec.h>
#include <gmp.h>

#include "arb.h"

#define MAX_PREC (1L << 24) /* the largest working precision taken (bits) */

/* ---- the wall time of the last call's phases, for the benchmark's breakdown ---------- */
enum { PH_INPUTS, PH_LOGITS, PH_EXP, PH_WEIGHTED, PH_DIVIDE, PH_OUTPUT, PH_COUNT };
static const char *phase_names[PH_COUNT] = {"inputs", "logits and values", "exp",
                                            "weighted sums", "division", "output"};
static double last_phases[PH_COUNT];

static double
seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double) t.tv_sec + 1e-9 * (double) t.tv_nsec;
}

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
    A->d = NULL;
    A->neg = NULL;
    if (r < 1 || c < 1 || L < 1 || r > PY_SSIZE_T_MAX / c / L / 8)
        return 0;
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

/* ---- exact integer matrix products through digit planes ------------------------------

   C = A B exactly.  Every entry is split into signed digits of DW = 24 bits (all of an
   entry's digits carry its sign), digit q of every entry of A forming the plane A_q, so
   that C = sum over digit pairs (q, u) of 2^(DW (q + u)) A_q B_u: products of matrices
   of small integers, which are exact in 64-bit lanes (|digit product| < 2^48, and at most
   2^15 of them are summed in one lane before it is added to a 128-bit total).  With
   AVX2 (checked at import), four such products are one instruction (vpmuldq), two rows
   of A sharing each load of B; the digit sums are then carried into the limbs of the
   exact result, entry by entry.  (Measured at n = 32, d = 64, 100 digits, against
   GMP's mpn_addmul_1 per limb of every term: the products' instructions fall from 90 to
   21 million a head, callgrind's count, and the kernel's time by half.) */
#define DW 24
#define DMASK ((int64_t) ((1 << DW) - 1))
#define KB 16 /* output columns per block: four vectors of four lanes */
#define LANE_TERMS (1L << 15) /* digit products summed in one 64-bit lane, at most */

/* the digit planes of a matrix: digit q of entry (i, j) at d[(q r + i) cpad + j] */
typedef struct {
    slong r, c, D, cpad;
    int64_t *d;
} dmat;

/* the largest bit length of an entry (0 for a zero matrix) */
static slong
lmat_bits(const lmat *A)
{
    slong bits = 0;
    for (slong i = 0; i < A->r * A->c; i++) {
        const mp_limb_t *x = A->d + i * A->L;
        slong k = A->L;
        while (k > 0 && x[k - 1] == 0)
            k--;
        if (k > 0)
            bits = FLINT_MAX(bits, (k - 1) * FLINT_BITS + FLINT_BIT_COUNT(x[k - 1]));
    }
    return bits;
}

/* the digits an entry of that many bits has */
static double
digits(slong bits)
{
    return (double) FLINT_MAX(1, (bits + DW - 1) / DW);
}

/* the digit planes of A (of A^T with transpose), columns padded with zeros to pad */
static int
dmat_from_lmat(dmat *P, const lmat *A, int transpose, slong pad)
{
    slong r = transpose ? A->c : A->r, c = transpose ? A->r : A->c;
    P->r = r;
    P->c = c;
    P->D = (slong) digits(lmat_bits(A));
    P->cpad = (c + pad - 1) / pad * pad;
    P->d = calloc((size_t) (P->D * r * P->cpad), sizeof(int64_t));
    if (P->d == NULL)
        return 0;
    for (slong i = 0; i < A->r; i++)
        for (slong j = 0; j < A->c; j++) {
            const mp_limb_t *x = LENTRY(A, i, j);
            int64_t sign = A->neg[i * A->c + j] ? -1 : 1;
            slong row = transpose ? j : i, col = transpose ? i : j;
            for (slong q = 0; q < P->D; q++) {
                slong bit = q * DW, w = bit / FLINT_BITS, b = bit % FLINT_BITS;
                mp_limb_t v = x[w] >> b;
                if (b + DW > FLINT_BITS && w + 1 < A->L)
                    v |= x[w + 1] << (FLINT_BITS - b);
                P->d[(q * r + row) * P->cpad + col] = sign * (int64_t) (v & (mp_limb_t) DMASK);
            }
        }
    return 1;
}

/* the digit sums of one block: lanes[h KB + u] = sum over j in [j0, j1) and digit pairs
   (q, p - q) of A_q[i + h][j] B_(p-q)[j][k0 + u], for h < rows (1 or 2) and u < KB */
typedef void block_fn(int64_t *lanes, const dmat *A, const dmat *B, slong i, slong rows,
                      slong k0, slong p, slong j0, slong j1);

static void
block_plain(int64_t *lanes, const dmat *A, const dmat *B, slong i, slong rows, slong k0,
            slong p, slong j0, slong j1)
{
    for (slong u = 0; u < rows * KB; u++)
        lanes[u] = 0;
    for (slong q = FLINT_MAX(0, p - B->D + 1); q <= FLINT_MIN(p, A->D - 1); q++)
        for (slong h = 0; h < rows; h++) {
            const int64_t *a = A->d + (q * A->r + i + h) * A->cpad;
            const int64_t *b = B->d + (p - q) * B->r * B->cpad + k0;
            for (slong j = j0; j < j1; j++)
                for (slong u = 0; u < KB; u++)
                    lanes[h * KB + u] += a[j] * b[j * B->cpad + u];
        }
}

#if defined(__GNUC__) && defined(__x86_64__)
#include <immintrin.h>
#define HAVE_AVX2_PATH 1

/* two rows at once: each load of B serves both (eight accumulators) */
__attribute__((target("avx2"))) static void
block_avx2(int64_t *lanes, const dmat *A, const dmat *B, slong i, slong rows, slong k0,
           slong p, slong j0, slong j1)
{
    if (rows == 1) {
        block_plain(lanes, A, B, i, 1, k0, p, j0, j1);
        return;
    }
    __m256i s0 = _mm256_setzero_si256(), s1 = s0, s2 = s0, s3 = s0;
    __m256i t0 = s0, t1 = s0, t2 = s0, t3 = s0;
    for (slong q = FLINT_MAX(0, p - B->D + 1); q <= FLINT_MIN(p, A->D - 1); q++) {
        const int64_t *a = A->d + (q * A->r + i) * A->cpad, *a2 = a + A->cpad;
        const int64_t *b = B->d + (p - q) * B->r * B->cpad + k0;
        for (slong j = j0; j < j1; j++) {
            __m256i x = _mm256_set1_epi64x(a[j]), z = _mm256_set1_epi64x(a2[j]);
            const __m256i *y = (const __m256i *) (b + j * B->cpad);
            __m256i y0 = _mm256_loadu_si256(y), y1 = _mm256_loadu_si256(y + 1);
            __m256i y2 = _mm256_loadu_si256(y + 2), y3 = _mm256_loadu_si256(y + 3);
            s0 = _mm256_add_epi64(s0, _mm256_mul_epi32(x, y0));
            s1 = _mm256_add_epi64(s1, _mm256_mul_epi32(x, y1));
            s2 = _mm256_add_epi64(s2, _mm256_mul_epi32(x, y2));
            s3 = _mm256_add_epi64(s3, _mm256_mul_epi32(x, y3));
            t0 = _mm256_add_epi64(t0, _mm256_mul_epi32(z, y0));
            t1 = _mm256_add_epi64(t1, _mm256_mul_epi32(z, y1));
            t2 = _mm256_add_epi64(t2, _mm256_mul_epi32(z, y2));
            t3 = _mm256_add_epi64(t3, _mm256_mul_epi32(z, y3));
        }
    }
    __m256i *out = (__m256i *) lanes;
    _mm256_storeu_si256(out, s0);
    _mm256_storeu_si256(out + 1, s1);
    _mm256_storeu_si256(out + 2, s2);
    _mm256_storeu_si256(out + 3, s3);
    _mm256_storeu_si256(out + 4, t0);
    _mm256_storeu_si256(out + 5, t1);
    _mm256_storeu_si256(out + 6, t2);
    _mm256_storeu_si256(out + 7, t3);
}
#endif

static block_fn *block = block_plain;

/* v << bit, ORed into the limbs x (v below 2^64, the limbs zero where it goes) */
static inline void
put_bits(mp_limb_t *x, slong bit, mp_limb_t v)
{
    slong w = bit / FLINT_BITS, b = bit % FLINT_BITS;
    x[w] |= v << b;
    if (b > 0)
        x[w + 1] |= v >> (FLINT_BITS - b);
}

/* the exact integer sum_p sums[p KB] 2^(DW p) (P signed sums) as |value| in L limbs
   (zeroed here; scratch has L limbs too) and its sign */
static void
sums_to_limbs(mp_limb_t *out, unsigned char *neg, mp_limb_t *scratch, slong L,
              const __int128 *sums, slong P)
{
    memset(out, 0, (size_t) L * sizeof(mp_limb_t));
    __int128 carry = 0;
    for (slong p = 0; p < P; p++) {
        __int128 t = sums[p * KB] + carry;
        put_bits(out, p * DW, (mp_limb_t) (t & DMASK));
        carry = (t - (t & DMASK)) / ((__int128) 1 << DW); /* exact: floor(t / 2^DW) */
    }
    /* value = out + carry 2^(DW P), with 0 <= out < 2^(DW P) */
    *neg = carry < 0;
    unsigned __int128 top = carry < 0 ? (unsigned __int128) -carry : (unsigned __int128) carry;
    if (carry >= 0) {
        put_bits(out, DW * P, (mp_limb_t) top);
        put_bits(out, DW * P + FLINT_BITS, (mp_limb_t) (top >> FLINT_BITS));
        return;
    }
    /* |value| = -carry 2^(DW P) - out */
    memset(scratch, 0, (size_t) L * sizeof(mp_limb_t));
    put_bits(scratch, DW * P, (mp_limb_t) top);
    put_bits(scratch, DW * P + FLINT_BITS, (mp_limb_t) (top >> FLINT_BITS));
    mpn_sub_n(out, scratch, out, L);
}

/* C = A B (A: r x s, B: s x t, or B^T with transpose_b), exact; C is initialised here,
   with only the limbs used */
static int
lmat_mul(lmat *C, const lmat *A, const lmat *B, int transpose_b)
{
    slong r = A->r, s = A->c, t = transpose_b ? B->r : B->c;
    dmat DA = {0}, DB = {0};
    lmat W = {0};
    int ok = dmat_from_lmat(&DA, A, 0, 1) && dmat_from_lmat(&DB, B, transpose_b, KB);
    slong P = ok ? DA.D + DB.D - 1 : 1, L = (DW * P + 2 * FLINT_BITS) / FLINT_BITS + 1;
    slong chunk = ok ? FLINT_MAX(1, LANE_TERMS / FLINT_MIN(DA.D, DB.D)) : 1;
    __int128 *sums = malloc((size_t) (2 * P * KB) * sizeof(__int128));
    mp_limb_t *scratch = malloc((size_t) L * sizeof(mp_limb_t));
    ok = ok && sums != NULL && scratch != NULL && lmat_init(&W, r, t, L);
    for (slong i = 0; ok && i < r; i += 2)
        for (slong k0 = 0; k0 < t; k0 += KB) {
            slong rows = FLINT_MIN(2, r - i);
            int64_t lanes[2 * KB];
            memset(sums, 0, (size_t) (2 * P * KB) * sizeof(__int128));
            for (slong j0 = 0; j0 < s; j0 += chunk)
                for (slong p = 0; p < P; p++) {
                    block(lanes, &DA, &DB, i, rows, k0, p, j0, FLINT_MIN(s, j0 + chunk));
                    for (slong h = 0; h < rows; h++)
                        for (slong u = 0; u < KB; u++)
                            sums[(h * P + p) * KB + u] += lanes[h * KB + u];
                }
            for (slong h = 0; h < rows; h++)
                for (slong u = 0; u < KB && k0 + u < t; u++)
                    sums_to_limbs(LENTRY(&W, i + h, k0 + u), W.neg + (i + h) * t + k0 + u,
                                  scratch, L, sums + h * P * KB + u, P);
        }
    free(sums);
    free(scratch);
    free(DA.d);
    free(DB.d);
    if (!ok) {
        lmat_clear(&W);
        return 0;
    }
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

/* a finite nonzero double as |x| = mant 2^(ex - 53) with 2^52 <= mant < 2^53 (frexp's
   exponent, read from the bits: subnormals normalised); 1 if x is negative */
static inline int
decode_double(double x, mp_limb_t *mant, int *ex)
{
    uint64_t b;
    memcpy(&b, &x, sizeof b);
    int biased = (int) ((b >> 52) & 0x7ff);
    uint64_t frac = b & ((UINT64_C(1) << 52) - 1);
    if (biased == 0) { /* subnormal: frac 2^-1074 */
        int shift = 53 - (int) FLINT_BIT_COUNT(frac);
        *mant = (mp_limb_t) (frac << shift);
        *ex = -1021 - shift;
    } else {
        *mant = (mp_limb_t) (frac | (UINT64_C(1) << 52));
        *ex = biased - 1022;
    }
    return (int) (b >> 63);
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
    mp_limb_t mant;
    for (slong i = 0; i < rows * cols; i++) {
        if (!isfinite(x[i])) {
            PyErr_Format(PyExc_ValueError, "%s: entries must be finite", name);
            return -1;
        }
        if (x[i] != 0) {
            decode_double(x[i], &mant, &ex);
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
        A->neg[i] = decode_double(x[i], &mant, &ex); /* mant below 2^53 */
        slong shift = ex - lo, w = shift / FLINT_BITS, bit = shift % FLINT_BITS;
        mp_limb_t *z = A->d + i * A->L;
        z[w] = mant << bit;
        if (bit > 0 && w + 1 < A->L)
            z[w + 1] = mant >> (FLINT_BITS - bit);
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
         M = {0}, P = {0}, R = {0}, VT = {0}, Q = {0}, WQK = {0}, MX = {0};
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

    double mark[PH_COUNT + 1] = {seconds()};
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
    mark[PH_INPUTS + 1] = seconds();
    /* logits * 2^-(2 ex + eq + ek) and values * 2^-(ex + ev), exact: the logits as
       (X W_Q)(X W_K)^T, or as (X (W_Q W_K^T)) X^T where that takes fewer digit products
       (many tokens against the width) */
    slong bx = lmat_bits(&X), bq = lmat_bits(&WQ), bk = lmat_bits(&WK);
    slong bqk = bq + bk + FLINT_BIT_COUNT(k), bxq = bx + FLINT_MAX(bq, bk) + FLINT_BIT_COUNT(m);
    double by_projections = 2.0 * n * m * k * digits(bx) * digits(FLINT_MAX(bq, bk))
                            + (double) n * n * k * digits(bxq) * digits(bxq);
    double by_bilinear = (double) m * m * k * digits(bq) * digits(bk)
                         + (double) n * m * m * digits(bx) * digits(bqk)
                         + (double) n * n * m * digits(bx + bqk + FLINT_BIT_COUNT(m)) * digits(bx);
    if (by_bilinear < by_projections)
        memory = lmat_mul(&WQK, &WQ, &WK, 1) && lmat_mul(&XQ, &X, &WQK, 0)
                 && lmat_mul(&S, &XQ, &X, 1);
    else
        memory = lmat_mul(&XQ, &X, &WQ, 0) && lmat_mul(&XK, &X, &WK, 0)
                 && lmat_mul(&S, &XQ, &XK, 1);
    memory = memory && lmat_mul(&V, &X, &WV, 0);
    if (beta != 1.0)
        arb_set_d(b, beta);
    mark[PH_LOGITS + 1] = seconds();
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
    mark[PH_EXP + 1] = seconds();
    if (memory && finite) {
        /* the errors as a matrix, and |V| */
        slong RL = 1;
        for (slong i = 0; i < n * n; i++)
            RL = FLINT_MAX(RL, (slong) fmpz_size(rho + i));
        /* P = M V, or (M X) W_V where that takes fewer digit products */
        slong bm = lmat_bits(&M), bw = lmat_bits(&WV);
        double direct = (double) n * n * v * digits(bm) * digits(lmat_bits(&V));
        double through_x = (double) n * n * m * digits(bm) * digits(bx)
                           + (double) n * m * v * digits(bm + bx + FLINT_BIT_COUNT(n)) * digits(bw);
        memory = lmat_init(&R, n, n, RL)
                 && (through_x < direct ? lmat_mul(&MX, &M, &X, 0) && lmat_mul(&P, &MX, &WV, 0)
                                        : lmat_mul(&P, &M, &V, 0));
        for (slong i = 0; memory && i < n * n; i++)
            fmpz_get_ui_array(R.d + i * RL, RL, rho + i); /* nonnegative */
        /* Q^T = |V|^T R^T: the short entries of R as the multipliers */
        memory = memory && lmat_abs_transpose(&VT, &V) && lmat_mul(&Q, &VT, &R, 1);
        mark[PH_WEIGHTED + 1] = seconds();
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
    mark[PH_DIVIDE + 1] = seconds();
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
    mark[PH_OUTPUT + 1] = seconds();
    for (int ph = 0; ph < PH_COUNT; ph++)
        last_phases[ph] = mark[ph + 1] - mark[ph];

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
    lmat_clear(&MX);
    lmat_clear(&WQK);
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

static PyObject *
phases(PyObject *self, PyObject *unused)
{
    (void) self;
    (void) unused;
    PyObject *out = PyDict_New();
    for (int ph = 0; out != NULL && ph < PH_COUNT; ph++) {
        PyObject *t = PyFloat_FromDouble(last_phases[ph]);
        if (t == NULL || PyDict_SetItemString(out, phase_names[ph], t) < 0) {
            Py_XDECREF(t);
            Py_CLEAR(out);
            break;
        }
        Py_DECREF(t);
    }
    return out;
}

/* ---- the exact product on Python integers, for tests ---------------------------------- */

/* a list of r c Python ints as an lmat (-1 and a Python error if they are not ints) */
static int
lmat_from_ints(lmat *A, PyObject *list, slong r, slong c)
{
    if (!PyList_Check(list) || PyList_GET_SIZE(list) != r * c) {
        PyErr_SetString(PyExc_ValueError, "matmul: expected lists of r*s and s*t ints");
        return -1;
    }
    slong L = 1;
    for (slong i = 0; i < r * c; i++) {
        PyObject *x = PyList_GET_ITEM(list, i);
        if (!PyLong_Check(x)) {
            PyErr_SetString(PyExc_TypeError, "matmul: entries must be ints");
            return -1;
        }
        L = FLINT_MAX(L, (slong) (_PyLong_NumBits(x) / FLINT_BITS + 1));
    }
    if (!lmat_init(A, r, c, L)) {
        PyErr_NoMemory();
        return -1;
    }
    for (slong i = 0; i < r * c; i++) {
        PyObject *x = PyList_GET_ITEM(list, i), *mag = PyNumber_Absolute(x);
        if (mag == NULL)
            return -1;
        int bad = _PyLong_AsByteArray((PyLongObject *) mag, (unsigned char *) (A->d + i * L),
                                      (size_t) L * sizeof(mp_limb_t), 1, 0);
        Py_DECREF(mag);
        if (bad < 0)
            return -1;
        A->neg[i] = _PyLong_Sign(x) < 0;
    }
    return 0;
}

static PyObject *
matmul(PyObject *self, PyObject *args)
{
    (void) self;
    PyObject *la, *lb, *out = NULL;
    Py_ssize_t r, s, t;
    if (!PyArg_ParseTuple(args, "OOnnn", &la, &lb, &r, &s, &t))
        return NULL;
    if (r < 1 || s < 1 || t < 1) {
        PyErr_SetString(PyExc_ValueError, "matmul: sizes >= 1");
        return NULL;
    }
    lmat A = {0}, B = {0}, C = {0};
    fmpz_t z;
    fmpz_init(z);
    mp_limb_t *scratch = NULL;
    if (lmat_from_ints(&A, la, r, s) < 0 || lmat_from_ints(&B, lb, s, t) < 0)
        goto done;
    if (!lmat_mul(&C, &A, &B, 0) || (scratch = malloc(C.L * sizeof(mp_limb_t))) == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    out = PyList_New(r * t);
    for (slong i = 0; out != NULL && i < r * t; i++) {
        fmpz_set_ui_array(z, C.d + i * C.L, C.L);
        if (C.neg[i])
            fmpz_neg(z, z);
        PyObject *x = int_from_fmpz(z, scratch, C.L);
        if (x == NULL)
            Py_CLEAR(out);
        else
            PyList_SET_ITEM(out, i, x);
    }
done:
    free(scratch);
    fmpz_clear(z);
    lmat_clear(&A);
    lmat_clear(&B);
    lmat_clear(&C);
    return out;
}

static PyMethodDef methods[] = {
    {"head", head, METH_VARARGS,
     "head(X, W_Q, W_K, W_V, n, m, k, v, beta, mask, prec) -> (mids, rads, e) or None\n\n"
     "softmax(X W_Q W_K^T X^T / beta) X W_V in Arb balls at prec bits; float64 buffers in\n"
     "row-major order, mask None or n*n bytes (nonzero = attend).  Entry (i, j) lies in\n"
     "[mids[i*v+j] - rads[i*v+j], mids[i*v+j] + rads[i*v+j]] * 2**e; None if not finite."},
    {"matmul", matmul, METH_VARARGS,
     "matmul(a, b, r, s, t) -> the exact product of the r x s and s x t integer matrices\n"
     "a and b (flat lists of Python ints, row-major), as the head computes its products."},
    {"phases", phases, METH_NOARGS,
     "phases() -> {phase: seconds} of the last successful head() call (wall time of its\n"
     "input conversion, exact logits and values, exponentials, weighted sums, division\n"
     "and output), for benchmarks."},
    {NULL, NULL, 0, NULL}};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_arbkernel",
                                    "Arb attention head in one C call (see symbound.numeric.backends.arb).",
                                    -1, methods, NULL, NULL, NULL, NULL};

PyMODINIT_FUNC
PyInit__arbkernel(void)
{
#ifdef HAVE_AVX2_PATH
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx2"))
        block = block_avx2;
#endif
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
