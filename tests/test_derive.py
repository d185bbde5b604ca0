"""The derivation engine (paper §4, Theorems 1 and 3) and the potential q to verified digits.

Expected values are independent of the engine: closed forms typed here (Theorem 1, eq. 4;
the paper §5, Theorem 3), reference values typed here (computed independently of krtheory), mpmath computations written in this file
(quadrature of the inverse link, the explicit regularizer's quartic), series and limits.
"""

import json
import re
from decimal import Decimal

import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st

from krtheory import InvalidArgument, NotApplicable
from krtheory.cli import main
from krtheory.derive.checks import Step, StepStatus, check_equal, domain_points, flow_steps
from krtheory.derive.engine import derive, derive_diagonal, derive_separable
from krtheory.derive.symbols import beta, c, nu, root, s, u, v, z
from krtheory.derive.potential import potential_value
from krtheory.precision import context
from tests.helpers import hypentropy_q

#: Reference values, computed independently of krtheory: q(z) (Theorem 1) and q_D(z) (Theorem 3) to the digits given there.
REFERENCE = {
    2: {"0.5": "0.0621804180", "1": "0.2451438476", "2": "0.9343200493", "10": "14.92634439",
        "100": "362.5070191"},
    3: {"1": "0.0799434978", "10": "3.826222907", "100": "68.52648724"},
    5: {"1": "0.1408211849", "10": "5.688037134", "100": "86.26073498"},
}


def qD_by_quadrature(ctx, depth, t):
    """int_0^t h_D^{-1} = int_0^x y h_D'(y) dy with h_D(x) = t (substitution), h_D typed here."""
    p = ctx.mpf(depth) / (depth - 2)
    h = lambda y: (1 - y) ** -p - (1 + y) ** -p  # noqa: E731
    x = ctx.findroot(lambda y: h(y) - t, (ctx.zero, ctx.mpf("0.999")), solver="ridder")
    return ctx.quad(lambda y: y * p * ((1 - y) ** (-p - 1) + (1 + y) ** (-p - 1)), [0, x])


def relative_error(ctx, value: str, expected):
    return abs(ctx.mpf(value) - expected) / abs(expected)


# -- D = 2: Theorem 1 ----------------------------------------------------------------------
def test_depth_two_is_theorem_one():
    d2 = derive_diagonal(2)
    assert sp.simplify(d2.potential - (2 - sp.sqrt(4 + z**2) + z * sp.asinh(z / 2))) == 0
    assert sp.simplify(d2.inverse_link - sp.asinh(z / 2)) == 0
    assert sp.simplify(d2.link - 2 * sp.sinh(nu)) == 0
    assert sp.simplify(d2.dual_potential - (2 * sp.cosh(nu) - 2)) == 0
    assert (d2.amplitude, d2.rate, d2.nu_radius) == (c**2, 4, sp.oo)
    assert sp.simplify(d2.solution[u] - c * sp.exp(2 * s)) == 0
    # Theorem 1 (eq. 5): Q_{alpha,w0}(beta) = sum_i c_i^2 q(beta_i / c_i^2), c_i = alpha*w0_i
    q_typed = lambda x: 2 - sp.sqrt(4 + x**2) + x * sp.asinh(x / 2)  # noqa: E731
    assert sp.simplify(d2.regularizer - c**2 * q_typed(beta / c**2)) == 0


def test_depth_two_every_step_verified():
    d2 = derive_diagonal(2)
    assert d2.verified(), [step for step in d2.steps if step.status is not StepStatus.VERIFIED]
    assert {step.status for step in d2.steps} == {StepStatus.VERIFIED}
    names = " | ".join(step.name for step in d2.steps)
    for needed in ("ODE solution substituted back", "h(h^-1(z)) = z", "q' = h^-1", "q(0) = 0",
                   "q'' > 0", "G' = h", "KKT"):
        assert needed in names


@pytest.mark.parametrize("z_text", ["0.5", "-3", "1e-8", "12345.678"])
def test_depth_two_value_matches_closed_form_typed_here(z_text):
    ctx = context(60)
    value, digits = potential_value(derive_diagonal(2), z_text, 40)
    assert digits == 40
    assert relative_error(ctx, value, hypentropy_q(ctx, ctx.mpf(z_text))) <= ctx.mpf(10) ** -39


@pytest.mark.parametrize("depth, z_text", [(d, x) for d, table in REFERENCE.items() for x in table])
def test_formulas_reference_values(depth, z_text):
    expected = Decimal(REFERENCE[depth][z_text])
    value, _ = potential_value(derive_diagonal(depth), z_text, 15)
    half_unit = Decimal(5).scaleb(expected.as_tuple().exponent - 1)  # half a unit of the last digit
    assert abs(Decimal(value) - expected) <= half_unit


def test_small_z_needs_more_digits_than_asked():
    # q(1e-30) = 2.5e-61 (1 - z^2/48 + ...): 2 - sqrt(4 + z^2) cancels 60 digits
    value, digits = potential_value(derive_diagonal(2), "1e-30", 25)
    assert (value, digits) == ("2.5" + "0" * 23 + "e-61", 25)


# -- D >= 3: Theorem 3 -----------------------------------------------------------------------
@pytest.mark.parametrize("depth", [3, 5])
def test_depth_d_link_and_potential_by_parts(depth):
    dD = derive_diagonal(depth)
    p, e = sp.Rational(depth, depth - 2), sp.Rational(2, depth - 2)
    assert sp.simplify(dD.link - ((1 - nu) ** -p - (1 + nu) ** -p)) == 0
    assert (dD.amplitude, dD.nu_radius, dD.inverse_link) == (c**depth, 1, None)
    assert sp.simplify(dD.rate - depth * (depth - 2) * c ** (depth - 2)) == 0
    by_parts = sp.Abs(z) * root - sp.Rational(depth - 2, 2) * ((1 - root) ** -e + (1 + root) ** -e - 2)
    assert sp.simplify(dD.potential - by_parts) == 0
    # Q_c = (a/b) q(beta/a) up to the c-free factor D(D-2): c^2 q_D(beta/c^D)
    assert sp.simplify(dD.regularizer - c**2 * by_parts.subs(z, beta / c**depth)) == 0
    assert dD.verified(), [step for step in dD.steps if step.status is not StepStatus.VERIFIED]


@pytest.mark.parametrize("depth, z_text", [(3, "0.5"), (3, "7"), (5, "2"), (5, "-40")])
def test_depth_d_value_matches_quadrature(depth, z_text):
    ctx = context(45)
    value, _ = potential_value(derive_diagonal(depth), z_text, 35)
    expected = qD_by_quadrature(ctx, depth, abs(ctx.mpf(z_text)))
    assert relative_error(ctx, value, expected) <= ctx.mpf(10) ** -34


@pytest.mark.parametrize("z_text", ["1", "10"])
def test_depth_four_is_the_explicit_regularizer(z_text):
    # FORMULAS §5: q_4 = r, the smaller real root of the paper's quartic p_z
    ctx = context(40)
    x = ctx.mpf(z_text)
    roots = ctx.polyroots([1, -6, 12 - 2 * x**2, -(8 + 10 * x**2), x**2 + x**4], maxsteps=200, extraprec=200)
    r = min(root.real for root in roots if abs(root.imag) < ctx.mpf(10) ** -30)
    value, _ = potential_value(derive_diagonal(4), z_text, 30)
    assert relative_error(ctx, value, r) <= ctx.mpf(10) ** -29


# -- broken inputs are caught --------------------------------------------------------------
def test_wrong_solution_fails_verification():
    wrong = {u: c * sp.exp(2 * s), v: c * sp.exp(2 * s)}  # v should decay: dv/ds = -2v
    steps = flow_steps(u**2 - v**2, (u, v), wrong, domain_points(4, sp.oo))
    status = {step.name: step.status for step in steps}
    assert status["ODE solution substituted back: du/ds = dbeta/du"] is StepStatus.VERIFIED
    assert status["ODE solution substituted back: dv/ds = dbeta/dv"] is StepStatus.FAILED


def test_biased_parametrization_fails_verification():
    broken = derive_separable("broken", 2, u**2 + v**2, (u, v))
    failed = {step.name for step in broken.steps if step.status is StepStatus.FAILED}
    assert "unbiased initialization: beta(0) = 0" in failed
    assert any(name.startswith("link: h(nu) = f(nu) - f(-nu)") for name in failed)
    assert not broken.verified()
    with pytest.raises(NotApplicable, match="failed steps"):
        potential_value(broken, "1", 20)


def test_mismatched_rates_are_not_applicable():
    with pytest.raises(NotApplicable, match="no single rate"):
        derive_separable("broken", 2, u**2 - v**3, (u, v))


def test_numeric_fallback_is_three_valued():
    points = domain_points(4, sp.oo)
    identity = sp.asinh(sp.sinh(nu))  # = nu for real nu; simplify cannot show it
    assert check_equal("true", identity, nu, points).status is StepStatus.VERIFIED
    assert check_equal("false", identity, nu + nu**3 / 10**6, points).status is StepStatus.FAILED
    tiny = check_equal("tiny", identity, nu * (1 + sp.Rational(1, 10**30)), points)
    assert (tiny.status, tiny.method) == (StepStatus.UNDECIDED, "numeric: 50 digits at 5 seeded points")


def test_step_status_prints_as_its_label_and_combines_as_a_lattice():
    step = Step("x", StepStatus.UNDECIDED, "symbolic", "nan")
    assert step.as_dict() == {"name": "x", "status": "undecided", "method": "symbolic", "residual": "nan"}
    assert Step.from_dict(step.as_dict()) == step
    assert StepStatus.combine([StepStatus.VERIFIED, StepStatus.UNDECIDED, StepStatus.FAILED]) is StepStatus.FAILED
    assert StepStatus.combine([StepStatus.VERIFIED, StepStatus.UNDECIDED]) is StepStatus.UNDECIDED
    assert StepStatus.combine([StepStatus.VERIFIED, StepStatus.VERIFIED]) is StepStatus.VERIFIED


# -- properties of q (D = 2) at 20 digits --------------------------------------------------
CTX30 = context(30)
DIGITS_20 = CTX30.mpf(10) ** -19  # relative agreement of two 20-digit values


def q20(x):
    """q(x) at 20 verified digits, as a 30-digit number (x: a Decimal from hypothesis)."""
    return CTX30.mpf(potential_value(derive_diagonal(2), str(x), 20)[0])


@given(st.decimals(min_value=-1000, max_value=1000, places=4, allow_nan=False))
def test_q_is_even(x):
    a, b = q20(x), q20(-x)
    assert abs(a - b) <= DIGITS_20 * abs(a)


def test_q_vanishes_at_zero():
    assert potential_value(derive_diagonal(2), "0", 20) == ("0", 20)


@given(st.decimals(min_value=-100, max_value=100, places=3, allow_nan=False),
       st.decimals(min_value="0.01", max_value=10, places=2, allow_nan=False))
def test_q_is_convex(x, step):
    # second difference ~ step^2 q'' >= 1e-4/sqrt(4 + 110^2) >> 20-digit rounding of q <= 600
    assert q20(x + step) - 2 * q20(x) + q20(x - step) > 0


@given(st.decimals(min_value="1e-6", max_value="0.5", places=7, allow_nan=False), st.booleans())
def test_q_is_quadratic_near_zero(x, negative):
    # q(z) = z^2/4 - z^4/192 + ...: q/(z^2/4) - 1 = -z^2/48 + O(z^4)
    t = CTX30.mpf(str(x))
    ratio = q20(-x if negative else x) / (t**2 / 4)
    assert abs(ratio - 1) <= t**2 / 40


@given(st.decimals(min_value=10, max_value=1000, places=2, allow_nan=False), st.booleans())
def test_q_is_z_log_z_far_out(x, negative):
    # FORMULAS §3 erratum: q(z) = |z| ln|z| - |z| + 2 - 1/|z| + O(|z|^-3)
    t = CTX30.mpf(str(x))
    gap = q20(-x if negative else x) - (t * CTX30.log(t) - t + 2)
    assert abs(gap) <= 2 / t
    assert abs(t * gap + 1) <= 1 / t**2


# -- arguments ------------------------------------------------------------------------------
@pytest.mark.parametrize("depth", [1, 0, -3, 2.5, "2.5", "two", True, 101])
def test_bad_depth(depth):
    with pytest.raises(InvalidArgument, match="depth"):
        derive_diagonal(depth)


@pytest.mark.parametrize("z_text", ["nan", "inf", "-Infinity", "abc", "", "1e999999", 0.5])
def test_bad_z(z_text):
    with pytest.raises(InvalidArgument, match="z"):
        potential_value(derive_diagonal(2), z_text, 20)


@pytest.mark.parametrize("dps", [0, 4, 10_001, "many"])
def test_bad_dps(dps):
    with pytest.raises(InvalidArgument, match="dps"):
        potential_value(derive_diagonal(2), "1", dps)


def test_unknown_family_lists_the_known_ones():
    with pytest.raises(InvalidArgument, match="known families: diagonal"):
        derive("explicit", 2)


def test_derivations_are_cached_and_printable():
    assert derive_diagonal(2) is derive_diagonal("2")
    for fmt in ("sympy", "latex", "python"):
        record = derive_diagonal(3).as_dict(fmt)
        json.dumps(record)
        assert record["inverse_link"] is None and record["root"]
    with pytest.raises(InvalidArgument, match="fmt"):
        derive_diagonal(2).as_dict("mathml")


# -- command line ---------------------------------------------------------------------------
def test_cli_derive_latex(capsys):
    assert main(["derive", "--family", "diagonal", "--depth", "2", "--format", "latex"]) == 0
    out = capsys.readouterr().out
    assert "asinh" in out and re.search(r"^verified\s+yes$", out, re.M)


def test_cli_derive_json(capsys):
    assert main(["derive", "--depth", "2", "--format", "json"]) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["inverse_link"] == "asinh(z/2)" and record["verified"] is True


def test_cli_potential_json_at_50_digits(capsys):
    assert main(["potential", "--family", "diagonal", "--depth", "2", "--z", "1", "--dps", "50",
                 "--json"]) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["digits"] == 50
    ctx = context(60)
    assert relative_error(ctx, record["value"], hypentropy_q(ctx, ctx.one)) <= ctx.mpf(10) ** -49


def test_cli_potential_negative_z(capsys):
    assert main(["potential", "--depth", "2", "--z=-1e6", "--json"]) == 0
    record = json.loads(capsys.readouterr().out)
    ctx = context(40)
    assert relative_error(ctx, record["value"], hypentropy_q(ctx, ctx.mpf("1e6"))) <= ctx.mpf(10) ** -29


@pytest.mark.parametrize("argv", [["potential", "--depth", "1", "--z", "1"],
                                  ["potential", "--depth", "2.5", "--z", "1"],
                                  ["derive", "--depth", "0"],
                                  ["potential", "--depth", "2", "--z", "nan"],
                                  ["potential", "--depth", "2", "--z", "1", "--dps", "3"],
                                  ["potential", "--family", "explicit", "--depth", "2", "--z", "1"]])
def test_cli_bad_input_exits_3(argv, capsys):
    assert main(argv) == 3
    err = capsys.readouterr().err
    assert err.startswith("krtheory: error:") and err.count("\n") == 1


@pytest.mark.parametrize("family", ["wide", "foo"])
def test_cli_potential_unknown_family_names_the_known_ones(family, capsys):
    assert main(["potential", "--family", family, "--z", "1"]) == 3
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--depth" not in err
    assert f"--family {family}" in err and "diagonal" in err and "explicit" in err
