"""krtheory.bounds (formulas, printed, witness, thresholds), ``krtheory bounds`` and the bound claims.

Expected values come from elsewhere: Python's float/decimal exp, closed forms typed here from
the paper (q(z) = 2 - sqrt(4 + z^2) + z asinh(z/2), an independent Figure 3(b) table (Section 5) and q_3 values,
the asymptotic Lemma 2 crossing), and a one-measurement problem whose thresholds solve a scalar
equation by mpmath's findroot.
"""

import dataclasses
import json
import math
from decimal import Decimal, localcontext
from fractions import Fraction

import mpmath
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import krtheory.cli
from krtheory.bounds import formulas, printed, thresholds, witness
from krtheory.claims import RunConfig, Status
from krtheory.errors import InvalidArgument
from krtheory.precision import context, to_decimal
from krtheory.problem import Problem
from krtheory.testing import betas, epsilons, problems
from proofs_checks import bounds_depth, bounds_lemmas, bounds_theorem2
from tests.helpers import hypentropy_q

#: the hypothesis ladders of this file run a quarter of the profile's examples (each runs solves)
LADDER = settings(max_examples=max(4, settings.default.max_examples // 4), deadline=None)
#: x = ln(alpha^D) columns and values of an independent recomputation of Figure 3(b) (Section 5) (3 decimals)
FIG3B_REFERENCE = {2: (0.149, 0.182, 0.295, 0.686, 0.981, 0.997), 3: (0.115, 0.137, 0.216, 0.557, 0.960, 0.994),
                   5: (0.106, 0.120, 0.180, 0.478, 0.939, 0.990), 10: (0.103, 0.114, 0.162, 0.430, 0.923, 0.987),
                   100: (0.102, 0.110, 0.151, 0.394, 0.907, 0.984)}


def ctx50():
    return context(50)


# -- printed bounds ----------------------------------------------------------------------
def test_l1_bound_is_the_exponential_term_and_prints_with_exponent_minus_87():
    ctx = ctx50()
    value = formulas.theorem2_l1_bound("1", 100, "0.5", ctx)   # min{3^-2.5, exp(-200)}
    assert abs(value / ctx.mpf(math.exp(-200)) - 1) < 1e-15
    assert to_decimal(ctx, value, 10).endswith("e-87")


def test_l1_bound_below_every_float_still_prints():
    ctx = ctx50()
    value = formulas.theorem2_l1_bound("1", 100, "0.01", ctx)   # exp(-10000) ~ 1.1e-4343
    with localcontext() as dec:
        dec.prec = 30
        expected = Decimal(-10000).exp()
    assert abs(value / ctx.mpf(str(expected)) - 1) < ctx.mpf("1e-25")
    assert to_decimal(ctx, value, 8).endswith(f"e{expected.adjusted()}") and expected.adjusted() == -4343


def test_l1_bound_power_term_when_it_is_the_smaller():
    ctx = ctx50()
    # B = 10, d = 2, eps = 1: (2*2*10)^(-3/2) = 0.00395 < exp(-2/10)
    assert abs(formulas.theorem2_l1_bound("10", 2, "1", ctx) - ctx.mpf(40) ** ctx.mpf("-1.5")) < ctx.mpf("1e-45")


def test_l2_bound_matches_the_formulas_example():
    ctx = ctx50()
    assert abs(formulas.theorem2_l2_bound("1", "0.5", ctx) - ctx.sqrt(15)) < ctx.mpf("1e-45")   # 3.873


@pytest.mark.parametrize("norm1, d, eps, expected", [
    ("1", 1, "1", "exp(-1/2)"),          # min{1, 1, 2^-1/2, e^-1/2}
    ("0.25", 1, "10", "0.5"),            # sqrt(B) is the smallest
    ("4", 1, "1", "8**-0.5"),            # (2B)^(-1/(2eps))
])
def test_lemma1_alpha_each_branch(norm1, d, eps, expected):
    ctx = ctx50()
    values = {"exp(-1/2)": ctx.exp(-0.5), "0.5": ctx.mpf("0.5"), "8**-0.5": 1 / ctx.sqrt(8)}
    assert abs(formulas.lemma1_alpha(norm1, d, eps, ctx) - values[expected]) < ctx.mpf("1e-45")


def test_lemma2_and_lemma3_alphas_in_closed_form():
    ctx = ctx50()
    assert abs(formulas.lemma2_alpha(10 ** 8, "0.5", ctx) - ctx.mpf("1e-4")) < ctx.mpf("1e-50")
    assert abs(formulas.lemma3_alpha("4", "0.0625", ctx) - 6) < ctx.mpf("1e-45")   # 2 (1 + 2)


def test_depth_bound_in_closed_form():
    ctx = ctx50()
    assert abs(formulas.depth_bound("1", 1, "1", 4, ctx) - ctx.mpf(2) ** ctx.mpf("-0.75")) < ctx.mpf("1e-45")
    expected = ctx.mpf(4) / 3 * ctx.mpf(2) ** (-ctx.mpf(2) / 3)        # D = 3, B = 8, d = 1, eps = 1
    assert abs(formulas.depth_bound("8", 1, "1", 3, ctx) - expected) < ctx.mpf("1e-45")


@pytest.mark.parametrize("call, fragment", [
    (lambda c: formulas.theorem2_l1_bound("1", 10, "0", c), "eps"),
    (lambda c: formulas.theorem2_l1_bound("1", 10, "-0.5", c), "eps"),
    (lambda c: formulas.theorem2_l1_bound("1", 10, "10", c), "eps < d"),
    (lambda c: formulas.theorem2_l1_bound("1", 10, "nan", c), "eps"),
    (lambda c: formulas.theorem2_l1_bound("0", 10, "0.5", c), "norm1"),
    (lambda c: formulas.theorem2_l2_bound("1", "abc", c), "eps"),
    (lambda c: formulas.lemma2_alpha(100, "1", c), "Lemma 2 needs"),
    (lambda c: formulas.depth_bound("1", 5, "0.5", 2, c), "depth >= 3"),
    (lambda c: witness.witness_ratio(True, "1"), "d must be an integer >= 1"),
    (lambda c: witness.fig3b_table(d=0), "d must be an integer >= 1"),
    (lambda c: thresholds.measure_thresholds(None, ["0.5"], max_points=1), "max_points must be an integer >= 2"),
])
def test_bad_input_names_the_argument(call, fragment):
    with pytest.raises(InvalidArgument, match=fragment):
        call(ctx50())


def test_decimal_beside_is_on_the_safe_side():
    ctx = ctx50()
    value = ctx.exp(-200)
    below, above = formulas.decimal_beside(ctx, value, 40, "below"), formulas.decimal_beside(ctx, value, 40, "above")
    assert ctx.mpf(below) <= value <= ctx.mpf(above)
    assert ctx.mpf(above) / ctx.mpf(below) - 1 < ctx.mpf("1e-8")


def test_printed_bounds_of_a_problem_whose_l1_solution_is_e1():
    # one measurement x = (1, 1/2, ..., 1/2), y = 1: beta*_l1 = e_1, so ||beta*_l1||_1 = 1 and
    # ||beta*_l2||_2 = 1/||x||_2; d = 100 and eps = 0.5 give the l1 bound exp(-200) ~ 1.4e-87
    problem = Problem.from_rows([["1"] + ["0.5"] * 99], ["1"], name="e1-problem")
    stated = printed.printed_bounds(problem, "0.5")
    strings = stated.as_strings()
    assert strings["l1_bound"].endswith("e-87") and strings["l1_bound"].startswith("1.383896526736")
    ctx = ctx50()
    expected_l2 = ctx.sqrt(2 * ctx.mpf("1.5") * 5 / ctx.sqrt(1 + 99 * ctx.mpf("0.25")))
    assert abs(ctx.mpf(strings["l2_bound"]) / expected_l2 - 1) < ctx.mpf("1e-14")
    assert stated.digits >= 25


def test_references_reject_y_zero_and_inconsistent_systems():
    with pytest.raises(InvalidArgument, match="y = 0"):
        printed.references(Problem.from_rows([["1", "2"]], ["0"], name="zero"))
    with pytest.raises(InvalidArgument, match="inconsistent"):
        printed.references(Problem.from_rows([["1", "1", "0"], ["2", "2", "0"]], ["1", "3"], name="bad"))


# -- Q, the Lemma 2 witnesses, Figure 3(b) ------------------------------------------------
def test_regularizer_matches_the_typed_hypentropy():
    beta, alpha = ["0.75", "-3", "0", "1e-6"], "0.01"
    with mpmath.workdps(60):
        a = mpmath.mpf(alpha) ** 2
        expected = sum(a * hypentropy_q(mpmath, mpmath.mpf(b) / a) for b in beta)
        value, digits = witness.regularizer(beta, alpha, dps=30)
        assert digits >= 29 and abs(mpmath.mpf(value) / expected - 1) < mpmath.mpf("1e-28")


def test_regularizer_depth3_matches_the_reference_values():
    # depth-3 q_3 (Section 5), computed independently: q_3(1) = 0.0799434978, q_3(10) = 3.826222907 (alpha = 1: Q = q_3(beta))
    for z, expected in (("1", "0.0799434978"), ("10", "3.826222907")):
        value, _ = witness.regularizer([z], "1", depth=3, dps=20)
        assert abs(value - value.context.mpf(expected)) < value.context.mpf("1e-9")


def test_witness_ratio_for_d_1e8_matches_the_closed_form():
    d, alpha = 10 ** 8, "3e-5"
    with mpmath.workdps(60):
        Z = 1 / mpmath.mpf(alpha) ** 2
        expected = mpmath.sqrt(d) * hypentropy_q(mpmath, Z) / (d * hypentropy_q(mpmath, Z / mpmath.sqrt(d)))
        value, _ = witness.witness_ratio(d, alpha, dps=30)
        assert abs(mpmath.mpf(value) / expected - 1) < mpmath.mpf("1e-28")


def test_witness_threshold_matches_the_asymptotic_crossing():
    # q(z) = z ln z - z + 2 + O(1/z): sqrt(d) ratio = 1 + eps at ln alpha = -1/2 - (1+eps) ln d/(4 eps),
    # exact up to ~1/(Z ln Z) (Z = alpha^-2 ~ e^47 here)
    d, eps = 10 ** 8, "0.25"
    found = witness.witness_threshold(d, eps)
    expected = -0.5 - 1.25 * math.log(d) / 1.0
    assert abs(float(found.ln_alpha) - expected) < 1e-6
    assert found.ratio_low <= 1.25 < found.ratio_high


def test_fig3b_matches_the_independent_table():
    table = witness.fig3b_table(xs=(-8, -6, -4, -2, 0, 1), dps=15)
    for row in table:
        for value, expected in zip(row[1:], FIG3B_REFERENCE[row[0]]):
            assert abs(float(value) - expected) <= 0.0005 + 1e-12, (row[0], float(value), expected)


# -- measured thresholds on a problem solved in closed form -------------------------------
#: x = (1, 1/2), y = 1: beta_i = 2 alpha^2 sinh(x_i nu), beta*_l1 = e_1, beta*_l2 = (1, 1/2)/1.25
HALF = Problem.from_rows([["1", "0.5"]], ["1"], name="half")


def _closed_threshold(beta2, dps=60):
    """alpha with beta_2 = 2 alpha^2 sinh(asinh(beta_1/(2 alpha^2))/2), beta_1 = 1 - beta_2/2 (the
    right side increases with alpha), by bisection on ln alpha in [-40, 10]."""
    with mpmath.workdps(dps):
        beta2 = mpmath.mpf(beta2)
        beta1 = 1 - beta2 / 2
        low, high = mpmath.mpf(-40), mpmath.mpf(10)
        for _ in range(4 * dps):
            middle = (low + high) / 2
            a2 = mpmath.exp(2 * middle)
            if 2 * a2 * mpmath.sinh(mpmath.asinh(beta1 / (2 * a2)) / 2) < beta2:
                low = middle
            else:
                high = middle
        return mpmath.exp(low)


def _l1_and_l2_thresholds(eps):
    eps = mpmath.mpf(eps)
    with mpmath.workdps(60):
        l1 = _closed_threshold(eps / (1 - mpmath.mpf("0.5")))              # ||beta||_1 = 1 + beta_2/2
        c2 = mpmath.mpf("1.25")                                             # (1 - b/2)^2 + b^2 = (1+eps)/1.25
        disc = 1 - 4 * c2 * (1 - (1 + eps) / c2)
        l2 = _closed_threshold((1 - mpmath.sqrt(disc)) / (2 * c2))
    return l1, l2


def test_measured_thresholds_bracket_the_closed_form():
    report = thresholds.measure_thresholds(HALF, ["0.1"], max_points=30)[0]
    l1, l2 = _l1_and_l2_thresholds("0.1")
    assert report.l1.status == report.l2.status == "bracketed"
    assert mpmath.mpf(report.l1.bracket[0]) <= l1 <= mpmath.mpf(report.l1.bracket[1])
    assert mpmath.mpf(report.l2.bracket[1]) <= l2 <= mpmath.mpf(report.l2.bracket[0])
    bound = mpmath.exp(-2 / mpmath.mpf("0.1"))   # B = 1, d = 2: the exp term is the smaller
    assert abs(report.l1.tightness - float(mpmath.log10(l1 / bound))) < 2e-4
    assert report.l1.changes == report.l2.changes == 1


def test_no_violation_when_the_l2_solution_meets_the_l1_guarantee():
    # ||beta*_l2||_1 = 1.2 = (1 + 0.2) ||beta*_l1||_1: the l1 guarantee holds at every alpha
    report = thresholds.measure_thresholds(HALF, ["0.25"], grid_step="1")[0]
    assert report.l1.status == "no violation" and report.l1.value is None and report.l1.tightness is None


#: found by a seeded random search: ||beta_alpha||_1 rises to ~1.0765 B near alpha = 0.56 and falls
#: back to ||beta*_l2||_1 ~ 1.0759 B, so for eps = 0.0762 the l1 guarantee fails on an island of alpha
NON_MONOTONE = Problem.from_rows([["-3/8", "-3/4", "7/8", "1/2", "-1/16"], ["-1/2", "1/4", "-3/16", "1/4", "-13/16"]],
                                 ["37/32", "9/8"], name="non-monotone")


def test_the_l1_guarantee_is_not_monotone_in_alpha():
    from krtheory.flow.driver import integrate_flow
    from krtheory.flow.models import DiagonalModel

    # the parameter-space flow (which never sees Q or the solver) shows ||beta_alpha||_1 up, then down
    ctx = context(30)
    norms = [ctx.fsum(abs(ctx.convert(b)) for b in integrate_flow(DiagonalModel(2, a), NON_MONOTONE, dps=20).beta)
             for a in ("0.3", "0.5623413", "10")]
    assert norms[0] < norms[1] > norms[2] + ctx.mpf("1e-4")
    report = thresholds.measure_thresholds(NON_MONOTONE, ["0.0762"], bracket_decades="0.01")[0]
    assert report.l1.status == "bracketed" and report.l1.changes == 2
    assert Fraction("0.3") < Fraction(report.l1.value) < Fraction("0.5623413")


def test_an_l1_bound_below_the_probe_range_still_prints_and_is_measured():
    # B = 1, d = 2, eps = 4e-4: exp(-5000) ~ 10^-2171.5 lies below SMALLEST_ALPHA = 1e-2000
    report = thresholds.measure_thresholds(HALF, ["0.0004"], grid_step="100", bracket_decades="0.01")[0]
    record = report.as_dict()
    assert record["l1_bound"].endswith("e-2172") and report.l1.scan_start == thresholds.SMALLEST_ALPHA_TEXT
    threshold = _closed_threshold(mpmath.mpf("0.0004") / mpmath.mpf("0.5"))
    assert mpmath.mpf(report.l1.bracket[0]) <= threshold <= mpmath.mpf(report.l1.bracket[1])
    assert abs(report.l1.tightness - float(mpmath.log10(threshold) + 5000 / mpmath.log(10))) < 0.01


def test_a_probe_next_to_the_threshold_raises_the_precision():
    with mpmath.workdps(80):
        threshold = _l1_and_l2_thresholds("0.1")[0]
        below = mpmath.nstr(threshold * (1 - mpmath.mpf("1e-38")), 50)   # margin ~1e-38 < 10^-30
    probe = thresholds.guarantee_at(HALF, below, ["0.1"])
    assert probe.verdicts[("l1", 0)] is True and probe.dps > formulas.DEFAULT_DPS


# -- property tests -----------------------------------------------------------------------
@LADDER
@given(problems(max_n=3, max_d=6), epsilons(min_value="0.1", max_value="1.5"))
def test_theorem2_guarantees_hold_at_the_printed_bounds(problem, eps):
    if Fraction(eps) >= problem.d:
        eps = "1"
    stated = printed.printed_bounds(problem, eps)
    if Fraction(stated.alpha_l1()) >= thresholds.SMALLEST_ALPHA:
        assert thresholds.guarantee_at(problem, stated.alpha_l1(), [eps]).verdicts[("l1", 0)]
    assert thresholds.guarantee_at(problem, stated.alpha_l2(), [eps]).verdicts[("l2", 0)]


@settings(deadline=None)
@given(betas(), epsilons(min_value="0.05", max_value="0.9"))
def test_lemma1_and_lemma3_sandwiches(beta, eps):
    ctx = context(40)
    values = [ctx.mpf(Fraction(b).numerator) / Fraction(b).denominator for b in beta]
    norm1, norm2sq = ctx.fsum(abs(v) for v in values), ctx.fsum(v * v for v in values)
    e = ctx.mpf(eps)
    a1 = formulas.decimal_beside(ctx, formulas.lemma1_alpha(norm1, len(beta), eps, ctx), 30, "below")
    Q, _ = witness.regularizer(beta, a1, dps=30)
    scaled = ctx.convert(Q) / ctx.log(1 / ctx.mpf(a1) ** 2)
    assert (1 - e) * norm1 <= scaled <= (1 + e) * norm1
    a2 = formulas.decimal_beside(ctx, formulas.lemma3_alpha(ctx.sqrt(norm2sq), eps, ctx), 30, "above")
    Q, _ = witness.regularizer(beta, a2, dps=30)
    assert (1 - e) * norm2sq <= 4 * ctx.mpf(a2) ** 2 * ctx.convert(Q) <= (1 + e) * norm2sq


@settings(deadline=None)
@given(st.integers(2, 10 ** 8), st.integers(-30, 10), st.integers(1, 20))
@example(3, 5, 1)   # kernel regime: the two ratios differ by ~1e-22, below the 19 verified digits
def test_witness_ratio_is_nondecreasing_in_alpha(d, exponent, step):
    low, high = f"1e{exponent}", f"{10 ** (step / 10):.6f}e{exponent}"
    (a, digits), (b, _) = witness.witness_ratio(d, low, dps=20), witness.witness_ratio(d, high, dps=20)
    assert a <= b * (1 + a.context.mpf(10) ** -digits)


# -- the claims can fail ------------------------------------------------------------------
def test_the_at_bound_claim_refutes_a_guarantee_probed_far_above_its_bound(monkeypatch):
    """Probed at alpha = 10 instead of the l1 bound, ||beta||_1 <= 1.05 ||beta*_l1||_1 fails."""
    real = bounds_theorem2.guarantee_at
    monkeypatch.setattr(bounds_theorem2, "guarantee_at", lambda problem, alpha, eps: real(problem, "10", eps))
    monkeypatch.setitem(bounds_theorem2.EPS, "quick", ("0.05",))
    verdict = bounds_theorem2.check_at_bound(RunConfig(), "l1")
    assert verdict.status is Status.REFUTED, verdict.summary


def test_the_contrast_claim_refutes_a_wrong_law(monkeypatch):
    """With the D = 3 thresholds in place of D = 2's, the exponential law in 1/eps fails."""
    real = bounds_depth._ln_thresholds
    monkeypatch.setattr(bounds_depth, "_ln_thresholds", lambda d, depth, eps: real(d, 3, eps))
    domain = dataclasses.replace(bounds_depth.CONTRAST, extras={**bounds_depth.CONTRAST.extras, "D in": (2,)})
    assert bounds_depth.check_contrast(RunConfig(), domain=domain).status is Status.REFUTED


@pytest.mark.slow
@pytest.mark.parametrize("module", [bounds_theorem2, bounds_lemmas, bounds_depth])
def test_the_bound_claims_hold_in_quick_mode(module):
    """Covered by test_proofs_checks once the modules are in proofs_checks.MODULES."""
    from krtheory.claims import REGISTRY

    for claim in [c for c in REGISTRY.values() if c.check.__module__ == module.__name__]:
        verdict = claim.run(RunConfig())
        assert verdict.status is Status.HOLDS, (claim.id, verdict.summary)


# -- the command line ---------------------------------------------------------------------
@pytest.fixture
def cli(monkeypatch):
    monkeypatch.setattr(krtheory.cli, "COMMANDS", tuple(krtheory.cli.COMMANDS) + ("bounds",)
                        if "bounds" not in krtheory.cli.COMMANDS else krtheory.cli.COMMANDS)
    return krtheory.cli.main


def _write(tmp_path, X, y):
    (tmp_path / "X.csv").write_text("\n".join(",".join(r) for r in X) + "\n")
    (tmp_path / "y.csv").write_text("\n".join(y) + "\n")
    return ["--X", str(tmp_path / "X.csv"), "--y", str(tmp_path / "y.csv")]


def test_cli_json_has_bounds_thresholds_and_tightness(cli, tmp_path, capsys):
    files = _write(tmp_path, [["1", "0.5"]], ["1"])
    assert cli(["bounds", *files, "--eps", "0.1", "--grid-step", "1", "--json"]) == 0
    record = json.loads(capsys.readouterr().out)
    for key in ("l1_bound", "l2_bound", "l1_threshold", "l2_threshold"):
        assert isinstance(record[key], str) and Fraction(record[key]) > 0
    ctx = ctx50()
    assert abs(record["tightness_l1"] - float(ctx.log10(ctx.mpf(record["l1_threshold"]) /
                                                          ctx.mpf(record["l1"]["bound"])))) < 1e-3
    assert abs(record["tightness_l2"] - float(ctx.log10(ctx.mpf(record["l2"]["bound"]) /
                                                          ctx.mpf(record["l2_threshold"])))) < 1e-3
    assert "monotone" in record["note"]


def test_cli_text_output(cli, tmp_path, capsys):
    files = _write(tmp_path, [["1", "0.5"]], ["1"])
    assert cli(["bounds", *files, "--eps", "0.1", "--grid-step", "2", "--depth", "3"]) == 0
    out = capsys.readouterr().out
    assert "§6 depth 3" in out and "measured threshold" in out and "tightness" in out


@pytest.mark.parametrize("extra, fragment", [
    (["--eps", "0"], "eps"), (["--eps", "-1"], "eps"), (["--eps", "2"], "eps < d"),
    (["--eps", "nan"], "eps"), (["--depth", "1"], "depth"), (["--dps", "2"], "dps"),
    (["--grid-step", "0"], "grid_step"),
])
def test_cli_bad_input_exits_3_with_one_line(cli, tmp_path, capsys, extra, fragment):
    files = _write(tmp_path, [["1", "0.5"]], ["1"])
    assert cli(["bounds", *files, *extra]) == 3
    err = capsys.readouterr().err
    assert fragment in err and "Traceback" not in err and err.count("\n") == 1


@pytest.mark.parametrize("X, y, fragment", [
    ([["1", "1", "0"], ["2", "2", "0"]], ["1", "3"], "inconsistent"),
    ([["1", "2"]], ["0"], "y = 0"),
    (None, None, "--X and --y are required"),
])
def test_cli_problems_without_a_bound_exit_3(cli, tmp_path, capsys, X, y, fragment):
    files = _write(tmp_path, X, y) if X else []
    assert cli(["bounds", *files]) == 3
    assert fragment in capsys.readouterr().err


def test_cli_fig3b_table(cli, monkeypatch, capsys):
    monkeypatch.setattr(witness, "FIG3B_X", (-2, 0))
    monkeypatch.setattr(witness, "FIG3B_DEPTHS", (2, 3))
    assert cli(["bounds", "--table", "fig3b", "--json"]) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["x"] == [-2, 0] and [r["depth"] for r in record["rows"]] == [2, 3]
    assert abs(float(record["rows"][0]["ratio"][0]) - FIG3B_REFERENCE[2][3]) <= 0.0005


# -- printed digits against an independent evaluation of the printed formulas ---------
def _example_norms():
    """||beta*_l1||_1 and ||beta*_l2||_2^2 of examples/X.csv, y.csv, exactly: the l1 support from a
    float LP (scipy), then the exact rational solve on it; the l2 norm as y^T (X X^T)^-1 y."""
    import numpy as np
    from scipy.optimize import linprog

    X = [[Fraction(v) for v in line.split(",")] for line in open("examples/X.csv").read().split()]
    y = [Fraction(v) for v in open("examples/y.csv").read().split()]
    n, d = len(X), len(X[0])
    A = np.array([[float(v) for v in row] for row in X])
    lp = linprog(np.ones(2 * d), A_eq=np.hstack([A, -A]), b_eq=[float(v) for v in y], bounds=(0, None))
    beta = lp.x[:d] - lp.x[d:]
    support = sorted(range(d), key=lambda j: -abs(beta[j]))[:n]
    exact = _solve([[row[j] for j in support] for row in X], y)
    gram = [[sum(a * b for a, b in zip(r, s)) for s in X] for r in X]
    return sum(abs(b) for b in exact), sum(a * b for a, b in zip(y, _solve(gram, y))), d


def _solve(M, b):
    """Exact Gauss-Jordan solve of the square rational system M x = b."""
    rows = [list(r) + [v] for r, v in zip(M, b)]
    for i in range(len(rows)):
        pivot = next(k for k in range(i, len(rows)) if rows[k][i] != 0)
        rows[i], rows[pivot] = rows[pivot], rows[i]
        rows[i] = [v / rows[i][i] for v in rows[i]]
        for k in range(len(rows)):
            if k != i and rows[k][i] != 0:
                rows[k] = [a - rows[k][i] * c for a, c in zip(rows[k], rows[i])]
    return [r[-1] for r in rows]


def _formulas(B, N2, d, eps):
    """Theorem 2, Lemma 1, Lemma 2, Lemma 3 as printed (Theorem 2, Appendix D), at 300 digits."""
    m = mpmath.MPContext()
    m.dps = 300
    B, N, e = m.mpf(B.numerator) / B.denominator, m.sqrt(m.mpf(N2.numerator) / N2.denominator), m.mpf(eps)
    return m, {
        "l1_bound": min((2 * (1 + e) * B) ** (-(2 + e) / (2 * e)), m.exp(-d / (e * B))),
        "l2_bound": m.sqrt(2 * (1 + e) * (1 + 2 / e) * N),
        "lemma1_alpha": min(1, m.sqrt(B), (2 * B) ** (-1 / (2 * e)), m.exp(-d / (2 * e * B))),
        "lemma2_alpha": m.mpf(d) ** (-m.mpf(1) / 4 - 1 / (8 * e)) if d >= max(m.e, 12 ** (4 * e)) else None,
        "lemma3_alpha": m.sqrt(N) * (1 + e ** (-m.mpf(1) / 4)),
    }


def _assert_digits_agree(m, text, value):
    mantissa = text.lower().split("e")[0].lstrip("-").replace(".", "").lstrip("0")
    ndigits = len(mantissa)
    assert ndigits >= 15, text
    lead = int(m.floor(m.log10(value)))
    half_ulp = m.mpf(10) ** (lead - ndigits + 1) / 2
    assert abs(m.mpf(text) - value) <= half_ulp * (1 + m.mpf(10) ** -10), (text, m.nstr(value, 20))


@pytest.mark.parametrize("eps", ["1e-40", "1e-30", "1e-25", "1e-10", "1e-3", "0.5", "1", "9.5"])
def test_printed_bounds_equal_the_formulas_to_every_digit_printed(eps):
    B, N2, d = _example_norms()
    m, expected = _formulas(B, N2, d, eps)
    problem = Problem.from_files("examples/X.csv", "examples/y.csv")
    stated = printed.printed_bounds(problem, eps).as_strings()
    for key, value in expected.items():
        if value is None:
            assert stated[key] is None
        else:
            _assert_digits_agree(m, stated[key], value)


def test_eps_at_d_is_refused():
    problem = Problem.from_files("examples/X.csv", "examples/y.csv")
    with pytest.raises(InvalidArgument, match="eps < d"):
        printed.printed_bounds(problem, "10")
