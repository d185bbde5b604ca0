"""Stiff high-precision flows: Radau IIA steps (krtheory.flow.radau), the error ellipsoid
(krtheory.flow.error) and the certified tail (krtheory.flow.tail).

Expected values come from independent computations: the KKT prediction of krtheory.solve.mp with
the derived link of krtheory.families.diagonal (imported here only; the flow modules never import
them), the explicit Taylor integrator, conserved quantities that follow from the parameter ODE in
one line, the Radau IIA order conditions and closed-form nodes, and exact small matrices.
"""

import subprocess
import sys

import flint
import mpmath
import numpy as np
import pytest

from krtheory import InvalidArgument, Problem
from krtheory.flow._kernel import _Kernel
from krtheory.flow.driver import integrate_flow
from krtheory.flow.radau import _radau_polynomial, radau_tableau, stages_for
from krtheory.flow.tail import _positive_definite, tail_bound
from krtheory.flow.models import DiagonalModel, WideModel
from krtheory.precision import context
from krtheory.families.diagonal import implicit_link
from krtheory.solve.mp import solve_link

#: Digits the stiff flows must agree with the KKT prediction (the issue's target).
REQUIRED_DIGITS = 20


def kkt(problem, depth, alpha, dps):
    """The implicit-bias prediction (Theorems 1 and 3) at dps + 10 digits, verified by a re-solve."""
    return solve_link(problem, implicit_link("diagonal", depth, alpha, None, problem.d), dps=dps + 10)


def check_agreement(result, problem, depth, alpha):
    predicted = kkt(problem, depth, alpha, result.dps)
    ctx = context(result.dps + 20)
    difference = max(abs(ctx.mpf(a) - ctx.mpf(b)) for a, b in zip(result.beta, predicted.beta))
    scale = max(abs(ctx.mpf(b)) for b in predicted.beta)
    assert difference <= ctx.mpf(10) ** -REQUIRED_DIGITS * scale  # the flow limit is the KKT point
    assert difference <= result.error_estimate  # and the reported bound covers the difference
    assert result.digits >= REQUIRED_DIGITS
    assert result.tail_certified, result.tail_method


# -- the targets: (n, d) = (10, 40), depth 2 at alpha = 1e-6 and depth 3 at alpha = 1e-2 ------------
# rng(2) plants a 3-sparse beta* that the flow recovers: lambda_min(A) at the limit is ~2e-3
# (depth 2) and ~1e-5 (depth 3), so the flow needs t ~ 3e4 and ~5e6, stiffness ratios ~1e4 and
# ~1e7: explicit steps of ~0.05 would take ~1e6 and ~1e8 steps.
@pytest.mark.slow
@pytest.mark.parametrize("depth, alpha", [(2, "1e-6"), (3, "1e-2")])
def test_stiff_flow_on_10x40_agrees_with_kkt_to_20_digits(depth, alpha):
    problem = Problem.random_dyadic(np.random.default_rng(2), 10, 40, 3)
    result = integrate_flow(DiagonalModel(depth, alpha), problem, dps=30, method="auto",
                            max_seconds=600)
    assert result.stiff_steps > 0 and "radau" in result.method
    assert result.time > 1e4  # deep into the stiff tail
    check_agreement(result, problem, depth, alpha)


@pytest.mark.parametrize("method", ["auto", "radau"])
def test_small_stiff_flow_agrees_with_kkt(method):
    # 5 x 15, 2-sparse: the flow needs t ~ 2e6 at alpha = 1e-4 (lambda_min(A) ~ 1e-5)
    problem = Problem.random_dyadic(np.random.default_rng(2), 5, 15, 2)
    result = integrate_flow(DiagonalModel(2, "1e-4"), problem, dps=30, method=method)
    assert result.time > 1e5 and result.stiff_steps > 0
    check_agreement(result, problem, 2, "1e-4")


def test_taylor_alone_is_stability_limited_there():
    # the same flow with explicit steps only gets nowhere near the horizon within 400 steps
    problem = Problem.random_dyadic(np.random.default_rng(2), 5, 15, 2)
    from krtheory.errors import NoConvergence
    with pytest.raises(NoConvergence, match="max_steps=400"):
        integrate_flow(DiagonalModel(2, "1e-4"), problem, dps=30, method="taylor", max_steps=400)


# -- two integrators, conserved quantities --------------------------------------------------------
def test_radau_and_taylor_agree_on_a_non_stiff_flow():
    problem = Problem.random_dyadic(np.random.default_rng(0), 3, 8, 2)
    model = DiagonalModel(2, "1")
    radau = integrate_flow(model, problem, dps=30, method="radau", times=["0.05", "0.3"])
    taylor = integrate_flow(model, problem, dps=30, method="taylor", times=["0.05", "0.3"])
    ctx = context(40)
    for a, b in zip(radau.samples, taylor.samples):
        assert a.time == b.time
        assert max(abs(ctx.mpf(x) - ctx.mpf(y)) for x, y in zip(a.beta, b.beta)) <= ctx.mpf("1e-27")
    limit = max(abs(ctx.mpf(x) - ctx.mpf(y)) for x, y in zip(radau.beta, taylor.beta))
    assert limit <= radau.error_estimate + taylor.error_estimate
    assert radau.method.startswith("radau IIA s=") and radau.stiff_steps == radau.steps


@pytest.mark.parametrize("depth, alpha", [(2, "1e-3"), (3, "0.05")])
def test_radau_steps_keep_the_conserved_quantities(depth, alpha):
    # D = 2: d/dt(w+ w-) = -4 g w+ w- + 4 g w+ w- = 0; D = 3: d/dt(w+^-1 + w-^-1) = 6g - 6g = 0
    problem = Problem.random_dyadic(np.random.default_rng(1), 4, 10, 2)
    result = integrate_flow(DiagonalModel(depth, alpha), problem, dps=30, method="radau",
                            times=["1", "50"])
    ctx = context(50)
    a = ctx.mpf(alpha)
    states = [s.parameters for s in result.samples] + [result.parameters]
    for params in states:
        for wp, wm in params:
            if depth == 2:
                assert abs(ctx.mpf(wp) * ctx.mpf(wm) - a * a) <= ctx.mpf("1e-27") * a * a
            else:
                invariant = 1 / ctx.mpf(wp) + 1 / ctx.mpf(wm)
                assert abs(invariant - 2 / a) <= ctx.mpf("1e-27") * (2 / a)


def test_error_estimate_covers_a_higher_precision_run():
    problem = Problem.random_dyadic(np.random.default_rng(2), 5, 15, 2)
    model = DiagonalModel(2, "1e-2")
    coarse = integrate_flow(model, problem, dps=20, method="radau")
    fine = integrate_flow(model, problem, dps=35, method="radau")
    ctx = context(60)
    difference = max(abs(ctx.mpf(a) - ctx.mpf(b)) for a, b in zip(coarse.beta, fine.beta))
    assert difference <= coarse.error_estimate
    assert fine.error_estimate < coarse.error_estimate * ctx.mpf("1e-10")


# -- the Radau IIA tableau ------------------------------------------------------------------------
@pytest.mark.parametrize("stages", [1, 2, 3, 7, 20, 33])
def test_radau_tableau_order_conditions(stages):
    # B(2s-1): the weights b = last row of A integrate x^(k-1) exactly for k <= 2s - 1, while
    # A itself is only built from the s collocation conditions C(s)
    bits = 300
    T = radau_tableau(stages, bits)
    ctx = context(120)
    b = [ctx.mpf(v) / 2 ** bits for v in T.A[-1]]
    c = [ctx.mpf(v) for v in _nodes(ctx, stages)]
    for k in range(1, 2 * stages):
        quadrature = ctx.fsum(w * x ** (k - 1) for w, x in zip(b, c))
        assert abs(quadrature - ctx.one / k) <= ctx.mpf(2) ** (5 - bits) * stages
    assert T.nodes[-1] == 1.0


def _nodes(ctx, s):
    """Radau nodes polished at ctx's precision from the tableau's float nodes (same polynomial,
    evaluated by the recurrence)."""
    nodes = []
    for x in radau_tableau(s, 300).nodes[:-1]:
        u = 2 * ctx.mpf(x) - 1
        for _ in range(10):
            value, slope = _radau_polynomial(ctx, s, u)
            u -= value / slope
        nodes.append((u + 1) / 2)
    return nodes + [ctx.one]


def test_radau_nodes_closed_forms():
    ctx = context(40)
    assert radau_tableau(2, 200).nodes == (pytest.approx(1 / 3, abs=1e-16), 1.0)
    three = radau_tableau(3, 200).nodes
    sqrt6 = float(ctx.sqrt(6))
    assert three[0] == pytest.approx((4 - sqrt6) / 10, abs=1e-15)
    assert three[1] == pytest.approx((4 + sqrt6) / 10, abs=1e-15)
    # s = 2: A = [[5/12, -1/12], [3/4, 1/4]] exactly (to the 2^-200 of the fixed point)
    A = radau_tableau(2, 200).A
    for row, exact in zip(A, [(5 / 12, -1 / 12), (3 / 4, 1 / 4)]):
        for v, e in zip(row, exact):
            assert abs(mpmath.mpf(int(v)) / 2 ** 200 - e) < 1e-15


@pytest.mark.parametrize("stages", [3, 12])
def test_radau_is_l_stable(stages):
    # R(z) = 1 + z b^T (I - z A)^-1 1 tends to 0 as z -> -inf and |R| <= 1 on the negative axis
    A = radau_tableau(stages, 200).A_float
    b, one = A[-1], np.ones(stages)
    R = lambda z: 1 + z * b @ np.linalg.solve(np.eye(stages) - z * A, one)  # noqa: E731
    assert abs(R(-1e12)) < 1e-9 and abs(R(-1e12) / R(-1e9)) < 2e-3  # R(z) = O(1/z)
    assert all(abs(R(-x)) <= 1 + 1e-12 for x in np.logspace(-3, 6, 50))


def test_stages_grow_with_the_digits():
    assert stages_for(-35) == 20
    assert stages_for(-10) >= 6 and stages_for(-400) == 32


# -- the certified tail ---------------------------------------------------------------------------
def test_certified_tail_covers_the_distance_to_the_limit():
    # stop early (|r| ~ 1e-8): then beta(T) is far from the limit and the certified tail bound
    # must cover the whole distance to the KKT point (computed independently)
    problem = Problem.random_dyadic(np.random.default_rng(2), 5, 15, 2)
    result = integrate_flow(DiagonalModel(2, "0.1"), problem, dps=30, loss_target="1e-16")
    assert result.tail_certified, result.tail_method
    predicted = kkt(problem, 2, "0.1", 30)
    ctx = context(50)
    difference = max(abs(ctx.mpf(a) - ctx.mpf(b)) for a, b in zip(result.beta, predicted.beta))
    assert ctx.mpf("1e-12") < difference <= result.tail_error + result.integration_error
    assert result.tail_error < 1000 * difference  # and is not vacuous


def test_certified_tail_for_a_width_2_model_with_signed_parameters():
    # beta_i = <U_i, V_i> with entries of both signs (the generic polynomial path): the bound at
    # an early stop covers the distance to the limit of the same flow run to convergence
    problem = Problem.random_dyadic(np.random.default_rng(1), 3, 6, 2)
    U0 = [["0.1", "-0.05"], ["0.02", "0.1"], ["0.1", "0.1"], ["-0.1", "0.03"], ["0.05", "0.05"],
          ["0.1", "-0.1"]]
    V0 = [["0.1", "0.05"], ["0.07", "-0.1"], ["0.1", "0.02"], ["0.1", "0.1"], ["-0.05", "0.05"],
          ["0.02", "0.1"]]
    model = WideModel(U0, V0)
    early = integrate_flow(model, problem, dps=30, loss_target="1e-16")
    limit = integrate_flow(model, problem, dps=30, method="radau")
    assert early.tail_certified and limit.tail_certified, (early.tail_method, limit.tail_method)
    ctx = context(50)
    difference = max(abs(ctx.mpf(a) - ctx.mpf(b)) for a, b in zip(early.beta, limit.beta))
    assert ctx.mpf("1e-12") < difference <= early.error_estimate + limit.error_estimate


def test_tail_without_flint_is_an_estimate(monkeypatch):
    monkeypatch.setitem(sys.modules, "flint", None)  # makes `import flint` raise ImportError
    problem = Problem.random_dyadic(np.random.default_rng(0), 3, 8, 2)
    result = integrate_flow(DiagonalModel(2, "1"), problem, dps=20)
    assert not result.tail_certified
    assert "python-flint is not installed" in result.tail_method
    assert result.as_strings()["tail_certified"] is False


def test_tail_certificate_refuses_dependent_rows():
    problem = Problem.from_rows([["1", "2"], ["2", "4"]], ["1", "2"], warn=False)
    model = DiagonalModel(2, "1")
    ctx = context(30)
    theta = model.initial_parameters(ctx, 2)
    bound = tail_bound(_Kernel(model.polynomial, problem), theta, [0.0, 0.0], 7.0)
    assert not bound.certified and bound.bound == 7.0 and "dependent rows" in bound.method


def test_positive_definite_on_balls():
    with flint.ctx.workprec(100):
        arb = flint.arb
        good = [[arb(2), arb(1)], [arb(1), arb(2)]]            # eigenvalues 1, 3
        bad = [[arb(1), arb(2)], [arb(2), arb(1)]]             # eigenvalues -1, 3
        wide = [[arb(1), arb(1, 0.1)], [arb(1, 0.1), arb(1)]]  # holds singular matrices
        assert _positive_definite(good)
        assert not _positive_definite(bad)
        assert not _positive_definite(wide)


# -- the API ----------------------------------------------------------------------------------------
def test_stiff_modules_import_no_potential_or_dual_solver():
    code = ("import sys, krtheory.flow.radau, krtheory.flow.tail, krtheory.flow.error; "
            "print(' '.join(sorted(sys.modules)))")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True).stdout.split()
    forbidden = ("krtheory.derive", "krtheory.solve", "krtheory.links", "krtheory.families")
    assert "krtheory.flow.radau" in loaded
    assert not [m for m in loaded if m.startswith(forbidden) or m == "sympy"]



def test_bad_method():
    problem = Problem.random_dyadic(np.random.default_rng(0), 3, 8, 2)
    with pytest.raises(InvalidArgument, match="method must be one of taylor, radau, auto"):
        integrate_flow(DiagonalModel(2, "1"), problem, method="rk4")


def test_result_reports_the_method_and_the_tail():
    problem = Problem.random_dyadic(np.random.default_rng(0), 3, 8, 2)
    strings = integrate_flow(DiagonalModel(2, "1"), problem, dps=20, method="taylor").as_strings()
    assert strings["method"] == "taylor" and strings["stiff_steps"] == 0
    assert strings["tail_certified"] is True and strings["tail_method"].startswith("certified")
