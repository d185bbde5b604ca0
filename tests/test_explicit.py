"""The explicit regularizer R (eqs. 8-9): link from the Lagrange conditions, the paper's quartic,
r the smaller real root; reference values from a brute-force minimisation, computed independently of krtheory."""

import pytest
import sympy

from krtheory.derive.checks import StepStatus
from krtheory.families.explicit import derive_explicit
from krtheory.precision import context, lambdify

R_REFERENCE = {"0.5": "0.0307831733", "1": "0.1183510857", "2": "0.4227814124",
               "10": "5.082500597", "100": "81.47370336"}


def test_every_step_verified():
    derivation = derive_explicit()
    assert derivation.verified(), [s for s in derivation.steps if s.status is not StepStatus.VERIFIED]
    mu = derivation.nu
    assert sympy.simplify(derivation.link - 4 * mu / (1 - mu ** 2) ** 2) == 0
    assert sympy.simplify(derivation.amplitude - derivation.c ** 2) == 0


def _r_of_z(z: str, ctx):
    """r(z) by solving z = h(mu) for mu in (0, 1) and evaluating r(mu), at ctx's precision."""
    derivation = derive_explicit()
    h = lambdify(derivation.nu, derivation.link, ctx)
    r = lambdify(derivation.nu, derivation.value, ctx)
    mu = ctx.findroot(lambda m: h(m) - ctx.mpf(z), (ctx.mpf("1e-6"), ctx.mpf("0.999999")),
                      solver="anderson")
    return r(mu)


@pytest.mark.parametrize("z, expected", sorted(R_REFERENCE.items()))
def test_r_matches_reference_values(z, expected):
    ctx = context(30)
    value = _r_of_z(z, ctx)
    assert abs(value - ctx.mpf(expected)) < ctx.mpf("1e-9") * max(1, abs(value))


@pytest.mark.parametrize("z", ["1", "10", "-3"])
def test_r_is_the_smaller_of_two_real_roots_of_the_quartic(z):
    ctx = context(40)
    z_value = abs(ctx.mpf(z))
    paper = [1, -6, 12 - 2 * z_value ** 2, -(8 + 10 * z_value ** 2), z_value ** 2 + z_value ** 4]
    roots = ctx.polyroots(paper, maxsteps=200, extraprec=80)
    real = sorted(ctx.re(x) for x in roots if abs(ctx.im(x)) < ctx.mpf("1e-20"))
    assert len(real) == 2  # not "the unique real root"
    assert abs(real[0] - _r_of_z(str(z_value), ctx)) < ctx.mpf("1e-30")


# -- r_value: r(z) to verified digits, and `krtheory potential --family explicit` ---------------
@pytest.mark.parametrize("z, expected", sorted(R_REFERENCE.items()))
def test_r_value_matches_reference_values(z, expected):
    from decimal import Decimal

    from krtheory.families.explicit import r_value

    value, digits = r_value(z, 20)
    half_unit = Decimal(5).scaleb(Decimal(expected).as_tuple().exponent - 1)
    assert digits == 20 and abs(Decimal(value) - Decimal(expected)) <= half_unit


@pytest.mark.parametrize("z", ["1", "3", "1.5", "10", "-250"])
def test_r_value_is_a_root_of_the_papers_quartic_to_50_digits(z):
    from krtheory.families.explicit import r_value

    ctx = context(80)
    x, r = abs(ctx.mpf(z)), ctx.mpf(r_value(z, 60)[0])
    paper = [1, -6, 12 - 2 * x ** 2, -(8 + 10 * x ** 2), x ** 2 + x ** 4]  # eq. (9), typed here
    slope = abs(ctx.polyval(paper, r, derivative=True)[1])
    assert abs(ctx.polyval(paper, r)) <= slope * abs(r) * ctx.mpf(10) ** -59  # a 60-digit root


@pytest.mark.parametrize("z_text, expansion", [
    # paper §4, eqs. (8)-(9): r(z) = |z| - 2 sqrt|z| + 3/2 + O(|z|^-1/2) and z^2/8 - z^4/128 + 3 z^6/2048 + O(z^8)
    ("1e40", lambda ctx, x: x - 2 * ctx.sqrt(x) + ctx.mpf(3) / 2),
    ("-1e300", lambda ctx, x: x - 2 * ctx.sqrt(x) + ctx.mpf(3) / 2),
    ("1e-10", lambda ctx, x: x ** 2 / 8 - x ** 4 / 128 + 3 * x ** 6 / 2048),
])
def test_r_value_far_out_and_near_zero(z_text, expansion):
    from krtheory.families.explicit import r_value

    ctx = context(360)
    x = abs(ctx.mpf(z_text))
    value = ctx.mpf(r_value(z_text, 330)[0])
    # remainder: O(x^-1/2) far out (1e-20 at 1e40, 1e-150 at 1e300), O(x^8) = 1e-80 near 0
    # (coefficients below 1); 330 digits resolve both
    remainder = ctx.mpf(10) ** -19 if x > 1 else x ** 8
    assert abs(value - expansion(ctx, x)) <= remainder


def test_r_value_digits_are_verified_and_even():
    from krtheory.families.explicit import r_value

    low, high = r_value("7", 40)[0], r_value("7", 70)[0]
    assert high.startswith(low[:-1]) and r_value("-7", 40) == r_value("7", 40)
    assert r_value("0", 25) == ("0", 25)


@pytest.mark.parametrize("z, dps", [("abc", 30), ("nan", 30), ("1", 3), ("1", 20000)])
def test_r_value_bad_input(z, dps):
    from krtheory.errors import InvalidArgument
    from krtheory.families.explicit import r_value

    with pytest.raises(InvalidArgument, match="z|dps"):
        r_value(z, dps)


def test_cli_potential_explicit_json(capsys):
    import json

    from krtheory.cli import main

    assert main(["potential", "--family", "explicit", "--z", "100", "--dps", "40", "--json"]) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["family"] == "explicit" and record["digits"] == 40
    assert record["value"].startswith(R_REFERENCE["100"])


@pytest.mark.parametrize("argv", [["potential", "--family", "explicit", "--depth", "4", "--z", "1"],
                                  ["potential", "--family", "diagonal", "--z", "1"]])
def test_cli_potential_depth_belongs_to_the_diagonal_family(argv, capsys):
    from krtheory.cli import main

    assert main(argv) == 3
    err = capsys.readouterr().err
    assert err.startswith("krtheory: error:") and "--depth" in err and err.count("\n") == 1
