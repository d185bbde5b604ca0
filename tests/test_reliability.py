"""Reliability (issue 12): a user mistake gets one line and exit 3, quickly; every printed digit
is right; nothing depends on the units of the data.

Expected values are independent of the code under test: exact rational arithmetic
(fractions.Fraction) on a support found by scipy's own LP, and hand derivations.
"""

import contextlib
import io
import json
import time
from fractions import Fraction
from pathlib import Path

import pytest
import sympy as sp

from krtheory.cli import main
from krtheory.problem import Problem
from krtheory.references import min_l1

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def run(argv):
    """(exit code, stdout, stderr, seconds) of ``krtheory argv`` in-process."""
    out, err = io.StringIO(), io.StringIO()
    start = time.perf_counter()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    return code, out.getvalue(), err.getvalue(), time.perf_counter() - start


def assert_one_line_error(code, err, seconds, *needles, limit=3.0):
    assert code == 3, (code, err)
    assert err.startswith("krtheory: error:") and err.count("\n") == 1 and "Traceback" not in err, err
    assert seconds < limit, f"took {seconds:.1f} s"
    for needle in needles:
        assert needle in err, (needle, err)


# -- a) derive --init: refused up front, not after minutes or with a traceback -----------------------
@pytest.mark.parametrize("init, needles", [
    ("u=1e400,v=1", ["init['u']='1e400'", "10^50"]),          # traceback after ~20 s
    ("u=1e99999999,v=1", ["init['u']='1e99999999'", "10^50"]),  # built a 10^8-digit integer
    ("u=1e-160,v=1", ["init['u']='1e-160'", "10^50"]),        # took ~20 s in exact radicals
    ("u=1e30*1e30,v=1", ["init['u']='1e30*1e30'", "10^50"]),  # the value, not only the literals
    ("u=pi,v=E", ["init['u']='pi'", "exact numbers and positive symbols"]),  # hung
    ("u=sqrt(2),v=1", ["init['u']='sqrt(2)'", "exact numbers and positive symbols"]),  # 30 s, unverified
    ("u=a**(1/2),v=b", ["init['u']='a**(1/2)'", "integer powers"]),
])
def test_derive_init_beyond_what_sympy_does_quickly_is_refused_up_front(init, needles):
    code, _, err, seconds = run(["derive", "--parametrization", "u*v", "--init", init])
    assert_one_line_error(code, err, seconds, *needles)


def test_derive_expression_with_an_enormous_literal_is_refused_up_front():
    code, _, err, seconds = run(["derive", "--parametrization", "1e99999999*u*v", "--init", "u=a,v=b"])
    assert_one_line_error(code, err, seconds, "expression='1e99999999*u*v'", "10^50")


def test_derive_init_at_the_size_limit_is_derived_exactly():
    # u(0) = 10^50, v(0) = 10^-50 (hand solution of du/ds = v, dv/ds = u): beta = A e^{2s} - B e^{-2s}
    # with A = (a + b)^2/4, B = (a - b)^2/4 exactly
    from krtheory.derive.engine import nu
    from krtheory.families.custom import derive_parametrization

    d = derive_parametrization("u*v", {"u": "1e50", "v": "1e-50"})
    a, b = sp.Integer(10) ** 50, sp.Integer(10) ** -50
    assert sp.expand(d.link - ((a + b) ** 2 / 4 * sp.exp(nu) - (a - b) ** 2 / 4 * sp.exp(-nu))) == 0
    assert d.verified()


# -- b) the l1 reference does not depend on the units of X and y ------------------------------------
def _examples():
    X = [[Fraction(v) for v in line.split(",")] for line in (EXAMPLES / "X.csv").read_text().split()]
    y = [Fraction(v) for v in (EXAMPLES / "y.csv").read_text().split()]
    return X, y


def _exact_l1_minimizer(X, y):
    """The support from scipy's LP on the unscaled data, then X_S beta_S = y solved exactly
    (Gauss-Jordan in fractions) and its strict dual certificate checked exactly."""
    import numpy as np
    from scipy.optimize import linprog

    A = np.array(X, dtype=float)
    d = A.shape[1]
    lp = linprog(np.ones(2 * d), A_eq=np.hstack([A, -A]), b_eq=np.array(y, dtype=float), bounds=(0, None),
                 method="highs")
    x = lp.x[:d] - lp.x[d:]
    support = [j for j in range(d) if abs(x[j]) > 1e-9]
    assert len(support) == len(X)  # square support system
    M = [[row[j] for j in support] + [t] for row, t in zip(X, y)]
    n = len(M)
    for c in range(n):
        p = next(r for r in range(c, n) if M[r][c] != 0)
        M[c], M[p] = M[p], M[c]
        for r in range(n):
            if r != c:
                f = M[r][c] / M[c][c]
                M[r] = [a - f * b for a, b in zip(M[r], M[c])]
    beta = [Fraction(0)] * d
    for c, j in enumerate(support):
        beta[j] = M[c][n] / M[c][c]
    assert all(sum(a * b for a, b in zip(row, beta)) == t for row, t in zip(X, y))
    return beta


@pytest.mark.parametrize("scale", ["1e-300", "1e-10", "1e-5", "1", "1e5", "1e10", "1e300"])
def test_l1_minimizer_is_scale_free(scale):
    # X -> cX, y -> cy leaves {beta : X beta = y} and so argmin ||beta||_1 unchanged
    X, y = _examples()
    expected = _exact_l1_minimizer(X, y)
    c = Fraction(scale)
    problem = Problem.from_rows([[str(v * c) for v in row] for row in X], [str(t * c) for t in y])
    result = min_l1(problem, dps=30)
    assert result.certified, result.reason
    assert result.support == tuple(j for j, b in enumerate(expected) if b)
    ctx = result.beta[0].context
    for got, want in zip(result.beta, expected):
        assert abs(got - ctx.mpf(want.numerator) / want.denominator) <= ctx.mpf(10) ** -28 * (1 + abs(got))


def test_solve_l1_on_rescaled_data_prints_the_unscaled_minimizer(tmp_path):
    X, y = _examples()
    expected = _exact_l1_minimizer(X, y)
    c = Fraction("1e-10")
    (tmp_path / "X.csv").write_text("\n".join(",".join(str(v * c) for v in row) for row in X))
    (tmp_path / "y.csv").write_text("\n".join(str(t * c) for t in y))
    code, out, err, _ = run(["solve", "--family", "l1", "--X", str(tmp_path / "X.csv"), "--y",
                             str(tmp_path / "y.csv"), "--dps", "20", "--json"])
    assert code == 0, err
    record = json.loads(out)
    assert record["status"] == "certified"
    assert all(abs(Fraction(g) - e) <= Fraction(1, 10**19) * (1 + abs(e)) for g, e in zip(record["beta"], expected))


# -- c) bounds: an l1 bound beyond decimal's exponent range (10^18) is printed right ---------------
def test_decimal_beside_keeps_exponents_beyond_ten_to_the_eighteen():
    import mpmath

    from krtheory.bounds.formulas import decimal_beside
    from krtheory.precision import context

    ctx = context(40)
    for text in ("1.5e-2000000000000000000", "2e5000000000000000000"):
        value = ctx.mpf(text)
        below, above = decimal_beside(ctx, value, 20, "below"), decimal_beside(ctx, value, 20, "above")
        exponent = text.partition("e")[2]
        assert below.endswith("e" + (exponent if exponent[0] == "-" else "+" + exponent)), below
        assert mpmath.mpf(0) < ctx.mpf(below) <= value <= ctx.mpf(above) <= value * (1 + ctx.mpf("1e-8"))


def test_bounds_side_table_prints_an_l1_bound_of_exponent_beyond_ten_to_the_eighteen(tmp_path):
    # X = [[1, 2, 3], [1/2, 1, -1]], y = [1, 2], eps = 1e-19: Theorem 2's l1 bound is
    # min{(2(1+eps)B)^(-(2+eps)/(2eps)), exp(-d/(eps B))} ~ 10^(-6.5e18), B = ||beta*_l1||_1 exact
    import mpmath

    X, y = [[Fraction(1), Fraction(2), Fraction(3)], [Fraction(1, 2), Fraction(1), Fraction(-1)]], [Fraction(1), Fraction(2)]
    B = sum(abs(b) for b in _exact_l1_minimizer(X, y))
    (tmp_path / "X.csv").write_text("1,2,3\n0.5,1,-1")
    (tmp_path / "y.csv").write_text("1\n2")
    code, out, err, _ = run(["bounds", "--X", str(tmp_path / "X.csv"), "--y", str(tmp_path / "y.csv"),
                             "--eps", "1e-19", "--grid-step", "2", "--json"])
    assert code == 0, err
    printed = json.loads(out)["l1"]["bound"]
    with mpmath.workdps(80):
        e, b = mpmath.mpf("1e-19"), mpmath.mpf(B.numerator) / B.denominator
        log10_bound = min(-(2 + e) / (2 * e) * mpmath.log10(2 * (1 + e) * b), -3 / (e * b) / mpmath.log(10))
        exponent = int(mpmath.floor(log10_bound))
        mantissa = mpmath.power(10, log10_bound - exponent)
        digits, _, shown_exponent = printed.partition("e")
        assert int(shown_exponent) == exponent, (printed, exponent)
        assert abs(mpmath.mpf(digits) / mantissa - 1) < mpmath.mpf("1e-8"), (printed, mantissa)
        assert mpmath.mpf(digits) <= mantissa  # rounded to the safe side: below the bound


# -- f) a 1e308 cell: the small component is printed right, not only normwise ----------------------
HUGE_CELL_X, HUGE_CELL_Y = "1e308,1,0\n0,1,1", "1\n1"


def _huge_cell_files(tmp_path):
    (tmp_path / "X.csv").write_text(HUGE_CELL_X)
    (tmp_path / "y.csv").write_text(HUGE_CELL_Y)
    return ["--X", str(tmp_path / "X.csv"), "--y", str(tmp_path / "y.csv")]


def _huge_cell_hypentropy_minimizer():
    """argmin sum q(beta_i) (depth 2, alpha 1: beta_i = 2 sinh((X^T lam)_i), Theorem 1) s.t.
    X beta = y at 100 digits, by fixed point on lam0 (~1e-617): l1 solves
    2 sinh(l0 + l1) + 2 sinh(l1) = 1, then beta_1 = (1 - beta_2)/1e308 gives l0 = asinh(beta_1/2)/1e308."""
    import mpmath

    with mpmath.workdps(100):
        S, l0 = mpmath.mpf(10) ** 308, mpmath.mpf(0)
        for _ in range(5):
            l1 = mpmath.findroot(lambda t: 2 * mpmath.sinh(l0 + t) + 2 * mpmath.sinh(t) - 1, 0.25)
            beta2 = 2 * mpmath.sinh(l0 + l1)
            l0 = mpmath.asinh((1 - beta2) / S / 2) / S
        return [2 * mpmath.sinh(S * l0), 2 * mpmath.sinh(l0 + l1), 2 * mpmath.sinh(l1)]


def _componentwise_right(printed, expected, digits):
    import mpmath

    with mpmath.workdps(100):
        return all(abs(mpmath.mpf(p) - e) <= mpmath.mpf(10) ** (1 - digits) * abs(e) for p, e in zip(printed, expected))


def test_huge_cell_l2_is_right_componentwise(tmp_path):
    # closed form: beta = X^T (X X^T)^-1 y in fractions
    X = [[Fraction(10) ** 308, Fraction(1), Fraction(0)], [Fraction(0), Fraction(1), Fraction(1)]]
    G = [[sum(a * b for a, b in zip(r, s)) for s in X] for r in X]
    det = G[0][0] * G[1][1] - G[0][1] * G[1][0]
    lam = [(G[1][1] - G[0][1]) / det, (G[0][0] - G[1][0]) / det]
    expected = [sum(X[i][j] * lam[i] for i in range(2)) for j in range(3)]
    code, out, err, _ = run(["solve", "--family", "l2", *_huge_cell_files(tmp_path), "--dps", "30", "--json"])
    assert code == 0, err
    record = json.loads(out)
    assert _componentwise_right(record["beta"], [sp.Rational(e.numerator, e.denominator).evalf(100) for e in expected],
                                record["digits"])


def test_huge_cell_mpmath_backend_is_right_componentwise(tmp_path):
    code, out, err, _ = run(["solve", *_huge_cell_files(tmp_path), "--dps", "30", "--backend", "mpmath", "--json"])
    assert code == 0, err
    record = json.loads(out)
    assert _componentwise_right(record["beta"], _huge_cell_hypentropy_minimizer(), record["digits"])


def test_huge_cell_auto_backend_hands_a_normwise_only_certificate_to_mpmath(tmp_path):
    # flint certifies |beta - beta*| <= 5e-39 normwise, which says nothing about beta_1 ~ 5e-309:
    # auto promises every printed digit, so it must hand over (and say why on stderr)
    pytest.importorskip("flint")
    code, out, err, _ = run(["solve", *_huge_cell_files(tmp_path), "--dps", "30", "--json"])
    assert code == 0, err
    record = json.loads(out)
    assert record["backend"] == "mpmath" and "only 0 of the 30 digits" in err
    assert _componentwise_right(record["beta"], _huge_cell_hypentropy_minimizer(), record["digits"])


def test_huge_cell_flint_backend_reports_its_componentwise_digits(tmp_path):
    pytest.importorskip("flint")
    code, out, err, _ = run(["solve", *_huge_cell_files(tmp_path), "--dps", "30", "--backend", "flint", "--json"])
    assert code == 0, err
    record = json.loads(out)
    assert record["digits"] == 30 and record["componentwise_digits"] == 0


@pytest.mark.xfail(strict=True, reason="the flint polish stops on a normwise test: beta_1 ~ 5e-309 is printed "
                                       "'0.0' beside digits 30 (componentwise_digits says 0)")
def test_huge_cell_flint_backend_is_right_componentwise(tmp_path):
    pytest.importorskip("flint")
    code, out, err, _ = run(["solve", *_huge_cell_files(tmp_path), "--dps", "30", "--backend", "flint", "--json"])
    assert code == 0, err
    record = json.loads(out)
    assert _componentwise_right(record["beta"], _huge_cell_hypentropy_minimizer(), record["digits"])


# -- d) --progress: a bar on stderr, stdout unchanged -------------------------------------------------
@pytest.mark.parametrize("argv, bar", [
    (["solve", "--family", "l1", "--dps", "20"], "solve"),
    (["solve", "--dps", "20", "--json"], "solve"),
    (["bounds", "--grid-step", "3", "--dps", "20"], "bounds scan"),
])
def test_progress_goes_to_stderr_and_leaves_stdout_unchanged(argv, bar):
    files = ["--X", str(EXAMPLES / "X.csv"), "--y", str(EXAMPLES / "y.csv")]
    code, out, err, _ = run([*argv, *files])
    code_bar, out_bar, err_bar, _ = run([*argv, *files, "--progress"])
    assert (code, out) == (code_bar, out_bar) and code == 0
    assert bar not in err and bar in err_bar  # tqdm's bar, or 'desc i/n' lines without tqdm


def test_bounds_side_table_prints_only_the_right_digits_of_a_huge_tightness(tmp_path):
    # eps = 1e-19: tightness = log10(threshold / bound) ~ 6.5e18, a float right to ~16 digits;
    # every digit printed must agree with the exact log10 of the two printed decimals
    import mpmath

    (tmp_path / "X.csv").write_text("1,2,3\n0.5,1,-1")
    (tmp_path / "y.csv").write_text("1\n2")
    argv = ["bounds", "--X", str(tmp_path / "X.csv"), "--y", str(tmp_path / "y.csv"), "--eps", "1e-19",
            "--grid-step", "2"]
    code, out, err, _ = run(argv)
    assert code == 0, err
    row = next(line.split() for line in out.splitlines() if line.startswith("l1 "))
    bound, threshold, shown = row[1], row[2], row[4]
    with mpmath.workdps(60):
        exact = mpmath.log10(mpmath.mpf(threshold)) - mpmath.log10(mpmath.mpf(bound))
        mantissa = shown.lower().partition("e")[0]
        last = len(mantissa.replace("-", "").replace(".", "").lstrip("0")) or 1
        unit = mpmath.power(10, int(mpmath.floor(mpmath.log10(abs(mpmath.mpf(shown))))) - last + 1)
        assert abs(mpmath.mpf(shown) - exact) <= unit, (shown, mpmath.nstr(exact, 25))
