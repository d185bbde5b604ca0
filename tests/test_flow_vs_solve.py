"""Theorem 1 as a property: on random small well-conditioned problems the flow limit equals the
predicted argmin Q (two computations that share nothing but the problem)."""

import pytest
from hypothesis import given, settings, strategies as st

from krtheory.claims import Status
from krtheory.flow.driver import integrate_flow
from krtheory.flow.models import DiagonalModel
from krtheory.families.diagonal import implicit_link
from krtheory.solve.mp import solve_link
from krtheory.testing import alphas, problems, shapes
from proofs_checks._compare import compare_limits

DPS = 30
REQUIRED = 20


@st.composite
def instances(draw, max_n, max_d, min_alpha, max_alpha):
    problem = draw(problems(max_n=max_n, max_d=max_d))
    shape = draw(st.none() | shapes(problem.d))
    return problem, draw(alphas(min_value=min_alpha, max_value=max_alpha)), shape


def _agree(problem, alpha, shape):
    flow = integrate_flow(DiagonalModel(2, alpha, shape), problem, dps=DPS)
    predicted = solve_link(problem, implicit_link("diagonal", 2, alpha, shape, problem.d), dps=DPS)
    agreement = compare_limits(flow, predicted, REQUIRED)
    assert agreement.status is Status.HOLDS, agreement.as_dict()


@settings(max_examples=6)
@given(instances(max_n=3, max_d=6, min_alpha="0.3", max_alpha="10"))
def test_flow_limit_equals_argmin_Q(instance):
    _agree(*instance)


@pytest.mark.slow
@settings(max_examples=30)
@given(instances(max_n=4, max_d=10, min_alpha="0.01", max_alpha="100"))
def test_flow_limit_equals_argmin_Q_wide_range(instance):
    _agree(*instance)


def test_strategies_reject_bad_bounds():
    from krtheory.errors import InvalidArgument

    with pytest.raises(InvalidArgument):
        problems(min_n=3, max_n=2)
    with pytest.raises(InvalidArgument):
        alphas(min_value="0", max_value="1")
