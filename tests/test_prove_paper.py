"""The paper's scalar inequalities (krtheory.prove.paper): every part PROVED and its certificate
replayed, every 1%-nudged variant REFUTED with a witness mpmath confirms; the reductions to one
variable checked numerically by an independent mpmath route."""

from __future__ import annotations

import importlib
import random
from fractions import Fraction

import mpmath
import pytest

from krtheory.prove import parse_statement
from krtheory.prove.certificate import certificate
from krtheory.prove.checks import exact_jet
from krtheory.prove.paper import DEPTHS, _s_forms, inequalities
from krtheory.prove.replay import replay_record
from krtheory.prove.search import prove
from tests.prove_reference import difference_mp, q_depth_mp, q_mp

INEQUALITIES = {i.id: i for i in inequalities()}


@pytest.mark.parametrize("name", list(INEQUALITIES))
def test_each_part_is_proved_and_its_certificate_replays(name):
    for part in INEQUALITIES[name].parts:
        statement = parse_statement(part.inequality, part.var, part.domain, part.D)
        outcome = prove(statement, seconds=60)
        assert outcome.status == "PROVED", (part, outcome.undecided)
        assert replay_record(certificate(statement, outcome))["status"] == "PROVED"


@pytest.mark.parametrize("name", list(INEQUALITIES))
def test_the_nudged_variant_is_refuted_with_a_witness_mpmath_confirms(name):
    part = INEQUALITIES[name].nudged
    outcome = prove(parse_statement(part.inequality, part.var, part.domain, part.D), seconds=60)
    assert outcome.status == "REFUTED"
    assert difference_mp(part.inequality, part.var, outcome.witness, D=part.D) < 0


def test_every_nudge_differs_from_the_parts():
    for inequality in inequalities():
        assert inequality.nudged.inequality not in [p.inequality for p in inequality.parts]


# -- the reductions, by an independent route ----------------------------------------------------
def _h(ctx, D, z):
    p = ctx.mpf(D) / (D - 2)
    return (1 - z) ** -p - (1 + z) ** -p


def _eval(ctx, text, **values):
    """``text`` read by sympy (integer ratios stay exact rationals) and evaluated at ctx.dps."""
    import sympy

    expr = sympy.sympify(text)
    point = {sympy.Symbol(k): sympy.Float(mpmath.nstr(v, ctx.dps + 5), ctx.dps + 5) for k, v in values.items()}
    return ctx.mpf(str(sympy.N(expr.subs(point), ctx.dps + 5)))


@pytest.mark.parametrize("D", DEPTHS)
def test_the_s_forms_equal_the_q_D_statements(D):
    """With z = 1 - s^(D-2), u = h_D(z): s^2 (u - q_D(u)), f = q_D(u) - u + (D/2) u^(2/D) and
    s^2 (c_D - f) = phi(1 - A) + (D-2)/2 2^-e s^2 (B^-e - 1), q_D by bisection on h_D."""
    ctx = mpmath.MPContext()
    ctx.dps = 40
    forms, rng = _s_forms(D), random.Random(D)
    for _ in range(6):
        s = ctx.mpf(rng.uniform(0.01, 0.5))
        u = _h(ctx, D, 1 - s ** (D - 2))
        qD = q_depth_mp(ctx, D, u)
        f = qD - u + ctx.mpf(D) / 2 * u ** (ctx.mpf(2) / D)
        assert abs(_eval(ctx, forms["gap"], s=s) - s ** 2 * (u - qD)) < 1e-30 * max(1, u)
        assert abs(_eval(ctx, forms["f"], s=s) - f) < 1e-25 * max(1, u)
        A = _eval(ctx, "1 - s**%d*(2 - s**%d)**(-%d/%d)" % (D, D - 2, D, D - 2), s=s)
        e = ctx.mpf(2) / (D - 2)
        rhs = _eval(ctx, forms["phi"], a=1 - A) + (D - 2) / ctx.mpf(2) * 2 ** -e * s ** 2 * (
            _eval(ctx, forms["B"], s=s) - 1)
        assert abs(s ** 2 * (_eval(ctx, forms["c"]) - f) - rhs) < 1e-25 * max(1, u)
    assert _h(ctx, D, 1 - ctx.mpf(1) / 2 ** (D - 2)) < 2 ** D  # the u-part reaches u(s = 1/2)


def test_the_reference_q_D_agrees_with_quadrature_of_the_inverse_link():
    ctx = mpmath.MPContext()
    ctx.dps = 25
    inverse = lambda t: ctx.findroot(lambda z: _h(ctx, 3, z) - t, (ctx.mpf(0), ctx.mpf(1) - 1e-20), solver="bisect")
    assert abs(ctx.quad(inverse, [0, 0.5, 2]) - q_depth_mp(ctx, 3, 2)) < 1e-15


def test_r_is_q_4():
    """The smaller real root of the quartic of eq. (9) (FORMULAS §5) equals q_4: the identity the
    r-statement rests on."""
    ctx = mpmath.MPContext()
    ctx.dps = 30
    for z in ("0.5", "1", "10", "100"):
        z = ctx.mpf(z)
        roots = ctx.polyroots([1, -6, 12 - 2 * z ** 2, -(8 + 10 * z ** 2), z ** 2 + z ** 4], maxsteps=200, extraprec=60)
        r = min(ctx.re(x) for x in roots if abs(ctx.im(x)) < 1e-20)
        assert abs(r - q_depth_mp(ctx, 4, z)) < 1e-20


def test_the_rescaling_is_forced_by_the_first_two_coefficients():
    """a q(b z) = r(z) near 0 needs a b^2/4 = 1/8 and a b^4/192 = 1/128, i.e. b^2 = 3, a = 1/6."""
    q_jet = exact_jet(("q", ("x",)), Fraction(0), 6)
    r_jet = exact_jet(("qD", 4, ("x",)), Fraction(0), 6)
    b2 = (r_jet[4] / q_jet[4]) / (r_jet[2] / q_jet[2])
    a = r_jet[2] / (q_jet[2] * b2)
    assert (b2, a) == (3, Fraction(1, 6))


def test_lemma_1_and_3_follow_at_random_points():
    """The paper's per-coordinate forms at random (alpha, beta), in mpmath: the scalar statements
    substituted back (z = beta/alpha^2)."""
    ctx = mpmath.MPContext()
    ctx.dps = 40
    rng = random.Random(1)
    for _ in range(50):
        alpha2 = ctx.mpf(10) ** rng.uniform(-8, 2)
        beta = ctx.mpf(10) ** rng.uniform(-4, 4)
        Q = alpha2 * q_mp(ctx, beta / alpha2)
        assert Q <= beta * (ctx.log(1 / alpha2) + ctx.log(beta + alpha2)) * (1 + 1e-30)
        assert Q >= beta * ctx.log(1 / alpha2) - 1
        lhs = abs(4 * alpha2 * Q - beta ** 2)
        assert lhs <= beta ** 2 * (beta ** 4 + 2 * alpha2 ** 2 * beta ** 2) / (96 * alpha2 ** 4) * (1 + 1e-30)


def test_verify_runs_them_as_certified_claims():
    from krtheory.claims import REGISTRY, RunConfig, Status

    importlib.import_module("proofs_checks")  # registers the claims

    verdict = REGISTRY["prove.q.small-z"].run(RunConfig())
    assert verdict.status is Status.HOLDS and verdict.certified
    assert all(part["replayed"] == "PROVED" for part in verdict.evidence["parts"])
