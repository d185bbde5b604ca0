"""The dual ODE trajectory path (krtheory.solve.dual_ode): against the parameter flow, which it shares
nothing with but the problem (krtheory.flow.driver integrates the 2d parameters at 30 digits), and its
limit against the KKT solution of the mpmath backend."""

import numpy as np
import pytest

from krtheory.solve.dual_ode import TrajectoryStatus, dual_trajectory
from krtheory.errors import InvalidArgument
from krtheory.flow.driver import integrate_flow
from krtheory.links import Link
from krtheory.flow.models import DiagonalModel
from krtheory.problem import Problem
from krtheory.families.diagonal import implicit_link
from krtheory.solve.mp import solve_link

#: LSODA at rtol 1e-12 along t <= 1: measured 2e-13 .. 1e-11 against the 30-digit flow.
TRAJECTORY = 1e-9
#: The limit at a relative residual of 1e-12, against the 30-digit KKT solution: measured
#: 5e-15 .. 7e-12 down to alpha = 1e-8.
LIMIT = 1e-10


def problem_10x40():
    return Problem.random_dyadic(np.random.default_rng(2), 10, 40, 3)


def normwise(beta, reference):
    reference = np.array([float(v) for v in reference])
    return float(np.max(np.abs(np.asarray(beta, dtype=float) - reference)) / np.max(np.abs(reference)))


@pytest.mark.parametrize("depth, alpha", [(2, "1"), (2, "0.1"), (3, "0.5")])
def test_trajectory_matches_the_parameter_flow(depth, alpha):
    problem, times = problem_10x40(), ["0.01", "0.1", "0.5"]
    dual = dual_trajectory(problem, implicit_link("diagonal", depth, alpha, None, problem.d), times)
    flow = integrate_flow(DiagonalModel(depth, alpha), problem, dps=30, times=times, loss_target="1e9")
    assert dual.times == (0.01, 0.1, 0.5)
    for sample, beta in zip(flow.samples, dual.beta):
        assert normwise(beta, sample.beta) <= TRAJECTORY


def test_shaped_trajectory_matches_the_parameter_flow():
    problem, shape = problem_10x40(), [str(1 + (i % 3)) for i in range(40)]
    times = ["0.05", "0.3"]
    dual = dual_trajectory(problem, implicit_link("diagonal", 2, "0.5", shape, problem.d), times)
    flow = integrate_flow(DiagonalModel(2, "0.5", shape), problem, dps=30, times=times, loss_target="1e9")
    for sample, beta in zip(flow.samples, dual.beta):
        assert normwise(beta, sample.beta) <= TRAJECTORY


@pytest.mark.parametrize("depth, alpha", [(2, "100"), (2, "1e-8"), (3, "1e-2")])
def test_limit_is_the_kkt_solution(depth, alpha):
    problem = problem_10x40()
    link = implicit_link("diagonal", depth, alpha, None, problem.d)
    dual = dual_trajectory(problem, link)
    assert dual.status == "ok", dual.message
    assert dual.relative_residual <= 1e-12
    assert normwise(dual.final_beta, solve_link(problem, link, dps=30, verify=False).beta) <= LIMIT


def test_overflow_and_budgets_are_honest():
    problem = problem_10x40()
    tiny = dual_trajectory(problem, implicit_link("diagonal", 2, "1e-300", None, problem.d))
    assert tiny.status is TrajectoryStatus.OUT_OF_RANGE and "overflows double" in tiny.message
    assert "high precision" in tiny.status.advice and not tiny.ok
    slow = dual_trajectory(problem, implicit_link("diagonal", 2, "1e-30", None, problem.d), max_seconds=0.5)
    assert slow.status is TrajectoryStatus.NOT_CONVERGED and "max_seconds=0.5" in slow.message
    assert "raise them" in slow.status.advice
    short = dual_trajectory(problem, implicit_link("diagonal", 2, "1e-2", None, problem.d), max_time="1")
    assert short.status == "not_converged" and "max_time=1" in short.message and short.final_time == 1


def test_bad_input_is_named():
    import sympy

    problem = problem_10x40()
    link = implicit_link("diagonal", 2, "1", None, problem.d)
    with pytest.raises(InvalidArgument, match="times entry"):
        dual_trajectory(problem, link, ["-1"])
    with pytest.raises(InvalidArgument, match="rtol"):
        dual_trajectory(problem, link, rtol=2)
    with pytest.raises(InvalidArgument, match="d=5"):
        dual_trajectory(Problem.random_dyadic(np.random.default_rng(0), 2, 5, 1), link)
    nu, p = sympy.symbols("nu p")
    parametrized = Link("not biased", nu, p * sympy.sinh(nu) + nu, p * sympy.cosh(nu) - p + nu ** 2 / 2,
                        sympy.oo, ["1"] * 40, ["1"] * 40, (p,), [("2",)] * 40)
    with pytest.raises(InvalidArgument, match="per-coordinate parameters"):
        dual_trajectory(problem, parametrized)
    inconsistent = Problem.from_rows([["1", "0", "1"], ["2", "0", "2"]], ["1", "3"], warn=False)
    with pytest.raises(InvalidArgument, match="inconsistent"):
        dual_trajectory(inconsistent, implicit_link("diagonal", 2, "1", None, 3))
