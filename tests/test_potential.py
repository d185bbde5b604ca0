"""krtheory.derive.potential at depth D >= 3 (Theorem 3): q_D' = h_D^{-1} at reference values,
the large-u regime of q_D, and the safeguarded Newton solve of h_D(x) = t.

Expected values are independent of the code under test: reference values typed here (computed
independently of krtheory), the large-u expansion typed here, the roots of the D = 4 quartic by
mpmath.polyroots.
"""


import pytest

from krtheory.derive.engine import derive_diagonal
from krtheory.derive.potential import potential_function, potential_value
from krtheory.precision import context
from tests.helpers import within_half_unit

#: Reference values, computed independently of krtheory: h_D^{-1}(1) for D = 3, 4, 5
INVERSE_AT_ONE = {3: "0.1538891406", 4: "0.2252704261", 5: "0.2661349549"}


@pytest.mark.parametrize("depth", sorted(INVERSE_AT_ONE))
def test_inverse_link_at_one_is_the_derivative_of_q(depth):
    # q_D' = h_D^{-1} (eq. 60): differentiate the derived potential at z = 1
    ctx = context(40)
    q = potential_function(derive_diagonal(depth), ctx)
    assert within_half_unit(ctx, ctx.diff(lambda x: q(x)[0], ctx.one), INVERSE_AT_ONE[depth])


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
    x = potential._solve_link(ctx, lambda v: calls.append(v) or h(v), dh, ctx.mpf(target),
                             potential.program(derivation).radius)
    t = ctx.mpf(target)
    with ctx.workdps(2 * dps):
        roots = ctx.polyroots([t, 0, -2 * t, -4, t], maxsteps=400, extraprec=4 * dps)
        root = min((r.real for r in roots if abs(r.imag) < ctx.mpf(10) ** -dps and 0 < r.real < 1),
                   key=lambda r: abs(4 * r / (1 - r * r) ** 2 - t))
        # h cancels log10(1/x) digits at tiny x; elsewhere x carries (nearly) all dps digits
        lost = max(0, -int(ctx.log10(root)))
        assert abs(x - root) <= abs(root) * ctx.mpf(10) ** -(dps - lost - 5)
    assert len(calls) <= 40
