"""The width-k model of §6 (Theorem 4): derivation, biased link, WideModel, CLI.

Expected values come from the flow (which never sees a potential), from a conservation law of
the flow, from duality (primal q vs dual G), from Theorem 1's link (a different derivation),
or from exact rational arithmetic.
"""

import json
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
import sympy as sp

from krtheory import InvalidArgument, Problem
from krtheory.cli import main
from krtheory.flow.driver import integrate_flow
from krtheory.links import Link
from krtheory.flow.models import WideModel
from krtheory.derive.checks import StepStatus
from krtheory.precision import context
from krtheory.families.diagonal import implicit_link
from krtheory.solve._dual import SolveStatus
from krtheory.solve.float64 import solve_link_float
from krtheory.solve.mp import solve_link
from krtheory.families.wide import (biased_link, derive_wide, gaussian_initialization, link_parameters,
                           special_initialization, wide_link)

EXAMPLES = Path(__file__).parent.parent / "examples"
#: A tiny exact problem (n = 2, d = 3) and a width-2 initialization with beta(0) != 0.
X = [["1", "0.5", "-0.25"], ["0", "1", "0.75"]]
Y = ["0.5", "-1"]
U0 = [["0.5", "-0.25"], ["0.75", "0.5"], ["-0.5", "1"]]
V0 = [["0.25", "0.5"], ["-0.5", "0.25"], ["0.5", "0.5"]]


def tiny() -> Problem:
    return Problem.from_rows(X, Y, warn=False)


def relative_distance(a, b, ctx):
    return max(abs(ctx.convert(x) - ctx.convert(z)) for x, z in zip(a, b)) / max(abs(ctx.convert(z)) for z in b)


# -- derivation ------------------------------------------------------------------------------
def test_derivation_is_verified_and_shaped_like_the_diagonal_one():
    from krtheory.derive.engine import derive_diagonal

    derivation = derive_wide()
    assert derivation.verified(), [s for s in derivation.steps if s.status is not StepStatus.VERIFIED]
    for fmt in ("sympy", "latex", "python"):
        record = derivation.as_dict(fmt)
        assert set(derive_diagonal(2).as_dict(fmt)) <= set(record)
        assert record["verified"] and set(record["link_parameters"]) == {"A", "B"}
    with pytest.raises(InvalidArgument, match="fmt"):
        derivation.as_dict("html")


def test_potential_is_the_legendre_dual_of_G_at_random_points():
    # q(z) = sup_nu (z nu - G(nu)); at nu* = h^-1(z) the sup is attained: check with mpmath's
    # own root finder (not the derived inverse) at exact random (A, B, z)
    derivation = derive_wide()
    ctx = context(40)
    q = derivation.potential_function(ctx)
    h = lambda x, a, b: a * ctx.exp(x) - b * ctx.exp(-x)  # noqa: E731  (the link, read off beta(s))
    G = lambda x, a, b: a * ctx.exp(x) + b * ctx.exp(-x) - a - b  # noqa: E731
    rng = np.random.default_rng(1)
    for _ in range(5):
        a, b = (ctx.mpf(int(v)) / 64 for v in rng.integers(1, 640, 2))
        zz = ctx.mpf(int(rng.integers(-800, 800))) / 64
        root = ctx.findroot(lambda x: h(x, a, b) - zz, ctx.zero)
        assert abs(q(zz, a, b) - (zz * root - G(root, a, b))) < ctx.mpf(10) ** -35 * (1 + abs(zz * root))


# -- the link --------------------------------------------------------------------------------
def test_link_with_A_equal_B_reduces_to_theorem1_hypentropy():
    problem = Problem.from_files(EXAMPLES / "X.csv", EXAMPLES / "y.csv")
    for mu in ("0.5", "1e-20"):
        m2 = Fraction(mu) ** 2
        wide = solve_link(problem, biased_link([(m2, m2)] * problem.d), dps=40)
        diagonal = solve_link(problem, implicit_link("diagonal", 2, mu, None, problem.d), dps=40)
        ctx = context(50)
        assert wide.digits >= 38 and diagonal.digits >= 38
        assert relative_distance(wide.beta, diagonal.beta, ctx) < ctx.mpf("1e-38")
        # rates 2 (wide) and 4 (diagonal, h = 2 sinh): the same b t_i needs lam_wide = 2 lam_diagonal
        assert relative_distance(wide.lam, [2 * v for v in diagonal.lam], ctx) < ctx.mpf("1e-36")


def test_solve_objective_equals_the_primal_potential():
    # duality: -Phi(lam*) = sum (a/b) G*(beta_i) = (1/2) sum q_{A_i,B_i}(beta_i)
    problem = tiny()
    link = wide_link(U0, V0)
    result = solve_link(problem, link, dps=40)
    ctx = context(50)
    q = derive_wide().potential_function(ctx)
    primal = ctx.fsum(q(ctx.convert(b), ctx.mpf(a), ctx.mpf(bb)) for b, (a, bb) in zip(result.beta, link.values)) / 2
    assert abs(primal - result.objective) < ctx.mpf("1e-37") * abs(primal)


def test_flow_limit_equals_the_biased_argmin_on_a_tiny_problem():
    problem = tiny()
    flow = integrate_flow(WideModel(U0, V0), problem, dps=35)
    solved = solve_link(problem, wide_link(U0, V0), dps=35)
    ctx = context(45)
    assert flow.digits >= 28 and solved.digits >= 33
    assert relative_distance(flow.beta, solved.beta, ctx) < ctx.mpf("1e-28")
    unbiased = solve_link(problem, implicit_link("diagonal", 2, "0.5", None, problem.d), dps=20)
    assert relative_distance(flow.beta, unbiased.beta, ctx) > ctx.mpf("1e-3")  # the bias is visible


def test_flow_conserves_u2_minus_v2_per_unit():
    # d/dt (u^2 - v^2) = 2u(-2 g v) - 2v(-2 g u) = 0 for every unit: no potential involved
    problem = tiny()
    flow = integrate_flow(WideModel(U0, V0), problem, dps=30)
    ctx = context(40)
    for row, u_row, v_row in zip(flow.parameters, U0, V0):
        for j in range(2):
            initial = ctx.mpf(u_row[j]) ** 2 - ctx.mpf(v_row[j]) ** 2
            assert abs(row[j] ** 2 - row[2 + j] ** 2 - initial) < ctx.mpf("1e-25")


def test_tiny_scale_uses_continuation_and_matches_the_float_log_domain_path():
    problem = tiny()
    A = [Fraction(3, 2) * Fraction(1, 10 ** 30), Fraction(1, 10 ** 30), Fraction(5, 10 ** 31)]
    B = [Fraction(1, 10 ** 30), Fraction(7, 4) * Fraction(1, 10 ** 30), Fraction(2, 10 ** 30)]
    link = biased_link(list(zip(A, B)))
    exact = solve_link(problem, link, dps=30)
    fast = solve_link_float(problem, link)  # the biased form A e^nu - B e^-nu, in logarithms
    ctx = context(30)
    assert exact.digits >= 28 and fast.status is SolveStatus.OK and fast.log_domain
    assert relative_distance(fast.beta.tolist(), exact.beta, ctx) < ctx.mpf("1e-10")


@pytest.mark.parametrize("U, V, fragment", [
    ([["1", "0"]], [["1", "0"]], "B_i"),       # U0_i = V0_i
    ([["1", "2"]], [["-1", "-2"]], "A_i"),     # U0_i = -V0_i
    ([["0", "0"]], [["0", "0"]], "A_i"),       # a zero row
])
def test_degenerate_rows_are_refused(U, V, fragment):
    with pytest.raises(InvalidArgument, match=f"row 1 is degenerate.*{fragment}"):
        wide_link(U, V)


def test_link_parameter_validation():
    nu, a = sp.symbols("nu a", real=True)
    plain = Link("plain", nu, 2 * sp.sinh(nu), 2 * sp.cosh(nu) - 2, sp.oo, ("1",), ("1",))
    assert plain.values_mp(context(20)) == [()]
    base = dict(name="p", nu=nu, h=a * sp.sinh(nu), G=a * sp.cosh(nu) - a, radius=sp.oo,
                amplitude=("1", "1"), rate=("1", "1"))
    assert Link(**base, parameters=(a,), values=(("1/2",), ("3",))).values == (("1/2",), ("3",))
    for extra, fragment in [({}, "other than nu"),
                            ({"parameters": (a,), "values": (("1",),)}, "one row per coordinate"),
                            ({"parameters": (a,), "values": (("1", "2"), ("1", "2"))}, "one number per"),
                            ({"parameters": (a,), "values": (("0",), ("1",))}, "positive"),
                            ({"parameters": (nu,), "values": (("1",), ("1",))}, "distinct")]:
        with pytest.raises(InvalidArgument, match=fragment):
            Link(**base, **extra)
    with pytest.raises(InvalidArgument, match="without parameters"):
        Link("plain", nu, 2 * sp.sinh(nu), 2 * sp.cosh(nu) - 2, sp.oo, ("1",), ("1",), values=(("1",),))


# -- initializations and the model -------------------------------------------------------------
def test_special_initialization_has_the_papers_lifted_matrix():
    mu = "3/4"
    U, V = special_initialization(mu, 3)
    Uf = [[Fraction(x) for x in r] for r in U]
    Vf = [[Fraction(x) for x in r] for r in V]
    gram = lambda P, Q: [[sum(p * q for p, q in zip(r, s)) for s in Q] for r in P]  # noqa: E731
    two_mu2 = 2 * Fraction(mu) ** 2
    identity = [[two_mu2 * (i == j) for j in range(3)] for i in range(3)]
    assert gram(Uf, Uf) == identity and gram(Vf, Vf) == identity          # M-bar(0) = 2 mu^2 I
    assert gram(Uf, Vf) == [[0] * 3] * 3                                  # M(0) = U V^T = 0
    assert link_parameters(U, V) == ((Fraction(9, 16), Fraction(9, 16)),) * 3


def test_gaussian_initialization_is_seeded_and_dyadic():
    first = gaussian_initialization(np.random.default_rng(5), 4, 3, 0.5, bits=10)
    assert first == gaussian_initialization(np.random.default_rng(5), 4, 3, 0.5, bits=10)
    assert all(len(r) == 3 and all((Fraction(x) * 1024).denominator == 1 for x in r) for r in first[0])
    with pytest.raises(InvalidArgument, match="width k"):
        gaussian_initialization(np.random.default_rng(5), 4, 0, 0.5)


@pytest.mark.parametrize("U, V, fragment", [
    ([["1", "2"]], [["1"]], "U0 is 1 x 2 but V0 is 1 x 1"),
    ([[]], [[]], "k=0"),
    ([], [], "no rows"),
    ([["1", "2"], ["1"]], [["1", "2"], ["1", "2"]], "different lengths"),
    ([["1", "x"]], [["1", "2"]], "U0 row 1, column 2"),
    ("12", "12", "sequence of rows"),
])
def test_wide_model_bad_input(U, V, fragment):
    with pytest.raises(InvalidArgument, match=fragment):
        WideModel(U, V)


def test_wide_model_polynomial_and_dimension_check():
    model = WideModel(U0, V0)
    assert model.polynomial.n_parameters == 4 and len(model.polynomial.terms()) == 2
    ctx = context(20)
    exact = [sum(Fraction(a) * Fraction(b) for a, b in zip(u, v)) for u, v in zip(U0, V0)]  # <U0_i, V0_i>
    assert model.beta(ctx, model.initial_parameters(ctx, 3)) == [ctx.mpf(e.numerator) / e.denominator
                                                                 for e in exact]
    with pytest.raises(InvalidArgument, match="d=4"):
        model.initial_parameters(ctx, 4)


def test_float_path_refuses_parameters_outside_the_biased_form():
    nu, a = sp.symbols("nu a", positive=True)
    odd_plus_linear = Link("not biased", nu, a * sp.sinh(nu) + nu, a * sp.cosh(nu) - a + nu ** 2 / 2, sp.oo,
                           ("1",) * 3, ("2",) * 3, (a,), (("1",),) * 3)
    with pytest.raises(InvalidArgument, match="per-coordinate parameters.*biased form"):
        solve_link_float(tiny(), odd_plus_linear)


def test_float_path_agrees_with_mpmath_on_a_gaussian_wide_link():
    # the float64 backend on the exact biased link (the width sweeps' fast path) against the
    # mpmath solve of the same link, normwise to 1e-12 (double resolves ~1e-15 here)
    problem = tiny()
    U, V = gaussian_initialization(np.random.default_rng(3), problem.d, 50, 0.2, 20)
    link = wide_link(U, V)
    fast = solve_link_float(problem, link)
    exact = solve_link(problem, link, dps=30)
    ctx = context(30)
    assert fast.status is SolveStatus.OK, fast.message
    assert relative_distance(fast.beta.tolist(), exact.beta, ctx) < ctx.mpf("1e-12")


# -- command line ----------------------------------------------------------------------------------
def _write(path, rows):
    path.write_text("\n".join(",".join(r) for r in rows) + "\n")
    return str(path)


@pytest.fixture
def files(tmp_path):
    return {"X": _write(tmp_path / "X.csv", X), "y": _write(tmp_path / "y.csv", [[v] for v in Y]),
            "U0": _write(tmp_path / "U0.csv", U0), "V0": _write(tmp_path / "V0.csv", V0),
            "U_short": _write(tmp_path / "U_short.csv", [r[:1] for r in U0]),
            "U_rows": _write(tmp_path / "U_rows.csv", U0[:2]), "V_rows": _write(tmp_path / "V_rows.csv", V0[:2]),
            "dir": tmp_path}


def test_cli_solve_and_flow_agree(files, capsys):
    common = ["--family", "wide", "--U0", files["U0"], "--V0", files["V0"], "--X", files["X"],
              "--y", files["y"], "--dps", "35"]
    assert main(["solve", *common, "--json"]) == 0
    solved = json.loads(capsys.readouterr().out)
    assert main(["flow", *common, "--json"]) == 0
    flowed = json.loads(capsys.readouterr().out)
    assert solved["width"] == 2 and flowed["model"]["family"] == "wide"
    assert solved["A"] == [str(a) for a, _ in link_parameters(U0, V0)]
    ctx = context(45)
    assert relative_distance(flowed["beta"], solved["beta"], ctx) < ctx.mpf("1e-28")


@pytest.mark.parametrize("command", ["solve", "flow"])
@pytest.mark.parametrize("options, fragment", [
    (["--U0", "{U0}", "--V0", "{U_short}"], "same shape"),
    (["--U0", "{U0}"], "needs --V0"),
    (["--U0", "{U0}", "--V0", "{V0}", "--alpha", "2"], "does not take --alpha"),
    (["--U0", "{U_rows}", "--V0", "{V_rows}"], "d=3"),
    (["--U0", "{dir}/empty.json", "--V0", "{dir}/empty.json"], "empty"),
])
def test_cli_bad_wide_input_exits_3(command, options, fragment, files, capsys):
    (files["dir"] / "empty.json").write_text("[[], []]")
    argv = [command, "--family", "wide", *[o.format(**files) for o in options], "--X", files["X"], "--y", files["y"]]
    assert main(argv) == 3
    err = capsys.readouterr().err
    assert fragment in err and "Traceback" not in err and err.count("\n") == 1


def test_cli_refuses_wide_options_for_the_diagonal_family(files, capsys):
    assert main(["solve", "--family", "diagonal", "--U0", files["U0"], "--X", files["X"], "--y", files["y"]]) == 3
    assert "--family diagonal does not take --U0" in capsys.readouterr().err
