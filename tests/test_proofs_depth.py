"""The depth D >= 3 checks of proofs_checks (Theorem 3: depth_limits, depth_theorem3,
explicit_regularizer): the paper-normalized Q^D, and checks that can fail (thm3.* claims
themselves run in test_proofs_checks.py).

Expected values are independent of the code under test: reference values typed here (computed
independently of krtheory), the series coefficients of q_D per depth (paper §5, Theorem 3).
"""

import dataclasses
from fractions import Fraction

import pytest

from krtheory.claims import RunConfig, Status
from krtheory.derive.engine import derive_diagonal
from krtheory.derive.potential import potential_value
from krtheory.precision import context
from krtheory.families.diagonal import implicit_link
from proofs_checks import depth_limits, depth_theorem3, explicit_regularizer
from tests.helpers import within_half_unit

#: Reference values, computed independently of krtheory: q_3, q_5 at z = 1, 10, 100
Q_REFERENCE = {3: {"1": "0.0799434978", "10": "3.826222907", "100": "68.52648724"},
               5: {"1": "0.1408211849", "10": "5.688037134", "100": "86.26073498"}}
#: Series of q_D (paper §5, Theorem 3): q_D(u) = k2 u^2 - k4 u^4 + ..., listed per depth
SERIES = {3: (Fraction(1, 12), Fraction(5, 1296)), 4: (Fraction(1, 8), Fraction(1, 128)),
          5: (Fraction(3, 20), Fraction(11, 1000))}


@pytest.mark.parametrize("depth, z", [(d, z) for d, table in Q_REFERENCE.items() for z in table])
def test_paper_normalized_q_matches_reference(depth, z):
    # Q^D_alpha(beta) = alpha^D sum q_D(beta_i/alpha^D): at alpha = 2, beta = 2^D z gives 2^D q_D(z)
    ctx = context(30)
    scale = ctx.mpf(2) ** depth
    value = depth_limits.paper_regularizer(depth, ctx.mpf(2), [scale * ctx.mpf(z)], ctx) / scale
    assert within_half_unit(ctx, value, Q_REFERENCE[depth][z])


@pytest.mark.parametrize("depth", sorted(SERIES))
def test_kernel_constant_matches_the_listed_series(depth):
    k2, k4 = SERIES[depth]
    assert Fraction(depth - 2, 4 * depth) == k2
    assert depth_limits._k4_over_k2(depth) == k4 / k2


def test_flow_check_refutes_the_wrong_depth_and_a_dropped_shape():
    domain = dataclasses.replace(depth_theorem3.DOMAIN, alphas={3: ("1",)})

    def deeper(family, depth, alpha, shape, d):
        return implicit_link(family, depth + 1, alpha, shape, d)

    def unit(family, depth, alpha, shape, d):
        return implicit_link(family, depth, alpha, None, d)

    verdict = depth_theorem3.check_theorem3(RunConfig(), link_factory=deeper, domain=domain)
    assert verdict.status is Status.REFUTED, verdict.summary
    instances = depth_theorem3.check_theorem3(RunConfig(), link_factory=unit, domain=domain).evidence["instances"]
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


def test_algebraic_check_refutes_an_algebraic_q():
    # q_4 = r is algebraic: fed as "q", PSLQ finds its quartic and the claim is REFUTED
    domain = dataclasses.replace(explicit_regularizer.ALGEBRAIC, alphas=("1",))
    q4 = lambda z, dps: potential_value(derive_diagonal(4), z, dps)  # noqa: E731
    verdict = explicit_regularizer.check_algebraic(RunConfig(), q_value=q4, domain=domain)
    assert verdict.status is Status.REFUTED, verdict.summary
    assert verdict.evidence["points"][0]["q_polynomial_found"] is not None
