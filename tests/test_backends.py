"""``krtheory.solve.predict.predict``: the three backends agree, flint certifies, fallbacks say so."""

import pytest

from krtheory.solve import predict as backends
from krtheory.solve.predict import BackendNotice, predict
from krtheory.builtin_problems import builtin_problem
from krtheory.errors import InvalidArgument
from krtheory.precision import context
from krtheory.families.diagonal import implicit_link
from krtheory.links import Link

PROBLEM = builtin_problem("planted-4x10")


def _link(alpha, depth=2):
    return implicit_link("diagonal", depth, alpha, None, PROBLEM.d)


@pytest.mark.parametrize("alpha", ["0.01", "1", "30"])
def test_backends_agree_and_flint_certifies(alpha):
    reference = predict(PROBLEM, _link(alpha), dps=40, backend="mpmath")
    certified = predict(PROBLEM, _link(alpha), dps=40, backend="flint")
    fast = predict(PROBLEM, _link(alpha), dps=40, backend="numpy")
    assert reference.digits >= 38 and certified.certified and certified.digits >= 38
    ctx = context(60)
    scale = max(abs(b) for b in reference.beta)
    radius = ctx.mpf(certified.radius)
    for r, c, f in zip(reference.beta, certified.beta, fast.beta):
        assert abs(ctx.convert(r) - ctx.convert(c)) <= radius + scale * ctx.mpf("1e-38")
        assert abs(ctx.convert(r) - ctx.convert(f)) <= scale * ctx.mpf("1e-12")
    assert fast.digits is None and not fast.certified


def test_missing_flint_falls_back_to_mpmath_with_a_notice(monkeypatch):
    monkeypatch.setattr(backends, "flint_available", lambda: False)
    for backend in ("auto", "flint"):
        with pytest.warns(BackendNotice, match="python-flint is not installed"):
            assert predict(PROBLEM, _link("1"), dps=30, backend=backend).backend == "mpmath"


def test_float_out_of_range_falls_back_to_mpmath():
    with pytest.warns(BackendNotice, match="float64 fast path"):
        result = predict(PROBLEM, _link("1e200"), dps=30, backend="numpy")  # lam underflows in double
    assert result.backend == "mpmath" and result.digits >= 28


def test_parametrized_links_are_certified_by_flint_and_solved_by_numpy():
    # Theorem 4's biased hypentropy h(nu; A_i, B_i) = A_i e^{2nu} - B_i e^{-2nu}: per-coordinate
    # parameters, which the arb compiler takes and the float64 evaluator takes in its biased form
    import numpy as np

    from krtheory.families.wide import gaussian_initialization, wide_link

    U0, V0 = gaussian_initialization(np.random.default_rng(5), PROBLEM.d, 3, 0.4, 20)
    link = wide_link(U0, V0)
    reference = predict(PROBLEM, link, dps=40, backend="mpmath")
    certified = predict(PROBLEM, link, dps=40)  # auto: flint
    assert certified.backend == "flint" and certified.certified and certified.digits >= 38
    ctx = context(60)
    radius, scale = ctx.mpf(certified.radius), max(abs(b) for b in reference.beta)
    assert all(abs(ctx.convert(r) - ctx.convert(c)) <= radius + scale * ctx.mpf("1e-38")
               for r, c in zip(reference.beta, certified.beta))
    fast = predict(PROBLEM, link, dps=30, backend="numpy")
    assert fast.backend == "numpy" and fast.digits is None
    assert all(abs(ctx.convert(r) - ctx.convert(f)) <= scale * ctx.mpf("1e-12") for r, f in zip(reference.beta, fast.beta))


def test_numpy_refuses_parameters_outside_the_biased_form():
    import sympy

    nu, a = sympy.symbols("nu a", positive=True)
    link = Link("not biased", nu, a * sympy.sinh(nu) + nu, a * sympy.cosh(nu) - a + nu ** 2 / 2, sympy.oo,
                ("1",) * PROBLEM.d, ("1",) * PROBLEM.d, (a,), (("2",),) * PROBLEM.d)
    with pytest.warns(BackendNotice, match="per-coordinate parameters"):
        assert predict(PROBLEM, link, dps=30, backend="numpy").backend == "mpmath"


def test_unknown_backend():
    with pytest.raises(InvalidArgument, match="backend"):
        predict(PROBLEM, _link("1"), backend="cuda")
