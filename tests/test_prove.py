"""The prover (krtheory.prove): parsing, proofs, refutations, tangency, undecided cases, ends;
checked against independent references (mpmath through Python's own parser, the paper's
tabulated values and series, and points sampled at random)."""

from __future__ import annotations

import random
from decimal import Decimal
from fractions import Fraction

import flint
import mpmath
import pytest

from krtheory.errors import InvalidArgument
from krtheory.prove import parse_statement
from krtheory.prove._flint import working
from krtheory.prove.checks import exact_jet
from krtheory.prove.potentials import q_depth_point, q_point
from krtheory.prove.search import prove
from krtheory.prove.tails import sign_bounds
from tests.prove_reference import difference_mp


def run(text, domain, var="z", D=None, **options):
    return prove(parse_statement(text, var, domain, D), **options)


def sample_points(domain_lo, domain_hi, n, rng):
    """Points spread on a log scale over (lo, hi) with infinite ends cut at 1e12."""
    lo = -1e12 if domain_lo is None else float(domain_lo)
    hi = 1e12 if domain_hi is None else float(domain_hi)
    points = []
    for _ in range(n):
        if lo >= 0:
            a = max(lo, 1e-12)
            points.append(str(mpmath.mpf(a) * (mpmath.mpf(hi) / a) ** rng.random()))
        else:
            points.append(repr(rng.uniform(lo, hi)))
    return points


# -- parsing and bad input ------------------------------------------------------------------
@pytest.mark.parametrize("text, domain, message", [
    ("q(z) >= ", "[0, 1]", "does not parse"),
    ("foo(z) > 1", "[0, 1]", "unknown function 'foo'"),
    ("z ^ 2 > 1", "[0, 1]", "use ** for powers"),
    ("z == 1", "[0, 1]", "one comparison"),
    ("0 < z < 1", "[0, 1]", "one comparison"),
    ("y > 1", "[0, 1]", "unknown name"),
    ("z.real > 0", "[0, 1]", "not allowed"),
    ("__import__('os') > 0", "[0, 1]", "unknown function"),
    ("log > 0", "[0, 1]", "without an argument"),
    ("q_D(z) >= 0", "[0, 1]", "--D"),
    ("q_1(z) >= 0", "[0, 1]", "depth outside"),
    ("z**100000 > 0", "[0, 1]", "exponent"),
    ("z > 1e99999999", "[0, 1]", "beyond the numbers"),
    ("1/0 < z", "[0, 1]", "divides by zero"),
    ("2 > 1", "[0, 1]", "does not use the variable"),
    ("z >= 0", "[3, 1]", "below the right end"),
    ("z >= 0", "[1, 1]", "below the right end"),
    ("z >= 0", "[0, inf]", "infinite end must be open"),
    ("z >= 0", "(inf, 1)", "below the right end"),
    ("z >= 0", "[a, 1]", "not an exact number"),
    ("z >= 0", "0, 1", "must look like"),
    ("z >= 0", "[1e99999999, 2]", "not an exact number"),
])
def test_malformed_input_is_refused_with_the_option_named(text, domain, message):
    with pytest.raises(InvalidArgument, match="--(inequality|domain|D)") as error:
        parse_statement(text, "z", domain)
    assert message in str(error.value)


def test_numbers_are_exact_and_constant_arithmetic_is_folded():
    statement = parse_statement("z**(2/3) >= 0.1*z", "z", "(0, 1]")
    assert statement.lhs == ("pow", ("x",), Fraction(2, 3))
    assert statement.rhs == ("mul", ("num", Fraction(1, 10)), ("x",))


# -- proofs, checked at random points by mpmath --------------------------------------------
PROVABLE = [
    ("asinh(z/2) - log(z) > 0", "[1, 1000000]"),       # the measured example of the notes
    ("q(z) >= z*log(z) - z", "(0, inf)"),
    ("q(z) >= z**2/4 - z**4/192", "(-inf, inf)"),
    ("exp(z) >= 1 + z", "[-5, 5]"),
    ("cos(z) <= 1 - z**2/2 + z**4/24", "[-2, 2]"),
    ("q_3(u) >= u - 1.5*u**(2/3)", "(0, 1000]"),
    ("sqrt(z**2 + 1) - z > 0", "[0, inf)"),
    ("sin(z)/z <= 1", "(0, 3]"),
    ("exp(z) >= 1 + z", "(-inf, 0]"),                  # exp of a pole to -inf: below every power
    ("z**2*exp(z) < 1", "(-inf, 0]"),
    ("atanh(z) >= z", "[0, 1)"),                       # atanh's pole at 1 through its logarithm
    ("(1 + z)**20 >= 1 + 20*z", "[-1, 3]"),              # Bernoulli, equality at 0
]


@pytest.mark.parametrize("text, domain", PROVABLE)
def test_proved_statements_hold_at_random_points_in_mpmath(text, domain):
    var = "u" if "u" in text.replace("sqrt", "") else "z"
    statement = parse_statement(text, var, domain)
    outcome = prove(statement)
    assert outcome.status == "PROVED", outcome.undecided
    rng = random.Random(text)
    for x in sample_points(statement.domain.lo, statement.domain.hi, 40, rng):
        if statement.domain.contains(Fraction(x)):
            value = difference_mp(text, var, x)
            assert value > 0 or (not statement.strict and value > -mpmath.mpf(10) ** -40), (x, value)


def test_the_measured_example_of_the_notes_takes_few_boxes():
    """The notes measured 591 boxes for the derivative of q(z) - (z log z - z) on [1, 1e6] with
    degree-8 Taylor forms on a log scale; plain interval evaluation needed 200 000."""
    outcome = run("asinh(z/2) - log(z) > 0", "[1, 1000000]")
    assert outcome.status == "PROVED" and outcome.boxes < 1000


# -- refutations: witnesses re-checked independently -----------------------------------------
REFUTABLE = [
    ("q(z) >= 1.01*(z*log(z) - z)", "[1, 1000000]", None),
    ("q(z) <= z*log(0.99 + z)", "[0, inf)", None),
    ("q(z) >= z**2/4 - 0.99*z**4/192", "[0, 3]", None),
    ("q(z) >= z*log(z) - z + 2.01", "(0, inf)", None),
    ("q_D(u) <= 0.99*u", "[0, 16777216]", 3),
    ("exp(z) >= 1.01 + z", "[-1, 1]", None),
]


@pytest.mark.parametrize("text, domain, D", REFUTABLE)
def test_a_witness_fails_in_mpmath_too(text, domain, D):
    var = "u" if "u)" in text else "z"
    outcome = run(text, domain, var, D)
    assert outcome.status == "REFUTED" and outcome.witness is not None
    assert parse_statement(text, var, domain, D).domain.contains(Fraction(outcome.witness))
    assert difference_mp(text, var, outcome.witness, D=D) < 0


def test_a_strict_inequality_with_equality_at_a_point_is_refuted_exactly():
    outcome = run("z*log(z) - z + 1 > 0", "[1/100, 100]")
    assert outcome.status == "REFUTED" and Fraction(outcome.witness) == 1  # f(1) = 0 exactly


# -- tangency ---------------------------------------------------------------------------
@pytest.mark.parametrize("text, domain, point", [
    ("z*log(z) - z + 1 >= 0", "[1/100, 100]", Fraction(1)),        # equality at 1 (interior), order 2
    ("q(z) >= z**2/4 - z**4/192", "[-3, 3]", Fraction(0)),          # equality at 0 to 6th order
    ("(z - 1/3)**2 >= 0", "[0, 1]", Fraction(1, 3)),               # a non-dyadic point of tangency
])
def test_tangency_is_proved_by_the_reduction_at_the_point(text, domain, point):
    outcome = run(text, domain)
    assert outcome.status == "PROVED"
    touches = [p for p in outcome.pieces if p["method"] == "touch"]
    assert touches and all(Fraction(p["point"]) == point for p in touches)
    assert abs(difference_mp(text, "z", str(point))) < 1e-30  # 1/3 is a float in the reference


def test_a_strict_inequality_touching_zero_at_an_open_end_is_proved():
    assert run("z*log(z) - z + 1 > 0", "(1, 100]").status == "PROVED"


# -- undecided, never claimed --------------------------------------------------------------
@pytest.mark.parametrize("text, domain", [
    ("sin(z)**2 >= 0", "[3, 4]"),                         # touches 0 at the irrational pi
    ("sin(z)**2 + cos(z)**2 >= 1", "[0, 1]"),             # equality everywhere, not structurally
    ("q_3(u) <= u", "[0, inf)"),                          # q_D is not expanded at infinity
])
def test_what_the_prover_cannot_decide_is_left_undecided(text, domain):
    outcome = run(text, domain, "u" if "u)" in text else "z", max_boxes=300)
    assert outcome.status == "UNDECIDED" and outcome.undecided and not outcome.witness


def test_undecided_boxes_around_pi_hold_pi():
    outcome = run("sin(z)**2 >= 0", "[3, 4]")
    lo, hi = (mpmath.mpf(x) for x in outcome.undecided[0])
    assert lo <= mpmath.pi <= hi and hi - lo < 1e-9


def test_a_statement_undefined_inside_the_domain_is_not_proved():
    assert run("0*log(z) >= 0", "[-1, 1]").status == "UNDECIDED"  # flint gives 0 * nan = 0: not trusted


# -- the paper's functions and the ends -------------------------------------------------------
def test_potentials_reproduce_the_tabulated_values():
    """FORMULAS §9 item 7 (values computed independently of this code)."""
    table = {"q": {"0.5": "0.0621804180", "1": "0.2451438476", "2": "0.9343200493", "10": "14.92634439",
                   "100": "362.5070191"},
             3: {"1": "0.0799434978", "10": "3.826222907", "100": "68.52648724"},
             5: {"1": "0.1408211849", "10": "5.688037134", "100": "86.26073498"}}
    with working(80, 16):
        for key, values in table.items():
            for z, expected in values.items():
                x = flint.arb(z)
                ball = q_point(x) if key == "q" else q_depth_point(key, x)
                half_unit = Decimal(5).scaleb(Decimal(expected).as_tuple().exponent - 1)
                assert abs(Decimal(ball.mid().str(30, radius=False)) - Decimal(expected)) <= half_unit, (key, z, ball)
                assert ball.rad() < 1e-18


def test_exact_jets_are_the_series_of_the_paper():
    """q = z^2/4 - z^4/192 + z^6/2560 (FORMULAS §3), q_3 = u^2/12 - 5u^4/1296, q_4 = r = z^2/8 - z^4/128
    + 3 z^6/2048 (FORMULAS §5, §6)."""
    jet = lambda tree: exact_jet(tree, Fraction(0), 8)  # noqa: E731
    assert jet(("q", ("x",)))[:7] == [0, 0, Fraction(1, 4), 0, Fraction(-1, 192), 0, Fraction(1, 2560)]
    assert jet(("qD", 3, ("x",)))[:5] == [0, 0, Fraction(1, 12), 0, Fraction(-5, 1296)]
    assert jet(("qD", 4, ("x",)))[:7] == [0, 0, Fraction(1, 8), 0, Fraction(-1, 128), 0, Fraction(3, 2048)]
    assert jet(("fn", "log", ("x",))) is None  # log(0): no jet, no tangency claimed


def test_the_tail_of_q_minus_z_log_z_encloses_the_constant_two():
    """q(z) - (z ln z - z) -> 2 (FORMULAS §3 erratum), and mpmath agrees at z = 1e6."""
    statement = parse_statement("q(z) >= z*log(z) - z", "z", "(0, inf)")
    with working(64, 16):
        low, high = sign_bounds(statement.f, "inf", Fraction(0), 1, Fraction(1, 2 ** 16))
    assert 1.9 < low <= 2 <= high < 2.1
    assert abs(difference_mp(statement.text, "z", "1e6") - 2) < 1e-5


def test_flint_settings_are_restored():
    before = flint.ctx.prec, flint.ctx.cap
    run("q_3(u) >= u - 1.5*u**(2/3)", "(0, 10]", var="u")
    assert (flint.ctx.prec, flint.ctx.cap) == before


def test_stored_bounds_are_below_the_values_whatever_their_size():
    from krtheory.prove.numbers import certified_lower, decimal_below

    for value in (Fraction(1, 3), Fraction(-1, 3), Fraction(22, 7) / 10 ** 500, Fraction(10) ** 250 / 7,
                  Fraction(7, 10 ** 30)):
        text = decimal_below(value)
        assert Fraction(text) <= value and len(text) < 20 and (value - Fraction(text)) <= abs(value) / 10 ** 5
    with working(64, 4):
        assert certified_lower(flint.arb(10) ** 400, True) == "1" + "0" * 300     # capped
        assert certified_lower(flint.arb(10) ** -2000, True) is None              # too small to store
        assert certified_lower(flint.arb(10) ** -2000, False) == "0"              # enough for f >= 0
        assert certified_lower(flint.arb(-1), False) is None
