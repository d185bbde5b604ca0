"""Worked example: testing an implicit-bias claim with krtheory.testing.

Azulay et al. (2021) study beta = u*v from an *unbalanced* start u(0) != v(0). Along the flow
Delta = u^2 - v^2 is conserved, and the limit minimizes sum_i phi(beta_i) s.t. X beta = y with

    phi'(z) = asinh(2 z / Delta) - asinh(2 beta(0) / Delta),   beta(0) = u(0) v(0),

a hypentropy of scale Delta/2 centred at the initial predictor. Run with
``pytest examples/test_unbalanced_depth2.py``: the first two properties pass, the third (the
same potential with its scale off by a factor of 2) fails with a shrunk counterexample.
"""

from hypothesis import Phase, given, settings

from krtheory.testing import assert_implicit_bias, parametrizations, problems

#: Hypothesis's explain phase re-runs a shrunk failure with many variations: costly for flows.
NO_EXPLAIN = [phase for phase in Phase if phase is not Phase.explain]
#: phi(z) with phi' as above (constant terms dropped: they do not move the argmin).
POTENTIAL = "z*asinh(2*z/(u*u - v*v)) - sqrt(4*z**2 + (u*u - v*v)**2)/2 - z*asinh(2*u*v/(u*u - v*v))"
#: A deliberately wrong conjecture: the same potential with the scale Delta doubled.
WRONG_SCALE = "z*asinh(z/(u*u - v*v)) - sqrt(z**2 + (u*u - v*v)**2) - z*asinh(u*v/(u*u - v*v))"
#: u*v from u(0) > |v(0)| (one decimal each): the unbalanced initializations.
UNBALANCED = parametrizations(kinds=["unbalanced"])


@settings(max_examples=8, deadline=None, phases=NO_EXPLAIN)
@given(problems(max_n=2, max_d=4), UNBALANCED)
def test_the_flow_converges_to_the_derived_potentials_argmin(problem, start):
    assert_implicit_bias(start.expression, start.init, problem, digits=20)


@settings(max_examples=8, deadline=None, phases=NO_EXPLAIN)
@given(problems(max_n=2, max_d=4), UNBALANCED)
def test_the_flow_converges_to_azulays_potentials_argmin(problem, start):
    assert_implicit_bias(start.expression, start.init, problem, POTENTIAL, digits=20)


@settings(max_examples=8, deadline=None, phases=NO_EXPLAIN)
@given(problems(max_n=2, max_d=4), UNBALANCED)
def test_a_potential_with_the_scale_off_by_two_is_refuted(problem, start):
    assert_implicit_bias(start.expression, start.init, problem, WRONG_SCALE, digits=20)
