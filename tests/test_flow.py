"""The high-precision parameter-space gradient flow: krtheory.flow.driver, .models and `krtheory flow`.

Expected values come from closed forms of the flow itself (a conserved quantity that follows
from the ODE in one line), from a second integrator (mpmath.odefun), from a recomputation at
higher precision, or from the interpolation constraint; never from a potential or a dual solve.
"""

import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import mpmath
import numpy as np
import pytest

from krtheory import InvalidArgument, Problem
from krtheory.cli import main
from krtheory.cli.common import parse_shape
from krtheory.errors import NoConvergence
from krtheory.flow.driver import RESIDUAL_SLACK_DIGITS, FlowStatus, integrate_flow
from krtheory.flow.taylor import stability_interval
from krtheory.flow.models import DiagonalModel, Polynomial, SeparableModel
from krtheory.precision import context

DATA = Path(__file__).parent / "data"
EXAMPLES = Path(__file__).parent.parent / "examples"
#: Modules whose mathematics the flow is evidence *against*: it must not import them.
FORBIDDEN = ("krtheory.derive", "krtheory.solve", "krtheory.links", "krtheory.families")
#: The family registry's names and lazy dispatch (they import no family module until used): the
#: flow command reads its --family choices there.
REGISTRY = ("krtheory.families", "krtheory.families.base", "krtheory.families.registry")


def problem_3x8() -> Problem:
    """3 x 8 dyadic problem, 2-sparse planted beta (y = X beta* exactly)."""
    return Problem.random_dyadic(np.random.default_rng(0), 3, 8, 2)


def small_problem() -> Problem:
    return Problem.from_files(DATA / "X_small.csv", DATA / "y_small.csv")


def test_flow_imports_no_potential_or_dual_solver():
    code = ("import sys, krtheory.flow.driver, krtheory.flow.models, krtheory.cli.flow; "
            "print(' '.join(sorted(sys.modules)))")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True).stdout.split()
    assert "krtheory.flow.driver" in loaded
    assert not [m for m in loaded if (m.startswith(FORBIDDEN) and m not in REGISTRY) or "potential" in m]
    assert "sympy" not in loaded  # no symbolic derivation behind the evidence either


# -- independent truths --------------------------------------------------------------------
@pytest.mark.parametrize("alpha", ["0.01", "1", "100"])
@pytest.mark.parametrize("x, y", [("1", "3"), ("0.5", "-0.7")])
def test_one_coordinate_limit_matches_the_conservation_law(alpha, x, y):
    # d = n = 1: d/dt(w+ w-) = -4gw+w- + 4gw+w- = 0, so w+ w- = alpha^2 for all t, and the
    # limit has x (w+^2 - w-^2) = y: w+^2 = (Y + sqrt(Y^2 + 4 alpha^4)) / 2 with Y = y / x.
    problem = Problem.from_rows([[x]], [y], warn=False)
    result = integrate_flow(DiagonalModel(2, alpha), problem, dps=40)
    ctx = context(60)
    a, Y = ctx.mpf(alpha), ctx.mpf(y) / ctx.mpf(x)
    w_plus = ctx.sqrt((Y + ctx.sqrt(Y ** 2 + 4 * a ** 4)) / 2)
    (wp, wm), = result.parameters
    assert abs(wp - w_plus) <= ctx.mpf("1e-30") * w_plus
    assert abs(wm - a ** 2 / w_plus) <= ctx.mpf("1e-30") * w_plus
    # the error estimate is honest (an upper estimate) and earns >= 30 digits here
    assert abs(ctx.mpf(result.beta[0]) - Y) <= result.error_estimate
    assert result.digits >= 30


def test_conserved_products_along_the_trajectory_and_interpolation():
    # D = 2: d/dt(w+_i w-_i) = 0 exactly, so w+_i w-_i = alpha^2 w0_i^2 at every t
    problem = problem_3x8()
    shape = ("1", "0.5", "2", "1", "0.25", "1", "3", "1")
    result = integrate_flow(DiagonalModel(2, "0.1", shape), problem, dps=40,
                            times=["0", "0.5", "2", "10"])
    ctx = context(60)
    products = [ctx.mpf("0.01") * ctx.mpf(s) ** 2 for s in shape]
    states = [sample.parameters for sample in result.samples] + [result.parameters]
    assert len(states) == 5
    for params in states:
        for (wp, wm), c in zip(params, products):
            assert abs(wp * wm - c) <= ctx.mpf("1e-38") * c  # near working precision (1e-40)
    assert result.samples[0].beta == [0] * problem.d
    residual = [ctx.fdot([ctx.mpf(v) for v in row], result.beta) - ctx.mpf(v)
                for row, v in zip(problem.X, problem.y)]
    y_scale = max(1, max(abs(ctx.mpf(v)) for v in problem.y))
    assert max(abs(v) for v in residual) <= ctx.mpf(10) ** (RESIDUAL_SLACK_DIGITS - 40) * y_scale
    target = ctx.mpf(10) ** (2 * (RESIDUAL_SLACK_DIGITS - 40)) * len(problem.y) * y_scale ** 2
    assert result.loss <= target


def test_depth_3_conserves_its_invariant():
    # D = 3: d/dt w^(2-D) = (2-D) w^(1-D) * (-+2 D g w^(D-1)) = -+2D(2-D) g, so
    # w+^(2-D) + w-^(2-D) = 2 alpha^(2-D) at every t
    result = integrate_flow(DiagonalModel(3, "0.5"), problem_3x8(), dps=40)
    ctx = context(60)
    invariant = 2 / ctx.mpf("0.5")
    for wp, wm in result.parameters:
        assert abs(1 / wp + 1 / wm - invariant) <= ctx.mpf("1e-38") * invariant
    assert result.digits >= 30


@pytest.mark.parametrize("alpha", ["0.01", "100"])
def test_error_estimate_covers_the_dps60_reference(alpha):
    # both ends of the required alpha range converge on 3x8 and earn the >= 25 digits the
    # theorem checks need; the dps-60 run is the reference for the dps-40 error estimate
    problem, model = problem_3x8(), DiagonalModel(2, alpha)
    r40 = integrate_flow(model, problem, dps=40)
    r60 = integrate_flow(model, problem, dps=60)
    ctx = context(60)
    difference = max(abs(ctx.mpf(a) - b) for a, b in zip(r40.beta, r60.beta))
    assert difference <= r40.error_estimate
    assert r60.error_estimate < r40.error_estimate * ctx.mpf("1e-15")
    assert r40.error_estimate <= ctx.mpf("1e-28") * max(abs(b) for b in r60.beta)
    assert r40.digits >= 25


def test_trajectory_agrees_with_mpmath_odefun():
    # an independent integrator (mpmath's own Taylor method, 25 digits) on the plain ODE
    problem, times = small_problem(), ["0.05", "0.2", "1"]
    result = integrate_flow(DiagonalModel(2, "1"), problem, dps=30, times=times)
    d = problem.d
    with mpmath.workdps(25):
        X = [[mpmath.mpf(v) for v in row] for row in problem.X]
        y = [mpmath.mpf(v) for v in problem.y]

        def rhs(t, w):
            beta = [a * a - b * b for a, b in zip(w[:d], w[d:])]
            r = [mpmath.fdot(row, beta) - v for row, v in zip(X, y)]
            g = [mpmath.fdot([row[i] for row in X], r) for i in range(d)]
            return ([-4 * gi * a for gi, a in zip(g, w[:d])]
                    + [4 * gi * b for gi, b in zip(g, w[d:])])

        solution = mpmath.odefun(rhs, 0, [mpmath.mpf(1)] * (2 * d))
        for tau, sample in zip(times, result.samples):
            w = solution(mpmath.mpf(tau))
            reference = [w[i] ** 2 - w[d + i] ** 2 for i in range(d)]
            assert mpmath.mpf(sample.time) == mpmath.mpf(tau)
            error = max(abs(mpmath.mpf(b) - v) for b, v in zip(sample.beta, reference))
            assert error < mpmath.mpf("1e-22")


class QuadraticModel(SeparableModel):
    """beta_i = theta0^2/2 + theta0 theta1/3 - theta1^2/4 + 1/10: fractional coefficients, a
    constant term and two-term derivatives, the generated recurrence's general paths."""

    polynomial = Polynomial(("1/2", "1/3", "-0.25", "0.1"), ((2, 0), (1, 1), (0, 2), (0, 0)))

    def initial_parameters(self, ctx, d):
        return [[ctx.mpf(1) / (i + 2), ctx.mpf(-1) / (i + 3)] for i in range(d)]

    def describe(self):
        return {"family": "quadratic test model"}


def test_general_polynomial_trajectory_agrees_with_mpmath_odefun():
    problem, times = small_problem(), ["0.05", "0.3"]
    result = integrate_flow(QuadraticModel(), problem, dps=30, times=times, loss_target="1e9")
    d = problem.d
    with mpmath.workdps(25):
        X = [[mpmath.mpf(v) for v in row] for row in problem.X]
        y = [mpmath.mpf(v) for v in problem.y]
        P = lambda a, b: a * a / 2 + a * b / 3 - b * b / 4 + mpmath.mpf(1) / 10  # noqa: E731

        def rhs(t, w):
            r = [mpmath.fdot(row, [P(a, b) for a, b in zip(w[:d], w[d:])]) - v for row, v in zip(X, y)]
            g = [mpmath.fdot([row[i] for row in X], r) for i in range(d)]
            return ([-2 * gi * (a + b / 3) for gi, a, b in zip(g, w[:d], w[d:])]
                    + [-2 * gi * (a / 3 - b / 2) for gi, a, b in zip(g, w[:d], w[d:])])

        start = [mpmath.mpf(1) / (i + 2) for i in range(d)] + [mpmath.mpf(-1) / (i + 3) for i in range(d)]
        solution = mpmath.odefun(rhs, 0, start)
        for tau, sample in zip(times, result.samples):
            w = solution(mpmath.mpf(tau))
            reference = [P(w[i], w[d + i]) for i in range(d)]
            error = max(abs(mpmath.mpf(b) - v) for b, v in zip(sample.beta, reference))
            assert error < mpmath.mpf("1e-22")
            assert mpmath.mpf(sample.error_estimate) < mpmath.mpf("1e-22")


def test_stability_interval_is_a_lower_bound():
    # |sum_{k<=q} (-x)^k / k!| <= 1 on [0, sigma_q], computed directly at 40 digits
    with mpmath.workdps(40):
        for q in (4, 5, 8, 13, 21, 34, 53, 60):
            sigma = mpmath.mpf(stability_interval(q))
            for x in mpmath.linspace(0, sigma, 200):
                assert abs(mpmath.fsum((-x) ** k / mpmath.factorial(k) for k in range(q + 1))) <= 1


def test_printed_digits_are_earned():
    result = integrate_flow(DiagonalModel(2, "0.1"), small_problem(), dps=30)
    strings = result.as_strings()
    assert strings["digits"] == result.digits and 0 < result.digits <= 30
    error = Decimal(strings["error_estimate"])
    for text, value in zip(strings["beta"], result.beta):
        printed = Decimal(text)
        unit = Decimal(1).scaleb(printed.adjusted() - len(printed.as_tuple().digits) + 1)
        assert unit >= error  # the last printed digit is not finer than the error estimate
        assert abs(printed - Decimal(str(value))) <= unit


def test_progress_is_reported():
    calls = []
    result = integrate_flow(DiagonalModel(2, "1"), small_problem(), dps=20,
                            progress=lambda t, loss, steps: calls.append((t, loss, steps)))
    assert len(calls) == result.steps
    assert [c[2] for c in calls] == list(range(1, result.steps + 1))
    assert all(a[0] < b[0] and b[1] <= a[1] for a, b in zip(calls, calls[1:]))


# -- bad input and budgets ---------------------------------------------------------------
@pytest.mark.parametrize("alpha, message", [
    ("0", "alpha"), ("-1", "alpha"), ("nan", "alpha"), ("inf", "alpha"), ("abc", "alpha"),
    (float("nan"), "alpha")])
def test_bad_alpha(alpha, message):
    with pytest.raises(InvalidArgument, match=message):
        DiagonalModel(2, alpha)


@pytest.mark.parametrize("depth", [1, 0, 2.5, "2.5", True, "two"])
def test_bad_depth(depth):
    with pytest.raises(InvalidArgument, match="depth"):
        DiagonalModel(depth, "1")


def test_bad_shape():
    with pytest.raises(InvalidArgument, match="shape entry 2 is zero"):
        DiagonalModel(2, "1", ("1", "0", "1"))
    with pytest.raises(InvalidArgument, match="shape entry 1"):
        DiagonalModel(2, "1", ("nan", "1", "1"))
    with pytest.raises(InvalidArgument, match=r"shape has 2 entries but the problem has d=3"):
        integrate_flow(DiagonalModel(2, "1", ("1", "2")), small_problem())


def test_budgets_raise_no_convergence_naming_them():
    problem = small_problem()
    with pytest.raises(NoConvergence, match="max_steps=3"):
        integrate_flow(DiagonalModel(2, "0.1"), problem, max_steps=3)
    with pytest.raises(NoConvergence, match="max_time"):
        integrate_flow(DiagonalModel(2, "0.1"), problem, max_time="0.01")
    with pytest.raises(InvalidArgument, match="max_steps"):
        integrate_flow(DiagonalModel(2, "0.1"), problem, max_steps=0)
    with pytest.raises(InvalidArgument, match="dps"):
        integrate_flow(DiagonalModel(2, "0.1"), problem, dps=2)


def test_throw_false_returns_the_partial_flow_with_its_status():
    """The flow stopped after 3 steps is the full flow's trajectory at that time (its dense
    output there, from other steps), and says which budget ran out."""
    problem, model = small_problem(), DiagonalModel(2, "0.1")
    partial = integrate_flow(model, problem, dps=30, max_steps=3, throw=False)
    assert partial.status is FlowStatus.MAX_STEPS and not partial.converged
    assert "max_steps" in partial.status.value and "max_steps=3" in partial.message
    assert partial.steps == 3 and partial.loss > 1e-40
    full = integrate_flow(model, problem, dps=30, times=[mpmath.nstr(partial.time, 30)])
    assert full.status is FlowStatus.CONVERGED and full.converged and full.message == ""
    sample = full.samples[0]
    assert max(abs(a - b) for a, b in zip(partial.beta, sample.beta)) < 1e-22
    timed = integrate_flow(model, problem, dps=30, max_time="0.01", throw=False)
    assert timed.status is FlowStatus.MAX_TIME and timed.time >= 0.01


# -- command line --------------------------------------------------------------------------
def test_parse_shape_from_list_and_files(tmp_path):
    assert parse_shape("1, 2,0.5", 3) == ("1", "2", "0.5")
    (tmp_path / "row.csv").write_text("1,2,0.5\n")
    (tmp_path / "col.csv").write_text("1\n2\n0.5\n")
    assert parse_shape(str(tmp_path / "row.csv"), 3) == parse_shape(str(tmp_path / "col.csv"), 3)
    with pytest.raises(InvalidArgument, match="--shape has 2 entries"):
        parse_shape("1,2", 3)
    with pytest.raises(InvalidArgument, match="--shape entry 2"):
        parse_shape("1,x,2", 3)


def test_cli_flow_json_matches_the_api(tmp_path, capsys):
    out = tmp_path / "flow.json"
    args = ["flow", "--X", str(DATA / "X_small.csv"), "--y", str(DATA / "y_small.csv"),
            "--alpha", "0.5", "--shape", "1,2,1", "--dps", "30", "--json", str(out)]
    assert main(args) == 0
    record = json.loads(out.read_text())
    api = integrate_flow(DiagonalModel(2, "0.5", ("1", "2", "1")), small_problem(), dps=30)
    assert record["beta"] == api.beta_strings()
    assert record["digits"] == api.digits >= 25 and record["dps"] == 30
    assert record["steps"] == api.steps
    assert {"loss", "time", "error_estimate", "seconds"} <= set(record)
    text = capsys.readouterr().out
    assert record["beta"][0] in text and "error_estimate" in text


@pytest.mark.parametrize("options, message", [
    (["--alpha", "-1"], "alpha"), (["--alpha", "nan"], "alpha"), (["--depth", "2.5"], "depth"),
    (["--shape", "1,0,1"], "zero"), (["--shape", "1,2"], "--shape has 2 entries"),
    # theta(0) beyond the float64 step control: tiny entries need > 960 fixed-point bits, huge
    # ones overflow Hess P (these were an OverflowError and a LinAlgError)
    (["--alpha", "1e-400"], "fixed-point bits"), (["--alpha", "1e400"], "overflow"),
    (["--shape", "1e-400,1,1"], "fixed-point bits"), (["--depth", "1000"], "[2, 100]"),
    # beta = w+^2 - w-^2 cancels ~260 digits: the precision that needs is beyond the step control
    (["--alpha", "1e130"], "solve --family l2")])
def test_cli_flow_bad_input_exits_3(options, message, capsys):
    args = ["flow", "--X", str(DATA / "X_small.csv"), "--y", str(DATA / "y_small.csv"), *options]
    assert main(args) == 3
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_inconsistent_problem_is_refused_at_once():
    # two samples x = 1 with targets 1 and 2: no beta interpolates, the loss stays >= 1/2
    problem = Problem.from_rows([["1", "0"], ["1", "0"]], ["1", "2"], warn=False)
    with pytest.raises(InvalidArgument, match="not in the range of X"):
        integrate_flow(DiagonalModel(2, "1"), problem)
    # dependent rows with a consistent y are fine: the flow interpolates, and the tail bound
    # uses the smallest eigenvalue of A on the range of X (A itself is singular here)
    result = integrate_flow(DiagonalModel(2, "1"), Problem.from_rows(
        [["1", "2"], ["2", "4"]], ["1", "2"], warn=False), dps=20)
    residual = abs(result.beta[0] + 2 * result.beta[1] - 1)
    assert residual <= mpmath.mpf(10) ** (RESIDUAL_SLACK_DIGITS - 20)
    assert result.digits >= 12


def _one_line_exit_3(args, capsys):
    assert main(args) == 3
    err = capsys.readouterr().err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
    return err


def test_cli_flow_refuses_a_stationary_start(tmp_path, capsys):
    """U0 = V0 = 0: grad <U_i, V_i> = (V_i, U_i) = 0, so the flow never moves (it crashed)."""
    zeros = tmp_path / "zeros.csv"
    zeros.write_text("0,0\n0,0\n0,0\n")
    args = ["flow", "--family", "wide", "--U0", str(zeros), "--V0", str(zeros),
            "--X", str(DATA / "X_small.csv"), "--y", str(DATA / "y_small.csv")]
    assert "stationary point" in _one_line_exit_3(args, capsys)


def test_cli_flow_refuses_a_numerically_singular_X_at_once(tmp_path, capsys):
    """Rows 1e-17 apart: exact rank 2, float64 rank 1; the residual would decay at rate
    ~1e-34 (this ran for minutes without output)."""
    (tmp_path / "X.csv").write_text("1,1,0\n1,1.00000000000000001,0\n")
    (tmp_path / "y.csv").write_text("1\n2\n")
    args = ["flow", "--X", str(tmp_path / "X.csv"), "--y", str(tmp_path / "y.csv")]
    err = _one_line_exit_3(args, capsys)
    # issue 12c: the refusal stays (the float64 step control and Radau Newton cannot see the
    # 1e-17 direction), and names the computation that handles it
    assert "numerically singular" in err and "krtheory solve --backend mpmath" in err


def _min_l2_norm_interpolant(problem: Problem, ctx):
    """beta = X^T (X X^T)^-1 y, the alpha -> inf limit of the flow (the kernel regime, paper
    Theorem 1 / §4), from the exact rationals of X and y (full row rank)."""
    X = mpmath.matrix([[ctx.mpf(v.numerator) / v.denominator for v in row]
                       for row in problem.X_fraction()])
    y = mpmath.matrix([ctx.mpf(v.numerator) / v.denominator for v in problem.y_fraction()])
    return list(X.T * mpmath.lu_solve(X * X.T, y))


def _examples_problem() -> Problem:
    return Problem.from_files(EXAMPLES / "X.csv", EXAMPLES / "y.csv")


@pytest.mark.parametrize("alpha", ["1e20", "1e100"])
@pytest.mark.parametrize("problem, method", [
    (small_problem(), "taylor"), (small_problem(), "auto"),
    # Radau alone at huge alpha takes its steps at the alpha^-2 time scale: over the 120 s budget on
    # the 2-core machines of 2026-12-02 (it passed in 2026-12-01's CI), so it runs with -m slow
    pytest.param(small_problem(), "radau", marks=pytest.mark.slow),
    (_examples_problem(), "taylor"), (_examples_problem(), "auto")],
    ids=["2x3-taylor", "2x3-auto", "2x3-radau", "examples-taylor", "examples-auto"])
def test_huge_alpha_flow_reaches_the_min_l2_interpolant(problem, method, alpha):
    """beta = w+^2 - w-^2 with w+- ~ alpha cancels ~2 log10(alpha) digits (the loss then stalled
    above its target, or the error estimate exceeded beta, or the Radau steps collapsed, or their
    float64 conversions overflowed): the flow limit is the l2 limit to O(alpha^-2), with at most
    GUARD_DIGITS (10) digits lost."""
    result = integrate_flow(DiagonalModel(2, alpha), problem, dps=30, method=method,
                            max_seconds=120)
    with mpmath.workdps(60):
        expected = _min_l2_norm_interpolant(problem, mpmath.mp)
        scale = max(abs(v) for v in expected)
        distance = max(abs(mpmath.mpf(b) - e) for b, e in zip(result.beta, expected))
        assert distance <= 1e-20 * scale and distance <= result.error_estimate
    assert result.digits >= 20


def test_cli_flow_at_alpha_1e100_succeeds(capsys):
    """The issue's command (it ended in NoConvergence, then in an OverflowError of the Radau
    steps' float64 conversion of fixed-point values ~2^(332 + P))."""
    args = ["flow", "--X", str(EXAMPLES / "X.csv"), "--y", str(EXAMPLES / "y.csv"),
            "--alpha", "1e100", "--json"]
    assert main(args) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["digits"] >= 30


def test_too_high_dps_is_refused_naming_the_dps_that_works(tmp_path, capsys):
    """Issue 12b (reported as an mpmath overflow at --dps 300, not reproduced): the refusal
    blamed "the smallest nonzero initial parameter" (alpha = 1 has none that small) and advised
    raising alpha. It names the dps now, and the largest dps it offers is taken."""
    (tmp_path / "X.csv").write_text("1,2,3\n4,5,6\n")
    (tmp_path / "y.csv").write_text("1\n2\n")
    args = ["flow", "--X", str(tmp_path / "X.csv"), "--y", str(tmp_path / "y.csv"), "--dps", "300"]
    err = _one_line_exit_3(args, capsys)
    assert "dps=300" in err and "initial parameter" not in err
    largest = int(err.split("dps <= ")[1].split()[0].rstrip(":;,)"))
    problem = Problem.from_files(tmp_path / "X.csv", tmp_path / "y.csv")
    partial = integrate_flow(DiagonalModel(2, "1"), problem, dps=largest, max_steps=1, throw=False)
    assert partial.status is FlowStatus.MAX_STEPS
    with pytest.raises(InvalidArgument, match=f"dps={largest + 1}"):
        integrate_flow(DiagonalModel(2, "1"), problem, dps=largest + 1, max_steps=1)


@pytest.mark.parametrize("method", ["taylor", "radau"])
def test_high_dps_with_a_small_alpha_does_not_overflow(method):
    """Issue 12b: w-_i decays (to ~1e-81 within 7 steps here), so the fixed-point bits P that
    keep it exact grow past 1000 during the flow, and the float64 conversions of g = X^T r and of
    the step sizes (P-bit integers) raised OverflowError (a traceback from the CLI)."""
    problem = Problem.from_rows([["1", "2", "3"], ["4", "5", "6"]], ["1", "2"], warn=False)
    partial = integrate_flow(DiagonalModel(2, "1e-70"), problem, dps=200, max_steps=12,
                             method=method, throw=False)
    assert partial.status is FlowStatus.MAX_STEPS and partial.steps == 12


def test_cli_flow_progress_shows_a_bar_on_stderr(capsys):
    """--progress: a bar of the flow's steps on stderr (tqdm, or 'flow i/?' lines without it);
    nothing on stderr without it off a terminal; stdout is the same result."""
    args = ["flow", "--X", str(DATA / "X_small.csv"), "--y", str(DATA / "y_small.csv"), "--json"]
    assert main(args) == 0
    plain = capsys.readouterr()
    assert plain.err == ""
    assert main([*args, "--progress"]) == 0
    barred = capsys.readouterr()
    assert ("flow:" in barred.err and "it [" in barred.err and "loss=" in barred.err
            or "flow 1/?" in barred.err)
    strip = lambda out: {k: v for k, v in json.loads(out).items() if k != "seconds"}  # noqa: E731
    assert strip(barred.out) == strip(plain.out)
