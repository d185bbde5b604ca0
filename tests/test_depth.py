"""Depth D >= 3 (Theorem 3): reference values, the large-u regime of q_D, the paper-normalized
Q^D, and checks that can fail (thm3.* claims themselves run in test_proofs_checks.py).

Expected values are independent of the code under test: reference values typed here (computed independently of krtheory), the
series coefficients of q_D per depth (paper §5, Theorem 3), the large-u expansion typed here.
"""

from decimal import Decimal
from fractions import Fraction

import pytest

from krtheory.claims import RunConfig, Status
from krtheory.derive.engine import derive_diagonal
from krtheory.derive.potential import potential_function, potential_value
from krtheory.errors import InvalidArgument
from krtheory.precision import context
from krtheory.families.diagonal import implicit_link
from proofs_checks import depth_limits, depth_theorem3, explicit_regularizer

#: Reference values, computed independently of krtheory: h_D^{-1}(1) for D = 3, 4, 5, and q_3, q_5 at z = 1, 10, 100
INVERSE_AT_ONE = {3: "0.1538891406", 4: "0.2252704261", 5: "0.2661349549"}
Q_REFERENCE = {3: {"1": "0.0799434978", "10": "3.826222907", "100": "68.52648724"},
               5: {"1": "0.1408211849", "10": "5.688037134", "100": "86.26073498"}}
#: Series of q_D (paper §5, Theorem 3): q_D(u) = k2 u^2 - k4 u^4 + ..., listed per depth
SERIES = {3: (Fraction(1, 12), Fraction(5, 1296)), 4: (Fraction(1, 8), Fraction(1, 128)),
          5: (Fraction(3, 20), Fraction(11, 1000))}


def _close(ctx, value, expected: str) -> bool:
    """Within half a unit of the last digit of ``expected``."""
    half_unit = Decimal(5).scaleb(Decimal(expected).as_tuple().exponent - 1)
    return abs(value - ctx.mpf(expected)) <= ctx.mpf(str(half_unit))


@pytest.mark.parametrize("depth", sorted(INVERSE_AT_ONE))
def test_inverse_link_at_one_is_the_derivative_of_q(depth):
    # q_D' = h_D^{-1} (eq. 60): differentiate the derived potential at z = 1
    ctx = context(40)
    q = potential_function(derive_diagonal(depth), ctx)
    assert _close(ctx, ctx.diff(lambda x: q(x)[0], ctx.one), INVERSE_AT_ONE[depth])


@pytest.mark.parametrize("depth, z", [(d, z) for d, table in Q_REFERENCE.items() for z in table])
def test_paper_normalized_q_matches_reference(depth, z):
    # Q^D_alpha(beta) = alpha^D sum q_D(beta_i/alpha^D): at alpha = 2, beta = 2^D z gives 2^D q_D(z)
    ctx = context(30)
    scale = ctx.mpf(2) ** depth
    value = depth_limits.paper_regularizer(depth, ctx.mpf(2), [scale * ctx.mpf(z)], ctx) / scale
    assert _close(ctx, value, Q_REFERENCE[depth][z])


@pytest.mark.parametrize("depth", sorted(SERIES))
def test_kernel_constant_matches_the_listed_series(depth):
    k2, k4 = SERIES[depth]
    assert Fraction(depth - 2, 4 * depth) == k2
    assert depth_limits._k4_over_k2(depth) == k4 / k2


@pytest.mark.parametrize("depth", [3, 100])
def test_q_at_huge_u_matches_the_large_u_expansion(depth):
    # h_D^{-1}(1e300) = 1 - O(1e-100 .. 1e-294): q_D(u) = u - (D/2) u^(2/D) + (D-2)/2 (2 - 2^(-2/(D-2)))
    # + O(u^(-(D-2)/D)) (the paper §5, Theorem 3); 320 digits of q(1e300) resolve the constant to 1e-18
    ctx = context(340)
    value, digits = potential_value(derive_diagonal(depth), "1e300", 320)
    u, D = ctx.mpf("1e300"), ctx.mpf(depth)
    expansion = u - D / 2 * u ** (2 / D) + (D - 2) / 2 * (2 - ctx.mpf(2) ** (-2 / (D - 2)))
    assert digits == 320
    assert abs(ctx.mpf(value) - expansion) < ctx.mpf("1e-18")


@pytest.mark.parametrize("target", ["1e-300", "1e-5", "0.5", "7", "1e5", "1e300"])
def test_inverse_link_matches_the_quartic_root_and_stays_cheap(target):
    # D = 4: h(x) = (1 - x)^-2 - (1 + x)^-2 = 4x / (1 - x^2)^2, so h(x) = t is the quartic
    # t x^4 - 2t x^2 - 4x + t = 0, solved independently by mpmath.polyroots; near the pole
    # (t = 1e300: 1 - x ~ 1e-150) and at tiny t (h cancels 300 digits) the safeguarded Newton
    # must still need only a few dozen evaluations of h (Newton in x needed ~1000)
    import sympy

    from krtheory import precision
    from krtheory.derive import symbols
    from krtheory.derive import potential

    dps = 400
    derivation = derive_diagonal(4)
    ctx = context(dps)
    h = precision.lambdify([symbols.nu], derivation.link, ctx)
    dh = precision.lambdify([symbols.nu], sympy.diff(derivation.link, symbols.nu), ctx)
    calls = []
    x = potential._solve_link(ctx, lambda v: calls.append(v) or h(v), dh, ctx.mpf(target), derivation.nu_radius)
    t = ctx.mpf(target)
    with ctx.workdps(2 * dps):
        roots = ctx.polyroots([t, 0, -2 * t, -4, t], maxsteps=400, extraprec=4 * dps)
        root = min((r.real for r in roots if abs(r.imag) < ctx.mpf(10) ** -dps and 0 < r.real < 1),
                   key=lambda r: abs(4 * r / (1 - r * r) ** 2 - t))
        # h cancels log10(1/x) digits at tiny x; elsewhere x carries (nearly) all dps digits
        lost = max(0, -int(ctx.log10(root)))
        assert abs(x - root) <= abs(root) * ctx.mpf(10) ** -(dps - lost - 5)
    assert len(calls) <= 40


def test_flow_check_refutes_the_wrong_depth_and_a_dropped_shape(monkeypatch):
    monkeypatch.setattr(depth_theorem3, "ALPHAS", {"quick": {3: ("1",)}})

    def deeper(family, depth, alpha, shape, d):
        return implicit_link(family, depth + 1, alpha, shape, d)

    def unit(family, depth, alpha, shape, d):
        return implicit_link(family, depth, alpha, None, d)

    verdict = depth_theorem3.check_theorem3(RunConfig(), link_factory=deeper)
    assert verdict.status is Status.REFUTED, verdict.summary
    instances = depth_theorem3.check_theorem3(RunConfig(), link_factory=unit).evidence["instances"]
    assert [i["status"] for i in instances] == ["HOLDS", "REFUTED"]  # w0 = 1 fine, the shape matters


def test_rescaling_check_refutes_a_true_rescaling():
    q3 = depth_theorem3.derived_potential(3)

    def rescaled(ctx):
        q = q3(ctx)
        return lambda x: 2 * q(3 * x)

    status, evidence = depth_theorem3.rescaling_verdict(q3, rescaled)
    assert status is Status.REFUTED, evidence
    assert evidence["lam"].startswith("0.5") and evidence["mu"].startswith("0.333333333")


def test_rich_ladder_refutes_a_wrong_rate():
    # the D = 2 behaviour would be logarithmic; here pretend the error were O(alpha^D)
    verdict = depth_limits._ladder(RunConfig(), "rich", {3: ("1e-2", "1e-4", "1e-6")}, lambda depth: depth,
                                   depth_limits._rich_limit, depth_limits._rich_constant)
    assert verdict.status is Status.REFUTED, verdict.summary


def test_r_equals_q_check_refutes_depth_three():
    verdict = explicit_regularizer.check_r_equals_q4(RunConfig(), depth=3)
    assert verdict.status is Status.REFUTED, verdict.summary


def test_algebraic_check_refutes_an_algebraic_q(monkeypatch):
    # q_4 = r is algebraic: fed as "q", PSLQ finds its quartic and the claim is REFUTED
    monkeypatch.setattr(explicit_regularizer, "ALGEBRAIC_POINTS", ("1",))
    q4 = lambda z, dps: potential_value(derive_diagonal(4), z, dps)  # noqa: E731
    verdict = explicit_regularizer.check_algebraic(RunConfig(), q_value=q4)
    assert verdict.status is Status.REFUTED, verdict.summary
    assert verdict.evidence["points"][0]["q_polynomial_found"] is not None


@pytest.mark.parametrize("depth", ["²", "2²", "٣", "³"])
def test_non_ascii_digit_depth_is_invalid_argument(depth):
    from krtheory._validation import check_depth

    with pytest.raises(InvalidArgument, match="integer >= 2"):
        check_depth(depth)
