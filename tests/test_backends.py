"""``krtheory.backends.predict``: the three backends agree, flint certifies, fallbacks say so."""

import pytest

from krtheory import backends
from krtheory.backends import BackendNotice, predict
from krtheory.builtin_problems import builtin_problem
from krtheory.errors import InvalidArgument
from krtheory.precision import context
from krtheory.regularizers import implicit_link

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


def test_unknown_backend():
    with pytest.raises(InvalidArgument, match="backend"):
        predict(PROBLEM, _link("1"), backend="cuda")
